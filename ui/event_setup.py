"""Setting up a community vote: the ballot paper, the ballot's kind and rules, the allocation rule,
ties, who may vote and when. Once the first ballot is in, the dialog shows the set-up read-only.

The dialog reads nothing and writes nothing itself: it is given the rounds (``setup_choices``) and,
to save, a ``save`` callable — the voting desk runs ``events.save_event`` as one ``Op`` and either
closes the dialog (``accept``) or shows the refusal in it (``show_refusal``), keeping everything the
officer chose."""

from __future__ import annotations

from datetime import datetime
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.domain.money import format_money, parse_money
from grantdesk.i18n import N_
from grantdesk.i18n import _ as core_text  # the core's labels (ballot kinds, rule descriptions)
from grantdesk.services.events import EventSettings, EventView, RoundChoice
from grantdesk.voting.ballots import KIND_LABELS
from grantdesk.voting.rules import DESCRIPTIONS

TIE_BREAKS: dict[str, tuple[str, ...]] = {  # labels marked for the catalogue, shown through tr()
    N_("More supporters, then lower cost, then a drawn lot"): ("supporters", "cost", "lot"),
    N_("More supporters, then lower cost, then reference"): ("supporters", "cost", "id"),
    N_("Lower cost, then more supporters, then a drawn lot"): ("cost", "supporters", "lot"),
    N_("Project reference (as pabutools does)"): ("id",),
}
RULE_LABELS = {
    "greedy": N_("Most votes first (greedy)"),
    "greedy-cost": N_("Most votes per pound first"),
    "mes": N_("Method of Equal Shares"),
    "mes-add1": N_("Method of Equal Shares, add-1"),
    "mes-completed": N_("Method of Equal Shares, completed"),
    "phragmen": N_("Sequential Phragmén (approval only)"),
}


def _spin(low: int, high: int, value: int, name: str, special: str | None = None) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    box.setValue(value)
    box.setAccessibleName(name)
    if special:
        box.setSpecialValueText(special)
    return box


class _OptionalMoment(QWidget):
    """A date and time that may be left unset (a tick box turns it on)."""

    def __init__(self, name: str):
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox()
        self.enabled.setAccessibleName(self.tr("Set {name}").format(name=name[:1].lower() + name[1:]))
        self.edit = QDateTimeEdit(QDateTime.currentDateTime())
        self.edit.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.edit.setCalendarPopup(True)
        self.edit.setAccessibleName(name)
        self.edit.setEnabled(False)
        self.enabled.toggled.connect(self.edit.setEnabled)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)

    def value(self) -> datetime | None:
        return self.edit.dateTime().toPython().replace(second=0, microsecond=0) if self.enabled.isChecked() else None

    def set_value(self, value: datetime | None) -> None:
        self.enabled.setChecked(value is not None)
        if value is not None:
            self.edit.setDateTime(QDateTime(value))


