"""Bringing past grants in from real 360Giving files (../shared/360giving/samples) as history."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grantdesk.cli import main
from grantdesk.config import database_location
from grantdesk.domain.errors import ValidationError
from grantdesk.io.g360_files import read_grants_file
from grantdesk.services import open_data
from grantdesk.store.queries import application_facts
from grantdesk.services.letters import build_letters
from grantdesk.services.payments import fund_awards
from grantdesk.store.database import open_database
from grantdesk.store.models import Application, Award, AuditEntry, Organisation

SAMPLES = [
    "trafford_council_voluntary_sector_grants.csv",
    "trafford_council_voluntary_sector_grants.json",
    "ab_charitable_trust_a001p00000zgyHZAAY.xlsx",
    "ab_charitable_trust_a001p00000zgyHZAAY.converted.json",
    "grantnav_testdata_community_foundations_awefw001p00000zgyHZAAY.json",
    "grantnav_testdata_esmee_fairbairn_grantnav-20180903134856.json",
    "grantnav_testdata_wolfson_a002400000KeYdsAAF.json",
    "grantnav_testdata_lloyds_bank_foundation_a002400000OiDBQAA3.json",
]


def _samples(shared_dir: Path) -> Path:
    return shared_dir / "360giving" / "samples"


def _count_in_file(path: Path) -> tuple[int, Decimal]:
    """How many grants a file holds and their total, read without GrantDesk: the JSON's own list, or
    the spreadsheet's rows (for the two spreadsheets, their publisher's JSON is the oracle)."""
    twin = {".csv": path.with_suffix(".json"), ".xlsx": path.with_name(path.stem + ".converted.json")}
    source = twin.get(path.suffix, path)
    grants = json.loads(source.read_text(encoding="utf-8"), parse_float=Decimal)["grants"]
    return len(grants), sum(Decimal(str(g["amountAwarded"])) for g in grants)


@pytest.mark.parametrize("name", SAMPLES)
def test_every_real_sample_file_imports_with_the_count_and_total_it_holds(sample_db, shared_dir, name):
    path = _samples(shared_dir) / name
    expected, total = _count_in_file(path)
    plan = open_data.check_grants_import(sample_db, "BBL", path)
    assert plan.problems == () and plan.to_import == expected
    result = open_data.import_grants(sample_db, plan)
    assert (result.imported, result.skipped) == (expected, 0)
    assert Decimal(result.total_pence) / 100 == total
    rows = open_data.past_grants(sample_db, "BBL")
    assert len(rows) == expected
    assert sum(r.amount_pence for r in rows) == result.total_pence


def test_the_messy_files_say_what_was_read_generously(sample_db, shared_dir):
    wolfson = open_data.check_grants_import(sample_db, "BBL", _samples(shared_dir) /
                                            "grantnav_testdata_wolfson_a002400000KeYdsAAF.json")
    assert "379 date(s) were written day/month/year, as in 05/06/2014, and were read as UK dates." in wolfson.notes
    assert "114 grant(s) are for £0; they are kept, as the file records them." in wolfson.notes
    assert ("379 grants were made by Wolfson Foundation, not Oxford City Council (GB-LAE-OXO); they will be kept "
            "as Blackbird Leys Community Fund's history all the same.") in wolfson.notes
    lloyds = open_data.check_grants_import(sample_db, "BBL", _samples(shared_dir) /
                                           "grantnav_testdata_lloyds_bank_foundation_a002400000OiDBQAA3.json")
    assert any(n.startswith("4116 “From an open call?” value(s) were written Y") for n in lloyds.notes)
    assert "5 grant(s) have no description; the title stands in for it." in lloyds.notes


def test_a_file_that_is_not_360giving_data_is_refused_in_words(sample_db, shared_dir):
    with pytest.raises(ValidationError, match="CSV-on-the-Web metadata"):
        open_data.check_grants_import(sample_db, "BBL", _samples(shared_dir) /
                                      "trafford_council_voluntary_sector_grants.csv-metadata.json")


def test_a_spreadsheet_reads_to_the_same_grants_as_its_publishers_json(shared_dir):
    from grantdesk.domain.open_data import read_grant

    for flat, twin in (("trafford_council_voluntary_sector_grants.csv", "trafford_council_voluntary_sector_grants.json"),
                       ("ab_charitable_trust_a001p00000zgyHZAAY.xlsx",
                        "ab_charitable_trust_a001p00000zgyHZAAY.converted.json")):
        a = [read_grant(r.grant).grant for r in read_grants_file(_samples(shared_dir) / flat).records]
        b = [read_grant(r.grant).grant for r in read_grants_file(_samples(shared_dir) / twin).records]
        assert a == b and None not in a


def test_importing_the_same_file_again_skips_the_grants_already_here(sample_db, shared_dir):
    path = _samples(shared_dir) / "trafford_council_voluntary_sector_grants.csv"
    open_data.import_grants(sample_db, open_data.check_grants_import(sample_db, "BBL", path))
    again = open_data.check_grants_import(sample_db, "BBL", path)
    assert len(again.already) == 555 and again.to_import == 0
    result = open_data.import_grants(sample_db, again)
    assert (result.imported, result.skipped) == (0, 555)
    assert len(open_data.past_grants(sample_db, "BBL")) == 555


def test_one_bad_row_reports_row_column_and_problem_and_nothing_is_written(sample_db, shared_dir, tmp_path):
    source = _samples(shared_dir) / "trafford_council_voluntary_sector_grants.csv"
    with source.open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    rows[3][header.index("Amount Awarded")] = "lots"
    rows[7][header.index("Award Date")] = "31/02/2019"
    rows[9][header.index("Identifier")] = rows[2][header.index("Identifier")]
    bad = tmp_path / "trafford-edited.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with sample_db.session() as s:
        before = (s.scalar(select(func.count()).select_from(Application)),
                  s.scalar(select(func.count()).select_from(Organisation)),
                  s.scalar(select(func.count()).select_from(AuditEntry)))
    plan = open_data.check_grants_import(sample_db, "BBL", bad)
    problems = [str(p) for p in plan.problems]
    assert problems == [
        "row 4, column “Amount Awarded”: “lots” is not an amount in pounds, such as £1,250 or 1250.00.",
        "row 8, column “Award Date”: “31/02/2019” is not a real date.",
        f"row 10, column “Identifier”: the identifier {rows[2][0]} is also used by row 3.",
    ]
    with pytest.raises(open_data.GrantsImportRefused, match="3 grants cannot be read") as refused:
        open_data.import_grants(sample_db, plan)
    assert len(refused.value.problems) == 3
    with sample_db.session() as s:
        after = (s.scalar(select(func.count()).select_from(Application)),
                 s.scalar(select(func.count()).select_from(Organisation)),
                 s.scalar(select(func.count()).select_from(AuditEntry)))
    assert after == before


def test_a_failure_part_way_through_leaves_the_database_as_it_was(sample_db, shared_dir):
    plan = open_data.check_grants_import(sample_db, "BBL", _samples(shared_dir) /
                                         "grantnav_testdata_lloyds_bank_foundation_a002400000OiDBQAA3.json")
    with sample_db.session() as s:
        organisations = s.scalar(select(func.count()).select_from(Organisation))

    class Cancel:
        def report(self, done, total, label):
            if label == open_data.SAVING and done >= 1000:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        open_data.import_grants(sample_db, plan, progress=Cancel())
    assert open_data.past_grants(sample_db, "BBL") == []
    with sample_db.session() as s:  # the organisations made for the file went with it
        assert s.scalar(select(func.count()).select_from(Organisation)) == organisations


def test_the_csv_export_reimports_to_the_same_grants(sample_db, tmp_path):
    publication = open_data.prepare_360giving(sample_db, "PHP")
    open_data.publish_360giving(sample_db, publication, tmp_path / "php.csv")
    fresh = open_database(database_location(tmp_path / "fresh.db"), create=True)
    try:
        from grantdesk.services.samples import load_samples

        load_samples(fresh, ["oxford-blackbird-leys"])
        result = open_data.import_grants(fresh, open_data.check_grants_import(fresh, "BBL", tmp_path / "php.csv"))
        assert result.imported == publication.count
        rows = {r.grant_id: r for r in open_data.past_grants(fresh, "BBL")}
    finally:
        fresh.close()
    for grant in publication.package["grants"]:
        row = rows[grant["id"]]
        org = grant["recipientOrganization"][0]
        assert (row.title, row.recipient, Decimal(row.amount_pence) / 100, row.awarded_on.isoformat()) == \
            (grant["title"], org["name"], Decimal(grant["amountAwarded"]), grant["awardDate"])
        assert row.charity_number == org.get("charityNumber")
        assert row.company_number == org.get("companyNumber")


def test_past_grants_count_for_repeat_funding_but_get_no_letters_payments_or_republication(sample_db, tmp_path):
    with sample_db.session() as s:
        app = s.scalar(select(Application).where(Application.reference == "BBL-2026-0001"))
        org = app.organisation
        charity, name, award_day = org.charity_number, org.name, app.round.opens_on
    past = tmp_path / "past.json"
    past.write_text(json.dumps({"grants": [{
        "id": "360G-oxfordcc-OLD-1", "title": "Pantry start-up", "description": "Shelves and a fridge",
        "currency": "GBP", "amountAwarded": 900, "awardDate": date(award_day.year - 1, 6, 1).isoformat(),
        "recipientOrganization": [{"id": f"GB-CHC-{charity}", "name": name, "charityNumber": charity}],
        "fundingOrganization": [{"id": "GB-LAE-OXO", "name": "Oxford City Council"}],
        "beneficiaryLocation": [{"name": "Blackbird Leys"}]}]}), encoding="utf-8")
    letters_before = len(build_letters(sample_db, "BBL", "award").letters)
    payments_before = len(fund_awards(sample_db, "BBL"))
    published_before = open_data.prepare_360giving(sample_db, "BBL").count
    open_data.import_grants(sample_db, open_data.check_grants_import(sample_db, "BBL", past))
    with sample_db.session() as s:
        app = s.scalar(select(Application).where(Application.reference == "BBL-2026-0001"))
        _fund_id, facts = application_facts(s, app.id)
        imported = s.scalar(select(Application).join(Award).where(Award.grant_id == "360G-oxfordcc-OLD-1"))
        assert imported.organisation_id == app.organisation_id  # found by charity number, not duplicated
        assert imported.area.name == "Blackbird Leys" and imported.round_id is None
    assert len(facts.previous_awards) == 1
    assert len(build_letters(sample_db, "BBL", "award").letters) == letters_before
    assert len(fund_awards(sample_db, "BBL")) == payments_before
    assert open_data.prepare_360giving(sample_db, "BBL").count == published_before


def test_the_import_command_prints_the_count_or_every_problem(sample_path, shared_dir, tmp_path, capsys):
    path = _samples(shared_dir) / "grantnav_testdata_esmee_fairbairn_grantnav-20180903134856.json"
    assert main(["import", "360giving", str(path), "--fund", "PHP", "--db", str(sample_path)]) == 0
    assert capsys.readouterr().out.strip().startswith("Imported 5 past grants")
    bad = tmp_path / "bad.csv"
    bad.write_text("Identifier,Title,Currency,Amount Awarded,Award Date,Recipient Org:Name\n"
                   "360G-x-1,Hall roof,GBP,lots,2024-01-05,Village Hall\n", encoding="utf-8")
    assert main(["import", "360giving", str(bad), "--fund", "PHP", "--db", str(sample_path)]) == 1
    err = capsys.readouterr().err
    assert "row 2, column “Amount Awarded”: “lots”" in err and "Nothing was imported" in err


# --- real files as publishers wrote them at other times (issue 18) -----------------------------------------


def _trafford_rows(shared_dir: Path) -> list[list[str]]:
    with (_samples(shared_dir) / "trafford_council_voluntary_sector_grants.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _trafford_with_na(shared_dir: Path, tmp_path: Path) -> tuple[Path, list[list[str]]]:
    """Trafford's CSV as the council published it before August 2024 (traffordDataLab/council_open_data
    @ 4a0610d): written by R, every empty cell says NA."""
    rows = _trafford_rows(shared_dir)
    rows = [rows[0]] + [[cell if cell.strip() else "NA" for cell in row] for row in rows[1:]]
    return _write_csv(tmp_path / "trafford_council_voluntary_sector_grants.csv", rows), rows


def test_a_council_csv_with_na_in_its_optional_columns_imports_every_grant(sample_db, shared_dir, tmp_path):
    from grantdesk.domain.open_data import read_grant

    path, rows = _trafford_with_na(shared_dir, tmp_path)
    assert sum(row.count("NA") for row in rows) > 9000  # Amount Applied For, Planned Dates, Postal Code …
    plan = open_data.check_grants_import(sample_db, "BBL", path)
    assert plan.problems == () and plan.to_import == 555
    assert any(n.startswith("9070 cell(s) in optional columns held only a word for nothing, such as “NA”")
               for n in plan.notes)
    # NA is nothing: the grants read exactly as the publisher's JSON of the same data
    twin = _samples(shared_dir) / "trafford_council_voluntary_sector_grants.json"
    assert [r.grant for _, r in plan.readings] == [read_grant(r.grant).grant for r in read_grants_file(twin).records]
    result = open_data.import_grants(sample_db, plan)
    expected, total = _count_in_file(_samples(shared_dir) / "trafford_council_voluntary_sector_grants.csv")
    assert (result.imported, Decimal(result.total_pence) / 100) == (expected, total)
    rows_in = open_data.past_grants(sample_db, "BBL")
    assert not any("NA" in (r.charity_number or "", r.company_number or "") for r in rows_in)
    with sample_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Organisation).where(Organisation.postcode == "NA")) == 0


def test_na_where_a_value_is_needed_is_a_problem_that_names_the_word(sample_db, shared_dir, tmp_path):
    path, rows = _trafford_with_na(shared_dir, tmp_path)
    header = rows[0]
    rows[3][header.index("Amount Awarded")] = "NA"
    rows[5][header.index("Title")] = "n/a"
    rows[6][header.index("Recipient Org:Name")] = "-"
    _write_csv(path, rows)
    plan = open_data.check_grants_import(sample_db, "BBL", path)
    assert [str(p) for p in plan.problems] == [
        "row 4, column “Amount Awarded”: there is no amount (the cell says “NA”, which means no value).",
        "row 6, column “Title”: there is no title (the cell says “n/a”, which means no value).",
        "row 7, column “Recipient Org:Name”: the recipient organisation has no name (the cell says “-”, which "
        "means no value).",
    ]
    with pytest.raises(open_data.GrantsImportRefused, match="3 grants cannot be read"):
        open_data.import_grants(sample_db, plan)
    assert open_data.past_grants(sample_db, "BBL") == []


def _rewrite_xlsx_cells(source: Path, target: Path, column: str, change) -> Path:
    """A copy of an XLSX file with the cells of one column rewritten in the sheet's XML, as Excel itself
    writes them (openpyxl would round a float to 16 digits, and Excel's noise is the 17th)."""
    import re
    import zipfile

    cell = re.compile(rf'<c r="{column}(\d+)"([^>]*)><v>([^<]*)</v>')
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                text = cell.sub(lambda m: change(int(m[1]), m[2], m[3]) if int(m[1]) > 1 else m[0], text)
                data = text.encode("utf-8")
            zout.writestr(item, data)
    return target


def _column_of(path: Path, title: str) -> str:
    from openpyxl import load_workbook

    from grantdesk.io.tabular import column_letter

    book = load_workbook(path, read_only=True)
    try:
        headers = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))
    finally:
        book.close()
    return column_letter(list(headers).index(title))


