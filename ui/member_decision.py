"""One application's elected-member decisions: the application and what it still needs, the flags the
fund's rules raise (repeat bid, match funding, late), the decisions so far with the officer's approval
or return, and the form a member's written decision is recorded on — the declaration of interest
first, then the recommendation (all or part of the request, from the member's own pot) or refusal,
with reasons and the date.

Whatever the services refuse (a pot that would go below zero, a disclosable pecuniary interest with no
dispensation, a date after the spend-by day, a missing reason) is shown with the service's sentence
and the form is kept as typed. Recording a decision and the officer's approval or return are each one
``Op`` (one service, one transaction); reads are ``Query`` (``ui.operations``). The screen follows
changes made elsewhere to the pots, the awards and the applications, so what it shows stays true.

The services give the declarations of interest and the flags as data (``Declaration``, ``RepeatBid``,
``MatchFunding``, ``LateApplication``); the words the screen shows for them are chosen here, in
``interest_words`` and ``flag_words``.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from html import escape
from typing import Any, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Changes, Kind
from grantdesk.domain.dates import financial_year_label, format_date, parse_uk_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.interests import Declaration
from grantdesk.domain.money import format_money, parse_money
from grantdesk.domain.workflow import STATUS_LABELS, Status
from grantdesk.i18n import N_
from grantdesk.i18n import _ as core_text  # the core's labels (interests, statuses, organisation types)
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.tasks import TaskRunner
from ui.widgets import action_button

Index = QModelIndex | QPersistentModelIndex

# The kinds of interest in the order the form offers them (labels come from the services).
INTEREST_ORDER = ("none", "other_registrable", "non_registrable", "dpi")
DECIDABLE = ("submitted", "eligible", "shortlisted")

FLAG_STYLES = {  # background, text, border — each passes AA contrast
    "repeat": ("#fef3c7", "#78350f", "#f59e0b"),
    "match_funding": ("#e0e7ff", "#312e81", "#6366f1"),
    "late": ("#fee2e2", "#7f1d1d", "#ef4444"),
    "area": ("#f3f4f6", "#1f2937", "#9ca3af"),
}
FLAG_NAMES = {"repeat": N_("Repeat bid"), "match_funding": N_("Match funding"), "late": N_("Late"), "area": N_("Area")}
# What the screen shows changes with these: any member's pot (MEMBERS), awards (AWARDS), the application.
FOLLOWS = (Kind.MEMBERS, Kind.AWARDS, Kind.APPLICATIONS)
ERROR_STYLE = "padding: 6px; background: #fef2f2; color: #991b1b;"
OK_STYLE = "padding: 6px; background: #ecfdf5; color: #065f46;"


_dialog_button = partial(action_button, auto_default=False)  # a dialog's Enter stays with its fields


def tr(text: str) -> str:
    """Words shown by the module's functions (classes use ``self.tr``)."""
    return QCoreApplication.translate("MemberDecision", text)


def _uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


# --- the screen's words for what the services give as data ---------------------------------------------


def _kind_name(kind: str) -> str:
    from grantdesk.services.decisions import INTEREST_LABELS  # the window is open: the core is loaded

    return core_text(INTEREST_LABELS[kind]) if kind in INTEREST_LABELS else kind.replace("_", " ").capitalize()


def interest_words(d: Declaration) -> str:
    """A declaration of interest for the officer on screen: "No interest", "No interest declared" (none
    was recorded), or the kind with its nature and any dispensation with the day it was granted."""
    if not d.declared:
        return tr("No interest declared")
    text = _kind_name(d.kind) + (f": {d.nature}" if d.nature and not d.none else "")
    if d.dispensation_reference and d.dispensation_granted_on:
        text += " " + tr("(dispensation {reference}, granted {date})").format(
            reference=d.dispensation_reference, date=format_date(d.dispensation_granted_on))
    elif d.dispensation_reference:
        text += " " + tr("(dispensation {reference})").format(reference=d.dispensation_reference)
    return text


def _a(org_type: str) -> str:
    """"a parish or town council", "an individual": an organisation type inside a sentence (Welsh has no
    indefinite article: its translations of "a {kind}" and "an {kind}" are the kind alone)."""
    from grantdesk.domain.organisations import OrgType

    try:
        label = core_text(OrgType(org_type).label)
    except ValueError:
        label = org_type.replace("_", " ")
    name = label[:1].lower() + label[1:]
    return (tr("an {kind}") if name[:1] in "aeiou" else tr("a {kind}")).format(kind=name)


