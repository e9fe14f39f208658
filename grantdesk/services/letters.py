"""A round's letters: who gets which letter, in which language, with what words — then the PDF, and
a record against each application that the letter was produced.

Templates come from ``resources/letters/templates.toml``; a fund changes any text in its settings
(``letters.templates.<kind>.<language>``), and sets its letterhead (``letters.letterhead``: address
lines, phone, e-mail, website, ``logo`` — a PNG or JPEG file in ``resources/`` or an absolute path),
signatory (``letters.signatory``: name, role) and a bilingual layout (``letters.bilingual``:
``welsh_first`` or ``side_by_side``). Every template is checked before anything is printed: an unknown
merge field stops the batch with the field and where it is.

The language of a letter is the contact's preference (``en`` or ``cy``); a fund with
``bilingual_letters`` sends every letter in Welsh and English, Welsh first. Money and dates are
formatted for the letter's language (babel: en_GB, cy_GB).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from grantdesk.config import shipped_dir
from grantdesk.domain.dates import format_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.letters import (
    KINDS,
    Letter,
    Letterhead,
    LetterTemplate,
    Signatory,
    Slip,
    TemplateError,
    check_template,
    make_letter_text,
)
from grantdesk.domain.money import format_money
from grantdesk.domain.workflow import Status
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.store.database import Database
from grantdesk.store.models import Application, Award, Fund, MemberDecision, Payment, Round

LOCALES = {"en": "en_GB", "cy": "cy_GB"}
STATUS_OF_KIND = {"award": Status.AWARDED.value, "payment": Status.AWARDED.value, "decline": Status.DECLINED.value,
                  "deferral": Status.DEFERRED.value}
RETURN_WITHIN_DAYS = 28
RESUBMIT_WITHIN_DAYS = 56

# Sentences the letters use when the fund's settings do not give their own (per language).
DEFAULT_WORDS: dict[str, dict[str, str]] = {
    "payment_terms": {"en": "in full", "cy": "yn llawn"},
    "underspend": {"en": "Any money not spent by then must be returned to {council}.",
                   "cy": "Rhaid dychwelyd unrhyw arian nas gwariwyd erbyn hynny i {council}."},
    "monitoring": {"en": "Please send us a short note of what happened, with evidence of what you spent, by {due}. "
                         "We read every note: they help us learn what works.",
                   "cy": "Anfonwch nodyn byr atom am yr hyn a ddigwyddodd, gyda thystiolaeth o'r hyn a wariwyd, "
                         "erbyn {due}. Rydym yn darllen pob nodyn: maen nhw'n ein helpu i ddysgu beth sy'n gweithio."},
    "other_funds": {"en": "Other local funders may be able to help: your county voluntary council keeps a list.",
                    "cy": "Efallai y gall cyllidwyr lleol eraill helpu: mae gan eich cyngor gwirfoddol sirol "
                          "restr."},
    "feedback": {"en": "If you would like feedback on your application, or to ask for the decision to be "
                       "reviewed, please write to us within 28 days of this letter.",
                 "cy": "Os hoffech gael adborth ar eich cais, neu ofyn i'r penderfyniad gael ei adolygu, "
                       "ysgrifennwch atom o fewn 28 diwrnod i ddyddiad y llythyr hwn."},
    "variation": {"en": "You asked for {amount_requested}; the grant is {amount}, so please tell us how you will "
                        "adjust your plans.",
                  "cy": "Gwnaethoch ofyn am {amount_requested}; {amount} yw'r grant, felly rhowch wybod i ni sut y "
                        "byddwch yn addasu eich cynlluniau."},
    "salutation": {"en": "Dear {name},", "cy": "Annwyl {name},"},
    "the_council": {"en": "the council", "cy": "y cyngor"},
    "the_panel": {"en": "the {panel}", "cy": "{panel}"},
    "the_vote": {"en": "residents, in the community vote “{event}”,", "cy": "trigolion, yn y bleidlais gymunedol "
                                                                           "“{event}”,"},
    "and": {"en": "and", "cy": "a"},
}


def _words(fund: Fund, key: str, language: str, **values: str) -> str:
    """A sentence from the fund's settings (``letters.words.<key>``: text, or {en, cy}) or the default."""
    own = (fund.settings.get("letters") or {}).get("words", {}).get(key)
    if isinstance(own, dict):
        own = own.get(language)
    text = own if isinstance(own, str) else DEFAULT_WORDS[key][language]
    return text.format(**values) if values else text


# --- templates ----------------------------------------------------------------------------------------


def default_templates_path() -> Path:
    return shipped_dir("grantdesk.resources", "resources") / "letters" / "templates.toml"


