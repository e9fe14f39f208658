"""A real PostgreSQL server for the test run, started by the run itself and stopped after it.

The server is Debian's own PostgreSQL (package ``postgresql``: ``/usr/lib/postgresql/<n>/bin``), or
any ``initdb``/``pg_ctl`` on PATH or in ``$GRANTDESK_PG_BIN``. ``.ci/run`` installs the package when it
is missing. ``initdb`` makes a throw-away cluster in a temporary folder and ``pg_ctl`` starts it on a
free loopback port (no Unix socket outside that folder, trust authentication on 127.0.0.1 only); the
session fixture stops it and the folder goes. PostgreSQL refuses to run as root, so when the tests run
as root (CI does) the server runs as the ``postgres`` system user the Debian package creates, through
``runuser``.

Without a server the PostgreSQL tests stop the way tests without ../shared do (tests/shared_data.py):
skipped on a developer's machine, with the reason; failed under CI.

Each test gets a database of its own (``CREATE DATABASE`` from the server's template): ``fresh_url``.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from shared_data import data_missing

ENV_BIN = "GRANTDESK_PG_BIN"
SUPERUSER = "grantdesk"
RUN_AS = "postgres"  # the Debian package's system user, for a run as root


def find_bin() -> Path | None:
    """The folder holding initdb and pg_ctl (PostgreSQL 15 or newer), or None. ``$GRANTDESK_PG_BIN``,
    when set, is the only place looked at."""
    candidates: list[Path] = []
    if os.environ.get(ENV_BIN):
        folder = Path(os.environ[ENV_BIN])
        return folder if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file() else None
    found = shutil.which("pg_ctl")
    if found:
        candidates.append(Path(found).resolve().parent)
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted((p for p in debian.iterdir() if p.name.isdigit()), key=lambda p: int(p.name), reverse=True)
        candidates.extend(p / "bin" for p in versions)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    bin: Path
    root: Path
    port: int
    as_user: str | None
    _names = itertools.count(1)

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(a) for a in args]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL)

    def start(self) -> None:
        self._run(self.bin / "initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                  "--locale=C", "--no-sync")
        options = (f"-h 127.0.0.1 -p {self.port} -k {self.root} -F -c fsync=off -c full_page_writes=off "
                   "-c synchronous_commit=off -c max_connections=200")
        try:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-o", options, "-w",
                      "-t", "60", "start")
        except subprocess.CalledProcessError as exc:
            log = (self.root / "server.log")
            raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log.read_text() if log.exists() else ''}") from exc

    def stop(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)

    def url(self, database: str = "postgres") -> str:
        """The URL as an officer would type it (GrantDesk maps it to the psycopg driver)."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None, *, at_head: bool = False) -> str:
        """A new database, empty or (``at_head``) with GrantDesk's schema already made; its URL."""
        import psycopg

        name = name or f"test_{os.getpid()}_{next(self._names)}"
        template = f' TEMPLATE "{self._head_template()}"' if at_head else ""
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{template}')
        return self.url(name)

    _template: str | None = None

    def _head_template(self) -> str:
        """A database migrated to head once, copied by CREATE DATABASE … TEMPLATE (much quicker than
        running every migration for each test; tests/test_postgresql.py runs them for real)."""
        if self._template is None:
            from grantdesk.config import database_location
            from grantdesk.store.database import open_database

            url = self.create_database("grantdesk_head")
            open_database(database_location(url), create=True).close()
            self._template = "grantdesk_head"
        return self._template

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server() -> PostgresServer:
    """Start a throw-away server, or stop the test (skipped locally, failed under CI) when there is none."""
    folder = find_bin()
    if folder is None:
        data_missing("no PostgreSQL server binaries (initdb, pg_ctl) were found: install Debian's `postgresql` "
                     f"package, or set {ENV_BIN} to their folder")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        data_missing("the psycopg driver is not installed (pip install -e \".[test]\")")
    as_user = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        if shutil.which("runuser") is None:
            data_missing("running as root, and there is no runuser to start PostgreSQL as another user")
        as_user = RUN_AS
    root = Path(tempfile.mkdtemp(prefix="grantdesk-pg-"))
    if as_user:
        import pwd

        entry = pwd.getpwnam(as_user)
        os.chown(root, entry.pw_uid, entry.pw_gid)
        root.chmod(0o700)
    server = PostgresServer(folder, root, free_port(), as_user)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return server


def stop_server(server: PostgresServer) -> None:
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


# --- fixtures (imported by tests/conftest.py) ------------------------------------------------------

import pytest  # noqa: E402

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the whole run, started on first use and stopped at the end."""
    server = start_server()
    yield server
    stop_server(server)


@pytest.fixture
def pg_location(pg_server):
    """A new, empty PostgreSQL database of this test's own (dropped afterwards), as a location."""
    from grantdesk.config import database_location

    url = pg_server.create_database()
    yield database_location(url)
    pg_server.drop_database(url)


@pytest.fixture(params=ENGINES)
def engine_location(request, tmp_path):
    """Where a fresh database goes, once on each engine: a SQLite file, then a PostgreSQL database."""
    from grantdesk.config import database_location

    if request.param == "sqlite":
        return database_location(tmp_path / "grantdesk.db")
    server = request.getfixturevalue("pg_server")
    url = server.create_database(at_head=True)
    request.addfinalizer(lambda: server.drop_database(url))
    return database_location(url)


@pytest.fixture
def engine_db(engine_location):
    """A fresh GrantDesk database at the current schema, on each engine in turn (the PostgreSQL one
    copied from a migrated template)."""
    from grantdesk.store.database import open_database

    database = open_database(engine_location, create=True)
    yield database
    database.close()


@pytest.fixture
def pg_db(pg_server):
    """A fresh PostgreSQL database at the current schema (copied from a migrated template)."""
    from grantdesk.config import database_location
    from grantdesk.store.database import open_database

    url = pg_server.create_database(at_head=True)
    database = open_database(database_location(url))
    yield database
    database.close()
    pg_server.drop_database(url)
