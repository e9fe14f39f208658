"""Alembic environment: GrantDesk always passes an open connection (see grantdesk.store.migrate)."""

from alembic import context
from sqlalchemy import text

from grantdesk.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the alembic CLI is not how GrantDesk migrates
    raise RuntimeError("Run migrations through grantdesk.store.migrate.upgrade(engine).")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite alters tables by rebuilding them
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
    if connection.dialect.name == "sqlite":
        problems = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
        if problems:
            raise RuntimeError(f"Migration left rows pointing at missing records: {problems[:5]}")
