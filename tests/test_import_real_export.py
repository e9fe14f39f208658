"""Issue 18's "Done when": a real online-form export, with its traps, imports with every organisation
name, contact, letter language and submission date exactly as each row gave them, the repeated row
once, and a second import of the same file adds nothing. Each trap has its own test too.

The export (``real_export.py``) is shaped like Microsoft Forms': question headers, "ID", "Start time"
and "Completion time" ("13/06/2026 09:52:34"), "n/a" for no charity number, three scout groups under
their district's charity number, the district's and a community hall's shared inboxes, and one
application submitted twice. Nothing maps the columns but the auto-mapping; the organisation type,
which the form does not ask, is one value for every row.
"""

import json
from datetime import date

import pytest
from real_export import (
    CONSTANTS,
    DISTRICT_INBOX,
    HALL_INBOX,
    MAPPING,
    REPEAT_ROW,
    UMBRELLA,
    assert_imported_as_given,
    export_rows,
    write_export,
    write_export_xlsx,
)
from helpers import build_fund
from sqlalchemy import func, select

from grantdesk.cli import main
from grantdesk.domain.eligibility import Outcome
from grantdesk.io.tabular import read_table
from grantdesk.services import applications, imports
from grantdesk.services.eligibility import check_eligibility
from grantdesk.store.models import Base, Contact, Organisation

DECIDED = {"3:organisation": "different", "4:organisation": "different", f"{REPEAT_ROW}:duplicate": "skip"}


