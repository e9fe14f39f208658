"""What a person sees in a window, and which of it is still English from GrantDesk's own sources.

``visible_texts(widget)`` gathers the words on screen (labels, buttons, titles, tabs, placeholders,
list and table headers, menus and their actions, accessible names); ``english_left(widget)`` returns
those that are an English text of the catalogue (or a sentence built from one: placeholders match any
words) whose Welsh differs — an untranslated string. Data (names, titles typed by people) is not in
the catalogue, so it is never reported.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html import unescape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from grantdesk import catalogue

_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}|%\d|%n")


def _clean(text: str) -> str:
    text = unescape(_TAG.sub(" ", text or ""))
    text = re.sub(r"&(?=\S)", "", text)  # mnemonics
    return " ".join(text.split())


@lru_cache(maxsize=None)
def english_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each English text of the Welsh catalogue whose Welsh differs, as a pattern over what is shown."""
    found = []
    for message in catalogue.read_po(catalogue.po_path("cy"), locale="cy"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if all(_clean(s) == _clean(english) for s in strings if s):
                continue  # the same in Welsh (a name, "GrantDesk")
            literal = _PLACEHOLDER.sub(" ", _clean(english))
            if len(re.sub(r"[^A-Za-z]", "", literal)) < 4:
                continue  # too little of it is words to tell
            if _PLACEHOLDER.search(english) and len(re.findall(r"[A-Za-z]{2,}", literal)) < 2:
                continue  # one word and a blank ("{fund} panel") would match Welsh words around it
            parts = [re.escape(p) for p in _PLACEHOLDER.split(_clean(english))]
            found.append((re.compile("^" + "(.+?)".join(parts) + "$", re.DOTALL), english))
    return tuple(found)


def _texts_of(widget: QWidget) -> list[str]:
    texts = []
    if widget.isWindow():
        texts.append(widget.windowTitle())
    if isinstance(widget, QLabel):
        texts.append(widget.text())
    if isinstance(widget, QAbstractButton):
        texts.append(widget.text())
    if isinstance(widget, QGroupBox):
        texts.append(widget.title())
    if isinstance(widget, (QLineEdit, QPlainTextEdit, QTextEdit)):
        texts.append(widget.placeholderText())
    if isinstance(widget, QTextEdit):
        texts.extend(line for line in widget.toPlainText().splitlines())
    if isinstance(widget, QTabWidget):
        texts.extend(widget.tabText(i) for i in range(widget.count()))
    if isinstance(widget, QComboBox):
        texts.extend(widget.itemText(i) for i in range(widget.count()))
    if isinstance(widget, QAbstractItemView) and widget.model() is not None:
        from PySide6.QtCore import QModelIndex

        model = widget.model()
        try:
            columns = model.columnCount(QModelIndex())
        except TypeError:  # a list model: one column, no header
            columns = 0
        for column in range(columns):
            texts.append(str(model.headerData(column, Qt.Orientation.Horizontal) or ""))
    if isinstance(widget, QMenu):
        texts.append(widget.title())
    texts.append(widget.accessibleName())
    texts.append(widget.toolTip())
    return texts


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for what ``root`` shows: its visible widgets, and every action of it (menus)."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget is not root and not widget.isVisibleTo(root) and not isinstance(widget, QMenu):
            continue
        for text in _texts_of(widget):
            if text and text.strip():
                found.append((f"{type(widget).__name__} {widget.objectName()}".strip(), text))
    for action in root.findChildren(QAction):
        if action.parent() is not None and action.parent().objectName() == "languageMenu":
            continue  # each language named in itself, on purpose
        for text in (action.text(), action.statusTip(), action.toolTip(), action.iconText()):
            if text and text.strip():
                found.append((f"QAction {action.objectName()}".strip(), text))
    return found


def english_left(root: QWidget) -> list[str]:
    """Each text ``root`` shows that is still the English of a translated text."""
    left = set()
    patterns = english_patterns()
    for where, text in visible_texts(root):
        for line in [text, *text.split("\n")]:
            shown = _clean(line)
            if not shown:
                continue
            for pattern, english in patterns:
                if pattern.match(shown):
                    left.add(f"{where}: {shown!r} (English {english!r})")
                    break
    return sorted(left)
