"""Backups: making one, restoring one, a backup each time the app closes a SQLite file, and a warning
when a SQLite file sits on a network share.

- A SQLite file is copied with SQLite's online backup API (consistent even while others read or write
  it, WAL included).
- A PostgreSQL database is dumped with ``pg_dump`` (custom format, restored with ``pg_restore``) when
  that is on PATH and can talk to the server; otherwise, or when asked (``logical=True``), it is
  written as a GrantDesk export: every table's rows as JSON, with the schema revision they belong to.
- ``restore_backup`` puts any of the three into the database given (a SQLite file or a PostgreSQL
  database), refusing one that already holds anything unless ``force``. A SQLite backup or a GrantDesk
  export can go into either engine, which is also how a team moves its SQLite file onto PostgreSQL.
- ``backup_on_close`` keeps one copy a day of a SQLite file in a ``backups`` folder beside it, for
  the last seven days.
- ``network_share_warning`` says when a SQLite file is on a network share (SQLite's locking is not
  safe there: two people at once can corrupt it) and points to PostgreSQL.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from grantdesk.config import DatabaseLocation, database_location
from grantdesk.domain.errors import DatabaseError, ValidationError
from grantdesk.store import schema
from grantdesk.store.database import SchemaState, make_engine, run_migrations, schema_status
from grantdesk.i18n import _

EXPORT_FORMAT = "grantdesk-export"
EXPORT_VERSION = 1
BACKUP_FOLDER = "backups"
KEEP_DAYS = 7
CHUNK = 1000

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_DUMP_MAGIC = b"PGDMP"
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # "sqlite", "pg_dump" or "export"
    message: str


@dataclass(frozen=True)
class RestoreResult:
    kind: str
    revision: str
    message: str


# --- making a backup -------------------------------------------------------------------------------


def make_backup(location: DatabaseLocation, out: str | os.PathLike[str], *, logical: bool = False,
                force: bool = False) -> BackupResult:
    """Back up the database at ``location`` to the file ``out`` (refused if it exists, unless ``force``)."""
    out = Path(out).expanduser().resolve()
    if out.exists() and not force:
        raise ValidationError(_("{out} already exists; choose another name (or --force to replace it).").format(
                                out=out), "out")
    if not out.parent.is_dir():
        raise ValidationError(_("The folder {parent} does not exist.").format(parent=out.parent), "out")
    if location.path is not None:
        if not location.path.is_file():
            raise DatabaseError(_("There is no GrantDesk database at {path}.").format(path=location.path))
        _require_grantdesk(location)
        if logical:
            _write_export(location, out)
            return BackupResult(out, "export", _("Exported {database} to {out} (a GrantDesk export).").format(
                database=location.describe(), out=out))
        sqlite_copy(location.path, out)
        return BackupResult(out, "sqlite", _("Backed up {database} to {out} (SQLite's online backup).").format(
            database=location.describe(), out=out))
    _require_grantdesk(location)
    note = ""
    if not logical:
        pg_dump = shutil.which("pg_dump")
        if pg_dump:
            done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--file={out}",
                                   f"--dbname={_libpq_url(location.url)}"], capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL)
            if done.returncode == 0:
                return BackupResult(out, "pg_dump", _("Backed up {database} to {out} with pg_dump (restore it with "
                                                      "“db restore”, or pg_restore).").format(
                                                          database=location.describe(), out=out))
            out.unlink(missing_ok=True)
            note = _(" (pg_dump could not be used: {reason})").format(reason=_first_line(done.stderr))
        else:
            note = _(" (pg_dump is not installed here)")
    _write_export(location, out)
    return BackupResult(out, "export", _("Exported {database} to {out} as a GrantDesk export{note}; restore it with "
                                         "“db restore”.").format(database=location.describe(), out=out, note=note))


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file with SQLite's online backup API, written beside ``target``
    first and then moved into place, so a half-made copy never has the backup's name."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, target)


def _sqlite_restore(backup: Path, target: Path) -> None:
    """Every page of the backup into the target file, through SQLite (which takes the file's lock and
    deals with its write-ahead log), in one step."""
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _require_grantdesk(location: DatabaseLocation) -> str:
    engine = make_engine(location.url)
    try:
        status = schema_status(engine)
    finally:
        engine.dispose()
    if status.state in (SchemaState.CURRENT, SchemaState.OLDER):
        return status.revision or ""
    if status.state is SchemaState.EMPTY:
        raise DatabaseError(_("{describe} is empty: there is nothing to back up.").format(
                              describe=location.describe()))
    raise DatabaseError(_("{describe} is not a GrantDesk database this version can read ({value}); nothing was "
                          "written.").format(describe=location.describe(), value=status.state.value))


def _libpq_url(url: str) -> str:
    """The URL as libpq's tools (pg_dump, pg_restore) take it: no SQLAlchemy driver name."""
    scheme, sep, rest = url.partition("://")
    return f"postgresql://{rest}" if sep and scheme.startswith("postgres") else url


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "no reason given"


