"""Issue 17's "Done when", as a new officer lives it: from an empty database, set up a fund entirely in the app
(the New Fund wizard, opened from the welcome page), then record an application, decide it, print the letters
and publish 360Giving — once for Staffordshire's People Helping People (divisions, a councillor per division
with £2,500, apply-by and spend-by dates; a member's recommendation and the officer's approval) and once for
Oxford's Blackbird Leys panel fund (seven panellists, three weighted criteria; the panel scores, decides and
the officer applies it). Every step goes through the real widgets; what each step made is checked through
the services. The wizard runs on the real date, so each fund's first round is made to cover today."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fund_setup_ui_helpers import (
    COUNCILLORS,
    PANELLISTS,
    STAFFORDSHIRE_DIVISIONS,
    click,
    copy,
    edit_cell,
    next_page,
    paste_into,
    set_month_day,
    type_over,
)
from helpers import opened_window
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QMessageBox, QWizard
from shiboken6 import isValid

from grantdesk.domain.dates import financial_year_of
from grantdesk.domain.workflow import Status
from grantdesk.services import letters
from grantdesk.services.applications import get_application, list_application_rows
from grantdesk.services.fund_setup import fund_setup
from grantdesk.services.overview import list_funds
from ui.fund_wizard import NewFundWizard
from ui.letters_window import LettersWindow
from ui.main_window import FUND_ROLE
from ui.open_data import PublishDialog
from ui.panel_scoring import PanelScoringWidget
from ui.voting_desk import VotingDesk

TIMEOUT = 30_000
ORGANISATION = "Eccleshall Community Larder"


@pytest.fixture(autouse=True)
def no_question_box_at_teardown(monkeypatch):
    """A step that fails with an editor still open must not leave a real question box to hang the run."""
    from ui.editor import ApplicationEditor

    monkeypatch.setattr(ApplicationEditor, "ask_unsaved", lambda self: "discard")


# --- the steps every fund goes through ------------------------------------------------------------------


def settle(qtbot, window) -> None:
    """Wait until nothing is running on the window's worker (every answer delivered, and whatever the
    answers set going — a refresh another window's change asked for — done too)."""
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=TIMEOUT)


def shown_window(kind: type):
    """The one visible top-level window of ``kind`` (what a menu action just opened)."""
    found = [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]
    assert len(found) == 1, found
    return found[0]


def dates_covering_today() -> tuple[int, str, str]:
    """The financial year that holds today, and its first and last day as typed (dd/mm/yyyy)."""
    fy = financial_year_of(date.today())
    return fy, f"01/04/{fy}", f"31/03/{fy + 1}"


def open_empty_database(qtbot, tmp_path):
    """The app on a new, empty database file: the welcome page shows and nothing is in it."""
    path = tmp_path / "council.db"
    assert not path.exists()
    window = opened_window(qtbot, path)
    window.resize(1280, 800)
    assert list_funds(window.db) == []
    assert window.central_stack.currentWidget() is window.welcome and window.welcome.isVisible()
    return window


def open_the_wizard(qtbot, window) -> NewFundWizard:
    """Welcome page ▸ Set up a fund…: the New Fund wizard opens over the main window."""
    click(qtbot, window.welcome.buttons["setUpFund"])
    wizard = shown_window(NewFundWizard)
    assert wizard.parent() is window and wizard.currentId() == NewFundWizard.MODEL
    settle(qtbot, window)  # it has read the codes funds already use
    wizard.resize(1280, 800)
    return wizard


def fill_fund_page(qtbot, wizard, name, council, funder, prefix, code=None) -> None:
    page = wizard.fund_page
    qtbot.keyClicks(page.name_edit, name)
    if code is not None:
        type_over(qtbot, page.code_edit, code)
    qtbot.keyClicks(page.council_edit, council)
    qtbot.keyClicks(page.funder_edit, funder)
    qtbot.keyClicks(page.prefix_edit, prefix)


