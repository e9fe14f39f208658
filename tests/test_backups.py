"""Backups (issue 21.6): ``db backup`` and ``db restore`` on both engines, the backup made on closing a
SQLite file (last seven days kept), and the warning for a SQLite file on a network share."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import ACTOR, build_fund
from sqlalchemy import func, select, text

from grantdesk.cli import main
from grantdesk.config import database_location
from grantdesk.domain.errors import DatabaseError
from grantdesk.services import applications
from grantdesk.services.backups import (
    backup_kind,
    backup_on_close,
    make_backup,
    network_filesystem,
    network_share_warning,
    restore_backup,
)
from grantdesk.store.database import open_database
from grantdesk.store.models import Application, AuditEntry, Fund


def _fill(db, code: str = "BAK") -> None:
    build_fund(db, code, applications_count=3)


def _summary(db) -> tuple:
    with db.session() as s:
        refs = sorted(s.scalars(select(Application.reference)))
        audit = s.scalar(select(func.count()).select_from(AuditEntry))
        return refs, audit, sorted(s.scalars(select(Fund.code)))


def _add_one(db, code: str = "BAK") -> str:
    """A new application after a restore: the ids carry on past the restored ones."""
    with db.unit_of_work(write=True) as uow:
        s = uow.session
        fund = s.scalar(select(Fund).where(Fund.code == code))
        app = s.scalars(select(Application)).first()
        made = applications.add_application(s, actor=ACTOR, fund=fund, organisation=app.organisation,
                                            title="After the restore", amount_requested_pence=5000)
        uow.commit()
        return made.reference


def test_a_sqlite_file_is_backed_up_and_restored_by_the_command_line(db, tmp_path, capsys):
    _fill(db)
    before = _summary(db)
    out = tmp_path / "copy.bak"
    assert main(["db", "backup", "--out", str(out), "--db", str(db.location.path)]) == 0
    assert "online backup" in capsys.readouterr().out
    assert backup_kind(out) == "sqlite"

    target = tmp_path / "restored.db"
    assert main(["db", "restore", str(out), "--db", str(target)]) == 0
    assert "Restored copy.bak" in capsys.readouterr().out
    with open_database(database_location(target)) as restored:
        assert _summary(restored) == before
        assert _add_one(restored).endswith("-0004")


def test_restore_refuses_a_database_that_holds_anything_unless_forced(db, tmp_path, capsys):
    _fill(db)
    out = tmp_path / "copy.bak"
    make_backup(db.location, out)
    other = tmp_path / "other.db"
    with open_database(database_location(other), create=True) as busy:
        build_fund(busy, "OTH")
    assert main(["db", "restore", str(out), "--db", str(other)]) == 1
    assert "already holds a database; nothing was restored" in capsys.readouterr().err
    with open_database(database_location(other)) as still:
        assert _summary(still)[2] == ["OTH"]

    assert main(["db", "restore", str(out), "--db", str(other), "--force"]) == 0
    with open_database(database_location(other)) as replaced:
        assert _summary(replaced) == _summary(db)


def test_a_backup_never_overwrites_a_file_by_accident(db, tmp_path):
    out = tmp_path / "there.bak"
    out.write_text("something else")
    with pytest.raises(Exception, match="already exists"):
        make_backup(db.location, out)
    assert out.read_text() == "something else"


def test_something_that_is_not_a_backup_is_refused(db, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(Exception, match="not a GrantDesk backup"):
        restore_backup(database_location(tmp_path / "new.db"), junk)


def test_a_grantdesk_export_restores_into_sqlite_with_the_same_rows(db, tmp_path):
    _fill(db)
    out = tmp_path / "export.json.gz"
    result = make_backup(db.location, out, logical=True)
    assert result.kind == "export" and backup_kind(out) == "export"
    target = database_location(tmp_path / "from-export.db")
    restore_backup(target, out)
    with open_database(target) as restored:
        assert _summary(restored) == _summary(db)


# --- PostgreSQL -----------------------------------------------------------------------------------


def test_postgresql_is_backed_up_with_pg_dump_and_restored_into_another_database(pg_server, tmp_path, capsys):
    source = database_location(pg_server.create_database(at_head=True))
    with open_database(source) as db:
        _fill(db)
        before = _summary(db)
    out = tmp_path / "team.dump"
    assert main(["db", "backup", "--out", str(out), "--db", source.url]) == 0
    assert "with pg_dump" in capsys.readouterr().out
    assert backup_kind(out) == "pg_dump"

    target = database_location(pg_server.create_database())
    assert main(["db", "restore", str(out), "--db", target.url]) == 0
    with open_database(target) as restored:
        assert _summary(restored) == before
        assert _add_one(restored).endswith("-0004")
        with restored.engine.connect() as conn:  # the append-only trigger came back with it
            with pytest.raises(Exception, match="append-only"):
                conn.execute(text("DELETE FROM audit_log"))
    # again, over what is there now: refused, then forced
    assert main(["db", "restore", str(out), "--db", target.url]) == 1
    assert main(["db", "restore", str(out), "--db", target.url, "--force"]) == 0
    with open_database(target) as restored:
        assert _summary(restored) == before


def test_without_pg_dump_postgresql_is_exported_and_restores_into_either_engine(pg_server, tmp_path, monkeypatch):
    source = database_location(pg_server.create_database(at_head=True))
    with open_database(source) as db:
        _fill(db)
        before = _summary(db)
    monkeypatch.setattr("grantdesk.services.backups.shutil.which", lambda name: None)
    out = tmp_path / "team.json"
    result = make_backup(source, out)
    assert result.kind == "export" and "pg_dump is not installed" in result.message
    assert json.loads(out.read_text())["format"] == "grantdesk-export"

    into_pg = database_location(pg_server.create_database())
    restore_backup(into_pg, out)
    with open_database(into_pg) as restored:
        assert _summary(restored) == before
        assert _add_one(restored).endswith("-0004")  # the id sequences carry on past the restored rows
    into_file = database_location(tmp_path / "laptop.db")
    restore_backup(into_file, out)
    with open_database(into_file) as restored:
        assert _summary(restored) == before


def test_a_sqlite_file_moves_onto_postgresql_by_restoring_it_there(db, pg_server, tmp_path):
    _fill(db)
    target = database_location(pg_server.create_database())
    result = restore_backup(target, db.location.path)
    assert result.kind == "sqlite"
    with open_database(target) as team:
        assert _summary(team) == _summary(db)
        assert _add_one(team).endswith("-0004")


def test_a_pg_dump_backup_is_refused_for_a_sqlite_file(pg_server, tmp_path):
    source = database_location(pg_server.create_database(at_head=True))
    build = open_database(source)
    _fill(build)
    build.close()
    out = tmp_path / "team.dump"
    make_backup(source, out)
    with pytest.raises(Exception, match="only be restored into a PostgreSQL database"):
        restore_backup(database_location(tmp_path / "x.db"), out)


# --- on closing, and on a network share -----------------------------------------------------------


def test_closing_keeps_one_backup_a_day_for_the_last_seven_days(db, tmp_path):
    _fill(db)
    folder = db.location.path.parent / "backups"
    start = date(2026, 12, 1)
    for n in range(10):
        made = backup_on_close(db.location, today=start + timedelta(days=n))
        assert made is not None and made.parent == folder
    backup_on_close(db.location, today=start + timedelta(days=9))  # twice on the last day: one file
    kept = sorted(p.name for p in folder.iterdir())
    assert kept == [f"grantdesk-{(start + timedelta(days=n)).isoformat()}.db" for n in range(3, 10)]
    with open_database(database_location(folder / kept[-1])) as copy:
        assert _summary(copy) == _summary(db)


def test_nothing_is_backed_up_on_closing_a_server_database_or_the_samples():
    assert backup_on_close(database_location("postgresql://grants@db.council.local/grantdesk")) is None


MOUNTS = """sysfs /sys sysfs rw 0 0
/dev/sda1 / ext4 rw,relatime 0 0
//fileserver/grants /mnt/grants cifs rw,vers=3.0 0 0
nas:/export/team /srv/team nfs4 rw 0 0
/dev/sdb1 /srv/team/local ext4 rw 0 0
"""


@pytest.mark.parametrize("path, kind", [
    ("/mnt/grants/grantdesk.db", "cifs"), ("/srv/team/x/grantdesk.db", "nfs4"),
    ("/srv/team/local/grantdesk.db", None), ("/home/ann/grantdesk.db", None), ("/mnt/grantsx/g.db", None),
])
def test_a_network_share_is_told_from_the_mounts(path, kind):
    assert network_filesystem(Path(path), mounts=MOUNTS, platform="linux") == kind


def test_a_windows_unc_path_is_a_network_share():
    assert network_filesystem(Path("//fileserver/grants/grantdesk.db"), platform="win32", mounts="") == "network share"


def test_the_warning_points_to_postgresql_and_the_cli_prints_it(tmp_path, monkeypatch, capsys, db):
    mounts = f"/dev/sda1 / ext4 rw 0 0\n//server/share {tmp_path} cifs rw 0 0\n"
    warning = network_share_warning(db.location, mounts=mounts, platform="linux")
    assert "network share (cifs)" in warning and "PostgreSQL" in warning
    assert network_share_warning(db.location, mounts="/dev/sda1 / ext4 rw 0 0\n", platform="linux") is None

    real = network_filesystem
    monkeypatch.setattr("grantdesk.services.backups.network_filesystem",
                        lambda path, **kw: real(path, mounts=mounts, platform="linux"))
    assert main(["db", "backup", "--out", str(tmp_path / "b.bak"), "--db", str(db.location.path)]) == 0
    assert "Warning: This database file is on a network share (cifs)" in capsys.readouterr().err
    assert main(["applications", "list", "--fund", "TST", "--db", str(db.location.path)]) == 1  # any command
    assert "Warning: This database file is on a network share (cifs)" in capsys.readouterr().err


def test_restoring_a_backup_from_a_newer_grantdesk_is_refused(db, tmp_path):
    out = tmp_path / "newer.json"
    make_backup(db.location, out, logical=True)
    data = json.loads(out.read_text())
    data["schema"] = "0999_future"
    out.write_text(json.dumps(data))
    with pytest.raises(DatabaseError, match="does not know"):
        restore_backup(database_location(tmp_path / "n.db"), out)
