"""The interface's words from GrantDesk's gettext catalogues (``grantdesk/i18n.py``).

``install_language(app, "cy")`` sets the process's language and installs a ``QTranslator`` that
answers every ``self.tr(...)`` and ``QCoreApplication.translate(...)`` — ours and Qt's own (the
buttons of a message box, a file dialog's labels: Qt ships no Welsh, so our catalogue carries them,
``ui/qt_words.py``) — from the same catalogue as the core's messages. The Qt context is not part of
the message id: one English text is one Welsh text everywhere, unless a ``disambiguation`` is given,
which becomes the gettext context.

The chosen language is remembered (``QSettings`` ``language``) and ``grantdesk --lang cy`` overrides
it for one run; View ▸ Language / Iaith changes it (``ui/main_window.py``).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

from grantdesk.i18n import LANGUAGES, normal_language, set_language, translator

SETTING = "language"


class CatalogueTranslator(QTranslator):
    """A ``QTranslator`` reading a gettext catalogue; a text it does not hold falls through to the source."""

    def __init__(self, language: str, parent=None):
        super().__init__(parent)
        self.language = normal_language(language)
        self._catalogue = translator(self.language)
        self._messages: dict = getattr(self._catalogue, "_catalog", {})

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: D401 (Qt's signature)
        if not source_text:
            return None
        key = f"{disambiguation}\x04{source_text}" if disambiguation else source_text
        found = self._messages.get(key)
        return found or None  # None: Qt goes on to the next translator, then the source text

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's name)
        return not self._messages

    def language_code(self) -> str:
        return self.language


_installed: CatalogueTranslator | None = None


def remembered_language() -> str:
    """The language chosen last time (English if none)."""
    return normal_language(str(QSettings().value(SETTING, "en") or "en"))


def remember_language(language: str) -> None:
    QSettings().setValue(SETTING, normal_language(language))


def install_language(app: QCoreApplication, language: str | None) -> str:
    """Speak ``language`` in this process, core and interface alike; returns the code chosen."""
    global _installed
    code = set_language(language)
    if _installed is not None:
        app.removeTranslator(_installed)
        _installed = None
    if code != "en":
        _installed = CatalogueTranslator(code, app)
        app.installTranslator(_installed)
    QLocale.setDefault(QLocale(QLocale.Language.Welsh if code == "cy" else QLocale.Language.English,
                               QLocale.Country.UnitedKingdom))
    return code


def language_names() -> dict[str, str]:
    return dict(LANGUAGES)
