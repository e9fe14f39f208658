"""What an officer does to applications from the main window: new, edit, move through the workflow,
assess eligibility, override a rule, open a document. Each action asks what it must (a reason, an
amount), runs its service on the worker thread, then refreshes just the one row and the detail.

A decision asks first, showing its consequence: Assess Eligibility shows every rule's result and asks
before the status changes; Award shows the request, the fund's maximum and the round's budget, and
wants a reason to go beyond them (in a member fund it opens the member decision, where awards are
made). Both dialogs stay open, with the service's refusal in them, until the change is made."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu, QMessageBox
from shiboken6 import isValid

from grantdesk.domain.workflow import NEEDS_REASON, Status
from grantdesk.i18n import N_
from grantdesk.i18n import _ as core_text  # the core's labels (statuses, rules), translated
from ui.operations import Op, Query, refusal_text

# Each move: the menu text, and what to ask for the written reason (None: no reason needed).
MOVES: tuple[tuple[Status, str, str | None], ...] = (
    (Status.SUBMITTED, N_("&Submit"), None),
    (Status.RETURNED, N_("&Return for Changes…"), N_("What needs to change? The applicant will read this.")),
    (Status.ELIGIBLE, N_("Mark &Eligible"), N_("Why is this eligible despite the earlier decision?")),
    (Status.INELIGIBLE, N_("Mark &Ineligible…"), N_("Why is it not eligible? The applicant will read this.")),
    (Status.SHORTLISTED, N_("S&hortlist"), None),
    (Status.AWARDED, N_("&Award…"), None),
    (Status.DECLINED, N_("&Decline…"), N_("Why is it declined? Give a reason that can be defended publicly.")),
    (Status.DEFERRED, N_("De&fer…"), N_("What should the applicant do to be considered again?")),
    (Status.WITHDRAWN, N_("&Withdraw…"), N_("Why is it withdrawn?")),
)


# The moves whose reason the applicant reads in a letter: asked in Welsh as well where Welsh is wanted.
APPLICANT_READS = frozenset({Status.RETURNED, Status.INELIGIBLE, Status.DECLINED, Status.DEFERRED})


# The question asked before a move that needs no written reason (%1: the reference), and its Yes button.
MOVE_QUESTIONS = {Status.SUBMITTED: N_("Submit %1?"), Status.ELIGIBLE: N_("Mark %1 as eligible?"),
                  Status.SHORTLISTED: N_("Shortlist %1?")}
MOVE_BUTTONS = {Status.SUBMITTED: N_("&Submit"), Status.ELIGIBLE: N_("Mark as &Eligible"),
                Status.SHORTLISTED: N_("S&hortlist")}


class ApplicationActions(QObject):
    """Owns the Application menu's actions and carries them out for the main window."""

    changed = Signal(int)  # an application was created, edited or moved: its id
    failed = Signal(str)
    editor_opened = Signal(object)  # the ApplicationEditor, for tests and the window list
    dialog_opened = Signal(object)  # an assessment or award dialog, open and waiting for the officer

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.editors: dict[int | None, Any] = {}
        self.assessment_dialog: Any = None
        self.award_dialog: Any = None
        self.new_action = self._action(self.tr("&New Application…"), QKeySequence.StandardKey.New, self.new_application)
        self.edit_action = self._action(self.tr("&Edit Application…"), QKeySequence("Ctrl+E"), self.edit_application)
        self.assess_action = self._action(self.tr("Assess E&ligibility"), QKeySequence("Ctrl+L"), self.assess)
        self.welsh_action = self._action(self.tr("Welsh &Wording…"), None, self.welsh_wording)
        self.welsh_action.setStatusTip(self.tr("The title, summary, reason, purpose and conditions typed for the "
                                               "applicant, in Welsh beside the English, for Welsh letters"))
        self.move_actions: dict[Status, QAction] = {}
        for status, text, _prompt in MOVES:
            self.move_actions[status] = self._action(self.tr(text), None, lambda _checked=False, s=status: self.move(s))
        self.update_enabled(None)

    def _action(self, text: str, shortcut, slot: Callable[[], Any]) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.window.addAction(action)
        return action

    def fill_menu(self, menu: QMenu) -> None:
        menu.addAction(self.new_action)
        menu.addAction(self.edit_action)
        menu.addAction(self.welsh_action)
        menu.addSeparator()
        menu.addAction(self.assess_action)
        for status, _text, _prompt in MOVES:
            menu.addAction(self.move_actions[status])

    def update_enabled(self, detail: Any) -> None:
        has_fund = self.window.current_fund_code() is not None
        self.new_action.setEnabled(has_fund and self.window.db is not None)
        self.edit_action.setEnabled(detail is not None and Status(detail.row.status).is_open)
        self.welsh_action.setEnabled(detail is not None)
        allowed = set(detail.allowed_next) if detail is not None else set()
        for status, action in self.move_actions.items():
            action.setEnabled(status.value in allowed)
        self.assess_action.setEnabled(detail is not None and detail.row.status == Status.SUBMITTED)
        fund = self.window._fund_for(detail.row.fund) if detail is not None else None
        award = self.move_actions[Status.AWARDED]
        if fund is not None and fund.decision_model == "member":  # awards are made by the members' decisions
            award.setText(self.tr("&Award through Member Decision…"))
            award.setStatusTip(self.tr("In a member fund the councillors' decisions, approved by an officer, make "
                                       "the award, so every pot and the members' report include it"))
        else:
            award.setText(self.tr("&Award…"))
            award.setStatusTip(self.tr("Award the selected application: the amount, beside what it asked for, the "
                                       "fund's maximum and the round's budget"))
        award.setIconText(self.tr("Award"))  # the toolbar's word, whichever way the award is made

    # --- running work ---------------------------------------------------------------------------
    @property
    def db(self) -> Any:
        return self.window.db

    @property
    def runner(self) -> Any:
        return self.window.runner

    def _change(self, work: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        """A user action: one service call in one transaction (its change is broadcast)."""
        Op(self, work).success(done).failure(self._failed).run()

    def _read(self, work: Callable[[Any], Any], done: Callable[[Any], None]) -> None:
        Query(self, work).success(done).failure(self._failed).run()

    def _read_selected(self, read: Callable[[Any, int], Any], done: Callable[[Any], None]) -> None:
        """Read ``read(db, id)`` about the selected application in the background, then ``done(it)``
        (the reading before a decision's dialog: what is asked is shown first)."""
        detail = self.window.current_detail
        if detail is None or self.db is None:
            return
        app_id = detail.row.id
        self._read(lambda db: read(db, app_id), done)

    def _failed(self, error: BaseException) -> None:
        message = refusal_text(error)
        self.window.show_notice(message)
        self.failed.emit(message)

    # --- new and edit -------------------------------------------------------------------------------
    def new_application(self) -> None:
        code = self.window.current_fund_code()
        if code is None or self.db is None:
            return

        def work(db):
            from grantdesk.services.editing import fund_context

            return fund_context(db, code)

        self._read(work, lambda context: self._open_editor(context, None))

    def edit_application(self) -> None:
        detail = self.window.current_detail
        if detail is None or self.db is None:
            return
        app_id = detail.row.id
        if app_id in self.editors:
            self.editors[app_id].raise_()
            self.editors[app_id].activateWindow()
            return
        code = detail.row.fund

        def work(db):
            from grantdesk.services.editing import editable_application, fund_context

            return fund_context(db, code), editable_application(db, app_id)

        self._read(work, lambda result: self._open_editor(*result))

    def _open_editor(self, context: Any, editable: Any) -> None:
        from ui.editor import ApplicationEditor

        editor = ApplicationEditor(self.window.db, self.window.runner, context, editable=editable, parent=self.window)
        key = editable.id if editable else None
        self.editors[key] = editor
        editor.saved.connect(self._editor_saved)
        editor.destroyed.connect(lambda _obj=None, e=editor: self._forget(e))
        editor.show()
        self.editor_opened.emit(editor)

    def _editor_saved(self, app_id: int) -> None:
        """A new application's editor is known by its id once saved (the list hears of the save
        itself from the broadcast, as every other window does)."""
        editor = self.sender()
        for key, value in list(self.editors.items()):
            if value is editor and key != app_id:
                del self.editors[key]
                self.editors[app_id] = editor

    def _forget(self, editor: Any) -> None:
        for key, value in list(self.editors.items()):
            if value is editor:
                del self.editors[key]

    # --- the workflow -------------------------------------------------------------------------------
    def move(self, target: Status) -> None:
        detail = self.window.current_detail
        if detail is None or self.db is None:
            return
        row, version = detail.row, detail.version
        current = Status(row.status)
        if target is Status.AWARDED:
            self.ask_award()
            return
        if (current, target) in NEEDS_REASON:
            prompt = next(p for s, _t, p in MOVES if s is target)
            prefill = ""
            if target is Status.INELIGIBLE and detail.eligibility is not None and detail.eligibility.failures:
                prefill = " ".join(r.reason for r in detail.eligibility.failures)
            elif target is Status.ELIGIBLE and detail.eligibility is not None and detail.eligibility.eligible:
                prefill = detail.eligibility.summary()  # the overrides that make it eligible after all
            title = self.tr("{0}: {1}").format(row.reference, core_text(target.label))
            question = self.tr(prompt) if prompt else self.tr("Why?")

            def ask(welsh: bool) -> None:  # in Welsh as well when the applicant reads Welsh or the fund is bilingual
                if welsh and target in APPLICANT_READS:
                    given = self.ask_reason_in_both(title, question, prefill)
                    if given is not None:
                        self._move(row.id, target, version, *given)
                else:
                    reason = self.ask_reason(title, question, prefill)
                    if reason is not None:
                        self._move(row.id, target, version, reason, "")

            def read(db):
                from grantdesk.services.welsh_texts import welsh_wanted

                return welsh_wanted(db, row.id)

            self._read(read, ask)
            return
        self.ask_move(row.reference, current, target, lambda: self._move(row.id, target, version, "", ""))

    def _move(self, app_id: int, target: Status, version: int, reason: str, reason_cy: str) -> None:
        def work(db):
            from grantdesk.services.applications import transition_application

            transition_application(db, app_id, target, reason=reason, reason_cy=reason_cy, expected_version=version)
            return app_id

        self._change(work, self.changed.emit)  # asked already: the reason dialog or the question

    def ask_move(self, reference: str, current: Status, target: Status, then: Callable[[], Any]) -> QMessageBox:
        """A move that needs no written reason still changes the applicant's status: say what it does
        and ask first (``then`` runs on Yes; Cancel changes nothing)."""
        after = {
            Status.SUBMITTED: self.tr(" It is then ready to be assessed against the fund's rules."),
            Status.ELIGIBLE: self.tr(" It then goes forward for a decision."),
            Status.SHORTLISTED: self.tr(" It is then ready for a decision: an award, a decline or a deferral."),
        }.get(target, "")
        question = (self.tr(MOVE_QUESTIONS[target]) if target in MOVE_QUESTIONS else self.tr("Move %1 on?")).replace("%1", reference)
        text = question + " " + self.tr("Its status changes from %1 to %2.").replace("%1", core_text(current.label)) \
            .replace("%2", core_text(target.label)) + after
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("{0}: {1}").format(reference, core_text(target.label)),
                          text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self.window)
        box.setObjectName("moveConfirm")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr(MOVE_BUTTONS[target]) if target in MOVE_BUTTONS
                                                            else self.tr("&Yes"))
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(then)
        self.dialog_opened.emit(box)
        box.open()
        return box

    # --- awarding: asked first, with the request, the fund's maximum and the round's budget beside it ------
    def ask_award(self) -> None:
        """Read what an award to the selected application is checked against, then ask (``AwardDialog``);
        in a member fund, open the member decision instead: its awards are made there."""
        def read(db, app_id):
            from grantdesk.services.applications import award_context

            return award_context(db, app_id)

        self._read_selected(read, self._open_award)

    def _open_award(self, context: Any) -> None:
        if context.member_fund:
            from grantdesk.domain.problems import problem, words

            self.window.show_notice(words(problem("award.member_fund", reference=context.reference,
                                                  fund=context.fund_name)))
            self.window.open_member_decision()
            return
        from ui.dialogs import AwardDialog

        dialog = AwardDialog(context, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda amount, day, purpose, reason: self._award(dialog, amount, day, purpose, reason))
        self.award_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "award_dialog", None))
        self.dialog_opened.emit(dialog)
        dialog.open()

    def _award(self, dialog: Any, amount: int, day: Any, purpose: str, reason: str) -> None:
        context = dialog.context

        def award(db):
            from grantdesk.services.applications import award_application

            award_application(db, context.application_id, amount, awarded_on=day, purpose=purpose, reason=reason,
                              expected_version=context.version)
            return context.application_id

        def done(app_id: int) -> None:
            if isValid(dialog):  # (closed while the change was being made: it is made all the same)
                dialog.finish()
            self.changed.emit(app_id)

        def refused(error: BaseException) -> None:
            if not isValid(dialog):  # closed meanwhile: the window's notice line says it
                self._failed(error)
                return
            dialog.show_refusal(refusal_text(error), getattr(error, "field", None))
            self.failed.emit(refusal_text(error))

        Op(self, award).success(done).failure(refused).run()

    def ask_reason(self, title: str, prompt: str, prefill: str = "") -> str | None:
        """The written reason for a decision, or None if the officer cancelled (tests replace this)."""
        from ui.dialogs import ReasonDialog

        dialog = ReasonDialog(title, prompt, self.window, text=prefill)
        return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def ask_reason_in_both(self, title: str, prompt: str, prefill: str = "") -> tuple[str, str] | None:
        """The reason in English and in Welsh (the Welsh may be left for later: the Welsh letter then waits
        for it), or None if the officer cancelled (tests replace this)."""
        from ui.dialogs import ReasonDialog

        dialog = ReasonDialog(title, prompt, self.window, text=prefill, welsh=True)
        return (dialog.reason(), dialog.reason_cy()) if dialog.exec() == QDialog.DialogCode.Accepted else None

    # --- Welsh wording: what was typed for the applicant, in Welsh beside the English ---------------
    def welsh_wording(self) -> None:
        def read(db, app_id):
            from grantdesk.services.welsh_texts import welsh_texts

            return welsh_texts(db, app_id)

        self._read_selected(read, self._open_welsh_wording)

    def _open_welsh_wording(self, texts: Any) -> None:
        from ui.welsh_wording import WelshWordingDialog

        dialog = WelshWordingDialog(texts, self.db, self.runner, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self.changed.emit)
        self.dialog_opened.emit(dialog)
        dialog.open()

    # --- assessing eligibility: the rules' result first, then the question --------------------------
    def assess(self) -> None:
        """Show what the fund's rules decide (``AssessmentDialog``) and change the status only when the
        officer confirms it; Cancel changes nothing."""
        def read(db, app_id):
            from grantdesk.services.eligibility import assessment

            return assessment(db, app_id)

        self._read_selected(read, self._open_assessment)

    def _open_assessment(self, shown: Any) -> None:
        from ui.dialogs import AssessmentDialog

        dialog = AssessmentDialog(shown, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.confirmed.connect(lambda outcome, reason: self._assess(dialog, outcome, reason))
        self.assessment_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "assessment_dialog", None))
        self.dialog_opened.emit(dialog)
        dialog.open()

    def _assess(self, dialog: Any, outcome: Status, reason: str) -> None:
        shown = dialog.shown

        def work(db):
            from grantdesk.services.eligibility import assess

            assess(db, shown.application_id, outcome, reason=reason, expected_version=shown.version)
            return shown.application_id

        def done(app_id: int) -> None:
            if isValid(dialog):  # (closed while the change was being made: it is made all the same)
                dialog.finish()
            self.changed.emit(app_id)

        def refused(error: BaseException) -> None:
            if not isValid(dialog):  # closed meanwhile: the window's notice line says it
                self._failed(error)
                return
            dialog.show_refusal(refusal_text(error))
            self.failed.emit(refusal_text(error))

        Op(self, work).success(done).failure(refused).run()

    def override(self, rule: str) -> None:
        from grantdesk.domain.eligibility import RULES, Outcome

        detail = self.window.current_detail
        if detail is None or self.db is None or rule not in RULES:
            return
        failed = next((r for r in detail.eligibility.results if r.rule == rule), None)
        if failed is None or failed.outcome is not Outcome.FAIL:
            return
        reason = self.ask_reason(
            self.tr("Override: {0}").format(core_text(RULES[rule])),
            self.tr("{reason}\n\nWhy should this rule not stop {reference}? Your reason is kept in the audit log.")
            .format(reason=failed.reason, reference=detail.row.reference),
        )
        if reason is None:
            return
        app_id = detail.row.id

        was_ineligible = detail.row.status == Status.INELIGIBLE

        def work(db):
            from grantdesk.services.eligibility import override_rule

            return override_rule(db, app_id, rule, reason)

        def done(report: Any) -> None:
            self.changed.emit(app_id)  # (which clears the window's notice line)
            if was_ineligible and report.eligible:
                self.window.show_notice(self.tr("%1 now meets the fund's rules with your override. It is still "
                                                "ineligible: use Application ▸ Mark Eligible to change that.")
                                        .replace("%1", detail.row.reference))

        self._change(work, done)

    def open_attachment(self, attachment_id: int) -> None:
        """A private copy, removed on exit; a type that can run code is offered for saving instead."""
        from ui.attachment_open import open_attachment

        open_attachment(self, attachment_id, failure=self._failed)
