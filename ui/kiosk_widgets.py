"""The voting kiosk's pieces: a project's card on the ballot paper (its controls depend on the kind of
ballot), a place in a voter's ranking, the on-screen keypad for the code (a touch screen alone is
enough), the officer's PIN dialog with its slow-down after wrong PINs, and the watcher that tells when
a voter has walked away."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from grantdesk.i18n import ngettext
from ui.kiosk_style import BUTTON_POINTS, PHOTO_HEIGHT, PHOTO_WIDTH, make_button, make_label, restyle, switch
from ui.kiosk_words import Voice

class ActivityWatcher(QObject):
    """Sees every key, click, touch and wheel turn in the kiosk (and its PIN dialog), to tell when a
    voter has gone."""

    KINDS = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin,
                       QEvent.Type.Wheel})

    def __init__(self, window: QWidget, on_activity: Callable[[], None]):
        super().__init__(window)
        self._window = window
        self._on_activity = on_activity

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in self.KINDS and isinstance(obj, QWidget):
            window = obj.window()
            if window is self._window or window.parentWidget() is self._window:
                self._on_activity()
        return False


class ProjectCard(QFrame):
    """One project on the ballot paper: photo, title, organisation, summary, amount and its controls.
    The controls depend on the kind of ballot; ``controls`` lists them in keyboard order. Everything is
    said in the voter's language (``voice``): the words, and the title and summary in Welsh for a Welsh
    voter where the application gives them."""

    def __init__(self, project: Any, image: QImage | None, kind: str, rules: Any, voice: Voice | None = None):
        super().__init__()
        self.voice = voice = voice or Voice()
        self.project = project
        self.reference: str = project.reference
        self.title: str = voice.title_of(project)
        self.setObjectName("card")
        self.setProperty("chosen", "false")
        self.setAccessibleName(voice._("Project: {title}").format(title=self.title))
        self.controls: list[QPushButton] = []
        self.choose_button: QPushButton | None = None
        self.score_buttons: dict[int, QPushButton] = {}
        self.cant_judge_button: QPushButton | None = None
        self.minus_button: QPushButton | None = None
        self.plus_button: QPushButton | None = None
        self.tokens_label: QLabel | None = None
        self.rank_button: QPushButton | None = None

        outer = QHBoxLayout(self)
        outer.setContentsMargins(18, 16, 18, 16)
        outer.setSpacing(20)
        self.photo = QLabel()
        self.photo.setObjectName("photo")
        self.photo.setFixedSize(PHOTO_WIDTH, PHOTO_HEIGHT)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if image is not None and not image.isNull():
            self.photo.setPixmap(QPixmap.fromImage(image))
            self.photo.setAccessibleName(voice._("Photo of {title}").format(title=self.title))
            outer.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignTop)
        else:
            self.photo.hide()

        body = QVBoxLayout()
        body.setSpacing(4)
        title_row = QHBoxLayout()
        title_row.setSpacing(16)
        self.title_label = make_label(self.title, "cardTitle")
        self.amount_label = make_label(voice.money(project.amount_pence), "cardAmount", wrap=False)
        self.amount_label.setAccessibleName(voice._("Cost of {title}").format(title=self.title))
        title_row.addWidget(self.title_label, 1)
        title_row.addWidget(self.amount_label, 0, Qt.AlignmentFlag.AlignTop)
        body.addLayout(title_row)
        if project.organisation:
            self.org_label = make_label(project.organisation, "cardOrg")
            body.addWidget(self.org_label)
        summary = voice.summary_of(project)
        if summary:
            self.summary_label = make_label(summary, "cardSummary")
            body.addWidget(self.summary_label)
        self.badge = make_label("", "cardBadge")
        self.badge.hide()
        body.addWidget(self.badge)

        row = QHBoxLayout()
        row.setSpacing(10)
        self._build_controls(kind, rules, row)
        if kind in ("score", "ranked"):  # a row of scores, or the ranking button, goes under the text
            body.addSpacing(6)
            body.addLayout(row)
            outer.addLayout(body, 1)
        else:  # one button (or − n +) sits to the right of the text
            outer.addLayout(body, 1)
            side = QVBoxLayout()
            side.addStretch(1)
            side.addLayout(row)
            side.addStretch(1)
            outer.addLayout(side)

    def _build_controls(self, kind: str, rules: Any, row: QHBoxLayout) -> None:
        title, v = self.title, self.voice
        if kind in ("approval", "knapsack", "choose-one"):
            self.choose_button = make_button(v._("Choose"), v._("Choose {title}").format(title=title), checkable=True)
            self.choose_button.setMinimumWidth(max(230, _text_room(self.choose_button, v._("Choose"),
                                                                   v._("✓  Chosen"))))
            self.controls.append(self.choose_button)
        elif kind == "score":
            for value in range(rules.low, rules.high + 1):
                button = make_button(str(value), v._("Score {title} {value} out of {high}").format(
                    title=title, value=value, high=rules.high), name="score", checkable=True)
                self.score_buttons[value] = button
                self.controls.append(button)
            if rules.cant_judge:
                self.cant_judge_button = make_button(v._("Can't judge"), v._("Can't judge {title}").format(title=title),
                                                     checkable=True)
                self.controls.append(self.cant_judge_button)
        elif kind == "cumulative":
            self.minus_button = make_button("−", v._("One token fewer for {title}").format(title=title), name="rankMove")
            self.plus_button = make_button("+", v._("One more token for {title}").format(title=title), name="rankMove")
            self.tokens_label = make_label(v.ngettext("{n} token", "{n} tokens", 0).format(n=0), "tokens", wrap=False)
            self.tokens_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tokens_label.setAccessibleName(v._("Tokens for {title}").format(title=title))
            self.controls += [self.minus_button, self.plus_button]
            row.addWidget(self.minus_button)
            row.addWidget(self.tokens_label)
            row.addWidget(self.plus_button)
            return
        elif kind == "ranked":
            self.rank_button = make_button(v._("Add to my ranking"), v._("Add {title} to my ranking").format(title=title))
            self.rank_button.setMinimumWidth(max(300, _text_room(self.rank_button, v._("Add to my ranking"),
                                                                 v._("Take out of my ranking"))))
            self.controls.append(self.rank_button)
        for button in self.controls:
            row.addWidget(button)
        if kind in ("score", "ranked"):
            row.addStretch(1)

    def set_chosen(self, chosen: bool, badge: str = "") -> None:
        restyle(self, "chosen", "true" if chosen else "false")
        self.badge.setText(badge)
        self.badge.setVisible(bool(badge))


def _text_room(button: QPushButton, *texts: str) -> int:
    """The width ``button`` needs to show the longest of ``texts`` (it changes text as it is pressed), in
    the kiosk's type and padding."""
    font = QFont(button.font())
    font.setPointSize(BUTTON_POINTS)
    font.setBold(True)
    metrics = QFontMetrics(font)
    return max(metrics.horizontalAdvance(text) for text in texts) + 2 * 24 + 2 * 5 + 8


