"""The panel window's tables: the score grid (applications × criteria, for one panellist) and the ranked
results, as ``QAbstractTableModel``s with their delegates.

Both models keep the score sheet's rows (``grantdesk.services.panels.ApplicationScores``) in their own
list and sort it themselves, by native values (pence, exact fractions, ranks), not through a proxy;
``SORT_ROLE`` gives the value a column sorts by, ``ROW_ROLE`` the row behind an index. A new sheet
with the same applications and criteria updates the cells in place (``dataChanged``), so the current
cell, the selection and an open editor survive another window's change.

Numbers are shown by the one rounding rule (``grantdesk.domain.rounding``), the same as on paper.
Colours come from the palette, so dark and high-contrast themes read as well as the default.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from grantdesk.domain.money import format_money
from grantdesk.domain.rounding import rounded_text
from grantdesk.i18n import N_, pgettext

SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the native value a column sorts by
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the ApplicationScores behind a row
DETAIL_ROLE = Qt.ItemDataRole.UserRole + 3  # a second, quieter line under the cell's text
SCORE_ROLE = Qt.ItemDataRole.UserRole + 4  # a grid cell's stored score: int, CANT, or None (not scored)
NOTE_ROLE = Qt.ItemDataRole.UserRole + 5  # a grid cell's stored note
BAR_ROLE = Qt.ItemDataRole.UserRole + 6  # the weighted score as a share of the most it could be (0–1)
MUTED_ROLE = Qt.ItemDataRole.UserRole + 7  # True: draw the cell's text quietly (nothing to say yet)

CANT = "cant"  # "can't judge", as a choice in the score editor
# In the order the brief and the register of interests list them.
INTEREST_KINDS = (("none", N_("No interest")), ("other_registrable", N_("Other registrable interest")),
                  ("non_registrable", N_("Non-registrable interest")), ("dpi", N_("Disclosable pecuniary interest")))
INTEREST_WORDS = dict(INTEREST_KINDS)  # marked for the catalogue: shown through tr()
# A panel's outcomes; "fund" is never shown alone (it is "Fund {amount}", or the "panel outcome" context:
# the verb, where a column of funds says the noun).
OUTCOME_WORDS = {"fund": "Fund", "decline": N_("Do not fund"), "defer": N_("Defer")}
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def tr(text: str) -> str:
    """Words shown by the module's functions (classes use ``self.tr``)."""
    return QCoreApplication.translate("PanelModels", text)


def number_text(value: int | Fraction | None) -> str:
    """A score or mean for people: whole numbers as they are, others to two places by the one rounding
    rule (107/40 → "2.68", as the printed sheets say); a dash for none."""
    if value is None:
        return "–"
    return rounded_text(Fraction(value), 2, whole_as_is=True)


def interest_text(interest: Any) -> str:
    """A declared interest in words: "Non-registrable interest: my daughter runs the group"."""
    return f"{tr(INTEREST_WORDS[interest.kind]) if interest.kind in INTEREST_WORDS else interest.kind}: {interest.nature}"


def decision_text(d: Any, *, short: bool = False) -> str:
    """A panel decision in words: "Fund £1,000.00 — differs from the scores (applied)"; ``short`` for a
    table cell ("Fund £1,000.00 · differs"; whether it is applied goes on the line below)."""
    if d is None:
        return "–" if short else ""
    text = (tr("Fund {amount}").format(amount=format_money(d.amount_pence)) if d.outcome == "fund"
            else tr(OUTCOME_WORDS[d.outcome]))
    if short:
        return text + (" · " + tr("differs") if d.differs_from_scores else "")
    return (text + (" — " + tr("differs from the scores") if d.differs_from_scores else "")
            + (" " + tr("(applied)") if d.applied else ""))


