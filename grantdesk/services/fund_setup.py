"""Setting up a fund and changing how it is set up: the New Fund wizard, Fund Settings, definition files.

Every use case here is one transaction (``@transactional``): a fund made from a definition (the
wizard's answers or a TOML file) is made whole or not at all, and every change to an existing fund
is checked against what is already decided — an allotment below what a member has committed, a
round's dates that would leave out applications already submitted in it, an area that applications
use — and refused with the reason. Every change is audited.

``build_fund`` shares its caller's transaction: the sample loader builds a sample's fund with it
before adding the sample's invented applicants.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantdesk.domain.dates import financial_year_label
from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.fund_definition import (
    ONS_CODE,
    AllotmentSpec,
    AreaSpec,
    CriterionSpec,
    DefinitionError,
    FundDefinition,
    FundSpec,
    MemberSpec,
    PanellistSpec,
    PanelSpec,
    RoundSpec,
    definition_table,
    read_definition,
)
from grantdesk.domain.fund_settings import parse_settings
from grantdesk.domain.money import format_money
from grantdesk.services import decisions, funds, questions
from grantdesk.services.common import actor_or_default, audit, fund_by_code
from grantdesk.store.database import Database
from grantdesk.store.models import (
    Allotment,
    Application,
    Area,
    Award,
    FundArea,
    Member,
    Panel,
    PanelCriterion,
    Panellist,
    PanelScore,
    Round,
)
from grantdesk.store.queries import questions_for
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.i18n import _

# --- making a fund ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    """What ``build_fund`` made, by the names the definition used (for a caller adding more)."""

    fund: Any
    areas: dict[str, Area]
    rounds: dict[str, Round]  # by the round's key
    members: dict[str, Member]
    panels: list[tuple[Panel, list[PanelCriterion], str | None]]  # with the key of the round it decides


@dataclass(frozen=True)
class FundCreated:
    fund_code: str
    name: str
    areas: int
    rounds: int
    members: int
    panels: int
    questions: int

    @property
    def summary(self) -> str:
        parts = [f"{n} {what}{'' if n == 1 else 's'}" for n, what in
                 ((self.areas, "area"), (self.rounds, "round"), (self.members, "member"), (self.panels, "panel"),
                  (self.questions, "question")) if n]
        return f"Created {self.name} ({self.fund_code})" + (": " + ", ".join(parts) if parts else "") + "."


def build_fund(session: Session, d: FundDefinition, *, actor: str) -> Built:
    """Make the fund ``d`` describes in the caller's transaction."""
    f = d.fund
    fund = funds.add_fund(
        session, actor=actor, code=f.code, name=f.name, council=f.council, decision_model=f.decision_model,
        currency=f.currency, funder_org_id=f.funder_org_id or None, funder_department=f.funder_department or None,
        prefix_360g=f.prefix_360g or None, description=f.description, min_amount_pence=f.min_amount_pence,
        max_amount_pence=f.max_amount_pence, default_language=f.default_language,
        bilingual_letters=f.bilingual_letters, settings=dict(f.settings))
    if d.questions:
        questions.put_questions(session, actor=actor, fund=fund, questions=list(d.questions))
    areas = {a.name: funds.add_area(session, fund=fund, name=a.name, kind=a.kind, council=fund.council,
                                    ons_code=a.ons_code or None) for a in d.areas}
    by_folded = {name.casefold(): area for name, area in areas.items()}
    rounds = {}
    for r in d.rounds:
        rounds[r.key] = funds.add_round(session, actor=actor, fund=fund, name=r.title, financial_year=r.financial_year,
                                        opens_on=r.opens_on, closes_on=r.closes_on, decision_on=r.decision_on,
                                        spend_by=r.spend_by, budget_pence=r.budget_pence)
    members = {}
    for m in d.members:
        member = funds.add_member(session, actor=actor, fund=fund, name=m.name,
                                  area=by_folded.get(m.area.casefold()) if m.area else None, party=m.party,
                                  email=m.email)
        for a in m.allotments:
            funds.set_allotment(session, actor=actor, member=member, financial_year=a.year, amount_pence=a.amount_pence)
        members[m.name] = member
    panels = []
    for p in d.panels:
        rnd = rounds.get(p.round) if p.round else None
        panel = decisions.add_panel(session, actor=actor, fund_id=fund.id, round_id=rnd.id if rnd else None,
                                    name=p.name, panellists=[(x.name, x.area) for x in p.panellists])
        panel.notes = p.deliberation
        panels.append((panel, _add_criteria(session, panel, p.criteria), p.round))
    session.flush()
    return Built(fund, areas, rounds, members, panels)


