"""Elected-member allocations in the services: allotments, joint funding, pots that run short,
interests with and without dispensation, the officer's approval, the year's dates, flags, the
year-end (lapse and roll-over) and the scrutiny report."""

import csv
from datetime import date

import pytest

from grantdesk.domain.errors import ValidationError
from grantdesk.services import allocations, applications, funds, organisations
from grantdesk.domain.eligibility import Outcome
from grantdesk.services.allocations import Declaration, MatchFunding, OutsideTheYear, RepeatBid
from grantdesk.services.eligibility import check_eligibility
from grantdesk.store.models import Application
from grantdesk.services.applications import list_application_rows
from grantdesk.services.decisions import InterestBlocks, PotExceeded

YEAR = 2026
ON = date(2026, 9, 15)
NONE = Declaration()


def build(db, *, mode="lapse", org_type="community_group", answers=None):
    """A member fund with two divisions and three members (£2,500 each, one with no pot yet) and
    three submitted applications."""
    with db.unit_of_work() as uow:
        s = uow.session
        fund = funds.add_fund(s, actor="Officer", code="MEM", name="Members Fund", council="Testshire County Council",
                              decision_model="member", settings={"unspent_at_year_end": mode,
                                                                 "apply_by_month_day": "10-31",
                                                                 "spend_by_month_day": "03-20",
                                                                 "match_funding_required_for": ["parish_council"],
                                                                 "match_funding_percent": 50})
        north = funds.add_area(s, fund=fund, name="North", kind="division", council=fund.council)
        south = funds.add_area(s, fund=fund, name="South", kind="division", council=fund.council)
        rnd = funds.add_round(s, actor="Officer", fund=fund, name="2026–27", financial_year=YEAR,
                              opens_on=date(2026, 4, 1), closes_on=date(2026, 10, 31))
        members = [funds.add_member(s, actor="Officer", fund=fund, name=n, area=a)
                   for n, a in (("Cllr Ash", north), ("Cllr Birch", south), ("Cllr Cedar", north))]
        for m in members[:2]:
            funds.set_allotment(s, actor="Officer", member=m, financial_year=YEAR, amount_pence=250_000)
        org = organisations.find_or_add_organisation(s, actor="Officer", name="Northtown Lunch Club", org_type=org_type)
        apps = []
        for n, amount in enumerate((300_000, 80_000, 200_000)):
            app = applications.add_application(s, actor="Officer", fund=fund, organisation=org, round=rnd, area=north,
                                               title=f"Project {n + 1}", amount_requested_pence=amount,
                                               answers=answers or {}, created_on=date(2026, 6, 1))
            applications.do_transition(s, app, "submitted", actor="Officer", on=date(2026, 6, 2))
            apps.append(app.id)
        uow.commit()
        return [m.id for m in members], apps


def test_allotments_are_set_in_bulk_and_individually(db):
    (ash, birch, cedar), _ = build(db)
    assert allocations.set_allotments(db, "MEM", YEAR, 300_000) == 3
    allocations.set_allotments(db, "MEM", YEAR, 100_000, member_ids=[cedar])
    positions = {p.name: p for p in allocations.member_positions(db, "MEM", YEAR)}
    assert positions["Cllr Ash"].allotted_pence == 300_000 and positions["Cllr Cedar"].allotted_pence == 100_000
    assert all(p.untouched for p in positions.values())


def test_two_members_fund_one_application_jointly_and_the_officer_approval_awards_it(db):
    (ash, birch, _), (big, _, _) = build(db)
    allocations.record_member_decision(db, big, ash, "recommended", declaration=NONE, amount_pence=200_000,
                                       reasons="The lunch club feeds forty older people a week.", on=ON)
    allocations.record_member_decision(db, big, birch, "recommended", declaration=NONE, amount_pence=100_000,
                                       reasons="Some of them come from my division too.", on=ON)
    context = allocations.decision_context(db, big, today=ON)
    assert (context.pending_pence, context.still_needed_pence) == (300_000, 0)
    positions = {p.name: p for p in allocations.member_positions(db, "MEM", YEAR)}
    assert positions["Cllr Ash"].committed_pence == 200_000 and positions["Cllr Ash"].remaining_pence == 50_000
    first, second = context.decisions
    after_one = allocations.officer_outcome(db, first.id, "approved", on=date(2026, 9, 20))
    assert after_one.status == "submitted" and after_one.awarded_pence is None  # one still waiting
    after_both = allocations.officer_outcome(db, second.id, "approved", on=date(2026, 9, 21))
    assert after_both.status == "awarded" and after_both.awarded_pence == 300_000
    positions = {p.name: p for p in allocations.member_positions(db, "MEM", YEAR)}
    assert positions["Cllr Birch"].approved_pence == 100_000 and positions["Cllr Birch"].committed_pence == 0
    with pytest.raises(ValidationError, match="already approved"):
        allocations.officer_outcome(db, first.id, "approved")


