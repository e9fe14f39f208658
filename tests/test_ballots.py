"""Ballots checked against their event's rules, each rejection with a reason someone can act on; and the
count: totals, exact means without the "can't judge" marks, supporters, turnout and spoilt ballots."""

from __future__ import annotations

from fractions import Fraction

import pytest

from grantdesk.voting.ballots import (
    CANT_JUDGE, PROBLEM_CODES, ApprovalRules, BallotProblem, BallotRejected, CastBallot, ChooseOneRules,
    CumulativeRules, KnapsackRules, RankedRules, ScoreRules, ballot_problems, check_ballot, problem_words,
    to_election)
from grantdesk.voting.election import Project
from grantdesk.voting.greedy import greedy
from grantdesk.voting.pabulib import read_pb
from grantdesk.voting.tally import tally_ballots, tally_election

PARK = Project("P1", Fraction(5000), "Park benches", ("small",))
LIBRARY = Project("P2", Fraction(12000), "Library garden", ("large",))
MURAL = Project("P3", Fraction(3000), "Mural", ("small",))
POOL = Project("P4", Fraction(40000), "Pool changing rooms", ("large",))
PROJECTS = (PARK, LIBRARY, MURAL, POOL)


def rejected(rules, ballot) -> tuple[str, ...]:
    with pytest.raises(BallotRejected) as caught:
        check_ballot(rules, ballot)
    return caught.value.reasons


def test_a_good_ballot_of_every_kind_is_accepted():
    check_ballot(ScoreRules(PROJECTS, low=1, high=5, cant_judge=True),
                 CastBallot.scored("v1", {"P1": 5, "P2": CANT_JUDGE, "P3": 1}))
    check_ballot(ApprovalRules(PROJECTS, max_choices=3, per_category={"large": 1}), CastBallot.marked("v1", "P1", "P2"))
    check_ballot(ChooseOneRules(PROJECTS), CastBallot.marked("v1", "P4"))
    check_ballot(RankedRules.exactly(PROJECTS, 3), CastBallot.marked("v1", "P3", "P1", "P2"))
    check_ballot(CumulativeRules(PROJECTS, tokens=10, max_per_project=5), CastBallot.scored("v1", {"P1": 5, "P2": 4}))
    check_ballot(KnapsackRules(PROJECTS, budget=Fraction(20000)), CastBallot.marked("v1", "P1", "P2", "P3"))


def test_a_score_outside_the_range_or_an_unoffered_cant_judge_is_rejected_with_the_range():
    rules = ScoreRules(PROJECTS, low=0, high=10)
    assert rejected(rules, CastBallot.scored("v1", {"P1": 11, "P2": CANT_JUDGE})) == (
        "It scores 'Park benches' (P1) 11, but scores go from 0 to 10.",
        "It marks 'Library garden' (P2) “can't judge”, which this ballot does not offer; give it a score from 0 to 10.")
    assert rejected(rules, CastBallot.scored("v1", {})) == ("It scores no project.",)


def test_when_every_project_must_be_scored_the_missing_ones_are_named():
    rules = ScoreRules(PROJECTS, low=1, high=5, cant_judge=True, score_every_project=True)
    assert rejected(rules, CastBallot.scored("v1", {"P1": 3, "P2": CANT_JUDGE})) == (
        ("'Mural' (P3) and 'Pool changing rooms' (P4) have no score; every project must be scored from 1 to 5 "
         "or marked “can't judge”."),)
    check_ballot(rules, CastBallot.scored("v1", {"P1": 3, "P2": CANT_JUDGE, "P3": 1, "P4": CANT_JUDGE}))


def test_approval_limits_overall_and_per_category_are_enforced():
    rules = ApprovalRules(PROJECTS, max_choices=3, per_category={"small": 1, "large": 1})
    assert rejected(rules, CastBallot.marked("v1", "P1", "P2", "P3", "P4")) == (
        "It approves 4 projects; each voter may approve at most 3.",
        ("It approves 2 small projects ('Park benches' (P1) and 'Mural' (P3)); each voter may approve at most 1 "
         "small project."),
        ("It approves 2 large projects ('Library garden' (P2) and 'Pool changing rooms' (P4)); each voter may "
         "approve at most 1 large project."))
    assert rejected(rules, CastBallot.marked("v1")) == ("It approves no project.",)
    with pytest.raises(ValueError, match="No project on the ballot paper is in the category “medium”"):
        ApprovalRules(PROJECTS, per_category={"medium": 2})


