"""The kiosk follows the fund (issue 20): at an event of a fund under the Welsh Language Standards each
voter chooses Cymraeg or English first — Cymraeg first — and then meets only that language; the next
voter chooses again; any other fund's kiosk asks nothing.

The Welsh is read from the shipped catalogue (``grantdesk.i18n``): a kiosk text the catalogue does not
translate shows in English, and the walk below fails on it."""

import re

import pytest
from helpers import build_vote_fund
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QWidget
from sqlalchemy import select

from grantdesk.i18n import has_message, in_language, translator
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.store.models import Fund
from ui.kiosk import KioskWindow
from ui.tasks import TaskRunner

TIMEOUT = 10_000
PIN = "2468"


@pytest.fixture
def vote(db):
    return build_vote_fund(db)  # Idea 1..4 costing £3,000, £2,000, £1,500 and £1,000; budget £5,000


@pytest.fixture
def runner():
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def make_welsh(db, code):
    with db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund).where(Fund.code == code))
        fund.settings = {**(fund.settings or {}), "welsh_language_standards": True}
        uow.commit()


def make_event(db, vote, kind="approval", **ballot_settings) -> int:
    return events.create_event(db, vote.fund_code, EventSettings(
        name="Pleidlais Gŵyl y Rhyl", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind=kind, ballot_settings=ballot_settings or {"max_choices": 2}, rule="greedy", kiosk_pin=PIN))


@pytest.fixture
def open_kiosk(qtbot, db, runner):
    def opened(event_id: int) -> KioskWindow:
        kiosk = KioskWindow(db, runner, event_id)
        qtbot.addWidget(kiosk)
        kiosk.resize(1280, 800)
        kiosk.show()
        kiosk.activateWindow()
        qtbot.waitActive(kiosk)
        with qtbot.waitSignal(kiosk.ready, timeout=TIMEOUT):
            kiosk.start()
        return kiosk
    return opened


def focused():
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def enter_code(qtbot, kiosk, code: str) -> None:
    assert focused() is kiosk.code_edit
    qtbot.keyClicks(kiosk.code_edit, code)
    qtbot.keyClick(kiosk.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kiosk.page == "ballot", timeout=TIMEOUT)


# --- what counts as English on a Welsh screen ----------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\w*\}")


@pytest.fixture(scope="module")
def english_sources():
    """Every text the kiosk's modules mark for translation, as written in English (their sources, not the
    catalogue: a text the catalogue lacks still counts), except the few whose Welsh is the same."""
    from grantdesk.catalogue import ROOT, _extract_file

    texts = set()
    for name in ("ui/kiosk.py", "ui/kiosk_widgets.py", "ui/kiosk_words.py", "grantdesk/voting/voter_words.py"):
        for _line, message, _comments, _context in _extract_file(ROOT / name):
            texts.update(message if isinstance(message, tuple) else (message,))
    same = {t for t in texts if has_message("cy", t) and in_language("cy", t) == t}
    return texts - same - {""}


def english_in(texts: list[str], sources: set[str]) -> list[str]:
    """The texts that are, or contain a sentence of, the English sources (placeholders match anything)."""
    found = []
    for text in texts:
        for source in sources:
            if text == source:
                found.append(text)
                break
            words = re.findall(r"[A-Za-z']+", _PLACEHOLDER.sub(" ", source))
            if len(words) >= 3:
                pattern = r"\s*".join(re.escape(part) if not _PLACEHOLDER.fullmatch(part) else ".+?"
                                      for part in re.split(r"(\{\w*\})", source.strip()) if part)
                if re.search(pattern, text):
                    found.append(f"{text!r} ~ {source!r}")
                    break
    return found


def visible_texts(kiosk) -> list[str]:
    """What a voter sees or hears on the kiosk's page now: labels, buttons, placeholders, tooltips and
    accessible names of everything shown."""
    texts = []
    for widget in kiosk.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        texts += [widget.accessibleName(), widget.accessibleDescription(), widget.toolTip()]
    return [t for t in texts if t and t.strip()]


def welsh(text: str) -> str:
    """``text`` in Welsh from the catalogue; fails if the catalogue has no Welsh for it."""
    assert has_message("cy", text), f"the Welsh catalogue has no translation of {text!r}"
    return in_language("cy", text)


# --- the tests --------------------------------------------------------------------------------------


def test_a_welsh_standards_event_opens_on_the_language_choice_with_cymraeg_first(qtbot, db, vote, open_kiosk):
    make_welsh(db, vote.fund_code)
    kiosk = open_kiosk(make_event(db, vote))
    assert kiosk.page == "language"
    cymraeg, english = kiosk.language_buttons["cy"], kiosk.language_buttons["en"]
    assert (cymraeg.text(), english.text()) == ("Cymraeg", "English")
    assert cymraeg.isVisible() and english.isVisible()
    assert cymraeg.mapTo(kiosk, cymraeg.rect().topLeft()).x() < english.mapTo(kiosk, english.rect().topLeft()).x()
    assert focused() is cymraeg  # first in the Tab order, and where the focus starts
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is english
    prompts = [label.text() for label in kiosk.language_page.findChildren(QLabel) if label.isVisible()]
    assert prompts.index(welsh("Choose your language")) < prompts.index("Choose your language")  # Welsh first


