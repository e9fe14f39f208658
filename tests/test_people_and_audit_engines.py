"""People and the audit chain on both engines, against the real PostgreSQL server the run starts
(tests/pg.py): the chain and ``db verify`` after an entry is changed with the triggers set aside,
writers at once chaining without forking (PostgreSQL's advisory lock), sign-in by password on a
server, and migration 0010 chaining entries already there."""

from __future__ import annotations

import threading

import pytest
from helpers import build_fund
from sqlalchemy import text

from grantdesk.domain.errors import ValidationError
from grantdesk.services import users
from grantdesk.services.audit_trail import verify_audit_chain
from grantdesk.services.common import SignInNeeded
from grantdesk.services.views import ViewCriteria, save_view
from grantdesk.store.database import Database, make_engine, run_migrations


def _tamper(db: Database, entry_id: int) -> None:
    """Change an entry's summary as someone with the database's keys could: triggers set aside first."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        conn.execute(text("UPDATE audit_log SET summary = 'Nothing to see here' WHERE id = :id"), {"id": entry_id})


def test_the_chain_verifies_and_names_an_entry_changed_behind_grantdesks_back(engine_db):
    db = engine_db
    build_fund(db, applications_count=3)
    save_view(db, "TST", "Mine", ViewCriteria())
    check = verify_audit_chain(db)
    assert check.ok and check.entries >= 5
    with db.reading() as conn:
        victim = conn.execute(text("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 2")).scalar_one()
    _tamper(db, victim)
    broken = verify_audit_chain(db).broken
    assert broken is not None and broken.entry_id == victim and "changed after it was written" in broken.message


def test_writers_at_once_chain_one_after_another_on_postgresql(pg_db):
    db = pg_db
    build_fund(db)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for k in range(5):
                save_view(db, "TST", f"View {n}-{k}", ViewCriteria())
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    check = verify_audit_chain(db)
    assert check.ok, check.broken and check.broken.message
    with db.reading() as conn:
        prevs = conn.execute(text("SELECT prev_hash FROM audit_log")).scalars().all()
    assert len(prevs) == len(set(prevs)) == check.entries  # no two entries chained to the same one


def test_on_postgresql_people_sign_in_with_a_password(pg_db):
    db = pg_db
    build_fund(db)
    with pytest.raises(ValidationError, match="signs in with a password"):
        users.add_user(db, "boss", role="manager")
    users.add_user(db, "boss", role="manager", password="manager-password")
    assert users.sign_in_need(db).need is users.Need.PASSWORD
    with pytest.raises(SignInNeeded, match="Sign in first"):
        save_view(db, "TST", "Mine", ViewCriteria())
    users.sign_in(db, "boss", "manager-password")
    save_view(db, "TST", "Mine", ViewCriteria())
    with db.reading() as conn:
        assert conn.execute(text("SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1")).scalar_one() == "boss"
    assert verify_audit_chain(db).ok


def test_the_upgrade_chains_entries_already_there_on_postgresql(pg_location):
    engine = make_engine(pg_location.url)
    try:
        run_migrations(engine, "0009_secret_ballots")
        with engine.begin() as conn:
            for n in range(3):
                conn.execute(text("INSERT INTO audit_log (at, actor, action, entity, entity_id, summary, after) "
                                  "VALUES (:at, 'old officer', 'fund.create', 'fund', :n, :s, :a)"),
                             {"at": f"2024-05-0{n + 1} 10:00:00", "n": n, "s": f"made {n}", "a": '{"n": %d}' % n})
        run_migrations(engine)
        db = Database(pg_location, engine)
        check = verify_audit_chain(db)
        assert check.ok and check.entries == 3
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:  # the triggers are back
            conn.execute(text("UPDATE audit_log SET summary = 'x'"))
    finally:
        engine.dispose()