class RankRow(QFrame):
    """One place in the voter's ranking: "1st  Idea 3", then move up, move down and remove."""

    def __init__(self, voice: Voice | None = None):
        super().__init__()
        self.voice = v = voice or Voice()
        self.setObjectName("rankRow")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 10)
        layout.setSpacing(6)
        self.reference = ""
        self.label = make_label("", "rankEntry")
        self.up = make_button("▲", v._("Move up"), name="rankMove")
        self.down = make_button("▼", v._("Move down"), name="rankMove")
        self.remove = make_button("✕", v._("Remove from my ranking"), name="rankMove")
        layout.addWidget(self.label)
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addStretch(1)
        for button in (self.up, self.down, self.remove):
            buttons.addWidget(button)
        layout.addLayout(buttons)

    def show_entry(self, place: int, reference: str, title: str, last: bool) -> None:
        v = self.voice
        self.reference = reference
        self.label.setText(f"{v.ordinal(place)}  {title}")
        up = v._("Move {title} up").format(title=title)
        down = v._("Move {title} down").format(title=title)
        remove = v._("Remove {title} from my ranking").format(title=title)
        self.up.setAccessibleName(up)
        self.up.setToolTip(up)
        self.down.setAccessibleName(down)
        self.down.setToolTip(down)
        self.remove.setAccessibleName(remove)
        self.remove.setToolTip(remove)
        switch(self.up, place > 1, v._("Already first"))
        switch(self.down, not last, v._("Already last"))
        self.show()


