"""The New Fund wizard from an empty database, driven through its widgets: Staffordshire's People Helping
People (a members' fund: divisions pasted, a councillor per division with £2,500, apply by 31 October and
spend by 20 March) and Oxford's Blackbird Leys panel fund (seven panellists, criteria weighted 3, 2, 1),
each checked afterwards through the services; a wrong funder identifier or a code already taken blocks
Next with the reason; a refusal at Finish is shown on the summary page, problem by problem, and nothing
is written."""

from datetime import date

import pytest
from fund_setup_ui_helpers import (
    COUNCILLORS,
    PANELLISTS,
    STAFFORDSHIRE_DIVISIONS,
    TIMEOUT,
    click,
    copy,
    edit_cell,
    mnemonics,
    next_page,
    open_wizard,
    paste_into,
    set_month_day,
    type_over,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget, QWidget, QWizard

from grantdesk.domain.changes import Kind
from grantdesk.domain.fund_definition import read_definition
from grantdesk.domain.fund_settings import settings_of
from grantdesk.services.fund_setup import create_fund, fund_setup
from grantdesk.services.overview import list_funds
from ui.fund_parts import parse_area_lines
from ui.fund_wizard import NewFundWizard, open_new_fund_wizard

TODAY = date(2026, 5, 1)  # the wizard's "today": financial year 2026–27


def fill_fund(qtbot, wizard, name, council, funder="", prefix="", code=None):
    page = wizard.fund_page
    qtbot.keyClicks(page.name_edit, name)
    if code is not None:
        type_over(qtbot, page.code_edit, code)
    qtbot.keyClicks(page.council_edit, council)
    if funder:
        qtbot.keyClicks(page.funder_edit, funder)
    if prefix:
        qtbot.keyClicks(page.prefix_edit, prefix)


def staffordshire_to_summary(qtbot, wizard):
    """People Helping People, from the first page to the summary, through the widgets."""
    assert wizard.currentId() == NewFundWizard.MODEL
    click(qtbot, wizard.model_page.buttons["member"])
    next_page(qtbot, wizard)

    fill_fund(qtbot, wizard, "People Helping People", "Staffordshire County Council", "GB-LAE-STS",
              "360G-staffordshirecc")
    assert wizard.fund_page.code_edit.text() == "PHP"  # suggested from the name
    assert next_page(qtbot, wizard) == NewFundWizard.AREAS

    editor = wizard.areas_page.editor
    assert editor.kind() == "division"  # a members' fund: divisions
    paste_into(qtbot, editor.paste_edit, "\n".join(STAFFORDSHIRE_DIVISIONS) + "\n")
    click(qtbot, editor.add_button)
    assert [r["name"] for r in editor.table.rows()] == list(STAFFORDSHIRE_DIVISIONS)
    assert next_page(qtbot, wizard) == NewFundWizard.MEMBERS

    members = wizard.members_page
    assert members.default_edit.text() == "£2,500.00"
    click(qtbot, members.fill_button)
    assert [members.table.value(r, "area") for r in range(members.table.rowCount())] == list(STAFFORDSHIRE_DIVISIONS)
    for row, name in enumerate(COUNCILLORS):
        edit_cell(qtbot, members.table, row, 0, name)
    edit_cell(qtbot, members.table, 0, 2, "Labour")
    assert members.total_label.text() == "5 members; £12,500.00 in all."
    set_month_day(qtbot, members.year_form.apply_by, 31, "October")
    set_month_day(qtbot, members.year_form.spend_by, 20, "March")
    assert next_page(qtbot, wizard) == NewFundWizard.ROUND

    rnd = wizard.round_page
    assert rnd.year_spin.value() == 2026
    assert rnd.title_label.text() == "Applicants will see: People Helping People 2026–27"
    assert (rnd.opens_edit.text(), rnd.closes_edit.text(), rnd.spend_edit.text()) == (
        "01/04/2026", "31/10/2026", "20/03/2027")  # from the members' year
    assert rnd.budget_edit.text() == "£12,500.00"  # the allotments added up
    assert next_page(qtbot, wizard) == NewFundWizard.FORM

    form = wizard.form_page
    assert form.questions.rows()[0]["label"] == "Have you spoken to your councillor about this project?"
    docs = form.eligibility.attachments
    docs.setFocus()
    docs.setCurrentRow(0)  # Constitution or governing document
    qtbot.keyClick(docs, Qt.Key.Key_Space)
    assert docs.checked() == ["constitution"]
    assert "individual" not in form.eligibility.org_types.checked()
    assert next_page(qtbot, wizard) == NewFundWizard.LETTERS

    letters = wizard.letters_page.letters
    qtbot.keyClicks(letters.signatory_name, "Rachel Bateman")
    qtbot.keyClicks(letters.signatory_role, "Community Grants Officer")
    qtbot.keyClicks(letters.address, "Staffordshire Place 1")
    assert letters.council_en.text() == "Staffordshire County Council"
    qtbot.keyClicks(wizard.letters_page.other.themes, "health and wellbeing, children and families")
    assert next_page(qtbot, wizard) == NewFundWizard.SUMMARY


def test_staffordshire_people_helping_people_is_set_up_in_the_wizard(qtbot, db, runner):
    assert list_funds(db) == []  # an empty database
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    broadcasts = []
    runner.changed.connect(lambda changes, _who: broadcasts.append(changes))
    staffordshire_to_summary(qtbot, wizard)

    summary = wizard.summary_page.text.toPlainText()
    assert "People Helping People (PHP), Staffordshire County Council, decided by elected members." in summary
    assert "5 divisions: Stafford Central, Stafford North, Eccleshall, Stone Urban, Cannock Villages." in summary
    assert "5 members with £2,500.00 each in 2026–27 (£12,500.00 in all)" in summary
    assert "Apply by 31 October, spend by 20 March each year" in summary
    assert list_funds(db) == []  # nothing is written before Finish

    with qtbot.waitSignal(wizard.created, timeout=TIMEOUT) as made:
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert made.args[0].fund_code == "PHP"
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=TIMEOUT)
    assert broadcasts and broadcasts[-1].kinds >= {Kind.FUNDS, Kind.MEMBERS} and broadcasts[-1].commits == 1

    setup = fund_setup(db, "PHP")
    fund = setup.definition.fund
    assert (fund.name, fund.council, fund.decision_model, fund.funder_org_id, fund.prefix_360g) == (
        "People Helping People", "Staffordshire County Council", "member", "GB-LAE-STS", "360G-staffordshirecc")
    assert [(a.spec.name, a.spec.kind) for a in setup.areas] == sorted(
        (name, "division") for name in STAFFORDSHIRE_DIVISIONS)
    members = {m.spec.name: m.spec for m in setup.members}
    assert set(members) == set(COUNCILLORS)
    for name, division in zip(COUNCILLORS, STAFFORDSHIRE_DIVISIONS, strict=True):
        assert members[name].area == division
        assert [(a.year, a.amount_pence) for a in members[name].allotments] == [(2026, 250_000)]
    assert members["Cllr Anita Bhogal"].party == "Labour"
    typed = settings_of(fund.settings)
    assert (typed.apply_by_month_day, typed.spend_by_month_day, typed.unspent_at_year_end) == ("10-31", "03-20",
                                                                                                  "lapse")
    assert typed.required_attachments == ("constitution",)
    assert typed.themes == ("health and wellbeing", "children and families")
    assert typed.signatory == {"name": "Rachel Bateman", "role": "Community Grants Officer"}
    assert typed.letterhead["address"] == ["Staffordshire Place 1"]
    [rnd] = setup.rounds
    assert (rnd.spec.title, rnd.spec.opens_on, rnd.spec.closes_on, rnd.spec.spend_by, rnd.spec.budget_pence) == (
        "People Helping People 2026–27", date(2026, 4, 1), date(2026, 10, 31), date(2027, 3, 20), 1_250_000)
    assert [q.key for q in setup.definition.questions] == ["spoken_councillor_project", "people_take_part"]


