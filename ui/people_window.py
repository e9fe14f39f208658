"""People (subject access): find a person across contacts, individual applicants, panellists and elected
members; save everything held about them as JSON or PDF; erase their details on request, after asking
(``grantdesk.services.people``).

Searching and exporting are ``Query``s (an export reads, then writes a file, not the database); erasing
is one ``Op``. Before asking to erase, the window asks the service whether a legal basis holds the
record, and shows the reason instead of the question when one does.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Kind
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.retention_window import RowsModel, table_view
from ui.widgets import action_button, labelled


class PeopleWindow(QWidget):
    """Find a person; export or erase what is held about them."""

    found = Signal()  # results are shown
    exported = Signal(str)  # a file was written: its path
    erased = Signal(object)  # an erasure finished: its ErasureResult

    def __init__(self, db: Any, runner: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner = db, runner
        self.hits: list[Any] = []
        self.confirm_box: QMessageBox | None = None
        self.last_text = ""
        self.setWindowTitle(self.tr("People (subject access)"))
        self.setAccessibleName(self.tr("People (subject access)"))

        intro = QLabel(self.tr(
            "Find a person by name, e-mail address or phone number across contacts, individual applicants, "
            "panellists and elected members. Save everything GrantDesk holds about them to answer a subject "
            "access request, or erase their details when they ask and no legal basis holds them."))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)

        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("Name, e-mail or phone"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.returnPressed.connect(self.search)
        self.find_button = action_button(self.tr("&Find"), None, self.search, "findPeople")
        row = QHBoxLayout()
        row.addWidget(labelled(self.tr("&Search:"), self.search_edit))
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.find_button)

        self.model = RowsModel([self.tr("Id"), self.tr("Kind"), self.tr("Name"), self.tr("E-mail"), self.tr("Phone"),
                                self.tr("Where")], self)
        self.view = table_view(self.model, self.tr("People found"))
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.view.doubleClicked.connect(lambda _i: self.export_pdf())

        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setAccessibleName(self.tr("Message"))
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.pdf_button = action_button(self.tr("Save as &PDF…"), None, self.export_pdf, "exportPdf")
        self.json_button = action_button(self.tr("Save as &JSON…"), None, self.export_json, "exportJson")
        self.erase_button = action_button(self.tr("&Erase on Request…"), None, self.ask_erase, "erasePerson")
        self.close_button = action_button(self.tr("&Close"), None, self.close, "closePeople")
        buttons = QHBoxLayout()
        for b in (self.pdf_button, self.json_button, self.erase_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.notice)
        layout.addLayout(buttons)
        self._enable()
        follow_changes(self, {Kind.APPLICATIONS, Kind.MEMBERS, Kind.PANELS}, lambda _c: self._again())

    def start(self) -> None:
        self.search_edit.setFocus()

    def show_refusal(self, text: str) -> None:
        self.notice.setText(text)

    def selected(self) -> Any | None:
        rows = self.view.selectionModel().selectedRows()
        return self.hits[rows[0].row()] if rows else None

    def _enable(self) -> None:
        chosen = self.selected() is not None
        for b in (self.pdf_button, self.json_button, self.erase_button):
            b.setEnabled(chosen)

    # --- finding ------------------------------------------------------------------------------------------
    def _again(self) -> None:
        if self.last_text:
            self.search(self.last_text)

    def search(self, text: str | None = None) -> None:
        wanted = self.search_edit.text() if text is None or not isinstance(text, str) else text
        self.last_text = wanted

        def work(db):
            from grantdesk.services.people import find_people

            return find_people(db, wanted)

        Query(self, work).success(self._show).failure(lambda e: self.show_refusal(refusal_text(e))).run()

    def _show(self, hits) -> None:
        self.hits = list(hits)
        self.model.set_rows(self.hits, [(h.person_id, self.tr(h.kind_label), h.name, h.email, h.phone, h.where)
                                        for h in self.hits])
        self.notice.setText(self.tr("%n person(s) found.", "", len(self.hits)) if self.hits
                            else self.tr("Nobody found for “{text}”.").format(text=self.last_text))
        if self.hits:
            self.view.selectRow(0)
        self._enable()
        self.found.emit()

    # --- exporting ----------------------------------------------------------------------------------------
    def export_pdf(self, path: str | None = None) -> None:
        self._export(".pdf", self.tr("PDF (*.pdf)"), path)

    def export_json(self, path: str | None = None) -> None:
        self._export(".json", self.tr("JSON (*.json)"), path)

    def _export(self, suffix: str, filter_text: str, path: str | None) -> None:
        hit = self.selected()
        if hit is None:
            return
        if not path:
            suggested = f"subject-access-{hit.person_id.replace(':', '-')}{suffix}"
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save everything held about {name}").format(
                name=hit.name), suggested, filter_text)
            if not path:
                return
        if not path.lower().endswith(suffix):
            path += suffix
        person, target = hit.person_id, path

        def work(db):
            from grantdesk.reports.subject_access import save_subject_access
            from grantdesk.services.people import subject_access

            return str(save_subject_access(subject_access(db, person), target))

        def done(saved: str) -> None:
            self.notice.setText(self.tr("Saved everything held about {person} to {path}.").format(
                person=person, path=saved))
            self.exported.emit(saved)

        Query(self, work).success(done).failure(lambda e: self.show_refusal(refusal_text(e))) \
            .with_progress(self.tr("Gathering what is held")).run()

    # --- erasing --------------------------------------------------------------------------------------------
    def ask_erase(self) -> None:
        """Check first whether a legal basis holds the record; if not, ask, then erase."""
        hit = self.selected()
        if hit is None:
            return
        person = hit.person_id

        def work(db):
            from grantdesk.services.people import erasure_check

            return erasure_check(db, person)

        Query(self, work).success(self._checked).failure(lambda e: self.show_refusal(refusal_text(e))).run()

    def _checked(self, check) -> None:
        if not check.allowed:
            self.notice.setText(self.tr("{person} cannot be erased now, because a legal basis holds the record: "
                                        "{reasons}.").format(person=check.person_id,
                                                             reasons="; ".join(check.reasons)))
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Erase on request"),
                          self.tr("Erase {name} ({person}) and their details on %n application(s)? Their name, "
                                  "contact details and documents go for good, and their name is cut out of notes. "
                                  "This cannot be undone.", "", check.applications).format(
                              name=check.name, person=check.person_id),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("eraseConfirm")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Erase"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(lambda: self.erase(check.person_id))
        self.confirm_box = box
        box.finished.connect(lambda _r: setattr(self, "confirm_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def erase(self, person: str) -> None:
        def work(db):
            from grantdesk.services.people import erase_person

            return erase_person(db, person)

        def done(result) -> None:
            self.notice.setText(self.tr("Erased {person}: {what}.").format(person=result.person_id,
                                                                           what=result.erased.summary()))
            self.erased.emit(result)
            self._again()

        Op(self, work).success(done).failure(lambda e: self.show_refusal(refusal_text(e))).run()


def open_people_window(main_window: Any) -> PeopleWindow | None:
    """People (Subject Access)…: one window for the open database."""
    from shiboken6 import isValid

    if main_window.db is None:
        main_window.show_notice(main_window.tr("Open a database first."))
        return None
    window = getattr(main_window, "_people_window", None)
    if window is None or not isValid(window):
        window = PeopleWindow(main_window.db, main_window.runner, main_window)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.setWindowFlag(Qt.WindowType.Window)
        window.resize(1100, 700)
        main_window._people_window = window
        window.start()
    window.show()
    window.raise_()
    window.activateWindow()
    return window
