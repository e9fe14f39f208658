"""The parts of a fund both the New Fund wizard and Fund Settings edit: its areas (pasted with ONS
codes), members, a panel's panellists and criteria, the form's questions, a round, monitoring bands, and
the letters, rules, members' year and Welsh forms — built from the fields and tables in
``ui.fund_forms``. Nothing here runs a service: the windows read these widgets and run their own ``Op``.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable, Sequence

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.dates import financial_year_label
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.fund_definition import AREA_KINDS, ONS_CODE, RoundSpec
from grantdesk.domain.fund_settings import BY_KEY, LETTER_LANGUAGE_RULES, BILINGUAL_LAYOUTS
from grantdesk.domain.monitoring import DEFAULT_MONITORING
from grantdesk.domain.money import format_money, parse_money
from grantdesk.i18n import N_

from ui.fund_forms import (
    CONTEXT,
    Checklist,
    Column,
    DateField,
    FieldMessage,
    MoneyField,
    MonthDayEdit,
    RowsTable,
    attachment_choices,
    key_from_label,
    labelled_row,
    org_type_choices,
    plain_pounds,
    quiet,
    setting_help,
    setting_label,
    table_buttons,
)


# --- areas -------------------------------------------------------------------------------------------


def parse_area_lines(text: str) -> list[tuple[str, str]]:
    """Wards or divisions pasted one a line: "Name", "Name<TAB>E05…", "Name, E05…" or "E05…<TAB>Name"
    (an ONS lookup's columns); a heading line is skipped. Returns (name, ONS code) pairs."""
    out: list[tuple[str, str]] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip().lstrip("•-*·").strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("\t") if p.strip()]
        name, code = (parts[0] if parts else ""), ""
        if len(parts) >= 2:
            if ONS_CODE.match(parts[0].upper()) and not ONS_CODE.match(parts[1].upper()):
                code, name = parts[0].upper(), parts[1]
            else:
                name, code = parts[0], parts[1].upper()
        else:
            m = re.match(r"^(.*?)[\s,;]+\(?([EWSNKewsnk]\d{8})\)?$", line)
            if m:
                name, code = m[1].strip().rstrip(",;"), m[2].upper()
        if not out and name.casefold() in {"name", "ward", "division", "area", "ward name", "division name"} \
                and not ONS_CODE.match(code):
            continue  # a heading row
        out.append((name, code))
    return out


# The kinds of area, as a list of them is headed ("These are: Wards") and as one is named ("Ward").
AREA_KIND_PLURALS = {"ward": N_("Wards"), "division": N_("Divisions"), "parish": N_("Parishes"),
                     "county": N_("Counties"), "district": N_("Districts"), "community": N_("Communities"),
                     "other": N_("Others")}
AREA_KIND_WORDS = {"ward": N_("Ward"), "division": N_("Division"), "parish": N_("Parish"), "county": N_("County"),
                   "district": N_("District"), "community": N_("Community"), "other": N_("Other")}


class AreasEditor(QWidget):
    """Paste or type the areas (one a line, with ONS codes if you have them), then edit them in the table."""

    changed = Signal()

    def __init__(self, kind: str = "ward", parent: QWidget | None = None, *, with_table: bool = True,
                 on_add: Any = None, add_text: str = ""):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.kind_combo = QComboBox()
        for k in AREA_KINDS:
            self.kind_combo.addItem(QCoreApplication.translate("AreaKinds", AREA_KIND_PLURALS.get(k, k)), k)
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind), 0))
        kind_label = QLabel(self.tr("&These are:"))
        kind_label.setBuddy(self.kind_combo)
        self.kind_combo.setAccessibleName(self.tr("Kind of area"))
        top.addWidget(kind_label)
        top.addWidget(self.kind_combo)
        top.addStretch(1)
        layout.addLayout(top)
        self.paste_edit = QPlainTextEdit()
        self.paste_edit.setObjectName("areasPaste")
        self.paste_edit.setAccessibleName(self.tr("Areas to add, one a line"))
        self.paste_edit.setPlaceholderText(self.tr(
            "Paste or type one a line, for example:\nStafford Central\nStafford North\tE58000000\n"
            "(a column of names copied from a spreadsheet, with the ONS codes beside them if you have them)"))
        self.paste_edit.setTabChangesFocus(True)
        self.paste_edit.setMaximumHeight(110)
        paste_label = QLabel(self.tr("&Paste or type the list:"))
        paste_label.setBuddy(self.paste_edit)
        layout.addWidget(paste_label)
        layout.addWidget(self.paste_edit)
        from ui.widgets import action_button

        self.add_button = action_button(add_text or self.tr("&Add to the list"), None, on_add or self.add_pasted,
                                        "addAreas", auto_default=False)
        self.message = FieldMessage("areasMessage")
        self.table: RowsTable | None = None
        self.remove_button = None
        if with_table:
            self.table = RowsTable(self.tr("Areas"), [Column("name", self.tr("Name")),
                                                      Column("ons_code", self.tr("ONS code"), width=160,
                                                             tip=self.tr("A country letter and eight digits, such as "
                                                                         "E05013035 (optional)"))])
            self.table.setObjectName("areasTable")
            self.table.edited.connect(self.changed)
            self.remove_button = action_button(self.tr("&Remove selected"), None, self.remove_selected,
                                               "removeAreas", auto_default=False)
            layout.addLayout(table_buttons(self.add_button, self.remove_button))
            layout.addWidget(self.message)
            layout.addWidget(self.table, 1)
        else:
            layout.addLayout(table_buttons(self.add_button))
            layout.addWidget(self.message)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def kind(self) -> str:
        return self.kind_combo.currentData()

    def set_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(kind), 0))

    def pasted(self) -> list[tuple[str, str]]:
        return parse_area_lines(self.paste_edit.toPlainText())

    def add_pasted(self) -> int:
        """Move what is in the paste box into the table (names already there are left out)."""
        found = self.pasted()
        if self.table is None:
            return len(found)
        have = {r["name"].casefold() for r in self.table.rows()}
        added = 0
        for name, code in found:
            if name.casefold() in have:
                continue
            have.add(name.casefold())
            self.table.add_row({"name": name, "ons_code": code})
            added += 1
        self.paste_edit.clear()
        skipped = len(found) - added
        self.message.say(self.tr("{n} already in the list, left out.").format(n=skipped) if skipped else "")
        self.changed.emit()
        return added

    def remove_selected(self) -> None:
        if self.table is not None:
            self.table.remove_selected()

    def areas(self) -> list[dict[str, str]]:
        """The table's areas, as a definition file lists them."""
        if self.table is None:
            return []
        return [{"name": r["name"], "kind": self.kind(), "ons_code": r["ons_code"].upper()} for r in self.table.rows()]


