"""A fund's letter templates, edited in the app: choose the kind and language, change the subject,
paragraphs, conditions, closing and (for an award) the acceptance slip, insert merge fields from the
list, and see every problem as you type and the merged letter in a live preview.

The problems panel runs ``check_template`` on the GUI thread (pure Python, microseconds); Save is
disabled while there is any problem, so a letter never goes out with a blank or a brace in it. The
preview is rendered on the worker after typing pauses (``preview_delay_ms``): the unsaved template
is merged for the fund's first application in the kind's state and written to a temporary PDF that a
``QPdfView`` shows. Only one render runs at a time; text changed meanwhile is rendered once more at
the end. Loading and the preview are ``Query``s; saving and resetting are each one ``Op`` (one
service call, one transaction, broadcast to the other windows — an open letters window then checks
its preview). The editor follows the fund's settings and the applications changed elsewhere: it reads
the template again when it has no unsaved edits, and renders the preview again either way.

QtPdf comes from PySide6-Addons: this module is imported only when the editor opens.
"""

from __future__ import annotations

import re
import tempfile
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Kind
from grantdesk.domain.letters import FIELDS, LetterTemplate, Slip, check_template
from grantdesk.i18n import N_, ngettext
from grantdesk.i18n import _ as core_text  # the core's merge-field descriptions, translated
from ui.operations import Op, Query, follow_changes
from ui.tasks import Cancelled, TaskRunner
from ui.widgets import action_button, labelled

KINDS = (("award", N_("Award")), ("decline", N_("Decline")), ("deferral", N_("Deferral")))
LANGUAGES = (("en", N_("English")), ("cy", N_("Cymraeg")))


def _letter(kind: str) -> str:
    """The letter's name without its article ("award letter"), for the sentences that name it."""
    # TRANSLATORS: used after "the" in sentences like "Saved the {letter} (en)…"
    names = {"award": QCoreApplication.translate("TemplateEditor", "award letter"),
             "decline": QCoreApplication.translate("TemplateEditor", "decline letter"),
             "deferral": QCoreApplication.translate("TemplateEditor", "deferral letter")}
    return names.get(kind, kind)
PREVIEW_DELAY_MS = 400

ERROR_STYLE = "padding: 6px; background: #fef2f2; color: #991b1b;"
OK_STYLE = "padding: 6px; background: #ecfdf5; color: #065f46;"
INFO_STYLE = "padding: 6px; background: #f3f4f6; color: #1f2937;"

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def split_paragraphs(text: str) -> tuple[str, ...]:
    """Paragraphs separated by a blank line; a paragraph's own line breaks become spaces."""
    return tuple(" ".join(p.split("\n")).strip() for p in _BLANK_LINE.split(text) if p.strip())


def split_lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


