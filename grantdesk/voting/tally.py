"""The count: per project its total, mean and number of supporters; turnout and spoilt ballots.

- ``total``: votes (approval, choose-one, knapsack), points or tokens (score, cumulative), or
  positional points on ranked ballots (L for a first choice, L-1 for a second, … with L the most
  projects a voter may rank) — the same totals ``greedy`` ranks by;
- ``mean``: the total divided by the ballots that judged the project. On a score ballot only those
  that gave it a score count ("can't judge" and blanks are left out); on the other kinds every
  accepted ballot counts, so the mean is the average support per voter. Means are exact fractions.
- ``supporters``: ballots that approve it, rank it, or give it more than 0 points;
- ``cast`` (turnout), ``accepted``, and ``spoilt``: ballots rejected, each with its reasons.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from grantdesk.voting.ballots import CANT_JUDGE, BallotRules, CastBallot, to_election
from grantdesk.voting.election import Election
from grantdesk.voting.satisfaction import measure_for, project_totals, supporter_counts


@dataclass(frozen=True, slots=True)
class ProjectTally:
    project_id: str
    name: str
    total: int | Fraction
    supporters: int
    judged: int  # the ballots the mean is taken over
    cant_judge: int = 0

    @property
    def mean(self) -> Fraction | None:
        """Exact mean; ``None`` when no ballot judged the project."""
        return Fraction(self.total) / self.judged if self.judged else None


@dataclass(frozen=True)
class Tally:
    vote_type: str
    cast: int  # turnout: every ballot returned, good or spoilt
    accepted: int
    spoilt: tuple[tuple[str, tuple[str, ...]], ...]  # (voter id, reasons), in the order received
    projects: tuple[ProjectTally, ...]
    electorate: int | None = None  # people who could vote, when known

    @property
    def spoilt_count(self) -> int:
        return len(self.spoilt)

    @property
    def turnout_rate(self) -> Fraction | None:
        """Ballots cast as a share of the electorate, when the electorate is known."""
        return Fraction(self.cast, self.electorate) if self.electorate else None

    def project(self, project_id: str) -> ProjectTally:
        for p in self.projects:
            if p.project_id == project_id:
                return p
        raise KeyError(project_id)


def tally_election(election: Election, *, electorate: int | None = None,
                   spoilt: Sequence[tuple[str, Sequence[str]]] = (),
                   cant_judge: Sequence[int] | None = None) -> Tally:
    """Count an election's (accepted) ballots. ``spoilt`` adds ballots already rejected (voter id,
    reasons) to the turnout; ``cant_judge`` gives per project the "can't judge" marks left out."""
    totals = project_totals(election, measure_for("greedy", election))
    supporters = supporter_counts(election)
    accepted = len(election.ballots)
    if election.vote_type == "scoring":
        judged = Counter(i for b in election.ballots for i in set(b.projects))
        judged_by = [judged[i] for i in range(len(election.projects))]
    else:
        judged_by = [accepted] * len(election.projects)
    unsure = list(cant_judge) if cant_judge is not None else [0] * len(election.projects)
    projects = tuple(ProjectTally(p.id, p.name, totals[i], supporters[i], judged_by[i], unsure[i])
                     for i, p in enumerate(election.projects))
    rejected = tuple((voter, tuple(reasons)) for voter, reasons in spoilt)
    return Tally(election.vote_type, accepted + len(rejected), accepted, rejected, projects, electorate)


def tally_ballots(rules: BallotRules, ballots: Sequence[CastBallot], *, electorate: int | None = None,
                  spoilt: Sequence[tuple[str, Sequence[str]]] = ()) -> Tally:
    """Check every ballot against the event's rules and count the good ones; a ballot that breaks the
    rules is spoilt and listed with its reasons. ``spoilt`` adds ballots spoilt before the count (a
    paper ballot marked unreadable, say), each with its reasons."""
    election, rejected = to_election(rules, ballots, budget=0)  # a count needs no budget
    index = {p.id: i for i, p in enumerate(rules.projects)}
    unsure = [0] * len(rules.projects)
    if rules.has_points:
        bad = {id(b) for b, _ in rejected}
        for ballot in ballots:
            if id(ballot) not in bad:
                for c, points in zip(ballot.choices, ballot.points or (), strict=True):
                    if points is CANT_JUDGE:
                        unsure[index[c]] += 1
    return tally_election(election, electorate=electorate, cant_judge=unsure,
                          spoilt=[*spoilt, *((b.voter_id, reasons) for b, reasons in rejected)])
