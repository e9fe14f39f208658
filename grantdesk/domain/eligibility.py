"""Eligibility: each of the fund's rules, checked against an application, with a plain-English reason.

Rules that fail make an application ineligible unless an officer overrides them with a written
reason; rules that only *flag* (repeat funding) inform the decision without deciding it. The same
results are shown in the app, printed in letters and exported, so each reason is written for the
applicant to read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from grantdesk.domain.dates import financial_year_label
from grantdesk.domain.money import format_money
from grantdesk.domain.organisations import ORG_TYPE_LABELS, OrgType
from grantdesk.i18n import _, N_


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    FLAG = "flag"  # worth knowing, does not decide
    OVERRIDDEN = "overridden"  # failed, but an officer has accepted it with a written reason
    NOT_APPLICABLE = "n/a"


RULES: dict[str, str] = {
    "amount": N_("Amount within the fund's limits"),
    "area": N_("Project in the fund's area"),
    "organisation_type": N_("Kind of organisation the fund supports"),
    "round_open": N_("Submitted while the round was open"),
    "attachments": N_("Required documents attached"),
    "repeat_funding": N_("Funded by this fund last year"),
}

ATTACHMENT_KINDS: dict[str, str] = {
    "constitution": N_("Constitution or governing document"),
    "bank_statement": N_("Bank statement"),
    "accounts": N_("Latest accounts"),
    "safeguarding_policy": N_("Safeguarding policy"),
    "quote": N_("Quote or estimate"),
    "photo": N_("Photo"),
    "evidence_of_spend": N_("Evidence of spend (receipts, invoices)"),
    "other": N_("Other document"),
}


@dataclass(frozen=True, slots=True)
class FundRules:
    min_amount_pence: int | None = None
    max_amount_pence: int | None = None
    area_names: frozenset[str] = frozenset()  # empty: the fund names no areas, any will do
    allowed_org_types: frozenset[str] | None = None  # None: any kind of organisation
    required_attachments: tuple[str, ...] = ()
    currency: str = "GBP"


@dataclass(frozen=True, slots=True)
class ApplicationFacts:
    amount_requested_pence: int
    area_name: str | None
    organisation_type: str
    submitted_on: date | None
    round_name: str | None = None
    round_opens_on: date | None = None
    round_closes_on: date | None = None
    attachment_kinds: frozenset[str] = frozenset()
    previous_year: int | None = None
    previous_awards: tuple[str, ...] = ()  # references of this fund's awards to the organisation last year


@dataclass(frozen=True, slots=True)
class RuleResult:
    rule: str
    outcome: Outcome
    reason: str
    override_reason: str = ""

    @property
    def label(self) -> str:
        return RULES[self.rule]


@dataclass(frozen=True, slots=True)
class EligibilityReport:
    results: tuple[RuleResult, ...]
    flags: tuple[RuleResult, ...] = field(default=())

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.outcome is Outcome.FAIL)

    @property
    def eligible(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        """One sentence: what an officer (or a decline letter) would say."""
        if self.eligible:
            overridden = [r for r in self.results if r.outcome is Outcome.OVERRIDDEN]
            if overridden:
                return _("Eligible, with an officer's override: {rules}").format(rules="; ".join(
                    _("{reason} (overridden: {override_reason})").format(reason=r.reason,
                                                                         override_reason=r.override_reason)
                    for r in overridden
                ))
            return _("Meets every rule of the fund.")
        return _("Not eligible: {reasons}").format(reasons="; ".join(r.reason for r in self.failures))


def _money(pence: int, currency: str) -> str:
    return format_money(pence, currency)


def evaluate(rules: FundRules, facts: ApplicationFacts, overrides: dict[str, str] | None = None) -> EligibilityReport:
    """Check ``facts`` against ``rules``. ``overrides`` maps a rule to the officer's written reason."""
    overrides = overrides or {}
    results = [
        _amount(rules, facts),
        _area(rules, facts),
        _organisation_type(rules, facts),
        _round_open(facts),
        _attachments(rules, facts),
        _repeat(facts),
    ]
    final = []
    for r in results:
        if r.outcome is Outcome.FAIL and overrides.get(r.rule, "").strip():
            r = RuleResult(r.rule, Outcome.OVERRIDDEN, r.reason, overrides[r.rule].strip())
        final.append(r)
    return EligibilityReport(tuple(final), tuple(r for r in final if r.outcome is Outcome.FLAG))


