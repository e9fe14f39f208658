"""Units of work: one transaction per user action, composable, and reporting what it changed.

A service is written once, against a unit of work, and never commits itself::

    @transactional
    def add_attachment(uow: UnitOfWork, application_id: int, ...) -> AttachmentInfo: ...

Called with a ``Database`` (``add_attachment(db, …)``), it opens a unit of work, runs, and commits
if it returned; called with a ``UnitOfWork`` (``add_attachment(uow, …)``) it runs inside the
caller's transaction, so a composite action (save an application *and* its documents) is one
transaction, all or nothing.

Every unit of work notes what it writes — the ORM's inserts, updates and deletes, bulk statements
run through the session, and anything a service marks with ``note_change`` — as ``Changes`` in the
shared vocabulary of ``grantdesk.domain.changes``. ``recording()`` collects the ``Changes`` of every
commit made inside it: the window layer wraps each user action in one and broadcasts the result.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from grantdesk.domain.changes import NOTHING, ChangeLog, Changes, Kind
from grantdesk.domain.errors import DatabaseError
from grantdesk.i18n import N_, _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from grantdesk.store.database import Database

# Which kind of record each table holds, as windows think of them. The audit log is not a kind:
# every change writes to it. A table missing here fails tests/test_unit_of_work.py.
TABLE_KINDS: dict[str, Kind | None] = {
    "funds": Kind.FUNDS, "rounds": Kind.FUNDS, "areas": Kind.FUNDS, "fund_areas": Kind.FUNDS,
    "fund_questions": Kind.FUNDS, "import_mappings": Kind.FUNDS,
    "applications": Kind.APPLICATIONS, "status_changes": Kind.APPLICATIONS, "organisations": Kind.APPLICATIONS,
    "contacts": Kind.APPLICATIONS, "attachments": Kind.APPLICATIONS, "reference_counters": Kind.APPLICATIONS,
    "import_skips": Kind.APPLICATIONS,
    "eligibility_overrides": Kind.ELIGIBILITY,
    "members": Kind.MEMBERS, "allotments": Kind.MEMBERS, "year_ends": Kind.MEMBERS,
    "member_decisions": Kind.MEMBERS, "interest_declarations": Kind.MEMBERS,
    "panels": Kind.PANELS, "panellists": Kind.PANELS, "panel_criteria": Kind.PANELS, "panel_scores": Kind.PANELS,
    "panel_decisions": Kind.PANELS,
    "voting_events": Kind.EVENTS, "event_projects": Kind.EVENTS, "ballot_codes": Kind.EVENTS,
    "ballots": Kind.EVENTS, "paper_entries": Kind.EVENTS, "receipts": Kind.EVENTS,
    "awards": Kind.AWARDS, "payments": Kind.AWARDS, "payment_plans": Kind.AWARDS, "award_returns": Kind.AWARDS,
    "monitoring_due": Kind.AWARDS,
    "outcome_notes": Kind.OUTCOMES, "outcome_themes": Kind.OUTCOMES, "outcome_photos": Kind.OUTCOMES,
    "saved_filters": Kind.VIEWS,
    "audit_log": None, "users": None,  # people who sign in: only the Users window shows them
}

WRITING = "grantdesk_writing"  # execution option: this transaction writes (BEGIN IMMEDIATE on SQLite)
_LOG_KEY = "grantdesk.changes"  # where a session keeps its ChangeLog (session.info)

READ_ONLY_WORDS = N_("This database is read-only: you can look but not change anything.")


class ReadOnlyDatabase(DatabaseError):
    """A write to a database that may only be read (the file is read-only): nothing was saved."""

    @classmethod
    def for_database(cls, where: str | None = None) -> ReadOnlyDatabase:
        if where:
            return cls(_("{read_only} Nothing was saved ({where}). To make changes, open a copy of the file or ask "
                         "for permission to write to it.").format(read_only=_(READ_ONLY_WORDS), where=where))
        return cls(_("{read_only} Nothing was saved. To make changes, open a copy of the file or ask for permission "
                     "to write to it.").format(read_only=_(READ_ONLY_WORDS)))


def is_read_only_error(exc: BaseException | None) -> bool:
    """Whether SQLite refused a write because the file (or its folder) may not be written."""
    while exc is not None:
        text = str(exc)
        if "attempt to write a readonly database" in text or "readonly database" in text:
            return True
        exc = getattr(exc, "orig", None) if getattr(exc, "orig", None) is not exc else None
    return False


WRITER_LOCK = 0x6772616E  # the advisory lock every PostgreSQL writer takes first ("gran")
WRITER_WAIT_S = 30  # how long a writer waits for another, on either engine (database.BUSY_TIMEOUT_MS)


class DatabaseBusy(DatabaseError):
    """Another writer held the database for longer than a writer waits: nothing was saved."""


def is_busy_error(exc: BaseException | None) -> bool:
    """SQLite's "database is locked" after its busy timeout, or PostgreSQL's lock_timeout (55P03)."""
    seen = 0
    while exc is not None and seen < 5:
        if getattr(exc, "sqlstate", None) == "55P03" or "database is locked" in str(exc):
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
        seen += 1
    return False


# SQLSTATEs after which a whole transaction may simply be run again: serialization_failure, deadlock_detected
_RETRYABLE_STATES = {"40001", "40P01"}


def is_retryable(exc: BaseException | None) -> bool:
    """Whether the server rolled the transaction back only because of another one running at once."""
    seen = 0
    while exc is not None and seen < 5:
        if getattr(exc, "sqlstate", None) in _RETRYABLE_STATES:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
        seen += 1
    return False


class Recording:
    """The changes committed while ``recording()`` is open, merged; ``commits`` counts transactions."""

    def __init__(self) -> None:
        self.changes: Changes = NOTHING

    @property
    def commits(self) -> int:
        return self.changes.commits

    def add(self, changes: Changes) -> None:
        self.changes = self.changes | changes


_recording: ContextVar[Recording | None] = ContextVar("grantdesk_recording", default=None)


@contextmanager
def recording() -> Iterator[Recording]:
    """Collect what every unit of work committed inside the block (on this thread)."""
    record = Recording()
    token = _recording.set(record)
    try:
        yield record
    finally:
        _recording.reset(token)


def note_change(session: Session, kind: Kind, application_ids: Iterable[int] = (), *,
                every_application: bool = False) -> None:
    """Mark a change the session cannot see itself (rows written through a raw connection, letters
    recorded in the audit log); it is reported with the transaction's other changes."""
    log = session.info.get(_LOG_KEY)
    if log is not None:
        log.note(kind, application_ids, every_application=every_application)


