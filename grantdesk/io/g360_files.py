"""360Giving files on disk: read a JSON package, CSV or XLSX into grants; write them back out.

Reading keeps every value as the file wrote it (text, or what the spreadsheet cell holds; JSON
numbers become ``Decimal``, never ``float``). What the values *mean* is decided in one place,
``grantdesk.domain.open_data.read_grant``, for all three kinds of file.

A flat file's cell that holds only a word for "nothing here" ("NA", as R writes a missing value; "n/a",
"none", "-" …: ``grantdesk.io.tabular.BLANK_WORDS``) is blank, and the record remembers the word it
held. Where GrantDesk needs the value (identifier, title, amount awarded, award date, recipient's
name), the grant then has none, and its reading says so, naming the word. A row with nothing but such
words is a blank row.

Flat files name their columns by the standard's titles ("Recipient Org:Charity Number"), matched
ignoring case and spacing as real files write them ("From an open call?", "Grant Programme: Title"),
or by JSON path ("recipientOrganization/0/name"). Columns the standard does not name are listed,
not refused: publishers add their own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from grantdesk.domain.errors import ValidationError
from grantdesk.io.g360_schema import EXPORT_PATHS, Path360, normalise_title, title_of, title_paths
from grantdesk.io.tabular import is_blank, is_blank_word, read_table, write_csv
from grantdesk.i18n import _

__all__ = ["GrantRecord", "GrantsFile", "read_grants_file", "write_package", "flat_rows", "FORMATS",
           "format_of"]

FORMATS = ("json", "csv", "xlsx")


def format_of(path: Path) -> str:
    """``json``, ``csv`` or ``xlsx`` from the file name; a sentence if it is none of them."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise ValidationError(_("360Giving files are .json, .csv or .xlsx; “{name}” is none of them.").format(
                            name=Path(path).name))


@dataclass(frozen=True)
class GrantRecord:
    """One grant as the file holds it. ``number`` is the spreadsheet row (header = row 1) or the
    grant's position in a JSON file (from 1); ``columns`` maps a field to the column that held it."""

    number: int
    grant: dict[str, Any]
    columns: dict[Path360, str] = field(default_factory=dict)
    blank_words: dict[Path360, str] = field(default_factory=dict)  # field → the word its cell held ("NA")

    def where(self, path: Path360, kind: str) -> tuple[str, str]:
        """(“row 12” or “grant 12 (360G-…)”, the column or field) for a message."""
        if kind == "json":
            gid = self.grant.get("id")
            label = f"grant {self.number}" + (f" ({gid})" if isinstance(gid, str) and gid.strip() else "")
            return label, title_of(path) if path else ""
        column = self.columns.get(tuple(path)) or (title_of(path) if path else "")
        return f"row {self.number}", column


@dataclass(frozen=True)
class GrantsFile:
    source: str  # the file name, for messages
    path: Path
    kind: str  # json, csv or xlsx
    sha256: str
    records: list[GrantRecord]
    unused_columns: tuple[str, ...] = ()  # flat columns that are not 360Giving fields
    package: dict[str, Any] = field(default_factory=dict)  # a JSON package's metadata (no grants)


def read_grants_file(path: Path) -> GrantsFile:
    """Read any 360Giving file. Refuses, with a sentence saying why, a file that cannot be read or
    that is not 360Giving data at all."""
    path = Path(path)
    kind = format_of(path)
    if kind == "json":
        return _read_json(path)
    table = read_table(path, sheet="grants")
    paths: dict[int, Path360] = {}
    unused: list[str] = []
    known = title_paths()
    for index, header in enumerate(table.headers):
        found = known.get(normalise_title(header)) or _json_path(header)
        if found is None:
            unused.append(header)
        elif found not in paths.values():
            paths[index] = found
    if ("id",) not in paths.values() and ("amountAwarded",) not in paths.values():
        raise ValidationError(
            _("“{source}” does not look like a 360Giving file: no column is called Identifier or Amount Awarded. "
              "A 360Giving spreadsheet names its columns as the standard's template does (Identifier, Title, "
              "Amount Awarded, Recipient Org:Name …).").format(source=table.source))
    records = []
    for offset, row in enumerate(table.rows):
        grant: dict[str, Any] = {}
        columns: dict[Path360, str] = {}
        words: dict[Path360, str] = {}
        for index, target in paths.items():
            value = row[index]
            if is_blank(value):
                continue
            columns[target] = table.headers[index]
            if is_blank_word(value):
                words[target] = value.strip()
                continue
            _put(grant, target, value.strip() if isinstance(value, str) else value)
        if grant:
            records.append(GrantRecord(offset + 2, grant, columns, words))
    return GrantsFile(table.source, path, kind, table.sha256 or "", records, tuple(unused))


_PATH_PART = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def _json_path(header: str) -> Path360 | None:
    """A column named by JSON path (``recipientOrganization/0/name``), as flatten-tool also allows."""
    parts = [p.strip() for p in header.split("/")]
    out: list[str | int] = []
    for part in parts:
        if part.isdigit():
            out.append(int(part))
        elif _PATH_PART.match(part):
            out.append(part)
        else:
            return None
    if not out or not isinstance(out[0], str):
        return None
    known = set(title_paths().values())
    return tuple(out) if tuple(out) in known else None