def test_blackbird_leys_panel_fund_is_set_up_with_seven_panellists_and_weighted_criteria(qtbot, db, runner):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    click(qtbot, wizard.model_page.buttons["panel"])
    next_page(qtbot, wizard)
    fill_fund(qtbot, wizard, "Blackbird Leys Community Fund", "Oxford City Council", "GB-LAE-OXO", "360G-oxfordcc",
              code="BBL")
    type_over(qtbot, wizard.fund_page.min_edit, "£100")
    type_over(qtbot, wizard.fund_page.max_edit, "7,500")
    next_page(qtbot, wizard)

    editor = wizard.areas_page.editor
    assert editor.kind() == "ward"
    paste_into(qtbot, editor.paste_edit, "Blackbird Leys\nNorthfield Brook")
    assert next_page(qtbot, wizard) == NewFundWizard.PANEL  # Next adds what was pasted

    panel = wizard.panel_page
    assert panel.name_edit.text() == "Blackbird Leys Community Fund panel"
    type_over(qtbot, panel.name_edit, "Blackbird Leys Community Panel")
    copy("\n".join(f"{name}\t{area}" for name, area in PANELLISTS))
    click(qtbot, panel.paste_button)
    assert [(r["name"], r["area"]) for r in panel.panellists.rows()] == list(PANELLISTS)
    assert [(r["weight"], r["low"], r["high"]) for r in panel.criteria.rows()] == [(3, 0, 5), (2, 0, 5), (1, 0, 5)]
    edit_cell(qtbot, panel.criteria, 0, 0, "Helps people here live healthier, happier lives")
    assert next_page(qtbot, wizard) == NewFundWizard.ROUND

    rnd = wizard.round_page
    type_over(qtbot, rnd.opens_edit, "01/04/2026")
    type_over(qtbot, rnd.closes_edit, "31/05/2026")
    type_over(qtbot, rnd.decision_edit, "4 July 2026")
    type_over(qtbot, rnd.budget_edit, "£50,000")
    next_page(qtbot, wizard)
    questions = wizard.form_page.questions
    assert [r["label"] for r in questions.rows()] == ["About how many people will take part?"]
    click(qtbot, wizard.form_page.add_button)
    edit_cell(qtbot, questions, 1, 0, "How would you like to present your idea to the panel?")
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    summary = wizard.summary_page.text.toPlainText()
    assert "Blackbird Leys Community Panel: 7 panellists" in summary
    with qtbot.waitSignal(wizard.created, timeout=TIMEOUT):
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))

    setup = fund_setup(db, "BBL")
    f = setup.definition.fund
    assert (f.decision_model, f.min_amount_pence, f.max_amount_pence) == ("panel", 10_000, 750_000)
    assert [a.spec.name for a in setup.areas] == ["Blackbird Leys", "Northfield Brook"]
    [rnd] = setup.rounds
    assert (rnd.spec.opens_on, rnd.spec.closes_on, rnd.spec.decision_on, rnd.spec.budget_pence) == (
        date(2026, 4, 1), date(2026, 5, 31), date(2026, 7, 4), 5_000_000)
    [p] = setup.panels
    assert p.spec.name == "Blackbird Leys Community Panel" and p.round_id == rnd.id
    assert [(x.name, x.area) for x in p.spec.panellists] == list(PANELLISTS)
    assert [(c.name, c.weight) for c in p.spec.criteria] == [
        ("Helps people here live healthier, happier lives", 3), ("Reaches the people who need it most", 2),
        ("A realistic plan and good value", 1)]
    assert [q.label for q in setup.definition.questions][-1] == "How would you like to present your idea to the panel?"
    assert setup.definition.questions[-1].key == "like_present_idea"


