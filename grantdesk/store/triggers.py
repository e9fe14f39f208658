"""Triggers that make the database itself refuse a change, written for each engine GrantDesk runs on.

SQLite and PostgreSQL spell triggers differently: SQLite has ``BEFORE UPDATE … BEGIN SELECT RAISE(ABORT,
'…'); END``; PostgreSQL runs a function, here one plpgsql function, ``grantdesk_refuse()``, that raises
the message it is given as an integrity violation (SQLSTATE 23000), so both engines refuse with an
``IntegrityError`` that carries the same words. Migrations call ``refuse_changes`` and ``drop_refusal``
with the connection they run on (``op.get_bind()``).
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION grantdesk_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0], ERRCODE = 'integrity_constraint_violation';
END
$$
"""

_EVENTS = {"update": "UPDATE", "delete": "DELETE", "truncate": "TRUNCATE"}


def refuse_changes(conn: Connection, name: str, table: str, event: str, message: str) -> None:
    """A trigger ``name`` on ``table`` that refuses every ``event`` (update, delete; on PostgreSQL also
    truncate, which SQLite does not have) with ``message``."""
    what = _EVENTS[event]
    quoted = message.replace("'", "''")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_FUNCTION)
        each = "STATEMENT" if event == "truncate" else "ROW"
        conn.exec_driver_sql(f"CREATE TRIGGER {name} BEFORE {what} ON {table} FOR EACH {each} "
                             f"EXECUTE FUNCTION grantdesk_refuse('{quoted}')")
    elif event != "truncate":
        conn.exec_driver_sql(f"CREATE TRIGGER {name} BEFORE {what} ON {table} "
                             f"BEGIN SELECT RAISE(ABORT, '{quoted}'); END")


def drop_refusal(conn: Connection, name: str, table: str) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    else:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
