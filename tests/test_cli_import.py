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
        "Nothing was imported: 1 problem. Fix the column mapping (see --mapping and --set) and import again.",
    ]


def test_valid_only_imports_the_rest_and_names_the_rejected_file(db, location, tmp_path, capsys):
    build_fund(db)
    data = rows()
    data[1][5] = "30/02/2026"
    path = tmp_path / "form.csv"
    write_csv(path, HEADERS, data)
    code, out, err = run(capsys, "applications", "import", path, "--fund", "TST", "--mapping",
                         mapping_file(tmp_path), "--valid-only", "--db", location.path)
    assert code == 3, err  # imported, with rows left out (as import 360giving --valid-only says)
    rejected = tmp_path / "form.rejected.csv"
    assert out.splitlines() == [
        "Imported 4 applications into TST.",
        f"1 row was not imported; they are in {rejected} with a Problems column.",
    ]
    table = read_table(rejected)
    assert table.headers[-1] == "Problems" and table.rows[0][:-1] == data[1]
    assert table.rows[0][-1] == "Submitted on: “30/02/2026” is not a real date."


def test_duplicates_are_decisions_and_the_same_file_again_adds_nothing(db, location, tmp_path, capsys):
    build_fund(db)
    data = rows(2)
    data.append(list(data[0]))
    path = tmp_path / "form.csv"
    write_csv(path, HEADERS, data)
    args = ["applications", "import", path, "--fund", "TST", "--mapping", mapping_file(tmp_path), "--db", location.path]
    code, out, err = run(capsys, *args)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "row 4: likely duplicate — The same form submission as row 2 (--decide 4:duplicate=skip|import)",
        "Nothing was imported: 1 likely duplicate needs a decision. Give --decide KEY=CHOICE for each (or "
        "KIND=CHOICE for all of a kind), or use --valid-only to import the names as given, flagged for review, "
        "and skip the duplicates."]
    assert applications.list_applications(db, "TST") == []

    code, out, err = run(capsys, *args, "--decide", "4:duplicate=skip")
    assert code == 0, err
    assert out.splitlines() == ["Imported 2 applications into TST.",
                                "Skipped row 4 (likely duplicate): The same form submission as row 2."]
    code, out, err = run(capsys, *args)  # the same file again: nothing to decide, nothing to add
    assert code == 0, err
    assert out.splitlines() == ["Nothing new to import into TST.",
                                "3 rows were imported before and were skipped."]
    assert len(applications.list_applications(db, "TST")) == 2


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
    assert code == 1  # every row is, rightly, the same as one already in its round: a decision each
    assert err.splitlines()[0] == (f"row 2: likely duplicate — Same organisation and title as "
                                   f"{exported[0]['reference']} already in this round (--decide 2:duplicate=skip|import)")
    code, out, err = run(capsys, "applications", "import", path, "--fund", "PHP", "--decide", "duplicate=import",
                         "--db", sample_path)

    assert code == 0, err
    assert out == f"Imported {len(exported)} applications into PHP.\n" and err == ""
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


# --- --set, --dry-run, --json, --rejected, --decide, fields ------------------------------------------------

FORM_HEADERS = ["Name of your group", "Project title", "Amount", "Area"]


def form_rows():
    return [["Scouts", "Camp", "£500", "Testville"], ["Guides", "Hike", "£250", "Testville"],
            ["Cubs", "Kites", "lots", "Testville"]]


