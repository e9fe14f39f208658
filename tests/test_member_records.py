"""The printed records of elected-member allocations: one decision, a member's year, and the scrutiny table."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from grantdesk.domain.errors import NotFound
from grantdesk.domain.money import format_money
from grantdesk.reports.member_records import (
    decision_record_pdf,
    member_statement_pdf,
    members_report_pdf,
)
from grantdesk.reports.member_records import interest_words as record_words
from grantdesk.domain.interests import NOT_DECLARED, Declaration
from grantdesk.services import allocations
from grantdesk.services.applications import list_application_rows

TODAY = date(2026, 7, 31)  # the sample funds are written as of this day
HEAD = {"fund_name": "People Helping People", "council": "Staffordshire County Council"}


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pdf(write, *args, **kwargs) -> tuple[list[str], str]:
    out = io.BytesIO()
    write(*args, out, printed_on=TODAY, **kwargs)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages]
    return pages, _flat(" ".join(pages))


@pytest.fixture
def contexts(sample_db):
    """Every PHP application that members have decided on, as the decision screen sees it."""
    found = [allocations.decision_context(sample_db, row.id, today=TODAY)
             for row in list_application_rows(sample_db, "PHP")]
    return [c for c in found if c.decisions]


def _positions(db) -> dict[str, allocations.MemberPosition]:
    return {p.name: p for p in allocations.member_positions(db, "PHP", 2026)}


def test_the_record_of_a_decision_under_a_dispensation_prints_the_declaration_in_full(contexts):
    context, view = next((c, d) for c in contexts for d in c.decisions if d.interest.dispensed)
    pages, text = _pdf(decision_record_pdf, context, view.id, **HEAD)
    assert len(pages) == 1 and "Page 1 of 1" in text
    assert "Staffordshire County Council · People Helping People" in text
    assert "Member decision record" in text
    for fact in (context.reference, context.organisation, context.area, view.member,
                 f"Amount requested {format_money(context.amount_requested_pence)}",
                 f"Recommended for {format_money(view.amount_pence)}", "Decided 9 Jun 2026",
                 "Disclosable pecuniary interest", "SCC-DISP-2026-04, granted 20 May 2026",
                 "My husband owns the shop unit", _flat(view.reasons)[:60],
                 "Approved", f"By {view.officer_name}", "On 19 Jun 2026", "2026–27"):
        assert fact in text, fact
    pot = _positions_from(context)[view.member_id]
    assert f"{format_money(pot.allotted_pence)} {format_money(pot.committed_pence)} " \
           f"{format_money(pot.approved_pence)} {format_money(pot.remaining_pence)}" in text
    assert (pot.approved_pence, pot.remaining_pence) == (120_000, 130_000)
    assert "No interest declared" not in text


def _positions_from(context) -> dict:
    return {p.member_id: p for p in context.members}


def test_the_record_of_a_jointly_funded_decision_shows_the_other_member(contexts):
    context = next(c for c in contexts if len({d.member_id for d in c.decisions if d.decision == "recommended"}) > 1)
    first, second = context.decisions[:2]
    _, text = _pdf(decision_record_pdf, context, second.id, **HEAD)
    assert second.member in text and first.member in text
    assert f"Recommended for {format_money(second.amount_pence)}" in text
    assert "Other decisions on this application" in text
    other_area = _positions_from(context)[first.member_id].area
    assert f"{first.member} {other_area} Recommended" in text and format_money(first.amount_pence) in text
    assert (f"Together: {format_money(context.approved_pence)} approved and {format_money(0)} awaiting the officer, "
            f"of {format_money(context.amount_requested_pence)} requested.") in text
    # Cllr Kendrick funds Lichfield City North's application from Lichfield City South: the record says so.
    assert "not the application's area" in text


def test_a_record_shows_the_flags_the_decision_screen_showed(contexts):
    repeat = next(c for c in contexts if any(f.kind == "repeat" for f in c.flags))
    _, text = _pdf(decision_record_pdf, repeat, repeat.decisions[0].id, **HEAD)
    assert f"Flags Repeat bid {repeat.organisation} was awarded" in text and "unlikely in consecutive years" in text
    match = next(c for c in contexts if any(f.kind == "match_funding" for f in c.flags))
    _, text = _pdf(decision_record_pdf, match, match.decisions[0].id, **HEAD)
    assert "Match funding Match funding required" in text and "50%" in text
    plain = next(c for c in contexts if not c.flags)
    _, text = _pdf(decision_record_pdf, plain, plain.decisions[0].id, **HEAD)
    assert "None: not a repeat bid" in text


def test_a_pending_and_a_refused_decision_say_where_the_officer_stands(contexts):
    waiting = next(d for c in contexts for d in c.decisions if d.decision == "recommended" and not d.officer_outcome)
    context = next(c for c in contexts if waiting in c.decisions)
    _, text = _pdf(decision_record_pdf, context, waiting.id, **HEAD)
    assert "Awaiting the officer" in text and "No interest. The member stated" in text
    refused = next(d for c in contexts for d in c.decisions if d.decision == "refused")
    context = next(c for c in contexts if refused in c.decisions)
    _, text = _pdf(decision_record_pdf, context, refused.id, **HEAD)
    assert "Refused" in text and "a refusal commits no money" in text and "Recommended for" not in text


def test_a_record_printed_in_a_later_year_says_which_pot_it_shows(contexts):
    context, view = next((c, d) for c in contexts for d in c.decisions if d.decided_on < date(2026, 4, 1))
    _, text = _pdf(decision_record_pdf, context, view.id, **HEAD)
    assert "2025–26 (the member's 2025–26 pot)" in text
    assert "This decision used the 2025–26 pot; the figures below are the member's 2026–27 pot." in text


def test_a_decision_from_another_application_is_refused(contexts):
    one, other = contexts[0], contexts[1]
    with pytest.raises(NotFound, match=one.reference):
        decision_record_pdf(one, other.decisions[0].id, io.BytesIO())


def test_a_members_statement_agrees_with_the_pots(sample_db):
    kendrick = _positions(sample_db)["Cllr Robert Kendrick"]
    statement = allocations.member_statement(sample_db, "PHP", kendrick.member_id, 2026)
    assert len(statement.lines) == 2
    pages, text = _pdf(member_statement_pdf, statement)
    assert len(pages) == 1 and "Page 1 of 1" in text
    assert "Cllr Robert Kendrick" in text and "Member statement 2026–27 · Lichfield City South" in text
    for line in statement.lines:
        assert line.reference in text and line.organisation in text
        assert format_money(line.amount_pence) in text
    assert (kendrick.allotted_pence, kendrick.committed_pence, kendrick.approved_pence, kendrick.remaining_pence) \
        == (250_000, 30_000, 80_000, 140_000)
    pot = " ".join(format_money(x) for x in (kendrick.allotted_pence, kendrick.committed_pence,
                                              kendrick.approved_pence, kendrick.paid_pence, kendrick.remaining_pence))
    assert pot in text
    assert f"Approved by the officer {format_money(kendrick.approved_pence)}" in text
    assert f"Awaiting the officer {format_money(kendrick.committed_pence)}" in text
    assert (f"{format_money(250_000)} allotted − {format_money(30_000)} committed − {format_money(80_000)} approved = "
            f"{format_money(140_000)} remaining") in text
    assert "declared no interest" in text


def test_a_returned_recommendation_and_a_refusal_in_the_statement(sample_db):
    kendrick = _positions(sample_db)["Cllr Robert Kendrick"]
    statement = allocations.member_statement(sample_db, "PHP", kendrick.member_id, 2026)
    waiting = next(x for x in statement.lines if x.officer_outcome is None)
    rows = {r.reference: r.id for r in list_application_rows(sample_db, "PHP")}
    context = allocations.decision_context(sample_db, rows[waiting.reference], today=TODAY)
    [view] = context.decisions
    context = allocations.officer_outcome(sample_db, view.id, "returned", reason="The quote has expired.", on=TODAY)
    _, record = _pdf(decision_record_pdf, context, view.id, **HEAD)
    assert "Returned" in record and "Reason The quote has expired." in record and "On 31 Jul 2026" in record

    after = allocations.member_statement(sample_db, "PHP", kendrick.member_id, 2026)
    assert after.position.remaining_pence == 170_000
    _, text = _pdf(member_statement_pdf, after)
    assert f"Returned by the officer (back in the pot) {format_money(waiting.amount_pence)}" in text
    assert f"= {format_money(170_000)} remaining" in text

    tolley = _positions(sample_db)["Cllr Martin Tolley"]
    _, text = _pdf(member_statement_pdf, allocations.member_statement(sample_db, "PHP", tolley.member_id, 2026))
    assert "PHP-2026-0028" in text and "Refused" in text and "Not needed" in text
    assert "Recommended in all (2 of 3 decisions)" in text and f"= {format_money(0)} remaining" in text


def test_a_statement_lists_declared_interests_in_full(sample_db):
    plant = _positions(sample_db)["Cllr Janet Plant"]
    _, text = _pdf(member_statement_pdf, allocations.member_statement(sample_db, "PHP", plant.member_id, 2026))
    assert "Other registrable" in text
    assert "Declarations of interest PHP-2026-0008 Other registrable interest: I am an unpaid governor" in text


def test_the_scrutiny_report_has_every_member_and_the_totals(sample_db):
    report = allocations.members_report(sample_db, "PHP", 2026)
    pages, text = _pdf(members_report_pdf, report)
    assert f"Page 1 of {len(pages)}" in text
    assert "People Helping People — spend per member, 2026–27" in text
    assert "Staffordshire County Council" in text
    for row in report.rows:
        assert row.member in text and row.area in text
    total = report.totals()
    assert total.allotted_pence == 20 * 250_000
    assert (f"All members ({len(report.rows)}) {format_money(total.allotted_pence)} {format_money(total.approved_pence)} "
            f"{format_money(total.paid_pence)} {format_money(total.remaining_pence)} {total.awards}") in text
    positions = _positions(sample_db)
    tolley = next(r for r in report.rows if r.member == "Cllr Martin Tolley")
    assert tolley.remaining_pence == positions["Cllr Martin Tolley"].remaining_pence == 0
    assert f"{format_money(tolley.allotted_pence)} {format_money(tolley.approved_pence)} " \
           f"{format_money(tolley.paid_pence)} {format_money(0)} {tolley.awards} 100%" in text
    for column in ("Allotted:", "Approved:", "Paid:", "Remaining:", "Awards:", "Pot used:"):
        assert column in text


def test_the_records_words_for_a_declaration_come_from_its_parts():
    dpi = Declaration("dpi", "My husband owns the unit (rented).", "SCC-DISP-2026-04", date(2026, 5, 20))
    assert record_words(dpi) == ("Disclosable pecuniary interest: My husband owns the unit (rented). "
                                 "Dispensation SCC-DISP-2026-04, granted 20 May 2026.")
    assert record_words(dpi, short=True) == "DPI, dispensation SCC-DISP-2026-04"
    assert record_words(Declaration("dpi", "A trustee"), short=True) == "DPI"
    governor = Declaration("other_registrable", "a governor")
    assert record_words(governor, short=True) == "Other registrable"
    assert record_words(governor) == "Other registrable interest: a governor"
    assert record_words(Declaration(), short=True) == "None" and Declaration().declared
    assert record_words(Declaration()).startswith("No interest. The member stated")
    assert not NOT_DECLARED.declared and record_words(NOT_DECLARED, short=True) == "Not recorded"
    assert record_words(NOT_DECLARED).startswith("No interest declared")


def test_the_sample_decisions_carry_their_declarations_as_recorded(contexts):
    """The PHP sample's declarations come back as data: kinds, natures and the dispensation's date."""
    views = [d for c in contexts for d in c.decisions]
    dispensed = [d.interest for d in views if d.interest.dispensed]
    assert dispensed and dispensed[0].dispensation_reference == "SCC-DISP-2026-04"
    assert dispensed[0].dispensation_granted_on == date(2026, 5, 20)
    assert "My husband owns the shop unit" in dispensed[0].nature
    assert any(d.interest.none for d in views)
    assert {d.interest.kind for d in views} <= {"none", "dpi", "other_registrable", "non_registrable",
                                                 "not_declared"}