def _add_criteria(session: Session, panel: Panel, criteria: tuple[CriterionSpec, ...], start: int = 1
                  ) -> list[PanelCriterion]:
    out = []
    for n, c in enumerate(criteria, start=start):
        crit = PanelCriterion(panel_id=panel.id, name=c.name, description=c.description, weight=c.weight, low=c.low,
                              high=c.high, position=n)
        session.add(crit)
        out.append(crit)
    session.flush()
    return out


def _created(d: FundDefinition) -> FundCreated:
    return FundCreated(d.fund.code, d.fund.name, len(d.areas), len(d.rounds), len(d.members), len(d.panels),
                       len(d.questions))


@transactional
def create_fund(uow: UnitOfWork, definition: FundDefinition, *, actor: str | None = None) -> FundCreated:
    """Make a whole fund (the New Fund wizard's one action)."""
    build_fund(uow.session, definition, actor=actor_or_default(actor))
    return _created(definition)


def read_definition_file(path: Path) -> FundDefinition:
    """A definition file, checked; every mistake is named by its key (``DefinitionError``)."""
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError([("file", f"not valid TOML: {exc}")], Path(path).name) from None
    except OSError as exc:
        raise ValidationError(_("{name} cannot be read: {value}.").format(
                                name=Path(path).name, value=exc.strerror or exc), "file") from None
    return read_definition(data, source=Path(path).name)


@transactional
def create_fund_from_file(uow: UnitOfWork, path: Path, *, actor: str | None = None) -> FundCreated:
    """``funds create --from FILE.toml``, and *Open a fund definition file* in the app."""
    definition = read_definition_file(path)
    build_fund(uow.session, definition, actor=actor_or_default(actor))
    return _created(definition)


# --- reading a fund as a definition -----------------------------------------------------------------


def _definition(s: Session, code: str) -> FundDefinition:
    fund = fund_by_code(s, code)
    rounds = list(s.scalars(select(Round).where(Round.fund_id == fund.id).order_by(Round.opens_on, Round.id)))
    keys = {r.id: f"round{i + 1}" for i, r in enumerate(rounds)}
    members = list(s.scalars(select(Member).where(Member.fund_id == fund.id).order_by(Member.id)))
    allotments: dict[int, list[AllotmentSpec]] = {}
    for a in s.scalars(select(Allotment).join(Member).where(Member.fund_id == fund.id)
                       .order_by(Allotment.financial_year.desc())):
        allotments.setdefault(a.member_id, []).append(AllotmentSpec(a.financial_year, a.amount_pence))
    panels = []
    for p in s.scalars(select(Panel).where(Panel.fund_id == fund.id).order_by(Panel.id)):
        crits = s.scalars(select(PanelCriterion).where(PanelCriterion.panel_id == p.id)
                          .order_by(PanelCriterion.position, PanelCriterion.id))
        panels.append(PanelSpec(p.name, keys.get(p.round_id) if p.round_id else None,
                                tuple(PanellistSpec(x.name, x.area_description) for x in p.panellists if x.active),
                                tuple(CriterionSpec(c.name, c.weight, c.low, c.high, c.description) for c in crits),
                                p.notes or ""))
    return FundDefinition(
        FundSpec(fund.code, fund.name, fund.council, fund.decision_model, fund.currency, fund.funder_org_id or "",
                 fund.funder_department or "", fund.prefix_360g or "", fund.description or "",
                 fund.min_amount_pence, fund.max_amount_pence, fund.default_language, bool(fund.bilingual_letters),
                 parse_settings(fund.settings or {})),
        questions_for(s.connection(), fund.id),
        tuple(AreaSpec(a.name, a.kind, a.ons_code or "") for a in fund.areas),
        tuple(RoundSpec(keys[r.id], r.name, r.financial_year, r.opens_on, r.closes_on, r.decision_on, r.spend_by,
                        r.budget_pence) for r in rounds),
        tuple(MemberSpec(m.name, m.area.name if m.area else None, m.party or "", m.email or "",
                         tuple(allotments.get(m.id, ()))) for m in members if m.active),
        tuple(panels),
    )


