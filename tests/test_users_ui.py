"""The Users and Roles window (a manager's) and the sign-in dialog, driven as a person would."""

from helpers import build_fund, opened_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from grantdesk.services import users
from ui.sign_in import SignInDialog, require_sign_in
from ui.users_window import UsersWindow

TIMEOUT = 20_000


def _window(qtbot, db, runner):
    window = UsersWindow(db, runner)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    with qtbot.waitSignal(window.listed, timeout=TIMEOUT):
        window.start()
    return window


def test_a_manager_adds_the_first_user_then_an_officer_and_disables_them(qtbot, db, runner, tmp_path):
    window = _window(qtbot, db, runner)
    assert window.model.rowCount() == 0 and "No users yet" in window.notice.text()
    qtbot.keyClicks(window.username_edit, "Test Officer")
    qtbot.keyClicks(window.display_edit, "Tess Officer")
    window.role_combo.setCurrentIndex(window.role_combo.findData("manager"))
    with qtbot.waitSignal(window.listed, timeout=TIMEOUT):
        qtbot.mouseClick(window.add_button, Qt.MouseButton.LeftButton)
    assert "Added test officer as manager." in window.notice.text()

    qtbot.keyClicks(window.username_edit, "olu")
    qtbot.keyClicks(window.password_edit, "short")
    qtbot.mouseClick(window.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "at least 10 characters" in window.notice.text(), timeout=TIMEOUT)
    window.password_edit.clear()
    qtbot.keyClicks(window.password_edit, "officer-password")
    with qtbot.waitSignal(window.listed, timeout=TIMEOUT):
        qtbot.mouseClick(window.add_button, Qt.MouseButton.LeftButton)
    texts = [[window.model.index(r, c).data() for c in range(5)] for r in range(window.model.rowCount())]
    assert texts == [["olu", "", "Officer", "active", "password"],
                     ["test officer", "Tess Officer", "Manager", "active", "computer login"]]
    window.grab().save(str(tmp_path / "users.png"))

    window.view.selectRow(0)
    assert window.disable_button.isEnabled() and not window.enable_button.isEnabled()
    with qtbot.waitSignal(window.listed, timeout=TIMEOUT):
        qtbot.mouseClick(window.disable_button, Qt.MouseButton.LeftButton)
    assert "olu is disabled" in window.notice.text()
    assert [u.username for u in users.list_users(db) if u.disabled] == ["olu"]
    window.close()


def test_an_officer_sees_the_list_but_cannot_change_it(qtbot, db, runner):
    users.add_user(db, "Test Officer", role="manager")
    users.add_user(db, "olu", role="officer", password="officer-password")
    users.sign_in(db, "olu", "officer-password")
    window = _window(qtbot, db, runner)
    qtbot.waitUntil(lambda: "Only a manager" in window.notice.text(), timeout=TIMEOUT)
    assert not window.add_button.isEnabled() and window.model.rowCount() == 2
    window.close()


def test_the_sign_in_dialog_asks_for_the_logins_pin(qtbot, db, runner):
    users.add_user(db, "Test Officer", role="manager", pin="2468")
    dialog = SignInDialog(db, runner, pin_for="test officer")
    dialog.runner = runner
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.secret_edit.accessibleName() == "PIN"
    qtbot.keyClicks(dialog.secret_edit, "1111")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "do not match" in dialog.message.text(), timeout=TIMEOUT)
    assert dialog.secret_edit.text() == ""
    qtbot.keyClicks(dialog.secret_edit, "2468")
    with qtbot.waitSignal(dialog.signed_in, timeout=TIMEOUT) as signed:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert signed.args[0].username == "test officer"
    assert users.who_is_working(db).username == "test officer"


def test_the_main_window_asks_for_the_pin_and_opens_users_from_the_file_menu(qtbot, db, location):
    build_fund(db, applications_count=1)
    users.add_user(db, "Test Officer", role="manager", pin="2468")
    db.close()
    window = opened_window(qtbot, location.path)
    require_sign_in(window)
    qtbot.waitUntil(lambda: getattr(window, "_sign_in_dialog", None) is not None, timeout=TIMEOUT)
    dialog = window._sign_in_dialog
    qtbot.keyClicks(dialog.secret_edit, "2468")
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Signed in as test officer (manager)" in window.statusBar().currentMessage(),
                    timeout=TIMEOUT)
    assert window.users_action.shortcut().toString() == "Ctrl+Shift+U"
    window.users_action.trigger()
    users_window = window._users_window
    qtbot.waitUntil(lambda: users_window.model.rowCount() == 1, timeout=TIMEOUT)
    users_window.close()
    window.close()
