import csv
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers import ACTOR, build_fund
from openpyxl import Workbook
from sqlalchemy import delete, func, select

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.questions import make_question
from grantdesk.io.tabular import read_table, write_csv
from grantdesk.services import applications, imports, questions
from grantdesk.store.models import (
    Application,
    AuditEntry,
    Base,
    Contact,
    Fund,
    FundArea,
    ImportMapping,
    Organisation,
    ReferenceCounter,
    StatusChange,
)

HEADERS = ["Organisation", "Organisation type", "Charity number", "Contact name", "Contact e-mail",
           "Project title", "Amount requested", "Area", "Submitted on"]


def generated_rows(n: int) -> list[list[str]]:
    """``n`` rows as an online form exports them: 3,000 community groups applying several times each,
    amounts and dates written in the ways people write them."""
    amounts = ["£{:,}", "{}.00", "{:,}"]
    dates = ["12/05/2026", "12 May 2026", "2026-05-12"]
    return [[f"Group {i % 3000}", "community group", "", f"Person {i % 3000}", f"p{i % 3000}@example.org",
             f"Project {i}", amounts[i % 3].format(1000 + i), "Testville", dates[i % 3]] for i in range(n)]


def csv_file(tmp_path: Path, rows, headers=HEADERS, name="export.csv") -> Path:
    path = tmp_path / name
    write_csv(path, headers, rows)
    return path


def snapshot(db) -> dict:
    """Every table's row count, and the reference counters: what "the database as it was" means here."""
    with db.unit_of_work() as uow:
        s = uow.session
        counts = {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
        counters = sorted(tuple(r) for r in s.execute(
            select(ReferenceCounter.fund_id, ReferenceCounter.year, ReferenceCounter.last_number)))
        return {"counts": counts, "counters": counters}


def count(db, model) -> int:
    with db.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


# --- the 10,000-row file --------------------------------------------------------------------------------


def test_a_ten_thousand_row_file_with_three_bad_rows_reports_exactly_those_and_writes_nothing(db, tmp_path):
    build_fund(db)
    rows = generated_rows(10_000)
    rows[1000][6] = "£12,50"  # bad amount (spreadsheet row 1002)
    rows[5000][8] = "31/02/2026"  # no such date (row 5002)
    rows[9998][7] = "Atlantis"  # not one of the fund's areas (row 10000)
    table = read_table(csv_file(tmp_path, rows))
    before = snapshot(db)

    plan = imports.check_import(db, "TST", table)

    assert [(p.row, p.column) for p in plan.problems] == [
        (1002, "Amount requested"), (5002, "Submitted on"), (10000, "Area")]
    assert "£12,50" in plan.problems[0].message and "commas" in plan.problems[0].message
    assert "not a real date" in plan.problems[1].message
    assert "Atlantis" in plan.problems[2].message and "Testville" in plan.problems[2].message
    assert (plan.total_rows, plan.valid_rows, plan.ok) == (10_000, 9_997, False)
    assert snapshot(db) == before  # checking writes nothing

    with pytest.raises(imports.ImportRefused) as refused:
        imports.run_import(db, plan)
    assert refused.value.problems == plan.problems
    assert "Nothing was imported" in str(refused.value) and "row 1002, column “Amount requested”" in str(refused.value)
    assert snapshot(db) == before


def test_the_corrected_ten_thousand_row_file_imports_every_row_as_submitted_with_contiguous_references(db, tmp_path):
    build_fund(db, applications_count=2)  # TST-2026-0001 and 0002 are taken
    rows = generated_rows(10_000)
    path = csv_file(tmp_path, rows)
    orgs_before, contacts_before = count(db, Organisation), count(db, Contact)

    plan = imports.check_import(db, "TST", read_table(path))
    assert plan.ok and plan.valid_rows == 10_000 and plan.duplicates == []
    result = imports.run_import(db, plan, actor="Priya Shah")

    assert (result.imported, result.rejected, result.rejected_file) == (10_000, 0, None)
    assert result.message == "Imported 10000 applications into TST."
    assert len(applications.list_applications(db, "TST")) == 10_002
    with db.unit_of_work() as uow:
        s = uow.session
        apps = s.execute(select(Application.id, Application.reference, Application.title, Application.status,
                                Application.amount_requested_pence, Application.submitted_on)
                         .where(Application.reference > "TST-2026-0002").order_by(Application.id)).all()
        assert [a.reference for a in apps] == [f"TST-2026-{n:04d}" for n in range(3, 10_003)]
        assert [a.title for a in apps] == [f"Project {i}" for i in range(10_000)]  # file order
        assert {a.status for a in apps} == {"submitted"}
        assert {a.submitted_on for a in apps} == {date(2026, 5, 12)}
        assert [a.amount_requested_pence for a in apps[:3]] == [100_000, 100_100, 100_200]
        history = s.execute(select(StatusChange.application_id, StatusChange.from_status, StatusChange.to_status,
                                   StatusChange.by).where(StatusChange.application_id.in_([a.id for a in apps[:50]]))
                            .order_by(StatusChange.id)).all()
        assert [(h.from_status, h.to_status, h.by) for h in history if h.application_id == apps[7].id] == [
            (None, "draft", "Priya Shah"), ("draft", "submitted", "Priya Shah")]
        assert s.scalar(select(func.count()).select_from(StatusChange)) == 2 + 2 * 10_000
        [entry] = s.scalars(select(AuditEntry).where(AuditEntry.action == "application.import")).all()
        assert entry.actor == "Priya Shah" and "export.csv" in entry.summary
        assert entry.after["imported"] == 10_000 and entry.after["rejected"] == 0 and len(entry.after["sha256"]) == 64
        assert entry.after["references"] == ["TST-2026-0003 to TST-2026-10002"]
    assert count(db, Organisation) == orgs_before + 3000  # one per group, however often it applied
    assert count(db, Contact) == contacts_before + 3000
    with db.unit_of_work() as uow:  # the counter moved on: the next typed-in application gets the next number
        s = uow.session
        fund = s.scalar(select(Fund).where(Fund.code == "TST"))
        app = applications.add_application(s, actor=ACTOR, fund=fund, organisation=s.get(Organisation, 1),
                                           round=fund.rounds[0], title="After the import", amount_requested_pence=1)
        assert app.reference == "TST-2026-10003"


def test_cancelling_half_way_through_saving_leaves_the_database_exactly_as_it_was(db, tmp_path):
    build_fund(db, applications_count=1)
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, generated_rows(4000))))
    assert plan.ok
    before = snapshot(db)

    class Cancel(Exception):
        pass

    class CancelHalfWay:
        def __init__(self):
            self.calls = []

        def report(self, done, total, label):
            self.calls.append((done, total, label))
            if label == imports.SAVING and done >= total / 2:
                raise Cancel

    progress = CancelHalfWay()
    with pytest.raises(Cancel):
        imports.run_import(db, plan, progress=progress)

    saving = [c for c in progress.calls if c[2] == imports.SAVING]
    assert saving[-1] == (2000, 4000, imports.SAVING)  # rows had been written when it was cancelled
    assert [c[0] for c in progress.calls if c[2] == imports.CHECKING] == [0, 500, 1000, 1500, 2000, 2500, 3000,
                                                                          3500, 4000]
    assert snapshot(db) == before
    assert imports.run_import(db, plan).imported == 4000  # and the numbers were not used up
    assert applications.list_applications(db, "TST")[1].reference == "TST-2026-0002"