def finish(qtbot, window, wizard, code: str) -> None:
    """Finish: the fund is made in one go, the wizard closes and the main window shows the new fund."""
    with qtbot.waitSignal(wizard.created, timeout=TIMEOUT) as made:
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert made.args[0].fund_code == code
    qtbot.waitUntil(lambda: not isValid(wizard) or not wizard.isVisible(), timeout=TIMEOUT)
    qtbot.waitUntil(lambda: window.current_fund == code and window.central_stack.currentWidget() is window.splitter,
                    timeout=TIMEOUT)
    settle(qtbot, window)
    tree = window.fund_model
    assert [tree.index(r, 0).data(FUND_ROLE)[0] for r in range(tree.rowCount())] == [code]
    assert tree.item(0).rowCount() == 1  # its first round, under it
    assert window.list_stack.currentWidget() is window.empty_state  # no applications yet: it says what to do
    assert window.toolbar.isVisible() and window.actions.new_action.isEnabled()


def choose(qtbot, combo: QComboBox, text: str) -> None:
    """Pick from a list by typing, as a person does."""
    combo.setFocus()
    qtbot.keyClicks(combo, text)
    assert combo.currentText().startswith(text), (combo.accessibleName(), combo.currentText())


def record_application(qtbot, window, values: dict[str, str], answers: dict[str, str]):
    """The empty fund's "Record an application" button: type it in, save it; the list shows it as a draft."""
    assert window.empty_record_button.accessibleName() == "Record an application"
    with qtbot.waitSignal(window.actions.editor_opened, timeout=TIMEOUT) as opened:
        click(qtbot, window.empty_record_button)
    editor = opened.args[0]
    assert editor.isVisible()
    round_combo = editor.widgets["round"]
    assert round_combo.count() == 1 and round_combo.currentText()  # the fund's one round, open today
    for name, text in values.items():
        widget = editor.widgets[name]
        if isinstance(widget, QComboBox):
            choose(qtbot, widget, text)
        else:
            widget.setFocus()
            qtbot.keyClicks(widget, text)
            qtbot.keyClick(widget, Qt.Key.Key_Tab)
    for key, text in answers.items():
        widget = editor.widgets[f"answers.{key}"]
        if isinstance(widget, QComboBox):
            choose(qtbot, widget, text)
        else:
            widget.setFocus()
            qtbot.keyClicks(widget, text)
            qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert editor.check() == {}, editor.check()
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT, raising=False) as saved:
        click(qtbot, editor.save_button)
    assert saved.signal_triggered, (editor.status_label.text(), editor.banner.text(), window.notice.text())
    assert editor.reference and not editor.isWindowModified(), editor.banner.text()
    reference, app_id = editor.reference, editor.application_id
    editor.close()
    qtbot.waitUntil(lambda: window.current_detail is not None and window.current_detail.row.id == app_id,
                    timeout=TIMEOUT)
    # the fund's first application: the list shows it in place of "No applications … yet"
    assert window.list_stack.currentWidget() is window.table and window.app_model.rowCount() == 1
    assert window.current_detail.row.status == "draft" and reference in window.detail.toPlainText()
    return app_id, reference


def move(qtbot, window, status: Status) -> None:
    """A workflow action from the main window: it says what the move does and asks first; the officer
    confirms, and the detail shows the application's new status."""
    action = window.actions.move_actions[status]
    assert action.isEnabled(), f"{action.text()} is not offered; notice: {window.notice.text()!r}"
    with qtbot.waitSignal(window.actions.dialog_opened, timeout=TIMEOUT) as opened:
        action.trigger()
    box = opened.args[0]
    assert box.objectName() == "moveConfirm" and box.isVisible() and f"to {status.label}." in box.text()
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT, raising=False) as moved:
        click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    assert moved.signal_triggered, f"{action.text()}: no refresh; notice: {window.notice.text()!r}"
    qtbot.waitUntil(lambda: window.current_detail.row.status == status.value, timeout=TIMEOUT)


