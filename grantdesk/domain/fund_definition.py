"""A fund's definition as data: everything that makes a fund before any applicant comes.

The definition file (TOML) has the shape of ``sample_funds/*.toml`` without ``[sample]``,
``[[organisations]]``, ``[[applications]]`` and ``[[events]]``::

    [fund]            code, name, council, decision_model, funder_org_id, prefix_360g, limits …
    [fund.settings]   see grantdesk/domain/fund_settings.py
    [[questions]]     the form's own questions
    [[areas]]         wards or divisions, with ONS codes
    [[rounds]]        key, name, financial_year, opens_on, closes_on, decision_on, spend_by, budget
    [[members]]       name, area, party, email, allotments = [{year, amount}]
    [[panels]]        name, round, panellists = [{name, area}], criteria = [{name, weight, low, high}]

:func:`read_definition` checks all of it and collects every mistake with its key (``members[3].area``)
before anything is written; :func:`definition_table` gives the same table back, so exporting a fund
and creating it in another database gives the same fund.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from grantdesk.domain.dates import financial_year_label, shift_years
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.fund_settings import parse_settings
from grantdesk.domain.money import format_money, parse_money
from grantdesk.domain.questions import Question, make_question
from grantdesk.domain.references import is_valid_fund_code
from grantdesk.i18n import N_, _, ngettext

DECISION_MODEL_LABELS = {  # marked for the catalogue; translated where shown
    "member": N_("Elected members decide"),
    "panel": N_("Resident panel decides"),
    "vote": N_("Community vote"),
    "officer": N_("Officers decide"),
}
DECISION_MODELS = ("officer", "member", "panel", "vote")
LANGUAGES = ("en", "cy")
AREA_KINDS = ("ward", "division", "parish", "county", "district", "community", "other")
ONS_CODE = re.compile(r"^[EWSNK]\d{8}$")
# What councils publish under: GB-LAE (England), GB-PLA (Wales), GB-LAS (Scotland), GB-LANI (N. Ireland);
# other funders use their charity or company number.
FUNDER_ID = re.compile(r"^(GB-LAE-[A-Z]{3,4}|GB-PLA-[A-Z0-9]{3,10}|GB-LAS-[A-Z]{3,4}|GB-LANI-[A-Z]{3,4}|"
                       r"GB-CHC-\d{6,7}|GB-SC-SC\d{6}|GB-NIC-\d{5,6}|GB-COH-[A-Z0-9]{8})$")
PREFIX_360G = re.compile(r"^360G-[A-Za-z0-9][A-Za-z0-9_-]*$")

FUND_KEYS = {"code", "name", "council", "decision_model", "currency", "funder_org_id", "funder_department",
             "prefix_360g", "description", "min_amount", "max_amount", "default_language", "bilingual_letters",
             "settings"}
AREA_KEYS = {"name", "kind", "ons_code"}
ROUND_KEYS = {"key", "name", "financial_year", "opens_on", "closes_on", "decision_on", "spend_by", "budget"}
MEMBER_KEYS = {"name", "area", "party", "email", "allotments"}
ALLOTMENT_KEYS = {"year", "amount"}
PANEL_KEYS = {"name", "round", "panellists", "criteria", "deliberation"}
PANELLIST_KEYS = {"name", "area"}
CRITERION_KEYS = {"name", "weight", "low", "high", "description"}
QUESTION_KEYS = {"key", "label", "kind", "choices", "required", "help"}
TABLES = {"fund", "questions", "areas", "rounds", "members", "panels"}


class DefinitionError(ValidationError):
    """A definition with mistakes; ``problems`` lists each as (key, what is wrong). Nothing is written."""

    def __init__(self, problems: list[tuple[str, str]], source: str = N_("The fund definition")):
        self.problems = list(problems)
        lines = "\n".join(f"  {key}: {what}" for key, what in self.problems)
        count = len(self.problems)
        super().__init__(ngettext("{source} has {count} mistake; nothing was written:\n{lines}",
                                  "{source} has {count} mistakes; nothing was written:\n{lines}", count).format(
                             source=_(source), count=count, lines=lines), self.problems[0][0] if self.problems else None)


@dataclass(frozen=True)
class AreaSpec:
    name: str
    kind: str = "ward"
    ons_code: str = ""


@dataclass(frozen=True)
class RoundSpec:
    key: str
    name: str  # may hold {fy}, written as the financial year ("2026–27") when the round is made
    financial_year: int
    opens_on: date
    closes_on: date
    decision_on: date | None = None
    spend_by: date | None = None
    budget_pence: int | None = None

    @property
    def title(self) -> str:
        return self.name.replace("{fy}", financial_year_label(self.financial_year))


@dataclass(frozen=True)
class AllotmentSpec:
    year: int
    amount_pence: int


@dataclass(frozen=True)
class MemberSpec:
    name: str
    area: str | None = None
    party: str = ""
    email: str = ""
    allotments: tuple[AllotmentSpec, ...] = ()


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    weight: int = 1
    low: int = 0
    high: int = 5
    description: str = ""


@dataclass(frozen=True)
class PanellistSpec:
    name: str
    area: str = ""


@dataclass(frozen=True)
class PanelSpec:
    name: str
    round: str | None = None  # a round's key
    panellists: tuple[PanellistSpec, ...] = ()
    criteria: tuple[CriterionSpec, ...] = ()
    deliberation: str = ""


@dataclass(frozen=True)
class FundSpec:
    code: str
    name: str
    council: str
    decision_model: str = "officer"
    currency: str = "GBP"
    funder_org_id: str = ""
    funder_department: str = ""
    prefix_360g: str = ""
    description: str = ""
    min_amount_pence: int | None = None
    max_amount_pence: int | None = None
    default_language: str = "en"
    bilingual_letters: bool = False
    settings: dict[str, Any] = field(default_factory=dict)  # in stored form (parse_settings)


@dataclass(frozen=True)
class FundDefinition:
    fund: FundSpec
    questions: tuple[Question, ...] = ()
    areas: tuple[AreaSpec, ...] = ()
    rounds: tuple[RoundSpec, ...] = ()
    members: tuple[MemberSpec, ...] = ()
    panels: tuple[PanelSpec, ...] = ()

    def moved_forward(self, years: int) -> FundDefinition:
        """The same fund ``years`` later: every date and financial year moved (the samples stay current)."""
        if not years:
            return self

        def day(d: date | None) -> date | None:
            return shift_years(d, years) if d else None

        return replace(
            self,
            rounds=tuple(replace(r, financial_year=r.financial_year + years, opens_on=day(r.opens_on),
                                 closes_on=day(r.closes_on), decision_on=day(r.decision_on),
                                 spend_by=day(r.spend_by)) for r in self.rounds),
            members=tuple(replace(m, allotments=tuple(AllotmentSpec(a.year + years, a.amount_pence)
                                                      for a in m.allotments)) for m in self.members),
        )


# --- reading -----------------------------------------------------------------------------------------


class _Reader:
    def __init__(self) -> None:
        self.problems: list[tuple[str, str]] = []

    def problem(self, key: str, what: str) -> None:
        self.problems.append((key, what))

    def table(self, value: Any, where: str, keys: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(where, _("should be a table"))
            return None
        for extra in sorted(set(value) - keys):
            self.problem(f"{where}.{extra}", _("is not a key here; use {keys}").format(keys=', '.join(sorted(keys))))
        return dict(value)

    def tables(self, data: Mapping[str, Any], name: str) -> list[Any]:
        value = data.get(name, [])
        if not isinstance(value, list):
            self.problem(name, _("should be a list of tables ([[{name}]])").format(name=name))
            return []
        return value

    def text(self, table: Mapping[str, Any], key: str, where: str, *, required: bool = False, default: str = "") -> str:
        value = table.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(f"{where}.{key}", _("is required"))
            return default
        if not isinstance(value, str):
            self.problem(f"{where}.{key}", _("should be text, not {value!r}").format(value=value))
            return default
        return value.strip()

    def integer(self, table: Mapping[str, Any], key: str, where: str, default: int | None = None,
                *, required: bool = False) -> int | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", _("is required"))
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(f"{where}.{key}", _("should be a whole number, not {value!r}").format(value=value))
            return default
        return value

    def day(self, table: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> date | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", _("is required"))
            return None
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(f"{where}.{key}", _("should be a date such as 2026-04-01, not {value!r}").format(
                                             value=value))
            return None
        return value

    def money(self, table: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> int | None:
        value = table.get(key)
        if value is None:
            if required:
                self.problem(f"{where}.{key}", _("is required"))
            return None
        if isinstance(value, (bool, float)):
            self.problem(f"{where}.{key}", _("write money as text such as \"2500.00\", not {value!r}").format(
                                             value=value))
            return None
        try:
            pence = parse_money(str(value), field=key)
        except ValidationError as exc:
            self.problem(f"{where}.{key}", str(exc))
            return None
        if pence < 0:
            self.problem(f"{where}.{key}", _("cannot be negative"))
            return None
        return pence

    def unique(self, names: list[tuple[str, str]], what: str) -> None:
        seen: dict[str, str] = {}
        for where, name in names:
            folded = name.casefold()
            if folded in seen:
                self.problem(where, _("{what} “{name}” is already given at {seen}").format(
                                      what=what, name=name, seen=seen[folded]))
            else:
                seen[folded] = where


def read_definition(data: Mapping[str, Any], *, source: str = N_("The fund definition"),
                    extra_tables: frozenset[str] = frozenset()) -> FundDefinition:
    """Check a definition table (read from TOML) and make it a :class:`FundDefinition`, or raise
    :class:`DefinitionError` listing every mistake by its key. ``extra_tables`` are tables a caller
    reads itself (the samples' applications) and this function leaves alone."""
    r = _Reader()
    for extra in sorted(set(data) - TABLES - extra_tables):
        r.problem(extra, _("is not part of a fund definition; use {tables}").format(
                           tables=', '.join(sorted(TABLES))))
    f = r.table(data.get("fund"), "fund", FUND_KEYS) if "fund" in data else None
    if f is None:
        if "fund" not in data:
            r.problem("fund", _("the [fund] table is missing"))
        raise DefinitionError(r.problems, source)
    fund = _read_fund(r, f)

    questions = []
    for i, q in enumerate(r.tables(data, "questions")):
        where = f"questions[{i + 1}]"
        q = r.table(q, where, QUESTION_KEYS)
        if q is None:
            continue
        try:
            questions.append(make_question(str(q.get("key", "")), str(q.get("label", "")), str(q.get("kind", "")),
                                           q.get("choices", ()), bool(q.get("required", False)),
                                           str(q.get("help", ""))))
        except ValidationError as exc:
            r.problem(f"{where}.{exc.field or 'key'}", str(exc))
    r.unique([(f"questions[{i + 1}].key", q.key) for i, q in enumerate(questions)], "the question key")

    areas = []
    for i, a in enumerate(r.tables(data, "areas")):
        where = f"areas[{i + 1}]"
        a = r.table(a, where, AREA_KEYS)
        if a is None:
            continue
        kind = r.text(a, "kind", where, default="ward")
        if kind not in AREA_KINDS:
            r.problem(f"{where}.kind", _("“{kind}” is not a kind of area; use {area_kinds}").format(
                                         kind=kind, area_kinds=', '.join(AREA_KINDS)))
        code = r.text(a, "ons_code", where).upper()
        if code and not ONS_CODE.match(code):
            r.problem(f"{where}.ons_code", _("“{code}” is not an ONS code: a country letter and eight digits, "
                                             "such as E05013035").format(code=code))
        areas.append(AreaSpec(r.text(a, "name", where, required=True), kind, code))
    r.unique([(f"areas[{i + 1}].name", a.name) for i, a in enumerate(areas) if a.name], "the area")
    area_names = {a.name.casefold() for a in areas}

    rounds = []
    for i, x in enumerate(r.tables(data, "rounds")):
        where = f"rounds[{i + 1}]"
        x = r.table(x, where, ROUND_KEYS)
        if x is None:
            continue
        rnd = _read_round(r, x, where, i)
        if rnd is not None:
            rounds.append(rnd)
    r.unique([(f"rounds[{i + 1}].key", x.key) for i, x in enumerate(rounds)], "the round key")
    r.unique([(f"rounds[{i + 1}].name", x.title) for i, x in enumerate(rounds)], "the round name")
    round_keys = {x.key for x in rounds}

    members = []
    for i, m in enumerate(r.tables(data, "members")):
        where = f"members[{i + 1}]"
        m = r.table(m, where, MEMBER_KEYS)
        if m is None:
            continue
        area = r.text(m, "area", where) or None
        if area and area.casefold() not in area_names:
            r.problem(f"{where}.area", _("“{area}” is not one of the fund's [[areas]]").format(area=area))
        allotments = []
        raw = m.get("allotments", [])
        for j, a in enumerate(raw if isinstance(raw, list) else []):
            at = f"{where}.allotments[{j + 1}]"
            a = r.table(a, at, ALLOTMENT_KEYS)
            if a is None:
                continue
            year = r.integer(a, "year", at, required=True)
            amount = r.money(a, "amount", at, required=True)
            if year is not None and amount is not None:
                allotments.append(AllotmentSpec(year, amount))
        if not isinstance(raw, list):
            r.problem(f"{where}.allotments", _("should be a list such as [{ year = 2026, amount = \"2500.00\" }]"))
        r.unique([(f"{where}.allotments[{j + 1}].year", str(a.year)) for j, a in enumerate(allotments)], "the year")
        members.append(MemberSpec(r.text(m, "name", where, required=True), area, r.text(m, "party", where),
                                  r.text(m, "email", where), tuple(allotments)))
    r.unique([(f"members[{i + 1}].name", m.name) for i, m in enumerate(members) if m.name], "the member")

    panels = []
    for i, p in enumerate(r.tables(data, "panels")):
        where = f"panels[{i + 1}]"
        p = r.table(p, where, PANEL_KEYS)
        if p is None:
            continue
        rnd = r.text(p, "round", where) or None
        if rnd and rnd not in round_keys:
            r.problem(f"{where}.round", _("“{rnd}” is not the key of one of the fund's [[rounds]]").format(rnd=rnd))
        people = []
        for j, person in enumerate(p.get("panellists", []) or []):
            at = f"{where}.panellists[{j + 1}]"
            person = r.table(person, at, PANELLIST_KEYS)
            if person is not None:
                people.append(PanellistSpec(r.text(person, "name", at, required=True), r.text(person, "area", at)))
        r.unique([(f"{where}.panellists[{j + 1}].name", x.name) for j, x in enumerate(people) if x.name],
                 "the panellist")
        criteria = []
        for j, c in enumerate(p.get("criteria", []) or []):
            at = f"{where}.criteria[{j + 1}]"
            c = r.table(c, at, CRITERION_KEYS)
            if c is None:
                continue
            weight = r.integer(c, "weight", at, 1)
            low, high = r.integer(c, "low", at, 0), r.integer(c, "high", at, 5)
            if weight is not None and weight < 1:
                r.problem(f"{at}.weight", _("should be 1 or more"))
            if low is not None and high is not None and high <= low:
                r.problem(f"{at}.high", _("should be above low ({low})").format(low=low))
            criteria.append(CriterionSpec(r.text(c, "name", at, required=True), weight or 1, low or 0,
                                          high if high is not None else 5, r.text(c, "description", at)))
        r.unique([(f"{where}.criteria[{j + 1}].name", c.name) for j, c in enumerate(criteria) if c.name],
                 "the criterion")
        panels.append(PanelSpec(r.text(p, "name", where, required=True), rnd, tuple(people), tuple(criteria),
                                r.text(p, "deliberation", where)))
    r.unique([(f"panels[{i + 1}].name", p.name) for i, p in enumerate(panels) if p.name], "the panel")

    if r.problems:
        raise DefinitionError(r.problems, source)
    return FundDefinition(fund, tuple(questions), tuple(areas), tuple(rounds), tuple(members), tuple(panels))


def _read_fund(r: _Reader, f: dict[str, Any]) -> FundSpec:
    code = r.text(f, "code", "fund", required=True).upper()
    if code and not is_valid_fund_code(code):
        r.problem("fund.code", _("“{code}” cannot be a fund code: use 2 to 12 capital letters or digits, "
                                 "starting with a letter").format(code=code))
    model = r.text(f, "decision_model", "fund", default="officer")
    if model not in DECISION_MODELS:
        r.problem("fund.decision_model", _("“{model}” is not a way of deciding; use {decision_models}").format(
                                           model=model, decision_models=', '.join(DECISION_MODELS)))
    funder = r.text(f, "funder_org_id", "fund").upper()
    if funder and not FUNDER_ID.match(funder):
        r.problem("fund.funder_org_id", _("“{funder}” is not an organisation identifier for a funder: councils "
                                          "use GB-LAE-… (England, such as GB-LAE-STS), GB-PLA-… (Wales), "
                                          "GB-LAS-… (Scotland) or GB-LANI-… (Northern Ireland)").format(
                                          funder=funder))
    prefix = r.text(f, "prefix_360g", "fund")
    if prefix and not PREFIX_360G.match(prefix):
        r.problem("fund.prefix_360g", _("“{prefix}” is not a 360Giving prefix: it starts 360G-, such as "
                                        "360G-staffordshirecc").format(prefix=prefix))
    low, high = r.money(f, "min_amount", "fund"), r.money(f, "max_amount", "fund")
    if low is not None and high is not None and low > high:
        r.problem("fund.min_amount", _("{low} is more than max_amount ({high})").format(
                                       low=format_money(low), high=format_money(high)))
    language = r.text(f, "default_language", "fund", default="en")
    if language not in LANGUAGES:
        r.problem("fund.default_language", _("should be en or cy"))
    bilingual = f.get("bilingual_letters", False)
    if not isinstance(bilingual, bool):
        r.problem("fund.bilingual_letters", _("should be true or false"))
        bilingual = False
    currency = r.text(f, "currency", "fund", default="GBP")
    if currency != "GBP":
        r.problem("fund.currency", _("GrantDesk keeps funds in pounds (GBP)"))
    settings: dict[str, Any] = {}
    try:
        settings = parse_settings(f.get("settings") or {}, where="fund.settings")
    except ValidationError as exc:
        r.problem(f"fund.settings.{exc.field}", str(exc).split(": ", 1)[-1])
    return FundSpec(code, r.text(f, "name", "fund", required=True), r.text(f, "council", "fund", required=True),
                    model, currency, funder, r.text(f, "funder_department", "fund"), prefix,
                    r.text(f, "description", "fund"), low, high, language, bilingual, settings)


def _read_round(r: _Reader, x: dict[str, Any], where: str, i: int) -> RoundSpec | None:
    fy = r.integer(x, "financial_year", where, required=True)
    opens, closes = r.day(x, "opens_on", where, required=True), r.day(x, "closes_on", where, required=True)
    decision, spend = r.day(x, "decision_on", where), r.day(x, "spend_by", where)
    if opens and closes and closes < opens:
        r.problem(f"{where}.closes_on", _("{closes:%d/%m/%Y} is before opens_on ({opens:%d/%m/%Y})").format(
                                          closes=closes, opens=opens))
    if closes and decision and decision < closes:
        r.problem(f"{where}.decision_on", _("{decision:%d/%m/%Y} is before the round closes ({closes:%d/%m/%Y})").format(
                                            decision=decision, closes=closes))
    if opens and spend and spend < opens:
        r.problem(f"{where}.spend_by", _("{spend:%d/%m/%Y} is before the round opens ({opens:%d/%m/%Y})").format(
                                         spend=spend, opens=opens))
    if fy is not None and not 1990 <= fy <= 2200:
        r.problem(f"{where}.financial_year", _("{fy} is not a financial year such as 2026 (for 2026–27)").format(
                                               fy=fy))
    name = r.text(x, "name", where, required=True)
    budget = r.money(x, "budget", where)
    if fy is None or opens is None or closes is None or not name:
        return None
    return RoundSpec(r.text(x, "key", where) or f"round{i + 1}", name, fy, opens, closes, decision, spend, budget)


# --- writing ----------------------------------------------------------------------------------------


def _money_text(pence: int) -> str:
    sign, pence = ("-", -pence) if pence < 0 else ("", pence)
    return f"{sign}{pence // 100}.{pence % 100:02d}"


def definition_table(d: FundDefinition) -> dict[str, Any]:
    """The definition as the TOML table :func:`read_definition` reads (no empty keys)."""
    f = d.fund
    fund: dict[str, Any] = {"code": f.code, "name": f.name, "council": f.council, "decision_model": f.decision_model}
    for key, value in (("funder_org_id", f.funder_org_id), ("funder_department", f.funder_department),
                       ("prefix_360g", f.prefix_360g), ("description", f.description)):
        if value:
            fund[key] = value
    if f.min_amount_pence is not None:
        fund["min_amount"] = _money_text(f.min_amount_pence)
    if f.max_amount_pence is not None:
        fund["max_amount"] = _money_text(f.max_amount_pence)
    if f.default_language != "en":
        fund["default_language"] = f.default_language
    if f.bilingual_letters:
        fund["bilingual_letters"] = True
    if f.settings:
        fund["settings"] = f.settings
    out: dict[str, Any] = {"fund": fund}
    if d.questions:
        out["questions"] = [_drop_empty({"key": q.key, "label": q.label, "kind": q.kind.value,
                                         "choices": list(q.choices), "required": q.required or None,
                                         "help": q.help}) for q in d.questions]
    if d.areas:
        out["areas"] = [_drop_empty({"name": a.name, "kind": a.kind, "ons_code": a.ons_code}) for a in d.areas]
    if d.rounds:
        out["rounds"] = [_drop_empty({"key": x.key, "name": x.name, "financial_year": x.financial_year,
                                      "opens_on": x.opens_on, "closes_on": x.closes_on, "decision_on": x.decision_on,
                                      "spend_by": x.spend_by,
                                      "budget": None if x.budget_pence is None else _money_text(x.budget_pence)})
                         for x in d.rounds]
    if d.members:
        out["members"] = [_drop_empty({"name": m.name, "area": m.area, "party": m.party, "email": m.email,
                                       "allotments": [{"year": a.year, "amount": _money_text(a.amount_pence)}
                                                      for a in m.allotments]}) for m in d.members]
    if d.panels:
        out["panels"] = [_drop_empty({
            "name": p.name, "round": p.round,
            "panellists": [_drop_empty({"name": x.name, "area": x.area}) for x in p.panellists],
            "criteria": [_drop_empty({"name": c.name, "weight": c.weight, "low": c.low, "high": c.high,
                                      "description": c.description}) for c in p.criteria],
            "deliberation": p.deliberation}) for p in d.panels]
    return out


def _drop_empty(table: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if v not in (None, "", [], ())}