def test_checking_reports_progress_and_a_cancel_while_checking_is_passed_on(db, tmp_path):
    build_fund(db)
    table = read_table(csv_file(tmp_path, generated_rows(1200)))

    class Stop:
        def report(self, done, total, label):
            if done >= 1000:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        imports.check_import(db, "TST", table, progress=Stop())


# --- what the cells may say ---------------------------------------------------------------------------


def test_amounts_and_uk_dates_are_read_the_ways_people_write_them(db, tmp_path):
    build_fund(db)
    headers = ["Organisation", "Organisation type", "Project title", "Amount requested", "Project start",
               "Project end", "Submitted on"]
    rows = [
        ["Youth Club", "Community group", "Kayaks", "£1,250", "31/03/2026", "31 March 2027", "2026-05-12"],
        ["Youth Club", "Community group", "Tents", "1250.00", "1 April 2026", "2027-03-31", "12/5/26"],
        ["Youth Club", "Community group", "Stoves", "1,250", "2026-04-01", "31/03/2027", "12 May 2026"],
    ]
    result = imports.run_import(db, imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, headers))))
    assert result.imported == 3
    got = {r.title: r for r in applications.list_applications(db, "TST")}
    assert {t: r.amount_requested_pence for t, r in got.items()} == {"Kayaks": 125000, "Tents": 125000,
                                                                       "Stoves": 125000}
    assert got["Kayaks"].project_start == date(2026, 3, 31) and got["Kayaks"].project_end == date(2027, 3, 31)
    assert got["Tents"].project_start == date(2026, 4, 1) and got["Tents"].submitted_on == date(2026, 5, 12)
    assert {r.submitted_on for r in got.values()} == {date(2026, 5, 12)}
    assert {r.organisation for r in got.values()} == {"Youth Club"}
    assert count(db, Organisation) == 2  # the fund's own, and one Youth Club for all three rows


def test_an_xlsx_export_with_real_date_and_number_cells_is_imported_exactly(db, tmp_path):
    build_fund(db)
    questions.set_questions(db, "TST", [
        make_question("volunteers", "How many volunteers?", "number"),
        make_question("accessible", "Is the venue step-free?", "yesno", required=True),
    ])
    wb = Workbook()
    ws = wb.active
    ws.append(["Organisation", "Organisation type", "Charity number", "Project title", "Amount requested",
               "Project start", "Submitted on", "How many volunteers?", "Is the venue step-free?"])
    ws.append(["Testville Lunch Club", "Registered charity", 1100001, "Ovens", 1250.1, date(2026, 6, 1),
               datetime(2026, 5, 12, 0, 0), 2.5, True])
    ws.append([])  # a blank row in the middle keeps the spreadsheet's numbering
    ws.append(["Scouts", "community group", None, "Tents", 800, "31 March 2027", "31/05/2026", 12, "no"])
    ws.append(["Scouts", "community group", None, "Canoes", 0.1, None, None, None, "maybe"])
    ws.cell(row=40, column=3).number_format = "0.00"  # formatted but empty: a trailing empty row
    path = tmp_path / "form.xlsx"
    wb.save(path)

    table = read_table(path)
    assert len(table.rows) == 4 and table.rows[0][4] == 1250.1 and isinstance(table.rows[0][6], datetime)
    plan = imports.check_import(db, "TST", table)
    assert [(p.row, p.column) for p in plan.problems] == [(5, "Is the venue step-free?")]
    assert plan.total_rows == 3 and plan.valid_rows == 2
    result = imports.run_import(db, plan, valid_only=True)
    assert result.imported == 2 and result.rejected_file == tmp_path / "form.rejected.csv"

    got = {r.title: r for r in applications.list_applications(db, "TST")}
    assert got["Ovens"].amount_requested_pence == 125010  # the cell's digits, not 1250.0999999…
    assert got["Tents"].amount_requested_pence == 80000
    assert got["Ovens"].project_start == date(2026, 6, 1) and got["Ovens"].submitted_on == date(2026, 5, 12)
    assert got["Tents"].project_start == date(2027, 3, 31) and got["Tents"].submitted_on == date(2026, 5, 31)
    assert got["Ovens"].organisation == "Testville Lunch Club" and count(db, Organisation) == 2
    details = {t: applications.get_application(db, r.id).answers for t, r in got.items()}
    assert details["Ovens"] == {"volunteers": "2.5", "accessible": True}
    assert details["Tents"] == {"volunteers": "12", "accessible": False}


