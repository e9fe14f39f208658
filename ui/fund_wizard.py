"""File ▸ New Fund…: a council's own fund from an empty database, page by page.

1. how the fund decides (officers, elected members, a residents' panel), which sets the defaults;
2. the fund (name, code, council, funder identifier, 360Giving prefix, grant limits);
3. its areas (a pasted list of wards or divisions, with ONS codes);
4. its members and their yearly allotments (members' funds), or its panel (panel funds);
5. the first round; 6. the form's questions and who can apply; 7. letters, themes, monitoring, Welsh;
8. a summary of what will be made.

Each page is checked before Next by the same rules a fund definition file is checked by
(``grantdesk.domain.fund_definition.read_definition``), and says what is wrong under the page. Finish
makes the whole fund in one ``Op`` (``create_fund``): a refusal is shown on the summary page, problem by
problem, and nothing is written.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from grantdesk.domain.dates import financial_year_label, financial_year_of
from grantdesk.domain.eligibility import ATTACHMENT_KINDS
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.fund_definition import DefinitionError, read_definition
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.money import format_money, parse_money
from grantdesk.i18n import N_
from grantdesk.i18n import _ as core_text  # the core's labels (attachment kinds)
from ui.fund_forms import (
    FieldMessage,
    MoneyField,
    Notice,
    fund_code_from,
    labelled_row,
    prefix_example,
    quiet,
    table_buttons,
)
from ui.fund_parts import (
    AREA_KIND_PLURALS,
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
)
from ui.operations import Op, Query, refusal_text
from ui.widgets import action_button

__all__ = ["NewFundWizard", "open_new_fund_wizard", "problem_place"]

MODELS = ("officer", "member", "panel")
DEFAULT_ALLOTMENT = 250_000  # £2,500: a councillor's yearly pot in many county schemes

# Which page a problem's key belongs to (read_definition names each problem by its key).
_MEMBER_SETTINGS = ("apply_by_month_day", "spend_by_month_day", "unspent_at_year_end", "match_funding")
_FORM_SETTINGS = ("allowed_org_types", "required_attachments")


def _page_of_key(key: str) -> str:
    if key.startswith("fund.settings"):
        name = key[len("fund.settings."):]
        if name.startswith(_MEMBER_SETTINGS):
            return "members"
        if name.startswith(_FORM_SETTINGS):
            return "form"
        return "letters"
    if key == "fund.bilingual_letters":
        return "letters"
    if key.startswith("fund"):
        return "fund"
    for prefix, page in (("areas", "areas"), ("members", "members"), ("panels", "panel"), ("rounds", "round"),
                         ("questions", "form")):
        if key.startswith(prefix):
            return page
    return "summary"


def problem_place(key: str) -> str:
    """Where a problem's key points, in words: ``members[3].area`` → "Members, row 3, area"."""
    from PySide6.QtCore import QCoreApplication

    words = {"fund": N_("The fund"), "areas": N_("Areas"), "members": N_("Members"), "panels": N_("Panel"),
             "rounds": N_("First round"), "questions": N_("Questions"), "panellists": N_("panellist"),
             "criteria": N_("criterion"), "allotments": N_("allotment"), "settings": N_("settings")}
    parts = []
    for n, piece in enumerate(key.split(".")):
        m = re.match(r"^(\w+)\[(\d+)\]$", piece)
        name, row = (m[1], m[2]) if m else (piece, None)
        word = QCoreApplication.translate("NewFundWizard", words.get(name, name.replace("_", " ")))
        if row is not None:
            parts.append(f"{word}, " + QCoreApplication.translate("NewFundWizard", "row {n}").format(n=row)
                         if n == 0 else f"{word} {row}")
        else:
            parts.append(word)
    return ", ".join(parts)


class _Page(QWizardPage):
    """A wizard page with a notice line at its foot for what stops Next."""

    name = ""

    def __init__(self, title: str, subtitle: str):
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.body = QVBoxLayout(self)
        self.notice = Notice(f"{self.name}Notice")

    def finish_layout(self) -> None:
        self.body.addWidget(self.notice)

    @property
    def wiz(self) -> NewFundWizard:
        return self.wizard()  # type: ignore[return-value]

    def page_problems(self) -> list[tuple[str, str]]:
        """This page's problems, from the whole definition as far as it goes, checked as a file is."""
        problems: list[tuple[str, str]] = []
        try:
            table = self.wiz.definition_table()
        except ValidationError as exc:
            return [(exc.field or self.name, str(exc))]
        try:
            read_definition(table, source=self.tr("The new fund"))
        except DefinitionError as exc:
            problems = [(k, w) for k, w in exc.problems if _page_of_key(k) == self.name]
        return problems

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        self.notice.error("\n".join(f"{problem_place(k)}: {w}" for k, w in problems))

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        problems = self.page_problems()
        if problems:
            self.show_problems(problems)
            return False
        self.notice.clear_notice()
        return True


# --- 1. how the fund decides ----------------------------------------------------------------------------


