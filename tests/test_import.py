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
        "Reference": "", "status": "", "created_at": "", "How many volunteers?": "answers.volunteers",
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


def test_duplicates_are_flagged_within_the_file_and_against_the_database_but_still_imported(db, tmp_path):
    build_fund(db, applications_count=1)  # TST-2026-0001 "Project 1" by Testville Lunch Club (1100001)
    headers = ["Organisation", "Organisation type", "Charity number", "Project title", "Amount requested"]
    rows = [
        ["Lunch Club (Testville)", "charity", "1100001", "PROJECT 1", "100"],  # same charity, same title
        ["Riverside Allotments", "community group", "", "New shed", "300"],
        ["Oak Trust", "charity", "1200002", "New shed", "300"],  # a different organisation
        ["RIVERSIDE ALLOTMENTS", "community group", "", "new shed", "350"],  # same as row 3
        ["Oak Trust", "charity", "1200002", "Path", "300"],
        ["Oak Trust Ltd", "charity", "1200002", "path", "300"],  # same charity number as row 6
    ]
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, headers)))
    assert plan.ok
    assert [(d.row, d.message) for d in plan.duplicates] == [
        (2, "Same organisation and title as TST-2026-0001 already in this round"),
        (5, "Same organisation and title as row 3"),
        (7, "Same organisation and title as row 6"),
    ]
    orgs_before = count(db, Organisation)
    assert imports.run_import(db, plan).imported == 6
    assert count(db, Organisation) == orgs_before + 2  # Riverside Allotments and one Oak Trust
    got = {(r.title, r.amount_requested_pence): r.organisation for r in applications.list_applications(db, "TST")}
    assert got[("PROJECT 1", 10000)] == "Testville Lunch Club"  # found by charity number
    assert got[("path", 30000)] == "Oak Trust"


def test_contacts_are_found_by_name_or_email_and_created_once(db, tmp_path):
    build_fund(db)  # Testville Lunch Club has Ann Other, ann@example.org
    headers = ["Organisation", "Organisation type", "Charity number", "Contact name", "Contact e-mail",
               "Letters in", "Project title", "Amount requested"]
    rows = [
        ["Testville Lunch Club", "charity", "1100001", "ANN OTHER", "", "", "Soup", "100"],
        ["Testville Lunch Club", "charity", "1100001", "Annie Other", "ann@example.org", "", "Bread", "100"],
        ["Testville Lunch Club", "charity", "1100001", "Bob Baker", "bob@example.org", "Welsh", "Cakes", "100"],
        ["Testville Lunch Club", "charity", "1100001", "bob baker", "", "", "Pies", "100"],
        ["Scouts", "community group", "", "", "", "", "Tents", "100"],
    ]
    before = count(db, Contact)
    imports.run_import(db, imports.check_import(db, "TST", read_table(csv_file(tmp_path, rows, headers))))
    assert count(db, Contact) == before + 1
    got = {r.title: r for r in applications.list_applications(db, "TST")}
    assert got["Soup"].contact_name == got["Bread"].contact_name == "Ann Other"
    assert got["Cakes"].contact_name == got["Pies"].contact_name == "Bob Baker"
    assert got["Cakes"].contact_language == "cy" and got["Tents"].contact_name is None
    with db.unit_of_work() as uow:
        created = uow.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ["organisation.create", "contact.create"])).order_by(AuditEntry.id)).all()
        assert [(e.action, e.summary) for e in created[-2:]] == [
            ("organisation.create", "Recorded organisation Scouts"),
            ("contact.create", "Recorded contact for Testville Lunch Club")]


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
