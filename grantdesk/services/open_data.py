"""Open data: publish a fund's awards to 360Giving and under the Transparency Code; bring past
grants in from 360Giving files.

Publishing is two steps, so the officer sees the quality report before anything is written:
``prepare_360giving`` builds the package, checks it against the official schema and runs the
quality checks (it writes nothing); ``publish_360giving`` refuses a package that breaks the schema,
writes the file (JSON, CSV or XLSX) in one move, and records each grant's 360G id on its award so
the id never changes, with an audit entry, in one transaction. Awards brought in from past data
(``historical``) are never published again: their own publisher already did.

Importing is two steps too: ``check_grants_import`` reads the file and every grant in it and
writes nothing; ``import_grants`` brings the readable grants in, all or nothing, as *historical*
awarded applications (no round), so repeat-funding checks see who was funded before. With
``valid_only`` it brings in the grants that can be read and leaves the others out, each listed by
row and column with its problems (``GrantsImportResult.left_out``).
Grants already in GrantDesk (same 360G id) are skipped and counted, so a file can be imported again
after its publisher adds to it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Protocol

from sqlalchemy import bindparam, func, select, update

from grantdesk.domain.dates import financial_year_of
from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.domain.fund_settings import settings_of, with_setting
from grantdesk.domain.money import format_money
from grantdesk.domain.open_data import (
    TRANSPARENCY_HEADERS,
    VOLUNTARY_SECTOR,
    GRANT_PURPOSES,
    GRANT_REASONS,
    GrantReading,
    Published,
    QualityIssue,
    Redactions,
    check_prefix,
    drop_emails,
    field_words,
    grant_record,
    org_id_list,
    quality_report,
    read_grant,
    transparency_row,
)
from grantdesk.domain.organisations import OrgType, name_key
from grantdesk.domain.workflow import Status
from grantdesk.io.g360_files import GrantRecord, GrantsFile, read_grants_file, write_package
from grantdesk.io.g360_schema import STANDARD_VERSION, SchemaProblem, check_package
from grantdesk.io.tabular import write_csv
from grantdesk.services.bulk import People, allocate_references, chunks, insert_rows, resolve
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import (
    Application,
    Area,
    Award,
    Fund,
    FundArea,
    Organisation,
    Payment,
    ReferenceCounter,
    Round,
    StatusChange,
)
from grantdesk.i18n import N_, _, ngettext

__all__ = [
    "PublishingDetails",
    "Publication",
    "PublishResult",
    "TransparencyTable",
    "GrantProblem",
    "GrantsImportPlan",
    "GrantsImportResult",
    "GrantsImportRefused",
    "PastGrantRow",
    "publishing_details",
    "set_publishing_details",
    "prepare_360giving",
    "publish_360giving",
    "prepare_transparency",
    "publish_transparency",
    "check_grants_import",
    "import_grants",
    "past_grants",
    "OGL",
]

OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
PROGRESS_EVERY = 500
READING = "Reading grants"
SAVING = "Saving grants"


class Progress(Protocol):
    def report(self, done: int, total: int, label: str) -> None: ...


def _report(progress: Progress | None, done: int, total: int, label: str) -> None:
    if progress is not None:
        progress.report(done, total, label)


# --- the fund's publishing details -------------------------------------------------------------------


@dataclass(frozen=True)
class PublishingDetails:
    """What a fund's open data says about its publisher. ``prefix`` is the 360Giving publisher prefix
    (``360G-…``), ``funder_id`` the council's org-id (``GB-LAE-STS``)."""

    prefix: str
    funder_id: str
    funder_name: str
    department: str
    data_source: str = ""  # the web page where the data is published
    fund_url: str = ""  # the fund's own web page
    from_open_call: bool = True
    licence: str = OGL
    # Grants to individuals: why the fund gives them and what they are for, as codes from 360Giving's
    # Grant to Individuals Reason (GTIR…) and Purpose (GTIP…) codelists; "" / () for none.
    individual_reason: str = ""
    individual_secondary_reason: str = ""
    individual_purposes: tuple[str, ...] = ()


def _details(fund: Fund) -> PublishingDetails:
    publishing = settings_of(fund.settings).publishing
    purposes = publishing.get("individual_purposes") or ()
    return PublishingDetails(
        prefix=fund.prefix_360g or "", funder_id=fund.funder_org_id or "", funder_name=fund.council,
        department=fund.funder_department or "", data_source=str(publishing.get("data_source", "")),
        fund_url=str(publishing.get("fund_url", "")), from_open_call=bool(publishing.get("from_open_call", True)),
        licence=str(publishing.get("licence", OGL)),
        individual_reason=str(publishing.get("individual_reason") or ""),
        individual_secondary_reason=str(publishing.get("individual_secondary_reason") or ""),
        individual_purposes=tuple(str(c) for c in purposes) if isinstance(purposes, (list, tuple)) else (),
    )


