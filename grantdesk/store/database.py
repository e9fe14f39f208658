"""Opening a GrantDesk database: engine settings, schema checks, upgrades with a backup first.

SQLite files run in WAL mode with foreign keys enforced, and every transaction begins with an
explicit ``BEGIN`` (the pysqlite driver otherwise runs DDL outside a transaction), so a migration or
a service that fails half-way leaves the file exactly as it was. A unit of work that writes begins
with ``BEGIN IMMEDIATE`` (SQLAlchemy's pysqlite recipe, chosen per connection by the ``WRITING``
execution option): it takes SQLite's write lock before it reads, waiting up to ``BUSY_TIMEOUT_MS``
for another writer, so two writers never both read and then fail to upgrade their locks (a deferred
``BEGIN`` would). Reads begin deferred and never wait for a writer (WAL).

A server URL (``postgresql://user@host:port/db``) is opened with psycopg 3 (``config.engine_url``).

A file that may not be written (``DatabaseLocation.read_only()``) is opened with SQLite's read-only
mode: it can be looked at, and any write is refused in plain words (``ReadOnlyDatabase``). A new file
is made only in a folder that exists (or in the app's own folder): a mistyped ``--db`` path does not
leave folders behind (``FolderMissing``).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Iterator
from urllib.parse import quote

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError
from grantdesk.i18n import _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

from grantdesk.config import DatabaseLocation, engine_url
from grantdesk.domain.errors import DatabaseError
from grantdesk.store import schema
from grantdesk.store.unit_of_work import (  # noqa: F401 (importable from here)
    WRITING,  # execution option: this connection's transaction writes (BEGIN IMMEDIATE)
    READ_ONLY_WORDS,
    ReadOnlyDatabase,
    UnitOfWork,
    is_read_only_error,
)


class FolderMissing(DatabaseError):
    """A new database was asked for in a folder that does not exist; nothing was created."""

    def __init__(self, folder: Path, path: Path):
        super().__init__(_("The folder {folder} does not exist, so there is no database at {path} and none was "
                           "created. Check the path, or make the folder first.").format(folder=folder, path=path))
        self.folder = folder
        self.path = path


BUSY_TIMEOUT_MS = 30_000  # how long a SQLite writer waits for another's write lock (unit_of_work.WRITER_WAIT_S)


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    url = engine_url(url)
    target: str | URL = url
    if read_only and url.startswith("sqlite:///") and ":memory:" not in url:
        # SQLite's own read-only mode: every write is refused by SQLite, even for a user who could write
        # (the path is %-quoted for SQLite's URI and handed over as it is, not parsed as a URL again)
        path = quote(url.removeprefix("sqlite:///"))
        target = URL.create("sqlite", database=f"file:{path}", query={"mode": "ro", "uri": "true"})
    if url.startswith("postgresql"):
        # a connection dropped by the server or the network (a laptop that slept) is replaced, not used
        engine = create_engine(target, pool_pre_ping=True)
    else:
        engine = create_engine(target)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, memory=":memory:" in url or url.rstrip("/") == "sqlite:")
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


def _configure_postgresql(engine: Engine) -> None:
    """PostgreSQL's ``sum()`` of integers (and any other integer arithmetic that widens) is ``numeric``,
    which the driver gives as a ``Decimal``; GrantDesk keeps no fractions (money is integer pence), so a
    whole number comes back as an ``int``, as SQLite gives it, and a true fraction stays a ``Decimal``."""
    from psycopg.types.numeric import NumericLoader

    class WholeNumbers(NumericLoader):
        def load(self, data):  # pragma: no cover - exercised by the PostgreSQL tests
            value = super().load(data)
            return int(value) if value.is_finite() and value == value.to_integral_value() else value

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by the PostgreSQL tests
        dbapi_connection.adapters.register_loader("numeric", WholeNumbers)


def _configure_sqlite(engine: Engine, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if not memory:
            # WAL itself is switched on once, when the file is known to be GrantDesk's (it is then a
            # property of the file); a file that is refused is never written to.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # pragma: no cover - exercised by every test
        writing = connection.get_execution_options().get(WRITING, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


class SchemaState(Enum):
    EMPTY = "empty"  # no tables: a new file
    CURRENT = "current"
    OLDER = "older"  # written by an older GrantDesk: upgrade
    NEWER = "newer"  # written by a newer GrantDesk: refuse
    UNKNOWN = "unknown"  # a revision this GrantDesk has never heard of, and not a later number: refuse
    FOREIGN = "foreign"  # tables, but not GrantDesk's


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    revision: str | None


def schema_status(engine: Engine) -> SchemaStatus:
    """Read the schema version with plain queries (no Alembic import)."""
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            if not tables:
                return SchemaStatus(SchemaState.EMPTY, None)
            if "alembic_version" not in tables:
                return SchemaStatus(SchemaState.FOREIGN, None)
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SADatabaseError as exc:
        raise DatabaseError(_driver_message(exc)) from exc
    if revision is None:
        return SchemaStatus(SchemaState.EMPTY if tables == {"alembic_version"} else SchemaState.FOREIGN, None)
    if revision == schema.HEAD:
        return SchemaStatus(SchemaState.CURRENT, revision)
    if revision in schema.REVISIONS:
        return SchemaStatus(SchemaState.OLDER, revision)
    return SchemaStatus(SchemaState.NEWER if is_later_revision(revision) else SchemaState.UNKNOWN, revision)


def _revision_number(revision: str) -> int | None:
    head, _, _ = revision.partition("_")
    return int(head) if head.isdigit() else None


def is_later_revision(revision: str) -> bool:
    """Whether a revision this GrantDesk does not know is numbered after its own latest (``0099_…``
    after ``0007_learning``): a newer GrantDesk wrote it. Anything else is unknown, not "newer"."""
    number, head = _revision_number(revision), _revision_number(schema.HEAD)
    return number is not None and head is not None and number > head


def _driver_message(exc: Exception) -> str:
    detail = str(getattr(exc, "orig", exc))
    if "file is not a database" in detail or "not a database" in detail:
        return _("That file is not a GrantDesk database (it is not a SQLite database at all).")
    if is_read_only_error(exc):
        return _("{read_only} Nothing was saved.").format(read_only=_(READ_ONLY_WORDS))
    if "unable to open" in detail:
        return _("The database file cannot be opened; check that the folder exists and you may write to it.")
    return _("The database could not be read: {detail}.").format(detail=detail)


class Database:
    """An open database: the engine and a session factory. Services open units of work on it, or
    read through ``reading()`` without the ORM (grantdesk.services.overview)."""

    def __init__(self, location: DatabaseLocation, engine: Engine | None = None):
        self.location = location
        self.read_only = engine is None and location.read_only()  # looked at, never written
        self.engine = engine or make_engine(location.url, read_only=self.read_only)
        self._sessions = None  # made on the first unit of work: sqlalchemy.orm loads only then
        self.created_schema = False  # set by open_database when it made the schema in an empty file

    def session(self) -> Session:
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        return self._sessions()

    def unit_of_work(self, *, write: bool = False) -> UnitOfWork:
        """A unit of work; ``write``: it will write, so on SQLite it takes the write lock at once."""
        return UnitOfWork(self, write=write)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A Core connection in one read transaction (one consistent snapshot), rolled back after:
        for reads that need no ORM. Nothing written through it is kept."""
        with self.engine.connect() as conn:
            yield conn

    def describe(self) -> str:
        return self.location.describe()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- opening, creating and upgrading ---------------------------------------------------------------