def everything(db, tmp_path):
    """Every file under tmp_path (name → bytes) and every table's row count: "nothing at all" is both."""
    from sqlalchemy import func as f

    from grantdesk.store.models import Base

    files = {p.name: p.read_bytes() for p in sorted(tmp_path.rglob("*")) if p.is_file() and ".db" not in p.name}
    with db.unit_of_work() as uow:
        counts = {t.name: uow.session.scalar(select(f.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    return files, counts


def test_set_gives_every_row_a_value_and_the_mapping_used_is_saved_with_it(db, location, tmp_path, capsys):
    from grantdesk.services import imports

    build_fund(db)
    path = tmp_path / "form.csv"
    write_csv(path, FORM_HEADERS, form_rows()[:2])
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"Name of your group": "organisation", "Amount": "amount_requested"}),
                       encoding="utf-8")
    base = ["applications", "import", path, "--fund", "TST", "--mapping", mapping, "--db", location.path]
    code, _, err = run(capsys, *base)
    assert code == 1 and "No column is mapped to Organisation type" in err
    code, _, err = run(capsys, *base, "--set", "organisation_type=a club")
    assert code == 1 and err.startswith("row 1, column “Organisation type (every row)”: “a club” is not a kind")
    code, out, err = run(capsys, *base, "--set", "organisation_type=community group")
    assert code == 0, err
    assert {r.organisation_type for r in applications.list_applications(db, "TST")} == {"community_group"}
    assert imports.saved_mapping(db, "TST")["Name of your group"] == "organisation"
    assert imports.saved_constants(db, "TST") == {"organisation_type": "community group"}

    write_csv(path, FORM_HEADERS, [["Brownies", "Badges", "£90", "Testville"]])  # next month's export
    code, out, err = run(capsys, "applications", "import", path, "--fund", "TST", "--db", location.path)
    assert code == 0, err  # the saved mapping and value are used: no --mapping, no --set
    assert applications.list_applications(db, "TST")[-1].organisation == "Brownies"
    with pytest.raises(SystemExit):
        run(capsys, *base, "--set")
    code, _, err = run(capsys, *base, "--set", "organisation_type")
    assert code == 1 and "“organisation_type” is not FIELD=VALUE" in err


def test_dry_run_writes_nothing_at_all_and_says_what_would_be_imported(db, location, tmp_path, capsys):
    build_fund(db)
    path = tmp_path / "form.csv"
    write_csv(path, FORM_HEADERS, form_rows())
    elsewhere = tmp_path / "fix-me.csv"
    args = ["applications", "import", path, "--fund", "TST", "--set", "organisation_type=community_group",
            "--mapping", mapping_file(tmp_path), "--db", location.path, "--dry-run"]
    before = everything(db, tmp_path)
    code, out, err = run(capsys, *args)
    assert code == 1 and out == "Dry run: nothing was written.\n"
    assert "row 4, column “Amount”" in err and err.endswith("Nothing would be imported: 1 row has problems.\n")
    code, out, err = run(capsys, *args, "--valid-only", "--rejected", elsewhere)
    assert code == 3, err  # as the import would: rows would be left out
    assert out.splitlines() == [
        "Dry run: nothing was written.", "Would import 2 applications into TST.",
        f"1 row would not be imported (they would go to {elsewhere}):",
        "  row 4, column “Amount”: “lots” is not an amount in pounds, such as £1,250 or 1250.00."]
    code, out, err = run(capsys, *args, "--valid-only", "--json")
    assert code == 3, err
    report = json.loads(out)
    assert report["dry_run"] is True and report["imported"] == 2 and report["refused"] is None
    assert [(a["row"], a["organisation"], a["reference"]) for a in report["applications"]] == [
        (2, "Scouts", None), (3, "Guides", None)]
    assert report["rejected"] == [{"row": 4, "problems": {"Amount": "“lots” is not an amount in pounds, such as "
                                                                    "£1,250 or 1250.00."}}]
    assert report["rejected_file"] == str(tmp_path / "form.rejected.csv")
    assert everything(db, tmp_path) == before  # no application, no saved mapping, no rejected file


