"""Users and roles (File ▸ Users and Roles…, a manager's): who may sign in, and as what; add a person,
disable or enable one, set their password or PIN (``grantdesk.services.users``).

Listing is a ``Query``; each change is one ``Op``, and the services refuse anyone but a manager (the
window says so when someone else opens it, and the services say so again if asked).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.roles import ROLE_LABELS, Role
from ui.operations import Op, Query, refusal_text
from ui.retention_window import RowsModel, table_view
from ui.widgets import action_button


class UsersWindow(QWidget):
    """The users, and a form to add one."""

    listed = Signal()  # the table shows the users
    changed = Signal(object)  # a user was added or changed: its UserView

    def __init__(self, db: Any, runner: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner = db, runner
        self.users: list[Any] = []
        self.setWindowTitle(self.tr("Users and roles"))
        self.setAccessibleName(self.tr("Users and roles"))

        intro = QLabel(self.tr(
            "The people who sign in, and what each may do. Officers do the day-to-day work; managers also "
            "manage people, run the year-end and make the largest awards; elected members and panellists record "
            "their own decisions and scores; viewers only look; a kiosk only takes votes. Until the first user "
            "is added, whoever is logged in to the computer works as a manager."))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)

        self.model = RowsModel([self.tr("User"), self.tr("Name"), self.tr("Role"), self.tr("State"),
                                self.tr("Signs in with")], self)
        self.view = table_view(self.model, self.tr("Users"))
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._enable())

        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("newUsername")
        self.username_edit.setPlaceholderText(self.tr("their computer login, e.g. jsmith"))
        self.display_edit = QLineEdit()
        self.display_edit.setObjectName("newDisplayName")
        self.role_combo = QComboBox()
        self.role_combo.setObjectName("newRole")
        for role in Role:
            self.role_combo.addItem(self.tr(ROLE_LABELS[role]), role.value)
        self.role_combo.setCurrentIndex(self.role_combo.findData(Role.OFFICER.value))
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("newPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("at least 10 characters; needed on a shared server"))
        self.pin_edit = QLineEdit()
        self.pin_edit.setObjectName("newPin")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setPlaceholderText(self.tr("optional: 4 to 8 digits"))
        form = QFormLayout()
        for text, field in ((self.tr("&Username:"), self.username_edit), (self.tr("&Display name:"), self.display_edit),
                            (self.tr("R&ole:"), self.role_combo), (self.tr("Pass&word:"), self.password_edit),
                            (self.tr("P&IN:"), self.pin_edit)):
            label = QLabel(text)
            label.setBuddy(field)
            field.setAccessibleName(text.replace("&", "").rstrip(":"))
            form.addRow(label, field)
        self.add_button = action_button(self.tr("&Add User"), None, self.add, "addUser")
        add_box = QGroupBox(self.tr("Add a person"))
        add_layout = QVBoxLayout(add_box)
        add_layout.addLayout(form)
        add_row = QHBoxLayout()
        add_row.addStretch(1)
        add_row.addWidget(self.add_button)
        add_layout.addLayout(add_row)

        self.notice = QLabel()
        self.notice.setObjectName("usersNotice")
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setAccessibleName(self.tr("Message"))
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.disable_button = action_button(self.tr("D&isable"), None, self.disable, "disableUser")
        self.enable_button = action_button(self.tr("&Enable"), None, self.enable, "enableUser")
        self.close_button = action_button(self.tr("&Close"), None, self.close, "closeUsers")
        buttons = QHBoxLayout()
        buttons.addWidget(self.disable_button)
        buttons.addWidget(self.enable_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        layout.addWidget(add_box)
        layout.addWidget(self.notice)
        self._enable()

    def start(self) -> None:
        self.refresh()
        self.username_edit.setFocus()

        def work(db):
            from grantdesk.services.users import who_is_working

            return who_is_working(db)

        Query(self, work).success(self._check_manager).run()

    def _check_manager(self, identity) -> None:
        if identity is None or identity.role is not Role.MANAGER:
            self.notice.setText(self.tr("Only a manager can add, change or disable users; you can look at the list."))
            for w in (self.add_button, self.disable_button, self.enable_button):
                w.setEnabled(False)
            self._manager = False
        else:
            self._manager = True
            self._enable()

    def show_refusal(self, text: str) -> None:
        self.notice.setText(text)

    def selected(self) -> Any | None:
        rows = self.view.selectionModel().selectedRows()
        return self.users[rows[0].row()] if rows else None

    def _enable(self) -> None:
        chosen = self.selected()
        may = getattr(self, "_manager", True)
        self.disable_button.setEnabled(may and chosen is not None and not chosen.disabled)
        self.enable_button.setEnabled(may and chosen is not None and chosen.disabled)
        self.add_button.setEnabled(may)

    # --- the list -----------------------------------------------------------------------------------
    def refresh(self) -> None:
        def work(db):
            from grantdesk.services.users import list_users

            return list_users(db)

        Query(self, work).success(self._show).run()

    def _show(self, users) -> None:
        self.users = list(users)
        rows = []
        for u in self.users:
            ways = [w for w, has in ((self.tr("password"), u.has_password), (self.tr("PIN"), u.has_pin)) if has]
            rows.append((u.username, u.display_name, self.tr(ROLE_LABELS[Role(u.role)]),
                         self.tr("disabled") if u.disabled else self.tr("active"),
                         ", ".join(ways) or self.tr("computer login")))
        self.model.set_rows(self.users, rows)
        if not self.users:
            self.notice.setText(self.tr("No users yet. Add the first, a manager — usually yourself."))
        self._enable()
        self.listed.emit()

    # --- changes ------------------------------------------------------------------------------------
    def add(self) -> None:
        name, display = self.username_edit.text(), self.display_edit.text()
        role = self.role_combo.currentData()
        password, pin = self.password_edit.text() or None, self.pin_edit.text() or None

        def work(db):
            from grantdesk.services.users import add_user

            return add_user(db, name, role=role, display_name=display, password=password, pin=pin)

        def done(added) -> None:
            for edit in (self.username_edit, self.display_edit, self.password_edit, self.pin_edit):
                edit.clear()
            self.role_combo.setCurrentIndex(self.role_combo.findData(Role.OFFICER.value))
            text = self.tr("Added {user} as {role}.").format(user=added.user.username,
                                                           role=self.tr(added.user.role_label).lower())
            self.notice.setText(text + (" " + added.note if added.note else ""))
            self.changed.emit(added.user)
            self.refresh()

        Op(self, work).success(done).failure(lambda e: self.show_refusal(refusal_text(e))).run()

    def _set_disabled(self, disabled: bool) -> None:
        user = self.selected()
        if user is None:
            return
        name = user.username

        def work(db):
            from grantdesk.services.users import disable_user, enable_user

            return (disable_user if disabled else enable_user)(db, name)

        def done(view) -> None:
            self.notice.setText((self.tr("{user} is disabled: they can no longer sign in.") if disabled else
                                 self.tr("{user} can sign in again.")).format(user=view.username))
            self.changed.emit(view)
            self.refresh()

        Op(self, work).success(done).failure(lambda e: self.show_refusal(refusal_text(e))).run()

    def disable(self) -> None:
        self._set_disabled(True)

    def enable(self) -> None:
        self._set_disabled(False)


def open_users_window(main_window: Any) -> UsersWindow | None:
    """File ▸ Users and Roles…: one window for the open database."""
    from shiboken6 import isValid

    if main_window.db is None:
        main_window.show_notice(main_window.tr("Open a database first."))
        return None
    window = getattr(main_window, "_users_window", None)
    if window is None or not isValid(window):
        window = UsersWindow(main_window.db, main_window.runner, main_window)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.setWindowFlag(Qt.WindowType.Window)
        window.resize(900, 680)
        main_window._users_window = window
        window.start()
    window.show()
    window.raise_()
    window.activateWindow()
    return window
