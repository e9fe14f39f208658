"""The import dialog, driven as an officer would: choose a file, fix the mapping, check, import."""

import os
from pathlib import Path

import pytest
from helpers import opened_window
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from grantdesk.io.tabular import write_csv
from grantdesk.services.applications import list_application_rows

TIMEOUT = 20_000
HEADERS = ["Group name", "Type of group", "Your name", "Email", "Project title", "How much?", "Division"]


def rows(n):
    return [[f"Staffs Group {i % 700}", "Community group", f"Person {i % 700}", f"p{i % 700}@example.org",
             f"Summer project {i}", f"£{500 + i % 1500:,}", "Kinver"] for i in range(n)]


def open_dialog(qtbot, sample_path):
    window = opened_window(qtbot, sample_path, "PHP")
    qtbot.keySequence(window, "Ctrl+I")
    return window, window.import_dialog


def map_by_keyboard(qtbot, dialog, header, prefix, downs=0):
    """Type the start of the field's name into the column's list, then arrow down, as people do."""
    combo = dialog.combos[header]
    combo.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a new keyboard search, not a continuation
    qtbot.keyClicks(combo, prefix)
    for _ in range(downs):
        qtbot.keyClick(combo, Qt.Key.Key_Down)


@pytest.mark.slow  # a 10,000-row file checked, then imported, through the window: ~4.5 s
def test_a_file_with_three_bad_rows_is_explained_and_nothing_is_written_then_the_fixed_file_imports(
        qtbot, sample_path, sample_db, tmp_path):
    window, dialog = open_dialog(qtbot, sample_path)
    before = len(list_application_rows(sample_db, "PHP"))
    data = rows(10_000)
    data[41][5] = "£12,50"
    data[4242][6] = "Atlantis"
    data[9999][1] = "a club"
    bad = tmp_path / "form-export.csv"
    write_csv(bad, HEADERS, data)

    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(bad)
    # every column is matched for you, by the field's label ("Project title") or the words forms use
    assert dialog.mapping() == {"Group name": "organisation", "Type of group": "organisation_type",
                                "Your name": "contact_name", "Email": "contact_email", "Project title": "title",
                                "How much?": "amount_requested", "Division": "area"}
    preview = dialog.preview_model
    assert preview.rowCount() == 5
    assert preview.headerData(0, Qt.Orientation.Horizontal) == "Organisation"
    assert preview.index(0, 0).data() == "Staffs Group 0"  # the live preview follows the mapping

    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT) as checked:
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    plan = checked.args[0]
    assert [(p.row, p.column) for p in plan.problems] == [(43, "How much?"), (4244, "Division"), (10001, "Type of group")]
    shown = dialog.problem_model.stringList()
    assert shown[0].startswith("row 43, column “How much?”")
    assert "9,997 of 10,000 rows are ready; 3 rows have problems" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()
    assert len(list_application_rows(sample_db, "PHP")) == before  # nothing written

    data[41][5], data[4242][6], data[9999][1] = "£1,250", "Kinver", "Community group"
    fixed = tmp_path / "form-export-fixed.csv"
    write_csv(fixed, HEADERS, data)
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(fixed)
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT) as imported:
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert imported.args[0] == 10_000
    assert window.app_model.total_count == before + 10_000  # the list shows them
    assert len(list_application_rows(sample_db, "PHP")) == before + 10_000


def test_the_mapping_is_remembered_for_the_fund(qtbot, sample_path, tmp_path):
    window, dialog = open_dialog(qtbot, sample_path)
    path = tmp_path / "small.csv"
    write_csv(path, HEADERS, rows(3))
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(path)
    assert dialog.mapping()["Email"] == "contact_email"  # guessed; the officer leaves the shared inbox out
    dialog.combos["Email"].setFocus()
    qtbot.keyClick(dialog.combos["Email"], Qt.Key.Key_Home)
    map_by_keyboard(qtbot, dialog, "Division", "Area")
    assert dialog.mapping()["Email"] == "" and dialog.mapping()["Division"] == "area"
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        dialog.check()
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT):
        dialog.run_import()
    dialog.close()

    window.import_action.trigger()
    again = window.import_dialog
    with qtbot.waitSignal(again.loaded, timeout=TIMEOUT):
        again.load_file(path)
    assert again.mapping()["Email"] == ""  # the officer's choice, not the guess
    assert again.mapping()["Group name"] == "organisation" and again.mapping()["How much?"] == "amount_requested"