# --- members, panellists, criteria ---------------------------------------------------------------------------


class MembersTable(RowsTable):
    """Members with their area, party, e-mail and yearly allotment."""

    def __init__(self):
        super().__init__(self.tr("Members"), [
            Column("name", self.tr("Name")), Column("area", self.tr("Area"), "combo", 210),
            Column("party", self.tr("Party"), width=110), Column("email", self.tr("E-mail")),
            Column("allotment", self.tr("Allotment"), width=110, tip=self.tr("The member's pot for the year"))])
        self.setObjectName("membersTable")

    def set_areas(self, names: Sequence[str]) -> None:
        self.set_options("area", [("", self.tr("(no area)"))] + [(n, n) for n in names])


class PanellistsTable(RowsTable):
    def __init__(self):
        super().__init__(self.tr("Panellists"), [Column("name", self.tr("Name")),
                                                 Column("area", self.tr("Where they live"), "combo", 220)])
        self.setObjectName("panellistsTable")

    def set_areas(self, names: Sequence[str]) -> None:
        self.set_options("area", [("", self.tr("(not given)"))] + [(n, n) for n in names])


DEFAULT_CRITERIA = (
    (N_("Meets a real need here"), 3, N_("Will people's lives here be better for it?")),
    (N_("Reaches the people who need it most"), 2, N_("People who are lonely, on low incomes, young, older or not "
                                                      "usually reached.")),
    (N_("A realistic plan and good value"), 1, N_("Can the group do what it says, with this money, in this time?")),
)


class CriteriaTable(RowsTable):
    def __init__(self):
        super().__init__(self.tr("Criteria"), [
            Column("name", self.tr("Criterion")),
            Column("description", self.tr("What it means (optional)")),
            Column("weight", self.tr("Weight"), "int", 70, 1, 10, self.tr("How much this criterion counts (1–10)")),
            Column("low", self.tr("Lowest"), "int", 70, 0, 10, self.tr("The lowest score a panellist can give")),
            Column("high", self.tr("Highest"), "int", 70, 1, 100, self.tr("The highest score a panellist can give"))])
        self.setObjectName("criteriaTable")

    def set_defaults(self) -> None:
        self.set_rows([{"name": QCoreApplication.translate("Criteria", name), "weight": weight, "low": 0, "high": 5,
                        "description": QCoreApplication.translate("Criteria", words)}
                       for name, weight, words in DEFAULT_CRITERIA])