def _amount(rules: FundRules, f: ApplicationFacts) -> RuleResult:
    amount = _money(f.amount_requested_pence, rules.currency)
    if rules.min_amount_pence is not None and f.amount_requested_pence < rules.min_amount_pence:
        return RuleResult("amount", Outcome.FAIL,
                          _("The {amount} asked for is below the fund's minimum of {min_amount}.").format(
                            amount=amount, min_amount=_money(rules.min_amount_pence, rules.currency)))
    if rules.max_amount_pence is not None and f.amount_requested_pence > rules.max_amount_pence:
        return RuleResult("amount", Outcome.FAIL,
                          _("The {amount} asked for is above the fund's maximum of {max_amount}.").format(
                            amount=amount, max_amount=_money(rules.max_amount_pence, rules.currency)))
    if rules.min_amount_pence is None and rules.max_amount_pence is None:
        return RuleResult("amount", Outcome.NOT_APPLICABLE, _("The fund sets no minimum or maximum."))
    return RuleResult("amount", Outcome.PASS, _("{amount} is within the fund's limits.").format(amount=amount))


def _area(rules: FundRules, f: ApplicationFacts) -> RuleResult:
    if not rules.area_names:
        return RuleResult("area", Outcome.NOT_APPLICABLE, _("The fund covers any area."))
    if not f.area_name:
        return RuleResult("area", Outcome.FAIL, _("The application does not say which area the project is in."))
    if f.area_name not in rules.area_names:
        return RuleResult("area", Outcome.FAIL, _("{area_name} is outside the areas this fund covers.").format(
                                                  area_name=f.area_name))
    return RuleResult("area", Outcome.PASS, _("{area_name} is one of the fund's areas.").format(
                                              area_name=f.area_name))


def _organisation_type(rules: FundRules, f: ApplicationFacts) -> RuleResult:
    try:
        label = _(ORG_TYPE_LABELS[OrgType(f.organisation_type)])
    except ValueError:
        label = f.organisation_type
    if rules.allowed_org_types is None:
        return RuleResult("organisation_type", Outcome.NOT_APPLICABLE, _("The fund supports any kind of organisation."))
    if f.organisation_type not in rules.allowed_org_types:
        if f.organisation_type == OrgType.INDIVIDUAL:
            return RuleResult("organisation_type", Outcome.FAIL,
                              _("The fund does not give grants to individuals or for private gain."))
        return RuleResult("organisation_type", Outcome.FAIL, _("The fund does not support a {label}.").format(
                                                               label=label.lower()))
    return RuleResult("organisation_type", Outcome.PASS, _("A {label} may apply.").format(label=label.lower()))


def _round_open(f: ApplicationFacts) -> RuleResult:
    if f.round_opens_on is None or f.round_closes_on is None:
        return RuleResult("round_open", Outcome.NOT_APPLICABLE, _("The application is not in a round."))
    if f.submitted_on is None:
        return RuleResult("round_open", Outcome.NOT_APPLICABLE, _("The application has not been submitted yet."))
    when = f.submitted_on.strftime("%d/%m/%Y")
    if f.submitted_on < f.round_opens_on:
        return RuleResult("round_open", Outcome.FAIL,
                          _("It was submitted on {when}, before the round opened on {round_opens_on:%d/%m/%Y}.").format(
                            when=when, round_opens_on=f.round_opens_on))
    if f.submitted_on > f.round_closes_on:
        return RuleResult("round_open", Outcome.FAIL,
                          _("It was submitted on {when}, after the round closed on {round_closes_on:%d/%m/%Y}.").format(
                            when=when, round_closes_on=f.round_closes_on))
    return RuleResult("round_open", Outcome.PASS, _("Submitted on {when}, while the round was open.").format(
                                                    when=when))


def _attachments(rules: FundRules, f: ApplicationFacts) -> RuleResult:
    if not rules.required_attachments:
        return RuleResult("attachments", Outcome.NOT_APPLICABLE, _("The fund asks for no documents."))
    missing = [k for k in rules.required_attachments if k not in f.attachment_kinds]
    if missing:
        names = [_(ATTACHMENT_KINDS[k]).lower() if k in ATTACHMENT_KINDS else k for k in missing]
        return RuleResult("attachments", Outcome.FAIL, _("Missing: {documents}.").format(documents=", ".join(names)))
    return RuleResult("attachments", Outcome.PASS, _("Every document the fund asks for is attached."))


def _repeat(f: ApplicationFacts) -> RuleResult:
    if f.previous_awards:
        awards = ", ".join(f.previous_awards)
        return RuleResult("repeat_funding", Outcome.FLAG,
                          _("This organisation was funded by this fund last year in {year} ({previous_awards}).").format(
                            year=financial_year_label(f.previous_year), previous_awards=awards)
                          if f.previous_year is not None else
                          _("This organisation was funded by this fund last year ({previous_awards}).").format(
                            previous_awards=awards))
    return RuleResult("repeat_funding", Outcome.PASS, _("Not funded by this fund last year."))