class ModelPage(_Page):
    name = "model"

    def __init__(self):
        super().__init__(self.tr("How does this fund decide?"),
                         self.tr("This sets sensible defaults for the pages that follow; you can change any of them."))
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        choices = (
            ("officer", self.tr("&Officers decide"),
             self.tr("Council officers check each application against the rules and award it (small grants, "
                     "hardship and community funds).")),
            ("member", self.tr("&Elected members decide"),
             self.tr("Each councillor has a yearly pot for their ward or division and recommends awards from it; "
                     "an officer approves (People Helping People, members' locality funds).")),
            ("panel", self.tr("A &residents' panel decides"),
             self.tr("Local people on a panel score applications against weighted criteria and decide together "
                     "(participatory grant-making, such as Blackbird Leys).")),
        )
        for key, text, words in choices:
            button = QRadioButton(text)
            button.setObjectName(f"model_{key}")
            button.setAccessibleDescription(words)
            self.group.addButton(button)
            self.buttons[key] = button
            self.body.addWidget(button)
            line = quiet(QLabel(words))
            line.setContentsMargins(26, 0, 0, 12)
            self.body.addWidget(line)
        self.buttons["member"].setChecked(True)
        self.body.addStretch(1)
        self.finish_layout()

    def model(self) -> str:
        return next(k for k, b in self.buttons.items() if b.isChecked())

    def validatePage(self) -> bool:  # noqa: N802
        return True


# --- 2. the fund -----------------------------------------------------------------------------------------


class FundPage(_Page):
    name = "fund"

    def __init__(self):
        super().__init__(self.tr("The fund"), self.tr("Its name and code, the council, and how it is published."))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("fundName")
        self.name_edit.setPlaceholderText(self.tr("e.g. People Helping People"))
        self.code_edit = QLineEdit()
        self.code_edit.setObjectName("fundCode")
        self.code_edit.setMaxLength(12)
        self.code_edit.setMaximumWidth(160)
        self.code_edit.setPlaceholderText(self.tr("e.g. PHP"))
        self.code_edit.setToolTip(self.tr("2 to 12 capital letters or digits, starting with a letter; it begins "
                                          "every application's reference (PHP-2026-0001)."))
        self.council_edit = QLineEdit()
        self.council_edit.setObjectName("council")
        self.council_edit.setPlaceholderText(self.tr("e.g. Staffordshire County Council"))
        self.funder_edit = QLineEdit()
        self.funder_edit.setObjectName("funderOrgId")
        self.funder_edit.setPlaceholderText(self.tr("e.g. GB-LAE-STS (England), GB-PLA-… (Wales)"))
        self.funder_edit.setMaximumWidth(360)
        self.prefix_edit = QLineEdit()
        self.prefix_edit.setObjectName("prefix360g")
        self.prefix_edit.setMaximumWidth(360)
        self.min_edit = MoneyField(self.tr("Smallest grant"))
        self.min_edit.setObjectName("minAmount")
        self.max_edit = MoneyField(self.tr("Largest grant"))
        self.max_edit.setObjectName("maxAmount")
        self.description_edit = QPlainTextEdit()
        self.description_edit.setObjectName("description")
        self.description_edit.setTabChangesFocus(True)
        self.description_edit.setMaximumHeight(90)
        self.description_edit.setPlaceholderText(self.tr("What the fund pays for, as applicants and 360Giving read "
                                                         "it (optional)"))
        self.code_message = FieldMessage("codeMessage")
        self.funder_message = FieldMessage("funderMessage")
        self.prefix_message = FieldMessage("prefixMessage")
        self.amount_message = FieldMessage("amountMessage")
        self.funder_help = quiet(QLabel(self.tr(
            "The council's identifier from org-id.guide, as 360Giving files name the funder: GB-LAE-… for an English "
            "council, GB-PLA-… for a Welsh one, GB-LAS-… Scotland, GB-LANI-… Northern Ireland.")))

        labelled_row(form, self.tr("Fund n&ame:"), self.name_edit, self.tr("Fund name"))
        labelled_row(form, self.tr("Fund &code:"), self.code_edit, self.tr("Fund code"), self.code_message)
        labelled_row(form, self.tr("Co&uncil:"), self.council_edit, self.tr("Council"))
        labelled_row(form, self.tr("Funder &identifier:"), self.funder_edit, self.tr("Funder identifier"),
                     self.funder_message, self.funder_help)
        labelled_row(form, self.tr("&360Giving prefix:"), self.prefix_edit, self.tr("360Giving prefix"),
                     self.prefix_message)
        amounts = QWidget()
        line = QHBoxLayout(amounts)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.min_edit)
        largest = QLabel(self.tr("&largest:"))
        largest.setBuddy(self.max_edit)
        line.addWidget(largest)
        line.addWidget(self.max_edit)
        line.addStretch(1)
        labelled_row(form, self.tr("Smallest &grant:"), amounts, self.tr("Grant limits"), self.amount_message)
        self.min_edit.setAccessibleName(self.tr("Smallest grant"))
        self.max_edit.setAccessibleName(self.tr("Largest grant"))
        labelled_row(form, self.tr("&Description:"), self.description_edit, self.tr("Description"))
        self.body.addLayout(form)
        self.body.addStretch(1)
        self.finish_layout()
        self.code_edited = False
        self.name_edit.textChanged.connect(self._name_changed)
        self.code_edit.textEdited.connect(self._code_edited)
        self.council_edit.textChanged.connect(self._council_changed)
        for edit in (self.code_edit, self.funder_edit, self.prefix_edit, self.min_edit, self.max_edit,
                     self.council_edit):
            edit.textChanged.connect(self._check)

    def _name_changed(self, text: str) -> None:
        if not self.code_edited:
            self.code_edit.setText(fund_code_from(text))
        self.completeChanged.emit()

    def _code_edited(self, text: str) -> None:
        self.code_edited = bool(text)
        upper = text.upper()
        if upper != text:
            at = self.code_edit.cursorPosition()
            self.code_edit.setText(upper)
            self.code_edit.setCursorPosition(at)

    def _council_changed(self, text: str) -> None:
        self.prefix_edit.setPlaceholderText(self.tr("e.g. {example}").format(example=prefix_example(text)))
        self.completeChanged.emit()

    def fund_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {"code": self.code_edit.text().strip().upper(), "name": self.name_edit.text().strip(),
                                 "council": self.council_edit.text().strip()}
        for key, edit in (("funder_org_id", self.funder_edit), ("prefix_360g", self.prefix_edit),
                          ("min_amount", self.min_edit), ("max_amount", self.max_edit)):
            if edit.text().strip():
                table[key] = edit.text().strip()
        if self.description_edit.toPlainText().strip():
            table["description"] = self.description_edit.toPlainText().strip()
        return table

    def live_problems(self) -> dict[str, str]:
        """What is wrong as typed, by key, in the definition's own words."""
        table = self.fund_table()
        table.update(name=table["name"] or "x", council=table["council"] or "x")
        if not table["code"]:
            table.pop("code")
        try:
            read_definition({"fund": table})
        except DefinitionError as exc:
            found = {k: w for k, w in exc.problems if k != "fund.code" or table.get("code")}
        else:
            found = {}
        code = table.get("code", "")
        if code and self.wizard() is not None and code in self.wiz.existing_codes:
            found["fund.code"] = self.tr("This database already has a fund with code {code}; choose another.") \
                .format(code=code)
        return found

    def _check(self) -> None:
        found = self.live_problems()
        self.code_message.say(found.get("fund.code", ""))
        self.funder_message.say(found.get("fund.funder_org_id", ""))
        self.prefix_message.say(found.get("fund.prefix_360g", ""))
        self.amount_message.say(found.get("fund.min_amount", "") or found.get("fund.max_amount", ""))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        missing = [what for what, edit in ((self.tr("a name"), self.name_edit), (self.tr("a code"), self.code_edit),
                                           (self.tr("the council"), self.council_edit)) if not edit.text().strip()]
        found = self.live_problems()
        if missing:
            self.notice.show_text("note", self.tr("To go on, give the fund {what}.").format(what=", ".join(missing)))
        elif found:
            self.notice.show_text("note", self.tr("To go on, put right what is marked above."))
        elif self.notice.kind == "note":
            self.notice.clear_notice()
        return not missing and not found

    def validatePage(self) -> bool:  # noqa: N802
        found = self.live_problems()
        if found:
            self.show_problems(list(found.items()))
            return False
        return super().validatePage()


