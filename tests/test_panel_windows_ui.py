"""Panel windows stay true: what one open window records appears in every other open window that shows
it — a panellist's scores in another panel window's results, the panel's applied decisions in a window
listing the applications — and each user action is one transaction."""

from __future__ import annotations

from fractions import Fraction

import pytest
from helpers import opened_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from test_panel_scoring_ui import (
    TIMEOUT,
    cell_value,
    choose_panellist,
    make_panel,
    open_widget,
    results_row,
    score_cell,
)

from grantdesk.domain.changes import Kind
from grantdesk.services import panels
from ui.operations import follow_changes
from ui.panel_scoring import PanelScoringWidget


@pytest.fixture
def panel(db):
    return make_panel(db)


class ApplicationsList(QWidget):
    """A stand-in for a window listing applications (the main window): it follows applications and
    awards, and remembers what it was told changed."""

    def __init__(self, runner):
        super().__init__()
        self.runner = runner
        self.changes: list = []
        follow_changes(self, {Kind.APPLICATIONS, Kind.AWARDS}, self.changes.append)


def test_scores_typed_in_one_panel_window_appear_in_another_open_panel_window(qtbot, db, runner, panel):
    vote, panel_id, (shanice, dave, amina), benefit, plan = panel
    app1 = vote.application_ids[0]
    scoring = open_widget(qtbot, db, runner, panel_id)
    watching = open_widget(qtbot, db, runner, panel_id)
    assert scoring.window() is not watching.window()
    qtbot.keySequence(watching, "Ctrl+2")
    assert results_row(watching, vote.references[0])[2] == "–"

    score_cell(qtbot, scoring, app1, benefit, "4")  # Shanice, in the first window
    qtbot.waitUntil(lambda: results_row(watching, vote.references[0])[2] == "8 of 15", timeout=TIMEOUT)
    assert results_row(watching, vote.references[0])[5] == "1 of 3"  # one scorer
    assert cell_value(watching, app1, benefit) == "4"  # and on its score tab, for the same panellist

    choose_panellist(qtbot, watching, "Dave")  # the other window scores as someone else
    score_cell(qtbot, watching, app1, benefit, "3")
    qtbot.waitUntil(lambda: scoring.results_model.rows and results_row(scoring, vote.references[0])[3] == "3.50",
                    timeout=TIMEOUT)
    assert panels.score_sheet(db, panel_id).application(vote.references[0]).means[benefit] == Fraction(7, 2)


def test_a_declared_interest_in_one_window_blocks_scoring_in_another(qtbot, db, runner, panel):
    vote, panel_id, (shanice, dave, amina), benefit, plan = panel
    app2 = vote.application_ids[1]
    first = open_widget(qtbot, db, runner, panel_id)
    second = open_widget(qtbot, db, runner, panel_id)
    for window in (first, second):
        choose_panellist(qtbot, window, "Dave")
    model = second.score_model
    assert model.flags(model.index_of(app2, benefit)) & Qt.ItemFlag.ItemIsEditable
    first.score_view.setCurrentIndex(first.score_model.index_of(app2, benefit))
    dialog = first.open_interest()
    dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findData("dpi"))
    qtbot.keyClicks(dialog.nature_edit, "I own the hall they hire")
    with qtbot.waitSignal(first.declared, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not model.flags(model.index_of(app2, benefit)) & Qt.ItemFlag.ItemIsEditable,
                    timeout=TIMEOUT)
    assert model.index_of(app2, benefit).data() == "Interest declared"


def test_applying_the_decisions_updates_an_open_window_listing_the_applications(qtbot, db, runner, panel):
    vote, panel_id, people, benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    for person in people:
        panels.record_score(db, person, app1, benefit, 5)
        panels.record_score(db, person, app2, benefit, 3)
    panels.record_decision(db, panel_id, app1, "fund", amount_pence=300_000)
    panels.record_decision(db, panel_id, app2, "decline")
    panels.record_decision(db, panel_id, app3, "defer", reason="Not scored yet")
    listing = ApplicationsList(runner)
    qtbot.addWidget(listing)
    listing.show()
    widget = open_widget(qtbot, db, runner, panel_id)
    qtbot.keySequence(widget, "Ctrl+3")
    qtbot.mouseClick(widget.apply_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(widget.applied, timeout=TIMEOUT):
        qtbot.mouseClick(widget.confirm_box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(listing.changes) == 1, timeout=TIMEOUT)
    [changes] = listing.changes
    assert {Kind.APPLICATIONS, Kind.AWARDS} <= changes.kinds
    assert changes.applications == {app1, app2, app3}  # the rows to update
    assert changes.commits == 1  # one user action, one transaction


def test_the_main_window_list_shows_what_the_panel_window_awarded_and_declined(qtbot, db, location, panel):
    vote, panel_id, people, benefit, plan = panel
    app1, app2, app3 = vote.application_ids
    for person in people:
        panels.record_score(db, person, app1, benefit, 5)
    panels.record_decision(db, panel_id, app1, "fund", amount_pence=300_000)
    panels.record_decision(db, panel_id, app2, "decline")
    main = opened_window(qtbot, location.path, vote.fund_code)
    statuses = lambda: {main.app_model.row_at(r).id: main.app_model.row_at(r).status  # noqa: E731
                        for r in range(main.app_model.rowCount())}
    assert statuses() == {app1: "shortlisted", app2: "shortlisted", app3: "shortlisted"}
    widget = PanelScoringWidget(main.db, main.runner, panel_id)  # as the voting desk opens it
    widget.setWindowFlag(Qt.WindowType.Window)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.loaded, timeout=TIMEOUT):
        widget.start()
    widget.ask_apply()
    with qtbot.waitSignal(widget.applied, timeout=TIMEOUT):
        qtbot.mouseClick(widget.confirm_box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: statuses() == {app1: "awarded", app2: "declined", app3: "shortlisted"}, timeout=TIMEOUT)