def test_import_only_valid_rows_writes_the_rest_to_a_file(qtbot, sample_path, tmp_path):
    window, dialog = open_dialog(qtbot, sample_path)
    data = rows(20)
    data[5][5] = "lots"
    path = tmp_path / "mixed.csv"
    write_csv(path, ["Organisation", "Organisation type", "Contact name", "Contact e-mail", "Project title",
                     "Amount requested", "Area"], data)
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(path)
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        dialog.check()
    assert not dialog.import_button.isEnabled()
    dialog.valid_only.click()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT) as imported:
        dialog.run_import()
    assert imported.args[0] == 19
    assert (tmp_path / "mixed.rejected.csv").exists()
    assert "mixed.rejected.csv" in dialog.summary.text()


# --- the file as it is, beside the mapping (issue 18.4) ------------------------------------------------

FORM_HEADERS = ["Timestamp", "Email address", "Name of your group/organisation/club", "What type of group are you?",
                "Registered charity number (if you have one)", "Your name", "Project title",
                "Tell us about your project", "How much are you applying for? (£)",
                "Which division is your project in?", "How did you hear about the fund?"]


def form_rows(n):
    return [[f"{13 + i % 15:02d}/06/2026 09:{i % 60:02d}:34", f"group{i}@example.org", f"Kinver Friends {i}",
             "Community group", "n/a" if i % 3 else f"11{i:05d}", f"Sam Patel {i}", f"Village hall repairs {i}",
             "New doors and a ramp so everyone can get in.", f"£{400 + i * 10:,}", "Kinver",
             "From the parish newsletter"] for i in range(n)]


def test_the_file_is_shown_as_it_is_before_and_while_columns_are_mapped(qtbot, sample_path, tmp_path):
    window, dialog = open_dialog(qtbot, sample_path)
    raw = dialog.raw_model
    assert raw.rowCount() == 0 and "Choose a file" in dialog.raw_hint.text()
    assert dialog.raw_view.accessibleName()
    path = tmp_path / "google-form-export.csv"
    write_csv(path, FORM_HEADERS, form_rows(60))
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(path)

    # every column of the first 20 rows, exactly as the file holds them, numbered as the spreadsheet is
    assert (raw.rowCount(), raw.columnCount()) == (20, len(FORM_HEADERS))
    assert raw.index(0, 0).data() == "13/06/2026 09:00:34" and raw.index(1, 4).data() == "n/a"
    assert raw.index(19, 10).data() == "From the parish newsletter"
    assert raw.headerData(0, Qt.Orientation.Vertical) == "2" and raw.headerData(19, Qt.Orientation.Vertical) == "21"
    assert "Rows 2 to 21 of 60" in dialog.raw_hint.text()
    # each column says the field it is read as; the one no field fits is left out, greyed
    heading = [raw.headerData(c, Qt.Orientation.Horizontal) for c in range(raw.columnCount())]
    assert heading[0] == "Timestamp\n→ Submitted on"
    assert heading[2] == "Name of your group/organisation/club\n→ Organisation"
    assert heading[8] == "How much are you applying for? (£)\n→ Amount requested"
    assert heading[10] == "How did you hear about the fund?\n(left out)"
    assert raw.headerData(10, Qt.Orientation.Horizontal, Qt.ItemDataRole.ForegroundRole) is not None

    # going to a column's field shows that column
    combo = dialog.combos["How much are you applying for? (£)"]
    combo.setFocus()
    qtbot.waitUntil(lambda: dialog.raw_view.selectionModel().isColumnSelected(8))
    # the officer leaves the shared inbox out: the raw table says so at once
    email = dialog.combos["Email address"]
    email.setFocus()
    qtbot.keyClick(email, Qt.Key.Key_Home)
    assert raw.headerData(1, Qt.Orientation.Horizontal) == "Email address\n(left out)"
    assert dialog.raw_view.selectionModel().isColumnSelected(1)
    # and choosing a column's header in the raw table goes to its field
    header = dialog.raw_view.horizontalHeader()
    dialog.raw_view.scrollTo(raw.index(0, 5))
    x = header.sectionViewportPosition(5) + header.sectionSize(5) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    qtbot.waitUntil(lambda: dialog.combos["Your name"].hasFocus())
    for header_text, box in dialog.combos.items():
        assert box.accessibleName() == f"Field for column {header_text}"


