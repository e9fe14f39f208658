"""Blank paper ballots, printed as the paper keying expects them: one numbered page per sheet, the
event's name, the instruction for its ballot kind, each project with its keying number and a box;
Welsh first for a fund under the Welsh Language Standards; from the command line and the app."""

import re

import pytest
from helpers import build_vote_fund
from pypdf import PdfReader
from sqlalchemy import select

from grantdesk.domain.errors import ValidationError
from grantdesk.i18n import in_language
from grantdesk.reports.paper_ballots import ballot_lines, paper_ballots_pdf
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.services.events.paper import blank_ballots
from grantdesk.store.models import Fund


@pytest.fixture
def vote(db):
    return build_vote_fund(db)  # four projects, "Idea 1" … "Idea 4": £3,000, £2,000, £1,500, £1,000


def make_event(db, vote, kind="approval", settings=None):
    return events.create_event(db, vote.fund_code, EventSettings(
        name="Leys Festival vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind=kind, ballot_settings=settings if settings is not None else {"max_choices": 3},
        rule="greedy", tie_break=("supporters", "cost", "lot"), tie_break_seed="festival", kiosk_pin="2468",
        venue="Blackbird Leys Community Centre"))


def make_welsh(db, code):
    with db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund).where(Fund.code == code))
        fund.settings = {**(fund.settings or {}), "welsh_language_standards": True}
        uow.commit()


def page_texts(path):
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_one_numbered_page_per_sheet_with_the_instruction_and_the_projects_as_keyed(db, vote, tmp_path):
    event_id = make_event(db, vote)
    blank = blank_ballots(db, event_id)
    assert not blank.welsh
    out = tmp_path / "ballots.pdf"
    drawn = paper_ballots_pdf(blank.event, out, count=3)
    assert (drawn.sheets, drawn.pages, drawn.first, drawn.last) == (3, 3, 1, 3)
    texts = page_texts(out)
    assert len(texts) == 3
    for n, text in enumerate(texts, start=1):
        assert re.search(rf"Sheet {n}\b", text)
        assert "Leys Festival vote" in text and "Blackbird Leys Community Centre" in text
        assert "Choose up to 3 projects." in text  # describe_rules: the kiosk's own sentence
        assert "Put a cross (X) in the box next to each project you choose." in text
        # each project with its number as the keying screen numbers them, and its cost
        for number, title, cost in ((1, "Idea 1", "£3,000"), (2, "Idea 2", "£2,000"), (3, "Idea 3", "£1,500"),
                                    (4, "Idea 4", "£1,000")):
            assert re.search(rf"\b{number} {title}\b", text) and cost in text
        assert "Your vote is secret" in text
        assert "Papur pleidleisio" not in text  # no Welsh for a fund not under the Standards
    # numbered from a later sheet for a second batch
    later = paper_ballots_pdf(blank.event, tmp_path / "more.pdf", count=2, first=101)
    assert (later.first, later.last) == (101, 102)
    assert re.search(r"Sheet 102\b", page_texts(tmp_path / "more.pdf")[1])


def test_each_ballot_kind_says_its_own_rule(db, vote):
    event_id = make_event(db, vote, "knapsack", {})
    rules = blank_ballots(db, event_id).event.rules
    assert ballot_lines(rules, False)[0] == ("Choose projects whose costs add up to no more than £5,000.00.",)
    # one vote per shortlist at a time: each kind is put to its own fund's shortlist
    ranked = make_event(db, build_vote_fund(db, "VO2"), "ranked", {"max_ranked": 3})
    assert "Write 1 in the box next to your first choice" in ballot_lines(blank_ballots(db, ranked).event.rules,
                                                                         False)[1][0]
    tokens = make_event(db, build_vote_fund(db, "VO3"), "cumulative", {"tokens": 10, "max_per_project": 4})
    welsh = ballot_lines(blank_ballots(db, tokens).event.rules, True)
    assert welsh[0] == ("Rhannwch hyd at 10 tocyn rhwng y prosiectau rydych yn eu cefnogi, dim mwy na 4 ar un "
                        "prosiect.", "Spread up to 10 tokens over the projects you support, at most 4 on one project.")


def test_a_welsh_fund_prints_welsh_first(db, vote, tmp_path):
    make_welsh(db, vote.fund_code)
    event_id = make_event(db, vote)
    blank = blank_ballots(db, event_id)
    assert blank.welsh
    out = tmp_path / "papurau.pdf"
    paper_ballots_pdf(blank.event, out, count=2, welsh=True)
    text = page_texts(out)[1]
    assert re.search(rf"{in_language('cy', 'Sheet')} / Sheet 2\b", text)  # "Dalen", from the catalogue
    pairs = (("Papur pleidleisio", "Ballot paper"), ("Dewiswch hyd at 3 prosiect.", "Choose up to 3 projects."),
             ("Rhowch groes (X) yn y blwch", "Put a cross (X) in the box"),
             ("Mae eich pleidlais yn gyfrinachol", "Your vote is secret"))
    for cymraeg, english in pairs:
        assert cymraeg in text and english in text
        assert text.index(cymraeg) < text.index(english)  # Welsh first


def test_many_projects_go_over_a_second_page_under_the_same_sheet_number(db, tmp_path):
    vote = build_vote_fund(db, costs_pence=tuple(100_000 + n * 1_000 for n in range(24)), budget_pence=2_000_000)
    event_id = make_event(db, vote)
    out = tmp_path / "long.pdf"
    drawn = paper_ballots_pdf(blank_ballots(db, event_id).event, out, count=2)
    assert drawn.sheets == 2 and drawn.pages == 4
    texts = page_texts(out)
    assert re.search(r"Sheet 1\b.*continued", texts[1]) and "24 Idea 24" in texts[1]
    assert "24 Idea 24" not in texts[0]


def test_nonsense_counts_are_refused(db, vote, tmp_path):
    event = blank_ballots(db, make_event(db, vote)).event
    for count in (0, 5_001):
        with pytest.raises(ValidationError, match="paper ballot"):
            paper_ballots_pdf(event, tmp_path / "x.pdf", count=count)


def test_the_command_line_prints_numbered_ballots(db, vote, location, tmp_path, capsys):
    from grantdesk.cli import main

    event_id = make_event(db, vote)
    out = tmp_path / "paper.pdf"
    assert main(["events", "paper-ballots", str(event_id), "--out", str(out), "--count", "5",
                 "--db", str(location.path)]) == 0
    assert "5 blank paper ballots" in capsys.readouterr().out
    texts = page_texts(out)
    assert len(texts) == 5 and re.search(r"Sheet 5\b", texts[4]) and "Idea 4" in texts[4]
