"""What `pip install .` ships: every package, the sample funds, the migrations; and the Qt pin."""

import tomllib

from conftest import REPO
from packaging.requirements import Requirement
from packaging.version import Version

from grantdesk.store.schema import REVISIONS

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_every_python_package_in_the_source_tree_is_installed():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    mapped = PYPROJECT["tool"]["setuptools"]["package-dir"]
    found = set()
    for top in ("grantdesk", "ui"):
        for init in (REPO / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(REPO).parts))
    for package, folder in mapped.items():
        assert (REPO / folder / "__init__.py").exists(), folder
        found.add(package)
    assert found == listed


def test_sample_funds_ship_with_the_package():
    from grantdesk.services.samples import available_samples

    names = {s.name for s in available_samples()}
    assert {"staffordshire-php", "oxford-blackbird-leys", "denbighshire-rhyl"} <= names
    assert "*.toml" in PYPROJECT["tool"]["setuptools"]["package-data"]["grantdesk.sample_funds"]


def test_pyside_is_pinned_below_the_release_that_breaks_none_refcounts():
    reqs = {Requirement(r).name: Requirement(r) for r in PYPROJECT["project"]["dependencies"] if r.startswith("PySide6")}
    assert set(reqs) == {"PySide6-Essentials", "PySide6-Addons"}  # Addons (QtPdf) must move in step
    for req in reqs.values():
        assert Version("6.11.3") in req.specifier and Version("6.12.0") not in req.specifier


def test_every_runtime_library_the_app_imports_is_a_declared_dependency():
    declared = {Requirement(r).name.lower() for r in PYPROJECT["project"]["dependencies"]}
    assert {"pyside6-essentials", "pyside6-addons", "sqlalchemy", "alembic", "reportlab", "babel", "platformdirs",
            "openpyxl", "num2words", "jsonschema", "rfc3339-validator", "rfc3986-validator"} <= declared


def test_the_wheel_carries_the_migrations_and_sample_funds_but_not_readme_pictures(tmp_path):
    """Build the wheel `pip install .` would install (from a copy of the sources) and look inside."""
    import shutil
    import subprocess
    import sys
    import zipfile

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    for folder in ("grantdesk", "ui", "sample_funds", "resources"):
        shutil.copytree(REPO / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), "."],
        cwd=src, check=True, capture_output=True,
    )
    [wheel] = tmp_path.glob("grantdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for revision in REVISIONS:
        assert f"grantdesk/store/migrations/versions/{revision}.py" in names
    assert "grantdesk/store/migrations/env.py" in names
    assert {"grantdesk/sample_funds/staffordshire-php.toml", "grantdesk/sample_funds/denbighshire-rhyl.toml"} <= names
    assert "ui/main_window.py" in names
    # The fonts every PDF embeds, so Welsh prints the same on any computer, with their licence.
    assert {"grantdesk/resources/fonts/DejaVuSans.ttf", "grantdesk/resources/fonts/DejaVuSans-Bold.ttf",
            "grantdesk/resources/fonts/LICENSE-DejaVu.txt"} <= names
    # The official 360Giving schemas every published file is checked against, offline.
    assert {"grantdesk/resources/threesixtygiving/360-giving-schema.json",
            "grantdesk/resources/threesixtygiving/360-giving-package-schema.json"} <= names
    assert not any("screenshots" in n for n in names)