class PanelTables(QWidget):
    """A panel's panellists and the criteria they score against, side by side, each with its buttons.
    ``on_paste`` runs for Paste from spreadsheet (the page says what was pasted, or why nothing was)."""

    FIELDS = ("panellists", "criteria", "paste_button", "add_person_button", "remove_person_button",
              "add_criterion_button", "remove_criterion_button")

    def __init__(self, on_paste: Callable[[], Any]):
        from ui.widgets import action_button

        super().__init__()
        columns = QHBoxLayout(self)
        columns.setContentsMargins(0, 0, 0, 0)
        self.left = QVBoxLayout()
        self.panellists = PanellistsTable()
        people_label = QLabel(self.tr("Pane&llists:"))
        people_label.setBuddy(self.panellists)
        self.paste_button = action_button(self.tr("&Paste from spreadsheet"), None, on_paste, "pastePanellists",
                                          auto_default=False)
        self.add_person_button = action_button(self.tr("Add a pan&ellist"), None, self.add_panellist,
                                               "addPanellist", auto_default=False)
        self.remove_person_button = action_button(self.tr("&Remove selected"), None, self.panellists.remove_selected,
                                                  "removePanellists", auto_default=False)
        self.left.addWidget(people_label)
        self.left.addLayout(table_buttons(self.paste_button, self.add_person_button, self.remove_person_button))
        self.left.addWidget(self.panellists, 1)
        self.right = QVBoxLayout()
        self.criteria = CriteriaTable()
        criteria_label = QLabel(self.tr("Cri&teria:"))
        criteria_label.setBuddy(self.criteria)
        self.add_criterion_button = action_button(self.tr("Add a criteri&on"), None, self.add_criterion,
                                                  "addCriterion", auto_default=False)
        self.remove_criterion_button = action_button(self.tr("Remo&ve selected"), None, self.criteria.remove_selected,
                                                     "removeCriteria", auto_default=False)
        self.right.addWidget(criteria_label)
        self.right.addLayout(table_buttons(self.add_criterion_button, self.remove_criterion_button))
        self.right.addWidget(self.criteria, 1)
        columns.addLayout(self.left, 2)
        columns.addLayout(self.right, 3)

    def paste(self) -> int:
        """Panellists from the clipboard (name, where they live); ``ValidationError`` when it is empty."""
        text = QApplication.clipboard().text()
        if not text.strip():
            raise ValidationError(self.tr("Nothing to paste: copy the panellists' names (and where they live) first."))
        return self.panellists.paste_text(text)

    def add_panellist(self) -> None:
        row = self.panellists.add_row()
        self.panellists.setCurrentCell(row, 0)
        self.panellists.setFocus()

    def add_criterion(self) -> None:
        row = self.criteria.add_row({"weight": 1, "low": 0, "high": 5})
        self.criteria.setCurrentCell(row, 0)
        self.criteria.setFocus()


QUESTION_KINDS = (("text", N_("Text")), ("number", N_("Number")), ("yesno", N_("Yes or no")), ("choice", N_("Choice")))


class QuestionsTable(RowsTable):
    """The form's own questions: the question, its key (made from the words), type, choices, required."""

    def __init__(self):
        super().__init__(self.tr("Questions"), [
            Column("label", self.tr("Question")), Column("key", self.tr("Key"), width=170,
                                                         tip=self.tr("How files and exports name the answer; made "
                                                                     "from the question")),
            Column("kind", self.tr("Type"), "combo", 120),
            Column("choices", self.tr("Choices (comma between)"), width=200,
                   tip=self.tr("For a choice question; put ; between them if a choice has a comma in it")),
            Column("required", self.tr("Required"), "check", 75),
            Column("help", self.tr("Help for applicants (optional)"))])
        self.setObjectName("questionsTable")
        self.set_options("kind", [(k, QCoreApplication.translate(CONTEXT, w)) for k, w in QUESTION_KINDS])
        self._made_keys: dict[int, str] = {}
        self.itemChanged.connect(self._label_changed)

    def _label_changed(self, item: QTableWidgetItem) -> None:
        """A key follows the question's words until it is typed over."""
        if item.column() != self.column_index("label"):
            return
        row = item.row()
        key_item = self.item(row, self.column_index("key"))
        current = key_item.text().strip() if key_item else ""
        if current and current != self._made_keys.get(row):
            return
        taken = [self.value(r, "key") for r in range(self.rowCount()) if r != row]
        made = key_from_label(item.text(), taken) if item.text().strip() else ""
        self._made_keys[row] = made
        self.blockSignals(True)
        self.set_value(row, "key", made)
        self.blockSignals(False)

    def add_question(self, label: str = "", kind: str = "text", **values: Any) -> int:
        row = self.add_row({"label": "", "kind": kind, **values})
        if label:
            self.set_value(row, "label", label)  # makes the key
        return row

    def removeRow(self, row: int) -> None:  # noqa: N802 (Qt's name)
        super().removeRow(row)
        self._made_keys = {(r if r < row else r - 1): k for r, k in self._made_keys.items() if r != row}

    def questions(self) -> list[dict[str, Any]]:
        """As a definition file lists them."""
        out = []
        for r in self.rows():
            q: dict[str, Any] = {"key": r["key"], "label": r["label"], "kind": r["kind"]}
            choices = [c.strip() for c in r["choices"].split(";" if ";" in r["choices"] else ",") if c.strip()]
            if choices:
                q["choices"] = choices
            if r["help"]:
                q["help"] = r["help"]
            if r["required"]:
                q["required"] = True
            out.append(q)
        return out

    def set_questions(self, questions: Sequence[Any]) -> None:
        self.set_rows([])
        self._made_keys = {}
        for q in questions:
            kind = getattr(q.kind, "value", q.kind)
            joiner = "; " if any("," in c for c in q.choices) else ", "
            self.add_row({"label": q.label, "key": q.key, "kind": kind, "choices": joiner.join(q.choices),
                          "help": q.help,
                          "required": q.required})


