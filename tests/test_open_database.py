"""Opening a database, plainly: a folder that does not exist, a read-only file, a newer or unknown schema,
and where the sample funds go."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import stat

import pytest
from helpers import make_older_database

from grantdesk.cli import main
from grantdesk.config import database_location
from grantdesk.domain.errors import DatabaseError
from grantdesk.store import schema
from grantdesk.store.database import open_database


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_only(path):
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return path


# --- a folder that does not exist -----------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ("db", "init"), ("db", "check"), ("db", "upgrade"), ("sample", "load", "staffordshire-php"), ("funds",),
    ("applications", "list", "--fund", "PHP"),
])
def test_the_command_line_refuses_a_db_in_a_folder_that_does_not_exist_and_makes_nothing(tmp_path, capsys, argv):
    missing = tmp_path / "typo" / "deeper" / "council.db"
    code, out, err = run(capsys, *argv, "--db", str(missing))
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith(f"error: The folder {missing.parent} does not exist")
    assert "nothing was created" in err and "Traceback" not in err and out == ""
    assert list(tmp_path.iterdir()) == []  # not the folder, not the file


def test_in_an_existing_folder_db_init_still_makes_the_file(tmp_path, capsys):
    code, out, _ = run(capsys, "db", "init", "--db", str(tmp_path / "council.db"))
    assert code == 0 and "Created" in out


# --- where the sample funds go ----------------------------------------------------------------------


def test_sample_load_without_db_fills_the_sample_database_not_the_app_database(tmp_path, capsys, monkeypatch):
    from grantdesk.config import default_database_path, sample_database_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # platformdirs' user-data folder on Linux
    assert sample_database_path() == default_database_path().with_name("grantdesk-samples.db")
    code, out, err = run(capsys, "sample", "load", "denbighshire-rhyl")
    assert code == 0, err
    assert f"sample database, {sample_database_path()}" in out and "Loaded RHYL" in out
    assert sample_database_path().exists() and not default_database_path().exists()
    code, out, _ = run(capsys, "funds", "--json", "--db", str(sample_database_path()))
    assert [f["code"] for f in json.loads(out)] == ["RHYL"]


def test_sample_load_with_db_says_it_is_putting_invented_data_there(tmp_path, capsys):
    target = tmp_path / "x.db"
    code, out, err = run(capsys, "sample", "load", "denbighshire-rhyl", "--db", str(target))
    assert code == 0, err
    assert f"into {target}" in out and "invented" in out and "SAMPLE DATA" in out


# --- a read-only file ------------------------------------------------------------------------------


def _csv_of_one_new_application(capsys, db_path, out_path):
    code, out, _ = run(capsys, "applications", "list", "--fund", "RHYL", "--json", "--db", str(db_path))
    assert code == 0
    first = dict(json.loads(out)[0], title="A new bench for the prom")
    import csv

    with out_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(first))
        writer.writeheader()
        writer.writerow(first)
    return out_path


def test_a_read_only_database_can_be_looked_at_but_an_import_is_refused_in_plain_words(sample_path, tmp_path, capsys):
    rows = _csv_of_one_new_application(capsys, sample_path, tmp_path / "new.csv")
    read_only(sample_path)
    before = _sha(sample_path)
    code, out, _ = run(capsys, "funds", "--db", str(sample_path))
    assert code == 0 and "RHYL" in out  # looking is fine

    code, out, err = run(capsys, "applications", "import", str(rows), "--fund", "RHYL", "--db", str(sample_path))
    assert code == 1, err
    assert err.startswith("error: This database is read-only: you can look but not change anything.")
    assert "Nothing was saved" in err and err.count("\n") == 1
    assert "SQL" not in out + err and "sqlite" not in (out + err).lower() and "INSERT" not in err
    assert _sha(sample_path) == before


def test_a_read_only_database_opens_for_reading_and_every_write_is_a_plain_refusal(sample_path):
    from grantdesk.services.database import holds_sample_data, open_for_app
    from grantdesk.services.funds import set_area_code
    from grantdesk.store.unit_of_work import ReadOnlyDatabase

    read_only(sample_path)
    opened = open_for_app(database_location(sample_path))
    try:
        assert opened.read_only and opened.db.read_only and holds_sample_data(opened.db)
        with pytest.raises(ReadOnlyDatabase, match="read-only: you can look but not change anything"):
            set_area_code(opened.db, "RHYL", "Rhyl East", "W05000175")
    finally:
        opened.db.close()


def test_a_read_only_database_that_would_need_writing_first_is_refused_untouched(tmp_path):
    older = tmp_path / "older.db"
    make_older_database(older)
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for path in (older, empty):
        read_only(path)
        before = _sha(path)
        with pytest.raises(DatabaseError, match="is read-only") as err:
            open_database(database_location(path), create=True)
        assert "Nothing was changed" in str(err.value)
        assert _sha(path) == before
    assert not list(tmp_path.glob("*.bak"))


# --- newer and unknown schemas ---------------------------------------------------------------------


def _with_revision(path, revision):
    make_older_database(path, schema.HEAD)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    return path


def test_db_check_on_a_newer_database_says_so_without_counting_funds(tmp_path, capsys):
    path = _with_revision(tmp_path / "future.db", "0099_from_the_future")
    before = _sha(path)
    code, out, err = run(capsys, "db", "check", "--db", str(path))
    assert code == 1
    assert "Schema: 0099_from_the_future (from a newer GrantDesk)" in out
    assert "newer GrantDesk" in err
    assert "Funds" not in out and "applications" not in out
    assert _sha(path) == before


def test_an_unknown_schema_revision_is_called_unknown_not_newer(tmp_path, capsys):
    for revision in ("abc123def456", "0003_someone_elses"):
        path = _with_revision(tmp_path / f"{revision}.db", revision)
        code, out, err = run(capsys, "db", "check", "--db", str(path))
        assert code == 1
        assert f"Schema: {revision} (unknown to this GrantDesk)" in out
        assert "unknown" in err and "newer" not in out + err
        assert "Funds" not in out
        with pytest.raises(DatabaseError, match="does not know") as refused:
            open_database(database_location(path))
        assert "newer" not in str(refused.value) and "nothing was changed" in str(refused.value)


# --- the same in the app ----------------------------------------------------------------------------------


def _window(qtbot, path):
    from ui.main_window import MainWindow

    window = MainWindow(database_location(path))
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.mark.parametrize("answer", ["No", "Yes"])
def test_the_app_offers_to_make_a_missing_folder_and_makes_nothing_unless_told(qtbot, tmp_path, monkeypatch, answer):
    from PySide6.QtWidgets import QMessageBox

    missing = tmp_path / "new folder" / "council.db"
    asked = []

    def question(parent, title, text, buttons, default):
        asked.append(text)
        assert default == QMessageBox.StandardButton.No  # Enter alone makes nothing
        return getattr(QMessageBox.StandardButton, answer)

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    window = _window(qtbot, missing)
    if answer == "No":
        with qtbot.waitSignal(window.load_failed, timeout=30_000) as failed:
            window.start()
        assert "Nothing was created" in failed.args[0] and "Nothing was created" in window.loading_label.text()
        assert list(tmp_path.iterdir()) == []
    else:
        with qtbot.waitSignal(window.ready, timeout=30_000):
            window.start()
        assert missing.exists() and window.central_stack.currentWidget() is window.welcome
    assert len(asked) == 1 and str(missing.parent) in asked[0]


def test_the_app_makes_its_own_folder_without_asking(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from grantdesk.config import default_database_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *a: pytest.fail("asked")))
    from ui.main_window import MainWindow

    window = MainWindow(database_location(None))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=30_000):
        window.start()
    assert default_database_path().exists()


def test_a_read_only_database_opens_in_the_app_with_a_banner_and_a_write_is_refused_plainly(
        qtbot, sample_path, tmp_path):
    read_only(sample_path)
    window = _window(qtbot, sample_path)
    with qtbot.waitSignal(window.ready, timeout=30_000):
        window.start()
    assert window.read_only and window.app_model.rowCount() > 0  # everything can be looked at
    banner = window.read_only_banner
    assert banner.isVisible() and banner.text().startswith(
        "This database is read-only: you can look but not change anything")
    assert banner.accessibleName() and "read-only" in window.windowTitle()

    definition = tmp_path / "fund.toml"
    definition.write_text('[fund]\ncode = "NEW"\nname = "New Fund"\ncouncil = "Testshire County Council"\n'
                          'decision_model = "officer"\nfunder_org_id = "GB-LAE-TST"\n', encoding="utf-8")
    before = _sha(sample_path)
    with qtbot.waitSignal(window.runner.idle, timeout=30_000):
        window.open_definition_file(str(definition))
    assert window.notice.isVisible()
    assert window.notice.text().startswith("This database is read-only: you can look but not change anything.")
    assert "SQL" not in window.notice.text()
    assert _sha(sample_path) == before


def test_a_screenshot_of_a_database_in_a_missing_folder_is_refused_without_asking(qtbot, tmp_path, capsys):
    from ui.app import main

    code = main(["--db", str(tmp_path / "nope" / "x.db"), "--screenshot", str(tmp_path / "shot.png")])
    assert code == 2 and "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_without_a_display_the_app_says_so_and_how_to_take_a_screenshot():
    from ui.app import no_display_message

    message = no_display_message({}, "linux")
    assert "needs a display" in message and "QT_QPA_PLATFORM=offscreen grantdesk --screenshot FILE.png" in message
    for environ, platform in (({"DISPLAY": ":0"}, "linux"), ({"WAYLAND_DISPLAY": "wayland-0"}, "linux"),
                              ({"QT_QPA_PLATFORM": "offscreen"}, "linux"), ({}, "win32"), ({}, "darwin")):
        assert no_display_message(environ, platform) is None