def test_the_mapping_window_at_1280x800(qtbot, sample_path, tmp_path):
    window, dialog = open_dialog(qtbot, sample_path)
    path = tmp_path / "google-form-export.csv"
    write_csv(path, FORM_HEADERS, form_rows(60))
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(path)
    size = dialog.minimumSizeHint()
    assert size.width() <= 1280 and size.height() <= 800
    folder = Path(os.environ.get("GRANTDESK_SAVE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    dialog.resize(1280, 800)
    QApplication.processEvents()
    dialog.combos["Which division is your project in?"].setFocus()
    QApplication.processEvents()
    target = folder / "import-mapping.png"
    assert dialog.grab().save(str(target))
    image = QImage(str(target))
    assert (image.width(), image.height()) == (1280, 800)
    assert len({image.pixel(x, y) for x in range(0, 1280, 40) for y in range(0, 800, 40)}) > 3
    # the mapping, the raw rows and the check all have room
    for part in (dialog.raw_view, dialog.preview, dialog.problems, dialog.mapping_scroll):
        assert part.isVisible() and part.height() >= 60, part.objectName()


# --- who is who, duplicates and one value for every row, decided in the dialog (issue 18.1, 18.3, 18.5) -------


def open_on_test_fund(qtbot, db, location):
    from helpers import build_fund

    build_fund(db)  # TST: area Testville, round 2026–27
    window = opened_window(qtbot, location.path, "TST")
    qtbot.keySequence(window, "Ctrl+I")
    return window, window.import_dialog


def type_into_combo(qtbot, combo, text):
    """Choose an item by typing the start of its words into the closed list, as people do."""
    combo.setFocus()
    qtbot.wait(QApplication.keyboardInputInterval() + 50)  # a new keyboard search, not a continuation
    qtbot.keyClicks(combo, text)


def give_every_row(qtbot, dialog, field_words, value):
    """One value for every row, through the section's field list, value box and button."""
    type_into_combo(qtbot, dialog.constant_field, field_words)
    dialog.constant_value.setFocus()
    qtbot.keyClicks(dialog.constant_value, value)
    qtbot.mouseClick(dialog.constant_button, Qt.MouseButton.LeftButton)


def test_the_officer_decides_each_match_and_duplicate_then_every_row_imports_as_given(qtbot, db, location,
                                                                                      tmp_path):
    from real_export import REPEAT_ROW, assert_imported_as_given, write_export

    window, dialog = open_on_test_fund(qtbot, db, location)
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(write_export(tmp_path))
    assert dialog.constants == {}
    give_every_row(qtbot, dialog, "Organisation type", "Constituted community group")
    assert dialog.constants == {"organisation_type": "Constituted community group"}
    assert dialog.constants_list.item(0).text() == "Organisation type: Constituted community group"
    assert dialog.constant_field.findData("title") == -1  # a field a column holds is not offered

    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT) as checked:
        qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    plan = checked.args[0]
    assert plan.ok and plan.undecided == ["3:organisation", "4:organisation", f"{REPEAT_ROW}:duplicate"]
    table = dialog.decision_table
    assert table.rowCount() == 3
    assert table.item(0, 1).text().startswith("Stone Scouts 5th Group gave charity number 1143005, which is "
                                              "Stone Scouts 3rd Group's (in row 2)")
    assert table.item(2, 0).text() == str(REPEAT_ROW)
    assert not dialog.import_button.isEnabled()  # nothing goes in until each is decided
    assert "3 match(es) to confirm or likely duplicate(s) need your decision" in dialog.summary.text()
    assert list_application_rows(db, "TST") == []

    for key, words in (("3:organisation", "A different"), ("4:organisation", "A different"),
                       (f"{REPEAT_ROW}:duplicate", "Skip")):
        combo = dialog.decision_combos[key]
        assert combo.accessibleName().startswith("Decision for row")
        with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):  # checked again with the decision
            type_into_combo(qtbot, combo, words)
        assert dialog.decisions[key] == ("skip" if key.endswith("duplicate") else "different")
    assert dialog.plan.ready and dialog.import_button.isEnabled()
    assert "Every match and duplicate is decided." in dialog.summary.text()
    assert dialog.decision_combos[f"{REPEAT_ROW}:duplicate"].currentText() == "Skip this row"

    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT) as imported:
            qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert imported.args[0] == 59
    assert window.app_model.total_count == 59
    assert_imported_as_given(db)
    assert "1 likely duplicate was skipped" in dialog.summary.text()
    assert dialog.decision_table.rowCount() == 0

    # the same file again: nothing to decide, nothing added; the value for every row is offered again
    dialog.close()
    window.import_action.trigger()
    again = window.import_dialog
    with qtbot.waitSignal(again.loaded, timeout=TIMEOUT):
        again.load_file(write_export(tmp_path))
    assert again.constants == {"organisation_type": "Constituted community group"}
    with qtbot.waitSignal(again.checked, timeout=TIMEOUT):
        qtbot.mouseClick(again.check_button, Qt.MouseButton.LeftButton)
    assert again.decision_table.rowCount() == 0 and again.plan.rows == []
    assert "60 row(s) were imported before and will be skipped" in again.summary.text()