def _code(value: str, codelist: dict[str, str], what: str, field: str) -> str:
    code = value.strip().upper()
    if code and code not in codelist:
        raise ValidationError(_("“{value}” is not on 360Giving's {what} codelist; use one of {codes}.").format(
            value=value.strip(), what=what, codes=", ".join(f"{c} ({t})" for c, t in codelist.items())), field)
    return code


def publishing_details(db: Database, fund_code: str) -> PublishingDetails:
    with db.session() as s:
        return _details(fund_by_code(s, fund_code))


@transactional
def set_publishing_details(uow: UnitOfWork, fund_code: str, details: PublishingDetails, *,
                           actor: str | None = None) -> PublishingDetails:
    """Save the fund's publishing details (checked first), with an audit entry."""
    prefix = check_prefix(details.prefix) if details.prefix.strip() else ""
    funder_id = details.funder_id.strip()
    if funder_id and org_id_list(funder_id) is None:
        raise ValidationError(_("“{funder_id}” is not an organisation identifier GrantDesk recognises; councils "
                                "use GB-LAE-… (England), GB-PLA-… (Wales), GB-LAS-… (Scotland) or GB-LANI-… "
                                "(Northern Ireland).").format(funder_id=funder_id), "funder_id")
    reason = _code(details.individual_reason, GRANT_REASONS, "Grant to Individuals Reason", "individual_reason")
    secondary = _code(details.individual_secondary_reason, GRANT_REASONS, "Grant to Individuals Reason",
                      "individual_secondary_reason")
    if secondary and not reason:
        raise ValidationError(_("A secondary reason for grants to individuals needs a primary reason first."),
                              "individual_secondary_reason")
    purposes = tuple(dict.fromkeys(_code(c, GRANT_PURPOSES, "Grant to Individuals Purpose", "individual_purposes")
                                   for c in details.individual_purposes if c.strip()))
    if len(purposes) > 3:
        raise ValidationError(_("360Giving asks for at most three purposes for a grant to an individual."),
                              "individual_purposes")
    who = actor_or_default(actor)
    s = uow.session
    fund = fund_by_code(s, fund_code)
    before = _details(fund)
    fund.prefix_360g = prefix or None
    fund.funder_org_id = funder_id or None
    fund.funder_department = details.department.strip() or None
    fund.settings = with_setting(fund.settings, "publishing", {
        "data_source": details.data_source.strip(), "fund_url": details.fund_url.strip(),
        "from_open_call": bool(details.from_open_call), "licence": details.licence.strip() or OGL,
        "individual_reason": reason, "individual_secondary_reason": secondary if secondary != reason else "",
        "individual_purposes": list(purposes)})
    after = _details(fund)
    audit(s, actor=who, action="fund.publishing", entity="fund", entity_id=fund.id,
          summary=f"Publishing details of {fund.code} changed",
          before=before.__dict__, after=after.__dict__)
    return after


# --- gathering awards ----------------------------------------------------------------------------------


def _published(s, fund: Fund, since: date | None, until: date | None) -> list[tuple[int, Published]]:
    """(award id, facts) for the fund's own awards (not historical), oldest first."""
    d = _details(fund)
    query = (select(Award, Application, Organisation, Area, Round)
             .join(Application, Application.id == Award.application_id)
             .join(Organisation, Organisation.id == Application.organisation_id)
             .outerjoin(Area, Area.id == Application.area_id)
             .outerjoin(Round, Round.id == Application.round_id)
             .where(Application.fund_id == fund.id, Award.historical.is_(False)))
    if since is not None:
        query = query.where(Award.awarded_on >= since)
    if until is not None:
        query = query.where(Award.awarded_on <= until)
    rows = s.execute(query.order_by(Award.awarded_on, Application.reference)).all()
    paid = dict(s.execute(select(Payment.award_id, func.sum(Payment.amount_pence))
                          .join(Award, Award.id == Payment.award_id)
                          .join(Application, Application.id == Award.application_id)
                          .where(Application.fund_id == fund.id).group_by(Payment.award_id)).all())
    out = []
    for award, app, org, area, rnd in rows:
        ends = app.project_end or award.spend_by or (rnd.spend_by if rnd else None)
        out.append((award.id, Published(
            reference=app.reference, grant_id=award.grant_id, title=app.title, summary=app.summary or "",
            purpose=award.purpose or "", currency=fund.currency, amount_pence=award.amount_pence,
            amount_requested_pence=app.amount_requested_pence, paid_pence=int(paid.get(award.id) or 0),
            awarded_on=award.awarded_on, starts=app.project_start, ends=ends, org_name=org.name,
            org_type=org.org_type, charity_number=org.charity_number, company_number=org.company_number,
            org_id=org.org_id, address=org.address or "", postcode=org.postcode or "", website=org.website or "",
            area_name=area.name if area else None, area_kind=area.kind if area else None,
            area_code=(area.ons_code or None) if area else None, modified=app.updated_at, fund_code=fund.code,
            fund_name=fund.name, funder_id=d.funder_id or None, funder_name=d.funder_name,
            funder_department=d.department or None, prefix=d.prefix or None, from_open_call=d.from_open_call,
            data_source=d.data_source or None, fund_url=d.fund_url or None,
            individual_reason=d.individual_reason or None,
            individual_secondary_reason=d.individual_secondary_reason or None,
            individual_purposes=d.individual_purposes,
        )))
    return out