def test_json_prints_one_object_with_imported_rejected_duplicates_and_matches(db, location, tmp_path, capsys):
    build_fund(db)  # Testville Lunch Club, charity 1100001
    headers = ["Organisation", "Organisation type", "Charity number", "Project title", "Amount requested"]
    path = tmp_path / "form.csv"
    write_csv(path, headers, [
        ["Lunch Club Garden", "community group", "1100001", "Seeds", "100"],
        ["Scouts", "community group", "n/a", "Camp", "500"],
        ["Scouts", "community group", "", "Camp!", "500"],
        ["Guides", "a club", "", "Hike", "500"],
    ])
    args = ["applications", "import", path, "--fund", "TST", "--db", location.path, "--json"]
    code, out, _ = run(capsys, *args)
    report = json.loads(out)
    assert code == 1 and report["imported"] == 0 and report["refused"].startswith("Nothing was imported")
    code, out, _ = run(capsys, *args, "--valid-only", "--rejected", tmp_path / "rej.csv")
    assert code == 3  # imported, with the unreadable row left out
    report = json.loads(out)
    assert report["dry_run"] is False and report["imported"] == 2
    assert [(a["row"], a["reference"], a["organisation"], a["new_organisation"]) for a in report["applications"]] == [
        (2, "TST-2026-0001", "Lunch Club Garden", True), (3, "TST-2026-0002", "Scouts", True)]
    assert report["applications"][0]["review"][0].startswith("To review: charity number 1100001 is also Testville")
    assert report["rejected"][0]["row"] == 5 and list(report["rejected"][0]["problems"]) == ["Organisation type"]
    assert report["rejected_file"] == str(tmp_path / "rej.csv")
    assert [(d["row"], d["of_row"], d["decision"]) for d in report["duplicates"]] == [(4, 3, None)]
    assert [(m["key"], m["kind"], m["given"], m["stored"], m["by"], m["decision"]) for m in report["matches"]] == [
        ("2:organisation", "organisation", "Lunch Club Garden", "Testville Lunch Club", "charity number 1100001",
         None)]


def test_a_decision_for_a_row_with_nothing_to_decide_is_refused_naming_the_rows_there_are(db, location, tmp_path,
                                                                                           capsys):
    build_fund(db)
    data = rows(2)
    data.append(list(data[0]))
    path = tmp_path / "form.csv"
    write_csv(path, HEADERS, data)
    code, _, err = run(capsys, "applications", "import", path, "--fund", "TST", "--mapping", mapping_file(tmp_path),
                       "--decide", "3:duplicate=skip", "--db", location.path)
    assert code == 1
    assert err == ("error: --decide 3:duplicate: form.csv has no match to confirm or likely duplicate there (this "
                   "file's: 4:duplicate); nothing was imported.\n")
    code, _, err = run(capsys, "applications", "import", path, "--fund", "TST", "--mapping", mapping_file(tmp_path),
                       "--decide", "4:duplicate=perhaps", "--db", location.path)
    assert code == 1 and "“perhaps” is not a decision for a duplicate (4:duplicate); choose skip or import" in err
    assert applications.list_applications(db, "TST") == []


def test_fields_lists_the_names_to_map_and_set_with_their_labels(db, location, capsys):
    from grantdesk.domain.questions import make_question
    from grantdesk.services import questions

    build_fund(db)
    questions.set_questions(db, "TST", [make_question("volunteers", "How many volunteers?", "number",
                                                      required=True)])
    code, out, err = run(capsys, "applications", "fields", "--fund", "tst", "--db", location.path)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["FIELD", "LABEL", "REQUIRED"] and set(lines[1]) <= {"-", " "}
    assert lines[2].split() == ["organisation", "Organisation", "yes"]
    assert any(line.split()[:3] == ["response_id", "Form", "response"] for line in lines)
    assert lines[-1].split() == ["answers.volunteers", "How", "many", "volunteers?", "yes"]
    code, out, _ = run(capsys, "applications", "fields", "--fund", "TST", "--json", "--db", location.path)
    listed = json.loads(out)
    assert listed[0] == {"name": "organisation", "label": "Organisation", "required": True}
    assert {"name": "contact_email", "label": "Contact e-mail", "required": False} in listed