def test_the_same_group_decision_uses_the_stored_organisation_and_a_shared_inbox_gets_a_new_contact(
        qtbot, db, location, tmp_path):
    window, dialog = open_on_test_fund(qtbot, db, location)  # Testville Lunch Club 1100001, Ann Other
    path = tmp_path / "two.csv"
    write_csv(path, ["Organisation", "Organisation type", "Charity number", "Contact name", "Contact e-mail",
                     "Letters in", "Project title", "Amount requested"], [
        ["Lunch Club at Testville", "charity", "1100001", "Ann Other", "ann@example.org", "", "Soup", "100"],
        ["Testville Lunch Club", "charity", "1100001", "Dafydd Jones", "ann@example.org", "Welsh", "Cawl", "100"],
    ])
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(path)
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        dialog.check()
    assert [dialog.decision_table.item(n, 0).text() for n in range(2)] == ["2", "3"]
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        type_into_combo(qtbot, dialog.decision_combos["2:organisation"], "The same")
    assert dialog.decision_combos["2:organisation"].currentText() == "The same group: use Testville Lunch Club"
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        type_into_combo(qtbot, dialog.decision_combos["3:contact"], "A different")
    assert dialog.plan.ready
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    from grantdesk.services.applications import list_applications

    got = {r.title: r for r in list_applications(db, "TST")}
    assert got["Soup"].organisation == "Testville Lunch Club"  # the officer said it is the same group
    assert (got["Cawl"].contact_name, got["Cawl"].contact_language) == ("Dafydd Jones", "cy")


def test_only_the_valid_rows_go_in_undecided_with_the_names_as_given_and_the_flags_are_listed(qtbot, db, location,
                                                                                            tmp_path):
    from real_export import assert_imported_as_given, write_export

    window, dialog = open_on_test_fund(qtbot, db, location)
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(write_export(tmp_path))
    give_every_row(qtbot, dialog, "Organisation type", "community group")
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        dialog.check()
    assert not dialog.import_button.isEnabled()
    dialog.valid_only.click()
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=TIMEOUT) as imported:
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert imported.args[0] == 59
    assert_imported_as_given(db)
    flags = dialog.problem_model.stringList()
    assert flags[0].startswith("TST-2026-0002: review — charity number 1143005 is also Stone Scouts 3rd Group's")
    assert len(flags) == 2 and "2 applications need review" in dialog.summary.text()


def test_a_value_for_every_row_that_is_not_one_is_a_problem_and_can_be_removed(qtbot, db, location, tmp_path):
    window, dialog = open_on_test_fund(qtbot, db, location)
    path = tmp_path / "small.csv"
    write_csv(path, ["Organisation", "Project title", "Amount requested"], [["Scouts", "Camp", "500"]])
    with qtbot.waitSignal(dialog.loaded, timeout=TIMEOUT):
        dialog.load_file(path)
    give_every_row(qtbot, dialog, "Organisation type", "a club")
    with qtbot.waitSignal(dialog.checked, timeout=TIMEOUT):
        dialog.check()
    assert dialog.problem_model.stringList()[0].startswith(
        "row 1, column “Organisation type (every row)”: “a club” is not a kind of organisation")
    dialog.constants_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.remove_constant_button, Qt.MouseButton.LeftButton)
    assert dialog.constants == {} and dialog.constants_list.count() == 0
    assert dialog.plan is None and not dialog.import_button.isEnabled()  # changed: checked again before import