class CodeKeypad(QFrame):
    """Big keys for the code on a voter's card: the characters codes are made of (``set_keys``, from the
    code-issuing service's alphabet), Delete and Clear. The keys take no keyboard focus, so the code
    field keeps it and a physical keyboard still types there."""

    key_pressed = Signal(str)
    delete_pressed = Signal()
    clear_pressed = Signal()

    COLUMNS = 11

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.voice = Voice()
        self.setObjectName("keypad")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        self.keys: dict[str, QPushButton] = {}
        self.delete_button = make_button("", "", name="keyWide")
        self.clear_button = make_button("", "", name="keyWide")
        self.speak(self.voice)
        self.delete_button.clicked.connect(self.delete_pressed)
        self.clear_button.clicked.connect(self.clear_pressed)
        for button in (self.delete_button, self.clear_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def speak(self, voice: Voice) -> None:
        """Say the keypad's words in ``voice``'s language (the next voter's)."""
        self.voice = v = voice
        self.setAccessibleName(v._("Keypad for the code"))
        self.delete_button.setText(v._("⌫ Delete"))
        self.delete_button.setAccessibleName(v._("Delete the last character"))
        self.clear_button.setText(v._("Clear"))
        self.clear_button.setAccessibleName(v._("Clear the code"))
        for ch, button in self.keys.items():
            button.setAccessibleName(v._("Key {key}").format(key=ch))

    def set_keys(self, alphabet: str) -> None:
        """One key per character of ``alphabet``, in rows of ``COLUMNS``; Delete and Clear after them."""
        for button in self.keys.values():
            button.setParent(None)
            button.deleteLater()
        self.keys = {}
        for n, ch in enumerate(alphabet):
            button = make_button(ch, self.voice._("Key {key}").format(key=ch), name="key")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, ch=ch: self.key_pressed.emit(ch))
            self.grid.addWidget(button, n // self.COLUMNS, n % self.COLUMNS)
            button.show()  # shown with the page even when the keys are made while another page is showing
            self.keys[ch] = button
        n = len(alphabet)
        row, col = n // self.COLUMNS, n % self.COLUMNS
        room = self.COLUMNS - col
        if room < 4:
            row, col, room = row + 1, 0, self.COLUMNS
        half = room // 2
        self.grid.addWidget(self.delete_button, row, col, 1, half)
        self.grid.addWidget(self.clear_button, row, col + half, 1, room - half)
        self.delete_button.show()
        self.clear_button.show()


class PinThrottle:
    """Wrong PINs slow the next try down: the first ``FREE`` are free, then each wrong one makes the
    officer wait ``FIRST_WAIT`` seconds, doubling each time. ``clock`` (seconds; ``time.monotonic``) is
    handed in so tests need no waiting."""

    FREE = 3
    FIRST_WAIT = 5.0

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.failures = 0
        self.until = 0.0

    def wait_left(self) -> int:
        """Whole seconds until the next try is taken (0: now)."""
        return max(0, math.ceil(self.until - self.clock()))

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.FREE:
            self.until = self.clock() + self.FIRST_WAIT * 2 ** (self.failures - self.FREE)

    def succeeded(self) -> None:
        self.failures = 0
        self.until = 0.0


class PinDialog(QDialog):
    """The officer's PIN, to leave kiosk mode. ``submitted`` carries what was typed. After wrong PINs
    (``PinThrottle``) the next try waits, with the seconds counted down on screen."""

    submitted = Signal(str)

    def __init__(self, parent: QWidget, throttle: PinThrottle | None = None):
        super().__init__(parent)
        self.throttle = throttle or PinThrottle()
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self.tick)
        self.setObjectName("pinDialog")
        self.setWindowTitle(self.tr("Leave kiosk mode"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(16)
        heading = make_label(self.tr("Leave kiosk mode"), "heading")
        prompt = make_label(self.tr("For officers: type the kiosk PIN."), "hint")
        self.pin_edit = QLineEdit()
        self.pin_edit.setObjectName("pinEdit")
        self.pin_edit.setAccessibleName(self.tr("Officer PIN"))
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(12)
        self.pin_edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData)
        prompt.setBuddy(self.pin_edit)
        self.message = make_label("", "message")
        restyle(self.message, "state", "problem")
        self.message.setAccessibleName(self.tr("PIN message"))
        self.message.hide()
        buttons = QHBoxLayout()
        self.cancel_button = make_button(self.tr("Stay in kiosk"), self.tr("Stay in kiosk mode"))
        self.leave_button = make_button(self.tr("Leave kiosk"), self.tr("Leave kiosk mode"), name="primary")
        self.leave_button.setDefault(True)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.leave_button)
        for widget in (heading, prompt, self.pin_edit, self.message):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        self.cancel_button.clicked.connect(self.reject)
        self.leave_button.clicked.connect(self._submit)
        self.pin_edit.returnPressed.connect(self._submit)
        self.setMinimumWidth(620)

    def _submit(self) -> None:
        if self.throttle.wait_left():
            self.tick()
            return
        pin = self.pin_edit.text().strip()
        if not pin:
            self.say(self.tr("Type the PIN first."))
            return
        self.leave_button.setEnabled(False)
        self.submitted.emit(pin)

    def wrong_pin(self) -> None:
        """The PIN was wrong: say so, and after too many make the next try wait (counted down)."""
        self.throttle.failed()
        if self.throttle.wait_left():
            self.countdown.start()
            self.tick()
        else:
            self.say(self.tr("That PIN is not right. The kiosk stays open."))

    def tick(self) -> None:
        """Show the seconds left before another PIN is taken; when none are, take PINs again."""
        left = self.throttle.wait_left()
        if not left:
            self.countdown.stop()
            self.say(self.tr("That PIN is not right. The kiosk stays open. You can try again now."))
            return
        self.say(ngettext("That PIN is not right, {times} times now. The kiosk stays open. Try again in {n} second.",
                          "That PIN is not right, {times} times now. The kiosk stays open. Try again in {n} seconds.",
                          left).format(times=self.throttle.failures, n=left))
        self.leave_button.setEnabled(False)

    def say(self, text: str) -> None:
        self.leave_button.setEnabled(True)
        self.message.setText(text)
        self.message.show()
        self.pin_edit.selectAll()
        self.pin_edit.setFocus()
        self._fit()

    def _fit(self) -> None:
        """Tall enough for every line of the message at the dialog's width: nothing is cut off."""
        layout = self.layout()
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else 0
        if needed > self.height():
            self.resize(self.width(), needed)

    def start_over(self) -> None:
        self.pin_edit.clear()
        self.message.hide()
        self.leave_button.setEnabled(True)
        self.pin_edit.setFocus()
        if self.throttle.wait_left():
            self.countdown.start()
            self.tick()

    def done(self, result: int) -> None:  # noqa: D401 (Qt's name): closing stops the countdown
        self.countdown.stop()
        super().done(result)