# --- 3. areas --------------------------------------------------------------------------------------------


class AreasPage(_Page):
    name = "areas"

    def __init__(self):
        super().__init__(self.tr("Areas"), self.tr(
            "The wards or divisions the fund covers. Paste a column copied from a spreadsheet, or type one a line; "
            "an ONS code after a tab or a comma is kept with its area."))
        self.editor = AreasEditor("division")
        self.body.addWidget(self.editor, 1)
        self.finish_layout()
        self.editor.changed.connect(self.completeChanged)
        self.editor.paste_edit.textChanged.connect(self.completeChanged)

    def initializePage(self) -> None:  # noqa: N802
        if not self.editor.areas() and self.wiz.defaults_for.get(self.name) != self.wiz.model():
            self.editor.set_kind("division" if self.wiz.model() == "member" else "ward")
            self.wiz.defaults_for[self.name] = self.wiz.model()

    def isComplete(self) -> bool:  # noqa: N802
        if self.wiz.model() != "member":
            return True
        if self.editor.areas() or self.editor.pasted():
            if self.notice.kind == "note":
                self.notice.clear_notice()
            return True
        self.notice.show_text("note", self.tr("A members' fund needs its wards or divisions: each member has one."))
        return False

    def validatePage(self) -> bool:  # noqa: N802
        if self.editor.pasted():
            self.editor.add_pasted()
        return super().validatePage()


# --- 4. members --------------------------------------------------------------------------------------------


