"""Counting paper ballots: a fast keyboard screen where every sheet is keyed twice.

- The volunteer writes a number on each paper ballot and keys it: the sheet number (filled in with
  the next one), then the marks. Approval, choose-one, knapsack and ranked ballots take the projects'
  ballot numbers typed in one line (``2 5 7`` or ``2, 5, 7``; in preference order for ranked); score
  and cumulative ballots take one small box per project (Tab moves along, ``-`` is "can't judge",
  an empty box is a project left unmarked). Enter keys the sheet; Ctrl+S keys it as spoilt.
- In second-keying mode the next sheet keyed only once comes up by itself, and the first keying's
  marks are never shown: the two keyings must be independent for double entry to catch slips.
- Sheets whose two keyings differ are listed, each keying in words, for an officer to resolve after
  looking at the paper (keep one keying, key it as it reads, or spoil it), always with a reason.
- Totals of paper and kiosk ballots are shown apart and together, refreshed after each keying.
- "Keying as" names the person at the keyboard (the window's user to begin with; a second volunteer on
  the same laptop types their own name): the service refuses a second keying by the person who keyed
  the first, and this screen shows why. A first keying that breaks the ballot's rules is shown at once
  as spoilt as keyed, with the rule quoted.
- "Print blank ballots…" (Ctrl+P) saves the numbered paper ballots this screen expects as a PDF.

Every database call runs through the operations layer (``ui.operations``): the ballot paper and the
count so far are ``Query``s, keying a sheet and resolving a mismatch are ``Op``s, so what is keyed here
is broadcast — an open results screen or voting desk counts it at once — and what is keyed or cast
elsewhere (another laptop keying, the kiosk) refreshes this screen (``follow_changes``). The services
are imported inside the jobs so that opening this module does not load the database layer. The marks
entry is ``ui.paper_marks``; the spoilt and resolve dialogs are ``ui.paper_dialogs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.rounding import rounded_text
from grantdesk.i18n import ngettext
from grantdesk.domain.changes import Kind
from grantdesk.voting.ballots import CastBallot
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.paper_dialogs import ERROR_STYLE, ResolveDialog, SpoiltDialog
from ui.paper_marks import EntryError, MarksEntry, escape

OUTCOME_STYLES = {
    "waiting": "background: #eff6ff; color: #1e3a8a; border: 1px solid #bfdbfe;",
    "counted": "background: #f0fdf4; color: #14532d; border: 1px solid #bbf7d0;",
    "spoilt": "background: #fffbeb; color: #78350f; border: 1px solid #fde68a;",
    "mismatch": "background: #fef2f2; color: #7f1d1d; border: 1px solid #fecaca;",
    "error": "background: #fef2f2; color: #991b1b; border: 1px solid #fecaca;",
    "info": "background: #f9fafb; color: #374151; border: 1px solid #e5e7eb;",
}
TEXT_KINDS = ("approval", "choose-one", "knapsack", "ranked")


def _sheet_number(sheet: str) -> int | None:
    return int(sheet) if sheet.isdigit() else None


def number_text(value: int | Fraction | None) -> str:
    """A total or mean for people: whole numbers as they are, fractions to two places."""
    if value is None:
        return "–"
    value = Fraction(value)
    if value.denominator == 1:
        return f"{value.numerator:,}"
    whole, _, places = rounded_text(abs(value), 2).partition(".")  # the one rounding rule, not a float
    return f"{'-' if value < 0 else ''}{int(whole):,}.{places}"


# --- small pieces ---------------------------------------------------------------------------------


class RowsModel(QAbstractTableModel):
    """A short read-only table (mismatches, totals): rows of text, with the row's object behind it."""

    def __init__(self, headers: Sequence[str], right_aligned: Sequence[int] = (), parent: QObject | None = None):
        super().__init__(parent)
        self.headers = list(headers)
        self.right = set(right_aligned)
        self.rows: list[tuple[str, ...]] = []
        self.objects: list[Any] = []

    def set_rows(self, rows: Sequence[Sequence[str]], objects: Sequence[Any] | None = None) -> None:
        self.beginResetModel()
        self.rows = [tuple(r) for r in rows]
        self.objects = list(objects) if objects is not None else [None] * len(self.rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None


def make_table(model: QAbstractTableModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setWordWrap(True)
    view.horizontalHeader().setHighlightSections(False)
    return view


# --- the screen -------------------------------------------------------------------------------------


class PaperEntryWidget(QWidget):
    """Key paper ballots twice, resolve mismatches, and watch the totals."""

    loaded = Signal()
    refreshed = Signal()
    keyed = Signal(object)  # the KeyingOutcome
    resolved = Signal(object)  # the KeyingOutcome of a resolved mismatch
    failed = Signal(str)
    printed = Signal(str)  # the path of the blank paper ballots saved

    def __init__(self, db: Any, runner: Any, event_id: int, entered_by: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner, self.event_id, self.entered_by = db, runner, event_id, entered_by
        self.paper: Any = None  # the EventView (not "event": QWidget.event is a method)
        self.marks: MarksEntry | None = None
        self.progress: Any = None
        self.mismatches: list[Any] = []
        self.results: Any = None
        self.spoilt_dialog: SpoiltDialog | None = None
        self.resolve_dialog: ResolveDialog | None = None
        self._busy = False
        self._last_sheet: str | None = None
        self._keyed_here: set[str] = set()  # sheets keyed once here since the last refresh
        self._refreshing = False
        self._refresh_again = False
        self.setObjectName("paperEntry")
        self._build()
        follow_changes(self, {Kind.EVENTS, Kind.APPLICATIONS}, lambda _changes: self.refresh())

    # --- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title = QLabel(self.tr("Loading the ballot paper…"))
        self.title.setObjectName("paperTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.title.setWordWrap(True)
        outer.addWidget(self.title)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        outer.addWidget(splitter, 1)

        # left: the entry form
        left = QGroupBox(self.tr("Key a paper ballot"))
        left.setObjectName("entryBox")
        self.form_layout = QVBoxLayout(left)
        top = QHBoxLayout()
        self.keying_as = QLabel(self.tr("Keying &as"))
        self.keyer_edit = QLineEdit(self.entered_by)
        self.keyer_edit.setObjectName("keyerEdit")
        self.keyer_edit.setAccessibleName(self.tr("Who is keying"))
        self.keyer_edit.setToolTip(self.tr("The name of the person at the keyboard. The second keying of a sheet "
                                           "must be done by someone other than the first keyer."))
        self.keyer_edit.setMaximumWidth(220)
        self.keying_as.setBuddy(self.keyer_edit)
        top.addWidget(self.keying_as)
        top.addWidget(self.keyer_edit)
        top.addStretch(1)
        self.second_mode = QCheckBox(self.tr("Second &keying"))
        self.second_mode.setObjectName("secondKeying")
        self.second_mode.setAccessibleName(self.tr("Second keying mode"))
        self.second_mode.setToolTip(self.tr("Key again the sheets keyed once, without seeing the first keying (Ctrl+K)"))
        self.second_mode.toggled.connect(self._mode_changed)
        top.addWidget(self.second_mode)
        self.form_layout.addLayout(top)

        self.waiting_label = QLabel(self.tr("Sheets waiting for their second keying (by someone other than the "
                                            "first keyer):"))
        self.waiting_label.setWordWrap(True)
        self.waiting_list = QListWidget()
        self.waiting_list.setObjectName("waitingSheets")
        self.waiting_list.setAccessibleName(self.tr("Sheets waiting for their second keying"))
        self.waiting_list.setFlow(QListWidget.Flow.LeftToRight)
        self.waiting_list.setWrapping(True)
        self.waiting_list.setMaximumHeight(64)
        self.waiting_list.itemActivated.connect(lambda item: self._choose_sheet(item.text()))
        self.waiting_list.itemClicked.connect(lambda item: self._choose_sheet(item.text()))
        self.waiting_label.setBuddy(self.waiting_list)
        self.form_layout.addWidget(self.waiting_label)
        self.form_layout.addWidget(self.waiting_list)

        sheet_row = QHBoxLayout()
        sheet_label = QLabel(self.tr("S&heet"))
        sheet_label.setStyleSheet("font-weight: 600;")
        self.sheet_edit = QLineEdit()
        self.sheet_edit.setObjectName("sheetEdit")
        self.sheet_edit.setAccessibleName(self.tr("Sheet number"))
        self.sheet_edit.setToolTip(self.tr("The number written on the paper ballot"))
        self.sheet_edit.setMaximumWidth(120)
        font = self.sheet_edit.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.sheet_edit.setFont(font)
        self.sheet_edit.installEventFilter(self)
        sheet_label.setBuddy(self.sheet_edit)
        sheet_row.addWidget(sheet_label)
        sheet_row.addWidget(self.sheet_edit)
        sheet_row.addStretch(1)
        self.form_layout.addLayout(sheet_row)

        self.instructions = QLabel()
        self.instructions.setObjectName("instructions")
        self.instructions.setWordWrap(True)
        self.instructions.setStyleSheet("color: #374151;")
        self.form_layout.addWidget(self.instructions)
        self.marks_holder = QVBoxLayout()
        self.form_layout.addLayout(self.marks_holder, 1)
        self.entry_error = QLabel()
        self.entry_error.setObjectName("entryError")
        self.entry_error.setStyleSheet(ERROR_STYLE)
        self.entry_error.setWordWrap(True)
        self.form_layout.addWidget(self.entry_error)

        buttons = QHBoxLayout()
        self.key_button = QPushButton(self.tr("Key sheet  (Enter)"))
        self.key_button.setObjectName("keyButton")
        self.key_button.setAccessibleName(self.tr("Key sheet"))
        self.key_button.clicked.connect(self.key_sheet)
        self.spoilt_button = QPushButton(self.tr("Spoilt…  (Ctrl+S)"))
        self.spoilt_button.setObjectName("spoiltButton")
        self.spoilt_button.setAccessibleName(self.tr("Key the sheet as spoilt"))
        self.spoilt_button.clicked.connect(self.ask_spoilt)
        buttons.addWidget(self.key_button)
        buttons.addWidget(self.spoilt_button)
        buttons.addStretch(1)
        self.print_button = QPushButton(self.tr("Print blank ballots…  (Ctrl+P)"))
        self.print_button.setObjectName("printBallotsButton")
        self.print_button.setAccessibleName(self.tr("Print blank paper ballots"))
        self.print_button.setToolTip(self.tr("Save numbered blank paper ballots, as this screen expects them, "
                                             "as a PDF to print"))
        self.print_button.clicked.connect(lambda: self.print_ballots())
        buttons.addWidget(self.print_button)
        self.form_layout.addLayout(buttons)

        self.outcome = QLabel("")
        self.outcome.setObjectName("outcome")
        self.outcome.setAccessibleName(self.tr("What happened to the last sheet"))
        self.outcome.setWordWrap(True)
        self.outcome.setMinimumHeight(48)
        self.outcome.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.form_layout.addWidget(self.outcome)
        splitter.addWidget(left)

        # right: progress, mismatches, totals
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        progress_box = QGroupBox(self.tr("Paper ballots so far"))
        grid = QGridLayout(progress_box)
        self.progress_labels: dict[str, QLabel] = {}
        for n, (key, text) in enumerate((("counted", self.tr("Counted")), ("spoilt", self.tr("Spoilt")),
                                         ("mismatches", self.tr("Mismatches")),
                                         ("waiting", self.tr("Waiting for 2nd keying")))):
            value = QLabel("–")
            value.setObjectName(f"progress_{key}")
            value.setAccessibleName(text)
            value.setStyleSheet("font-size: 16pt; font-weight: 600;")
            value.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            caption = QLabel(text)
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            caption.setStyleSheet("color: #4b5563;")
            grid.addWidget(value, 0, n)
            grid.addWidget(caption, 1, n)
            self.progress_labels[key] = value
        column.addWidget(progress_box)

        mismatch_box = QGroupBox(self.tr("Mismatches to resolve"))
        mbox = QVBoxLayout(mismatch_box)
        self.mismatch_model = RowsModel((self.tr("Sheet"), self.tr("Keying 1"), self.tr("By"), self.tr("Keying 2"),
                                         self.tr("By")), parent=self)
        self.mismatch_view = make_table(self.mismatch_model, self.tr("Mismatches to resolve"))
        self.mismatch_view.setObjectName("mismatchView")
        header = self.mismatch_view.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(col, mode)
        self.mismatch_view.doubleClicked.connect(lambda _i: self.open_resolve())
        mbox.addWidget(self.mismatch_view)
        row = QHBoxLayout()
        self.mismatch_note = QLabel(self.tr("None so far."))
        self.mismatch_note.setStyleSheet("color: #4b5563;")
        row.addWidget(self.mismatch_note, 1)
        self.resolve_button = QPushButton(self.tr("&Resolve…"))
        self.resolve_button.setObjectName("resolveButton")
        self.resolve_button.setAccessibleName(self.tr("Resolve the chosen mismatch"))
        self.resolve_button.setToolTip(self.tr("Settle the chosen mismatch after checking the paper (Ctrl+R)"))
        self.resolve_button.clicked.connect(self.open_resolve)
        row.addWidget(self.resolve_button)
        mbox.addLayout(row)
        column.addWidget(mismatch_box, 2)

        totals_box = QGroupBox(self.tr("Totals"))
        tbox = QVBoxLayout(totals_box)
        self.totals_label = QLabel("–")
        self.totals_label.setObjectName("totalsLabel")
        self.totals_label.setAccessibleName(self.tr("Ballots counted"))
        self.totals_label.setWordWrap(True)
        self.totals_label.setTextFormat(Qt.TextFormat.RichText)
        tbox.addWidget(self.totals_label)
        self.totals_model = RowsModel((self.tr("No."), self.tr("Project"), self.tr("Kiosk"), self.tr("Paper"),
                                       self.tr("Combined")), right_aligned=(0, 2, 3, 4), parent=self)
        self.totals_view = make_table(self.totals_model, self.tr("Totals per project"))
        self.totals_view.setObjectName("totalsView")
        self.totals_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.totals_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.mismatch_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        th = self.totals_view.horizontalHeader()
        th.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        th.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        tbox.addWidget(self.totals_view)
        column.addWidget(totals_box, 3)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 6)

        for seq, slot in (("Ctrl+S", self.ask_spoilt), ("Ctrl+K", self.second_mode.toggle),
                          ("Ctrl+R", self.open_resolve), ("Ctrl+P", lambda: self.print_ballots())):
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._mode_changed(False)
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        for w in (self.sheet_edit, self.key_button, self.spoilt_button, self.second_mode, self.keyer_edit):
            w.setEnabled(on)

    # --- loading ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the ballot paper and the count so far (call after ``show()``)."""
        event_id = self.event_id

        def fetch(db: Any):
            from grantdesk.services import events

            return events.get_event(db, event_id)

        Query(self, fetch).success(self._on_event).failure(self._on_error).run()

    def _on_event(self, event: Any) -> None:
        self.paper = event
        self.title.setText(self.tr("Paper ballots · {event}").format(event=event.name))
        self.instructions.setText(self.tr("<b>The ballot paper says:</b> {instructions}").format(
                                      instructions=escape(event.instructions)) + "<br>"
                                  + (self.tr("Type the projects' numbers in order of preference, then Enter.")
                                     if event.ballot_kind == "ranked" else
                                     self.tr("Type the numbers of the projects marked, then Enter.")
                                     if event.ballot_kind in TEXT_KINDS else
                                     self.tr("Type each project's mark, Tab to move along, then Enter.")))
        self.marks = MarksEntry(event, self)
        self.marks.setObjectName("marksEntry")
        self.marks.submitted.connect(self.key_sheet)
        self.marks_holder.addWidget(self.marks)
        chain = [self.sheet_edit, *self.marks.fields(), self.key_button, self.spoilt_button]
        for before, after in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(before, after)
        self._show_state(event.state)
        self.refresh(initial=True)

    def _show_state(self, state: str) -> None:
        """Keying stops once the results are confirmed (here or in another window)."""
        confirmed = state == "confirmed"
        self._set_enabled(not confirmed)
        if confirmed and self.outcome.property("state") != "info":
            self._show_outcome("info", self.tr("The results of this vote are confirmed: no more ballots can be keyed."))

    def refresh(self, *, initial: bool = False) -> None:
        """Read the count so far again: progress, mismatches and totals. A refresh asked for while one
        is running is made once that one is in (so nothing keyed meanwhile is missed)."""
        if self.paper is None and not initial:
            return  # the ballot paper is still loading; its first refresh follows
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        event_id = self.event_id

        def fetch(db: Any):
            from grantdesk.services import events

            return (events.paper_progress(db, event_id), events.paper_mismatches(db, event_id),
                    events.event_results(db, event_id))

        def finished() -> None:
            self._refreshing = False
            if self._refresh_again:
                self._refresh_again = False
                self.refresh()

        (Query(self, fetch).success(lambda got: self._on_refreshed(got, initial)).failure(self._on_error)
         .finally_(finished).run())

    def _on_refreshed(self, got: tuple[Any, Any, Any], initial: bool) -> None:
        progress, mismatches, results = got
        self.progress, self.mismatches, self.results = progress, list(mismatches), results
        if not initial:
            self._show_state(results.event.state)
        self._keyed_here.clear()
        for key, value in (("counted", progress.counted), ("spoilt", progress.spoilt),
                           ("mismatches", progress.mismatches), ("waiting", len(progress.keyed_once))):
            self.progress_labels[key].setText(f"{value:,}")
        self._show_mismatches()
        self._show_totals()
        self.waiting_list.clear()
        self.waiting_list.addItems(list(progress.keyed_once))
        if self.second_mode.isChecked():
            if self.sheet_edit.text().strip() not in progress.keyed_once:  # keep a sheet chosen and still waiting
                self._pick_next_waiting()
        elif initial or not self.sheet_edit.text().strip():
            self.sheet_edit.setText(self._next_new_sheet())
        if initial:
            self._focus_first()
            self.loaded.emit()
        self.refreshed.emit()

    def _show_mismatches(self) -> None:
        text = self.marks.keying_text
        self.mismatch_model.set_rows([(m.sheet, text(m.first), m.first.by, text(m.second), m.second.by)
                                      for m in self.mismatches], self.mismatches)
        self.mismatch_view.resizeRowsToContents()
        n = len(self.mismatches)
        self.mismatch_note.setText(self.tr("None so far.") if not n else
                                   ngettext("{n} sheet to check against the paper.",
                                            "{n} sheets to check against the paper.", n).format(n=n))
        self.resolve_button.setEnabled(bool(n))
        if n and not self.mismatch_view.selectionModel().hasSelection():
            self.mismatch_view.selectRow(0)

    def _show_totals(self) -> None:
        r = self.results
        if r is None:
            return

        def line(name: str, t: Any) -> str:
            return (f"<tr><td>{name}</td><td align='right'><b>{t.cast:,}</b></td>"
                    f"<td align='right'>{t.accepted:,}</td><td align='right'>{t.spoilt_count:,}</td></tr>")

        self.totals_label.setText(
            "<table cellspacing='4'><tr>"
            + self.tr("<th align='left'>Ballots</th><th>&nbsp;in&nbsp;</th><th>&nbsp;counted&nbsp;</th>"
                      "<th>&nbsp;spoilt&nbsp;</th>") + "</tr>"
            + line(self.tr("Kiosk"), r.kiosk) + line(self.tr("Paper"), r.paper)
            + line("<b>" + self.tr("Combined") + "</b>", r.tally) + "</table>")
        rows = []
        for n, p in enumerate(self.paper.projects):
            rows.append((str(n + 1), f"{p.title}  ({p.reference})", number_text(r.kiosk.projects[n].total),
                         number_text(r.paper.projects[n].total), number_text(r.tally.projects[n].total)))
        self.totals_model.set_rows(rows)

    # --- sheet numbers ------------------------------------------------------------------------------
    def _known_sheets(self) -> set[str]:
        known = set(self.progress.sheets) if self.progress else set()
        return known | {m.sheet for m in self.mismatches} | self._keyed_here

    def _next_new_sheet(self) -> str:
        """The next number for a first keying: after the last one keyed here, or after every sheet
        known so far (sheets numbered 1, 2, 3, … as they are counted), skipping numbers in use."""
        known = self._known_sheets()
        numbers = [n for n in (_sheet_number(s) for s in known) if n is not None]
        p = self.progress
        total = (p.counted + p.spoilt + p.mismatches + len(p.keyed_once)) if p else 0
        candidate = max([total, *numbers]) + 1
        last = _sheet_number(self._last_sheet or "")
        if last is not None:
            candidate = last + 1
        while str(candidate) in known:
            candidate += 1
        return str(candidate)

    def _pick_next_waiting(self) -> None:
        waiting = list(self.progress.keyed_once) if self.progress else []
        if waiting:
            self._choose_sheet(waiting[0], focus=False)
            if self.sheet_edit.hasFocus():
                self.sheet_edit.selectAll()
            self.entry_error.clear()
        else:
            self.sheet_edit.clear()
            self.entry_error.setText(self.tr("No sheet is waiting for its second keying."))

    def _choose_sheet(self, sheet: str, *, focus: bool = True) -> None:
        self.sheet_edit.setText(sheet)
        items = self.waiting_list.findItems(sheet, Qt.MatchFlag.MatchExactly)
        if items:
            self.waiting_list.setCurrentItem(items[0])
        if focus and self.marks:
            self.marks.first_field().setFocus()

    def _mode_changed(self, second: bool) -> None:
        self.waiting_label.setVisible(second)
        self.waiting_list.setVisible(second)
        self.entry_error.clear()
        if second:
            self._pick_next_waiting()
        elif self.progress is not None:
            self.sheet_edit.setText(self._next_new_sheet())
        if self.marks:
            self.marks.clear()
            self._focus_first()

    def _focus_first(self) -> None:
        self.sheet_edit.setFocus()
        self.sheet_edit.selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.sheet_edit and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            if self.marks:
                self.marks.first_field().setFocus()
            return True
        return super().eventFilter(watched, event)

    # --- keying ---------------------------------------------------------------------------------
    def _checked_sheet(self) -> str | None:
        sheet = self.sheet_edit.text().strip()
        if not sheet:
            self._entry_problem(self.tr("Type the number written on the paper ballot as the sheet number."),
                                self.sheet_edit)
            return None
        if self.progress is not None:
            waiting = set(self.progress.keyed_once)
            if self.second_mode.isChecked() and sheet not in waiting:
                self._entry_problem(self.tr("Sheet {sheet} is not waiting for a second keying; choose one from the "
                                            "list.").format(sheet=sheet), self.sheet_edit)
                return None
            if not self.second_mode.isChecked() and sheet in waiting:
                self._entry_problem(self.tr("Sheet {sheet} has been keyed once already. If this is another paper, "
                                            "give it a new number; to key it a second time, switch to Second keying "
                                            "(Ctrl+K).").format(sheet=sheet), self.sheet_edit)
                return None
        return sheet

    def _entry_problem(self, message: str, focus: QWidget | None = None) -> None:
        self.entry_error.setText(message)
        if focus is not None:
            focus.setFocus()

    def key_sheet(self) -> None:
        """Key the sheet's marks (Enter)."""
        if self._busy or self.marks is None:
            return
        sheet = self._checked_sheet()
        if sheet is None:
            return
        if self.marks.is_empty():
            self._entry_problem("Nothing is keyed. Type the marks, or press Spoilt… (Ctrl+S) for a blank ballot.",
                                self.marks.first_field())
            return
        try:
            ballot = self.marks.ballot()
        except EntryError as exc:
            self._entry_problem(str(exc), self.marks.first_field())
            return
        self._send(sheet, ballot, None)

    def ask_spoilt(self) -> None:
        """Key the sheet as spoilt, with a reason (Ctrl+S)."""
        if self._busy or self.marks is None or not self.spoilt_button.isEnabled():
            return
        sheet = self._checked_sheet()
        if sheet is None:
            return
        dialog = SpoiltDialog(sheet, self)
        self.spoilt_dialog = dialog
        dialog.accepted.connect(lambda: self._send(sheet, None, dialog.reason()))
        dialog.finished.connect(lambda _r: self._dialog_closed("spoilt_dialog"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.activateWindow()
        dialog.reason_combo.setFocus()

    def keyer(self) -> str:
        """The person at the keyboard, as typed in "Keying as"."""
        return " ".join(self.keyer_edit.text().split())

    def _send(self, sheet: str, ballot: CastBallot | None, spoilt_reason: str | None) -> None:
        who = self.keyer()
        if not who:
            self._entry_problem(self.tr("Type your name in “Keying as”: each sheet is keyed by two different "
                                        "people."), self.keyer_edit)
            return
        self._busy = True
        self.entry_error.clear()
        event_id = self.event_id

        def work(db: Any):
            from grantdesk.services import events

            return events.key_paper_ballot(db, event_id, sheet, ballot, spoilt_reason=spoilt_reason, entered_by=who)

        Op(self, work).success(self._on_keyed).failure(self._on_key_error).run()

    def _on_keyed(self, outcome: Any) -> None:
        self._busy = False
        message = outcome.message
        state = outcome.state
        if outcome.spoilt_as_keyed:
            state = "spoilt"  # said at once, with the rule quoted; the second keying confirms it
        elif outcome.state == "waiting":
            message = self.tr("Sheet {sheet} keyed once: it waits for its second keying.").format(sheet=outcome.sheet)
        self._show_outcome(state, message)
        self._last_sheet = outcome.sheet
        self.marks.clear()
        if self.second_mode.isChecked():
            self.sheet_edit.clear()  # the next waiting sheet comes with the refresh
        else:
            if outcome.state == "waiting":
                self._keyed_here.add(outcome.sheet)
            self.sheet_edit.setText(self._next_new_sheet())
        self._focus_first()
        self.keyed.emit(outcome)
        self.refresh()

    def _on_key_error(self, error: BaseException) -> None:
        self._busy = False
        self.show_refusal(refusal_text(error))
        if getattr(error, "field", None) == "entered_by":  # the same person keying a sheet twice
            self.keyer_edit.setFocus()
            self.keyer_edit.selectAll()

    def _show_outcome(self, state: str, message: str) -> None:
        self.outcome.setText(message)
        self.outcome.setStyleSheet(f"padding: 8px; border-radius: 4px; {OUTCOME_STYLES.get(state, '')}")
        self.outcome.setProperty("state", state)

    def _on_error(self, error: BaseException) -> None:
        self.show_refusal(refusal_text(error))

    def show_refusal(self, text: str) -> None:
        """A refusal from the core, where the outcome of the last sheet is shown."""
        self._show_outcome("error", text)
        self.failed.emit(text)

    # --- mismatches -------------------------------------------------------------------------------
    def selected_mismatch(self) -> Any:
        rows = self.mismatch_view.selectionModel().selectedRows()
        if rows:
            return self.mismatch_model.objects[rows[0].row()]
        return self.mismatches[0] if self.mismatches else None

    def open_resolve(self) -> ResolveDialog | None:
        """Settle the chosen mismatch after checking the paper (Ctrl+R)."""
        mismatch = self.selected_mismatch()
        if mismatch is None or self.paper is None:
            return None
        dialog = ResolveDialog(self.paper, mismatch, lambda args: self._resolve(mismatch.sheet, args), self)
        self.resolve_dialog = dialog
        dialog.finished.connect(lambda _r: self._dialog_closed("resolve_dialog"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        dialog.activateWindow()
        dialog.reason_edit.setFocus()
        dialog.reason_edit.end(False)
        return dialog

    def _dialog_closed(self, name: str) -> None:
        setattr(self, name, None)
        self.window().activateWindow()  # back to keying (some platforms leave the closed dialog active)

    def _resolve(self, sheet: str, args: dict[str, Any]) -> None:
        event_id, who = self.event_id, self.keyer() or self.entered_by
        dialog = self.resolve_dialog

        def work(db: Any):
            from grantdesk.services import events

            return events.resolve_mismatch(db, event_id, sheet, actor=who, **args)

        def done(outcome: Any) -> None:
            if dialog is not None:
                dialog.accept()
            self._show_outcome(outcome.state, outcome.message)
            self.resolved.emit(outcome)
            self.refresh()

        def failed(error: BaseException) -> None:
            if dialog is not None and dialog.isVisible():
                dialog.show_error(refusal_text(error))
                self.failed.emit(refusal_text(error))
            else:
                self._on_error(error)

        Op(self, work).success(done).failure(failed).run()

    # --- blank paper ballots ------------------------------------------------------------------------
    def print_ballots(self, count: int | None = None, path: str | Path | None = None, first: int | None = None) -> None:
        """Save ``count`` blank paper ballots numbered from ``first`` as a PDF at ``path`` (each asked when
        not given; the first number only once sheets have been keyed, 1 before that)."""
        if self.paper is None:
            return
        if first is None:
            numbers = [int(s) for s in self._known_sheets() if s.isdigit()]
            first = 1
            if numbers:
                first, ok = QInputDialog.getInt(
                    self, self.tr("Print blank ballots"),
                    self.tr("Number of the first sheet (sheets keyed so far go up to %1; if paper ballots were "
                            "printed before, start after the last number printed):").replace("%1", str(max(numbers))),
                    max(numbers) + 1, 1, 1_000_000)
                if not ok:
                    return
        if count is None:
            count, ok = QInputDialog.getInt(self, self.tr("Print blank ballots"),
                                            self.tr("How many paper ballots? (one page each, numbered from %1)")
                                            .replace("%1", str(first)), 100, 1, 5_000)
            if not ok:
                return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the paper ballots"),
                                                  f"paper-ballots-{self.event_id}.pdf",
                                                  self.tr("PDF") + " (*.pdf)")
            if not path:
                return
        event_id, target = self.event_id, Path(path)

        def work(db: Any):
            from grantdesk.reports.paper_ballots import paper_ballots_pdf
            from grantdesk.services.events.paper import blank_ballots

            blank = blank_ballots(db, event_id)
            return paper_ballots_pdf(blank.event, target, count=count, welsh=blank.welsh, first=first)

        def done(drawn: Any) -> None:
            self._show_outcome("info", self.tr("Saved %1 blank paper ballots, sheets %2 to %3, to %4.")
                               .replace("%1", str(drawn.sheets)).replace("%2", str(drawn.first))
                               .replace("%3", str(drawn.last)).replace("%4", str(target)))
            self.printed.emit(str(target))

        Query(self, work).success(done).failure(self._on_error).with_progress(self.tr("Making paper ballots")).run()