def _period(since: date | None, until: date | None) -> str:
    if since and until:
        return _(" awarded {since} to {until}").format(since=since.isoformat(), until=until.isoformat())
    if since:
        return _(" awarded from {since}").format(since=since.isoformat())
    if until:
        return _(" awarded up to {until}").format(until=until.isoformat())
    return ""


# --- 360Giving ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """A 360Giving package ready to write, with what the officer should see before writing it."""

    fund_code: str
    fund_name: str
    package: dict[str, Any]
    award_ids: tuple[int, ...]
    total_pence: int
    currency: str
    quality: tuple[QualityIssue, ...]
    schema_problems: tuple[SchemaProblem, ...]
    contact_details_removed: int  # e-mail addresses and phone numbers taken out of titles and summaries
    individuals: int  # grants to individuals, published without anything that identifies them
    since: date | None = None
    until: date | None = None
    emails_removed: tuple[tuple[str, str], ...] = ()  # (grant id, field) left out for holding an e-mail address

    @property
    def count(self) -> int:
        return len(self.award_ids)

    @property
    def valid(self) -> bool:
        return not self.schema_problems

    def summary(self) -> str:
        money = format_money(self.total_pence, self.currency)
        text = ngettext("{count} grant from {fund}{period}, {money} in all.",
                        "{count} grants from {fund}{period}, {money} in all.", self.count).format(
            count=self.count, fund=self.fund_name, period=_period(self.since, self.until), money=money)
        if self.schema_problems:
            n = len(self.schema_problems)
            text += ngettext(" The file breaks the 360Giving schema in {count} place, so it cannot be published yet.",
                             " The file breaks the 360Giving schema in {count} places, so it cannot be published "
                             "yet.", n).format(count=n)
        else:
            text += _(" It passes the official 360Giving schema (1.4).")
        if self.individuals:
            text += ngettext(" {count} grant goes to individuals: published without their names or anything typed "
                             "about them.",
                             " {count} grants go to individuals: published without their names or anything typed "
                             "about them.", self.individuals).format(count=self.individuals)
        if self.contact_details_removed:
            text += ngettext(" {count} e-mail address or phone number(s) were taken out of titles and summaries.",
                             " {count} e-mail addresses or phone number(s) were taken out of titles and summaries.",
                             self.contact_details_removed).format(count=self.contact_details_removed)
        if self.emails_removed:
            n = len(self.emails_removed)
            text += ngettext(" {count} other field held an e-mail address and was left out (see the quality issues).",
                             " {count} other fields held an e-mail address and were left out (see the quality "
                             "issues).", n).format(count=n)
        return text


