"""Greedy allocation: rank the projects, then fund down the list.

- ``greedy``: rank by total support (votes, points, or positional points: see
  ``satisfaction.RULE_MEASURES["greedy"]``) and fund each project that still fits. The fund chooses
  what happens when the next project does not fit: skip it and carry on (``"skip"``, the usual
  rule), or stop there (``"stop"``).
- ``greedy_cost``: rank by support per unit of cost ("value for money"), skipping what does not fit.
- ``greedy_threshold``: ``greedy`` where a project needs at least META ``min_project_score_threshold``
  supporters to be funded (PaBuLib's ``greedy-threshold``, as in Warsaw).

Ties are broken by the fund's ``TieBreak`` policy, and every tie that decided an order is stated in
the explanation. Arithmetic is exact (``int``/``Fraction``): support per unit of cost is a fraction,
never a rounded number. A project nobody supported is never funded (unless ``fund_unsupported`` is
set, which reproduces pabutools: it funds such projects when money is left over).

With the default tie-break (project reference, alphabetical) the results are identical to pabutools
1.2.3's ``greedy_utilitarian_welfare`` on every real election in ``../shared/pabulib``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from fractions import Fraction

from grantdesk.voting.election import Election
from grantdesk.voting.result import AllocationResult, Step
from grantdesk.voting.satisfaction import measure_for, project_totals, supporter_counts
from grantdesk.voting.tiebreak import PABUTOOLS, TieBreak
from grantdesk.voting.wording import (
    amount_text,
    count_text,
    currency_of,
    left_text,
    names_in_order,
    number_text,
    ordinal,
    project_label,
)

WHEN_NEXT_DOES_NOT_FIT = ("skip", "stop")

# How a total under each measure is said: (one, many).
SUPPORT_NOUNS = {
    "approval": ("vote", "votes"),
    "points": ("point", "points"),
    "positional": ("point", "points"),
    "borda": ("Borda point", "Borda points"),
    "cost": ("unit of cost-weighted support", "units of cost-weighted support"),
}


def tie_step(election: Election, group: Sequence[int], tie_break: TieBreak, supporters: Sequence[int],
              tied_on: str) -> Step:
    """One ``tie`` step: which projects were tied (``tied_on`` says on what, e.g. "975 votes each"),
    the policy, and which criterion put each project before the next."""
    projects = election.projects
    currency = currency_of(election)
    criteria = tie_break.criteria if tie_break.criteria[-1] == "id" else (*tie_break.criteria, "id")
    key = tie_break.key(election, supporters)

    def ahead(a: int, b: int) -> str:
        """Why ``a`` goes ahead of ``b``: the first criterion that tells them apart."""
        other = project_label(projects[b])
        for criterion, va, vb in zip(criteria, key(a), key(b), strict=True):
            if va == vb:
                continue
            if criterion == "supporters":
                return (f"ahead of {other} on more supporters: {number_text(supporters[a])} against "
                        f"{number_text(supporters[b])}")
            if criterion == "cost":
                return (f"ahead of {other} on lower cost: {amount_text(projects[a].cost, currency)} against "
                        f"{amount_text(projects[b].cost, currency)}")
            if criterion == "lot":
                return f"ahead of {other} by the lot drawn with seed {tie_break.seed}"
            return f"ahead of {other} by reference: “{projects[a].id}” comes before “{projects[b].id}” alphabetically"
        return f"level with {other} on every criterion"  # cannot happen: project ids are unique

    labels = [project_label(projects[i]) for i in group]
    order = [f"{labels[0]} goes first ({ahead(group[0], group[1])})"]
    order += [f"then {labels[n]} ({ahead(group[n], group[n + 1])})" for n in range(1, len(group) - 1)]
    if len(group) > 2:
        order.append(f"then {labels[-1]}")
    text = f"Tie: {names_in_order(labels)} are tied on {tied_on}. {tie_break.describe()} So {', '.join(order)}."
    return Step("tie", text, None, {"projects": ",".join(projects[i].id for i in group)})


# --- the rules ---------------------------------------------------------------------------------------


def greedy(election: Election, *, tie_break: TieBreak = PABUTOOLS, measure: str | None = None,
           when_next_does_not_fit: str = "skip", min_supporters: int | None = None,
           fund_last_if_share_left: Fraction | None = None, fund_unsupported: bool = False) -> AllocationResult:
    """Rank projects by total support and fund down the list.

    ``when_next_does_not_fit``: ``"skip"`` passes over a project that does not fit and carries on;
    ``"stop"`` ends at the first project that does not fit. With ``"stop"``,
    ``fund_last_if_share_left`` (e.g. ``Fraction(4, 5)``) still funds that project when at least that
    share of its cost is left (Poznań's rule; the total then goes over the budget).
    ``min_supporters``: a project with fewer supporters is not eligible (``greedy-threshold``).
    ``measure`` overrides the support measure (see ``satisfaction.ballot_utilities``).
    """
    measure = measure or measure_for("greedy", election)
    totals = project_totals(election, measure)

    def rank_key(i: int):
        return (-totals[i],)

    def support_phrase(i: int) -> str:
        return f"with {count_text(totals[i], SUPPORT_NOUNS[measure])}"

    def tied_on(i: int) -> str:
        return f"{count_text(totals[i], SUPPORT_NOUNS[measure])} each"

    return _run(election, "greedy", measure, totals, rank_key, "by support", support_phrase, tied_on,
                tie_break=tie_break, when_next_does_not_fit=when_next_does_not_fit,
                min_supporters=min_supporters, fund_last_if_share_left=fund_last_if_share_left,
                fund_unsupported=fund_unsupported)


def greedy_cost(election: Election, *, tie_break: TieBreak = PABUTOOLS, measure: str | None = None,
                when_next_does_not_fit: str = "skip", min_supporters: int | None = None,
                fund_unsupported: bool = False) -> AllocationResult:
    """Rank projects by support per unit of cost (a free project with support comes first) and fund
    down the list, skipping what does not fit."""
    measure = measure or measure_for("greedy-cost", election)
    totals = project_totals(election, measure)
    projects = election.projects
    currency = currency_of(election)
    nouns = SUPPORT_NOUNS[measure]

    def rank_key(i: int):
        # as pabutools: no (or negative) support counts as none; support at no cost comes first
        if totals[i] <= 0:
            return (1, 0)
        cost = projects[i].cost
        return (0, 0) if cost == 0 else (1, -Fraction(totals[i]) / cost)

    def price(i: int) -> str:
        cost = projects[i].cost
        if cost == 0:
            return "at no cost"
        if totals[i] == 0:
            return "no support for its cost"
        return f"{amount_text(Fraction(cost) / Fraction(totals[i]), currency)} per {nouns[0]}"

    def support_phrase(i: int) -> str:
        return f"{count_text(totals[i], nouns)}, {price(i)}"

    def tied_on(i: int) -> str:
        return f"support for their cost ({price(i)})"

    unit = currency or "unit of money"
    return _run(election, "greedy-cost", measure, totals, rank_key, f"by support per {unit}", support_phrase,
                tied_on, tie_break=tie_break, when_next_does_not_fit=when_next_does_not_fit,
                min_supporters=min_supporters, fund_last_if_share_left=None, fund_unsupported=fund_unsupported)


def greedy_threshold(election: Election, *, tie_break: TieBreak = PABUTOOLS, **options) -> AllocationResult:
    """``greedy`` where a project needs at least META ``min_project_score_threshold`` supporters
    (PaBuLib ``greedy-threshold``). Without that META entry every supported project is eligible."""
    threshold = election.meta_int("min_project_score_threshold")
    result = greedy(election, tie_break=tie_break, min_supporters=threshold, **options)
    return replace(result, rule="greedy-threshold")


def _run(election: Election, rule: str, measure: str, totals: Sequence[int | Fraction],
         rank_key: Callable[[int], tuple], ranked_by: str, support_phrase: Callable[[int], str],
         tied_on: Callable[[int], str], *, tie_break: TieBreak, when_next_does_not_fit: str,
         min_supporters: int | None, fund_last_if_share_left: Fraction | None,
         fund_unsupported: bool) -> AllocationResult:
    if when_next_does_not_fit not in WHEN_NEXT_DOES_NOT_FIT:
        raise ValueError(f"“{when_next_does_not_fit}” is not a choice; when the next project does not fit, "
                         "the fund can “skip” it or “stop”.")
    if fund_last_if_share_left is not None and when_next_does_not_fit != "stop":
        raise ValueError("Funding the first project that does not fit only makes sense when the list stops there.")
    projects = election.projects
    currency = currency_of(election)
    supporters = supporter_counts(election)
    tie_key = tie_break.key(election, supporters)
    order = sorted(range(len(projects)), key=lambda i: (rank_key(i), tie_key(i)))

    steps: list[Step] = []
    if min_supporters:
        steps.append(Step("info", f"A project needs at least {count_text(min_supporters, ('supporter', 'supporters'))} "
                                  "to be funded."))
    left = election.budget
    selected: list[int] = []
    stopped_at: int | None = None
    n = 0
    while n < len(order):
        # state each tie before the first of the tied projects is considered
        end = n + 1
        while end < len(order) and rank_key(order[end]) == rank_key(order[n]):
            end += 1
        group = order[n:end]
        if len(group) > 1 and (fund_unsupported or any(supporters[i] for i in group)):
            steps.append(tie_step(election, group, tie_break, supporters, tied_on(group[0])))
        for i in group:
            rank = n + 1
            n += 1
            project = projects[i]
            label = project_label(project)
            numbers = {"cost": str(project.cost), "support": str(totals[i]), "supporters": str(supporters[i]),
                       "rank": str(rank)}
            if supporters[i] == 0 and not fund_unsupported:
                steps.append(Step("skipped", f"Passed over {label}: nobody voted for it.", project.id, numbers))
                continue
            if min_supporters and supporters[i] < min_supporters:
                steps.append(Step("skipped", f"Passed over {label}: it has "
                                  f"{count_text(supporters[i], ('supporter', 'supporters'))}, fewer than the "
                                  f"{number_text(min_supporters)} a project needs.", project.id, numbers))
                continue
            why = f"{ordinal(rank)} {ranked_by}, {support_phrase(i)}"
            if project.cost <= left:
                left -= project.cost
                selected.append(i)
                steps.append(Step("funded", f"Funded {label} for {amount_text(project.cost, currency)}: {why}; "
                                  f"{amount_text(left, currency)} left.", project.id, {**numbers, "left": str(left)}))
                continue
            short = (f"it costs {amount_text(project.cost, currency)}, more than the whole budget"
                     if project.cost > election.budget else
                     f"it costs {amount_text(project.cost, currency)} and {left_text(left, currency)}")
            if when_next_does_not_fit == "skip":
                steps.append(Step("skipped", f"Passed over {label} ({why}): {short}.", project.id, numbers))
                continue
            stopped_at = i
            if fund_last_if_share_left is not None and left >= fund_last_if_share_left * project.cost:
                left -= project.cost
                selected.append(i)
                steps.append(Step("funded", f"Funded {label} for {amount_text(project.cost, currency)} ({why}) "
                                  f"although {short}: this fund's rules fund the first project that does not fit "
                                  f"when at least {number_text(fund_last_if_share_left * 100)}% of its cost is left. "
                                  f"The list stops here, {amount_text(-left, currency)} over the budget.",
                                  project.id, {**numbers, "left": str(left)}))
            else:
                steps.append(Step("stopped", f"Stopped at {label} ({why}): {short}, and this fund stops at the "
                                  "first project that does not fit.", project.id, numbers))
            break
        if stopped_at is not None:
            break
    if stopped_at is not None and n < len(order):
        rest = len(order) - n
        steps.append(Step("info", f"{count_text(rest, ('project was', 'projects were'))} not reached."))

    spent = election.budget - left
    chosen = set(selected)
    # as pabutools counts it: no project left out, supported or not, would still fit
    exhaustive = all(projects[i].cost > left for i in range(len(projects)) if i not in chosen)
    return AllocationResult(
        rule=rule,
        selected=tuple(projects[i].id for i in selected),
        total_cost=spent,
        explanation=tuple(steps),
        tie_break=tie_break.describe(),
        details={"measure": measure, "order": tuple(projects[i].id for i in order),
                 "left": left, "exhaustive": exhaustive},
    )
