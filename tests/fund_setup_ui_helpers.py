"""Driving the New Fund wizard and the Fund Settings window through their widgets (shared by their tests
and the screenshot test)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QRadioButton,
    QWizard,
)

TIMEOUT = 20_000

STAFFORDSHIRE_DIVISIONS = ("Stafford Central", "Stafford North", "Eccleshall", "Stone Urban", "Cannock Villages")
COUNCILLORS = ("Cllr Anita Bhogal", "Cllr Paul Greatbatch", "Cllr Caroline Meakin", "Cllr Janet Plant",
               "Cllr Dawn Fairbrother")
PANELLISTS = (("Shanice Okoro", "Blackbird Leys"), ("Dave Fletcher", "Blackbird Leys"),
              ("Amina Yusuf", "Northfield Brook"), ("Pauline Harris", "Blackbird Leys"),
              ("Kieran Walsh", "Northfield Brook"), ("Joy Mensah", "Blackbird Leys"),
              ("Tariq Hussain", "Northfield Brook"))


def click(qtbot, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    if isinstance(button, (QRadioButton, QCheckBox)):  # on the box, not the empty space a layout gave it
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(8, button.height() // 2))
    else:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def type_over(qtbot, edit, text: str) -> None:
    """Select what a field holds and type ``text`` over it, as a person would."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    if text:
        qtbot.keyClicks(edit, text)
    else:
        qtbot.keyClick(edit, Qt.Key.Key_Delete)


def paste_into(qtbot, widget, text: str) -> None:
    """Copy ``text`` (as from a spreadsheet) and press Ctrl+V in ``widget``."""
    QApplication.clipboard().setText(text)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def copy(text: str) -> None:
    QApplication.clipboard().setText(text)


def edit_cell(qtbot, table, row: int, column: int, text: str) -> None:
    """Type into a table cell: open its editor (F2), type over, Enter."""
    table.setFocus()
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editors = [e for e in table.viewport().findChildren(QLineEdit)
               if e.isVisible() and e.parent() is table.viewport()]
    assert len(editors) == 1, f"the cell's editor did not open: {table.state()} {len(editors)}"
    editor = editors[0]
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # the delegate commits what was typed and closes its editor once the event loop runs
    qtbot.waitUntil(lambda: table.state() != QAbstractItemView.State.EditingState, timeout=TIMEOUT)


def next_page(qtbot, wizard) -> int:
    before = wizard.currentId()
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentId() != before, wizard.currentPage().notice.text()
    return wizard.currentId()


def set_month_day(qtbot, edit, day: int, month: str) -> None:
    qtbot.keyClicks(edit.month, month)
    type_over(qtbot, edit.day, str(day))


def open_wizard(qtbot, db, runner, today=None):
    from ui.fund_wizard import NewFundWizard

    wizard = NewFundWizard(db, runner, today=today)
    qtbot.addWidget(wizard)
    wizard.resize(1280, 800)
    wizard.show()
    with qtbot.waitSignal(wizard.ready, timeout=TIMEOUT):
        wizard.start()
    return wizard


def mnemonics(widget) -> list[str]:
    """The Alt+letter keys of the visible labels and buttons in ``widget`` (lower-case)."""
    import re

    found = []
    for w in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton):
        if not w.isVisibleTo(widget.window()) or not w.isVisible():
            continue
        if isinstance(w, QLabel) and w.buddy() is None:
            continue
        m = re.search(r"&([^&\s])", w.text().replace("&&", ""))
        if m:
            found.append(m[1].lower())
    return found


def open_settings(qtbot, db, runner, code: str, page: str | None = None):
    from ui.fund_settings import FundSettingsWindow

    window = FundSettingsWindow(db, runner, code, page=page)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.start()
    return window
