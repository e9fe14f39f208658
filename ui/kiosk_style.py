"""How the voting kiosk looks: its style sheet (large type, high contrast, a focus ring a voter can
see from a step back) and the small helpers its widgets are made with."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

IDLE_TIMEOUT_MS = 120_000  # a voter who walks away: back to the start after two minutes
THANKS_MS = 10_000  # the thank-you page stays this long
PHOTO_WIDTH, PHOTO_HEIGHT = 220, 165
BUTTON_POINTS = 20  # the type of a button, as the style sheet below sets it (bold)

KIOSK_STYLE = """
QWidget#kiosk { background: #eef1f5; }
QWidget { font-size: 20pt; color: #111827; }
QDialog { background: #eef1f5; }

QLabel#topBar { font-size: 14pt; color: #374151; }
QLabel#eventName { font-size: 34pt; font-weight: 700; color: #111827; }
QLabel#heading { font-size: 30pt; font-weight: 700; }
QLabel#prompt { font-size: 24pt; font-weight: 600; }
QLabel#hint { font-size: 18pt; color: #374151; }
QLabel#instructions { font-size: 22pt; font-weight: 700; color: #111827; }

QLineEdit {
    background: white; border: 3px solid #374151; border-radius: 12px; padding: 8px 16px;
    selection-background-color: #1d4ed8; selection-color: white;
}
QLineEdit:focus { border: 4px solid #1d4ed8; }
QLineEdit#codeEdit { font-size: 36pt; font-weight: 700; min-height: 84px; }

QPushButton {
    min-height: 56px; padding: 4px 24px; border-radius: 12px; font-weight: 700;
    background: white; color: #111827; border: 3px solid #374151;
}
QPushButton:hover { background: #e5e7eb; }
QPushButton:pressed { background: #d1d5db; }
QPushButton:focus { border: 5px solid #c2410c; }
QPushButton:checked { background: #15803d; color: white; border: 3px solid #14532d; }
QPushButton:checked:focus { border: 5px solid #c2410c; }
QPushButton:disabled { background: #e5e7eb; color: #6b7280; border: 3px solid #9ca3af; }
QPushButton[off="true"] { background: #e5e7eb; color: #6b7280; border: 3px solid #9ca3af; }
QPushButton[off="true"]:focus { border: 5px solid #c2410c; }
QPushButton#primary { background: #1d4ed8; color: white; border: 3px solid #1e3a8a; }
QPushButton#primary:hover { background: #1e40af; }
QPushButton#primary:focus { border: 5px solid #c2410c; }
QPushButton#primary:disabled { background: #cbd5e1; color: #475569; border: 3px solid #94a3b8; }
QPushButton#language {
    font-size: 34pt; min-height: 120px; background: #1d4ed8; color: white; border: 3px solid #1e3a8a;
}
QPushButton#language:hover { background: #1e40af; }
QPushButton#language:focus { border: 6px solid #c2410c; }
QPushButton#officer {
    min-height: 0; font-size: 12pt; font-weight: 400; padding: 2px 10px; border-radius: 6px;
    background: transparent; color: #4b5563; border: 1px solid #9ca3af;
}
QPushButton#changeLanguage { min-height: 0; font-size: 15pt; padding: 4px 14px; border-radius: 8px; border: 2px solid #374151; }
QPushButton#changeLanguage:focus { border: 4px solid #c2410c; }
QPushButton#score { min-width: 40px; padding: 4px 10px; }
QPushButton#key { min-width: 40px; min-height: 64px; padding: 0; font-size: 24pt; }
QPushButton#keyWide { min-height: 64px; padding: 0 8px; font-size: 18pt; }

QFrame#card { background: white; border: 2px solid #cbd5e1; border-radius: 16px; }
QFrame#card[chosen="true"] { background: #f0fdf4; border: 4px solid #15803d; }
QLabel#cardTitle { font-size: 24pt; font-weight: 700; }
QLabel#cardOrg { font-size: 17pt; color: #374151; }
QLabel#cardSummary { font-size: 20pt; }
QLabel#cardAmount { font-size: 24pt; font-weight: 700; color: #1e3a8a; }
QLabel#cardBadge { font-size: 18pt; font-weight: 700; color: #14532d; }
QLabel#tokens { font-size: 22pt; font-weight: 700; min-width: 150px; }
QLabel#photo { border-radius: 10px; background: #e5e7eb; }

QFrame#rankingPanel { background: white; border: 2px solid #cbd5e1; border-radius: 16px; }
QLabel#rankingEmpty { font-size: 18pt; color: #374151; }
QLabel#rankEntry { font-size: 20pt; font-weight: 600; }
QPushButton#rankMove { min-width: 56px; max-width: 56px; padding: 0; }
QFrame#rankRow { border: none; border-bottom: 2px solid #e5e7eb; }

QLabel#status { border-radius: 12px; padding: 10px 16px; font-size: 20pt; font-weight: 600; }
QLabel#status[state="empty"] { background: #eff6ff; color: #1e3a8a; border: 2px solid #1d4ed8; }
QLabel#status[state="problem"] { background: #fef2f2; color: #991b1b; border: 3px solid #b91c1c; }
QLabel#status[state="ready"] { background: #f0fdf4; color: #14532d; border: 3px solid #15803d; }

QLabel#message { border-radius: 14px; padding: 16px 22px; font-size: 24pt; font-weight: 600; }
QLabel#message[state="info"] { background: #eff6ff; color: #1e3a8a; border: 3px solid #1d4ed8; }
QLabel#message[state="problem"] { background: #fffbeb; color: #7c2d12; border: 3px solid #c2410c; }

QFrame#confirmBar { background: #fffbeb; border: 3px solid #c2410c; border-radius: 14px; }
QLabel#reviewList { background: white; border: 2px solid #cbd5e1; border-radius: 16px; padding: 18px 24px;
                    font-size: 22pt; }
QLabel#receipt { font-size: 64pt; font-weight: 800; color: #1e3a8a; }
QScrollArea { border: none; background: transparent; }
QWidget#cards { background: transparent; }
QScrollBar:vertical { width: 26px; background: #e5e7eb; border-radius: 13px; }
QScrollBar::handle:vertical { background: #6b7280; border-radius: 13px; min-height: 60px; }
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical { height: 0; }
"""


def restyle(widget: QWidget, name: str, value: str) -> None:
    """Set a property the style sheet selects on, and let the style see it."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def switch(button: QPushButton, on: bool, why_off: str) -> None:
    """Turn a button on or off without disabling it. A disabled button would lose the keyboard focus
    to the next one, so a voter pressing Space again would act on another project; an "off"
    button keeps the focus, looks off and does nothing."""
    restyle(button, "off", "false" if on else "true")
    button.setAccessibleDescription("" if on else why_off)
    button.setToolTip("" if on else why_off)


def is_on(button: QPushButton) -> bool:
    return button.isEnabled() and button.property("off") != "true"


def first_on(buttons: list[QPushButton], start: int = 0) -> QPushButton:
    """The first button that is on, from ``start`` round to the one before it (or ``start`` itself)."""
    order = buttons[start:] + buttons[:start]
    return next((b for b in order if is_on(b)), order[0])


def make_label(text: str = "", name: str = "", *, wrap: bool = True) -> QLabel:
    made = QLabel(text)
    if name:
        made.setObjectName(name)
    made.setWordWrap(wrap)
    made.setTextFormat(Qt.TextFormat.PlainText)
    return made


def make_button(text: str, accessible: str, *, name: str = "", checkable: bool = False) -> QPushButton:
    made = QPushButton(text)
    if name:
        made.setObjectName(name)
    made.setAccessibleName(accessible)
    made.setCheckable(checkable)
    made.setAutoDefault(True)  # Enter presses a focused button, as Space does
    made.setCursor(Qt.CursorShape.PointingHandCursor)
    return made
