"""Spreadsheets as plain tables: read a CSV or XLSX export into headers and rows, write a CSV back.

Reading never interprets cells beyond what the file format itself says: a CSV gives text, an XLSX
gives text, whole numbers, floats, datetimes or ``None``. What the cells *mean* is decided by the
importer (``grantdesk.services.imports``) through the one validation path.

Rows keep their spreadsheet numbering: the header is row 1 and ``rows[i]`` is row ``i + 2``. Blank
rows in the middle of a file are kept (as blank rows) so that numbering still matches what people see
in Excel; blank rows at the end are dropped.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, Iterable

from grantdesk.domain.errors import ValidationError
from grantdesk.i18n import _

__all__ = ["Table", "read_table", "write_csv", "column_letter", "is_blank", "is_blank_word", "BLANK_WORDS",
           "MAX_FILE_BYTES", "MAX_ROWS"]

CSV_SUFFIXES = (".csv", ".tsv")
# The largest file and the most rows (under the header) an import reads: generous for any fund's form
# export (a busy fund has a few thousand), small enough that a wrong or hostile file is refused
# before it is all in memory. Read when a file is read (tests set smaller ones).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
XLSX_SUFFIXES = (".xlsx", ".xlsm")
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Table:
    """A file's header row and data rows. ``source`` is the file name, for messages."""

    headers: list[str]  # as in the file, stripped
    rows: list[list[Any]]  # cell values, each row as long as ``headers``
    source: str
    path: Path | None = None  # where it was read from (the rejected-rows file goes next to it)
    sha256: str | None = None  # of the file's bytes, for the audit trail


def column_letter(index: int) -> str:
    """Zero-based column index → spreadsheet letters: 0 → A, 25 → Z, 26 → AA."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def is_blank(value: Any) -> bool:
    """Nothing in the cell: ``None`` or only spaces. (A word that means nothing, such as "n/a", is not
    blank here: see ``is_blank_word``.)"""
    return value is None or (isinstance(value, str) and not value.strip())


# Words people and programs write in a cell to say "nothing here": form tools ("n/a", "none"), R's
# write.csv ("NA"), spreadsheets ("-", "—"). Compared case-insensitively, spaces stripped.
BLANK_WORDS = frozenset({
    "n/a", "n/a.", "n.a.", "n.a", "na", "n/k", "none", "nil", "null", "nothing", "not applicable",
    "-", "--", "—", "–", ".",
})


def is_blank_word(value: Any) -> bool:
    """True for a cell holding only a word that means "nothing here" (``BLANK_WORDS``: "n/a", "N/A",
    "NA", "none", "-", "nil" …), in any case and with spaces around it.

    An *optional* field treats such a cell as blank (use ``is_blank(v) or is_blank_word(v)``). A
    *required* field does not: "NA" where a value is needed is a problem the row reports, so
    ``is_blank`` keeps its meaning and this is a separate question."""
    return isinstance(value, str) and " ".join(value.split()).casefold() in BLANK_WORDS


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """Read a ``.csv`` or ``.xlsx`` file (the sheet called ``sheet`` if there is one, else the first)
    into a ``Table``.

    CSV: UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order mark, else Windows-1252;
    comma, semicolon or tab separated, whichever the file uses. XLSX: the first sheet, read-only.
    Refuses, with a sentence saying why, a file of another kind, a file larger than ``MAX_FILE_BYTES``
    or with more than ``MAX_ROWS`` rows under the header, an empty file, a missing header row, and
    header rows with blank or repeated column names. (An XLSX is read with ``defusedxml`` installed,
    which openpyxl uses to refuse XML entity tricks.)
    """
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ValidationError(
            _("“{name}” is an old-style Excel file (.xls); open it in Excel, save it as .xlsx or .csv, and "
              "import that.").format(name=name))
    if suffix not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise ValidationError(
            _("GrantDesk imports .csv and .xlsx files; “{name}” is neither. Save it from the spreadsheet as CSV "
              "or Excel workbook and import that.").format(name=name))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES and path.is_file():
            raise ValidationError(
                _("“{name}” is {size_text}; GrantDesk imports files of up to {size_text2}. Split it into smaller "
                  "files and import each.").format(
                  name=name, size_text=_size_text(size), size_text2=_size_text(MAX_FILE_BYTES)))
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(_("There is no file at {path}.").format(path=path)) from None
    except IsADirectoryError:
        raise ValidationError(_("{path} is a folder, not a file.").format(path=path)) from None
    except OSError as exc:
        raise ValidationError(_("“{name}” cannot be opened: {value}.").format(name=name, value=exc.strerror or exc)) from None
    if not data.strip():
        raise ValidationError(_("“{name}” is empty: there is no header row and no data.").format(name=name))
    records = _csv_records(data, name) if suffix in CSV_SUFFIXES else _xlsx_records(data, name, sheet)
    headers, rows = _shape(records, name, blank="" if suffix in CSV_SUFFIXES else None)
    return Table(headers=headers, rows=rows, source=name, path=path, sha256=hashlib.sha256(data).hexdigest())


def _size_text(size: int) -> str:
    """A file size in words people read: "63 MB", "12 KB", "100 bytes"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:,.{0 if size >= 10 * scale else 1}f} {unit}"
    return f"{size:,} byte{'s' * (size != 1)}"