def submit_and_assess(qtbot, window, app_id: int) -> None:
    """Submit it (asked, and confirmed), then assess its eligibility: the fund's rules say eligible, rule
    by rule, and the officer confirms it."""
    move(qtbot, window, Status.SUBMITTED)
    assert window.actions.assess_action.isEnabled()
    with qtbot.waitSignal(window.actions.dialog_opened, timeout=TIMEOUT) as opened:
        window.actions.assess_action.trigger()
    dialog = opened.args[0]
    assert dialog.objectName() == "assessmentDialog" and dialog.isVisible()
    assert "make this application <b>eligible</b>" in dialog.verdict.text(), [
        dialog.rules.topLevelItem(i).text(2) for i in range(dialog.rules.topLevelItemCount())]
    assert window.current_detail.row.status == "submitted"  # nothing changes until it is confirmed
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT, raising=False) as assessed:
        click(qtbot, dialog.confirm_button)
    assert assessed.signal_triggered, (dialog.error.text() if dialog.isVisible() else "", window.notice.text())
    qtbot.waitUntil(lambda: window.current_detail.row.status == "eligible", timeout=TIMEOUT)
    assert [h.to_status for h in get_application(window.db, app_id).history] == ["draft", "submitted", "eligible"]


def print_the_letters(qtbot, window, monkeypatch, tmp_path, app_id: int, reference: str):
    """File ▸ Letters…: make the round's award letters, look at them, save them as a PDF."""
    window.letters_action.trigger()
    letters_window = shown_window(LettersWindow)
    assert letters_window.fund_code == window.current_fund
    qtbot.waitUntil(lambda: letters_window.round_combo.count() > 1 and not window.runner.busy, timeout=TIMEOUT)
    assert letters_window.isVisible() and letters_window.kind_combo.currentData() == "award"
    with qtbot.waitSignal(letters_window.batch_ready, timeout=TIMEOUT):
        click(qtbot, letters_window.make_button)
    tree = letters_window.letter_list
    assert tree.topLevelItemCount() == 1 and tree.topLevelItem(0).text(0) == reference, letters_window.summary.text()
    assert letters_window.document.pageCount() >= 1
    assert "1 award letter" in letters_window.summary.text()
    assert letters.letters_produced(window.db, app_id) == []  # nothing is recorded before it is sent

    target = tmp_path / f"{window.current_fund.lower()}-award-letters.pdf"
    asked = []

    def save_as(parent, caption, suggested, filters, *rest):
        asked.append(suggested)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    assert not letters_window.split_check.isChecked()
    with qtbot.waitSignal(letters_window.saved, timeout=TIMEOUT):
        click(qtbot, letters_window.save_button)
    assert asked and asked[0].endswith(".pdf")
    assert target.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(target).pages) == letters_window.document.pageCount() >= 1
    [entry] = letters.letters_produced(window.db, app_id)
    assert (entry["kind"], entry["by"]) == ("award", "Test Officer")
    assert entry["date"] == letters_window.made.day.isoformat()
    assert "Recorded 1 award letter against" in letters_window.notice.text()
    letters_window.close()
    return target


def publish_360giving(qtbot, window, monkeypatch, tmp_path, reference: str, amount_pence: int, funder: str,
                      prefix: str) -> dict:
    """File ▸ Publish Open Data…: check the fund's awards, then save the 360Giving JSON."""
    window.publish_action.trigger()
    dialog = shown_window(PublishDialog)
    qtbot.waitUntil(lambda: dialog.details is not None and not window.runner.busy, timeout=TIMEOUT)
    assert dialog.isVisible()
    assert (dialog.funder_edit.text(), dialog.prefix_edit.text()) == (funder, prefix)  # as the wizard set them
    assert not dialog.save_json_button.isEnabled()  # nothing to publish before a check
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT) as checked:
        click(qtbot, dialog.check_button)
    publication = checked.args[0]
    assert publication.count == 1 and not publication.schema_problems
    assert "passes the official 360Giving schema" in dialog.summary.text()
    assert dialog.schema_box.isHidden() and dialog.save_json_button.isEnabled()

    target = tmp_path / f"{window.current_fund}-360giving.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args: (str(target), "360Giving JSON (*.json)")))
    with qtbot.waitSignal(dialog.published, timeout=TIMEOUT) as published:
        click(qtbot, dialog.save_json_button)
    assert published.args[0].path == target
    assert "Published 1 grant" in dialog.status.text()
    package = json.loads(target.read_text(encoding="utf-8"))
    [grant] = package["grants"]
    assert grant["id"] == f"{prefix}-{reference}"
    assert grant["amountAwarded"] == amount_pence / 100 and grant["currency"] == "GBP"
    assert grant["fundingOrganization"][0]["id"] == funder
    dialog.close()
    return grant