# --- mapping columns to fields --------------------------------------------------------------------------


def test_columns_named_like_a_field_or_its_label_are_mapped_and_read_only_fields_are_ignored(db):
    build_fund(db)
    questions.set_questions(db, "TST", [make_question("volunteers", "How many volunteers?", "number")])
    headers = ["PROJECT TITLE", "amount_requested", "Contact e-mail", "Letters in", "organisation type",
               "Organisation", "Reference", "status", "created_at", "How many volunteers?", "Favourite colour"]
    mapping = imports.suggest_mapping(db, "TST", headers)
    assert mapping == {
        "PROJECT TITLE": "title", "amount_requested": "amount_requested", "Contact e-mail": "contact_email",
        "Letters in": "contact_language", "organisation type": "organisation_type", "Organisation": "organisation",
        "Reference": "response_id",  # a form's reference for the response: part of the row's stable key
        "status": "", "created_at": "", "How many volunteers?": "answers.volunteers",
        "Favourite colour": "",
    }
    fields = imports.importable_fields(db, "TST")
    assert fields["title"] == "Project title" and fields["answers.volunteers"] == "How many volunteers?"


def test_required_fields_with_no_column_are_one_problem_each_and_a_saved_mapping_is_reused(db, tmp_path):
    build_fund(db)
    headers = ["Group name", "Group type", "What is your project called?", "How much?", "Ward"]
    rows = [["Scouts", "community group", f"Camp {i}", "£500", "Testville"] for i in range(30)]
    table = read_table(csv_file(tmp_path, rows, headers))

    plan = imports.check_import(db, "TST", table, {h: "" for h in headers})  # every column left out
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (1, "Organisation", "No column is mapped to Organisation."),
        (1, "Organisation type", "No column is mapped to Organisation type."),
        (1, "Project title", "No column is mapped to Project title."),
        (1, "Amount requested", "No column is mapped to Amount requested."),
    ]
    assert plan.valid_rows == 0 and plan.ignored_columns == headers
    with pytest.raises(imports.ImportRefused, match="column mapping"):
        imports.run_import(db, plan, valid_only=True)  # a missing column is never "some bad rows"

    mapping = {"Group name": "organisation", "Group type": "organisation_type",
               "What is your project called?": "title", "How much?": "amount_requested", "Ward": "area"}
    assert imports.saved_mapping(db, "TST") is None
    imports.save_mapping(db, "TST", mapping, actor="Priya Shah")
    assert imports.saved_mapping(db, "TST") == mapping

    next_export = read_table(csv_file(tmp_path, rows, [*headers, "Notes"], name="next.csv"))
    assert imports.suggest_mapping(db, "TST", next_export.headers) == {**mapping, "Notes": ""}
    plan = imports.check_import(db, "TST", next_export)
    assert plan.ok and plan.valid_rows == 30 and plan.ignored_columns == ["Notes"]
    assert imports.run_import(db, plan).imported == 30

    imports.save_mapping(db, "TST", {**mapping, "Ward": ""})  # saving again replaces, never adds a second
    assert count(db, ImportMapping) == 1 and imports.saved_mapping(db, "TST")["Ward"] == ""
    with db.unit_of_work() as uow:
        entries = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "import_mapping.save")).all()
        assert [e.actor for e in entries][0] == "Priya Shah" and len(entries) == 2
        assert entries[1].before == {"mapping": mapping}


def test_a_mapping_that_cannot_work_is_refused_with_the_column_named(db, tmp_path):
    build_fund(db)
    headers = ["Org", "Type", "Title", "Amount", "Also amount"]
    table = read_table(csv_file(tmp_path, [["Scouts", "community group", "Camp", "500", "600"]], headers))
    plan = imports.check_import(db, "TST", table, {
        "Org": "organisation", "Type": "organisation_type", "Title": "title", "Amount": "amount_requested",
        "Also amount": "amount_requested", "Colour": "favourite_colour"})
    assert [(p.row, p.column) for p in plan.problems] == [(1, "Colour"), (1, "Also amount")]
    assert "no column called “Colour”" in plan.problems[0].message
    assert "Both “Amount” and “Also amount” are mapped to Amount requested" in plan.problems[1].message
    with pytest.raises(ValidationError, match="not a field"):
        imports.save_mapping(db, "TST", {"Colour": "favourite_colour"})
    with pytest.raises(ValidationError, match="both mapped"):
        imports.save_mapping(db, "TST", {"Amount": "amount_requested", "Also amount": "amount_requested"})
    assert imports.saved_mapping(db, "TST") is None


def test_a_required_question_with_no_column_is_one_problem_not_one_per_row(db, tmp_path):
    build_fund(db)
    questions.set_questions(db, "TST", [make_question("accessible", "Is the venue step-free?", "yesno",
                                                      required=True)])
    headers = ["Organisation", "Organisation type", "Project title", "Amount requested"]
    table = read_table(csv_file(tmp_path, [["Scouts", "community group", f"Camp {i}", "500"] for i in range(5)],
                                headers))
    plan = imports.check_import(db, "TST", table)
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (1, "Is the venue step-free?", "No column is mapped to Is the venue step-free?.")]


# --- valid rows only, duplicates, organisations ------------------------------------------------------------


