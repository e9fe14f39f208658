"""Application ▸ Welsh Wording…: the texts typed for an applicant, each in English beside its Welsh.

The project's title and summary, the reason of its current decline or deferral, and what its award is
for and its own conditions: the English as recorded (read-only), the Welsh to add or correct. Saving is
one call to ``grantdesk.services.welsh_texts.set_welsh_texts``; a Welsh letter that was waiting for one
of them can then be made. Nothing here is ever filled from the English.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from grantdesk.i18n import N_
from ui.operations import Op, refusal_text

HEADINGS = {
    "title_cy": N_("Project title"),
    "summary_cy": N_("Summary"),
    "reason_cy": N_("Reason for the decision"),
    "purpose_cy": N_("What the grant is for"),
    "conditions_cy": N_("The grant's own conditions (one a line)"),
}


class WelshWordingDialog(QDialog):
    """Each typed text in English and in Welsh; Save keeps the Welsh in one transaction."""

    saved = Signal(int)  # the application's id

    def __init__(self, texts: Any, db: Any, runner: Any, parent=None):
        super().__init__(parent)
        self.texts, self.db, self.runner = texts, db, runner
        self.setObjectName("welshWordingDialog")
        self.setWindowTitle(self.tr("{0}: Welsh wording").format(texts.reference))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("What was typed for this applicant, in English, and its Welsh. A Welsh letter uses "
                               "only the Welsh: while one it needs is missing, the letter is not made."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if not texts.needed:
            note = QLabel(self.tr("This applicant's letters are in English only; Welsh wording is kept if given."))
            note.setWordWrap(True)
            layout.addWidget(note)
        body = QWidget()
        outer = QVBoxLayout(body)
        grid = QGridLayout()
        outer.addLayout(grid)
        for column, word in ((1, self.tr("English")), (2, self.tr("Cymraeg"))):
            header = QLabel(word)  # plain text in a bold font: a rich-text label asks for far too much height
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            grid.addWidget(header, 0, column)
        self.edits: dict[str, QPlainTextEdit] = {}
        for row, pair in enumerate(texts.texts, start=1):
            heading = QLabel(self.tr(HEADINGS[pair.key]))
            heading.setWordWrap(True)
            english = QLabel(pair.english or self.tr("(none)"))
            english.setWordWrap(True)
            english.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            english.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            edit = QPlainTextEdit(pair.welsh)
            edit.setObjectName(f"welsh_{pair.key}")
            edit.setTabChangesFocus(True)
            edit.setAccessibleName(self.tr("{0}, in Welsh").format(self.tr(HEADINGS[pair.key])))
            edit.setMaximumHeight(40 if pair.key == "title_cy" else 90)
            heading.setBuddy(edit)
            grid.addWidget(heading, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(english, row, 1)
            grid.addWidget(edit, row, 2)
            self.edits[pair.key] = edit
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        outer.addStretch(1)  # spare height below the rows, not between them
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setAccessibleName(self.tr("Texts in English and Welsh"))
        layout.addWidget(scroll, 1)
        self.notice = QLabel()
        self.notice.setObjectName("welshWordingNotice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        layout.addWidget(self.notice)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(900, 560)

    def values(self) -> dict[str, str]:
        """What the Welsh fields hold, by key (only those that differ from what is stored)."""
        stored = {p.key: p.welsh for p in self.texts.texts}
        return {key: edit.toPlainText().strip() for key, edit in self.edits.items()
                if edit.toPlainText().strip() != (stored.get(key) or "").strip()}

    def save(self) -> None:
        changes = self.values()
        if not changes:
            self.accept()
            return
        app_id = self.texts.application_id

        def work(db):
            from grantdesk.services.welsh_texts import set_welsh_texts

            return set_welsh_texts(db, app_id, **changes)

        def refused(error: BaseException) -> None:  # the dialog stays open with what was typed
            self.notice.setText(refusal_text(error))
            self.notice.show()

        def done(_texts: Any) -> None:
            self.saved.emit(app_id)
            self.accept()

        Op(self, work).success(done).failure(refused).run()