def fund_definition(db: Database, code: str) -> FundDefinition:
    """Everything that defines the fund (``funds show``, ``funds export``)."""
    with db.session() as s:
        return _definition(s, code)


def definition_toml(d: FundDefinition) -> str:
    import tomli_w

    head = (f"# {d.fund.name} — a GrantDesk fund definition.\n"
            "# Create it in another database with: python -m grantdesk funds create --from THIS_FILE\n\n")
    return head + tomli_w.dumps(_without_none(definition_table(d)), multiline_strings=True)


def _without_none(value: Any) -> Any:
    """TOML has no null: a key with no value (the last monitoring band's ``up_to``) is left out."""
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_without_none(v) for v in value]
    return value


def definition_json(d: FundDefinition) -> dict[str, Any]:
    """The definition as JSON-able data (dates as ISO text)."""
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, date):
            return value.isoformat()
        return value
    return plain(definition_table(d))


# --- the fund as Fund Settings shows it ------------------------------------------------------------------


@dataclass(frozen=True)
class RoundView:
    id: int
    spec: RoundSpec
    submitted: int  # applications submitted in it
    awarded_pence: int

    @property
    def state(self) -> str:
        now = date.today()
        if now < self.spec.opens_on:
            return "not open yet"
        return "open" if now <= self.spec.closes_on else "closed"


@dataclass(frozen=True)
class MemberView:
    id: int
    spec: MemberSpec
    committed_pence: dict[int, int]  # by financial year: recommended or approved


@dataclass(frozen=True)
class PanelView:
    id: int
    spec: PanelSpec
    round_id: int | None
    scored: frozenset[str]  # criteria that have scores (cannot be removed)


@dataclass(frozen=True)
class AreaView:
    spec: AreaSpec
    used_by: int  # applications and members in it


@dataclass(frozen=True)
class FundSetup:
    """Everything Fund Settings shows, with ids to change each part."""

    definition: FundDefinition
    areas: tuple[AreaView, ...]
    rounds: tuple[RoundView, ...]
    members: tuple[MemberView, ...]
    panels: tuple[PanelView, ...]
    applications: int


def fund_setup(db: Database, code: str) -> FundSetup:
    with db.session() as s:
        d = _definition(s, code)
        fund = fund_by_code(s, code)
        used: dict[int, int] = {}
        for area_id, n in s.execute(select(Application.area_id, func.count()).where(Application.fund_id == fund.id)
                                    .group_by(Application.area_id)):
            if area_id is not None:
                used[area_id] = used.get(area_id, 0) + n
        for area_id, n in s.execute(select(Member.area_id, func.count()).where(Member.fund_id == fund.id)
                                    .group_by(Member.area_id)):
            if area_id is not None:
                used[area_id] = used.get(area_id, 0) + n
        area_views = tuple(AreaView(spec, used.get(a.id, 0)) for spec, a in zip(d.areas, fund.areas, strict=True))
        rounds = list(s.scalars(select(Round).where(Round.fund_id == fund.id).order_by(Round.opens_on, Round.id)))
        round_views = tuple(RoundView(r.id, spec, _submitted(s, r.id), _awarded(s, r.id))
                            for spec, r in zip(d.rounds, rounds, strict=True))
        members = [m for m in s.scalars(select(Member).where(Member.fund_id == fund.id).order_by(Member.id)) if m.active]
        member_views = tuple(MemberView(m.id, spec, {a.year: _committed(s, m, a.year) for a in spec.allotments})
                             for spec, m in zip(d.members, members, strict=True))
        panels = list(s.scalars(select(Panel).where(Panel.fund_id == fund.id).order_by(Panel.id)))
        panel_views = tuple(PanelView(p.id, spec, p.round_id, _scored(s, p.id))
                            for spec, p in zip(d.panels, panels, strict=True))
        count = s.scalar(select(func.count()).select_from(Application).where(Application.fund_id == fund.id)) or 0
        return FundSetup(d, area_views, round_views, member_views, panel_views, count)


