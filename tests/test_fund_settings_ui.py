"""Fund Settings, driven through its widgets on funds made from nothing: a round's budget and dates, an
allotment lowered below what a member has committed (refused, with the figures), an area in use that
cannot be removed, opening and closing a round (asked first), a panel set up where there was none, areas
and members added by pasting, rules, letters and questions saved through the settings' declarations, and
the window keeping true when another window changes the fund."""

from datetime import date, timedelta

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
    open_settings,
    paste_into,
    set_month_day,
    type_over,
)
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from grantdesk.domain.fund_definition import read_definition
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.interests import Declaration
from grantdesk.services import allocations, applications, organisations
from grantdesk.services.common import fund_by_code
from grantdesk.services.fund_setup import create_fund, fund_setup
from grantdesk.services.workflow import do_transition
from grantdesk.store.models import Area, Round
from ui.fund_settings import PAGE_KEYS, FundSettingsWindow, open_fund_settings

FY = 2026


def make_php(db, *, rounds=None):
    rounds = rounds or [{"key": "r1", "name": "People Helping People {fy}", "financial_year": FY,
                         "opens_on": date(FY, 4, 1), "closes_on": date(FY, 10, 31), "spend_by": date(FY + 1, 3, 20)}]
    table = {
        "fund": {"code": "PHP", "name": "People Helping People", "council": "Staffordshire County Council",
                 "decision_model": "member", "funder_org_id": "GB-LAE-STS",
                 "settings": {"apply_by_month_day": "10-31", "spend_by_month_day": "03-20"}},
        "areas": [{"name": n, "kind": "division"} for n in STAFFORDSHIRE_DIVISIONS + ("Kinver",)],
        "rounds": rounds,
        "members": [{"name": c, "area": d, "allotments": [{"year": FY, "amount": "2500.00"}]}
                    for c, d in zip(COUNCILLORS, STAFFORDSHIRE_DIVISIONS, strict=True)],
    }
    create_fund(db, read_definition(table))


def submitted_application(db, *, area="Stafford Central", on=date(FY, 6, 2)) -> int:
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, "PHP")
        rnd = s.query(Round).filter(Round.fund_id == fund.id).first()
        where = s.query(Area).filter(Area.name == area).one()
        org = organisations.find_or_add_organisation(s, actor="Officer", name="Stafford Lunch Club",
                                                     org_type="community_group")
        app = applications.add_application(s, actor="Officer", fund=fund, organisation=org, round=rnd, area=where,
                                           title="Lunches", amount_requested_pence=100_000, created_on=on)
        do_transition(s, app, "submitted", actor="Officer", on=on)
        uow.commit()
        return app.id


def member_id(db, name):
    return next(m.id for m in fund_setup(db, "PHP").members if m.spec.name == name)


def save(qtbot, window, button):
    """Press a page's Save and wait for it to be kept and shown again."""
    with qtbot.waitSignal(window.saved, timeout=TIMEOUT), qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        click(qtbot, button)


def refused(qtbot, window, button) -> str:
    with qtbot.waitSignal(window.refused, timeout=TIMEOUT) as blocker:
        click(qtbot, button)
    return blocker.args[0]


def click_row(qtbot, table, row):
    rect = table.visualRect(table.model().index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center()))


def answer(qtbot, window, which):
    box = window.confirm_box
    assert box is not None and box.isVisible()
    text = box.text()
    click(qtbot, box.button(which))
    return text


# --- rounds ------------------------------------------------------------------------------------------------


