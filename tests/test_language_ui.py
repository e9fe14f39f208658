"""Choosing the language: View ▸ Language / Iaith, ``grantdesk --lang cy``, remembered between runs; the
interface's words and Qt's own buttons come from the Welsh catalogue (issue 20, item 1)."""

import pytest
from helpers import opened_window
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from grantdesk import i18n
from ui import i18n as ui_i18n
from ui.app import parse_args


@pytest.fixture
def welsh(qapp):
    """The interface in Welsh for one test, English again after it."""
    ui_i18n.install_language(qapp, "cy")
    yield
    ui_i18n.install_language(qapp, "en")


@pytest.fixture
def own_settings(tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    yield tmp_path
    QSettings.setDefaultFormat(QSettings.Format.NativeFormat)


def test_the_language_is_remembered_between_runs(qapp, own_settings):
    assert ui_i18n.remembered_language() == "en"
    ui_i18n.remember_language("cy_GB")
    assert ui_i18n.remembered_language() == "cy"
    assert parse_args(["--lang", "cy"]).lang == "cy"
    with pytest.raises(SystemExit):
        parse_args(["--lang", "fr"])


def test_in_welsh_the_interface_and_qts_own_buttons_speak_welsh(qapp, welsh):
    assert i18n.current_language() == "cy" and i18n.locale_name() == "cy_GB"
    assert QCoreApplication.translate("Anything", "Cancel") == "Canslo"
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    assert {b.text() for b in buttons.buttons()} == {"Cadw", "Canslo"}
    assert i18n._("Cancel") == "Canslo"  # the core reads the same catalogue
    buttons.deleteLater()


def test_english_is_the_text_as_written(qapp):
    ui_i18n.install_language(qapp, "en")
    assert QCoreApplication.translate("Anything", "Cancel") == "Cancel"
    assert i18n.in_language("cy", "Cancel") == "Canslo"  # one language's words whatever the process speaks


def test_view_language_offers_both_named_in_themselves_and_remembers_the_choice(qtbot, sample_path, monkeypatch):
    chosen, restarted = [], []
    monkeypatch.setattr("ui.language_menu.remember_language", chosen.append)
    window = opened_window(qtbot, sample_path, "PHP")
    menu = window.language_menu
    assert menu.title() == "Language / &Iaith"
    assert [a.text() for a in menu.actions()] == ["English", "Cymraeg"]
    assert menu.language_actions["en"].isChecked()
    monkeypatch.setattr(menu, "restart", lambda: restarted.append(True))
    box = menu.ask_restart("cy")  # what choosing Cymraeg asks, in Welsh
    assert "Cymraeg" in box.text() and "GrantDesk" in box.text() and "next time" not in box.text()
    box.reject()
    menu.language_actions["cy"].trigger()
    assert chosen == ["cy"]
    boxes = [w for w in QApplication.topLevelWidgets() if w.objectName() == "languageRestart" and w.isVisible()]
    assert boxes
    boxes[-1].accept()
    assert restarted == [True]
