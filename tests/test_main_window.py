from helpers import opened_window
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from grantdesk.config import database_location
from grantdesk.services.applications import list_applications
from ui.main_window import FUND_ROLE, MainWindow
from ui.models import ROW_ROLE, ApplicationsTableModel

TIMEOUT = 30_000


def open_window(qtbot, path):
    return opened_window(qtbot, path)


def fund_index(window, code):
    model = window.fund_model
    for r in range(model.rowCount()):
        index = model.index(r, 0)
        if index.data(FUND_ROLE) == (code, None):
            return index
    raise AssertionError(f"{code} is not in the fund list")


def choose_fund(qtbot, window, code):
    index = fund_index(window, code)
    if window.fund_tree.currentIndex() == index:
        return  # already showing it
    rect = window.fund_tree.visualRect(index)
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(window.fund_tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_the_window_opens_on_the_sample_funds_and_shows_an_application(qtbot, sample_path, sample_db):
    window = open_window(qtbot, sample_path)
    assert window.fund_model.rowCount() == 3
    assert window.fund_tree.currentIndex().data(FUND_ROLE) == ("PHP", None)  # the busiest fund first
    choose_fund(qtbot, window, "BBL")
    assert window.app_model.rowCount() == len(list_applications(sample_db, "BBL"))
    assert str(sample_path) in window.db_label.text()
    assert window.list_stack.currentWidget() is window.table

    choose_fund(qtbot, window, "PHP")
    expected = list_applications(sample_db, "PHP")
    assert window.app_model.rowCount() == len(expected)
    assert "People Helping People" in window.fund_heading.text()
    assert window.count_label.text() == f"{len(expected)} applications"

    row = 4
    rect = window.table.visualRect(window.app_model.index(row, ApplicationsTableModel.TITLE))
    with qtbot.waitSignal(window.detail_loaded, timeout=TIMEOUT):
        qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    chosen = window.app_model.index(row, 0).data(ROW_ROLE)
    text = window.detail.toPlainText()
    assert chosen.reference in text and chosen.title in text and chosen.organisation in text
    assert "History" in text


def test_typing_in_the_filter_narrows_the_list_and_escape_clears_it(qtbot, sample_path):
    window = open_window(qtbot, sample_path)
    choose_fund(qtbot, window, "PHP")
    total = window.app_model.rowCount()
    target = window.app_model.index(7, 0).data(ROW_ROLE)
    qtbot.keySequence(window, "Ctrl+F")
    assert window.filter_edit.hasFocus()
    qtbot.keyClicks(window.filter_edit, target.reference)
    assert window.app_model.rowCount() == 1
    assert window.app_model.index(0, 0).data(ROW_ROLE).id == target.id
    assert window.count_label.text() == f"1 of {total} applications shown"
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert window.filter_edit.text() == "" and window.app_model.rowCount() == total


def test_clicking_the_requested_header_sorts_by_amount(qtbot, sample_path):
    window = open_window(qtbot, sample_path)
    choose_fund(qtbot, window, "PHP")
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(ApplicationsTableModel.REQUESTED) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    amounts = [window.app_model.row_at(r).amount_requested_pence for r in range(window.app_model.rowCount())]
    assert len(set(amounts)) > 5
    assert amounts == sorted(amounts)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    amounts = [window.app_model.row_at(r).amount_requested_pence for r in range(window.app_model.rowCount())]
    assert amounts == sorted(amounts, reverse=True)


def test_choosing_a_round_lists_only_that_rounds_applications(qtbot, sample_path, sample_db):
    window = open_window(qtbot, sample_path)
    parent = fund_index(window, "PHP")
    child = window.fund_model.index(0, 0, parent)
    code, round_id = child.data(FUND_ROLE)
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        window.fund_tree.setCurrentIndex(child)
    assert window.app_model.rowCount() == len(list_applications(sample_db, code, round_id))
    assert window.app_model.rowCount() < len(list_applications(sample_db, code))


def test_first_run_creates_an_empty_database_and_shows_the_welcome_page(qtbot, tmp_path):
    path = tmp_path / "grantdesk.db"
    window = open_window(qtbot, path)
    assert path.exists()
    assert window.fund_model.rowCount() == 0  # no invented funds in a council's own database
    assert window.central_stack.currentWidget() is window.welcome


def test_a_file_that_cannot_be_opened_is_explained_in_the_window(qtbot, tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("not a database\n" * 50)
    window = MainWindow(database_location(bad))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.load_failed, timeout=TIMEOUT) as signal:
        window.start()
    assert "not a SQLite database" in signal.args[0]
    assert window.list_stack.currentWidget() is window.loading_label
    assert "could not open" in window.loading_label.text()


def test_screenshot_option_saves_a_picture_of_the_loaded_window(qtbot, sample_path, tmp_path):
    from ui.app import main

    out = tmp_path / "shot.png"
    assert main(["--db", str(sample_path), "--screenshot", str(out), "--size", "1200x760"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 760)


def test_the_fund_to_open_on_can_be_chosen(qtbot, sample_path):
    window = MainWindow(database_location(sample_path), fund_code="rhyl")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.start()
    assert window.fund_tree.currentIndex().data(FUND_ROLE) == ("RHYL", None)
    assert window.app_model.row_at(0).reference.startswith("RHYL-")


def test_widgets_have_accessible_names(qtbot, sample_path):
    window = open_window(qtbot, sample_path)
    for widget in (window.fund_tree, window.table, window.filter_edit, window.detail):
        assert widget.accessibleName()


def test_opening_another_database_replaces_the_funds_and_the_status_bar(qtbot, sample_path, tmp_path):
    from grantdesk.services.database import init_database

    window = open_window(qtbot, sample_path)
    other = database_location(tmp_path / "empty.db")
    init_database(other)
    with qtbot.waitSignal(window.funds_loaded, timeout=TIMEOUT):
        window.open_location(other)
    assert window.fund_model.rowCount() == 0
    assert str(other.path) in window.db_label.text()
    assert "no funds yet" in window.loading_label.text()
    assert window.windowTitle() == "GrantDesk — empty.db"


def test_the_screenshot_is_the_window_as_it_settles_once_loaded(qtbot, sample_path, tmp_path):
    """--screenshot grabs the window the moment its first screen is complete; the picture must be the
    one the window shows once everything pending (layouts, paints) has been done."""
    from ui.app import main

    out = tmp_path / "shot.png"
    assert main(["--db", str(sample_path), "--screenshot", str(out), "--size", "1200x760"]) == 0
    window = MainWindow(database_location(sample_path), staged=True)
    qtbot.addWidget(window)
    window.resize(1200, 760)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=TIMEOUT):
        window.start()
    qtbot.wait(200)  # every pending layout and paint done
    assert window.grab().toImage().convertToFormat(QImage.Format.Format_RGB32) == \
        QImage(str(out)).convertToFormat(QImage.Format.Format_RGB32)
