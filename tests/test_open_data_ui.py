"""Open data in the window: check a fund's awards and publish them to 360Giving, keep the publisher
details right, and bring past grants in from a 360Giving file — driven through the real widgets."""

import json
from datetime import date

from helpers import opened_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from grantdesk.services.applications import list_application_rows
from grantdesk.services.open_data import past_grants, publishing_details
from ui.open_data import PublishDialog
from ui.past_grants import ImportGrantsDialog

TIMEOUT = 30_000
TODAY = date(2026, 12, 3)
TRAFFORD = "360giving/samples/trafford_council_voluntary_sector_grants.csv"


def publish_dialog(qtbot, db, runner, code="PHP"):
    dialog = PublishDialog(db, runner, code, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.start()
    return dialog


def check(qtbot, dialog):
    """Press Ctrl+Enter (Return) on the dialog and wait for the report."""
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT) as checked:
        qtbot.keyClick(dialog.prefix_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    return checked.args[0]


def issue_rows(dialog):
    tree = dialog.quality
    return [[tree.topLevelItem(r).text(c) for c in range(3)] for r in range(tree.topLevelItemCount())]


def test_checking_php_lists_its_quality_issues_critical_first_and_saves_a_json_file(
        qtbot, sample_db, runner, tmp_path, monkeypatch):
    dialog = publish_dialog(qtbot, sample_db, runner)
    assert dialog.prefix_edit.text() == "360G-staffordshirecc"
    assert not dialog.save_json_button.isEnabled()  # nothing to publish before a check
    assert "Check the data first" in dialog.publish_reason.text()

    # No funder id makes a critical issue, so there is one to sort first.
    dialog.funder_edit.selectAll()
    qtbot.keyClick(dialog.funder_edit, Qt.Key.Key_Backspace)
    with qtbot.waitSignal(dialog.details_saved, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.save_details_button, Qt.MouseButton.LeftButton)

    publication = check(qtbot, dialog)
    assert dialog.summary.text() == publication.summary()
    assert dialog.summary.text().startswith(f"{publication.count} grants from People Helping People")
    assert "passes the official 360Giving schema" in dialog.summary.text()
    rows = issue_rows(dialog)
    assert rows[0][0] == "Critical"
    assert "funder identifier that does not start with a recognised register code" in rows[0][2]
    assert rows[0][1] == str(publication.count)
    assert all(r[0] == "Advice" for r in rows[1:])
    no_code = next(r for r in rows if "but no ONS code" in r[2])
    assert no_code[1] == str(publication.count)  # every PHP division lacks its ONS code in the sample
    assert len(rows) == len(publication.quality)

    # Choosing an issue lists its grants (up to 20).
    no_code_item = dialog.quality.topLevelItem(rows.index(no_code))
    dialog.quality.setCurrentItem(no_code_item)
    shown = [dialog.grant_ids.item(i).text() for i in range(dialog.grant_ids.count())]
    issue = no_code_item.data(0, Qt.ItemDataRole.UserRole)
    assert shown == list(issue.grant_ids[:20]) and shown[0].startswith("360G-staffordshirecc-PHP-")
    assert dialog.schema_box.isHidden()

    assert dialog.save_json_button.isEnabled()
    target = tmp_path / "published"
    target.mkdir()
    asked = {}

    def fake_save(parent, title, start, filters, chosen):
        asked.update(title=title, start=start, filters=filters)
        return str(target / "php-open-data"), "360Giving JSON (*.json)"  # typed without an extension

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    with qtbot.waitSignal(dialog.published, timeout=TIMEOUT) as published:
        qtbot.keyClick(dialog.quality, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert asked["start"].endswith("PHP-360giving-2026-12-03.json")
    assert "*.csv" in asked["filters"] and "*.xlsx" in asked["filters"]
    saved = target / "php-open-data.json"
    assert published.args[0].path == saved
    package = json.loads(saved.read_text(encoding="utf-8"))
    assert len(package["grants"]) == publication.count
    assert f"Published {publication.count} grants" in dialog.status.text()

    # The Transparency Code CSV for the same period.
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: (str(target / "PHP-transparency.csv"), "CSV (*.csv)"))
    with qtbot.waitSignal(dialog.published, timeout=TIMEOUT):
        qtbot.keyClick(dialog.quality, Qt.Key.Key_S,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    lines = (target / "PHP-transparency.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Date awarded,Time period,Awarding department")
    assert "to voluntary, community and social enterprise organisations" in dialog.status.text()


def test_a_period_with_no_awards_is_explained_and_nothing_can_be_saved(qtbot, sample_db, runner):
    dialog = publish_dialog(qtbot, sample_db, runner)
    qtbot.mouseClick(dialog.from_check, Qt.MouseButton.LeftButton)
    dialog.from_date.setDate(date(2030, 1, 1))
    assert "on or after 01/01/2030" in dialog.period_hint.text()
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT) as failed:
        qtbot.keyClick(dialog.prefix_edit, Qt.Key.Key_F5)
    assert "has no awards awarded from 2030-01-01 to publish yet" in failed.args[0]
    assert dialog.status.text() == failed.args[0] and dialog.status.isVisible()
    assert not dialog.save_json_button.isEnabled() and not dialog.save_csv_button.isEnabled()


def test_a_bad_prefix_is_refused_next_to_the_form_and_a_good_one_is_saved(qtbot, sample_db, runner):
    dialog = publish_dialog(qtbot, sample_db, runner)
    before = publishing_details(sample_db, "PHP")
    assert not dialog.save_details_button.isEnabled()  # nothing changed yet

    dialog.prefix_edit.selectAll()
    qtbot.keyClicks(dialog.prefix_edit, "oxford")
    qtbot.keyClicks(dialog.department_edit, "Communities")
    assert dialog.details_state.text() == "Changes not saved yet."
    with qtbot.waitSignal(dialog.failed, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.save_details_button, Qt.MouseButton.LeftButton)
    assert dialog.details_error.isVisible()
    assert dialog.details_error.text() == ("“oxford” is not a 360Giving prefix: a prefix starts 360G-, such as "
                                           "360G-staffordshirecc.")
    assert dialog.prefix_edit.hasFocus()
    assert publishing_details(sample_db, "PHP") == before  # nothing changed

    dialog.prefix_edit.selectAll()
    qtbot.keyClicks(dialog.prefix_edit, "360G-staffs")
    assert dialog.details_error.isHidden()
    with qtbot.waitSignal(dialog.details_saved, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.save_details_button, Qt.MouseButton.LeftButton)
    after = publishing_details(sample_db, "PHP")
    assert after.prefix == "360G-staffs" and after.department == "Communities"
    assert after.funder_id == before.funder_id
    assert dialog.details_state.text() == "" and not dialog.save_details_button.isEnabled()
    assert dialog.status.text() == "Saved the publisher details."


def import_dialog(qtbot, db, runner, path):
    dialog = ImportGrantsDialog(db, runner, "PHP", path=path)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT) as checked:
        dialog.start()
    return dialog, checked.args[0]