def _put(grant: dict[str, Any], path: Path360, value: Any) -> None:
    node: Any = grant
    for key, following in zip(path[:-1], path[1:], strict=True):
        if isinstance(key, int):
            while len(node) <= key:
                node.append({})
            node = node[key]
        else:
            node = node.setdefault(key, [] if isinstance(following, int) else {})
    last = path[-1]
    if path == ("relatedActivity",) and isinstance(value, str):
        value = [v.strip() for v in value.split(";") if v.strip()]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def _read_json(path: Path) -> GrantsFile:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(_("There is no file at {path}.").format(path=path)) from None
    except OSError as exc:
        raise ValidationError(_("“{name}” cannot be opened: {value}.").format(
                                name=path.name, value=exc.strerror or exc)) from None
    try:
        parsed = json.loads(data.decode("utf-8-sig"), parse_float=Decimal)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("“{name}” is not UTF-8 text (byte {start}), so it is not JSON GrantDesk can read.").format(
                                name=path.name, start=exc.start + 1)) from None
    except json.JSONDecodeError as exc:
        raise ValidationError(_("“{name}” is not valid JSON: {msg} at line {lineno}, column {colno}.").format(
                                name=path.name, msg=exc.msg, lineno=exc.lineno, colno=exc.colno)) from None
    if isinstance(parsed, list):
        grants, package = parsed, {}
    elif isinstance(parsed, dict) and isinstance(parsed.get("grants"), list):
        grants, package = parsed["grants"], {k: v for k, v in parsed.items() if k != "grants"}
    else:
        hint = ""
        if isinstance(parsed, dict) and ("@context" in parsed or "tableSchema" in parsed or "tables" in parsed):
            hint = " It looks like CSV-on-the-Web metadata, which describes a CSV file; import the CSV itself."
        raise ValidationError(_("“{name}” is not a 360Giving file: it has no list of grants (a 360Giving JSON "
                                "file is {{\"grants\": [ … ]}}).{hint}").format(name=path.name, hint=hint))
    records = [GrantRecord(n, g if isinstance(g, dict) else {"__not_an_object__": g})
               for n, g in enumerate(grants, start=1)]
    return GrantsFile(path.name, path, "json", hashlib.sha256(data).hexdigest(), records, (), package)


# --- writing -----------------------------------------------------------------------------------------

_NUMBER = "\u0000number:"


def _json_text(package: dict[str, Any]) -> str:
    """JSON with amounts written exactly: Decimal → a JSON number with its own digits, never a float."""
    def number(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{_NUMBER}{format(value, 'f')}"
        raise TypeError(f"{type(value).__name__} cannot be written to JSON")

    text = json.dumps(package, ensure_ascii=False, indent=2, default=number)
    return re.sub(r'"\\u0000number:(-?[0-9.]+)"', r"\1", text)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return value


def flat_rows(grants: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """The one-sheet summary table: the template's columns, one row per grant. Columns no grant uses
    are left out, as the standard's own conversions do."""
    def get(grant: dict[str, Any], path: Path360) -> Any:
        node: Any = grant
        for key in path:
            if isinstance(key, int):
                node = node[key] if isinstance(node, list) and len(node) > key else None
            else:
                node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                return None
        return node

    used = [p for p in EXPORT_PATHS if any(get(g, p) not in (None, "", []) for g in grants)]
    rows = [[_cell(get(g, p)) for p in used] for g in grants]
    return [title_of(p) for p in used], rows


def _write_xlsx(target: Path, headers: list[str], rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("grants")
    sheet.append(headers)
    for row in rows:
        sheet.append([v.isoformat() if isinstance(v, (date, datetime)) else v for v in row])
    book.save(target)


def write_package(path: Path, package: dict[str, Any], *, before_replace: Callable[[], None] | None = None) -> None:
    """Write ``package`` as JSON, CSV or XLSX (by the file name): to a temporary file next to the
    target, then moved into place, so a failure never leaves half a file where the old one was.
    ``before_replace`` runs when the new file is complete, before it replaces the target; if it
    raises, the target is untouched."""
    path = Path(path)
    kind = format_of(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError(_("There is no folder {folder} to save “{name}” in.").format(
                                folder=folder, name=path.name))
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=folder)
    os.close(handle)
    temp = Path(temp_name)
    try:
        if kind == "json":
            temp.write_text(_json_text(package) + "\n", encoding="utf-8")
        else:
            headers, rows = flat_rows(package["grants"])
            if kind == "csv":
                write_csv(temp, headers, rows, bom=False)
            else:
                _write_xlsx(temp, headers, rows)
        if before_replace is not None:
            before_replace()
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise ValidationError(_("“{name}” could not be written ({value}); nothing was saved.").format(
                                name=path.name, value=exc.strerror or exc)) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
