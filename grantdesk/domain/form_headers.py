"""Which column of an online-form export holds which import field, guessed from its header.

Real exports do not name their columns after GrantDesk's fields. Microsoft Forms starts with "ID",
"Start time", "Completion time", "Email", "Name" and "Last modified time", then one column per
question, headed by the question as the applicant read it ("What is the name of your group or
organisation?"); Google Forms starts with "Timestamp" and "Email address"; JotForm with "Submission
Date"; SmartSurvey with "Response ID", "Started", "Ended"; GOV.UK Forms with "Reference" and
"Submitted at"; a council's own Excel template says "Organisation name" and "Amount requested (£)".
Welsh councils' forms say both ("Enw'r sefydliad / Name of organisation").

``suggest_columns`` scores every header against every field and takes the best pairs first, so no
two headers are given one field:

1. the fund's saved mapping, for the headers it names (matched ignoring case and spacing);
2. a header that *is* a field's name, its label, or one of the fund's question keys or labels;
3. a header whose words contain one of the field's synonyms — the phrases forms use for it
   (``organisation`` ← "name of your group/organisation/club", "group name"; ``amount_requested`` ←
   "how much are you applying for", "grant requested"; ``submitted_on`` ← "Timestamp", "Completion
   time", "Submission Date", "Ended") — the more of the header the phrase explains, the higher;
4. failing that, a header sharing most of its words with a field's label or a question's wording.

Headers are compared as words: case, accents, punctuation and "£" do not count, nor do words that
carry no meaning here ("please", "your", "what is", "(optional)", "(max 300 words)", question
numbers such as "Q3."), and simple word endings are ignored ("requesting" is "request"). A form
tool's own bookkeeping columns (start and last-modified times, IP address) and the read-only columns
of GrantDesk's own exports are left unmapped unless a field is named exactly so; its id for the
response ("ID", "Response ID", "Submission ID", GOV.UK Forms' "Reference") goes to ``response_id``
when the importer offers that field (it keeps each imported row's key stable).

Pure: no I/O, no database. ``grantdesk.services.imports`` passes in the fund's fields, questions and
saved mapping.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from grantdesk.domain.questions import Question

__all__ = ["Suggestion", "SYNONYMS", "FORM_METADATA", "BOOKKEEPING_FIELDS", "suggest_columns", "explain_columns", "words"]

# --- the phrases forms use for each field -------------------------------------------------------------
# Written as people write them; they are normalised with the headers (see ``words``). A field that the
# fund does not have is skipped, so a table entry for a field added later costs nothing.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "organisation": (
        "organisation", "organisation name", "name of organisation", "name of your group/organisation/club",
        "name of group", "group name", "name of group or organisation", "group or organisation name",
        "club name", "name of club", "applicant organisation", "applicant organisation name",
        "name of applicant organisation", "legal name of organisation", "charity name", "name of charity",
        "community group name", "group", "club", "applicant", "company name", "name of company",
        "registered name", "enw'r sefydliad", "enw sefydliad", "enw'r grŵp", "sefydliad",
    ),
    "organisation_type": (
        "organisation type", "type of organisation", "type of group", "group type", "kind of organisation",
        "legal status", "legal structure", "legal form", "organisation status", "status of organisation",
        "which best describes your organisation", "what sort of organisation", "constitution",
        "type of applicant", "applicant type", "math o sefydliad",
    ),
    "charity_number": (
        "charity number", "registered charity number", "registered charity no", "charity registration number",
        "charity commission number", "charity no", "charity reg no", "scottish charity number", "oscr number",
        "charity commission registration", "rhif elusen", "rhif elusen gofrestredig",
    ),
    "company_number": (
        "company number", "companies house number", "company registration number", "registered company number",
        "company no", "company reg no", "crn", "rhif cwmni",
    ),
    "contact_name": (
        "contact name", "name of contact", "main contact", "main contact name", "lead contact", "contact person",
        "name of main contact", "name of person completing this form", "your name", "full name", "name",
        "applicant name", "name of applicant", "name of lead contact", "contact", "person to contact",
        "enw cyswllt", "enw",
    ),
    "contact_email": (
        "contact email", "email", "email address", "contact email address", "email of contact",
        "main contact email", "applicant email", "respondent email", "e-bost", "cyfeiriad e-bost",
    ),
    "contact_phone": (
        "contact phone", "phone", "phone number", "telephone", "telephone number", "contact number",
        "contact telephone", "contact telephone number", "mobile", "mobile number", "daytime phone number",
        "rhif ffôn", "ffôn",
    ),
    "contact_language": (
        "letters in", "language", "preferred language", "language preference", "language of correspondence",
        "correspondence language", "which language would you like us to write to you in",
        "welsh or english", "english or welsh", "iaith", "dewis iaith", "iaith ohebiaeth",
    ),
    "title": (
        "project title", "title", "project name", "name of project", "title of project", "project called",
        "name of activity", "activity name", "event name", "name of event", "project", "teitl y prosiect",
        "enw'r prosiect", "teitl",
    ),
    "summary": (
        "summary", "project summary", "description", "project description", "describe your project",
        "description of project", "tell us about your project", "brief description", "what will you do",
        "what do you want to do", "outline of project", "details of project", "project details",
        "what will the grant be used for", "what will the money be spent on", "what is the project",
        "about project", "what project", "summarise your project", "crynodeb", "disgrifiad",
    ),
    "amount_requested": (
        "amount requested", "amount", "grant requested", "how much", "how much are you applying for",
        "how much are you asking for", "how much funding", "how much money", "how much grant",
        "funding requested", "amount applied for", "grant amount", "amount of grant", "requested amount",
        "request amount", "sum requested", "funding amount", "grant request", "amount of funding",
        "total requested", "swm", "swm y grant", "faint",
    ),
    "area": (
        "area", "ward", "division", "electoral division", "district", "locality", "neighbourhood", "parish",
        "which area", "area of benefit", "community area", "where will the project take place",
        "project location", "location of project", "ardal", "ward name", "division name",
    ),
    "round": (
        "round", "funding round", "grant round", "application round", "which round", "round name",
        "rownd",
    ),
    "project_start": (
        "project start", "start date", "project start date", "when will the project start",
        "date project starts", "when will the project begin", "start of project", "dyddiad dechrau",
    ),
    "project_end": (
        "project end", "end date", "project end date", "when will the project end", "finish date",
        "date project ends", "when will the project finish", "end of project", "project completion date",
        "dyddiad gorffen",
    ),
    "submitted_on": (
        "submitted on", "timestamp", "submitted at", "submitted", "completion time", "submission date",
        "date submitted", "submission time", "time submitted", "date of submission", "ended", "completed",
        "date received", "received", "application date", "date of application", "date", "date/time",
        "dyddiad", "stamp amser", "dyddiad cyflwyno",
    ),
    # the form tool's id for the response (an import-only field: it goes into the row's stable key)
    "response_id": (
        "response id", "id", "submission id", "respondent id", "reference", "submission reference",
        "response number", "submission number", "entry id", "unique id", "form response id",
    ),
}
# Fields that a form tool's own bookkeeping columns may be given (when the fund has them).
BOOKKEEPING_FIELDS = frozenset({"response_id"})

# Words that, in a header that does not contain the phrase matched, say it is about something else:
# "Amount of match funding" is not the amount requested, "Name of your bank" not the organisation.
AVOID: dict[str, frozenset[str]] = {
    "amount_requested": frozenset({"cost", "budget", "match", "raise", "income", "turnover", "spent", "spend",
                                   "contribution", "other", "already", "previous", "last", "reserves", "bank"}),
    "organisation": frozenset({"bank", "account", "type", "kind", "sort", "status", "structure", "number",
                               "address", "postcode", "email", "phone", "website", "age", "beneficiary"}),
    "contact_name": frozenset({"organisation", "group", "club", "project", "bank", "account", "company",
                               "charity", "event", "activity", "councillor", "referee",
                               # half a name is not a name: "First name" and "Last name" are left to the officer
                               "first", "last", "surname", "forename", "given", "family", "middle"}),
    "contact_email": frozenset({"organisation", "councillor", "referee", "confirm", "copy"}),
    "contact_phone": frozenset({"councillor", "referee"}),
    "title": frozenset({"organisation", "group", "club", "contact", "cost", "start", "end", "date", "area",
                        "location", "people", "many", "councillor", "summary", "describe", "much"}),
    "summary": frozenset({"cost", "budget", "much", "start", "end", "date", "title", "name", "called"}),
    "area": frozenset({"organisation", "contact", "cost", "councillor"}),
    "project_start": frozenset({"time"}),
    "submitted_on": frozenset({"start", "end", "project", "birth", "modify", "modified", "last"}),
}

# A form tool's own columns: not the application's, and not fields (unless a fund names one exactly).
FORM_METADATA: tuple[str, ...] = (
    "id", "start time", "last modified time", "modified time", "response id", "respondent id", "submission id",
    "started", "ip address", "ip", "user agent", "browser", "collector id", "custom data", "edit link",
    "edit url", "response url", "tracking link", "reference", "submission reference", "form reference",
    "status", "response status", "created at", "updated at", "created", "updated", "fund", "time taken",
    "duration", "language of form", "page", "last page", "referrer", "unique id", "row id", "serial",
)

# Single words that name a field even inside a longer header ("Which area is your group based in?"),
# unlike "name", "group" or "date", which need a phrase around them.
_STRONG_WORDS = ("area", "ward", "division", "district", "email", "phone", "mobile", "timestamp", "summary",
                 "description", "language", "round")

# Words normalised to one spelling before anything is compared.
_CANONICAL: dict[str, str] = {
    "organization": "organisation", "organizations": "organisation", "organisations": "organisation",
    "org": "organisation", "orgs": "organisation", "organisational": "organisation",
    "e-mail": "email", "emails": "email", "mail": "email",
    "telephone": "phone", "tel": "phone", "tele": "phone", "phones": "phone",
    "no": "number", "num": "number", "nr": "number", "numbers": "number",
    "registered": "register", "registration": "register", "reg": "register",
    "submitted": "submit", "submission": "submit", "submissions": "submit", "submitting": "submit",
    "requesting": "request", "requested": "request", "requests": "request",
    "applying": "apply", "applied": "apply", "applies": "apply", "application": "apply",
    "applications": "apply", "applicant": "applicant",
    "completion": "complete", "completed": "complete", "completing": "complete",
    "description": "describe", "describing": "describe",
    "summarise": "summary", "summarize": "summary", "summarised": "summary",
    "charities": "charity", "charitable": "charity", "companies": "company",
    "named": "name", "names": "name", "titled": "title",
    "begins": "begin", "beginning": "begin", "starts": "start", "starting": "start", "started": "start",
    "ends": "end", "ending": "end", "ended": "end", "finishes": "finish", "finished": "finish",
    "modified": "modify", "lastmodified": "modify",
    "grp": "group", "groups": "group",
    "locale": "location",
    "neighborhood": "neighbourhood",
    "time-stamp": "timestamp",
}

# Words that carry nothing here: dropped from headers and phrases alike.
_QUIET = frozenset("""
a an the of for to from in into on at by with and or if any
you your yours you're we our us i my me they their it its this that these those there here
is are be been being was were will would shall should can could may might must do does did done
have has had please kindly enter provide state
what which who whom whose when where why how
optional required mandatory applicable appropriate relevant known eg e g etc ie i.e e.g
max maximum min minimum up words word characters character chars approx approximately
dd mm yyyy yy hh ss
about
""".split())
# "how much", "what", "when" etc. are quiet: "When will your project start?" is "project start".

_BILINGUAL = re.compile(r"\s+/\s+|\s+\|\s+")  # "Enw'r sefydliad / Name of organisation"
_NUMBERING = re.compile(r"^\s*(?:q(?:uestion)?\s*)?\d+[a-z]?\s*[.):\-]\s*", re.IGNORECASE)  # "Q3." "3)" "12 -"
_TOKEN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def _fold(text: str) -> str:
    """Lower case without accents: "Grŵp" → "grwp", "ffôn" → "ffon"."""
    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_SPELLINGS = frozenset(_CANONICAL.values())


def _stem(word: str) -> str:
    word = _CANONICAL.get(word, word)
    if word in _SPELLINGS:
        return word
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> tuple[str, ...]:
    """The words of a header (or phrase) that carry meaning, in order, each in one spelling."""
    folded = _fold(text).replace("&", " and ").replace("£", " ").replace("e-mail", "email")
    folded = folded.replace("e-bost", "ebost").replace("’", "'")
    folded = _NUMBERING.sub("", folded)
    out: list[str] = []
    for token in _TOKEN.findall(folded):
        token = token.replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        if token.isdigit() or token in _QUIET:
            continue
        stemmed = _stem(token)
        if stemmed in _QUIET:
            continue
        out.append(stemmed)
    return tuple(out)


def _plain(text: str) -> str:
    """Case, spacing, underscores and punctuation ignored: for exact comparisons."""
    return " ".join(_TOKEN.findall(_fold(text).replace("_", " ")))


_STRONG = frozenset(w for text in _STRONG_WORDS for w in words(text))
_AVOID_STEMS: dict[str, frozenset[str]] = {}


def _avoid() -> dict[str, frozenset[str]]:
    """``AVOID`` in the spelling headers are compared in (made once)."""
    if not _AVOID_STEMS:
        _AVOID_STEMS.update(_stems(AVOID))
    return _AVOID_STEMS


@dataclass(frozen=True)
class Suggestion:
    """What ``explain_columns`` says of one header: the field (``""`` for none), how sure (0–100+)
    and why, in words an officer can read in a tooltip."""

    header: str
    field: str
    score: float
    because: str


@dataclass(frozen=True)
class _Phrase:
    field: str
    words: tuple[str, ...]
    plain: str
    exact_score: float  # when the header is this phrase
    kind: str  # "name", "label", "question", "synonym"
    text: str


def _phrases(fields: Mapping[str, str], questions: Sequence[Question]) -> list[_Phrase]:
    phrases: list[_Phrase] = []

    def add(field: str, text: str, exact: float, kind: str) -> None:
        w = words(text)
        if w or _plain(text):
            phrases.append(_Phrase(field, w, _plain(text), exact, kind, text))

    for name, label in fields.items():
        if name.startswith("answers."):
            continue
        add(name, name.replace("_", " "), 100.0, "name")
        add(name, label, 100.0, "label")
        for synonym in SYNONYMS.get(name, ()):
            add(name, synonym, 90.0, "synonym")
    for q in questions:
        if q.field not in fields:
            continue
        add(q.field, q.label, 100.0, "question")
        add(q.field, q.key.replace("_", " "), 99.0, "question")
        for half in _BILINGUAL.split(q.label):
            if half.strip() and half.strip() != q.label:
                add(q.field, half, 96.0, "question")
    return phrases


def _halves(header: str) -> list[str]:
    """The header, then each language's half of a bilingual one."""
    parts = [p for p in _BILINGUAL.split(header) if p.strip()]
    return [header, *parts] if len(parts) > 1 else [header]


