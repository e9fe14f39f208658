"""Imports cap a file's size and rows, and read XLSX with defusedxml present (issue 23, item 5).

The caps are module constants of grantdesk.io.tabular, set small here rather than writing giant files."""

import pytest
from openpyxl import Workbook

from grantdesk.domain.errors import ValidationError
from grantdesk.io import tabular
from grantdesk.io.tabular import read_table


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def xlsx(tmp_path, rows, name="export.xlsx"):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def test_the_caps_are_generous_and_named():
    assert tabular.MAX_FILE_BYTES == 50 * 1024 * 1024
    assert tabular.MAX_ROWS == 200_000


def test_a_file_above_the_size_cap_is_refused_naming_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 2048)
    path = write(tmp_path, "big.csv", b"Organisation,Amount\n" + b"Scouts,500\n" * 300)  # 3.2 KB
    with pytest.raises(ValidationError) as refused:
        read_table(path)
    assert str(refused.value) == ("“big.csv” is 3.2 KB; GrantDesk imports files of up to 2.0 KB. Split it into "
                                  "smaller files and import each.")
    path = write(tmp_path, "small.csv", b"Organisation,Amount\n" + b"Scouts,500\n" * 100)  # 1.0 KB: read
    assert len(read_table(path).rows) == 100


def test_an_xlsx_above_the_size_cap_is_refused_too(tmp_path, monkeypatch):
    path = xlsx(tmp_path, [["Organisation", "Amount"], *[["Scouts", 500]] * 50])
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", path.stat().st_size - 1)
    with pytest.raises(ValidationError, match=r"GrantDesk imports files of up to .* KB"):
        read_table(path)


def test_a_csv_with_more_rows_than_the_cap_is_refused_naming_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 1_000)
    path = write(tmp_path, "many.csv", b"Organisation,Amount\n" + b"Scouts,500\n" * 1_001)
    with pytest.raises(ValidationError) as refused:
        read_table(path)
    assert str(refused.value) == ("“many.csv” has more than 1,000 rows under the header; GrantDesk imports up to "
                                  "1,000 at a time. Split it into smaller files and import each.")


def test_exactly_the_cap_is_read_and_blank_rows_after_it_do_not_count(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 1_000)
    path = write(tmp_path, "full.csv", b"Organisation,Amount\n" + b"Scouts,500\n" * 1_000 + b",\n\n , \n" * 50)
    table = read_table(path)
    assert len(table.rows) == 1_000 and table.rows[-1] == ["Scouts", "500"]
    # a blank row inside the file still counts (rows keep their spreadsheet numbers)
    path = write(tmp_path, "gap.csv", b"Organisation,Amount\n" + b"Scouts,500\n" * 999 + b",\nScouts,500\n")
    with pytest.raises(ValidationError, match="more than 1,000 rows"):
        read_table(path)


def test_an_xlsx_with_more_rows_than_the_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_ROWS", 20)
    path = xlsx(tmp_path, [["Organisation", "Amount"], *[["Scouts", 500]] * 21])
    with pytest.raises(ValidationError, match="more than 20 rows under the header; GrantDesk imports up to 20"):
        read_table(path)
    path = xlsx(tmp_path, [["Organisation", "Amount"], *[["Scouts", 500]] * 20], name="twenty.xlsx")
    assert len(read_table(path).rows) == 20


def test_xlsx_is_read_with_defusedxml_in_place():
    import defusedxml  # a dependency (pyproject.toml), not only something that happens to be installed
    import openpyxl

    assert defusedxml.__version__
    assert openpyxl.DEFUSEDXML is True  # openpyxl parses every XML part of the workbook through it


def test_defusedxml_is_a_declared_dependency():
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert any(d.replace(" ", "").lower().startswith("defusedxml") for d in project["project"]["dependencies"])
