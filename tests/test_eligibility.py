from datetime import date

import pytest

from grantdesk.domain.eligibility import ApplicationFacts, FundRules, Outcome, evaluate

RULES = FundRules(min_amount_pence=10000, max_amount_pence=250000, area_names=frozenset({"Kinver", "Perton"}),
                  allowed_org_types=frozenset({"registered_charity", "community_group"}),
                  required_attachments=("constitution", "bank_statement"))


def facts(**changes):
    values = dict(amount_requested_pence=120000, area_name="Kinver", organisation_type="community_group",
                  submitted_on=date(2026, 5, 1), round_name="2026–27", round_opens_on=date(2026, 4, 1),
                  round_closes_on=date(2026, 10, 31), attachment_kinds=frozenset({"constitution", "bank_statement"}))
    values.update(changes)
    return ApplicationFacts(**values)


def outcome(report, rule):
    return next(r for r in report.results if r.rule == rule)


def test_an_application_meeting_every_rule_is_eligible():
    report = evaluate(RULES, facts())
    assert report.eligible and report.failures == ()
    assert report.summary() == "Meets every rule of the fund."


@pytest.mark.parametrize("changes, rule, words", [
    ({"amount_requested_pence": 5000}, "amount", "below the fund's minimum of £100.00"),
    ({"amount_requested_pence": 300000}, "amount", "above the fund's maximum of £2,500.00"),
    ({"area_name": "Hanley"}, "area", "Hanley is outside the areas this fund covers"),
    ({"area_name": None}, "area", "does not say which area"),
    ({"organisation_type": "individual"}, "organisation_type", "individuals or for private gain"),
    ({"organisation_type": "business"}, "organisation_type", "does not support a business"),
    ({"submitted_on": date(2026, 11, 2)}, "round_open", "after the round closed on 31/10/2026"),
    ({"submitted_on": date(2026, 3, 30)}, "round_open", "before the round opened"),
    ({"attachment_kinds": frozenset({"constitution"})}, "attachments", "Missing: bank statement"),
])
def test_each_failed_rule_says_why_in_words_an_applicant_can_read(changes, rule, words):
    report = evaluate(RULES, facts(**changes))
    assert not report.eligible
    result = outcome(report, rule)
    assert result.outcome is Outcome.FAIL and words in result.reason
    assert words in report.summary()


def test_repeat_funding_is_flagged_but_does_not_decide():
    report = evaluate(RULES, facts(previous_year=2025, previous_awards=("PHP-2025-0003",)))
    assert report.eligible
    [flag] = report.flags
    assert flag.rule == "repeat_funding" and "PHP-2025-0003" in flag.reason and "2025–26" in flag.reason


def test_an_override_with_a_reason_lets_a_failed_rule_pass_and_is_stated():
    report = evaluate(RULES, facts(amount_requested_pence=300000), {"amount": "Two councillors fund it jointly"})
    assert report.eligible
    assert outcome(report, "amount").outcome is Outcome.OVERRIDDEN
    assert "Two councillors fund it jointly" in report.summary()
    assert not evaluate(RULES, facts(amount_requested_pence=300000), {"amount": "  "}).eligible


def test_a_fund_without_rules_has_nothing_to_fail():
    report = evaluate(FundRules(), facts(area_name=None, organisation_type="business", submitted_on=None))
    assert report.eligible
    assert {r.outcome for r in report.results} == {Outcome.NOT_APPLICABLE, Outcome.PASS}
