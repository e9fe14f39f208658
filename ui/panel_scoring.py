"""Panel scoring, the Oxford way: named panellists score each application against the fund's
criteria, the panel deliberates, and its final decisions (which may differ from the raw scores, with
a reason) are applied to the applications by the officer.

Three tabs:

- **Score**: choose the panellist; a grid of applications × criteria, each cell a score (low to high,
  or "can't judge") with a note. Each application has "Declare an interest…"; a panellist who has
  declared one cannot score it, and the cells say so.
- **Results**: applications ranked by weighted score (with a bar), per-criterion means, scorers,
  conflicts, whether the raw scores would fund it within the budget, and the decision.
- **Deliberation**: the panel's notes, a "Decide…" per application (fund with an amount, decline,
  defer; a reason when the decision differs from the scores), and "Apply decisions to applications".

All database work runs through the ``TaskRunner``; the services are imported inside the jobs.
"""

from __future__ import annotations

from fractions import Fraction
import textwrap
from html import escape
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import format_money, parse_money

ERROR_STYLE = "color: #b91c1c;"
NOTICE_STYLES = {
    "error": "padding: 6px; border-radius: 4px; background: #fef2f2; color: #991b1b; border: 1px solid #fecaca;",
    "ok": "padding: 6px; border-radius: 4px; background: #f0fdf4; color: #14532d; border: 1px solid #bbf7d0;",
}
UNSCORED = "unscored"
CANT = "cant"
# In the order the brief and the register of interests list them.
INTEREST_KINDS = (("none", "No interest"), ("other_registrable", "Other registrable interest"),
                  ("non_registrable", "Non-registrable interest"), ("dpi", "Disclosable pecuniary interest"))
OUTCOME_WORDS = {"fund": "Fund", "decline": "Do not fund", "defer": "Defer"}
BAR_ROLE = Qt.ItemDataRole.UserRole + 10


def number_text(value: int | Fraction | None) -> str:
    """Scores for people: whole numbers as they are, others to two places; a dash for none."""
    if value is None:
        return "–"
    value = Fraction(value)
    return f"{value.numerator}" if value.denominator == 1 else f"{float(value):.2f}"


def interest_text(interest: Any) -> str:
    """A declared interest in words: "Non-registrable interest: my daughter runs the group"."""
    return f"{dict(INTEREST_KINDS).get(interest.kind, interest.kind)}: {interest.nature}"


def _decision_text(d: Any) -> str:
    if d is None:
        return ""
    text = OUTCOME_WORDS[d.outcome] + (f" {format_money(d.amount_pence)}" if d.outcome == "fund" else "")
    if d.differs_from_scores:
        text += " — differs from the scores"
    if d.applied:
        text += " (applied)"
    return text


def _is_conflict(error: BaseException) -> bool:
    from grantdesk.services.panels import ConflictOfInterest

    return isinstance(error, ConflictOfInterest)


# --- the results table ------------------------------------------------------------------------------