def test_a_wrong_funder_identifier_blocks_next_with_the_reason(qtbot, db, runner):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    next_page(qtbot, wizard)
    page = wizard.fund_page
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled() and "give the fund a name, a code, the council" in page.notice.text()
    fill_fund(qtbot, wizard, "People Helping People", "Staffordshire County Council", "GB-LAE-STAFFS")
    assert page.funder_message.isVisible()
    assert "“GB-LAE-STAFFS” is not an organisation identifier for a funder" in page.funder_message.text()
    assert "GB-LAE-" in page.funder_message.text()
    assert not next_button.isEnabled()
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == NewFundWizard.FUND

    type_over(qtbot, page.funder_edit, "GB-LAE-STS")  # put right
    assert not page.funder_message.isVisible() and next_button.isEnabled()
    type_over(qtbot, page.prefix_edit, "staffordshirecc")
    assert "is not a 360Giving prefix" in page.prefix_message.text() and not next_button.isEnabled()
    type_over(qtbot, page.prefix_edit, "")
    type_over(qtbot, page.min_edit, "£500")
    type_over(qtbot, page.max_edit, "£100")
    assert "is more than max_amount" in page.amount_message.text() and not next_button.isEnabled()
    type_over(qtbot, page.max_edit, "£1,000")
    assert next_page(qtbot, wizard) == NewFundWizard.AREAS