def test_a_recommendation_beyond_the_pot_is_refused_with_what_is_left(db):
    (ash, _, cedar), (big, small, _) = build(db)
    allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                       reasons="A good small project.", on=ON)
    with pytest.raises(PotExceeded, match="£1,700.00 left"):
        allocations.record_member_decision(db, big, ash, "recommended", declaration=NONE, amount_pence=200_000,
                                           reasons="I would like to.", on=ON)
    with pytest.raises(PotExceeded, match="£0.00 left"):  # no allotment this year
        allocations.record_member_decision(db, big, cedar, "recommended", declaration=NONE, amount_pence=10_000,
                                           reasons="I would like to.", on=ON)
    with pytest.raises(ValidationError, match="£800.00 is already recommended; at most £0.00 more"):
        allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=1_000,
                                           reasons="Top up.", on=ON)


def test_a_disclosable_pecuniary_interest_blocks_unless_a_dispensation_is_recorded(db):
    (ash, _, _), (big, small, _) = build(db)
    dpi = Declaration("dpi", "I am a paid trustee of the lunch club")
    with pytest.raises(InterestBlocks, match="no dispensation"):
        allocations.record_member_decision(db, small, ash, "recommended", declaration=dpi, amount_pence=50_000,
                                           reasons="Supporting it.", on=ON)
    assert allocations.decision_context(db, small, today=ON).decisions == ()  # nothing was kept
    dispensed = Declaration("dpi", "I am a paid trustee of the lunch club", "DISP-2026-07", date(2026, 9, 1))
    view = allocations.record_member_decision(db, small, ash, "recommended", declaration=dispensed,
                                              amount_pence=50_000, reasons="Supporting it, under dispensation.", on=ON)
    assert view.interest == dispensed and view.interest.dispensed  # kept as declared, as data
    other = Declaration("other_registrable", "My partner volunteers there")
    refusal = allocations.record_member_decision(db, big, ash, "refused", declaration=other,
                                                 reasons="Too much for one division this year.", on=ON)
    assert refusal.decision == "refused" and refusal.interest == other and refusal.interest.interest
    assert [v.interest for v in allocations.decision_context(db, small, today=ON).decisions] == [dispensed]
    with pytest.raises(ValidationError, match="reasons"):
        allocations.record_member_decision(db, big, ash, "refused", declaration=NONE, reasons=" ", on=ON)


def test_decisions_after_the_spend_by_day_are_refused_with_the_rule(db):
    (ash, _, _), (_, small, _) = build(db)
    with pytest.raises(OutsideTheYear, match="closed on 20 Mar 2027"):
        allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=10_000,
                                           reasons="Late.", on=date(2027, 3, 25))


def last_years_award(db, member_id, application_id, *, amount=80_000, on=date(2025, 11, 3)):
    """An application from the same organisation in the fund's 2025–26 round, recommended by
    ``member_id`` and approved by the officer on ``on``: an award of last year's money. Returns its id."""
    with db.unit_of_work() as uow:
        s = uow.session
        this_year = s.get(Application, application_id)
        fund = this_year.fund
        rnd = funds.add_round(s, actor="Officer", fund=fund, name="2025–26", financial_year=YEAR - 1,
                              opens_on=date(2025, 4, 1), closes_on=date(2025, 10, 31))
        app = applications.add_application(s, actor="Officer", fund=fund, organisation=this_year.organisation,
                                           round=rnd, area=this_year.area, title="Last year's project",
                                           amount_requested_pence=amount, created_on=date(2025, 6, 1))
        applications.do_transition(s, app, "submitted", actor="Officer", on=date(2025, 6, 2))
        uow.commit()
        last = app.id
    allocations.set_allotments(db, "MEM", YEAR - 1, 250_000)
    allocations.record_member_decision(db, last, member_id, "recommended", declaration=NONE, amount_pence=amount,
                                       reasons="Last year's bid.", on=on)
    [d] = allocations.decision_context(db, last, today=on).decisions
    allocations.officer_outcome(db, d.id, "approved", on=on)
    return last