def test_a_rounds_budget_and_dates_are_changed_and_dates_leaving_out_an_application_are_refused(qtbot, db, runner):
    make_php(db)
    submitted_application(db, on=date(FY, 6, 2))
    window = open_settings(qtbot, db, runner, "PHP", page="rounds")
    page = window.pages["rounds"]
    assert window.current_page() is page
    assert page.table.text(0, 0) == "People Helping People 2026–27"
    assert page.table.text(0, 7) == "1"  # submitted
    click_row(qtbot, page.table, 0)
    assert page.closes_edit.text() == "31/10/2026" and page.budget_edit.text() == ""
    type_over(qtbot, page.budget_edit, "£12,500")
    save(qtbot, window, page.save_button)
    assert page.notice.text() == "Saved People Helping People 2026–27."
    assert fund_setup(db, "PHP").rounds[0].spec.budget_pence == 1_250_000
    assert page.table.text(0, 6) == "£12,500.00"

    type_over(qtbot, page.opens_edit, "01/07/2026")  # after the application came in
    text = refused(qtbot, window, page.save_button)
    assert text == ("An application in People Helping People 2026–27 was submitted on 02/06/2026; the round's dates "
                    "must include it (02/06/2026 to 02/06/2026).")
    assert page.notice.isVisible() and page.notice.text() == text
    assert fund_setup(db, "PHP").rounds[0].spec.opens_on == date(FY, 4, 1)


def test_opening_and_closing_a_round_ask_first(qtbot, db, runner):
    today = date.today()
    make_php(db, rounds=[
        {"key": "now", "name": "Open round", "financial_year": FY, "opens_on": today - timedelta(days=10),
         "closes_on": today + timedelta(days=30)},
        {"key": "later", "name": "Later round", "financial_year": FY, "opens_on": today + timedelta(days=40),
         "closes_on": today + timedelta(days=90)}])
    window = open_settings(qtbot, db, runner, "PHP", page="rounds")
    page = window.pages["rounds"]
    click_row(qtbot, page.table, 0)
    assert page.table.text(0, 9) == "Open" and not page.open_button.isEnabled()

    click(qtbot, page.close_button)
    text = answer(qtbot, window, QMessageBox.StandardButton.Cancel)
    assert text == "Close Open round to new applications today?"
    assert fund_setup(db, "PHP").rounds[0].spec.closes_on == today + timedelta(days=30)  # nothing changed

    click(qtbot, page.close_button)
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        answer(qtbot, window, QMessageBox.StandardButton.Yes)
    assert fund_setup(db, "PHP").rounds[0].spec.closes_on == today
    assert page.notice.text() == "Open round closed today to new applications."

    click_row(qtbot, page.table, 1)
    assert page.table.text(1, 9) == "Not open yet" and page.open_button.isEnabled()
    click(qtbot, page.open_button)
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        assert answer(qtbot, window, QMessageBox.StandardButton.Yes) == "Open Later round to new applications today?"
    later = fund_setup(db, "PHP").rounds[1]
    assert later.spec.opens_on == today and later.state == "open"
    assert page.table.text(1, 9) == "Open"


def test_a_new_round_is_added(qtbot, db, runner):
    make_php(db)
    window = open_settings(qtbot, db, runner, "PHP", page="rounds")
    page = window.pages["rounds"]
    type_over(qtbot, page.name_edit, "People Helping People {fy}")
    type_over(qtbot, page.year_spin, "2027")
    type_over(qtbot, page.opens_edit, "01/04/2027")
    type_over(qtbot, page.closes_edit, "31/10/2027")
    type_over(qtbot, page.spend_edit, "20/03/2028")
    save(qtbot, window, page.add_button)
    assert [r.spec.title for r in fund_setup(db, "PHP").rounds] == ["People Helping People 2026–27",
                                                                    "People Helping People 2027–28"]
    assert page.table.rowCount() == 2


# --- members ---------------------------------------------------------------------------------------------------


