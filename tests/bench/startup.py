"""Benchmark: opening GrantDesk, whole process, against bare scripts measured in the same run.

    python tests/bench/startup.py [--json] [--repeat 7] [--work DIR]

Two figures (issue 10):

- ``startup.first_paint``: ``grantdesk --first-paint`` ends the process the moment the main window
  has painted once (its frame, the fund list and the loading state). Floor: a bare PySide6 script
  that shows an empty ``QMainWindow`` of the same size and ends the same way. Target: at most 1.5×.
- ``startup.loaded``: ``grantdesk --screenshot`` on a 10,000-application database, on that fund:
  the window is shown, the database opened and checked, the fund list and the 10,000-row list
  loaded, then a picture saved. Floor: a script that shows a window, imports SQLAlchemy, reads the
  first 200 rows of the same 10,000-row table and saves a picture of the window. Target: at most 1.3×.

Each command runs ``--repeat`` times, ours and the floor's alternately, on the offscreen platform;
the median counts. It never asserts: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.bench.data import FUND, build  # noqa: E402

FIRST_PAINT_FLOOR = textwrap.dedent("""
    import os, sys
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class ExitOnPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, lambda: os._exit(0))
            return False

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    window.installEventFilter(ExitOnPaint(window))
    window.show()
    app.exec()
""")

LOADED_FLOOR = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QLabel

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1280, 800)
    label = QLabel("Loading")
    window.setCentralWidget(label)
    window.show()

    def load():
        from sqlalchemy import create_engine, text
        engine = create_engine("sqlite:///" + sys.argv[1])
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM applications ORDER BY id LIMIT 200")).all()
        label.setText(f"{len(rows)} rows")
        window.repaint()
        window.grab().save(sys.argv[2])
        app.quit()

    QTimer.singleShot(0, load)
    app.exec()
""")


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    env.pop("GRANTDESK_DATABASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app has its bytecode; so should we
    return env


def compile_sources() -> None:
    """Write the bytecode ``pip install`` would, so no run pays for compiling GrantDesk's modules."""
    import compileall

    for folder in ("grantdesk", "ui"):
        compileall.compile_dir(str(REPO / folder), quiet=1, force=False)


def _time(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, timeout=120)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-400:]}")
    return elapsed


def _pair(ours: list[str], floor: list[str], repeat: int, cwd: Path) -> tuple[float, float]:
    _time(ours, cwd), _time(floor, cwd)  # warm the file cache once, not counted
    a, b = [], []
    for _ in range(repeat):
        a.append(_time(ours, cwd))
        b.append(_time(floor, cwd))
    return statistics.median(a), statistics.median(b)


def run(repeat: int, work: Path) -> dict[str, dict]:
    db = build(work / "startup-10k.db", 10_000)
    compile_sources()
    python = sys.executable
    (work / "first_paint_floor.py").write_text(FIRST_PAINT_FLOOR, encoding="utf-8")
    (work / "loaded_floor.py").write_text(LOADED_FLOOR, encoding="utf-8")
    ours, floor = _pair([python, "-m", "ui.app", "--db", str(db), "--fund", FUND, "--first-paint"],
                        [python, str(work / "first_paint_floor.py")], repeat, REPO)
    results = {"startup.first_paint": dict(value=ours, floor=floor, target=1.5)}
    ours, floor = _pair([python, "-m", "ui.app", "--db", str(db), "--fund", FUND, "--screenshot",
                         str(work / "ours.png")],
                        [python, str(work / "loaded_floor.py"), str(db), str(work / "floor.png")], repeat, REPO)
    results["startup.loaded"] = dict(value=ours, floor=floor, target=1.3)
    return {name: {"value": round(r["value"], 3), "floor": round(r["floor"], 3),
                   "ratio": round(r["value"] / r["floor"], 2), "target": r["target"], "unit": "s"}
            for name, r in results.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command; the median counts")
    parser.add_argument("--work", help="folder for the generated database (default: a temporary folder)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grantdesk-bench-") as temp:
        results = run(args.repeat, Path(args.work) if args.work else Path(temp))
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'benchmark':22} {'grantdesk s':>12} {'floor s':>9} {'ratio':>7} {'target':>7}")
        for name, r in results.items():
            print(f"{name:22} {r['value']:12.3f} {r['floor']:9.3f} {r['ratio']:7.2f} {r['target']:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
