"""Reads through SQLAlchemy Core: what the main window shows first (the funds and their rounds, a
fund's applications list and filters, one application's detail with its eligibility) and the rows the
services return. The rules applied to what is read (eligibility, repeat bids) are in grantdesk.domain;
only the SQL is here. grantdesk.services.overview offers these reads to the windows.

None of it needs the ORM. The window shows all of this while the rest of GrantDesk (``sqlalchemy.orm``
and the 38 mapped classes of ``grantdesk.store.models``, ~130 ms on this class of machine) has not
loaded yet; tests/test_overview.py checks in a fresh interpreter that reading the first screen leaves
both unloaded. The statements are plain SQL that SQLite and PostgreSQL read alike, each prepared once,
with the types of the columns that need converting (dates, moments, JSON, yes/no); the two column
names SQL keeps for itself (``"by"``, ``"key"``) are quoted, as SQLAlchemy quotes them.

The functions taking a ``conn`` serve inside an ORM unit of work too: a ``Session`` executes the
same statements (flushing its pending changes first), so the eligibility check an officer sees in
the detail and the one that guards a move to "eligible" are one piece of code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import JSON, Boolean, Date, DateTime, bindparam, text

from grantdesk.domain.dates import financial_year_label
from grantdesk.domain.eligibility import ATTACHMENT_KINDS, ApplicationFacts, EligibilityReport, FundRules, evaluate
from grantdesk.domain.errors import NotFound
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.money import plain_amount
from grantdesk.domain.questions import Question, QuestionKind
from grantdesk.domain.repeat_bids import PastAward, application_year, funded_last_year
from grantdesk.domain.fund_definition import DECISION_MODEL_LABELS
from grantdesk.domain.workflow import Status, allowed_next
from grantdesk.i18n import _

DECISION_MODELS = DECISION_MODEL_LABELS  # the labels, by model (grantdesk/domain/fund_definition.py)

# Field names of ``applications list --json``, in order. The application importer (issue 3) reads a
# CSV whose header uses these names; the read-only ones are ignored there.
READ_ONLY_FIELDS = ("id", "reference", "fund", "status", "created_at", "updated_at")


# --- what is read --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundSummary:
    id: int
    name: str
    financial_year: int
    opens_on: date
    closes_on: date
    decision_on: date | None
    spend_by: date | None
    budget_pence: int | None
    application_count: int


@dataclass(frozen=True, slots=True)
class FundSummary:
    id: int
    code: str
    name: str
    council: str
    decision_model: str
    currency: str
    funder_org_id: str | None
    prefix_360g: str | None
    default_language: str
    bilingual_letters: bool
    application_count: int
    rounds: tuple[RoundSummary, ...]

    @property
    def decision_label(self) -> str:
        return DECISION_MODELS.get(self.decision_model, self.decision_model)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "council": self.council,
            "decision_model": self.decision_model,
            "currency": self.currency,
            "funder_org_id": self.funder_org_id,
            "prefix_360g": self.prefix_360g,
            "default_language": self.default_language,
            "bilingual_letters": self.bilingual_letters,
            "applications": self.application_count,
            "rounds": [
                {
                    "name": r.name,
                    "financial_year": financial_year_label(r.financial_year),
                    "opens_on": r.opens_on.isoformat(),
                    "closes_on": r.closes_on.isoformat(),
                    "applications": r.application_count,
                }
                for r in self.rounds
            ],
        }


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """One application as lists, the CLI and exports see it: plain values, money in pence."""

    id: int
    reference: str
    fund: str
    round: str | None
    status: str
    title: str
    summary: str
    organisation: str
    organisation_type: str
    charity_number: str | None
    company_number: str | None
    contact_name: str | None
    contact_email: str | None
    contact_language: str | None
    amount_requested_pence: int
    area: str | None
    project_start: date | None
    project_end: date | None
    submitted_on: date | None
    created_at: datetime
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        """Keyed by field name; money as a pounds string (``"1250.00"``), dates as ISO 8601."""
        return {
            "id": self.id,
            "reference": self.reference,
            "fund": self.fund,
            "round": self.round,
            "status": self.status,
            "title": self.title,
            "summary": self.summary,
            "organisation": self.organisation,
            "organisation_type": self.organisation_type,
            "charity_number": self.charity_number,
            "company_number": self.company_number,
            "contact_name": self.contact_name,
            "contact_email": self.contact_email,
            "contact_language": self.contact_language,
            "amount_requested": plain_amount(self.amount_requested_pence),
            "area": self.area,
            "project_start": _iso(self.project_start),
            "project_end": _iso(self.project_end),
            "submitted_on": _iso(self.submitted_on),
            "created_at": _iso(self.created_at),
            "updated_at": _iso(self.updated_at),
        }


class ApplicationListRow(NamedTuple):
    """The slim row a list shows: fetched for 100,000 applications in well under a second."""

    id: int
    reference: str
    title: str
    status: str
    amount_requested_pence: int
    organisation: str
    area: str | None
    submitted_on: date | None
    round_id: int | None
    area_id: int | None


@dataclass(frozen=True, slots=True)
class StatusEvent:
    from_status: str | None
    to_status: str
    at: datetime
    by: str
    reason: str


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: int
    application_id: int
    kind: str
    filename: str
    media_type: str
    size_bytes: int
    sha256: str
    added_at: datetime
    added_by: str

    @property
    def kind_label(self) -> str:
        return ATTACHMENT_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class ApplicationDetail:
    row: ApplicationRow
    version: int
    contact_phone: str | None
    org_id: str | None
    answers: dict[str, Any]
    history: tuple[StatusEvent, ...]
    award_pence: int | None
    awarded_on: date | None
    allowed_next: tuple[str, ...] = field(default=())
    eligibility: EligibilityReport | None = None
    attachments: tuple[AttachmentInfo, ...] = ()
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True, slots=True)
class MemberChoice:
    id: int
    name: str
    area: str | None


@dataclass(frozen=True)
class ViewCriteria:
    """A saved view: statuses (empty = all), an area, a member, and text."""

    statuses: tuple[str, ...] = ()
    area: str | None = None
    member_id: int | None = None
    text: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"statuses": list(self.statuses), "area": self.area, "member_id": self.member_id, "text": self.text}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ViewCriteria:
        return cls(tuple(data.get("statuses") or ()), data.get("area"), data.get("member_id"), data.get("text") or "")


@dataclass(frozen=True, slots=True)
class SavedView:
    id: int
    name: str
    criteria: ViewCriteria


@dataclass(frozen=True)
class FilterOptions:
    areas: tuple[str, ...]
    members: tuple[MemberChoice, ...]
    views: tuple[SavedView, ...] = field(default=())


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- the statements --------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _sql(statement: str, dates: tuple[str, ...] = (), moments: tuple[str, ...] = (), json: tuple[str, ...] = (),
         flags: tuple[str, ...] = (), date_params: tuple[str, ...] = ()):
    """``statement`` prepared once, with the types of the result columns that need converting and of
    the date parameters."""
    types = {**{n: Date for n in dates}, **{n: DateTime for n in moments}, **{n: JSON for n in json},
             **{n: Boolean for n in flags}}
    clause = text(statement)
    if date_params:
        clause = clause.bindparams(*(bindparam(n, type_=Date) for n in date_params))
    return clause.columns(**types) if types else clause


_FUND_CODES = "SELECT code FROM funds ORDER BY code"
_FUND_ID = "SELECT id FROM funds WHERE code = :code"
_FUND_AREAS = "SELECT a.name FROM areas a JOIN fund_areas fa ON fa.area_id = a.id WHERE fa.fund_id = :fund"

_ROW_SELECT = """
SELECT a.id, a.reference, f.code AS fund, r.name AS round, a.status, a.title, a.summary,
       o.name AS organisation, o.org_type, o.charity_number, o.company_number,
       c.name AS contact_name, c.email AS contact_email, c.letter_language,
       a.amount_requested_pence, ar.name AS area, a.project_start, a.project_end, a.submitted_on,
       a.created_at, a.updated_at