def test_repeat_bids_and_match_funding_are_flagged(db):
    (ash, _, _), (big, small, third) = build(db, org_type="parish_council", answers={})
    last = last_years_award(db, ash, small)
    reference = allocations.decision_context(db, last, today=ON).reference
    flags = {f.kind: f for f in allocations.decision_context(db, third, today=ON).flags}
    assert set(flags) == {"repeat", "match_funding"}
    assert flags["repeat"] == RepeatBid("Northtown Lunch Club", reference, 80_000, date(2025, 11, 3), YEAR - 1)
    assert flags["match_funding"] == MatchFunding("parish_council", 50, "")  # the application does not say
    assert [f.kind for f in allocations.decision_context(db, last, today=ON).flags] == ["match_funding"]


def test_an_award_from_the_same_years_round_is_not_a_repeat_bid_whenever_it_was_made(db):
    """The one rule (grantdesk.domain.repeat_bids): an award's money belongs to its round's year, so a
    2026–27 award made early, in the 2025–26 calendar, does not make another 2026–27 bid a repeat."""
    (ash, _, _), (_, small, third) = build(db)
    allocations.set_allotments(db, "MEM", YEAR - 1, 250_000)
    early = date(2026, 3, 3)
    allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                       reasons="Early.", on=early)
    [d] = allocations.decision_context(db, small, today=early).decisions
    allocations.officer_outcome(db, d.id, "approved", on=early)
    assert allocations.decision_context(db, third, today=ON).flags == ()
    repeat = next(r for r in check_eligibility(db, third).results if r.rule == "repeat_funding")
    assert repeat.outcome is Outcome.PASS


@pytest.mark.parametrize("mode", ["lapse", "roll_over"])
def test_the_year_end_shows_its_effect_runs_once_and_lapses_or_rolls_over(db, mode):
    (ash, birch, _), (_, small, _) = build(db, mode=mode)
    allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                       reasons="Good.", on=ON)
    with pytest.raises(ValidationError, match="wait for the officer"):
        allocations.run_year_end(db, "MEM", YEAR, today=date(2027, 3, 25))
    [d] = allocations.decision_context(db, small, today=ON).decisions
    allocations.officer_outcome(db, d.id, "approved", on=ON)
    allocations.set_allotments(db, "MEM", YEAR + 1, 250_000)
    plan = allocations.year_end_plan(db, "MEM", YEAR)
    lines = {x.name: x for x in plan.lines}
    assert lines["Cllr Ash"].unspent_pence == 170_000 and lines["Cllr Birch"].unspent_pence == 250_000
    expected_next = 250_000 + (170_000 if mode == "roll_over" else 0)
    assert lines["Cllr Ash"].next_year_pence == expected_next and not plan.done
    with pytest.raises(ValidationError, match="open until 20 Mar 2027"):
        allocations.run_year_end(db, "MEM", YEAR, today=date(2027, 3, 1))
    allocations.run_year_end(db, "MEM", YEAR, today=date(2027, 3, 25))
    nxt = {p.name: p for p in allocations.member_positions(db, "MEM", YEAR + 1)}
    assert nxt["Cllr Ash"].allotted_pence == expected_next
    assert nxt["Cllr Ash"].rolled_over_pence == (170_000 if mode == "roll_over" else 0)
    assert allocations.year_end_plan(db, "MEM", YEAR).done
    with pytest.raises(ValidationError, match="already been run"):
        allocations.run_year_end(db, "MEM", YEAR, today=date(2027, 3, 26))


def test_the_scrutiny_report_and_a_members_statement(db, tmp_path):
    (ash, birch, _), (big, small, _) = build(db)
    allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                       reasons="Good.", on=ON)
    [d] = allocations.decision_context(db, small, today=ON).decisions
    allocations.officer_outcome(db, d.id, "approved", on=ON)
    report = allocations.members_report(db, "MEM", YEAR)
    rows = {r.member: r for r in report.rows}
    assert (rows["Cllr Ash"].approved_pence, rows["Cllr Ash"].remaining_pence, rows["Cllr Ash"].awards) == \
        (80_000, 170_000, 1)
    assert report.totals().allotted_pence == 500_000
    path = allocations.write_members_csv(report, tmp_path / "report.csv")
    with open(path, newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0] == list(allocations.REPORT_COLUMNS)
    assert ["Cllr Ash", "North", "", "2500.00", "800.00", "0.00", "1700.00", "1"] in table
    assert table[-1][0] == "All members"
    statement = allocations.member_statement(db, "MEM", ash, YEAR)
    assert [x.reference for x in statement.lines] == [r.reference for r in list_application_rows(db, "MEM")
                                                      if r.id == small]


