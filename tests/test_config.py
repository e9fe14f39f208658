from pathlib import Path

from grantdesk.config import database_location, default_database_path


def test_the_default_database_lives_in_the_users_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("GRANTDESK_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # platformdirs' user-data folder on Linux
    location = database_location(None)
    assert location.is_default
    assert location.path == default_database_path()
    assert location.path.parent.name == "GrantDesk" and location.path.name == "grantdesk.db"


def test_db_option_beats_the_environment_which_beats_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv("GRANTDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert database_location(None).path == tmp_path / "env.db"
    assert database_location(str(tmp_path / "cli.db")).path == tmp_path / "cli.db"


def test_a_relative_path_is_made_absolute_and_a_server_url_hides_its_password(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert database_location("x.db").path == Path(tmp_path / "x.db").resolve()
    server = database_location("postgresql://grants:s3cret@db.council.local/grantdesk")
    assert server.path is None and server.exists
    assert server.describe() == "postgresql://grants@db.council.local/grantdesk"
    assert "s3cret" not in server.describe()