class MembersPage(_Page):
    name = "members"

    def __init__(self):
        super().__init__(self.tr("Members and their pots"), self.tr(
            "A councillor for each ward or division, with their yearly allotment for the first round's financial "
            "year. Type into the table, or copy rows from a spreadsheet (name, area, party, e-mail, allotment)."))
        grid = QHBoxLayout()
        left = QVBoxLayout()
        self.table = MembersTable()
        self.default_edit = MoneyField(self.tr("Allotment for each member"), DEFAULT_ALLOTMENT, optional=False)
        self.default_edit.setObjectName("defaultAllotment")
        default_label = QLabel(self.tr("Allotment for each &member:"))
        default_label.setBuddy(self.default_edit)
        self.apply_all_button = action_button(self.tr("Give it to &all"), None, self.apply_to_all, "applyAllotment",
                                              auto_default=False)
        top = QHBoxLayout()
        top.addWidget(default_label)
        top.addWidget(self.default_edit)
        top.addWidget(self.apply_all_button)
        top.addStretch(1)
        left.addLayout(top)
        self.fill_button = action_button(self.tr("&One member per area"), None, self.one_per_area, "onePerArea",
                                         auto_default=False)
        self.paste_button = action_button(self.tr("&Paste from spreadsheet"), None, self.paste, "pasteMembers",
                                          auto_default=False)
        self.add_button = action_button(self.tr("Add a ro&w"), None, self.add_member, "addMember", auto_default=False)
        self.remove_button = action_button(self.tr("&Remove selected"), None, self.table.remove_selected,
                                           "removeMembers", auto_default=False)
        left.addLayout(table_buttons(self.fill_button, self.paste_button, self.add_button, self.remove_button))
        left.addWidget(self.table, 1)
        self.total_label = quiet(QLabel())
        self.total_label.setObjectName("membersTotal")
        left.addWidget(self.total_label)
        grid.addLayout(left, 1)
        self.body.addLayout(grid, 1)
        box = QGroupBox(self.tr("The members' year"))
        inner = QVBoxLayout(box)
        self.year_form = MemberYearForm(with_match=False, in_a_row=True)
        inner.addWidget(self.year_form)
        self.body.addWidget(box)
        self.finish_layout()
        self.table.edited.connect(self._update)
        self.default_edit.textChanged.connect(self._update)

    def initializePage(self) -> None:  # noqa: N802
        self.table.set_areas([a["name"] for a in self.wiz.areas_page.editor.areas()])
        self._update()

    def default_allotment(self) -> str:
        return self.default_edit.text().strip()

    def apply_to_all(self) -> None:
        for row in range(self.table.rowCount()):
            self.table.set_value(row, "allotment", self.default_allotment())

    def one_per_area(self) -> int:
        """A row for each area without a member yet, with the default allotment; names are typed in."""
        taken = {r["area"] for r in self.table.all_rows() if r["area"]}
        added = 0
        for area in (a["name"] for a in self.wiz.areas_page.editor.areas()):
            if area not in taken:
                self.table.add_row({"area": area, "allotment": self.default_allotment()})
                added += 1
        if added:
            self.table.setCurrentCell(self.table.rowCount() - added, 0)
            self.table.setFocus()
        self.notice.show_text("note", self.tr("Added {n} rows: type each member's name in the first column.")
                              .format(n=added) if added else self.tr("Every area has a member already."))
        return added

    def paste(self) -> int:
        from PySide6.QtWidgets import QApplication

        text = QApplication.clipboard().text()
        if not text.strip():
            self.notice.error(self.tr("Nothing to paste: copy the rows in your spreadsheet first (name, area, party, "
                                      "e-mail, allotment), then press Paste from spreadsheet."))
            return 0
        start = self.table.rowCount()
        # an empty row left by "Add a row" is filled first
        while start > 0 and not any(v for k, v in self.table.all_rows()[start - 1].items() if k != "allotment"):
            start -= 1
        n = self.table.paste_text(text, at=start)
        for row in range(start, self.table.rowCount()):
            if not self.table.value(row, "allotment"):
                self.table.set_value(row, "allotment", self.default_allotment())
        self.notice.show_text("ok", self.tr("Pasted {n} members.").format(n=n))
        return n

    def add_member(self) -> None:
        row = self.table.add_row({"allotment": self.default_allotment()})
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()

    def members(self, year: int) -> list[dict[str, Any]]:
        out = []
        for r in self.table.rows():
            m: dict[str, Any] = {"name": r["name"]}
            for key in ("area", "party", "email"):
                if r[key]:
                    m[key] = r[key]
            if r["allotment"]:
                m["allotments"] = [{"year": year, "amount": r["allotment"]}]
            out.append(m)
        return out

    def total_pence(self) -> int | None:
        total = 0
        for r in self.table.rows():
            if r["allotment"]:
                try:
                    total += parse_money(r["allotment"])
                except ValidationError:
                    return None
        return total

    def _update(self) -> None:
        rows = self.table.rows()
        total = self.total_pence()
        self.total_label.setText(self.tr("{n} members; {total} in all.").format(
            n=len(rows), total=format_money(total) if total is not None else "?"))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.table.rows())

    def validatePage(self) -> bool:  # noqa: N802
        missing = [str(n + 1) for n, r in enumerate(self.table.all_rows())
                   if not r["name"] and (r["area"] or r["party"] or r["email"])]
        if missing:
            self.notice.error(self.tr("Give a name in row {rows}, or remove the row.").format(rows=", ".join(missing)))
            return False
        return super().validatePage()


# --- 4b. the panel ----------------------------------------------------------------------------------------------


class PanelPage(_Page):
    name = "panel"

    def __init__(self):
        super().__init__(self.tr("The panel"), self.tr(
            "Who sits on the panel and the criteria they score against. A criterion's weight says how much it counts: "
            "with weights 3, 2 and 1 the first counts three times the last."))
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("panelName")
        labelled_row(form, self.tr("Panel's na&me:"), self.name_edit, self.tr("Panel's name"))
        self.body.addLayout(form)
        self.tables = PanelTables(self.paste)
        for name in PanelTables.FIELDS:  # the tables and their buttons by the page's own names
            setattr(self, name, getattr(self.tables, name))
        self.body.addWidget(self.tables, 1)
        self.finish_layout()
        self.criteria.set_defaults()
        self.criteria.edited.connect(self.completeChanged)
        self.name_edit.textChanged.connect(self.completeChanged)

    def initializePage(self) -> None:  # noqa: N802
        fund_name = self.wiz.fund_page.name_edit.text().strip()
        if not self.name_edit.text().strip() or self.name_edit.text() == getattr(self, "_made_name", None):
            self._made_name = self.tr("{fund} panel").format(fund=fund_name)
            self.name_edit.setText(self._made_name)
        self.panellists.set_areas([a["name"] for a in self.wiz.areas_page.editor.areas()])

    def paste(self) -> int:
        try:
            n = self.tables.paste()
        except ValidationError as exc:
            self.notice.error(str(exc))
            return 0
        self.notice.show_text("ok", self.tr("Pasted {n} panellists.").format(n=n))
        return n

    def panel(self, round_key: str) -> dict[str, Any]:
        return {"name": self.name_edit.text().strip(), "round": round_key,
                "panellists": [{k: v for k, v in r.items() if v} for r in self.panellists.rows()],
                "criteria": [{k: v for k, v in r.items() if v != ""} for r in self.criteria.rows()]}

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.name_edit.text().strip() and self.criteria.rows())


