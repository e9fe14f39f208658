"""Alembic, driven from code: the migrations ship inside the package, no ``alembic.ini`` needed."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine, target: str = "head") -> None:
    """Migrate to ``target`` in a single transaction.

    On SQLite, foreign keys are switched off for the migration (a table rebuild must not cascade)
    and checked with ``PRAGMA foreign_key_check`` before the commit. The connection used is then
    discarded, so no pooled connection is ever left with foreign keys off.
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            # Outside any transaction, as SQLite requires for this pragma.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            command.upgrade(alembic_config(conn), target)
        finally:
            conn.invalidate()


def script_revisions() -> list[str]:
    """The migration chain from the first revision to head, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]
