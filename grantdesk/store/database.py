"""Opening a GrantDesk database: engine settings, schema checks, upgrades with a backup first.

SQLite files run in WAL mode with foreign keys enforced, and every transaction begins with an
explicit ``BEGIN`` (the pysqlite driver otherwise runs DDL outside a transaction), so a migration or
a service that fails half-way leaves the file exactly as it was.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

from grantdesk.config import DatabaseLocation
from grantdesk.domain.errors import DatabaseError
from grantdesk.store import schema
from grantdesk.store.unit_of_work import UnitOfWork  # noqa: F401 (importable from here, as before)


def make_engine(url: str) -> Engine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, memory=":memory:" in url or url.rstrip("/") == "sqlite:")
    return engine


def _configure_sqlite(engine: Engine, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        if not memory:
            # WAL itself is switched on once, when the file is known to be GrantDesk's (it is then a
            # property of the file); a file that is refused is never written to.
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # pragma: no cover - exercised by every test
        connection.exec_driver_sql("BEGIN")


class SchemaState(Enum):
    EMPTY = "empty"  # no tables: a new file
    CURRENT = "current"
    OLDER = "older"  # written by an older GrantDesk: upgrade
    NEWER = "newer"  # written by a newer GrantDesk: refuse
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
    return SchemaStatus(SchemaState.NEWER, revision)


def _driver_message(exc: Exception) -> str:
    detail = str(getattr(exc, "orig", exc))
    if "file is not a database" in detail or "not a database" in detail:
        return "That file is not a GrantDesk database (it is not a SQLite database at all)."
    if "unable to open" in detail:
        return "The database file cannot be opened; check that the folder exists and you may write to it."
    return f"The database could not be read: {detail}."


class Database:
    """An open database: the engine and a session factory. Services open units of work on it, or
    read through ``reading()`` without the ORM (grantdesk.services.overview)."""

    def __init__(self, location: DatabaseLocation, engine: Engine | None = None):
        self.location = location
        self.engine = engine or make_engine(location.url)
        self._sessions = None  # made on the first unit of work: sqlalchemy.orm loads only then
        self.created_schema = False  # set by open_database when it made the schema in an empty file

    def session(self) -> Session:
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        return self._sessions()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

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


def open_database(location: DatabaseLocation, *, create: bool = False, upgrade: bool = True) -> Database:
    """Open the database at ``location``, creating or upgrading it as allowed.

    - a missing SQLite file is created (with the full schema) only when ``create`` is true;
    - a database made by an older GrantDesk is backed up next to itself, then upgraded;
    - a database from a newer GrantDesk, or one that is not GrantDesk's, is refused untouched.
    """
    if location.path is not None and not location.path.exists():
        if not create:
            raise DatabaseError(
                f"There is no GrantDesk database at {location.path}. Create one with "
                f"“python -m grantdesk db init --db {location.path}”."
            )
        location.path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(location)
    try:
        status = schema_status(db.engine)
        if status.state is SchemaState.EMPTY:
            if not create:
                raise DatabaseError(f"{location.describe()} is empty; run “python -m grantdesk db init” first.")
            run_migrations(db.engine)
            db.created_schema = True
        elif status.state is SchemaState.OLDER:
            if not upgrade:
                raise DatabaseError(
                    f"{location.describe()} was written by an older GrantDesk (schema {status.revision}) and "
                    f"needs upgrading to {schema.HEAD}; run “python -m grantdesk db upgrade”."
                )
            backup_then_upgrade(db, status.revision)
        elif status.state is SchemaState.NEWER:
            raise DatabaseError(
                f"{location.describe()} was written by a newer GrantDesk (schema {status.revision}); this "
                f"version knows schemas up to {schema.HEAD}. Open it with the newer GrantDesk — nothing was changed."
            )
        elif status.state is SchemaState.FOREIGN:
            raise DatabaseError(
                f"{location.describe()} is a database, but not a GrantDesk one; nothing was changed."
            )
        if location.path is not None:
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