def prepare_360giving(db: Database, fund_code: str, *, since: date | None = None, until: date | None = None,
                      today: date | None = None, now: datetime | None = None,
                      progress: Progress | None = None) -> Publication:
    """Build the fund's 360Giving package, check it against the official schema and run the quality
    checks. Writes nothing. ``progress`` hears how the schema check goes (about 3 s for 10,000 grants)
    and may raise to cancel."""
    today = today or date.today()
    moment = now or utcnow()
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        d = _details(fund)
        facts = _published(s, fund, since, until)
        if not facts:
            raise ValidationError(_("{name} has no awards{period} to publish yet (awards brought in from past "
                                    "360Giving files are not published again).").format(
                                    name=fund.name, period=_period(since, until)))
        redactions = Redactions()
        grants = [grant_record(p, redactions) for _, p in facts]
        stamp = moment.replace(microsecond=0).isoformat() + "Z"
        package: dict[str, Any] = {
            "version": STANDARD_VERSION,
            "title": f"{fund.council}: {fund.name} grants",
            "description": (f"Grants made by {fund.council} through {fund.name}{_period(since, until)}, "
                            "published with GrantDesk."),
            "issued": stamp,
            "modified": stamp,
            "publisher": {"name": fund.council, **({"identifier": d.funder_id} if d.funder_id else {})},
            "license": d.licence or OGL,
            "grants": grants,
        }
        if d.data_source:
            package["accessURL"] = d.data_source
        removed = drop_emails(package)  # the grants are clean already: this is the package's own fields
        redactions.fields.extend(("package", field_words(path)) for path in removed)
        problems = check_package(package, progress=progress)
        return Publication(
            fund_code=fund.code, fund_name=fund.name, package=package, award_ids=tuple(a for a, _ in facts),
            total_pence=sum(p.amount_pence for _, p in facts), currency=fund.currency,
            quality=tuple(quality_report(grants, today=today, removed=redactions.fields)),
            schema_problems=tuple(problems), emails_removed=tuple(redactions.fields),
            contact_details_removed=sum(redactions.by_grant.values()),
            individuals=sum(1 for _, p in facts if p.org_type == OrgType.INDIVIDUAL), since=since, until=until,
        )


@dataclass(frozen=True)
class PublishResult:
    path: Path
    count: int
    message: str


class PublishRefused(GrantDeskError):
    """The file was not written; ``problems`` says why."""

    def __init__(self, message: str, problems: Iterable[Any] = ()):
        super().__init__(message)
        self.problems = list(problems)


def publish_360giving(db: Database, publication: Publication, path: Path, *, actor: str | None = None) -> PublishResult:
    """Write the package to ``path`` (.json, .csv or .xlsx) and record each grant's 360G id on its award,
    in one transaction with an audit entry. A package that breaks the schema is refused. The file is
    written to a temporary name and moved into place, so a failure never leaves half a file; ids are
    made from the fund's prefix and the reference, so a file written just before a failed commit
    still carries the ids the next publication will use."""
    if publication.schema_problems:
        shown = "; ".join(str(p) for p in publication.schema_problems[:3])
        raise PublishRefused(_("Nothing was written: the file would break the 360Giving schema — {shown}.").format(
                               shown=shown),
                             publication.schema_problems)
    who = actor_or_default(actor)
    path = Path(path)
    ids = [g["id"] for g in publication.package["grants"]]
    with db.unit_of_work(write=True) as uow:
        s = uow.session
        fund = fund_by_code(s, publication.fund_code)
        stamped = 0
        for chunk in chunks(list(zip(publication.award_ids, ids, strict=True))):
            awards = Award.__table__
            result = s.execute(update(awards).where(awards.c.id == bindparam("award_id"), awards.c.grant_id.is_(None))
                               .values(grant_id=bindparam("gid")), [{"award_id": a, "gid": g} for a, g in chunk])
            stamped += max(result.rowcount, 0)
        audit(s, actor=who, action="open_data.360giving", entity="fund", entity_id=fund.id,
              summary=f"Published {len(ids)} grant{'s' * (len(ids) != 1)} of {fund.code} to 360Giving as {path.name}",
              after={"file": path.name, "grants": len(ids), "total_pence": publication.total_pence,
                     "new_ids": stamped, "quality_issues": {q.check: q.count for q in publication.quality}})
        s.flush()
        write_package(path, publication.package)
        uow.commit()
    message = ngettext("Published {count} grant from {fund} to {path}.", "Published {count} grants from {fund} to {path}.",
                       len(ids)).format(count=len(ids), fund=publication.fund_name, path=path)
    return PublishResult(path, len(ids), message)


# --- the Transparency Code --------------------------------------------------------------------------


@dataclass(frozen=True)
class TransparencyTable:
    fund_code: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    left_out: int  # grants to individuals, parish councils, schools and businesses
    total_pence: int
    emails_removed: tuple[tuple[str, str], ...] = ()  # (grant, column) emptied for holding an e-mail address

    def summary(self) -> str:
        text = ngettext("{count} grant to voluntary, community and social enterprise organisations.",
                        "{count} grants to voluntary, community and social enterprise organisations.",
                        len(self.rows)).format(count=len(self.rows))
        if self.emails_removed:
            n = len(self.emails_removed)
            cells = "; ".join(f"{ref}, {column}" for ref, column in self.emails_removed[:5]) + ("; …" if n > 5 else "")
            text += ngettext(" {count} cell held an e-mail address, left out: {cells}.",
                             " {count} cells held an e-mail address, left out: {cells}.", n).format(count=n, cells=cells)
        if self.left_out:
            text += ngettext(" {count} other grant is left out (to individuals, parish councils, schools or "
                             "businesses), as the Code covers grants to the voluntary sector; the 360Giving file has "
                             "every grant.",
                             " {count} other grants are left out (to individuals, parish councils, schools or "
                             "businesses), as the Code covers grants to the voluntary sector; the 360Giving file has "
                             "every grant.", self.left_out).format(count=self.left_out)
        return text