def muted(palette: QPalette, over: QPalette.ColorRole = QPalette.ColorRole.Base) -> QColor:
    """Quiet text for this palette, as an opaque colour (so it also works in rich text): its placeholder
    colour laid over the ``over`` background; halfway between text and background if it has none."""
    back = palette.color(over)
    colour = palette.color(QPalette.ColorRole.PlaceholderText)
    if colour.alpha() == 0 or colour.rgb() == back.rgb():
        colour = palette.color(QPalette.ColorRole.Text)
        colour.setAlpha(128)
    a = colour.alphaF()
    return QColor(round(colour.red() * a + back.red() * (1 - a)), round(colour.green() * a + back.green() * (1 - a)),
                  round(colour.blue() * a + back.blue() * (1 - a)))


# --- the shared shape of both tables --------------------------------------------------------------------


class _SheetRows(QAbstractTableModel):
    """Rows are a score sheet's applications, kept in the model's own sorted list."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.sheet: Any = None
        self.rows: list[Any] = []  # ApplicationScores, in display order
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.AscendingOrder)

    # subclasses: columns, cell values
    def headers(self) -> list[str]:
        raise NotImplementedError

    def sort_key(self, column: int) -> Callable[[Any], Any]:
        raise NotImplementedError

    def _structure(self, sheet: Any) -> tuple:
        return (frozenset(a.application_id for a in sheet.applications),
                tuple((c.id, c.name, c.weight, c.low, c.high) for c in sheet.criteria))

    def set_sheet(self, sheet: Any) -> None:
        """Show ``sheet``; with the same applications and criteria as before, cell by cell in place."""
        same = self.sheet is not None and self._structure(sheet) == self._structure(self.sheet)
        if not same:
            self.beginResetModel()
            self.sheet = sheet
            self.rows = list(sheet.applications)
            self._apply_sort()
            self.endResetModel()
            return
        self.sheet = sheet
        by_id = {a.application_id: a for a in sheet.applications}
        self.rows = [by_id[a.application_id] for a in self.rows]
        self.resort()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))

    def row_of(self, application_id: int) -> int:
        for n, a in enumerate(self.rows):
            if a.application_id == application_id:
                return n
        raise KeyError(application_id)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.sheet is None else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() or self.sheet is None else len(self.headers())

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or self.sheet is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tip(section)
        return None

    def header_tip(self, section: int) -> str | None:
        return None

    # --- sorting, in the model ------------------------------------------------------------------
    def _apply_sort(self) -> None:
        column, order = self._sort
        if self.sheet is None or not 0 <= column < len(self.headers()):
            return
        key = self.sort_key(column)
        present = [a for a in self.rows if key(a) is not None]
        missing = [a for a in self.rows if key(a) is None]  # nothing to sort by: always last
        present.sort(key=lambda a: (key(a), a.reference), reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = present + sorted(missing, key=lambda a: a.reference)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort = (column, order)
        self.resort()

    def resort(self) -> None:
        """Put the rows in the current order again, keeping the current cell and selection on their rows."""
        self.layoutAboutToBeChanged.emit()
        persistent = [p for p in self.persistentIndexList() if p.isValid()]
        kept = [(p, self.rows[p.row()].application_id) for p in persistent if p.row() < len(self.rows)]
        self._apply_sort()
        position = {a.application_id: n for n, a in enumerate(self.rows)}
        self.changePersistentIndexList([p for p, _ in kept],
                                       [self.index(position[i], p.column()) if i in position else QModelIndex()
                                        for p, i in kept])
        self.layoutChanged.emit()


# --- the score grid ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """What one grid cell holds for the chosen panellist."""

    application: Any  # ApplicationScores
    criterion: Any  # CriterionView
    scored: bool
    score: int | None  # None with scored: can't judge
    note: str
    interest: Any  # the panellist's InterestView in this application, if any
    final: bool  # the panel's decision on it has been applied

    @property
    def editable(self) -> bool:
        return self.interest is None and not self.final

    @property
    def choice(self) -> Any:
        """The stored score as the editor offers it: a number, ``CANT``, or ``None`` when not scored."""
        if not self.scored:
            return None
        return CANT if self.score is None else self.score


class ScoreGridModel(_SheetRows):
    """One panellist's scores: a row per application, a column per criterion, then their interest.

    A cell holds the score (``SCORE_ROLE``: a number, ``CANT`` for can't judge, ``None`` if not
    scored), the note (``NOTE_ROLE``) and shows both. Editing a cell (``setData`` with a number or
    ``CANT``) does not write anything: it emits ``score_entered(application_id, criterion_id, score,
    note)`` for the window to record, and shows the new score as being saved until the next sheet."""

    APPLICATION = 0
    score_entered = Signal(int, int, object, str)  # application id, criterion id, score (None: can't judge), note

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.panellist_id: int | None = None
        self.pending: dict[tuple[int, int], Any] = {}  # (application, criterion) → the choice being saved
        self.drafts: dict[tuple[int, int], str] = {}  # notes typed but not yet kept (no score yet)

    # columns
    def headers(self) -> list[str]:
        return ([self.tr("Application")]
                + [textwrap.fill(c.name, 24) + "\n" + self.tr("×{weight} · {low} to {high}").format(
                    weight=c.weight, low=c.low, high=c.high) for c in self.sheet.criteria]
                + [self.tr("Interest declared")])

    @property
    def interest_column(self) -> int:
        return len(self.sheet.criteria) + 1

    def criterion_at(self, column: int) -> Any | None:
        if self.sheet is None or not 1 <= column <= len(self.sheet.criteria):
            return None
        return self.sheet.criteria[column - 1]

    def column_of(self, criterion_id: int) -> int:
        return 1 + next(n for n, c in enumerate(self.sheet.criteria) if c.id == criterion_id)

    def index_of(self, application_id: int, criterion_id: int) -> QModelIndex:
        return self.index(self.row_of(application_id), self.column_of(criterion_id))

    def header_tip(self, section: int) -> str | None:
        c = self.criterion_at(section)
        if c is not None:
            return (f"{c.description}\n" if c.description else "") + self.tr(
                "Score from {low} to {high}, or “Can't judge”. Weight ×{weight} in the weighted score.").format(
                low=c.low, high=c.high, weight=c.weight)
        if section == 0:
            return self.tr("The applications this panel decides, by reference")
        return self.tr("Whether the chosen panellist has declared an interest in the application")

    def set_panellist(self, panellist_id: int | None) -> None:
        if panellist_id == self.panellist_id:
            return
        self.panellist_id = panellist_id
        self.pending.clear()
        self.drafts.clear()
        self.resort()
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, self.columnCount() - 1))

    def set_sheet(self, sheet: Any) -> None:
        self.pending.clear()
        super().set_sheet(sheet)

    def cell(self, index: QModelIndex | QPersistentModelIndex) -> Cell | None:
        c = self.criterion_at(index.column()) if index.isValid() else None
        if c is None:
            return None
        a = self.rows[index.row()]
        person = self.panellist_id
        stored = next((s for s in a.scores if s.panellist_id == person and s.criterion_id == c.id), None)
        return Cell(a, c, stored is not None, stored.score if stored else None, stored.note if stored else "",
                    a.conflicted.get(person) if person is not None else None,
                    a.decision is not None and a.decision.applied)

    def sort_key(self, column: int) -> Callable[[Any], Any]:
        if column == self.APPLICATION:
            return lambda a: a.reference
        if column == self.interest_column:
            return lambda a: 0 if self.panellist_id in a.conflicted else 1
        c = self.criterion_at(column)
        person = self.panellist_id

        def score(a: Any) -> Any:  # scores in number order, then can't judge; not scored: last
            s = next((s for s in a.scores if s.panellist_id == person and s.criterion_id == c.id), None)
            if s is None:
                return None
            return (0, s.score) if s.score is not None else (1, 0)

        return score

    # cells
    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        cell = self.cell(index)
        if cell is not None and cell.editable and self.panellist_id is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.sheet is None:
            return None
        a = self.rows[index.row()]
        col = index.column()
        if role == ROW_ROLE:
            return a
        if role == SORT_ROLE:
            return self.sort_key(col)(a)
        if col == self.APPLICATION:
            return self._application_data(a, role)
        if col == self.interest_column:
            return self._interest_data(a, role)
        cell = self.cell(index)
        return self._cell_data(cell, role) if cell is not None else None

    def _application_data(self, a: Any, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{a.reference} · {a.title}"
        if role == DETAIL_ROLE:
            return f"{a.organisation} · {format_money(a.amount_pence)}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{a.reference} · {a.title}\n" + self.tr("{organisation}, asking for {amount}").format(
                organisation=a.organisation, amount=format_money(a.amount_pence))
        return None

    def _interest_data(self, a: Any, role: int) -> Any:
        interest = a.conflicted.get(self.panellist_id) if self.panellist_id is not None else None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.tr(INTEREST_WORDS[interest.kind]) if interest else "–"
        if role == DETAIL_ROLE:
            return interest.nature if interest else ""
        if role == MUTED_ROLE:
            return interest is None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            if interest is None:
                return self.tr("No interest declared by this panellist")
            return self.tr("Interest declared on {date}: {interest}").format(
                date=f"{interest.declared_on:%d/%m/%Y}", interest=interest_text(interest))
        return None

    def _cell_data(self, cell: Cell, role: int) -> Any:
        key = (cell.application.application_id, cell.criterion.id)
        choice = self.pending.get(key, cell.choice)
        words = "–" if choice is None else self.tr("Can't judge") if choice == CANT else str(choice)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if cell.interest is not None:
                return self.tr("Interest declared")
            return self.tr("{score} (saving…)").format(score=words) if key in self.pending else words
        if role == SCORE_ROLE:
            return choice
        if role == NOTE_ROLE:
            return cell.note
        if role == DETAIL_ROLE:
            if cell.interest is not None:
                return self.tr("Cannot score it")
            return self.drafts.get(key, cell.note)
        if role == MUTED_ROLE:
            return choice is None or cell.interest is not None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _LEFT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._cell_tip(cell)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            said = self.tr("interest declared") if cell.interest is not None else (
                self.tr("not scored") if choice is None else self.tr("can't judge") if choice == CANT
                else self.tr("score {score}").format(score=choice))
            note = "; " + self.tr("note: {note}").format(note=cell.note) if cell.note and cell.interest is None else ""
            return f"{cell.application.reference}, {cell.criterion.name}: {said}{note}"
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return self._cell_tip(cell)
        return None

    def _cell_tip(self, cell: Cell) -> str:
        c = cell.criterion
        if cell.interest is not None:
            return self.tr("An interest is declared ({interest}), so this panellist cannot score it.").format(
                interest=interest_text(cell.interest))
        if cell.final:
            return self.tr("The panel's decision has been applied: scores are final.")
        return (self.tr("{criterion}: type a score from {low} to {high}, or C for “Can't judge”, then Enter.").format(
                    criterion=c.name, low=c.low, high=c.high)
                + ("\n" + self.tr("Note: {note}").format(note=cell.note) if cell.note else ""))

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A score chosen in the grid (a number or ``CANT``): shown as being saved, and asked for."""
        cell = self.cell(index)
        if role != Qt.ItemDataRole.EditRole or cell is None or not cell.editable or self.panellist_id is None:
            return False
        if value != CANT and (not isinstance(value, int) or not cell.criterion.low <= value <= cell.criterion.high):
            return False
        key = (cell.application.application_id, cell.criterion.id)
        note = self.drafts.get(key, cell.note)
        if value == cell.choice and note == cell.note:
            return False
        self.pending[key] = value
        self.dataChanged.emit(index, index)
        self.score_entered.emit(key[0], key[1], None if value == CANT else value, note)
        return True


