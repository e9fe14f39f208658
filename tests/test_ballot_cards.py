"""Ballot code cards: ten cut-out cards to an A4 page, each with its code in type and as a QR code."""

import io
import re

import pytest
from helpers import build_vote_fund
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from grantdesk.domain.errors import ValidationError
from grantdesk.reports import pdf_fonts as fonts_module
from grantdesk.reports.ballot_cards import (
    SECRECY_LINE,
    ballot_cards_pdf,
    cards_pages,
    draw_ballot_cards,
)
from grantdesk.services import events
from grantdesk.services.events import EventSettings

WELSH_NAME = "Gŵyl Tŷ Llŷn: pleidlais y gymuned"


@pytest.fixture
def event(db):
    vote = build_vote_fund(db)
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name=WELSH_NAME, round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": 2}, venue="Neuadd y Pentref, Llanfair",
        kiosk_pin="2468"))
    return event_id


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_cards_pages_holds_ten_cards_to_a_page():
    assert [cards_pages(n) for n in (1, 9, 10, 11, 20, 21, 23, 100, 101)] == [1, 1, 1, 2, 2, 3, 3, 10, 11]


def test_23_codes_print_on_3_pages_with_every_code_readable(db, event):
    codes = events.issue_codes(db, event, 23)
    view = events.get_event(db, event)
    out = io.BytesIO()
    ballot_cards_pdf(view, codes, out)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 3 == cards_pages(len(codes))
    texts = [page.extract_text() for page in reader.pages]
    found = [set(re.findall(r"[2-9A-Z]{4}-[2-9A-Z]{4}", t)) for t in texts]
    assert [len(f) for f in found] == [10, 10, 3]
    assert set().union(*found) == set(codes)
    first = _flat(texts[0])
    assert "Your one-time voting code" in first
    assert "Neuadd y Pentref, Llanfair" in first
    assert _flat(SECRECY_LINE) in first or all(part in first for part in ("Use it once at the voting screen.",
                                                                          "the code is not linked to how you vote."))
    if fonts_module.pdf_fonts().covers_welsh:
        assert "Gŵyl Tŷ Llŷn" in first
    else:  # no font with ŵ and ŷ on this computer: the note says so
        assert "ŵ" in fonts_module.pdf_fonts().note


def test_each_card_has_a_qr_code_drawn_on_its_page(db, event, tmp_path):
    codes = events.issue_codes(db, event, 23)
    view = events.get_event(db, event)
    canvas = Canvas(str(tmp_path / "cards.pdf"))
    drawn = draw_ballot_cards(canvas, view, codes)
    canvas.save()
    assert (drawn.pages, drawn.cards, drawn.qr_codes) == (3, 23, 23)
    # A QR code is drawn as filled rectangles (runs of dark squares): over 60 of them to a card.
    reader = PdfReader(str(tmp_path / "cards.pdf"))
    squares = [page.get_contents().get_data().count(b" re") for page in reader.pages]
    assert squares[0] > 10 * 60 and squares[2] > 3 * 60
    assert squares[2] < squares[0]  # the last page has only three cards


def test_no_codes_means_no_cards(db, event):
    with pytest.raises(ValidationError, match="no codes"):
        ballot_cards_pdf(events.get_event(db, event), [], io.BytesIO())


def test_without_a_welsh_font_the_pdf_falls_back_to_helvetica_and_says_why(monkeypatch):
    monkeypatch.setattr(fonts_module, "_candidates", lambda: iter(()))
    fallback = fonts_module.pdf_fonts.__wrapped__()
    assert (fallback.regular, fallback.mono_bold, fallback.covers_welsh) == ("Helvetica", "Courier-Bold", False)
    assert "ŵ and ŷ" in fallback.note


# --- issuing codes with their cards: one transaction ---------------------------------------------------


def test_issuing_code_cards_keeps_the_codes_and_the_pdf_together(db, event, tmp_path):
    from grantdesk.store.unit_of_work import recording

    folder = tmp_path / "print"
    folder.mkdir()
    target = folder / "cards.pdf"
    with recording() as record:
        cards = events.issue_code_cards(db, event, 12, target, draw=ballot_cards_pdf)
    assert record.commits == 1  # one action, one transaction
    assert len(cards.codes) == 12 and cards.path == target
    assert sorted(events.event_codes(db, event)) == sorted(cards.codes)
    text = "".join(page.extract_text() for page in PdfReader(str(target)).pages)
    assert set(re.findall(r"[2-9A-Z]{4}-[2-9A-Z]{4}", text)) == set(cards.codes)
    assert [p.name for p in folder.iterdir()] == ["cards.pdf"]  # nothing left under a temporary name


@pytest.mark.parametrize("failure", [RuntimeError("the printer driver crashed"),
                                     OSError(28, "No space left on device")])
def test_when_drawing_the_cards_fails_no_codes_are_kept_and_no_file_is_left(db, event, tmp_path, monkeypatch, failure):
    import grantdesk.reports.ballot_cards as cards_module

    events.issue_codes(db, event, 3)  # codes issued before stay as they were
    folder = tmp_path / "print"
    folder.mkdir()
    target = folder / "cards.pdf"
    target.write_bytes(b"an older set of cards")  # an earlier file of that name is not replaced
    drawn = []

    def half_drawn(view, codes, path):
        path.write_bytes(b"%PDF-1.4 half a page")  # drawing had begun when it failed
        drawn.append((view.codes_issued, len(codes)))
        raise failure

    monkeypatch.setattr(cards_module, "ballot_cards_pdf", half_drawn)
    with pytest.raises(type(failure)):
        events.issue_code_cards(db, event, 20, target, draw=cards_module.ballot_cards_pdf)
    assert drawn == [(23, 20)]  # the codes were made, in the transaction, when the drawing failed
    assert len(events.event_codes(db, event)) == 3 and events.get_event(db, event).codes_issued == 3
    assert target.read_bytes() == b"an older set of cards"
    assert [p.name for p in folder.iterdir()] == ["cards.pdf"]


def test_cards_that_cannot_be_written_where_asked_issue_no_codes(db, event, tmp_path):
    with pytest.raises(OSError):
        events.issue_code_cards(db, event, 5, tmp_path / "no such folder" / "cards.pdf", draw=ballot_cards_pdf)
    assert events.event_codes(db, event) == []
