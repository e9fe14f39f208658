"""Shared fixtures: a fresh SQLite file per test, the sample funds, and ../shared data."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Qt tests run without a screen; the audit log names a test officer.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GRANTDESK_USER", "Test Officer")
# A window's user action that commits twice, or a read that writes, fails the test (ui/operations.py).
os.environ["GRANTDESK_STRICT_OPERATIONS"] = "1"
os.environ.pop("GRANTDESK_DATABASE_URL", None)

from grantdesk.config import DatabaseLocation, database_location  # noqa: E402
from grantdesk.store.database import open_database  # noqa: E402
from shared_data import require_shared  # noqa: E402
from pg import engine_db, engine_location, pg_db, pg_location, pg_server  # noqa: E402, F401 (PostgreSQL: tests/pg.py)

import qt_leaks  # noqa: E402

qt_leaks.install()  # note every QTimer.singleShot, so a test that leaves one pending fails

REPO = Path(__file__).resolve().parents[1]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[qt_leaks.CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def no_leaked_timers(request):
    """Fail a test that leaves a single-shot timer pending, a widget's QTimer running or a window
    shown, after its widgets are closed (tests/qt_leaks.py): it would fire in a later test."""
    yield
    found = qt_leaks.leaks()  # stopped and hidden even when not reported
    if found and not request.node.stash.get(qt_leaks.CALL_FAILED, False):
        pytest.fail("The test left Qt timers or windows behind (now stopped):\n- " + "\n- ".join(found),
                    pytrace=False)


@pytest.fixture
def location(tmp_path: Path) -> DatabaseLocation:
    """Where a fresh test database goes (not created yet)."""
    return database_location(tmp_path / "grantdesk.db")


@pytest.fixture
def db(location: DatabaseLocation):
    """A fresh, empty GrantDesk database at the current schema."""
    database = open_database(location, create=True)
    yield database
    database.close()


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory) -> Path:
    """All sample funds loaded once per test session into a file that tests copy."""
    from grantdesk.services.samples import load_samples

    path = tmp_path_factory.mktemp("samples") / "samples.db"
    with open_database(database_location(path), create=True) as database:
        load_samples(database)
    return path


@pytest.fixture
def sample_path(tmp_path: Path, sample_template: Path) -> Path:
    """A private copy of the sample-fund database for one test."""
    target = tmp_path / "samples.db"
    shutil.copyfile(sample_template, target)
    return target


@pytest.fixture
def sample_db(sample_path: Path):
    database = open_database(database_location(sample_path))
    yield database
    database.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only ../shared folder (or $GRANTDESK_SHARED). Absent: skipped locally, failed under
    CI=true (tests/shared_data.py)."""
    return require_shared()



@pytest.fixture
def runner(qtbot):
    """A background task runner for a window under test, shut down afterwards."""
    from ui.tasks import TaskRunner

    r = TaskRunner()
    yield r
    r.shutdown()