class ResultsModel(QAbstractTableModel):
    """The ranked applications. Fixed columns, then one per criterion, then the rest."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.sheet: Any = None
        self.headers: list[str] = []
        self.rows: list[tuple[str, ...]] = []
        self.tips: list[tuple[str | None, ...]] = []
        self.bars: list[float | None] = []
        self.objects: list[Any] = []
        self.bar_column = 3

    def set_sheet(self, sheet: Any) -> None:
        self.beginResetModel()
        self.sheet = sheet
        names = {p.id: p.name for p in sheet.panellists}
        self.headers = (["Rank", "Application", "Requested", f"Weighted score\n(of {sheet.max_weighted})"]
                        + [f"{textwrap.fill(c.name, 22)}\n×{c.weight} · {c.low} to {c.high}" for c in sheet.criteria]
                        + ["Scorers", "Conflicts", "Raw scores\nsuggest", "Decision"])
        self.rows, self.tips, self.bars, self.objects = [], [], [], []
        top = sheet.max_weighted or 1
        for a in sheet.applications:
            scorers = len({s.panellist_id for s in a.scores})
            conflicts = "; ".join(f"{names.get(pid, pid)}: {interest_text(what)}" for pid, what in a.conflicted.items())
            who = ", ".join(names.get(pid, str(pid)) for pid in a.conflicted)
            if a.weighted is None:
                raw = "Not scored"
            else:
                raw = "Fund" if a.suggested else "Not funded"
            d = a.decision
            short = "–"
            if d is not None:
                short = OUTCOME_WORDS[d.outcome] + (f" {format_money(d.amount_pence)}" if d.outcome == "fund" else "")
                short += " (differs)" if d.differs_from_scores else ""
                short += " · applied" if d.applied else ""
            self.rows.append((str(a.rank), f"{a.reference} · {a.title}", format_money(a.amount_pence),
                              f"{number_text(a.weighted)} of {sheet.max_weighted}" if a.weighted is not None else "–",
                              *(number_text(a.means.get(c.id)) for c in sheet.criteria),
                              str(scorers), who or "–", raw, short))
            tip_raw = ("Nobody has scored it yet." if a.weighted is None else
                       f"Down the ranking, within the budget, the raw scores {'fund' if a.suggested else 'do not fund'}"
                       " this application.")
            tip_decision = (_decision_text(d) + (f": {d.reason}" if d.reason else "")) if d else "No decision yet."
            self.tips.append((None, f"{a.reference} · {a.title} · {a.organisation}", None, None,
                              *(None for _ in sheet.criteria), None,
                              conflicts or "No declared interests.", tip_raw, tip_decision))
            self.bars.append(float(a.weighted / top) if a.weighted is not None else None)
            self.objects.append(a)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.rows[row][col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tips[row][col] or self.rows[row][col]
        if role == BAR_ROLE and col == self.bar_column:
            return self.bars[row]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            last_numeric = len(self.headers) - 4
            if col in (0, 2) or 4 <= col < last_numeric + 1:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and col == len(self.headers) - 2:
            a = self.objects[row]
            return QBrush(QColor("#15803d" if a.suggested else "#4b5563"))
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None


class BarDelegate(QStyledItemDelegate):
    """A horizontal bar for the weighted score, with its number on top."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        share = index.data(BAR_ROLE)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else QWidget().style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(option.rect).adjusted(4, 5, -4, -5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#e5e7eb"))
        painter.drawRoundedRect(rect, 3, 3)
        if share:
            filled = QRectF(rect)
            filled.setWidth(max(2.0, rect.width() * min(1.0, share)))
            painter.setBrush(QColor("#2563eb"))
            painter.drawRoundedRect(filled, 3, 3)
        painter.setPen(QPen(QColor("#111827")))
        text_rect = rect.adjusted(6, 0, -6, 0)
        if share and share > 0.5:
            painter.setPen(QPen(QColor("#ffffff")))
        painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        painter.restore()

    def sizeHint(self, option, index):
        hint = super().sizeHint(option, index)
        hint.setWidth(max(hint.width() + 24, 180))
        return hint


# --- dialogs --------------------------------------------------------------------------------------


class _SubmitDialog(QDialog):
    """A dialog whose OK hands its answer to the widget; the widget closes it when the service
    accepted it, or shows the service's message in it."""

    def __init__(self, title: str, submit: Callable[[dict[str, Any]], None], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._submit = submit
        self.layout_ = QVBoxLayout(self)
        self.error = QLabel()
        self.error.setObjectName("dialogError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.try_submit)
        self.buttons.rejected.connect(self.reject)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.buttons)

    def answer(self) -> dict[str, Any]:
        raise NotImplementedError

    def try_submit(self) -> None:
        try:
            args = self.answer()
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        self.error.clear()
        self.ok.setEnabled(False)
        self._submit(args)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.ok.setEnabled(True)


class InterestDialog(_SubmitDialog):
    """A panellist's declaration of interest in one application."""

    def __init__(self, panellist: str, application: Any, submit, parent: QWidget | None = None):
        super().__init__(f"Declare an interest: {application.reference}", submit, parent)
        self.setObjectName("interestDialog")
        intro = QLabel(f"<b>{escape(panellist)}</b> declares an interest in <b>{escape(application.reference)}</b>"
                       f" · {escape(application.title)} ({escape(application.organisation)}).<br>"
                       "A panellist who declares an interest cannot score the application; scores they gave "
                       "it before no longer count.")
        intro.setWordWrap(True)
        self.intro = intro
        self.layout_.addWidget(intro)
        form = QFormLayout()
        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("interestKind")
        self.kind_combo.setAccessibleName("Kind of interest")
        for kind, label in INTEREST_KINDS:
            self.kind_combo.addItem(label, kind)
        self.kind_combo.setPlaceholderText("Choose the kind of interest…")
        self.kind_combo.setCurrentIndex(-1)
        self.nature_edit = QLineEdit()
        self.nature_edit.setObjectName("interestNature")
        self.nature_edit.setAccessibleName("Nature of the interest")
        self.nature_edit.setPlaceholderText("e.g. my daughter runs the group")
        kind_label = QLabel("&Kind")
        kind_label.setBuddy(self.kind_combo)
        nature_label = QLabel("&Nature")
        nature_label.setBuddy(self.nature_edit)
        form.addRow(kind_label, self.kind_combo)
        form.addRow(nature_label, self.nature_edit)
        self.layout_.addLayout(form)
        self.ok.setText("Declare")
        self.finish_layout()
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._update())
        self.nature_edit.textChanged.connect(lambda _t: self._update())
        self._update()
        self.resize(520, 220)

    def kind(self) -> str | None:
        return self.kind_combo.currentData()

    def _update(self) -> None:
        kind = self.kind()
        self.nature_edit.setEnabled(kind not in (None, "none"))
        self.ok.setEnabled(kind == "none" or (kind is not None and bool(self.nature_edit.text().strip())))

    def answer(self) -> dict[str, Any]:
        kind = self.kind()
        if kind is None:
            raise ValidationError("Choose the kind of interest (or “No interest”).")
        return {"kind": kind, "nature": self.nature_edit.text().strip() if kind != "none" else ""}