def _submitted(s: Session, round_id: int) -> int:
    return s.scalar(select(func.count()).select_from(Application).where(
        Application.round_id == round_id, Application.submitted_on.is_not(None))) or 0


def _awarded(s: Session, round_id: int) -> int:
    return int(s.scalar(select(func.coalesce(func.sum(Award.amount_pence), 0)).join(
        Application, Application.id == Award.application_id).where(Application.round_id == round_id)) or 0)


def _committed(s: Session, member: Member, year: int) -> int:
    pot = decisions.pot_position(s, member, year)
    return pot.committed_pence + pot.approved_pence


def _scored(s: Session, panel_id: int) -> frozenset[str]:
    return frozenset(s.scalars(select(PanelCriterion.name).join(PanelScore, PanelScore.criterion_id == PanelCriterion.id)
                               .where(PanelCriterion.panel_id == panel_id).distinct()))


# --- changing a fund ---------------------------------------------------------------------------------------


@transactional
def update_fund(uow: UnitOfWork, code: str, spec: FundSpec, *, actor: str | None = None) -> FundSpec:
    """Change the fund's details and settings (its code stays). Checked as a definition file is;
    limits that applications already awarded would break are refused."""
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    table = definition_table(FundDefinition(spec))["fund"]
    table["code"] = fund.code
    checked = read_definition({"fund": table}, source="The fund's settings").fund
    if checked.decision_model != fund.decision_model:
        applied = s.scalar(select(func.count()).select_from(Application).where(Application.fund_id == fund.id))
        if applied:
            raise ValidationError(_("{name} already has {applied} application(s) decided the {decision_model} "
                                    "way; its way of deciding cannot change now.").format(
                                    name=fund.name, applied=applied, decision_model=fund.decision_model), "decision_model")
    if checked.max_amount_pence is not None:
        biggest = s.scalar(select(func.max(Award.amount_pence)).join(Application, Application.id == Award.application_id)
                           .where(Application.fund_id == fund.id))
        if biggest and biggest > checked.max_amount_pence:
            raise ValidationError(_("An award of {biggest} has already been made; the most a grant can be cannot "
                                    "go below that.").format(biggest=format_money(biggest)), "max_amount")
    before = definition_table(_definition(s, code))["fund"]
    for attr, value in (("name", checked.name), ("council", checked.council), ("decision_model", checked.decision_model),
                        ("funder_org_id", checked.funder_org_id or None),
                        ("funder_department", checked.funder_department or None),
                        ("prefix_360g", checked.prefix_360g or None), ("description", checked.description),
                        ("min_amount_pence", checked.min_amount_pence), ("max_amount_pence", checked.max_amount_pence),
                        ("default_language", checked.default_language),
                        ("bilingual_letters", checked.bilingual_letters), ("settings", dict(checked.settings))):
        setattr(fund, attr, value)
    after = definition_table(_definition(s, code))["fund"]
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    audit(s, actor=who, action="fund.settings", entity="fund", entity_id=fund.id,
          summary=f"Settings of {fund.code} changed: {', '.join(changed) or 'nothing'}",
          before={k: before.get(k) for k in changed}, after={k: after.get(k) for k in changed})
    return checked


def _check_area(spec: AreaSpec) -> AreaSpec:
    name = " ".join(spec.name.split())
    if not name:
        raise ValidationError(_("An area needs a name."), "name")
    code = spec.ons_code.strip().upper()
    if code and not ONS_CODE.match(code):
        raise ValidationError(_("“{ons_code}” is not an ONS code: a country letter and eight digits, such as "
                                "E05013035.").format(ons_code=spec.ons_code), "ons_code")
    return AreaSpec(name, spec.kind or "ward", code)