def test_valid_only_imports_the_good_rows_and_writes_the_others_with_a_problems_column(db, tmp_path):
    build_fund(db)
    rows = generated_rows(6)
    rows[1][6] = "lots"
    rows[4][5] = ""
    rows[4][8] = "12/13/2026"
    path = csv_file(tmp_path, rows)
    plan = imports.check_import(db, "TST", read_table(path))
    result = imports.run_import(db, plan, valid_only=True)

    assert (result.imported, result.rejected) == (4, 2)
    assert result.rejected_file == tmp_path / "export.rejected.csv"
    assert str(result.rejected_file) in result.message
    rejected = read_table(result.rejected_file)
    assert rejected.headers == [*HEADERS, "Problems"]
    assert [r[:-1] for r in rejected.rows] == [rows[1], rows[4]]  # the cells as they were, to fix and re-import
    assert rejected.rows[0][-1].startswith("Amount requested: “lots” is not an amount")
    assert rejected.rows[1][-1].startswith("Project title: Give the project a title.; Submitted on: ")
    with result.rejected_file.open("rb") as fh:
        assert fh.read(3) == b"\xef\xbb\xbf"  # Excel reads it as UTF-8
    assert sorted(r.title for r in applications.list_applications(db, "TST")) == [
        "Project 0", "Project 2", "Project 3", "Project 5"]
    with db.unit_of_work() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "application.import")).one()
        assert entry.after["imported"] == 4 and entry.after["rejected"] == 2

    elsewhere = tmp_path / "out" / "to-fix.csv"
    elsewhere.parent.mkdir()
    again = imports.run_import(db, imports.check_import(db, "TST", read_table(path)), valid_only=True,
                               rejected_path=elsewhere)
    assert again.rejected_file == elsewhere and len(read_table(elsewhere).rows) == 2


def test_likely_duplicates_are_decisions_reported_before_anything_is_written(db, tmp_path):
    build_fund(db, applications_count=1)  # TST-2026-0001 "Project 1" by Testville Lunch Club (1100001)
    headers = ["Organisation", "Organisation type", "Charity number", "Project title", "Amount requested"]
    rows = [
        ["Testville Lunch Club", "charity", "1100001", "PROJECT 1", "100"],  # row 2: as TST-2026-0001
        ["Riverside Allotments", "community group", "", "New shed", "300"],
        ["Oak Trust", "charity", "1200002", "New shed", "300"],  # a different organisation
        ["RIVERSIDE  ALLOTMENTS", "community group", "", "new shed!", "350"],  # row 5: as row 3
        ["Oak Trust", "charity", "1200002", "Path", "300"],
        ["Oak Trust", "charity", "1200002", "Paths", "300"],  # row 7: near-identical to row 6
        ["Oak Trust", "charity", "1200002", "Summer camp 2026", "300"],
        ["Oak Trust", "charity", "1200002", "Summer camp 2025", "300"],  # another year's camp: not the same
    ]
    table = read_table(csv_file(tmp_path, rows, headers))
    before = snapshot(db)
    plan = imports.check_import(db, "TST", table)
    assert plan.ok and not plan.ready
    assert [(d.row, d.key, d.message, d.decision) for d in plan.duplicates] == [
        (2, "2:duplicate", "Same organisation and title as TST-2026-0001 already in this round", None),
        (5, "5:duplicate", "Same organisation and title as row 3", None),
        (7, "7:duplicate", "Same organisation and title as row 6", None),
    ]
    assert plan.undecided == ["2:duplicate", "5:duplicate", "7:duplicate"]
    assert [r.row for r in plan.rows] == [3, 4, 6, 8, 9]  # undecided duplicates are left out
    with pytest.raises(imports.DecisionsNeeded, match="3 likely duplicates .rows 2, 5, 7. need a decision") as refused:
        imports.run_import(db, plan)
    assert [d.row for d in refused.value.duplicates] == [2, 5, 7]
    assert snapshot(db) == before  # reported before anything is written

    decided = imports.check_import(db, "TST", table, decisions={"2:duplicate": "skip", "5:duplicate": "import",
                                                                "7:duplicate": "skip"})
    assert decided.ready and [r.row for r in decided.rows] == [3, 4, 5, 6, 8, 9]
    result = imports.run_import(db, decided)
    assert (result.imported, result.skipped_duplicates) == (6, 2)
    assert "2 likely duplicates were skipped" in result.message
    titles = sorted(r.title for r in applications.list_applications(db, "TST"))
    assert titles == ["New shed", "New shed", "Path", "Project 1", "Summer camp 2025", "Summer camp 2026",
                      "new shed!"]


def test_a_duplicate_decision_must_be_one_of_its_choices(db, tmp_path):
    build_fund(db)
    table = read_table(csv_file(tmp_path, generated_rows(2)))
    with pytest.raises(ValidationError, match="“maybe” is not a decision for a duplicate"):
        imports.check_import(db, "TST", table, decisions={"3:duplicate": "maybe"})
    with pytest.raises(ValidationError, match="names no decision"):
        imports.check_import(db, "TST", table, decisions={"row three": "skip"})
    plan = imports.check_import(db, "TST", table, decisions={"3:duplicate": "skip", "duplicate": "skip"})
    assert plan.unused_decisions == ["3:duplicate"]  # no duplicate at row 3; a kind alone is never "unused"


def test_the_same_submission_twice_in_a_file_is_one_duplicate_and_a_second_import_adds_nothing(db, tmp_path):
    build_fund(db)
    rows = generated_rows(4)
    rows.append(list(rows[1]))  # row 6 is row 3 again, cell for cell
    path = csv_file(tmp_path, rows)
    plan = imports.check_import(db, "TST", read_table(path), decisions={"duplicate": "skip"})
    assert [(d.row, d.of_row, d.same_submission, d.decision) for d in plan.duplicates] == [(6, 3, True, "skip")]
    first = imports.run_import(db, plan)
    assert first.imported == 4 and first.references == {2: "TST-2026-0001", 3: "TST-2026-0002",
                                                       4: "TST-2026-0003", 5: "TST-2026-0004"}
    with db.unit_of_work() as uow:
        keys = uow.session.scalars(select(Application.import_key).order_by(Application.id)).all()
    assert len(set(keys)) == 4 and all(len(k) == 64 for k in keys)

    before = snapshot(db)
    again = imports.check_import(db, "TST", read_table(path))
    assert [(r.row, r.reference) for r in again.already_imported] == [
        (2, "TST-2026-0001"), (3, "TST-2026-0002"), (4, "TST-2026-0003"), (5, "TST-2026-0004"), (6, "TST-2026-0002")]
    assert again.ready and again.rows == [] and again.duplicates == []
    result = imports.run_import(db, again)
    assert result.imported == 0 and result.already_imported == 5
    assert result.message == "Nothing new to import into TST. 5 rows were imported before and were skipped."
    assert snapshot(db) == before  # not one row, counter or audit entry


