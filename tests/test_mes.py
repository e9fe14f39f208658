"""The Method of Equal Shares and its completions, checked against pabutools 1.2.3 on every shared
PaBuLib election (../shared/pabulib/expected.json), against pabutools itself on small random
elections, and against outcomes worked out by hand."""

from __future__ import annotations

import io
import json
import random
from fractions import Fraction
from functools import cache
from pathlib import Path

import pytest

from grantdesk.voting.election import Ballot, Election, Project
from grantdesk.voting.mes import mes, mes_add1, mes_completed
from grantdesk.voting.pabulib import read_pb, write_pb
from grantdesk.voting.satisfaction import positional_length
from grantdesk.voting.tiebreak import PABUTOOLS, TieBreak

# our rule -> the expected.json records that hold pabutools' outcome, in order of preference
ORACLE = {
    "mes": (mes, ("mes",)),
    "mes-add1": (mes_add1, ("mes_add1__multiprofile", "mes_add1")),
    "mes-completed": (mes_completed, ("mes_add1_completed__multiprofile", "mes_add1_completed")),
}


@cache
def _read(path: str) -> Election:
    return read_pb(path)


def _expected(shared_dir: Path) -> dict:
    return json.loads((shared_dir / "pabulib" / "expected.json").read_text(encoding="utf-8"))


def _elections_with_an_oracle(shared_dir: Path, rule: str):
    _fn, keys = ORACLE[rule]
    expected = _expected(shared_dir)
    found = 0
    for name, records in sorted(expected.items()):
        if name.startswith("_"):
            continue
        record = next((records[k] for k in keys if records.get(k, {}).get("status") == "ok"), None)
        if record is not None:
            found += 1
            yield name, _read(str(shared_dir / "pabulib" / name)), record
    assert found >= 14, f"only {found} elections have a pabutools outcome for {rule}"


@pytest.mark.slow  # every shared election, Warsaw's 61,668 ballots among them: 1.5–3.6 s a rule
@pytest.mark.parametrize("rule", sorted(ORACLE))
def test_every_shared_election_with_a_pabutools_outcome_gets_the_same_projects_and_cost(shared_dir, rule):
    fn, _keys = ORACLE[rule]
    wrong = []
    for name, election, record in _elections_with_an_oracle(shared_dir, rule):
        result = fn(election)
        got = (sorted(result.selected), result.total_cost)
        want = (sorted(record["selected"]), Fraction(str(record["total_cost"])))
        if got != want:
            wrong.append(f"{name}: got {got}, pabutools {want}")
        assert result.rule == rule
        assert result.total_cost == sum(election.projects[election.index_of(p)].cost for p in result.selected)
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------------------------------------------
# Worked by hand: three voters with 100 each
# ---------------------------------------------------------------------------------------------------


def _hand_election() -> Election:
    """Budget 300, three voters, so a share of 100 each. Approval ballots: voter 1 approves A, C and E;
    voter 2 approves A and C; voter 3 approves C, D and E.

    Round 1: C costs 120 for three supporters, 40 each (rho 1/3): the cheapest. All have 60 left.
    Round 2: A (100, voters 1 and 2) costs 50 each, rho 1/2; E (70, voters 1 and 3) costs 35 each,
    rho 1/2; D (30, voter 3) rho 1. A and E tie; A wins on its reference. Voters 1 and 2 have 10 left.
    Round 3: E: voter 1 has only 10, so voter 3 pays the other 60 (rho 60/70 = 6/7 < 1 for D).
    Round 4: voter 3 has nothing left for D (30). Funded: C, A, E for 290."""
    projects = [Project("A", Fraction(100), "Allotment"), Project("C", Fraction(120), "Community cafe"),
                Project("D", Fraction(30), "Dog bins"), Project("E", Fraction(70), "Eel pass")]
    ballots = [Ballot("v1", (0, 1, 3)), Ballot("v2", (0, 1)), Ballot("v3", (1, 2, 3))]
    return Election("approval", Fraction(300), projects, ballots, {"currency": "GBP"})