# --- 5. the first round -----------------------------------------------------------------------------------------


class RoundPage(_Page):
    name = "round"

    def __init__(self):
        super().__init__(self.tr("The first round"), self.tr(
            "When applications can come in, when they are decided, and the money. “{fy}” in the name is written as "
            "the financial year (2026–27)."))
        self.form = RoundForm()
        for name in RoundForm.FIELDS:  # the form's fields by the page's own names
            setattr(self, name, getattr(self.form, name))
        self.title_label = quiet(QLabel())
        self.title_label.setObjectName("roundTitle")
        self.date_message = FieldMessage("dateMessage")
        self.budget_note = quiet(QLabel())
        self.form.add_note(self.name_edit, self.title_label)
        self.form.add_note(self.spend_edit, self.date_message)
        self.form.add_note(self.budget_edit, self.budget_note)
        self.body.addWidget(self.form)
        self.body.addStretch(1)
        self.finish_layout()
        self.edited: set[str] = set()
        for key, edit in self.form.edits.items():
            edit.textEdited.connect(lambda _t, key=key: self.edited.add(key))
            edit.textChanged.connect(self._check)
        self.year_spin.valueChanged.connect(self._year_changed)

    def _year_changed(self, _year: int) -> None:
        self.edited.add("year")
        self.fill_defaults()
        self._check()

    def initializePage(self) -> None:  # noqa: N802
        wiz = self.wiz
        if "year" not in self.edited:
            self.year_spin.blockSignals(True)
            self.year_spin.setValue(wiz.suggested_year())
            self.year_spin.blockSignals(False)
            self.form.show_year()
        self.fill_defaults()
        self._check()

    def fill_defaults(self) -> None:
        """Dates and money follow the fund's model and year until they are typed over."""
        wiz, fy = self.wiz, self.year_spin.value()
        model = wiz.model()
        start = date(fy, 4, 1)
        year_form = wiz.members_page.year_form
        if model == "member":  # a members' fund takes applications all through the financial year
            opens = start
            closes = year_form.apply_by.in_year(fy)
            spend: date | None = year_form.spend_by.in_year(fy)
            decision = None
        else:
            opens = max(start, wiz.today)
            closes = opens + timedelta(weeks=8)
            decision = closes + timedelta(weeks=5)
            spend = date(fy + 1, 3, 31) if model == "officer" else date(fy + 1, 6, 30)
        defaults = {"name": f"{wiz.fund_page.name_edit.text().strip()} {{fy}}", "opens": opens, "closes": closes,
                    "decision": decision, "spend": spend}
        for key in ("opens", "closes", "decision", "spend"):
            if key not in self.edited:
                self.form.edits[key].set_value(defaults[key])
        if "name" not in self.edited:
            self.name_edit.setText(defaults["name"])
        if model == "member":
            total = wiz.members_page.total_pence()
            if "budget" not in self.edited and total:
                self.budget_edit.set_value(total)
            self.budget_note.setText(self.tr("The members' allotments add up to {total}.").format(
                total=format_money(total or 0)))
        else:
            self.budget_note.setText(self.tr("What the round can award in all (optional)."))

    def _check(self) -> None:
        title = self.form.title()
        self.title_label.setText(self.tr("Applicants will see: {title}").format(title=title) if title else "")
        try:
            self.form.dates()
        except ValidationError as exc:
            self.date_message.say(str(exc))
        else:
            self.date_message.say("")
        self.completeChanged.emit()

    def round_table(self) -> dict[str, Any]:
        table: dict[str, Any] = {"key": "round1", "name": self.name_edit.text().strip(),
                                 "financial_year": self.year_spin.value()}
        table.update({k: v for k, v in self.form.dates().items() if v is not None})
        if self.budget_edit.text().strip():
            table["budget"] = self.budget_edit.text().strip()
        return table

    def isComplete(self) -> bool:  # noqa: N802
        try:
            self.form.dates()
        except ValidationError:
            return False
        return bool(self.name_edit.text().strip())


# --- 6. the form and who can apply -------------------------------------------------------------------------------


class FormPage(_Page):
    name = "form"

    def __init__(self):
        super().__init__(self.tr("The form and who can apply"), self.tr(
            "The fund's own questions, asked besides the usual ones (organisation, project, amount), and the "
            "eligibility rules every application is checked against."))
        self.questions = QuestionsTable()
        questions_label = QLabel(self.tr("&Questions:"))
        questions_label.setBuddy(self.questions)
        self.add_button = action_button(self.tr("&Add a question"), None, self.add_question, "addQuestion",
                                        auto_default=False)
        self.remove_button = action_button(self.tr("&Remove selected"), None, self.questions.remove_selected,
                                           "removeQuestions", auto_default=False)
        self.body.addWidget(questions_label)
        self.body.addLayout(table_buttons(self.add_button, self.remove_button))
        self.body.addWidget(self.questions, 2)
        self.eligibility = EligibilityForm()
        self.body.addWidget(self.eligibility, 3)
        self.finish_layout()

    def initializePage(self) -> None:  # noqa: N802
        model = self.wiz.model()
        if self.wiz.defaults_for.get(self.name) == model:
            return
        self.wiz.defaults_for[self.name] = model
        if not self.questions.rows():
            if model == "member":
                self.questions.add_question(self.tr("Have you spoken to your councillor about this project?"), "yesno")
            self.questions.add_question(self.tr("About how many people will take part?"), "number")
        if not self.eligibility.org_types.checked():
            self.eligibility.org_types.set_checked([k for k, _ in _org_types() if k != "individual"])

    def add_question(self) -> None:
        row = self.questions.add_question()
        self.questions.setCurrentCell(row, 0)
        self.questions.setFocus()