def test_lowering_an_allotment_below_what_a_member_committed_is_refused(qtbot, db, runner):
    make_php(db)
    app = submitted_application(db)
    anita = member_id(db, "Cllr Anita Bhogal")
    allocations.record_member_decision(db, app, anita, "recommended", declaration=Declaration(), amount_pence=80_000,
                                       reasons="Lunches for older people in the division.", on=date(FY, 9, 15))
    window = open_settings(qtbot, db, runner, "PHP", page="members")
    page = window.pages["members"]
    assert page.year_combo.currentText() == "2026–27"
    click_row(qtbot, page.table, 0)
    assert [page.table.text(0, c) for c in (0, 4, 5, 6)] == ["Cllr Anita Bhogal", "£2,500.00", "£800.00",
                                                                     "£1,700.00"]
    assert page.allotment_edit.text() == "£2,500.00"
    type_over(qtbot, page.allotment_edit, "£500")
    text = refused(qtbot, window, page.save_button)
    assert text == ("Cllr Anita Bhogal has already committed £800.00 of their 2026–27 pot; the allotment cannot be "
                    "£500.00.")
    assert page.notice.text() == text and page.notice.kind == "error"
    assert fund_setup(db, "PHP").members[0].spec.allotments[0].amount_pence == 250_000

    type_over(qtbot, page.allotment_edit, "£1,000")
    save(qtbot, window, page.save_button)
    assert fund_setup(db, "PHP").members[0].spec.allotments[0].amount_pence == 100_000
    assert page.table.text(0, 6) == "£200.00"


def test_members_are_added_one_at_a_time_or_pasted_all_or_none(qtbot, db, runner):
    make_php(db)
    window = open_settings(qtbot, db, runner, "PHP", page="members")
    page = window.pages["members"]
    qtbot.keyClicks(page.name_edit, "Cllr Mark Winnington")
    qtbot.keyClicks(page.area_combo, "Kinver")
    type_over(qtbot, page.allotment_edit, "2500")
    save(qtbot, window, page.add_button)
    added = next(m for m in fund_setup(db, "PHP").members if m.spec.name == "Cllr Mark Winnington")
    assert added.spec.area == "Kinver" and added.spec.allotments[0].amount_pence == 250_000

    dialog = page.open_paste()
    copy("Cllr One\tKinver\tGreen\tone@example.org\t£2,500\nCllr Two\tTamworth\n")
    click(qtbot, dialog.paste_button)
    assert dialog.table.rowCount() == 2
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    click(qtbot, ok)
    qtbot.waitUntil(lambda: dialog.notice.isVisible(), timeout=TIMEOUT)
    assert "“Tamworth” is not one of the fund's [[areas]]" in dialog.notice.text()
    assert len(fund_setup(db, "PHP").members) == 6  # neither was added
    dialog.table.cellWidget(1, 1).setCurrentIndex(dialog.table.cellWidget(1, 1).findData("Eccleshall"))
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        click(qtbot, ok)
    names = [m.spec.name for m in fund_setup(db, "PHP").members]
    assert names[-2:] == ["Cllr One", "Cllr Two"] and page.notice.text() == "Added 2 members."
    assert page.table.rowCount() == 8


# --- areas ------------------------------------------------------------------------------------------------------


def test_removing_an_area_in_use_is_refused_and_one_not_in_use_goes(qtbot, db, runner):
    make_php(db)
    window = open_settings(qtbot, db, runner, "PHP", page="areas")
    page = window.pages["areas"]
    names = [page.table.text(r, 0) for r in range(page.table.rowCount())]
    central = names.index("Stafford Central")
    assert page.table.text(central, 3) == "1"  # its member
    click_row(qtbot, page.table, central)
    click(qtbot, page.remove_button)
    assert window.confirm_box.text() == "Remove Stafford Central from People Helping People?"
    with qtbot.waitSignal(window.refused, timeout=TIMEOUT) as blocker:
        answer(qtbot, window, QMessageBox.StandardButton.Yes)
    assert blocker.args[0] == "Stafford Central cannot be removed: 1 member(s) of People Helping People are in it."
    assert page.notice.text() == blocker.args[0]
    assert "Stafford Central" in [a.spec.name for a in fund_setup(db, "PHP").areas]

    click_row(qtbot, page.table, names.index("Kinver"))
    click(qtbot, page.remove_button)
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        answer(qtbot, window, QMessageBox.StandardButton.Yes)
    assert "Kinver" not in [a.spec.name for a in fund_setup(db, "PHP").areas]
    assert page.table.rowCount() == 5 and page.notice.text() == "Removed Kinver."


