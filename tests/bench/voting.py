"""Benchmark: GrantDesk's voting rules against pabutools 1.2.3 on the largest shared PaBuLib elections.

    python tests/bench/voting.py [--json] [--rules mes,greedy] [--instances warszawa_2026]
                                 [--pabutools-timeout 120] [--repeat 1]

For each election and rule it times parse + tally on both sides in this run (pabutools in a child
process, stopped after ``--pabutools-timeout`` seconds; 0 skips pabutools and uses the times recorded
in ../shared/pabulib/expected.json), checks that both fund the same projects, and prints the ratio
pabutools / GrantDesk (issue 4's target: at least 20). A pabutools run that hits the cap is shown as
"> cap" and its time is taken from expected.json (or, where pabutools timed out there too, its 600 s
limit, so the ratio is a lower bound). ``--json`` prints one object
``{name: {"value", "floor", "ratio", "target", "unit"}}`` with ``value`` our seconds and ``floor``
pabutools' seconds. It never asserts: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

INSTANCES = {
    "warszawa_2026": "Poland_Warszawa_2026.pb",
    "krakow_2024": "Poland_Krakow_2024.pb",
    "budapest_2024": "Hungary_Budapest_2024.pb",
}
RULES = ("greedy", "greedy-cost", "mes", "mes-add1", "mes-completed", "phragmen")
# our rule -> the record in expected.json made by the same pabutools call as the worker below
RECORDS = {
    "greedy": "greedy_util",
    "greedy-cost": "greedy_cardinal",
    "mes": "mes",
    "mes-add1": "mes_add1__multiprofile",
    "mes-completed": "mes_add1_completed__multiprofile",
    "phragmen": "seq_phragmen",
}
TARGET = 20
EXPECTED_TIMEOUT_S = 600  # expected.json's limit per rule


# ---------------------------------------------------------------------------------------------------
# pabutools side (GPL: only ever run here and in tests, in its own process)
# ---------------------------------------------------------------------------------------------------


def _pabutools_worker(path: str, rule: str) -> None:
    """Parse and run one pabutools rule as recorded in expected.json; print the outcome as JSON."""
    from pabutools.election import (
        Additive_Borda_Sat,
        Additive_Cardinal_Sat,
        AdditiveSatisfaction,
        Cardinality_Sat,
        Cost_Sat,
        parse_pabulib,
    )
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
        sequential_phragmen,
    )

    started = time.perf_counter()
    instance, profile = parse_pabulib(path)
    parsed = time.perf_counter()
    vote_type = instance.meta["vote_type"]
    declared = instance.meta.get("max_length")
    length = int(declared) if declared else max((len(b) for b in profile), default=0)

    def cost_weighted(ballot, project):  # the greedy measures: cost × approvals, points or positional points
        if vote_type in ("cumulative", "scoring"):
            return project.cost * ballot.get(project, 0)
        if vote_type == "ordinal":
            return project.cost * (length - ballot.position(project)) if project in ballot else 0
        return project.cost * (project in ballot)

    class CostWeighted(AdditiveSatisfaction):
        def __init__(self, inst, prof, ballot):
            super().__init__(inst, prof, ballot, lambda _i, _p, b, proj, _pre: cost_weighted(b, proj))

    approval = vote_type in ("approval", "choose-1")
    mes_sat = Cost_Sat if approval else Additive_Borda_Sat if vote_type == "ordinal" else Additive_Cardinal_Sat
    greedy_sat = Cost_Sat if approval else CostWeighted
    cardinal_sat = Cardinality_Sat if approval else Additive_Borda_Sat if vote_type == "ordinal" \
        else Additive_Cardinal_Sat
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=greedy_sat)
    elif rule == "greedy-cost":
        outcome = greedy_utilitarian_welfare(instance, profile, sat_class=cardinal_sat, is_sat_additive=True)
    elif rule == "mes":
        outcome = method_of_equal_shares(instance, profile, sat_class=mes_sat)
    elif rule == "mes-add1":
        mp = profile.as_multiprofile()
        outcome = method_of_equal_shares(instance, mp, sat_profile=mp.as_sat_profile(mes_sat),
                                         voter_budget_increment=1)
    elif rule == "mes-completed":
        mp = profile.as_multiprofile()
        outcome = completion_by_rule_combination(
            instance, mp, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_profile": mp.as_sat_profile(mes_sat), "voter_budget_increment": 1},
             {"sat_profile": mp.as_sat_profile(greedy_sat), "is_sat_additive": True}])
    elif rule == "phragmen":
        if not approval:
            print(json.dumps({"not_applicable": True}))
            return
        outcome = sequential_phragmen(instance, profile)
    else:
        raise SystemExit(f"unknown rule {rule}")
    done = time.perf_counter()
    print(json.dumps({"parse_s": parsed - started, "rule_s": done - parsed,
                      "selected": sorted(p.name for p in outcome),
                      "total_cost": str(Fraction(sum((Fraction(str(p.cost)) for p in outcome), Fraction(0))))}))


def _run_pabutools(path: Path, rule: str, cap: float) -> dict:
    try:
        done = subprocess.run([sys.executable, __file__, "--pabutools-worker", str(path), rule],
                              capture_output=True, text=True, timeout=cap, check=False)
    except subprocess.TimeoutExpired:
        return {"timeout": True}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------
# GrantDesk side
# ---------------------------------------------------------------------------------------------------


def _our_rule(rule: str):
    """The function for ``rule``, or a reason why it cannot run here."""
    if rule.startswith("mes"):
        from grantdesk.voting import mes

        return {"mes": mes.mes, "mes-add1": mes.mes_add1, "mes-completed": mes.mes_completed}[rule], None
    try:
        from grantdesk.voting.rules import run_rule
    except ImportError as exc:
        return None, f"grantdesk.voting.rules is not available ({exc})"
    return (lambda election: run_rule(election, rule)), None


def _run_ours(path: Path, rule: str, repeat: int) -> dict:
    from grantdesk.voting.pabulib import read_pb

    function, missing = _our_rule(rule)
    if function is None:
        return {"skipped": missing}
    best = None
    for _ in range(repeat):
        started = time.perf_counter()
        election = read_pb(path, keep_extra=False)
        parsed = time.perf_counter()
        try:
            result = function(election)
        except Exception as exc:  # noqa: BLE001 -- e.g. Phragmén on ordinal ballots: note it, go on
            return {"skipped": f"{type(exc).__name__}: {exc}"}
        done = time.perf_counter()
        if best is None or done - started < best["seconds"]:
            best = {"seconds": done - started, "parse_s": parsed - started,
                    "selected": sorted(result.selected), "total_cost": result.total_cost}
    return best


# ---------------------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------------------


def _measure(shared: Path, instance: str, rule: str, cap: float, repeat: int, expected: dict) -> dict:
    path = shared / "pabulib" / INSTANCES[instance]
    record = expected.get(INSTANCES[instance], {}).get(RECORDS[rule], {})
    row = {"instance": instance, "rule": rule, "note": ""}
    ours = _run_ours(path, rule, repeat)
    if "skipped" in ours:
        row["note"] = f"skipped: {ours['skipped']}"
        return row
    row["value"] = ours["seconds"]
    theirs = _run_pabutools(path, rule, cap) if cap > 0 else {"not_run": True}
    reference = None
    if theirs.get("not_applicable"):
        row["note"] = "pabutools: not applicable"
        return row
    if "rule_s" in theirs:
        row["floor"] = theirs["parse_s"] + theirs["rule_s"]
        row["floor_text"] = f"{row['floor']:.2f}"
        reference = theirs["selected"]
    else:
        if theirs.get("error"):
            row["note"] = f"pabutools failed: {theirs['error']}; "
        prefix = f"> {cap:g} s, " if theirs.get("timeout") else ""
        if record.get("status") == "ok":
            row["floor"] = (record.get("parse_s") or 0) + record["wall_time_s"]
            row["floor_text"] = f"{prefix}{row['floor']:.2f} (expected.json)"
        elif record.get("status") == "timeout":
            row["floor"] = (record.get("parse_s") or 0) + EXPECTED_TIMEOUT_S
            row["floor_text"] = f"{prefix}> {EXPECTED_TIMEOUT_S} (expected.json: timeout)"
            row["note"] += "ratio is a lower bound"
        else:
            row["floor_text"] = prefix + "n/a"
    if reference is None and record.get("status") == "ok":
        reference = sorted(record["selected"])
    if reference is None:
        row["same"] = "no oracle"
    else:
        row["same"] = "yes" if sorted(reference) == ours["selected"] else "NO"
    if "floor" in row:
        row["ratio"] = row["floor"] / row["value"]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--rules", default=",".join(RULES), help=f"comma-separated, from {', '.join(RULES)}")
    parser.add_argument("--instances", default=",".join(INSTANCES),
                        help=f"comma-separated, from {', '.join(INSTANCES)}")
    parser.add_argument("--pabutools-timeout", type=float, default=120.0,
                        help="seconds before a pabutools run is stopped (0: do not run pabutools)")
    parser.add_argument("--repeat", type=int, default=1, help="GrantDesk runs per rule; the fastest counts")
    parser.add_argument("--shared", default=os.environ.get("GRANTDESK_SHARED", str(REPO.parent / "shared")))
    parser.add_argument("--pabutools-worker", nargs=2, metavar=("FILE", "RULE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pabutools_worker:
        _pabutools_worker(*args.pabutools_worker)
        return 0
    shared = Path(args.shared)
    expected_path = shared / "pabulib" / "expected.json"
    expected = json.loads(expected_path.read_text(encoding="utf-8")) if expected_path.exists() else {}
    rules = [r.strip() for r in args.rules.split(",") if r.strip()]
    instances = [i.strip() for i in args.instances.split(",") if i.strip()]
    for name in rules:
        if name not in RULES:
            parser.error(f"unknown rule {name}; use {', '.join(RULES)}")
    for name in instances:
        if name not in INSTANCES:
            parser.error(f"unknown instance {name}; use {', '.join(INSTANCES)}")

    rows = []
    if not args.json:
        print(f"{'instance':15} {'rule':14} {'grantdesk s':>11} {'pabutools s':>34} {'ratio':>8}  same  note")
    for instance in instances:
        for rule in rules:
            row = _measure(shared, instance, rule, args.pabutools_timeout, args.repeat, expected)
            rows.append(row)
            if not args.json:
                value = f"{row['value']:.3f}" if "value" in row else "-"
                ratio = f"{row['ratio']:.0f}x" if "ratio" in row else "-"
                print(f"{instance:15} {rule:14} {value:>11} {row.get('floor_text', '-'):>34} {ratio:>8}  "
                      f"{row.get('same', '-'):4}  {row['note']}", flush=True)
    if args.json:
        out = {}
        for row in rows:
            if "value" not in row:
                continue
            key = f"voting.{row['rule'].replace('-', '_')}.{row['instance']}"
            out[key] = {"value": round(row["value"], 4), "floor": round(row["floor"], 3) if "floor" in row else None,
                        "ratio": round(row["ratio"], 1) if "ratio" in row else None, "target": TARGET, "unit": "s"}
        print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
