"""Printed residents' documents follow the fund (issue 20): for a fund under the Welsh Language Standards
the code cards and the results sheet say every fixed text in Welsh, then in English; other funds' are
as before, with no Welsh. The Welsh is the shipped catalogue's (``grantdesk.i18n``): these tests fail
while it lacks a text."""

import io
from datetime import date

import pytest
from helpers import build_vote_fund
from pypdf import PdfReader
from sqlalchemy import select

from grantdesk.i18n import has_message, in_language, translator
from grantdesk.reports.ballot_cards import HEADING, SECRECY_LINE, ballot_cards_pdf
from grantdesk.reports.results_sheet import results_sheet_pdf
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.store.models import Application, Fund
from grantdesk.voting.ballots import CastBallot


@pytest.fixture
def vote(db):
    return build_vote_fund(db)


def make_welsh(db, code):
    with db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund).where(Fund.code == code))
        fund.settings = {**(fund.settings or {}), "welsh_language_standards": True}
        uow.commit()


def make_event(db, vote) -> int:
    return events.create_event(db, vote.fund_code, EventSettings(
        name="Pleidlais Gŵyl y Rhyl", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": 2}, rule="greedy",
        tie_break=("supporters", "cost", "lot"), tie_break_seed="rhyl", venue="Canolfan y Dref", kiosk_pin="2468"))


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def welsh(text: str) -> str:
    assert has_message("cy", text), f"the Welsh catalogue has no translation of {text!r}"
    return in_language("cy", text)


def before(text: str, first: str, second: str) -> bool:
    """``first`` is in ``text`` and comes before ``second``."""
    return flat(first) in text and flat(second) in text and text.index(flat(first)) < text.index(flat(second))


def test_a_welsh_fund_s_code_cards_say_welsh_then_english(db, vote):
    make_welsh(db, vote.fund_code)
    event_id = make_event(db, vote)
    view = events.get_event(db, event_id)
    assert view.welsh
    out = io.BytesIO()
    ballot_cards_pdf(view, events.issue_codes(db, event_id, 3), out)
    text = pdf_text(out.getvalue())
    assert before(text, welsh(HEADING), HEADING)  # "Eich cod pleidleisio untro", then "Your one-time voting code"
    assert before(text, welsh(SECRECY_LINE), SECRECY_LINE)
    assert text.count(flat(welsh(HEADING))) == 3


def test_other_funds_code_cards_have_no_welsh(db, vote):
    event_id = make_event(db, vote)
    view = events.get_event(db, event_id)
    assert not view.welsh
    out = io.BytesIO()
    ballot_cards_pdf(view, events.issue_codes(db, event_id, 2), out)
    text = pdf_text(out.getvalue())
    assert text.count(HEADING) == 2 and "pleidleisio" not in text  # English only: no Welsh line on the cards


def test_a_welsh_fund_s_results_sheet_says_welsh_then_english_with_the_welsh_titles(db, vote):
    make_welsh(db, vote.fund_code)
    with db.unit_of_work() as uow:
        first = uow.session.scalar(select(Application).where(Application.title == "Idea 1"))
        first.title_cy = "Meinciau yn y parc"
        uow.commit()
    event_id = make_event(db, vote)
    r = vote.references
    for code, choice in zip(events.issue_codes(db, event_id, 3), [(r[0], r[1]), (r[0],), (r[2],)], strict=True):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", *choice))
    out = io.BytesIO()
    results_sheet_pdf(events.event_results(db, event_id), out, printed_on=date(2026, 6, 20))
    text = pdf_text(out.getvalue())
    for english in ("How the vote was counted", "Turnout", "Every project, by support", "Ties", "Step by step"):
        assert f"{welsh(english)} / {english}" in text  # each heading: Welsh / English
    assert before(text, welsh("Results of the community vote at {venue}. Printed {date}.").format(
        venue="Canolfan y Dref", date="20/06/2026"), "Results of the community vote at Canolfan y Dref.")
    assert before(text, welsh("Provisional: voting is still open, so these totals may change."),
                  "Provisional: voting is still open, so these totals may change.")
    cy = translator("cy")
    instruction = cy.ngettext("Choose up to {n} project.", "Choose up to {n} projects.", 2).format(n=2)
    assert before(text, welsh("Ballot paper: {instruction}").format(instruction=instruction), "Ballot: Choose up to 2")
    funded = cy.ngettext("{n} project funded for {funded} of the {budget} budget; {left} left over.",
                         "{n} projects funded for {funded} of the {budget} budget; {left} left over.", 2)
    assert funded != "{n} projects funded for {funded} of the {budget} budget; {left} left over."
    assert before(text, "Meinciau yn y parc", "Idea 1")  # the Welsh title, then the English


def test_other_funds_results_sheet_has_no_welsh(db, vote):
    event_id = make_event(db, vote)
    out = io.BytesIO()
    results_sheet_pdf(events.event_results(db, event_id), out, printed_on=date(2026, 6, 20))
    text = pdf_text(out.getvalue())
    assert "How the vote was counted" in text and " / How the vote was counted" not in text


def test_a_welsh_fund_s_list_of_counted_receipts_says_welsh_then_english(db, vote):
    from grantdesk.reports.receipts_list import receipts_pdf
    from grantdesk.services.events.receipts import counted_receipts

    make_welsh(db, vote.fund_code)
    event_id = make_event(db, vote)
    receipts = [events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[0]))
                for code in events.issue_codes(db, event_id, 2)]
    out = io.BytesIO()
    receipts_pdf(counted_receipts(db, event_id), out, printed_on=date(2026, 6, 20))
    text = pdf_text(out.getvalue())
    secret = ("The list shows only that a ballot with that receipt was counted: not how anyone voted, nor when. "
              "Nothing GrantDesk keeps links a receipt to a ballot. If your receipt is missing, tell the council "
              "officer running the vote.")
    assert before(text, welsh(secret), secret)
    counted = translator("cy").ngettext("{n} receipt counted.", "{n} receipts counted.", 2).format(n=2)
    assert before(text, counted, "2 receipts counted.") and counted != "2 receipts counted."
    assert all(receipt in text for receipt in receipts)
