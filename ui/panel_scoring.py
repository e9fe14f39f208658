"""Panel scoring, the Oxford way: named panellists score each application against the fund's
criteria, the panel deliberates, and its final decisions (which may differ from the raw scores, with
a reason) are applied to the applications by the officer.

Three tabs:

- **Score**: choose the panellist; a table of applications × criteria (``ui.panel_models.ScoreGridModel``).
  Type a score into a cell (or C for "can't judge") and press Enter or Tab; the note for the current
  cell is under the table. "Declare an interest…" acts on the current application; a panellist who
  has declared one cannot score it, and its cells say so.
- **Results**: applications ranked by weighted score (with a bar), per-criterion means, scorers,
  conflicts, whether the raw scores would fund it within the budget, and the decision.
- **Deliberation**: the panel's notes, a "Decide…" per application (fund with an amount, decline,
  defer; a reason when the decision differs from the scores), and "Apply decisions to applications".

Every write is one service call through ``ui.operations.Op`` (one transaction), every read a
``Query``; a refusal from the core is shown in the tab's notice (``show_refusal``) or in the open
dialog. The window follows ``Kind.PANELS`` (and the applications and funds it shows), so scores
entered in another open panel window, or an application moved elsewhere, appear here without reopening.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Changes, Kind
from grantdesk.domain.errors import GrantDeskError
from grantdesk.domain.money import format_money
from grantdesk.i18n import N_, ngettext
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.panel_dialogs import DecideDialog, InterestDialog
from ui.panel_models import (
    CANT,
    OUTCOME_WORDS,
    BarDelegate,
    ResultsModel,
    ScoreDelegate,
    ScoreGridModel,
    TwoLineDelegate,
    decision_text,
    interest_text,
    muted,
    number_text,
)

__all__ = ["PanelScoringWidget", "CANT", "number_text"]

# What the window shows: the panel's sheet, the applications on it (moved elsewhere), the round's budget.
FOLLOWS = {Kind.PANELS, Kind.APPLICATIONS, Kind.FUNDS}
# Notices: a tinted box with a coloured rule, the text in the palette's own colour (so it reads in
# light, dark and high-contrast themes alike).
NOTICE_STYLES = {
    "error": "padding: 6px; border-radius: 4px; border: 1px solid rgba(220, 38, 38, 0.55); "
             "border-left: 4px solid rgb(220, 38, 38); background: rgba(220, 38, 38, 0.10);",
    "ok": "padding: 6px; border-radius: 4px; border: 1px solid rgba(22, 163, 74, 0.55); "
          "border-left: 4px solid rgb(22, 163, 74); background: rgba(22, 163, 74, 0.10);",
}
NOT_TAKEN_AWAY = N_("A score can be changed but not taken away; choose “Can't judge” if you cannot score it.")
NOTE_WAITS = N_("Choose a score (or “Can't judge”) to keep the note with.")


class _ColumnFitter(QObject):
    """Gives one column of a table what the other columns leave of its width (never less than
    ``minimum``: below that the table scrolls sideways rather than squeeze the column to "…")."""

    def __init__(self, view: QTableView, column: int, minimum: int):
        super().__init__(view)
        self.view, self.column, self.minimum = view, column, minimum
        view.horizontalHeader().setStretchLastSection(False)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        header = self.view.horizontalHeader()
        if self.column >= header.count():
            return
        others = sum(header.sectionSize(i) for i in range(header.count())
                     if i != self.column and not header.isSectionHidden(i))
        header.resizeSection(self.column, max(self.minimum, self.view.viewport().width() - others))


def _header_width(metrics: Any, text: str, padding: int = 28) -> int:
    return max(metrics.horizontalAdvance(line) for line in text.splitlines()) + padding


def _quiet(label: QLabel) -> QLabel:
    """A label in the palette's quiet text colour."""
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class PanelScoringWidget(QWidget):
    """Score, rank and decide, for one panel."""

    loaded = Signal()
    refreshed = Signal()
    scored = Signal()
    declared = Signal()
    decided = Signal(object)  # the DecisionView
    applied = Signal(object)  # the Applied result
    notes_saved = Signal()
    failed = Signal(str)

    def __init__(self, db: Any, runner: Any, panel_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner, self.panel_id = db, runner, panel_id
        self.sheet: Any = None
        self.decide_buttons: dict[int, QPushButton] = {}
        self.decision_labels: dict[int, QLabel] = {}
        self.decision_app_labels: dict[int, QLabel] = {}
        self._decision_order: tuple = ()
        self._filling = False
        self._note_key: tuple[int, int] | None = None  # the cell the note field belongs to
        self.interest_dialog: InterestDialog | None = None
        self.decide_dialog: DecideDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.setObjectName("panelScoring")
        self._build()
        follow_changes(self, FOLLOWS, self._changed_elsewhere)

    # --- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title = QLabel(self.tr("Loading the panel…"))
        self.title.setObjectName("panelTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        outer.addWidget(self.title)
        self.subtitle = _quiet(QLabel())
        self.subtitle.setWordWrap(True)
        outer.addWidget(self.subtitle)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("panelTabs")
        self.tabs.setAccessibleName(self.tr("Panel scoring"))
        outer.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_score_tab(), self.tr("&Score"))
        self.tabs.addTab(self._build_results_tab(), self.tr("&Results"))
        self.tabs.addTab(self._build_deliberation_tab(), self.tr("&Deliberation"))
        for n in range(3):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{n + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda n=n: self.tabs.setCurrentIndex(n))

    def _build_score_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        label = QLabel(self.tr("&Panellist"))
        label.setStyleSheet("font-weight: 600;")
        self.panellist_combo = QComboBox()
        self.panellist_combo.setObjectName("panellistCombo")
        self.panellist_combo.setAccessibleName(self.tr("Panellist scoring"))
        self.panellist_combo.setMinimumWidth(240)
        self.panellist_combo.currentIndexChanged.connect(lambda _i: self._panellist_changed())
        label.setBuddy(self.panellist_combo)
        top.addWidget(label)
        top.addWidget(self.panellist_combo)
        hint = _quiet(QLabel(self.tr("In a cell, type a score (C for can't judge) and press Enter or Tab. "
                             "The note for the current cell is under the table.")))
        hint.setWordWrap(True)
        top.addWidget(hint, 1)
        layout.addLayout(top)
        self.score_notice = QLabel()
        self.score_notice.setObjectName("scoreNotice")
        self.score_notice.setAccessibleName(self.tr("Scoring message"))
        self.score_notice.setWordWrap(True)
        self.score_notice.hide()
        layout.addWidget(self.score_notice)

        self.score_model = ScoreGridModel(self)
        self.score_model.score_entered.connect(self.score)
        view = QTableView()
        view.setObjectName("scoreView")
        view.setAccessibleName(self.tr("Scores: applications by criteria"))
        view.setAccessibleDescription(self.tr("Type a score in a cell, or C for can't judge, then Enter"))
        view.setModel(self.score_model)
        view.setItemDelegate(ScoreDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        view.setTabKeyNavigation(False)  # Tab leaves the table for the note; arrows move between cells
        view.setSortingEnabled(True)
        view.sortByColumn(ScoreGridModel.APPLICATION, Qt.SortOrder.AscendingOrder)
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(2 * self.fontMetrics().height() + 14)
        view.horizontalHeader().setHighlightSections(False)
        view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.score_fitter = _ColumnFitter(view, ScoreGridModel.APPLICATION, 240)
        view.activated.connect(self._cell_activated)
        view.installEventFilter(self)
        self.score_model.modelReset.connect(self._size_score_columns)
        self.score_view = view
        layout.addWidget(view, 1)
        self.score_empty = _quiet(QLabel())
        self.score_empty.setObjectName("scoreEmpty")
        self.score_empty.hide()
        layout.addWidget(self.score_empty)

        below = QHBoxLayout()
        note_label = QLabel(self.tr("N&ote"))
        note_label.setStyleSheet("font-weight: 600;")
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setAccessibleName(self.tr("Note on the current score"))
        self.note_edit.setPlaceholderText(self.tr("Choose a score cell to add a note the panel will see"))
        self.note_edit.setClearButtonEnabled(True)
        self.note_edit.editingFinished.connect(self._note_done)
        note_label.setBuddy(self.note_edit)
        self.note_target = _quiet(QLabel())
        self.note_target.setObjectName("noteTarget")
        self.declare_button = QPushButton(self.tr("Declare an &interest…"))
        self.declare_button.setObjectName("declareInterest")
        self.declare_button.setAccessibleName(self.tr("Declare an interest in the current application"))
        self.declare_button.clicked.connect(lambda: self.open_interest())
        self.note_target.setMaximumWidth(420)
        below.addWidget(note_label)
        below.addWidget(self.note_target)
        below.addWidget(self.note_edit, 1)
        below.addSpacing(12)
        below.addWidget(self.declare_button)
        layout.addLayout(below)
        view.selectionModel().currentChanged.connect(lambda _c, _p: self._load_note())
        return page

    def _build_results_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.results_summary = QLabel()
        self.results_summary.setObjectName("resultsSummary")
        self.results_summary.setWordWrap(True)
        layout.addWidget(self.results_summary)
        self.results_model = ResultsModel(self)
        view = QTableView()
        view.setObjectName("resultsView")
        view.setAccessibleName(self.tr("Applications ranked by weighted score"))
        view.setModel(self.results_model)
        view.setItemDelegate(TwoLineDelegate(view))
        view.setItemDelegateForColumn(self.results_model.bar_column, BarDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setSortingEnabled(True)
        view.sortByColumn(ResultsModel.RANK, Qt.SortOrder.AscendingOrder)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(2 * self.fontMetrics().height() + 14)
        view.horizontalHeader().setHighlightSections(False)
        view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.results_fitter = _ColumnFitter(view, ResultsModel.APPLICATION, 240)
        self.results_model.modelReset.connect(self._size_results_columns)
        self.results_view = view
        layout.addWidget(view, 1)
        return page

    def _build_deliberation_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        notes_label = QLabel(self.tr("Deliberation &notes, kept with the round"))
        notes_label.setStyleSheet("font-weight: 600;")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setAccessibleName(self.tr("Deliberation notes"))
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setPlaceholderText(self.tr("What the panel discussed, and why it decided as it did"))
        self.notes_edit.setMaximumHeight(130)
        notes_label.setBuddy(self.notes_edit)
        layout.addWidget(notes_label)
        layout.addWidget(self.notes_edit)
        row = QHBoxLayout()
        self.notes_status = _quiet(QLabel())
        self.notes_status.setObjectName("notesStatus")
        row.addWidget(self.notes_status, 1)
        self.save_notes_button = QPushButton(self.tr("Save notes  (Ctrl+S)"))
        self.save_notes_button.setObjectName("saveNotes")
        self.save_notes_button.setAccessibleName(self.tr("Save the deliberation notes"))
        self.save_notes_button.clicked.connect(self.save_notes)
        row.addWidget(self.save_notes_button)
        layout.addLayout(row)
        shortcut = QShortcut(QKeySequence("Ctrl+S"), page)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save_notes)
        self.notes_edit.textChanged.connect(lambda: self.notes_status.setText(self.tr("Not saved yet.")))

        decisions_label = QLabel(self.tr("Decisions"))
        decisions_label.setStyleSheet("font-weight: 600;")
        layout.addWidget(decisions_label)
        self.decisions_scroll = QScrollArea()
        self.decisions_scroll.setWidgetResizable(True)
        self.decisions_scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self.decisions_scroll, 1)
        bottom = QHBoxLayout()
        self.deliberation_notice = QLabel()
        self.deliberation_notice.setObjectName("deliberationNotice")
        self.deliberation_notice.setWordWrap(True)
        bottom.addWidget(self.deliberation_notice, 1)
        self.apply_button = QPushButton(self.tr("&Apply decisions to applications…"))
        self.apply_button.setObjectName("applyDecisions")
        self.apply_button.setAccessibleName(self.tr("Apply the panel's decisions to the applications"))
        self.apply_button.clicked.connect(self.ask_apply)
        bottom.addWidget(self.apply_button)
        layout.addLayout(bottom)
        return page

    # --- loading ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the score sheet (call after ``show()``)."""
        self.refresh(initial=True)

    def refresh(self, *, initial: bool = False) -> None:
        panel_id = self.panel_id

        def read(db):
            from grantdesk.services import panels

            return panels.score_sheet(db, panel_id)

        Query(self, read).success(lambda sheet: self._on_sheet(sheet, initial)).run()

    def _changed_elsewhere(self, _changes: Changes) -> None:
        """Another window changed the panel or what it shows (ui.operations.follow_changes)."""
        if self.sheet is not None:
            self.refresh()

    def _on_sheet(self, sheet: Any, initial: bool) -> None:
        self.sheet = sheet
        self.title.setText(f"{sheet.panel_name}" + (f" · {sheet.round_name}" if sheet.round_name else ""))
        budget = (self.tr("Budget {amount}").format(amount=format_money(sheet.budget_pence))
                  if sheet.budget_pence is not None else self.tr("No round budget"))
        self.subtitle.setText(" · ".join((
            budget, ngettext("{n} application", "{n} applications", len(sheet.applications)).format(
                n=len(sheet.applications)),
            ngettext("{n} panellist", "{n} panellists", len(sheet.panellists)).format(n=len(sheet.panellists)),
            ngettext("{n} criterion, weighted score out of {most}", "{n} criteria, weighted score out of {most}",
                     len(sheet.criteria)).format(n=len(sheet.criteria), most=sheet.max_weighted))))
        if initial or [self.panellist_combo.itemData(i) for i in range(self.panellist_combo.count())] != [
                p.id for p in sheet.panellists]:
            current = self.panellist_combo.currentData()
            self._filling = True
            self.panellist_combo.clear()
            for p in sheet.panellists:
                self.panellist_combo.addItem(f"{p.name} ({p.area})" if p.area else p.name, p.id)
            if current is not None and self.panellist_combo.findData(current) >= 0:
                self.panellist_combo.setCurrentIndex(self.panellist_combo.findData(current))
            self._filling = False
        self._show_scores()
        self._show_results()
        self._show_decisions()
        if initial:
            self.notes_edit.setPlainText(sheet.notes)
            self.notes_status.setText(self.tr("Saved.") if sheet.notes else "")
            self.loaded.emit()
        self.refreshed.emit()

    # --- score tab --------------------------------------------------------------------------------
    def panellist_id(self) -> int | None:
        return self.panellist_combo.currentData()

    def _show_scores(self) -> None:
        sheet = self.sheet
        self.score_model.panellist_id = self.panellist_id()
        self.score_model.set_sheet(sheet)
        missing = (self.tr("This panel has no criteria yet.") if not sheet.criteria
                   else self.tr("This panel has no applications to score yet.") if not sheet.applications
                   else self.tr("This panel has no panellists yet.") if not sheet.panellists else "")
        self.score_empty.setText(missing)
        self.score_empty.setVisible(bool(missing))
        self.score_view.setVisible(not missing)
        view = self.score_view
        if not view.currentIndex().isValid() and sheet.applications and sheet.criteria:
            view.setCurrentIndex(self.score_model.index(0, 1))
        self._load_note()

    def _panellist_changed(self) -> None:
        if self._filling or self.sheet is None:
            return
        self.score_notice.hide()
        self.score_model.set_panellist(self.panellist_id())
        self._load_note(force=True)

    def _size_score_columns(self) -> None:
        """Each criterion as wide as its (wrapped) heading, the interest column enough for its words,
        and the application the rest."""
        if self.sheet is None:
            return
        header = self.score_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics, headers = self.fontMetrics(), self.score_model.headers()
        for n in range(1, len(self.sheet.criteria) + 1):
            header.resizeSection(n, min(max(_header_width(metrics, headers[n]), 120), 240))
        header.resizeSection(self.score_model.interest_column,
                             _header_width(metrics, self.tr("Other registrable interest"), 36))
        self.score_fitter.fit()

    def current_cell(self) -> Any:
        """The grid cell the person is on (``ui.panel_models.Cell``), if it is a score cell."""
        return self.score_model.cell(self.score_view.currentIndex())

    def current_application_id(self) -> int | None:
        index = self.score_view.currentIndex()
        return self.score_model.rows[index.row()].application_id if index.isValid() else None

    def _cell_activated(self, index: QModelIndex) -> None:
        """Enter (or a double-click) on a score cell opens its editor."""
        if self.score_model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.score_view.edit(index)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (watched is self.score_view and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)):
            cell = self.current_cell()
            if cell is not None and cell.editable and cell.scored:
                self._notice(self.score_notice, "error", self.tr(NOT_TAKEN_AWAY))
                return True
        return super().eventFilter(watched, event)

    def _load_note(self, *, force: bool = False) -> None:
        """Show the current cell's note (or why it cannot have one) in the note field."""
        if self.note_edit.hasFocus() and not force:
            return
        cell = self.current_cell()
        self._note_key = None
        placeholder = self.tr("Choose a score cell to add a note the panel will see")
        if cell is None or self.panellist_id() is None:
            self.note_edit.clear()
            self.note_edit.setEnabled(False)
            self.note_target.setText("")
        else:
            key = (cell.application.application_id, cell.criterion.id)
            target = self.tr("on {reference}, {criterion}").format(reference=cell.application.reference,
                                                                   criterion=cell.criterion.name)
            self.note_target.setText(self.note_target.fontMetrics().elidedText(
                target, Qt.TextElideMode.ElideRight, self.note_target.maximumWidth()))
            self.note_target.setToolTip(target)
            if cell.interest is not None:
                self.note_edit.setText(self.tr("Interest declared: {interest}").format(
                    interest=interest_text(cell.interest)))
                self.note_edit.setCursorPosition(0)
            else:
                self.note_edit.setText(self.score_model.drafts.get(key, cell.note))
                self._note_key = key
                placeholder = (self.tr("No note. The panel's decision has been applied: scores are final.")
                               if cell.final else self.tr("A note for the panel on this score (Enter keeps it)"))
            self.note_edit.setEnabled(cell.editable)
        self.note_edit.setPlaceholderText(placeholder)
        application = self.current_application_id()
        self.declare_button.setEnabled(application is not None and self.panellist_id() is not None)

    def _note_done(self) -> None:
        key = self._note_key
        if key is None or not self.note_edit.isEnabled():
            return
        try:
            index = self.score_model.index_of(*key)
        except (KeyError, StopIteration):
            return
        cell = self.score_model.cell(index)
        if cell is None or not cell.editable:
            return
        text = self.note_edit.text().strip()
        if not cell.scored:
            if text:
                self.score_model.drafts[key] = text
                self._notice(self.score_notice, "error", self.tr(NOTE_WAITS))
            else:
                self.score_model.drafts.pop(key, None)
            return
        if text != cell.note:
            self.score(key[0], key[1], cell.score, text)

    def score(self, application_id: int, criterion_id: int, score: int | None, note: str | None = None) -> None:
        """Record the chosen panellist's score (``None``: can't judge) on one criterion, with ``note``
        (by default the note typed for that cell, or the one kept with it)."""
        person = self.panellist_id()
        if person is None:
            return
        key = (application_id, criterion_id)
        if note is None:
            note = self.score_model.drafts.get(key)
        if note is None:
            try:
                cell = self.score_model.cell(self.score_model.index_of(application_id, criterion_id))
            except (KeyError, StopIteration):
                cell = None
            note = cell.note if cell is not None else ""

        def recorded(_result: Any) -> None:
            self.score_model.drafts.pop(key, None)
            self.score_notice.hide()
            self.scored.emit()
            self.refresh()

        def refused(error: BaseException) -> None:
            from grantdesk.services.panels import ConflictOfInterest

            message = refusal_text(error)
            self._refused(self.score_notice, self.tr("Refused: {message}").format(message=message)
                          if isinstance(error, ConflictOfInterest) else message)
            self.refresh()  # show what is stored, not what was refused

        def work(db):
            from grantdesk.services import panels

            panels.record_score(db, person, application_id, criterion_id, score, note)

        Op(self, work).success(recorded).failure(refused).run()

    def open_interest(self, application_id: int | None = None) -> InterestDialog | None:
        """The declaration of interest for ``application_id`` (by default, the current row's)."""
        person = self.panellist_id()
        application_id = application_id if application_id is not None else self.current_application_id()
        if person is None or self.sheet is None or application_id is None:
            return None
        app = next(a for a in self.sheet.applications if a.application_id == application_id)
        name = self.panellist_combo.currentText()
        dialog = InterestDialog(name, app, lambda args: self._declare(person, application_id, args), self)
        return self._open(dialog, "interest_dialog", dialog.kind_combo)

    def _declare(self, person: int, application_id: int, args: dict[str, Any]) -> None:
        panel_id, dialog = self.panel_id, self.interest_dialog

        def work(db):
            from grantdesk.services import panels

            panels.declare_interest(db, panel_id, person, application_id, args["kind"], args["nature"])

        def done(_result: Any) -> None:
            if dialog is not None:
                dialog.accept()
            self.declared.emit()
            self.refresh()

        Op(self, work).success(done).failure(lambda e: self._dialog_refused(dialog, e)).run()

    # --- results tab ------------------------------------------------------------------------------
    def _show_results(self) -> None:
        sheet = self.sheet
        self.results_model.set_sheet(sheet)
        suggested = [a for a in sheet.applications if a.suggested]
        spend = sum(a.amount_pence for a in suggested)
        decided = [a for a in sheet.applications if a.decision is not None]
        budget = format_money(sheet.budget_pence) if sheet.budget_pence is not None else self.tr("no set budget")
        self.results_summary.setText(ngettext(
            "Ranked by weighted score (Σ weight × mean score, leaving out “can't judge”). Within {budget}, the raw "
            "scores would fund {n} application for {amount}. {decided} of {total} decided.",
            "Ranked by weighted score (Σ weight × mean score, leaving out “can't judge”). Within {budget}, the raw "
            "scores would fund {n} applications for {amount}. {decided} of {total} decided.", len(suggested)).format(
            budget=budget, n=len(suggested), amount=format_money(spend), decided=len(decided),
            total=len(sheet.applications)))

    def _size_results_columns(self) -> None:
        """Fit the columns to what they hold and the application to the rest, so at 1280 pixels wide
        (three criteria) nothing is cut to "…" or off to the right; what must be shortened elides,
        with the whole text in the cell's tooltip."""
        if self.sheet is None:
            return
        model, header = self.results_model, self.results_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        metrics, headers = self.fontMetrics(), model.headers()
        header.resizeSection(model.RANK, _header_width(metrics, self.tr("Rank"), 30))
        header.resizeSection(model.WEIGHTED, max(_header_width(metrics, headers[model.WEIGHTED]), 160))
        for n in range(len(self.sheet.criteria)):
            column = model.FIRST_MEAN + n
            header.resizeSection(column, max(_header_width(metrics, headers[column], 20), 64))
        header.resizeSection(model.column("Scorers"), _header_width(metrics, self.tr("Interest: {names}").format(names="Someone"), 16))
        header.resizeSection(model.column("Suggest"), _header_width(metrics, self.tr("Not funded")))
        header.resizeSection(model.column("Decision"), _header_width(metrics, self.tr("Do not fund") + " · " + self.tr("differs"), 40))
        self.results_fitter.fit()

    # --- deliberation tab -------------------------------------------------------------------------
    def _show_decisions(self) -> None:
        sheet = self.sheet
        order = tuple(a.application_id for a in sheet.applications)
        if order != self._decision_order:
            self._decision_order = order
            self.decide_buttons.clear()
            self.decision_labels.clear()
            self.decision_app_labels.clear()
            body = QWidget()
            grid = QGridLayout(body)
            grid.setHorizontalSpacing(12)
            for row, a in enumerate(sheet.applications):
                label = QLabel()
                label.setObjectName(f"decisionApp_{a.application_id}")
                label.setWordWrap(True)
                status = QLabel()
                status.setObjectName(f"decision_{a.application_id}")
                status.setWordWrap(True)
                button = QPushButton(self.tr("Decide…"))
                button.setObjectName(f"decide_{a.application_id}")
                button.setAccessibleName(self.tr("Decide on {reference}").format(reference=a.reference))
                button.clicked.connect(lambda _c=False, app=a.application_id: self.open_decide(app))
                grid.addWidget(label, row, 0)
                grid.addWidget(status, row, 1)
                grid.addWidget(button, row, 2)
                self.decision_labels[a.application_id] = status
                self.decide_buttons[a.application_id] = button
                self.decision_app_labels[a.application_id] = label
            grid.setColumnStretch(0, 3)
            grid.setColumnStretch(1, 4)
            grid.setRowStretch(len(sheet.applications), 1)
            self.decisions_scroll.setWidget(body)
        quiet = muted(self.palette(), QPalette.ColorRole.Window).name()
        for a in sheet.applications:
            label = self.decision_app_labels[a.application_id]
            raw = (self.tr("not scored") if a.weighted is None else
                   (self.tr("weighted {score} of {most}; the scores fund it") if a.suggested else
                    self.tr("weighted {score} of {most}; the scores do not fund it")).format(
                       score=number_text(a.weighted), most=sheet.max_weighted))
            asked = self.tr("asked for {amount}").format(amount=format_money(a.amount_pence))
            label.setText(f"<b>{a.rank}. {escape(a.reference)}</b> · {escape(a.title)}<br>"
                          f"<span style='color:{quiet}'>{asked} · {raw}</span>")
            d = a.decision
            status = self.decision_labels[a.application_id]
            if d is None:
                none_yet = self.tr("No decision yet")
                status.setText(f"<span style='color:{quiet}'>{none_yet}</span>")
            else:
                reason = f"<br><i>{escape(d.reason)}</i>" if d.reason else ""
                status.setText(f"<b>{escape(decision_text(d))}</b>{reason}")
            self.decide_buttons[a.application_id].setEnabled(not (d is not None and d.applied))
        pending = [a for a in sheet.applications
                   if a.decision is not None and not a.decision.applied and a.status == "shortlisted"]
        self.apply_button.setEnabled(bool(pending))

    def open_decide(self, application_id: int) -> DecideDialog | None:
        if self.sheet is None:
            return None
        app = next(a for a in self.sheet.applications if a.application_id == application_id)
        dialog = DecideDialog(app, len(self.sheet.applications), lambda args: self._decide(application_id, args), self)
        return self._open(dialog, "decide_dialog", dialog.group.checkedButton())

    def _decide(self, application_id: int, args: dict[str, Any]) -> None:
        panel_id, dialog = self.panel_id, self.decide_dialog

        def work(db):
            from grantdesk.services import panels

            return panels.record_decision(db, panel_id, application_id, args["outcome"],
                                          amount_pence=args["amount_pence"], reason=args["reason"])

        def done(decision: Any) -> None:
            if dialog is not None:
                dialog.accept()
            self._notice(self.deliberation_notice, "ok",
                         self.tr("Decision recorded — it differs from the scores; the reason is kept.")
                         if decision.differs_from_scores else self.tr("Decision recorded."))
            self.decided.emit(decision)
            self.refresh()

        Op(self, work).success(done).failure(lambda e: self._dialog_refused(dialog, e)).run()

    def save_notes(self) -> None:
        """Save the deliberation notes (Ctrl+S on the Deliberation tab)."""
        panel_id, text = self.panel_id, self.notes_edit.toPlainText()

        def work(db):
            from grantdesk.services import panels

            panels.set_deliberation_notes(db, panel_id, text)

        def done(_result: Any) -> None:
            self.notes_status.setText(self.tr("Saved."))
            self.notes_saved.emit()

        Op(self, work).success(done).failure(lambda e: self._refused(self.deliberation_notice, refusal_text(e))).run()

    def ask_apply(self) -> QMessageBox | None:
        """Ask, then move the applications as the panel decided."""
        if self.sheet is None:
            return None
        pending = [a for a in self.sheet.applications
                   if a.decision is not None and not a.decision.applied and a.status == "shortlisted"]
        counts = {k: sum(1 for a in pending if a.decision.outcome == k) for k in OUTCOME_WORDS}
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Apply the panel's decisions"),
                          ngettext("Apply {n} decision to the applications? {fund} will be awarded, {decline} "
                                   "declined and {defer} deferred, with the panel's reasons. This cannot be undone "
                                   "here.",
                                   "Apply {n} decisions to the applications? {fund} will be awarded, {decline} "
                                   "declined and {defer} deferred, with the panel's reasons. This cannot be undone "
                                   "here.", len(pending)).format(n=len(pending), fund=counts["fund"],
                                                                 decline=counts["decline"], defer=counts["defer"]),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("applyConfirm")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Apply decisions"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(self._apply)
        self.confirm_box = box
        box.finished.connect(lambda _r: setattr(self, "confirm_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        box.activateWindow()
        return box

    def _apply(self) -> None:
        """One service call, one transaction: every application moves as decided, or none does."""
        panel_id = self.panel_id

        def work(db):
            from grantdesk.services import panels

            return panels.apply_decisions(db, panel_id)

        def done(result: Any) -> None:
            parts = [words.format(n=len(refs)) + (f" ({', '.join(refs)})" if refs else "")
                     for words, refs in ((self.tr("{n} awarded"), result.awarded),
                                         (self.tr("{n} declined"), result.declined),
                                         (self.tr("{n} deferred"), result.deferred))]
            self._notice(self.deliberation_notice, "ok",
                         self.tr("Applied the panel's decisions: {parts}.").format(parts="; ".join(parts)))
            self.applied.emit(result)
            self.refresh()

        Op(self, work).success(done).failure(lambda e: self._refused(self.deliberation_notice, refusal_text(e))) \
            .with_progress(self.tr("Applying the panel's decisions")).run()

    # --- shared -----------------------------------------------------------------------------------
    def _open(self, dialog: QDialog, name: str, focus: QWidget | None) -> Any:
        setattr(self, name, dialog)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._dialog_closed(name))
        dialog.open()
        dialog.activateWindow()
        if focus is not None:
            focus.setFocus()
        return dialog

    def _dialog_closed(self, name: str) -> None:
        setattr(self, name, None)
        self.window().activateWindow()  # some platforms leave the closed dialog active

    def _dialog_refused(self, dialog: Any, error: GrantDeskError | OSError) -> None:
        """The core refused what a dialog asked: say so in the dialog, which stays open."""
        message = refusal_text(error)
        if dialog is not None:
            dialog.show_error(message)
            self.failed.emit(message)
        else:
            self.show_refusal(message)

    def show_refusal(self, text: str) -> None:
        """A refusal from the core for something this window asked (ui.operations), in the notice of
        the tab the person is on."""
        self._refused(self.deliberation_notice if self.tabs.currentIndex() == 2 else self.score_notice, text)

    def _refused(self, where: QLabel, message: str) -> None:
        self._notice(where, "error", message)
        self.failed.emit(message)

    def _notice(self, label: QLabel, kind: str, message: str) -> None:
        label.setText(message)
        label.setStyleSheet(NOTICE_STYLES[kind])
        label.setProperty("kind", kind)
        label.show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        """A new palette (a dark or high-contrast theme chosen while open): redraw the rich text in it."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.sheet is not None:
            self._show_decisions()