@transactional
def add_areas(uow: UnitOfWork, code: str, areas: list[AreaSpec], *, actor: str | None = None) -> int:
    """Add wards or divisions (a pasted list); one already there is refused by name."""
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    have = {a.name.casefold() for a in fund.areas}
    checked = [_check_area(a) for a in areas]
    for a in checked:
        if a.name.casefold() in have:
            raise ValidationError(_("{name} already has an area called “{name2}”.").format(
                                    name=fund.name, name2=a.name), "name")
        have.add(a.name.casefold())
    for a in checked:
        area = funds.add_area(s, fund=fund, name=a.name, kind=a.kind, council=fund.council, ons_code=a.ons_code or None)
        if a.ons_code and area.ons_code != a.ons_code:
            area.ons_code = a.ons_code
    audit(s, actor=who, action="area.add", entity="fund", entity_id=fund.id,
          summary=f"Added {len(checked)} area(s) to {fund.code}: {', '.join(a.name for a in checked)}")
    s.expire(fund, ["areas"])
    return len(checked)


def _area(fund: Any, name: str) -> Area:
    area = next((a for a in fund.areas if a.name.casefold() == " ".join(name.split()).casefold()), None)
    if area is None:
        raise NotFound(_("{name} has no area called “{name2}”.").format(name=fund.name, name2=name))
    return area


@transactional
def change_area(uow: UnitOfWork, code: str, name: str, spec: AreaSpec, *, actor: str | None = None) -> AreaSpec:
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    area, new = _area(fund, name), _check_area(spec)
    if new.name.casefold() != area.name.casefold() and any(a.name.casefold() == new.name.casefold() for a in fund.areas):
        raise ValidationError(_("{name} already has an area called “{name2}”.").format(
                                name=fund.name, name2=new.name), "name")
    before = {"name": area.name, "kind": area.kind, "ons_code": area.ons_code}
    area.name, area.kind, area.ons_code = new.name, new.kind, new.ons_code or None
    audit(s, actor=who, action="area.change", entity="area", entity_id=area.id, summary=f"Area {before['name']} changed",
          before=before, after={"name": new.name, "kind": new.kind, "ons_code": new.ons_code or None})
    return new


@transactional
def remove_area(uow: UnitOfWork, code: str, name: str, *, actor: str | None = None) -> None:
    """Take an area off the fund; refused while applications or members use it."""
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    area = _area(fund, name)
    apps = s.scalar(select(func.count()).select_from(Application).where(Application.fund_id == fund.id,
                                                                          Application.area_id == area.id)) or 0
    people = s.scalar(select(func.count()).select_from(Member).where(Member.fund_id == fund.id,
                                                                       Member.area_id == area.id)) or 0
    if apps or people:
        uses = " and ".join(x for x in (f"{apps} application(s)" if apps else "",
                                         f"{people} member(s)" if people else "") if x)
        raise ValidationError(_("{name} cannot be removed: {uses} of {name2} are in it.").format(
                                name=area.name, uses=uses, name2=fund.name), "name")
    s.delete(s.get(FundArea, (fund.id, area.id)))
    audit(s, actor=who, action="area.remove", entity="area", entity_id=area.id,
          summary=f"Removed {area.name} from {fund.code}")
    s.expire(fund, ["areas"])


def _check_round(spec: RoundSpec) -> RoundSpec:
    table = definition_table(FundDefinition(FundSpec("X1", "x", "x"), rounds=(spec,)))["rounds"][0]
    return read_definition({"fund": {"code": "XX", "name": "x", "council": "x"}, "rounds": [table]},
                           source="The round").rounds[0]


@transactional
def add_round(uow: UnitOfWork, code: str, spec: RoundSpec, *, actor: str | None = None) -> int:
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    r = _check_round(spec)
    if s.scalar(select(Round.id).where(Round.fund_id == fund.id, Round.name == r.title)) is not None:
        raise ValidationError(_("{name} already has a round called “{title}”.").format(
                                name=fund.name, title=r.title), "name")
    rnd = funds.add_round(s, actor=who, fund=fund, name=r.title, financial_year=r.financial_year, opens_on=r.opens_on,
                          closes_on=r.closes_on, decision_on=r.decision_on, spend_by=r.spend_by,
                          budget_pence=r.budget_pence)
    return rnd.id


