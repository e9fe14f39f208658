"""One translation system for the whole of GrantDesk: gettext catalogues, kept and compiled with babel.

The English text is the message id. The catalogue of each language lives in
``resources/locale/<lang>/LC_MESSAGES/grantdesk.po`` (what translators edit, with their comments) and is
shipped compiled beside it (``grantdesk.mo``, made by ``python -m grantdesk.catalogue compile``; a test
fails while the two differ). The interface reads the same catalogue: ``ui/i18n.py`` installs a
``QTranslator`` that answers every ``self.tr(...)`` / ``QCoreApplication.translate(...)`` from it, so
the core's messages and the windows' words are translated once, in one place.

- ``set_language("cy")`` chooses the language of this process (the app does it at start, from
  ``--lang`` or the remembered choice; the command line from ``GRANTDESK_LANG``);
- ``_``, ``ngettext`` and ``pgettext`` translate into it; ``N_`` only marks a text for the catalogue
  (a constant translated where it is shown);
- ``translator("cy")`` gives one language's catalogue whatever the process speaks — for what is
  printed in two languages at once (a bilingual code card, Welsh first).

No Qt here: ``grantdesk`` never imports it.
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "grantdesk"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "resources" / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}
"""The languages GrantDesk speaks, each named in itself (as a language menu lists them)."""
DEFAULT_LANGUAGE = "en"


def _locale_dir() -> Path:
    if LOCALE_DIR.is_dir():
        return LOCALE_DIR
    # Installed: resources ship inside the package as grantdesk.resources.
    return Path(__file__).resolve().parent / "resources" / "locale"


def normal_language(code: str | None) -> str:
    """``"cy"`` for ``cy``, ``cy_GB``, ``cy-GB`` or ``CY``; English for anything GrantDesk does not speak."""
    base = (code or "").strip().replace("-", "_").split("_")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def translator(language: str) -> _gettext.NullTranslations:
    """The catalogue of ``language`` (English: the texts as written)."""
    language = normal_language(language)
    if language == DEFAULT_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, str(_locale_dir()), languages=[language], fallback=True)


_current = DEFAULT_LANGUAGE


def set_language(code: str | None) -> str:
    """Speak ``code`` from now on in this process; returns the language chosen (``en`` or ``cy``)."""
    global _current
    _current = normal_language(code)
    return _current


def current_language() -> str:
    return _current


def locale_name(language: str | None = None) -> str:
    """The babel locale for dates and money in ``language`` (default: the current one)."""
    return {"cy": "cy_GB"}.get(normal_language(language or _current), "en_GB")


def _(message: str) -> str:
    """``message`` in the current language."""
    return translator(_current).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form for ``n`` (Welsh has six) in the current language; format ``{n}`` yourself."""
    return translator(_current).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` as it is meant in ``context`` (the same English, two Welsh words)."""
    return translator(_current).pgettext(context, message)


def in_language(language: str, message: str) -> str:
    """``message`` in ``language`` whatever the process speaks (bilingual documents)."""
    return translator(language).gettext(message) if message else message


def N_(message: str) -> str:  # noqa: N802 (gettext's own name)
    """Mark ``message`` for the catalogue without translating it here."""
    return message


def has_message(language: str, message: str) -> bool:
    """Whether ``language``'s catalogue holds a translation of ``message``."""
    catalogue = translator(language)
    return bool(getattr(catalogue, "_catalog", {}).get(message))