def test_a_project_not_on_the_paper_or_marked_twice_spoils_the_ballot():
    rules = ApprovalRules(PROJECTS, max_choices=5)
    assert rejected(rules, CastBallot.marked("v1", "P9", "P1", "P1")) == (
        "It marks “P9”, which is not a project on this ballot paper.",
        "It marks 'Park benches' (P1) 2 times; mark each project once.")


def test_choose_one_needs_exactly_one_project():
    rules = ChooseOneRules(PROJECTS)
    assert rejected(rules, CastBallot.marked("v1", "P1", "P3")) == (
        "It marks 2 projects ('Park benches' (P1) and 'Mural' (P3)); choose one only.",)
    assert rejected(rules, CastBallot.marked("v1")) == ("It marks no project; choose one.",)


def test_a_ranked_ballot_ranks_each_project_once_and_up_to_or_exactly_the_allowed_number():
    assert rejected(RankedRules(PROJECTS, max_ranked=3), CastBallot.marked("v1", "P1", "P2", "P1")) == (
        "It ranks 'Park benches' (P1) 2 times (1st and 3rd); rank each project once.",)
    assert rejected(RankedRules(PROJECTS, max_ranked=3), CastBallot.marked("v1", "P1", "P2", "P3", "P4")) == (
        "It ranks 4 projects; each voter may rank at most 3.",)
    assert rejected(RankedRules.exactly(PROJECTS, 3), CastBallot.marked("v1", "P1", "P2")) == (
        "It ranks 2 projects; each voter must rank exactly 3.",)
    check_ballot(RankedRules(PROJECTS, max_ranked=3), CastBallot.marked("v1", "P2"))


def test_cumulative_tokens_must_add_up_and_respect_the_limit_per_project():
    rules = CumulativeRules(PROJECTS, tokens=10, max_per_project=6)
    assert rejected(rules, CastBallot.scored("v1", {"P1": 7, "P2": 5})) == (
        "It gives 'Park benches' (P1) 7 tokens; at most 6 may go to one project.",
        "It spreads 12 tokens, but each voter has 10.")
    assert rejected(rules, CastBallot.scored("v1", {"P1": 0})) == (
        ("It gives 'Park benches' (P1) “0” tokens; give a project a whole number of tokens, at least 1, or leave "
         "it out."),)
    every = CumulativeRules(PROJECTS, tokens=10, use_all=True)
    assert rejected(every, CastBallot.scored("v1", {"P1": 4})) == ("It spreads 4 of the 10 tokens; every token must be used.",)


def test_a_knapsack_ballot_must_fit_the_budget():
    rules = KnapsackRules(PROJECTS, budget=Fraction(50000), currency="GBP")
    assert rejected(rules, CastBallot.marked("v1", "P2", "P4")) == (
        ("The projects it chooses cost £52,000.00 in all, more than the budget of £50,000.00; the chosen projects must "
         "fit within the budget."),)
    check_ballot(rules, CastBallot.marked("v1", "P1", "P4"))


def test_rules_that_contradict_themselves_are_refused_when_set_up():
    with pytest.raises(ValueError, match="highest score"):
        ScoreRules(PROJECTS, low=5, high=5)
    with pytest.raises(ValueError, match="fewest projects a voter must rank"):
        RankedRules(PROJECTS, max_ranked=2, min_ranked=3)
    with pytest.raises(ValueError, match="twice"):
        ChooseOneRules((PARK, PARK))


# --- problems as data --------------------------------------------------------------------------------

