"""Small dialogs: a written reason for a decision, and the amount of an award."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
)

from grantdesk.domain.dates import parse_uk_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import format_money, parse_money


class ReasonDialog(QDialog):
    """Ask for the written reason a decision needs; OK stays off until there is one."""

    def __init__(self, title: str, prompt: str, parent=None, *, text: str = ""):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("reasonDialog")
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.reason_edit = QPlainTextEdit(text)
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.setTabChangesFocus(True)
        label.setBuddy(self.reason_edit)
        layout.addWidget(self.reason_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update)
        self._update()
        self.resize(460, 220)

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason().strip()))

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()


class AwardDialog(QDialog):
    """The amount (all or part of the request) and the date of an award."""

    def __init__(self, reference: str, requested_pence: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Award {reference}")
        self.setObjectName("awardDialog")
        form = QFormLayout(self)
        self.amount_edit = QLineEdit(format_money(requested_pence))
        self.amount_edit.setObjectName("awardAmount")
        self.amount_edit.setAccessibleName("Amount awarded")
        self.date_edit = QLineEdit(date.today().strftime("%d/%m/%Y"))
        self.date_edit.setObjectName("awardDate")
        self.date_edit.setAccessibleName("Date awarded")
        self.purpose_edit = QLineEdit()
        self.purpose_edit.setObjectName("awardPurpose")
        self.purpose_edit.setAccessibleName("Purpose")
        self.purpose_edit.setPlaceholderText("The project title, unless you say otherwise")
        self.error = QLabel()
        self.error.setObjectName("awardError")
        self.error.setStyleSheet("color: #b91c1c")
        self.error.setWordWrap(True)
        form.addRow(f"Requested: {format_money(requested_pence)}", QLabel(""))
        form.addRow("&Amount awarded", self.amount_edit)
        form.addRow("&Date awarded", self.date_edit)
        form.addRow("&Purpose", self.purpose_edit)
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._check_and_accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.amount_pence: int | None = None
        self.awarded_on: date | None = None

    def _check_and_accept(self) -> None:
        try:
            amount = parse_money(self.amount_edit.text(), field="amount")
            if amount <= 0:
                raise ValidationError("An award must be more than £0.")
            day = parse_uk_date(self.date_edit.text(), field="date") or date.today()
        except ValidationError as exc:
            self.error.setText(str(exc))
            return
        self.amount_pence, self.awarded_on = amount, day
        self.accept()

    def purpose(self) -> str:
        return self.purpose_edit.text().strip()