class DecideDialog(_SubmitDialog):
    """The panel's final decision on one application, after deliberation."""

    def __init__(self, application: Any, count: int, submit, parent: QWidget | None = None):
        super().__init__(f"Decide: {application.reference}", submit, parent)
        self.setObjectName("decideDialog")
        self.application = application
        a = application
        if a.weighted is None:
            scores = "Nobody has scored it, so the raw scores do not suggest funding it."
        else:
            scores = (f"The raw scores rank it <b>{a.rank} of {count}</b> (weighted {number_text(a.weighted)}) and "
                      + ("suggest <b>funding it</b> within the budget." if a.suggested else
                         "suggest <b>not funding it</b> within the budget."))
        intro = QLabel(f"<b>{escape(a.reference)}</b> · {escape(a.title)} · {escape(a.organisation)}<br>"
                       f"Asked for {format_money(a.amount_pence)}. {scores}<br>"
                       "A decision that differs from the scores needs a reason, kept with the round.")
        intro.setWordWrap(True)
        self.layout_.addWidget(intro)
        self.group = QButtonGroup(self)
        row = QHBoxLayout()
        self.fund = QRadioButton("&Fund")
        self.decline = QRadioButton("&Do not fund")
        self.defer = QRadioButton("D&efer")
        for n, (radio, name) in enumerate(((self.fund, "fund"), (self.decline, "decline"), (self.defer, "defer"))):
            radio.setObjectName(f"decide_{name}")
            radio.setAccessibleName(radio.text().replace("&", ""))
            self.group.addButton(radio, n)
            row.addWidget(radio)
        row.addStretch(1)
        self.layout_.addLayout(row)
        form = QFormLayout()
        self.amount_edit = QLineEdit(format_money(a.amount_pence))
        self.amount_edit.setObjectName("decideAmount")
        self.amount_edit.setAccessibleName("Amount the panel awards")
        amount_label = QLabel("&Amount")
        amount_label.setBuddy(self.amount_edit)
        form.addRow(amount_label, self.amount_edit)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("decideReason")
        self.reason_edit.setAccessibleName("Reason for the decision")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setPlaceholderText("Why the panel decided so (needed when it differs from the scores)")
        self.reason_edit.setFixedHeight(90)
        reason_label = QLabel("&Reason")
        reason_label.setBuddy(self.reason_edit)
        form.addRow(reason_label, self.reason_edit)
        self.layout_.addLayout(form)
        self.ok.setText("Record decision")
        self.finish_layout()
        d = a.decision
        if d is not None:
            {"fund": self.fund, "decline": self.decline, "defer": self.defer}[d.outcome].setChecked(True)
            if d.outcome == "fund":
                self.amount_edit.setText(format_money(d.amount_pence))
            self.reason_edit.setPlainText(d.reason)
        else:
            (self.fund if a.suggested else self.decline).setChecked(True)
        self.group.idToggled.connect(lambda _i, _on: self._update())
        self._update()
        self.resize(560, 340)

    def outcome(self) -> str:
        return {0: "fund", 1: "decline", 2: "defer"}[self.group.checkedId()]

    def _update(self) -> None:
        self.amount_edit.setEnabled(self.fund.isChecked())

    def answer(self) -> dict[str, Any]:
        outcome = self.outcome()
        amount = parse_money(self.amount_edit.text(), field="amount") if outcome == "fund" else 0
        return {"outcome": outcome, "amount_pence": amount, "reason": self.reason_edit.toPlainText().strip()}


