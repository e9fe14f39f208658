"""Keying a paper ballot's marks fast: the projects' ballot numbers typed in one line (approval,
choose-one, knapsack, ranked), or one small box per project (score, cumulative; ``-`` is "can't
judge"); and a keying shown back in the same terms — each project by its number and title."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QScrollArea, QSpinBox, QVBoxLayout, QWidget

from grantdesk.domain.money import format_money
from grantdesk.voting.ballots import CANT_JUDGE, CastBallot


class EntryError(ValueError):
    """What the volunteer typed cannot be read as marks; the message says what to fix."""


class MarkSpin(QSpinBox):
    """A score or token box that can also be empty (not marked) or ``-`` (can't judge)."""

    def __init__(self, low: int, high: int, cant_judge: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.cant_judge = cant_judge
        self.blank = low - (2 if cant_judge else 1)
        self.cant = low - 1 if cant_judge else None
        self.low, self.high = low, high
        self.setRange(self.blank, high)
        self.setValue(self.blank)
        self.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setFixedWidth(56)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def textFromValue(self, value: int) -> str:
        if value == self.blank:
            return ""
        if value == self.cant:
            return "-"
        return str(value)

    def valueFromText(self, text: str) -> int:
        text = text.strip()
        if not text:
            return self.blank
        if text in ("-", "–") and self.cant is not None:
            return self.cant
        try:
            return int(text)
        except ValueError:
            return self.blank

    def validate(self, text: str, pos: int) -> QValidator.State:
        text = text.strip()
        if not text or (text in ("-", "–") and self.cant is not None):
            return QValidator.State.Acceptable
        if text.isdigit():
            if self.low <= int(text) <= self.high:
                return QValidator.State.Acceptable
            # "1" may be the start of "10"
            return QValidator.State.Intermediate if int(text) < self.low else QValidator.State.Invalid
        return QValidator.State.Invalid

    def wheelEvent(self, event) -> None:  # scrolling the page must not change a mark
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def mark(self) -> int | None | str:
        """The box's mark: a number, ``CANT_JUDGE``, or ``""`` when not marked."""
        self.interpretText()
        value = self.value()
        if value == self.blank:
            return ""
        if value == self.cant:
            return CANT_JUDGE
        return value

    def clear_mark(self) -> None:
        self.setValue(self.blank)
        self.lineEdit().clear()


class MarksEntry(QWidget):
    """The marks of one ballot, keyed fast. Built from the event's ballot paper (``EventView``)."""

    submitted = Signal()  # Enter pressed in a field

    def __init__(self, event: Any, parent: QWidget | None = None, *, show_legend: bool = True):
        super().__init__(parent)
        self.paper = event
        self.projects = tuple(event.projects)
        self.rules = event.rules
        self.has_points = bool(event.rules.has_points)
        self.kind = event.ballot_kind
        self.line: QLineEdit | None = None
        self.spins: list[MarkSpin] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if self.has_points:
            layout.addWidget(self._build_grid())
        else:
            self.line = QLineEdit()
            self.line.setObjectName("marksEdit")
            ranked = self.kind == "ranked"
            self.line.setAccessibleName(self.tr("Projects in order of preference, by their numbers") if ranked
                                        else self.tr("Projects marked, by their numbers"))
            self.line.setPlaceholderText(self.tr("e.g. 3 1 4 — first choice first") if ranked
                                         else self.tr("e.g. 1 4 or 1, 4"))
            self.line.installEventFilter(self)
            font = self.line.font()
            font.setPointSizeF(font.pointSizeF() * 1.4)
            self.line.setFont(font)
            layout.addWidget(self.line)
            if show_legend:
                layout.addWidget(self._build_legend())

    # --- building ---------------------------------------------------------------------------------
    def _build_legend(self) -> QWidget:
        legend = QLabel()
        legend.setObjectName("ballotLegend")
        legend.setTextFormat(Qt.TextFormat.RichText)
        legend.setWordWrap(True)
        rows = "".join(
            f"<tr><td align='right'><b>{n}</b>&nbsp;</td><td>{escape(p.title)}</td>"
            f"<td style='color:#4b5563'>&nbsp;{escape(p.reference)}&nbsp;</td>"
            f"<td align='right' style='color:#4b5563'>{format_money(p.amount_pence)}</td></tr>"
            for n, p in enumerate(self.projects, start=1))
        heading = self.tr("Numbers on the ballot paper")
        legend.setText(f"<div style='color:#4b5563'>{heading}</div>"
                       f"<table cellspacing='3' style='font-size: 11pt'>{rows}</table>")
        legend.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        legend.setAccessibleName(self.tr("Ballot numbers of the projects"))
        scroll = QScrollArea()
        scroll.setWidget(legend)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumHeight(min(240, 26 * len(self.projects) + 8))
        return scroll

    def _build_grid(self) -> QWidget:
        rules = self.rules
        if self.kind == "score":
            low, high, cant = rules.low, rules.high, bool(rules.cant_judge)
        else:  # cumulative: an empty box (or 0) is no tokens; numbers as the voter wrote them
            low, high, cant = 0, 999, False
        body = QWidget()
        grid = QGridLayout(body)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        columns = 2 if len(self.projects) > 8 else 1
        per_column = -(-len(self.projects) // columns)
        for n, p in enumerate(self.projects):
            spin = MarkSpin(low, high, cant)
            spin.setObjectName(f"mark_{n + 1}")
            spin.setAccessibleName((self.tr("Project {n}, {title}: score") if self.kind == "score"
                                    else self.tr("Project {n}, {title}: tokens")).format(n=n + 1, title=p.title))
            spin.setToolTip(f"{p.reference} · {p.title} · {format_money(p.amount_pence)}")
            spin.installEventFilter(self)
            label = QLabel(f"<b>{n + 1}</b>&nbsp; {escape(p.title)}")
            label.setBuddy(spin)
            row, col = n % per_column, (n // per_column) * 3
            grid.addWidget(spin, row, col)
            grid.addWidget(label, row, col + 1)
            self.spins.append(spin)
        grid.setColumnStretch(grid.columnCount(), 1)
        if self.kind == "score":
            hint = (self.tr("Scores {low} to {high};  -  can't judge;  empty: not marked") if cant
                    else self.tr("Scores {low} to {high};  empty: not marked")).format(low=low, high=high)
        else:
            hint = self.tr("Tokens as written ({tokens} each);  empty: none").format(tokens=rules.tokens)
        note = QLabel(hint)
        note.setObjectName("marksHint")
        note.setStyleSheet("color: #4b5563;")
        grid.addWidget(note, per_column, 0, 1, grid.columnCount())
        grid.setRowStretch(per_column + 1, 1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setMinimumHeight(min(360, 30 * per_column + 30))
        return scroll

    # --- use --------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if isinstance(watched, QSpinBox):
                watched.interpretText()
            self.submitted.emit()
            return True
        return super().eventFilter(watched, event)

    def fields(self) -> list[QWidget]:
        return [self.line] if self.line is not None else list(self.spins)

    def first_field(self) -> QWidget:
        return self.line if self.line is not None else self.spins[0]

    def clear(self) -> None:
        if self.line is not None:
            self.line.clear()
        for spin in self.spins:
            spin.clear_mark()

    def is_empty(self) -> bool:
        if self.line is not None:
            return not self.line.text().strip()
        return all(spin.mark() == "" for spin in self.spins)

    def ballot(self) -> CastBallot:
        """The marks as a ballot; ``EntryError`` when something typed is not a mark."""
        if self.line is not None:
            return CastBallot.marked("", *self._read_line(self.line.text()))
        points: dict[str, int | None] = {}
        for p, spin in zip(self.projects, self.spins, strict=True):
            mark = spin.mark()
            if mark == "" or (self.kind == "cumulative" and mark == 0):
                continue
            points[p.reference] = mark  # type: ignore[assignment]
        return CastBallot.scored("", points)

    def _read_line(self, text: str) -> list[str]:
        n = len(self.projects)
        refs: list[str] = []
        seen: set[int] = set()
        for token in (t for t in re.split(r"[\s,;]+", text.strip()) if t):
            if not token.isdigit() or not 1 <= int(token) <= n:
                raise EntryError(self.tr("“{token}” is not a project's number; type numbers from 1 to {n}, as in "
                                         "the list.").format(token=token, n=n))
            number = int(token)
            if number in seen and self.kind != "ranked":
                raise EntryError(self.tr("Project {n} is typed twice; a project is marked once.").format(n=number))
            seen.add(number)
            refs.append(self.projects[number - 1].reference)
        if self.kind != "ranked":  # crosses have no order: two keyings of the same crosses agree
            order = {p.reference: n for n, p in enumerate(self.projects)}
            refs.sort(key=order.__getitem__)
        return refs

    def keying_text(self, keying: Any) -> str:
        """A keying (``grantdesk.services.events.Keying``) in words, each project by its number on the
        ballot paper and its title, for the mismatch list: ``"4 · Idea 4"``, ``"1 · Idea 1: 5, 2 · Idea 2:
        can’t judge"``, ``"blank"`` or ``"spoilt (unreadable)"``."""
        return keying_text(self.projects, keying)


def keying_text(projects: Sequence[Any], keying: Any) -> str:
    """See ``MarksEntry.keying_text``; ``projects`` are the ballot paper's, in its order."""
    if keying.spoilt_reason is not None:
        return QCoreApplication.translate("PaperMarks", "spoilt ({reason})").format(reason=keying.spoilt_reason)
    if not keying.choices:
        return QCoreApplication.translate("PaperMarks", "blank")
    named = {p.reference: f"{n} · {p.title}" for n, p in enumerate(projects, start=1)}
    names = [named.get(reference, reference) for reference in keying.choices]
    if keying.points is None:
        return ", ".join(names)
    cant = QCoreApplication.translate("PaperMarks", "can’t judge")
    return ", ".join(f"{name}: {cant if mark is CANT_JUDGE else mark}"
                     for name, mark in zip(names, keying.points, strict=True))


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
