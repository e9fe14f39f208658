"""Benchmark: the 100,000-application list against a floor model measured in the same run.

    python tests/bench/lists.py [--json] [--repeat 5] [--applications 100000] [--work DIR]

Issue 10's "big lists" and "memory" figures. ``tests/bench/data.py`` builds fund BIG with 100,000
applications; the rows are read once through ``list_application_rows`` (timed on its own and
reported as ``lists.load_rows``, which has no floor or target). Then, in this process, on Qt's
offscreen platform, two identical ``QTableView`` windows (1280×800, shown, the main window's
column widths and options, sorted by Reference ascending) each get the same rows:

- GrantDesk's ``ApplicationsTableModel`` (``prepare_rows`` + ``set_prepared``; cell text is made per
  painted row);
- the floor: ``FloorModel`` below, a minimal ``QAbstractTableModel`` over a plain list of 100,000
  tuples holding the seven visible texts (money and dates formatted up front with f-strings) and a
  lowercase search key. It sorts by sorting its own list in place and emitting ``layoutChanged``,
  and filters with a list comprehension over the keys and a model reset.

Each timing runs from the call to the first paint of the view's viewport after it, and the median
of ``--repeat`` runs counts (GrantDesk and floor alternate; ``gc.collect()`` before each, untimed):

- ``lists.open``: from the service rows in memory to the list painted (GrantDesk: ``prepare_rows``
  + ``set_prepared``; floor: building its tuples + resetting the model);
- ``lists.sort``: sorting by Title through the view's header (its sort indicator, as a click sets it),
  from Reference order;
- ``lists.filter``: filtering by a word that matches a few percent of the rows, from no filter.

``lists.memory`` is the peak RSS (``VmHWM``) of two child processes: the real app (``ui.app.main``
with ``--screenshot`` on fund BIG, so the window is shown, the database opened and checked, the
funds, the 100,000 rows and the first application's details loaded and a picture saved; then the
ORM loaded, as an open window loads it once idle), against a
script that opens the same database, reads the same rows with the same service call, builds the
floor model from them (dropping the service rows), shows it in the same table view and saves a
picture of it. Targets: at most 3× the floor for times, under 2× for memory (lower is better).

``lists.open_postgresql`` opens the same list (the service's read, the model, the first paint) from a
PostgreSQL copy of the database against the SQLite file, in the same run: target within 2× of SQLite
(``--pg-url`` to use a server of your own, ``--no-postgresql`` to leave it out).
It never asserts: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any Qt import, here and in the children

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt  # noqa: E402
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QTableView  # noqa: E402

TIME_TARGET = 3.0
MEMORY_TARGET = 2.0
FILTER_WORD = "priory"  # an area that begins 1 in 16 organisation names: ~6% of the applications
REFERENCE, TITLE = 0, 1
HEADERS = ("Reference", "Title", "Status", "Requested", "Organisation", "Area", "Submitted")
# The main window's widths (ui/main_window.py MainWindow.column_widths); the title takes what is left of 1280.
WIDTHS = (112, 560, 92, 88, 160, 124, 92)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")  # en_GB (CLDR)


# --- the floor ------------------------------------------------------------------------------------
def floor_rows(rows) -> list[tuple[str, ...]]:
    """The floor's list: per row, the seven visible texts and a lowercase search key (reference,
    title and organisation, as GrantDesk searches). Money and dates as f-strings, made up front."""
    from grantdesk.domain.workflow import STATUS_LABELS

    labels = {s.value: text for s, text in STATUS_LABELS.items()}
    out = []
    append = out.append
    for r in rows:
        pence, day = r.amount_requested_pence, r.submitted_on
        append((r.reference, r.title, labels[r.status], f"£{pence // 100:,}.{pence % 100:02d}", r.organisation,
                r.area or "", f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else "",
                f"{r.reference}\n{r.title}\n{r.organisation}".casefold()))
    return out


class FloorModel(QAbstractTableModel):
    """The best a simple hand-written model does: a list of text tuples, sorted in place, filtered
    by a comprehension over precomputed lowercase keys. Rows arrive in Reference order (the
    service's order), which is the view's starting sort, so loading does not sort."""

    def __init__(self):
        super().__init__()
        self._all: list[tuple[str, ...]] = []
        self._shown: list[tuple[str, ...]] = self._all
        self._text = ""

    def set_rows(self, rows: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self._all = rows
        self._shown = [r for r in rows if self._text in r[7]] if self._text else rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's names)
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 7

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            return self._shown[index.row()][index.column()]
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._all.sort(key=lambda r: r[column].casefold(), reverse=order == Qt.SortOrder.DescendingOrder)
        self._shown = [r for r in self._all if self._text in r[7]] if self._text else self._all
        self.layoutChanged.emit()

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._text = text.strip().casefold()
        self._shown = [r for r in self._all if self._text in r[7]] if self._text else self._all
        self.endResetModel()


# --- the views ------------------------------------------------------------------------------------
class PaintCounter(QObject):
    """Counts the paint events of a view's viewport."""

    def __init__(self, parent):
        super().__init__(parent)
        self.paints = 0

    def eventFilter(self, watched, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            self.paints += 1
        return False


def make_view(model, title: str) -> tuple[QTableView, PaintCounter]:
    """A shown 1280×800 table view set up as the main window's applications table."""
    view = QTableView()
    view.setWindowTitle(title)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.sortByColumn(REFERENCE, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(24)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setStretchLastSection(False)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    for column, width in enumerate(WIDTHS):
        view.setColumnWidth(column, width)
    counter = PaintCounter(view)
    view.viewport().installEventFilter(counter)
    view.resize(1280, 800)
    view.show()
    return view, counter


def sort_by(view: QTableView, column: int) -> None:
    """Sort as a click on the column's header does: the header's sort indicator changes and the view
    calls ``model.sort`` once. (``QTableView.sortByColumn`` calls it twice when the column changes:
    once from the indicator's signal, then again itself, in PySide6 6.11.)"""
    view.horizontalHeader().setSortIndicator(column, Qt.SortOrder.AscendingOrder)


def until_painted(app: QApplication, view: QTableView, counter: PaintCounter) -> None:
    """Process events until the viewport has painted once more (asking for a paint, as a change does)."""
    before = counter.paints
    view.viewport().update()
    deadline = time.perf_counter() + 30
    while counter.paints == before and time.perf_counter() < deadline:
        app.processEvents()


def settle(app: QApplication, view: QTableView, counter: PaintCounter) -> None:
    until_painted(app, view, counter)
    for _ in range(3):
        app.processEvents()


def timed(app, view, counter, action) -> float:
    settle(app, view, counter)
    gc.collect()
    started = time.perf_counter()
    action()
    until_painted(app, view, counter)
    elapsed = time.perf_counter() - started
    settle(app, view, counter)
    return elapsed


# --- in this process: open, sort, filter ----------------------------------------------------------
def run_lists(db_path: Path, repeat: int) -> tuple[dict, dict]:
    from grantdesk.config import database_location
    from grantdesk.services.applications import list_application_rows
    from grantdesk.store.database import open_database
    from tests.bench.data import FUND
    from ui.models import ApplicationsTableModel, prepare_rows

    app = QApplication.instance() or QApplication([sys.argv[0]])
    db = open_database(database_location(db_path))
    try:
        list_application_rows(db, FUND)  # warm the file cache and SQLAlchemy's statement cache
        loads = []
        for _ in range(max(1, min(repeat, 3))):
            gc.collect()
            started = time.perf_counter()
            rows = list_application_rows(db, FUND)
            loads.append(time.perf_counter() - started)
    finally:
        db.close()

    ours_model = ApplicationsTableModel()
    floor_model = FloorModel()
    ours_view, ours_paints = make_view(ours_model, "GrantDesk")
    floor_view, floor_paints = make_view(floor_model, "Floor")
    settle(app, ours_view, ours_paints)
    settle(app, floor_view, floor_paints)

    open_ours, open_floor, sort_ours, sort_floor, filter_ours, filter_floor = ([] for _ in range(6))
    for _ in range(repeat):
        ours_model.set_rows([])
        floor_model.set_rows([])
        open_ours.append(timed(app, ours_view, ours_paints, lambda: ours_model.set_prepared(prepare_rows(rows))))
        open_floor.append(timed(app, floor_view, floor_paints, lambda: floor_model.set_rows(floor_rows(rows))))
    for _ in range(repeat):
        for view, paints, times in ((ours_view, ours_paints, sort_ours), (floor_view, floor_paints, sort_floor)):
            sort_by(view, REFERENCE)  # start from the loaded order
            times.append(timed(app, view, paints, lambda v=view: sort_by(v, TITLE)))
    sort_by(ours_view, REFERENCE)
    sort_by(floor_view, REFERENCE)
    for _ in range(repeat):
        filter_ours.append(timed(app, ours_view, ours_paints, lambda: ours_model.set_filter_text(FILTER_WORD)))
        filter_floor.append(timed(app, floor_view, floor_paints, lambda: floor_model.set_filter(FILTER_WORD)))
        matched = (ours_model.rowCount(), floor_model.rowCount())
        ours_model.set_filter_text("")
        floor_model.set_filter("")
    # the two lists must show the same thing, or the comparison means nothing
    sort_by(ours_view, TITLE)
    sort_by(floor_view, TITLE)
    same_order = all(ours_model.index(r, TITLE).data() == floor_model.index(r, TITLE).data()
                     for r in range(0, len(rows), 997))
    same_cells = all(ours_model.index(r, c).data() == floor_model.index(r, c).data()
                     for r in range(0, len(rows), 9973) for c in range(7))
    ours_view.close()
    floor_view.close()

    med = statistics.median
    results = {
        "lists.load_rows": dict(value=med(loads), floor=None, target=None, unit="s"),
        "lists.open": dict(value=med(open_ours), floor=med(open_floor), target=TIME_TARGET, unit="s"),
        "lists.sort": dict(value=med(sort_ours), floor=med(sort_floor), target=TIME_TARGET, unit="s"),
        "lists.filter": dict(value=med(filter_ours), floor=med(filter_floor), target=TIME_TARGET, unit="s"),
    }
    info = dict(rows=len(rows), filter_word=FILTER_WORD, matched=matched, same_order=same_order,
                same_cells=same_cells, runs={"open": (open_ours, open_floor), "sort": (sort_ours, sort_floor),
                                             "filter": (filter_ours, filter_floor), "load_rows": loads})
    return results, info


# --- in child processes: memory -------------------------------------------------------------------
PEAK = textwrap.dedent("""
    def _peak():
        import json
        fields = {}
        with open("/proc/self/status") as status:
            for line in status:
                name, _, value = line.partition(":")
                if name in ("VmHWM", "VmRSS"):
                    fields[name] = int(value.split()[0]) / 1024
        print("PEAK " + json.dumps(fields), flush=True)
""")

OURS_MEMORY = PEAK + textwrap.dedent("""
    import atexit, sys
    atexit.register(_peak)  # after the window has loaded, been pictured and closed: VmHWM is the peak
    from ui.app import main
    code = main(["--db", sys.argv[1], "--fund", sys.argv[2], "--screenshot", sys.argv[3]])
    # The first screen is read without the ORM, which the window loads once idle (overview.warm_up);
    # a window left open has it, so the peak counts it too.
    from grantdesk.services.overview import warm_up
    warm_up()
    sys.exit(code)
""")

FLOOR_MEMORY = PEAK + textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from tests.bench.lists import FloorModel, floor_rows, make_view

    app = QApplication(sys.argv[:1])
    model = FloorModel()
    view, _ = make_view(model, "Floor")

    def load():
        from grantdesk.config import database_location
        from grantdesk.services.applications import list_application_rows
        from grantdesk.store.database import open_database

        db = open_database(database_location(sys.argv[1]))
        rows = list_application_rows(db, sys.argv[2])
        model.set_rows(floor_rows(rows))
        del rows
        view.repaint()
        view.grab().save(sys.argv[3])
        _peak()
        db.close()
        app.quit()

    QTimer.singleShot(0, load)
    app.exec()
""")


def _peak_of(script: Path, args: list[str]) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    env.pop("GRANTDESK_DATABASE_URL", None)
    done = subprocess.run([sys.executable, str(script), *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=150)
    peaks = [line[5:] for line in done.stdout.splitlines() if line.startswith("PEAK ")]
    if done.returncode != 0 or not peaks:
        raise RuntimeError(f"{script.name} failed ({done.returncode}): {done.stderr.strip()[-600:]}")
    return json.loads(peaks[-1])


def run_memory(db_path: Path, work: Path, repeat: int) -> tuple[dict, dict]:
    from tests.bench.data import FUND

    ours_script, floor_script = work / "lists_memory_ours.py", work / "lists_memory_floor.py"
    ours_script.write_text(OURS_MEMORY, encoding="utf-8")
    floor_script.write_text(FLOOR_MEMORY, encoding="utf-8")
    ours, floor = [], []
    for _ in range(repeat):
        ours.append(_peak_of(ours_script, [str(db_path), FUND, str(work / "lists-ours.png")]))
        floor.append(_peak_of(floor_script, [str(db_path), FUND, str(work / "lists-floor.png")]))
    value = statistics.median(p["VmHWM"] for p in ours)
    floor_value = statistics.median(p["VmHWM"] for p in floor)
    return ({"lists.memory": dict(value=value, floor=floor_value, target=MEMORY_TARGET, unit="MB")},
            {"memory_runs": (ours, floor)})


# --- the same list opened from PostgreSQL ---------------------------------------------------------
PG_TARGET = 2.0


def run_postgresql(db_path: Path, repeat: int, pg_url: str | None) -> tuple[dict, dict]:
    """``lists.open_postgresql``: the list opened (the service reads the rows, the model takes them, the
    view paints) from a PostgreSQL copy of the same database, against the same from the SQLite file,
    alternating, the median of ``repeat`` each. The copy is made with ``db restore`` (SQLite → PostgreSQL).
    The server is ``pg_url``'s, or a throw-away one started as the tests start theirs (tests/pg.py)."""
    from grantdesk.config import database_location
    from grantdesk.services.applications import list_application_rows
    from grantdesk.services.backups import restore_backup
    from grantdesk.store.database import open_database
    from tests.bench.data import FUND
    from ui.models import ApplicationsTableModel, prepare_rows

    server = None
    if pg_url is None:
        sys.path.insert(0, str(REPO / "tests"))
        import pg

        try:
            server = pg.start_server()
        except BaseException as exc:  # noqa: BLE001 - no server here: say so, measure the rest
            return {}, {"postgresql": f"not measured: {exc}"}
        pg_url = server.create_database("bench_lists")
    try:
        started = time.perf_counter()
        restore_backup(database_location(pg_url), db_path, force=True)
        copy_s = time.perf_counter() - started
        app = QApplication.instance() or QApplication([sys.argv[0]])
        model = ApplicationsTableModel()
        view, paints = make_view(model, "GrantDesk")
        settle(app, view, paints)
        times: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
        dbs = {"sqlite": open_database(database_location(db_path)), "postgresql": open_database(database_location(pg_url))}
        try:
            for db in dbs.values():
                list_application_rows(db, FUND)  # warm each: the server's and the file's caches
            for _ in range(repeat):
                for engine, db in dbs.items():
                    model.set_rows([])
                    settle(app, view, paints)
                    times[engine].append(timed(app, view, paints,
                                               lambda d=db: model.set_prepared(prepare_rows(list_application_rows(d, FUND)))))
            rows = model.rowCount()
        finally:
            for db in dbs.values():
                db.close()
            view.close()
    finally:
        if server is not None:
            pg.stop_server(server)
    med = statistics.median
    results = {"lists.open_postgresql": dict(value=med(times["postgresql"]), floor=med(times["sqlite"]),
                                             target=PG_TARGET, unit="s")}
    return results, {"postgresql": f"{rows:,} rows; copied to PostgreSQL in {copy_s:.1f} s", "pg_runs": times}


def run(repeat: int, applications: int, work: Path, memory_repeat: int, *, postgresql: bool = True,
        pg_url: str | None = None) -> tuple[dict, dict]:
    from tests.bench.data import build

    db_path = build(work / f"lists-{applications}.db", applications)
    results, info = run_lists(db_path, repeat)
    if postgresql:
        pg_results, pg_info = run_postgresql(db_path, repeat, pg_url)
        results.update(pg_results)
        info.update(pg_info)
    memory, memory_info = run_memory(db_path, work, memory_repeat)
    results.update(memory)
    info.update(memory_info)
    out = {}
    for name, r in results.items():
        floor = r["floor"]
        digits = 1 if r["unit"] == "MB" else 4
        out[name] = {"value": round(r["value"], digits), "floor": None if floor is None else round(floor, digits),
                     "ratio": None if floor is None else round(r["value"] / floor, 2), "target": r["target"],
                     "unit": r["unit"]}
    return out, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timing; the median counts")
    parser.add_argument("--memory-repeat", type=int, default=1, help="runs of each memory child process")
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--work", help="folder for the generated database (default: a temporary folder)")
    parser.add_argument("--pg-url", help="a PostgreSQL database to copy the list into (default: a throw-away "
                        "server started here, as the tests start theirs)")
    parser.add_argument("--no-postgresql", action="store_true", help="leave out lists.open_postgresql")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grantdesk-bench-") as temp:
        results, info = run(args.repeat, args.applications, Path(args.work) if args.work else Path(temp),
                            args.memory_repeat, postgresql=not args.no_postgresql, pg_url=args.pg_url)
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{info['rows']:,} applications; filter {info['filter_word']!r} shows {info['matched'][0]:,} "
          f"(floor {info['matched'][1]:,}); same order after sorting: {info['same_order']}, "
          f"same cells: {info['same_cells']}")
    print(f"{'benchmark':16} {'grantdesk':>10} {'floor':>9} {'unit':>5} {'ratio':>6} {'target':>7}")
    for name, r in results.items():
        floor = "—" if r["floor"] is None else f"{r['floor']:9.3f}"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:6.2f}"
        target = "—" if r["target"] is None else f"≤ {r['target']:g}"
        print(f"{name:16} {r['value']:10.3f} {floor:>9} {r['unit']:>5} {ratio:>6} {target:>7}")
    if "postgresql" in info:
        print(f"PostgreSQL (lists.open_postgresql: the floor is the same list opened from SQLite): {info['postgresql']}")
    ours, floor = info["memory_runs"]
    print(f"memory (MB, VmHWM / VmRSS at the end): GrantDesk {ours[-1]['VmHWM']:.0f} / {ours[-1]['VmRSS']:.0f}, "
          f"floor {floor[-1]['VmHWM']:.0f} / {floor[-1]['VmRSS']:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