def _funded_steps(result):
    return {s.project: s for s in result.explanation if s.kind == "funded"}


def test_three_voters_with_equal_shares_pay_the_prices_worked_out_by_hand():
    result = mes(_hand_election())
    assert result.selected == ("C", "A", "E")
    assert result.total_cost == 290
    steps = _funded_steps(result)
    assert {p: (s.numbers["price"], s.numbers["rho"]) for p, s in steps.items()} == {
        "C": ("40", "1/3"), "A": ("50", "1/2"), "E": ("60", "6/7")}
    assert steps["E"].numbers["paid_all_they_had"] == "1"
    assert steps["E"].numbers["supporters_paying"] == "2"
    assert steps["A"].numbers["left_min"] == steps["A"].numbers["left_max"] == "10"
    assert "Funded ‘Community cafe’ (C) for £120.00: its 3 supporters each paid £40.00 of their equal share." \
        in steps["C"].text
    assert "1 of them had less and paid all they had left" in steps["E"].text
    (short,) = [s for s in result.explanation if s.kind == "skipped"]
    assert short.project == "D"
    assert short.numbers == {"cost": "30", "supporters_left": "0"}
    assert "‘Dog bins’ (D) needed £30.00 but its supporters had only £0.00 left." == short.text


def test_a_price_tie_goes_to_the_lower_project_reference_by_default():
    result = mes(_hand_election())
    assert result.selected.index("A") < result.selected.index("E")
    assert result.tie_break == "Ties are broken by project reference in alphabetical order."


def test_a_fund_can_break_ties_its_own_way_and_the_outcome_follows():
    # Lower cost first: E (70) beats A (100) in round 2; then voters 1 and 2 hold 25 and 60, too
    # little for A, and voter 3 holds 25, too little for D.
    result = mes(_hand_election(), tie_break=TieBreak(("cost", "id")))
    assert result.selected == ("C", "E")
    assert result.total_cost == 190
    assert result.tie_break == "Ties are broken by lower cost first, then project reference in alphabetical order."


def test_a_drawn_lot_gives_the_same_outcome_every_time_for_the_same_seed():
    lot = TieBreak(("lot",), seed="council meeting 12 March")
    outcomes = {mes(_hand_election(), tie_break=lot).selected for _ in range(3)}
    assert len(outcomes) == 1
    assert outcomes <= {("C", "A", "E"), ("C", "E")}


def test_an_amount_like_1459730_46_is_used_exactly_so_a_project_costing_the_whole_budget_is_funded():
    # Seven equal shares of 1459730.46 add up to less than 1459730.46 in floating point.
    budget = Fraction("1459730.46")
    election = Election("approval", budget, [Project("1", budget), Project("2", Fraction(1))],
                        [Ballot(f"v{i}", (0,) if i else (0, 1)) for i in range(7)])
    result = mes(election)
    assert result.selected == ("1",)
    assert result.total_cost == budget
    assert Fraction(result.explanation[0].numbers["share"]) == budget / 7
    (funded,) = _funded_steps(result).values()
    assert Fraction(funded.numbers["price"]) == budget / 7


def test_the_equal_share_and_the_prices_in_a_real_explanation_are_exact(shared_dir):
    election = _read(str(shared_dir / "pabulib" / "Poland_Krakow_2023_Swoszowice.pb"))
    result = mes(election)
    assert Fraction(result.explanation[0].numbers["share"]) == Fraction(145973046, 100 * 1632)
    spent = Fraction(0)
    for step in _funded_steps(result).values():
        spent += Fraction(step.numbers["cost"])
        assert Fraction(step.numbers["spent_so_far"]) == spent
        assert step.numbers["price_per"] == "point"  # Borda points on ordinal ballots
    assert spent == result.total_cost