# --- the GrantDesk export (JSON) -------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(column: sa.Column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, sa.Boolean):
        return bool(value)
    return value


def _grantdesk_tables(conn: sa.Connection) -> list[sa.Table]:
    meta = sa.MetaData()
    meta.reflect(conn)
    return [t for t in meta.sorted_tables if t.name != "alembic_version"]


def _write_export(location: DatabaseLocation, out: Path) -> None:
    engine = make_engine(location.url)
    partial = out.with_name(f".{out.name}.partial")
    opener = gzip.open if out.suffix == ".gz" else open
    try:
        with engine.connect() as conn, opener(partial, "wt", encoding="utf-8") as f:
            if conn.dialect.name == "postgresql":  # one consistent snapshot of every table
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
            head = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "schema": revision,
                    "made_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    "made_from": conn.dialect.name}
            f.write(json.dumps(head)[:-1] + ', "tables": [\n')
            for n, table in enumerate(_grantdesk_tables(conn)):
                columns = [c.name for c in table.c]
                f.write(("" if n == 0 else ",\n") + json.dumps({"name": table.name, "columns": columns})[:-1]
                        + ', "rows": [')
                order = [c for c in table.primary_key.columns] or list(table.c)
                for i, row in enumerate(conn.execute(sa.select(table).order_by(*order))):
                    f.write(("\n" if i == 0 else ",\n") + json.dumps([_encode(v) for v in row], ensure_ascii=False))
                f.write("]}")
            f.write("\n]}\n")
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()


# --- restoring -------------------------------------------------------------------------------------