# --- Staffordshire: People Helping People ------------------------------------------------------------


def set_up_people_helping_people(qtbot, wizard) -> None:
    fy, opens, closes = dates_covering_today()
    # How it decides: elected members.
    click(qtbot, wizard.model_page.buttons["member"])
    next_page(qtbot, wizard)
    # The fund.
    fill_fund_page(qtbot, wizard, "People Helping People", "Staffordshire County Council", "GB-LAE-STS",
                   "360G-staffordshirecc")
    assert wizard.fund_page.code_edit.text() == "PHP"
    assert next_page(qtbot, wizard) == NewFundWizard.AREAS
    # Its divisions, pasted from a spreadsheet column.
    editor = wizard.areas_page.editor
    assert editor.kind() == "division"
    paste_into(qtbot, editor.paste_edit, "\n".join(STAFFORDSHIRE_DIVISIONS) + "\n")
    click(qtbot, editor.add_button)
    assert [r["name"] for r in editor.table.rows()] == list(STAFFORDSHIRE_DIVISIONS)
    assert next_page(qtbot, wizard) == NewFundWizard.MEMBERS
    # A councillor per division with £2,500, and the year's apply-by and spend-by days: the end of March,
    # so that the round and the pots are open whatever day this runs.
    members = wizard.members_page
    assert members.default_edit.text() == "£2,500.00"
    click(qtbot, members.fill_button)
    for row, name in enumerate(COUNCILLORS):
        edit_cell(qtbot, members.table, row, 0, name)
    assert members.total_label.text() == "5 members; £12,500.00 in all."
    set_month_day(qtbot, members.year_form.apply_by, 31, "March")
    set_month_day(qtbot, members.year_form.spend_by, 31, "March")
    assert next_page(qtbot, wizard) == NewFundWizard.ROUND
    # The first round: this financial year, all of it.
    rnd = wizard.round_page
    if rnd.year_spin.value() != fy:
        type_over(qtbot, rnd.year_spin, str(fy))
    type_over(qtbot, rnd.opens_edit, opens)
    type_over(qtbot, rnd.closes_edit, closes)
    type_over(qtbot, rnd.spend_edit, closes)
    assert rnd.year_spin.value() == fy and rnd.budget_edit.text() == "£12,500.00"
    assert next_page(qtbot, wizard) == NewFundWizard.FORM
    # The form: its own questions as suggested; who can apply as suggested.
    assert [r["label"] for r in wizard.form_page.questions.rows()] == [
        "Have you spoken to your councillor about this project?", "About how many people will take part?"]
    assert next_page(qtbot, wizard) == NewFundWizard.LETTERS
    # Letters: who signs them.
    page = wizard.letters_page.letters
    qtbot.keyClicks(page.signatory_name, "Rachel Bateman")
    qtbot.keyClicks(page.signatory_role, "Community Grants Officer")
    qtbot.keyClicks(page.address, "Staffordshire Place 1")
    assert next_page(qtbot, wizard) == NewFundWizard.SUMMARY
    summary = wizard.summary_page.text.toPlainText()
    assert "5 members with £2,500.00 each" in summary
    assert "Apply by 31 March, spend by 31 March each year" in summary