def test_a_welsh_voter_meets_only_welsh_from_code_to_receipt(qtbot, db, vote, open_kiosk, english_sources):
    make_welsh(db, vote.fund_code)
    event_id = make_event(db, vote)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    click(qtbot, kiosk.language_buttons["cy"])
    assert kiosk.page == "start" and kiosk.language == "cy"
    seen = visible_texts(kiosk)
    assert welsh("Type the code on your card, or tap it in below") in seen
    assert english_in(seen, english_sources) == []

    qtbot.keyClicks(kiosk.code_edit, "NOT-A-CODE")  # a refused code is said in Welsh too
    qtbot.keyClick(kiosk.code_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kiosk.start_message.isVisible() and kiosk.start_message.property("state") == "problem",
                    timeout=TIMEOUT)
    assert english_in(visible_texts(kiosk), english_sources) == []
    kiosk.code_edit.clear()

    enter_code(qtbot, kiosk, code)
    seen = visible_texts(kiosk)
    instruction = translator("cy").ngettext("Choose up to {n} project.", "Choose up to {n} projects.", 2).format(n=2)
    assert kiosk.instructions_label.text() == instruction != "Choose up to 2 projects."
    assert kiosk.cards[0].choose_button.text() == welsh("Choose")
    assert english_in(seen, english_sources) == []
    for n in range(3):  # one too many: the problem is said in Welsh
        click(qtbot, kiosk.cards[n].choose_button)
    assert kiosk.status_label.property("state") == "problem"
    assert english_in(visible_texts(kiosk), english_sources) == []
    click(qtbot, kiosk.cards[2].choose_button)
    assert kiosk.status_label.property("state") == "ready"
    assert english_in(visible_texts(kiosk), english_sources) == []

    click(qtbot, kiosk.review_button)
    assert kiosk.page == "review"
    assert kiosk.review_lines()[0] == translator("cy").ngettext("You chose {n} project:", "You chose {n} projects:",
                                                                2).format(n=2)
    assert english_in(visible_texts(kiosk), english_sources) == []
    with qtbot.waitSignal(kiosk.ballot_cast, timeout=TIMEOUT):
        click(qtbot, kiosk.cast_button)
    assert kiosk.page == "thanks"
    assert kiosk.receipt_text.text() == welsh("Your receipt number is")
    assert english_in(visible_texts(kiosk), english_sources) == []
    assert events.event_results(db, event_id).tally.accepted == 1


def test_the_next_voter_chooses_their_language_again(qtbot, db, vote, open_kiosk):
    make_welsh(db, vote.fund_code)
    event_id = make_event(db, vote)
    [first, second] = events.issue_codes(db, event_id, 2)
    kiosk = open_kiosk(event_id)
    click(qtbot, kiosk.language_buttons["cy"])
    enter_code(qtbot, kiosk, first)
    click(qtbot, kiosk.cards[0].choose_button)
    click(qtbot, kiosk.review_button)
    with qtbot.waitSignal(kiosk.ballot_cast, timeout=TIMEOUT):
        click(qtbot, kiosk.cast_button)
    click(qtbot, kiosk.done_button)
    assert kiosk.page == "language"  # the next voter is asked again
    assert focused() is kiosk.language_buttons["cy"]

    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(), Qt.Key.Key_Space)  # English, by keyboard
    assert kiosk.page == "start" and kiosk.language == "en"
    assert "Type the code on your card, or tap it in below" in visible_texts(kiosk)
    enter_code(qtbot, kiosk, second)
    assert kiosk.instructions_label.text() == "Choose up to 2 projects."
    assert kiosk.cards[0].choose_button.text() == "Choose"

    click(qtbot, kiosk.start_again_button)  # a voter who starts again goes back to the choice of language
    click(qtbot, kiosk.clear_button)
    assert kiosk.page == "language"
    click(qtbot, kiosk.language_buttons["cy"])
    click(qtbot, kiosk.language_button)  # and "Newid iaith" on the code page goes back too
    assert kiosk.page == "language"


def test_a_voter_who_walks_away_leaves_the_choice_of_language_for_the_next(qtbot, db, vote, open_kiosk):
    make_welsh(db, vote.fund_code)
    kiosk = open_kiosk(make_event(db, vote))
    click(qtbot, kiosk.language_buttons["en"])
    assert kiosk.page == "start"
    kiosk.idle_timer.timeout.emit()  # two minutes without a touch
    assert kiosk.page == "language"