def prepare_transparency(db: Database, fund_code: str, *, since: date | None = None,
                         until: date | None = None) -> TransparencyTable:
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        facts = [p for _, p in _published(s, fund, since, until)]
        kept = [p for p in facts if p.org_type in VOLUNTARY_SECTOR]
        if not kept:
            raise ValidationError(_("{name} has no awards to voluntary organisations{period} to publish.").format(
                                    name=fund.name, period=_period(since, until)))
        removed: list[tuple[str, str]] = []
        rows = tuple(tuple(transparency_row(p, removed)) for p in kept)
        return TransparencyTable(fund.code, TRANSPARENCY_HEADERS, rows, len(facts) - len(kept),
                                 sum(p.amount_pence for p in kept), tuple(removed))


def publish_transparency(db: Database, fund_code: str, path: Path, *, since: date | None = None,
                         until: date | None = None, actor: str | None = None) -> PublishResult:
    """Write the Transparency Code CSV (UTF-8, for Excel and the council's open-data page)."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise ValidationError(_("The Transparency Code file is a CSV; “{name}” does not end in .csv.").format(
                                name=path.name))
    table = prepare_transparency(db, fund_code, since=since, until=until)
    who = actor_or_default(actor)
    with db.unit_of_work(write=True) as uow:
        fund = fund_by_code(uow.session, fund_code)
        audit(uow.session, actor=who, action="open_data.transparency", entity="fund", entity_id=fund.id,
              summary=f"Published {len(table.rows)} grants of {fund.code} under the Transparency Code as {path.name}",
              after={"file": path.name, "grants": len(table.rows), "total_pence": table.total_pence})
        try:
            write_csv(path, list(table.headers), [list(r) for r in table.rows])
        except OSError as exc:
            raise ValidationError(_("“{name}” could not be written ({value}).").format(
                                    name=path.name, value=exc.strerror or exc)) from None
        uow.commit()
    return PublishResult(path, len(table.rows), _("Wrote {count} grants to {path}. {summary}").format(
        count=len(table.rows), path=path, summary=table.summary()))


# --- importing past grants ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GrantProblem:
    """Why one grant cannot be read: ``where`` is “row 12” (spreadsheets) or “grant 12 (360G-…)” (JSON),
    ``field`` the column or field."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        if not self.field:
            return f"{self.where}: {self.message}"
        return f"{self.where}, {'column ' if self.where.startswith('row') else ''}“{self.field}”: {self.message}"


class GrantsImportRefused(GrantDeskError):
    """Nothing was imported. The message summarises why; ``problems`` lists every one."""

    def __init__(self, message: str, problems: Iterable[GrantProblem] = ()):
        super().__init__(message)
        self.problems = list(problems)


@dataclass(frozen=True)
class GrantsImportPlan:
    fund_code: str
    file: GrantsFile
    readings: tuple[tuple[GrantRecord, GrantReading], ...]
    problems: tuple[GrantProblem, ...]
    already: tuple[str, ...]  # grant ids already in GrantDesk, skipped
    notes: tuple[str, ...]  # values read generously, summarised by kind
    funders: tuple[str, ...]  # the funders named in the file, by how many grants

    @property
    def to_import(self) -> int:
        """Grants that can be read and are not in GrantDesk yet: what an import brings in (with
        ``valid_only`` when there are problems)."""
        return sum(1 for _, r in self.readings if r.grant is not None) - len(self.already)

    @property
    def unreadable(self) -> int:
        """Grants that cannot be read (each has one or more ``problems``)."""
        return len({p.where for p in self.problems})

    @property
    def total_pence(self) -> int:
        skip = set(self.already)
        return sum(r.grant.amount_pence for _, r in self.readings if r.grant and r.grant.grant_id not in skip)

    def summary(self, *, valid_only: bool = False) -> str:
        n = len(self.readings)
        text = ngettext("“{source}” has {count} grant.", "“{source}” has {count} grants.", n).format(
            source=self.file.source, count=n)
        if self.problems and valid_only:
            text += _(" {unreadable} of them cannot be read and will be left out; the other {count} will be imported "
                      "({total}).").format(unreadable=self.unreadable, count=self.to_import,
                                           total=format_money(self.total_pence))
        elif self.problems:
            text += _(" {unreadable} of them cannot be read, so nothing will be imported until they are fixed.").format(
                unreadable=self.unreadable)
        else:
            text += _(" {count} will be imported ({total}).").format(count=self.to_import,
                                                                    total=format_money(self.total_pence))
        if self.already:
            text += ngettext(" {count} is already in GrantDesk and will be skipped.",
                             " {count} are already in GrantDesk and will be skipped.", len(self.already)).format(
                                 count=len(self.already))
        return text