def _template(kind: str, language: str, raw: dict[str, Any]) -> LetterTemplate:
    slip = raw.get("slip")
    return LetterTemplate(
        kind=kind, language=language, subject=raw.get("subject", ""), paragraphs=tuple(raw.get("paragraphs", ())),
        conditions_heading=raw.get("conditions_heading", ""), conditions=tuple(raw.get("conditions", ())),
        closing=raw.get("closing", ""),
        slip=Slip(slip.get("heading", ""), tuple(slip.get("lines", ())), tuple(slip.get("fields", ())))
        if isinstance(slip, dict) else None)


def fund_templates(fund: Fund) -> dict[tuple[str, str], LetterTemplate]:
    """The fund's templates: the defaults with the fund's own texts laid over them, key by key."""
    with open(default_templates_path(), "rb") as fh:
        defaults = tomllib.load(fh)
    own = (fund.settings.get("letters") or {}).get("templates", {})
    out = {}
    for kind, languages in defaults.items():
        for language, raw in languages.items():
            merged = {**raw, **((own.get(kind) or {}).get(language) or {})}
            out[(kind, language)] = _template(kind, language, merged)
    return out


def check_fund_templates(fund: Fund, kinds: Sequence[str] = KINDS) -> None:
    """Refuse (``TemplateError``, every problem named) before anything is printed."""
    problems = []
    for (kind, language), template in fund_templates(fund).items():
        if kind in kinds:
            problems += [f"{kind.capitalize()} letter ({language}): {p}" for p in check_template(template)]
    if problems:
        raise TemplateError(problems)


# --- who gets which letter ------------------------------------------------------------------------------


def _languages(fund: Fund, preference: str | None) -> tuple[str, ...]:
    if fund.bilingual_letters:
        return ("cy", "en")  # Welsh first, under the Welsh Language Standards
    return (preference,) if preference in LOCALES else (fund.default_language or "en",)


def _council(fund: Fund, language: str) -> str:
    """The council's name in the letter's language (``letters.council``: {en, cy}), else as recorded."""
    names = (fund.settings.get("letters") or {}).get("council")
    return names.get(language) or fund.council if isinstance(names, dict) else fund.council


def _letterhead(fund: Fund) -> Letterhead:
    head = (fund.settings.get("letters") or {}).get("letterhead", {})
    logo = None
    if head.get("logo"):
        path = Path(head["logo"])
        if not path.is_absolute():
            path = shipped_dir("grantdesk.resources", "resources") / path
        try:
            logo = path.read_bytes()
        except OSError:
            raise ValidationError(f"The fund's letterhead logo {path} cannot be read.", "logo") from None
    return Letterhead(council=head.get("council", fund.council), address=tuple(head.get("address", ())),
                      logo=logo, contact_email=head.get("email", ""), phone=head.get("phone", ""),
                      website=head.get("website", ""))


def _signatory(fund: Fund, officer: str) -> Signatory:
    sig = (fund.settings.get("letters") or {}).get("signatory", {})
    return Signatory(sig.get("name", officer), sig.get("role", "Grants Officer"))


def _names(names: list[str], language: str, fund: Fund) -> str:
    if len(names) <= 1:
        return "".join(names)
    joiner = _words(fund, "and", language)
    return ", ".join(names[:-1]) + f" {joiner} " + names[-1]


def _decided_by(session: Session, fund: Fund, app: Application, language: str) -> str:
    """Who decided, in words: the community vote the application was on, else the panel of its round,
    else the members who recommended it, else the council."""
    from grantdesk.store.models import EventProject, Member, Panel, VotingEvent

    event = session.scalar(select(VotingEvent).join(EventProject, EventProject.event_id == VotingEvent.id)
                           .where(EventProject.application_id == app.id, VotingEvent.confirmed_at.is_not(None)))
    if event is not None:
        return _words(fund, "the_vote", language, event=event.name)
    panel = session.scalar(select(Panel).where(Panel.fund_id == fund.id, Panel.round_id == app.round_id)) \
        if app.round_id is not None else None
    if panel is not None:
        return _words(fund, "the_panel", language, panel=panel.name)
    member_ids = session.scalars(select(MemberDecision.member_id).where(
        MemberDecision.application_id == app.id, MemberDecision.decision == "recommended")).all()
    names = [m.name for m in session.scalars(select(Member).where(Member.id.in_(member_ids)).order_by(Member.name))]
    if names:
        return _names(names, language, fund)
    return _words(fund, "the_council", language)


def _reason(app: Application, status: str) -> str:
    change = next((c for c in reversed(app.history) if c.to_status == status), None)
    return change.reason if change is not None else ""


def _payments(session: Session, app: Application) -> list[Payment]:
    return list(session.scalars(select(Payment).join(Award, Award.id == Payment.award_id)
                                .where(Award.application_id == app.id).order_by(Payment.paid_on, Payment.id)))