def _org_types() -> list[tuple[str, str]]:
    from ui.fund_forms import org_type_choices

    return org_type_choices()


# --- 7. letters, themes, monitoring, Welsh ----------------------------------------------------------------------


class LettersPage(_Page):
    name = "letters"

    def __init__(self):
        super().__init__(self.tr("Letters, themes and monitoring"), self.tr(
            "Who signs the letters and what their letterhead says; the fund's themes; what grantees report by the "
            "size of their grant; and whether the Welsh Language Standards apply."))
        columns = QGridLayout()
        self.letters = LettersForm()
        letters_box = QGroupBox(self.tr("Letters"))
        QVBoxLayout(letters_box).addWidget(self.letters)
        self.other = WelshAndThemesForm()
        other_box = QGroupBox(self.tr("Themes and Welsh"))
        QVBoxLayout(other_box).addWidget(self.other)
        self.monitoring = MonitoringEditor()
        monitoring_box = QGroupBox(self.tr("Monitoring by grant size"))
        QVBoxLayout(monitoring_box).addWidget(self.monitoring)
        columns.addWidget(letters_box, 0, 0, 2, 1)
        columns.addWidget(other_box, 0, 1)
        columns.addWidget(monitoring_box, 1, 1)
        columns.setColumnStretch(0, 2)
        columns.setColumnStretch(1, 3)
        columns.setRowStretch(1, 1)
        self.body.addLayout(columns, 1)
        self.finish_layout()

    def initializePage(self) -> None:  # noqa: N802
        council = self.wiz.fund_page.council_edit.text().strip()
        if not self.letters.council_en.text().strip() or self.letters.council_en.text() == getattr(self, "_made", ""):
            self._made = council
            self.letters.council_en.setText(council)

    def settings(self) -> dict[str, Any]:
        out = {k: v for k, v in letters_changes(self.letters.letters()).items() if v}
        out.update({k: v for k, v in self.other.settings().items() if v is not None})
        try:
            bands = self.monitoring.value()
        except ValidationError as exc:
            raise ValidationError(str(exc), "fund.settings.monitoring") from None
        if bands:
            out["monitoring"] = bands
        return out


# --- 8. summary --------------------------------------------------------------------------------------------------


class SummaryPage(_Page):
    name = "summary"

    def __init__(self):
        super().__init__(self.tr("Make the fund"), self.tr(
            "This is what will be made. Press Finish to make it all at once; nothing is written until then."))
        self.text = QTextBrowser()
        self.text.setObjectName("summaryText")
        self.text.setAccessibleName(self.tr("What will be made"))
        self.text.setOpenLinks(False)
        self.body.addWidget(self.text, 1)
        self.finish_layout()
        self.notice.setObjectName("summaryNotice")

    def initializePage(self) -> None:  # noqa: N802
        self.notice.clear_notice()
        self.text.setHtml(self.wiz.summary_html())

    def validatePage(self) -> bool:  # noqa: N802
        return True


# --- the wizard -------------------------------------------------------------------------------------------------