def _noisy(row: int, amount: str) -> str:
    """The amount as Excel writes a calculated cell: 17 significant digits of a float one step off."""
    import math

    value = math.nextafter(float(amount), math.inf if row % 2 else -math.inf)
    return f"{value:.17g}"


def _cells(path: Path, column: str) -> list:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return [row[0].value for row in book.worksheets[0][f"{column}2:{column}{book.worksheets[0].max_row}"]]
    finally:
        book.close()


def test_a_funders_xlsx_with_excel_float_noise_in_its_amounts_imports_to_the_penny(sample_db, shared_dir, tmp_path):
    source = _samples(shared_dir) / "ab_charitable_trust_a001p00000zgyHZAAY.xlsx"
    column = _column_of(source, "Amount Awarded")
    meant: dict[int, Decimal] = {}  # row → the amount the cell stands for

    def noise(row, attributes, written):
        meant[row] = Decimal("41133.77") if row == 2 else Decimal(written)
        noisy = "41133.770000000004" if row == 2 else _noisy(row, written)
        return f'<c r="{column}{row}"{attributes}><v>{noisy}</v>'

    path = _rewrite_xlsx_cells(source, tmp_path / source.name, column, noise)
    cells = _cells(path, column)
    assert cells[0] == 41133.770000000004 != 41133.77  # what openpyxl hands over: not the amount itself
    assert len(cells) == 783 and all(isinstance(c, float) and c != int(c) for c in cells[1:])

    plan = open_data.check_grants_import(sample_db, "BBL", path)
    assert plan.problems == () and plan.to_import == 783
    assert "783 amount(s) carried a spreadsheet's rounding noise, as in 41133.770000000004, and were read to the " \
           "penny." in plan.notes
    assert {record.number: reading.grant.amount_pence for record, reading in plan.readings} == \
        {row: int(amount * 100) for row, amount in meant.items()}
    result = open_data.import_grants(sample_db, plan)
    expected, total = _count_in_file(source)
    original_first = Decimal(_cells(source, column)[0])
    assert result.imported == expected == 783
    assert Decimal(result.total_pence) / 100 == total - original_first + Decimal("41133.77")