def test_the_trafford_file_is_checked_then_all_555_grants_are_imported(qtbot, sample_db, runner, shared_dir):
    dialog, plan = import_dialog(qtbot, sample_db, runner, shared_dir / TRAFFORD)
    assert plan.to_import == 555 and not plan.problems
    assert dialog.summary.text().startswith(
        "“trafford_council_voluntary_sector_grants.csv” has 555 grants. 555 will be imported (£1,291,436.54).")
    assert [dialog.funders.item(i).text() for i in range(dialog.funders.count())] == [
        "Trafford Metropolitan Borough Council (GB-LAE-TRF): 555"]
    assert dialog.problem_model.stringList() == []
    assert dialog.import_button.isEnabled()
    before = len(list_application_rows(sample_db, "PHP"))

    with qtbot.waitSignal(dialog.imported, timeout=60_000) as imported:
        qtbot.keyClick(dialog.problems, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert imported.args[0] == 555
    assert dialog.status.text().startswith("Imported 555 past grants (£1,291,436.54) into PHP.")
    assert not dialog.import_button.isEnabled()
    assert len(past_grants(sample_db, "PHP")) == 555
    assert len(list_application_rows(sample_db, "PHP")) == before + 555

    # Checking the same file again finds them all here already.
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        qtbot.keyClick(dialog.problems, Qt.Key.Key_F5)
    assert "555 are already in GrantDesk and will be skipped" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()


def test_a_file_with_an_amount_of_lots_shows_the_row_and_column_and_cannot_be_imported(
        qtbot, sample_db, runner, tmp_path):
    bad = tmp_path / "past-grants.csv"
    bad.write_text(
        "Identifier,Title,Description,Currency,Amount Awarded,Award Date,Recipient Org:Identifier,"
        "Recipient Org:Name,Funding Org:Identifier,Funding Org:Name\n"
        "360G-test-1,Lunch club,Meals for older people,GBP,1500,2025-05-01,GB-CHC-1100001,Testville Lunch Club,"
        "GB-LAE-STS,Staffordshire County Council\n"
        "360G-test-2,New tents,Tents for the scouts,GBP,lots,2025-06-01,GB-CHC-1100002,Testville Scouts,"
        "GB-LAE-STS,Staffordshire County Council\n", encoding="utf-8")
    dialog, plan = import_dialog(qtbot, sample_db, runner, bad)
    problems = dialog.problem_model.stringList()
    assert problems == [str(p) for p in plan.problems] and len(problems) == 1
    assert problems[0].startswith("row 3, column “Amount Awarded”: ")
    assert "is not an amount in pounds" in problems[0]
    assert "1 of them cannot be read, so nothing will be imported" in dialog.summary.text()
    assert "Problems (1)" in dialog.problems_label.text()
    assert not dialog.import_button.isEnabled()
    dialog.run_import()  # the button is off; asking anyway does nothing
    qtbot.wait(100)
    assert past_grants(sample_db, "PHP") == []


def test_the_file_menu_opens_both_for_the_selected_fund_and_an_import_refreshes_the_list(
        qtbot, sample_path, shared_dir):
    window = opened_window(qtbot, sample_path, "PHP")
    texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Publish Open &Data…" in texts and "Import Past &Grants (360Giving)…" in texts

    qtbot.keySequence(window, "Ctrl+Shift+P")
    publish = window._fund_windows["publish"]["PHP"]
    qtbot.waitUntil(lambda: publish.details is not None, timeout=TIMEOUT)
    assert publish.isVisible() and publish.prefix_edit.text() == "360G-staffordshirecc"
    assert window.open_publish() is publish  # one per fund
    publish.close()
    qtbot.waitUntil(lambda: "PHP" not in window._fund_windows["publish"], timeout=TIMEOUT)

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=TIMEOUT)
    qtbot.keySequence(window, "Ctrl+Shift+I")
    dialog = window._fund_windows["past_grants"]["PHP"]
    assert dialog.fund_code == "PHP" and dialog.isVisible()
    before = window.app_model.total_count
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        dialog.check_file(shared_dir / TRAFFORD)
    with qtbot.waitSignal(window.applications_loaded, timeout=60_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.app_model.total_count == before + 555, timeout=TIMEOUT)


