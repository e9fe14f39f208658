"""Sample funds: human-readable TOML files in ``sample_funds/``, loaded through the real services.

Each file describes one fund (its areas, rounds, members, organisations, applications and the
decisions on them) as it stood on the file's ``written_as_of`` date. Loading moves every date and
financial year forward by whole years, as far as it can without putting anything in the future, so
the sample stays current. A whole fund loads in one transaction: a mistake in a file writes nothing.

The format is described in ``sample_funds/README.md``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from grantdesk.config import shipped_dir
from grantdesk.domain.dates import financial_year_of, shift_days, shift_years
from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.domain.fund_definition import TABLES as DEFINITION_TABLES
from grantdesk.domain.fund_definition import read_definition
from grantdesk.domain.money import format_money, parse_money
from grantdesk.domain.questions import clean_answers
from grantdesk.domain.workflow import Status
from grantdesk.services import applications as apps
from grantdesk.services import decisions, organisations, sample_outcomes, sample_votes
from grantdesk.services.common import actor_or_default, audit
from grantdesk.services.fund_setup import build_fund
from grantdesk.store.database import Database
from grantdesk.store.models import Application, Award, Fund
from grantdesk.i18n import _


class SampleError(GrantDeskError):
    """A sample file is not valid; the message names the file and the place in it."""


@dataclass(frozen=True)
class SampleInfo:
    name: str
    title: str
    fund_code: str
    description: str
    applications: int
    path: Path


@dataclass(frozen=True)
class LoadResult:
    name: str
    fund_code: str
    loaded: bool  # False when the fund was already in the database
    applications: int
    years_moved: int
    message: str


def samples_dir() -> Path:
    """Where the sample files are: inside the installed package, or the checkout's ``sample_funds``."""
    return shipped_dir("grantdesk.sample_funds", "sample_funds")


def available_samples() -> list[SampleInfo]:
    infos = []
    for path in sorted(samples_dir().glob("*.toml")):
        data = _read(path)
        head = data.get("sample", {})
        infos.append(
            SampleInfo(
                name=path.stem,
                title=head.get("title", path.stem),
                fund_code=data.get("fund", {}).get("code", "?"),
                description=head.get("description", ""),
                applications=len(data.get("applications", [])),
                path=path,
            )
        )
    return infos


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SampleError(_("{name}: not valid TOML: {exc}").format(name=path.name, exc=exc)) from exc


def load_samples(
    db: Database, names: list[str] | None = None, *, actor: str | None = None, today: date | None = None
) -> list[LoadResult]:
    """Load the named samples (all when ``names`` is empty); a fund already present is skipped."""
    known = {s.name: s for s in available_samples()}
    wanted = names or list(known)
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SampleError(
            _("No sample called {unknown}. Samples: {known}.").format(
              unknown=', '.join(unknown), known=', '.join(sorted(known)))
        )
    return [load_sample_file(db, known[n].path, actor=actor, today=today) for n in wanted]


def load_sample_file(db: Database, path: Path, *, actor: str | None = None, today: date | None = None) -> LoadResult:
    data = _read(path)
    loader = _Loader(path.stem, data, actor_or_default(actor), today or date.today())
    code = loader.fund_code
    with db.unit_of_work(write=True) as uow:
        if uow.session.scalar(select(Fund.id).where(Fund.code == code)) is not None:
            return LoadResult(path.stem, code, False, 0, 0, f"{code} is already in this database — skipped.")
        try:
            count = loader.load(uow.session)
        except SampleError:
            raise  # already names the file and the place
        except GrantDeskError as exc:  # a service refused something: say where in the file
            raise SampleError(_("{name}: {where}: {exc}").format(name=path.name, where=loader.where, exc=exc)) from exc
        uow.commit()
    moved = loader.years
    return LoadResult(
        path.stem, code, True, count, moved,
        f"Loaded {code} ({count} applications)" + (f", dates moved forward {moved} year(s)" if moved else ""),
    )


# --- the loader ------------------------------------------------------------------------------------

