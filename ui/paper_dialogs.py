"""The paper-entry screen's dialogs: why a sheet is spoilt, and an officer settling a mismatch after
looking at the paper (keep one keying, key it as it reads, or spoil it, always with a reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from grantdesk.i18n import N_
from ui.paper_marks import EntryError, MarksEntry, escape, keying_text

ERROR_STYLE = "color: #b91c1c;"
# Offered in the officer's language (what is chosen is kept as the reason, as if typed).
SPOILT_PRESETS = (N_("unreadable"), N_("voter identifiable"), N_("more marks than allowed"), N_("blank"))
CHECKED_PREFIX = N_("checked the paper: ")


class SpoiltDialog(QDialog):
    """Why a ballot is spoilt: a preset or the volunteer's own words."""

    def __init__(self, sheet: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("spoiltDialog")
        self.setWindowTitle(self.tr("Sheet {sheet} is spoilt").format(sheet=sheet))
        layout = QVBoxLayout(self)
        prompt = QLabel(self.tr("Why is sheet {sheet} spoilt? Choose a reason or type your own.").format(sheet=sheet))
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.reason_combo = QComboBox()
        self.reason_combo.setObjectName("spoiltReason")
        self.reason_combo.setEditable(True)
        self.reason_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.reason_combo.addItems([self.tr(p) for p in SPOILT_PRESETS])
        self.reason_combo.setCurrentIndex(-1)
        self.reason_combo.lineEdit().setPlaceholderText(self.tr("e.g. unreadable"))
        self.reason_combo.setAccessibleName(self.tr("Reason the ballot is spoilt"))
        prompt.setBuddy(self.reason_combo)
        layout.addWidget(self.reason_combo)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Key as spoilt"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_combo.editTextChanged.connect(self._update)
        self._update()
        self.resize(420, 140)

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason()))

    def reason(self) -> str:
        return self.reason_combo.currentText().strip()


class ResolveDialog(QDialog):
    """An officer settles a mismatch after looking at the paper. ``submit`` is called with the
    arguments for ``resolve_mismatch``; errors come back through ``show_error``."""

    def __init__(self, event: Any, mismatch: Any, submit: Callable[[dict[str, Any]], None],
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resolveDialog")
        self.setWindowTitle(self.tr("Resolve the mismatch on sheet {sheet}").format(sheet=mismatch.sheet))
        self.mismatch = mismatch
        self._submit = submit
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Find paper sheet <b>{sheet}</b> and check what it says.").format(
            sheet=escape(mismatch.sheet)))
        layout.addWidget(intro)
        self.choice = QButtonGroup(self)
        self.keep1 = QRadioButton(self.tr("Keep keying &1 (by {by}): {marks}").format(
            by=mismatch.first.by, marks=keying_text(event.projects, mismatch.first)))
        self.keep2 = QRadioButton(self.tr("Keep keying &2 (by {by}): {marks}").format(
            by=mismatch.second.by, marks=keying_text(event.projects, mismatch.second)))
        self.as_read = QRadioButton(self.tr("Key it as it &reads:"))
        self.spoilt = QRadioButton(self.tr("It is &spoilt, because:"))
        for n, (radio, name) in enumerate(((self.keep1, "keep1"), (self.keep2, "keep2"),
                                           (self.as_read, "asRead"), (self.spoilt, "spoilt"))):
            radio.setObjectName(f"resolve_{name}")
            radio.setAccessibleName(radio.text().replace("&", ""))
            self.choice.addButton(radio, n)
        for radio in (self.keep1, self.keep2, self.as_read):
            layout.addWidget(radio)
        self.marks = MarksEntry(event, self, show_legend=True)
        self.marks.setObjectName("resolveMarks")
        self.marks.setContentsMargins(24, 0, 0, 0)
        layout.addWidget(self.marks)
        layout.addWidget(self.spoilt)
        self.spoilt_combo = QComboBox()
        self.spoilt_combo.setObjectName("resolveSpoiltReason")
        self.spoilt_combo.setEditable(True)
        self.spoilt_combo.addItems([self.tr(p) for p in SPOILT_PRESETS])
        self.spoilt_combo.setCurrentIndex(-1)
        self.spoilt_combo.setAccessibleName(self.tr("Reason the ballot is spoilt"))
        layout.addWidget(self.spoilt_combo)
        form = QFormLayout()
        self.checked_prefix = self.tr(CHECKED_PREFIX)
        self.reason_edit = QLineEdit(self.checked_prefix)
        self.reason_edit.setObjectName("resolveReason")
        self.reason_edit.setAccessibleName(self.tr("How the mismatch was settled"))
        label = QLabel(self.tr("How it was &settled:"))
        label.setBuddy(self.reason_edit)
        form.addRow(label, self.reason_edit)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("resolveError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Resolve"))
        self.buttons.accepted.connect(self.try_submit)
        self.buttons.rejected.connect(self.reject)
        self.marks.submitted.connect(self.try_submit)
        layout.addWidget(self.buttons)
        self.choice.idToggled.connect(lambda _id, _on: self._update())
        self.reason_edit.textChanged.connect(lambda _t: self._update())
        self.keep1.setChecked(True)
        self._update()
        self.resize(620, 420)

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    def _update(self) -> None:
        self.marks.setEnabled(self.as_read.isChecked())
        self.spoilt_combo.setEnabled(self.spoilt.isChecked())
        given = self.reason()
        prefix = self.checked_prefix.strip()
        if given.lower().startswith(prefix.lower()):
            given = given[len(prefix):].strip()
        self.ok.setEnabled(bool(given))

    def try_submit(self) -> None:
        if not self.ok.isEnabled():
            self.show_error(self.tr("Say what the paper showed, after “checked the paper:”."))
            return
        args: dict[str, Any] = {"reason": self.reason()}
        if self.keep1.isChecked():
            args["use"] = 1
        elif self.keep2.isChecked():
            args["use"] = 2
        elif self.as_read.isChecked():
            if self.marks.is_empty():
                self.show_error(self.tr("Type the marks as the paper shows them, or choose “It is spoilt”."))
                return
            try:
                args["ballot"] = self.marks.ballot()
            except EntryError as exc:
                self.show_error(str(exc))
                return
        else:
            spoilt = self.spoilt_combo.currentText().strip()
            if not spoilt:
                self.show_error(self.tr("Say why the ballot is spoilt."))
                return
            args["spoilt_reason"] = spoilt
        self.error.clear()
        self.ok.setEnabled(False)
        self._submit(args)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self._update()
