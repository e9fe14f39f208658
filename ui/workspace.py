"""What an officer does to applications from the main window: new, edit, move through the workflow,
assess eligibility, override a rule, open a document. Each action asks what it must (a reason, an
amount), runs its service on the worker thread, then refreshes just the one row and the detail."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QDialog, QMenu

from grantdesk.domain.workflow import NEEDS_REASON, Status
from ui.operations import Op, Query, refusal_text

# Each move: the menu text, and what to ask for the written reason (None: no reason needed).
MOVES: tuple[tuple[Status, str, str | None], ...] = (
    (Status.SUBMITTED, "&Submit", None),
    (Status.RETURNED, "&Return for Changes…", "What needs to change? The applicant will read this."),
    (Status.ELIGIBLE, "Mark &Eligible", "Why is this eligible despite the earlier decision?"),
    (Status.INELIGIBLE, "Mark &Ineligible…", "Why is it not eligible? The applicant will read this."),
    (Status.SHORTLISTED, "S&hortlist", None),
    (Status.AWARDED, "&Award…", None),
    (Status.DECLINED, "&Decline…", "Why is it declined? Give a reason that can be defended publicly."),
    (Status.DEFERRED, "De&fer…", "What should the applicant do to be considered again?"),
    (Status.WITHDRAWN, "&Withdraw…", "Why is it withdrawn?"),
)


class ApplicationActions(QObject):
    """Owns the Application menu's actions and carries them out for the main window."""

    changed = Signal(int)  # an application was created, edited or moved: its id
    failed = Signal(str)
    editor_opened = Signal(object)  # the ApplicationEditor, for tests and the window list

    def __init__(self, window: Any):
        super().__init__(window)
        self.window = window
        self.editors: dict[int | None, Any] = {}
        self.new_action = self._action("&New Application…", QKeySequence.StandardKey.New, self.new_application)
        self.edit_action = self._action("&Edit Application…", QKeySequence("Ctrl+E"), self.edit_application)
        self.assess_action = self._action("Assess E&ligibility", QKeySequence("Ctrl+L"), self.assess)
        self.move_actions: dict[Status, QAction] = {}
        for status, text, _prompt in MOVES:
            self.move_actions[status] = self._action(text, None, lambda _checked=False, s=status: self.move(s))
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
        menu.addSeparator()
        menu.addAction(self.assess_action)
        for status, _text, _prompt in MOVES:
            menu.addAction(self.move_actions[status])

    def update_enabled(self, detail: Any) -> None:
        has_fund = self.window.current_fund_code() is not None
        self.new_action.setEnabled(has_fund and self.window.db is not None)
        self.edit_action.setEnabled(detail is not None and Status(detail.row.status).is_open)
        allowed = set(detail.allowed_next) if detail is not None else set()
        for status, action in self.move_actions.items():
            action.setEnabled(status.value in allowed)
        self.assess_action.setEnabled(detail is not None and detail.row.status == Status.SUBMITTED)

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
            answer = self.ask_award(row.reference, row.amount_requested_pence)
            if answer is None:
                return
            amount, day, purpose = answer

            def award(db):
                from grantdesk.services.applications import award_application

                award_application(db, row.id, amount, awarded_on=day, purpose=purpose, expected_version=version)
                return row.id

            self._change(award, self.changed.emit)
            return
        reason = ""
        if (current, target) in NEEDS_REASON:
            prompt = next(p for s, _t, p in MOVES if s is target)
            prefill = ""
            if target is Status.INELIGIBLE and detail.eligibility is not None and detail.eligibility.failures:
                prefill = " ".join(r.reason for r in detail.eligibility.failures)
            reason = self.ask_reason(f"{row.reference}: {target.label}", prompt or "Why?", prefill)
            if reason is None:
                return

        def work(db):
            from grantdesk.services.applications import transition_application

            transition_application(db, row.id, target, reason=reason, expected_version=version)
            return row.id

        self._change(work, self.changed.emit)

    def ask_award(self, reference: str, requested_pence: int):
        """(amount in pence, date, purpose) for an award, or None if cancelled (tests replace this)."""
        from ui.dialogs import AwardDialog

        dialog = AwardDialog(reference, requested_pence, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.amount_pence, dialog.awarded_on, dialog.purpose()

    def ask_reason(self, title: str, prompt: str, prefill: str = "") -> str | None:
        """The written reason for a decision, or None if the officer cancelled (tests replace this)."""
        from ui.dialogs import ReasonDialog

        dialog = ReasonDialog(title, prompt, self.window, text=prefill)
        return dialog.reason() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def assess(self) -> None:
        detail = self.window.current_detail
        if detail is None or self.db is None:
            return
        app_id = detail.row.id

        def work(db):
            from grantdesk.services.eligibility import assess

            assess(db, app_id)
            return app_id

        self._change(work, self.changed.emit)

    def override(self, rule: str) -> None:
        from grantdesk.domain.eligibility import RULES, Outcome

        detail = self.window.current_detail
        if detail is None or self.db is None or rule not in RULES:
            return
        failed = next((r for r in detail.eligibility.results if r.rule == rule), None)
        if failed is None or failed.outcome is not Outcome.FAIL:
            return
        reason = self.ask_reason(
            f"Override: {RULES[rule]}",
            f"{failed.reason}\n\nWhy should this rule not stop {detail.row.reference}? "
            "Your reason is kept in the audit log.",
        )
        if reason is None:
            return
        app_id = detail.row.id

        def work(db):
            from grantdesk.services.eligibility import override_rule

            override_rule(db, app_id, rule, reason)
            return app_id

        self._change(work, self.changed.emit)

    def open_attachment(self, attachment_id: int) -> None:
        def work(db):
            from grantdesk.services.attachments import read_attachment

            info, data = read_attachment(db, attachment_id)
            target = Path(tempfile.mkdtemp(prefix="grantdesk-")) / info.filename
            target.write_bytes(data)
            return target

        self._read(work, lambda target: QDesktopServices.openUrl(QUrl.fromLocalFile(str(target))))