# --- the widget -------------------------------------------------------------------------------------


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
        self.cells: dict[tuple[int, int], tuple[QComboBox, QLineEdit]] = {}
        self.interest_buttons: dict[int, QPushButton] = {}
        self.interest_labels: dict[int, QLabel] = {}
        self.decide_buttons: dict[int, QPushButton] = {}
        self.decision_labels: dict[int, QLabel] = {}
        self.decision_app_labels: dict[int, QLabel] = {}
        self._structure: tuple = ()
        self._decision_order: tuple = ()
        self._filling = False
        self.interest_dialog: InterestDialog | None = None
        self.decide_dialog: DecideDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.setObjectName("panelScoring")
        self._build()

    # --- construction -------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        self.title = QLabel("Loading the panel…")
        self.title.setObjectName("panelTitle")
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        outer.addWidget(self.title)
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #4b5563;")
        self.subtitle.setWordWrap(True)
        outer.addWidget(self.subtitle)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("panelTabs")
        self.tabs.setAccessibleName("Panel scoring")
        outer.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_score_tab(), "&Score")
        self.tabs.addTab(self._build_results_tab(), "&Results")
        self.tabs.addTab(self._build_deliberation_tab(), "&Deliberation")
        for n in range(3):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{n + 1}"), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda n=n: self.tabs.setCurrentIndex(n))

    def _build_score_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        top = QHBoxLayout()
        label = QLabel("&Panellist")
        label.setStyleSheet("font-weight: 600;")
        self.panellist_combo = QComboBox()
        self.panellist_combo.setObjectName("panellistCombo")
        self.panellist_combo.setAccessibleName("Panellist scoring")
        self.panellist_combo.setMinimumWidth(240)
        self.panellist_combo.currentIndexChanged.connect(lambda _i: self._fill_scores())
        label.setBuddy(self.panellist_combo)
        top.addWidget(label)
        top.addWidget(self.panellist_combo)
        hint = QLabel("Choose a score for each criterion (type the number; C for can't judge), "
                      "and add a note if it helps the panel.")
        hint.setStyleSheet("color: #4b5563;")
        hint.setWordWrap(True)
        top.addWidget(hint, 1)
        layout.addLayout(top)
        self.score_notice = QLabel()
        self.score_notice.setObjectName("scoreNotice")
        self.score_notice.setAccessibleName("Scoring message")
        self.score_notice.setWordWrap(True)
        self.score_notice.hide()
        layout.addWidget(self.score_notice)
        self.score_scroll = QScrollArea()
        self.score_scroll.setWidgetResizable(True)
        self.score_scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout.addWidget(self.score_scroll, 1)
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
        view.setAccessibleName("Applications ranked by weighted score")
        view.setModel(self.results_model)
        view.setItemDelegateForColumn(self.results_model.bar_column, BarDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(True)
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        view.horizontalHeader().setHighlightSections(False)
        view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.results_view = view
        layout.addWidget(view, 1)
        return page

    def _build_deliberation_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        notes_label = QLabel("Deliberation &notes, kept with the round")
        notes_label.setStyleSheet("font-weight: 600;")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setObjectName("notesEdit")
        self.notes_edit.setAccessibleName("Deliberation notes")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setPlaceholderText("What the panel discussed, and why it decided as it did")
        self.notes_edit.setMaximumHeight(130)
        notes_label.setBuddy(self.notes_edit)
        layout.addWidget(notes_label)
        layout.addWidget(self.notes_edit)
        row = QHBoxLayout()
        self.notes_status = QLabel()
        self.notes_status.setObjectName("notesStatus")
        self.notes_status.setStyleSheet("color: #4b5563;")
        row.addWidget(self.notes_status, 1)
        self.save_notes_button = QPushButton("Save notes  (Ctrl+S)")
        self.save_notes_button.setObjectName("saveNotes")
        self.save_notes_button.setAccessibleName("Save the deliberation notes")
        self.save_notes_button.clicked.connect(self.save_notes)
        row.addWidget(self.save_notes_button)
        layout.addLayout(row)
        shortcut = QShortcut(QKeySequence("Ctrl+S"), page)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save_notes)
        self.notes_edit.textChanged.connect(lambda: self.notes_status.setText("Not saved yet."))

        decisions_label = QLabel("Decisions")
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
        self.apply_button = QPushButton("&Apply decisions to applications…")
        self.apply_button.setObjectName("applyDecisions")
        self.apply_button.setAccessibleName("Apply the panel's decisions to the applications")
        self.apply_button.clicked.connect(self.ask_apply)
        bottom.addWidget(self.apply_button)
        layout.addLayout(bottom)
        return page

    # --- loading ----------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the score sheet (call after ``show()``)."""
        self.refresh(initial=True)

    def refresh(self, *, initial: bool = False) -> None:
        db, panel_id = self.db, self.panel_id

        def fetch():
            from grantdesk.services import panels

            return panels.score_sheet(db, panel_id)

        self.runner.run(fetch, lambda sheet: self._on_sheet(sheet, initial), self._on_error, owner=self)

    def _on_sheet(self, sheet: Any, initial: bool) -> None:
        self.sheet = sheet
        self.title.setText(f"{sheet.panel_name}" + (f" · {sheet.round_name}" if sheet.round_name else ""))
        budget = f"Budget {format_money(sheet.budget_pence)}" if sheet.budget_pence is not None else "No round budget"
        self.subtitle.setText(f"{budget} · {len(sheet.applications)} applications · "
                              f"{len(sheet.panellists)} panellists · {len(sheet.criteria)} criteria, weighted "
                              f"score out of {sheet.max_weighted}")
        if initial or self.panellist_combo.count() != len(sheet.panellists):
            current = self.panellist_combo.currentData()
            self._filling = True
            self.panellist_combo.clear()
            for p in sheet.panellists:
                self.panellist_combo.addItem(f"{p.name} ({p.area})" if p.area else p.name, p.id)
            if current is not None and self.panellist_combo.findData(current) >= 0:
                self.panellist_combo.setCurrentIndex(self.panellist_combo.findData(current))
            self._filling = False
        structure = (tuple(sorted((a.reference, a.application_id) for a in sheet.applications)),
                     tuple((c.id, c.name, c.low, c.high, c.weight) for c in sheet.criteria))
        if structure != self._structure:
            self._structure = structure
            self._build_grid()
        self._fill_scores()
        self._show_results()
        self._show_decisions()
        if initial:
            self.notes_edit.setPlainText(sheet.notes)
            self.notes_status.setText("Saved." if sheet.notes else "")
            self.loaded.emit()
        self.refreshed.emit()

    # --- score tab --------------------------------------------------------------------------------
    def _build_grid(self) -> None:
        sheet = self.sheet
        self.cells.clear()
        self.interest_buttons.clear()
        self.interest_labels.clear()
        body = QWidget()
        grid = QGridLayout(body)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        if not sheet.criteria or not sheet.applications or not sheet.panellists:
            missing = ("criteria" if not sheet.criteria else "applications to score" if not sheet.applications
                       else "panellists")
            grid.addWidget(QLabel(f"This panel has no {missing} yet."), 0, 0)
            self.score_scroll.setWidget(body)
            return
        header = QLabel("<b>Application</b>")
        grid.addWidget(header, 0, 0)
        for col, c in enumerate(sheet.criteria, start=1):
            head = QLabel(f"<b>{escape(c.name)}</b><br><span style='color:#4b5563'>weight ×{c.weight} · "
                          f"{c.low} to {c.high}</span>")
            head.setToolTip(c.description or c.name)
            head.setWordWrap(True)
            grid.addWidget(head, 0, col)
        grid.addWidget(QLabel("<b>Interests</b>"), 0, len(sheet.criteria) + 1)
        apps = sorted(sheet.applications, key=lambda a: a.reference)
        for row, a in enumerate(apps, start=1):
            label = QLabel(f"<b>{escape(a.reference)}</b> · {escape(a.title)}<br>"
                           f"<span style='color:#4b5563'>{escape(a.organisation)} · "
                           f"{format_money(a.amount_pence)}</span>")
            label.setWordWrap(True)
            label.setMinimumWidth(240)
            grid.addWidget(label, row, 0)
            for col, c in enumerate(sheet.criteria, start=1):
                cell = QWidget()
                box = QVBoxLayout(cell)
                box.setContentsMargins(0, 0, 0, 0)
                box.setSpacing(2)
                combo = QComboBox()
                combo.setObjectName(f"score_{a.application_id}_{c.id}")
                combo.setAccessibleName(f"{a.reference}, {c.name}: score")
                combo.addItem("– not scored", UNSCORED)
                for value in range(c.low, c.high + 1):
                    combo.addItem(str(value), value)
                combo.addItem("Can't judge", CANT)
                combo.activated.connect(lambda _i, app=a.application_id, crit=c.id: self._score_chosen(app, crit))
                note = QLineEdit()
                note.setObjectName(f"note_{a.application_id}_{c.id}")
                note.setAccessibleName(f"{a.reference}, {c.name}: note")
                note.setPlaceholderText("Note")
                note.editingFinished.connect(lambda app=a.application_id, crit=c.id: self._note_done(app, crit))
                box.addWidget(combo)
                box.addWidget(note)
                grid.addWidget(cell, row, col)
                self.cells[(a.application_id, c.id)] = (combo, note)
            side = QWidget()
            sbox = QVBoxLayout(side)
            sbox.setContentsMargins(0, 0, 0, 0)
            sbox.setSpacing(2)
            button = QPushButton("Declare an interest…")
            button.setObjectName(f"declare_{a.application_id}")
            button.setAccessibleName(f"Declare an interest in {a.reference}")
            button.clicked.connect(lambda _c=False, app=a.application_id: self.open_interest(app))
            status = QLabel()
            status.setObjectName(f"interest_{a.application_id}")
            status.setWordWrap(True)
            status.setMaximumWidth(260)
            sbox.addWidget(button)
            sbox.addWidget(status)
            grid.addWidget(side, row, len(sheet.criteria) + 1)
            self.interest_buttons[a.application_id] = button
            self.interest_labels[a.application_id] = status
        grid.setRowStretch(len(apps) + 1, 1)
        grid.setColumnStretch(0, 2)
        for col in range(1, len(sheet.criteria) + 1):
            grid.setColumnStretch(col, 1)
        self.score_scroll.setWidget(body)

    def panellist_id(self) -> int | None:
        return self.panellist_combo.currentData()

    def _fill_scores(self) -> None:
        if self._filling or self.sheet is None or not self.cells:
            return
        person = self.panellist_id()
        names = {p.id: p.name for p in self.sheet.panellists}
        for a in self.sheet.applications:
            mine = {s.criterion_id: s for s in a.scores if s.panellist_id == person}
            interest = interest_text(a.conflicted[person]) if person in a.conflicted else None
            final = a.decision is not None and a.decision.applied
            for c in self.sheet.criteria:
                combo, note = self.cells[(a.application_id, c.id)]
                s = mine.get(c.id)
                if interest:
                    combo.setCurrentIndex(0)
                    combo.setItemText(0, "Interest declared")
                    combo.setEnabled(False)
                    note.setText(f"Interest declared: {interest}")
                    note.setCursorPosition(0)
                    note.setEnabled(False)
                    combo.setToolTip(f"{names.get(person, '')} declared an interest: {interest}")
                    continue
                combo.setItemText(0, "– not scored")
                combo.setEnabled(not final)
                note.setEnabled(not final)
                combo.setToolTip("The panel's decision has been applied: scores are final." if final else "")
                if s is None:
                    combo.setCurrentIndex(0)
                else:
                    combo.setCurrentIndex(combo.findData(CANT if s.score is None else s.score))
                if not note.hasFocus():
                    note.setText(s.note if s else "")
            button, label = self.interest_buttons[a.application_id], self.interest_labels[a.application_id]
            button.setEnabled(person is not None)
            if interest:
                label.setText(f"Interest declared: {interest}")
                label.setStyleSheet("color: #92400e;")
            else:
                label.setText("")

    def _choice(self, combo: QComboBox) -> Any:
        return combo.currentData()

    def _stored(self, application_id: int, criterion_id: int) -> Any:
        person = self.panellist_id()
        for a in self.sheet.applications:
            if a.application_id == application_id:
                for s in a.scores:
                    if s.panellist_id == person and s.criterion_id == criterion_id:
                        return s
        return None

    def _score_chosen(self, application_id: int, criterion_id: int) -> None:
        combo, note = self.cells[(application_id, criterion_id)]
        choice = combo.currentData()
        if choice == UNSCORED:
            stored = self._stored(application_id, criterion_id)
            if stored is not None:
                combo.setCurrentIndex(combo.findData(CANT if stored.score is None else stored.score))
                self._notice(self.score_notice, "error", "A score can be changed but not taken away; choose "
                                                         "“Can't judge” if you cannot score it.")
            return
        self.score(application_id, criterion_id, None if choice == CANT else int(choice), note.text())

    def _note_done(self, application_id: int, criterion_id: int) -> None:
        combo, note = self.cells[(application_id, criterion_id)]
        if not note.isEnabled():
            return
        stored = self._stored(application_id, criterion_id)
        text = note.text().strip()
        if stored is None:
            if text:
                self._notice(self.score_notice, "error", "Choose a score (or “Can't judge”) to keep the note with.")
            return
        if text != stored.note:
            self.score(application_id, criterion_id, stored.score, text)

    def score(self, application_id: int, criterion_id: int, score: int | None, note: str = "") -> None:
        """Record the chosen panellist's score (``None``: can't judge) on one criterion."""
        person = self.panellist_id()
        if person is None:
            return
        db = self.db

        def work():
            from grantdesk.services import panels

            panels.record_score(db, person, application_id, criterion_id, score, note)

        def done(_r: Any) -> None:
            self.score_notice.hide()
            self.scored.emit()
            self.refresh()

        def failed(error: BaseException) -> None:
            self._service_error(error, self.score_notice)
            self.refresh()  # show what is stored, not what was refused

        self.runner.run(work, done, failed, owner=self)

    def open_interest(self, application_id: int) -> InterestDialog | None:
        person = self.panellist_id()
        if person is None or self.sheet is None:
            return None
        app = next(a for a in self.sheet.applications if a.application_id == application_id)
        name = self.panellist_combo.currentText()
        dialog = InterestDialog(name, app, lambda args: self._declare(person, application_id, args), self)
        return self._open(dialog, "interest_dialog", dialog.kind_combo)

    def _declare(self, person: int, application_id: int, args: dict[str, Any]) -> None:
        db, panel_id, dialog = self.db, self.panel_id, self.interest_dialog

        def work():
            from grantdesk.services import panels

            panels.declare_interest(db, panel_id, person, application_id, args["kind"], args["nature"])

        def done(_r: Any) -> None:
            if dialog is not None:
                dialog.accept()
            self.declared.emit()
            self.refresh()

        self.runner.run(work, done, lambda e: self._dialog_error(e, dialog), owner=self)

    # --- results tab ------------------------------------------------------------------------------
    def _show_results(self) -> None:
        sheet = self.sheet
        self.results_model.set_sheet(sheet)
        header = self.results_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.results_model.bar_column, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(self.results_model.bar_column, 170)
        suggested = [a for a in sheet.applications if a.suggested]
        spend = sum(a.amount_pence for a in suggested)
        decided = [a for a in sheet.applications if a.decision is not None]
        budget = format_money(sheet.budget_pence) if sheet.budget_pence is not None else "no set budget"
        self.results_summary.setText(
            f"Ranked by weighted score (Σ weight × mean score, leaving out “can't judge”). Within {budget}, the "
            f"raw scores would fund {len(suggested)} application{'s' if len(suggested) != 1 else ''} for "
            f"{format_money(spend)}. {len(decided)} of {len(sheet.applications)} decided.")

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
                button = QPushButton("Decide…")
                button.setObjectName(f"decide_{a.application_id}")
                button.setAccessibleName(f"Decide on {a.reference}")
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
        for a in sheet.applications:
            label = self.decision_app_labels[a.application_id]
            raw = ("not scored" if a.weighted is None else
                   f"weighted {number_text(a.weighted)} of {sheet.max_weighted}; the scores "
                   + ("fund it" if a.suggested else "do not fund it"))
            label.setText(f"<b>{a.rank}.</b> <b>{escape(a.reference)}</b> · {escape(a.title)} · "
                          f"{format_money(a.amount_pence)}<br><span style='color:#4b5563'>{raw}</span>")
            d = a.decision
            status = self.decision_labels[a.application_id]
            if d is None:
                status.setText("<span style='color:#4b5563'>No decision yet</span>")
            else:
                reason = f"<br><i>{escape(d.reason)}</i>" if d.reason else ""
                colour = "#b45309" if d.differs_from_scores else "#111827"
                status.setText(f"<span style='color:{colour}'><b>{escape(_decision_text(d))}</b></span>{reason}")
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
        db, panel_id, dialog = self.db, self.panel_id, self.decide_dialog

        def work():
            from grantdesk.services import panels

            return panels.record_decision(db, panel_id, application_id, args["outcome"],
                                          amount_pence=args["amount_pence"], reason=args["reason"])

        def done(decision: Any) -> None:
            if dialog is not None:
                dialog.accept()
            self._notice(self.deliberation_notice, "ok", "Decision recorded"
                         + (" — it differs from the scores; the reason is kept." if decision.differs_from_scores
                            else "."))
            self.decided.emit(decision)
            self.refresh()

        self.runner.run(work, done, lambda e: self._dialog_error(e, dialog), owner=self)

    def save_notes(self) -> None:
        """Save the deliberation notes (Ctrl+S on the Deliberation tab)."""
        db, panel_id, text = self.db, self.panel_id, self.notes_edit.toPlainText()

        def work():
            from grantdesk.services import panels

            panels.set_deliberation_notes(db, panel_id, text)

        def done(_r: Any) -> None:
            self.notes_status.setText("Saved.")
            self.notes_saved.emit()

        self.runner.run(work, done, lambda e: self._service_error(e, self.deliberation_notice), owner=self)

    def ask_apply(self) -> QMessageBox | None:
        """Ask, then move the applications as the panel decided."""
        if self.sheet is None:
            return None
        pending = [a for a in self.sheet.applications
                   if a.decision is not None and not a.decision.applied and a.status == "shortlisted"]
        counts = {k: sum(1 for a in pending if a.decision.outcome == k) for k in OUTCOME_WORDS}
        box = QMessageBox(QMessageBox.Icon.Question, "Apply the panel's decisions",
                          f"Apply {len(pending)} decision{'s' if len(pending) != 1 else ''} to the applications? "
                          f"{counts['fund']} will be awarded, {counts['decline']} declined and {counts['defer']} "
                          "deferred, with the panel's reasons. This cannot be undone here.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("applyConfirm")
        box.button(QMessageBox.StandardButton.Yes).setText("Apply decisions")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(self._apply)
        self.confirm_box = box
        box.finished.connect(lambda _r: setattr(self, "confirm_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        box.activateWindow()
        return box

    def _apply(self) -> None:
        db, panel_id = self.db, self.panel_id

        def work():
            from grantdesk.services import panels

            return panels.apply_decisions(db, panel_id)

        def done(result: Any) -> None:
            parts = [f"{len(refs)} {word}" + (f" ({', '.join(refs)})" if refs else "")
                     for word, refs in (("awarded", result.awarded), ("declined", result.declined),
                                        ("deferred", result.deferred))]
            self._notice(self.deliberation_notice, "ok", "Applied the panel's decisions: " + "; ".join(parts) + ".")
            self.applied.emit(result)
            self.refresh()

        self.runner.run(work, done, lambda e: self._service_error(e, self.deliberation_notice), owner=self)

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

    def _dialog_error(self, error: BaseException, dialog: Any) -> None:
        from grantdesk.domain.errors import GrantDeskError

        if dialog is not None and isinstance(error, GrantDeskError):
            dialog.show_error(str(error))
            self.failed.emit(str(error))
        else:
            self._on_error(error)

    def _service_error(self, error: BaseException, where: QLabel) -> None:
        from grantdesk.domain.errors import GrantDeskError

        if not isinstance(error, GrantDeskError):
            self._on_error(error)
            return
        message = str(error)
        if _is_conflict(error):
            message = f"Refused: {message}"
        self._notice(where, "error", message)
        self.failed.emit(message)

    def _notice(self, label: QLabel, kind: str, message: str) -> None:
        label.setText(message)
        label.setStyleSheet(NOTICE_STYLES[kind])
        label.setProperty("kind", kind)
        label.show()

    def _on_error(self, error: BaseException) -> None:
        message = str(error) or type(error).__name__
        self._notice(self.score_notice, "error", message)
        self.failed.emit(message)