# ---------------------------------------------------------------------------------------------------
# Explanations
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Netherlands_Assen_2024.pb", "Poland_Warszawa_2026.pb",
                                  "Switzerland_Zurich_D10.pb"])
def test_every_funded_project_is_explained_with_its_price_and_what_its_supporters_have_left(shared_dir, name):
    election = _read(str(shared_dir / "pabulib" / name))
    result = mes(election)
    steps = _funded_steps(result)
    assert list(steps) == list(result.selected)
    for pid, step in steps.items():
        project = election.projects[election.index_of(pid)]
        assert f"({pid})" in step.text and "Funded" in step.text
        assert Fraction(step.numbers["price"]) > 0 and Fraction(step.numbers["rho"]) > 0
        assert Fraction(step.numbers["cost"]) == project.cost
        assert "left" in step.text
        assert Fraction(step.numbers["left_min"]) <= Fraction(step.numbers["left_average"]) \
            <= Fraction(step.numbers["left_max"])
    unfunded = {p.id for p in election.projects} - set(result.selected)
    explained = {s.project for s in result.explanation if s.kind == "skipped"}
    assert explained <= unfunded
    assert result.explanation[-1].kind == "stopped"


def test_the_explanation_of_a_city_wide_vote_stays_short(shared_dir):
    election = _read(str(shared_dir / "pabulib" / "Poland_Warszawa_2026.pb"))  # 61,668 voters
    result = mes(election)
    assert len(result.explanation) <= len(election.projects) + 5
    assert max(len(s.text) for s in result.explanation) < 400
    assert "61,668 voters" in result.explanation[0].text


def test_a_project_its_supporters_cannot_afford_is_explained_with_the_money_they_had_left(shared_dir):
    election = _read(str(shared_dir / "pabulib" / "Netherlands_Assen_2024.pb"))
    result = mes(election)
    short = {s.project: s for s in result.explanation if s.kind == "skipped"}
    assert set(short) == {p.id for p in election.projects} - set(result.selected)
    for step in short.values():
        assert Fraction(step.numbers["supporters_left"]) < Fraction(step.numbers["cost"])
        assert "needed" in step.text and "had only" in step.text


def test_add1_raises_the_shares_until_one_more_raise_would_overspend_and_says_so(shared_dir):
    election = _read(str(shared_dir / "pabulib" / "Netherlands_Assen_2024.pb"))
    result = mes_add1(election)
    assert sorted(result.selected, key=int) == ["2", "3", "5", "6", "9", "11", "12", "13", "14"]  # as published
    (raised,) = [s for s in result.explanation if s.kind == "budget" and "Raised" in s.text]
    assert raised.numbers["raises"] == "843"
    assert Fraction(raised.numbers["share"]) == Fraction(100000, 84) + 843
    assert Fraction(raised.numbers["next_share_cost"]) > election.budget
    assert "one more raise" in raised.text.lower() and "more than the 100,000 EUR budget" in raised.text
    changes = [s for s in result.explanation if s.kind == "budget" and "outcome changes" in s.text]
    assert [c.numbers["raises"] for c in changes] == ["125", "529"]  # when 5, then 6, come in
    assert result.details["raises"] == 843


def test_the_completion_funds_what_still_fits_by_support_after_add1(shared_dir):
    election = _read(str(shared_dir / "pabulib" / "Netherlands_Assen_2024.pb"))
    base, completed = mes_add1(election), mes_completed(election)
    assert completed.selected[:len(base.selected)] == base.selected
    assert completed.selected[len(base.selected):] == ("7",)
    step = next(s for s in completed.explanation if s.kind == "completion" and s.project == "7")
    assert step.numbers == {"cost": "12000", "support": "10"}
    assert "(10 supporters)" in step.text


