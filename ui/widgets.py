"""Small widget builders the windows share: a labelled action button and a label tied to its field."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel, QPushButton, QWidget


def action_button(text: str, shortcut: str | None, slot: Callable[[], Any], name: str = "", *,
                  auto_default: bool = True) -> QPushButton:
    """A button for ``slot`` with ``text`` (``&`` marks its mnemonic), an accessible name, and the
    shortcut both bound and shown in its tooltip. ``auto_default=False`` for buttons in a dialog that
    must not take Enter from the fields."""
    button = QPushButton(text)
    if name:
        button.setObjectName(name)
    plain = text.replace("&", "").rstrip("…")
    button.setAccessibleName(plain)
    if not auto_default:
        button.setAutoDefault(False)
    if shortcut:
        button.setShortcut(QKeySequence(shortcut))
        button.setToolTip(f"{plain} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})")
    button.clicked.connect(slot)
    return button


def labelled(text: str, widget: QWidget) -> QLabel:
    """A label for ``widget`` (its mnemonic focuses it), which also names the widget for screen readers."""
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setAccessibleName(text.replace("&", "").rstrip(":"))
    return label
