"""PostgreSQL for a team (issue 21.1), against the real server the test run starts (tests/pg.py):
every migration runs to head on an empty database and leaves exactly the models' schema, the audit
log's triggers are PostgreSQL's own, URLs work as people write them, and the checks and counts that
the app and the CLI run work there too."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from grantdesk.cli import main
from grantdesk.config import database_location, engine_url
from grantdesk.services.database import check_database, init_database
from grantdesk.store import schema
from grantdesk.store.database import SchemaState, open_database, schema_status
from grantdesk.store.models import AuditEntry, Base, CastBallotRow


def test_every_migration_runs_to_head_on_an_empty_database_and_matches_the_models(pg_location):
    """All of them, 0001 to head (0010-0012 included), for real: no template copy."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    assert init_database(pg_location).created
    with open_database(pg_location) as db:
        assert schema_status(db.engine) == schema_status(db.engine).__class__(SchemaState.CURRENT, schema.HEAD)
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                           Base.metadata)
    assert differences == []


def test_a_postgresql_url_is_used_as_written_with_psycopg_as_its_driver():
    assert engine_url("postgresql://grants@db.council.local:5433/grantdesk") == \
        "postgresql+psycopg://grants@db.council.local:5433/grantdesk"
    assert engine_url("postgres://grants@db/grantdesk") == "postgresql+psycopg://grants@db/grantdesk"
    assert engine_url("postgresql+psycopg://grants@db/grantdesk") == "postgresql+psycopg://grants@db/grantdesk"
    assert engine_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_url_given_to_db_and_the_environment_opens_the_server(pg_db, monkeypatch, capsys):
    url = pg_db.location.url
    assert url.startswith("postgresql://")  # as a person types it, no driver named
    assert main(["db", "check", "--db", url]) == 0
    assert schema.HEAD in capsys.readouterr().out
    monkeypatch.setenv("GRANTDESK_DATABASE_URL", url)
    assert main(["db", "check"]) == 0
    check = check_database(database_location(url))
    assert check.ok and check.funds == 0 and check.applications == 0


@pytest.mark.parametrize("statement, words", [
    ("UPDATE audit_log SET summary = 'changed'", "entries cannot be changed"),
    ("DELETE FROM audit_log", "entries cannot be removed"),
    ("TRUNCATE audit_log", "entries cannot be removed"),
])
def test_the_audit_log_is_append_only_on_postgresql_too(pg_db, statement, words):
    from helpers import build_fund

    build_fund(pg_db)
    with pg_db.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        assert before > 0
        with pytest.raises(IntegrityError, match=words):
            conn.execute(text(statement))
        conn.rollback()
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before


def test_a_63_bit_ballot_key_fits(pg_db):
    from test_events import _approval

    from grantdesk.services import events
    from helpers import build_vote_fund

    built = build_vote_fund(pg_db)
    event_id = events.create_event(pg_db, built.fund_code, _approval(built))
    biggest = (1 << 63) - 1
    table = CastBallotRow.__table__
    with pg_db.engine.begin() as conn:
        conn.execute(insert(table).values(id=biggest, event_id=event_id, source="paper", choices=[], points=None))
        assert conn.execute(select(table.c.id).where(table.c.id == biggest)).scalar_one() == biggest


NEEDS_SERVER = '''
def test_needs_postgresql(pg_db):
    assert pg_db.engine.dialect.name == "postgresql"
'''


def _run_without_a_server(tmp_path, ci: str | None):
    """pytest in a child process, through the real tests/conftest.py, on one test that needs the
    server, with ``GRANTDESK_PG_BIN`` pointing at a folder with no server in it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    (tmp_path / "test_one.py").write_text(NEEDS_SERVER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "PYTEST_ADDOPTS", "PYTEST_PLUGINS"}}
    env.update(GRANTDESK_PG_BIN=str(tmp_path / "no-postgresql-here"), PYTHONPATH=str(tests),
               QT_QPA_PLATFORM="offscreen")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-rsE", "-q",
         "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_one.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_under_ci_a_missing_postgresql_fails_the_run(tmp_path):
    run = _run_without_a_server(tmp_path, "true")
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "1 error" in out and "skipped" not in out, out
    assert "no PostgreSQL server binaries" in out, out


def test_outside_ci_a_missing_postgresql_skips_with_the_reason(tmp_path):
    run = _run_without_a_server(tmp_path, None)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "1 skipped" in out and "no PostgreSQL server binaries" in out, out