def test_a_stable_key_is_the_rows_mapped_values_so_a_changed_cell_is_a_new_row(db, tmp_path):
    build_fund(db)
    rows = generated_rows(3)
    imports.run_import(db, imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows))))
    rows[0][6] = "£2,000"  # the same group and project asks for more: a likely duplicate, for the officer
    rows[1][1] = "Community Group"  # a change of case or spacing is the same row
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, name="again.csv")))
    assert [r.row for r in plan.already_imported] == [3, 4]
    assert [(d.row, d.of_reference) for d in plan.duplicates] == [(2, "TST-2026-0001")]


# --- who is who -------------------------------------------------------------------------------------------

UMBRELLA_HEADERS = ["Organisation", "Organisation type", "Charity number", "Contact name", "Contact e-mail",
                    "Letters in", "Project title", "Amount requested"]


def test_a_charity_number_another_name_holds_is_a_match_to_confirm_never_a_rename(db, tmp_path):
    build_fund(db)  # Testville Lunch Club, charity 1100001
    rows = [
        ["Testville Lunch Club", "charity", "1100001", "", "", "", "Soup", "100"],  # its own name: no question
        ["Testville Lunch Club Youth Wing", "charity", "1100001", "", "", "", "Games", "100"],  # row 3
        ["Testville Lunch Club Garden", "charity", "1100001", "", "", "", "Seeds", "100"],  # row 4
        ["testville lunch club  youth wing", "charity", "1100001", "", "", "", "Trips", "100"],  # row 5: as row 3
    ]
    table = read_table(csv_file(tmp_path, rows, UMBRELLA_HEADERS))
    plan = imports.check_import(db, "TST", table)
    assert [(m.key, m.kind, m.rows, m.given, m.stored, m.by, m.stored_row) for m in plan.matches] == [
        ("3:organisation", "organisation", [3, 5], "Testville Lunch Club Youth Wing", "Testville Lunch Club",
         "charity number 1100001", None),
        ("4:organisation", "organisation", [4], "Testville Lunch Club Garden", "Testville Lunch Club",
         "charity number 1100001", None),
    ]
    assert "which is Testville Lunch Club's" in plan.matches[0].message
    before = snapshot(db)
    with pytest.raises(imports.DecisionsNeeded, match="2 matches to confirm .rows 3, 4."):
        imports.run_import(db, plan)
    assert snapshot(db) == before

    decided = imports.check_import(db, "TST", table, decisions={"3:organisation": "different",
                                                                "4:organisation": "same"})
    assert [(r.row, r.organisation, r.new_organisation) for r in decided.rows] == [
        (2, "Testville Lunch Club", False), (3, "Testville Lunch Club Youth Wing", True),
        (4, "Testville Lunch Club", False), (5, "Testville Lunch Club Youth Wing", True)]
    result = imports.run_import(db, decided)
    assert result.imported == 4 and result.flags == []
    got = {r.title: r for r in applications.list_applications(db, "TST")}
    assert got["Games"].organisation == got["Trips"].organisation == "Testville Lunch Club Youth Wing"
    assert got["Seeds"].organisation == got["Soup"].organisation == "Testville Lunch Club"  # the officer said so
    with db.unit_of_work() as uow:
        orgs = {o.name: o for o in uow.session.scalars(select(Organisation))}
        assert set(orgs) == {"Testville Lunch Club", "Testville Lunch Club Youth Wing"}
        wing = orgs["Testville Lunch Club Youth Wing"]
        assert (wing.charity_number, wing.umbrella_charity_number, wing.org_id) == (None, "1100001", None)
        assert orgs["Testville Lunch Club"].charity_number == "1100001"  # the stored name is untouched
    # next time, the youth wing is found by its own name and the number it gave: no question
    again = imports.check_import(db, "TST", read_table(csv_file(tmp_path, [
        ["Testville Lunch Club Youth Wing", "charity", "1100001", "", "", "", "Kites", "100"]], UMBRELLA_HEADERS,
        name="next.csv")))
    assert again.matches == [] and again.rows[0].new_organisation is False


def test_three_groups_under_one_umbrella_number_in_a_new_file_keep_their_own_names(db, tmp_path):
    build_fund(db)
    rows = [["Stone Scouts 3rd Group", "charity", "1143005", "", "", "", "Tents", "500"],
            ["Stone Scouts 5th Group", "charity", "1143005", "", "", "", "Canoes", "500"],
            ["Stone Scouts 6th Group", "charity", "1143005", "", "", "", "Stoves", "500"]]
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, UMBRELLA_HEADERS)))
    assert [(m.row, m.given, m.stored, m.stored_row) for m in plan.matches] == [
        (3, "Stone Scouts 5th Group", "Stone Scouts 3rd Group", 2),
        (4, "Stone Scouts 6th Group", "Stone Scouts 3rd Group", 2)]
    assert "(in row 2)" in plan.matches[0].message
    result = imports.run_import(db, plan, valid_only=True)  # no decision: names as given, flagged
    assert result.imported == 3
    assert [(f.row, f.reference) for f in result.flags] == [(3, "TST-2026-0002"), (4, "TST-2026-0003")]
    assert result.flags[0].message.startswith("To review: charity number 1143005 is also Stone Scouts 3rd Group's")
    assert "2 applications need review" in result.message
    got = {r.title: r for r in applications.list_applications(db, "TST")}
    assert [got[t].organisation for t in ("Tents", "Canoes", "Stoves")] == [
        "Stone Scouts 3rd Group", "Stone Scouts 5th Group", "Stone Scouts 6th Group"]
    detail = applications.get_application(db, got["Canoes"].id)
    assert detail.history[-1].reason.startswith("Imported from export.csv, row 3. To review: charity number 1143005")
    assert applications.get_application(db, got["Tents"].id).history[-1].reason == ""
    with db.unit_of_work() as uow:
        reviews = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "application.import_review")
                                      .order_by(AuditEntry.id)).all()
        assert [(e.entity, e.entity_id) for e in reviews] == [("application", got["Canoes"].id),
                                                              ("application", got["Stoves"].id)]
        assert "charity number 1143005 also held by Stone Scouts 3rd Group" in reviews[0].summary