def _note_object(log: ChangeLog, obj: Any) -> None:
    table = getattr(obj, "__tablename__", None)
    kind = TABLE_KINDS.get(table) if table else None
    if kind is None:
        return
    if table == "applications":
        ids: tuple[int, ...] = (obj.id,)
    else:
        ids = (getattr(obj, "application_id", None),)  # type: ignore[assignment]
    log.note(kind, ids)


def _after_flush(session: Session, _context: Any) -> None:
    log: ChangeLog | None = session.info.get(_LOG_KEY)
    if log is None:
        return
    if session.new or session.deleted or session.dirty:
        log.wrote = True
    for obj in session.new:
        _note_object(log, obj)
    for obj in session.deleted:
        _note_object(log, obj)
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=False):
            _note_object(log, obj)


def _on_execute(state: Any) -> None:
    """Bulk INSERT/UPDATE/DELETE statements run through the session (``session.execute(insert(M), rows)``)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    log: ChangeLog | None = state.session.info.get(_LOG_KEY)
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", "")
    kind = TABLE_KINDS.get(name, None)
    if log is None:
        return
    log.wrote = True
    if kind is not None:
        log.note(kind, every_application=name == "applications")


class UnitOfWork:
    """One transaction. Nothing is kept unless ``commit()`` is called inside the ``with`` block.

    ``changes`` is what the last commit changed. A unit of work commits once: composite actions
    pass it to the services they are made of (see ``transactional``) instead of committing twice.
    """

    def __init__(self, db: Database, *, write: bool = False):
        self.db = db
        self.write = write and not db.read_only
        self.session: Session
        self.changes: Changes = NOTHING
        self._log = ChangeLog()

    def __enter__(self) -> UnitOfWork:
        from sqlalchemy import event

        self.session = self.db.session()
        self.session.info[_LOG_KEY] = self._log
        if self.write and self.db.engine.dialect.name == "sqlite":
            # BEGIN IMMEDIATE now (grantdesk.store.database): wait for another writer here, before
            # reading, instead of failing to upgrade a read lock half-way through
            self.session.connection(execution_options={WRITING: True})
        elif self.write and self.db.engine.dialect.name == "postgresql":
            # The same on PostgreSQL: writers take one transaction-level advisory lock before they read,
            # so they run one after another and each reads what the one before committed (two keyings of
            # one sheet, two imports taking reference numbers); readers never wait for it.
            conn = self.session.connection()
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{WRITER_WAIT_S}s'")
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
        event.listen(self.session, "after_flush", _after_flush)
        event.listen(self.session, "do_orm_execute", _on_execute)
        return self

    def __exit__(self, _type, exc, _tb) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
        if exc is not None and not isinstance(exc, ReadOnlyDatabase) and is_read_only_error(exc):
            # SQLite's "attempt to write a readonly database", with the SQL, is no message for a person
            raise ReadOnlyDatabase.for_database(self.db.describe()) from exc
        if exc is not None and not isinstance(exc, DatabaseBusy) and is_busy_error(exc):
            raise DatabaseBusy(_("Someone else is saving a large change to {describe} and it took longer than "
                                 "{writer_wait_s} seconds. Nothing was saved; try again in a moment.").format(
                                 describe=self.db.describe(), writer_wait_s=WRITER_WAIT_S)) from exc

    def note(self, kind: Kind, application_ids: Iterable[int] = (), *, every_application: bool = False) -> None:
        """See ``note_change``."""
        self._log.note(kind, application_ids, every_application=every_application)

    def commit(self) -> Changes:
        with _stale_as_refusal():
            self.session.commit()
        self.changes = self._log.freeze()
        self._log.clear()
        record = _recording.get()
        if record is not None:
            record.add(self.changes)
        return self.changes

    def flush(self) -> None:
        self.session.flush()


@contextmanager
def _stale_as_refusal() -> Iterator[None]:
    """A row changed by another writer between our read and our write (its version moved on) is a
    refusal the person can act on, not a crash: nothing was written."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        yield
    except StaleDataError as exc:
        from grantdesk.domain.errors import ChangedElsewhere

        raise ChangedElsewhere.of("record.changed_while_saving") from exc


P = ParamSpec("P")
R = TypeVar("R")


def transactional(fn: Callable[Concatenate[UnitOfWork, P], R]) -> Callable[Concatenate[Any, P], R]:
    """Make ``fn(uow, …)`` a service: called with a ``Database`` it runs in a unit of work of its own
    and commits when ``fn`` returns (nothing is kept if it raises); called with a ``UnitOfWork`` it
    joins that transaction and leaves the commit to whoever opened it."""

    @functools.wraps(fn)
    def service(target: Any, /, *args: P.args, **kwargs: P.kwargs) -> R:
        if isinstance(target, UnitOfWork):
            return fn(target, *args, **kwargs)
        for attempt in (1, 2):
            try:
                with target.unit_of_work(write=True) as uow, _stale_as_refusal():
                    result = fn(uow, *args, **kwargs)
                    uow.commit()
                    return result
            except Exception as exc:
                # PostgreSQL chose this transaction as a deadlock's victim, or could not serialise it:
                # nothing of it was kept, so it runs once more, from the start, on what is there now
                if attempt == 2 or not is_retryable(exc):
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    service.in_transaction = fn  # type: ignore[attr-defined]
    return service
