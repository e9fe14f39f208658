"""Database use cases: create, upgrade, check; opening for the app; and whether a database holds the
invented sample funds.

A new database starts empty. The sample funds go into a database of their own
(``grantdesk.config.sample_database_location()``), loaded there on first use; a database "holds
sample data" when any fund in it was loaded from a sample file (the loader's ``sample.load`` audit
entry), and the app then says SAMPLE DATA wherever that database is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text

from grantdesk.config import DatabaseLocation, sample_database_location
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
from grantdesk.i18n import _


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
    funds: int | None  # None: not counted (a database this GrantDesk cannot read as its own)
    applications: int | None
    problems: list[str] = field(default_factory=list)
    state: str = "current"  # grantdesk.store.database.SchemaState's value

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
            return InitResult(False, _("{database} is already a GrantDesk database (schema {head}).").format(
                database=location.describe(), head=schema.HEAD))
    db = open_database(location, create=True)
    db.close()
    return InitResult(True, _("Created a GrantDesk database at {database} (schema {head}).").format(
        database=location.describe(), head=schema.HEAD))


def upgrade_database(location: DatabaseLocation) -> UpgradeResult:
    """Bring an older database up to this GrantDesk's schema, after copying a backup next to it."""
    if not location.exists:
        raise DatabaseError(_("There is no GrantDesk database at {describe}.").format(describe=location.describe()))
    db = Database(location)
    try:
        status = schema_status(db.engine)
        if status.state is SchemaState.CURRENT:
            return UpgradeResult(status.revision, schema.HEAD, None,
                                 _("{database} is already up to date (schema {head}).").format(
                                     database=location.describe(), head=schema.HEAD))
        if status.state is not SchemaState.OLDER:
            db.close()
            open_database(location, upgrade=False).close()  # raises the plain-English reason
            raise DatabaseError(_("{describe} cannot be upgraded.").format(describe=location.describe()))  # pragma: no cover
        backup = backup_then_upgrade(db, status.revision)
    finally:
        db.close()
    values = dict(database=location.describe(), revision=status.revision, head=schema.HEAD, backup=backup)
    return UpgradeResult(status.revision, schema.HEAD, backup,
                         _("Upgraded {database} from schema {revision} to {head}; the old file was copied to "
                           "{backup}.").format(**values) if backup else
                         _("Upgraded {database} from schema {revision} to {head}.").format(**values))


def check_database(location: DatabaseLocation) -> CheckResult:
    """Read-only health check: schema version, SQLite integrity and foreign keys, and counts. Funds and
    applications are counted only in a database at this GrantDesk's schema: in a newer, unknown or
    foreign one the tables may not mean what this version thinks."""
    if not location.exists:
        raise DatabaseError(_("There is no GrantDesk database at {describe}.").format(describe=location.describe()))
    db = Database(location)
    try:
        status = schema_status(db.engine)
        problems: list[str] = []
        if status.state is SchemaState.OLDER:
            problems.append(_("Schema {revision} is older than {head}: run “db upgrade”.").format(
                revision=status.revision, head=schema.HEAD))
        elif status.state is SchemaState.NEWER:
            problems.append(_("Schema {revision} is from a newer GrantDesk; this one knows up to {head}. Open it with "
                              "the newer GrantDesk.").format(revision=status.revision, head=schema.HEAD))
        elif status.state is SchemaState.UNKNOWN:
            problems.append(_("Schema {revision} is unknown: it is not one of this GrantDesk's ({first} to {head}), nor "
                              "numbered after them.").format(revision=status.revision, first=schema.REVISIONS[0],
                                                             head=schema.HEAD))
        elif status.state is SchemaState.FOREIGN:
            problems.append(_("This is not a GrantDesk database."))
        elif status.state is SchemaState.EMPTY:
            problems.append(_("The database is empty: run “db init”."))
        funds = applications = None
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
        return CheckResult(status.revision, funds, applications, problems, status.state.value)
    finally:
        db.close()


@dataclass(frozen=True)
class OpenedDatabase:
    db: Database
    created: bool
    samples_loaded: list[str] = field(default_factory=list)  # sample funds loaded just now
    holds_sample_data: bool = False
    read_only: bool = False
    network_warning: str | None = None  # a SQLite file on a network share (services.backups)


# progress(done, total, label): may raise to stop (ui.tasks.Progress.report does on Cancel)
Report = Callable[[int, int, str], None]


def open_for_app(location: DatabaseLocation, *, make_folder: bool | None = None, load_samples: bool = False,
                 progress: Report | None = None) -> OpenedDatabase:
    """Open the app's database: create it (empty) if it is not there, upgrade an older one.

    A new file is made only in a folder that exists, unless ``make_folder`` (the app asks first;
    its own folder is always made). With ``load_samples`` (the sample database), every sample fund
    not yet in it is loaded, one fund per transaction, reporting each to ``progress``.
    """
    db = open_database(location, create=True, make_folder=make_folder)
    try:
        loaded: list[str] = []
        if load_samples and not db.read_only:
            loaded = load_missing_samples(db, progress=progress)
        from grantdesk.services.backups import network_share_warning

        return OpenedDatabase(db, db.created_schema, loaded, holds_sample_data(db), db.read_only,
                              network_share_warning(location))
    except BaseException:
        db.close()
        raise


def load_missing_samples(db: Database, *, progress: Report | None = None) -> list[str]:
    """Load the sample funds that are not in ``db`` yet (each in its own transaction); their codes."""
    from grantdesk.services.samples import available_samples, load_samples

    with db.reading() as conn:
        present = set(conn.execute(text("SELECT code FROM funds")).scalars())
    missing = [s for s in available_samples() if s.fund_code not in present]
    loaded = []
    for n, sample in enumerate(missing):
        if progress is not None:
            progress(n, len(missing), _("Loading the sample fund {title}…").format(title=sample.title))
        loaded.extend(r.fund_code for r in load_samples(db, [sample.name]) if r.loaded)
    if progress is not None and missing:
        progress(len(missing), len(missing), _("Loaded the sample funds."))
    return loaded


def open_sample_database(location: DatabaseLocation | None = None, *, progress: Report | None = None) -> OpenedDatabase:
    """The sample database (``grantdesk-samples.db`` next to the app's own), with the sample funds in it."""
    return open_for_app(location or sample_database_location(), load_samples=True, progress=progress)


_HOLDS_SAMPLES = text(
    "SELECT 1 FROM funds f WHERE EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'fund' "
    "AND a.entity_id = f.id AND a.action = 'sample.load') LIMIT 1"
)


def holds_sample_data(db: Database) -> bool:
    """Whether any fund in the database was loaded from a sample file (invented people and
    applications): the samples loader's ``sample.load`` audit entry on the fund. Read through SQLAlchemy
    Core, by the audit log's (entity, entity_id) index, so opening a large database stays quick."""
    with db.reading() as conn:
        return conn.execute(_HOLDS_SAMPLES).first() is not None