class NewFundWizard(QWizard):
    """Make a fund from nothing. ``created`` carries the service's ``FundCreated`` once Finish has made it."""

    created = Signal(object)
    refused = Signal(str)
    ready = Signal()
    MODEL, FUND, AREAS, MEMBERS, PANEL, ROUND, FORM, LETTERS, SUMMARY = range(9)

    def __init__(self, db: Any, runner: Any, parent: QWidget | None = None, *, today: date | None = None):
        super().__init__(parent)
        self.db, self.runner = db, runner
        self.today = today or date.today()
        self.existing_codes: set[str] = set()
        self.defaults_for: dict[str, str] = {}
        self.result_created: Any = None
        self.creating = False
        self.setObjectName("newFundWizard")
        self.setWindowTitle(self.tr("New fund"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< &Back"))
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Next >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("&Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("Cancel"))
        self.model_page = ModelPage()
        self.fund_page = FundPage()
        self.areas_page = AreasPage()
        self.members_page = MembersPage()
        self.panel_page = PanelPage()
        self.round_page = RoundPage()
        self.form_page = FormPage()
        self.letters_page = LettersPage()
        self.summary_page = SummaryPage()
        for page_id, page in enumerate((self.model_page, self.fund_page, self.areas_page, self.members_page,
                                        self.panel_page, self.round_page, self.form_page, self.letters_page,
                                        self.summary_page)):
            self.setPage(page_id, page)
        self.steps = QLabel()
        self.steps.setObjectName("wizardSteps")
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.steps.setMinimumWidth(170)
        self.steps.setContentsMargins(4, 8, 12, 8)
        self.setSideWidget(self.steps)
        self.currentIdChanged.connect(self._show_steps)
        self.model_page.group.buttonToggled.connect(lambda *_: self._show_steps(self.currentId()))
        self._show_steps(self.MODEL)
        self.resize(1180, 760)

    # --- reading what is known ------------------------------------------------------------------------
    def start(self) -> None:
        """Read the codes funds already use (a new fund cannot take one)."""
        def codes(db) -> list[Any]:
            from grantdesk.services.overview import list_funds

            return list_funds(db)

        Query(self, codes, db=self.db, runner=self.runner).success(self._on_funds).run()

    def _on_funds(self, funds: list[Any]) -> None:
        self.existing_codes = {f.code for f in funds}
        councils = {(f.council, f.funder_org_id or "", f.prefix_360g or "") for f in funds}
        page = self.fund_page
        if len(councils) == 1 and not page.council_edit.text():  # another fund of the same council
            council, funder, prefix = councils.pop()
            page.council_edit.setText(council)
            page.funder_edit.setText(funder)
            page.prefix_edit.setText(prefix)
        page._check()
        self.ready.emit()

    def model(self) -> str:
        return self.model_page.model()

    def suggested_year(self) -> int:
        """This financial year, or the next once this year's apply-by day has passed (members' funds)."""
        fy = financial_year_of(self.today)
        if self.model() == "member" and self.members_page.year_form.apply_by.in_year(fy) < self.today:
            return fy + 1
        if self.model() != "member" and self.today.month in (1, 2, 3):
            return fy + 1
        return fy

    def nextId(self) -> int:  # noqa: N802
        current = self.currentId()
        if current == self.AREAS:
            return {"member": self.MEMBERS, "panel": self.PANEL}.get(self.model(), self.ROUND)
        if current in (self.MEMBERS, self.PANEL):
            return self.ROUND
        if current == self.SUMMARY:
            return -1
        return current + 1

    def round_visited(self) -> bool:
        return self.ROUND in self.visitedIds()

    def step_pages(self) -> list[tuple[int, str]]:
        model = self.model()
        pages = [(self.MODEL, self.tr("How it decides")), (self.FUND, self.tr("The fund")),
                 (self.AREAS, self.tr("Areas"))]
        if model == "member":
            pages.append((self.MEMBERS, self.tr("Members")))
        elif model == "panel":
            pages.append((self.PANEL, self.tr("The panel")))
        pages += [(self.ROUND, self.tr("First round")), (self.FORM, self.tr("Form and rules")),
                  (self.LETTERS, self.tr("Letters")), (self.SUMMARY, self.tr("Make it"))]
        return pages

    def _show_steps(self, current: int) -> None:
        lines = []
        for n, (page_id, words) in enumerate(self.step_pages(), start=1):
            text = f"{n}. {escape(words)}"
            lines.append(f"<p style='margin:6px 0'><b>{text}</b></p>" if page_id == current
                         else f"<p style='margin:6px 0'>{text}</p>")
        self.steps.setText("".join(lines))

    # --- the definition -----------------------------------------------------------------------------------------
    def definition_table(self) -> dict[str, Any]:
        """Everything entered so far as a fund definition table (the shape of a definition file). A date
        that cannot be read raises ``ValidationError``."""
        model = self.model()
        fund = self.fund_page.fund_table()
        fund["decision_model"] = model
        settings: dict[str, Any] = {}
        if model == "member":
            settings.update({k: v for k, v in self.members_page.year_form.settings().items() if v is not None})
        settings.update({k: v for k, v in self.form_page.eligibility.settings().items() if v is not None})
        settings.update(self.letters_page.settings())
        if settings:
            fund["settings"] = settings
        if self.letters_page.letters.bilingual():
            fund["bilingual_letters"] = True
        table: dict[str, Any] = {"fund": fund}
        areas = self.areas_page.editor.areas()
        if areas:
            table["areas"] = [{k: v for k, v in a.items() if v} for a in areas]
        if self.round_visited():
            table["rounds"] = [self.round_page.round_table()]
            year = table["rounds"][0]["financial_year"]
        else:
            year = self.suggested_year()
        if model == "member":
            table["members"] = self.members_page.members(year)
        elif model == "panel":
            table["panels"] = [self.panel_page.panel("round1" if "rounds" in table else "")]
            if not table["panels"][0]["round"]:
                del table["panels"][0]["round"]
        questions = self.form_page.questions.questions()
        if questions:
            table["questions"] = questions
        return table

    def summary_html(self) -> str:
        try:
            d = read_definition(self.definition_table(), source=self.tr("The new fund"))
        except (DefinitionError, ValidationError) as exc:
            return f"<p>{escape(str(exc))}</p>"
        f = d.fund
        typed = settings_of(f.settings)
        models = {"officer": self.tr("decided by officers"), "member": self.tr("decided by elected members"),
                  "panel": self.tr("decided by a residents' panel")}
        items = [self.tr("<b>{name}</b> ({code}), {council}, {model}.").format(
            name=escape(f.name), code=escape(f.code), council=escape(f.council), model=models.get(f.decision_model, ""))]
        ids = [x for x in (f.funder_org_id and self.tr("funder {id}").format(id=escape(f.funder_org_id)),
                           f.prefix_360g and self.tr("360Giving prefix {p}").format(p=escape(f.prefix_360g))) if x]
        if ids:
            joined = ", ".join(ids)
            items.append(joined[:1].upper() + joined[1:] + ".")
        if f.min_amount_pence is not None or f.max_amount_pence is not None:
            items.append(self.tr("Grants from {low} to {high}.").format(
                low=format_money(f.min_amount_pence or 0),
                high=format_money(f.max_amount_pence) if f.max_amount_pence is not None else self.tr("any amount")))
        kind = d.areas[0].kind if d.areas else "other"
        kinds = self.tr(AREA_KIND_PLURALS.get(kind, "Areas"))
        kinds = kinds[:1].lower() + kinds[1:]
        items.append(self.tr("{n} {kinds}: {names}.").format(n=len(d.areas), kinds=escape(kinds),
                                                              names=escape(", ".join(a.name for a in d.areas)))
                     if d.areas else self.tr("No areas."))
        coded = sum(1 for a in d.areas if a.ons_code)
        if coded:
            items.append(self.tr("{n} of them with ONS codes.").format(n=coded))
        r = d.rounds[0] if d.rounds else None
        if d.members:
            amounts = sorted({a.amount_pence for m in d.members for a in m.allotments})
            year = financial_year_label(r.financial_year) if r else ""
            total = sum(a.amount_pence for m in d.members for a in m.allotments)
            each = (self.tr("with {amount} each").format(amount=format_money(amounts[0])) if len(amounts) == 1
                    else self.tr("with allotments from {low} to {high}").format(
                        low=format_money(amounts[0]), high=format_money(amounts[-1])) if amounts
                    else self.tr("with no allotments yet"))
            items.append(self.tr("{n} members {each} in {year} ({total} in all): {names}.").format(
                n=len(d.members), each=each, year=year, total=format_money(total),
                names=escape("; ".join(f"{m.name} ({m.area})" if m.area else m.name for m in d.members))))
            items.append(self.tr("Apply by {apply}, spend by {spend} each year; unspent money {mode}.").format(
                apply=_month_day_words(typed.apply_by_month_day), spend=_month_day_words(typed.spend_by_month_day),
                mode=self.tr("rolls over") if typed.unspent_at_year_end == "roll_over" else self.tr("lapses")))
        for p in d.panels:
            items.append(self.tr("{name}: {n} panellists; criteria {criteria}.").format(
                name=escape(p.name), n=len(p.panellists),
                criteria=escape("; ".join(self.tr("{name} (weight {weight}, scored {low}–{high})").format(
                    name=c.name, weight=c.weight, low=c.low, high=c.high) for c in p.criteria))))
        if r:
            when = self.tr("open {opens} to {closes}").format(opens=f"{r.opens_on:%d/%m/%Y}",
                                                             closes=f"{r.closes_on:%d/%m/%Y}")
            if r.decision_on:
                when += self.tr(", decided by {d}").format(d=f"{r.decision_on:%d/%m/%Y}")
            if r.spend_by:
                when += self.tr(", spend by {d}").format(d=f"{r.spend_by:%d/%m/%Y}")
            budget = self.tr(", budget {b}").format(b=format_money(r.budget_pence)) if r.budget_pence is not None else ""
            items.append(self.tr("First round: <b>{name}</b>, {when}{budget}.").format(
                name=escape(r.title), when=when, budget=budget))
        items.append(self.tr("{n} questions on the form").format(n=len(d.questions))
                     + ("".join(f"<br>&nbsp;&nbsp;– {escape(q.label)}" for q in d.questions) if d.questions else "."))
        kinds = typed.allowed_org_types
        items.append(self.tr("{n} kinds of organisation can apply.").format(n=len(kinds)) if kinds
                     else self.tr("Any kind of organisation can apply."))
        if typed.required_attachments:
            items.append(self.tr("Every application needs: {docs}.").format(
                docs=escape(", ".join(core_text(ATTACHMENT_KINDS[k]).lower() if k in ATTACHMENT_KINDS else k
                                      for k in typed.required_attachments))))
        signer = typed.signatory
        if signer:
            items.append(self.tr("Letters signed by {name}{role}.").format(
                name=escape(signer.get("name", "")), role=escape(", " + signer["role"]) if signer.get("role") else ""))
        else:
            items.append(self.tr("No one signs the letters yet (Fund Settings ▸ Letters)."))
        if f.bilingual_letters:
            items.append(self.tr("Letters in Welsh and English."))
        if typed.welsh_language_standards:
            items.append(self.tr("The Welsh Language Standards apply."))
        if typed.themes:
            items.append(self.tr("Themes: {themes}.").format(themes=escape(", ".join(typed.themes))))
        items.append(self.tr("Monitoring: the fund's own bands.") if typed.monitoring
                     else self.tr("Monitoring: the standard bands."))
        return "<ul>" + "".join(f"<li style='margin-bottom:4px'>{i}</li>" for i in items) + "</ul>"

    # --- Finish: one Op --------------------------------------------------------------------------------------------
    def accept(self) -> None:
        if self.result_created is not None:
            super().accept()
            return
        if self.creating:
            return
        try:
            table = self.definition_table()
        except ValidationError as exc:
            self.show_refusal(str(exc))
            return
        self.creating = True
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)

        source = self.tr("The new fund")

        def work(db):
            from grantdesk.services.fund_setup import create_fund

            return create_fund(db, read_definition(table, source=source))

        def done() -> None:
            self.creating = False
            self.button(QWizard.WizardButton.FinishButton).setEnabled(True)

        Op(self, work, db=self.db, runner=self.runner).success(self._created).failure(self._refused) \
            .finally_(done).with_progress(self.tr("Making the fund")).run()

    def _created(self, result: Any) -> None:
        self.result_created = result
        self.created.emit(result)
        super().accept()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, DefinitionError):
            lines = [self.tr("Nothing was made. Put these right, then press Finish again:")]
            lines += [f"• {problem_place(k)} ({k}): {w}" for k, w in error.problems]
            text = "\n".join(lines)
        else:
            text = self.tr("Nothing was made: {reason}").format(reason=refusal_text(error))
        self.show_refusal(text)

    def show_refusal(self, text: str) -> None:
        self.summary_page.notice.error(text)
        self.refused.emit(text)


def _month_day_words(value: str) -> str:
    from PySide6.QtCore import QCoreApplication

    from ui.fund_forms import CONTEXT, MONTHS

    month, day = int(value[:2]), int(value[3:])
    return f"{day} {QCoreApplication.translate(CONTEXT, MONTHS[month - 1])}"


def open_new_fund_wizard(parent: Any) -> NewFundWizard:
    """File ▸ New Fund…: the wizard over ``parent`` (the main window, with its ``db`` and ``runner``), shown."""
    wizard = NewFundWizard(parent.db, parent.runner, parent if isinstance(parent, QWidget) else None)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.start()
    wizard.show()
    wizard.raise_()
    return wizard