def test_a_jump_in_the_add1_search_is_refused_when_a_rival_would_tie_the_price_and_win_the_tie():
    # White-box: mes_add1 skips shares only when a run forced to repeat the lower share's purchases
    # shows every rival losing throughout. Here "p" (6, two voters with 1 point each) costs 3 a point
    # at any share from 3 up; "a" (10; voter 1 gives it 1 point, voter 4 gives 3) costs 10 - share a
    # point while voter 4 cannot pay three points' worth, so 5 at a share of 5 (p first) and 3 at 7,
    # where it ties p and wins on its reference. The jump from 5 to 7 must be refused; 5 to 6 is safe.
    from grantdesk.voting.mes import _prepare, _run

    projects = [Project("a", Fraction(10)), Project("p", Fraction(6))]
    ballots = [Ballot("v1", (0,), (1,)), Ballot("v2", (1,), (1,)), Ballot("v3", (1,), (1,)), Ballot("v4", (0,), (3,))]
    election = Election("cumulative", Fraction(20), projects, ballots)
    prep = _prepare(election, PABUTOOLS)
    low = _run(prep, Fraction(5))
    assert low.rounds == [(1, Fraction(3)), (0, Fraction(5))]
    assert _run(prep, Fraction(7)).rounds[0] == (0, Fraction(3))
    assert _run(prep, Fraction(7), forced=low.rounds) is None
    assert _run(prep, Fraction(6), forced=low.rounds).rounds == _run(prep, Fraction(6)).rounds


# ---------------------------------------------------------------------------------------------------
# Edge cases pabutools decides in its own way
# ---------------------------------------------------------------------------------------------------


def test_a_project_nobody_supports_is_never_bought_by_equal_shares_but_the_completion_may_fund_it():
    projects = [Project("1", Fraction(60)), Project("2", Fraction(30)), Project("3", Fraction(10))]
    election = Election("approval", Fraction(100), projects, [Ballot("a", (0,)), Ballot("b", (0, 1))])
    assert mes(election).selected == ("1",)
    assert "1 project had no support" in mes(election).explanation[2].text
    # 40 left after project 1: project 2 (1 supporter) fits, then project 3 (no support) still fits.
    assert mes_completed(election).selected == ("1", "2", "3")


def test_a_free_project_with_points_is_funded_first_and_a_free_approved_one_only_by_the_completion():
    projects = [Project("1", Fraction(0)), Project("2", Fraction(50))]
    points = Election("cumulative", Fraction(100), projects,
                      [Ballot("a", (0, 1), (3, 2)), Ballot("b", (1,), (5,))])
    assert mes(points).selected == ("1", "2")
    assert mes(points).explanation[2].text == "Funded project 1 first: it costs nothing."
    approvals = Election("approval", Fraction(100), projects, [Ballot("a", (0, 1)), Ballot("b", (1,))])
    assert mes(approvals).selected == ("2",)  # under cost utilities a free project gives nobody anything
    assert mes_completed(approvals).selected == ("2", "1")


def test_with_no_ballots_equal_shares_funds_nothing_and_the_completion_goes_by_reference():
    election = Election("approval", Fraction(100), [Project("b", Fraction(70)), Project("a", Fraction(40))], [])
    assert mes(election).selected == ()
    assert mes_add1(election).selected == ()
    assert mes_completed(election).selected == ("a",)


# ---------------------------------------------------------------------------------------------------
# Small random elections against pabutools itself (it is GPL: a test oracle only)
# ---------------------------------------------------------------------------------------------------