class TemplateEditor(QWidget):
    """One fund's letter templates. ``start()`` loads the chosen kind and language (``loaded``);
    ``save()`` keeps the texts as the fund's own (``saved``); ``reset()`` asks, then puts the
    template back to the default (``loaded`` again); each preview shown emits ``preview_ready`` with
    its page count, a failure ``failed`` with what the notice says."""

    loaded = Signal()
    saved = Signal()
    preview_ready = Signal(int)
    failed = Signal(str)

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.db = db
        self.runner = runner
        self.fund_code = fund_code.upper()
        self.template: LetterTemplate | None = None  # as loaded (or last saved)
        self.problems: list[str] = []
        self.preview_path: Path | None = None
        self.preview_delay_ms = PREVIEW_DELAY_MS
        self._busy = False  # loading, saving or resetting
        self._rendering = False
        self._render_again = False
        self._filling = False
        self._renders = 0
        self._target: QPlainTextEdit | QLineEdit | None = None  # where a merge field goes
        self.confirmation: QMessageBox | None = None  # the reset question, while it is open
        self._temp = tempfile.TemporaryDirectory(prefix="grantdesk-template-", ignore_cleanup_errors=True)
        self._closed = False
        self.setWindowTitle(self.tr("Letter templates — {0}").format(self.fund_code))
        self.setObjectName("templateEditor")
        self.setAccessibleName(self.tr("Letter templates"))
        self._build()
        self.resize(1280, 820)
        follow_changes(self, {Kind.FUNDS, Kind.APPLICATIONS, Kind.AWARDS}, self._on_changes)

    # --- construction -------------------------------------------------------------------------------


    def _text_editor(self, name: str, lines: bool) -> QLineEdit | QPlainTextEdit:
        editor: QLineEdit | QPlainTextEdit = QPlainTextEdit() if lines else QLineEdit()
        editor.setObjectName(name)
        editor.textChanged.connect(self._on_edited)
        editor.installEventFilter(self)
        if isinstance(editor, QPlainTextEdit):
            editor.setTabChangesFocus(True)
        return editor

    def _build(self) -> None:
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("templateKindCombo")
        for kind, label in KINDS:
            self.kind_combo.addItem(self.tr(label), kind)
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("templateLanguageCombo")
        for code, label in LANGUAGES:
            self.language_combo.addItem(self.tr(label), code)
        self.kind_combo.currentIndexChanged.connect(self._on_choice)
        self.language_combo.currentIndexChanged.connect(self._on_choice)
        top = QHBoxLayout()
        top.addWidget(labelled(self.tr("&Kind:"), self.kind_combo))
        top.addWidget(self.kind_combo)
        top.addSpacing(12)
        top.addWidget(labelled(self.tr("&Language:"), self.language_combo))
        top.addWidget(self.language_combo)
        top.addStretch(1)

        self.notice = QLabel()
        self.notice.setObjectName("templateNotice")
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.setWordWrap(True)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.hide()

        self.subject_edit = self._text_editor("subjectEdit", False)
        self.paragraphs_edit = self._text_editor("paragraphsEdit", True)
        self.paragraphs_edit.setPlaceholderText(self.tr("One paragraph after another, with a blank line between them"))
        self.conditions_heading_edit = self._text_editor("conditionsHeadingEdit", False)
        self.conditions_edit = self._text_editor("conditionsEdit", True)
        self.conditions_edit.setPlaceholderText(self.tr("One condition a line"))
        self.closing_edit = self._text_editor("closingEdit", False)
        self.slip_heading_edit = self._text_editor("slipHeadingEdit", False)
        self.slip_lines_edit = self._text_editor("slipLinesEdit", True)
        self.slip_lines_edit.setPlaceholderText(self.tr("One statement a line"))
        self.editors = (self.subject_edit, self.paragraphs_edit, self.conditions_heading_edit, self.conditions_edit,
                        self.closing_edit, self.slip_heading_edit, self.slip_lines_edit)
        form = QFormLayout()
        form.addRow(labelled(self.tr("&Subject:"), self.subject_edit), self.subject_edit)
        form.addRow(labelled(self.tr("&Paragraphs:"), self.paragraphs_edit), self.paragraphs_edit)
        form.addRow(labelled(self.tr("Conditions &heading:"), self.conditions_heading_edit),
                    self.conditions_heading_edit)
        form.addRow(labelled(self.tr("C&onditions:"), self.conditions_edit), self.conditions_edit)
        form.addRow(labelled(self.tr("Clos&ing:"), self.closing_edit), self.closing_edit)
        self.slip_heading_label = labelled(self.tr("Sli&p heading:"), self.slip_heading_edit)
        self.slip_lines_label = labelled(self.tr("Slip li&nes:"), self.slip_lines_edit)
        form.addRow(self.slip_heading_label, self.slip_heading_edit)
        form.addRow(self.slip_lines_label, self.slip_lines_edit)

        self.fields_list = QListWidget()
        self.fields_list.setObjectName("mergeFieldsList")
        self.fields_list.setToolTip(self.tr("Double-click or press Enter to insert the field where the cursor was"))
        self.fields_list.itemActivated.connect(self._on_field_chosen)
        self.problems_list = QListWidget()
        self.problems_list.setObjectName("problemsList")
        self.problems_label = labelled(self.tr("Pro&blems:"), self.problems_list)
        self.problems_list.setMaximumHeight(120)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form, 3)
        left_layout.addWidget(self.problems_label)
        left_layout.addWidget(self.problems_list)
        fields_box = QWidget()
        fields_layout = QVBoxLayout(fields_box)
        fields_layout.setContentsMargins(0, 0, 0, 0)
        fields_layout.addWidget(labelled(self.tr("Merge &fields:"), self.fields_list))
        fields_layout.addWidget(self.fields_list, 1)

        self.document = QPdfDocument(self)
        self.document.setObjectName("templatePreviewDocument")
        self.view = QPdfView(self)
        self.view.setObjectName("templatePreview")
        self.view.setAccessibleName(self.tr("Preview of the letter with this template"))
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.preview_status = QLabel(self.tr("The preview appears when the template has loaded."))
        self.preview_status.setObjectName("previewStatus")
        self.preview_status.setAccessibleName(self.tr("Preview status"))
        self.preview_status.setWordWrap(True)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.preview_status)
        right_layout.addWidget(self.view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("templateSplitter")
        splitter.addWidget(left)
        splitter.addWidget(fields_box)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([520, 240, 520])

        self.save_button = action_button(self.tr("&Save template"), "Ctrl+S", self.save, "saveTemplateButton")
        self.reset_button = action_button(self.tr("&Reset to the default…"), "Ctrl+Shift+R", self.reset, "resetTemplateButton")
        bottom = QHBoxLayout()
        bottom.addWidget(self.reset_button)
        bottom.addStretch(1)
        bottom.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.timeout.connect(self.render_preview)
        self._update_buttons()

    # --- state ----------------------------------------------------------------------------------------
    @property
    def kind(self) -> str:
        return self.kind_combo.currentData()

    @property
    def language(self) -> str:
        return self.language_combo.currentData()

    def _update_buttons(self) -> None:
        ready = self.template is not None and not self._busy
        self.kind_combo.setEnabled(not self._busy)
        self.language_combo.setEnabled(not self._busy)
        for editor in self.editors:
            editor.setEnabled(ready)
        self.save_button.setEnabled(ready and not self.problems)
        self.reset_button.setEnabled(ready)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _say(self, html: str, style: str) -> None:
        self.notice.setText(html)
        self.notice.setStyleSheet(style)
        self.notice.show()

    def show_refusal(self, text: str) -> None:
        """A refusal from the core, in red (the operations layer calls this)."""
        self._set_busy(False)
        self._say(escape(text), ERROR_STYLE)
        self.failed.emit(text)

    def _refused(self, error: Any) -> None:
        from grantdesk.domain.letters import TemplateError

        if isinstance(error, TemplateError):
            self.show_refusal(self.tr("The template was not saved: {0}").format(" ".join(error.problems)))
        else:
            self.show_refusal(str(error))

    # --- the template in the editors -----------------------------------------------------------------
    def current_template(self) -> LetterTemplate:
        """The template as the editors have it now."""
        base = self.template
        slip = None
        if base is not None and base.slip is not None:
            slip = Slip(self.slip_heading_edit.text().strip(), split_lines(self.slip_lines_edit.toPlainText()),
                        base.slip.fields)
        return LetterTemplate(
            kind=self.kind, language=self.language, subject=self.subject_edit.text().strip(),
            paragraphs=split_paragraphs(self.paragraphs_edit.toPlainText()),
            conditions_heading=self.conditions_heading_edit.text().strip(),
            conditions=split_lines(self.conditions_edit.toPlainText()),
            closing=self.closing_edit.text().strip(), slip=slip)

    def _fill(self, template: LetterTemplate) -> None:
        self.template = template
        self._filling = True
        try:
            self.subject_edit.setText(template.subject)
            self.paragraphs_edit.setPlainText("\n\n".join(template.paragraphs))
            self.conditions_heading_edit.setText(template.conditions_heading)
            self.conditions_edit.setPlainText("\n".join(template.conditions))
            self.closing_edit.setText(template.closing)
            has_slip = template.slip is not None
            self.slip_heading_edit.setText(template.slip.heading if has_slip else "")
            self.slip_lines_edit.setPlainText("\n".join(template.slip.lines) if has_slip else "")
            for widget in (self.slip_heading_edit, self.slip_lines_edit, self.slip_heading_label,
                           self.slip_lines_label):
                widget.setVisible(has_slip)
        finally:
            self._filling = False
        self.fields_list.clear()
        for name, description in FIELDS[template.kind].items():
            item = QListWidgetItem(f"{{{name}}} — {core_text(description)}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.fields_list.addItem(item)
        if self.fields_list.count():
            self.fields_list.setCurrentRow(0)
        self._target = self.paragraphs_edit
        self._check()

    def _check(self) -> None:
        self.problems = check_template(self.current_template()) if self.template is not None else []
        self.problems_list.clear()
        if self.problems:
            self.problems_list.addItems(self.problems)
            self.problems_label.setText(ngettext("Pro&blems ({n}) — fix it to save:", "Pro&blems ({n}) — fix them to save:",
                                                 len(self.problems)).format(n=len(self.problems)))
        else:
            self.problems_list.addItem(self.tr("No problems: every merge field is one this letter offers."))
            self.problems_label.setText(self.tr("Pro&blems:"))
        self._update_buttons()

    def _on_edited(self) -> None:
        if self._filling:
            return
        self._check()
        self.preview_timer.start(self.preview_delay_ms)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.FocusIn and watched in getattr(self, "editors", ()):
            self._target = watched  # type: ignore[assignment]
        return super().eventFilter(watched, event)

    def _on_field_chosen(self, item: QListWidgetItem) -> None:
        """Insert ``{field}`` at the cursor of the editor last focused, and go back to it."""
        target = self._target or self.paragraphs_edit
        if not target.isEnabled():
            return
        text = f"{{{item.data(Qt.ItemDataRole.UserRole)}}}"
        if isinstance(target, QPlainTextEdit):
            target.insertPlainText(text)
        else:
            target.insert(text)
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- loading ------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the fund's template for the kind and language chosen."""
        code, kind, language = self.fund_code, self.kind, self.language

        def fetch(db):
            from grantdesk.services.letter_templates import template_for

            return template_for(db, code, kind, language)

        self.template = None
        self._set_busy(True)
        Query(self, fetch).success(self._on_loaded).failure(self._refused).run()

    def _on_loaded(self, template: LetterTemplate) -> None:
        self._set_busy(False)
        if (template.kind, template.language) != (self.kind, self.language):
            self.start()  # the choice changed while loading
            return
        self._fill(template)
        self.render_preview()
        self.loaded.emit()

    def _on_choice(self) -> None:
        if self.template is None and self._busy:
            return  # _on_loaded loads the new choice
        if self.template is not None and self.current_template() != self.template:
            self._say(escape(self.tr("Unsaved changes to the {letter} ({language}) were left.").format(
                letter=_letter(self.template.kind), language=self.template.language)), INFO_STYLE)
        else:
            self.notice.hide()
        self.start()

    # --- saving and resetting --------------------------------------------------------------------------
    def save(self) -> None:
        """Keep the texts as the fund's own (on the worker). Refused while there are problems."""
        if self.template is None or self._busy:
            return
        self._check()
        if self.problems:
            return
        template, code = self.current_template(), self.fund_code

        def work(db):
            from grantdesk.services.letter_templates import save_template

            save_template(db, code, template)
            return template

        self._set_busy(True)
        Op(self, work).success(self._on_saved).failure(self._refused).run()

    def _on_saved(self, template: LetterTemplate) -> None:
        self._set_busy(False)
        self.template = template
        self._say(escape(self.tr("Saved the {letter} ({language}) for {fund}: letters made from now on use it.")
                         .format(letter=_letter(template.kind), language=template.language, fund=self.fund_code)),
                  OK_STYLE)
        self.saved.emit()

    def reset(self) -> None:
        """Ask, then put the template back to the default (the fund's own texts are removed)."""
        if self.template is None or self._busy:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Reset to the default"),
                          self.tr("Put the {letter} ({language}) back to GrantDesk's default? The fund's own texts "
                                  "for it, and any changes not saved, will be lost.").format(
                              letter=_letter(self.kind), language=self.language),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("resetConfirmation")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda result: self._reset_confirmed(result == QMessageBox.StandardButton.Yes))
        self.confirmation = box
        box.open()

    def _reset_confirmed(self, yes: bool) -> None:
        self.confirmation = None
        if not yes:
            return
        code, kind, language = self.fund_code, self.kind, self.language

        def work(db):
            from grantdesk.services.letter_templates import reset_template, template_for

            reset_template(db, code, kind, language)  # the one transaction; then read what it left
            return template_for(db, code, kind, language)

        def done(template: LetterTemplate) -> None:
            self._say(escape(self.tr("The {letter} ({language}) is back to the default.").format(
                letter=_letter(kind), language=language)), OK_STYLE)
            self._on_loaded(template)

        self.template = None
        self._set_busy(True)
        Op(self, work).success(done).failure(self._refused).run()

    # --- changes made in other windows --------------------------------------------------------------
    def _on_changes(self, changes: Any) -> None:
        """The fund's templates or the application the preview uses may have changed elsewhere: read the
        template again if nothing here is unsaved, and render the preview again."""
        if self.template is None or self._busy:
            return
        if Kind.FUNDS in changes.kinds and self.current_template() == self.template:
            self.start()
        else:
            self.render_preview()

    # --- the preview --------------------------------------------------------------------------------
    def render_preview(self) -> None:
        """Render the template as it is now into the preview, on the worker; if a render is running,
        render once more when it ends."""
        self.preview_timer.stop()
        if self.template is None:
            return
        if self._rendering:
            self._render_again = True
            return
        if self.problems:
            self.preview_status.setText(self.tr("The preview waits until the problems are fixed."))
            return
        if not Path(self._temp.name).is_dir():
            self._temp = tempfile.TemporaryDirectory(prefix="grantdesk-template-", ignore_cleanup_errors=True)
        self._renders += 1
        target = Path(self._temp.name) / f"preview-{self._renders}.pdf"
        template, code = self.current_template(), self.fund_code

        def work(db):
            from grantdesk.reports.letters import letters_pdf
            from grantdesk.services.letter_templates import preview_letter

            letter = preview_letter(db, code, template)
            if not target.parent.is_dir():
                raise Cancelled()  # the editor closed: its folder went with it
            try:
                letters_pdf([letter], target)
            except OSError:
                if not target.parent.is_dir():
                    raise Cancelled() from None  # closed while rendering
                raise
            return letter.reference, target

        def cancelled() -> None:
            self._rendering = False

        self._rendering = True
        self.preview_status.setText(self.tr("Updating the preview…"))
        Query(self, work).success(self._on_preview).failure(self._on_preview_failed).cancelled(cancelled).run()

    def _after_render(self) -> bool:
        """The render is over; start the next if the text changed meanwhile (True if so)."""
        self._rendering = False
        if self._render_again:
            self._render_again = False
            self.render_preview()
            return True
        return False

    def _on_preview(self, result: tuple[str, Path]) -> None:
        reference, path = result
        if self._closed:  # the editor closed while the preview was rendering: nothing to show
            self._rendering = False
            return
        old, self.preview_path = self.preview_path, path
        if self.document.load(str(path)) != QPdfDocument.Error.None_:
            self.preview_status.setText(self.tr("The preview could not be shown."))
        else:
            self.preview_status.setText(self.tr("Preview with {0} — not saved until you press Save.").format(reference))
        if old is not None and old != path:
            old.unlink(missing_ok=True)
        if not self._after_render():
            self.preview_ready.emit(self.document.pageCount())

    def _on_preview_failed(self, exc: Any) -> None:
        if self._closed:  # its folder went with the editor: the render had nowhere to write
            self._rendering = False
            return
        self.preview_status.setText(self.tr("No preview: {0}").format(exc))
        if not self._after_render():
            self.failed.emit(str(exc))

    # --- closing ------------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._closed = False  # shown again after closing: previews are wanted again
        super().showEvent(event)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._closed = True
        self.preview_timer.stop()
        self.document.close()
        self._temp.cleanup()
        super().closeEvent(event)