def _values(session: Session, fund: Fund, app: Application, kind: str, language: str, day: date,
            officer: str, contact_email: str, *, payment: Payment | None = None) -> dict[str, str]:
    from grantdesk.domain.amount_words import amount_in_words

    locale = LOCALES[language]

    def money(pence: int) -> str:
        return format_money(pence, "GBP", locale)

    def when(d: date | None) -> str:
        return format_date(d, locale, "long") if d else ""

    contact = app.contact
    values = {
        "organisation": app.organisation.name,
        "contact_name": contact.name if contact else app.organisation.name,
        "salutation": contact.name if contact else app.organisation.name,
        "reference": app.reference,
        "title": app.title,
        "fund": fund.name,
        "council": _council(fund, language),
        "letter_date": when(day),
        "amount_requested": money(app.amount_requested_pence),
        "officer": officer,
        "contact_email": contact_email,
    }
    if kind in ("award", "payment"):
        award = session.scalar(select(Award).where(Award.application_id == app.id))
        if award is None:
            raise ValidationError(f"{app.reference} has no award to write about.")
        values.update(amount=money(award.amount_pence), amount_words=amount_in_words(award.amount_pence, language))
        if kind == "award":
            values.update(
                purpose=_mid_sentence(award.purpose or app.title, language),
                variation=(_words(fund, "variation", language, amount_requested=values["amount_requested"],
                                  amount=values["amount"]) if award.amount_pence != app.amount_requested_pence else ""),
                payment_terms=_words(fund, "payment_terms", language),
                spend_by=when(award.spend_by) or when(app.round.spend_by if app.round else None),
                underspend=_words(fund, "underspend", language, council=_council(fund, language)),
                monitoring=_words(fund, "monitoring", language, due=when(_monitoring_due(award, app, day))),
                return_by=when(day + timedelta(days=RETURN_WITHIN_DAYS)),
                decided_by=_decided_by(session, fund, app, language))
    if kind == "payment":
        if payment is None:
            raise ValidationError(f"{app.reference}: a payment letter is about one payment.")
        award = session.scalar(select(Award).where(Award.application_id == app.id))
        earlier = [p for p in _payments(session, app) if (p.paid_on, p.id) <= (payment.paid_on, payment.id)]
        paid = sum(p.amount_pence for p in earlier)
        values.update(payment_amount=money(payment.amount_pence), payment_date=when(payment.paid_on),
                      payment_method=payment.method, payment_reference=payment.reference or "—",
                      paid_so_far=money(paid), outstanding=money(max(award.amount_pence - paid, 0)))
    if kind == "decline":
        values.update(reason=_reason(app, Status.DECLINED.value), other_funds=_words(fund, "other_funds", language),
                      feedback=_words(fund, "feedback", language), decided_by=_decided_by(session, fund, app, language))
    if kind == "deferral":
        values.update(reason=_reason(app, Status.DEFERRED.value), resubmit_by=when(day + timedelta(days=RESUBMIT_WITHIN_DAYS)),
                      decided_by=_decided_by(session, fund, app, language))
    return values


# Words that start a purpose written as a sentence but are never names: lower-cased when the purpose is
# merged mid-sentence ("for two wheelchair-height raised beds"). Anything else is left as written.
_ORDINARY_STARTS = frozenset("a an the one two three four five six seven eight nine ten twelve twenty new "
                             "weekly monthly fortnightly daily free regular more".split())


def _mid_sentence(text: str, language: str) -> str:
    first = text.split(" ", 1)[0]
    if language == "en" and first[:1].isupper() and first[1:].islower() and first.lower() in _ORDINARY_STARTS:
        return first.lower() + text[len(first):]
    return text


MONITORING_AFTER_SPEND_BY_DAYS = 30  # the report on how the money was used is due a month after spend-by


def _monitoring_due(award: Award, app: Application, day: date) -> date:
    """When the grantee's note on how the money was used is due: a month after the spend-by date (or a
    year after the letter when there is none). Issue 8 scales what is asked by the grant's size."""
    spend_by = award.spend_by or (app.round.spend_by if app.round else None)
    return spend_by + timedelta(days=MONITORING_AFTER_SPEND_BY_DAYS) if spend_by else day + timedelta(days=365)


def _recipient(app: Application) -> tuple[str, ...]:
    org = app.organisation
    lines = [app.contact.name] if app.contact else []
    lines.append(org.name)
    lines += [part.strip() for part in org.address.replace("\n", ",").split(",") if part.strip()]
    if org.postcode:
        lines.append(org.postcode)
    return tuple(lines)


@dataclass(frozen=True)
class LetterBatch:
    fund_code: str
    kind: str
    letters: tuple[Letter, ...]
    skipped: tuple[str, ...]  # applications in the state but without what the letter needs, with why


