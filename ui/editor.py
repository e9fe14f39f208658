"""The application editor: type an application in (or correct one), fast with the keyboard.

- Every field is checked by the same rules as imports and the CLI (``clean_draft`` on the core side);
  a problem shows next to its field as soon as you leave it, and all of them on Save.
- Organisations are found as you type (name, charity or company number) and fill in their details.
- Undo and Redo (Ctrl+Z, Ctrl+Shift+Z) step through every edit made in this window, across fields.
- Closing with unsaved changes asks first; saving runs in the background and never freezes the window.
- Documents are attached into the database and opened with the system's own viewer.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.applications import FIELDS, ApplicationDraft, FieldErrors, clean_draft
from grantdesk.domain.errors import ChangedElsewhere
from grantdesk.domain.eligibility import ATTACHMENT_KINDS
from grantdesk.domain.organisations import ORG_TYPE_LABELS, OrgType
from grantdesk.domain.questions import Question, QuestionKind
from grantdesk.i18n import N_, ngettext
from grantdesk.i18n import _ as core_text  # the core's own labels (field names, kinds), in the current language
from ui.attachment_open import open_attachment, open_local_file
from ui.operations import Op, Query
from ui.tasks import TaskRunner

ERROR_STYLE = "color: #b91c1c;"
LANGUAGES = ((N_("English"), "en"), (N_("Cymraeg (Welsh)"), "cy"))


def tr(text: str) -> str:
    return QCoreApplication.translate("ApplicationEditor", text)


def _date_text(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else str(value)


class _FieldEdit(QUndoCommand):
    """One change to one field; consecutive typing in the same field merges into one step."""

    def __init__(self, editor: ApplicationEditor, name: str, old: Any, new: Any):
        super().__init__(tr("Edit {0}").format(core_text(FIELDS.get(name, name))))
        self.editor, self.name, self.old, self.new = editor, name, old, new
        self._first = True

    def id(self) -> int:
        return 1000 + self.editor.field_names.index(self.name)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, _FieldEdit) or other.name != self.name:
            return False
        self.new = other.new
        return True

    def redo(self) -> None:
        if self._first:  # the widget already shows the new value
            self._first = False
            return
        self.editor.set_value(self.name, self.new)

    def undo(self) -> None:
        self.editor.set_value(self.name, self.old)


class ApplicationEditor(QDialog):
    saved = Signal(int)  # the application's id, after every successful save

    def __init__(self, db: Any, runner: TaskRunner, context: Any, *, editable: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner, self.context = db, runner, context
        self.application_id: int | None = editable.id if editable else None
        self.reference: str | None = editable.reference if editable else None
        self.version: int | None = editable.version if editable else None
        self.questions: tuple[Question, ...] = context.questions
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.field_names: list[str] = []
        self._values: dict[str, Any] = {}
        self._touched: set[str] = set()
        self._applying = False
        self._saving = False
        self._matches: dict[str, Any] = {}
        self._pending_files: list[tuple[Path, str]] = []
        self._discarded = False
        self.undo_stack = QUndoStack(self)

        self.setObjectName("applicationEditor")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(720, 820)
        self._build()
        self._build_actions()
        self.load(editable.draft if editable else self._new_draft())
        self._update_title()

    # --- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("editorBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("padding: 6px; background: #fef2f2; color: #991b1b;")
        self.banner.hide()
        outer.addWidget(self.banner)

        body = QWidget()
        column = QVBoxLayout(body)
        applicant = self._group(self.tr("Applicant"), column)
        self._line(applicant, "organisation", placeholder=self.tr("Start typing a name, charity or company number"))
        self._combo(applicant, "organisation_type",
                    [(self.tr("Choose…"), "")] + [(core_text(ORG_TYPE_LABELS[k]), k.value) for k in OrgType])
        self._line(applicant, "charity_number", placeholder=self.tr("e.g. {0}").format("1164883"))
        self._line(applicant, "company_number", placeholder=self.tr("e.g. {0}").format("04530979"))
        contact = self._group(self.tr("Contact"), column)
        self._line(contact, "contact_name")
        self._line(contact, "contact_email")
        self._line(contact, "contact_phone")
        self._combo(contact, "contact_language", [(self.tr(text), code) for text, code in LANGUAGES])
        project = self._group(self.tr("Project"), column)
        self._line(project, "title")
        self._text(project, "summary")
        self._line(project, "amount_requested", placeholder=self.tr("e.g. £1,250 or 1250.00"))
        self._combo(project, "area", [("", "")] + [(a, a) for a in self.context.areas])
        self._combo(project, "round", [(r.name, r.name) for r in self.context.rounds] or [("", "")])
        self._line(project, "project_start", placeholder=self.tr("dd/mm/yyyy"))
        self._line(project, "project_end", placeholder=self.tr("dd/mm/yyyy"))
        self._line(project, "submitted_on",
                   placeholder=self.tr("dd/mm/yyyy — the day it arrived, if on paper or by e-mail"),
                   label=self.tr("Received on"))
        if self.questions:
            asked = self._group(self.tr("{0}: the fund's own questions").format(self.context.name), column)
            asked.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # questions are sentences: label above
            for q in self.questions:
                name = q.field
                label = q.label + (" *" if q.required else "")
                if q.kind is QuestionKind.YESNO:
                    self._combo(asked, name, [("", ""), (self.tr("Yes"), "yes"), (self.tr("No"), "no")], label=label)
                elif q.kind is QuestionKind.CHOICE:
                    self._combo(asked, name, [("", "")] + [(c, c) for c in q.choices], label=label)
                else:
                    self._line(asked, name, label=label, placeholder=q.help or (self.tr("a number") if q.kind is QuestionKind.NUMBER else ""))
        column.addWidget(self._documents_box())
        column.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        buttons = QHBoxLayout()
        self.status_label = QLabel()
        self.status_label.setObjectName("editorStatus")
        buttons.addWidget(self.status_label, 1)
        self.save_button = QPushButton(self.tr("&Save"))
        self.save_button.setObjectName("saveButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self.save())
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.setObjectName("closeButton")
        self.close_button.clicked.connect(self.close)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        outer.addLayout(buttons)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self._search_organisations)
        self._completer_model = QStringListModel(self)
        completer = QCompleter(self._completer_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._organisation_chosen)
        self.organisation_completer = completer
        self.widgets["organisation"].setCompleter(completer)
        self.widgets["organisation"].textEdited.connect(lambda _t: self._search_timer.start())

    def _group(self, title: str, column: QVBoxLayout) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        column.addWidget(box)
        return form

    def _add_row(self, form: QFormLayout, name: str, widget: QWidget, label: str | None) -> None:
        text = label or core_text(FIELDS.get(name, name))
        widget.setObjectName(f"field_{name}")
        widget.setAccessibleName(text.rstrip(" *"))
        error = QLabel()
        error.setObjectName(f"error_{name}")
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        cell = QWidget()
        box = QVBoxLayout(cell)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(error)
        row_label = QLabel(text)
        row_label.setBuddy(widget)
        form.addRow(row_label, cell)
        self.widgets[name], self.errors[name] = widget, error
        self.field_names.append(name)
        widget.installEventFilter(self)

    def _line(self, form, name, *, placeholder: str = "", label: str | None = None) -> None:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        self._add_row(form, name, edit, label)
        edit.textEdited.connect(lambda text, n=name: self._user_changed(n, text))
        edit.editingFinished.connect(lambda n=name: self._left_field(n))

    def _text(self, form, name, *, label: str | None = None) -> None:
        edit = QPlainTextEdit()
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(90)
        edit.setUndoRedoEnabled(False)  # the window's undo stack covers it
        self._add_row(form, name, edit, label)
        edit.textChanged.connect(lambda n=name, e=edit: self._user_changed(n, e.toPlainText()))

    def _combo(self, form, name, items: list[tuple[str, str]], *, label: str | None = None) -> None:
        combo = QComboBox()
        for text, value in items:
            combo.addItem(text, value)
        self._add_row(form, name, combo, label)
        combo.activated.connect(lambda _i, n=name, c=combo: (self._user_changed(n, c.currentData()),
                                                              self._left_field(n)))

    def _documents_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Documents"))
        layout = QVBoxLayout(box)
        needed = [core_text(ATTACHMENT_KINDS.get(k, k)).lower() for k in self.context.required_attachments]
        if needed:
            hint = QLabel(self.tr("This fund asks for: {0}.").format(", ".join(needed)))
            hint.setWordWrap(True)
            layout.addWidget(hint)
        self.documents = QListWidget()
        self.documents.setObjectName("documentsList")
        self.documents.setAccessibleName(self.tr("Documents"))
        self.documents.setMaximumHeight(110)
        self.documents.itemActivated.connect(lambda _item: self.open_document())
        layout.addWidget(self.documents)
        row = QHBoxLayout()
        for text, slot, name in ((self.tr("&Attach…"), self.choose_document, "attachButton"),
                                 (self.tr("&Open"), self.open_document, "openDocumentButton"),
                                 (self.tr("&Remove"), self.remove_document, "removeDocumentButton")):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _build_actions(self) -> None:
        undo = self.undo_stack.createUndoAction(self, self.tr("&Undo"))
        undo.setShortcuts([QKeySequence("Ctrl+Z")])
        redo = self.undo_stack.createRedoAction(self, self.tr("&Redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        save = QAction(self.tr("Save"), self)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(lambda: self.save())
        for action in (undo, redo, save):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
        self.undo_action, self.redo_action = undo, redo
        self.undo_stack.cleanChanged.connect(self._clean_changed)  # a method: disconnected when we are deleted

    def _clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean or bool(self._pending_files))
        self._update_title()

    # --- values -------------------------------------------------------------------------------
    def _new_draft(self) -> ApplicationDraft:
        rnd = self.context.round_for(date.today())
        return ApplicationDraft(contact_language=self.context.default_language, round=rnd.name if rnd else "")

    def load(self, draft: ApplicationDraft) -> None:
        """Show ``draft`` in the form; this is the saved state (Undo cannot go back past it)."""
        for name in self.field_names:
            if name.startswith("answers."):
                key = name.removeprefix("answers.")
                value = draft.answers.get(key)
                if isinstance(value, bool):
                    value = "yes" if value else "no"
                self.set_value(name, "" if value is None else str(value))
            else:
                value = getattr(draft, name)
                self.set_value(name, _date_text(value) if name in ("project_start", "project_end", "submitted_on")
                               else ("" if value is None else str(value)))
        self._extra_answers = {k: v for k, v in draft.answers.items()
                               if f"answers.{k}" not in self.field_names}
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._touched.clear()
        for name in self.field_names:
            self._show_error(name, "")

    def value(self, name: str) -> Any:
        widget = self.widgets[name]
        if isinstance(widget, QLineEdit):
            return widget.text()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        return widget.currentData()

    def set_value(self, name: str, value: Any) -> None:
        """Set a field without recording an undo step (used by load, undo and redo)."""
        widget = self.widgets[name]
        self._applying = True
        try:
            if isinstance(widget, QLineEdit):
                widget.setText("" if value is None else str(value))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText("" if value is None else str(value))
            else:
                index = widget.findData("" if value is None else str(value))
                if index < 0 and value:  # a value the list does not offer (e.g. an old area): keep it visible
                    widget.addItem(str(value), str(value))
                    index = widget.count() - 1
                widget.setCurrentIndex(max(index, 0))
        finally:
            self._applying = False
        self._values[name] = self.value(name)

    def _user_changed(self, name: str, new: Any) -> None:
        if self._applying:
            return
        old = self._values.get(name)
        if old == new:
            return
        self._values[name] = new
        self.undo_stack.push(_FieldEdit(self, name, old, new))

    def draft(self) -> ApplicationDraft:
        answers = dict(self._extra_answers)
        values: dict[str, Any] = {}
        for name in self.field_names:
            if name.startswith("answers."):
                answers[name.removeprefix("answers.")] = self.value(name)
            else:
                values[name] = self.value(name)
        return ApplicationDraft(**values, answers=answers)

    @property
    def dirty(self) -> bool:
        return not self._discarded and (not self.undo_stack.isClean() or bool(self._pending_files))

    # --- checking -----------------------------------------------------------------------------
    def _left_field(self, name: str) -> None:
        self._touched.add(name)
        self.check(only_touched=True)

    def check(self, *, only_touched: bool = False) -> dict[str, str]:
        """Run the fund's field rules on the form; show each problem next to its field."""
        try:
            clean_draft(self.draft(), self.questions, default_language=self.context.default_language)
            errors: dict[str, str] = {}
        except FieldErrors as exc:
            errors = exc.errors
        for name in self.field_names:
            if only_touched and name not in self._touched:
                continue
            self._show_error(name, errors.get(name, ""))
        return errors

    def _show_error(self, name: str, message: str) -> None:
        label = self.errors.get(name)
        if label is None:
            return
        label.setText(message)
        label.setVisible(bool(message))
        self.widgets[name].setAccessibleDescription(message)

    def show_errors(self, errors: dict[str, str]) -> None:
        for name in self.field_names:
            self._show_error(name, errors.get(name, ""))
        unknown = [m for n, m in errors.items() if n not in self.errors]
        self._show_banner(" ".join(unknown) if unknown else
                          ngettext("{n} field needs attention before saving.",
                                   "{n} fields need attention before saving.", len(errors)).format(n=len(errors)))
        first = next((n for n in self.field_names if n in errors), None)
        if first:
            self.widgets[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def show_refusal(self, text: str) -> None:
        """A refusal from the core, for an action other than saving: shown in the banner."""
        self._show_banner(text)

    # --- saving -------------------------------------------------------------------------------
    def save(self, after: Callable[[], None] | None = None) -> None:
        if self._saving:
            return
        self._touched.update(self.field_names)
        errors = self.check()
        if errors:
            self.show_errors(errors)
            return
        self._show_banner("")
        self._saving = True
        self.save_button.setEnabled(False)
        self.status_label.setText(self.tr("Saving…"))
        code, draft = self.context.code, self.draft()
        app_id, version, files = self.application_id, self.version, list(self._pending_files)

        def work(db):
            """The application and its new documents: one service call, one transaction."""
            from grantdesk.services.attachments import read_document
            from grantdesk.services.editing import editable_application, save_application

            documents = [read_document(path, kind) for path, kind in files]
            row = save_application(db, code, draft, application_id=app_id, expected_version=version,
                                   documents=documents)
            return editable_application(db, row.id)

        Op(self, work).success(lambda saved: self._saved(saved, after)).failure(self._save_failed) \
            .finally_(self._save_finished).run()

    def _save_finished(self) -> None:
        self._saving = False
        self.save_button.setEnabled(True)

    def _saved(self, editable: Any, after: Callable[[], None] | None) -> None:
        self._save_finished()  # before ``after``: closing asks whether a save is still running
        self._pending_files.clear()
        self.application_id, self.reference, self.version = editable.id, editable.reference, editable.version
        self.undo_stack.setClean()
        self.status_label.setText(self.tr("Saved {0}.").format(editable.reference))
        self._update_title()
        self.refresh_documents()
        self.saved.emit(editable.id)
        if after is not None:
            after()

    def _save_failed(self, error: BaseException) -> None:
        self.status_label.setText(self.tr("Not saved."))
        if isinstance(error, FieldErrors):
            self.show_errors(error.errors)
        elif isinstance(error, ChangedElsewhere) and self.application_id is not None:
            # Someone else saved it first (the message names them and when). What this officer typed
            # stays in the form; the next Save goes over the version there now, so they can retry.
            self._show_banner(str(error) + " " + self.tr("What you typed is still here: check their change, "
                                                         "then press Save again to save yours over it."))
            app_id = self.application_id

            def current(db):
                from grantdesk.services.editing import editable_application

                return editable_application(db, app_id).version

            Query(self, current).success(lambda version: setattr(self, "version", version)).run()
        else:
            self._show_banner(str(error))

    def _update_title(self) -> None:
        what = self.reference or self.tr("New application — {0}").format(self.context.name)
        self.setWindowTitle(f"{what}[*]")

    # --- closing ------------------------------------------------------------------------------
    def ask_unsaved(self) -> str:
        """``save``, ``discard`` or ``cancel``: what to do with unsaved changes (tests replace this)."""
        question = (self.tr("Save the changes to {0} before closing?").format(self.reference) if self.reference
                    else self.tr("Save the changes to this new application before closing?"))
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unsaved changes"), question,
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel")

    def may_close(self) -> bool:
        """True if the window may close now; asks first when there are unsaved changes."""
        if self._saving:
            return False
        if not self.dirty:
            return True
        choice = self.ask_unsaved()
        if choice == "discard":
            self._discarded = True
            return True
        if choice == "save":
            self.save(after=self.close)
        return False

    def closeEvent(self, event) -> None:
        if self.may_close():
            super().closeEvent(event)
        else:
            event.ignore()

    def reject(self) -> None:  # Esc asks too
        if self.may_close():
            super().reject()

    def eventFilter(self, watched, event) -> bool:
        # Field widgets keep their own undo for Ctrl+Z; the window's undo stack must get it instead.
        if event.type() == QEvent.Type.ShortcutOverride and (
            event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)
            or event.keyCombination().toCombined() == QKeySequence("Ctrl+Y")[0].toCombined()
        ):
            return True
        return super().eventFilter(watched, event)

    # --- organisations as you type --------------------------------------------------------------
    def _search_organisations(self) -> None:
        text = self.widgets["organisation"].text()
        if len(text.strip()) < 2:
            return
        def work(db):
            from grantdesk.services.editing import search_organisations

            return search_organisations(db, text)

        Query(self, work).success(self._show_matches).run()

    def _show_matches(self, matches: list[Any]) -> None:
        self._matches = {}
        for m in matches:
            number = (m.charity_number and self.tr("charity {0}").format(m.charity_number)
                      or m.company_number and self.tr("company {0}").format(m.company_number))
            self._matches[f"{m.name} — {number}" if number else m.name] = m
        self._completer_model.setStringList(list(self._matches))
        if self.widgets["organisation"].hasFocus() and self._matches:
            self.organisation_completer.complete()

    def _organisation_chosen(self, text: str) -> None:
        match = self._matches.get(text)
        if match is None:
            return
        self._apply_user_value("organisation", match.name)
        self._apply_user_value("organisation_type", match.org_type)
        self._apply_user_value("charity_number", match.charity_number or "")
        self._apply_user_value("company_number", match.company_number or "")
        if match.contacts and not self.value("contact_name").strip():
            c = match.contacts[0]
            self._apply_user_value("contact_name", c.name)
            self._apply_user_value("contact_email", c.email)
            self._apply_user_value("contact_phone", c.phone)
            self._apply_user_value("contact_language", c.letter_language)
        self._touched.update({"organisation", "organisation_type"})
        self.check(only_touched=True)

    def _apply_user_value(self, name: str, value: Any) -> None:
        """Set a field as if the person had typed it (one undo step)."""
        old = self._values.get(name)
        self.set_value(name, value)
        new = self._values[name]
        if old != new:
            self.undo_stack.push(_FieldEdit(self, name, old, new))

    # --- documents ------------------------------------------------------------------------------
    def refresh_documents(self) -> None:
        self.documents.clear()
        for path, kind in self._pending_files:
            item = QListWidgetItem(self.tr("{kind} — {file} (attached when you save)").format(
                kind=core_text(ATTACHMENT_KINDS[kind]), file=path.name))
            item.setData(Qt.ItemDataRole.UserRole, ("pending", str(path)))
            self.documents.addItem(item)
        if self.application_id is None:
            return
        app_id = self.application_id

        def work(db):
            from grantdesk.services.attachments import list_attachments

            return list_attachments(db, app_id)

        Query(self, work).success(self._show_documents).run()

    def _show_documents(self, infos: tuple[Any, ...]) -> None:
        for info in infos:
            item = QListWidgetItem(self.tr("{kind} — {file} ({size} KB)").format(
                kind=core_text(info.kind_label), file=info.filename, size=max(1, info.size_bytes // 1024)))
            item.setData(Qt.ItemDataRole.UserRole, ("stored", info.id))
            self.documents.addItem(item)

    def choose_document(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Attach a document"), str(Path.home()),
                                              self.tr("Documents and photos")
                                              + " (*.pdf *.jpg *.jpeg *.png *.doc *.docx *.odt);;"
                                              + self.tr("All files") + " (*)")
        if not path:
            return
        labels = [core_text(label) for label in ATTACHMENT_KINDS.values()]
        label, ok = QInputDialog.getItem(self, self.tr("What is it?"), self.tr("{0} is a:").format(Path(path).name),
                                         labels, 0, False)
        if ok:
            self.attach(Path(path), list(ATTACHMENT_KINDS)[labels.index(label)])

    def attach(self, path: Path, kind: str) -> None:
        """Attach a file: stored at once for a saved application, or with the first save."""
        if self.application_id is None:
            self._pending_files.append((path, kind))
            self.setWindowModified(True)
            self.refresh_documents()
            return
        app_id = self.application_id

        def work(db):
            from grantdesk.services.attachments import add_attachment, read_document

            document = read_document(path, kind)
            return add_attachment(db, app_id, document.filename, document.data, kind=document.kind)

        Op(self, work).success(lambda _info: (self.refresh_documents(), self.saved.emit(app_id))).run()

    def _selected_document(self):
        item = self.documents.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def open_document(self) -> None:
        chosen = self._selected_document()
        if not chosen:
            return
        where, ident = chosen
        if where == "pending":  # not stored yet: the file where it was chosen from
            open_local_file(self, ident)
            return
        open_attachment(self, ident)  # a private copy, removed on exit; a type that runs code is saved instead

    def remove_document(self) -> None:
        chosen = self._selected_document()
        if not chosen:
            return
        where, ident = chosen
        if where == "pending":
            self._pending_files = [(p, k) for p, k in self._pending_files if str(p) != ident]
            self.refresh_documents()
            return
        app_id = self.application_id
        Op(self, lambda db: _remove_attachment(db, ident)) \
            .success(lambda _none: (self.refresh_documents(), self.saved.emit(app_id))).run()


def _remove_attachment(db: Any, attachment_id: int) -> None:
    from grantdesk.services.attachments import remove_attachment

    remove_attachment(db, attachment_id)
