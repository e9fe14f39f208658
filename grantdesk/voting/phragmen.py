"""Sequential Phragmén for approval (and choose-one) ballots.

Each funded project's cost is shared among its supporters as a *load*. At each step the rule funds
the project whose supporters would then carry the lowest load, where a supporter's load evens out
with what they already carry from earlier projects: funding project P would leave each of its
supporters with ``(P's cost + the loads its supporters already carry) / number of supporters``.
The rule stops at the first such project that does not fit in what is left of the budget (it does
not skip it), so some money may be left unspent. A project that costs more than the whole budget is
never considered; a project nobody approved is never funded (``fund_unsupported`` reproduces
pabutools, which funds such projects last when nothing else is left).

Exact arithmetic throughout. Voters with identical ballots are counted as one group, and a voter's
load is always the load set when the last project they approved was funded, so each step touches
only the supporters of the project just funded. Loads are kept as integers over one common
denominator, so those updates are integer additions, not fraction arithmetic. Identical to pabutools 1.2.3 ``sequential_phragmen`` on every
approval election in ``../shared/pabulib``.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from math import lcm

from grantdesk.voting.election import Election
from grantdesk.voting.greedy import tie_step
from grantdesk.voting.result import AllocationResult, Step
from grantdesk.voting.satisfaction import NotApplicable
from grantdesk.voting.tiebreak import PABUTOOLS, TieBreak
from grantdesk.voting.wording import (
    amount_text,
    count_text,
    currency_of,
    left_text,
    names_in_order,
    number_text,
    project_label,
)

_SUPPORTERS = ("supporter", "supporters")


def phragmen(election: Election, *, tie_break: TieBreak = PABUTOOLS, fund_unsupported: bool = False) -> AllocationResult:
    """Sequential Phragmén; ``NotApplicable`` unless the ballots are approval or choose-one ballots.
    ``details["loads"]`` has the exact load each funded project left its supporters with."""
    if election.vote_type not in ("approval", "choose-1"):
        raise NotApplicable(
            f"Sequential Phragmén shares each project's cost among the voters who approved it, so it needs "
            f"approval ballots; this vote used {election.vote_type} ballots. Use greedy, greedy-cost or the "
            "Method of Equal Shares instead.")
    projects = election.projects
    n = len(projects)
    budget = election.budget
    currency = currency_of(election)

    groups = Counter(tuple(sorted(set(b.projects))) for b in election.ballots if b.projects)
    ballots = list(groups)
    weight = list(groups.values())
    members: list[list[int]] = [[] for _ in range(n)]
    approvals = [0] * n
    for g, (chosen, m) in enumerate(zip(ballots, weight, strict=True)):
        for p in chosen:
            members[p].append(g)
            approvals[p] += m

    steps: list[Step] = [Step("info", "Sequential Phragmén: each funded project's cost is shared among the voters "
                                      "who approved it, as a load. The next project funded is the one whose "
                                      "supporters would then carry the lowest load (counting what they already "
                                      "carry from earlier projects). The count stops at the first project that "
                                      "does not fit in what is left.")]
    remaining: list[int] = []
    for i, project in enumerate(projects):
        if project.cost > budget:
            steps.append(Step("skipped", f"Not considered: {project_label(project)} costs "
                                         f"{amount_text(project.cost, currency)}, more than the whole budget of "
                                         f"{amount_text(budget, currency)}.", project.id))
        elif approvals[i] == 0 and not fund_unsupported:
            steps.append(Step("skipped", f"Passed over {project_label(project)}: nobody voted for it.", project.id))
        else:
            remaining.append(i)

    key = tie_break.key(election, approvals)
    # Loads are exact fractions, kept as integers over one common denominator ``scale`` so that the
    # per-step updates are integer additions: a load L is stored as L * scale. ``scale`` grows (and
    # every stored number with it) only when a new load needs a finer denominator.
    scale = lcm(1, *(p.cost.denominator for p in projects))
    scaled_cost = [p.cost.numerator * (scale // p.cost.denominator) for p in projects]  # cost * scale
    levels: list[int] = [0]  # the load each funded project left its supporters with, * scale
    level_of = [0] * len(ballots)  # per ballot group: index into levels
    carried = [0] * n  # per project: the loads its supporters carry now, * scale
    spent = Fraction(0)
    selected: list[int] = []
    loads: list[Fraction | None] = []

    def new_load(p: int):
        """Sort key: the load P's supporters would carry (* scale); a project without supporters sorts last."""
        if approvals[p] == 0:
            return (1, 0)
        return (0, Fraction(carried[p] + scaled_cost[p], approvals[p]))

    while remaining:
        values = {p: new_load(p) for p in remaining}
        lowest = min(values.values())
        tied = [p for p in remaining if values[p] == lowest]
        load = lowest[1] / scale if lowest[0] == 0 else None
        load_text = (f"a load of {amount_text(load, currency)} per supporter" if load is not None
                     else "no supporters to carry a load")
        left = budget - spent
        too_big = [p for p in tied if spent + projects[p].cost > budget]
        if too_big:
            who = names_in_order([project_label(projects[p]) for p in too_big])
            costs = names_in_order([amount_text(projects[p].cost, currency) for p in too_big])
            steps.append(Step("stopped", f"Stopped: {who} would come next, with {load_text}, but "
                                         f"{'it costs' if len(too_big) == 1 else 'they cost'} {costs} and "
                                         f"{left_text(left, currency)}. Sequential Phragmén ends at the "
                                         "first project that does not fit.", projects[too_big[0]].id,
                                         {"load": str(load) if load is not None else "", "left": str(left)}))
            break
        tied.sort(key=key)
        q = tied[0]
        if len(tied) > 1:
            steps.append(tie_step(election, tied, tie_break, approvals, f"the load they would leave ({load_text})"))

        # the supporters of q all end at the new load; update what every project's supporters carry
        already = 0
        if load is not None:
            finer = lowest[1].denominator  # the new load * scale is an integer once scale is this much finer
            if finer > 1:
                scale *= finer
                scaled_cost = [c * finer for c in scaled_cost]
                levels = [x * finer for x in levels]
                carried = [x * finer for x in carried]
            new_level = (lowest[1] * finer).numerator
            level = len(levels)
            levels.append(new_level)
            moved: dict[int, list[int]] = {}  # earlier level -> per project, how many of its supporters move up
            for g in members[q]:
                old = level_of[g]
                row = moved.get(old)
                if row is None:
                    row = moved[old] = [0] * n
                m = weight[g]
                for p in ballots[g]:
                    row[p] += m
                level_of[g] = level
            for old, row in moved.items():
                if old:
                    already += row[q]
                rise = new_level - levels[old]
                for p in remaining:
                    if row[p]:
                        carried[p] += row[p] * rise
        remaining.remove(q)
        spent += projects[q].cost
        selected.append(q)
        loads.append(load)
        label, cost = project_label(projects[q]), amount_text(projects[q].cost, currency)
        if load is None:
            text = (f"Funded {label} for {cost} although nobody voted for it: no supported project was left and it fits; "
                    f"{amount_text(budget - spent, currency)} left.")
        else:
            carrying = f" ({number_text(already)} of them already carried a share of earlier projects)" if already else ""
            text = (f"Funded {label} for {cost}: its {count_text(approvals[q], _SUPPORTERS)} now each carry a load "
                    f"of {amount_text(load, currency)}{carrying}, the lowest of any project; "
                    f"{amount_text(budget - spent, currency)} left.")
        steps.append(Step("funded", text, projects[q].id,
                          {"cost": str(projects[q].cost), "supporters": str(approvals[q]),
                           "load": str(load) if load is not None else "", "left": str(budget - spent)}))

    left = budget - spent
    chosen = set(selected)
    return AllocationResult(
        rule="phragmen",
        selected=tuple(projects[i].id for i in selected),
        total_cost=spent,
        explanation=tuple(steps),
        tie_break=tie_break.describe(),
        details={"loads": tuple(loads), "left": left,
                 "exhaustive": all(projects[i].cost > left for i in range(n) if i not in chosen)},
    )