_NOTE_TEXT = {
    "uk_dates": N_("{n} date(s) were written day/month/year, as in {example}, and were read as UK dates."),
    "open_call": N_("{n} “From an open call?” value(s) were written {example} and were read as Yes or No."),
    "zero": N_("{n} grant(s) are for £0; they are kept, as the file records them."),
    "no_description": N_("{n} grant(s) have no description; the title stands in for it."),
    "no_currency": N_("{n} grant(s) give no currency; they were read as the fund's currency."),
    "register_number": N_("{n} charity or company number(s) are not valid on their register and were left out, such as {example}."),
    "amount_text": N_("{n} amount(s) were written with symbols or commas, as in {example}, and were read as numbers."),
    "planned_order": N_("{n} grant(s) end before they start; their dates are kept as written."),
    "blank_words": N_("{n} cell(s) in optional columns held only a word for nothing, such as “{example}”, and were "
                   "read as blank."),
    "amount_noise": N_("{n} amount(s) carried a spreadsheet's rounding noise, as in {example}, and were read to the "
                    "penny."),
    "excel_dates": N_("{n} date(s) were Excel day numbers, as in {example}, and were read as dates."),
}


def _note_lines(readings: list[tuple[GrantRecord, GrantReading]]) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    example: dict[str, str] = {}
    for record, reading in readings:
        for kind, _path, message in reading.notes:
            counts[kind] += 1
            example.setdefault(kind, message.split("”")[0].lstrip("“") if "“" in message else message)
        stopped = {path for path, _ in reading.problems}
        for path, word in record.blank_words.items():
            if path not in stopped:  # a blank word where a value is needed is a problem, not a note
                counts["blank_words"] += 1
                example.setdefault("blank_words", word)
    return tuple((_(_NOTE_TEXT[kind]) if kind in _NOTE_TEXT else "{n} × " + kind).format(n=n, example=example.get(kind, ""))
                 for kind, n in counts.most_common())


def _existing_ids(s, ids: list[str]) -> dict[str, str]:
    """grant id → "reference (fund)" for the ids already on an award."""
    found: dict[str, str] = {}
    for chunk in chunks(ids):
        for gid, ref, code in s.execute(
            select(Award.grant_id, Application.reference, Fund.code)
            .join(Application, Application.id == Award.application_id).join(Fund, Fund.id == Application.fund_id)
            .where(Award.grant_id.in_(chunk))
        ):
            found[gid] = f"{ref} ({code})"
    return found


def _analyse(s, fund: Fund, file: GrantsFile, progress: Progress | None):
    readings: list[tuple[GrantRecord, GrantReading]] = []
    problems: list[GrantProblem] = []
    first_row: dict[str, str] = {}
    total = len(file.records)
    for n, record in enumerate(file.records, start=1):
        reading = read_grant(record.grant, currency=fund.currency)
        where, _ = record.where((), file.kind)
        for path, message in reading.problems:
            place, column = record.where(path, file.kind)
            word = record.blank_words.get(tuple(path))
            if word is not None:  # "NA" where a value is needed: say what the cell held
                message = f"{message.rstrip('.')} (the cell says “{word}”, which means no value)."
            problems.append(GrantProblem(place, column, message))
        if reading.grant is not None:
            gid = reading.grant.grant_id
            if gid in first_row:
                place, column = record.where(("id",), file.kind)
                problems.append(GrantProblem(place, column, f"the identifier {gid} is also used by {first_row[gid]}."))
                reading = GrantReading(None, ((("id",), "duplicate"),), reading.notes)
            else:
                first_row[gid] = where
        readings.append((record, reading))
        if n % PROGRESS_EVERY == 0:
            _report(progress, n, total, READING)
    _report(progress, total, total, READING)
    existing = _existing_ids(s, [r.grant.grant_id for _, r in readings if r.grant is not None])
    funders = Counter(f"{r.grant.funder_name or 'unnamed funder'}{f' ({r.grant.funder_id})' if r.grant.funder_id else ''}"
                      for _, r in readings if r.grant is not None)
    return readings, problems, tuple(existing), tuple(f"{name}: {n}" for name, n in funders.most_common())