def snapshot(db) -> dict[str, int]:
    with db.unit_of_work() as uow:
        return {t.name: uow.session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def imported_by_title(db) -> dict:
    return {r.title: r for r in applications.list_applications(db, "TST")}


def assert_exactly_as_given(db) -> None:
    assert_imported_as_given(db, "TST")


@pytest.fixture
def fund(db):
    return build_fund(db)  # TST: area Testville, round 2026–27 (01/04/2026 to 31/10/2026)


# --- the Done when ------------------------------------------------------------------------------------------


def test_done_when_the_command_line_imports_the_export_as_given_and_again_adds_nothing(db, fund, location,
                                                                                       tmp_path, capsys):
    path = write_export(tmp_path)
    args = ["applications", "import", path, "--fund", "TST", "--set", "organisation_type=community_group",
            "--db", location.path]

    def cli(*more):
        code = main([str(a) for a in [*args, *more]])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = cli()
    assert code == 1 and out == ""  # two matches to confirm and a likely duplicate: nothing until decided
    assert err.splitlines()[:3] == [
        "row 3: match to confirm — Stone Scouts 5th Group gave charity number 1143005, which is Stone Scouts 3rd "
        "Group's (in row 2). The same group, or a different group under an umbrella charity's number? "
        "(--decide 3:organisation=same|different)",
        "row 4: match to confirm — Stone Scouts 6th Group gave charity number 1143005, which is Stone Scouts 3rd "
        "Group's (in row 2). The same group, or a different group under an umbrella charity's number? "
        "(--decide 4:organisation=same|different)",
        f"row {REPEAT_ROW}: likely duplicate — Same organisation and title as row 7 "
        f"(--decide {REPEAT_ROW}:duplicate=skip|import)"]
    assert applications.list_applications(db, "TST") == []

    code, out, err = cli("--decide", "organisation=different", "--decide", f"{REPEAT_ROW}:duplicate=skip")
    assert code == 0, err
    assert out.splitlines() == ["Imported 59 applications into TST.",
                                f"Skipped row {REPEAT_ROW} (likely duplicate): Same organisation and title as row 7."]
    assert_exactly_as_given(db)
    assert imports.saved_mapping(db, "TST") == MAPPING  # the auto-mapping read every column, and is kept
    assert imports.saved_constants(db, "TST") == CONSTANTS

    before = snapshot(db)
    code = main(["applications", "import", str(path), "--fund", "TST", "--db", str(location.path)])
    out, err = capsys.readouterr()
    assert code == 0, err  # no --set, no --decide: the saved value, and the skipped row remembered
    assert out.splitlines() == ["Nothing new to import into TST.",
                                "59 rows were imported before and 1 skipped as a likely duplicate before; all "
                                "were left out."]
    assert snapshot(db) == before


def test_done_when_a_valid_only_run_keeps_every_name_as_given_and_flags_the_matches(db, fund, location, tmp_path,
                                                                                  capsys):
    path = write_export(tmp_path)
    code = main([str(a) for a in ["applications", "import", path, "--fund", "TST", "--set",
                                  "organisation_type=community_group", "--valid-only", "--json", "--db",
                                  location.path]])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["imported"] == 59 and report["rejected"] == [] and report["rejected_file"] is None
    assert [(d["row"], d["of_row"], d["decision"]) for d in report["duplicates"]] == [(REPEAT_ROW, 7, None)]
    assert [(m["rows"], m["given"], m["stored"]) for m in report["matches"]] == [
        ([3], "Stone Scouts 5th Group", "Stone Scouts 3rd Group"),
        ([4], "Stone Scouts 6th Group", "Stone Scouts 3rd Group")]
    flagged = {a["row"]: a["review"] for a in report["applications"] if a["review"]}
    assert list(flagged) == [3, 4]  # names as given, flagged for the officer to review
    assert flagged[3][0].startswith("To review: charity number 1143005 is also Stone Scouts 3rd Group's")
    assert report["mapping"] == {h: f for h, f in MAPPING.items() if f}
    assert_exactly_as_given(db)
    detail = applications.get_application(db, imported_by_title(db)["Canoe safety kit"].id)
    assert "To review: charity number 1143005" in detail.history[-1].reason  # shown in the main window

    before = snapshot(db)
    code = main([str(a) for a in ["applications", "import", path, "--fund", "TST", "--valid-only", "--db",
                                  location.path]])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines()[0] == "Nothing new to import into TST."  # the repeat is undecided: left out again
    assert snapshot(db) == before


def test_done_when_with_the_officers_decisions_every_row_is_as_given_and_nothing_is_flagged(db, fund, tmp_path):
    table = read_table(write_export(tmp_path))
    plan = imports.check_import(db, "TST", table, constants=CONSTANTS, decisions=DECIDED)
    assert plan.ok and plan.ready and len(plan.rows) == 59
    result = imports.run_import(db, plan, remember_mapping=True)
    assert (result.imported, result.skipped_duplicates, result.flags) == (59, 1, [])
    assert_exactly_as_given(db)
    before = snapshot(db)
    again = imports.check_import(db, "TST", read_table(write_export(tmp_path, "again.csv")))
    assert len(again.already_imported) == 60 and again.rows == [] and again.ready
    assert [(a.row, a.reference) for a in again.already_imported if a.skipped] == [(REPEAT_ROW, "TST-2026-0006")]
    assert imports.run_import(db, again).imported == 0
    assert snapshot(db) == before


def test_the_same_export_as_microsoft_forms_xlsx_imports_the_same(db, fund, tmp_path):
    table = read_table(write_export_xlsx(tmp_path))
    plan = imports.check_import(db, "TST", table, constants=CONSTANTS, decisions=DECIDED)
    assert plan.ok, plan.problems[:3]
    assert imports.run_import(db, plan).imported == 59
    assert_exactly_as_given(db)


# --- each trap ------------------------------------------------------------------------------------------


def test_trap_the_organisation_type_the_form_does_not_ask_is_one_value_for_every_row(db, fund, tmp_path):
    table = read_table(write_export(tmp_path))
    without = imports.check_import(db, "TST", table)
    assert [(p.row, p.column, p.message) for p in without.problems] == [
        (1, "Organisation type", "No column is mapped to Organisation type.")]
    plan = imports.check_import(db, "TST", table, constants={"organisation_type": "Constituted community group"})
    assert plan.ok
    imports.run_import(db, plan, valid_only=True, remember_mapping=True)
    assert {r.organisation_type for r in applications.list_applications(db, "TST")} == {"community_group"}
    assert imports.saved_constants(db, "TST") == {"organisation_type": "Constituted community group"}


def test_trap_the_completion_time_is_the_submission_date_and_eligibility_reads_it(db, fund, tmp_path):
    table = read_table(write_export(tmp_path))
    assert table.rows[0][2] == "01/06/2026 09:00:00"
    plan = imports.check_import(db, "TST", table, constants=CONSTANTS, decisions=DECIDED)
    assert [p for p in plan.problems if p.column == "Completion time"] == []
    imports.run_import(db, plan)
    _rows, given = export_rows()
    got = imported_by_title(db)
    assert [got[g.title].submitted_on for g in given] == [g.submitted_on for g in given]
    assert date.today() not in {r.submitted_on for r in got.values()}  # not the day of the import
    for row in list(got.values())[:5]:  # submitted in June, inside the round: not "after the round closed"
        report = check_eligibility(db, row.id)
        assert next(r for r in report.results if r.rule == "round_open").outcome is Outcome.PASS


def test_trap_a_completion_time_in_the_future_is_refused_for_its_row(db, fund, tmp_path):
    plan = imports.check_import(db, "TST", read_table(write_export(tmp_path)), constants=CONSTANTS,
                                today=date(2026, 6, 10))
    rows, _given = export_rows()
    after = [n + 2 for n, r in enumerate(rows) if (r[2][6:10], r[2][3:5], r[2][:2]) > ("2026", "06", "10")]
    assert len(after) > 30 and sorted({p.row for p in plan.problems}) == after
    assert all(p.column == "Completion time" and "after today (10/06/2026)" in p.message for p in plan.problems)


def test_trap_n_a_for_no_charity_number_is_blank_not_a_problem(db, fund, tmp_path):
    rows, _given = export_rows()
    assert {r[6] for r in rows} >= {"n/a", "N/A", "none", "-", ""}
    plan = imports.check_import(db, "TST", read_table(write_export(tmp_path)), constants=CONSTANTS,
                                decisions=DECIDED)
    assert plan.ok
    imports.run_import(db, plan)
    got = imported_by_title(db)
    assert got["Hot lunches for older people"].charity_number is None
    assert got["Chess sets for the library"].charity_number is None


def test_trap_three_groups_under_one_umbrella_number_keep_their_own_names(db, fund, tmp_path):
    plan = imports.check_import(db, "TST", read_table(write_export(tmp_path)), constants=CONSTANTS,
                                decisions=DECIDED)
    imports.run_import(db, plan)
    got = imported_by_title(db)
    assert [got[t].organisation for t in ("New patrol tents", "Canoe safety kit", "Camp stoves")] == [
        "Stone Scouts 3rd Group", "Stone Scouts 5th Group", "Stone Scouts 6th Group"]
    with db.unit_of_work() as uow:
        scouts = {o.name: (o.charity_number, o.umbrella_charity_number) for o in uow.session.scalars(
            select(Organisation).where(Organisation.name.like("Stone Scouts%")))}
    assert scouts == {"Stone Scouts 3rd Group": (UMBRELLA, None), "Stone Scouts 5th Group": (None, UMBRELLA),
                      "Stone Scouts 6th Group": (None, UMBRELLA)}


def test_trap_an_umbrella_group_already_recorded_is_a_match_to_confirm_against_the_database(db, fund, tmp_path):
    rows, _given = export_rows()
    first = read_table(write_export(tmp_path))
    imports.run_import(db, imports.check_import(db, "TST", first, constants=CONSTANTS, decisions=DECIDED))
    # next month's export: the district itself applies, under its own number, with a new name for it
    from grantdesk.io.tabular import write_csv
    from real_export import HEADERS

    rows = [["61", "01/07/2026 10:00:00", "01/07/2026 10:09:00", "treasurer@stonescouts.org.uk", "Gwen Lloyd",
             "Stone District Scouts", UMBRELLA, "Testville", "District camp", "A camp for every group.", "£900",
             "English"]]
    path = tmp_path / "july.csv"
    write_csv(path, HEADERS, rows)
    plan = imports.check_import(db, "TST", read_table(path), constants=CONSTANTS)
    assert [(m.given, m.stored, m.stored_row) for m in plan.matches] == [
        ("Stone District Scouts", "Stone Scouts 3rd Group", None)]  # None: in GrantDesk already
    assert "(in GrantDesk)" in plan.matches[0].message


def test_trap_two_groups_writing_from_one_shared_inbox_keep_their_own_contacts_and_languages(db, fund, tmp_path):
    plan = imports.check_import(db, "TST", read_table(write_export(tmp_path)), constants=CONSTANTS,
                                decisions=DECIDED)
    imports.run_import(db, plan)
    got = imported_by_title(db)
    hall = [got["Hot lunches for older people"], got["Chess sets for the library"]]
    district = [got["Canoe safety kit"], got["Camp stoves"]]
    assert [(r.contact_name, r.contact_email, r.contact_language) for r in hall] == [
        ("Ann Jones", HALL_INBOX, "en"), ("Dafydd Evans", HALL_INBOX, "cy")]
    assert [(r.contact_name, r.contact_email, r.contact_language) for r in district] == [
        ("Rhys Morgan", DISTRICT_INBOX, "cy"), ("Sian Hughes", DISTRICT_INBOX, "en")]
    with db.unit_of_work() as uow:
        shared = uow.session.scalars(select(Contact).where(Contact.email.in_([HALL_INBOX, DISTRICT_INBOX]))).all()
    assert len(shared) == 4


def test_trap_one_group_with_two_people_at_its_inbox_is_a_match_to_confirm(db, fund, tmp_path):
    """The same trap inside one group: the Lunch Club's second application comes from its inbox, signed
    by someone else who wants Welsh letters."""
    from grantdesk.io.tabular import write_csv
    from real_export import HEADERS

    rows, _given = export_rows()
    lunch = next(r for r in rows if r[5] == "Stone Lunch Club")
    second = [*lunch[:4], "Dafydd Evans", *lunch[5:8], "Soup for the winter", "Soup.", "£300", "Cymraeg"]
    second[0] = "99"
    path = tmp_path / "lunch.csv"
    write_csv(path, HEADERS, [lunch, second])
    plan = imports.check_import(db, "TST", read_table(path), constants=CONSTANTS)
    assert [(m.key, m.given, m.stored, m.by, m.stored_row) for m in plan.matches] == [
        ("3:contact", "Dafydd Evans", "Ann Jones", f"e-mail {HALL_INBOX}", 2)]
    with pytest.raises(imports.DecisionsNeeded):
        imports.run_import(db, plan)
    imports.run_import(db, imports.check_import(db, "TST", read_table(path), constants=CONSTANTS,
                                                decisions={"3:contact": "different"}))
    got = imported_by_title(db)
    assert (got["Soup for the winter"].contact_name, got["Soup for the winter"].contact_language) == (
        "Dafydd Evans", "cy")
    assert (got["Hot lunches for older people"].contact_name,
            got["Hot lunches for older people"].contact_language) == ("Ann Jones", "en")


def test_trap_the_application_submitted_twice_is_a_decision_before_anything_is_written(db, fund, tmp_path):
    table = read_table(write_export(tmp_path))
    before = snapshot(db)
    plan = imports.check_import(db, "TST", table, constants=CONSTANTS,
                                decisions={"3:organisation": "different", "4:organisation": "different"})
    assert [(d.row, d.of_row, d.same_submission, d.decision) for d in plan.duplicates] == [(REPEAT_ROW, 7, False, None)]
    assert plan.undecided == [f"{REPEAT_ROW}:duplicate"]
    with pytest.raises(imports.DecisionsNeeded, match="1 likely duplicate"):
        imports.run_import(db, plan)
    assert snapshot(db) == before  # the warning comes before the commit, and nothing is written
    result = imports.run_import(db, imports.check_import(db, "TST", table, constants=CONSTANTS, decisions=DECIDED))
    assert result.imported == 59
    assert sum(1 for r in applications.list_applications(db, "TST") if r.organisation == "Walton Gardeners") == 1


def test_trap_importing_the_same_file_again_adds_nothing(db, fund, tmp_path):
    path = write_export(tmp_path)
    imports.run_import(db, imports.check_import(db, "TST", read_table(path), constants=CONSTANTS,
                                                decisions=DECIDED), remember_mapping=True)
    before = snapshot(db)
    again = imports.check_import(db, "TST", read_table(path))  # the saved mapping and value for every row
    assert again.ok and again.matches == [] and again.duplicates == []
    assert [r.row for r in again.already_imported] == list(range(2, 62))
    result = imports.run_import(db, again)
    assert result.imported == 0 and result.already_imported == 60
    assert snapshot(db) == before
