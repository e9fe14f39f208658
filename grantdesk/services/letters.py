"""A round's letters: who gets which letter, in which language, with what words — then the PDF, and
a record against each application that the letter was produced.

``produce_letters`` is the one user action "make this round's letters of a kind, save them (one PDF,
optionally one per applicant) or print them, and record each against its application", for the command
line and the window alike, in one transaction: the PDFs are drawn under temporary names and moved into
place only once every one is drawn, and the records are kept only then — a failure or Cancel leaves no
file and no record. Drawing is reportlab's, in ``grantdesk.reports.letters`` (above the services):
the caller passes it in as the ``renderer``.

Templates come from ``resources/letters/templates.toml``; a fund changes any text in its settings
(``letters.templates.<kind>.<language>``), and sets its letterhead (``letters.letterhead``: address
lines, phone, e-mail, website, ``logo`` — a PNG or JPEG file in ``resources/`` or an absolute path),
signatory (``letters.signatory``: name, role) and a bilingual layout (``letters.bilingual``:
``welsh_first`` or ``side_by_side``) — each declared in ``grantdesk.domain.fund_settings`` and read
through ``settings_of``. Every template is checked before anything is printed: an unknown
merge field stops the batch with the field and where it is.

The language of a letter is the contact's preference (``en`` or ``cy``); a fund with
``bilingual_letters`` sends every letter in Welsh and English, Welsh first. Money and dates are
formatted for the letter's language (babel: en_GB, cy_GB).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from grantdesk.config import shipped_dir
from grantdesk.domain.changes import Kind
from grantdesk.domain.dates import format_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.letters import (
    KINDS,
    Letter,
    Letterhead,
    LettersChanged,
    LettersNotWritten,
    LetterTemplate,
    Signatory,
    Slip,
    TemplateError,
    check_template,
    make_letter_text,
)
from grantdesk.domain.money import format_money
from grantdesk.domain.monitoring import final_report
from grantdesk.domain.workflow import Status
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.payments import award_reports_due
from grantdesk.store.database import Database
from grantdesk.store.models import Application, Award, Fund, MemberDecision, Payment, Round
from grantdesk.store.unit_of_work import UnitOfWork, note_change, transactional
from grantdesk.i18n import _

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
    "monitoring_interim": {"en": "By {due}, we would like a short update on how the project is going.",
                           "cy": "Erbyn {due}, hoffem gael diweddariad byr ar sut mae'r prosiect yn mynd."},
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
    own = settings_of(fund.settings).letter_words.get(key)
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
    own = settings_of(fund.settings).letter_templates
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
    return settings_of(fund.settings).council_names.get(language) or fund.council


def _letterhead(fund: Fund) -> Letterhead:
    head = settings_of(fund.settings).letterhead
    logo = None
    if head.get("logo"):
        path = Path(head["logo"])
        if not path.is_absolute():
            path = shipped_dir("grantdesk.resources", "resources") / path
        try:
            logo = path.read_bytes()
        except OSError:
            raise ValidationError(_("The fund's letterhead logo {path} cannot be read.").format(path=path), "logo") from None
    return Letterhead(council=head.get("council", fund.council), address=tuple(head.get("address", ())),
                      logo=logo, contact_email=head.get("email", ""), phone=head.get("phone", ""),
                      website=head.get("website", ""))


def _signatory(fund: Fund, officer: str) -> Signatory:
    sig = settings_of(fund.settings).signatory
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


def _reason(app: Application, status: str, language: str = "en") -> str:
    change = next((c for c in reversed(app.history) if c.to_status == status), None)
    if change is None:
        return ""
    return (change.reason_cy or "") if language == "cy" else change.reason


class WelshMissing(ValidationError):
    """A Welsh letter needs texts an officer typed in English and nobody has given in Welsh yet; the
    letter is refused rather than filled with the English. ``keys`` name them (``welsh_texts.LABELS``)."""

    def __init__(self, reference: str, keys: Sequence[str]):
        from grantdesk.services.welsh_texts import LABELS

        self.reference, self.keys = reference, tuple(keys)
        what = ", ".join(LABELS[k] for k in self.keys)
        super().__init__(f"the Welsh letter needs {what} in Welsh (Application ▸ Welsh Wording…); "
                         "it is never filled with the English.", self.keys[0])


def _welsh_needed(session: Session, app: Application, kind: str) -> list[str]:
    """The Welsh texts a Welsh letter of ``kind`` would use that are missing (the English is there)."""
    missing = []
    if not (app.title_cy or "").strip():
        missing.append("title_cy")
    if kind in ("decline", "deferral"):
        status = Status.DECLINED.value if kind == "decline" else Status.DEFERRED.value
        if _reason(app, status).strip() and not _reason(app, status, "cy").strip():
            missing.append("reason_cy")
    if kind == "award":
        award = session.scalar(select(Award).where(Award.application_id == app.id))
        if award is not None:
            purpose_is_title = not award.purpose or award.purpose == app.title
            if not purpose_is_title and not (award.purpose_cy or "").strip():
                missing.append("purpose_cy")
            if (award.conditions or "").strip() and not (award.conditions_cy or "").strip():
                missing.append("conditions_cy")
    return missing


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

    if language == "cy":
        missing = _welsh_needed(session, app, kind)
        if missing:
            raise WelshMissing(app.reference, missing)
    contact = app.contact
    values = {
        "organisation": app.organisation.name,
        "contact_name": contact.name if contact else app.organisation.name,
        "salutation": contact.name if contact else app.organisation.name,
        "reference": app.reference,
        "title": app.title_cy if language == "cy" and app.title_cy else app.title,
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
            raise ValidationError(_("{reference} has no award to write about.").format(reference=app.reference))
        values.update(amount=money(award.amount_pence), amount_words=amount_in_words(award.amount_pence, language))
        if kind == "award":
            values.update(
                purpose=_mid_sentence(_purpose(app, award, language), language),
                variation=(_words(fund, "variation", language, amount_requested=values["amount_requested"],
                                  amount=values["amount"]) if award.amount_pence != app.amount_requested_pence else ""),
                payment_terms=_words(fund, "payment_terms", language),
                spend_by=when(award.spend_by) or when(app.round.spend_by if app.round else None),
                underspend=_words(fund, "underspend", language, council=_council(fund, language)),
                monitoring=_monitoring(session, fund, award, language, when),
                return_by=when(day + timedelta(days=RETURN_WITHIN_DAYS)),
                decided_by=_decided_by(session, fund, app, language))
    if kind == "payment":
        if payment is None:
            raise ValidationError(_("{reference}: a payment letter is about one payment.").format(
                                    reference=app.reference))
        award = session.scalar(select(Award).where(Award.application_id == app.id))
        earlier = [p for p in _payments(session, app) if (p.paid_on, p.id) <= (payment.paid_on, payment.id)]
        paid = sum(p.amount_pence for p in earlier)
        values.update(payment_amount=money(payment.amount_pence), payment_date=when(payment.paid_on),
                      payment_method=payment.method, payment_reference=payment.reference or "—",
                      paid_so_far=money(paid), outstanding=money(max(award.amount_pence - paid, 0)))
    if kind == "decline":
        values.update(reason=_reason(app, Status.DECLINED.value, language), other_funds=_words(fund, "other_funds", language),
                      feedback=_words(fund, "feedback", language), decided_by=_decided_by(session, fund, app, language))
    if kind == "deferral":
        values.update(reason=_reason(app, Status.DEFERRED.value, language), resubmit_by=when(day + timedelta(days=RESUBMIT_WITHIN_DAYS)),
                      decided_by=_decided_by(session, fund, app, language))
    return values


# Words that start a purpose written as a sentence but are never names: lower-cased when the purpose is
# merged mid-sentence ("for two wheelchair-height raised beds"). Anything else is left as written.
_ORDINARY_STARTS = frozenset("a an the one two three four five six seven eight nine ten twelve twenty new "
                             "weekly monthly fortnightly daily free regular more".split())


def _purpose(app: Application, award: Award, language: str) -> str:
    """What the grant is for, in the letter's language: the officer's words, else the project's title."""
    if language == "cy":
        if award.purpose and award.purpose != app.title:
            return award.purpose_cy or ""
        return award.purpose_cy or app.title_cy or ""
    return award.purpose or app.title