def check_grants_import(db: Database, fund_code: str, path: Path, *, progress: Progress | None = None) -> GrantsImportPlan:
    """Read a 360Giving file and every grant in it, and say what an import would do. Writes nothing.
    A file that is not 360Giving data at all raises ``ValidationError``."""
    file = read_grants_file(Path(path))
    if not file.records:
        raise ValidationError(_("“{source}” has no grants in it.").format(source=file.source))
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        readings, problems, already, funders = _analyse(s, fund, file, progress)
        notes = _note_lines(readings)
        others = Counter(r.grant.funder_name or r.grant.funder_id for _, r in readings
                         if r.grant is not None and fund.funder_org_id and r.grant.funder_id
                         and r.grant.funder_id.casefold() != fund.funder_org_id.casefold())
        if others:
            n = sum(others.values())
            names = ", ".join(name for name, _ in others.most_common(3)) + (" and others" if len(others) > 3 else "")
            notes += (f"{n} grant{'s were' if n != 1 else ' was'} made by {names}, not {fund.council} "
                      f"({fund.funder_org_id}); {'they' if n != 1 else 'it'} will be kept as {fund.name}'s history "
                      "all the same.",)
        return GrantsImportPlan(fund.code, file, tuple(readings), tuple(problems), already, notes, funders)


@dataclass(frozen=True)
class GrantsImportResult:
    imported: int
    skipped: int  # already in GrantDesk
    total_pence: int
    message: str
    left_out: tuple[GrantProblem, ...] = ()  # with valid_only: the problems of the grants not imported

    @property
    def left_out_grants(self) -> int:
        return len({p.where for p in self.left_out})


def _refusal(plan_problems: list[GrantProblem], source: str, *, none_readable: bool = False) -> GrantsImportRefused:
    grants = len({p.where for p in plan_problems})
    shown = "; ".join(str(p) for p in plan_problems[:3])
    more = f"; and {len(plan_problems) - 3} more" if len(plan_problems) > 3 else ""
    which = (f"none of its {grants} grant{'s' * (grants != 1)} can be read" if none_readable
             else f"{grants} grant{'s' * (grants != 1)} cannot be read")
    return GrantsImportRefused(
        _("Nothing was imported from {source}: {which} — {shown}{more}. Fix them in the file and import it again.").format(
          source=source, which=which, shown=shown, more=more),
        plan_problems)