def test_areas_are_pasted_with_their_ons_codes_and_a_code_is_changed(qtbot, db, runner):
    make_php(db)
    window = open_settings(qtbot, db, runner, "PHP", page="areas")
    page = window.pages["areas"]
    paste_into(qtbot, page.adder.paste_edit, "Perton\tE58000101\nWombourne, E58000102\n")
    save(qtbot, window, page.adder.add_button)
    areas = {a.spec.name: a.spec for a in fund_setup(db, "PHP").areas}
    assert (areas["Perton"].ons_code, areas["Wombourne"].kind) == ("E58000101", "division")
    assert page.adder.paste_edit.toPlainText() == ""

    page.select_area("Eccleshall")
    type_over(qtbot, page.ons_edit, "E5800")
    text = refused(qtbot, window, page.change_button)
    assert text == "“E5800” is not an ONS code: a country letter and eight digits, such as E05013035."
    type_over(qtbot, page.ons_edit, "e58000103")
    save(qtbot, window, page.change_button)
    assert {a.spec.name: a.spec for a in fund_setup(db, "PHP").areas}["Eccleshall"].ons_code == "E58000103"


# --- panel ------------------------------------------------------------------------------------------------------


def test_a_fund_with_no_panel_sets_one_up_from_the_empty_page(qtbot, db, runner):
    create_fund(db, read_definition({
        "fund": {"code": "BBL", "name": "Blackbird Leys Community Fund", "council": "Oxford City Council",
                 "decision_model": "panel"},
        "areas": [{"name": "Blackbird Leys"}, {"name": "Northfield Brook"}],
        "rounds": [{"key": "r", "name": "Community Fund {fy}", "financial_year": FY, "opens_on": date(FY, 4, 1),
                    "closes_on": date(FY, 5, 31)}]}))
    window = open_settings(qtbot, db, runner, "BBL", page="panel")
    page = window.pages["panel"]
    assert page.empty.isVisible() and page.empty_label.text() == "This fund has no panel yet — set one up."
    assert not page.form_box.isVisible() and not page.save_button.isVisible()
    click(qtbot, page.set_up_button)
    assert page.form_box.isVisible() and not page.empty.isVisible()
    assert page.name_edit.text() == "Blackbird Leys Community Fund panel"
    assert page.round_combo.currentText() == "Community Fund 2026–27"
    copy("\n".join(f"{n}\t{a}" for n, a in PANELLISTS))
    click(qtbot, page.paste_button)
    edit_cell(qtbot, page.criteria, 2, 0, "Good value")
    save(qtbot, window, page.save_button)
    [panel] = fund_setup(db, "BBL").panels
    assert [(x.name, x.area) for x in panel.spec.panellists] == list(PANELLISTS)
    assert [(c.name, c.weight) for c in panel.spec.criteria] == [
        ("Meets a real need here", 3), ("Reaches the people who need it most", 2), ("Good value", 1)]
    assert panel.round_id == fund_setup(db, "BBL").rounds[0].id
    assert not page.empty.isVisible() and page.panellists.rowCount() == 7

    page.panellists.selectRow(6)
    click(qtbot, page.remove_person_button)
    page.criteria.selectRow(2)
    click(qtbot, page.remove_criterion_button)
    save(qtbot, window, page.save_button)
    [panel] = fund_setup(db, "BBL").panels
    assert len(panel.spec.panellists) == 6 and len(panel.spec.criteria) == 2

    page.criteria.selectRow(0)
    click(qtbot, page.remove_criterion_button)
    page.criteria.selectRow(0)
    click(qtbot, page.remove_criterion_button)
    assert refused(qtbot, window, page.save_button) == "A panel needs at least one criterion to score against."


# --- the fund, rules, letters, questions ------------------------------------------------------------------------


