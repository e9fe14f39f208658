"""Writing an import's rows: the applications, their history, the organisations and contacts they
name, as few statements as SQLite needs.

Rows are tuples in the order of the columns they fill, each value converted once by its column's own
bind processor (the same text SQLAlchemy would store), with what repeats — the import's time, dates,
empty answers — converted once per distinct value, and written with one executemany per chunk
straight to the driver. An application's history (draft, then submitted) is one ``INSERT … SELECT``
over the new applications' ids. On other databases the same rows go through ``services.bulk``
(Core ``insert`` with ``RETURNING``). Audit entries always go through ``bulk.insert_many``, as every
bulk writer's do.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from grantdesk.services.bulk import CHUNK, chunks, insert_many, insert_with_ids
from grantdesk.services.common import audit_rows
from grantdesk.store.models import AuditEntry, StatusChange
from grantdesk.store.unit_of_work import TABLE_KINDS, note_change

__all__ = ["Writer", "write_history", "write_audit"]

_UNHASHABLE = object()


def _memo(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` remembered per value (dates, times and numbers repeat across thousands of rows);
    dicts and lists (JSON) are converted each time, except an empty one."""
    seen: dict[Any, Any] = {}
    empty: dict[type, Any] = {}
    none = convert(None)  # SQL NULL for most types; JSON's "null" for a JSON column, as SQLAlchemy writes it

    def converted(value: Any) -> Any:
        if value is None:
            return none
        kind = value.__class__
        if kind is dict or kind is list:
            if value:
                return convert(value)
            found = empty.get(kind, _UNHASHABLE)
            if found is _UNHASHABLE:
                found = empty[kind] = convert(value)
            return found
        key = (kind, value)
        found = seen.get(key, _UNHASHABLE)
        if found is _UNHASHABLE:
            found = convert(value)
            if len(seen) < 50_000:
                seen[key] = found
        return found

    return converted


class Writer:
    """Rows for one table, given as tuples in ``names`` order (``Writer(session, Application,
    ("reference", …))``). ``insert(rows)`` writes them and returns their new ids, in order."""

    def __init__(self, session: Session, model: type, names: Sequence[str]):
        self.session = session
        self.model = model
        self.names = tuple(names)
        table = model.__table__
        self.table = table
        dialect = session.get_bind().dialect
        # A column left out takes its default as SQLAlchemy would give it: a constant, given with each
        # row; one worked out per row (a callable) sends the rows through ``services.bulk``.
        left_out = [c for c in table.c if c.name not in self.names and c.name != "id" and c.default is not None]
        self.sqlite = dialect.name == "sqlite" and all(c.default.is_scalar for c in left_out)
        self.defaults = tuple(c.default.arg for c in left_out)
        names = (*self.names, *(c.name for c in left_out))
        converters = []
        for i, name in enumerate(names):
            process = table.c[name].type._cached_bind_processor(dialect)
            if process is not None:
                converters.append((i, _memo(process)))
        self.converters = converters
        if self.sqlite:
            preparer = dialect.identifier_preparer
            targets = [preparer.format_column(table.c[n]) for n in names] + ["id"]
            self.sql = (f"INSERT INTO {preparer.format_table(table)} ({', '.join(targets)}) "
                        f"VALUES ({', '.join('?' * len(targets))})")
        self.kind = TABLE_KINDS.get(table.name)

    def insert(self, rows: list[tuple]) -> list[int]:
        if not rows:
            return []
        s = self.session
        if not self.sqlite:
            return insert_with_ids(s, self.model, [dict(zip(self.names, r, strict=True)) for r in rows])
        last = s.execute(select(func.max(self.table.c.id))).scalar() or 0
        ids = list(range(last + 1, last + 1 + len(rows)))
        converters = self.converters
        data = []
        append = data.append
        defaults = self.defaults
        for new_id, row in zip(ids, rows, strict=True):
            values = [*row, *defaults]
            for i, convert in converters:
                values[i] = convert(values[i])
            values.append(new_id)
            append(tuple(values))
        s.connection().exec_driver_sql(self.sql, data)
        if self.kind is not None:  # the session does not see a driver statement: say what it changed
            note_change(s, self.kind, every_application=self.table.name == "applications")
        return ids


def write_history(session: Session, app_ids: list[int], reasons: dict[int, str], at, by: str) -> None:
    """Each new application's history: draft, then submitted (with ``reasons[id]`` where there is one),
    for the applications ``app_ids`` (ids given in order, made in this transaction)."""
    if not app_ids:
        return
    from grantdesk.domain.workflow import Status

    draft, submitted = Status.DRAFT.value, Status.SUBMITTED.value
    if session.get_bind().dialect.name != "sqlite":
        rows: list[dict[str, Any]] = []
        for app_id in app_ids:
            rows.append(dict(application_id=app_id, from_status=None, to_status=draft, at=at, by=by, reason=""))
            rows.append(dict(application_id=app_id, from_status=draft, to_status=submitted, at=at, by=by,
                             reason=reasons.get(app_id, "")))
        for chunk in chunks(rows, CHUNK * 2):
            session.execute(insert(StatusChange.__table__), chunk)
        return
    # The ids were given in one run (Writer.insert), so each step is one statement over id ranges;
    # the applications with a reason are left out of the ranges and written with it.
    runs: list[tuple[int, int]] = []
    start = previous = None
    for app_id in app_ids:
        if app_id in reasons:
            continue
        if start is not None and app_id == previous + 1:
            previous = app_id
            continue
        if start is not None:
            runs.append((start, previous))
        start = previous = app_id
    if start is not None:
        runs.append((start, previous))
    at_text = StatusChange.__table__.c.at.type._cached_bind_processor(session.get_bind().dialect)(at)
    connection = session.connection()
    step = ("INSERT INTO status_changes (application_id, from_status, to_status, at, \"by\", reason) "
            "SELECT id, {from_}, '{to}', ?, ?, '' FROM applications WHERE id BETWEEN ? AND ? ORDER BY id")
    connection.exec_driver_sql(step.format(from_="NULL", to=draft), (at_text, by, app_ids[0], app_ids[-1]))
    if runs:
        connection.exec_driver_sql(step.format(from_=f"'{draft}'", to=submitted),
                                   [(at_text, by, lo, hi) for lo, hi in runs])
    if reasons:
        connection.exec_driver_sql(
            "INSERT INTO status_changes (application_id, from_status, to_status, at, \"by\", reason) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(app_id, draft, submitted, at_text, by, reason) for app_id, reason in reasons.items()])
    note_change(session, TABLE_KINDS["status_changes"], every_application=True)


_AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "summary", "before", "after", "prev_hash", "hash")


def write_audit(session: Session, entries: Iterable[dict[str, Any]]) -> None:
    """Audit entries for what the import made (one per organisation, contact, reviewed application),
    in order, checked and chained to the log (``services.common.audit_rows``). On SQLite they go in
    as tuples through ``Writer`` (the import's one time converted once, not per entry); elsewhere
    through ``bulk.insert_many``."""
    entries = list(entries)
    if not entries:
        return
    chained = audit_rows(session, entries)
    if session.get_bind().dialect.name != "sqlite" or any(set(e) - set(_AUDIT_COLUMNS) for e in chained[:1]):
        insert_many(session, AuditEntry, chained)
        return
    Writer(session, AuditEntry, _AUDIT_COLUMNS).insert([tuple(e.get(n) for n in _AUDIT_COLUMNS) for e in chained])