def test_staffordshire_people_helping_people_from_an_empty_database_to_360giving(
        qtbot, tmp_path, monkeypatch):
    fy, _opens, _closes = dates_covering_today()
    # 1. A new officer opens GrantDesk on an empty database and sets the fund up in the wizard.
    window = open_empty_database(qtbot, tmp_path)
    wizard = open_the_wizard(qtbot, window)
    set_up_people_helping_people(qtbot, wizard)
    finish(qtbot, window, wizard, "PHP")
    assert "People Helping People" in window.fund_heading.text()
    setup = fund_setup(window.db, "PHP")
    assert [a.spec.name for a in setup.areas] == sorted(STAFFORDSHIRE_DIVISIONS)
    councillor = {m.spec.area: m.spec for m in setup.members}
    assert {area: m.name for area, m in councillor.items()} == dict(zip(STAFFORDSHIRE_DIVISIONS, COUNCILLORS,
                                                                       strict=True))
    assert all([(a.year, a.amount_pence) for a in m.allotments] == [(fy, 250_000)] for m in councillor.values())
    [rnd] = setup.rounds
    assert rnd.spec.opens_on <= date.today() <= rnd.spec.closes_on

    # 2. An application arrives from a group in Eccleshall: the officer types it in, saves, submits it and
    # assesses it (eligible).
    app_id, reference = record_application(qtbot, window, {
        "organisation": ORGANISATION, "organisation_type": "Constituted", "contact_name": "Mair Jones",
        "contact_email": "mair@example.org", "title": "Fresh food for families", "amount_requested": "£1,250",
        "area": "Eccleshall"}, {"spoken_councillor_project": "Yes", "people_take_part": "120"})
    assert reference.startswith("PHP-")
    submit_and_assess(qtbot, window, app_id)

    # 3. The division's councillor recommends it (Members ▸ Member Decision…), and the officer approves:
    # the application is awarded.
    window.member_decision_action.trigger()
    dialog = window.member_decision_dialog
    qtbot.waitUntil(lambda: dialog.context is not None and not window.runner.busy, timeout=TIMEOUT)
    assert reference in dialog.facts.text() and ORGANISATION in dialog.facts.text()
    member = dialog.member_position()
    assert member.name == "Cllr Caroline Meakin" and member.area == "Eccleshall"  # Eccleshall's councillor
    assert member.member_id in dialog.context.area_member_ids and member.remaining_pence == 250_000
    assert dialog.amount_edit.text() == "£1,250.00"  # what was asked for
    dialog.reasons_edit.setFocus()
    qtbot.keyClicks(dialog.reasons_edit, "Families in my division rely on the larder.")
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        click(qtbot, dialog.record_button)
    assert dialog.decisions_model.rowCount() == 1 and "waiting for the officer" in dialog.message_label.text()
    dialog.decisions_view.selectRow(0)
    click(qtbot, dialog.approve_button)  # asks first: approving awards the money
    with qtbot.waitSignal(dialog.changed, timeout=TIMEOUT):
        click(qtbot, dialog.approve_box.button(QMessageBox.StandardButton.Yes))
    assert f"{reference} is awarded £1,250.00" in dialog.message_label.text()
    detail = get_application(window.db, app_id)
    assert detail.row.status == "awarded" and detail.award_pence == 125_000
    qtbot.waitUntil(lambda: window.current_detail.row.status == "awarded", timeout=TIMEOUT)  # the list follows
    dialog.close()
    settle(qtbot, window)

    # 4. The award letter: made, looked at and saved as a PDF, and recorded against the application.
    print_the_letters(qtbot, window, monkeypatch, tmp_path, app_id, reference)

    # 5. 360Giving: checked against the schema and published.
    grant = publish_360giving(qtbot, window, monkeypatch, tmp_path, reference, 125_000, "GB-LAE-STS",
                              "360G-staffordshirecc")
    assert grant["recipientOrganization"][0]["name"] == ORGANISATION
    [row] = list_application_rows(window.db, "PHP")
    assert row.status == "awarded"
    settle(qtbot, window)


# --- Oxford: the Blackbird Leys panel ---------------------------------------------------------------


