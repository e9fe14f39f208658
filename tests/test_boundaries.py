"""The architecture's hard lines, checked by importing rather than by reading source."""

import json
import re
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


def _imports(tree) -> list[str]:
    """Every module a file imports, at any depth, except under ``if TYPE_CHECKING:`` (types only)."""
    import ast

    found: list[str] = []

    def visit(node) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found.extend(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _import_graph() -> dict[str, set[str]]:
    import ast

    modules = {}
    for path in [*REPO.glob("grantdesk/**/*.py"), *REPO.glob("ui/*.py")]:
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        graph[name] = {m for m in _imports(ast.parse(path.read_text())) if m in modules and m != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            connect(v)
    return found


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "grantdesk" and len(parts) > 1 else parts[0]


def test_no_module_imports_itself_in_a_circle():
    assert _cycles(_import_graph()) == []


def test_the_packages_are_layered_with_no_circle_between_them():
    graph = _import_graph()
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        packages.setdefault(_package(module), set()).update(
            _package(t) for t in targets if _package(t) != _package(module))
    assert _cycles(packages) == []
    # io reads and writes files for everyone; it never reaches up into the services or the database
    # (and grantdesk.i18n, which every layer uses to speak the reader's language: it imports nothing of ours)
    assert packages["grantdesk.io"] <= {"grantdesk.domain", "grantdesk.config", "grantdesk.i18n"}
    # the reportlab documents print what services return; no service draws a document itself
    assert "grantdesk.reports" not in packages["grantdesk.services"]
    assert not packages["grantdesk.domain"] - {"grantdesk.config", "grantdesk.i18n"}
    assert not packages.get("grantdesk.i18n", set()), "the translations import nothing of GrantDesk's"


def test_a_circle_is_found_when_there_is_one():
    # the checker itself: two modules importing each other, and a longer ring
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c"]]


# A fund's settings are read through grantdesk/domain/fund_settings.py (settings_of) and written with
# parse_settings / with_setting: no other module reads a key out of the JSON with its own default.
_RAW_SETTINGS_READS = re.compile(
    r"\bsettings\.get\("  # settings.get("x") on a fund, or on a copy of its table
    r"|\.settings(\s+or\s+\{\}\))?\s*(\.get\(|\[)"  # fund.settings["x"], (fund.settings or {}).get("x")
    r"|=\s*(dict\()?[\w.]+\.settings\s+or\s+\{\}"  # settings = fund.settings or {} (a copy to read from)
)


def _raw_settings_reads(source: str) -> list[str]:
    return [line.strip() for line in source.splitlines() if _RAW_SETTINGS_READS.search(line)]


def test_only_the_declarations_read_a_funds_settings_table():
    found = []
    for path in [*REPO.glob("grantdesk/**/*.py"), *REPO.glob("ui/**/*.py")]:
        if path == REPO / "grantdesk" / "domain" / "fund_settings.py":
            continue
        found += [f"{path.relative_to(REPO)}: {line}" for line in _raw_settings_reads(path.read_text())]
    assert found == []


def test_a_raw_settings_read_is_found_when_there_is_one():
    # the scan itself: each way the readers used to read, and what it leaves alone
    for line in ('says = fund.settings.get("repeat_bids")', 'own = (fund.settings.get("letters") or {})',
                 'x = tuple((fund.settings or {}).get("required_attachments", ()))',
                 'monitoring = fund.settings["monitoring"]', "settings = fund.settings or {}",
                 "settings = dict(fund.settings or {})"):
        assert _raw_settings_reads(line), line
    for line in ("options = ballot_settings.get('x')", 'geometry = self.settings.value("mainWindow/geometry")',
                 "stored = parse_settings(fund.settings or {})", "s = settings_of(fund.settings)",
                 'settings["max_choices"] = most', "fund.settings = with_setting(fund.settings, key, value)"):
        assert not _raw_settings_reads(line), line