def test_closing_the_import_window_while_it_imports_cancels_the_import(qtbot, sample_db, runner, shared_dir):
    import threading

    dialog, _plan = import_dialog(qtbot, sample_db, runner, shared_dir / TRAFFORD)
    hold = threading.Event()
    runner.run(hold.wait)  # keep the worker busy, so the import is still waiting when the window closes
    dialog.run_import()
    assert not dialog.import_button.isEnabled() and not dialog.choose_button.isEnabled()
    dialog.close()
    with qtbot.waitSignal(runner.idle, timeout=TIMEOUT):
        hold.set()
    assert past_grants(sample_db, "PHP") == []  # cancelled at its first step: nothing written


def test_every_control_in_both_dialogs_has_an_accessible_name(qtbot, sample_db, runner):
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QDateEdit, QHeaderView, QLineEdit

    publish = publish_dialog(qtbot, sample_db, runner)
    past = ImportGrantsDialog(sample_db, runner, "PHP")
    qtbot.addWidget(past)
    for dialog in (publish, past):
        controls = [w for kind in (QAbstractButton, QAbstractItemView, QDateEdit, QLineEdit)
                    for w in dialog.findChildren(kind)
                    if not isinstance(w.parent(), QDateEdit) and not isinstance(w, QHeaderView)]  # Qt's own parts
        assert controls
        assert [w.objectName() for w in controls if not w.accessibleName()] == []
