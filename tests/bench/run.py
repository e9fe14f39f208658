"""GrantDesk's benchmark suite: every benchmark, each against a floor measured in the same run.

    python tests/bench/run.py [--json] [--only startup,lists,votes,letters,imports] [--quick]

Runs each benchmark script in its own process (each also runs alone: ``python tests/bench/NAME.py``)
and prints one table, or with ``--json`` one object ``{name: {"value", "floor", "ratio", "target",
"unit", "met"}}``. ``ratio`` is ours against the floor in the direction the target is written:
for times and memory ours / floor (at most ``target``), for rates ours / floor (at least
``target``), and for "N× faster than pabutools" pabutools / ours (at least ``target``). It builds its
own data (a 10,000-application database, a 100,000-application fund (also opened from a PostgreSQL
copy on a throw-away server: lists.open_postgresql), a 50,000-row form export, and
reads the PaBuLib files in ../shared/pabulib), never asserts, and takes a few minutes on a 2-core
machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

# name: (script, its arguments)
BENCHMARKS: dict[str, tuple[str, list[str]]] = {
    "startup": ("startup.py", ["--repeat", "7"]),
    "lists": ("lists.py", []),
    "votes": ("votes.py", []),
    "letters": ("letters.py", ["--letters", "1000"]),
    "imports": ("imports.py", []),
}
QUICK = {"startup": ["--repeat", "3"], "letters": ["--letters", "200"], "imports": ["--rows", "5000", "--repeat", "1"]}
HIGHER_IS_BETTER = ("votes.", "letters_pdf")  # rates, and speed-ups over pabutools


def _met(name: str, result: dict) -> bool | None:
    ratio, target = result.get("ratio"), result.get("target")
    if ratio is None or target is None:
        return None
    return ratio >= target if name.startswith(HIGHER_IS_BETTER) else ratio <= target


def _run_one(name: str, quick: bool, work: Path) -> tuple[dict, float, str]:
    script, extra = BENCHMARKS[name]
    args = QUICK.get(name, extra) if quick else extra
    command = [sys.executable, str(HERE / script), "--json", *args]
    if '"--work"' in (HERE / script).read_text(encoding="utf-8"):  # scripts that build data share it
        command += ["--work", str(work)]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        return {}, elapsed, f"{script} failed ({done.returncode}): {done.stderr.strip()[-600:]}"
    text = done.stdout[done.stdout.index("{"):] if "{" in done.stdout else "{}"
    try:
        return json.loads(text), elapsed, ""
    except json.JSONDecodeError as exc:
        return {}, elapsed, f"{script} printed no JSON ({exc})"


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--only", help=f"comma-separated, from {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and letters (a smoke run)")
    parser.add_argument("--work", help="folder for generated databases, kept between runs (default: temporary)")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",")] if args.only else list(BENCHMARKS)
    for name in names:
        if name not in BENCHMARKS:
            parser.error(f"unknown benchmark {name}; use {', '.join(BENCHMARKS)}")
    results: dict[str, dict] = {}
    failures: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="grantdesk-bench-") as temp:
        work = Path(args.work) if args.work else Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        for name in names:
            if not args.json:
                print(f"… {name}", file=sys.stderr, flush=True)
            found, elapsed, error = _run_one(name, args.quick, work)
            if error:
                failures.append(error)
            for key, result in found.items():
                result["met"] = _met(key, result)
                results[key] = result
            if not args.json:
                print(f"  {name}: {len(found)} result(s) in {elapsed:.0f} s", file=sys.stderr, flush=True)
    total = time.perf_counter() - started
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"{'benchmark':32} {'value':>12} {'floor':>12} {'unit':>8} {'ratio':>8} {'target':>8}  met")
        for key, r in results.items():
            met = {True: "yes", False: "NO", None: "-"}[r.get("met")]
            direction = "≥" if key.startswith(HIGHER_IS_BETTER) else "≤"
            target = f"{direction}{r['target']}" if r.get("target") is not None else "-"
            print(f"{key:32} {_fmt(r.get('value')):>12} {_fmt(r.get('floor')):>12} {r.get('unit', ''):>8} "
                  f"{_fmt(r.get('ratio')):>8} {target:>8}  {met}")
        print(f"\n{len(results)} results in {total:.0f} s on {os.cpu_count()} cores.")
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