def test_a_contact_is_one_person_and_a_shared_inbox_is_a_match_to_confirm(db, tmp_path):
    build_fund(db)  # Testville Lunch Club: Ann Other, ann@example.org, letters in English
    rows = [
        ["Testville Lunch Club", "charity", "1100001", "ANN OTHER", "", "", "Soup", "100"],
        ["Testville Lunch Club", "charity", "1100001", "Ann Other", "ann@example.org", "", "Bread", "100"],
        ["Testville Lunch Club", "charity", "1100001", "Dafydd Jones", "ANN@example.org", "Welsh", "Cawl", "100"],
        ["Testville Lunch Club", "charity", "1100001", "Bob Baker", "bob@example.org", "Welsh", "Cakes", "100"],
        ["Testville Lunch Club", "charity", "1100001", "bob baker", "", "", "Pies", "100"],
        ["Testville Lunch Club", "charity", "1100001", "Ann Other", "ann@example.org", "Cymraeg", "Bara", "100"],
        ["Scouts", "community group", "", "", "", "", "Tents", "100"],
    ]
    table = read_table(csv_file(tmp_path, rows, UMBRELLA_HEADERS))
    plan = imports.check_import(db, "TST", table)
    assert [(m.key, m.given, m.stored, m.by) for m in plan.matches] == [
        ("4:contact", "Dafydd Jones", "Ann Other", "e-mail ANN@example.org"),
        ("7:contact", "Ann Other", "Ann Other", "letter language"),
    ]
    assert "shared inbox" in plan.matches[0].message and "asks for letters in Welsh" in plan.matches[1].message
    contacts_before = count(db, Contact)
    imports.run_import(db, imports.check_import(db, "TST", table, decisions={"4:contact": "different",
                                                                            "7:contact": "same"}))
    assert count(db, Contact) == contacts_before + 2  # Dafydd Jones and Bob Baker
    got = {r.title: r for r in applications.list_applications(db, "TST")}
    assert got["Soup"].contact_name == got["Bread"].contact_name == got["Bara"].contact_name == "Ann Other"
    assert (got["Cawl"].contact_name, got["Cawl"].contact_email, got["Cawl"].contact_language) == (
        "Dafydd Jones", "ANN@example.org", "cy")
    assert got["Cakes"].contact_name == got["Pies"].contact_name == "Bob Baker"
    assert got["Cakes"].contact_language == "cy" and got["Tents"].contact_name is None
    assert got["Bara"].contact_language == "cy"  # the officer said it is Ann: her letters are now in Welsh
    with db.unit_of_work() as uow:
        [changed] = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "contact.update")).all()
        assert (changed.before, changed.after) == ({"letter_language": "en"}, {"letter_language": "cy"})


def test_undecided_contacts_go_in_as_given_and_a_stored_language_is_never_changed(db, tmp_path):
    build_fund(db)
    rows = [["Testville Lunch Club", "charity", "1100001", "Dafydd Jones", "ann@example.org", "Welsh", "Cawl", "100"],
            ["Testville Lunch Club", "charity", "1100001", "Ann Other", "ann@example.org", "Welsh", "Bara", "100"],
            ["Testville Lunch Club", "charity", "1100001", "Dafydd Jones", "ann@example.org", "", "Te", "100"]]
    result = imports.run_import(db, imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows,
                                                                                       UMBRELLA_HEADERS))),
                                valid_only=True)
    assert [f.row for f in result.flags] == [2, 3, 4]  # row 4 is Dafydd again: the contact row 2 made
    got = {r.title: r for r in applications.list_applications(db, "TST")}
    assert (got["Cawl"].contact_name, got["Cawl"].contact_language) == ("Dafydd Jones", "cy")
    assert (got["Bara"].contact_name, got["Bara"].contact_language) == ("Ann Other", "cy")
    assert got["Te"].contact_name == "Dafydd Jones"
    with db.unit_of_work() as uow:
        ann = uow.session.scalars(select(Contact).where(Contact.name == "Ann Other").order_by(Contact.id)).all()
        assert [c.letter_language for c in ann] == ["en", "cy"]  # the stored Ann is as she was


# --- one value for every row, and the values real exports hold -------------------------------------------