def test_a_code_another_fund_has_is_refused_before_next(qtbot, db, runner):
    create_fund(db, read_definition({"fund": {"code": "PHP", "name": "Old", "council": "Staffordshire County Council",
                                              "funder_org_id": "GB-LAE-STS"}}))
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    next_page(qtbot, wizard)
    page = wizard.fund_page
    assert page.council_edit.text() == "Staffordshire County Council"  # the database's one council, offered
    assert page.funder_edit.text() == "GB-LAE-STS"
    qtbot.keyClicks(page.name_edit, "People Helping People")
    assert "already has a fund with code PHP" in page.code_message.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    type_over(qtbot, page.code_edit, "php2")
    assert page.code_edit.text() == "PHP2" and not page.code_message.isVisible()
    assert next_page(qtbot, wizard) == NewFundWizard.AREAS


def test_a_refusal_at_finish_is_shown_on_the_summary_page_and_nothing_is_written(qtbot, db, runner):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    staffordshire_to_summary(qtbot, wizard)
    # Meanwhile another officer makes a fund with the same code.
    create_fund(db, read_definition({"fund": {"code": "PHP", "name": "Someone else's", "council": "Elsewhere"}}))
    with qtbot.waitSignal(wizard.refused, timeout=TIMEOUT):
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    notice = wizard.summary_page.notice
    assert wizard.isVisible() and wizard.currentId() == NewFundWizard.SUMMARY
    assert notice.isVisible() and notice.text() == "Nothing was made: A fund with code PHP already exists."
    setup = fund_setup(db, "PHP")
    assert setup.definition.fund.name == "Someone else's" and not setup.areas and not setup.members


def test_a_definition_refused_at_finish_lists_each_problem_by_key(qtbot, db, runner):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    staffordshire_to_summary(qtbot, wizard)
    # What Finish sends is checked again as a definition file is: here two members name an area the fund
    # does not list (as if the pages had been changed without going through Next).
    table = wizard.members_page.table
    table.set_value(0, "area", "Tamworth")
    table.set_value(3, "area", "Lichfield")
    with qtbot.waitSignal(wizard.refused, timeout=TIMEOUT):
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    text = wizard.summary_page.notice.text()
    assert text.startswith("Nothing was made. Put these right, then press Finish again:")
    assert "Members, row 1, area (members[1].area): “Tamworth” is not one of the fund's [[areas]]" in text
    assert "Members, row 4, area (members[4].area): “Lichfield” is not one of the fund's [[areas]]" in text
    assert wizard.isVisible() and wizard.currentId() == NewFundWizard.SUMMARY
    assert list_funds(db) == []