def _stems(field_words: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    return {name: frozenset(w for text in ws for w in words(text)) for name, ws in field_words.items()}


def _score(header_words: tuple[str, ...], header_plain: str, phrase: _Phrase) -> tuple[float, str]:
    """How well ``phrase`` explains a header (0 when it does not), and why."""
    length_bonus = min(len(phrase.words), 6)  # a longer phrase is more specific: "contact email" > "email"
    if header_plain and header_plain == phrase.plain:
        return phrase.exact_score + length_bonus, f"the header is “{phrase.text}”"
    if not phrase.words or not header_words:
        return 0.0, ""
    hw, pw = set(header_words), set(phrase.words)
    if hw == pw:
        return phrase.exact_score - 2 + length_bonus, f"the header says “{phrase.text}”"
    avoid = _avoid().get(phrase.field, frozenset()) - pw
    clash = bool(avoid & hw)
    if pw <= hw and (len(pw) >= 2 or len(hw) <= 2 or (len(hw) <= 4 and pw <= _STRONG)):
        coverage = len(pw) / len(hw)
        score = 58 + 26 * coverage + length_bonus - (30 if clash else 0)
        return score, f"the header mentions “{phrase.text}”"
    if phrase.kind in ("label", "question") and len(pw) >= 2:
        shared = hw & pw
        overlap = len(shared) / len(hw | pw)
        if overlap >= 0.5 and len(shared) >= 2:
            score = 40 + 40 * overlap - (30 if clash else 0)
            return score, f"the header shares the words of “{phrase.text}”"
    return 0.0, ""


def explain_columns(headers: Sequence[str], fields: Mapping[str, str], *, questions: Sequence[Question] = (),
                    saved: Mapping[str, str] | None = None, ignore: Iterable[str] = (),
                    threshold: float = 60.0) -> list[Suggestion]:
    """One ``Suggestion`` per header, in the headers' order: see ``suggest_columns``."""
    headers = [str(h) for h in headers]
    phrases = _phrases(fields, questions)
    quiet = {_plain(m) for m in (*FORM_METADATA, *ignore)}
    saved = dict(saved or {})
    saved_plain = {_plain(k): str(v or "") for k, v in saved.items()}

    chosen: dict[int, Suggestion] = {}
    taken: set[str] = set()
    # 1. The fund's saved mapping comes first, for every header it names.
    for i, header in enumerate(headers):
        choice = saved.get(header)
        if choice is None:
            choice = saved_plain.get(_plain(header))
        if choice is None:
            continue
        choice = str(choice or "")
        if choice and (choice not in fields or choice in taken):
            continue  # a question the fund no longer asks, or a field already given: guess afresh
        chosen[i] = Suggestion(header, choice, 200.0, "saved with the fund's mapping last time")
        if choice:
            taken.add(choice)

    # 2. Every other header against every field; the best pairs first.
    candidates: list[tuple[float, int, int, str, str]] = []
    order = {name: n for n, name in enumerate(fields)}
    for i, header in enumerate(headers):
        if i in chosen:
            continue
        is_quiet = _plain(header) in quiet
        best: dict[str, tuple[float, str]] = {}
        for n, half in enumerate(_halves(header)):
            hw, hp = words(half), _plain(half)
            for phrase in phrases:
                if phrase.field in taken:
                    continue
                score, why = _score(hw, hp, phrase)
                if n:
                    score -= 1  # half of a bilingual header: as good, but the whole header wins ties
                if is_quiet and not (score >= 100 and phrase.kind in ("name", "label", "question")
                                     or score >= 88 and phrase.field in BOOKKEEPING_FIELDS):
                    continue  # "Start time", "Reference": bookkeeping, unless a field is called that
                if score >= threshold and score > best.get(phrase.field, (0.0, ""))[0]:
                    best[phrase.field] = (score, why)
        for name, (score, why) in best.items():
            candidates.append((score, i, order[name], name, why))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    for score, i, _order, name, why in candidates:
        if i in chosen or name in taken:
            continue
        chosen[i] = Suggestion(headers[i], name, round(score, 1), why)
        taken.add(name)

    runner_up: dict[int, str] = {}
    for candidate in candidates:
        runner_up.setdefault(candidate[1], candidate[3])
    out = []
    for i, header in enumerate(headers):
        if i in chosen:
            out.append(chosen[i])
        elif i in runner_up:
            label = fields.get(runner_up[i], runner_up[i])
            out.append(Suggestion(header, "", 0.0, f"it could be {label}, but another column matches that better"))
        elif _plain(header) in quiet:
            out.append(Suggestion(header, "", 0.0, "the form tool's own column"))
        else:
            out.append(Suggestion(header, "", 0.0, "no field is called anything like it"))
    return out


def suggest_columns(headers: Sequence[str], fields: Mapping[str, str], *, questions: Sequence[Question] = (),
                    saved: Mapping[str, str] | None = None, ignore: Iterable[str] = ()) -> dict[str, str]:
    """A field for every header (``""``: leave the column out), never one field for two headers.

    ``fields`` is field name → label (the application form's fields and ``answers.<key>`` for the
    fund's questions, whose wording comes from ``questions``); ``saved`` the fund's saved mapping
    (header → field), which is kept for the headers it names; ``ignore`` more header names never to
    guess a field for (the read-only columns of GrantDesk's own list export)."""
    return {s.header: s.field for s in explain_columns(headers, fields, questions=questions, saved=saved,
                                                        ignore=ignore)}
