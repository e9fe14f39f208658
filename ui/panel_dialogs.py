"""The panel window's dialogs: a panellist's declaration of interest, and the panel's decision on one
application. Each hands its answer to the window (``submit``), which runs the service and closes the
dialog when the core accepts it, or shows the core's refusal in it and leaves it open."""

from __future__ import annotations

from html import escape
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import format_money, parse_money
from grantdesk.i18n import pgettext
from ui.panel_models import INTEREST_KINDS, number_text

# A refusal in a dialog: marked by a red rule beside it, in the palette's own text colour (readable in
# light, dark and high-contrast themes alike).
ERROR_STYLE = "border-left: 3px solid #dc2626; padding: 2px 0 2px 8px;"


class _SubmitDialog(QDialog):
    """A dialog whose OK hands its answer to the widget; the widget closes it when the service
    accepted it, or shows the service's message in it."""

    def __init__(self, title: str, submit: Callable[[dict[str, Any]], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit = submit
        self.layout_ = QVBoxLayout(self)
        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.try_submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def answer(self) -> dict[str, Any]:
        raise NotImplementedError

    def try_submit(self) -> None:
        try:
            args = self.answer()
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        self.error.clear()
        self.error.hide()
        self.ok.setEnabled(False)
        self._submit(args)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.ok.setEnabled(True)


class InterestDialog(_SubmitDialog):
    """A panellist's declaration of interest in one application."""

    def __init__(self, panellist: str, application: Any, submit, parent: QWidget | None = None):
        super().__init__(QCoreApplication.translate("InterestDialog", "Declare an interest: {reference}").format(
            reference=application.reference), submit, parent)
        self.setObjectName("interestDialog")
        intro = QLabel(self.tr("<b>{panellist}</b> declares an interest in <b>{reference}</b> · {title} "
                               "({organisation}).<br>A panellist who declares an interest cannot score the "
                               "application; scores they gave it before no longer count.").format(
            panellist=escape(panellist), reference=escape(application.reference), title=escape(application.title),
            organisation=escape(application.organisation)))
        intro.setWordWrap(True)
        self.intro = intro
        self.layout_.addWidget(intro)
        form = QFormLayout()
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("interestKind")
        self.kind_combo.setAccessibleName(self.tr("Kind of interest"))
        for kind, label in INTEREST_KINDS:
            self.kind_combo.addItem(self.tr(label), kind)
        self.kind_combo.setPlaceholderText(self.tr("Choose the kind of interest…"))
        self.kind_combo.setCurrentIndex(-1)
        self.nature_edit = QLineEdit()
        self.nature_edit.setObjectName("interestNature")
        self.nature_edit.setAccessibleName(self.tr("Nature of the interest"))
        self.nature_edit.setPlaceholderText(self.tr("e.g. my daughter runs the group"))
        kind_label = QLabel(self.tr("&Kind"))
        kind_label.setBuddy(self.kind_combo)
        nature_label = QLabel(self.tr("&Nature"))
        nature_label.setBuddy(self.nature_edit)
        form.addRow(kind_label, self.kind_combo)
        form.addRow(nature_label, self.nature_edit)
        self.layout_.addLayout(form)
        self.ok.setText(self.tr("Declare"))
        self.finish_layout()
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._update())
        self.nature_edit.textChanged.connect(lambda _t: self._update())
        self._update()
        self.resize(520, 220)

    def kind(self) -> str | None:
        return self.kind_combo.currentData()

    def _update(self) -> None:
        kind = self.kind()
        self.nature_edit.setEnabled(kind not in (None, "none"))
        self.ok.setEnabled(kind == "none" or (kind is not None and bool(self.nature_edit.text().strip())))

    def answer(self) -> dict[str, Any]:
        kind = self.kind()
        if kind is None:
            raise ValidationError(self.tr("Choose the kind of interest (or “No interest”)."))
        return {"kind": kind, "nature": self.nature_edit.text().strip() if kind != "none" else ""}


class DecideDialog(_SubmitDialog):
    """The panel's final decision on one application, after deliberation."""

    def __init__(self, application: Any, count: int, submit, parent: QWidget | None = None):
        super().__init__(QCoreApplication.translate("DecideDialog", "Decide: {reference}").format(
            reference=application.reference), submit, parent)
        self.setObjectName("decideDialog")
        self.application = application
        a = application
        if a.weighted is None:
            scores = self.tr("Nobody has scored it, so the raw scores do not suggest funding it.")
        else:
            scores = (self.tr("The raw scores rank it <b>{rank} of {count}</b> (weighted {score}) and suggest "
                              "<b>funding it</b> within the budget.") if a.suggested else
                      self.tr("The raw scores rank it <b>{rank} of {count}</b> (weighted {score}) and suggest "
                              "<b>not funding it</b> within the budget.")).format(
                rank=a.rank, count=count, score=number_text(a.weighted))
        intro = QLabel(f"<b>{escape(a.reference)}</b> · {escape(a.title)} · {escape(a.organisation)}<br>"
                       + self.tr("Asked for {amount}.").format(amount=format_money(a.amount_pence)) + f" {scores}<br>"
                       + self.tr("A decision that differs from the scores needs a reason, kept with the round."))
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        self.fund = QRadioButton(pgettext("panel outcome", "&Fund"))  # the verb; the noun is a fund
        self.decline = QRadioButton(self.tr("&Do not fund"))
        self.defer = QRadioButton(self.tr("D&efer"))
        for n, (radio, name) in enumerate(((self.fund, "fund"), (self.decline, "decline"), (self.defer, "defer"))):
            radio.setObjectName(f"decide_{name}")
            radio.setAccessibleName(radio.text().replace("&", ""))
            self.group.addButton(radio, n)
            row.addWidget(radio)
        row.addStretch(1)
        self.layout_.addLayout(row)
        form = QFormLayout()
        self.amount_edit = QLineEdit(format_money(a.amount_pence))
        self.amount_edit.setObjectName("decideAmount")
        self.amount_edit.setAccessibleName(self.tr("Amount the panel awards"))
        amount_label = QLabel(self.tr("&Amount"))
        amount_label.setBuddy(self.amount_edit)
        form.addRow(amount_label, self.amount_edit)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("decideReason")
        self.reason_edit.setAccessibleName(self.tr("Reason for the decision"))
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setPlaceholderText(self.tr("Why the panel decided so (needed when it differs from the scores)"))
        self.reason_edit.setFixedHeight(90)
        reason_label = QLabel(self.tr("&Reason"))
        reason_label.setBuddy(self.reason_edit)
        form.addRow(reason_label, self.reason_edit)
        self.layout_.addLayout(form)
        self.ok.setText(self.tr("Record decision"))
        self.finish_layout()
        d = a.decision
        if d is not None:
            {"fund": self.fund, "decline": self.decline, "defer": self.defer}[d.outcome].setChecked(True)
            if d.outcome == "fund":
                self.amount_edit.setText(format_money(d.amount_pence))
            self.reason_edit.setPlainText(d.reason)
        else:
            (self.fund if a.suggested else self.decline).setChecked(True)
        self.group.idToggled.connect(lambda _i, _on: self._update())
        self._update()
        self.resize(560, 340)

    def outcome(self) -> str:
        return {0: "fund", 1: "decline", 2: "defer"}[self.group.checkedId()]

    def _update(self) -> None:
        self.amount_edit.setEnabled(self.fund.isChecked())

    def answer(self) -> dict[str, Any]:
        outcome = self.outcome()
        amount = parse_money(self.amount_edit.text(), field="amount") if outcome == "fund" else 0
        return {"outcome": outcome, "amount_pence": amount, "reason": self.reason_edit.toPlainText().strip()}

