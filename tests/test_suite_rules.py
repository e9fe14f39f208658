"""Rules about the test suite itself: without the shared data a CI run fails (a local run skips)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_data import in_ci

TESTS = Path(__file__).resolve().parent

NEEDS_SHARED = '''
def test_needs_the_shared_data(shared_dir):
    assert shared_dir.is_dir()
'''


def _run_with_missing_shared(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    """pytest, in a child process, on one test that asks for ``shared_dir``, through the real
    tests/conftest.py (loaded as a plugin), with $GRANTDESK_SHARED pointing at a folder that is not there."""
    (tmp_path / "test_one.py").write_text(NEEDS_SHARED, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in {"CI", "PYTEST_ADDOPTS", "PYTEST_PLUGINS"}}
    env.update(GRANTDESK_SHARED=str(tmp_path / "no-such-folder"), PYTHONPATH=str(TESTS),
               QT_QPA_PLATFORM="offscreen")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-rsE", "-q",
         "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_one.py")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_under_ci_a_missing_shared_folder_fails_the_run(tmp_path):
    run = _run_with_missing_shared(tmp_path, "true")
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert "1 error" in out and "skipped" not in out, out
    assert "the shared data folder is absent at" in out and "no-such-folder" in out, out
    assert "CI must run every test with the real data" in out, out


def test_outside_ci_a_missing_shared_folder_skips_with_the_reason(tmp_path):
    run = _run_with_missing_shared(tmp_path, None)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "1 skipped" in out, out
    assert "the shared data folder is absent at" in out and "no-such-folder" in out, out


@pytest.mark.parametrize("value, ci", [("true", True), ("TRUE", True), ("1", True), ("yes", True),
                                       ("", False), ("false", False), ("0", False), (None, False)])
def test_ci_is_recognised_as_ci_services_set_it(monkeypatch, value, ci):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is ci


def test_nothing_else_in_the_tests_looks_for_the_shared_folder_or_skips_on_its_own():
    """One rule everywhere: the folder is found only by tests/shared_data.py (through ``shared_dir``),
    and no test skips by itself, where a CI run would pass without having run it."""
    offenders = []
    for path in sorted(TESTS.glob("*.py")):
        if path.name in {"shared_data.py", Path(__file__).name}:
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ('environ.get("GRANTDESK_SHARED"', 'environ["GRANTDESK_SHARED"]', '/ "shared"', "/ 'shared'",
                       "pytest.skip(", "skipif", "importorskip"):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert not offenders, "route these through tests/shared_data.py: " + ", ".join(offenders)


def test_the_slow_marker_is_registered_and_the_default_run_includes_the_slow_tests():
    """``pytest -m "not slow"`` is a local shortcut; the plain ``pytest`` that CI runs selects every test."""
    import tomllib

    options = tomllib.loads((TESTS.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert any(m.startswith("slow:") for m in options["markers"])
    assert "--strict-markers" in options["addopts"].split()
    assert "-m" not in options["addopts"].split() and "slow" not in options["addopts"]
