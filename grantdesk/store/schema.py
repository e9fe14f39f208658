"""The schema versions this GrantDesk knows, without loading Alembic.

Start-up reads the database's ``alembic_version`` with a plain query and compares it with these
constants; Alembic itself is imported only when a database has to be created or upgraded. A test
checks that this list matches the migration scripts exactly.
"""

REVISIONS: tuple[str, ...] = (
    "0001_core",
    "0002_decisions",
    "0003_workspace",
    "0004_voting",
    "0005_allocations",
    "0006_payments",
    "0007_learning",
    "0008_import_keys",
    "0009_secret_ballots",
    "0010_people_and_audit_chain",
    "0011_welsh_texts",
    "0012_retention",
)
HEAD = REVISIONS[-1]