def _own_conditions(session: Session, app: Application, kind: str, language: str) -> tuple[str, ...]:
    """The award's own conditions, one a line, as the officer typed them (Welsh in a Welsh letter)."""
    if kind != "award":
        return ()
    award = session.scalar(select(Award).where(Award.application_id == app.id))
    if award is None:
        return ()
    text = (award.conditions_cy or "") if language == "cy" else (award.conditions or "")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _mid_sentence(text: str, language: str) -> str:
    first = text.split(" ", 1)[0]
    if language == "en" and first[:1].isupper() and first[1:].islower() and first.lower() in _ORDINARY_STARTS:
        return first.lower() + text[len(first):]
    return text


def _monitoring(session: Session, fund: Fund, award: Award, language: str, when: Callable[[date], str]) -> str:
    """What the award letter says about reports: the dates of ``payments.award_reports_due`` (the award's
    monitoring records, or the one rule in ``grantdesk.domain.monitoring`` before they are made) — any
    updates first, then the final note. Nothing when a grant this size owes no report."""
    due = award_reports_due(session, award)
    final = final_report(due)
    if final is None:
        return ""
    interim = [when(d.due_on) for d in due if d is not final]
    words = [_words(fund, "monitoring_interim", language, due=_names(interim, language, fund))] if interim else []
    return " ".join([*words, _words(fund, "monitoring", language, due=when(final.due_on))])


