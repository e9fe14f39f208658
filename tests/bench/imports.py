"""Benchmark: importing a big online-form export — 50,000 rows checked and imported (issue 18).

    python tests/bench/imports.py [--json] [--rows 50000] [--repeat 3] [--work DIR] [--profile]

The file is generated as a Google Forms export of a busy fund looks (``make_export``): a Timestamp
(UK date and time), the respondent's e-mail address, question-shaped headers ("Name of your
group/organisation/club", "How much are you applying for? (£)"), "n/a" in the optional charity
number, amounts written "£1,250", groups applying more than once and groups sharing an inbox.
Every row is valid, so all of them are imported.

``imports.form_50k``: seconds for what the dialog and the command line do with it, through the
services: ``read_table`` on the file, ``suggest_mapping`` (the columns are matched by their wording),
``check_import`` (every row through the one validation path; nothing written) and ``run_import``
(the check's row check used again; who is who and the duplicates worked out again, because the
decisions are made after the check as in the dialog — with the same decisions and nothing written
in between, as ``applications import --decide`` does, that is used again too; organisations,
contacts, applications and their history written, an audit entry for each organisation and contact
made, chained, and the import's own, committed), into a fresh database whose fund has 16 wards and
an open round. Against the floor measured in the same run: ``csv.reader`` over the same file plus ``sqlite3``
``executemany`` of every row's values into a table with the file's columns, in a fresh file with
GrantDesk's PRAGMAs (WAL, ``synchronous = NORMAL``, ``foreign_keys = ON``), one transaction,
committed. Both run ``--repeat`` times on fresh files and the fastest counts. Ratio = ours / floor;
the target is at most 5.

``imports.memory``: the memory each side needs for the work, in child processes (one import each):
the peak resident set (``VmHWM``) at the end less the resident set just before the work started
(after the modules are loaded and the database opened), in MB. The whole-process peaks are printed
too. Ratio = ours / floor; the target is under 2.

``--profile`` runs ``check_import`` and ``run_import`` once more under cProfile and prints the top
entries by own time and by cumulative time. ``--json`` prints ``{name: {"value", "floor", "ratio",
"target", "unit"}}``. It never asserts: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

FUND = "FORM"
TIME_TARGET = 5.0
MEMORY_TARGET = 2.0
WARDS = ("Abbey", "Bishop's Wood", "Castle", "Deanery", "Eastgate", "Forest Hill", "Greenside", "Harbour",
         "Ironbridge", "Jubilee", "Kingsway", "Lakeside", "Market", "Northfield", "Oakwood", "Priory")
HEADERS = ["Timestamp", "Email address", "Name of your group/organisation/club", "What type of group are you?",
           "Registered charity number (if you have one)", "Your name", "Phone number",
           "What is your project called?", "Tell us about your project", "How much are you applying for? (£)",
           "Which ward is your project in?", "When will your project start?", "When will your project end?"]
FIRST = ("Sam", "Priya", "Gareth", "Aisha", "Tom", "Bethan", "Kwame", "Mair", "Olu", "Joan", "Rhys", "Hannah")
LAST = ("Patel", "Jones", "Okafor", "Williams", "Smith", "Evans", "Khan", "Hughes", "Brown", "Nowak", "Davies")
KINDS = ("Friends of", "Residents' Association", "Youth Club", "Lunch Club", "Allotment Society", "Choir",
         "Scouts", "Food Bank", "Community Garden", "Men's Shed", "Playgroup", "Walking Group")
PROJECTS = ("New doors and a ramp", "Summer holiday lunches", "Minibus trips for older people", "Repairs to the hall",
            "Tools and seeds", "Uniforms for new members", "A defibrillator", "Christmas meal", "Kitchen equipment",
            "Art sessions for young carers", "Coaching courses", "Sensory garden")


# --- the file ---------------------------------------------------------------------------------------


def make_export(path: Path, rows: int, *, seed: int = 18) -> Path:
    """A Google Forms export of ``rows`` applications (the same seed gives the same file): most groups
    apply once, one in ten twice with another project; one group in forty writes from a shared hub
    inbox under its own contact's name, and one charity number in fifty is an umbrella charity's,
    given by several differently named groups."""
    rng = random.Random(seed)
    groups = max(rows * 10 // 11, 1)
    start = datetime(2026, 4, 1, 8, 0, 0)
    span = int((datetime(2026, 11, 30, 20, 0) - start).total_seconds())
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADERS)
        for n in range(rows):
            g = n if n < groups else rng.randrange(groups)  # the last tenth: second bids
            ward = WARDS[g % len(WARDS)]
            kind = KINDS[g % len(KINDS)]
            name = f"{ward} {kind} {g}" if not kind.startswith("Friends") else f"Friends of {ward} Park {g}"
            umbrella = g % 50 == 0
            charity = umbrella or g % 5 == 0
            number = f"11{(g // 1000) * 1000:05d}" if umbrella else f"11{g:05d}"  # an umbrella: many groups
            first, last = FIRST[g % len(FIRST)], LAST[(g // len(FIRST)) % len(LAST)]
            hub = ward.lower().replace(" ", "").replace("'", "")
            inbox = f"hello@{hub}-hub.org.uk" if g % 40 == 0 else f"{first.lower()}.{last.lower()}{g}@example.org"
            when = start + timedelta(seconds=rng.randrange(span))
            begins = date(2027, 1, 1) + timedelta(days=rng.randrange(0, 180))
            ends = begins + timedelta(days=rng.randrange(30, 360))
            pounds = rng.choice((250, 300, 450, 500, 750, 980, 1000, 1250, 1500, 2000, 2500, 4999))
            project = PROJECTS[(g + (n >= groups) * 5) % len(PROJECTS)]
            out.writerow([
                when.strftime("%d/%m/%Y %H:%M:%S"), inbox, name,
                "Registered charity" if charity else "Community group",
                number if charity else rng.choice(("n/a", "N/A", "", "none")),
                f"{first} {last}", f"07700 9{g % 100000:05d}",
                f"{project} for {name}", f"{project} for the {ward} area, run by volunteers.",
                f"£{pounds:,}" if n % 3 else str(pounds), ward,
                begins.strftime("%d/%m/%Y"), ends.strftime("%d/%m/%Y"),
            ])
    return path


def decide_all(plan) -> dict[str, str]:
    """What an officer would say of each match and likely duplicate in the generated file: they are
    different groups or people (a shared inbox, an umbrella charity's number), and a second bid is
    imported."""
    return {key: ("import" if key.endswith(":duplicate") else "different") for key in plan.undecided}


# --- our side ---------------------------------------------------------------------------------------


def fresh_database(folder: Path):
    from grantdesk.config import database_location
    from grantdesk.services import funds
    from grantdesk.store.database import open_database

    db = open_database(database_location(folder / "grantdesk.db"), create=True)
    with db.unit_of_work() as uow:
        s = uow.session
        fund = funds.add_fund(s, actor="benchmark", code=FUND, name="Community Fund", council="Bench City Council",
                              decision_model="officer", funder_org_id="GB-LAE-BEN")
        for ward in WARDS:
            funds.add_area(s, fund=fund, name=ward, kind="ward", council=fund.council)
        funds.add_round(s, actor="benchmark", fund=fund, name="2026–27", financial_year=2026,
                        opens_on=date(2026, 4, 1), closes_on=date(2026, 11, 30))
        uow.commit()
    return db


class _Clock:
    """A progress listener noting when each stage (label) starts and ends."""

    def __init__(self):
        self.stages: dict[str, list[float]] = {}

    def report(self, done: int, total: int, label: str) -> None:
        now = time.perf_counter()
        span = self.stages.setdefault(label, [now, now])
        span[1] = now


def import_once(path: Path, folder: Path) -> dict:
    """The whole import as the command line does it, timed by stage."""
    from grantdesk.io.tabular import read_table
    from grantdesk.services.imports import check_import, run_import, suggest_mapping

    db = fresh_database(folder)
    try:
        t0 = time.perf_counter()
        table = read_table(path)
        t1 = time.perf_counter()
        mapping = suggest_mapping(db, FUND, table.headers)
        t2 = time.perf_counter()
        plan = check_import(db, FUND, table, mapping)
        t3 = time.perf_counter()
        if not plan.ok:
            problems = "; ".join(str(p) for p in plan.problems[:5])
            raise SystemExit(f"the generated file does not check cleanly ({len(plan.problems)} problems): {problems}")
        decisions = decide_all(plan)
        clock = _Clock()
        result = run_import(db, plan, progress=clock, decisions=decisions)
        t4 = time.perf_counter()
    finally:
        db.close()
    return {"seconds": t4 - t0, "read_s": t1 - t0, "suggest_s": t2 - t1, "check_s": t3 - t2, "import_s": t4 - t3,
            "imported": result.imported, "mapping": mapping, "stages": clock.stages, "decisions": len(decisions),
            "matches": len(plan.matches), "duplicates": len(plan.duplicates)}


# --- the floor --------------------------------------------------------------------------------------


def floor_once(path: Path, folder: Path) -> dict:
    """``csv`` reading plus ``sqlite3`` executemany of the same values into a table of the file's columns."""
    db_path = folder / "floor.db"
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        columns = [f"c{i}" for i in range(len(HEADERS))]
        conn.execute(f"CREATE TABLE form_rows (id INTEGER PRIMARY KEY, {', '.join(c + ' TEXT' for c in columns)})")
        insert = f"INSERT INTO form_rows ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        started = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            rows = list(reader)
        read_s = time.perf_counter() - started
        conn.execute("BEGIN")
        conn.executemany(insert, rows)
        conn.execute("COMMIT")
        seconds = time.perf_counter() - started
        count = conn.execute("SELECT count(*) FROM form_rows").fetchone()[0]
    finally:
        conn.close()
    return {"seconds": seconds, "read_s": read_s, "rows": count}


# --- memory, in child processes -----------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[1])
    sys.path.insert(0, sys.argv[1] + "/tests/bench")

    def status():
        fields = {}
        with open("/proc/self/status") as f:
            for line in f:
                name, _, value = line.partition(":")
                if name in ("VmHWM", "VmRSS"):
                    fields[name] = int(value.split()[0]) / 1024
        return fields

    import imports as bench
    side, path, folder = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
    if side == "ours":
        from grantdesk.io.tabular import read_table
        from grantdesk.services.imports import check_import, run_import, suggest_mapping
        db = bench.fresh_database(folder)
        before = status()
        table = read_table(path)
        plan = check_import(db, bench.FUND, table, suggest_mapping(db, bench.FUND, table.headers))
        done = run_import(db, plan, decisions=bench.decide_all(plan)).imported
        after = status()
        db.close()
    else:
        before = status()
        done = bench.floor_once(path, folder)["rows"]
        after = status()
    print("MEMORY " + json.dumps({"before": before, "after": after, "rows": done}), flush=True)
""")


def memory_of(side: str, path: Path, work: Path) -> dict:
    script = work / "imports_memory_child.py"
    script.write_text(CHILD, encoding="utf-8")
    folder = Path(tempfile.mkdtemp(prefix=f"grantdesk-imports-{side}-", dir=work))
    try:
        env = dict(os.environ)
        env.pop("GRANTDESK_DATABASE_URL", None)
        done = subprocess.run([sys.executable, str(script), str(REPO), side, str(path), str(folder)], cwd=REPO,
                              env=env, capture_output=True, text=True, timeout=900)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    lines = [line[7:] for line in done.stdout.splitlines() if line.startswith("MEMORY ")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"the {side} memory child failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    got = json.loads(lines[-1])
    got["work_mb"] = got["after"]["VmHWM"] - got["before"]["VmRSS"]
    return got


# --- profile ------------------------------------------------------------------------------------------


def profile(path: Path, work: Path, top: int = 25) -> str:
    import cProfile
    import io
    import pstats

    from grantdesk.io.tabular import read_table
    from grantdesk.services.imports import check_import, run_import, suggest_mapping

    folder = Path(tempfile.mkdtemp(prefix="grantdesk-imports-profile-", dir=work))
    db = fresh_database(folder)
    try:
        profiler = cProfile.Profile()
        profiler.enable()
        table = read_table(path)
        plan = check_import(db, FUND, table, suggest_mapping(db, FUND, table.headers))
        run_import(db, plan, decisions=decide_all(plan))
        profiler.disable()
    finally:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


# --- the run -----------------------------------------------------------------------------------------


def run(rows: int, repeat: int, work: Path, with_memory: bool = True) -> tuple[dict, dict]:
    path = make_export(work / f"form-export-{rows}.csv", rows)
    ours, floors = [], []
    for _ in range(repeat):
        folder = Path(tempfile.mkdtemp(prefix="grantdesk-imports-", dir=work))
        try:
            ours.append(import_once(path, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix="grantdesk-imports-floor-", dir=work))
        try:
            floors.append(floor_once(path, folder))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    best = min(ours, key=lambda r: r["seconds"])
    floor = min(floors, key=lambda r: r["seconds"])
    results = {"imports.form_50k" if rows == 50_000 else f"imports.form_{rows}": {
        "value": round(best["seconds"], 3), "floor": round(floor["seconds"], 3),
        "ratio": round(best["seconds"] / floor["seconds"], 2), "target": TIME_TARGET, "unit": "s"}}
    info = {"rows": rows, "file": path, "best": best, "floor": floor, "runs": [r["seconds"] for r in ours],
            "floor_runs": [f["seconds"] for f in floors]}
    if with_memory:
        mine, theirs = memory_of("ours", path, work), memory_of("floor", path, work)
        results["imports.memory"] = {"value": round(mine["work_mb"], 1), "floor": round(theirs["work_mb"], 1),
                                     "ratio": round(mine["work_mb"] / theirs["work_mb"], 2),
                                     "target": MEMORY_TARGET, "unit": "MB"}
        info["memory"] = (mine, theirs)
    return results, info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="imports and floors on fresh files; the fastest counts")
    parser.add_argument("--no-memory", action="store_true", help="leave out the memory children")
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top entries for one import")
    parser.add_argument("--work", help="folder for the generated file and databases (default: temporary)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="grantdesk-bench-imports-") as temp:
        work = Path(args.work) if args.work else Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        results, info = run(args.rows, max(1, args.repeat), work, not args.no_memory)
        profiled = profile(info["file"], work) if args.profile else ""
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    best, floor = info["best"], info["floor"]
    used = sum(1 for f in best["mapping"].values() if f)
    print(f"{args.rows:,} form rows, {len(HEADERS)} columns ({used} matched by their wording); "
          f"{best['matches']:,} matches to confirm and {best['duplicates']:,} likely duplicates decided; "
          f"{best['imported']:,} imported")
    print(f"  GrantDesk : {best['seconds']:7.3f} s  = read_table {best['read_s']:.3f} + suggest {best['suggest_s']:.3f}"
          f" + check_import {best['check_s']:.3f} + run_import {best['import_s']:.3f}   (fastest of "
          f"{len(info['runs'])}: {', '.join(f'{s:.2f}' for s in info['runs'])})")
    for label, (first, last) in best["stages"].items():
        print(f"    run_import stage “{label}”: {last - first:.3f} s (first to last progress report)")
    print(f"  floor     : {floor['seconds']:7.3f} s  = csv.reader {floor['read_s']:.3f} + executemany and commit "
          f"{floor['seconds'] - floor['read_s']:.3f}   ({floor['rows']:,} rows)")
    for name, r in results.items():
        verdict = "meets" if r["ratio"] <= r["target"] else "above"
        print(f"  {name:18}: {r['value']} {r['unit']} against {r['floor']} {r['unit']}: ratio {r['ratio']:.2f} "
              f"({verdict} the target ≤ {r['target']:g})")
    if "memory" in info:
        mine, theirs = info["memory"]
        print(f"  memory (MB): the work needs {mine['work_mb']:.0f} (whole process peak {mine['after']['VmHWM']:.0f},"
              f" {mine['before']['VmRSS']:.0f} before) against the floor's {theirs['work_mb']:.0f} (peak "
              f"{theirs['after']['VmHWM']:.0f}, {theirs['before']['VmRSS']:.0f} before)")
    if profiled:
        print(profiled)
    return 0


if __name__ == "__main__":
    sys.exit(main())