def test_the_funds_details_rules_letters_and_questions_are_saved(qtbot, db, runner):
    make_php(db)
    window = open_settings(qtbot, db, runner, "PHP")
    fund = window.pages["fund"]
    assert fund.code_label.text() == "PHP" and fund.name_edit.text() == "People Helping People"
    type_over(qtbot, fund.funder_edit, "GB-LAE-STAFFS")
    assert "is not an organisation identifier" in fund.funder_message.text()
    assert "fund.funder_org_id" in refused(qtbot, window, fund.save_button)  # the service's own check
    type_over(qtbot, fund.funder_edit, "GB-LAE-STS")
    type_over(qtbot, fund.name_edit, "People Helping People (Staffordshire)")
    save(qtbot, window, fund.save_button)
    assert fund_setup(db, "PHP").definition.fund.name == "People Helping People (Staffordshire)"
    assert "People Helping People (Staffordshire)" in window.windowTitle()

    window.show_page("rules")
    rules = window.pages["rules"]
    assert rules.member_box.isVisible()
    assert (rules.year_form.apply_by.value(), rules.year_form.spend_by.value()) == ("10-31", "03-20")
    set_month_day(qtbot, rules.year_form.spend_by, 31, "March")
    qtbot.keyClicks(rules.other.themes, "health and wellbeing, children and families")
    click(qtbot, rules.other.welsh_standards)
    type_over(qtbot, rules.max_edit, "£2,500")
    kinds = rules.eligibility.org_types
    kinds.setFocus()
    kinds.setCurrentRow(0)
    qtbot.keyClick(kinds, Qt.Key.Key_Space)
    save(qtbot, window, rules.save_button)
    f = fund_setup(db, "PHP").definition.fund
    typed = settings_of(f.settings)
    assert typed.spend_by_month_day == "03-31" and typed.apply_by_month_day == "10-31"
    assert typed.themes == ("health and wellbeing", "children and families") and typed.welsh_language_standards
    assert typed.allowed_org_types == ("registered_charity",) and f.max_amount_pence == 250_000

    click(qtbot, rules.monitoring.standard)  # the fund's own bands, starting from the standard ones
    rules.monitoring.table.selectRow(0)
    click(qtbot, rules.monitoring.remove_button)
    edit_cell(qtbot, rules.monitoring.table, 0, 0, "£5,000")
    save(qtbot, window, rules.save_button)
    bands = settings_of(fund_setup(db, "PHP").definition.fund.settings).monitoring
    assert [b.get("up_to") for b in bands] == ["5000.00", None]

    window.show_page("letters")
    letters = window.pages["letters"].form
    qtbot.keyClicks(letters.signatory_name, "Rachel Bateman")
    qtbot.keyClicks(letters.council_cy, "Cyngor Sir Stafford")
    click(qtbot, letters.bilingual_check)
    save(qtbot, window, window.pages["letters"].save_button)
    f = fund_setup(db, "PHP").definition.fund
    assert f.bilingual_letters and f.settings["letters"]["signatory"] == {"name": "Rachel Bateman"}
    assert f.settings["letters"]["council"] == {"en": "Staffordshire County Council", "cy": "Cyngor Sir Stafford"}

    window.show_page("questions")
    questions = window.pages["questions"]
    click(qtbot, questions.add_button)
    edit_cell(qtbot, questions.table, 0, 0, "Have you spoken to your county councillor?")
    save(qtbot, window, questions.save_button)
    [q] = fund_setup(db, "PHP").definition.questions
    assert (q.key, q.label, q.kind.value) == ("spoken_county_councillor", "Have you spoken to your county councillor?",
                                              "text")


