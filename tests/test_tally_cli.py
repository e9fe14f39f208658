"""``python -m grantdesk tally FILE.pb --rule RULE [--json]``: the results pabutools recorded in
expected.json, one file per vote type, and a one-line error with exit code 1 for what cannot be done."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from fractions import Fraction

import pytest
from conftest import REPO

from grantdesk.cli import main
from grantdesk.voting.result import AllocationResult, Step

ORACLE = {"greedy": "greedy_util", "greedy-cost": "greedy_cardinal", "phragmen": "seq_phragmen"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def expected(shared_dir):
    return json.loads((shared_dir / "pabulib" / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name, rule", [
    ("Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb", "greedy"),  # approval
    ("Poland_Warszawa_2017_Plac_Wojska_Polskiego.pb", "phragmen"),
    ("Poland_Zabrze_2021_Pawlow.pb", "phragmen"),  # choose-1
    ("Switzerland_Zurich_D10.pb", "greedy-cost"),  # cumulative
    ("Poland_Krakow_2023_Swoszowice.pb", "greedy"),  # ordinal, a budget with grosze
    ("Poland_Krakow_2023_Swoszowice.pb", "greedy-cost"),
])
def test_json_output_matches_what_pabutools_recorded(capsys, shared_dir, expected, name, rule):
    code, out, err = run(capsys, "tally", str(shared_dir / "pabulib" / name), "--rule", rule, "--json")
    assert code == 0 and err == ""
    result = json.loads(out)
    record = expected[name][ORACLE[rule]]
    assert result["rule"] == rule
    assert sorted(result["selected"]) == sorted(record["selected"])
    assert result["total_cost"] == record["total_cost"] and isinstance(result["total_cost"], int)
    assert all(isinstance(step, str) for step in result["explanation"])
    funded = [s for s in result["explanation"] if s.startswith("Funded ")]
    assert len(funded) == len(result["selected"])
    assert all(f"({pid}) for " in text for pid, text in zip(result["selected"], funded, strict=True))


SCORING = """META
key;value
description;A made-up scoring vote
currency;GBP
vote_type;scoring
budget;3000.75
PROJECTS
project_id;cost;name
A;1500.50;Benches
B;1500.25;Planters
C;900;Signs
VOTES
voter_id;vote;points
1;A,B,C;5,4,1
2;A,B;4,5
3;C;2
"""


def test_a_scoring_vote_with_pence_gives_an_exact_decimal_total(capsys, tmp_path):
    path = tmp_path / "scores.pb"
    path.write_text(SCORING, encoding="utf-8")
    code, out, _ = run(capsys, "tally", str(path), "--rule", "greedy", "--json")
    result = json.loads(out)
    assert code == 0 and result["selected"] == ["A", "B"]  # 9 points each, A first by reference; C no longer fits
    assert result["total_cost"] == "3000.75"
    assert result["explanation"][1] == ("Funded 'Benches' (A) for £1,500.50: 1st by support, with 9 points; "
                                        "£1,500.25 left.")
    code, out, _ = run(capsys, "tally", str(path), "--rule", "greedy-cost", "--json")
    # B is cheaper for the same 9 points, so it is better value than A; C (3 points for £900) is worse
    assert code == 0 and json.loads(out)["selected"] == ["B", "A"]


def test_without_json_a_readable_summary_comes_before_the_steps(capsys, shared_dir):
    code, out, err = run(capsys, "tally", str(shared_dir / "pabulib" / "Netherlands_Assen_2024.pb"), "--rule", "greedy")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Netherlands_Assen_2024.pb: approval ballots, 84 voters, 14 projects, budget 100,000 EUR."
    assert lines[1] == "Rule greedy: rank by total support and fund down the list, skipping what does not fit."
    assert lines[2] == "Funded 7 projects for 99,200 EUR; 800 EUR left."
    assert lines[3] == "Ties are broken by project reference in alphabetical order."
    assert "Step by step:" in lines
    assert "   1. Funded 'PopUp Podium' (3) for 7,200 EUR: 1st by support, with 43 votes; 92,800 EUR left." in lines


@pytest.mark.parametrize("argv, message", [
    (["tally", "{missing}", "--rule", "greedy"], "error: There is no file at "),
    (["tally", "{broken}", "--rule", "greedy"], "error: broken.pb cannot be read: This is not a PaBuLib file"),
    (["tally", "{cumulative}", "--rule", "phragmen"], "error: Sequential Phragmén shares each project's cost"),
    (["tally", "{ordinal}", "--rule", "phragmen", "--json"], "this vote used ordinal ballots"),
])
def test_what_cannot_be_done_is_one_line_on_stderr_and_exit_code_1(capsys, tmp_path, shared_dir, argv, message):
    broken = tmp_path / "broken.pb"
    broken.write_text("not a pb file\n", encoding="utf-8")
    paths = {"missing": str(tmp_path / "nowhere.pb"), "broken": str(broken),
             "cumulative": str(shared_dir / "pabulib" / "Switzerland_Zurich_D10.pb"),
             "ordinal": str(shared_dir / "pabulib" / "Poland_Krakow_2023_Swoszowice.pb")}
    code, out, err = run(capsys, *[a.format(**paths) for a in argv])
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and message in err


def test_an_unknown_rule_is_a_usage_mistake_naming_the_rules(capsys, shared_dir):
    with pytest.raises(SystemExit) as stop:
        main(["tally", str(shared_dir / "pabulib" / "Poland_Zabrze_2021_Pawlow.pb"), "--rule", "borda"])
    assert stop.value.code == 2
    assert "choose from 'greedy', 'greedy-cost', 'mes', 'mes-add1', 'mes-completed', 'phragmen'" in capsys.readouterr().err


def test_the_database_option_is_accepted_and_not_needed(capsys, tmp_path, shared_dir):
    path = str(shared_dir / "pabulib" / "Poland_Zabrze_2021_Pawlow.pb")
    db = tmp_path / "never-created.db"
    for argv in (["--db", str(db), "tally", path, "--rule", "greedy"], ["tally", path, "--rule", "greedy", "--db", str(db)]):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and "Funded 1 project for 155,000 PLN" in out
    assert not db.exists()


def test_the_equal_shares_rules_are_handed_to_the_mes_module_with_the_tie_break(capsys, monkeypatch, shared_dir):
    calls = []

    def fake(name):
        def rule(election, *, tie_break):
            calls.append((name, tie_break.criteria, len(election.ballots)))
            return AllocationResult(name, ("P0022",), Fraction(155000), (Step("funded", f"{name} funded P0022"),),
                                    tie_break.describe())
        return rule

    module = types.ModuleType("grantdesk.voting.mes")
    module.mes, module.mes_add1, module.mes_completed = fake("mes"), fake("mes_add1"), fake("mes_completed")
    monkeypatch.setitem(sys.modules, "grantdesk.voting.mes", module)
    path = str(shared_dir / "pabulib" / "Poland_Zabrze_2021_Pawlow.pb")
    for rule, function in (("mes", "mes"), ("mes-add1", "mes_add1"), ("mes-completed", "mes_completed")):
        code, out, _ = run(capsys, "tally", path, "--rule", rule, "--json")
        assert code == 0 and json.loads(out)["explanation"] == [f"{function} funded P0022"]
    assert calls == [("mes", ("id",), 202), ("mes_add1", ("id",), 202), ("mes_completed", ("id",), 202)]


def test_the_rule_registry_loads_without_the_equal_shares_module_and_the_command_runs_as_a_program(shared_dir, expected):
    probe = "import sys, grantdesk.voting.rules; print('grantdesk.voting.mes' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    done = subprocess.run([sys.executable, "-m", "grantdesk", "tally", "--json", "--rule", "greedy",
                           str(shared_dir / "pabulib" / "Poland_Warszawa_2018_Pole_Mokotowskie.pb")],
                          cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert json.loads(done.stdout)["selected"] == expected["Poland_Warszawa_2018_Pole_Mokotowskie.pb"]["greedy_util"]["selected"]


def test_the_command_funds_an_unsupported_project_last_as_pabutools_does_but_the_engine_default_does_not(
        capsys, tmp_path):
    from grantdesk.voting.greedy import greedy
    from grantdesk.voting.pabulib import read_pb

    path = tmp_path / "tiny.pb"
    path.write_text("META\nkey;value\nvote_type;approval\nbudget;100\nPROJECTS\nproject_id;cost\n"
                    "a;60\nb;30\nc;50\nVOTES\nvoter_id;vote\nv1;a\nv2;a,c\n")
    assert main(["tally", str(path), "--rule", "greedy", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["selected"] == ["a", "b"]  # b: no votes, but it fits
    assert greedy(read_pb(path)).selected == ("a",)  # an event never funds what nobody voted for