FROM applications a
JOIN funds f ON f.id = a.fund_id
JOIN organisations o ON o.id = a.organisation_id
LEFT OUTER JOIN contacts c ON c.id = a.contact_id
LEFT OUTER JOIN areas ar ON ar.id = a.area_id
LEFT OUTER JOIN rounds r ON r.id = a.round_id
"""
_ROW_TYPES = dict(dates=("project_start", "project_end", "submitted_on"), moments=("created_at", "updated_at"))

_LIST_SELECT = """
SELECT a.id, a.reference, a.title, a.status, a.amount_requested_pence, o.name AS organisation,
       ar.name AS area, a.submitted_on, a.round_id, a.area_id
FROM applications a
JOIN organisations o ON o.id = a.organisation_id
LEFT OUTER JOIN areas ar ON ar.id = a.area_id
"""


def unknown_fund(code: str, codes: list[str]) -> NotFound:
    """The error for a fund code that is not in the database, naming the funds that are."""
    known = ", ".join(codes) if codes else "none yet — load the sample funds or create one"
    return NotFound(_("There is no fund with code “{code}”. Funds in this database: {known}.").format(
                      code=code, known=known))


def fund_id_for(conn, code: str) -> int:
    """The id of the fund with ``code`` (any case), or ``NotFound`` naming the funds that do exist."""
    fund_id = conn.execute(_sql(_FUND_ID), {"code": code.strip().upper()}).scalar()
    if fund_id is None:
        raise unknown_fund(code, list(conn.execute(_sql(_FUND_CODES)).scalars()))
    return fund_id


def funds(conn) -> list[FundSummary]:
    """Every fund with its rounds and application counts, by name."""
    per_round = dict(conn.execute(_sql("SELECT round_id, count(*) FROM applications GROUP BY round_id")).all())
    per_fund = dict(conn.execute(_sql("SELECT fund_id, count(*) FROM applications GROUP BY fund_id")).all())
    rounds_by_fund: dict[int, list[RoundSummary]] = {}
    rounds = conn.execute(_sql(
        "SELECT id, fund_id, name, financial_year, opens_on, closes_on, decision_on, spend_by, budget_pence "
        "FROM rounds ORDER BY fund_id, opens_on DESC, name",
        dates=("opens_on", "closes_on", "decision_on", "spend_by")))
    for r in rounds:
        rounds_by_fund.setdefault(r.fund_id, []).append(RoundSummary(
            r.id, r.name, r.financial_year, r.opens_on, r.closes_on, r.decision_on, r.spend_by, r.budget_pence,
            per_round.get(r.id, 0)))
    rows = conn.execute(_sql(
        "SELECT id, code, name, council, decision_model, currency, funder_org_id, prefix_360g, "
        "default_language, bilingual_letters FROM funds ORDER BY name", flags=("bilingual_letters",)))
    return [FundSummary(*f, application_count=per_fund.get(f.id, 0), rounds=tuple(rounds_by_fund.get(f.id, ())))
            for f in rows]


# --- a fund's list and its filters -----------------------------------------------------------------


def saved_views(conn, fund_id: int) -> tuple[SavedView, ...]:
    rows = conn.execute(_sql("SELECT id, name, criteria FROM saved_filters WHERE fund_id = :fund ORDER BY name",
                             json=("criteria",)), {"fund": fund_id})
    return tuple(SavedView(v.id, v.name, ViewCriteria.from_json(v.criteria)) for v in rows)



def filter_options(conn, fund_id: int) -> FilterOptions:
    """What the fund's list can be narrowed by: its areas, its active members, its saved views."""
    areas = tuple(sorted(conn.execute(_sql(_FUND_AREAS), {"fund": fund_id}).scalars()))
    members = tuple(MemberChoice(*m) for m in conn.execute(_sql(
        "SELECT m.id, m.name, a.name AS area FROM members m LEFT OUTER JOIN areas a ON a.id = m.area_id "
        "WHERE m.fund_id = :fund AND m.active = :yes ORDER BY m.name"), {"fund": fund_id, "yes": True}))
    return FilterOptions(areas, members, saved_views(conn, fund_id))


