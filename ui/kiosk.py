"""The voting kiosk: residents vote in the room, one after another, on one screen.

A voter types the code on their card (on the keyboard, or on the on-screen keypad: a touch screen
alone is enough), marks the ballot paper (one card per project), checks their
vote, casts it and gets a receipt number; the screen then returns to the start for the next voter.

- Full screen, large type, high contrast; mouse, touch and the keyboard alone all work (Tab,
  Shift+Tab, Space, Enter, the arrow keys and Escape).
- The ballot is checked as the voter goes, with the same rules the count uses
  (``ballot_problems``): a status line says what is still needed and "Review my vote" is offered only
  for a good ballot.
- A voter who walks away: after two minutes without a touch or a key the ballot is cleared and the
  start page shown. After a vote, the thank-you page returns to the start by itself.
- Leaving kiosk mode needs the officer's PIN (Ctrl+Shift+Q or the small "Officer" button); closing
  the window any other way (Alt+F4) asks for the PIN too. After three wrong PINs each further try
  waits, 5 seconds then doubling, counted down on screen (``PinThrottle``; its clock handed in).
- Every message wraps: nothing is cut off, in landscape (1280×800) or portrait (800×1280).
- The voter's language: at an event of a fund under the Welsh Language Standards each voter first
  chooses Cymraeg or English (Cymraeg first, on screen and in the Tab order), and everything they then
  see — instructions, buttons, progress, problems, review and receipt, and the projects' titles and
  summaries where the application gives them in Welsh — is in that language, whatever language the
  officer's interface speaks; the next voter chooses again. Any other fund's kiosk speaks the app's
  language and asks nothing. The words come from the one catalogue (``ui.kiosk_words.Voice``).

Every database call runs on the worker through the operations layer (``ui.operations``: ``Query``
for reading the ballot paper and checking a code or the PIN, ``Op`` for casting, so the cast ballot is
broadcast and an open results screen or voting desk counts it at once); the services are imported
inside the jobs, so importing this module loads no SQLAlchemy. What the kiosk says about a ballot's
problems is chosen from the count's problems as data (``ui.kiosk_words``). Its cards, style and PIN
dialog are in ``ui.kiosk_widgets`` and ``ui.kiosk_style``.
"""

from __future__ import annotations

import html
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QImage, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from grantdesk.i18n import N_, current_language, in_language
from grantdesk.voting.ballots import CANT_JUDGE, CastBallot, ballot_problems
from ui.kiosk_style import (  # noqa: F401  (IDLE_TIMEOUT_MS and is_on: the kiosk's, for its callers)
    IDLE_TIMEOUT_MS,
    KIOSK_STYLE,
    PHOTO_HEIGHT,
    PHOTO_WIDTH,
    THANKS_MS,
    first_on,
    is_on,
    make_button,
    make_label,
    restyle,
    switch,
)
from ui.kiosk_widgets import ActivityWatcher, CodeKeypad, PinDialog, PinThrottle, ProjectCard, RankRow
from ui.kiosk_words import Voice, instruction_words, progress_words, review_lines, tokens_text, voter_sentences
from ui.operations import Op, Query, refusal_text
from ui.tasks import TaskRunner