def _round(s: Session, fund: Any, round_id: int) -> Round:
    rnd = s.get(Round, round_id)
    if rnd is None or rnd.fund_id != fund.id:
        raise NotFound(_("{name} has no such round.").format(name=fund.name))
    return rnd


@transactional
def change_round(uow: UnitOfWork, code: str, round_id: int, spec: RoundSpec, *, actor: str | None = None) -> RoundSpec:
    """Change a round's name, dates or budget; refused when its dates would leave out applications
    already submitted in it, or its budget would be below what it has awarded."""
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    rnd, r = _round(s, fund, round_id), _check_round(spec)
    first, last = s.execute(select(func.min(Application.submitted_on), func.max(Application.submitted_on))
                            .where(Application.round_id == rnd.id)).one()
    if first is not None and (first < r.opens_on or last > r.closes_on):
        outside = first if first < r.opens_on else last
        raise ValidationError(_("An application in {name} was submitted on {outside:%d/%m/%Y}; the round's dates "
                                "must include it ({first:%d/%m/%Y} to {last:%d/%m/%Y}).").format(
                                name=rnd.name, outside=outside, first=first, last=last),
                              "opens_on" if first < r.opens_on else "closes_on")
    awarded = _awarded(s, rnd.id)
    lowered = rnd.budget_pence is None or (r.budget_pence is not None and r.budget_pence < rnd.budget_pence)
    if r.budget_pence is not None and awarded > r.budget_pence and lowered:
        # (a round already beyond its budget by a reasoned award can still have its dates changed)
        raise ValidationError(_("{name} has already awarded {awarded}; its budget cannot be less.").format(
                                name=rnd.name, awarded=format_money(awarded)),
                              "budget")
    if r.financial_year != rnd.financial_year and s.scalar(select(func.count()).select_from(Application)
                                                           .where(Application.round_id == rnd.id)):
        raise ValidationError(_("{name} already has applications; its financial year cannot change.").format(
                                name=rnd.name),
                              "financial_year")
    if r.title != rnd.name and s.scalar(select(Round.id).where(Round.fund_id == fund.id, Round.name == r.title)):
        raise ValidationError(_("{name} already has a round called “{title}”.").format(
                                name=fund.name, title=r.title), "name")
    before = {"name": rnd.name, "opens_on": str(rnd.opens_on), "closes_on": str(rnd.closes_on),
              "decision_on": str(rnd.decision_on), "spend_by": str(rnd.spend_by), "budget_pence": rnd.budget_pence}
    rnd.name, rnd.financial_year, rnd.opens_on, rnd.closes_on = r.title, r.financial_year, r.opens_on, r.closes_on
    rnd.decision_on, rnd.spend_by, rnd.budget_pence = r.decision_on, r.spend_by, r.budget_pence
    audit(s, actor=who, action="round.change", entity="round", entity_id=rnd.id, summary=f"Round {rnd.name} changed",
          before=before, after={"name": rnd.name, "opens_on": str(rnd.opens_on), "closes_on": str(rnd.closes_on),
                                "decision_on": str(rnd.decision_on), "spend_by": str(rnd.spend_by),
                                "budget_pence": rnd.budget_pence})
    return r


@transactional
def open_round(uow: UnitOfWork, code: str, round_id: int, *, on: date | None = None,
               actor: str | None = None) -> RoundSpec:
    """Open a round for applications from ``on`` (today); a closed round reopens until its old
    closing day or, if that has passed, for four more weeks."""
    s = uow.session
    fund = fund_by_code(s, code)
    rnd, day = _round(s, fund, round_id), on or date.today()
    if rnd.opens_on <= day <= rnd.closes_on:
        raise ValidationError(_("{name} is already open (until {closes_on:%d/%m/%Y}).").format(
                                name=rnd.name, closes_on=rnd.closes_on), "opens_on")
    from datetime import timedelta

    opens = min(rnd.opens_on, day)
    closes = rnd.closes_on if rnd.closes_on >= day else day + timedelta(days=28)
    return change_round.__wrapped__(uow, code, round_id, _spec(rnd, opens_on=opens, closes_on=closes), actor=actor)