def _random_election(rng: random.Random, vote_type: str) -> Election:
    m = rng.randint(2, 7)
    costs = [Fraction(rng.choice([0, 5, 10, 10, 15, 20, 25, 30, 40, 60])) + rng.choice([0, 0, 0, Fraction(1, 2)])
             for _ in range(m)]
    projects = [Project(str(rng.randint(1, 30)) + chr(97 + i), c) for i, c in enumerate(costs)]
    ballots = []
    for v in range(rng.randint(1, 9)):
        chosen = tuple(rng.sample(range(m), rng.randint(0 if vote_type == "approval" else 1, m)))
        points = tuple(rng.randint(0, 4) for _ in chosen) if vote_type == "cumulative" else None
        ballots.append(Ballot(f"v{v}", chosen, points))
    budget = Fraction(rng.choice([30, 50, 75, 100, 120])) + rng.choice([0, Fraction(33, 100)])
    return Election(vote_type, budget, projects, ballots, {"max_length": str(m)} if vote_type == "ordinal" else {})


def _pabutools_outcomes(election: Election, tie: TieBreak) -> dict[str, list[str]]:
    from pabutools.election import (
        Additive_Borda_Sat,
        Additive_Cardinal_Sat,
        AdditiveSatisfaction,
        Cost_Sat,
    )
    from pabutools.election.pabulib import parse_pabulib_from_string
    from pabutools.rules import (
        completion_by_rule_combination,
        greedy_utilitarian_welfare,
        method_of_equal_shares,
    )
    from pabutools.tiebreaking import TieBreakingRule

    text = io.StringIO()
    write_pb(election, text)
    instance, profile = parse_pabulib_from_string(text.getvalue())
    listed = {p.id: sum(election.index_of(p.id) in b.projects for b in election.ballots) for p in election.projects}
    parts = {"id": lambda p: p.name, "cost": lambda p: p.cost, "supporters": lambda p: -listed[p.name]}
    rule = TieBreakingRule(lambda _i, _prof, p: tuple(parts[c](p) for c in tie.criteria))
    length = positional_length(election)

    def cost_weighted(ballot, project):  # the reference script's greedy measures: cost × support
        if election.vote_type == "cumulative":
            return project.cost * ballot.get(project, 0)
        if election.vote_type == "ordinal":
            return project.cost * (length - ballot.position(project)) if project in ballot else 0
        return project.cost * (project in ballot)

    class CostWeighted(AdditiveSatisfaction):
        def __init__(self, inst, prof, ballot):
            super().__init__(inst, prof, ballot, lambda _i, _p, b, proj, _pre: cost_weighted(b, proj))

    sat = {"approval": Cost_Sat, "cumulative": Additive_Cardinal_Sat, "ordinal": Additive_Borda_Sat}[
        election.vote_type]
    greedy = Cost_Sat if election.vote_type == "approval" else CostWeighted
    outcomes = {
        "mes": method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=rule),
        "mes-add1": method_of_equal_shares(instance, profile, sat_class=sat, tie_breaking=rule,
                                           voter_budget_increment=1),
        "mes-completed": completion_by_rule_combination(
            instance, profile, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": sat, "voter_budget_increment": 1, "tie_breaking": rule},
             {"sat_class": greedy, "is_sat_additive": True, "tie_breaking": rule}]),
    }
    return {name: sorted(p.name for p in outcome) for name, outcome in outcomes.items()}


@pytest.mark.parametrize("vote_type", ["approval", "cumulative", "ordinal"])
def test_small_random_elections_come_out_as_in_pabutools_under_every_rule_and_tie_break(vote_type):
    rng = random.Random(f"grantdesk-mes-{vote_type}")
    ties = [PABUTOOLS, TieBreak(("cost", "id")), TieBreak(("supporters", "cost", "id"))]
    wrong = []
    for case in range(40):
        election = _random_election(rng, vote_type)
        tie = ties[case % len(ties)]
        want = _pabutools_outcomes(election, tie)
        got = {name: sorted(fn(election, tie_break=tie).selected) for name, (fn, _keys) in ORACLE.items()}
        if got != want:
            buffer = io.StringIO()
            write_pb(election, buffer)
            wrong.append(f"case {case} ({tie.describe()}): got {got}, pabutools {want}\n{buffer.getvalue()}")
    assert not wrong, "\n".join(wrong[:3])
