"""Where the read-only shared data is (the real PaBuLib elections, the 360Giving standard's files),
and the one rule for when it is not there.

The folder is ``$GRANTDESK_SHARED`` or, without it, ``../shared`` next to the repository. On a
developer's machine a test that needs it is skipped, with the reason. Under CI (``CI`` set to
``true``, ``1`` or ``yes``, as CI services set it; ``.ci/run`` sets it too) the same test fails:
the oracle tests are the point of a CI run, and a run that skipped them must not pass.

Every test reaches the folder through the ``shared_dir`` fixture (tests/conftest.py), which calls
``require_shared``; nothing else in tests/ looks for it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
ENV = "GRANTDESK_SHARED"


def in_ci() -> bool:
    """True when the run is a CI run (``CI=true``, as GitHub, GitLab and most CI services set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def shared_location() -> Path:
    """Where the shared data folder should be: ``$GRANTDESK_SHARED``, else ``../shared``."""
    return Path(os.environ.get(ENV) or REPO.parent / "shared")


def data_missing(message: str) -> None:
    """Stop the current test because data it needs is absent: a skip locally, a failure in CI."""
    if in_ci():
        pytest.fail(f"{message}. CI must run every test with the real data (CI={os.environ.get('CI')}).",
                    pytrace=False)
    pytest.skip(message)


def require_shared() -> Path:
    """The shared data folder, or the test stops (skipped locally, failed under CI)."""
    path = shared_location()
    if not path.is_dir():
        data_missing(f"the shared data folder is absent at {path} (set {ENV} to where it is)")
    return path
