"""Signing in, when the database asks for it (``grantdesk.services.users.sign_in_need``): on a SQLite
file, the computer's login signs in by itself, asked for their PIN if they set one; on PostgreSQL each
person signs in with their name and password. A login that is not one of the database's users may
look but not change anything, and is told so.

``require_sign_in(window)`` runs once for each database the main window opens (ui/app.py connects it
to the window's ``ready``); the person signed in is shown in the status bar.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ui.operations import Query, refusal_text


class SignInDialog(QDialog):
    """Name and password (PostgreSQL), or the PIN of the person logged in to the computer (SQLite)."""

    signed_in = Signal(object)  # the Identity

    def __init__(self, db: Any, runner: Any, *, pin_for: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner = db, runner
        self.pin_for = pin_for
        self.setObjectName("signInDialog")
        self.setWindowTitle(self.tr("Sign in to GrantDesk"))
        self.setAccessibleName(self.tr("Sign in to GrantDesk"))
        self.setModal(True)

        intro = QLabel(self.tr("Enter your PIN, {name}.").format(name=pin_for) if pin_for else
                       self.tr("This database is shared by a team: sign in with your name and password. Every "
                               "change you make is recorded under your name."))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)

        self.name_edit = QLineEdit(pin_for)
        self.name_edit.setObjectName("signInName")
        self.name_edit.setAccessibleName(self.tr("Name"))
        self.secret_edit = QLineEdit()
        self.secret_edit.setObjectName("signInSecret")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setAccessibleName(self.tr("PIN") if pin_for else self.tr("Password"))
        form = QFormLayout()
        if not pin_for:
            form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&PIN:") if pin_for else self.tr("&Password:"), self.secret_edit)
        for label, field in ((form.labelForField(self.name_edit), self.name_edit),
                             (form.labelForField(self.secret_edit), self.secret_edit)):
            if isinstance(label, QLabel):
                label.setBuddy(field)

        self.message = QLabel()
        self.message.setObjectName("signInMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setAccessibleName(self.tr("Message"))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("&Sign In"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("&Look Only"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            self.tr("Carry on without signing in: you can look, but not change anything"))
        self.buttons.accepted.connect(self.try_sign_in)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        (self.secret_edit if pin_for else self.name_edit).setFocus()

    def try_sign_in(self) -> None:
        name, secret = self.name_edit.text().strip(), self.secret_edit.text()
        if not name or not secret:
            self.message.setText(self.tr("Enter your PIN.") if self.pin_for else
                                 self.tr("Enter your name and password."))
            return
        self.buttons.setEnabled(False)

        def work(db):
            from grantdesk.services.users import sign_in

            return sign_in(db, name, secret)

        def refused(error: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.secret_edit.clear()
            self.secret_edit.setFocus()
            self.message.setText(refusal_text(error))

        Query(self, work).success(self._done).failure(refused).run()

    def _done(self, identity) -> None:
        self.buttons.setEnabled(True)
        self.signed_in.emit(identity)
        self.accept()


def describe(window: QWidget, identity) -> str:
    from grantdesk.domain.roles import ROLE_LABELS

    return window.tr("Signed in as {name} ({role})").format(
        name=identity.name, role=window.tr(ROLE_LABELS[identity.role]).lower())


def require_sign_in(window: Any) -> None:
    """Ask the open database what it needs; sign in by the computer's login, or ask for a PIN or a
    password; say so in the status bar. Once for each database the window opens."""
    db = getattr(window, "db", None)
    if db is None or getattr(window, "_sign_in_checked", None) is db:
        return
    window._sign_in_checked = db

    def work(db):
        from grantdesk.services.users import sign_in_need

        return sign_in_need(db)

    def answered(need) -> None:
        from grantdesk.services.users import Need

        if need.need is Need.NOTHING:
            if need.identity is not None and not need.identity.unmanaged:
                window.statusBar().showMessage(describe(window, need.identity), 10000)
            return
        if need.need is Need.REFUSED:
            window.statusBar().showMessage(window.tr("Not signed in: {reason}").format(reason=need.message))
            return
        dialog = SignInDialog(window.db, window.runner, pin_for=need.username if need.need is Need.PIN else "",
                              parent=window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.signed_in.connect(lambda who: window.statusBar().showMessage(describe(window, who), 10000))
        dialog.rejected.connect(lambda: window.statusBar().showMessage(
            window.tr("Not signed in: you can look, but not change anything.")))
        window._sign_in_dialog = dialog
        dialog.open()

    Query(window, work).success(answered).run()