def list_rows(conn, fund_id: int, round_id: int | None = None) -> list[ApplicationListRow]:
    """A fund's applications (optionally one round) for the list view, by reference."""
    where = "WHERE a.fund_id = :fund" + (" AND a.round_id = :round" if round_id is not None else "")
    rows = conn.execute(_sql(f"{_LIST_SELECT}{where} ORDER BY a.reference", dates=("submitted_on",)),
                        {"fund": fund_id, "round": round_id})
    make = ApplicationListRow._make
    return [make(r) for r in rows]


def list_row(conn, application_id: int) -> ApplicationListRow:
    """One list row, fresh, after an edit or a move (the list updates that row, not everything)."""
    row = conn.execute(_sql(f"{_LIST_SELECT}WHERE a.id = :id", dates=("submitted_on",)),
                       {"id": application_id}).one_or_none()
    if row is None:
        raise NotFound(_("There is no application with id {application_id}.").format(application_id=application_id))
    return ApplicationListRow._make(row)


def application_rows(conn, fund_id: int, round_id: int | None = None) -> list[ApplicationRow]:
    """Every application in the fund (optionally one round), in full, by reference."""
    where = "WHERE a.fund_id = :fund" + (" AND a.round_id = :round" if round_id is not None else "")
    rows = conn.execute(_sql(f"{_ROW_SELECT}{where} ORDER BY a.reference", **_ROW_TYPES),
                        {"fund": fund_id, "round": round_id})
    return [ApplicationRow(*r) for r in rows]


