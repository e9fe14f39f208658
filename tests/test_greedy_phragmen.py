"""Greedy, greedy per unit of cost and sequential Phragmén: checked against pabutools 1.2.3 on every real
election in ../shared/pabulib (its recorded results in expected.json) and on many small random elections
(pabutools run live, as an oracle only), then on hand-made elections whose outcome is worked out by hand."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest

from grantdesk.voting.election import Ballot, Election, Project
from grantdesk.voting.greedy import greedy, greedy_cost, greedy_threshold
from grantdesk.voting.pabulib import read_pb
from grantdesk.voting.phragmen import phragmen
from grantdesk.voting.rules import RULES, run_rule
from grantdesk.voting.satisfaction import NotApplicable, supporter_counts
from grantdesk.voting.tiebreak import PABUTOOLS, TieBreak
from grantdesk.voting.wording import amount_text, project_label

ORACLE = {"greedy": "greedy_util", "greedy-cost": "greedy_cardinal", "phragmen": "seq_phragmen"}
LARGEST = {"Poland_Warszawa_2026.pb", "Poland_Krakow_2024.pb", "Hungary_Budapest_2024.pb"}


@pytest.fixture(scope="module")
def expected(shared_dir):
    return json.loads((shared_dir / "pabulib" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def elections(shared_dir):
    """Every shared election, parsed once for the whole module."""
    return {path.name: read_pb(path) for path in sorted((shared_dir / "pabulib").glob("*.pb"))}


@pytest.fixture(scope="module")
def results(elections, expected):
    """Our result for every (file, rule) pabutools computed, run once for the whole module."""
    out = {}
    for name, election in elections.items():
        for rule, key in ORACLE.items():
            if expected[name][key]["status"] == "ok":
                out[name, rule] = run_rule(election, rule)
    return out


# --- the oracle: pabutools on the real elections ------------------------------------------------------


@pytest.mark.parametrize("rule", ORACLE)
def test_every_real_election_funds_exactly_what_pabutools_funds(rule, elections, expected, results):
    compared, wrong = set(), []
    for name in elections:
        record = expected[name][ORACLE[rule]]
        if record["status"] != "ok":
            continue
        result = results[name, rule]
        compared.add(name)
        if sorted(result.selected) != sorted(record["selected"]) or result.total_cost != Fraction(record["total_cost"]):
            wrong.append((name, sorted(result.selected), result.total_cost, record["selected"], record["total_cost"]))
        if result.details["exhaustive"] != record["exhaustive"]:
            wrong.append((name, "exhaustive", result.details["exhaustive"]))
    assert wrong == []
    assert LARGEST & compared == (LARGEST if rule != "phragmen" else LARGEST - {"Poland_Krakow_2024.pb"})
    assert len(compared) >= (17 if rule != "phragmen" else 12)


def test_phragmen_refuses_ballots_that_are_not_approvals_where_pabutools_does(elections, expected):
    refused = 0
    for name, election in elections.items():
        if expected[name]["seq_phragmen"]["status"] == "not_applicable":
            with pytest.raises(NotApplicable, match="needs approval ballots; this vote used"):
                phragmen(election)
            refused += 1
    assert refused == 5  # Toulouse, Katowice and Zurich (cumulative), both Kraków files (ordinal)


def test_the_published_greedy_threshold_outcomes_are_reproduced(elections, expected):
    checked = []
    for name, election in elections.items():
        record = expected[name]["file_rule"]
        if record["status"] == "ok" and record.get("meta_rule") in ("greedy", "greedy-threshold"):
            result = greedy_threshold(election)
            assert sorted(result.selected) == sorted(record["selected"]), name
            assert result.total_cost == record["total_cost"], name
            checked.append(name)
    assert "Poland_Warszawa_2026.pb" in checked and len(checked) >= 10
    warsaw = greedy_threshold(elections["Poland_Warszawa_2026.pb"])
    assert "1664" not in warsaw.selected and "1664" in run_rule(elections["Poland_Warszawa_2026.pb"], "greedy").selected
    step = next(s for s in warsaw.explanation if s.project == "1664")
    assert step.kind == "skipped" and "1,221 supporters, fewer than the 3,000 a project needs" in step.text


def test_poznans_rule_stops_at_the_first_project_that_does_not_fit_unless_80_percent_is_left(elections, expected):
    election = elections["Poland_Poznan_2023_9_-_Stare_Miasto.pb"]
    result = greedy(election, when_next_does_not_fit="stop", fund_last_if_share_left=Fraction(4, 5))
    record = expected["Poland_Poznan_2023_9_-_Stare_Miasto.pb"]["file_rule"]
    assert list(result.selected) == record["selected"] and result.total_cost == record["total_cost"]
    stopped = result.explanation[-2]
    assert stopped.kind == "stopped" and stopped.project == "IX.7"  # 800,000 PLN with nothing left
    assert result.explanation[-1].text == "5 projects were not reached."


def test_each_funded_project_has_a_step_naming_it_with_its_cost_and_what_was_left(elections, results):
    for (name, rule), result in results.items():
        election = elections[name]
        currency = election.meta["currency"]
        funded = [s for s in result.explanation if s.kind == "funded"]
        assert [s.project for s in funded] == list(result.selected), (name, rule)
        for step in funded:
            project = election.projects[election.index_of(step.project)]
            assert step.text.startswith(f"Funded {project_label(project)} for "
                                        f"{amount_text(project.cost, currency)}: "), (name, rule)
            assert step.text.endswith(f"{amount_text(Fraction(step.numbers['left']), currency)} left."), (name, rule)
            assert "£" not in step.text


def test_steps_say_why_a_project_was_passed_over_or_where_phragmen_stopped(elections):
    assen = greedy(elections["Netherlands_Assen_2024.pb"])
    texts = [s.text for s in assen.explanation]
    assert ("Passed over 'Scooter Night Ride' (1) (6th by support, with 23 votes): it costs 40,000 EUR and only "
            "6,800 EUR was left.") in texts
    assert ("Tie: 'Muziekproductie studio' (11) and 'Go-Zero kroegentocht' (2) are tied on 24 votes each. "
            "Ties are broken by project reference in alphabetical order. So 'Muziekproductie studio' (11) goes "
            "first (ahead of 'Go-Zero kroegentocht' (2) by reference: “11” comes before “2” alphabetically).") in texts
    lodz = phragmen(elections["Poland_Lodz_2023_Andrzejow.pb"])
    assert lodz.explanation[-1].kind == "stopped"
    assert "W051AN" in lodz.explanation[-1].text and "only 22,000 PLN was left" in lodz.explanation[-1].text
    first = next(s for s in lodz.explanation if s.kind == "funded")
    assert "its 154 supporters now each carry a load of about 29.22 PLN" in first.text
    assert Fraction(first.numbers["load"]) == Fraction(4500, 154)


def test_ordinal_greedy_ranks_by_the_citys_three_two_one_points(elections):
    election = elections["Poland_Krakow_2023_Swoszowice.pb"]
    result = greedy(election)
    assert result.details["measure"] == "positional"
    by_id = {p.id: p for p in election.projects}
    first = next(s for s in result.explanation if s.kind == "funded")
    assert f"with {int(by_id[first.project].extra['score']):,} points" in first.text
    assert greedy(election, measure="borda").details["measure"] == "borda"
    with pytest.raises(NotApplicable):
        greedy(election, measure="approval")


# --- the oracle again: pabutools run live on small random elections -----------------------------------


def _random_election(rng: random.Random, vote_type: str) -> Election:
    """Few voters, small round costs: ties and budget edges are common. Some projects have no support,
    one may cost more than the budget."""
    n = rng.randint(2, 8)
    projects = [Project(f"p{rng.randint(1, 30)}x{i}", Fraction(rng.choice([0, 1, 2, 3, 4, 5, 6, 10]) * 10))
                for i in range(n)]
    budget = Fraction(rng.choice([10, 20, 30, 40, 60, 100]))
    ballots = []
    for v in range(rng.randint(1, 12)):
        chosen = tuple(rng.sample(range(n), rng.randint(0 if vote_type == "approval" else 1, min(n, 4))))
        points = tuple(rng.randint(1, 3) for _ in chosen) if vote_type == "cumulative" else None
        ballots.append(Ballot(f"v{v}", chosen, points))
    return Election(vote_type, budget, projects, ballots)


def _pabutools(election: Election):
    from pabutools.election import (
        ApprovalBallot,
        ApprovalProfile,
        CumulativeBallot,
        CumulativeProfile,
        Instance,
        OrdinalBallot,
        OrdinalProfile,
    )
    from pabutools.election import Project as PbProject

    projects = [PbProject(p.id, int(p.cost)) for p in election.projects]
    instance = Instance(projects, budget_limit=int(election.budget))
    if election.vote_type == "approval":
        profile = ApprovalProfile([ApprovalBallot([projects[i] for i in b.projects]) for b in election.ballots],
                                  instance=instance)
    elif election.vote_type == "cumulative":
        profile = CumulativeProfile([CumulativeBallot({projects[i]: p for i, p in zip(b.projects, b.points, strict=True)})
                                     for b in election.ballots], instance=instance)
    else:
        profile = OrdinalProfile([OrdinalBallot([projects[i] for i in b.projects]) for b in election.ballots],
                                 instance=instance)
    return instance, profile


def _without_unsupported(election: Election) -> Election:
    keep = [i for i, n in enumerate(supporter_counts(election)) if n > 0]
    new_index = {old: new for new, old in enumerate(keep)}
    ballots = [Ballot(b.voter_id, tuple(new_index[i] for i in b.projects), b.points) for b in election.ballots]
    return Election(election.vote_type, election.budget, [election.projects[i] for i in keep], ballots)


def _pabutools_results(election: Election) -> dict:
    from pabutools.election import (
        Additive_Borda_Sat,
        Additive_Cardinal_Sat,
        Cardinality_Sat,
        Cost_Sat,
    )
    from pabutools.rules import greedy_utilitarian_welfare, sequential_phragmen

    instance, profile = _pabutools(election)
    sat = {"approval": Cardinality_Sat, "cumulative": Additive_Cardinal_Sat, "ordinal": Additive_Borda_Sat}
    theirs = {"greedy-cost": greedy_utilitarian_welfare(instance, profile, sat_class=sat[election.vote_type],
                                                        is_sat_additive=True)}
    if election.vote_type == "approval":
        theirs["greedy"] = greedy_utilitarian_welfare(instance, profile, sat_class=Cost_Sat)
        theirs["phragmen"] = sequential_phragmen(instance, profile)
    return {rule: sorted(p.name for p in allocation) for rule, allocation in theirs.items()}


def test_small_random_elections_give_the_same_result_as_pabutools_run_live():
    rng = random.Random(20250401)
    checks = 0
    for _ in range(150):
        for vote_type in ("approval", "cumulative", "ordinal"):
            election = _random_election(rng, vote_type)
            # pabutools funds projects nobody supported when they fit; ours only when asked to …
            for rule, theirs in _pabutools_results(election).items():
                assert sorted(RULES[rule](election, fund_unsupported=True).selected) == theirs, (rule, election)
                checks += 1
            # … and by default counts as if they were not on the ballot paper at all
            for rule, theirs in _pabutools_results(_without_unsupported(election)).items():
                assert sorted(RULES[rule](election).selected) == theirs, (rule, election)
    assert checks == 750


# --- hand-made elections ------------------------------------------------------------------------------


def _election(vote_type, budget, projects, votes, currency="GBP"):
    """``projects``: (id, cost) pairs; ``votes``: tuples of project ids (with points for cumulative)."""
    ps = [Project(pid, Fraction(cost), name=f"Project {pid}") for pid, cost in projects]
    index = {p.id: i for i, p in enumerate(ps)}
    ballots = []
    for n, vote in enumerate(votes):
        if vote_type == "cumulative":
            ballots.append(Ballot(f"v{n}", tuple(index[p] for p, _ in vote), tuple(x for _, x in vote)))
        else:
            ballots.append(Ballot(f"v{n}", tuple(index[p] for p in vote)))
    return Election(vote_type, Fraction(budget), ps, ballots, {"currency": currency})


def test_a_tie_goes_to_more_supporters_then_lower_cost_then_a_recorded_lot():
    # A, B, C, D and E all have 6 points. A has 3 supporters; the others 2. B costs less than C, D, E;
    # C, D and E are the same in every way, so the lot orders them.
    votes = [(("A", 2), ("B", 3), ("C", 3)), (("A", 2), ("B", 3), ("C", 3)), (("A", 2), ("D", 3), ("E", 3)),
             (("D", 3), ("E", 3))]
    election = _election("cumulative", 1000, [("A", 100), ("B", 50), ("C", 100), ("D", 100), ("E", 100)], votes)
    policy = TieBreak(("supporters", "cost", "lot"), seed="Rhyl 2025 draw")
    result = greedy(election, tie_break=policy)
    assert result.selected[:2] == ("A", "B")
    assert set(result.selected[2:]) == {"C", "D", "E"}
    assert result.tie_break == policy.describe() and "seed Rhyl 2025 draw" in result.tie_break
    tie = next(s for s in result.explanation if s.kind == "tie")
    assert tie.text.startswith("Tie: 'Project A' (A), 'Project B' (B), ")
    assert ("are tied on 6 points each. Ties are broken by more supporters first, then lower cost first, then a "
            "drawn lot (seed Rhyl 2025 draw).") in tie.text
    assert ("So 'Project A' (A) goes first (ahead of 'Project B' (B) on more supporters: 3 against 2), then "
            "'Project B' (B) (ahead of ") in tie.text
    assert "on lower cost: £50.00 against £100.00), then" in tie.text
    assert "by the lot drawn with seed Rhyl 2025 draw), then" in tie.text
    # the lot is deterministic for a seed, and different seeds give different orders
    assert greedy(election, tie_break=policy).selected == result.selected
    orders = {greedy(election, tie_break=TieBreak(("supporters", "cost", "lot"), seed=f"draw {n}")).selected[2:]
              for n in range(12)}
    assert len(orders) > 1
    # with pabutools' policy the project reference decides: A, B, C, D, E
    assert greedy(election).selected == ("A", "B", "C", "D", "E")


def test_greedy_by_cost_breaks_a_tie_in_value_for_money_by_supporters():
    # A: 2 votes for 200, B: 1 vote for 100: the same support per pound; A has more supporters.
    election = _election("approval", 1000, [("B", 100), ("A", 200)], [("A", "B"), ("A",)])
    policy = TieBreak(("supporters",))
    assert greedy_cost(election, tie_break=policy).selected == ("A", "B")
    assert greedy_cost(election, tie_break=TieBreak(("cost",))).selected == ("B", "A")
    tie = next(s for s in greedy_cost(election, tie_break=policy).explanation if s.kind == "tie")
    assert tie.text == ("Tie: 'Project A' (A) and 'Project B' (B) are tied on support for their cost (£100.00 per vote). "
                        "Ties are broken by more supporters first. So 'Project A' (A) goes first (ahead of "
                        "'Project B' (B) on more supporters: 2 against 1).")


def test_the_fund_chooses_to_stop_at_the_first_project_that_does_not_fit_or_to_skip_it():
    votes = [("A", "B", "C")] * 3 + [("A", "B")] * 2 + [("A",)]
    election = _election("approval", 100, [("A", 60), ("B", 50), ("C", 30)], votes)
    skip = greedy(election)
    assert skip.selected == ("A", "C") and skip.total_cost == 90
    assert [s.kind for s in skip.explanation] == ["funded", "skipped", "funded"]
    assert skip.explanation[1].text == ("Passed over 'Project B' (B) (2nd by support, with 5 votes): it costs £50.00 "
                                        "and only £40.00 was left.")
    stop = greedy(election, when_next_does_not_fit="stop")
    assert stop.selected == ("A",) and stop.total_cost == 60
    assert [s.kind for s in stop.explanation] == ["funded", "stopped", "info"]
    assert "this fund stops at the first project that does not fit" in stop.explanation[1].text
    assert stop.explanation[2].text == "1 project was not reached."
    # Poznań's variant: the project that does not fit is still funded when 80 % of its cost is left
    assert greedy(election, when_next_does_not_fit="stop", fund_last_if_share_left=Fraction(4, 5)).selected == ("A", "B")
    assert greedy(election, when_next_does_not_fit="stop", fund_last_if_share_left=Fraction(9, 10)).selected == ("A",)
    with pytest.raises(ValueError, match="“skip” it or “stop”"):
        greedy(election, when_next_does_not_fit="shrink")


def test_a_project_nobody_voted_for_is_never_funded_even_when_money_is_left():
    election = _election("approval", 1000, [("A", 100), ("Z", 10)], [("A",), ("A",)])
    for rule in ("greedy", "greedy-cost", "phragmen"):
        result = run_rule(election, rule)
        assert result.selected == ("A",), rule
        assert any(s.project == "Z" and s.text == "Passed over 'Project Z' (Z): nobody voted for it."
                   for s in result.explanation), rule
        assert run_rule(election, rule, fund_unsupported=True).selected == ("A", "Z"), rule


def test_a_threshold_leaves_out_projects_with_too_few_supporters():
    election = _election("approval", 1000, [("A", 100), ("B", 100)], [("A", "B"), ("A",), ("A",)])
    election.meta["min_project_score_threshold"] = "2"
    result = greedy_threshold(election)
    assert result.rule == "greedy-threshold" and result.selected == ("A",)
    assert result.explanation[0].text == "A project needs at least 2 supporters to be funded."
    assert greedy(election).selected == ("A", "B")


def test_phragmen_shares_costs_as_loads_worked_out_by_hand():
    # v1: A, D   v2: A, B, D   v3: B, D   v4: C        costs A 100, B 90, C 300, D 20; budget 250
    # C costs more than the budget: never considered.
    # 1: loads if funded: A 100/2 = 50, B 90/2 = 45, D 20/3 -> D; v1, v2, v3 carry 20/3.
    # 2: A (20/3 + 20/3 + 100)/2 = 170/3, B (20/3 + 20/3 + 90)/2 = 155/3 -> B; v2, v3 carry 155/3.
    # 3: A (20/3 + 155/3 + 100)/2 = 475/6; 110 + 100 fits in 250 -> A.
    votes = [("A", "D"), ("A", "B", "D"), ("B", "D"), ("C",)]
    election = _election("approval", 250, [("A", 100), ("B", 90), ("C", 300), ("D", 20)], votes, currency="EUR")
    result = phragmen(election)
    assert result.selected == ("D", "B", "A") and result.total_cost == 210
    assert result.details["loads"] == (Fraction(20, 3), Fraction(155, 3), Fraction(475, 6))
    assert result.explanation[1].text == ("Not considered: 'Project C' (C) costs 300 EUR, more than the whole "
                                          "budget of 250 EUR.")
    funded_b = next(s for s in result.explanation if s.project == "B" and s.kind == "funded")
    assert funded_b.text == ("Funded 'Project B' (B) for 90 EUR: its 2 supporters now each carry a load of about "
                             "51.67 EUR (2 of them already carried a share of earlier projects), the lowest of any "
                             "project; 140 EUR left.")
    assert funded_b.numbers["load"] == "155/3"


def test_phragmen_stops_at_the_first_project_that_does_not_fit_where_greedy_skips_it():
    # A 90 (v1, v2, v3), E 45 (v4), F 35 (v1); budget 130.
    # 1: A 30, E 45, F 35 -> A.   2: E 45, F 30 + 35 = 65 -> E, but 90 + 45 > 130: stop (F would fit).
    election = _election("approval", 130, [("A", 90), ("E", 45), ("F", 35)],
                         [("A", "F"), ("A",), ("A",), ("E",)])
    result = phragmen(election)
    assert result.selected == ("A",)
    assert result.explanation[-1].text == ("Stopped: 'Project E' (E) would come next, with a load of £45.00 per "
                                           "supporter, but it costs £45.00 and only £40.00 was left. Sequential Phragmén "
                                           "ends at the first project that does not fit.")
    assert result.details["exhaustive"] is False
    assert greedy(election).selected == ("A", "F")


def test_amounts_are_written_in_the_elections_own_currency():
    assert amount_text(Fraction(51000), "PLN") == "51,000 PLN"
    assert amount_text(Fraction(145973046, 100), "PLN") == "1,459,730.46 PLN"
    assert amount_text(Fraction(250000), "GBP") == "£250,000.00"
    assert amount_text(Fraction(-15), "GBP") == "-£15.00"
    assert amount_text(Fraction(100, 3), "HUF") == "about 33.33 HUF"
    assert amount_text(Fraction(7), "") == "7"


def test_the_registry_runs_every_rule_by_name_and_refuses_unknown_names():
    election = _election("approval", 100, [("A", 60)], [("A",)])
    assert list(RULES) == ["greedy", "greedy-cost", "mes", "mes-add1", "mes-completed", "phragmen"]
    assert run_rule(election, "greedy", PABUTOOLS).rule == "greedy"
    assert run_rule(election, "greedy-cost").rule == "greedy-cost"
    from grantdesk.voting.rules import UnknownRule
    with pytest.raises(UnknownRule, match="no allocation rule called “borda”; use one of greedy, greedy-cost"):
        run_rule(election, "borda")