def test_pages_check_before_next_and_say_why(qtbot, db, runner):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    next_page(qtbot, wizard)
    fill_fund(qtbot, wizard, "People Helping People", "Staffordshire County Council")
    next_page(qtbot, wizard)
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert not next_button.isEnabled() and "needs its wards or divisions" in wizard.areas_page.notice.text()
    paste_into(qtbot, wizard.areas_page.editor.paste_edit, "Stafford Central\tE5800000\nStafford North")
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == NewFundWizard.AREAS  # the code is one digit short
    assert "Areas, row 1, ons code" in wizard.areas_page.notice.text()
    assert "is not an ONS code" in wizard.areas_page.notice.text()
    edit_cell(qtbot, wizard.areas_page.editor.table, 0, 1, "E58000001")
    assert next_page(qtbot, wizard) == NewFundWizard.MEMBERS

    members = wizard.members_page
    assert not next_button.isEnabled()  # nobody yet
    copy("Cllr Ann Able\tStafford Central\tConservative\tann@example.org\t£3,000\n"
         "Cllr Ben Baker\tStafford North\n"
         "Cllr Ann Able\tStafford North")
    click(qtbot, members.paste_button)
    assert [members.table.value(r, "allotment") for r in range(3)] == ["£3,000", "£2,500.00", "£2,500.00"]
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == NewFundWizard.MEMBERS
    assert "the member “Cllr Ann Able” is already given at members[1].name" in members.notice.text()
    members.table.selectRow(2)
    click(qtbot, members.remove_button)
    type_over(qtbot, members.default_edit, "£2,000")
    click(qtbot, members.apply_all_button)
    assert members.total_label.text() == "2 members; £4,000.00 in all."
    assert next_page(qtbot, wizard) == NewFundWizard.ROUND

    rnd = wizard.round_page
    type_over(qtbot, rnd.closes_edit, "31/13/2026")
    assert rnd.date_message.isVisible() and not next_button.isEnabled()
    type_over(qtbot, rnd.closes_edit, "31/03/2026")  # before it opens
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == NewFundWizard.ROUND
    assert "is before opens_on" in rnd.notice.text()
    type_over(qtbot, rnd.closes_edit, "31/10/2026")
    assert next_page(qtbot, wizard) == NewFundWizard.FORM

    form = wizard.form_page
    click(qtbot, form.add_button)
    edit_cell(qtbot, form.questions, 2, 0, "Which theme does it support?")
    qtbot.keyClicks(form.questions.cellWidget(2, 2), "Choice")  # a choice question …
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentId() == NewFundWizard.FORM  # … needs its choices
    assert "needs at least two choices" in form.notice.text()
    edit_cell(qtbot, form.questions, 2, 3, "Health, Children and families")
    assert next_page(qtbot, wizard) == NewFundWizard.LETTERS


def test_one_member_per_area_and_the_default_allotment(qtbot, db, runner):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    next_page(qtbot, wizard)
    fill_fund(qtbot, wizard, "Members Fund", "Testshire County Council")
    next_page(qtbot, wizard)
    paste_into(qtbot, wizard.areas_page.editor.paste_edit, "North\nSouth\nEast")
    next_page(qtbot, wizard)
    members = wizard.members_page
    click(qtbot, members.add_button)
    edit_cell(qtbot, members.table, 0, 0, "Cllr North")
    members.table.cellWidget(0, 1).setCurrentIndex(members.table.cellWidget(0, 1).findData("North"))
    click(qtbot, members.fill_button)  # the other two areas get a row each
    assert [members.table.value(r, "area") for r in range(3)] == ["North", "South", "East"]
    assert members.notice.text() == "Added 2 rows: type each member's name in the first column."
    click(qtbot, members.fill_button)
    assert members.table.rowCount() == 3 and members.notice.text() == "Every area has a member already."
    type_over(qtbot, members.default_edit, "£1,500")
    click(qtbot, members.apply_all_button)
    assert {members.table.value(r, "allotment") for r in range(3)} == {"£1,500"}