def flag_words(flag: Any) -> str:
    """What a flag means, for the officer on screen (its name is shown beside it, from ``FLAG_NAMES``)."""
    if flag.kind == "repeat":
        return (tr("{organisation} was awarded {amount} by this fund last year ({reference}, {date}).").format(
                    organisation=flag.organisation, amount=format_money(flag.amount_pence), reference=flag.reference,
                    date=format_date(flag.awarded_on))
                + (" " + tr("The fund says: {words}.").format(words=flag.fund_says) if flag.fund_says else ""))
    if flag.kind == "match_funding":
        asks = (tr("The fund asks {kind} to find {percent}% of the cost.").format(kind=_a(flag.org_type),
                                                                                 percent=flag.percent)
                if flag.percent else tr("The fund asks {kind} to find part of the cost.").format(kind=_a(flag.org_type)))
        return (asks + " "
                + (tr("The application says: “{words}”.").format(words=flag.given) if flag.given
                   else tr("The application does not say where it comes from.")))
    if flag.kind == "late":
        return tr("Submitted on {date}, after the apply-by date {apply_by}.").format(
            date=format_date(flag.submitted_on), apply_by=format_date(flag.apply_by))
    return ""


class DecisionsModel(QAbstractTableModel):
    """The member decisions on one application (``DecisionView`` values), oldest first."""

    MEMBER, DECISION, DATE, INTEREST, OFFICER = range(5)
    HEADERS = (N_("Member"), N_("Decision"), N_("Date"), N_("Interest declared"), N_("Officer"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_decisions(self, decisions: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(decisions)
        self.endResetModel()

    def decision_at(self, row: int) -> Any:
        return self._rows[row]

    @staticmethod
    def officer_text(d: Any) -> str:
        if d.decision != "recommended":
            return "—"
        if d.officer_outcome is None:
            return tr("Waiting for the officer")
        returned = d.officer_outcome == "returned"
        if d.officer_name:
            text = (tr("Returned {date} by {name}") if returned else tr("Approved {date} by {name}")).format(
                date=format_date(d.officer_on), name=d.officer_name)
        else:
            text = (tr("Returned {date}") if returned else tr("Approved {date}")).format(date=format_date(d.officer_on))
        return text + (f": {d.officer_reason}" if d.officer_reason else "")

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.HEADERS[section])
        return None

    def _text(self, d: Any, col: int) -> str:
        if col == self.MEMBER:
            return d.member
        if col == self.DECISION:
            return (self.tr("Recommended {amount}").format(amount=format_money(d.amount_pence))
                    if d.decision == "recommended" else self.tr("Refused"))
        if col == self.DATE:
            return format_date(d.decided_on)
        if col == self.INTEREST:
            return interest_words(d.interest)
        return self.officer_text(d)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        d = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(d, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._text(d, col) + "\n\n" + self.tr("Reasons: {reasons}").format(reasons=d.reasons)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == self.OFFICER and d.decision == "recommended":
                colour = {"approved": "#15803d", "returned": "#b45309"}.get(d.officer_outcome or "", "#1d4ed8")
                return QBrush(QColor(colour))
            if col == self.DECISION and d.decision == "refused":
                return QBrush(QColor("#b91c1c"))
            if col == self.INTEREST and d.interest.interest:
                return QBrush(QColor("#7c2d12"))
        return None


class MemberDecisionDialog(QDialog):
    """The decision screen for one application of a member-decided fund. ``start()`` loads it;
    ``loaded`` fires after each (re)load and ``changed`` after this screen records something and has
    reloaded (other windows learn of it from the operations' broadcast, not from this signal)."""

    loaded = Signal()
    changed = Signal()

    def __init__(self, db: Any, runner: TaskRunner, application_id: int, parent: QWidget | None = None, *,
                 today: date | None = None):
        super().__init__(parent)
        self.db = db
        self.runner = runner
        self.application_id = application_id
        self._today = today
        self.context: Any = None
        self.return_dialog: QDialog | None = None
        self.approve_box: QMessageBox | None = None
        self._busy = False
        self.setObjectName("memberDecisionDialog")
        self.setWindowTitle(self.tr("Members' decisions"))
        self._build()
        self.resize(1280, 800)
        follow_changes(self, FOLLOWS, self._changed_elsewhere)

    @property
    def today(self) -> date:
        return self._today or date.today()

    def _changed_elsewhere(self, _changes: Changes) -> None:
        """Another window changed a pot, an award or an application: reload, keeping what is typed."""
        if self.context is not None:
            self.reload(keep_form=True)

    # --- construction -----------------------------------------------------------------------------

    def _build(self) -> None:
        from grantdesk.services.decisions import (
            INTEREST_LABELS,  # the window is open: the core is loaded
        )

        # -- left: the application, its flags and the decisions so far
        self.facts = QLabel(self.tr("Loading…"))
        self.facts.setObjectName("applicationFacts")
        self.facts.setAccessibleName(self.tr("The application"))
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flags_box = QWidget()
        self.flags_box.setObjectName("flagsBox")
        self.flags_layout = QVBoxLayout(self.flags_box)
        self.flags_layout.setContentsMargins(0, 0, 0, 0)
        self.flag_labels: list[QLabel] = []

        self.decisions_model = DecisionsModel(self)
        self.decisions_view = QTableView()
        self.decisions_view.setObjectName("decisionsTable")
        self.decisions_view.setAccessibleName(self.tr("Decisions so far"))
        self.decisions_view.setModel(self.decisions_model)
        self.decisions_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.decisions_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.decisions_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.decisions_view.verticalHeader().hide()
        self.decisions_view.setWordWrap(False)
        header = self.decisions_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in ((0, 165), (1, 150), (2, 95), (3, 160)):
            header.resizeSection(col, width)
        self.decision_detail = QLabel()
        self.decision_detail.setObjectName("decisionDetail")
        self.decision_detail.setAccessibleName(self.tr("The chosen decision in full"))
        self.decision_detail.setWordWrap(True)
        self.decision_detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.decision_detail.setStyleSheet("padding: 6px; background: #ffffff; border: 1px solid #d1d5db;")
        self.decisions_view.selectionModel().selectionChanged.connect(lambda *_: self._update_officer_buttons())
        self.approve_button = _dialog_button(self.tr("A&pprove"), "Ctrl+Shift+P", self.approve_selected, "approveButton")
        self.return_button = _dialog_button(self.tr("Re&turn…"), "Ctrl+Shift+T", self.return_selected, "returnButton")
        self.pdf_button = _dialog_button(self.tr("Print rec&ord…"), "Ctrl+Shift+R", self.save_record, "decisionRecordButton")
        self.pdf_button.setEnabled(False)
        self.officer_hint = QLabel()
        self.officer_hint.setObjectName("officerHint")
        self.officer_hint.setWordWrap(True)
        self.officer_hint.setStyleSheet("color: #4b5563")
        officer_row = QHBoxLayout()
        officer_row.addWidget(self.officer_hint, 1)
        officer_row.addWidget(self.approve_button)
        officer_row.addWidget(self.return_button)
        officer_row.addWidget(self.pdf_button)
        decisions_box = QGroupBox(self.tr("Decisions so far"))
        dl = QVBoxLayout(decisions_box)
        dl.addWidget(self.decisions_view, 1)
        dl.addWidget(self.decision_detail)
        dl.addLayout(officer_row)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.facts)
        ll.addWidget(self.flags_box)
        ll.addWidget(decisions_box, 1)

        # -- right: a new member decision (the declaration first)
        self.member_combo = QComboBox()
        self.member_combo.setObjectName("memberCombo")
        self.member_combo.setAccessibleName(self.tr("Member"))
        self.member_combo.currentIndexChanged.connect(lambda _i: self._on_member_chosen())
        self.member_note = QLabel()
        self.member_note.setObjectName("memberNote")
        self.member_note.setWordWrap(True)
        self.member_note.setStyleSheet("color: #4b5563")

        self.interest_combo = QComboBox()
        self.interest_combo.setObjectName("interestCombo")
        self.interest_combo.setAccessibleName(self.tr("Interest in the applicant"))
        for kind in INTEREST_ORDER:
            self.interest_combo.addItem(core_text(INTEREST_LABELS[kind]), kind)
        self.interest_combo.currentIndexChanged.connect(lambda _i: self._on_interest_chosen())
        self.nature_edit = QLineEdit()
        self.nature_edit.setObjectName("natureEdit")
        self.nature_edit.setAccessibleName(self.tr("Nature of the interest"))
        self.nature_edit.setPlaceholderText(self.tr("What the interest is, e.g. “My partner is the club's treasurer”"))
        self.dispensation_edit = QLineEdit()
        self.dispensation_edit.setObjectName("dispensationReference")
        self.dispensation_edit.setAccessibleName(self.tr("Dispensation reference"))
        self.dispensation_edit.setPlaceholderText(self.tr("e.g. DISP-2026-07"))
        self.dispensation_date_edit = QLineEdit()
        self.dispensation_date_edit.setObjectName("dispensationDate")
        self.dispensation_date_edit.setAccessibleName(self.tr("Date the dispensation was granted"))
        self.dispensation_date_edit.setPlaceholderText(self.tr("dd/mm/yyyy"))
        self.dpi_note = QLabel(self.tr("A disclosable pecuniary interest blocks the recommendation unless a dispensation "
                               "is recorded: give its reference and the date it was granted."))
        self.dpi_note.setObjectName("dpiNote")
        self.dpi_note.setWordWrap(True)
        self.dpi_note.setStyleSheet("color: #7f1d1d")
        declaration = QGroupBox(self.tr("1. Declaration of interest (before deciding)"))
        declaration.setObjectName("declarationBox")
        df = QFormLayout(declaration)
        df.addRow(self.tr("&Interest"), self.interest_combo)
        self.nature_label = QLabel(self.tr("&Nature"))
        self.nature_label.setBuddy(self.nature_edit)
        df.addRow(self.nature_label, self.nature_edit)
        self.dispensation_label = QLabel(self.tr("Dispensation re&f."))
        self.dispensation_label.setBuddy(self.dispensation_edit)
        df.addRow(self.dispensation_label, self.dispensation_edit)
        self.dispensation_date_label = QLabel(self.tr("&Granted on"))
        self.dispensation_date_label.setBuddy(self.dispensation_date_edit)
        df.addRow(self.dispensation_date_label, self.dispensation_date_edit)
        df.addRow(self.dpi_note)

        self.recommend_radio = QRadioButton(self.tr("&Recommend"))
        self.recommend_radio.setObjectName("recommendRadio")
        self.recommend_radio.setAccessibleName(self.tr("Recommend"))
        self.refuse_radio = QRadioButton(self.tr("Re&fuse"))
        self.refuse_radio.setObjectName("refuseRadio")
        self.refuse_radio.setAccessibleName(self.tr("Refuse"))
        self.decision_group = QButtonGroup(self)
        self.decision_group.addButton(self.recommend_radio)
        self.decision_group.addButton(self.refuse_radio)
        self.recommend_radio.setChecked(True)
        self.recommend_radio.toggled.connect(lambda _on: self._on_decision_kind())
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.recommend_radio)
        kind_row.addWidget(self.refuse_radio)
        kind_row.addStretch(1)
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("amountEdit")
        self.amount_edit.setAccessibleName(self.tr("Amount recommended"))
        self.amount_edit.setPlaceholderText("£0.00")
        self.reasons_edit = QPlainTextEdit()
        self.reasons_edit.setObjectName("reasonsEdit")
        self.reasons_edit.setAccessibleName(self.tr("Reasons"))
        self.reasons_edit.setTabChangesFocus(True)
        self.reasons_edit.setPlaceholderText(self.tr("The member's reasons, in writing (refusals too)"))
        self.reasons_edit.setMinimumHeight(90)
        self.reasons_edit.setMaximumHeight(150)
        self.date_edit = QLineEdit(_uk(self.today))
        self.date_edit.setObjectName("decisionDate")
        self.date_edit.setAccessibleName(self.tr("Date of the decision"))
        self.date_edit.setPlaceholderText(self.tr("dd/mm/yyyy"))
        decision = QGroupBox(self.tr("2. The member's decision"))
        decision.setObjectName("decisionBox")
        mf = QFormLayout(decision)
        mf.addRow(self.tr("Decision"), kind_row)
        self.amount_label = QLabel(self.tr("&Amount"))
        self.amount_label.setBuddy(self.amount_edit)
        mf.addRow(self.amount_label, self.amount_edit)
        reasons_label = QLabel(self.tr("Rea&sons"))
        reasons_label.setBuddy(self.reasons_edit)
        mf.addRow(reasons_label, self.reasons_edit)
        date_label = QLabel(self.tr("&Date"))
        date_label.setBuddy(self.date_edit)
        mf.addRow(date_label, self.date_edit)

        self.error_label = QLabel()
        self.error_label.setObjectName("decisionError")
        self.error_label.setAccessibleName(self.tr("Problem"))
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.hide()
        self.message_label = QLabel()
        self.message_label.setObjectName("decisionMessage")
        self.message_label.setAccessibleName(self.tr("Message"))
        self.message_label.setWordWrap(True)
        self.message_label.setStyleSheet(OK_STYLE)
        self.message_label.hide()
        self.record_button = _dialog_button(self.tr("Record th&e decision"), "Ctrl+Return", self.record, "recordButton")
        self.close_button = _dialog_button(self.tr("Close"), None, self.reject, "closeButton")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.record_button)
        buttons.addWidget(self.close_button)

        self.form = QWidget()
        self.form.setObjectName("decisionForm")
        fl = QVBoxLayout(self.form)
        fl.setContentsMargins(0, 0, 0, 0)
        member_row = QFormLayout()
        member_label = QLabel(self.tr("&Member"))
        member_label.setBuddy(self.member_combo)
        member_row.addRow(member_label, self.member_combo)
        fl.addLayout(member_row)
        fl.addWidget(self.member_note)
        fl.addWidget(declaration)
        fl.addWidget(decision)
        fl.addStretch(1)
        self.closed_note = QLabel()
        self.closed_note.setObjectName("closedNote")
        self.closed_note.setWordWrap(True)
        self.closed_note.setStyleSheet("padding: 6px; background: #f3f4f6; color: #1f2937;")
        self.closed_note.hide()
        right_box = QGroupBox(self.tr("A member's decision"))
        rl = QVBoxLayout(right_box)
        rl.addWidget(self.closed_note)
        rl.addWidget(self.form, 1)
        rl.addWidget(self.error_label)
        rl.addWidget(self.message_label)
        rl.addLayout(buttons)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([740, 520])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._on_interest_chosen()
        self._update_officer_buttons()
        self.record_button.setEnabled(False)

    # --- loading --------------------------------------------------------------------------------
    def start(self) -> None:
        self.reload()

    def reload(self, *, keep_form: bool = False, then: Any = None) -> None:
        """Read the application's decisions and the pots again and show them; ``then()`` after."""
        app_id, today = self.application_id, self.today

        def fetch(db):
            from grantdesk.services.allocations import decision_context

            return decision_context(db, app_id, today=today)

        def show(context) -> None:
            self.show_context(context, keep_form=keep_form)
            if then is not None:
                then()

        Query(self, fetch).success(show).failure(self._load_failed).run()

    def _load_failed(self, error: BaseException) -> None:
        self.facts.setText(escape(refusal_text(error)))
        self.form.setEnabled(False)
        self.record_button.setEnabled(False)
        self.loaded.emit()

    def show_context(self, c: Any, *, keep_form: bool = False) -> None:
        """Show ``c`` (a ``DecisionContext``). ``keep_form``: a reload because of a change made elsewhere,
        which keeps the amount the officer may have typed for the same member."""
        self.context = c
        self.setWindowTitle(self.tr("Members' decisions — {reference}").format(reference=c.reference))
        label = financial_year_label(c.financial_year)
        try:
            status = core_text(STATUS_LABELS[Status(c.status)])
        except ValueError:
            status = c.status.capitalize()
        rows = [
            (self.tr("Organisation"), escape(c.organisation)),
            (self.tr("Division"), escape(c.area or "—")),
            (self.tr("Status"), escape(status)),
            (self.tr("Requested"), escape(format_money(c.amount_requested_pence))),
            (self.tr("Approved"), escape(format_money(c.approved_pence)
             + (" — " + self.tr("awarded {amount}").format(amount=format_money(c.awarded_pence))
                if c.awarded_pence is not None else ""))),
            (self.tr("Waiting for the officer"), escape(format_money(c.pending_pence))),
            (self.tr("Still needed"), f"<b>{format_money(c.still_needed_pence)}</b>"),
            (self.tr("Members' pots"), escape(self.tr("{year}, to be spent by {date}").format(
                year=label, date=format_date(c.spend_by)) if c.spend_by else label)),
        ]
        table = "".join(f"<tr><td style='padding-right:14px;color:#4b5563'>{k}</td><td>{v}</td></tr>"
                        for k, v in rows)
        self.facts.setText(f"<h2 style='margin:0'>{escape(c.reference)} — {escape(c.title)}</h2><table>{table}</table>")
        self._show_flags(c.flags)
        selected = self.selected_decision()
        self.decisions_model.set_decisions(c.decisions)
        if selected is not None:
            row = next((n for n, d in enumerate(c.decisions) if d.id == selected.id), None)
            if row is not None:
                self.decisions_view.selectRow(row)
        elif any(self._pending(d) for d in c.decisions):
            self.decisions_view.selectRow(next(n for n, d in enumerate(c.decisions) if self._pending(d)))
        self._fill_members(c, keep_amount=keep_form)
        open_ = c.status in DECIDABLE
        self.form.setEnabled(open_)
        self.closed_note.setVisible(not open_)
        self.closed_note.setText(self.tr("{reference} is {status}: members decide on submitted, eligible or "
                                         "shortlisted applications.").format(reference=c.reference,
                                                                             status=status.lower()))
        self.record_button.setEnabled(open_ and not self._busy)
        self._update_officer_buttons()
        self.loaded.emit()

    def _show_flags(self, flags: Sequence[Any]) -> None:
        for label in self.flag_labels:
            self.flags_layout.removeWidget(label)
            label.deleteLater()
        self.flag_labels = []
        for f in flags:
            bg, fg, border = FLAG_STYLES.get(f.kind, FLAG_STYLES["area"])
            name, words = self.tr(FLAG_NAMES[f.kind]) if f.kind in FLAG_NAMES else f.kind.capitalize(), flag_words(f)
            label = QLabel(f"<b>{escape(name)}</b> — {escape(words)}")
            label.setObjectName(f"flag_{f.kind}")
            label.setAccessibleName(self.tr("Flag: {name}. {words}").format(name=name, words=words))
            label.setWordWrap(True)
            label.setStyleSheet(f"padding: 6px; background: {bg}; color: {fg}; border-left: 5px solid {border};")
            self.flags_layout.addWidget(label)
            self.flag_labels.append(label)
        self.flags_box.setVisible(bool(flags))

    def flag_texts(self) -> list[str]:
        return [label.text() for label in self.flag_labels]

    def _fill_members(self, c: Any, *, keep_amount: bool = False) -> None:
        keep = self.member_combo.currentData()
        self.member_combo.blockSignals(True)
        self.member_combo.clear()
        local = set(c.area_member_ids)
        for n, p in enumerate(c.members):
            if n and p.member_id not in local and c.members[n - 1].member_id in local:
                self.member_combo.insertSeparator(self.member_combo.count())
            where = f", {p.area}" if p.area else ""
            self.member_combo.addItem(self.tr("{member} — {amount} left").format(
                member=f"{p.name}{where}", amount=format_money(p.remaining_pence)), p.member_id)
        index = self.member_combo.findData(keep) if keep is not None else -1
        self.member_combo.setCurrentIndex(index if index >= 0 else (0 if c.members else -1))
        self.member_combo.blockSignals(False)
        if keep_amount and keep is not None and self.member_combo.currentData() == keep:
            self._show_member_note()  # the same member: what the officer typed stays
        else:
            self._on_member_chosen()

    def member_position(self, member_id: int | None = None) -> Any:
        wanted = member_id if member_id is not None else self.member_combo.currentData()
        if self.context is None or wanted is None:
            return None
        return next((p for p in self.context.members if p.member_id == wanted), None)

    def choose_member(self, member_id: int) -> None:
        self.member_combo.setCurrentIndex(self.member_combo.findData(member_id))

    def choose_interest(self, kind: str) -> None:
        self.interest_combo.setCurrentIndex(self.interest_combo.findData(kind))

    # --- the form's behaviour ---------------------------------------------------------------------------
    def _on_member_chosen(self) -> None:
        self._show_member_note()
        self._default_amount()

    def _show_member_note(self) -> None:
        p = self.member_position()
        c = self.context
        if p is None or c is None:
            self.member_note.setText("")
            return
        label = financial_year_label(c.financial_year)
        self.member_note.setText(
            self.tr("{name}'s {year} pot: allotted {allotted}, committed {committed}, approved {approved}, "
                    "<b>{remaining} left</b>.").format(
                name=escape(p.name), year=label, allotted=format_money(p.allotted_pence),
                committed=format_money(p.committed_pence), approved=format_money(p.approved_pence),
                remaining=format_money(p.remaining_pence))
            + (" " + self.tr("The member for {area}.").format(area=escape(c.area)) if p.member_id in c.area_member_ids
               else (" " + self.tr("Not the member for {area}: a joint or cross-division award.").format(
                   area=escape(c.area)) if c.area else "")))

    def _default_amount(self) -> None:
        p, c = self.member_position(), self.context
        if p is None or c is None:
            return
        amount = max(min(c.still_needed_pence, p.remaining_pence), 0)
        self.amount_edit.setText(format_money(amount) if amount else "")

    def _on_interest_chosen(self) -> None:
        kind = self.interest_combo.currentData()
        self.nature_edit.setEnabled(kind != "none")
        self.nature_label.setEnabled(kind != "none")
        dpi = kind == "dpi"
        for w in (self.dispensation_label, self.dispensation_edit, self.dispensation_date_label,
                  self.dispensation_date_edit, self.dpi_note):
            w.setVisible(dpi)

    def _on_decision_kind(self) -> None:
        recommend = self.recommend_radio.isChecked()
        self.amount_edit.setEnabled(recommend)
        self.amount_label.setEnabled(recommend)

    def _pending(self, d: Any) -> bool:
        return d.decision == "recommended" and d.officer_outcome is None

    def selected_decision(self) -> Any:
        rows = self.decisions_view.selectionModel().selectedRows()
        if not rows or rows[0].row() >= self.decisions_model.rowCount():
            return None
        return self.decisions_model.decision_at(rows[0].row())

    def _update_officer_buttons(self) -> None:
        d = self.selected_decision()
        pending = d is not None and self._pending(d) and not self._busy
        self.approve_button.setEnabled(pending)
        self.return_button.setEnabled(pending)
        self.pdf_button.setEnabled(d is not None and not self._busy)
        self._show_detail(d)
        if d is None:
            waiting = self.context is not None and any(self._pending(x) for x in self.context.decisions)
            self.officer_hint.setText(self.tr("Choose a recommendation waiting for the officer to approve or return it.")
                                      if waiting else self.tr("No recommendation is waiting for the officer."))
        elif self._pending(d):
            self.officer_hint.setText(self.tr("{member}'s recommendation of {amount} is waiting for the officer.").format(
                member=d.member, amount=format_money(d.amount_pence)))
        else:
            self.officer_hint.setText(f"{d.member}: {DecisionsModel.officer_text(d)}.")

    def _show_detail(self, d: Any) -> None:
        if d is None:
            self.decision_detail.setText(self.tr("Choose a decision to read it in full.")
                                         if self.decisions_model.rowCount()
                                         else self.tr("No member has decided on this application yet."))
            return
        what = (self.tr("<b>{member}</b> recommended {amount} on {date}.") if d.decision == "recommended"
                else self.tr("<b>{member}</b> refused on {date}."))
        self.decision_detail.setText(
            what.format(member=escape(d.member), amount=format_money(d.amount_pence), date=format_date(d.decided_on))
            + "<br>" + self.tr("<b>Interest:</b> {interest}<br><b>Reasons:</b> {reasons}<br><b>Officer:</b> {officer}")
            .format(interest=escape(interest_words(d.interest)), reasons=escape(d.reasons),
                    officer=escape(DecisionsModel.officer_text(d))))

    def save_record(self, path: str | None = None) -> None:
        """Save the selected decision's printable record (PDF) at ``path`` (asked when not given)."""
        d = self.selected_decision()
        if d is None or self.context is None:
            return
        if path is None:
            from PySide6.QtWidgets import QFileDialog

            path, _ = QFileDialog.getSaveFileName(
                self, self.tr("Save the decision record"), f"decision-{self.context.reference}-{d.id}.pdf",
                self.tr("PDF") + " (*.pdf)")
            if not path:
                return
        decision_id, target = d.id, path

        def work(db) -> str:
            from grantdesk.reports.member_records import decision_record_pdf
            from grantdesk.services.allocations import decision_record_context

            decision_record_pdf(decision_record_context(db, decision_id), decision_id, target)
            return target

        saved_words = self.tr("Saved the decision record to {path}.")
        Query(self, work).success(lambda saved: self.show_message(saved_words.format(path=saved))) \
            .with_progress(self.tr("Making the decision record")).run()

    # --- recording a member's decision ------------------------------------------------------------------
    def show_refusal(self, text: str) -> None:
        """What the services refused (``ui.operations`` shows refusals here): the form is kept."""
        self.show_error(text)

    def show_error(self, text: str) -> None:
        self.message_label.hide()
        self.error_label.setText(text)
        self.error_label.show()

    def show_message(self, text: str) -> None:
        self.error_label.hide()
        self.message_label.setText(text)
        self.message_label.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.record_button.setEnabled(not busy and self.context is not None and self.context.status in DECIDABLE)
        self._update_officer_buttons()

    def record(self) -> None:
        """Record the member's decision as the form says (on the worker); refusals keep the form."""
        if self.context is None or self._busy:
            return
        member_id = self.member_combo.currentData()
        if member_id is None:
            self.show_error(self.tr("Choose the member whose decision this is."))
            return
        recommend = self.recommend_radio.isChecked()
        try:
            amount = parse_money(self.amount_edit.text(), field="amount") if recommend else 0
            day = parse_uk_date(self.date_edit.text(), field="date")
            if day is None:
                raise ValidationError(self.tr("Give the date of the member's decision, as dd/mm/yyyy."), "date")
            kind = self.interest_combo.currentData()
            granted = parse_uk_date(self.dispensation_date_edit.text(), field="dispensation") if kind == "dpi" else None
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        nature = self.nature_edit.text().strip() if kind != "none" else ""
        reference = self.dispensation_edit.text().strip() if kind == "dpi" else ""
        reasons = self.reasons_edit.toPlainText()
        decision = "recommended" if recommend else "refused"
        app_id = self.application_id
        declaration = Declaration(kind, nature, reference or None, granted)

        def work(db):
            from grantdesk.services.allocations import record_member_decision

            return record_member_decision(db, app_id, member_id, decision, reasons=reasons, amount_pence=amount,
                                          on=day, declaration=declaration)

        def done(view) -> None:
            self._clear_form()
            what = (self.tr("Recorded {member}'s recommendation of {amount} on {date}, waiting for the officer.")
                    if view.decision == "recommended" else self.tr("Recorded {member}'s refusal on {date}."))
            self.show_message(what.format(member=view.member, amount=format_money(view.amount_pence),
                                          date=format_date(view.decided_on)))
            self.reload(then=self.changed.emit)

        self._set_busy(True)
        self.error_label.hide()
        Op(self, work).success(done).finally_(lambda: self._set_busy(False)).run()

    def _clear_form(self) -> None:
        self.reasons_edit.clear()
        self.nature_edit.clear()
        self.dispensation_edit.clear()
        self.dispensation_date_edit.clear()
        self.interest_combo.setCurrentIndex(0)
        self.recommend_radio.setChecked(True)
        self.date_edit.setText(_uk(self.today))

    # --- the officer -------------------------------------------------------------------------------------
    def approve_selected(self) -> QMessageBox | None:
        """Ask, then approve: approving awards the application from the member's pot."""
        d = self.selected_decision()
        if d is None or not self._pending(d):
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Approve the recommendation"), self.tr(
            "Approve {member}'s recommendation of {amount}? The application is awarded {amount} from their pot, "
            "and the award letter can then be sent.").format(member=d.member, amount=format_money(d.amount_pence)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("approveConfirm")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Approve and award"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(lambda: self._officer(d, "approved", ""))
        box.finished.connect(lambda _r: setattr(self, "approve_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.approve_box = box
        box.open()
        return box

    def return_selected(self) -> QDialog | None:
        d = self.selected_decision()
        if d is None or not self._pending(d):
            return None
        from ui.dialogs import ReasonDialog

        dialog = ReasonDialog(self.tr("Return the recommendation"),
                              self.tr("Why is {member}'s recommendation of {amount} returned? The reason is kept with "
                                      "the decision.").format(member=d.member, amount=format_money(d.amount_pence)),
                              self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._officer(d, "returned", dialog.reason()))
        self.return_dialog = dialog
        dialog.open()
        return dialog

    def _officer(self, d: Any, outcome: str, reason: str) -> None:
        day = self.today

        def work(db):
            from grantdesk.services.allocations import officer_outcome

            return officer_outcome(db, d.id, outcome, reason=reason, on=day)

        def done(context) -> None:
            self.show_context(context)
            text = (self.tr("Returned {member}'s recommendation of {amount}.") if outcome == "returned"
                    else self.tr("Approved {member}'s recommendation of {amount}.")).format(
                member=d.member, amount=format_money(d.amount_pence))
            if context.awarded_pence is not None and context.status == "awarded":
                text += " " + self.tr("{reference} is awarded {amount}.").format(
                    reference=context.reference, amount=format_money(context.awarded_pence))
            self.show_message(text)
            self.changed.emit()

        self._set_busy(True)
        self.error_label.hide()
        Op(self, work).success(done).finally_(lambda: self._set_busy(False)).run()
