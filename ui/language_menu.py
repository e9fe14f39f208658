"""View ▸ Language / Iaith: English or Cymraeg, remembered between runs.

The menu's own title is in both languages and each language is named in itself, so whoever opens it
finds their own whatever the window speaks. The choice is remembered (``ui/i18n.py``) and takes effect
when GrantDesk next opens; the officer is offered to reopen it now (same database, same fund).
"""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import QCoreApplication, QProcess
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QMessageBox

from grantdesk.i18n import LANGUAGES, N_, current_language, in_language
from ui.i18n import remember_language

MENU_TITLE = "Language / &Iaith"  # the same in every language, on purpose


class LanguageMenu(QMenu):
    def __init__(self, window: Any):
        super().__init__(MENU_TITLE, window)
        self.window = window
        self.setObjectName("languageMenu")
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for code, name in LANGUAGES.items():
            action = QAction(name, self)
            action.setCheckable(True)
            action.setChecked(code == current_language())
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.choose(c))
            self.group.addAction(action)
            self.addAction(action)
            self.language_actions[code] = action

    def choose(self, code: str) -> None:
        if code == current_language():
            return
        remember_language(code)
        self.ask_restart(code)

    def ask_restart(self, code: str) -> QMessageBox:
        """Say, in the chosen language, that GrantDesk speaks it from its next start, and offer to reopen now."""
        name = LANGUAGES[code]
        box = QMessageBox(QMessageBox.Icon.Information, name,
                          in_language(code, N_("GrantDesk will be in {language} the next time it opens. "
                                               "Reopen it now? Nothing you have saved is lost.")).format(language=name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self.window)
        box.setObjectName("languageRestart")
        box.button(QMessageBox.StandardButton.Yes).setText(in_language(code, N_("&Reopen Now")))
        box.button(QMessageBox.StandardButton.No).setText(in_language(code, N_("&Later")))
        box.accepted.connect(self.restart)
        box.open()
        return box

    def restart(self) -> None:
        """Start GrantDesk again with the same arguments, then close this window."""
        QProcess.startDetached(sys.executable, [*sys.orig_argv[1:]] if hasattr(sys, "orig_argv") else sys.argv)
        self.window.close()
        QCoreApplication.quit()