# --- delegates -----------------------------------------------------------------------------------------------


class TwoLineDelegate(QStyledItemDelegate):
    """A cell's text with a quieter second line under it (``DETAIL_ROLE``), each elided to fit, in the
    palette's colours (quiet text from its placeholder colour; selected text as the palette selects)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text, detail = opt.text, index.data(DETAIL_ROLE) or ""
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette = opt.palette
        strong = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        quiet = strong if selected else muted(palette)
        rect = opt.rect.adjusted(6, 3, -6, -3)
        painter.save()
        metrics = opt.fontMetrics
        line = metrics.height()
        if detail:
            top = QRect(rect.left(), rect.top() + max(0, (rect.height() - 2 * line) // 2), rect.width(), line)
        else:
            top = QRect(rect.left(), rect.top(), rect.width(), rect.height())
        painter.setFont(opt.font)
        painter.setPen(quiet if index.data(MUTED_ROLE) else strong)
        align = _LEFT if detail else int(opt.displayAlignment)
        painter.drawText(top, align, metrics.elidedText(text, Qt.TextElideMode.ElideRight, top.width()))
        if detail:
            small = QFont(opt.font)
            small.setPointSizeF(max(7.0, opt.font.pointSizeF() * 0.9))
            painter.setFont(small)
            painter.setPen(quiet)
            below = QRect(rect.left(), top.bottom() + 1, rect.width(), line)
            painter.drawText(below, _LEFT, painter.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideRight,
                                                                            below.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 12, max(hint.height(), 2 * option.fontMetrics.height() + 10))


class ScoreEditor(QComboBox):
    """The list a score is chosen from. Typing searches it (so "1" then "0" reaches 10) and Enter or
    Tab keeps the choice; a choice made in its opened list (a click) is kept at once: ``picked``."""

    picked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._from_list = False
        self.activated.connect(self._activated)

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        self._from_list = True
        super().showPopup()

    def hidePopup(self) -> None:  # noqa: N802
        super().hidePopup()
        QTimer.singleShot(0, self._list_closed)  # after the choice it closed with, if any, is reported

    def _list_closed(self) -> None:
        self._from_list = False

    def _activated(self, _index: int) -> None:
        if self._from_list:
            self._from_list = False
            self.picked.emit()


class ScoreDelegate(TwoLineDelegate):
    """Edits a score with a list of the criterion's scores and “Can't judge”: type the number (or C)
    and press Enter or Tab; a choice clicked in the opened list is kept at once."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> QWidget | None:  # noqa: N802
        model = index.model()
        cell = model.cell(index) if isinstance(model, ScoreGridModel) else None
        if cell is None or not cell.editable:
            return None
        c = cell.criterion
        combo = ScoreEditor(parent)
        combo.setObjectName("scoreEditor")
        combo.setAccessibleName(self.tr("{reference}, {criterion}: score").format(
            reference=cell.application.reference, criterion=c.name))
        combo.setAccessibleDescription(self.tr("A score from {low} to {high}, or Can't judge").format(
            low=c.low, high=c.high))
        for value in range(c.low, c.high + 1):
            combo.addItem(str(value), value)
        combo.addItem(self.tr("Can't judge"), CANT)
        combo.setPlaceholderText(self.tr("Score…"))
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        combo.picked.connect(lambda editor=combo: self._chosen(editor))
        return combo

    def _chosen(self, editor: QComboBox) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            choice = index.data(SCORE_ROLE)
            editor.setCurrentIndex(editor.findData(choice) if choice is not None else -1)

    def setModelData(self, editor: QWidget, model: Any, index: QModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QComboBox) and editor.currentIndex() >= 0:
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        rect = option.rect
        height = min(rect.height(), max(editor.sizeHint().height(), option.fontMetrics.height() + 8))
        editor.setGeometry(QRect(rect.left(), rect.top() + (rect.height() - height) // 2, rect.width(), height))


# --- the results table ----------------------------------------------------------------------------------------


class ResultsModel(_SheetRows):
    """The applications ranked by weighted score: rank, application (with who asked and for how much),
    the weighted score, one column per criterion (its mean), who scored it (and who declared an
    interest), what the raw scores suggest and the decision (with its reason). Sorts by native
    values: ranks, references, exact scores, counts. Sized to fit 1280 pixels with three criteria."""

    RANK, APPLICATION, WEIGHTED = range(3)
    FIRST_MEAN = 3
    AFTER = ("Scorers", "Suggest", "Decision")

    def headers(self) -> list[str]:
        return ([self.tr("Rank"), self.tr("Application"),
                 self.tr("Weighted score\n(of {most})").format(most=self.sheet.max_weighted)]
                + [textwrap.fill(c.name, 14) + "\n" + self.tr("×{weight} · mean").format(weight=c.weight)
                   for c in self.sheet.criteria]
                + [self.tr("Scored by"), self.tr("Raw scores\nsuggest"), self.tr("Decision")])

    @property
    def bar_column(self) -> int:
        return self.WEIGHTED

    def column(self, name: str) -> int:
        """The index of a column after the criteria: "Scorers", "Suggest" or "Decision"."""
        return self.FIRST_MEAN + len(self.sheet.criteria) + self.AFTER.index(name)

    def _criterion(self, column: int) -> Any | None:
        n = column - self.FIRST_MEAN
        return self.sheet.criteria[n] if 0 <= n < len(self.sheet.criteria) else None

    def header_tip(self, section: int) -> str | None:
        c = self._criterion(section)
        if c is not None:
            return self.tr("{criterion}: the mean of the scores given ({low} to {high}), leaving out “can't judge”").format(
                criterion=c.name, low=c.low, high=c.high)
        after = section - self.FIRST_MEAN - len(self.sheet.criteria)
        if 0 <= after < len(self.AFTER):
            return (self.tr("Panellists who scored it, and any who declared an interest"),
                    self.tr("Whether the raw scores would fund it, down the ranking within the budget"),
                    self.tr("The panel's decision after deliberation, and its reason"))[after]
        return {self.RANK: self.tr("Rank by weighted score"),
                self.APPLICATION: self.tr("Reference and title; who asked, and for how much"),
                self.WEIGHTED: self.tr("Σ weight × mean score, leaving out “can't judge”")}.get(section)

    def sort_key(self, column: int) -> Callable[[Any], Any]:
        c = self._criterion(column)
        if c is not None:
            return lambda a: a.means.get(c.id)
        keys: dict[int, Callable[[Any], Any]] = {
            self.RANK: lambda a: a.rank, self.APPLICATION: lambda a: a.reference,
            self.WEIGHTED: lambda a: a.weighted,
            self.column("Scorers"): lambda a: len({s.panellist_id for s in a.scores}),
            self.column("Suggest"): lambda a: None if a.weighted is None else (0 if a.suggested else 1),
            self.column("Decision"): lambda a: None if a.decision is None else
            ("fund", "defer", "decline").index(a.decision.outcome),
        }
        return keys[column]

    def _names(self) -> dict[int, str]:
        return {p.id: p.name for p in self.sheet.panellists}

    def text(self, row: int, column: int) -> str:
        a = self.rows[row]
        c = self._criterion(column)
        if c is not None:
            return number_text(a.means.get(c.id))
        if column == self.RANK:
            return str(a.rank)
        if column == self.APPLICATION:
            return f"{a.reference} · {a.title}"
        if column == self.WEIGHTED:
            return self.tr("{score} of {most}").format(score=number_text(a.weighted), most=self.sheet.max_weighted) \
                if a.weighted is not None else "–"
        if column == self.column("Scorers"):
            return self.tr("{scored} of {panellists}").format(scored=len({s.panellist_id for s in a.scores}),
                                                            panellists=len(self.sheet.panellists))
        if column == self.column("Suggest"):
            return self.tr("Not scored") if a.weighted is None else pgettext("panel outcome", "Fund") \
                if a.suggested else self.tr("Not funded")
        return decision_text(a.decision, short=True)

    def detail(self, row: int, column: int) -> str:
        """The quieter second line of a cell."""
        a = self.rows[row]
        if column == self.APPLICATION:
            return f"{a.organisation} · {format_money(a.amount_pence)}"
        if column == self.column("Scorers") and a.conflicted:
            names = self._names()
            return self.tr("Interest: {names}").format(names=", ".join(names.get(pid, str(pid)) for pid in a.conflicted))
        if column == self.column("Decision") and a.decision is not None:
            return (self.tr("Applied") if a.decision.applied else self.tr("Not applied yet")) + (
                f" · {a.decision.reason}" if a.decision.reason else "")
        return ""

    def tip(self, row: int, column: int) -> str:
        a = self.rows[row]
        if column == self.APPLICATION:
            return f"{a.reference} · {a.title}\n" + self.tr("{organisation}, asking for {amount}").format(
                organisation=a.organisation, amount=format_money(a.amount_pence))
        if column == self.column("Scorers"):
            names = self._names()
            scored = self.tr("Scored by {scored} panellists.").format(scored=self.text(row, column))
            interests = "; ".join(f"{names.get(pid, pid)}: {interest_text(i)}" for pid, i in a.conflicted.items())
            return scored + ("\n" + self.tr("Declared interests — {interests}").format(interests=interests)
                             if interests else " " + self.tr("No declared interests."))
        if column == self.column("Suggest"):
            return (self.tr("Nobody has scored it yet.") if a.weighted is None else
                    self.tr("Down the ranking, within the budget, the raw scores fund this application.")
                    if a.suggested else
                    self.tr("Down the ranking, within the budget, the raw scores do not fund this application."))
        if column == self.column("Decision"):
            d = a.decision
            return (decision_text(d) + (f": {d.reason}" if d.reason else "")) if d else self.tr("No decision yet.")
        return self.text(row, column)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.sheet is None:
            return None
        row, col = index.row(), index.column()
        a = self.rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, col)
        if role == DETAIL_ROLE:
            return self.detail(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tip(row, col)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            detail = self.detail(row, col)
            return f"{self.headers()[col].replace(chr(10), ' ')}: {self.text(row, col)}" + (f"; {detail}" if detail else "")
        if role == SORT_ROLE:
            return self.sort_key(col)(a)
        if role == ROW_ROLE:
            return a
        if role == BAR_ROLE and col == self.WEIGHTED:
            top = self.sheet.max_weighted or 1
            return float(a.weighted / top) if a.weighted is not None else None
        if role == MUTED_ROLE:
            return self.text(row, col) in ("–", self.tr("Not scored"), self.tr("Not funded"))
        if role == Qt.ItemDataRole.FontRole and col == self.column("Suggest") and a.weighted is not None \
                and a.suggested:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _RIGHT if col == self.RANK or self._criterion(col) is not None else _LEFT
        return None


class BarDelegate(QStyledItemDelegate):
    """The weighted score as a bar with its number beside it (not on it, so it reads in any theme)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        if widget is not None:
            widget.style().drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        share = index.data(BAR_ROLE)
        palette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = opt.rect.adjusted(6, 0, -6, 0)
        text_width = opt.fontMetrics.horizontalAdvance(QCoreApplication.translate("PanelModels", "{score} of {most}").format(
            score="00.00", most="000")) + 4
        bar = QRect(rect.left(), rect.center().y() - 5, max(0, rect.width() - text_width - 8), 10)
        painter.setPen(Qt.PenStyle.NoPen)
        track = palette.color(QPalette.ColorRole.Mid)
        track.setAlpha(90)
        painter.setBrush(track)
        painter.drawRoundedRect(bar, 3, 3)
        if share:
            filled = QRect(bar)
            filled.setWidth(max(2, round(bar.width() * min(1.0, share))))
            painter.setBrush(palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Highlight))
            painter.drawRoundedRect(filled, 3, 3)
        painter.setPen(palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text))
        label = QRect(bar.right() + 8, rect.top(), rect.right() - bar.right() - 8, rect.height())
        painter.drawText(label, _RIGHT, opt.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, label.width()))
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width() + 90, 200), hint.height())


def applications_in(model: _SheetRows) -> Sequence[str]:
    """The references in the model's current order (for tests and reading aloud)."""
    return [a.reference for a in model.rows]