def set_up_blackbird_leys(qtbot, wizard) -> None:
    fy, opens, closes = dates_covering_today()
    # How it decides: a residents' panel.
    click(qtbot, wizard.model_page.buttons["panel"])
    next_page(qtbot, wizard)
    # The fund, with its grant limits.
    fill_fund_page(qtbot, wizard, "Blackbird Leys Community Fund", "Oxford City Council", "GB-LAE-OXO",
                   "360G-oxfordcc", code="BBL")
    type_over(qtbot, wizard.fund_page.min_edit, "£100")
    type_over(qtbot, wizard.fund_page.max_edit, "£7,500")
    next_page(qtbot, wizard)
    # Its wards, pasted; Next adds them.
    editor = wizard.areas_page.editor
    assert editor.kind() == "ward"
    paste_into(qtbot, editor.paste_edit, "Blackbird Leys\nNorthfield Brook")
    assert next_page(qtbot, wizard) == NewFundWizard.PANEL
    # The panel: seven panellists pasted from a spreadsheet, three criteria weighted 3, 2 and 1.
    panel = wizard.panel_page
    type_over(qtbot, panel.name_edit, "Blackbird Leys Community Panel")
    copy("\n".join(f"{name}\t{area}" for name, area in PANELLISTS))
    click(qtbot, panel.paste_button)
    assert [(r["name"], r["area"]) for r in panel.panellists.rows()] == list(PANELLISTS)
    assert [r["weight"] for r in panel.criteria.rows()] == [3, 2, 1]
    edit_cell(qtbot, panel.criteria, 0, 0, "Helps people here live healthier, happier lives")
    assert next_page(qtbot, wizard) == NewFundWizard.ROUND
    # The first round: this financial year, decided after it closes.
    rnd = wizard.round_page
    if rnd.year_spin.value() != fy:
        type_over(qtbot, rnd.year_spin, str(fy))
    type_over(qtbot, rnd.opens_edit, opens)
    type_over(qtbot, rnd.closes_edit, closes)
    type_over(qtbot, rnd.decision_edit, f"30/04/{fy + 1}")
    type_over(qtbot, rnd.spend_edit, f"31/03/{fy + 2}")
    type_over(qtbot, rnd.budget_edit, "£50,000")
    assert rnd.year_spin.value() == fy
    assert next_page(qtbot, wizard) == NewFundWizard.FORM
    assert [r["label"] for r in wizard.form_page.questions.rows()] == ["About how many people will take part?"]
    assert next_page(qtbot, wizard) == NewFundWizard.LETTERS
    page = wizard.letters_page.letters
    qtbot.keyClicks(page.signatory_name, "Ian Brooke")
    qtbot.keyClicks(page.signatory_role, "Community Grants Officer")
    assert next_page(qtbot, wizard) == NewFundWizard.SUMMARY
    assert "Blackbird Leys Community Panel: 7 panellists" in wizard.summary_page.text.toPlainText()


def score_all(qtbot, scoring, app_id: int, criteria, score: str) -> None:
    """The chosen panellist types a score into each criterion's cell (the first key opens the editor)."""
    for crit in criteria:
        view = scoring.score_view
        if not scoring.isActiveWindow():
            scoring.activateWindow()
            qtbot.waitUntil(scoring.isActiveWindow, timeout=TIMEOUT)
        view.setFocus()
        index = scoring.score_model.index_of(app_id, crit)
        view.setCurrentIndex(index)
        qtbot.keyClick(view, score)
        editor = QApplication.focusWidget()
        assert isinstance(editor, QComboBox) and editor.objectName() == "scoreEditor"
        with qtbot.waitSignal(scoring.refreshed, timeout=TIMEOUT):
            qtbot.keyClick(editor, Qt.Key.Key_Return)
        assert index.data() == score