def open_database(location: DatabaseLocation, *, create: bool = False, upgrade: bool = True,
                  make_folder: bool | None = None) -> Database:
    """Open the database at ``location``, creating or upgrading it as allowed.

    - a missing SQLite file is created (with the full schema) only when ``create`` is true, and only
      in a folder that exists — unless ``make_folder`` (by default: only for the app's own folder);
    - a database made by an older GrantDesk is backed up next to itself, then upgraded;
    - a database from a newer GrantDesk, or one that is not GrantDesk's, is refused untouched;
    - a read-only file is opened for reading (``db.read_only``) if it needs nothing written.
    """
    if location.path is not None and not location.path.exists():
        if not create:
            raise DatabaseError(
                _("There is no GrantDesk database at {path}. Create one with “python -m grantdesk db init --db "
                  "{path}”.").format(path=location.path)
            )
        folder = location.missing_folder()
        if folder is not None:
            if not (location.in_app_folder if make_folder is None else make_folder):
                raise FolderMissing(folder, location.path)
            folder.mkdir(parents=True, exist_ok=True)
    db = Database(location)
    try:
        status = schema_status(db.engine)
        if db.read_only and status.state in (SchemaState.EMPTY, SchemaState.OLDER):
            raise ReadOnlyDatabase(
                _("{describe} is read-only, and GrantDesk would have to write to it first (it has no GrantDesk "
                  "tables yet). Nothing was changed; make the file writable, or open a copy of it.").format(
                    describe=location.describe()) if status.state is SchemaState.EMPTY else
                _("{describe} is read-only, and GrantDesk would have to write to it first (it was written by an "
                  "older GrantDesk, schema {revision}, and needs upgrading). Nothing was changed; make the file "
                  "writable, or open a copy of it.").format(describe=location.describe(), revision=status.revision)
            )
        if status.state is SchemaState.EMPTY:
            if not create:
                raise DatabaseError(_("{describe} is empty; run “python -m grantdesk db init” first.").format(
                                      describe=location.describe()))
            run_migrations(db.engine)
            db.created_schema = True
        elif status.state is SchemaState.OLDER:
            if not upgrade:
                raise DatabaseError(
                    _("{describe} was written by an older GrantDesk (schema {revision}) and needs upgrading to "
                      "{head}; run “python -m grantdesk db upgrade”.").format(
                      describe=location.describe(), revision=status.revision, head=schema.HEAD)
                )
            backup_then_upgrade(db, status.revision)
        elif status.state is SchemaState.NEWER:
            raise DatabaseError(
                _("{describe} was written by a newer GrantDesk (schema {revision}); this version knows schemas "
                  "up to {head}. Open it with the newer GrantDesk — nothing was changed.").format(
                  describe=location.describe(), revision=status.revision, head=schema.HEAD)
            )
        elif status.state is SchemaState.UNKNOWN:
            raise DatabaseError(
                _("{describe} has a schema revision this GrantDesk does not know ({revision}); it knows "
                  "{revisions} to {head}. It may come from a different build of GrantDesk — nothing was changed.").format(
                  describe=location.describe(), revision=status.revision, revisions=schema.REVISIONS[0], head=schema.HEAD)
            )
        elif status.state is SchemaState.FOREIGN:
            raise DatabaseError(
                _("{describe} is a database, but not a GrantDesk one; nothing was changed.").format(
                  describe=location.describe())
            )
        if location.path is not None and not db.read_only:
            _use_wal(db.engine)
    except BaseException:
        db.close()
        raise
    return db


def _use_wal(engine: Engine) -> None:
    """Write-ahead logging: readers never block the writer (persistent once set on a file)."""
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() != "wal":
            raw.execute("PRAGMA journal_mode = WAL")


def backup_then_upgrade(db: Database, from_revision: str | None) -> Path | None:
    """Copy the file to ``<name>.before-<head>-<timestamp>.bak`` next to it, then migrate to head."""
    backup = None
    if db.location.path is not None:
        backup = backup_file(db.location.path, f"before-{schema.HEAD}")
    run_migrations(db.engine)
    return backup


def backup_file(path: Path, label: str) -> Path:
    """A consistent copy of a SQLite file (SQLite's online backup, safe with WAL) next to it."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{label}-{stamp}.bak")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.{label}-{stamp}-{n}.bak")
    src = sqlite3.connect(path)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


def run_migrations(engine: Engine, target: str = "head") -> None:
    """Run Alembic migrations to ``target`` in one transaction (loads Alembic only now)."""
    from grantdesk.store.migrate import upgrade

    try:
        upgrade(engine, target)
    except OperationalError as exc:
        raise DatabaseError(_driver_message(exc)) from exc