def _recipient(app: Application) -> tuple[str, ...]:
    org = app.organisation
    lines = [app.contact.name] if app.contact else []
    lines.append(org.name)
    lines += [part.strip() for part in org.address.replace("\n", ",").split(",") if part.strip()]
    if org.postcode:
        lines.append(org.postcode)
    return tuple(lines)


@dataclass(frozen=True)
class SentBefore:
    """A letter left out of a batch because one of its kind was already sent (for a payment letter: about
    that payment) — on ``sent_on``, the latest time."""

    reference: str
    organisation: str
    sent_on: date
    payment_id: int | None = None

    def __str__(self) -> str:
        return _("{reference}: already sent on {date}").format(reference=self.reference,
                                                               date=self.sent_on.strftime("%d/%m/%Y"))


@dataclass(frozen=True)
class LetterBatch:
    fund_code: str
    kind: str
    letters: tuple[Letter, ...]
    skipped: tuple[str, ...]  # applications in the state but without what the letter needs, with why
    already_sent: tuple[SentBefore, ...] = ()  # left out because already sent (none when reissuing)
    reissue: bool = False  # letters already sent are in ``letters`` again (each marked ``reissued``)


REISSUED = "reissued"  # ``Letter.extra`` key: the date (ISO) the letter was last sent, on a reissued letter


def reissued_on(letter: Letter) -> date | None:
    """When a letter in a reissue batch was sent before, or None if it is going for the first time."""
    sent = letter.extra.get(REISSUED)
    return date.fromisoformat(sent) if sent else None


def current_round(session: Session, fund: Fund, day: date | None = None) -> Round | None:
    """The fund's current round: the one open on ``day`` (today), else the one that opened last."""
    day = day or utcnow().date()
    rounds = list(session.scalars(select(Round).where(Round.fund_id == fund.id)
                                  .order_by(Round.opens_on.desc(), Round.id.desc())))
    return next((r for r in rounds if r.opens_on <= day <= r.closes_on), rounds[0] if rounds else None)