class EventSetupDialog(QDialog):
    """Create or change a voting event. ``rounds`` come from ``events.setup_choices``; ``event`` is the
    event being changed (``None`` for a new one). ``settings()`` gives what the officer chose; the
    caller saves it. With ``save``, Save hands the settings to ``save`` and waits, open, for the caller
    to ``accept()`` the dialog or ``show_refusal(text)`` (the officer's choices kept); without it, Save
    accepts the dialog and the caller reads ``chosen``."""

    def __init__(self, rounds: list[RoundChoice], event: EventView | None = None, parent=None, *,
                 save: Callable[[EventSettings], Any] | None = None):
        super().__init__(parent)
        self.rounds = rounds
        self.editing = event
        self.save = save
        self.saving = False
        self.locked = bool(event and event.locked)
        self.setWindowTitle(self.tr("Change the vote's set-up") if event else self.tr("Set up a community vote"))
        self.setObjectName("eventSetupDialog")
        self._build()
        if event is not None:
            self._load(event)
        else:  # start on the newest round that has a shortlist to vote on
            with_shortlist = next((n for n, r in enumerate(rounds) if r.shortlisted), 0)
            self.round_combo.setCurrentIndex(with_shortlist)
            self._on_round_changed()
        if self.locked:
            self._lock()
        self.resize(1180, 720)

    # --- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.banner = QLabel()
        self.banner.setObjectName("lockedBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("padding: 6px; background: #fff7ed; color: #9a3412;")
        self.banner.hide()
        layout.addWidget(self.banner)

        top = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName(self.tr("Event name"))
        self.name_edit.setPlaceholderText(self.tr("e.g. Leys Festival community vote"))
        top.addRow(self.tr("&Name:"), self.name_edit)
        self.venue_edit = QLineEdit()
        self.venue_edit.setAccessibleName(self.tr("Venue"))
        self.venue_edit.setPlaceholderText(self.tr("e.g. Blackbird Leys Community Centre"))
        top.addRow(self.tr("&Venue:"), self.venue_edit)
        self.round_combo = QComboBox()
        self.round_combo.setAccessibleName(self.tr("Round"))
        for r in self.rounds:
            self.round_combo.addItem(self.tr("{round} ({n} shortlisted)").format(round=r.name, n=len(r.shortlisted)), r.id)
        self.round_combo.currentIndexChanged.connect(self._on_round_changed)
        top.addRow(self.tr("&Round:"), self.round_combo)
        layout.addLayout(top)

        paper = QGroupBox(self.tr("Ballot paper: the shortlisted applications residents vote on"))
        paper_layout = QVBoxLayout(paper)
        # A few dozen rows at most, ticked and given categories in place: a standard item model serves.
        self.ballot_model = QStandardItemModel(0, 5, self)
        self.ballot_model.setHorizontalHeaderLabels([self.tr("On ballot"), self.tr("Reference"), self.tr("Title"),
                                                     self.tr("Amount"), self.tr("Category")])
        self.projects = QTableView()
        self.projects.setModel(self.ballot_model)
        self.projects.setObjectName("ballotProjects")
        self.projects.setAccessibleName(self.tr("Applications on the ballot paper"))
        self.projects.verticalHeader().setVisible(False)
        self.projects.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.projects.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for col in (0, 1, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        paper_layout.addWidget(self.projects)
        self.empty_hint = QLabel(self.tr("No application in this round is shortlisted yet. Shortlist the ones residents "
                                 "will vote on (Application ▸ Shortlist), then set up the vote."))
        self.empty_hint.setObjectName("emptyShortlist")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet("color: #9a3412;")
        self.empty_hint.hide()
        paper_layout.addWidget(self.empty_hint)
        layout.addWidget(paper, 1)

        method = QGroupBox(self.tr("How residents vote and how the money is shared"))
        form = QFormLayout(method)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(self.tr("Kind of ballot"))
        for kind, label in KIND_LABELS.items():
            self.kind_combo.addItem(core_text(label), kind)
        self.kind_combo.setCurrentIndex(self.kind_combo.findData("approval"))  # the usual ballot at an event
        form.addRow(self.tr("&Ballot:"), self.kind_combo)
        self.kind_stack = QStackedWidget()
        self._kind_pages: dict[str, dict[str, Any]] = {}
        self._add_kind_pages()
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        form.addRow("", self.kind_stack)

        self.rule_combo = QComboBox()
        self.rule_combo.setAccessibleName(self.tr("Allocation rule"))
        for rule in DESCRIPTIONS:
            self.rule_combo.addItem(self.tr(RULE_LABELS[rule]), rule)
            self.rule_combo.setItemData(self.rule_combo.count() - 1, core_text(DESCRIPTIONS[rule]),
                                        Qt.ItemDataRole.ToolTipRole)
        self.rule_combo.currentIndexChanged.connect(self._on_rule_changed)
        form.addRow(self.tr("Allocation &rule:"), self.rule_combo)
        self.rule_help = QLabel()
        self.rule_help.setWordWrap(True)
        self.rule_help.setStyleSheet("color: #555;")
        form.addRow("", self.rule_help)
        self.fit_combo = QComboBox()
        self.fit_combo.setAccessibleName(self.tr("When the next project does not fit"))
        self.fit_combo.addItem(self.tr("Skip it and fund the next one that fits"), "skip")
        self.fit_combo.addItem(self.tr("Stop there"), "stop")
        form.addRow(self.tr("When the next project &does not fit:"), self.fit_combo)
        self.tie_combo = QComboBox()
        self.tie_combo.setAccessibleName(self.tr("Tie-break"))
        for label, criteria in TIE_BREAKS.items():
            self.tie_combo.addItem(self.tr(label), criteria)
        form.addRow(self.tr("&Ties:"), self.tie_combo)
        self.seed_edit = QLineEdit()
        self.seed_edit.setAccessibleName(self.tr("Seed for the drawn lot"))
        self.seed_edit.setPlaceholderText(self.tr("left blank: made up and recorded with the result"))
        form.addRow(self.tr("Lot &seed:"), self.seed_edit)
        self.budget_edit = QLineEdit()
        self.budget_edit.setAccessibleName(self.tr("Budget"))
        form.addRow(self.tr("B&udget:"), self.budget_edit)
        self.projects.setMinimumHeight(150)
        columns = QHBoxLayout()
        columns.addWidget(method, 3)
        layout.addLayout(columns)

        who = QGroupBox(self.tr("Who may vote, and when"))
        who_form = QFormLayout(who)
        self.area_edit = QLineEdit()
        self.area_edit.setAccessibleName(self.tr("Who may vote: where they live"))
        self.area_edit.setPlaceholderText(self.tr("e.g. people who live, work or study in Blackbird Leys"))
        who_form.addRow(self.tr("&Area:"), self.area_edit)
        self.age_spin = _spin(0, 99, 0, self.tr("Minimum age"), self.tr("any age"))
        who_form.addRow(self.tr("Minimum &age:"), self.age_spin)
        self.door_check = QCheckBox(self.tr("Voters are registered at the door (a code card is handed out)"))
        self.door_check.setChecked(True)
        who_form.addRow("", self.door_check)
        self.opens = _OptionalMoment(self.tr("Voting opens"))
        who_form.addRow(self.tr("Voting &opens:"), self.opens)
        self.closes = _OptionalMoment(self.tr("Voting closes"))
        who_form.addRow(self.tr("Voting &closes:"), self.closes)
        self.hide_check = QCheckBox(self.tr("Hide the results until an officer reveals them"))
        self.hide_check.setChecked(True)
        who_form.addRow("", self.hide_check)
        self.pin_edit = QLineEdit()
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setAccessibleName(self.tr("Kiosk PIN"))
        self.pin_edit.setPlaceholderText(self.tr("4 to 12 digits, needed to leave kiosk mode (blank keeps the PIN)")
                                         if self.editing else self.tr("4 to 12 digits, needed to leave kiosk mode"))
        who_form.addRow(self.tr("Kiosk &PIN:"), self.pin_edit)
        columns.addWidget(who, 2)

        self.error_label = QLabel()
        self.error_label.setObjectName("setupError")
        self.error_label.setAccessibleName(self.tr("Problem with the set-up"))
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("padding: 6px; background: #fef2f2; color: #991b1b;")
        self.error_label.hide()
        layout.addWidget(self.error_label)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, activated=self._on_save)
        self._on_kind_changed()
        self._on_rule_changed()

    def _add_kind_pages(self) -> None:
        def page(kind: str, fields: list[tuple[str, QWidget, str]]) -> None:
            widget = QWidget()
            form = QFormLayout(widget)
            form.setContentsMargins(0, 0, 0, 0)
            controls: dict[str, Any] = {}
            for label, control, key in fields:
                form.addRow(label, control)
                controls[key] = control
            if not fields:
                form.addRow(QLabel(self.tr("No further settings.")))
            self._kind_pages[kind] = controls
            self.kind_stack.addWidget(widget)

        no_limit = self.tr("no limit")
        page("score", [(self.tr("Lowest score:"), _spin(0, 10, 1, self.tr("Lowest score")), "low"),
                       (self.tr("Highest score:"), _spin(1, 100, 5, self.tr("Highest score")), "high"),
                       ("", QCheckBox(self.tr("Voters may tick “can't judge”")), "cant_judge"),
                       ("", QCheckBox(self.tr("Every project must be scored")), "score_every_project")])
        page("approval", [(self.tr("Most choices:"), _spin(0, 99, 3, self.tr("Most projects a voter may choose"),
                                                           no_limit), "max_choices"),
                          (self.tr("Fewest choices:"), _spin(0, 99, 1, self.tr("Fewest projects a voter must choose")),
                           "min_choices"),
                          (self.tr("Limits per category:"), QLineEdit(), "per_category")])
        self._kind_pages["approval"]["per_category"].setPlaceholderText(self.tr("e.g. small=5, large=3 (optional)"))
        self._kind_pages["approval"]["per_category"].setAccessibleName(self.tr("Limits per category"))
        page("choose-one", [])
        page("ranked", [(self.tr("Most ranked:"), _spin(0, 99, 3, self.tr("Most projects a voter may rank"), no_limit),
                         "max_ranked"),
                        (self.tr("Fewest ranked:"), _spin(1, 99, 1, self.tr("Fewest projects a voter must rank")),
                         "min_ranked")])
        page("cumulative", [(self.tr("Tokens:"), _spin(1, 1000, 10, self.tr("Tokens each voter spreads")), "tokens"),
                            (self.tr("Most on one project:"), _spin(0, 1000, 0, self.tr("Most tokens on one project"),
                                                                    no_limit), "max_per_project"),
                            ("", QCheckBox(self.tr("Every token must be placed")), "use_all")])
        page("knapsack", [])

    # --- loading and changing ------------------------------------------------------------------
    def _round(self) -> RoundChoice | None:
        rid = self.round_combo.currentData()
        return next((r for r in self.rounds if r.id == rid), None)

    def _on_round_changed(self) -> None:
        rnd = self._round()
        self._fill_projects(rnd.shortlisted if rnd else (), set())
        if rnd and rnd.budget_pence and not self.budget_edit.text():
            self.budget_edit.setText(format_money(rnd.budget_pence))

    def _fill_projects(self, projects, on_ballot: set[int], categories: dict[int, str] | None = None) -> None:
        self.ballot_model.removeRows(0, self.ballot_model.rowCount())
        self.empty_hint.setVisible(not projects)
        for p in projects:
            tick = QStandardItem()
            tick.setCheckable(True)
            tick.setEditable(False)
            tick.setCheckState(Qt.CheckState.Checked if (not on_ballot or p.application_id in on_ballot)
                               else Qt.CheckState.Unchecked)
            tick.setData(p.application_id, Qt.ItemDataRole.UserRole)
            tick.setData(self.tr("{reference} on the ballot paper").format(reference=p.reference),
                         Qt.ItemDataRole.AccessibleTextRole)
            cells = [tick]
            for col, text in ((1, p.reference), (2, p.title), (3, format_money(p.amount_pence))):
                item = QStandardItem(text)
                item.setEditable(False)
                if col == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                cells.append(item)
            category = QStandardItem((categories or {}).get(p.application_id, p.category))
            category.setToolTip(self.tr("A category for limits per category, e.g. small or large (optional)"))
            cells.append(category)
            self.ballot_model.appendRow(cells)

    def _on_kind_changed(self) -> None:
        kind = self.kind_combo.currentData()
        self.kind_stack.setCurrentIndex(list(self._kind_pages).index(kind))

    def _on_rule_changed(self) -> None:
        rule = self.rule_combo.currentData()
        self.rule_help.setText(core_text(DESCRIPTIONS[rule]).capitalize() + ".")
        self.fit_combo.setEnabled(rule == "greedy" and not self.locked)

    def _load(self, e: EventView) -> None:
        self.name_edit.setText(e.name)
        self.venue_edit.setText(e.venue)
        self.round_combo.setCurrentIndex(max(self.round_combo.findData(e.round_id), 0))
        rnd = self._round()
        shortlisted = {p.application_id: p for p in (rnd.shortlisted if rnd else ())}
        listed = list(e.projects) + [p for i, p in shortlisted.items() if i not in {q.application_id for q in e.projects}]
        self._fill_projects(listed, {p.application_id for p in e.projects},
                            {p.application_id: p.category for p in e.projects})
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(e.ballot_kind))
        controls = self._kind_pages[e.ballot_kind]
        for key, value in e.ballot_settings.items():
            control = controls.get(key)
            if isinstance(control, QSpinBox):
                control.setValue(value or 0)
            elif isinstance(control, QCheckBox):
                control.setChecked(bool(value))
            elif isinstance(control, QLineEdit):
                control.setText(", ".join(f"{k}={v}" for k, v in dict(value).items()))
        self.rule_combo.setCurrentIndex(self.rule_combo.findData(e.rule))
        self.fit_combo.setCurrentIndex(self.fit_combo.findData(e.when_next_does_not_fit))
        index = next((i for i in range(self.tie_combo.count()) if tuple(self.tie_combo.itemData(i)) == e.tie_break), -1)
        if index < 0:
            self.tie_combo.addItem(self.tr(", then ").join(e.tie_break), e.tie_break)
            index = self.tie_combo.count() - 1
        self.tie_combo.setCurrentIndex(index)
        self.seed_edit.setText(e.tie_break_seed)
        self.budget_edit.setText(format_money(e.budget_pence))
        self.area_edit.setText(e.voters_area)
        self.age_spin.setValue(e.min_age or 0)
        self.door_check.setChecked(e.register_at_door)
        self.opens.set_value(e.opens_at)
        self.closes.set_value(e.closes_at)
        self.hide_check.setChecked(e.hide_results)

    def _lock(self) -> None:
        self.banner.setText(self.tr("Voting has started, so the ballot paper, the method and the rules are locked. "
                            "This is the set-up as it stands; set up a new event to vote differently."))
        self.banner.show()
        for widget in self.findChildren(QWidget):
            if isinstance(widget, (QLineEdit, QComboBox, QSpinBox, QCheckBox, QDateTimeEdit, QTableView)):
                widget.setEnabled(False)
        self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
        self.buttons.rejected.connect(self.reject)

    # --- reading the choices ----------------------------------------------------------------------
    def _ballot_settings(self, kind: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, control in self._kind_pages[kind].items():
            if isinstance(control, QSpinBox):
                value = control.value()
                if key in ("max_choices", "max_ranked", "max_per_project") and value == 0:
                    continue  # "no limit"
                out[key] = value
            elif isinstance(control, QCheckBox):
                out[key] = control.isChecked()
            elif isinstance(control, QLineEdit) and control.text().strip():
                limits = {}
                for part in control.text().split(","):
                    name, _, number = part.partition("=")
                    if not number.strip().isdigit() or not name.strip():
                        raise ValidationError(self.tr("Write category limits as name=number, e.g. small=5, large=3 "
                                                      "(“{part}” is not).").format(part=part.strip()), "per_category")
                    limits[name.strip()] = int(number)
                out[key] = limits
        return out

    def settings(self) -> EventSettings:
        """What the officer chose; ``ValidationError`` for what the dialog itself can tell is wrong."""
        rnd = self._round()
        if rnd is None:
            raise ValidationError(self.tr("This fund has no round to vote in; add a round first."), "round")
        ids, categories = [], {}
        for row in range(self.ballot_model.rowCount()):
            tick = self.ballot_model.item(row, 0)
            if tick.checkState() == Qt.CheckState.Checked:
                app_id = tick.data(Qt.ItemDataRole.UserRole)
                ids.append(app_id)
                category = self.ballot_model.item(row, 4).text().strip()
                if category:
                    categories[app_id] = category
        kind = self.kind_combo.currentData()
        budget_text = self.budget_edit.text().strip()
        budget = parse_money(budget_text, field="budget") if budget_text else None
        return EventSettings(
            name=self.name_edit.text(), round_id=rnd.id, application_ids=tuple(ids), ballot_kind=kind,
            ballot_settings=self._ballot_settings(kind), rule=self.rule_combo.currentData(),
            when_next_does_not_fit=self.fit_combo.currentData(), tie_break=tuple(self.tie_combo.currentData()),
            tie_break_seed=self.seed_edit.text().strip(), budget_pence=budget, venue=self.venue_edit.text(),
            voters_area=self.area_edit.text(), min_age=self.age_spin.value() or None,
            register_at_door=self.door_check.isChecked(), opens_at=self.opens.value(), closes_at=self.closes.value(),
            hide_results=self.hide_check.isChecked(), categories=categories,
            kiosk_pin=self.pin_edit.text().strip() or (None if self.editing else ""))

    def _on_save(self) -> None:
        if self.locked or self.saving:
            return
        try:
            self.chosen = self.settings()
        except GrantDeskError as exc:
            self.show_error(str(exc))
            return
        if self.save is None:
            self.accept()
            return
        self.saving = True
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.save(self.chosen)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def show_refusal(self, text: str) -> None:
        """The core refused the set-up: say why, and let the officer change it and save again."""
        self.saving = False
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
        self.show_error(text)