def test_one_value_for_every_row_fills_a_field_the_form_does_not_ask_and_is_remembered(db, tmp_path):
    build_fund(db)
    headers = ["Organisation", "Project title", "Amount requested"]
    rows = [["Scouts", f"Camp {i}", "500"] for i in range(3)]
    table = read_table(csv_file(tmp_path, rows, headers))
    plan = imports.check_import(db, "TST", table, constants={"organisation_type": "Community group"})
    assert plan.ok and plan.constants == {"organisation_type": "Community group"}
    bad = imports.check_import(db, "TST", table, constants={"organisation_type": "a club", "title": "Camp",
                                                            "area": "Atlantis", "colour": "red",
                                                            "response_id": "7"})
    assert [(p.row, p.column) for p in bad.problems] == [
        (1, "Organisation type (every row)"), (1, "Project title (every row)"), (1, "Area (every row)"),
        (1, "colour (every row)"), (1, "Form response ID (every row)"), (1, "Organisation type")]
    assert "“a club” is not a kind of organisation" in bad.problems[0].message
    assert "Column “Project title” already holds Project title" in bad.problems[1].message
    assert "Atlantis" in bad.problems[2].message

    imports.run_import(db, plan, remember_mapping=True)
    assert {r.organisation_type for r in applications.list_applications(db, "TST")} == {"community_group"}
    assert imports.saved_constants(db, "TST") == {"organisation_type": "Community group"}
    with db.unit_of_work() as uow:
        stored = uow.session.scalar(select(ImportMapping)).mapping
    assert stored == {"columns": plan.mapping, "constants": {"organisation_type": "Community group"}}
    again = imports.check_import(db, "TST", read_table(csv_file(tmp_path, [["Guides", "Hike", "50"]], headers,
                                                                name="next.csv")))
    assert again.ok and again.constants == {"organisation_type": "Community group"}  # remembered


def test_a_mapping_saved_in_the_older_shape_is_still_read(db, tmp_path):
    built = build_fund(db)
    with db.unit_of_work() as uow:
        uow.session.add(ImportMapping(fund_id=built.fund_id, name="default", mapping={"Group": "organisation"},
                                      updated_at=datetime(2026, 5, 1), updated_by="old"))
        uow.commit()
    assert imports.saved_mapping(db, "TST") == {"Group": "organisation"}
    assert imports.saved_constants(db, "TST") == {}
    assert imports.suggest_mapping(db, "TST", ["Group"]) == {"Group": "organisation"}


def test_blank_words_are_blank_in_optional_fields_but_not_in_required_ones(db, tmp_path):
    build_fund(db)
    headers = ["Organisation", "Organisation type", "Charity number", "Company number", "Contact phone",
               "Project title", "Amount requested", "Project start"]
    rows = [["Scouts", "community group", "n/a", "NA", "-", "Camp", "500", "none"],
            ["Guides", "community group", " N/A ", "nil", "None", "n/a", "500", ""]]
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, headers)))
    assert [(p.row, p.column) for p in plan.problems] == [(3, "Project title")]
    imports.run_import(db, plan, valid_only=True)
    [row] = applications.list_applications(db, "TST")
    assert (row.organisation, row.charity_number, row.company_number, row.project_start) == ("Scouts", None, None,
                                                                                            None)


def test_a_form_timestamp_is_the_submission_date_and_eligibility_uses_it(db, tmp_path):
    from grantdesk.services.eligibility import check_eligibility

    build_fund(db)  # the round takes applications from 01/04/2026 to 31/10/2026
    headers = ["Organisation", "Organisation type", "Project title", "Amount requested", "Timestamp"]
    rows = [["Scouts", "community group", "Camp", "500", "13/06/2026 09:52:34"],
            ["Guides", "community group", "Hike", "500", "2026-06-13T23:30:00Z"]]
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, headers)),
                                {**{h: "" for h in headers}, "Organisation": "organisation",
                                 "Organisation type": "organisation_type", "Project title": "title",
                                 "Amount requested": "amount_requested", "Timestamp": "submitted_on"})
    assert plan.ok, plan.problems
    imports.run_import(db, plan)
    got = {r.title: r for r in applications.list_applications(db, "TST")}
    assert got["Camp"].submitted_on == date(2026, 6, 13)
    assert got["Hike"].submitted_on == date(2026, 6, 14)  # 23:30 UTC in June is 00:30 the next day in the UK
    from grantdesk.domain.eligibility import Outcome

    report = check_eligibility(db, got["Camp"].id)
    assert next(r for r in report.results if r.rule == "round_open").outcome is Outcome.PASS


def test_a_submission_date_after_today_is_refused_for_the_row(db, tmp_path):
    build_fund(db)
    headers = ["Organisation", "Organisation type", "Project title", "Amount requested", "Submitted on"]
    rows = [["Scouts", "community group", "Camp", "500", "13/06/2026"],
            ["Guides", "community group", "Hike", "500", "14/06/2026 08:00"]]
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, headers)), today=date(2026, 6, 13))
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (3, "Submitted on", "14/06/2026 is after today (13/06/2026); an application cannot have been submitted in "
                            "the future.")]


def test_an_application_without_a_round_gets_the_round_open_on_its_submission_date(db, tmp_path):
    build_fund(db)
    headers = ["Organisation", "Organisation type", "Project title", "Amount requested", "Round", "Submitted on"]
    rows = [["Scouts", "community group", "Camp", "500", "", "01/06/2026"],
            ["Scouts", "community group", "Hike", "500", "2026–27", ""],
            ["Scouts", "community group", "Boat", "500", "1999", "01/06/2026"]]
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, headers)))
    assert [(p.row, p.column) for p in plan.problems] == [(4, "Round")]
    assert "2026–27" in plan.problems[0].message
    imports.run_import(db, plan, valid_only=True)
    assert {r.title: (r.round, r.reference) for r in applications.list_applications(db, "TST")} == {
        "Camp": ("2026–27", "TST-2026-0001"), "Hike": ("2026–27", "TST-2026-0002")}


def test_a_file_with_only_a_header_is_refused(db, tmp_path):
    build_fund(db)
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, [], HEADERS)))
    assert plan.total_rows == 0 and not plan.ok
    with pytest.raises(imports.ImportRefused, match="no applications"):
        imports.run_import(db, plan, valid_only=True)


# --- reading files -------------------------------------------------------------------------------------


