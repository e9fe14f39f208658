import json
import subprocess
import sys

from conftest import REPO
from helpers import make_older_database

from grantdesk.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_load_then_list_the_staffordshire_applications_as_json(tmp_path, capsys):
    db = str(tmp_path / "x.db")
    code, out, err = run(capsys, "sample", "load", "--db", db)
    assert code == 0, err
    assert "Loaded PHP" in out and "Loaded BBL" in out and "Loaded RHYL" in out
    code, out, err = run(capsys, "applications", "list", "--fund", "PHP", "--db", db, "--json")
    assert code == 0, err
    apps = json.loads(out)
    assert len(apps) >= 35
    first = apps[0]
    for field in ("id", "reference", "status", "title", "organisation", "amount_requested", "area", "submitted_on"):
        assert field in first
    assert all(a["reference"].startswith("PHP-") and a["fund"] == "PHP" for a in apps)
    assert all(isinstance(a["amount_requested"], str) and "." in a["amount_requested"] for a in apps)
    assert len({a["status"] for a in apps}) >= 6


def test_loading_samples_again_skips_what_is_there(tmp_path, capsys):
    db = str(tmp_path / "x.db")
    run(capsys, "sample", "load", "staffordshire-php", "--db", db)
    code, out, _ = run(capsys, "sample", "load", "--db", db)
    assert code == 0
    assert "PHP is already in this database — skipped." in out and "Loaded BBL" in out


def test_an_unknown_fund_is_a_one_line_error_not_an_empty_list(sample_path, capsys):
    code, out, err = run(capsys, "applications", "list", "--fund", "XYZ", "--db", str(sample_path), "--json")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: There is no fund with code “XYZ”")
    assert "PHP" in err


def test_funds_lists_every_fund_as_text_and_json(sample_path, capsys):
    code, out, _ = run(capsys, "funds", "--db", str(sample_path))
    assert code == 0 and "People Helping People" in out and "RHYL" in out
    code, out, _ = run(capsys, "--db", str(sample_path), "funds", "--json")
    funds = {f["code"]: f for f in json.loads(out)}
    assert set(funds) == {"PHP", "BBL", "RHYL"}
    assert funds["PHP"]["council"] == "Staffordshire County Council"
    assert funds["BBL"]["applications"] >= 12


def test_db_init_check_and_upgrade(tmp_path, capsys):
    db = str(tmp_path / "new.db")
    assert run(capsys, "db", "check", "--db", db)[0] == 1
    code, out, _ = run(capsys, "db", "init", "--db", db)
    assert code == 0 and "Created" in out
    code, out, _ = run(capsys, "db", "init", "--db", db)
    assert code == 0 and "already" in out
    code, out, _ = run(capsys, "db", "check", "--db", db)
    assert code == 0 and "No problems found" in out
    code, out, _ = run(capsys, "db", "upgrade", "--db", db)
    assert code == 0 and "already up to date" in out


def test_db_upgrade_brings_an_older_database_up_to_date_and_says_where_the_backup_is(tmp_path, capsys):
    db = tmp_path / "old.db"
    make_older_database(db)
    code, _, _ = run(capsys, "db", "check", "--db", str(db))
    assert code == 1
    code, out, _ = run(capsys, "db", "upgrade", "--db", str(db))
    assert code == 0 and "from schema 0001_core" in out
    [backup] = tmp_path.glob("old.db.before-*.bak")
    assert str(backup) in out
    code, out, _ = run(capsys, "applications", "list", "--fund", "OLD", "--db", str(db))
    assert code == 0 and "OLD-2024-0001" in out and "£1,234.56" in out


def test_reading_commands_do_not_create_a_missing_database(tmp_path, capsys):
    db = tmp_path / "missing.db"
    code, _, err = run(capsys, "funds", "--db", str(db))
    assert code == 1 and "db init" in err
    assert not db.exists()


def test_the_database_can_come_from_the_environment(tmp_path, capsys, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("GRANTDESK_DATABASE_URL", f"sqlite:///{db}")
    assert run(capsys, "db", "init")[0] == 0
    assert db.exists()


def test_sample_list_names_the_three_samples(capsys):
    code, out, _ = run(capsys, "sample", "list")
    assert code == 0
    for name in ("staffordshire-php", "oxford-blackbird-leys", "denbighshire-rhyl"):
        assert name in out


def test_python_dash_m_grantdesk_is_the_cli(tmp_path):
    db = tmp_path / "m.db"
    result = subprocess.run([sys.executable, "-m", "grantdesk", "db", "init", "--db", str(db)],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    bad = subprocess.run([sys.executable, "-m", "grantdesk", "applications", "list", "--fund", "NOPE",
                          "--db", str(db)], cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("error: ")
    usage = subprocess.run([sys.executable, "-m", "grantdesk", "frobnicate"], cwd=REPO, capture_output=True, text=True)
    assert usage.returncode == 2