def test_the_members_report_command_writes_the_csv_for_a_year(db, location, tmp_path, capsys):
    from grantdesk.cli import main

    (ash, _, _), (_, small, _) = build(db)
    allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=80_000,
                                       reasons="Good.", on=ON)
    out = tmp_path / "spend.csv"
    assert main(["members", "report", "--fund", "mem", "--year", "2026", "--out", str(out),
                 "--db", str(location.path)]) == 0
    assert "3 members, 2026–27" in capsys.readouterr().out
    with open(out, newline="", encoding="utf-8") as fh:
        rows = {r["Member"]: r for r in csv.DictReader(fh)}
    assert rows["Cllr Ash"]["Remaining (£)"] == "1700.00" and rows["Cllr Cedar"]["Allotted (£)"] == "0.00"
    assert main(["members", "report", "--fund", "MEM", "--year", "2026", "--out", str(tmp_path / "x.txt"),
                 "--db", str(location.path)]) == 2
    assert main(["members", "report", "--fund", "BBL", "--year", "2026", "--out", str(out),
                 "--db", str(location.path)]) == 1  # no such fund here


def test_a_decisions_record_shows_the_pot_of_the_year_it_used(db):
    (ash, _, _), (_, small, _) = build(db)
    allocations.set_allotments(db, "MEM", YEAR - 1, 100_000)
    allocations.record_member_decision(db, small, ash, "recommended", declaration=NONE, amount_pence=30_000,
                                       reasons="Last year.", on=date(2026, 2, 10))
    [d] = allocations.decision_context(db, small, today=date(2026, 2, 10)).decisions
    record = allocations.decision_record_context(db, d.id)
    assert record.financial_year == YEAR - 1 and record.fund_name == "Members Fund"
    ash_then = next(m for m in record.members if m.member_id == ash)
    assert (ash_then.allotted_pence, ash_then.committed_pence) == (100_000, 30_000)


def test_the_published_list_of_awards_per_member_names_joint_funders(db, location, tmp_path, capsys):
    from grantdesk.cli import main

    (ash, birch, _), (big, _, _) = build(db)
    for member, amount in ((ash, 200_000), (birch, 100_000)):
        allocations.record_member_decision(db, big, member, "recommended", declaration=NONE, amount_pence=amount,
                                           reasons="Together.", on=ON)
    for d in allocations.decision_context(db, big, today=ON).decisions:
        allocations.officer_outcome(db, d.id, "approved", on=ON)
    lines = allocations.member_awards(db, "MEM", YEAR)
    assert [(x.member, x.amount_pence, x.award_pence, x.joint_with) for x in lines] == [
        ("Cllr Ash", 200_000, 300_000, ("Cllr Birch",)), ("Cllr Birch", 100_000, 300_000, ("Cllr Ash",))]
    out = tmp_path / "awards.csv"
    assert main(["members", "report", "--awards", "--fund", "MEM", "--year", "2026", "--out", str(out),
                 "--db", str(location.path)]) == 0
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["Member"] == "Cllr Ash" and rows[0]["Jointly with"] == "Cllr Birch"
    assert rows[0]["Whole award (£)"] == "3000.00" and rows[0]["Approved on"] == "2026-09-15"
    pdf = tmp_path / "report.pdf"
    assert main(["members", "report", "--fund", "MEM", "--year", "2026", "--out", str(pdf),
                 "--db", str(location.path)]) == 0
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Awards by member, 2026–27" in text and "£3,000.00" in text


def test_payments_on_a_joint_award_are_shared_between_its_members_to_the_penny(db):
    from sqlalchemy import select

    from grantdesk.store.models import Award, Payment

    (ash, birch, _), (big, _, _) = build(db)
    for member, amount in ((ash, 200_000), (birch, 100_000)):
        allocations.record_member_decision(db, big, member, "recommended", declaration=NONE, amount_pence=amount,
                                           reasons="Together.", on=ON)
    for d in allocations.decision_context(db, big, today=ON).decisions:
        allocations.officer_outcome(db, d.id, "approved", on=ON)
    with db.unit_of_work() as uow:  # payments are recorded by the payments screens (issue 8); here by hand
        award = uow.session.scalar(select(Award).where(Award.application_id == big))
        uow.session.add(Payment(award_id=award.id, paid_on=date(2026, 10, 1), amount_pence=100_001))
        uow.commit()
    paid = {p.name: p.paid_pence for p in allocations.member_positions(db, "MEM", YEAR)}
    assert paid["Cllr Ash"] + paid["Cllr Birch"] == 100_001
    assert (paid["Cllr Ash"], paid["Cllr Birch"]) == (66_667, 33_334)  # the odd penny to the larger remainder