def backup_kind(path: Path) -> str:
    """What a backup file is: "sqlite", "pg_dump" or "export"; refuses anything else."""
    try:
        with open(path, "rb") as f:
            start = f.read(16)
    except OSError as exc:
        raise ValidationError(_("{path} cannot be read: {value}.").format(path=path, value=exc.strerror or exc), "file") from exc
    if start.startswith(_SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(_PG_DUMP_MAGIC):
        return "pg_dump"
    if start.startswith(_GZIP_MAGIC) or start.lstrip().startswith(b"{"):
        return "export"
    raise ValidationError(_("{path} is not a GrantDesk backup (not a SQLite file, a pg_dump file or a GrantDesk "
                            "export).").format(path=path), "file")


def restore_backup(location: DatabaseLocation, backup: str | os.PathLike[str], *, force: bool = False) -> RestoreResult:
    """Put the backup into the database at ``location``. A database that already holds anything is
    refused unless ``force``, and then everything in it is replaced."""
    backup = Path(backup).expanduser().resolve()
    if not backup.is_file():
        raise ValidationError(_("There is no backup file at {backup}.").format(backup=backup), "file")
    kind = backup_kind(backup)
    if location.path is not None and location.path.resolve() == backup:
        raise ValidationError(_("The backup and the database to restore into are the same file."), "file")
    if location.path is not None and location.missing_folder() is not None:
        raise DatabaseError(_("The folder {parent} does not exist; nothing was restored.").format(
                              parent=location.path.parent))
    engine = make_engine(location.url)
    try:
        state = schema_status(engine).state
        if state is not SchemaState.EMPTY and not force:
            raise DatabaseError(_("{describe} already holds a database; nothing was restored. Restore into a "
                                  "new, empty database, or use --force to replace everything in it.").format(
                                  describe=location.describe()))
        if kind == "pg_dump":
            if engine.dialect.name != "postgresql":
                raise ValidationError(_("A pg_dump backup can only be restored into a PostgreSQL database; give "
                      "--db postgresql://…"), "db")
            if state is not SchemaState.EMPTY:
                _wipe(engine)
            revision = _pg_restore(location, backup)
        elif kind == "sqlite" and location.path is not None:
            revision = _revision_of_file(backup)
            engine.dispose()
            _check_known(revision)
            _sqlite_restore(backup, location.path)
        else:
            if state is not SchemaState.EMPTY:
                _wipe(engine)
            revision = _load_rows(engine, backup, kind)
    finally:
        engine.dispose()
    if revision != schema.HEAD:
        upgrade_engine = make_engine(location.url)
        try:
            run_migrations(upgrade_engine)
        finally:
            upgrade_engine.dispose()
    if revision != schema.HEAD:
        return RestoreResult(kind, revision, _("Restored {backup} into {database}, then upgraded from schema {revision} "
                                               "to {head}.").format(backup=backup.name, database=location.describe(),
                                                                    revision=revision, head=schema.HEAD))
    return RestoreResult(kind, revision, _("Restored {backup} into {database}.").format(
        backup=backup.name, database=location.describe()))


def _check_known(revision: str) -> None:
    if revision not in schema.REVISIONS:
        raise DatabaseError(_("The backup is at schema {revision}, which this GrantDesk does not know (it knows "
                              "{revisions} to {head}); restore it with the GrantDesk that made it.").format(
                              revision=revision, revisions=schema.REVISIONS[0], head=schema.HEAD))


def _revision_of_file(path: Path) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValidationError(_("{name} is a SQLite file but not a GrantDesk database.").format(name=path.name), "file") from exc
    finally:
        conn.close()
    if row is None:
        raise ValidationError(_("{name} is an empty GrantDesk database: there is nothing to restore.").format(
                                name=path.name), "file")
    return row[0]


def _wipe(engine: sa.Engine) -> None:
    """Drop every table (and GrantDesk's trigger function on PostgreSQL): --force."""
    with engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        meta.drop_all(conn)
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS grantdesk_refuse() CASCADE")


def _pg_restore(location: DatabaseLocation, backup: Path) -> str:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise DatabaseError(_("pg_restore is not installed here, so a pg_dump backup cannot be restored; install "
                    "PostgreSQL's client tools (Debian: postgresql-client)."))
    done = subprocess.run([pg_restore, "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                           f"--dbname={_libpq_url(location.url)}", str(backup)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise DatabaseError(_("pg_restore could not restore {name}: {first_line}. Nothing was restored.").format(
                              name=backup.name, first_line=_first_line(done.stderr)))
    engine = make_engine(location.url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    finally:
        engine.dispose()


def _export_source(backup: Path) -> tuple[str, Iterator[tuple[str, list[str], list[list[Any]]]]]:
    opener = gzip.open if backup.read_bytes()[:2] == _GZIP_MAGIC else open
    try:
        with opener(backup, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except (ValueError, OSError) as exc:
        raise ValidationError(_("{name} is not a GrantDesk export that can be read ({exc}).").format(
                                name=backup.name, exc=exc), "file") from exc
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ValidationError(_("{name} is not a GrantDesk export.").format(name=backup.name), "file")
    if data.get("version") != EXPORT_VERSION:
        raise DatabaseError(_("{name} is a GrantDesk export of a later kind (version {get}); restore it with the "
                              "GrantDesk that made it.").format(name=backup.name, get=data.get('version')))
    return data["schema"], ((t["name"], t["columns"], t["rows"]) for t in data["tables"])


def _sqlite_source(backup: Path) -> tuple[str, Iterator[tuple[str, list[str], list[list[Any]]]]]:
    revision = _revision_of_file(backup)
    source = make_engine(database_location(backup).url, read_only=True)

    def tables():
        try:
            with source.connect() as conn:
                for table in _grantdesk_tables(conn):
                    order = [c for c in table.primary_key.columns] or list(table.c)
                    rows = [[_encode(v) for v in row] for row in conn.execute(sa.select(table).order_by(*order))]
                    yield table.name, [c.name for c in table.c], rows
        finally:
            source.dispose()

    return revision, tables()


def _load_rows(engine: sa.Engine, backup: Path, kind: str) -> str:
    """Make the schema the backup was taken at, put its rows in (one transaction), then set each
    PostgreSQL sequence past the largest id given."""
    revision, tables = (_sqlite_source if kind == "sqlite" else _export_source)(backup)
    _check_known(revision)
    run_migrations(engine, revision)
    with engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)
        for name, columns, rows in tables:
            if name not in meta.tables:
                raise DatabaseError(_("The backup has a table {name} that schema {revision} does not; nothing "
                                      "was restored.").format(name=name, revision=revision))
            table = meta.tables[name]
            cols = [table.c[c] for c in columns]
            for start in range(0, len(rows), CHUNK):
                conn.execute(sa.insert(table), [{c.name: _decode(c, v) for c, v in zip(cols, row, strict=True)}
                                                for row in rows[start:start + CHUNK]])
        if conn.dialect.name == "postgresql":
            reset_sequences(conn)
    return revision


def reset_sequences(conn: sa.Connection) -> None:
    """After rows were written with their ids given, each table's id sequence carries on past the
    largest (PostgreSQL does not move a sequence for an id it was not asked for)."""
    rows = conn.execute(sa.text(
        "SELECT c.relname, a.attname, pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE c.relkind = 'r' AND n.nspname = current_schema()")).all()
    for table, column, sequence in rows:
        if sequence:
            conn.execute(sa.text(f'SELECT setval(:seq, coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)'),
                         {"seq": sequence})


# --- a backup each time the app closes a SQLite file -----------------------------------------------


def backup_on_close(location: DatabaseLocation, *, today: date | None = None) -> Path | None:
    """Copy a SQLite file to ``backups/<name>-<yyyy-mm-dd>.db`` beside it (the day's latest replaces the
    day's earlier one) and remove its copies from more than ``KEEP_DAYS`` days ago. Nothing for a server
    database, the sample database or a read-only file. Returns the copy made, if any."""
    path = location.path
    if path is None or location.is_samples or not path.is_file() or location.read_only():
        return None
    today = today or date.today()
    folder = path.parent / BACKUP_FOLDER
    target = folder / f"{path.stem}-{today.isoformat()}{path.suffix or '.db'}"
    try:
        folder.mkdir(exist_ok=True)
        sqlite_copy(path, target)
    except (OSError, sqlite3.Error) as exc:  # closing the app must not fail for it: said in the log
        logging.getLogger(__name__).warning("No backup of %s was made on closing: %s", path, exc)
        return None
    oldest = today - timedelta(days=KEEP_DAYS - 1)
    prefix = f"{path.stem}-"
    for old in folder.glob(f"{prefix}*"):
        day = old.name[len(prefix):len(prefix) + 10]
        try:
            when = date.fromisoformat(day)
        except ValueError:
            continue
        if when < oldest and old.suffix == target.suffix:
            old.unlink(missing_ok=True)
    return target


# --- SQLite on a network share ---------------------------------------------------------------------

NETWORK_FILESYSTEMS = frozenset({
    "cifs", "smb", "smb2", "smb3", "smbfs", "nfs", "nfs4", "sshfs", "fuse.sshfs", "afs", "ncpfs", "9p",
    "fuse.rclone", "davfs", "fuse.davfs2", "glusterfs", "fuse.glusterfs", "ceph", "lustre",
})

DRIVE_REMOTE = 4  # GetDriveTypeW


def network_filesystem(path: Path, *, mounts: str | None = None, platform: str | None = None) -> str | None:
    """The kind of network share ``path`` is on ("cifs", "nfs4", "network drive" …), or None when it
    is on a local disk or this cannot be told. ``mounts`` (the text of /proc/mounts) and ``platform``
    are for tests."""
    platform = platform or sys.platform
    text = str(path)
    if platform.startswith("win"):
        if text.startswith(("\\\\", "//")):
            return "network share"
        drive = os.path.splitdrive(text)[0]
        if drive and mounts is None:
            try:
                import ctypes

                if ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == DRIVE_REMOTE:  # type: ignore[attr-defined]
                    return "network drive"
            except (AttributeError, OSError):
                return None
        return None
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    best, kind = "", None
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (text == point or text.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, kind = point, parts[2]
    if kind and (kind in NETWORK_FILESYSTEMS or kind.split(".")[-1] in NETWORK_FILESYSTEMS):
        return kind
    return None


def network_share_warning(location: DatabaseLocation, **probe: Any) -> str | None:
    """A plain warning when the SQLite file is on a network share, or None."""
    if location.path is None:
        return None
    try:
        where = location.path.resolve() if location.path.exists() else location.path.parent.resolve()
    except OSError:
        return None
    kind = network_filesystem(where, **probe)
    if kind is None:
        return None
    return _("This database file is on a network share ({kind}). SQLite cannot lock a file safely over a network: "
             "if two people use it at once it can be corrupted. For a team, put GrantDesk on a PostgreSQL database "
             "(see the README, “A team on one database”); for one person, keep the file on this computer's own "
             "disk.").format(kind=kind)