def _sent_before(s: Session, fund: Fund, kind: str) -> dict[tuple[int, int | None], date]:
    """When each application's letter of ``kind`` was last recorded as sent (audit ``letter.produce``),
    keyed by (application id, payment id — None but for payment letters). A payment letter recorded
    before payments were named covers the payments made up to its date."""
    from grantdesk.store.models import AuditEntry

    rows = s.execute(select(AuditEntry.entity_id, AuditEntry.after)
                     .join(Application, Application.id == AuditEntry.entity_id)
                     .where(AuditEntry.entity == "application", AuditEntry.action == "letter.produce",
                            Application.fund_id == fund.id))
    sent: dict[tuple[int, int | None], date] = {}
    unnamed: dict[int, date] = {}  # payment letters recorded without the payment: the latest date
    for app_id, after in rows:
        after = after or {}
        if after.get("kind") != kind or not after.get("date"):
            continue
        try:
            on = date.fromisoformat(after["date"])
        except (TypeError, ValueError):
            continue
        payment_id = after.get("payment_id") if kind == "payment" else None
        if kind == "payment" and payment_id is None:
            unnamed[app_id] = max(on, unnamed.get(app_id, on))
            continue
        key = (app_id, int(payment_id) if payment_id is not None else None)
        sent[key] = max(on, sent.get(key, on))
    if unnamed:
        for payment, app_id in s.execute(select(Payment, Award.application_id)
                                         .join(Award, Award.id == Payment.award_id)
                                         .where(Award.application_id.in_(unnamed))):
            on = unnamed[app_id]
            if payment.paid_on is not None and payment.paid_on <= on and (app_id, payment.id) not in sent:
                sent[(app_id, payment.id)] = on
    return sent


def _key(letter: Letter) -> tuple[int | None, int | None]:
    """Which letter this is, whatever its words: its application and (a payment letter) its payment."""
    payment_id = letter.extra.get("payment_id")
    return letter.application_id, int(payment_id) if payment_id else None


def build_letters(db: Database, fund_code: str, kind: str, *, round_id: int | None = None,
                  day: date | None = None, officer: str | None = None, reissue: bool = False,
                  seen: Sequence[Letter] = ()) -> LetterBatch:
    """The letters of ``kind`` for the fund's applications in the matching state (optionally one round),
    checked and merged, ready to print. Templates are checked first: nothing is built if one is wrong.

    Letters already sent (recorded by ``produce_letters``) are left out and listed in ``already_sent``,
    unless ``reissue``: then they are made again, each marked with when it was sent (``reissued_on``).
    The letters of ``seen`` (a batch already shown, perhaps saved since) are made even if sent: the
    officer chose those, and sending the same preview twice is a reissue of exactly them."""
    with db.session() as s:
        return _batch(s, fund_code, kind, round_id=round_id, day=day or utcnow().date(),
                      officer=actor_or_default(officer), reissue=reissue, seen=seen)