def application_row(conn, application_id: int) -> ApplicationRow:
    """One application as an ``ApplicationRow``, read in the caller's transaction."""
    row = conn.execute(_sql(f"{_ROW_SELECT}WHERE a.id = :id", **_ROW_TYPES), {"id": application_id}).one_or_none()
    if row is None:
        raise NotFound(_("There is no application with id {application_id}.").format(application_id=application_id))
    return ApplicationRow(*row)


# --- one application ---------------------------------------------------------------------------------


def application_detail(conn, application_id: int) -> ApplicationDetail:
    """Everything the detail pane shows about one application."""
    row = application_row(conn, application_id)
    more = conn.execute(_sql(
        "SELECT a.version, a.fund_id, a.answers, c.phone, o.org_id FROM applications a "
        "JOIN organisations o ON o.id = a.organisation_id LEFT OUTER JOIN contacts c ON c.id = a.contact_id "
        "WHERE a.id = :id", json=("answers",)), {"id": application_id}).one()
    award = conn.execute(_sql("SELECT amount_pence, awarded_on FROM awards WHERE application_id = :id",
                              dates=("awarded_on",)), {"id": application_id}).one_or_none()
    history = tuple(StatusEvent(*h) for h in conn.execute(_sql(
        "SELECT from_status, to_status, at, \"by\", reason FROM status_changes WHERE application_id = :id ORDER BY id",
        moments=("at",)), {"id": application_id}))
    return ApplicationDetail(
        row=row,
        version=more.version,
        contact_phone=more.phone,
        org_id=more.org_id,
        answers=dict(more.answers or {}),
        history=history,
        award_pence=award.amount_pence if award else None,
        awarded_on=award.awarded_on if award else None,
        allowed_next=tuple(st.value for st in allowed_next(Status(row.status))),
        eligibility=eligibility_report(conn, application_id),
        attachments=attachments_for(conn, application_id),
        questions=questions_for(conn, more.fund_id),
    )


def attachments_for(conn, application_id: int) -> tuple[AttachmentInfo, ...]:
    """The application's documents (not their bytes), in the order they were added."""
    rows = conn.execute(_sql(
        "SELECT id, application_id, kind, filename, media_type, size_bytes, sha256, added_at, added_by "
        "FROM attachments WHERE application_id = :id ORDER BY id", moments=("added_at",)), {"id": application_id})
    return tuple(AttachmentInfo(*r) for r in rows)