@transactional
def close_round(uow: UnitOfWork, code: str, round_id: int, *, on: date | None = None,
                actor: str | None = None) -> RoundSpec:
    """Stop taking applications: the round closes at the end of ``on`` (today)."""
    s = uow.session
    fund = fund_by_code(s, code)
    rnd, day = _round(s, fund, round_id), on or date.today()
    if not rnd.opens_on <= day <= rnd.closes_on:
        raise ValidationError(_("{name} is not open, so it cannot be closed.").format(name=rnd.name), "closes_on")
    return change_round.__wrapped__(uow, code, round_id, _spec(rnd, closes_on=day), actor=actor)


def _spec(rnd: Round, **changes: Any) -> RoundSpec:
    from dataclasses import replace

    return replace(RoundSpec(f"round{rnd.id}", rnd.name, rnd.financial_year, rnd.opens_on, rnd.closes_on,
                             rnd.decision_on, rnd.spend_by, rnd.budget_pence), **changes)


def _check_member(fund: Any, spec: MemberSpec) -> MemberSpec:
    table = definition_table(FundDefinition(FundSpec("X1", "x", "x"), members=(spec,)))["members"][0]
    areas = [{"name": a.name, "kind": a.kind} for a in fund.areas]
    return read_definition({"fund": {"code": "XX", "name": "x", "council": "x"}, "areas": areas,
                            "members": [table]}, source="The member").members[0]


def _area_of(fund: Any, name: str | None) -> Area | None:
    return _area(fund, name) if name else None


@transactional
def add_member(uow: UnitOfWork, code: str, spec: MemberSpec, *, actor: str | None = None) -> int:
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    m = _check_member(fund, spec)
    if s.scalar(select(Member.id).where(Member.fund_id == fund.id, Member.name == m.name, Member.active)):
        raise ValidationError(_("{name} already has a member called {name2}.").format(name=fund.name, name2=m.name), "name")
    member = funds.add_member(s, actor=who, fund=fund, name=m.name, area=_area_of(fund, m.area), party=m.party,
                              email=m.email)
    for a in m.allotments:
        funds.set_allotment(s, actor=who, member=member, financial_year=a.year, amount_pence=a.amount_pence)
    return member.id


@transactional
def add_members(uow: UnitOfWork, code: str, specs: list[MemberSpec], *, actor: str | None = None) -> int:
    """Several members at once (pasted from a spreadsheet): all of them or none."""
    for spec in specs:
        add_member.__wrapped__(uow, code, spec, actor=actor)
    return len(specs)


@transactional
def change_member(uow: UnitOfWork, code: str, member_id: int, spec: MemberSpec, *, actor: str | None = None) -> None:
    """Change a member's details and allotments; an allotment below what they have already
    committed that year is refused, with the figures."""
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    member = s.get(Member, member_id)
    if member is None or member.fund_id != fund.id:
        raise NotFound(_("{name} has no such member.").format(name=fund.name))
    m = _check_member(fund, spec)
    for a in m.allotments:
        committed = _committed(s, member, a.year)
        if a.amount_pence < committed:
            raise ValidationError(_("{name} has already committed {committed} of their {financial_year_label} "
                                    "pot; the allotment cannot be {amount}.").format(
                                    name=member.name, committed=format_money(committed), financial_year_label=financial_year_label(a.year), amount=format_money(a.amount_pence)), "allotments")
    given = {a.year for a in m.allotments}
    for old in s.scalars(select(Allotment).where(Allotment.member_id == member.id)):
        if old.financial_year not in given:
            committed = _committed(s, member, old.financial_year)
            if committed:
                raise ValidationError(_("{name} has committed {committed} in {financial_year_label}; that year's "
                                        "allotment cannot go.").format(
                                        name=member.name, committed=format_money(committed), financial_year_label=financial_year_label(old.financial_year)),
                                      "allotments")
            s.delete(old)
    before = {"name": member.name, "area": member.area.name if member.area else None, "party": member.party,
              "email": member.email}
    member.name, member.area, member.party, member.email = m.name, _area_of(fund, m.area), m.party, m.email
    for a in m.allotments:
        funds.set_allotment(s, actor=who, member=member, financial_year=a.year, amount_pence=a.amount_pence)
    audit(s, actor=who, action="member.change", entity="member", entity_id=member.id,
          summary=f"{member.name}'s details changed", before=before,
          after={"name": m.name, "area": m.area, "party": m.party, "email": m.email})