def _batch(s: Session, fund_code: str, kind: str, *, round_id: int | None, day: date, officer: str,
           reissue: bool = False, seen: Sequence[Letter] = ()) -> LetterBatch:
    if kind not in STATUS_OF_KIND:
        raise ValidationError(_("“{kind}” is not a kind of letter; use one of {status_of_kind}.").format(
                                kind=kind, status_of_kind=', '.join(STATUS_OF_KIND)))
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
            raise ValidationError(_("Round {round_id} is not one of {name}'s rounds.").format(
                                    round_id=round_id, name=fund.name), "round")
        query = query.where(Application.round_id == round_id)
    units = [(app, None) for app in s.scalars(query.order_by(Application.reference))]
    if kind == "payment":  # one letter per payment made
        units = [(app, payment) for app, _ in units for payment in _payments(s, app)]
    by_language = {language: t for (k, language), t in templates.items() if k == kind}
    sent = _sent_before(s, fund, kind)
    chosen = {_key(x) for x in seen}
    letters, skipped, already = [], [], []
    for app, payment in units:
        key = (app.id, payment.id if payment is not None else None)
        sent_on = sent.get(key)
        if sent_on is not None and not reissue and key not in chosen:
            already.append(SentBefore(app.reference, app.organisation.name, sent_on,
                                      payment.id if payment is not None else None))
            continue
        try:
            letter = compose_letter(s, fund, app, kind, by_language, day=day, officer=officer, payment=payment)
        except ValidationError as exc:
            skipped.append(f"{app.reference}: {exc}")
            continue
        extra = dict(letter.extra)
        if payment is not None:
            extra["payment_id"] = str(payment.id)
        if sent_on is not None:
            extra[REISSUED] = sent_on.isoformat()
        letters.append(replace(letter, extra=extra) if extra != letter.extra else letter)
    return LetterBatch(fund.code, kind, tuple(letters), tuple(skipped), tuple(already), reissue)


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
        text = make_letter_text(templates[language], values, salutation=salutation, date_text=values["letter_date"])
        own = _own_conditions(session, app, kind, language)
        texts.append(replace(text, conditions=text.conditions + own) if own else text)
    names = dict.fromkeys(_council(fund, t.language) for t in texts)  # Welsh first on a bilingual letter
    settings = settings_of(fund.settings)
    if "council" not in settings.letterhead:
        head = replace(head, council=" / ".join(names))
    side_by_side = settings.bilingual_layout == "side_by_side"
    return Letter(kind=kind, reference=app.reference, organisation=app.organisation.name, recipient=_recipient(app),
                  letterhead=head, signatory=sig, texts=tuple(texts), side_by_side=side_by_side and len(texts) == 2,
                  application_id=app.id)


@transactional
def record_letters(uow: UnitOfWork, batch: LetterBatch | Sequence[Letter], *, actor: str | None = None,
                   day: date | None = None) -> int:
    """Note each letter against its application in the audit log (kind, languages, date, who), so
    "was this group told?" has an answer; ``produce_letters`` does this once the letters are out."""
    letters = batch.letters if isinstance(batch, LetterBatch) else tuple(batch)
    _record(uow, letters, actor_or_default(actor), day or utcnow().date())
    return len(letters)


def _record(uow: UnitOfWork, letters: Sequence[Letter], who: str, day: date) -> None:
    for letter in letters:
        audit(uow.session, actor=who, action="letter.produce", entity="application", entity_id=letter.application_id,
              summary=f"{letter.kind.capitalize()} letter for {letter.reference} "
                      f"({' and '.join(letter.languages)}) dated {day.isoformat()}",
              after={"kind": letter.kind, "languages": list(letter.languages), "date": day.isoformat(),
                     **({"payment_id": int(letter.extra["payment_id"])} if letter.extra.get("payment_id") else {}),
                     **({"reissue": True} if letter.extra.get(REISSUED) else {})})
    note_change(uow.session, Kind.LETTERS, [x.application_id for x in letters if x.application_id is not None])


# --- producing letters: drawn, saved or printed, and recorded, all or nothing ---------------------------


class ProgressReporter(Protocol):
    """``report`` is told each step, and raises to stop (the window's Cancel)."""

    def report(self, done: int, total: int, label: str = "") -> None: ...


class LetterRenderer(Protocol):
    """How letters are drawn as PDF files — ``grantdesk.reports.letters.PDF_LETTERS`` (the services
    never import the reports; the caller hands the drawing in)."""

    def pdf(self, letters: Sequence[Letter], target: Path, *, progress: ProgressReporter | None = None) -> int:
        """Every letter in one PDF at ``target``; its number of pages."""
        ...

    def split(self, letters: Sequence[Letter], directory: Path, *,
              progress: ProgressReporter | None = None) -> list[Path]:
        """One PDF per letter in ``directory``; their paths, in the order of ``letters``."""
        ...


