"""Small dialogs: a written reason for a decision, an eligibility assessment to confirm, and an award."""

from __future__ import annotations

from datetime import date
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from grantdesk.domain.dates import parse_uk_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import format_money, parse_money
from grantdesk.domain.workflow import Status
from grantdesk.i18n import N_, ngettext
from grantdesk.i18n import _ as core_text  # the core's rule labels, translated


class ReasonDialog(QDialog):
    """Ask for the written reason a decision needs; OK stays off until there is one."""

    def __init__(self, title: str, prompt: str, parent=None, *, text: str = "", welsh: bool = False):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("reasonDialog")
        layout = QVBoxLayout(self)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.reason_edit = QPlainTextEdit(text)
        self.reason_edit.setObjectName("reasonEdit")
        self.reason_edit.setAccessibleName(self.tr("Reason"))
        self.reason_edit.setTabChangesFocus(True)
        label.setBuddy(self.reason_edit)
        layout.addWidget(self.reason_edit)
        self.welsh_edit: QPlainTextEdit | None = None
        if welsh:  # the applicant reads Welsh, or the fund writes bilingual letters
            welsh_label = QLabel(self.tr("The same reason in &Welsh, as the Welsh letter will say it. You may add it "
                                         "later (Application ▸ Welsh Wording…): the Welsh letter waits for it and is "
                                         "never filled with the English."))
            welsh_label.setWordWrap(True)
            layout.addWidget(welsh_label)
            self.welsh_edit = QPlainTextEdit()
            self.welsh_edit.setObjectName("reasonWelshEdit")
            self.welsh_edit.setAccessibleName(self.tr("Reason in Welsh"))
            self.welsh_edit.setTabChangesFocus(True)
            welsh_label.setBuddy(self.welsh_edit)
            layout.addWidget(self.welsh_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason_edit.textChanged.connect(self._update)
        self._update()
        self.resize(520, 340 if welsh else 220)

    def _update(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason().strip()))

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def reason_cy(self) -> str:
        return self.welsh_edit.toPlainText().strip() if self.welsh_edit is not None else ""


OUTCOME_WORDS = {  # an eligibility rule's result, as the assessment shows it
    "pass": ("✓", N_("Passes")),
    "fail": ("✗", N_("Fails")),
    "flag": ("⚑", N_("Worth knowing")),
    "overridden": ("✓", N_("Overridden")),
}


def _notice(label: QLabel, kind: str) -> QLabel:
    from ui.fund_forms import NOTICE_STYLES

    label.setStyleSheet(NOTICE_STYLES[kind])
    label.setWordWrap(True)
    return label