def test_a_fund_without_the_standards_has_no_choice_of_language(qtbot, db, vote, open_kiosk):
    kiosk = open_kiosk(make_event(db, vote))
    assert kiosk.page == "start"
    assert not kiosk.language_button.isVisible()
    assert "Type the code on your card, or tap it in below" in visible_texts(kiosk)
    kiosk.go_to_start()
    assert kiosk.page == "start"


def test_a_welsh_voter_sees_the_welsh_titles_and_summaries_and_the_english_where_there_is_none(
        qtbot, db, vote, open_kiosk):
    from grantdesk.store.models import Application

    make_welsh(db, vote.fund_code)
    with db.unit_of_work() as uow:
        apps = {a.title: a for a in uow.session.scalars(select(Application))}
        apps["Idea 1"].title_cy, apps["Idea 1"].summary_cy = "Meinciau yn y parc", "Meinciau newydd ar hyd y llwybr."
        apps["Idea 2"].title_cy = "Gardd gymunedol"  # no Welsh summary: the English one shows
        uow.commit()
    event_id = make_event(db, vote, "ranked", max_ranked=3)
    [code, other] = events.issue_codes(db, event_id, 2)
    kiosk = open_kiosk(event_id)
    click(qtbot, kiosk.language_buttons["cy"])
    enter_code(qtbot, kiosk, code)
    assert [c.title_label.text() for c in kiosk.cards] == ["Meinciau yn y parc", "Gardd gymunedol", "Idea 3", "Idea 4"]
    assert kiosk.cards[0].summary_label.text() == "Meinciau newydd ar hyd y llwybr."
    assert kiosk.cards[1].summary_label.text() == "What idea 2 would do for the estate."
    click(qtbot, kiosk.cards[1].rank_button)
    click(qtbot, kiosk.cards[0].rank_button)
    assert kiosk.rank_rows[0].label.text() == "1af  Gardd gymunedol"  # Welsh ordinals
    assert kiosk.rank_rows[1].label.text() == "2il  Meinciau yn y parc"
    click(qtbot, kiosk.review_button)
    assert kiosk.review_lines()[1:] == ["1af  Gardd gymunedol", "2il  Meinciau yn y parc"]
    with qtbot.waitSignal(kiosk.ballot_cast, timeout=TIMEOUT):
        click(qtbot, kiosk.cast_button)
    click(qtbot, kiosk.done_button)

    click(qtbot, kiosk.language_buttons["en"])  # an English voter sees the English titles
    enter_code(qtbot, kiosk, other)
    assert [c.title_label.text() for c in kiosk.cards] == ["Idea 1", "Idea 2", "Idea 3", "Idea 4"]
    assert kiosk.cards[0].summary_label.text() == "What idea 1 would do for the estate."


@pytest.mark.parametrize("size", [(800, 1280), (1280, 800)])
def test_no_welsh_message_is_cut_off(qtbot, db, vote, open_kiosk, size):
    from test_kiosk_ui import _cut_labels

    make_welsh(db, vote.fund_code)
    event_id = make_event(db, vote)
    [code] = events.issue_codes(db, event_id, 1)
    kiosk = open_kiosk(event_id)
    kiosk.resize(*size)
    qtbot.waitUntil(lambda: kiosk.size().width() == size[0], timeout=TIMEOUT)
    qtbot.waitUntil(lambda: not _cut_labels(kiosk), timeout=TIMEOUT)
    click(qtbot, kiosk.language_buttons["cy"])
    qtbot.waitUntil(lambda: not _cut_labels(kiosk), timeout=TIMEOUT)
    enter_code(qtbot, kiosk, code)
    for n in range(3):
        click(qtbot, kiosk.cards[n].choose_button)
    qtbot.waitUntil(lambda: not _cut_labels(kiosk), timeout=TIMEOUT)
    assert (kiosk.width(), kiosk.height()) == size  # nothing grew the window
    for card in kiosk.cards:  # "✓  Dewiswyd" fits its button
        button = card.choose_button
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()


def test_every_problem_with_a_ballot_is_said_in_welsh(english_sources):
    """Every problem the count can find, said to a Welsh voter: Welsh words, with the numbers and the
    projects' Welsh names where they have them."""
    from dataclasses import replace

    from test_ballots import EVERY_PROBLEM

    from grantdesk.voting.ballots import ballot_problems
    from ui.kiosk_words import Voice, voter_words

    cy, en = Voice("cy"), Voice("en")
    said = 0
    for rules, ballot, _expected in EVERY_PROBLEM:
        for problem in ballot_problems(rules, ballot):
            welsh_words, english_words = voter_words(problem, cy), voter_words(problem, en)
            assert welsh_words != english_words, english_words
            assert english_in([welsh_words], english_sources) == [], welsh_words
            said += 1
            if problem.projects and f"“{problem.projects[0].name}”" in english_words:  # named: in Welsh if it can
                named = replace(problem, projects=tuple(replace(p, name_cy="Meinciau") for p in problem.projects))
                assert "“Meinciau”" in voter_words(named, cy) and "“Meinciau”" not in voter_words(named, en)
    assert said >= 15
