"""Database use cases: create, upgrade, check; and opening for the app with sample funds on first run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from grantdesk.config import DatabaseLocation
from grantdesk.domain.errors import DatabaseError
from grantdesk.store import schema
from grantdesk.store.database import (
    Database,
    SchemaState,
    backup_then_upgrade,
    make_engine,
    open_database,
    schema_status,
)


@dataclass(frozen=True)
class InitResult:
    created: bool
    message: str


@dataclass(frozen=True)
class UpgradeResult:
    from_revision: str | None
    to_revision: str
    backup: Path | None
    message: str


@dataclass(frozen=True)
class CheckResult:
    revision: str | None
    funds: int
    applications: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def init_database(location: DatabaseLocation) -> InitResult:
    """Create a new database with the current schema; an existing GrantDesk database is left alone."""
    if location.exists:  # a server database, or a file that is already there
        engine = make_engine(location.url)
        try:
            state = schema_status(engine).state
        finally:
            engine.dispose()
        if state is not SchemaState.EMPTY:
            open_database(location, upgrade=False).close()  # refuses older, newer or foreign ones
            return InitResult(False, f"{location.describe()} is already a GrantDesk database (schema {schema.HEAD}).")
    db = open_database(location, create=True)
    db.close()
    return InitResult(True, f"Created a GrantDesk database at {location.describe()} (schema {schema.HEAD}).")


def upgrade_database(location: DatabaseLocation) -> UpgradeResult:
    """Bring an older database up to this GrantDesk's schema, after copying a backup next to it."""
    if not location.exists:
        raise DatabaseError(f"There is no GrantDesk database at {location.describe()}.")
    db = Database(location)
    try:
        status = schema_status(db.engine)
        if status.state is SchemaState.CURRENT:
            return UpgradeResult(status.revision, schema.HEAD, None,
                                 f"{location.describe()} is already up to date (schema {schema.HEAD}).")
        if status.state is not SchemaState.OLDER:
            db.close()
            open_database(location, upgrade=False).close()  # raises the plain-English reason
            raise DatabaseError(f"{location.describe()} cannot be upgraded.")  # pragma: no cover
        backup = backup_then_upgrade(db, status.revision)
    finally:
        db.close()
    where = f"; the old file was copied to {backup}" if backup else ""
    return UpgradeResult(status.revision, schema.HEAD, backup,
                         f"Upgraded {location.describe()} from schema {status.revision} to {schema.HEAD}{where}.")


def check_database(location: DatabaseLocation) -> CheckResult:
    """Read-only health check: schema version, SQLite integrity and foreign keys, and counts."""
    if not location.exists:
        raise DatabaseError(f"There is no GrantDesk database at {location.describe()}.")
    db = Database(location)
    try:
        status = schema_status(db.engine)
        problems: list[str] = []
        if status.state is SchemaState.OLDER:
            problems.append(f"Schema {status.revision} is older than {schema.HEAD}: run “db upgrade”.")
        elif status.state is SchemaState.NEWER:
            problems.append(f"Schema {status.revision} is from a newer GrantDesk; this one knows up to {schema.HEAD}.")
        elif status.state is SchemaState.FOREIGN:
            problems.append("This is not a GrantDesk database.")
        elif status.state is SchemaState.EMPTY:
            problems.append("The database is empty: run “db init”.")
        funds = applications = 0
        if status.state is SchemaState.CURRENT:
            with db.engine.connect() as conn:
                if db.engine.dialect.name == "sqlite":
                    result = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
                    if result != ["ok"]:
                        problems.extend(f"Integrity: {r}" for r in result[:10])
                    broken = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
                    problems.extend(
                        f"Row {row[1]} of {row[0]} points at a missing record in {row[2]}." for row in broken[:10]
                    )
                funds = conn.execute(text("SELECT count(*) FROM funds")).scalar_one()
                applications = conn.execute(text("SELECT count(*) FROM applications")).scalar_one()
        return CheckResult(status.revision, funds, applications, problems)
    finally:
        db.close()


@dataclass(frozen=True)
class OpenedDatabase:
    db: Database
    created: bool
    samples_loaded: list[str]


def open_for_app(location: DatabaseLocation, *, load_samples_on_create: bool = True) -> OpenedDatabase:
    """Open the app's database: create it (with the sample funds) on first run, upgrade an older one."""
    db = open_database(location, create=True)
    created = db.created_schema
    loaded: list[str] = []
    if created and load_samples_on_create:
        from grantdesk.services.samples import load_samples

        try:
            loaded = [r.fund_code for r in load_samples(db) if r.loaded]
        except BaseException:
            db.close()
            raise
    return OpenedDatabase(db, created, loaded)