class KioskWindow(QWidget):
    """The voting kiosk for one event. Call ``start()`` to load the event, then ``show_kiosk()``."""

    ready = Signal()  # the event is loaded and the start page can take codes
    load_failed = Signal(str)
    page_changed = Signal(str)  # "language", "start", "ballot", "review" or "thanks"
    ballot_cast = Signal(str)  # the receipt number
    left = Signal()  # the officer's PIN was accepted and the kiosk closed

    PAGES = ("start", "ballot", "review", "thanks", "language")
    LANGUAGE_CHOICES = ("cy", "en")  # Welsh first (the Welsh Language Standards)

    def __init__(self, db: Any, runner: TaskRunner, event_id: int, parent: QWidget | None = None, *,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__(parent)
        self.pin_throttle = PinThrottle(clock)  # wrong PINs slow the next try down, across openings
        self.db = db
        self.runner = runner
        self.event_id = event_id
        self.view: Any = None  # grantdesk.services.events.EventView, once loaded
        self.images: dict[str, QImage] = {}
        self.cards: list[ProjectCard] = []
        self.rank_rows: list[RankRow] = []
        self.receipt = ""
        self.pin_dialog: PinDialog | None = None
        self._code = ""  # the accepted code of the voter at the kiosk
        self._marked: list[str] = []  # approval, knapsack, choose-one, ranked (in order of preference)
        self._points: dict[str, int | None] = {}  # score (None: can't judge) and cumulative
        self._busy = False
        self._may_close = False
        self._kind = ""
        self.voice = Voice()  # the language of the voter at the kiosk
        self._words: list[tuple[Callable[[str], None], str]] = []  # fixed texts, said again in each voter's language

        self.setObjectName("kiosk")
        self.setWindowTitle(self.tr("Voting kiosk"))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(KIOSK_STYLE)

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.setInterval(IDLE_TIMEOUT_MS)
        self.idle_timer.timeout.connect(self._idle)
        self.thanks_timer = QTimer(self)
        self.thanks_timer.setSingleShot(True)
        self.thanks_timer.setInterval(THANKS_MS)
        self.thanks_timer.timeout.connect(self.go_to_start)

        self._build()
        self._watcher = ActivityWatcher(self, self._activity)
        QApplication.instance().installEventFilter(self._watcher)
        QShortcut(QKeySequence("Ctrl+Shift+Q"), self, self.ask_pin)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._escape)
        self._speak_words()
        self._show_page("start")

    # --- the voter's language -----------------------------------------------------------------
    def _word(self, setter: Callable[[str], None], text: str) -> None:
        """Say ``text`` (English, marked ``N_``) with ``setter`` now and again in each voter's language."""
        self._words.append((setter, text))

    def _label(self, text: str, name: str) -> QLabel:
        made = make_label("", name)
        self._word(made.setText, text)
        return made

    def _button(self, text: str, accessible: str, *, name: str = "") -> QPushButton:
        made = make_button("", "", name=name)
        self._word(made.setText, text)
        self._word(made.setAccessibleName, accessible)
        return made

    def _speak_words(self) -> None:
        for setter, text in self._words:
            setter(self.voice._(text))

    @property
    def language(self) -> str:
        """The language the kiosk speaks to the voter now (``cy`` or ``en``)."""
        return self.voice.language

    @property
    def offers_languages(self) -> bool:
        """Whether each voter chooses Cymraeg or English first (a fund under the Welsh Language Standards)."""
        return self.view is not None and bool(getattr(self.view, "welsh", False))

    def speak(self, language: str | None) -> None:
        """Speak ``language`` to the voter (``None``: the app's language): every fixed text, the keypad, the
        instructions, and the ballot paper's cards with the projects' titles in that language."""
        self.voice = Voice(language)
        self._speak_words()
        self.keypad.speak(self.voice)
        if self.view is not None:
            self.instructions_label.setText(self.instructions())
            self._build_cards()

    def choose_language(self, language: str) -> None:
        """The voter chose a language on the first page: the code page, in that language."""
        if self._busy:
            return
        self.speak(language)
        self.code_edit.clear()
        self.start_message.hide()
        self._show_page("start")
        self.code_edit.setFocus()

    def back_to_languages(self) -> None:
        if not self._busy and self.offers_languages:
            self.go_to_start()

    # --- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(36, 10, 36, 24)
        outer.setSpacing(6)
        top = QHBoxLayout()
        self.top_label = make_label("", "topBar")
        self.officer_button = QPushButton()
        self.officer_button.setObjectName("officer")
        self._word(self.officer_button.setText, N_("Officer"))
        self._word(self.officer_button.setAccessibleName, N_("Officer: leave kiosk mode"))
        self._word(self.officer_button.setToolTip, N_("Officer: leave kiosk mode (Ctrl+Shift+Q)"))
        self.officer_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a stop on the voter's Tab path
        self.officer_button.clicked.connect(self.ask_pin)
        # Back to Cymraeg / English, on the code page of a Welsh-Standards fund's event (``_show_page``).
        self.language_button = self._button(N_("◂  Change language"), N_("Change language"), name="changeLanguage")
        self.language_button.clicked.connect(self.back_to_languages)
        self.language_button.hide()
        top.addWidget(self.top_label, 1)
        top.addWidget(self.language_button)
        top.addWidget(self.officer_button)
        outer.addLayout(top)

        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.start_page = self._build_start()
        self.ballot_page = self._build_ballot()
        self.review_page = self._build_review()
        self.thanks_page = self._build_thanks()
        self.language_page = self._build_language()
        for page in (self.start_page, self.ballot_page, self.review_page, self.thanks_page, self.language_page):
            self.stack.addWidget(page)

    def _build_language(self) -> QWidget:
        """Cymraeg / English, Welsh first: the first page each voter sees at a Welsh-Standards fund's event.
        Both languages are on it at once, so its words are Welsh then English, whatever the app speaks."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(20, 10, 20, 10)
        layout.setSpacing(16)
        layout.addStretch(1)
        self.language_event_label = make_label("", "eventName")
        self.language_event_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.language_event_label)
        layout.addSpacing(8)
        for language in self.LANGUAGE_CHOICES:  # "Dewiswch eich iaith", then "Choose your language"
            prompt = make_label(in_language(language, N_("Choose your language")), "prompt")
            prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(prompt)
        row = QHBoxLayout()
        row.setSpacing(40)
        row.addStretch(1)
        self.language_buttons: dict[str, QPushButton] = {}
        names = {"cy": "Cymraeg", "en": "English"}  # each language named in itself
        said = {"cy": N_("Vote in Welsh"), "en": N_("Vote in English")}  # each said in its own language
        for language in self.LANGUAGE_CHOICES:
            button = make_button(names[language], in_language(language, said[language]))
            button.setObjectName("language")
            button.setMinimumHeight(120)
            button.setMinimumWidth(320)
            button.clicked.connect(lambda _=False, lang=language: self.choose_language(lang))
            row.addWidget(button)
            self.language_buttons[language] = button
        row.addStretch(1)
        layout.addLayout(row)
        QWidget.setTabOrder(self.language_buttons["cy"], self.language_buttons["en"])
        layout.addStretch(2)
        return page

    def _build_start(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(20, 10, 20, 10)
        layout.setSpacing(16)
        layout.addStretch(1)
        self.event_label = make_label("", "eventName")
        self.event_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.event_label)
        layout.addSpacing(8)
        prompt = self._label(N_("Type the code on your card, or tap it in below"), "prompt")
        prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(prompt)
        row = QHBoxLayout()
        row.setSpacing(16)
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("codeEdit")
        self._word(self.code_edit.setAccessibleName, N_("The code on your card"))
        self._word(self.code_edit.setPlaceholderText, N_("e.g. K7M2-Q9XH"))
        self.code_edit.setMaxLength(24)
        self.code_edit.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code_edit.setMinimumWidth(340)
        self.code_edit.setInputMethodHints(Qt.InputMethodHint.ImhPreferUppercase
                                           | Qt.InputMethodHint.ImhNoPredictiveText)
        prompt.setBuddy(self.code_edit)
        self.code_edit.textEdited.connect(self._code_typed)
        self.code_edit.returnPressed.connect(self.submit_code)
        self.start_button = self._button(N_("Start  ▸"), N_("Start voting"), name="primary")
        self.start_button.setMinimumHeight(84)
        self.start_button.setMinimumWidth(200)
        self.start_button.clicked.connect(self.submit_code)
        row.addStretch(1)
        row.addWidget(self.code_edit, 3)
        row.addWidget(self.start_button)
        row.addStretch(1)
        layout.addLayout(row)
        hint = self._label(N_("Capital or small letters, with or without the dash. Then press Enter or Start."), "hint")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(hint)
        self.keypad = CodeKeypad()
        self.keypad.key_pressed.connect(self._key_pressed)
        self.keypad.delete_pressed.connect(self._delete_pressed)
        self.keypad.clear_pressed.connect(self._clear_pressed)
        keypad_row = QHBoxLayout()
        keypad_row.addStretch(1)
        keypad_row.addWidget(self.keypad, 20)
        keypad_row.addStretch(1)
        layout.addLayout(keypad_row)
        self.start_message = make_label("", "message")
        self._word(self.start_message.setAccessibleName, N_("Message"))
        self.start_message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.start_message.hide()
        layout.addWidget(self.start_message)
        layout.addStretch(2)
        return page

    def _build_ballot(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.instructions_label = make_label("", "instructions")
        self._word(self.instructions_label.setAccessibleName, N_("Instructions"))
        layout.addWidget(self.instructions_label)

        middle = QHBoxLayout()
        middle.setSpacing(20)
        self.cards_widget = QWidget()
        self.cards_widget.setObjectName("cards")
        self.cards_layout = QVBoxLayout(self.cards_widget)
        self.cards_layout.setContentsMargins(0, 0, 12, 0)
        self.cards_layout.setSpacing(14)
        self.cards_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.cards_widget)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._word(self.scroll.setAccessibleName, N_("Projects"))
        QScroller.grabGesture(self.scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        middle.addWidget(self.scroll, 1)

        self.ranking_panel = QFrame()
        self.ranking_panel.setObjectName("rankingPanel")
        self._word(self.ranking_panel.setAccessibleName, N_("My ranking"))
        self.ranking_panel.setFixedWidth(380)
        ranking = QVBoxLayout(self.ranking_panel)
        ranking.setContentsMargins(18, 16, 18, 16)
        ranking.setSpacing(10)
        ranking.addWidget(self._label(N_("My ranking"), "heading"))
        self.ranking_empty = self._label(N_("Nothing ranked yet. Press “Add to my ranking” on the project you like "
                                            "best, then the next."), "rankingEmpty")
        ranking.addWidget(self.ranking_empty)
        rows = QWidget()
        rows.setObjectName("cards")
        self.ranking_rows_layout = QVBoxLayout(rows)
        self.ranking_rows_layout.setContentsMargins(0, 0, 8, 0)
        self.ranking_rows_layout.setSpacing(4)
        self.ranking_rows_layout.addStretch(1)
        self.ranking_scroll = QScrollArea()
        self.ranking_scroll.setWidgetResizable(True)
        self.ranking_scroll.setWidget(rows)
        self.ranking_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ranking_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        ranking.addWidget(self.ranking_scroll, 1)
        self.ranking_panel.hide()
        middle.addWidget(self.ranking_panel)
        layout.addLayout(middle, 1)

        self.status_label = make_label("", "status")
        self._word(self.status_label.setAccessibleName, N_("What your vote still needs"))
        layout.addWidget(self.status_label)

        self.ballot_buttons = QWidget()
        bar = QHBoxLayout(self.ballot_buttons)
        bar.setContentsMargins(0, 0, 0, 0)
        self.start_again_button = self._button(N_("Start again"), N_("Start again: clear my choices"))
        self.start_again_button.clicked.connect(self.ask_start_again)
        self.review_button = self._button(N_("Review my vote  ▸"), N_("Review my vote"), name="primary")
        self.review_button.setMinimumWidth(320)
        self.review_button.clicked.connect(self.review)
        bar.addWidget(self.start_again_button)
        bar.addStretch(1)
        bar.addWidget(self.review_button)
        layout.addWidget(self.ballot_buttons)

        self.confirm_bar = QFrame()
        self.confirm_bar.setObjectName("confirmBar")
        confirm_outer = QVBoxLayout(self.confirm_bar)  # the question above its answers: fits portrait too
        confirm_outer.setContentsMargins(18, 10, 18, 10)
        confirm = QHBoxLayout()
        confirm.setContentsMargins(0, 0, 0, 0)
        self.confirm_label = self._label(N_("Start again? Your choices will be cleared."), "prompt")
        self.keep_voting_button = self._button(N_("No, keep voting"), N_("No, keep voting"), name="primary")
        self.keep_voting_button.clicked.connect(self._keep_voting)
        self.clear_button = self._button(N_("Yes, start again"), N_("Yes, clear my choices and start again"))
        self.clear_button.clicked.connect(self.go_to_start)
        confirm_outer.addWidget(self.confirm_label)
        confirm.addStretch(1)
        confirm.addWidget(self.keep_voting_button)
        confirm.addWidget(self.clear_button)
        confirm_outer.addLayout(confirm)
        self.confirm_bar.hide()
        layout.addWidget(self.confirm_bar)
        return page

    def _build_review(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(10, 10, 10, 0)
        layout.setSpacing(16)
        layout.addWidget(self._label(N_("Please check your vote"), "heading"))
        layout.addWidget(self._label(N_("This is the vote you are about to cast. Nobody can see how you voted."),
                                     "hint"))
        self.review_list = make_label("", "reviewList")
        self.review_list.setTextFormat(Qt.TextFormat.RichText)
        self._word(self.review_list.setAccessibleName, N_("Your vote"))
        self.review_list.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        review_scroll = QScrollArea()
        review_scroll.setWidgetResizable(True)
        review_scroll.setWidget(self.review_list)
        review_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        QScroller.grabGesture(review_scroll.viewport(), QScroller.ScrollerGestureType.TouchGesture)
        layout.addWidget(review_scroll, 1)
        self.review_message = make_label("", "message")
        self._word(self.review_message.setAccessibleName, N_("Message"))
        self.review_message.hide()
        layout.addWidget(self.review_message)
        bar = QHBoxLayout()
        self.change_button = self._button(N_("◂  Change my vote"), N_("Change my vote"))
        self.change_button.clicked.connect(self.change_vote)
        self.restart_button = self._button(N_("Back to the start"), N_("Back to the start"))
        self.restart_button.clicked.connect(self.go_to_start)
        self.restart_button.hide()
        self.cast_button = self._button(N_("Cast my vote  ✓"), N_("Cast my vote"), name="primary")
        self.cast_button.setMinimumWidth(320)
        self.cast_button.clicked.connect(self.cast)
        bar.addWidget(self.change_button)
        bar.addWidget(self.restart_button)
        bar.addStretch(1)
        bar.addWidget(self.cast_button)
        layout.addLayout(bar)
        return page

    def _build_thanks(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setSpacing(18)
        layout.addStretch(2)
        thanks = self._label(N_("Thank you for voting!"), "eventName")
        thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(thanks)
        self.receipt_text = make_label("", "prompt")
        self.receipt_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.receipt_text)
        self.receipt_label = make_label("", "receipt")
        self._word(self.receipt_label.setAccessibleName, N_("Your receipt number"))
        self.receipt_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.receipt_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout.addWidget(self.receipt_label)
        note = self._label(N_("Your vote has been recorded. Write the number down to check your vote was counted: "
                              "after voting closes, every counted receipt number is put up here and on the council's "
                              "website. The number does not show how you voted.\n"
                              "The screen returns to the start for the next voter in a few seconds."), "hint")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(note)
        row = QHBoxLayout()
        self.done_button = self._button(N_("Done"), N_("Done: ready for the next voter"), name="primary")
        self.done_button.setMinimumWidth(260)
        self.done_button.clicked.connect(self.go_to_start)
        row.addStretch(1)
        row.addWidget(self.done_button)
        row.addStretch(1)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addStretch(3)
        return page

    # --- loading ------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the event and its photos on the worker, then show the start page."""
        self._say(self.start_message, self.voice._("Getting the ballot paper ready…"), "info")
        self.start_button.setEnabled(False)
        event_id = self.event_id

        def work(db: Any) -> tuple[Any, dict[str, QImage], str]:
            from grantdesk.services.events import CODE_ALPHABET, event_photos, get_event

            view = get_event(db, event_id)
            images = {}
            for reference, data in event_photos(db, event_id).items():
                image = QImage.fromData(data)  # QImage (not QPixmap) is safe off the GUI thread
                if not image.isNull():
                    images[reference] = image.scaled(PHOTO_WIDTH, PHOTO_HEIGHT,
                                                     Qt.AspectRatioMode.KeepAspectRatio,
                                                     Qt.TransformationMode.SmoothTransformation)
            return view, images, CODE_ALPHABET

        Query(self, work).success(self._loaded).failure(self._load_error).run()

    def _loaded(self, result: tuple[Any, dict[str, QImage], str]) -> None:
        self.view, self.images, alphabet = result
        self.keypad.set_keys(alphabet)
        view = self.view
        self._kind = view.rules.kind
        self.setWindowTitle(self.tr("Voting kiosk: {name}").format(name=view.name))
        self.event_label.setText(view.name)
        self.language_event_label.setText(view.name)
        self.top_label.setText(" · ".join(part for part in (view.name, view.venue, view.fund_name) if part))
        self.speak("cy" if self.offers_languages else None)  # makes the cards in that language
        self.start_button.setEnabled(True)
        self.start_message.hide()
        self.go_to_start()
        self.ready.emit()

    def _load_error(self, exc: BaseException) -> None:
        text = self.voice._("The ballot paper could not be loaded: {reason}").format(reason=refusal_text(exc))
        self._say(self.start_message, text + " " + self.voice._("Please ask an officer."), "problem")
        self.load_failed.emit(text)

    def instructions(self) -> str:
        """The ballot paper's instruction in the voter's language (a knapsack budget in pounds)."""
        return instruction_words(self.view, self.voice)

    def _build_cards(self) -> None:
        for widget in [*self.cards, *self.rank_rows]:  # loaded again: the ballot paper is made afresh
            widget.setParent(None)
            widget.deleteLater()
        self.cards, self.rank_rows = [], []
        rules = self.view.rules
        for n, project in enumerate(self.view.projects):
            card = ProjectCard(project, self.images.get(project.reference), self._kind, rules, self.voice)
            self.cards_layout.insertWidget(n, card)
            self.cards.append(card)
            ref = project.reference
            if card.choose_button is not None:
                card.choose_button.clicked.connect(lambda _=False, r=ref: self.toggle(r))
            for value, button in card.score_buttons.items():
                button.clicked.connect(lambda _=False, r=ref, v=value: self.set_score(r, v))
            if card.cant_judge_button is not None:
                card.cant_judge_button.clicked.connect(lambda _=False, r=ref: self.set_score(r, CANT_JUDGE))
            if card.plus_button is not None:
                card.plus_button.clicked.connect(lambda _=False, r=ref: self.add_tokens(r, 1))
                card.minus_button.clicked.connect(lambda _=False, r=ref: self.add_tokens(r, -1))
            if card.rank_button is not None:
                card.rank_button.clicked.connect(lambda _=False, r=ref: self.toggle(r))
            for button in card.controls:
                button.installEventFilter(self)
        if self._kind == "ranked":
            self.ranking_panel.show()
            for _ in self.view.projects:
                row = RankRow(self.voice)
                row.up.clicked.connect(lambda _=False, r=row: self.move_rank(r.reference, -1))
                row.down.clicked.connect(lambda _=False, r=row: self.move_rank(r.reference, 1))
                row.remove.clicked.connect(lambda _=False, r=row: self.remove_rank(r.reference))
                row.hide()
                for button in (row.up, row.down, row.remove):
                    button.installEventFilter(self)
                self.ranking_rows_layout.insertWidget(self.ranking_rows_layout.count() - 1, row)
                self.rank_rows.append(row)
        self._set_tab_order()
        self._refresh_ballot()

    # --- pages --------------------------------------------------------------------------------
    @property
    def page(self) -> str:
        return self.PAGES[self.stack.currentIndex()]

    def _show_page(self, name: str) -> None:
        self.stack.setCurrentIndex(self.PAGES.index(name))
        self.language_button.setVisible(name == "start" and self.offers_languages)
        if name == "thanks":
            self.idle_timer.stop()
        else:
            self.thanks_timer.stop()
            self.idle_timer.start()
        self.page_changed.emit(name)

    def show_kiosk(self) -> None:
        """Full screen, ready for the first voter."""
        self.showFullScreen()
        self.raise_()
        self.activateWindow()
        if self.page == "start":
            self.code_edit.setFocus()

    def go_to_start(self) -> None:
        """Clear everything about the last voter and wait for the next one."""
        self._busy = False
        self._code = ""
        self._reset_ballot()
        self.code_edit.clear()
        self.code_edit.setEnabled(True)
        self.start_button.setEnabled(self.view is not None)
        if self.view is not None:
            self.start_message.hide()
        self.review_message.hide()
        self.confirm_bar.hide()
        self.ballot_buttons.show()
        if self.pin_dialog is not None and self.pin_dialog.isVisible():
            self.pin_dialog.reject()
        if self.offers_languages:  # the next voter chooses their language first
            self._show_page("language")
            self.language_buttons["cy"].setFocus()
            return
        self._show_page("start")
        self.code_edit.setFocus()

    def _idle(self) -> None:
        if self._busy:  # a vote is on its way to the database: let it arrive
            self.idle_timer.start()
            return
        if self.page not in ("start", "language") or self.code_edit.text() or self.start_message.isVisible() \
                or (self.page == "start" and self.offers_languages):
            self.go_to_start()

    def _activity(self) -> None:
        if self.page != "thanks":
            self.idle_timer.start()

    # --- the start page -----------------------------------------------------------------------
    def _key_pressed(self, ch: str) -> None:
        """A key of the on-screen keypad: as if typed into the code field (the field keeps the focus)."""
        if self._busy or not self.code_edit.isEnabled():
            return
        self.code_edit.insert(ch)
        self.code_edit.setFocus()

    def _delete_pressed(self) -> None:
        if not self._busy and self.code_edit.isEnabled():
            self.code_edit.backspace()
            self.code_edit.setFocus()

    def _clear_pressed(self) -> None:
        if not self._busy and self.code_edit.isEnabled():
            self.code_edit.clear()
            self.code_edit.setFocus()

    def _code_typed(self, text: str) -> None:
        upper = text.upper()
        if upper != text:
            position = self.code_edit.cursorPosition()
            self.code_edit.setText(upper)
            self.code_edit.setCursorPosition(position)

    def submit_code(self) -> None:
        if self.view is None or self._busy:
            return
        text = self.code_edit.text()
        if not text.strip():
            self._say(self.start_message, self.voice._("Type the code from your card, then press Start."), "problem")
            self.code_edit.setFocus()
            return
        self._busy = True
        self.start_button.setEnabled(False)
        self.code_edit.setEnabled(False)
        self._say(self.start_message, self.voice._("Checking your code…"), "info")
        event_id = self.event_id

        def work(db: Any) -> str:
            from grantdesk.services.events import check_code

            return check_code(db, event_id, text)

        Query(self, work).success(self._code_accepted).failure(self._code_refused).run()

    def _code_accepted(self, code: str) -> None:
        self._busy = False
        self._code = code
        self._reset_ballot()
        self.start_message.hide()
        self.code_edit.setEnabled(True)
        self.start_button.setEnabled(True)
        self._show_page("ballot")
        self.scroll.verticalScrollBar().setValue(0)
        if self.cards and self.cards[0].controls:
            first_on(self.cards[0].controls).setFocus()
        else:
            self.review_button.setFocus()

    def _code_refused(self, exc: BaseException) -> None:
        self._busy = False
        self.code_edit.setEnabled(True)
        self.start_button.setEnabled(True)
        self._say(self.start_message, self._refusal_words(exc), "problem")
        self.code_edit.selectAll()
        self.code_edit.setFocus()

    # --- the ballot ---------------------------------------------------------------------------
    def _reset_ballot(self) -> None:
        self._marked = []
        self._points = {}
        if self.view is not None:
            self._refresh_ballot()
            self.scroll.verticalScrollBar().setValue(0)

    def current_ballot(self) -> CastBallot:
        """The ballot as marked so far (choices in ballot-paper order, or in order of preference)."""
        projects = self.view.projects
        if self.view.rules.has_points:
            return CastBallot.scored("kiosk", {p.reference: self._points[p.reference] for p in projects
                                               if p.reference in self._points})
        if self._kind == "ranked":
            return CastBallot.marked("kiosk", *self._marked)
        return CastBallot.marked("kiosk", *(p.reference for p in projects if p.reference in self._marked))

    def toggle(self, reference: str) -> None:
        """Choose or unchoose a project (for a ranked ballot: add it to the end or take it out)."""
        if reference in self._marked:
            self._marked.remove(reference)
        elif self._kind == "choose-one":
            self._marked = [reference]
        else:
            self._marked.append(reference)
        self._refresh_ballot()

    def set_score(self, reference: str, value: int | None) -> None:
        """Give a score (or "can't judge", ``CANT_JUDGE``); the same again takes it away."""
        if reference in self._points and self._points[reference] == value:
            del self._points[reference]
        else:
            self._points[reference] = value
        self._refresh_ballot()

    def add_tokens(self, reference: str, change: int) -> None:
        rules = self.view.rules
        now = self._points.get(reference) or 0
        new = now + change
        if new < 0 or (change > 0 and (self._tokens_left() < change
                                       or (rules.max_per_project is not None and new > rules.max_per_project))):
            return
        if new:
            self._points[reference] = new
        else:
            self._points.pop(reference, None)
        self._refresh_ballot()

    def move_rank(self, reference: str, change: int) -> None:
        place = self._marked.index(reference)
        other = place + change
        if not 0 <= other < len(self._marked):
            return
        self._marked[place], self._marked[other] = self._marked[other], self._marked[place]
        self._refresh_ballot()
        row = self.rank_rows[other]  # the focus moves with the project (a further press at the end does nothing)
        (row.up if change < 0 else row.down).setFocus()

    def remove_rank(self, reference: str) -> None:
        place = self._marked.index(reference)
        self._marked.remove(reference)
        self._refresh_ballot()
        if self._marked:
            self.rank_rows[min(place, len(self._marked) - 1)].remove.setFocus()
        else:
            self.cards[self._index(reference)].controls[0].setFocus()

    def _index(self, reference: str) -> int:
        return next(n for n, p in enumerate(self.view.projects) if p.reference == reference)

    def _tokens_left(self) -> int:
        return self.view.rules.tokens - sum(v or 0 for v in self._points.values())

    def _refresh_ballot(self) -> None:
        """Show the ballot's state on every card, the ranking, the status line and Review."""
        if self.view is None:
            return
        kind, rules, v = self._kind, self.view.rules, self.voice
        left = self._tokens_left() if kind == "cumulative" else 0
        for card in self.cards:
            ref = card.reference
            if card.choose_button is not None:
                chosen = ref in self._marked
                card.choose_button.setChecked(chosen)
                card.choose_button.setText(v._("✓  Chosen") if chosen else v._("Choose"))
                card.set_chosen(chosen)
            elif kind == "score":
                marked = ref in self._points
                value = self._points.get(ref)
                for score, button in card.score_buttons.items():
                    button.setChecked(marked and value == score)
                if card.cant_judge_button is not None:
                    card.cant_judge_button.setChecked(marked and value is CANT_JUDGE)
                badge = "" if not marked else (v._("✓  Can't judge") if value is CANT_JUDGE
                                               else v._("✓  Your score: {value} out of {high}").format(
                                                   value=value, high=rules.high))
                card.set_chosen(marked, badge)
            elif kind == "cumulative":
                n = self._points.get(ref) or 0
                card.tokens_label.setText(tokens_text(n, v))
                capped = rules.max_per_project is not None and n >= rules.max_per_project
                switch(card.minus_button, n > 0, "" if n else v._("No tokens to take back"))
                switch(card.plus_button, left > 0 and not capped,
                       v._("At most {n} on one project").format(n=rules.max_per_project) if capped
                       else v._("No tokens left"))
                card.set_chosen(n > 0)
            elif kind == "ranked":
                ranked = ref in self._marked
                place = self._marked.index(ref) + 1 if ranked else 0
                card.rank_button.setText(v._("Take out of my ranking") if ranked else v._("Add to my ranking"))
                card.rank_button.setAccessibleName(
                    (v._("Take {title} out of my ranking") if ranked else v._("Add {title} to my ranking")).format(
                        title=card.title))
                card.set_chosen(ranked, v._("✓  Your {ordinal} choice").format(ordinal=v.ordinal(place))
                                if ranked else "")
        if kind == "ranked":
            titles = {p.reference: v.title_of(p) for p in self.view.projects}
            for n, row in enumerate(self.rank_rows):
                if n < len(self._marked):
                    row.show_entry(n + 1, self._marked[n], titles[self._marked[n]], n == len(self._marked) - 1)
                else:
                    row.reference = ""
                    row.hide()
            self.ranking_empty.setVisible(not self._marked)
        state, text = self.ballot_status()
        self.status_label.setText(text)
        restyle(self.status_label, "state", state)
        self.review_button.setEnabled(state == "ready")

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [b for card in self.cards for b in card.controls]
        for row in self.rank_rows:
            chain += [row.up, row.down, row.remove]
        chain += [self.start_again_button, self.review_button, self.keep_voting_button, self.clear_button]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    def ballot_status(self) -> tuple[str, str]:
        """``(state, sentence)`` for the status line: ``empty`` (nothing marked yet), ``problem`` (the
        ballot breaks a rule: what to do) or ``ready``; each with where the voter is."""
        ballot = self.current_ballot()
        problems = ballot_problems(self.view.rules, ballot)
        progress = progress_words(self.view, self._marked, self._points, self.voice)
        if not ballot.choices and problems:
            return "empty", f"{progress} {self.instructions()}"
        if problems:
            return "problem", f"{progress} " + voter_sentences(problems, self.voice)
        return "ready", f"{progress} " + self.voice._("Press “Review my vote” when you are ready.")

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        """On a card's buttons: Up and Down go to the card above or below; focus scrolls it into view."""
        if event.type() == QEvent.Type.FocusIn:
            card = self._card_of(obj)
            if card is not None:
                self.scroll.ensureWidgetVisible(card, 0, 12)
                self.scroll.ensureWidgetVisible(obj, 0, 12)
            for row in self.rank_rows:
                if obj in (row.up, row.down, row.remove):
                    self.ranking_scroll.ensureWidgetVisible(row, 0, 8)
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not event.modifiers():
            card = self._card_of(obj)
            if card is not None:
                n = self.cards.index(card) + (1 if event.key() == Qt.Key.Key_Down else -1)
                if 0 <= n < len(self.cards):
                    controls = self.cards[n].controls
                    position = min(card.controls.index(obj), len(controls) - 1)
                    first_on(controls, position).setFocus(Qt.FocusReason.TabFocusReason)
                elif n >= len(self.cards):
                    (self.review_button if self.review_button.isEnabled() else self.start_again_button).setFocus()
                return True
        return super().eventFilter(obj, event)

    def _card_of(self, obj: QObject) -> ProjectCard | None:
        for card in self.cards:
            if obj in card.controls:
                return card
        return None

    def ask_start_again(self) -> None:
        self.ballot_buttons.hide()
        self.confirm_bar.show()
        self.keep_voting_button.setFocus()

    def _keep_voting(self) -> None:
        self.confirm_bar.hide()
        self.ballot_buttons.show()
        self.start_again_button.setFocus()

    def _escape(self) -> None:
        page = self.page
        if page == "ballot":
            if self.confirm_bar.isVisible():
                self._keep_voting()
            else:
                self.ask_start_again()
        elif page == "review" and self.change_button.isVisible() and self.change_button.isEnabled():
            self.change_vote()
        elif (page == "review" and self.restart_button.isVisible()) or page == "thanks":
            self.go_to_start()
        elif page == "start" and not self._busy and self.offers_languages and not self.code_edit.text():
            self.go_to_start()  # back to the choice of language
        elif page == "start" and not self._busy:
            self.code_edit.clear()
            if self.view is not None:
                self.start_message.hide()

    # --- review and cast ----------------------------------------------------------------------
    def review(self) -> None:
        if self.view is None or self.status_label.property("state") != "ready":
            return
        lines = self.review_lines()
        rows = "".join(f"<tr><td style='padding: 6px 0'>{html.escape(line)}</td></tr>" for line in lines[1:])
        self.review_list.setText(f"<p style='font-weight: 700'>{html.escape(lines[0])}</p><table>{rows}</table>")
        self.review_message.hide()
        self.restart_button.hide()
        self.change_button.show()
        self.change_button.setEnabled(True)
        self.cast_button.setEnabled(True)
        self._show_page("review")
        self.cast_button.setFocus()

    def review_lines(self) -> list[str]:
        """The vote in words, one line a project."""
        return review_lines(self.view, self._marked, self._points, self.voice)

    def change_vote(self) -> None:
        self.confirm_bar.hide()
        self.ballot_buttons.show()
        self._show_page("ballot")
        self.review_button.setFocus()

    def cast(self) -> None:
        if self._busy or not self._code:
            return
        self._busy = True
        self.cast_button.setEnabled(False)
        self.change_button.setEnabled(False)
        self._say(self.review_message, self.voice._("Casting your vote…"), "info")
        event_id, code, ballot = self.event_id, self._code, self.current_ballot()

        def work(db: Any) -> str:
            from grantdesk.services.events import cast_ballot

            return cast_ballot(db, event_id, code, ballot)

        Op(self, work).success(self._cast_done).failure(self._cast_failed).run()

    def _cast_done(self, receipt: str) -> None:
        self._busy = False
        self.receipt = receipt
        self._code = ""
        self._reset_ballot()  # nothing of this vote stays on screen for the next person
        self.receipt_text.setText(self.voice._("Your receipt number is"))
        self.receipt_label.setText(receipt)
        self.receipt_label.setAccessibleDescription(self.voice._("Your receipt number is {receipt}").format(
            receipt=" ".join(receipt)))
        self._show_page("thanks")
        self.thanks_timer.start()
        self.done_button.setFocus()
        self.ballot_cast.emit(receipt)

    def _cast_failed(self, exc: BaseException) -> None:
        from grantdesk.services.events import CodeRefused, VotingClosed
        from grantdesk.voting.ballots import BallotRejected

        self._busy = False
        v = self.voice
        if isinstance(exc, BallotRejected):
            text = v._("Your vote has not been cast: {problems} Please change your vote.").format(
                problems=voter_sentences(exc.problems, v))
            self.change_button.setEnabled(True)
            self.change_button.setFocus()
        elif isinstance(exc, (CodeRefused, VotingClosed)):  # a refused code says to ask a volunteer already
            reason = self._refusal_words(exc)
            text = (v._("Your vote has not been cast. {reason} Please ask a volunteer.") if isinstance(exc, VotingClosed)
                    else v._("Your vote has not been cast. {reason}")).format(reason=reason)
            self.change_button.hide()
            self.restart_button.show()
            self.restart_button.setFocus()
        else:  # a refusal of another kind (a file, the database): the vote can be tried again
            text = v._("Your vote has not been cast yet: {reason} Please try again, or ask a volunteer.").format(
                reason=self._refusal_words(exc))
            self.cast_button.setEnabled(True)
            self.change_button.setEnabled(True)
            self.cast_button.setFocus()
        self._say(self.review_message, text.strip(), "problem")

    # --- the thank-you page -------------------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.page == "thanks" and not event.isAutoRepeat():
            self.go_to_start()  # any key: ready for the next voter
            return
        super().keyPressEvent(event)

    # --- leaving kiosk mode -------------------------------------------------------------------
    def ask_pin(self) -> None:
        """Ask for the officer's PIN; the right one closes the kiosk."""
        if self.pin_dialog is None:
            self.pin_dialog = PinDialog(self, self.pin_throttle)
            self.pin_dialog.submitted.connect(self._check_pin)
        self.pin_dialog.start_over()
        self.pin_dialog.open()
        self.pin_dialog.pin_edit.setFocus()

    def _check_pin(self, pin: str) -> None:
        event_id = self.event_id

        def work(db: Any) -> bool:
            from grantdesk.services.events import check_kiosk_pin

            return check_kiosk_pin(db, event_id, pin)

        Query(self, work).success(self._pin_checked).failure(self._pin_error).run()

    def _pin_checked(self, right: bool) -> None:
        dialog = self.pin_dialog
        if not right:
            if dialog is not None:
                dialog.wrong_pin()
            return
        self.pin_throttle.succeeded()
        self._may_close = True
        if dialog is not None:
            dialog.accept()
        self.close()

    def _pin_error(self, exc: BaseException) -> None:
        if self.pin_dialog is not None:
            self.pin_dialog.say(self.tr("The PIN could not be checked: {reason}").format(reason=refusal_text(exc)))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_close:  # Alt+F4 and the like: only the officer's PIN closes the kiosk
            event.ignore()
            self.ask_pin()
            return
        self.idle_timer.stop()
        self.thanks_timer.stop()
        QApplication.instance().removeEventFilter(self._watcher)
        event.accept()
        self.left.emit()

    # --- helpers ------------------------------------------------------------------------------
    def _refusal_words(self, exc: BaseException) -> str:
        """A refusal from the core in the voter's language. The core words refusals in the app's language;
        a voter who chose another hears the kiosk's own sentence for that kind of refusal."""
        if self.voice.language == current_language():
            return refusal_text(exc)
        from grantdesk.services.events import CodeRefused, VotingClosed

        if isinstance(exc, CodeRefused):
            return self.voice._("That code cannot be used to vote: it is not a code for this vote, or it has "
                                "already been used. Check the card and try again, or ask a volunteer for help.")
        if isinstance(exc, VotingClosed):
            return self.voice._("Voting is not open at the moment.")
        return self.voice._("Something went wrong on this screen.")

    def show_refusal(self, text: str) -> None:
        """A refusal from the core for something the kiosk asked, on the page the voter is looking at."""
        self._busy = False
        self._say(self.review_message if self.page == "review" else self.start_message, text, "problem")

    def _say(self, label: QLabel, text: str, state: str) -> None:
        label.setText(text)
        restyle(label, "state", state)
        label.show()