def build_letters(db: Database, fund_code: str, kind: str, *, round_id: int | None = None,
                  day: date | None = None, officer: str | None = None) -> LetterBatch:
    """The letters of ``kind`` for the fund's applications in the matching state (optionally one round),
    checked and merged, ready to print. Templates are checked first: nothing is built if one is wrong."""
    if kind not in STATUS_OF_KIND:
        raise ValidationError(f"“{kind}” is not a kind of letter; use one of {', '.join(STATUS_OF_KIND)}.")
    day = day or utcnow().date()
    who = actor_or_default(officer)
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        check_fund_templates(fund, (kind,))
        templates = fund_templates(fund)
        query = select(Application).where(Application.fund_id == fund.id,
                                          Application.status == STATUS_OF_KIND[kind],
                                          ~exists().where(Award.application_id == Application.id,
                                                          Award.historical.is_(True)))
        if round_id is not None:
            rnd = s.get(Round, round_id)
            if rnd is None or rnd.fund_id != fund.id:
                raise ValidationError(f"Round {round_id} is not one of {fund.name}'s rounds.", "round")
            query = query.where(Application.round_id == round_id)
        units = [(app, None) for app in s.scalars(query.order_by(Application.reference))]
        if kind == "payment":  # one letter per payment made
            units = [(app, payment) for app, _ in units for payment in _payments(s, app)]
        by_language = {language: t for (k, language), t in templates.items() if k == kind}
        letters, skipped = [], []
        for app, payment in units:
            try:
                letters.append(compose_letter(s, fund, app, kind, by_language, day=day, officer=who,
                                              payment=payment))
            except ValidationError as exc:
                skipped.append(f"{app.reference}: {exc}")
        return LetterBatch(fund.code, kind, tuple(letters), tuple(skipped))


def compose_letter(session: Session, fund: Fund, app: Application, kind: str, templates: dict[str, LetterTemplate], *,
                   day: date, officer: str, languages: Sequence[str] | None = None,
                   payment: Payment | None = None) -> Letter:
    """One application's letter of ``kind`` from ``templates`` (language → template): in the contact's
    language, or Welsh then English for a bilingual fund, unless ``languages`` says otherwise. Used by
    the batch and by the template editor's preview, so both merge exactly alike."""
    head, sig = _letterhead(fund), _signatory(fund, officer)
    contact_email = head.contact_email or f"grants@{fund.code.lower()}.example.org"
    texts = []
    for language in languages or _languages(fund, app.contact.letter_language if app.contact else None):
        values = _values(session, fund, app, kind, language, day, sig.name, contact_email, payment=payment)
        salutation = _words(fund, "salutation", language, name=values["salutation"])
        texts.append(make_letter_text(templates[language], values, salutation=salutation,
                                      date_text=values["letter_date"]))
    names = dict.fromkeys(_council(fund, t.language) for t in texts)  # Welsh first on a bilingual letter
    if "council" not in ((fund.settings.get("letters") or {}).get("letterhead") or {}):
        head = replace(head, council=" / ".join(names))
    side_by_side = (fund.settings.get("letters") or {}).get("bilingual", "welsh_first") == "side_by_side"
    return Letter(kind=kind, reference=app.reference, organisation=app.organisation.name, recipient=_recipient(app),
                  letterhead=head, signatory=sig, texts=tuple(texts), side_by_side=side_by_side and len(texts) == 2,
                  application_id=app.id)


def record_letters(db: Database, batch: LetterBatch, *, actor: str | None = None, day: date | None = None) -> int:
    """Note each letter against its application in the audit log (kind, languages, date, who), so
    "was this group told?" has an answer. One transaction."""
    who = actor_or_default(actor)
    day = day or utcnow().date()
    with db.unit_of_work() as uow:
        for letter in batch.letters:
            audit(uow.session, actor=who, action="letter.produce", entity="application",
                  entity_id=letter.application_id,
                  summary=f"{letter.kind.capitalize()} letter for {letter.reference} "
                          f"({' and '.join(letter.languages)}) dated {day.isoformat()}",
                  after={"kind": letter.kind, "languages": list(letter.languages), "date": day.isoformat()})
        uow.commit()
    return len(batch.letters)


def letters_produced(db: Database, application_id: int) -> list[dict[str, Any]]:
    """The letters recorded for an application, oldest first: kind, languages, date, who."""
    from grantdesk.store.models import AuditEntry

    with db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity == "application",
                                                  AuditEntry.entity_id == application_id,
                                                  AuditEntry.action == "letter.produce").order_by(AuditEntry.id))
        return [{**(r.after or {}), "by": r.actor, "at": r.at} for r in rows]