def test_pasted_areas_keep_their_ons_codes_in_each_spreadsheet_shape():
    assert parse_area_lines("Ward name\tCode\nStafford Central\tE58000001\nEccleshall, E58000002\n"
                            "E58000003\tStone Urban\n• Cannock Villages\n\n  Kinver  ") == [
        ("Stafford Central", "E58000001"), ("Eccleshall", "E58000002"), ("Stone Urban", "E58000003"),
        ("Cannock Villages", ""), ("Kinver", "")]


def test_every_page_fits_and_its_keys_are_used_once(qtbot, db, runner):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    staffordshire_to_summary(qtbot, wizard)
    # walk back through every page the Staffordshire fund showed, then the panel page
    seen = []
    while True:
        page = wizard.currentPage()
        keys = mnemonics(wizard)
        assert len(keys) == len(set(keys)), (page.title(), sorted(k for k in keys if keys.count(k) > 1))
        assert wizard.width() <= 1280 and wizard.height() <= 800
        for w in page.findChildren(QWidget):
            if w.objectName().startswith("qt_") or isinstance(w.parent(), QTableWidget):
                continue  # a spin box's own line, a table's cell editor
            if w.isVisible() and w.metaObject().className() in ("QLineEdit", "QPlainTextEdit", "QComboBox",
                                                                 "QSpinBox", "QTableWidget", "QListWidget"):
                assert w.accessibleName(), (page.title(), w.objectName(), w.metaObject().className())
        seen.append(wizard.currentId())
        if wizard.currentId() == NewFundWizard.MODEL:
            break
        click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    assert seen == [8, 7, 6, 5, 3, 2, 1, 0]


def test_open_new_fund_wizard_shows_it_over_the_main_window(qtbot, db, runner):
    parent = QWidget()
    parent.db, parent.runner = db, runner
    qtbot.addWidget(parent)
    wizard = open_new_fund_wizard(parent)
    assert isinstance(wizard, NewFundWizard) and wizard.isVisible() and wizard.parent() is parent
    assert wizard.windowTitle() == "New fund"
    qtbot.waitSignal(wizard.ready, timeout=TIMEOUT).wait()
    wizard.reject()
    assert not wizard.isVisible()


@pytest.mark.parametrize("model, step", [("officer", "Form and rules"), ("panel", "The panel")])
def test_the_steps_follow_the_way_of_deciding(qtbot, db, runner, model, step):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    click(qtbot, wizard.model_page.buttons[model])
    assert step in wizard.steps.text() and ("Members" in wizard.steps.text()) is False


def test_an_officer_fund_needs_no_areas_members_or_panel(qtbot, db, runner):
    wizard = open_wizard(qtbot, db, runner, today=TODAY)
    click(qtbot, wizard.model_page.buttons["officer"])
    next_page(qtbot, wizard)
    fill_fund(qtbot, wizard, "Small Grants", "Testshire District Council", "GB-LAE-TST", code="SG")
    type_over(qtbot, wizard.fund_page.max_edit, "£1,000")
    next_page(qtbot, wizard)
    assert next_page(qtbot, wizard) == NewFundWizard.ROUND  # no areas: none needed, and no members or panel page
    rnd = wizard.round_page
    assert rnd.opens_edit.text() == "01/05/2026" and rnd.closes_edit.text() == "26/06/2026"  # eight weeks
    assert rnd.decision_edit.text() == "31/07/2026" and rnd.spend_edit.text() == "31/03/2027"
    next_page(qtbot, wizard)
    assert [r["label"] for r in wizard.form_page.questions.rows()] == ["About how many people will take part?"]
    next_page(qtbot, wizard)
    next_page(qtbot, wizard)
    with qtbot.waitSignal(wizard.created, timeout=TIMEOUT) as made:
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert made.args[0].summary == "Created Small Grants (SG): 1 round, 1 question."
    setup = fund_setup(db, "SG")
    assert setup.definition.fund.decision_model == "officer" and setup.definition.fund.max_amount_pence == 100_000
    assert not setup.areas and not setup.members and not setup.panels