_KEYS = {
    "sample": {"title", "description", "written_as_of", "officer"},
        "organisation": {
        "key", "name", "type", "charity_number", "company_number", "address", "postcode", "website", "contacts",
    },
    "contact": {"name", "email", "phone", "role", "language"},
    "application": {
        "organisation", "contact", "round", "area", "title", "summary", "amount", "project_start", "project_end",
        "created", "submitted", "status", "path", "reason", "decided", "answers", "decisions", "award", "key",
        "title_cy", "summary_cy", "reason_cy",
        "panel", *sample_outcomes.APPLICATION_KEYS,
    },
    "decision": {
        "member", "decision", "amount", "reasons", "decided_on", "interest", "interest_nature",
        "dispensation", "officer", "officer_on", "officer_reason",
    },
    "dispensation": {"reference", "granted_on"},
    "award": {"amount", "awarded_on", "purpose", "conditions", "spend_by", "purpose_cy", "conditions_cy"},
    "step": {"status", "on", "reason"},
    **sample_votes.KEYS,
    **sample_outcomes.KEYS,
}

# The usual route to each final state, after draft → submitted.
_ROUTES: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (),
    Status.SUBMITTED: (Status.SUBMITTED,),
    Status.RETURNED: (Status.SUBMITTED, Status.RETURNED),
    Status.ELIGIBLE: (Status.SUBMITTED, Status.ELIGIBLE),
    Status.INELIGIBLE: (Status.SUBMITTED, Status.INELIGIBLE),
    Status.SHORTLISTED: (Status.SUBMITTED, Status.ELIGIBLE, Status.SHORTLISTED),
    Status.AWARDED: (Status.SUBMITTED, Status.ELIGIBLE, Status.SHORTLISTED, Status.AWARDED),
    Status.DECLINED: (Status.SUBMITTED, Status.ELIGIBLE, Status.DECLINED),
    Status.DEFERRED: (Status.SUBMITTED, Status.ELIGIBLE, Status.DEFERRED),
    Status.WITHDRAWN: (Status.SUBMITTED, Status.WITHDRAWN),
}