class AssessmentDialog(QDialog):
    """What the fund's rules decide for a submitted application, rule by rule, and the question: mark
    it eligible (or ineligible, with the reason the applicant will read)? Nothing is changed until the
    officer says so; Cancel changes nothing. ``confirmed`` carries the outcome and the reason; the
    dialog stays open until the window calls ``finish`` (or ``show_refusal`` with the service's words)."""

    confirmed = Signal(object, str)  # (Status the officer confirmed, the reason for the history)

    def __init__(self, shown, parent=None):
        super().__init__(parent)
        from grantdesk.domain.eligibility import Outcome

        self.shown = shown
        ineligible = shown.outcome is Status.INELIGIBLE
        self.setWindowTitle(self.tr("Assess eligibility — %1").replace("%1", shown.reference))
        self.setObjectName("assessmentDialog")
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{escape(shown.reference)}</b> · {escape(shown.title)}")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.rules = QTreeWidget()
        self.rules.setObjectName("assessmentRules")
        self.rules.setAccessibleName(self.tr("The fund's rules and this application's result for each"))
        self.rules.setHeaderLabels([self.tr("Result"), self.tr("Rule"), self.tr("Why")])
        self.rules.setRootIsDecorated(False)
        self.rules.setWordWrap(True)
        self.rules.setUniformRowHeights(False)
        self.rules.setSelectionMode(QTreeWidget.SelectionMode.NoSelection)
        for r in shown.report.results:
            if r.outcome is Outcome.NOT_APPLICABLE:
                continue
            mark, word = OUTCOME_WORDS[r.outcome.value]
            why = r.reason + (self.tr(" Overridden: %1").replace("%1", r.override_reason) if r.override_reason else "")
            item = QTreeWidgetItem([f"{mark} {self.tr(word)}", core_text(r.label), why])
            item.setToolTip(2, why)
            self.rules.addTopLevelItem(item)
        self.rules.header().setStretchLastSection(True)
        self.rules.resizeColumnToContents(0)
        self.rules.resizeColumnToContents(1)
        layout.addWidget(self.rules, 1)
        failures = len(shown.report.failures)
        if ineligible:
            verdict = ngettext("The fund's rules make this application <b>ineligible</b>: one rule fails.",
                               "The fund's rules make this application <b>ineligible</b>: %1 rules fail.",
                               failures).replace("%1", str(failures))
        else:
            verdict = self.tr("The fund's rules make this application <b>eligible</b>.")
        self.verdict = QLabel(verdict)
        self.verdict.setObjectName("assessmentVerdict")
        layout.addWidget(_notice(self.verdict, "error" if ineligible else "ok"))
        self.reason_edit = QPlainTextEdit(shown.reason)
        self.reason_edit.setObjectName("assessmentReason")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setMaximumHeight(90)
        if ineligible:
            self.reason_edit.setAccessibleName(self.tr("Reason the applicant will read"))
            label = QLabel(self.tr("&Reason the applicant will read (you may reword it):"))
            label.setBuddy(self.reason_edit)
            layout.addWidget(label)
            layout.addWidget(self.reason_edit)
            hint = QLabel(self.tr("If a failed rule should not apply, choose Cancel and use Override… beside it in "
                                  "the details: the application stays submitted until you assess it again."))
            from ui.fund_forms import quiet

            layout.addWidget(quiet(hint))
        else:
            self.reason_edit.setAccessibleName(self.tr("Reason recorded in the history"))
            self.reason_edit.hide()
        question = (self.tr("Mark %1 as ineligible? Its status changes to Ineligible and the applicant is told why.")
                    if ineligible else
                    self.tr("Mark %1 as eligible? Its status changes to Eligible.")).replace("%1", shown.reference)
        self.question = QLabel(question)
        self.question.setObjectName("assessmentQuestion")
        self.question.setWordWrap(True)
        layout.addWidget(self.question)
        self.error = _notice(QLabel(), "error")
        self.error.setObjectName("assessmentError")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = self.buttons.addButton(
            self.tr("Mark as &Ineligible") if ineligible else self.tr("Mark as &Eligible"),
            QDialogButtonBox.ButtonRole.AcceptRole)
        self.confirm_button.setObjectName("assessmentConfirm")
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        (self.cancel_button if ineligible else self.confirm_button).setDefault(True)
        self.buttons.accepted.connect(self._confirm)
        self.buttons.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._update)
        layout.addWidget(self.buttons)
        self._update()
        self.resize(760, 460)

    def _update(self) -> None:
        self.confirm_button.setEnabled(bool(self.reason()))

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def _confirm(self) -> None:
        self.error.hide()
        self.confirm_button.setEnabled(False)  # until the service answers
        self.confirmed.emit(self.shown.outcome, self.reason())

    def show_refusal(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self._update()

    def finish(self) -> None:
        self.accept()


class AwardDialog(QDialog):
    """The award, asked first: the amount (all or part of the request), the date and purpose, beside
    what was asked for, the fund's maximum and what is left of the round's budget. Going beyond any
    of them is said as it is typed and needs a written reason (the service refuses without one; its
    words are shown here). ``submitted`` carries (pence, date, purpose, reason); the dialog stays
    open until the window calls ``finish`` or ``show_refusal``."""

    submitted = Signal(int, object, str, str)

    def __init__(self, context, parent=None):
        super().__init__(parent)
        self.context = context
        limits = context.limits
        self.setWindowTitle(self.tr("Award %1").replace("%1", context.reference))
        self.setObjectName("awardDialog")
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{escape(context.reference)}</b> · {escape(context.title)}")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        facts = QFormLayout()
        self.requested_label = QLabel(format_money(limits.requested_pence))
        self.requested_label.setObjectName("awardRequested")
        facts.addRow(self.tr("Asked for:"), self.requested_label)
        self.maximum_label = QLabel(format_money(limits.maximum_pence) if limits.maximum_pence is not None
                                    else self.tr("The fund sets no maximum."))
        self.maximum_label.setObjectName("awardMaximum")
        facts.addRow(self.tr("Fund's maximum award:"), self.maximum_label)
        if limits.budget_pence is None:
            budget = self.tr("No budget is set for this round.") if context.round_name else self.tr("Not in a round.")
        else:
            budget = self.tr("%1 left of %2 (%3 awarded already)") \
                .replace("%1", format_money(limits.budget_left_pence)).replace("%2", format_money(limits.budget_pence)) \
                .replace("%3", format_money(limits.awarded_in_round_pence))
        self.budget_label = QLabel(budget)
        self.budget_label.setObjectName("awardBudget")
        self.budget_label.setWordWrap(True)
        if context.round_name:
            self.budget_label.setToolTip(context.round_name)
            round_label = QLabel(context.round_name)
            round_label.setTextFormat(Qt.TextFormat.PlainText)
            round_label.setWordWrap(True)
            facts.addRow(self.tr("Round:"), round_label)
        facts.addRow(self.tr("Round's budget:"), self.budget_label)
        layout.addLayout(facts)
        form = QFormLayout()
        first = limits.requested_pence
        if limits.maximum_pence is not None:
            first = min(first, limits.maximum_pence)
        self.amount_edit = QLineEdit(format_money(first))
        self.amount_edit.setObjectName("awardAmount")
        self.amount_edit.setAccessibleName(self.tr("Amount awarded"))
        self.date_edit = QLineEdit(date.today().strftime("%d/%m/%Y"))
        self.date_edit.setObjectName("awardDate")
        self.date_edit.setAccessibleName(self.tr("Date awarded"))
        self.date_edit.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.purpose_edit = QLineEdit()
        self.purpose_edit.setObjectName("awardPurpose")
        self.purpose_edit.setAccessibleName(self.tr("Purpose"))
        self.purpose_edit.setPlaceholderText(self.tr("The project title, unless you say otherwise"))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("awardReason")
        self.reason_edit.setAccessibleName(self.tr("Reason for going beyond the request, maximum or budget"))
        self.reason_edit.setPlaceholderText(self.tr("Needed only when the award is more than was asked for, more "
                                                    "than the fund's maximum or more than the budget has left"))
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setMaximumHeight(80)
        form.addRow(self.tr("&Amount awarded"), self.amount_edit)
        form.addRow(self.tr("&Date awarded"), self.date_edit)
        form.addRow(self.tr("&Purpose"), self.purpose_edit)
        form.addRow(self.tr("&Reason"), self.reason_edit)
        layout.addLayout(form)
        self.beyond = _notice(QLabel(), "error")
        self.beyond.setObjectName("awardBeyond")
        layout.addWidget(self.beyond)
        self.consequence = QLabel()
        self.consequence.setObjectName("awardConsequence")
        self.consequence.setWordWrap(True)
        layout.addWidget(self.consequence)
        self.error = _notice(QLabel(), "error")
        self.error.setObjectName("awardError")
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.award_button = self.buttons.addButton(self.tr("A&ward"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.award_button.setObjectName("awardConfirm")
        self.buttons.accepted.connect(self._check_and_submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.amount_pence: int | None = None
        self.awarded_on: date | None = None
        self.amount_edit.textChanged.connect(self._update)
        self.date_edit.textChanged.connect(self._update)
        self._update()
        self.resize(560, 480)

    def _typed(self) -> tuple[int | None, date | None]:
        try:
            amount = parse_money(self.amount_edit.text(), field="amount")
        except ValidationError:
            amount = None
        try:
            day = parse_uk_date(self.date_edit.text(), field="date")
        except ValidationError:
            day = None
        return amount, day

    def _update(self) -> None:
        """Say, as it is typed, which limits the amount goes beyond and what awarding will do."""
        from grantdesk.domain.problems import problem, words

        amount, day = self._typed()
        self.error.hide()  # a refusal was about what was typed before
        crossed = self.context.limits.crossed(amount) if amount is not None and amount > 0 else ()
        if crossed:
            self.beyond.setText(words(problem("award.reason_needed", "reason", reference=self.context.reference,
                                              amount_pence=amount, crossed=crossed)))
        self.beyond.setVisible(bool(crossed))
        if amount is not None and amount > 0:
            when = (day or date.today()).strftime("%d/%m/%Y")
            self.consequence.setText(
                self.tr("Awarding moves %1 to Awarded and records %2 on %3. This cannot be undone here.")
                .replace("%1", self.context.reference).replace("%2", format_money(amount)).replace("%3", when))
        else:
            self.consequence.setText("")

    def _check_and_submit(self) -> None:
        try:
            amount = parse_money(self.amount_edit.text(), field="amount")
            if amount <= 0:
                raise ValidationError(self.tr("An award must be more than £0."), "amount")
            day = parse_uk_date(self.date_edit.text(), field="date") or date.today()
        except ValidationError as exc:
            self.show_refusal(str(exc), exc.field)
            return
        self.error.hide()
        self.amount_pence, self.awarded_on = amount, day
        self.award_button.setEnabled(False)  # until the service answers
        self.submitted.emit(amount, day, self.purpose(), self.reason())

    def show_refusal(self, text: str, field: str | None = None) -> None:
        """The service's (or the form's) refusal, beside the field it is about; nothing was awarded."""
        self.error.setText(text)
        self.error.show()
        if self.beyond.text() == text:  # the refusal is what the dialog was already saying: say it once
            self.beyond.hide()
        self.award_button.setEnabled(True)
        focus = {"reason": self.reason_edit, "amount": self.amount_edit, "date": self.date_edit}.get(field or "")
        if focus is not None:
            focus.setFocus()

    def finish(self) -> None:
        self.accept()

    def purpose(self) -> str:
        return self.purpose_edit.text().strip()

    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()
