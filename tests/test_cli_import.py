import json
from datetime import date

import pytest
from helpers import build_fund
from sqlalchemy import func, select

from grantdesk.cli import main
from grantdesk.io.tabular import read_table, write_csv
from grantdesk.services import applications
from grantdesk.store.models import Organisation

HEADERS = ["Organisation", "Organisation type", "Project title", "Amount", "Area", "Submitted on"]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def rows(n=5):
    return [[f"Group {i}", "community group", f"Project {i}", f"£{100 * (i + 1):,}", "Testville", "12/05/2026"]
            for i in range(n)]


def mapping_file(tmp_path):
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps({"Amount": "amount_requested"}), encoding="utf-8")
    return path


def test_a_clean_file_imports_and_says_how_many(db, location, tmp_path, capsys):
    build_fund(db)
    path = tmp_path / "form.csv"
    write_csv(path, HEADERS, rows())
    code, out, err = run(capsys, "applications", "import", path, "--fund", "tst", "--mapping",
                         mapping_file(tmp_path), "--db", location.path)
    assert code == 0, err
    assert out == "Imported 5 applications into TST.\n" and err == ""
    assert [r.amount_requested_pence for r in applications.list_applications(db, "TST")] == [
        10000, 20000, 30000, 40000, 50000]


def test_problems_are_printed_by_row_and_column_and_nothing_is_imported(db, location, tmp_path, capsys):
    build_fund(db)
    data = rows()
    data[2][3] = "a lot"
    data[4][4] = "Atlantis"
    path = tmp_path / "form.csv"
    write_csv(path, HEADERS, data)
    code, out, err = run(capsys, "applications", "import", path, "--fund", "TST", "--mapping",
                         mapping_file(tmp_path), "--db", location.path)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("row 4, column “Amount”: “a lot” is not an amount in pounds")
    assert lines[1].startswith("row 6, column “Area”: “Atlantis” is not one of the fund's areas")
    assert lines[2] == ("Nothing was imported: 2 problems in 2 rows. Fix them and import again, or use "
                        "--valid-only to import the other rows.")
    assert applications.list_applications(db, "TST") == []


def test_without_a_mapping_an_unrecognised_required_column_is_one_problem(db, location, tmp_path, capsys):
    build_fund(db)
    path = tmp_path / "form.csv"
    write_csv(path, [h if h != "Amount" else "Figure" for h in HEADERS], rows(50))  # a header nothing matches
    code, _, err = run(capsys, "applications", "import", path, "--fund", "TST", "--db", location.path)
    assert code == 1
    assert err.splitlines() == [
        "row 1, column “Amount requested”: No column is mapped to Amount requested.",
        "Nothing was imported: 1 problem. Fix the column mapping (see --mapping) and import again.",
    ]


def test_valid_only_imports_the_rest_and_names_the_rejected_file(db, location, tmp_path, capsys):
    build_fund(db)
    data = rows()
    data[1][5] = "30/02/2026"
    path = tmp_path / "form.csv"
    write_csv(path, HEADERS, data)
    code, out, err = run(capsys, "applications", "import", path, "--fund", "TST", "--mapping",
                         mapping_file(tmp_path), "--valid-only", "--db", location.path)
    assert code == 0, err
    rejected = tmp_path / "form.rejected.csv"
    assert out.splitlines() == [
        "Imported 4 applications into TST.",
        f"1 row was not imported; they are in {rejected} with a Problems column.",
    ]
    table = read_table(rejected)
    assert table.headers[-1] == "Problems" and table.rows[0][:-1] == data[1]
    assert table.rows[0][-1] == "Submitted on: “30/02/2026” is not a real date."


def test_duplicates_are_warnings_and_the_import_still_succeeds(db, location, tmp_path, capsys):
    build_fund(db)
    data = rows(2)
    data.append(list(data[0]))
    path = tmp_path / "form.csv"
    write_csv(path, HEADERS, data)
    code, out, err = run(capsys, "applications", "import", path, "--fund", "TST", "--mapping",
                         mapping_file(tmp_path), "--db", location.path)
    assert code == 0 and out == "Imported 3 applications into TST.\n"
    assert err == "warning: row 4: Same organisation and title as row 2.\n"
    code, out, err = run(capsys, "applications", "import", path, "--fund", "TST", "--mapping",
                         mapping_file(tmp_path), "--db", location.path)
    assert code == 0
    assert err.splitlines()[0] == "warning: row 2: Same organisation and title as TST-2026-0001 already in this round."


def test_files_and_mappings_that_cannot_be_read_are_one_line_errors(db, location, tmp_path, capsys):
    build_fund(db)
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    code, out, err = run(capsys, "applications", "import", notes, "--fund", "TST", "--db", location.path)
    assert code == 1 and out == "" and err.startswith("error: GrantDesk imports .csv and .xlsx files")
    path = tmp_path / "form.csv"
    write_csv(path, HEADERS, rows())
    bad = tmp_path / "bad.json"
    bad.write_text('["Amount", "amount_requested"]', encoding="utf-8")
    code, _, err = run(capsys, "applications", "import", path, "--fund", "TST", "--mapping", bad,
                       "--db", location.path)
    assert code == 1 and err.startswith("error: The mapping file") and err.count("\n") == 1
    code, _, err = run(capsys, "applications", "import", path, "--fund", "NOPE", "--db", location.path)
    assert code == 1 and err.startswith("error: There is no fund with code “NOPE”")
    with pytest.raises(SystemExit) as usage:  # --fund is required: a usage mistake
        run(capsys, "applications", "import", path, "--db", location.path)
    assert usage.value.code == 2 and "--fund" in capsys.readouterr().err
    assert applications.list_applications(db, "TST") == []


def test_what_applications_list_json_prints_imports_back_without_a_mapping(sample_db, sample_path, tmp_path, capsys):
    code, out, err = run(capsys, "applications", "list", "--fund", "PHP", "--json", "--db", sample_path)
    assert code == 0, err
    exported = json.loads(out)
    path = tmp_path / "php.csv"
    headers = list(exported[0])
    write_csv(path, headers, [[a[h] for h in headers] for a in exported])
    with sample_db.unit_of_work() as uow:
        organisations_before = uow.session.scalar(select(func.count()).select_from(Organisation))

    code, out, err = run(capsys, "applications", "import", path, "--fund", "PHP", "--db", sample_path)

    assert code == 0, err
    assert out == f"Imported {len(exported)} applications into PHP.\n"
    warnings = err.splitlines()
    assert len(warnings) == len(exported)  # every row is, rightly, the same as one already in its round
    assert warnings[0] == f"warning: row 2: Same organisation and title as {exported[0]['reference']} already in this round."
    code, out, _ = run(capsys, "applications", "list", "--fund", "PHP", "--json", "--db", sample_path)
    after = json.loads(out)
    old_refs = {a["reference"] for a in exported}
    imported = [a for a in after if a["reference"] not in old_refs]
    compared = ("title", "summary", "organisation", "organisation_type", "charity_number", "company_number",
                "contact_name", "contact_email", "contact_language", "amount_requested", "area", "round",
                "project_start", "project_end")
    assert [{k: a[k] for k in compared} for a in imported] == [{k: a[k] for k in compared} for a in exported]
    assert {a["status"] for a in imported} == {"submitted"}
    today = date.today().isoformat()  # drafts in the export were submitted by this import
    assert [a["submitted_on"] for a in imported] == [a["submitted_on"] or today for a in exported]
    with sample_db.unit_of_work() as uow:  # every organisation was found again, none made twice
        assert uow.session.scalar(select(func.count()).select_from(Organisation)) == organisations_before