class _Loader:
    def __init__(self, name: str, data: dict[str, Any], actor: str, today: date):
        self.name = name
        self.data = data
        self.actor = actor
        self.where = "top"
        for section in ("sample", "fund"):
            if section not in data:
                raise SampleError(_("{name}.toml: the [{section}] table is missing.").format(
                                    name=name, section=section))
        self._check_keys(data["sample"], "sample", "[sample]")
        extra = set(data) - {"sample", "fund", "questions", "areas", "rounds", "members", "organisations",
                             "applications", "panels", "events"}
        if extra:
            raise SampleError(_("{name}.toml: unknown table(s) {extra}.").format(
                                name=name, extra=', '.join(sorted(extra))))
        as_of = data["sample"].get("written_as_of")
        if not isinstance(as_of, date):
            raise SampleError(_("{name}.toml: [sample] written_as_of must be a date such as 2026-07-31.").format(
                                name=name))
        self.as_of = as_of
        self.years = 0
        while shift_years(as_of, self.years + 1) <= today:
            self.years += 1
        self.officer = data["sample"].get("officer", "Grants officer")
        self.fund_code = str(data["fund"].get("code", "")).upper()
        self.panels: dict[int, tuple[Any, list[Any]]] = {}  # round id → (panel, its criteria)
        self.panel_reasons: dict[int, str] = {}  # application id → why the panel decided against the scores

    # values -------------------------------------------------------------------------------------
    def _check_keys(self, table: Any, kind: str, where: str) -> None:
        if not isinstance(table, dict):
            raise SampleError(_("{name}.toml: {where} should be a table.").format(name=self.name, where=where))
        extra = set(table) - _KEYS[kind]
        if extra:
            raise SampleError(_("{name}.toml: {where}: unknown key(s) {extra}.").format(
                                name=self.name, where=where, extra=', '.join(sorted(extra))))

    def _date(self, value: Any, what: str, *, planned: bool = False) -> date | None:
        """A date from the file, moved forward; only planned dates may lie after ``written_as_of``."""
        if value is None:
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValidationError(_("{what} must be a date such as 2026-05-12, not {value!r}.").format(
                                    what=what, value=value))
        if not planned and value > self.as_of:
            raise ValidationError(_("{what} {value} is after written_as_of ({as_of}); it has not happened yet.").format(
                                    what=what, value=value, as_of=self.as_of))
        return shift_years(value, self.years)

    def _moment(self, day: date | None) -> datetime | None:
        return datetime.combine(day, time(10, 0)) if day else None

    def _year(self, value: Any, what: str) -> int:
        if not isinstance(value, int):
            raise ValidationError(_("{what} must be a year such as 2026.").format(what=what))
        return value + self.years

    def _money(self, value: Any, what: str) -> int:
        return parse_money(str(value), field=what)

    def _required(self, table: dict[str, Any], key: str) -> Any:
        if key not in table or table[key] in ("", None):
            raise ValidationError(_("“{key}” is required.").format(key=key))
        return table[key]

    # loading ------------------------------------------------------------------------------------
    def load(self, session) -> int:
        d, actor = self.data, self.actor
        # The fund itself is a fund definition (what `funds create --from` reads), moved forward like
        # the rest of the sample; only its applicants, decisions and events are the sample's own.
        self.where = "the fund definition"
        definition = read_definition({k: v for k, v in d.items() if k in DEFINITION_TABLES},
                                     source=f"{self.name}.toml")
        for i, r in enumerate(definition.rounds):
            self.where = f"rounds[{i + 1}]"
            self._date(r.opens_on, "opens_on")  # a round in the sample has opened by written_as_of
        self.where = "the fund definition"
        built = build_fund(session, definition.moved_forward(self.years), actor=actor)
        fund = built.fund
        self.questions_by_fund = {fund.id: definition.questions}
        areas = built.areas

        def area_named(value: Any):
            if value is None:
                return None
            if value not in areas:
                raise ValidationError(_("area “{value}” is not one of the fund's [[areas]].").format(value=value))
            return areas[value]

        rounds = built.rounds
        members = built.members
        for panel, criteria, round_key in built.panels:
            if round_key is not None:
                self.panels[rounds[round_key].id] = (panel, criteria)

        orgs = {}
        for i, o in enumerate(d.get("organisations", [])):
            self.where = f"organisations[{i + 1}]"
            self._check_keys(o, "organisation", self.where)
            org = organisations.find_or_add_organisation(
                session, actor=actor, name=self._required(o, "name"), org_type=self._required(o, "type"),
                charity_number=o.get("charity_number"), company_number=o.get("company_number"),
                address=o.get("address", ""), postcode=o.get("postcode", ""), website=o.get("website", ""),
            )
            contacts = []
            for j, c in enumerate(o.get("contacts", [])):
                self.where = f"organisations[{i + 1}].contacts[{j + 1}]"
                self._check_keys(c, "contact", self.where)
                contacts.append(organisations.find_or_add_contact(
                    session, actor=actor, organisation=org, name=self._required(c, "name"),
                    email=c.get("email", ""), phone=c.get("phone", ""), role=c.get("role", ""),
                    letter_language=c.get("language", fund.default_language),
                ))
            orgs[self._required(o, "key")] = (org, contacts)

        count = 0
        keyed: dict[str, Application] = {}
        for i, a in enumerate(d.get("applications", [])):
            self.where = f"applications[{i + 1}] ({a.get('title', 'untitled')})"
            self._check_keys(a, "application", f"applications[{i + 1}]")
            app = self._load_application(session, fund, a, areas=areas, rounds=rounds, members=members, orgs=orgs,
                                         area_named=area_named)
            if "key" in a:
                if a["key"] in keyed:
                    raise ValidationError(_("the key “{key}” is used by two applications.").format(key=a['key']))
                keyed[a["key"]] = app
            count += 1
        for panel, _criteria in self.panels.values():
            self.where = f"[[panels]] {panel.name}"
            sample_votes.add_decisions(self, session, panel, self.panel_reasons)
        for i, e in enumerate(d.get("events", [])):
            self.where = f"events[{i + 1}] ({e.get('name', 'unnamed')})"
            sample_votes.add_event(self, session, fund, e, rounds, keyed)
        self.where = "[[rounds]]"
        for rnd in rounds.values():
            awarded = session.scalar(
                select(func.coalesce(func.sum(Award.amount_pence), 0))
                .join(Application, Application.id == Award.application_id)
                .where(Application.round_id == rnd.id)
            )
            if rnd.budget_pence is not None and awarded > rnd.budget_pence:
                raise ValidationError(
                    _("round “{name}” awards {awarded}, more than its budget of {budget}.").format(
                      name=rnd.name, awarded=format_money(awarded), budget=format_money(rnd.budget_pence))
                )
        audit(session, actor=actor, action="sample.load", entity="fund", entity_id=fund.id,
              summary=f"Loaded sample fund {self.name} ({count} applications)",
              after={"years_moved": self.years})
        return count

    def _answers(self, raw: dict[str, Any], fund) -> dict[str, Any]:
        """Answers to the fund's questions, checked as the form would check them."""
        asked = {q.key: q for q in self.questions_by_fund.get(fund.id, ())}
        unknown = set(raw) - set(asked)
        if unknown:
            raise ValidationError(_("answers to questions the fund does not ask: {unknown}.").format(
                                    unknown=', '.join(sorted(unknown))))
        answers, errors = clean_answers(tuple(asked.values()), dict(raw))
        required_missing = {f for f in errors if f.removeprefix("answers.") not in raw}
        errors = {f: m for f, m in errors.items() if f not in required_missing}
        if errors:
            raise ValidationError("; ".join(errors.values()))
        return answers

    def _steps(self, a: dict[str, Any], final: Status) -> list[tuple[Status, date | None, str | None]]:
        """The moves from draft to ``final``: ``path`` entries are a status or {status, on, reason}."""
        if "path" not in a:
            return [(s, None, None) for s in _ROUTES[final]]
        steps = []
        for j, entry in enumerate(a["path"]):
            if isinstance(entry, str):
                entry = {"status": entry}
            self._check_keys(entry, "step", f"path[{j + 1}]")
            try:
                status = Status(self._required(entry, "status"))
            except ValueError:
                raise ValidationError(_("path[{j}]: “{status}” is not an application status.").format(
                                        j=j + 1, status=entry['status'])) from None
            steps.append((status, self._date(entry.get("on"), f"path[{j + 1}].on"), entry.get("reason")))
        if not steps or steps[-1][0] is not final:
            raise ValidationError(_("path must end at the status, {final}.").format(final=final))
        return steps

    def _load_application(self, session, fund, a, *, areas, rounds, members, orgs, area_named) -> Application:
        where = self.where
        org_key = self._required(a, "organisation")
        if org_key not in orgs:
            raise ValidationError(_("organisation “{org_key}” is not one of the [[organisations]] keys.").format(
                                    org_key=org_key))
        org, contacts = orgs[org_key]
        contact = contacts[0] if contacts else None
        if "contact" in a:
            matches = [c for c in contacts if c.name == a["contact"]]
            if not matches:
                raise ValidationError(_("contact “{contact}” is not one of {name}'s contacts.").format(
                                        contact=a['contact'], name=org.name))
            contact = matches[0]
        rnd = None
        if "round" in a:
            if a["round"] not in rounds:
                raise ValidationError(_("round “{round}” is not one of the [[rounds]] keys.").format(
                                        round=a['round']))
            rnd = rounds[a["round"]]
        created = self._date(self._required(a, "created"), "created")
        officer = self.officer
        app = apps.add_application(
            session, actor=self.actor, by=officer, fund=fund, organisation=org, contact=contact, round=rnd,
            area=area_named(a.get("area")), title=self._required(a, "title"), summary=a.get("summary", ""),
            amount_requested_pence=self._money(self._required(a, "amount"), "amount"),
            project_start=self._date(a.get("project_start"), "project_start", planned=True),
            project_end=self._date(a.get("project_end"), "project_end", planned=True),
            answers=self._answers(a.get("answers", {}), fund), created_on=created, at=self._moment(created),
        )
        app.title_cy, app.summary_cy = a.get("title_cy") or None, a.get("summary_cy") or None
        try:
            final = Status(a.get("status", "draft"))
        except ValueError:
            raise ValidationError(_("status “{get}” is not an application status.").format(get=a.get('status'))) from None
        steps = self._steps(a, final)
        submitted = self._date(a.get("submitted"), "submitted") or created
        decided = self._date(a.get("decided"), "decided") or submitted
        if submitted < created or decided < submitted:
            raise ValidationError(_("dates are out of order: created ≤ submitted ≤ decided."))

        # Member decisions (and the officer's approvals) come before the award they fund.
        fy = rnd.financial_year if rnd else financial_year_of(submitted)
        approved_total = 0
        app_decisions = []
        for j, dec in enumerate(a.get("decisions", [])):
            self.where = f"{where} — decisions[{j + 1}]"
            self._check_keys(dec, "decision", f"decisions[{j + 1}]")
            name = self._required(dec, "member")
            if name not in members:
                raise ValidationError(_("member “{name}” is not one of the fund's [[members]].").format(name=name))
            member = members[name]
            on = self._date(self._required(dec, "decided_on"), "decided_on")
            if on < submitted or on > decided:
                raise ValidationError(_("a member's decision on {on} falls outside submitted–decided.").format(
                                        on=on))
            declaration = None
            disp = dec.get("dispensation") or {}
            if disp and dec.get("interest") != "dpi":
                raise ValidationError(_("a dispensation belongs with a disclosable pecuniary interest (interest = \"dpi\")."))
            if "interest" in dec:
                if disp:
                    self._check_keys(disp, "dispensation", "dispensation")
                declaration = decisions.add_interest_declaration(
                    session, actor=self.actor, application=app, member=member, declared_on=on,
                    kind=dec["interest"], nature=dec.get("interest_nature", ""),
                    dispensation_reference=disp.get("reference"),
                    dispensation_granted_on=self._date(disp.get("granted_on"), "granted_on"),
                )
            kind = dec.get("decision", "recommended")
            md = decisions.add_member_decision(
                session, actor=self.actor, application=app, member=member, decision=kind,
                reasons=self._required(dec, "reasons"), decided_on=on, financial_year=fy,
                amount_pence=self._money(dec["amount"], "amount") if kind == "recommended" else 0,
                declaration=declaration,
            )
            app_decisions.append(md)
            if "officer" in dec:
                officer_on = self._date(dec.get("officer_on"), "officer_on") or on
                if officer_on < on:
                    raise ValidationError(_("the officer's outcome is dated before the member's decision."))
                decisions.record_officer_outcome(
                    session, actor=self.actor, decision=md, outcome=dec["officer"],
                    on=officer_on, reason=dec.get("officer_reason", ""),
                    officer_name=officer,
                )
                if dec["officer"] == "approved":
                    approved_total += md.amount_pence

        # Walk the workflow to the final state through the real transition rules, dating each step.
        recommended_on = [d.decided_on for d in app_decisions if d.decision == "recommended"]
        day = submitted
        for k, (target, on, reason) in enumerate(steps):
            last = k == len(steps) - 1
            if on is None:
                if k == 0 and target is Status.SUBMITTED:
                    on = submitted
                elif last:
                    on = decided
                elif target is Status.SHORTLISTED and recommended_on:
                    on = max(recommended_on)
                else:
                    on = shift_days(day, 7 if target is not Status.SHORTLISTED else 14)
                on = max(day, min(on, decided))
            if on < day or on > decided:
                raise ValidationError(_("the move to {target} on {on} is out of order.").format(
                                        target=target, on=on))
            apps.do_transition(session, app, target, actor=self.actor, by=officer,
                               reason=reason if reason is not None else (a.get("reason", "") if last else ""),
                               reason_cy=a.get("reason_cy", "") if last and reason is None else "",
                               at=self._moment(on), on=on)
            day = on

        if final is Status.AWARDED:
            aw = a.get("award", {})
            self._check_keys(aw, "award", "award")
            amount = (
                self._money(aw["amount"], "award.amount") if "amount" in aw
                else approved_total or app.amount_requested_pence
            )
            award = decisions.add_award(
                session, actor=self.actor, application=app, amount_pence=amount,
                awarded_on=self._date(aw.get("awarded_on"), "awarded_on") or decided,
                purpose=aw.get("purpose", ""), conditions=aw.get("conditions", ""),
                purpose_cy=aw.get("purpose_cy", ""), conditions_cy=aw.get("conditions_cy", ""),
                spend_by=self._date(aw.get("spend_by"), "spend_by", planned=True) or (rnd.spend_by if rnd else None),
            )
            sample_outcomes.add_learning(self, session, award, a)
        elif "award" in a:
            raise ValidationError(_("has an [award] but its status is not awarded."))
        else:
            sample_outcomes.check_not_awarded(a)
        if "panel" in a:
            if rnd is None or rnd.id not in self.panels:
                raise ValidationError(_("has [panel] scores but no panel decides its round."))
            panel, criteria = self.panels[rnd.id]
            sample_votes.add_scores(self, session, panel, criteria, app, a["panel"], decided)
            self.panel_reasons[app.id] = a["panel"].get("reason", "")
        return app