@transactional
def add_panel(uow: UnitOfWork, code: str, spec: PanelSpec, *, round_id: int | None = None,
              actor: str | None = None) -> int:
    """Form a panel with its panellists and weighted criteria, deciding ``round_id`` (or any round)."""
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    p = _check_panel(spec)
    if round_id is not None:
        _round(s, fund, round_id)
    if s.scalar(select(Panel.id).where(Panel.fund_id == fund.id, Panel.name == p.name)):
        raise ValidationError(_("{name} already has a panel called {name2}.").format(name=fund.name, name2=p.name), "name")
    panel = decisions.add_panel(s, actor=who, fund_id=fund.id, round_id=round_id, name=p.name,
                                panellists=[(x.name, x.area) for x in p.panellists])
    _add_criteria(s, panel, p.criteria)
    return panel.id


def _check_panel(spec: PanelSpec) -> PanelSpec:
    table = definition_table(FundDefinition(FundSpec("X1", "x", "x"), panels=(spec,)))["panels"][0]
    table.pop("round", None)
    checked = read_definition({"fund": {"code": "XX", "name": "x", "council": "x"}, "panels": [table]},
                              source="The panel").panels[0]
    if not checked.criteria:
        raise ValidationError(_("A panel needs at least one criterion to score against."), "criteria")
    return checked


@transactional
def change_panel(uow: UnitOfWork, code: str, panel_id: int, spec: PanelSpec, *, round_id: int | None = None,
                 actor: str | None = None) -> None:
    """Change a panel's name, round, panellists and criteria. A panellist who leaves is kept on record
    (their scores stay); a criterion that has scores cannot be removed or have its range changed."""
    s, who = uow.session, actor_or_default(actor)
    fund = fund_by_code(s, code)
    panel = s.get(Panel, panel_id)
    if panel is None or panel.fund_id != fund.id:
        raise NotFound(_("{name} has no such panel.").format(name=fund.name))
    p = _check_panel(spec)
    if round_id is not None:
        _round(s, fund, round_id)
    scored = _scored(s, panel.id)
    crits = {c.name: c for c in s.scalars(select(PanelCriterion).where(PanelCriterion.panel_id == panel.id))}
    wanted = {c.name: c for c in p.criteria}
    for name in scored:
        if name not in wanted:
            raise ValidationError(_("“{name}” has scores already and cannot be removed.").format(name=name), "criteria")
        old, new = crits[name], wanted[name]
        if (old.low, old.high) != (new.low, new.high):
            raise ValidationError(_("“{name}” has scores from {low} to {high} already; its range cannot change.").format(
                                    name=name, low=old.low, high=old.high),
                                  "criteria")
    for name, old in crits.items():
        if name not in wanted:
            s.delete(old)
    s.flush()
    for n, c in enumerate(p.criteria, start=1):
        old = crits.get(c.name)
        if old is None:
            _add_criteria(s, panel, (c,), start=n)
        else:
            old.weight, old.low, old.high, old.description, old.position = c.weight, c.low, c.high, c.description, n
    people = {x.name: x for x in panel.panellists}
    for x in p.panellists:
        if x.name in people:
            people[x.name].active, people[x.name].area_description = True, x.area
        else:
            s.add(Panellist(panel_id=panel.id, name=x.name, area_description=x.area))
    for name, person in people.items():
        if name not in {x.name for x in p.panellists}:
            person.active = False
    panel.name, panel.round_id = p.name, round_id
    audit(s, actor=who, action="panel.change", entity="panel", entity_id=panel.id,
          summary=f"Panel {p.name} changed: {len(p.panellists)} panellists, {len(p.criteria)} criteria")

