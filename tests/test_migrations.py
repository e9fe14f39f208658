import hashlib
import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import make_older_database

from grantdesk.config import database_location
from grantdesk.domain.errors import DatabaseError
from grantdesk.store import schema
from grantdesk.store.database import SchemaState, open_database, schema_status
from grantdesk.store.migrate import script_revisions
from grantdesk.store.models import Base


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_revision_list_known_at_start_up_matches_the_migration_scripts():
    assert tuple(script_revisions()) == schema.REVISIONS
    assert schema.HEAD == schema.REVISIONS[-1]


def test_a_new_database_migrated_to_head_matches_the_models_exactly(db):
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diffs == []
    assert schema_status(db.engine).state is SchemaState.CURRENT
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@pytest.mark.parametrize("older", schema.REVISIONS[:-1])
def test_an_older_database_is_backed_up_then_upgraded_without_loss(tmp_path, older):
    path = tmp_path / "council.db"
    make_older_database(path, older)
    db = open_database(database_location(path))
    try:
        assert schema_status(db.engine).revision == schema.HEAD
        with db.engine.connect() as conn:
            row = conn.exec_driver_sql(
                "SELECT a.reference, a.title, a.amount_requested_pence, o.name, o.charity_number"
                " FROM applications a JOIN organisations o ON o.id = a.organisation_id"
            ).one()
            audit = conn.exec_driver_sql("SELECT actor FROM audit_log").scalars().all()
            key = conn.exec_driver_sql("SELECT name_key FROM organisations").scalar()
    finally:
        db.close()
    assert tuple(row) == ("OLD-2024-0001", "New tents", 123456, "Oldtown Scouts", "1000001")
    assert audit == ["old officer"]
    assert key == "oldtown scouts"  # filled in by migration 0003 for organisations already there
    [backup] = tmp_path.glob("council.db.before-*.bak")
    with sqlite3.connect(backup) as old:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone()[0] == older
        assert old.execute("SELECT title FROM applications").fetchone()[0] == "New tents"


def test_a_migration_that_fails_half_way_leaves_the_database_as_it_was(tmp_path):
    path = tmp_path / "council.db"
    make_older_database(path)
    # Something already in the file makes the upgrade fail on its last table, after others were made.
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE outcome_notes (id INTEGER PRIMARY KEY)")
    with pytest.raises(DatabaseError):
        open_database(database_location(path))
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001_core"
        assert conn.execute("SELECT title FROM applications").fetchone()[0] == "New tents"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 0  # a plain connection's default
    assert not {"panels", "awards", "payments"} & tables


def test_a_database_from_a_newer_grantdesk_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "future.db"
    make_older_database(path, schema.HEAD)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    before = _sha(path)
    with pytest.raises(DatabaseError, match="newer GrantDesk") as err:
        open_database(database_location(path))
    assert "nothing was changed" in str(err.value)
    assert _sha(path) == before
    assert not list(tmp_path.glob("*.bak"))


def test_a_database_that_is_not_grantdesks_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO recipes (name) VALUES ('bara brith')")
    before = _sha(path)
    with pytest.raises(DatabaseError, match="not a GrantDesk one"):
        open_database(database_location(path))
    assert _sha(path) == before


def test_a_file_that_is_not_a_database_gets_a_plain_message(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n" * 100)
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        open_database(database_location(path))


def test_a_missing_database_is_only_created_when_asked(tmp_path):
    path = tmp_path / "sub" / "new.db"
    with pytest.raises(DatabaseError, match="db init"):
        open_database(database_location(path))
    assert not path.exists()
    with pytest.raises(DatabaseError, match="does not exist"):  # nor a folder made for it unasked
        open_database(database_location(path), create=True)
    assert not path.parent.exists()
    open_database(database_location(path), create=True, make_folder=True).close()
    assert path.exists()


def test_a_database_from_before_import_keys_is_upgraded_and_its_organisations_keep_their_numbers(tmp_path):
    from grantdesk.io.tabular import read_table, write_csv
    from grantdesk.services import imports

    path = tmp_path / "council.db"
    make_older_database(path, "0007_learning")
    db = open_database(database_location(path))
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT import_key FROM applications").scalar() is None
            assert tuple(conn.exec_driver_sql(
                "SELECT charity_number, umbrella_charity_number, umbrella_company_number FROM organisations").one()) \
                == ("1000001", None, None)
            assert conn.exec_driver_sql("SELECT count(*) FROM import_skips").scalar() == 0
        export = tmp_path / "form.csv"
        write_csv(export, ["Organisation", "Organisation type", "Charity number", "Project title", "Amount requested"],
                  [["Oldtown Scouts 2nd Group", "charity", "1000001", "Canoes", "500"]])
        plan = imports.check_import(db, "OLD", read_table(export), decisions={"organisation": "different"})
        assert [(m.given, m.stored) for m in plan.matches] == [("Oldtown Scouts 2nd Group", "Oldtown Scouts")]
        imports.run_import(db, plan)
        with db.engine.connect() as conn:
            assert sorted(tuple(r) for r in conn.exec_driver_sql(
                "SELECT name, charity_number, umbrella_charity_number FROM organisations")) == [
                ("Oldtown Scouts", "1000001", None), ("Oldtown Scouts 2nd Group", None, "1000001")]
    finally:
        db.close()