def _too_many_rows(name: str) -> ValidationError:
    return ValidationError(
        _("“{name}” has more than {max_rows:,} rows under the header; GrantDesk imports up to {max_rows:,} at a "
          "time. Split it into smaller files and import each.").format(name=name, max_rows=MAX_ROWS))


def _capped(records: Iterable[Any], name: str, convert=None) -> list[Any]:
    """The records (the header and up to ``MAX_ROWS`` rows under it; blank rows after those are
    dropped, as at the end of any file), each through ``convert``; more rows with anything in them
    are refused (``_too_many_rows``) without reading the rest into memory."""
    records = iter(records)
    head = islice(records, MAX_ROWS + 1)
    kept = list(head) if convert is None else [convert(r) for r in head]
    for extra in records:
        if any(not is_blank(c) for c in extra):
            raise _too_many_rows(name)
    return kept


# --- CSV ---------------------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    """The whole file as text (in the encodings ``_csv_records`` tries, in its order)."""
    if data.startswith(_UTF16_BOMS):  # Excel's "Unicode text" export
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("“{name}” says it is UTF-16 text but is not: {reason}.").format(
                                    name=name, reason=exc.reason)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            _("“{name}” is not text GrantDesk can read (neither UTF-8 nor Windows-1252: byte {start} is "
              "unreadable). Save it from the spreadsheet as “CSV UTF-8”.").format(name=name, start=exc.start + 1)) from None


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_SAMPLE_BYTES = 64_000


def _csv_records(data: bytes, name: str) -> list[list[Any]]:
    """The file's records, decoded as it is read (UTF-16 with a byte-order mark; else UTF-8, and
    Windows-1252 if that fails), so the whole file is never held as text as well as cells."""
    encodings = ("utf-16",) if data.startswith(_UTF16_BOMS) else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return _read_csv(data, encoding, name)
        except UnicodeDecodeError:
            continue
    _decode(data, name)  # says where the file stops being text, in the same words as ever
    raise ValidationError(_("“{name}” is not text GrantDesk can read.").format(name=name))  # not reached: _decode refuses it


def _read_csv(data: bytes, encoding: str, name: str) -> list[list[Any]]:
    sample = data[:_SAMPLE_BYTES].decode(encoding, errors="ignore")  # a cut character at the end is dropped
    first = sample.partition("\n")[0].strip()
    hinted = first.lower().startswith("sep=") and len(first) == 5  # Excel's "sep=;" hint line
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    if hinted:
        delimiter = first[4]
        stream.readline()
    else:
        delimiter = _sniff(sample)
    try:
        return _capped(csv.reader(stream, delimiter=delimiter), name)
    except csv.Error as exc:
        raise ValidationError(_("“{name}” is not a readable CSV file: {exc}.").format(name=name, exc=exc)) from None