class _Part:
    """A step of a longer job as its progress sees it: ``done`` counted from ``offset`` of ``total``."""

    def __init__(self, progress: ProgressReporter | None, offset: int, total: int):
        self.progress, self.offset, self.total = progress, offset, total

    def report(self, done: int, total: int, label: str = "") -> None:
        if self.progress is not None:
            self.progress.report(self.offset + done, self.total, label)


class _Staging:
    """Files written under temporary names beside where they belong, moved into place together by
    ``publish`` or removed by ``discard`` — so nobody ever finds half a batch."""

    def __init__(self) -> None:
        self.moves: list[tuple[Path, Path]] = []  # (written, its place)
        self.folders: list[Path] = []  # temporary folders to remove afterwards
        self.made: list[Path] = []  # folders made for the files, removed again if nothing is kept

    def beside(self, target: Path) -> Path:
        try:
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".part")
        except OSError as exc:
            raise LettersNotWritten(target, exc.strerror or str(exc)) from None
        os.close(handle)
        self.moves.append((Path(name), target))
        return Path(name)

    def folder(self, directory: Path) -> Path:
        """A temporary folder inside ``directory`` (made if missing) whose files ``publish`` moves up."""
        try:
            if not directory.is_dir():
                directory.mkdir(parents=True)
                self.made.append(directory)
            folder = Path(tempfile.mkdtemp(dir=directory, prefix=".letters-"))
        except OSError as exc:
            raise LettersNotWritten(directory, exc.strerror or str(exc)) from None
        self.folders.append(folder)
        return folder

    def publish(self, written: Sequence[Path] = ()) -> list[Path]:
        """Move everything into place (``written``: files in a ``folder``, moved up beside it)."""
        moves = self.moves + [(path, path.parent.parent / path.name) for path in written]
        done: list[Path] = []
        try:
            for part, place in moves:
                os.replace(part, place)
                done.append(place)
        except OSError as exc:
            for place in done:
                place.unlink(missing_ok=True)
            raise LettersNotWritten(place, exc.strerror or str(exc)) from None
        finally:
            self._tidy()
        return done

    def place_of(self, name: object) -> Path | None:
        """Where a temporary file (named in an error) was to go: its target, or the folder it was in."""
        if not name:
            return None
        path = Path(str(name))
        for part, place in self.moves:
            if path == part:
                return place
        for folder in self.folders:
            if folder == path or folder in path.parents:
                return folder.parent
        return path

    def discard(self) -> None:
        for part, _place in self.moves:
            part.unlink(missing_ok=True)
        self._tidy()
        for directory in reversed(self.made):
            try:
                directory.rmdir()  # only if nothing else is in it
            except OSError:
                pass

    def _tidy(self) -> None:
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True)
class ProducedLetters:
    """What ``produce_letters`` made and recorded."""

    batch: LetterBatch  # every letter made (and what was skipped, with why)
    recorded: tuple[Letter, ...]  # the letters recorded as sent: all of them, or those ``deliver`` sent
    pages: int  # of the one PDF, if one was written
    out: Path | None
    files: tuple[Path, ...]  # one PDF per applicant, if asked for
    day: date


