"""Where the database is and who is working: resolved the same way by the app and the CLI.

Order: ``--db PATH`` (a file path, or a SQLAlchemy URL such as ``postgresql://…``), then the
``GRANTDESK_DATABASE_URL`` environment variable, then ``grantdesk.db`` in the platform's user-data
folder (``~/.local/share/GrantDesk`` on Linux, ``%LOCALAPPDATA%\\GrantDesk`` on Windows).

The sample funds (invented people) live in a database of their own next to it,
``grantdesk-samples.db`` (``sample_database_location()``), so they are never mixed with real data.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

ENV_DATABASE_URL = "GRANTDESK_DATABASE_URL"
ENV_USER = "GRANTDESK_USER"
APP_NAME = "GrantDesk"


@dataclass(frozen=True)
class DatabaseLocation:
    """A database to open: its SQLAlchemy URL and, for a SQLite file, the file's path."""

    url: str
    path: Path | None  # None for a server database
    is_default: bool = False
    is_samples: bool = False  # the app's own sample database (grantdesk-samples.db)

    @property
    def exists(self) -> bool:
        return self.path is None or self.path.exists()

    @property
    def in_app_folder(self) -> bool:
        """The app's own database or sample database: its folder is GrantDesk's to make."""
        return self.is_default or self.is_samples

    def missing_folder(self) -> Path | None:
        """The folder a new SQLite file would go in, when that folder does not exist (else None)."""
        if self.path is None or self.path.exists() or self.path.parent.is_dir():
            return None
        return self.path.parent

    def read_only(self) -> bool:
        """Whether the SQLite file is there but may not be written: no write permission for this
        user, or (as the root user may write anything) no write bit set on it at all."""
        if self.path is None or not self.path.is_file():
            return False
        try:
            mode = self.path.stat().st_mode
        except OSError:
            return False
        return not os.access(self.path, os.W_OK) or not mode & 0o222

    def describe(self) -> str:
        """How the status bar and messages name it: the file path, or the URL without a password."""
        if self.path is not None:
            return str(self.path)
        head, sep, tail = self.url.partition("://")
        if "@" in tail:
            creds, _, host = tail.rpartition("@")
            user = creds.split(":", 1)[0]
            return f"{head}{sep}{user}@{host}"
        return self.url


def default_database_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False) / "grantdesk.db"


def sample_database_path() -> Path:
    """The sample funds' own database, next to the default one (never the officer's real database)."""
    return default_database_path().with_name("grantdesk-samples.db")


def sample_database_location() -> DatabaseLocation:
    path = sample_database_path()
    return DatabaseLocation(url=_sqlite_url(path), path=path, is_samples=True)


def database_location(db: str | os.PathLike[str] | None = None) -> DatabaseLocation:
    """Resolve ``--db`` (path or URL), then ``GRANTDESK_DATABASE_URL``, then the default file."""
    if db is not None and str(db).strip():
        return _from_text(str(db))
    env = os.environ.get(ENV_DATABASE_URL, "").strip()
    if env:
        return _from_text(env)
    path = default_database_path()
    return DatabaseLocation(url=_sqlite_url(path), path=path, is_default=True)


def _from_text(text: str) -> DatabaseLocation:
    if "://" in text:
        if text.startswith("sqlite"):
            _, _, rest = text.partition(":///")
            if rest and not rest.startswith(":memory:"):
                path = Path(rest).expanduser().resolve()
                return DatabaseLocation(url=_sqlite_url(path), path=path)
        return DatabaseLocation(url=text, path=None)
    path = Path(text).expanduser().resolve()
    return DatabaseLocation(url=_sqlite_url(path), path=path)


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# A server URL as people write it (``postgresql://user@host:port/db``, or Heroku-style ``postgres://``)
# names no driver; GrantDesk ships psycopg 3, so that is the one it means.
_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


def engine_url(url: str) -> str:
    """The SQLAlchemy URL to connect with: ``postgresql://…`` as given, with psycopg 3 as its driver."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower() in _DRIVERS:
        return f"{_DRIVERS[scheme.lower()]}://{rest}"
    return url


def is_server_url(url: str) -> bool:
    """Whether the URL names a database server (PostgreSQL), not a SQLite file."""
    return url.partition("://")[0].lower().startswith(("postgresql", "postgres"))


def current_actor() -> str:
    """The person working, for the audit log: ``GRANTDESK_USER`` or the operating-system login."""
    name = os.environ.get(ENV_USER, "").strip()
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "unknown user"


def shipped_dir(package: str, checkout_folder: str) -> Path:
    """A folder of files GrantDesk ships (``grantdesk.sample_funds``, ``grantdesk.resources``): inside
    the installed package, or the checkout's top-level folder when running from a source tree."""
    from importlib import resources

    try:
        path = Path(str(resources.files(package)))
        if path.is_dir():
            return path
    except ModuleNotFoundError:  # running from a checkout that is not installed
        pass
    return Path(__file__).resolve().parents[1] / checkout_folder
