"""Fund ▸ Fund Settings…: one window, with a page for each part of how a fund is set up — the fund
itself, its rules, areas, rounds, members, panel, questions and letters.

Every page shows what ``fund_setup`` reads (a ``Query``) and saves with one ``Op`` per Save. The
services check each change against what is already decided — an allotment below what a member has
committed, a round's dates that leave out applications already submitted, an area that applications
use — and this window does not second-guess them: it shows their refusal, with the reason, under the
page. Opening or closing a round asks first. The window follows the changes other windows make to the
fund, its members and panels, so it stays true; what someone has typed on a page and not saved is kept.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from html import escape
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from grantdesk.domain.changes import Kind
from grantdesk.domain.dates import financial_year_label, financial_year_of
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.fund_definition import AREA_KINDS, DECISION_MODELS, AreaSpec
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.money import format_money
from grantdesk.i18n import N_, pgettext
from ui.fund_forms import (
    FieldMessage,
    MoneyField,
    Notice,
    labelled_row,
    quiet,
    table_buttons,
)
from ui.fund_parts import (
    AREA_KIND_WORDS,
    AreasEditor,
    EligibilityForm,
    LettersForm,
    MembersTable,
    MemberYearForm,
    MonitoringEditor,
    PanelTables,
    QuestionsTable,
    RoundForm,
    WelshAndThemesForm,
    letters_changes,
    merged_settings,
)
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.widgets import action_button

__all__ = ["FundSettingsWindow", "open_fund_settings", "PAGE_KEYS"]

PAGE_KEYS = ("fund", "rules", "areas", "rounds", "members", "panel", "questions", "letters")
# What the window shows changes with these: the fund, its rounds, areas and questions (FUNDS), members and
# their allotments and decisions (MEMBERS), panels (PANELS), and the applications and awards that the
# counts beside rounds, areas and members come from.
FOLLOWS = frozenset({Kind.FUNDS, Kind.MEMBERS, Kind.PANELS, Kind.APPLICATIONS, Kind.AWARDS})


class _RowsModel(QAbstractTableModel):
    """Rows of text already worded by the page (a fund's areas, rounds or members: tens of rows)."""

    def __init__(self, headers: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.headers = headers
        self.rows: list[list[str]] = []
        self.right: tuple[int, ...] = ()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.right:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def set_rows(self, rows: list[list[str]], right: tuple[int, ...]) -> None:
        if len(rows) == len(self.rows) and rows:  # the same rows with new figures: the selection stays
            self.rows, self.right = rows, right
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.headers) - 1))
            return
        self.beginResetModel()
        self.rows, self.right = rows, right
        self.endResetModel()