@transactional
def produce_letters(uow: UnitOfWork, fund_code: str, kind: str, *, round_id: int | None = None,
                    day: date | None = None, officer: str | None = None, renderer: LetterRenderer | None = None,
                    out: Path | str | None = None, split_dir: Path | str | None = None,
                    deliver: Callable[[tuple[Letter, ...], ProgressReporter | None], Sequence[Letter]] | None = None,
                    expect: Sequence[Letter] | None = None,
                    progress: ProgressReporter | None = None, reissue: bool = False) -> ProducedLetters:
    """Make the fund's letters of ``kind`` (optionally one round), send them, and record each one sent
    against its application — one transaction, all or nothing.

    Sending is any of: ``out``, one PDF of every letter; ``split_dir``, one PDF per applicant (both drawn
    by ``renderer``); ``deliver``, the caller's own step (printing), given the letters and ``progress``
    and returning those it sent. The PDFs are drawn under temporary names and moved into place only when every one
    is drawn; the records are kept only then. If drawing, saving or delivering fails or is cancelled,
    no file is left and nothing is recorded (a file that cannot be written is ``LettersNotWritten``).

    ``expect`` is the batch the officer saw (the window's preview): if the letters made now differ,
    ``LettersChanged`` and nothing is sent. A round with no letters to make sends and records nothing.
    Letters already sent are left out (``batch.already_sent``) unless ``reissue`` or they are in
    ``expect`` — the officer saw and chose those (see ``build_letters``)."""
    if out is None and split_dir is None and deliver is None:
        raise ValidationError(_("Say where the letters go: a PDF, a folder, or the printer."), "out")
    if (out is not None or split_dir is not None) and renderer is None:
        raise ValidationError(_("Saving letters needs a renderer to draw them."), "renderer")
    day = day or utcnow().date()
    who = actor_or_default(officer)
    batch = _batch(uow.session, fund_code, kind, round_id=round_id, day=day, officer=who, reissue=reissue,
                   seen=expect or ())
    letters = batch.letters
    if expect is not None and tuple(expect) != letters:
        _refuse_changed(tuple(expect), letters)
    target = Path(out) if out is not None else None
    if not letters:
        return ProducedLetters(batch, (), 0, None, (), day)
    staging = _Staging()
    try:
        pages, written = 0, []
        steps = len(letters) * ((target is not None) + (split_dir is not None))
        if target is not None:
            pages = renderer.pdf(letters, staging.beside(target), progress=_Part(progress, 0, steps))
        if split_dir is not None:
            folder = staging.folder(Path(split_dir))
            written = renderer.split(letters, folder, progress=_Part(progress, steps - len(letters), steps))
        if deliver is not None:
            sent = tuple(deliver(letters, progress))  # printed: from here on nothing may stop the record
        else:
            sent = letters
            if progress is not None:
                progress.report(steps, steps, "Recording the letters")  # the last moment to cancel
        _record(uow, sent, who, day)
        uow.flush()  # a record the database refuses stops here, before any file is in place
        files = staging.publish(written)
    except OSError as exc:  # a folder that cannot be written to, a full disk
        staging.discard()
        where = staging.place_of(exc.filename) or target or split_dir
        raise LettersNotWritten(where, exc.strerror or str(exc)) from None
    except BaseException:
        staging.discard()
        raise
    return ProducedLetters(batch, sent, pages, target, tuple(f for f in files if f != target), day)


def _refuse_changed(seen: tuple[Letter, ...], now: tuple[Letter, ...]) -> None:
    before: dict[str, list[Letter]] = {}
    after: dict[str, list[Letter]] = {}
    for letters, by_reference in ((seen, before), (now, after)):
        for letter in letters:  # a payment letter per payment: one reference may have several
            by_reference.setdefault(letter.reference, []).append(letter)
    raise LettersChanged(added=[r for r in after if r not in before], removed=[r for r in before if r not in after],
                         changed=[r for r in after if r in before and after[r] != before[r]])


def letters_produced(db: Database, application_id: int) -> list[dict[str, Any]]:
    """The letters recorded for an application, oldest first: kind, languages, date, who."""
    from grantdesk.store.models import AuditEntry

    with db.session() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity == "application",
                                                  AuditEntry.entity_id == application_id,
                                                  AuditEntry.action == "letter.produce").order_by(AuditEntry.id))
        return [{**(r.after or {}), "by": r.actor, "at": r.at} for r in rows]