# One ballot for every problem a ballot can have: (rules, ballot, the problems as (code, kind, numbers)).
EVERY_PROBLEM = [
    (ApprovalRules(PROJECTS, max_choices=5), CastBallot.marked("v", "P9", "P1"),
     [("unknown_project", "approval", {"given": "P9"})]),
    (ApprovalRules(PROJECTS, max_choices=5), CastBallot.marked("v", "P1", "P1"),
     [("marked_twice", "approval", {"chosen": 2, "projects": (PARK,)})]),
    (RankedRules(PROJECTS), CastBallot.marked("v", "P1", "P2", "P1"),
     [("marked_twice", "ranked", {"chosen": 2, "places": (1, 3), "projects": (PARK,)})]),
    (ApprovalRules(PROJECTS), CastBallot.marked("v"), [("none_chosen", "approval", {"limit": 1})]),
    (ApprovalRules(PROJECTS, max_choices=3, min_choices=2), CastBallot.marked("v", "P1"),
     [("too_few", "approval", {"chosen": 1, "limit": 2})]),
    (ApprovalRules(PROJECTS, max_choices=2), CastBallot.marked("v", "P1", "P2", "P3"),
     [("too_many", "approval", {"chosen": 3, "limit": 2})]),
    (ChooseOneRules(PROJECTS), CastBallot.marked("v", "P1", "P3"),
     [("too_many", "choose-one", {"chosen": 2, "limit": 1, "projects": (PARK, MURAL)})]),
    (RankedRules(PROJECTS, max_ranked=3, min_ranked=2), CastBallot.marked("v", "P4"),
     [("too_few", "ranked", {"chosen": 1, "limit": 2})]),
    (RankedRules.exactly(PROJECTS, 3), CastBallot.marked("v", "P1", "P2"),
     [("not_exactly", "ranked", {"chosen": 2, "limit": 3})]),
    (ApprovalRules(PROJECTS, per_category={"large": 1}), CastBallot.marked("v", "P2", "P4"),
     [("category_over", "approval", {"chosen": 2, "limit": 1, "category": "large", "projects": (LIBRARY, POOL)})]),
    (ScoreRules(PROJECTS, low=1, high=5), CastBallot.scored("v", {"P1": CANT_JUDGE, "P2": 2}),
     [("cant_judge_not_offered", "score", {"low": 1, "high": 5, "projects": (PARK,)})]),
    (ScoreRules(PROJECTS, low=1, high=5), CastBallot.scored("v", {"P1": 2.5}),
     [("score_not_whole", "score", {"given": 2.5, "projects": (PARK,)})]),
    (ScoreRules(PROJECTS, low=1, high=5), CastBallot.scored("v", {"P1": 9}),
     [("score_out_of_range", "score", {"given": 9, "low": 1, "high": 5})]),
    (ScoreRules(PROJECTS, low=1, high=5, cant_judge=True, score_every_project=True),
     CastBallot.scored("v", {"P1": 3, "P2": CANT_JUDGE}),
     [("unscored", "score", {"projects": (MURAL, POOL), "cant_judge": True})]),
    (ScoreRules(PROJECTS), CastBallot.scored("v", {}), [("none_chosen", "score", {})]),
    (CumulativeRules(PROJECTS, tokens=10), CastBallot.scored("v", {"P1": 0, "P2": 3}),
     [("tokens_not_whole", "cumulative", {"given": 0, "projects": (PARK,)})]),
    (CumulativeRules(PROJECTS, tokens=10, max_per_project=6), CastBallot.scored("v", {"P1": 7}),
     [("tokens_over_cap", "cumulative", {"given": 7, "limit": 6})]),
    (CumulativeRules(PROJECTS, tokens=10), CastBallot.scored("v", {"P1": 6, "P2": 6}),
     [("tokens_over", "cumulative", {"chosen": 12, "limit": 10})]),
    (CumulativeRules(PROJECTS, tokens=10, use_all=True), CastBallot.scored("v", {"P1": 4}),
     [("tokens_unused", "cumulative", {"chosen": 4, "limit": 10})]),
    (KnapsackRules(PROJECTS, budget=Fraction(50000), currency="GBP"), CastBallot.marked("v", "P2", "P4"),
     [("over_budget", "knapsack", {"cost": Fraction(52000), "budget": Fraction(50000), "currency": "GBP"})]),
]


@pytest.mark.parametrize("rules, ballot, expected", EVERY_PROBLEM,
                         ids=[f"{e[0][1]}-{e[0][0]}" for _r, _b, e in EVERY_PROBLEM])
def test_a_ballot_s_problems_come_back_as_data_with_their_numbers(rules, ballot, expected):
    problems = ballot_problems(rules, ballot)
    assert all(isinstance(p, BallotProblem) for p in problems)
    assert [(p.code, p.kind) for p in problems] == [(code, kind) for code, kind, _ in expected]
    for problem, (_code, _kind, numbers) in zip(problems, expected, strict=True):
        assert {name: getattr(problem, name) for name in numbers} == numbers
    # the words are made from the data, in one place; the rejection carries both
    with pytest.raises(BallotRejected) as caught:
        check_ballot(rules, ballot)
    assert caught.value.problems == tuple(problems)
    assert caught.value.reasons == tuple(map(problem_words, problems))


def test_every_kind_of_problem_has_a_ballot_that_shows_it_and_words_for_it():
    assert {code for _r, _b, expected in EVERY_PROBLEM for code, _k, _n in expected} == set(PROBLEM_CODES)
    with pytest.raises(ValueError, match="not a ballot problem"):
        BallotProblem("too_much", "approval")