class ReadOnlyTable(QTableView):
    """A page's list of what the fund has (one row chosen at a time), over ``_RowsModel``."""

    chosen = Signal()  # the chosen row changed

    def __init__(self, name: str, headers: list[str]):
        super().__init__()
        self.setModel(_RowsModel(headers, self))
        self.setAccessibleName(name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setVisible(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.selectionModel().selectionChanged.connect(lambda *_: self.chosen.emit())

    def fill(self, rows: list[list[str]], *, right: tuple[int, ...] = ()) -> None:
        """Show ``rows``, keeping the chosen row where it still exists."""
        keep = self.currentRow()
        self.blockSignals(True)  # a reset clears the selection for a moment: that is not a new choice
        try:
            self.model().set_rows(rows, right)
            if 0 <= keep < len(rows) and self.currentRow() != keep:
                self.selectRow(keep)
        finally:
            self.blockSignals(False)
        if self.currentRow() != keep:
            self.chosen.emit()

    def currentRow(self) -> int:  # noqa: N802 (as QTableWidget names it)
        return self.currentIndex().row()

    def rowCount(self) -> int:  # noqa: N802
        return self.model().rowCount()

    def text(self, row: int, column: int) -> str:
        return self.model().rows[row][column]


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 1.25)
    font.setBold(True)
    label.setFont(font)
    return label


class SettingsPage(QWidget):
    """One page: a heading, what it is for, its fields (scrolling if the window is small) and a notice
    line for what was saved or why it was refused."""

    key = ""

    def __init__(self, window: FundSettingsWindow, title: str, intro: str):
        super().__init__()
        self.owner = window
        self.setObjectName(f"{self.key}Page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 8)
        self.heading = _heading(title)
        outer.addWidget(self.heading)
        self.intro = quiet(QLabel(intro))
        outer.addWidget(self.intro)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.content = QWidget()
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(0, 4, 0, 0)
        scroll.setWidget(self.content)
        outer.addWidget(scroll, 1)
        self.notice = Notice(f"{self.key}Notice")
        outer.addWidget(self.notice)
        self.footer = QHBoxLayout()
        outer.addLayout(self.footer)
        self.setup: Any = None
        self._state: Any = None

    # --- showing ------------------------------------------------------------------------------------------
    def show_setup(self, setup: Any, *, keep_edits: bool) -> None:
        """Show ``setup``; with ``keep_edits``, what was typed and not saved stays (the tables refresh)."""
        self.setup = setup
        if keep_edits and self._state is not None and self.form_state() != self._state:
            self.refresh(setup)
            self.notice.show_text("note", self.tr("This fund was changed in another window. What you typed here "
                                                  "is kept; Save to keep it."))
            return
        self.fill(setup)
        self._state = self.form_state()

    def fill(self, setup: Any) -> None:
        self.refresh(setup)

    def refresh(self, setup: Any) -> None:
        """Show the parts that are not being typed into (tables of what exists)."""

    def form_state(self) -> Any:
        return None

    @property
    def code(self) -> str:
        return self.owner.fund_code

    @property
    def fund(self) -> Any:
        return self.setup.definition.fund

    def save(self) -> None:
        """Ctrl+S: the page's main Save."""

    def run(self, work: Callable[[Any], Any], words: str | Callable[[Any], str]) -> None:
        self.owner.run_op(self, work, words)

    def refuse(self, text: str) -> None:
        self.notice.error(text)
        self.owner.refused.emit(text)


# --- the fund ----------------------------------------------------------------------------------------------


MODEL_WORDS = {"officer": N_("Officers decide"), "member": N_("Elected members decide"),
               "panel": N_("A residents' panel decides"), "vote": N_("Residents vote")}


class FundPage(SettingsPage):
    key = "fund"

    def __init__(self, window: FundSettingsWindow):
        super().__init__(window, self.tr("The fund"), self.tr(
            "Its name, the council, how it decides and how it is published. Its code stays: every application's "
            "reference begins with it."))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.code_label = QLabel()
        self.code_label.setObjectName("fundCodeShown")
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("fundName")
        self.council_edit = QLineEdit()
        self.council_edit.setObjectName("council")
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("decisionModel")
        for key in DECISION_MODELS:
            self.model_combo.addItem(self.tr(MODEL_WORDS.get(key, key)), key)
        self.funder_edit = QLineEdit()
        self.funder_edit.setObjectName("funderOrgId")
        self.funder_edit.setMaximumWidth(360)
        self.department_edit = QLineEdit()
        self.department_edit.setObjectName("funderDepartment")
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setObjectName("prefix360g")
        self.prefix_edit.setMaximumWidth(360)
        self.language_combo = QComboBox()
        self.language_combo.addItem(self.tr("English"), "en")
        self.language_combo.addItem(self.tr("Welsh"), "cy")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setObjectName("description")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(120)
        self.funder_message = FieldMessage("funderMessage")
        self.prefix_message = FieldMessage("prefixMessage")
        form.addRow(self.tr("Code:"), self.code_label)
        labelled_row(form, self.tr("Fund n&ame:"), self.name_edit, self.tr("Fund name"))
        labelled_row(form, self.tr("Co&uncil:"), self.council_edit, self.tr("Council"))
        labelled_row(form, self.tr("&How it decides:"), self.model_combo, self.tr("How it decides"))
        labelled_row(form, self.tr("Funder &identifier:"), self.funder_edit, self.tr("Funder identifier"),
                     self.funder_message)
        labelled_row(form, self.tr("Funder's de&partment:"), self.department_edit, self.tr("Funder's department"))
        labelled_row(form, self.tr("&360Giving prefix:"), self.prefix_edit, self.tr("360Giving prefix"),
                     self.prefix_message)
        labelled_row(form, self.tr("Lan&guage of its papers:"), self.language_combo, self.tr("Language of its papers"))
        labelled_row(form, self.tr("&Description:"), self.description_edit, self.tr("Description"))
        self.body.addLayout(form)
        self.body.addStretch(1)
        self.save_button = action_button(self.tr("&Save the fund's details"), None, self.save, "saveFund",
                                         auto_default=False)
        self.footer.addWidget(self.save_button)
        self.footer.addStretch(1)
        self.funder_edit.textChanged.connect(self._check)
        self.prefix_edit.textChanged.connect(self._check)

    def _check(self) -> None:
        from grantdesk.domain.fund_definition import DefinitionError, read_definition

        table = {"code": "XX", "name": "x", "council": "x", "funder_org_id": self.funder_edit.text().strip(),
                 "prefix_360g": self.prefix_edit.text().strip()}
        try:
            read_definition({"fund": {k: v for k, v in table.items() if v}})
        except DefinitionError as exc:
            found = dict(exc.problems)
        else:
            found = {}
        self.funder_message.say(found.get("fund.funder_org_id", ""))
        self.prefix_message.say(found.get("fund.prefix_360g", ""))

    def fill(self, setup: Any) -> None:
        f = setup.definition.fund
        self.code_label.setText(f.code)
        self.name_edit.setText(f.name)
        self.council_edit.setText(f.council)
        self.model_combo.setCurrentIndex(max(self.model_combo.findData(f.decision_model), 0))
        self.funder_edit.setText(f.funder_org_id)
        self.department_edit.setText(f.funder_department)
        self.prefix_edit.setText(f.prefix_360g)
        self.language_combo.setCurrentIndex(max(self.language_combo.findData(f.default_language), 0))
        self.description_edit.setPlainText(f.description)

    def form_state(self) -> Any:
        return (self.name_edit.text(), self.council_edit.text(), self.model_combo.currentData(),
                self.funder_edit.text(), self.department_edit.text(), self.prefix_edit.text(),
                self.language_combo.currentData(), self.description_edit.toPlainText())

    def save(self) -> None:
        code = self.code
        changes = dict(name=self.name_edit.text().strip(), council=self.council_edit.text().strip(),
                       decision_model=self.model_combo.currentData(), funder_org_id=self.funder_edit.text().strip(),
                       funder_department=self.department_edit.text().strip(),
                       prefix_360g=self.prefix_edit.text().strip(), default_language=self.language_combo.currentData(),
                       description=self.description_edit.toPlainText().strip())

        def work(db):
            from grantdesk.services.fund_setup import fund_definition, update_fund

            return update_fund(db, code, replace(fund_definition(db, code).fund, **changes))

        self.run(work, self.tr("Saved the fund's details."))


# --- rules ---------------------------------------------------------------------------------------------------


class RulesPage(SettingsPage):
    key = "rules"

    def __init__(self, window: FundSettingsWindow):
        super().__init__(window, self.tr("Rules"), self.tr(
            "Who can apply, for how much, with which documents; what grantees report; and, for members' funds, the "
            "year's dates. Each application is checked against these."))
        amounts = QHBoxLayout()
        self.min_edit = MoneyField(self.tr("Smallest grant"))
        self.min_edit.setObjectName("minAmount")
        self.max_edit = MoneyField(self.tr("Largest grant"))
        self.max_edit.setObjectName("maxAmount")
        low = QLabel(self.tr("Smallest &grant:"))
        low.setBuddy(self.min_edit)
        high = QLabel(self.tr("&Largest grant:"))
        high.setBuddy(self.max_edit)
        for w in (low, self.min_edit, high, self.max_edit):
            amounts.addWidget(w)
        amounts.addStretch(1)
        self.body.addLayout(amounts)
        grid = QGridLayout()
        self.eligibility = EligibilityForm(("&k", "&c"))
        grid.addWidget(self.eligibility, 0, 0)
        self.member_box = QGroupBox(self.tr("Members' pots"))
        self.year_form = MemberYearForm((N_("Appl&y by:"), N_("Spen&d by:")))
        QVBoxLayout(self.member_box).addWidget(self.year_form)
        grid.addWidget(self.member_box, 0, 1)
        self.other = WelshAndThemesForm("&t", "&W")
        other_box = QGroupBox(self.tr("Themes and Welsh"))
        QVBoxLayout(other_box).addWidget(self.other)
        grid.addWidget(other_box, 1, 0)
        self.notes_label = quiet(QLabel())
        self.notes_label.setObjectName("settingNotes")
        self.notes_label.setTextFormat(Qt.TextFormat.RichText)
        grid.addWidget(self.notes_label, 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.body.addLayout(grid)
        monitoring_box = QGroupBox(self.tr("Monitoring by grant size"))
        self.monitoring = MonitoringEditor("b")
        self.monitoring.setMinimumHeight(220)
        QVBoxLayout(monitoring_box).addWidget(self.monitoring)
        self.body.addWidget(monitoring_box)
        self.save_button = action_button(self.tr("&Save the rules"), None, self.save, "saveRules", auto_default=False)
        self.footer.addWidget(self.save_button)
        self.footer.addStretch(1)

    def fill(self, setup: Any) -> None:
        f = setup.definition.fund
        typed = settings_of(f.settings)
        self.min_edit.set_value(f.min_amount_pence)
        self.max_edit.set_value(f.max_amount_pence)
        self.eligibility.set_value(typed)
        self.year_form.set_value(typed)
        self.member_box.setVisible(f.decision_model == "member")
        self.other.set_value(typed)
        self.monitoring.set_value(typed.monitoring or None)
        if typed.notes:
            self.notes_label.setText(
                "<b>" + escape(self.tr("Notes (shown to officers, not checked by GrantDesk)")) + "</b><br>"
                + "<br>".join(f"{escape(k.replace('_', ' '))}: {escape(v)}" for k, v in typed.notes.items()))
        else:
            self.notes_label.setText("")

    def form_state(self) -> Any:
        try:
            bands = self.monitoring.value()
        except ValidationError:
            bands = "?"
        return (self.min_edit.text(), self.max_edit.text(), repr(self.eligibility.settings()),
                repr(self.year_form.settings()), repr(self.other.settings()), repr(bands))

    def save(self) -> None:
        try:
            low, high = self.min_edit.value(), self.max_edit.value()
            changes = {**self.eligibility.settings(), **self.other.settings(), "monitoring": self.monitoring.value()}
        except ValidationError as exc:
            self.refuse(str(exc))
            return
        if self.member_box.isVisibleTo(self):
            changes.update(self.year_form.settings())
        code = self.code

        def work(db):
            from grantdesk.services.fund_setup import fund_definition, update_fund

            spec = fund_definition(db, code).fund
            return update_fund(db, code, replace(spec, min_amount_pence=low, max_amount_pence=high,
                                                 settings=merged_settings(spec.settings, changes)))

        self.run(work, self.tr("Saved the rules."))


# --- letters ----------------------------------------------------------------------------------------------------


class LettersPage(SettingsPage):
    key = "letters"

    def __init__(self, window: FundSettingsWindow):
        super().__init__(window, self.tr("Letters"), self.tr(
            "Who signs the fund's letters, the letterhead, and the council's name in English and Welsh. The letters' "
            "own words are changed in the letter editor."))
        self.form = LettersForm()
        self.form.setMaximumWidth(760)
        self.body.addWidget(self.form)
        self.body.addStretch(1)
        self.save_button = action_button(self.tr("&Save the letters' details"), None, self.save, "saveLetters",
                                         auto_default=False)
        self.footer.addWidget(self.save_button)
        self.footer.addStretch(1)

    def fill(self, setup: Any) -> None:
        f = setup.definition.fund
        self.form.set_value(settings_of(f.settings), f.bilingual_letters, f.council)

    def form_state(self) -> Any:
        return repr(self.form.letters()), self.form.bilingual()

    def save(self) -> None:
        changes, bilingual, code = letters_changes(self.form.letters()), self.form.bilingual(), self.code

        def work(db):
            from grantdesk.services.fund_setup import fund_definition, update_fund

            spec = fund_definition(db, code).fund
            return update_fund(db, code, replace(spec, bilingual_letters=bilingual,
                                                 settings=merged_settings(spec.settings, changes)))

        self.run(work, self.tr("Saved the letters' details."))


# --- areas ------------------------------------------------------------------------------------------------------


class AreasPage(SettingsPage):
    key = "areas"

    def __init__(self, window: FundSettingsWindow):
        super().__init__(window, self.tr("Areas"), self.tr(
            "The wards or divisions the fund covers, with their ONS codes (360Giving files use them to say where a "
            "grant went). An area that applications or members are in cannot be removed."))
        self.table = ReadOnlyTable(self.tr("Areas"), [self.tr("Area"), self.tr("Kind"), self.tr("ONS code"),
                                                         self.tr("In use by")])
        self.table.setObjectName("areasTable")
        self.table.setMinimumHeight(220)
        self.body.addWidget(self.table, 1)
        self.empty = quiet(QLabel(self.tr("This fund has no areas yet — paste or type them below and press "
                                          "Add these areas.")))
        self.empty.setObjectName("areasEmpty")
        self.body.addWidget(self.empty)
        change = QGroupBox(self.tr("The chosen area"))
        form = QFormLayout(change)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("areaName")
        self.kind_combo = QComboBox()
        for k in AREA_KINDS:
            self.kind_combo.addItem(self.tr(AREA_KIND_WORDS.get(k, k)), k)
        self.ons_edit = QLineEdit()
        self.ons_edit.setObjectName("areaOnsCode")
        self.ons_edit.setMaximumWidth(200)
        self.ons_edit.setPlaceholderText(self.tr("e.g. E05013035"))
        self.name_edit.setPlaceholderText(self.tr("Choose an area in the table to change it"))
        labelled_row(form, self.tr("Na&me:"), self.name_edit, self.tr("Area's name"))
        labelled_row(form, self.tr("&Kind:"), self.kind_combo, self.tr("Kind of area"))
        labelled_row(form, self.tr("&ONS code:"), self.ons_edit, self.tr("ONS code"))
        self.change_button = action_button(self.tr("Save &changes to the area"), None, self.change_area, "changeArea",
                                           auto_default=False)
        self.remove_button = action_button(self.tr("&Remove the area…"), None, self.ask_remove, "removeArea",
                                           auto_default=False)
        form.addRow(table_buttons(self.change_button, self.remove_button))
        self.body.addWidget(change)
        add = QGroupBox(self.tr("Add areas"))
        self.adder = AreasEditor("ward", with_table=False, on_add=self.add_areas, add_text=self.tr("&Add these areas"))
        QVBoxLayout(add).addWidget(self.adder)
        self.body.addWidget(add)
        self.confirm_box: QMessageBox | None = None
        self.table.chosen.connect(self._chosen)

    def refresh(self, setup: Any) -> None:
        rows = [[a.spec.name, self.tr(AREA_KIND_WORDS.get(a.spec.kind, a.spec.kind)), a.spec.ons_code, str(a.used_by)]
                for a in setup.areas]
        self.table.fill(rows, right=(3,))
        self.empty.setVisible(not rows)
        if setup.areas and not self.adder.paste_edit.toPlainText():
            self.adder.set_kind(setup.areas[0].spec.kind)
        self._update()

    def fill(self, setup: Any) -> None:
        self.refresh(setup)
        self._chosen()

    def form_state(self) -> Any:
        return (self.name_edit.text(), self.kind_combo.currentData(), self.ons_edit.text(),
                self.adder.paste_edit.toPlainText())

    def chosen(self) -> Any:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection() if self.table.selectionModel() else False
        if self.setup is None or not selected or not 0 <= row < len(self.setup.areas):
            return None
        return self.setup.areas[row]

    def _chosen(self) -> None:
        area = self.chosen()
        self.name_edit.setText(area.spec.name if area else "")
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(area.spec.kind if area else "ward"), 0))
        self.ons_edit.setText(area.spec.ons_code if area else "")
        self._state = self.form_state()
        self._update()

    def _update(self) -> None:
        area = self.chosen()
        for w in (self.name_edit, self.kind_combo, self.ons_edit, self.change_button, self.remove_button):
            w.setEnabled(area is not None)

    def select_area(self, name: str) -> None:
        row = next(i for i, a in enumerate(self.setup.areas) if a.spec.name == name)
        self.table.selectRow(row)

    def change_area(self) -> None:
        area = self.chosen()
        if area is None:
            return
        spec = AreaSpec(self.name_edit.text().strip(), self.kind_combo.currentData(), self.ons_edit.text().strip())
        code, old = self.code, area.spec.name

        def work(db):
            from grantdesk.services.fund_setup import change_area

            return change_area(db, code, old, spec)

        self.run(work, lambda new: self.tr("Saved {name}.").format(name=new.name))

    def ask_remove(self) -> QMessageBox | None:
        area = self.chosen()
        if area is None:
            return None
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove an area"),
                          self.tr("Remove {name} from {fund}?").format(name=area.spec.name, fund=self.fund.name),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("removeAreaConfirm")
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("Remove it"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(lambda name=area.spec.name: self.remove_area(name))
        return self.owner.ask(box)

    def remove_area(self, name: str) -> None:
        code = self.code

        def work(db):
            from grantdesk.services.fund_setup import remove_area

            return remove_area(db, code, name)

        self.run(work, self.tr("Removed {name}.").format(name=name))

    def add_areas(self) -> None:
        from grantdesk.domain.fund_definition import AreaSpec as Spec

        found = self.adder.pasted()
        if not found:
            self.refuse(self.tr("Paste or type the areas to add first, one a line."))
            return
        kind, code = self.adder.kind(), self.code
        specs = [Spec(name, kind, ons) for name, ons in found]

        def work(db):
            from grantdesk.services.fund_setup import add_areas

            return add_areas(db, code, specs)

        def words(n: int) -> str:
            self.adder.paste_edit.clear()
            return self.tr("Added {n} areas.").format(n=n)

        self.run(work, words)


# --- rounds -------------------------------------------------------------------------------------------------------


# A round's state in words; "Open" is an adjective here (a file dialog's "Open" is a verb): its own context.
STATE_WORDS = {"not open yet": N_("Not open yet"), "closed": N_("Closed")}


def state_words(state: str) -> str:
    if state == "open":
        return pgettext("round state", "Open")
    return QCoreApplication.translate("FundSettings", STATE_WORDS[state]) if state in STATE_WORDS else state


class RoundsPage(SettingsPage):
    key = "rounds"

    def __init__(self, window: FundSettingsWindow):
        super().__init__(window, self.tr("Rounds"), self.tr(
            "When applications come in and the money each round has. A round's dates must still include the "
            "applications already submitted in it, and its budget cannot go below what it has awarded."))
        self.table = ReadOnlyTable(self.tr("Rounds"), [
            self.tr("Round"), self.tr("Year"), self.tr("Opens"), self.tr("Closes"), self.tr("Decided by"),
            self.tr("Spend by"), self.tr("Budget"), self.tr("Submitted"), self.tr("Awarded"), self.tr("State")])
        self.table.setObjectName("roundsTable")
        self.table.setMinimumHeight(170)
        self.body.addWidget(self.table, 1)
        self.empty = quiet(QLabel(self.tr("This fund has no rounds yet — fill in the form below and press "
                                          "Add as a new round.")))
        self.empty.setObjectName("roundsEmpty")
        self.body.addWidget(self.empty)
        box = QGroupBox(self.tr("The chosen round"))
        self.form = RoundForm(labels={"name": self.tr("Na&me:"), "closes": self.tr("C&loses (apply by):"),
                                      "spend": self.tr("Spe&nd by:")}, closes_name=self.tr("Closes"),
                              dates_in_rows=False)
        for name in RoundForm.FIELDS:  # the form's fields by the page's own names
            setattr(self, name, getattr(self.form, name))
        QVBoxLayout(box).addWidget(self.form)
        self.save_button = action_button(self.tr("&Save changes to the round"), None, self.save, "saveRound",
                                         auto_default=False)
        self.add_button = action_button(self.tr("&Add as a new round"), None, self.add_round, "addRound",
                                        auto_default=False)
        self.open_button = action_button(self.tr("&Open now…"), None, self.ask_open, "openRound", auto_default=False)
        self.close_button = action_button(self.tr("&Close now…"), None, self.ask_close, "closeRound",
                                          auto_default=False)
        self.form.form.addRow(table_buttons(self.save_button, self.add_button, self.open_button, self.close_button))
        self.body.addWidget(box)
        self.confirm_box: QMessageBox | None = None
        self.table.chosen.connect(self._chosen)

    def refresh(self, setup: Any) -> None:
        rows = []
        for r in setup.rounds:
            s = r.spec
            rows.append([s.title, financial_year_label(s.financial_year), f"{s.opens_on:%d/%m/%Y}",
                         f"{s.closes_on:%d/%m/%Y}", f"{s.decision_on:%d/%m/%Y}" if s.decision_on else "",
                         f"{s.spend_by:%d/%m/%Y}" if s.spend_by else "",
                         format_money(s.budget_pence) if s.budget_pence is not None else "", str(r.submitted),
                         format_money(r.awarded_pence), state_words(r.state)])
        self.table.fill(rows, right=(6, 7, 8))
        self.empty.setVisible(not rows)
        self._update()

    def fill(self, setup: Any) -> None:
        self.refresh(setup)
        if self.chosen() is None and setup.rounds:
            self.table.selectRow(len(setup.rounds) - 1)
        self._chosen()

    def form_state(self) -> Any:
        return self.form.state()

    def chosen(self) -> Any:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection() if self.table.selectionModel() else False
        if self.setup is None or not selected or not 0 <= row < len(self.setup.rounds):
            return None
        return self.setup.rounds[row]

    def select_round(self, round_id: int) -> None:
        self.table.selectRow(next(i for i, r in enumerate(self.setup.rounds) if r.id == round_id))

    def _chosen(self) -> None:
        r = self.chosen()
        if r is not None:
            self.form.set_spec(r.spec)
        elif self.setup is not None and not self.setup.rounds:
            fy = financial_year_of(date.today())
            self.name_edit.setText(f"{self.fund.name} {{fy}}")
            self.year_spin.setValue(fy)
        self.form.show_year()
        self._state = self.form_state()
        self._update()

    def _update(self) -> None:
        r = self.chosen()
        self.save_button.setEnabled(r is not None)
        self.open_button.setEnabled(r is not None and r.state != "open")
        self.close_button.setEnabled(r is not None and r.state == "open")

    def spec(self) -> Any:
        return self.form.spec()

    def save(self) -> None:
        r = self.chosen()
        if r is None:
            self.add_round()
            return
        try:
            spec = self.spec()
        except ValidationError as exc:
            self.refuse(str(exc))
            return
        code, round_id = self.code, r.id

        def work(db):
            from grantdesk.services.fund_setup import change_round

            return change_round(db, code, round_id, spec)

        self.run(work, lambda s: self.tr("Saved {name}.").format(name=s.title))

    def add_round(self) -> None:
        try:
            spec = self.spec()
        except ValidationError as exc:
            self.refuse(str(exc))
            return
        code = self.code

        def work(db):
            from grantdesk.services.fund_setup import add_round

            return add_round(db, code, spec)

        self.run(work, self.tr("Added {name}.").format(name=spec.title))

    def _ask(self, title: str, text: str, yes: str, action: Callable[[], None], name: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName(name)
        box.button(QMessageBox.StandardButton.Yes).setText(yes)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(action)
        return self.owner.ask(box)

    def ask_open(self) -> QMessageBox | None:
        r = self.chosen()
        if r is None:
            return None
        round_id = r.id
        return self._ask(self.tr("Open a round"),
                         self.tr("Open {name} to new applications today?").format(name=r.spec.title),
                         self.tr("Open it"), lambda: self._open_or_close(round_id, True), "openRoundConfirm")

    def ask_close(self) -> QMessageBox | None:
        r = self.chosen()
        if r is None:
            return None
        round_id = r.id
        return self._ask(self.tr("Close a round"),
                         self.tr("Close {name} to new applications today?").format(name=r.spec.title),
                         self.tr("Close it"), lambda: self._open_or_close(round_id, False), "closeRoundConfirm")

    def _open_or_close(self, round_id: int, opening: bool) -> None:
        code = self.code

        def work(db):
            from grantdesk.services.fund_setup import close_round, open_round

            return (open_round if opening else close_round)(db, code, round_id)

        if opening:
            self.run(work, lambda s: self.tr("{name} is open until {day}.").format(name=s.title,
                                                                                   day=f"{s.closes_on:%d/%m/%Y}"))
        else:
            self.run(work, lambda s: self.tr("{name} closed today to new applications.").format(name=s.title))


# --- members --------------------------------------------------------------------------------------------------------


class PasteMembersDialog(QDialog):
    """Many members at once: paste rows from a spreadsheet (or type them), check them, add them all."""

    submitted = Signal(list)

    def __init__(self, areas: list[str], year: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Add members"))
        self.setObjectName("pasteMembersDialog")
        self.year = year
        layout = QVBoxLayout(self)
        layout.addWidget(quiet(QLabel(self.tr(
            "Copy the rows in your spreadsheet (name, area, party, e-mail, allotment for {year}) and press Paste, or "
            "type them in. They are added all together, or not at all.").format(year=financial_year_label(year)))))
        self.table = MembersTable()
        self.table.set_areas(areas)
        self.paste_button = action_button(self.tr("&Paste from spreadsheet"), None, self.paste, "pasteRows",
                                          auto_default=False)
        self.add_row_button = action_button(self.tr("Add a ro&w"), None, lambda: self.table.add_row(), "addRow",
                                            auto_default=False)
        layout.addLayout(table_buttons(self.paste_button, self.add_row_button))
        layout.addWidget(self.table, 1)
        self.notice = Notice("pasteMembersNotice")
        layout.addWidget(self.notice)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Add them all"))
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(980, 520)

    def paste(self) -> int:
        from PySide6.QtWidgets import QApplication

        text = QApplication.clipboard().text()
        if not text.strip():
            self.notice.error(self.tr("Nothing to paste: copy the rows in your spreadsheet first."))
            return 0
        return self.table.paste_text(text)

    def specs(self) -> list[Any]:
        from grantdesk.domain.fund_definition import AllotmentSpec, MemberSpec
        from grantdesk.domain.money import parse_money

        out = []
        for n, r in enumerate(self.table.rows(), start=1):
            allotments: tuple[Any, ...] = ()
            if r["allotment"]:
                try:
                    allotments = (AllotmentSpec(self.year, parse_money(r["allotment"], field="allotment")),)
                except ValidationError as exc:
                    raise ValidationError(self.tr("Row {n}: {why}").format(n=n, why=exc)) from None
            out.append(MemberSpec(r["name"], r["area"] or None, r["party"], r["email"], allotments))
        return out

    def _submit(self) -> None:
        try:
            specs = self.specs()
        except ValidationError as exc:
            self.notice.error(str(exc))
            return
        if not specs:
            self.notice.error(self.tr("There is no one to add yet."))
            return
        self.submitted.emit(specs)

    def show_refusal(self, text: str) -> None:
        self.notice.error(text)


class MembersPage(SettingsPage):
    key = "members"

    def __init__(self, window: FundSettingsWindow):
        super().__init__(window, self.tr("Members"), self.tr(
            "The councillors who decide, their areas and each year's allotment. An allotment cannot go below what "
            "the member has already committed that year."))
        self.not_member = quiet(QLabel())
        self.not_member.setObjectName("notMemberFund")
        self.body.addWidget(self.not_member)
        self.panel = QWidget()
        inner = QVBoxLayout(self.panel)
        inner.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.year_combo = QComboBox()
        self.year_combo.setObjectName("membersYear")
        year_label = QLabel(self.tr("Allotments in &year:"))
        year_label.setBuddy(self.year_combo)
        self.year_combo.setAccessibleName(self.tr("Allotments in year"))
        top.addWidget(year_label)
        top.addWidget(self.year_combo)
        top.addStretch(1)
        self.paste_button = action_button(self.tr("&Paste many…"), None, self.open_paste, "pasteMembers",
                                          auto_default=False)
        top.addWidget(self.paste_button)
        inner.addLayout(top)
        self.table = ReadOnlyTable(self.tr("Members"), [
            self.tr("Member"), self.tr("Area"), self.tr("Party"), self.tr("E-mail"), self.tr("Allotment"),
            self.tr("Committed"), self.tr("Left")])
        self.table.setObjectName("membersTable")
        self.table.setMinimumHeight(240)
        inner.addWidget(self.table, 1)
        self.empty = quiet(QLabel(self.tr("This fund has no members yet — add one below, or paste many from a "
                                          "spreadsheet.")))
        self.empty.setObjectName("membersEmpty")
        inner.addWidget(self.empty)
        box = QGroupBox(self.tr("The chosen member"))
        form = QFormLayout(box)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("memberName")
        self.name_edit.setPlaceholderText(self.tr("Choose a member in the table, or type a new one's details"))
        self.area_combo = QComboBox()
        self.area_combo.setObjectName("memberArea")
        self.party_edit = QLineEdit()
        self.party_edit.setObjectName("memberParty")
        self.email_edit = QLineEdit()
        self.email_edit.setObjectName("memberEmail")
        self.allotment_edit = MoneyField(self.tr("Allotment"))
        self.allotment_edit.setObjectName("memberAllotment")
        self.allotment_label = QLabel(self.tr("A&llotment:"))
        self.allotment_label.setBuddy(self.allotment_edit)
        labelled_row(form, self.tr("Na&me:"), self.name_edit, self.tr("Member's name"))
        labelled_row(form, self.tr("Ar&ea:"), self.area_combo, self.tr("Member's area"))
        labelled_row(form, self.tr("Par&ty:"), self.party_edit, self.tr("Party"))
        labelled_row(form, self.tr("E-ma&il:"), self.email_edit, self.tr("E-mail"))
        form.addRow(self.allotment_label, self.allotment_edit)
        self.save_button = action_button(self.tr("&Save changes to the member"), None, self.save, "saveMember",
                                         auto_default=False)
        self.add_button = action_button(self.tr("&Add as a new member"), None, self.add_member, "addMember",
                                        auto_default=False)
        form.addRow(table_buttons(self.save_button, self.add_button))
        inner.addWidget(box)
        self.body.addWidget(self.panel, 1)
        self.paste_dialog: PasteMembersDialog | None = None
        self.table.chosen.connect(self._chosen)
        self.year_combo.currentIndexChanged.connect(self._year_chosen)

    def year(self) -> int:
        return self.year_combo.currentData() or financial_year_of(date.today())

    def refresh(self, setup: Any) -> None:
        f = setup.definition.fund
        member_fund = f.decision_model == "member"
        self.panel.setVisible(member_fund)
        self.not_member.setVisible(not member_fund)
        self.not_member.setText(self.tr(
            "{fund} is not decided by elected members, so it has no members' pots. To change how it decides, use "
            "the fund page.").format(fund=f.name))
        years = {financial_year_of(date.today())} | {r.spec.financial_year for r in setup.rounds} | {
            a.year for m in setup.members for a in m.spec.allotments}
        keep = self.year_combo.currentData()
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for y in sorted(years, reverse=True):
            self.year_combo.addItem(financial_year_label(y), y)
        wanted = keep if keep in years else max(
            (r.spec.financial_year for r in setup.rounds), default=financial_year_of(date.today()))
        self.year_combo.setCurrentIndex(max(self.year_combo.findData(wanted), 0))
        self.year_combo.blockSignals(False)
        self._show_table()
        area_keep = self.area_combo.currentData()
        self.area_combo.clear()
        self.area_combo.addItem(self.tr("(no area)"), "")
        for a in setup.areas:
            self.area_combo.addItem(a.spec.name, a.spec.name)
        self.area_combo.setCurrentIndex(max(self.area_combo.findData(area_keep), 0))

    def _show_table(self) -> None:
        year, rows = self.year(), []
        for m in self.setup.members:
            allotted = next((a.amount_pence for a in m.spec.allotments if a.year == year), None)
            committed = m.committed_pence.get(year, 0)
            rows.append([m.spec.name, m.spec.area or "", m.spec.party, m.spec.email,
                         format_money(allotted) if allotted is not None else "", format_money(committed),
                         format_money(allotted - committed) if allotted is not None else ""])
        self.table.fill(rows, right=(4, 5, 6))
        self.empty.setVisible(not rows)
        self.allotment_label.setText(self.tr("A&llotment in {year}:").format(year=financial_year_label(year)))

    def fill(self, setup: Any) -> None:
        self.refresh(setup)
        self._chosen()

    def _year_chosen(self, _index: int) -> None:
        if self.setup is not None:
            self._show_table()
            self._chosen()

    def form_state(self) -> Any:
        return (self.name_edit.text(), self.area_combo.currentData(), self.party_edit.text(), self.email_edit.text(),
                self.allotment_edit.text())

    def chosen(self) -> Any:
        row = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection() if self.table.selectionModel() else False
        if self.setup is None or not selected or not 0 <= row < len(self.setup.members):
            return None
        return self.setup.members[row]

    def select_member(self, member_id: int) -> None:
        self.table.selectRow(next(i for i, m in enumerate(self.setup.members) if m.id == member_id))

    def _chosen(self) -> None:
        m = self.chosen()
        year = self.year()
        self.name_edit.setText(m.spec.name if m else "")
        self.area_combo.setCurrentIndex(max(self.area_combo.findData(m.spec.area or "" if m else ""), 0))
        self.party_edit.setText(m.spec.party if m else "")
        self.email_edit.setText(m.spec.email if m else "")
        allotted = next((a.amount_pence for a in m.spec.allotments if a.year == year), None) if m else None
        self.allotment_edit.set_value(allotted)
        self.save_button.setEnabled(m is not None)
        self._state = self.form_state()

    def _spec(self, base: Any = None) -> Any:
        from grantdesk.domain.fund_definition import AllotmentSpec, MemberSpec

        year, amount = self.year(), self.allotment_edit.value()
        others = tuple(a for a in (base.spec.allotments if base else ()) if a.year != year)
        mine = (AllotmentSpec(year, amount),) if amount is not None else ()
        return MemberSpec(self.name_edit.text().strip(), self.area_combo.currentData() or None,
                          self.party_edit.text().strip(), self.email_edit.text().strip(), others + mine)

    def save(self) -> None:
        m = self.chosen()
        if m is None:
            self.add_member()
            return
        try:
            spec = self._spec(m)
        except ValidationError as exc:
            self.refuse(str(exc))
            return
        code, member_id = self.code, m.id

        def work(db):
            from grantdesk.services.fund_setup import change_member

            return change_member(db, code, member_id, spec)

        self.run(work, self.tr("Saved {name}.").format(name=spec.name))

    def add_member(self) -> None:
        try:
            spec = self._spec()
        except ValidationError as exc:
            self.refuse(str(exc))
            return
        code = self.code

        def work(db):
            from grantdesk.services.fund_setup import add_member

            return add_member(db, code, spec)

        self.run(work, self.tr("Added {name}.").format(name=spec.name))

    def open_paste(self) -> PasteMembersDialog:
        dialog = PasteMembersDialog([a.spec.name for a in self.setup.areas], self.year(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda specs: self._add_many(dialog, specs))
        self.paste_dialog = dialog
        dialog.finished.connect(lambda _r: setattr(self, "paste_dialog", None))
        dialog.open()
        return dialog

    def _add_many(self, dialog: PasteMembersDialog, specs: list[Any]) -> None:
        code = self.code

        def work(db):
            from grantdesk.services.fund_setup import add_members

            return add_members(db, code, specs)

        def done(n: int) -> None:
            if isValid(dialog):
                dialog.accept()
            self.notice.ok(self.tr("Added {n} members.").format(n=n))
            self.owner.after_save(self)

        Op(self.owner, work).success(done).failure(
            lambda e: dialog.show_refusal(refusal_text(e)) if isValid(dialog) else self.refuse(refusal_text(e))).run()


# --- panel --------------------------------------------------------------------------------------------------------------


class PanelPage(SettingsPage):
    key = "panel"

    def __init__(self, window: FundSettingsWindow):
        super().__init__(window, self.tr("Panel"), self.tr(
            "Who sits on the panel and the weighted criteria they score against. A panellist who leaves keeps their "
            "scores on record; a criterion that has scores cannot be removed or have its range changed."))
        self.empty = QWidget()
        empty = QHBoxLayout(self.empty)
        empty.setContentsMargins(0, 0, 0, 0)
        self.empty_label = QLabel(self.tr("This fund has no panel yet — set one up."))
        self.empty_label.setObjectName("panelEmpty")
        self.set_up_button = action_button(self.tr("Set &up a panel"), None, self.set_up, "setUpPanel",
                                           auto_default=False)
        empty.addWidget(self.empty_label)
        empty.addWidget(self.set_up_button)
        empty.addStretch(1)
        self.body.addWidget(self.empty, 0, Qt.AlignmentFlag.AlignTop)
        self.form_box = QWidget()
        inner = QVBoxLayout(self.form_box)
        inner.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.panel_combo = QComboBox()
        self.panel_combo.setObjectName("panelChoice")
        self.panel_combo_label = QLabel(self.tr("Pa&nel:"))
        self.panel_combo_label.setBuddy(self.panel_combo)
        self.panel_combo.setAccessibleName(self.tr("Panel"))
        form.addRow(self.panel_combo_label, self.panel_combo)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("panelName")
        labelled_row(form, self.tr("Na&me:"), self.name_edit, self.tr("Panel's name"))
        self.round_combo = QComboBox()
        self.round_combo.setObjectName("panelRound")
        labelled_row(form, self.tr("&Decides:"), self.round_combo, self.tr("The round it decides"))
        inner.addLayout(form)
        self.tables = PanelTables(self.paste)
        for name in PanelTables.FIELDS:  # the tables and their buttons by the page's own names
            setattr(self, name, getattr(self.tables, name))
        self.panellists.setMinimumHeight(200)
        self.criteria.setMinimumHeight(200)
        self.scored_label = quiet(QLabel())
        self.scored_label.setObjectName("scoredCriteria")
        self.tables.right.addWidget(self.scored_label)
        inner.addWidget(self.tables, 1)
        self.save_button = action_button(self.tr("&Save the panel"), None, self.save, "savePanel", auto_default=False)
        self.footer.addWidget(self.save_button)
        self.footer.addStretch(1)
        self.body.addWidget(self.form_box, 1)
        self.new_panel = False
        self.panel_combo.currentIndexChanged.connect(self._panel_chosen)

    def panel(self) -> Any:
        if self.setup is None or self.new_panel or not self.setup.panels:
            return None
        index = max(self.panel_combo.currentIndex(), 0)
        return self.setup.panels[index] if index < len(self.setup.panels) else None

    def refresh(self, setup: Any) -> None:
        has = bool(setup.panels) or self.new_panel
        self.empty.setVisible(not has)
        self.form_box.setVisible(has)
        self.save_button.setVisible(has)
        keep = self.panel_combo.currentData()
        self.panel_combo.blockSignals(True)
        self.panel_combo.clear()
        for p in setup.panels:
            self.panel_combo.addItem(p.spec.name, p.id)
        self.panel_combo.setCurrentIndex(max(self.panel_combo.findData(keep), 0))
        self.panel_combo.blockSignals(False)
        self.panel_combo.setVisible(len(setup.panels) > 1)
        self.panel_combo_label.setVisible(len(setup.panels) > 1)
        round_keep = self.round_combo.currentData()
        self.round_combo.clear()
        self.round_combo.addItem(self.tr("Any round of the fund"), None)
        for r in setup.rounds:
            self.round_combo.addItem(r.spec.title, r.id)
        self.round_combo.setCurrentIndex(max(self.round_combo.findData(round_keep), 0))
        areas = [a.spec.name for a in setup.areas]
        self.panellists.set_areas(areas)

    def fill(self, setup: Any) -> None:
        if setup.panels:
            self.new_panel = False
        self.refresh(setup)
        self._panel_chosen()

    def _panel_chosen(self, _index: int = 0) -> None:
        p = self.panel()
        if p is None:
            return
        self.name_edit.setText(p.spec.name)
        self.round_combo.setCurrentIndex(max(self.round_combo.findData(p.round_id), 0))
        self.panellists.set_rows([{"name": x.name, "area": x.area} for x in p.spec.panellists])
        self.criteria.set_rows([{"name": c.name, "description": c.description, "weight": c.weight, "low": c.low,
                                 "high": c.high} for c in p.spec.criteria])
        self.scored_label.setText(self.tr("Scored already (kept, with their ranges): {names}.").format(
            names=", ".join(sorted(p.scored))) if p.scored else "")
        self._state = self.form_state()

    def set_up(self) -> None:
        """A new panel's form, with sensible criteria to start from."""
        self.new_panel = True
        self.refresh(self.setup)
        self.name_edit.setText(self.tr("{fund} panel").format(fund=self.fund.name))
        latest = self.setup.rounds[-1].id if self.setup.rounds else None
        self.round_combo.setCurrentIndex(max(self.round_combo.findData(latest), 0))
        self.panellists.set_rows([])
        self.criteria.set_defaults()
        self.scored_label.setText("")
        self.name_edit.setFocus()

    def form_state(self) -> Any:
        return (self.name_edit.text(), self.round_combo.currentData(), repr(self.panellists.all_rows()),
                repr(self.criteria.all_rows()), self.new_panel)

    def paste(self) -> int:
        try:
            return self.tables.paste()
        except ValidationError as exc:
            self.refuse(str(exc))
            return 0

    def spec(self) -> Any:
        from grantdesk.domain.fund_definition import (
            CriterionSpec,
            PanellistSpec,
            PanelSpec,
        )

        return PanelSpec(self.name_edit.text().strip(), None,
                         tuple(PanellistSpec(r["name"], r["area"] or "") for r in self.panellists.rows()),
                         tuple(CriterionSpec(r["name"], r["weight"], r["low"], r["high"], r["description"])
                               for r in self.criteria.rows()))

    def save(self) -> None:
        spec, round_id, code = self.spec(), self.round_combo.currentData(), self.code
        p = self.panel()

        def work(db):
            from grantdesk.services.fund_setup import add_panel, change_panel

            if p is None:
                return add_panel(db, code, spec, round_id=round_id)
            return change_panel(db, code, p.id, spec, round_id=round_id)

        self.run(work, self.tr("Saved {name}: {n} panellists, {c} criteria.").format(
            name=spec.name, n=len(spec.panellists), c=len(spec.criteria)))


# --- questions --------------------------------------------------------------------------------------------------------


class QuestionsPage(SettingsPage):
    key = "questions"

    def __init__(self, window: FundSettingsWindow):
        super().__init__(window, self.tr("Questions"), self.tr(
            "The fund's own questions, asked on its form besides the usual ones. Removing a question keeps the "
            "answers people already gave."))
        self.table = QuestionsTable()
        self.table.setMinimumHeight(300)
        self.add_button = action_button(self.tr("&Add a question"), None, self.add_question, "addQuestion",
                                        auto_default=False)
        self.remove_button = action_button(self.tr("&Remove selected"), None, self.table.remove_selected,
                                           "removeQuestions", auto_default=False)
        self.body.addLayout(table_buttons(self.add_button, self.remove_button))
        self.body.addWidget(self.table, 1)
        self.save_button = action_button(self.tr("&Save the questions"), None, self.save, "saveQuestions",
                                         auto_default=False)
        self.footer.addWidget(self.save_button)
        self.footer.addStretch(1)

    def fill(self, setup: Any) -> None:
        self.table.set_questions(setup.definition.questions)

    def form_state(self) -> Any:
        return repr(self.table.all_rows())

    def add_question(self) -> None:
        row = self.table.add_question()
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()

    def save(self) -> None:
        rows, code = self.table.questions(), self.code

        def work(db):
            from grantdesk.domain.questions import make_question
            from grantdesk.services.questions import set_questions

            return set_questions(db, code, [make_question(q["key"], q["label"], q["kind"], q.get("choices", ()),
                                                          q.get("required", False), q.get("help", ""))
                                            for q in rows])

        self.run(work, self.tr("Saved {n} questions.").format(n=len(rows)))


# --- the window ----------------------------------------------------------------------------------------------------------


PAGE_CLASSES = {"fund": FundPage, "rules": RulesPage, "areas": AreasPage, "rounds": RoundsPage,
                "members": MembersPage, "panel": PanelPage, "questions": QuestionsPage, "letters": LettersPage}
PAGE_NAMES = {"fund": N_("The fund"), "rules": N_("Rules"), "areas": N_("Areas"), "rounds": N_("Rounds"),
              "members": N_("Members"), "panel": N_("Panel"), "questions": N_("Questions"), "letters": N_("Letters")}


class FundSettingsWindow(QWidget):
    """A fund's settings, page by page. ``loaded`` after each read; ``saved(page key)`` after a change is
    kept; ``refused(text)`` when a change was refused (the reason is under the page)."""

    loaded = Signal()
    saved = Signal(str)
    refused = Signal(str)

    def __init__(self, db: Any, runner: Any, fund_code: str, parent: QWidget | None = None, *,
                 page: str | None = None):
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.db, self.runner, self.fund_code = db, runner, fund_code
        self.setObjectName("fundSettingsWindow")
        self.setWindowTitle(self.tr("Fund settings — {code}").format(code=fund_code))
        self.setup: Any = None
        self._refill: set[str] = set()
        self.confirm_box: QMessageBox | None = None
        layout = QHBoxLayout(self)
        self.page_list = QListWidget()
        self.page_list.setObjectName("settingsPages")
        self.page_list.setAccessibleName(self.tr("Settings pages"))
        self.page_list.setFixedWidth(180)
        self.stack = QStackedWidget()
        self.pages: dict[str, SettingsPage] = {}
        for n, key in enumerate(PAGE_KEYS, start=1):
            made = PAGE_CLASSES[key](self)
            self.pages[key] = made
            self.stack.addWidget(made)
            self.page_list.addItem(self.tr(PAGE_NAMES[key]))
            self.page_list.item(n - 1).setToolTip(self.tr("Ctrl+{n}").format(n=n))
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{n}"))
            action.triggered.connect(lambda _c=False, k=key: self.show_page(k))
            self.addAction(action)
        left = QVBoxLayout()
        self.fund_label = QLabel()
        self.fund_label.setObjectName("settingsFund")
        self.fund_label.setWordWrap(True)
        self.fund_label.setFixedWidth(180)
        left.addWidget(self.fund_label)
        left.addWidget(self.page_list, 1)
        layout.addLayout(left)
        layout.addWidget(self.stack, 1)
        self.save_action = QAction(self.tr("Save this page"), self)
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(lambda: self.current_page().save())
        self.addAction(self.save_action)
        self.page_list.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.show_page(page or "fund")
        follow_changes(self, FOLLOWS, self._on_changes, runner=runner)
        self.resize(1280, 800)

    # --- pages ------------------------------------------------------------------------------------------------
    def show_page(self, key: str) -> SettingsPage:
        if key not in self.pages:
            key = "fund"
        self.page_list.setCurrentRow(PAGE_KEYS.index(key))
        return self.pages[key]

    def current_page(self) -> SettingsPage:
        return self.stack.currentWidget()  # type: ignore[return-value]

    # --- reading ----------------------------------------------------------------------------------------------
    def start(self) -> None:
        self.load()

    def load(self) -> None:
        code = self.fund_code

        def read(db):
            from grantdesk.services.fund_setup import fund_setup

            return fund_setup(db, code)

        Query(self, read).success(self._on_loaded).run()

    def _on_loaded(self, setup: Any) -> None:
        first = self.setup is None
        self.setup = setup
        f = setup.definition.fund
        self.setWindowTitle(self.tr("Fund settings — {name} ({code})").format(name=f.name, code=f.code))
        self.fund_label.setText(f"<b>{escape(f.name)}</b><br>{escape(f.council)}")
        for key, page in self.pages.items():
            page.show_setup(setup, keep_edits=not first and key not in self._refill)
        self._refill.clear()
        self.loaded.emit()

    def _on_changes(self, _changes: Any) -> None:
        self.load()

    # --- writing ----------------------------------------------------------------------------------------------
    def run_op(self, page: SettingsPage, work: Callable[[Any], Any], words: str | Callable[[Any], str]) -> None:
        """One service call for a page's Save, one transaction; the page says what happened."""
        def done(result: Any) -> None:
            page.notice.ok(words(result) if callable(words) else words)
            self.after_save(page)

        Op(self, work).success(done).failure(lambda error: page.refuse(refusal_text(error))).run()

    def after_save(self, page: SettingsPage) -> None:
        self._refill.add(page.key)
        self.saved.emit(page.key)
        self.load()

    def show_refusal(self, text: str) -> None:
        self.current_page().refuse(text)

    def ask(self, box: QMessageBox) -> QMessageBox:
        """Ask before an action that changes who can apply (open or close a round, remove an area)."""
        self.confirm_box = box
        box.finished.connect(lambda _r: setattr(self, "confirm_box", None))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box


def open_fund_settings(parent: Any, fund_code: str, page: str | None = None) -> FundSettingsWindow:
    """The fund's settings window over ``parent`` (the main window, with ``db`` and ``runner``), on
    ``page``; one window per fund — asked again, it is raised and turned to ``page``."""
    if isinstance(parent, QWidget):
        for window in parent.findChildren(FundSettingsWindow):
            if isValid(window) and window.fund_code == fund_code and window.isVisible():
                if page:
                    window.show_page(page)
                window.raise_()
                window.activateWindow()
                return window
    window = FundSettingsWindow(parent.db, parent.runner, fund_code, parent if isinstance(parent, QWidget) else None,
                                page=page)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.start()
    window.show()
    window.raise_()
    return window