def test_a_fraction_of_a_penny_is_left_out_with_valid_only_and_the_rest_imports(sample_db, shared_dir, tmp_path):
    source = _samples(shared_dir) / "ab_charitable_trust_a001p00000zgyHZAAY.xlsx"
    column = _column_of(source, "Amount Awarded")
    path = _rewrite_xlsx_cells(source, tmp_path / source.name, column, lambda row, attributes, written:
                               f'<c r="{column}{row}"{attributes}><v>{"41133.775" if row == 5 else written}</v>')
    plan = open_data.check_grants_import(sample_db, "BBL", path)
    assert [str(p) for p in plan.problems] == [
        "row 5, column “Amount Awarded”: “41133.775” has more than two decimal places; amounts are in pounds and pence."]
    assert plan.to_import == 782 and plan.unreadable == 1
    assert "1 of them cannot be read and will be left out; the other 782 will be imported" in plan.summary(valid_only=True)
    with pytest.raises(open_data.GrantsImportRefused):
        open_data.import_grants(sample_db, plan)
    result = open_data.import_grants(sample_db, plan, valid_only=True)
    assert (result.imported, result.left_out_grants) == (782, 1)
    assert [str(p) for p in result.left_out] == [str(p) for p in plan.problems]
    assert "1 grant that cannot be read was left out" in result.message
    with sample_db.session() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "grants.import"))
        assert entry.after["left_out"] == 1 and entry.after["left_out_rows"] == ["row 5"]
    # fixed, the same file brings in just the grant that was left out
    fixed = _rewrite_xlsx_cells(source, tmp_path / "fixed.xlsx", column, lambda row, attributes, written:
                                f'<c r="{column}{row}"{attributes}><v>{"41133.77" if row == 5 else written}</v>')
    again = open_data.import_grants(sample_db, open_data.check_grants_import(sample_db, "BBL", fixed))
    assert (again.imported, again.skipped, again.total_pence) == (1, 782, 4113377)


