"""A verifiable audit trail: each entry carries the hash of the one before; ``db verify`` checks the
chain and names the first entry that does not fit."""

import sqlite3

from helpers import build_fund, make_older_database

from grantdesk.cli import main
from grantdesk.config import database_location
from grantdesk.domain.audit_chain import GENESIS, first_break
from grantdesk.services.audit_trail import verify_audit_chain
from grantdesk.services.views import ViewCriteria, save_view
from grantdesk.store.database import open_database


def _rows(path):
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT id, prev_hash, hash FROM audit_log ORDER BY id").fetchall()
    finally:
        con.close()


def test_each_entry_carries_the_hash_of_the_one_before(db, location):
    build_fund(db, applications_count=3)
    save_view(db, "TST", "Mine", ViewCriteria())
    rows = _rows(location.path)
    assert len(rows) >= 5 and rows[0][1] == GENESIS
    assert all(later[1] == earlier[2] for earlier, later in zip(rows, rows[1:], strict=False))
    assert verify_audit_chain(db).ok and verify_audit_chain(db).entries == len(rows)


def test_the_sample_funds_bulk_writes_included_chain_in_order(sample_db):
    check = verify_audit_chain(sample_db)
    assert check.ok and check.entries > 100


def test_the_upgrade_chains_the_entries_already_there(tmp_path):
    path = tmp_path / "old.db"
    make_older_database(path, "0009_secret_ballots")
    with open_database(database_location(path)) as db:
        check = verify_audit_chain(db)
        assert check.ok and check.entries == 1
        save_view(db, "OLD", "After", ViewCriteria())
        assert verify_audit_chain(db).entries == 2 and verify_audit_chain(db).ok
    con = sqlite3.connect(path)  # the append-only triggers were put back
    try:
        names = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                           "AND tbl_name = 'audit_log'")}
    finally:
        con.close()
    assert {"audit_log_no_update", "audit_log_no_delete"} <= names


def test_db_verify_names_an_entry_changed_behind_grantdesks_back(db, location, capsys):
    build_fund(db, applications_count=3)
    db.close()
    assert main(["db", "verify", "--db", str(location.path)]) == 0
    assert "verifies" in capsys.readouterr().out
    rows = _rows(location.path)
    victim = rows[2][0]
    con = sqlite3.connect(location.path)
    con.execute("DROP TRIGGER audit_log_no_update")  # what someone covering their tracks would do
    con.execute("UPDATE audit_log SET summary = 'Nothing to see here' WHERE id = ?", (victim,))
    con.commit()
    con.close()
    assert main(["db", "verify", "--db", str(location.path)]) == 1
    out = capsys.readouterr().out
    assert f"Audit entry {victim} does not fit the chain" in out and "changed after it was written" in out


def test_a_removed_entry_is_found_at_the_one_after_it(db, location, capsys):
    build_fund(db, applications_count=3)
    db.close()
    rows = _rows(location.path)
    con = sqlite3.connect(location.path)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE id = ?", (rows[1][0],))
    con.commit()
    con.close()
    assert main(["db", "verify", "--db", str(location.path)]) == 1
    out = capsys.readouterr().out
    assert f"Audit entry {rows[2][0]} does not fit" in out and "missing or was changed" in out


def test_an_entry_written_around_grantdesk_has_no_hash_and_is_named():
    check = first_break([{"id": 7, "prev_hash": None, "hash": None}])
    assert not check.ok and check.broken.entry_id == 7 and "no hash" in check.broken.message