def test_the_numbers_not_the_words_tell_how_far_over_a_ballot_is():
    [too_many] = ballot_problems(ApprovalRules(PROJECTS, max_choices=1), CastBallot.marked("v", "P1", "P2", "P3"))
    assert too_many.chosen - too_many.limit == 2
    assert problem_words(too_many) == "It approves 3 projects; each voter may approve at most 1."


# --- the count ----------------------------------------------------------------------------------


def test_score_means_leave_out_cant_judge_and_spoilt_ballots_are_counted_with_their_reasons():
    rules = ScoreRules(PROJECTS, low=1, high=5, cant_judge=True)
    ballots = [
        CastBallot.scored("v1", {"P1": 5, "P2": CANT_JUDGE, "P3": 2}),
        CastBallot.scored("v2", {"P1": 4, "P2": 3}),
        CastBallot.scored("v3", {"P1": CANT_JUDGE, "P2": 4}),
        CastBallot.scored("v4", {"P1": 9}),  # spoilt: out of range
        CastBallot.scored("v5", {}),  # spoilt: blank
    ]
    result = tally_ballots(rules, ballots, electorate=20)
    assert (result.cast, result.accepted, result.spoilt_count) == (5, 3, 2)
    assert result.turnout_rate == Fraction(1, 4)
    assert result.spoilt == (("v4", ("It scores 'Park benches' (P1) 9, but scores go from 1 to 5.",)),
                             ("v5", ("It scores no project.",)))
    park, library, mural, pool = result.projects
    assert (park.total, park.judged, park.cant_judge, park.mean) == (9, 2, 1, Fraction(9, 2))
    assert (library.total, library.judged, library.cant_judge, library.mean) == (7, 2, 1, Fraction(7, 2))
    assert (mural.total, mural.judged, mural.mean, mural.supporters) == (2, 1, Fraction(2), 1)
    assert (pool.total, pool.judged, pool.mean, pool.supporters) == (0, 0, None, 0)


def test_approval_and_ranked_counts_give_supporters_and_positional_points():
    approval = tally_ballots(ApprovalRules(PROJECTS, max_choices=2), [
        CastBallot.marked("a", "P1", "P2"), CastBallot.marked("b", "P1"), CastBallot.marked("c", "P1", "P2", "P3")])
    assert [(p.project_id, p.total, p.supporters, p.mean) for p in approval.projects] == [
        ("P1", 2, 2, Fraction(1)), ("P2", 1, 1, Fraction(1, 2)), ("P3", 0, 0, Fraction(0)), ("P4", 0, 0, Fraction(0))]
    assert approval.spoilt_count == 1 and approval.cast == 3
    ranked = tally_ballots(RankedRules.exactly(PROJECTS, 2), [
        CastBallot.marked("a", "P1", "P2"), CastBallot.marked("b", "P2", "P1"), CastBallot.marked("c", "P2", "P3")])
    assert [(p.total, p.supporters) for p in ranked.projects] == [(3, 2), (5, 3), (1, 1), (0, 0)]


def test_accepted_ballots_become_an_election_the_allocation_rules_run_on():
    rules = ScoreRules(PROJECTS, low=0, high=10, cant_judge=True)
    ballots = [CastBallot.scored("a", {"P1": 10, "P2": CANT_JUDGE, "P3": 0}), CastBallot.scored("b", {"P2": 8}),
               CastBallot.scored("c", {"P4": 12})]
    election, spoilt = to_election(rules, ballots, budget=20000, meta={"currency": "GBP"})
    assert election.vote_type == "scoring" and len(election.ballots) == 2 and [b.voter_id for b, _ in spoilt] == ["c"]
    assert election.ballots[0].projects == (0, 2) and election.ballots[0].points == (10, 0)
    assert greedy(election).selected == ("P1", "P2")  # P3 scored 0 by its only voter: no supporters


def test_counting_a_real_election_matches_the_files_own_totals(shared_dir):
    election = read_pb(shared_dir / "pabulib" / "France_Toulouse_2019.pb")
    result = tally_election(election)
    assert result.cast == result.accepted == 1494 and result.spoilt == ()
    for project, counted in zip(election.projects, result.projects, strict=True):
        assert counted.total == int(project.extra["score"])
        assert counted.supporters == int(project.extra["votes"])
        assert counted.mean == Fraction(counted.total, 1494)
