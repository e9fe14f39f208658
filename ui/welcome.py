"""The welcome page: what the main window shows on a database with no funds yet.

Four ways on, each a big button with one line saying what it does: set up a fund (the New Fund
wizard), open a fund definition file, explore the sample funds (in their own database, marked SAMPLE
DATA), or open another database. The page only asks; the main window does the work.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


class WelcomePage(QWidget):
    """Heading, one sentence, and the four ways on."""

    set_up_fund = Signal()
    open_definition = Signal()
    explore_samples = Signal()
    open_database = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self.setAccessibleName(self.tr("Welcome"))

        title = QLabel(self.tr("Welcome to GrantDesk"))
        title.setObjectName("welcomeTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        title.setAccessibleName(self.tr("Welcome to GrantDesk"))
        self.intro = QLabel(self.tr("This database has no funds yet. Set up your own fund to start recording "
                                    "applications, or look around the sample funds first."))
        self.intro.setObjectName("welcomeIntro")
        self.intro.setWordWrap(True)
        self.where = QLabel()
        self.where.setObjectName("welcomeDatabase")
        self.where.setWordWrap(True)
        self.where.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel()  # a refusal of what was asked here (a fund definition file with a mistake)
        self.problem.setObjectName("welcomeProblem")
        self.problem.setAccessibleName(self.tr("Problem"))
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.setAutoFillBackground(True)
        self.problem.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.problem.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.problem.setContentsMargins(8, 6, 8, 6)
        self.problem.hide()

        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(14)
        choices = (
            ("setUpFund", self.tr("&Set up a fund…"), self.set_up_fund,
             self.tr("Name, council, areas, members or panel, rounds and the form, step by step — a few minutes "
                     "with the defaults for each way of deciding.")),
            ("openDefinition", self.tr("Open a fund &definition file…"), self.open_definition,
             self.tr("Make a fund from a .toml file exported from another GrantDesk, or written by hand.")),
            ("exploreSamples", self.tr("E&xplore the sample funds"), self.explore_samples,
             self.tr("Three invented funds in a database of their own, marked SAMPLE DATA: nothing here "
                     "is mixed with them.")),
            ("openDatabase", self.tr("&Open a database…"), self.open_database,
             self.tr("Your council's GrantDesk file, if it is kept somewhere else (a shared drive, say).")),
        )
        for row, (name, text, signal, explanation) in enumerate(choices):
            button = QPushButton(text)
            button.setObjectName(name + "Button")
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.setAccessibleDescription(explanation)
            button.setMinimumHeight(52)
            button.setMinimumWidth(280)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            big = QFont(button.font())
            big.setPointSizeF(big.pointSizeF() * 1.25)
            button.setFont(big)
            button.clicked.connect(signal.emit)
            line = QLabel(explanation)
            line.setObjectName(name + "Explanation")
            line.setWordWrap(True)
            line.setBuddy(button)
            grid.addWidget(button, row, 0)
            grid.addWidget(line, row, 1)
            self.buttons[name] = button
        grid.setColumnStretch(1, 1)
        self.buttons["setUpFund"].setDefault(True)

        box = QFrame()
        box.setObjectName("welcomeBox")
        box.setMaximumWidth(940)
        inner = QVBoxLayout(box)
        inner.setSpacing(12)
        inner.addWidget(title)
        inner.addWidget(self.intro)
        inner.addWidget(self.problem)
        inner.addSpacing(12)
        inner.addLayout(grid)
        inner.addSpacing(12)
        inner.addWidget(self.where)

        across = QHBoxLayout()
        across.addStretch(1)
        across.addWidget(box, 6)
        across.addStretch(1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 32, 32, 32)
        outer.addStretch(1)
        outer.addLayout(across)
        outer.addStretch(2)

    def set_database(self, described: str) -> None:
        """Name the open database under the buttons (where a fund set up now will be kept)."""
        self.where.setText(self.tr("Funds you set up here are kept in {0}.").format(described))

    def show_refusal(self, text: str) -> None:
        """What was asked could not be done (the reason, in the core's words); empty hides it."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def focus_first(self) -> None:
        self.buttons["setUpFund"].setFocus(Qt.FocusReason.OtherFocusReason)