def test_oxford_blackbird_leys_panel_from_an_empty_database_to_360giving(qtbot, tmp_path, monkeypatch):
    # 1. A new officer opens GrantDesk on an empty database and sets the panel fund up in the wizard.
    window = open_empty_database(qtbot, tmp_path)
    wizard = open_the_wizard(qtbot, window)
    set_up_blackbird_leys(qtbot, wizard)
    finish(qtbot, window, wizard, "BBL")
    setup = fund_setup(window.db, "BBL")
    [rnd] = setup.rounds
    assert rnd.spec.opens_on <= date.today() <= rnd.spec.closes_on
    [panel] = setup.panels
    assert len(panel.spec.panellists) == 7 and [c.weight for c in panel.spec.criteria] == [3, 2, 1]

    # 2. An idea comes in from Blackbird Leys: typed in, saved, submitted, assessed (eligible) and
    # shortlisted for the panel.
    app_id, reference = record_application(qtbot, window, {
        "organisation": "Leys Youth Football", "organisation_type": "Constituted", "contact_name": "Shaun Bell",
        "contact_email": "shaun@example.org", "title": "Kit and coaching for under-12s",
        "amount_requested": "£3,000", "area": "Blackbird Leys"}, {"people_take_part": "60"})
    assert reference.startswith("BBL-")
    submit_and_assess(qtbot, window, app_id)
    move(qtbot, window, Status.SHORTLISTED)

    # 3. The panel (Voting ▸ Votes and Panels… ▸ Score as a panel…): two panellists score it, the panel
    # decides to fund it, and the officer applies the decision.
    window.voting_action.trigger()
    desk = shown_window(VotingDesk)
    qtbot.waitUntil(lambda: desk.panel_list.count() == 1 and not window.runner.busy, timeout=TIMEOUT)
    assert "Blackbird Leys Community Panel" in desk.panel_list.item(0).text()
    item = desk.panel_list.item(0)
    qtbot.mouseClick(desk.panel_list.viewport(), Qt.MouseButton.LeftButton,
                     pos=desk.panel_list.visualItemRect(item).center())
    assert desk.panel_list.currentItem() is item
    click(qtbot, desk.score_button)
    scoring = shown_window(PanelScoringWidget)
    qtbot.waitUntil(lambda: scoring.sheet is not None and not window.runner.busy, timeout=TIMEOUT)
    scoring.resize(1280, 800)
    qtbot.waitExposed(scoring)
    criteria = [c.id for c in scoring.sheet.criteria]
    assert len(criteria) == 3 and scoring.score_model.rowCount() == 1
    assert scoring.panellist_combo.count() == 7
    assert scoring.panellist_combo.currentText().startswith("Shanice Okoro")
    score_all(qtbot, scoring, app_id, criteria, "5")
    choose(qtbot, scoring.panellist_combo, "Dave Fletcher")  # the next panellist's own sheet
    score_all(qtbot, scoring, app_id, criteria, "4")

    qtbot.keySequence(scoring, "Ctrl+3")  # Deliberation
    click(qtbot, scoring.decide_buttons[app_id])
    decide = scoring.decide_dialog
    assert decide.fund.isChecked() and decide.amount_edit.text() == "£3,000.00"  # the scores fund it
    with qtbot.waitSignal(scoring.decided, timeout=TIMEOUT) as decided:
        click(qtbot, decide.ok)
    assert decided.args[0].outcome == "fund" and not decided.args[0].differs_from_scores
    qtbot.waitUntil(lambda: scoring.apply_button.isEnabled(), timeout=TIMEOUT)
    click(qtbot, scoring.apply_button)
    box = scoring.confirm_box
    assert box is not None and "1 will be awarded" in box.text()
    with qtbot.waitSignal(scoring.applied, timeout=TIMEOUT) as applied:
        click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    assert list(applied.args[0].awarded) == [reference]
    detail = get_application(window.db, app_id)
    assert detail.row.status == "awarded" and detail.award_pence == 300_000
    qtbot.waitUntil(lambda: window.current_detail.row.status == "awarded", timeout=TIMEOUT)  # the list follows
    scoring.close()
    desk.close()
    settle(qtbot, window)

    # 4. The award letter, saved as a PDF and recorded.
    print_the_letters(qtbot, window, monkeypatch, tmp_path, app_id, reference)

    # 5. 360Giving, checked and published.
    publish_360giving(qtbot, window, monkeypatch, tmp_path, reference, 300_000, "GB-LAE-OXO", "360G-oxfordcc")
    settle(qtbot, window)