def test_award_dates_that_lost_their_date_format_are_read_as_excel_day_numbers(sample_db, shared_dir, tmp_path):
    source = _samples(shared_dir) / "ab_charitable_trust_a001p00000zgyHZAAY.xlsx"
    column = _column_of(source, "Award Date")
    path = _rewrite_xlsx_cells(source, tmp_path / source.name, column,  # style 0: General, a plain number
                               lambda row, attributes, written: f'<c r="{column}{row}" s="0"><v>{written}</v>')
    assert all(isinstance(c, int) for c in _cells(path, column))
    plan = open_data.check_grants_import(sample_db, "BBL", path)
    assert plan.problems == ()
    assert "783 date(s) were Excel day numbers, as in 44222, and were read as dates." in plan.notes
    originals = [read for _, read in open_data.check_grants_import(sample_db, "BBL", source).readings]
    assert [r.grant for _, r in plan.readings] == [r.grant for r in originals]


def test_valid_only_on_the_command_line_imports_the_rest_lists_the_others_and_says_so_in_its_exit_code(
        sample_path, shared_dir, tmp_path, capsys):
    path, rows = _trafford_with_na(shared_dir, tmp_path)
    header = rows[0]
    rows[3][header.index("Amount Awarded")] = "lots"
    rows[7][header.index("Award Date")] = "NA"
    _write_csv(path, rows)
    args = ["import", "360giving", str(path), "--fund", "BBL", "--db", str(sample_path)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Nothing was imported: 2 grants" in err and "--valid-only" in err
    assert main(args + ["--valid-only"]) == 3
    out, err = capsys.readouterr()
    assert out.strip().startswith("Imported 553 past grants")
    assert "2 grants that cannot be read were left out" in out
    assert "row 4, column “Amount Awarded”: “lots” is not an amount in pounds" in err
    assert "row 8, column “Award Date”: there is no award date (the cell says “NA”, which means no value)." in err
    assert main(args + ["--valid-only"]) == 3  # again: nothing new, the same two still listed
    out, err = capsys.readouterr()
    assert out.startswith("Nothing new in") and "row 4, column “Amount Awarded”" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("Identifier,Title,Currency,Amount Awarded,Award Date,Recipient Org:Name\n"
                   "360G-x-1,Hall roof,GBP,lots,2024-01-05,Village Hall\n", encoding="utf-8")
    assert main(["import", "360giving", str(bad), "--fund", "BBL", "--db", str(sample_path), "--valid-only"]) == 1
    assert "none of the 1 grant in bad.csv can be read" in capsys.readouterr().err