def test_csv_files_are_read_in_utf8_with_or_without_bom_or_windows_1252_with_any_usual_separator(tmp_path):
    text = "Organisation;Amount requested;Project title\r\nCaf\u00e9 Cymru;\u00a31,250;Crêpes\r\n"
    variants = {
        "bom.csv": text.encode("utf-8-sig"),
        "plain.csv": text.encode("utf-8"),
        "windows.csv": text.encode("cp1252"),
        "tabs.csv": text.replace(";", "\t").encode("utf-8"),
        "commas.csv": text.replace(";", ",").replace("£1,250", '"£1,250"').encode("utf-8"),
        "excel-hint.csv": ("sep=;\r\n" + text).encode("cp1252"),
        "utf16.csv": text.replace(";", "\t").encode("utf-16"),
    }
    for name, data in variants.items():
        path = tmp_path / name
        path.write_bytes(data)
        table = read_table(path)
        assert table.headers == ["Organisation", "Amount requested", "Project title"], name
        assert table.rows == [["Café Cymru", "£1,250", "Crêpes"]], name
        assert table.source == name and table.path == path


def test_blank_rows_keep_the_spreadsheet_numbering_and_trailing_ones_are_dropped(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(" Organisation , Title ,\nA,x,\n,,\nB,y\n\n,\n", encoding="utf-8")
    table = read_table(path)
    assert table.headers == ["Organisation", "Title"]
    assert table.rows == [["A", "x"], ["", ""], ["B", "y"]]


@pytest.mark.parametrize("name, content, message", [
    ("applications.txt", b"a,b\n1,2\n", "imports .csv and .xlsx files"),
    ("old.xls", b"\xd0\xcf\x11\xe0", "old-style Excel"),
    ("empty.csv", b"", "is empty"),
    ("blank.csv", b"\n \n,,\n", "is empty"),
    ("noheader.csv", b",,\nScouts,Camp,500\n", "has no header row"),
    ("twice.csv", b"Organisation,Title,organisation\nA,B,C\n", "columns A and C are both called"),
    ("gap.csv", b"Organisation,,Title\nA,B,C\n", "column B has no name"),
    ("spill.csv", b"Organisation,Title\nA,B\nC,D,E\n", "row 3 has a value in column C"),
    ("broken.xlsx", b"not a zip file", "cannot be read as an Excel workbook"),
])
def test_files_that_cannot_be_imported_are_refused_with_a_sentence_saying_why(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=message):
        read_table(path)


def test_a_missing_file_is_named_in_the_refusal(tmp_path):
    with pytest.raises(ValidationError, match="There is no file at"):
        read_table(tmp_path / "nowhere.csv")


def test_written_csv_opens_in_excel_as_utf8_and_reads_back_the_same(tmp_path):
    path = tmp_path / "out.csv"
    write_csv(path, ["Name", "Amount", "When", "Yes?"], [["Tŷ Newydd, Rhyl", 1250.1, datetime(2026, 5, 12), True],
                                                           ["Quote \"here\"", None, date(2026, 1, 2), False]])
    assert path.read_bytes().startswith(b"\xef\xbb\xbfName,Amount")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        assert list(csv.reader(fh)) == [["Name", "Amount", "When", "Yes?"],
                                        ["Tŷ Newydd, Rhyl", "1250.1", "2026-05-12", "TRUE"],
                                        ['Quote "here"', "", "2026-01-02", "FALSE"]]


def test_the_rows_are_checked_again_when_importing_so_a_stale_plan_cannot_slip_through(db, tmp_path):
    built = build_fund(db)
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, generated_rows(3))))
    assert plan.ok
    with db.unit_of_work() as uow:  # meanwhile, the area is taken off the fund
        uow.session.execute(delete(FundArea).where(FundArea.area_id == built.area_id))
        uow.commit()
    before = snapshot(db)
    with pytest.raises(imports.ImportRefused) as refused:
        imports.run_import(db, plan)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "Area"), (3, "Area"), (4, "Area")]
    assert snapshot(db) == before


def test_a_plan_with_a_broken_mapping_is_refused_even_for_valid_rows_only(db, tmp_path):
    build_fund(db)
    table = read_table(csv_file(tmp_path, generated_rows(3)))
    plan = imports.check_import(db, "TST", table, {**imports.suggest_mapping(db, "TST", table.headers),
                                                   "Amount (£)": "amount_requested"})
    assert [(p.row, p.column) for p in plan.problems] == [(1, "Amount (£)")]
    with pytest.raises(imports.ImportRefused, match="column mapping") as refused:
        imports.run_import(db, plan, valid_only=True)
    assert refused.value.problems == plan.problems
    assert applications.list_applications(db, "TST") == []


def test_when_the_rejected_rows_cannot_be_written_nothing_is_imported(db, tmp_path):
    build_fund(db)
    rows = generated_rows(3)
    rows[0][6] = "lots"
    path = csv_file(tmp_path, rows)
    plan = imports.check_import(db, "TST", read_table(path))
    before = snapshot(db)
    with pytest.raises(ValidationError, match="could not be written"):
        imports.run_import(db, plan, valid_only=True, rejected_path=tmp_path / "no such folder" / "x.csv")
    with pytest.raises(ValidationError, match="over the file being imported"):
        imports.run_import(db, plan, valid_only=True, rejected_path=path)
    assert snapshot(db) == before and read_table(path).rows == rows


def test_the_rows_and_the_remembered_mapping_are_one_transaction(db, tmp_path, monkeypatch):
    build_fund(db)
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, generated_rows(5))))
    before = snapshot(db)

    def broken(*_args, **_kwargs):
        raise ValidationError("The mapping could not be saved.")

    monkeypatch.setattr(imports, "save_mapping", broken)  # the second step fails…
    with pytest.raises(ValidationError, match="mapping could not be saved"):
        imports.run_import(db, plan, remember_mapping=True)
    assert snapshot(db) == before  # …so not one row was kept either
    monkeypatch.undo()
    assert imports.run_import(db, plan, remember_mapping=True).imported == 5
    assert imports.saved_mapping(db, "TST") == plan.mapping