def import_grants(db: Database, plan: GrantsImportPlan, *, valid_only: bool = False, actor: str | None = None,
                  progress: Progress | None = None) -> GrantsImportResult:
    """Bring the plan's grants in as historical awards, all or nothing, in one transaction.

    The grants are read again inside the transaction. Any grant that cannot be read refuses the whole
    file (``GrantsImportRefused`` lists every problem) — unless ``valid_only``: then the grants that
    can be read are brought in and the others are left out, their problems in the result's
    ``left_out`` (a file in which no grant can be read is still refused). Each grant becomes an awarded
    application with no round, in the fund, with its recipient found or created the way the
    application form finds organisations; its award keeps the file's 360G id and is marked historical."""
    who = actor_or_default(actor)
    file = plan.file
    if plan.problems and not valid_only:
        raise _refusal(list(plan.problems), file.source)
    with db.unit_of_work(write=True) as uow:
        s = uow.session
        fund = fund_by_code(s, plan.fund_code)
        s.execute(update(ReferenceCounter).where(ReferenceCounter.fund_id == fund.id)
                  .values(last_number=ReferenceCounter.last_number))  # take the write lock first
        readings, problems, already, _ = _analyse(s, fund, file, progress)
        if problems and not valid_only:
            raise _refusal(problems, file.source)
        if problems and not any(r.grant is not None for _, r in readings):
            raise _refusal(problems, file.source, none_readable=True)
        left_out = tuple(problems)
        unreadable = len({p.where for p in left_out})
        skip = set(already)
        grants = [r.grant for _, r in readings if r.grant is not None and r.grant.grant_id not in skip]
        now = utcnow()
        if not grants:
            message = f"Nothing new in {file.source}: all {len(already)} readable grants are already in GrantDesk."
            if unreadable:
                message += f" {_left_out_text(unreadable)}"
            return GrantsImportResult(0, len(already), 0, message, left_out)
        areas: dict[str, int] = {}
        for area_id, area_name, code in s.execute(
            select(Area.id, Area.name, Area.ons_code).join(FundArea, FundArea.area_id == Area.id)
            .where(FundArea.fund_id == fund.id)
        ):
            areas[name_key(area_name)] = area_id
            if code:
                areas[code.upper()] = area_id
        people = People(s)
        org_keys = [people.find(g.recipient_name, g.org_type, g.charity_number, g.company_number, now,
                                org_id=g.org_id, address=g.address, postcode=g.postcode, website=g.website)
                    for g in grants]
        org_ids, _ = people.insert(who, now)
        references = allocate_references(s, fund, [financial_year_of(g.awarded_on) for g in grants])
        total = len(grants)
        _report(progress, 0, total, SAVING)
        done = 0
        for chunk in chunks(list(zip(grants, references, org_keys, strict=True))):
            app_rows = []
            for g, ref, ok in chunk:
                area_id = next((areas[k] for name, code in g.locations
                                for k in (code.upper(), name_key(name)) if k and k in areas), None)
                app_rows.append(dict(
                    reference=ref, fund_id=fund.id, round_id=None, organisation_id=resolve(org_ids, ok),
                    contact_id=None, area_id=area_id, title=g.title[:300], summary=g.description or g.title,
                    amount_requested_pence=g.applied_pence, project_start=g.starts, project_end=g.ends,
                    submitted_on=None, status=Status.AWARDED.value,
                    answers={"past_grant": {"file": file.source, "funder": g.funder_name, "funder_id": g.funder_id,
                                            "programme": g.programme}},
                    created_at=now, updated_at=now, version=1))
            ids = s.scalars(insert_rows(Application, returning_id=True), app_rows).all()
            s.execute(insert_rows(StatusChange), [
                dict(application_id=app_id, from_status=None, to_status=Status.AWARDED.value, at=now, by=who,
                     reason=f"Past grant {g.grant_id} by {g.funder_name or 'its funder'}, "
                            f"brought in from {file.source}")
                for app_id, (g, _, _) in zip(ids, chunk, strict=True)])
            s.execute(insert_rows(Award), [
                dict(application_id=app_id, amount_pence=g.amount_pence, awarded_on=g.awarded_on, purpose=g.title,
                     conditions="", spend_by=None, grant_id=g.grant_id, historical=True)
                for app_id, (g, _, _) in zip(ids, chunk, strict=True)])
            done += len(chunk)
            _report(progress, done, total, SAVING)
        money = sum(g.amount_pence for g in grants)
        audit(s, actor=who, action="grants.import", entity="fund", entity_id=fund.id, at=now,
              summary=f"Brought in {total} past grant{'s' * (total != 1)} ({format_money(money)}) into {fund.code} "
                      f"from {file.source}" + (f"; {len(already)} already here" if already else ""),
              after={"file": file.source, "sha256": file.sha256, "grants": len(readings), "imported": total,
                     "skipped": len(already), "total_pence": money,
                     "organisations_created": len(people.new_orgs),
                     **({"left_out": unreadable, "left_out_rows": sorted({p.where for p in left_out})}
                        if left_out else {})})
        uow.commit()
    message = f"Imported {total} past grant{'s' * (total != 1)} ({format_money(money)}) into {fund.code}."
    if already:
        message += f" {len(already)} {'was' if len(already) == 1 else 'were'} already in GrantDesk and skipped."
    if unreadable:
        message += f" {_left_out_text(unreadable)}"
    return GrantsImportResult(total, len(already), money, message, left_out)


def _left_out_text(unreadable: int) -> str:
    return (f"{unreadable} grant{'s' if unreadable != 1 else ''} that cannot be read {'were' if unreadable != 1 else 'was'} "
            "left out; fix them in the file and import it again to bring them in.")


@dataclass(frozen=True)
class PastGrantRow:
    grant_id: str
    reference: str
    title: str
    recipient: str
    charity_number: str | None
    company_number: str | None
    amount_pence: int
    awarded_on: date
    area: str | None


def past_grants(db: Database, fund_code: str) -> list[PastGrantRow]:
    """The fund's historical awards (brought in from 360Giving files), oldest first."""
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        rows = s.execute(
            select(Award.grant_id, Application.reference, Application.title, Organisation.name,
                   Organisation.charity_number, Organisation.company_number, Award.amount_pence, Award.awarded_on,
                   Area.name)
            .join(Application, Application.id == Award.application_id)
            .join(Organisation, Organisation.id == Application.organisation_id)
            .outerjoin(Area, Area.id == Application.area_id)
            .where(Application.fund_id == fund.id, Award.historical.is_(True))
            .order_by(Award.awarded_on, Application.reference)).all()
        return [PastGrantRow(*r) for r in rows]