def _sniff(text: str) -> str:
    """The delimiter (comma, semicolon or tab) that splits the first rows into the same number of
    columns as the header, preferring more columns; a comma when nothing is clear."""
    sample = text[:64_000]
    best, best_score = ",", (-1.0, 0)
    for delimiter in _DELIMITERS:
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
            rows = [r for _, r in zip(range(30), reader, strict=False)]
        except csv.Error:
            continue
        rows = [_trim(r) for r in rows if any(c.strip() for c in r)]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows[1:] if len(r) <= width) / max(1, len(rows) - 1)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- XLSX --------------------------------------------------------------------------------------------


def _xlsx_records(data: bytes, name: str, wanted: str | None = None) -> list[list[Any]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ValidationError(
            _("“{name}” cannot be read as an Excel workbook ({exc}); if it is password-protected, save an "
              "unprotected copy.").format(name=name, exc=exc)) from None
    try:
        if not workbook.worksheets:
            raise ValidationError(_("“{name}” has no sheets.").format(name=name))
        named = [ws for ws in workbook.worksheets if wanted and ws.title.strip().casefold() == wanted.casefold()]
        sheet = named[0] if named else workbook.worksheets[0]
        sheet.reset_dimensions()  # some exporters write a wrong size; read what is really there
        return _capped(sheet.iter_rows(values_only=True), name, lambda values: [_xlsx_value(v) for v in values])
    finally:
        workbook.close()


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (datetime, date, time, int, float)) or value is None:
        return value  # bool is an int
    return str(value)


# --- shaping -----------------------------------------------------------------------------------------


def _trim(row: list[Any]) -> list[Any]:
    end = len(row)
    while end and is_blank(row[end - 1]):
        end -= 1
    return row[:end]


def _header_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else " ".join(str(value).split())


def _shape(records: list[list[Any]], name: str, blank: Any) -> tuple[list[str], list[list[Any]]]:
    while records and not _trim(records[-1]):
        records.pop()
    if not records:
        raise ValidationError(_("“{name}” is empty: there is no header row and no data.").format(name=name))
    header_cells = _trim(records[0])
    if not header_cells:
        raise ValidationError(
            _("“{name}” has no header row: row 1 is blank. The first row must name the columns (Organisation, "
              "Project title, Amount requested …).").format(name=name))
    headers = [_header_text(v) for v in header_cells]
    body = records[1:]
    width = len(headers)
    for i, h in enumerate(headers):
        if not h:
            raise ValidationError(
                _("“{name}”: column {column_letter} has no name in the header row (row 1); give every column a "
                  "name, or delete the empty column.").format(name=name, column_letter=column_letter(i)))
    for number, row in enumerate(body, start=2):
        if len(row) <= width:  # most rows: nothing past the header's columns to look at
            continue
        used = _trim(row)
        if len(used) > width:
            raise ValidationError(
                _("“{name}”: row {number} has a value in column {column_letter}, which has no name in the header "
                  "row (row 1). Name the column, or check the row for a stray separator.").format(
                  name=name, number=number, column_letter=column_letter(len(used) - 1)))
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        key = h.casefold()
        if key in seen:
            raise ValidationError(
                _("“{name}”: columns {column_letter} and {column_letter2} are both called “{h}”; give each "
                  "column its own name.").format(
                  name=name, column_letter=column_letter(seen[key]), column_letter2=column_letter(i), h=h))
        seen[key] = i
    for i, row in enumerate(body):  # each row as long as the header, made in place (no second copy)
        if not isinstance(row, list):
            row = body[i] = list(row)
        if len(row) > width:
            del row[width:]
        elif len(row) < width:
            row.extend([blank] * (width - len(row)))
    return headers, body


# --- writing -----------------------------------------------------------------------------------------


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # the digits the cell showed, never a rounding of its binary value
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def write_csv(path: Path, headers: list[str], rows: list[list[Any]], *, bom: bool = True) -> None:
    """Write a CSV as UTF-8, by default with a byte-order mark so Excel shows £ and accented names
    correctly (``bom=False`` for files read by machines that do not expect one)."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([_cell_text(h) for h in headers])
        writer.writerows([_cell_text(c) for c in row] for row in rows)
