"""The architecture's hard lines, checked by importing rather than by reading source."""

import json
import subprocess
import sys

from conftest import REPO

PROBE = """
import importlib, json, pkgutil, sys
import grantdesk
names = []
for info in pkgutil.walk_packages(grantdesk.__path__, "grantdesk."):
    if info.name.endswith("__main__") or ".migrations" in info.name:
        continue  # __main__ runs the CLI; migration scripts run only inside Alembic
    importlib.import_module(info.name)
    names.append(info.name)
print(json.dumps({"imported": names, "qt": sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6", "ui"))}))
"""


def test_importing_every_grantdesk_module_never_imports_qt_or_the_ui():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    assert "grantdesk.services.applications" in result["imported"]
    assert "grantdesk.store.models" in result["imported"]
    assert result["qt"] == []


def test_the_window_module_does_not_load_sqlalchemy_before_the_window_is_shown():
    probe = "import sys, ui.app, ui.main_window; print(sorted(m for m in sys.modules if m.startswith('sqlalchemy')))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