def questions_for(conn, fund_id: int) -> tuple[Question, ...]:
    """The fund's own questions, in their order."""
    rows = conn.execute(_sql(
        "SELECT \"key\", label, kind, choices, required, help FROM fund_questions WHERE fund_id = :fund "
        "ORDER BY position, id", json=("choices",), flags=("required",)), {"fund": fund_id})
    return tuple(Question(q.key, q.label, QuestionKind(q.kind), tuple(q.choices or ()), q.required, q.help)
                 for q in rows)


# --- eligibility -------------------------------------------------------------------------------------


def fund_rules(conn, fund_id: int) -> FundRules:
    fund = conn.execute(_sql("SELECT min_amount_pence, max_amount_pence, settings, currency FROM funds WHERE id = :id",
                             json=("settings",)), {"id": fund_id}).one()
    settings = settings_of(fund.settings)
    return FundRules(
        min_amount_pence=fund.min_amount_pence,
        max_amount_pence=fund.max_amount_pence,
        area_names=frozenset(conn.execute(_sql(_FUND_AREAS), {"fund": fund_id}).scalars()),
        allowed_org_types=frozenset(settings.allowed_org_types) or None,  # empty: any kind
        required_attachments=settings.required_attachments,
        currency=fund.currency,
    )


def application_facts(conn, application_id: int) -> tuple[int, ApplicationFacts]:
    """The application's fund id, and the facts its eligibility is judged on."""
    app = conn.execute(_sql(
        "SELECT a.fund_id, a.organisation_id, a.amount_requested_pence, a.submitted_on, a.created_at, "
        "ar.name AS area, o.org_type, r.id AS round_id, r.name AS round, r.financial_year, r.opens_on, r.closes_on "
        "FROM applications a JOIN organisations o ON o.id = a.organisation_id "
        "LEFT OUTER JOIN areas ar ON ar.id = a.area_id LEFT OUTER JOIN rounds r ON r.id = a.round_id "
        "WHERE a.id = :id", dates=("submitted_on", "opens_on", "closes_on"), moments=("created_at",)),
        {"id": application_id}).one_or_none()
    if app is None:
        raise NotFound(_("There is no application with id {application_id}.").format(application_id=application_id))
    has_round = app.round_id is not None
    year = application_year(app.financial_year if has_round else None, app.submitted_on, app.created_at.date())
    earlier = funded_last_year(year, past_awards(conn, app.fund_id, app.organisation_id, application_id))
    kinds = frozenset(conn.execute(_sql("SELECT kind FROM attachments WHERE application_id = :id"),
                                   {"id": application_id}).scalars())
    return app.fund_id, ApplicationFacts(
        amount_requested_pence=app.amount_requested_pence,
        area_name=app.area,
        organisation_type=app.org_type,
        submitted_on=app.submitted_on,
        round_name=app.round if has_round else None,
        round_opens_on=app.opens_on if has_round else None,
        round_closes_on=app.closes_on if has_round else None,
        attachment_kinds=kinds,
        previous_year=year - 1,
        previous_awards=tuple(a.reference for a in earlier),
    )


def past_awards(conn, fund_id: int, organisation_id: int, application_id: int) -> list[PastAward]:
    """The fund's awards to the organisation for its other applications, with what says their year."""
    rows = conn.execute(_sql(
        "SELECT a.reference, w.amount_pence, w.awarded_on, r.financial_year FROM applications a "
        "JOIN awards w ON w.application_id = a.id LEFT OUTER JOIN rounds r ON r.id = a.round_id "
        "WHERE a.fund_id = :fund AND a.organisation_id = :org AND a.id != :id", dates=("awarded_on",)),
        {"fund": fund_id, "org": organisation_id, "id": application_id})
    return [PastAward(*r) for r in rows]


def overrides_for(conn, application_id: int) -> dict[str, str]:
    """The rules an officer has overridden for the application, with their written reasons."""
    return dict(conn.execute(_sql("SELECT rule, reason FROM eligibility_overrides WHERE application_id = :id"),
                             {"id": application_id}).all())


def eligibility_report(conn, application_id: int) -> EligibilityReport:
    """The fund's rules applied to the application, with the officer's overrides."""
    fund_id, facts = application_facts(conn, application_id)
    return evaluate(fund_rules(conn, fund_id), facts, overrides_for(conn, application_id))


