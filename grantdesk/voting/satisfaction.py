"""How much a ballot supports each project, by vote type and by what a rule counts.

The measures follow the field's conventions (and pabutools, which the tests use as an oracle):

- ``approval``: 1 for each project on the ballot (approval and choose-1 ballots);
- ``cost``: the project's cost for each approved project ("cost utilities": MES on approval ballots);
- ``points``: the points the voter gave (cumulative and scoring ballots);
- ``positional``: ``L - position`` on an ordinal ballot, L being the longest allowed ballot
  (``max_length``): 3, 2, 1 for a city's "rank three projects";
- ``borda``: ``length of the ballot - position - 1``: 2, 1, 0 on a three-project ballot.

What each rule counts for each vote type is in ``RULE_MEASURES``.
"""

from __future__ import annotations

from fractions import Fraction

from grantdesk.voting.election import Election

RULE_MEASURES: dict[str, dict[str, str]] = {
    # rank by total support
    "greedy": {"approval": "approval", "choose-1": "approval", "cumulative": "points", "scoring": "points",
               "ordinal": "positional"},
    # rank by total support per unit of cost
    "greedy-cost": {"approval": "approval", "choose-1": "approval", "cumulative": "points", "scoring": "points",
                    "ordinal": "borda"},
    # the Method of Equal Shares
    "mes": {"approval": "cost", "choose-1": "cost", "cumulative": "points", "scoring": "points",
            "ordinal": "borda"},
}


class NotApplicable(ValueError):
    """The rule or measure does not apply to this kind of ballot."""


def positional_length(election: Election) -> int:
    """L for positional points: META ``max_length``, else the longest ballot."""
    declared = election.meta_int("max_length")
    return declared if declared else max((len(b.projects) for b in election.ballots), default=0)


def ballot_utilities(election: Election, measure: str) -> list[tuple[tuple[int, ...], tuple[int | Fraction, ...]]]:
    """For each ballot: (project indices, the utility of each), by ``measure``."""
    kind = election.vote_type
    if measure == "approval":
        if kind not in ("approval", "choose-1"):
            raise NotApplicable(f"approval counts need approval ballots, not {kind}.")
        return [(b.projects, (1,) * len(b.projects)) for b in election.ballots]
    if measure == "cost":
        if kind not in ("approval", "choose-1"):
            raise NotApplicable(f"cost utilities need approval ballots, not {kind}.")
        costs = [p.cost for p in election.projects]
        return [(b.projects, tuple(costs[i] for i in b.projects)) for b in election.ballots]
    if measure == "points":
        if kind not in ("cumulative", "scoring"):
            raise NotApplicable(f"points need cumulative or scoring ballots, not {kind}.")
        return [(b.projects, b.points or ()) for b in election.ballots]
    if measure == "positional":
        if kind != "ordinal":
            raise NotApplicable(f"positional points need ordinal ballots, not {kind}.")
        length = positional_length(election)
        return [(b.projects, tuple(length - pos for pos in range(len(b.projects)))) for b in election.ballots]
    if measure == "borda":
        if kind != "ordinal":
            raise NotApplicable(f"Borda points need ordinal ballots, not {kind}.")
        return [(b.projects, tuple(len(b.projects) - pos - 1 for pos in range(len(b.projects))))
                for b in election.ballots]
    raise ValueError(f"“{measure}” is not a measure of support.")


def measure_for(rule: str, election: Election) -> str:
    try:
        return RULE_MEASURES[rule][election.vote_type]
    except KeyError:
        raise NotApplicable(f"The rule {rule} does not apply to {election.vote_type} ballots.") from None


def project_totals(election: Election, measure: str) -> list[int | Fraction]:
    """Total support per project under ``measure``."""
    totals: list[int | Fraction] = [0] * len(election.projects)
    for projects, utilities in ballot_utilities(election, measure):
        for i, u in zip(projects, utilities, strict=True):
            totals[i] += u
    return totals


def supporter_counts(election: Election) -> list[int]:
    """Per project, how many ballots support it: approve it, rank it, or give it more than 0 points.
    (A project on a ballot twice counts once.) Used for tie-breaks, thresholds and tallies."""
    counts = [0] * len(election.projects)
    if election.vote_type in ("cumulative", "scoring"):
        for ballot in election.ballots:
            for i in {i for i, p in zip(ballot.projects, ballot.points or (), strict=True) if p > 0}:
                counts[i] += 1
    else:
        for ballot in election.ballots:
            for i in set(ballot.projects) if len(ballot.projects) > 1 else ballot.projects:
                counts[i] += 1
    return counts