# --- rounds ------------------------------------------------------------------------------------------


class RoundForm(QWidget):
    """A round's name, financial year, dates and budget: the wizard's first round and Fund Settings' chosen
    round. ``labels`` replaces the label of the name, the closing date or the spend-by date (keys "name",
    "closes", "spend") for a window whose other keys already use the default's mnemonic; ``closes_name`` names
    the closing date for screen readers and in what is wrong with it. ``dates_in_rows``: a row for each date;
    otherwise the four dates share two rows beside "Dates:"."""

    FIELDS = ("name_edit", "year_spin", "year_label", "opens_edit", "closes_edit", "decision_edit", "spend_edit",
              "budget_edit")

    def __init__(self, *, labels: dict[str, str] | None = None, closes_name: str = "", dates_in_rows: bool = True):
        super().__init__()
        words = {"name": self.tr("Round's na&me:"), "closes": self.tr("&Closes (apply by):"),
                 "spend": self.tr("&Spend by:"), **(labels or {})}
        closes_name = closes_name or self.tr("Closes (apply by)")
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("roundName")
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("financialYear")
        self.year_spin.setRange(2000, 2200)
        self.year_label = quiet(QLabel())
        self.opens_edit = DateField(self.tr("Opens"))
        self.opens_edit.setObjectName("opensOn")
        self.closes_edit = DateField(closes_name)
        self.closes_edit.setObjectName("closesOn")
        self.decision_edit = DateField(self.tr("Decided by"), optional=True)
        self.decision_edit.setObjectName("decisionOn")
        self.spend_edit = DateField(self.tr("Spend by"), optional=True)
        self.spend_edit.setObjectName("spendBy")
        self.budget_edit = MoneyField(self.tr("Budget"))
        self.budget_edit.setObjectName("budget")
        self.edits: dict[str, QLineEdit] = {"name": self.name_edit, "opens": self.opens_edit,
                                            "closes": self.closes_edit, "decision": self.decision_edit,
                                            "spend": self.spend_edit, "budget": self.budget_edit}
        labelled_row(self.form, words["name"], self.name_edit, self.tr("Round's name"))
        year = QWidget()
        line = QHBoxLayout(year)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.year_spin)
        line.addWidget(self.year_label)
        line.addStretch(1)
        labelled_row(self.form, self.tr("Financial &year starting in:"), year, self.tr("Financial year"))
        self.year_spin.setAccessibleName(self.tr("Financial year"))
        dates = ((self.tr("O&pens:"), self.opens_edit, self.tr("Opens")),
                 (words["closes"], self.closes_edit, closes_name),
                 (self.tr("&Decided by:"), self.decision_edit, self.tr("Decided by")),
                 (words["spend"], self.spend_edit, self.tr("Spend by")))
        if dates_in_rows:
            for text, edit, name in dates:
                labelled_row(self.form, text, edit, name)
        else:
            grid = QGridLayout()
            for n, (text, edit, _name) in enumerate(dates):
                label = QLabel(text)
                label.setBuddy(edit)
                grid.addWidget(label, n // 2, (n % 2) * 2)
                grid.addWidget(edit, n // 2, (n % 2) * 2 + 1)
            grid.setColumnStretch(4, 1)
            self.form.addRow(self.tr("Dates:"), grid)
        labelled_row(self.form, self.tr("Bud&get:"), self.budget_edit, self.tr("Budget"))
        self.year_spin.valueChanged.connect(lambda _y: self.show_year())

    def add_note(self, after: QWidget, note: QWidget) -> None:
        """``note`` on a row of its own under the field ``after`` (one with a row of its own)."""
        row, _role = self.form.getWidgetPosition(after)
        self.form.insertRow(row + 1, "", note)

    def show_year(self) -> None:
        self.year_label.setText(financial_year_label(self.year_spin.value()))

    def title(self) -> str:
        """The name as applicants see it ("{fy}" written as the financial year)."""
        return self.name_edit.text().strip().replace("{fy}", financial_year_label(self.year_spin.value()))

    def dates(self) -> dict[str, date | None]:
        """The round's dates by the definition's keys; a date that cannot be read raises ``ValidationError``."""
        return {"opens_on": self.opens_edit.value(), "closes_on": self.closes_edit.value(),
                "decision_on": self.decision_edit.value(), "spend_by": self.spend_edit.value()}

    def set_spec(self, spec: RoundSpec) -> None:
        """Show a ``RoundSpec`` (its name as applicants see it)."""
        self.name_edit.setText(spec.title)
        self.year_spin.setValue(spec.financial_year)
        self.opens_edit.set_value(spec.opens_on)
        self.closes_edit.set_value(spec.closes_on)
        self.decision_edit.set_value(spec.decision_on)
        self.spend_edit.set_value(spec.spend_by)
        self.budget_edit.set_value(spec.budget_pence)
        self.show_year()

    def spec(self, key: str = "round") -> RoundSpec:
        """What is typed as a ``RoundSpec``; a date or amount that cannot be read raises ``ValidationError``."""
        dates = self.dates()
        return RoundSpec(key, self.name_edit.text().strip(), self.year_spin.value(), dates["opens_on"],
                         dates["closes_on"], dates["decision_on"], dates["spend_by"], self.budget_edit.value())

    def state(self) -> tuple[Any, ...]:
        """What is typed, to tell whether it has changed."""
        return (self.name_edit.text(), self.year_spin.value(), *(self.edits[k].text() for k in
                                                                ("opens", "closes", "decision", "spend", "budget")))


# --- monitoring ---------------------------------------------------------------------------------------


class MonitoringEditor(QWidget):
    """What a grantee owes after an award, by grant size: the standard bands, or the fund's own (one
    row a report; a row with no report is a band that asks for nothing)."""

    changed = Signal()

    def __init__(self, mnemonic: str = "d"):
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        words = self.tr("Use the standard bands (shown below)")
        at = words.find(mnemonic)
        self.standard = QCheckBox(words[:at] + "&" + words[at:] if at >= 0 else words)
        self.standard.setObjectName("standardMonitoring")
        self.standard.setToolTip(setting_help("monitoring"))
        self.standard.setChecked(True)
        self.table = RowsTable(setting_label("monitoring"), [
            Column("up_to", self.tr("Grants up to"), width=120, tip=self.tr("Leave empty for the largest grants")),
            Column("label", self.tr("Report asked for"), tip=self.tr("Leave it empty for a band that asks for nothing")),
            Column("kind", self.tr("Kind"), "combo", 90),
            Column("months", self.tr("Months"), "int", 80, 0, 60, self.tr("Months after the award it is due")),
            Column("final", self.tr("Final"), "check", 60)])
        self.table.setObjectName("monitoringTable")
        self.table.set_options("kind", [("note", self.tr("Note")), ("report", self.tr("Report"))])
        from ui.widgets import action_button

        self.add_button = action_button(self.tr("Add a row"), None, self.add_row, "addMonitoringRow",
                                        auto_default=False)
        self.remove_button = action_button(self.tr("Remove selected rows"), None, self.table.remove_selected,
                                           "removeMonitoringRows", auto_default=False)
        top = QHBoxLayout()
        top.addWidget(self.standard)
        top.addStretch(1)
        top.addWidget(self.add_button)
        top.addWidget(self.remove_button)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(quiet(QLabel(self.tr("One row a report; a row with no report is a band of grants that owe "
                                              "nothing. “Final” marks the report that closes the grant."))))
        self.standard.toggled.connect(self._standard_toggled)
        self.table.edited.connect(self.changed)
        self.set_value(None)

    def _standard_toggled(self, on: bool) -> None:
        if on:
            self.table.set_rows(self.rows_of(DEFAULT_MONITORING))
        self._enable(not on)
        self.changed.emit()

    def _enable(self, own: bool) -> None:
        for w in (self.table, self.add_button, self.remove_button):
            w.setEnabled(own)

    def add_row(self) -> None:
        row = self.table.add_row({"kind": "note", "months": 12})
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()

    @staticmethod
    def rows_of(bands: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for band in bands:
            limit = band.get("up_to")
            up_to = format_money(parse_money(str(limit))) if limit not in (None, "") else ""
            if not band.get("require"):
                rows.append({"up_to": up_to, "label": "", "kind": "note", "months": 0, "final": False})
            for kind, label, months, final in band.get("require", ()):
                rows.append({"up_to": up_to, "label": label, "kind": kind, "months": months, "final": final})
        return rows

    def set_value(self, bands: Sequence[dict[str, Any]] | None) -> None:
        self.standard.blockSignals(True)
        self.standard.setChecked(not bands)
        self.standard.blockSignals(False)
        self.table.set_rows(self.rows_of(bands or DEFAULT_MONITORING))
        self._enable(bool(bands))

    def value(self) -> list[dict[str, Any]] | None:
        """The bands in the setting's form, or ``None`` for the standard ones. A band's limit that is not
        an amount raises ``ValidationError``."""
        if self.standard.isChecked():
            return None
        bands: list[dict[str, Any]] = []
        for n, row in enumerate(self.table.all_rows(), start=1):
            up_to = None
            if row["up_to"]:
                try:
                    up_to = plain_pounds(parse_money(row["up_to"], field="up_to"))
                except ValidationError as exc:
                    raise ValidationError(self.tr("Monitoring, row {n}: {why}").format(n=n, why=exc)) from None
            if not bands or bands[-1]["up_to"] != up_to:
                bands.append({"up_to": up_to, "require": []})
            if row["label"]:
                bands[-1]["require"].append([row["kind"], row["label"], row["months"], row["final"]])
        for band in bands:
            if band["up_to"] is None:
                del band["up_to"]
        return bands or None


# --- the rules and letters forms -------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _words(text: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,;\n]", text) if w.strip()]


class LettersForm(QWidget):
    """Who signs the letters, the letterhead, the council's name in English and Welsh, and bilingual
    letters. ``letters()`` gives the ``letters`` settings; ``bilingual()`` the fund's flag."""

    changed = Signal()

    def __init__(self):
        super().__init__()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        outer.addLayout(form)
        outer.addStretch(1)
        self.signatory_name = QLineEdit()
        self.signatory_name.setObjectName("signatoryName")
        self.signatory_role = QLineEdit()
        self.signatory_role.setObjectName("signatoryRole")
        self.signatory_role.setPlaceholderText(self.tr("e.g. Community Grants Officer"))
        self.address = QPlainTextEdit()
        self.address.setObjectName("letterheadAddress")
        self.address.setTabChangesFocus(True)
        self.address.setPlaceholderText(self.tr("One line each, e.g.\nTown Hall\nSt Aldate's\nOxford\nOX1 1BX"))
        self.address.setFixedHeight(100)
        self.email = QLineEdit()
        self.email.setObjectName("letterheadEmail")
        self.phone = QLineEdit()
        self.phone.setObjectName("letterheadPhone")
        self.council_en = QLineEdit()
        self.council_en.setObjectName("councilEnglish")
        self.council_cy = QLineEdit()
        self.council_cy.setObjectName("councilWelsh")
        self.council_cy.setPlaceholderText(self.tr("e.g. Cyngor Sir Ddinbych"))
        self.bilingual_check = QCheckBox(self.tr("Send &letters in Welsh and English"))
        self.bilingual_check.setObjectName("bilingualLetters")
        self.layout_combo = QComboBox()
        for key in BILINGUAL_LAYOUTS:
            self.layout_combo.addItem({"welsh_first": self.tr("The whole letter in Welsh, then in English"),
                                       "side_by_side": self.tr("Welsh and English side by side")}[key], key)

        def row(text: str, widget: QWidget, name: str, tip: str = "") -> None:
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(name)
            if tip:
                label.setToolTip(tip)
                widget.setToolTip(tip)
            form.addRow(label, widget)

        row(self.tr("Si&gned by:"), self.signatory_name, self.tr("Signatory's name"), setting_help("letters.signatory"))
        row(self.tr("Their r&ole:"), self.signatory_role, self.tr("Signatory's role"))
        row(self.tr("Letterhead &address:"), self.address, self.tr("Letterhead address"),
            setting_help("letters.letterhead"))
        row(self.tr("&E-mail:"), self.email, self.tr("Letterhead e-mail"))
        row(self.tr("P&hone:"), self.phone, self.tr("Letterhead phone"))
        row(self.tr("Council in English:"), self.council_en, self.tr("Council's name in English"),
            setting_help("letters.council"))
        row(self.tr("Council in &Welsh:"), self.council_cy, self.tr("Council's name in Welsh"),
            setting_help("letters.council"))
        form.addRow("", self.bilingual_check)
        row(self.tr("Bilingual la&yout:"), self.layout_combo, setting_label("letters.bilingual"),
            setting_help("letters.bilingual"))
        for w in (self.signatory_name, self.signatory_role, self.email, self.phone, self.council_en, self.council_cy):
            w.textChanged.connect(self.changed)
        self.address.textChanged.connect(self.changed)
        self.bilingual_check.toggled.connect(self.changed)
        self.bilingual_check.toggled.connect(self.layout_combo.setEnabled)
        self.layout_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.layout_combo.setEnabled(False)

    def set_value(self, settings: Any, bilingual: bool, council: str = "") -> None:
        """Show a fund's typed settings (``settings_of``): its signatory, letterhead and council names."""
        person, head, names = settings.signatory, settings.letterhead, settings.council_names
        self.signatory_name.setText(person.get("name", ""))
        self.signatory_role.setText(person.get("role", ""))
        self.address.setPlainText("\n".join(head.get("address", [])))
        self.email.setText(head.get("email", ""))
        self.phone.setText(head.get("phone", ""))
        self.council_en.setText(names.get("en", council))
        self.council_cy.setText(names.get("cy", ""))
        self.bilingual_check.setChecked(bilingual)
        self.layout_combo.setCurrentIndex(max(self.layout_combo.findData(settings.bilingual_layout), 0))
        self._other = {k: v for k, v in head.items() if k not in {"address", "email", "phone"}}

    def bilingual(self) -> bool:
        return self.bilingual_check.isChecked()

    def letters(self) -> dict[str, Any]:
        """The ``letters`` settings this form holds (what is empty is left out)."""
        out: dict[str, Any] = {}
        person = {k: v for k, v in (("name", self.signatory_name.text().strip()),
                                    ("role", self.signatory_role.text().strip())) if v}
        if person:
            out["signatory"] = person
        head: dict[str, Any] = dict(getattr(self, "_other", {}))
        if _lines(self.address.toPlainText()):
            head["address"] = _lines(self.address.toPlainText())
        for key, edit in (("email", self.email), ("phone", self.phone)):
            if edit.text().strip():
                head[key] = edit.text().strip()
        if head:
            out["letterhead"] = head
        names = {k: v for k, v in (("en", self.council_en.text().strip()), ("cy", self.council_cy.text().strip())) if v}
        if names:
            out["council"] = names
        if self.bilingual() and self.layout_combo.currentData() != "welsh_first":
            out["bilingual"] = self.layout_combo.currentData()
        return out


class EligibilityForm(QWidget):
    """Who can apply and what every application must include (labels from the settings' declarations)."""

    changed = Signal()

    def __init__(self, keys: tuple[str, str] = ("&k", "&d")):
        super().__init__()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.org_types = Checklist(setting_label("allowed_org_types"), org_type_choices())
        self.org_types.setObjectName("allowedOrgTypes")
        self.attachments = Checklist(setting_label("required_attachments"), attachment_choices())
        self.attachments.setObjectName("requiredAttachments")
        for col, (key, checklist, mnemonic) in enumerate((("allowed_org_types", self.org_types, keys[0]),
                                                          ("required_attachments", self.attachments, keys[1]))):
            checklist.setToolTip(setting_help(key))
            label = QLabel(f"{setting_label(key)} ({mnemonic}):" if mnemonic else setting_label(key) + ":")
            label.setBuddy(checklist)
            grid.addWidget(label, 0, col)
            grid.addWidget(quiet(QLabel(setting_help(key))), 1, col)
            grid.addWidget(checklist, 2, col)
        grid.setRowStretch(2, 1)
        self.org_types.changed.connect(self.changed)
        self.attachments.changed.connect(self.changed)

    def set_value(self, settings: Any) -> None:
        """From a fund's typed settings (``settings_of``)."""
        self.org_types.set_checked(settings.allowed_org_types)
        self.attachments.set_checked(settings.required_attachments)

    def settings(self) -> dict[str, Any]:
        """These settings by key (``None``: the default, nothing stored)."""
        return {"allowed_org_types": self.org_types.checked() or None,
                "required_attachments": self.attachments.checked() or None}


class MemberYearForm(QWidget):
    """Members' funds: the year's apply-by and spend-by days, what happens to unspent money, and match
    funding (the settings whose declaration says ``models=("member",)``)."""

    changed = Signal()

    def __init__(self, mnemonics: tuple[str, str] = (N_("Appl&y by:"), N_("Spen&d by:")), *, with_match: bool = True,
                 in_a_row: bool = False):
        super().__init__()
        self.apply_by = MonthDayEdit(setting_label("apply_by_month_day"), BY_KEY["apply_by_month_day"].default)
        self.apply_by.setToolTip(setting_help("apply_by_month_day"))
        self.spend_by = MonthDayEdit(setting_label("spend_by_month_day"), BY_KEY["spend_by_month_day"].default)
        self.spend_by.setToolTip(setting_help("spend_by_month_day"))
        apply_label = QLabel(self.tr(mnemonics[0]))
        apply_label.setBuddy(self.apply_by.day)
        spend_label = QLabel(self.tr(mnemonics[1]))
        spend_label.setBuddy(self.spend_by.day)
        self.lapse = QComboBox()
        self.lapse.setObjectName("yearEnd")
        self.lapse.addItem(self.tr("Lapses (returns to the council)"), "lapse")
        self.lapse.addItem(self.tr("Rolls over into next year's pot"), "roll_over")
        self.lapse.setAccessibleName(setting_label("unspent_at_year_end"))
        self.lapse.setToolTip(setting_help("unspent_at_year_end"))
        lapse_label = QLabel(setting_label("unspent_at_year_end") + ":")
        self.match_kinds = Checklist(setting_label("match_funding_required_for"), org_type_choices())
        self.match_kinds.setToolTip(setting_help("match_funding_required_for"))
        self.match_kinds.setMinimumHeight(70)
        self.match_kinds.setMaximumHeight(96)
        self.match_percent = QSpinBox()
        self.match_percent.setRange(0, 100)
        self.match_percent.setSuffix("%")
        self.match_percent.setAccessibleName(setting_label("match_funding_percent"))
        self.match_percent.setToolTip(setting_help("match_funding_percent"))
        self.with_match = with_match and not in_a_row
        if in_a_row:
            row = QGridLayout(self)
            row.setContentsMargins(0, 0, 0, 0)
            for n, w in enumerate((apply_label, self.apply_by, spend_label, self.spend_by, lapse_label, self.lapse)):
                row.addWidget(w, 0, n)
            row.setColumnStretch(6, 1)
            def words(key: str) -> str:  # on a members' page, "Members' funds:" goes without saying
                text = setting_help(key).removeprefix(self.tr("Members' funds: "))
                return text[:1].upper() + text[1:]

            row.addWidget(quiet(QLabel(self.tr("Apply by: {apply} Spend by: {spend}").format(
                apply=words("apply_by_month_day"), spend=words("spend_by_month_day")))), 1, 0, 1, 7)
        else:
            form = QFormLayout(self)
            form.setContentsMargins(0, 0, 0, 0)
            form.addRow(apply_label, self.apply_by)
            form.addRow(quiet(QLabel(setting_help("apply_by_month_day"))))
            form.addRow(spend_label, self.spend_by)
            form.addRow(quiet(QLabel(setting_help("spend_by_month_day"))))
            form.addRow(lapse_label, self.lapse)
        if self.with_match:
            form.addRow(setting_label("match_funding_required_for") + ":", self.match_kinds)
            form.addRow(setting_label("match_funding_percent") + ":", self.match_percent)
        else:
            self.match_kinds.hide()
            self.match_percent.hide()
        for signal in (self.apply_by.changed, self.spend_by.changed, self.match_kinds.changed,
                       self.match_percent.valueChanged, self.lapse.currentIndexChanged):
            signal.connect(lambda *_: self.changed.emit())

    def set_value(self, settings: Any) -> None:
        self.apply_by.set_value(settings.apply_by_month_day)
        self.spend_by.set_value(settings.spend_by_month_day)
        self.lapse.setCurrentIndex(max(self.lapse.findData(settings.unspent_at_year_end), 0))
        self.match_kinds.set_checked(settings.match_funding_required_for)
        self.match_percent.setValue(settings.match_funding_percent)

    def settings(self) -> dict[str, Any]:
        out = {"apply_by_month_day": self.apply_by.value(), "spend_by_month_day": self.spend_by.value(),
               "unspent_at_year_end": self.lapse.currentData()}
        if self.with_match:
            out.update(match_funding_required_for=self.match_kinds.checked() or None,
                       match_funding_percent=self.match_percent.value() or None)
        return out


class WelshAndThemesForm(QWidget):
    """The fund's themes, whether the Welsh Language Standards apply, and the language of letters when a
    contact's is not known."""

    changed = Signal()

    def __init__(self, themes_mnemonic: str = "&t", welsh_mnemonic: str = "&p"):
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.themes = QLineEdit()
        self.themes.setObjectName("themes")
        self.themes.setAccessibleName(setting_label("themes"))
        self.themes.setToolTip(setting_help("themes"))
        self.themes.setPlaceholderText(self.tr("e.g. health and wellbeing, children and families (comma between)"))
        label = QLabel(f"{setting_label('themes')} ({themes_mnemonic}):")
        label.setBuddy(self.themes)
        form.addRow(label, self.themes)
        standards = setting_label("welsh_language_standards")
        if welsh_mnemonic:
            letter = welsh_mnemonic.lstrip("&")
            at = standards.find(letter)
            standards = standards[:at] + "&" + standards[at:] if at >= 0 else f"{standards} ({welsh_mnemonic})"
        self.welsh_standards = QCheckBox(standards)
        self.welsh_standards.setObjectName("welshStandards")
        self.welsh_standards.setToolTip(setting_help("welsh_language_standards"))
        form.addRow("", self.welsh_standards)
        self.unknown_language = QComboBox()
        for key in LETTER_LANGUAGE_RULES:
            self.unknown_language.addItem({"bilingual": self.tr("Welsh and English"), "english": self.tr("English"),
                                           "welsh": self.tr("Welsh")}[key], key)
        self.unknown_language.setAccessibleName(setting_label("letters_when_language_unknown"))
        self.unknown_language.setToolTip(setting_help("letters_when_language_unknown"))
        form.addRow(setting_label("letters_when_language_unknown") + ":", self.unknown_language)
        self.welsh_standards.toggled.connect(self.unknown_language.setEnabled)
        self.unknown_language.setEnabled(False)
        self.themes.textChanged.connect(self.changed)
        self.welsh_standards.toggled.connect(lambda _on: self.changed.emit())
        self.unknown_language.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def set_value(self, settings: Any) -> None:
        self.themes.setText(", ".join(settings.themes))
        self.welsh_standards.setChecked(settings.welsh_language_standards)
        self.unknown_language.setCurrentIndex(
            max(self.unknown_language.findData(settings.letters_when_language_unknown), 0))
        self.unknown_language.setEnabled(settings.welsh_language_standards)

    def settings(self) -> dict[str, Any]:
        welsh = self.welsh_standards.isChecked()
        unknown = self.unknown_language.currentData()
        return {"themes": _words(self.themes.text()) or None, "welsh_language_standards": True if welsh else None,
                "letters_when_language_unknown": unknown if welsh and unknown != "english" else None}


def merged_settings(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A stored settings table with ``changes`` applied, each through its declaration's check
    (``with_setting``: ``None`` removes a setting)."""
    from grantdesk.domain.fund_settings import with_setting

    out = dict(base)
    for key, value in changes.items():
        out = with_setting(out, key, value)
    return out


def letters_changes(letters: dict[str, Any]) -> dict[str, Any]:
    """The letters form's settings as ``letters.*`` changes (what is empty is removed)."""
    return {f"letters.{k}": letters.get(k) for k in ("signatory", "letterhead", "council", "bilingual")}