def test_ctrl_s_saves_the_page_shown(qtbot, db, runner):
    make_php(db)
    window = open_settings(qtbot, db, runner, "PHP", page="fund")
    type_over(qtbot, window.pages["fund"].department_edit, "Communities")
    with qtbot.waitSignal(window.saved, timeout=TIMEOUT) as blocker:
        qtbot.keyClick(window.pages["fund"].department_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == ["fund"]
    assert fund_setup(db, "PHP").definition.fund.funder_department == "Communities"


# --- staying true -----------------------------------------------------------------------------------------------


def test_the_window_follows_changes_made_elsewhere_and_keeps_what_was_typed(qtbot, db, runner):
    make_php(db)
    mine = open_settings(qtbot, db, runner, "PHP", page="questions")
    other = open_settings(qtbot, db, runner, "PHP", page="rounds")
    rounds = other.pages["rounds"]
    click_row(qtbot, rounds.table, 0)
    type_over(qtbot, rounds.budget_edit, "£9,999")  # typed, not saved

    questions = mine.pages["questions"]
    click(qtbot, questions.add_button)
    edit_cell(qtbot, questions.table, 0, 0, "About how many people will take part?")
    with qtbot.waitSignal(other.loaded, timeout=TIMEOUT):
        save(qtbot, mine, questions.save_button)
    assert [r["label"] for r in other.pages["questions"].table.rows()] == ["About how many people will take part?"]
    assert rounds.budget_edit.text() == "£9,999"  # kept
    assert "changed in another window" in rounds.notice.text()

    with qtbot.waitSignal(mine.loaded, timeout=TIMEOUT):  # and the other way round
        save(qtbot, other, rounds.save_button)
    assert mine.pages["rounds"].table.text(0, 6) == "£9,999.00"


def test_open_fund_settings_opens_one_window_per_fund_on_the_page_asked(qtbot, db, runner):
    make_php(db)
    parent = QWidget()
    parent.db, parent.runner = db, runner
    qtbot.addWidget(parent)
    window = open_fund_settings(parent, "PHP", "members")
    assert isinstance(window, FundSettingsWindow) and window.isVisible()
    qtbot.waitSignal(window.loaded, timeout=TIMEOUT).wait()
    assert window.current_page() is window.pages["members"]
    assert open_fund_settings(parent, "PHP", "rounds") is window
    assert window.current_page() is window.pages["rounds"]
    window.close()


@pytest.mark.parametrize("key", PAGE_KEYS)
def test_every_page_fits_names_its_fields_and_uses_each_key_once(qtbot, db, runner, key):
    make_php(db)
    window = open_settings(qtbot, db, runner, "PHP", page=key)
    page = window.show_page(key)
    qtbot.keyClick(window, Qt.Key.Key_1 + PAGE_KEYS.index(key), Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is page
    assert window.width() <= 1280 and window.height() <= 800
    keys = mnemonics(window)
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    for w in page.findChildren(QWidget):
        if w.objectName().startswith("qt_") or not w.isVisible():
            continue  # the parts of a spin box or combo box
        if w.metaObject().className() in ("QLineEdit", "QPlainTextEdit", "QComboBox", "QSpinBox", "QTableWidget",
                                          "QListWidget"):
            assert w.accessibleName(), (key, w.objectName(), w.metaObject().className())


def test_saving_the_questions_keeps_their_help_and_choices(qtbot, db, runner):
    create_fund(db, read_definition({
        "fund": {"code": "BBL", "name": "Blackbird Leys Community Fund", "council": "Oxford City Council"},
        "questions": [{"key": "pitch", "label": "How would you like to present your idea?", "kind": "choice",
                       "choices": ["In person", "By video, or in writing"], "required": True,
                       "help": "Shortlisted groups pitch to the panel."}]}))
    window = open_settings(qtbot, db, runner, "BBL", page="questions")
    page = window.pages["questions"]
    assert page.table.value(0, "choices") == "In person; By video, or in writing"
    click(qtbot, page.add_button)
    edit_cell(qtbot, page.table, 1, 0, "About how many local people will take part?")
    qtbot.keyClicks(page.table.cellWidget(1, 2), "Number")
    save(qtbot, window, page.save_button)
    first, second = fund_setup(db, "BBL").definition.questions
    assert (first.key, first.choices, first.required, first.help) == (
        "pitch", ("In person", "By video, or in writing"), True, "Shortlisted groups pitch to the panel.")
    assert (second.key, second.kind.value) == ("local_people_take", "number")
