"""The Method of Equal Shares (MES), its "add 1" completion, and MES followed by greedy.

Every voter gets an equal share of the budget. Projects are bought one at a time: a project can be
bought only if its supporters still hold enough money between them, and it costs each supporter the
same price per unit of their support (``rho``), or everything they have left if that is less. Each
round buys the project with the lowest such price; ties are broken by the fund's tie-break policy
(``PABUTOOLS``: the project reference in alphabetical order, as pabutools does). The rule stops when
no remaining project can be paid for by its own supporters.

Support ("utility") per vote type comes from ``satisfaction.RULE_MEASURES["mes"]``: for approval and
choose-1 ballots a voter's utility for an approved project is its cost (so all its supporters pay the
same amount, ``rho × cost``); for cumulative and scoring ballots it is the points given; for ordinal
ballots it is the Borda points (2, 1, 0 on a three-project ballot; the last choice gets nothing).

``mes_add1`` is the completion used in Assen and Wieliczka (pabutools' ``voter_budget_increment=1``):
raise every voter's share by 1 currency unit and run MES again, until the outcome would cost more than
the budget (then the last affordable outcome stands) or nothing else fits. ``mes_completed`` then fills
what is left greedily, by total support (``RULE_MEASURES["greedy"]``).

The results equal pabutools 1.2.3 (tests/test_mes.py checks every election in ../shared/pabulib).

How it is computed, exactly and fast
------------------------------------
All amounts are exact rationals kept as integers over one common denominator ``D`` (a voter's budget is
``N / D``). Buying a project at price ``R/U`` multiplies ``D`` by ``U/g``, so every amount stays an
integer; budgets that were not touched are rescaled lazily, when next read.

Voters are not handled one by one. Voters with the same utilities form one *unit* (they always hold
the same budget), and a unit's budget is the index of a *state* (a budget value). A project's price is
computed from the states of its supporters (``Counter`` over a list of state indices), sorted by
budget per unit of utility. Prices only rise as budgets fall, so the price found for a project in an
earlier round is a lower bound now: each round re-prices only the projects whose lower bound could
still beat the best price found so far, and a price stays valid while none of the project's
supporters has paid for anything.

The add-1 loop would run MES once per currency unit: hundreds of runs on a big election, over 20,000
in Budapest 2024 (HUF). It runs the same rule, and gets the same result, but skips shares it can
prove give the same outcome: see ``_add1``. (On Warsaw 2026 the order of purchases changes about
every 3 PLN, so most shares there are still run one by one.)
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd, lcm

from grantdesk.domain.money import amount_text
from grantdesk.voting.election import Ballot, Election
from grantdesk.voting.result import AllocationResult, Step
from grantdesk.voting.satisfaction import measure_for, project_totals
from grantdesk.voting.tiebreak import PABUTOOLS, TieBreak

__all__ = ["mes", "mes_add1", "mes_completed"]

# A step's ``numbers`` hold exact figures as strings: "1234" or "617/5" (an exact fraction).


def exact(value: int | Fraction) -> str:
    value = Fraction(value)
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


# ---------------------------------------------------------------------------------------------------
# Preparing an election: utilities per project, as (level, voters) lists
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """An election as MES sees it. Voters with the same utilities are one *unit* with a weight (they
    always hold the same budget)."""

    election: Election
    n: int  # voters
    units: int  # distinct utility profiles
    costs: list[Fraction]
    scale: list[Fraction]  # a voter's utility for project q is scale[q] * level
    # per project, for each level > 0: (level, its units, its units grouped by weight [(weight, units)])
    levels: list[list[tuple[int, list[int], list[tuple[int, list[int]]]]]]
    weight: list[int]  # per project: sum of level × voters (its total utility / scale)
    supporters: list[int]  # per project: voters with positive utility
    eligible: list[int]  # supported projects that cost something: MES prices these
    free: list[int]  # supported projects that cost nothing: funded before anything else
    unsupported: list[int]  # nobody's utility is positive: MES never funds these
    rank: list[int]  # position of each project in the tie-break order (lower wins)
    tie_break: TieBreak
    base_den: int  # common denominator of the costs


def _mes_units(election: Election, measure: str) -> list[tuple[tuple[int, ...], tuple[int, ...] | None, int]]:
    """Voters grouped by their utilities: (projects, their levels (None: all 1), how many voters).
    Levels are positive integers; a project repeated on a ballot counts once, as pabutools reads it
    (approval: a set; points: the last value written; ordinal: the first place)."""
    ballots = election.ballots
    if measure in ("cost", "approval"):
        return [(qs, None, k) for qs, k in Counter(tuple(sorted(set(b.projects))) for b in ballots).items()]
    if measure == "points":
        def profile(ballot: Ballot):
            given = sorted((q, int(v)) for q, v in dict(zip(ballot.projects, ballot.points or (), strict=True)).items()
                           if v > 0)
            return tuple(q for q, _v in given), tuple(v for _q, v in given)
    elif measure == "borda":
        def profile(ballot: Ballot):  # length - position - 1: distinct levels, so the order is canonical
            order = ballot.projects
            if len(set(order)) != len(order):
                order = tuple(dict.fromkeys(order))
            last = len(order) - 1
            return order[:last], tuple(range(last, 0, -1))
    else:
        raise ValueError(f"MES does not know the support measure “{measure}”.")
    return [(qs, levels, k) for (qs, levels), k in Counter(map(profile, ballots)).items()]


def _prepare(election: Election, tie_break: TieBreak) -> _Prepared:
    measure = measure_for("mes", election)
    projects = election.projects
    m = len(projects)
    units = _mes_units(election, measure)
    # Most units are one voter with every level 1 (approval ballots): those go straight to a list per
    # project; the rest are filed by (project, level, voters).
    plain: list[list[int]] = [[] for _ in range(m)]
    add_plain = [units_of_q.append for units_of_q in plain]
    filed: dict[tuple[int, int, int], list[int]] = {}
    for unit, (qs, levels, count) in enumerate(units):
        if levels is None and count == 1:
            for q in qs:
                add_plain[q](unit)
        else:
            for q, v in zip(qs, levels or (1,) * len(qs), strict=True):
                filed.setdefault((q, v, count), []).append(unit)
    buckets: list[dict[int, dict[int, list[int]]]] = [{1: {1: u}} if u else {} for u in plain]
    for (q, v, count), unit_list in filed.items():
        buckets[q].setdefault(v, {})[count] = unit_list
    levels = [[(v, [u for us in by_weight.values() for u in us], sorted(by_weight.items()))
               for v, by_weight in sorted(b.items())] for b in buckets]
    weight = [sum(v * w * len(us) for v, _all, groups in lv for w, us in groups) for lv in levels]
    supporters = [sum(w * len(us) for _v, _all, groups in lv for w, us in groups) for lv in levels]
    costs = [p.cost for p in projects]
    scale = [p.cost if measure == "cost" else Fraction(1) for p in projects]
    listed = [0] * m  # ballots naming each project, for a "more supporters first" tie-break
    if "supporters" in tie_break.criteria:
        for ballot in election.ballots:
            for q in set(ballot.projects):
                listed[q] += 1
    order = sorted(range(m), key=tie_break.key(election, listed))
    rank = [0] * m
    for position, q in enumerate(order):
        rank[q] = position
    # MES considers a project when its total utility is positive. Under cost utilities a project that
    # costs nothing gives nobody any utility, so (as in pabutools) it is not considered at all.
    supported = {q for q in range(m) if weight[q] > 0 and scale[q] > 0}
    eligible = sorted((q for q in supported if costs[q] > 0), key=rank.__getitem__)
    free = sorted((q for q in supported if costs[q] == 0), key=rank.__getitem__)
    unsupported = sorted((q for q in range(m) if q not in supported), key=rank.__getitem__)
    base_den = lcm(1, *(c.denominator for c in costs))
    return _Prepared(election, len(election.ballots), len(units), costs, scale, levels, weight, supporters,
                     eligible, free, unsupported, rank, tie_break, base_den)


# ---------------------------------------------------------------------------------------------------
# One run of MES at a given share per voter
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Purchase:
    project: int
    price: Fraction  # per unit of level: per supporter (cost utilities) or per point
    rho: Fraction  # pabutools' affordability: price per unit of utility
    payers: int  # supporters who had money left
    paid_all: int  # of whom paid all they had left (less than the full price)
    left_min: Fraction
    left_max: Fraction
    left_total: Fraction  # what the supporters who paid have left between them


@dataclass
class _Run:
    share: Fraction
    rounds: list[tuple[int, Fraction]]  # (project, rho) for each purchase, in order (free projects aside)
    purchases: list[_Purchase] = field(default_factory=list)  # with ``record``
    short: list[tuple[int, Fraction]] = field(default_factory=list)  # unfunded: its supporters' money left

    @property
    def selected(self) -> list[int]:
        return [q for q, _rho in self.rounds]


def _coarse(value: Fraction) -> int:
    return (value.numerator << 96) // value.denominator


def _run(prep: _Prepared, share: Fraction, *, record: bool = False,
         forced: list[tuple[int, Fraction]] | None = None) -> _Run | None:
    """MES with ``share`` per voter; ``record`` keeps the figures an explanation needs.

    ``forced``: the purchases (project, rho) of a run at a smaller share. This run then buys the same
    projects in the same order and checks, round by round, that every other project still loses to
    the price paid in that round at the smaller share (or cannot be paid for), and that nothing is
    left to buy at the end. If so, MES takes this same course at every share in between (see
    ``_add1``) and the run is returned; if not, None.
    """
    den = lcm(prep.base_den, share.denominator)
    # State s is a budget of st_n[s] / D, D being the common denominator of its epoch st_e[s]; the
    # denominator grows with each purchase and states are rescaled when next read. State 0 is
    # "nothing left"; every unit starts in state 1, the equal share.
    st_n = [0, share.numerator * (den // share.denominator)]
    st_e = [0, 0]
    epoch_den = [den]
    epoch = 0
    factor_cache: dict[int, int] = {}
    where = [1] * prep.units
    cost_n = [c.numerator * (den // c.denominator) for c in prep.costs]
    run = _Run(share, [])
    scale, rank, levels, weight = prep.scale, prep.rank, prep.levels, prep.weight
    remaining = list(prep.eligible)
    # A lower bound on each project's rho: its price if no supporter ran short. Budgets only fall, so
    # prices only rise: the last price computed for a project stays a lower bound.
    bound = {q: prep.costs[q] / (scale[q] * weight[q]) for q in remaining}
    # Projects are ordered by a coarse integer copy of the bound, floor(bound · 2^96), which is cheap to
    # compare. Flooring is monotone, so coarse(a) > coarse(b) proves a > b: skipping on the coarse
    # value is exact, and anything closer is compared exactly.
    approx = {q: _coarse(r) for q, r in bound.items()}
    # This round's pricings (for the project bought at its end).
    priced_at: dict[int, tuple] = {}

    def factor(e: int) -> int:
        f = factor_cache.get(e)
        if f is None:
            f = factor_cache[e] = epoch_den[epoch] // epoch_den[e]
        return f

    def groups_of(q: int) -> list[tuple[int, int, int, int, int]]:
        """(sort key, N, level, voters, state) for each state among the project's supporters who
        have something left, sorted by budget per unit of utility."""
        out = []
        multi = len(levels[q]) > 1
        top = lcm(*(v for v, _all, _groups in levels[q])) if multi else 1
        getter = where.__getitem__
        for v, _all, by_weight in levels[q]:
            w, units = by_weight[0]
            counts = Counter(map(getter, units))
            if w != 1:
                counts = Counter({s: k * w for s, k in counts.items()})
            for w, units in by_weight[1:]:
                for s, k in Counter(map(getter, units)).items():
                    counts[s] += k * w
            for s, k in counts.items():
                if not s:
                    continue
                if st_e[s] != epoch:
                    st_n[s] *= factor(st_e[s])
                    st_e[s] = epoch
                big_n = st_n[s]
                out.append((big_n * (top // v) if multi else big_n, big_n, v, k, s))
        out.sort()
        return out

    def price(q: int) -> Fraction | None:
        """The project's rho now, or None if its supporters cannot pay for it."""
        cached = priced_at.get(q)
        if cached is not None:
            return cached[0]
        groups = groups_of(q)
        c_rem = cost_n[q]
        if sum(g[1] * g[3] for g in groups) < c_rem:
            return None
        u_rem = sum(g[2] * g[3] for g in groups)
        cut = 0
        for cut, (_key, big_n, v, k, _s) in enumerate(groups):  # noqa: B007 - cut is read after the loop
            if c_rem * v <= big_n * u_rem:
                break
            c_rem -= big_n * k
            u_rem -= v * k
        rho = Fraction(c_rem, u_rem * epoch_den[epoch]) / scale[q]
        bound[q] = rho
        approx[q] = _coarse(rho)
        priced_at[q] = (rho, groups, cut, c_rem, u_rem)
        return rho

    def buy(p: int) -> None:
        """Buy p at its price: supporters in groups[:cut] pay all they have, the others pay
        c_rem/u_rem (in 1/D units) per level unit."""
        nonlocal epoch, factor_cache, cost_n
        rho, groups, cut, c_rem, u_rem = priced_at[p]
        den = epoch_den[epoch]
        g = gcd(c_rem, u_rem)
        f = u_rem // g  # rescale everything by f so that the price is a whole number of 1/D units
        price_n = c_rem // g
        moves: dict[int, dict[int, int]] = {}
        left_min = left_max = None
        left_total = payers = paid_all = 0
        for idx, (_key, big_n, v, k, s) in enumerate(groups):
            payers += k
            if idx < cut:
                paid_all += k
                left = target = 0
            else:
                left = big_n * f - price_n * v
                if left:
                    st_n.append(left)
                    st_e.append(epoch + 1)
                    target = len(st_n) - 1
                else:
                    target = 0
            moves.setdefault(v, {0: 0})[s] = target
            if record:
                left_total += left * k
                left_min = left if left_min is None or left < left_min else left_min
                left_max = left if left_max is None or left > left_max else left_max
        for v, units, _groups in levels[p]:
            mapping = moves.get(v, {0: 0})
            new_states = list(map(mapping.__getitem__, map(where.__getitem__, units)))
            deque(map(where.__setitem__, units, new_states), maxlen=0)
        priced_at.clear()
        epoch += 1
        epoch_den.append(den * f)
        factor_cache = {}
        cost_n = [c * f for c in cost_n]
        run.rounds.append((p, rho))
        if record:
            new_den = den * f
            run.purchases.append(_Purchase(
                p, Fraction(c_rem, u_rem * den), rho, payers, paid_all, Fraction(left_min or 0, new_den),
                Fraction(left_max or 0, new_den), Fraction(left_total, new_den)))

    if forced is None:
        while True:
            remaining.sort(key=lambda q: (approx[q], rank[q]))
            best = best_rho = best_approx = None
            kept = []
            for at, q in enumerate(remaining):
                if best is not None and approx[q] > best_approx:
                    kept.extend(remaining[at:])  # their prices can only be higher still
                    break
                rho = price(q)
                if rho is None:  # its supporters can no longer pay for it: out for good
                    continue
                kept.append(q)
                if best is None or rho < best_rho or (rho == best_rho and rank[q] < rank[best]):
                    best, best_rho, best_approx = q, rho, approx[q]
            remaining = kept
            if best is None:
                break
            remaining.remove(best)
            buy(best)
    else:
        for p, threshold in forced:
            if p not in remaining or price(p) is None:
                return None
            remaining.remove(p)
            remaining.sort(key=lambda q: (approx[q], rank[q]))
            kept = []
            limit = _coarse(threshold)
            for at, q in enumerate(remaining):
                if approx[q] > limit:
                    kept.extend(remaining[at:])
                    break
                if bound[q] < threshold or rank[q] < rank[p]:
                    rho = price(q)
                    if rho is None:
                        continue
                    if rho < threshold or (rho == threshold and rank[q] < rank[p]):
                        return None
                kept.append(q)
            remaining = kept
            buy(p)
        if any(price(q) is not None for q in remaining):
            return None
    if record:
        den = epoch_den[epoch]
        for q in sorted(set(prep.eligible) - set(run.selected), key=rank.__getitem__):
            run.short.append((q, Fraction(sum(g[1] * g[3] for g in groups_of(q)), den)))
    return run


# ---------------------------------------------------------------------------------------------------
# The add-1 completion: raise every share by 1 until the outcome would overspend or nothing else fits
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Add1:
    start: Fraction  # the equal share
    final: _Run  # the run whose outcome stands (recorded)
    raises: int  # how many times the share was raised by 1 to reach final.share
    reason: str  # "over": one more raise would overspend; "full": nothing else fits
    over_cost: Fraction | None  # with "over": what the outcome one raise later would cost
    changes: list[tuple[int, list[int], list[int]]]  # (raises, projects added, projects dropped)
    runs: int  # MES runs computed (for the benchmark and the record)


def _outcome_cost(prep: _Prepared, run: _Run) -> Fraction:
    return sum((prep.costs[q] for q in run.selected), Fraction(0))


def _stop(prep: _Prepared, run: _Run, budget: Fraction) -> str | None:
    """pabutools' test after each run: "over" if the outcome costs more than the budget; "full" if no
    project MES could price fits in what is left; else None (raise again)."""
    spent = _outcome_cost(prep, run)
    if spent > budget:
        return "over"
    chosen = set(run.selected)
    if all(q in chosen or spent + prep.costs[q] > budget for q in prep.eligible):
        return "full"
    return None


def _add1(prep: _Prepared, budget: Fraction) -> _Add1:
    """The outcome of MES raising every voter's share by 1 at a time, as pabutools does with
    ``voter_budget_increment=1``: stop before the first share whose outcome overspends, or at the first
    share whose outcome leaves nothing that fits.

    Raising the share one unit at a time means one MES run per unit: thousands on a big election. Many
    are skipped, exactly: when a run at share ``s + J`` made to buy the same projects in the same order
    as the run at ``s`` finds, in every round, every other project's price at ``s + J`` no lower than
    the price paid at ``s`` (ties going the same way), then MES buys exactly those projects in that
    order at every share between. (With the same purchases so far, a higher share leaves every voter
    at least as much money, and more money never raises a price: a winner's price at the share in
    between is at most its price at ``s``, and a rival's is at least its price at ``s + J``.) Such a
    jump leaves the outcome unchanged, so pabutools would have raised the share again at each of those
    steps. Jumps grow while they succeed and shrink when they fail; after repeated failures the search
    takes single steps for a while, which are never wasted.
    """
    start = budget / prep.n
    current = _run(prep, start)
    runs, raises, changes = 1, 0, []
    reason, over_cost = _stop(prep, current, budget), None
    # jump: the next jump to try; ceiling: the last jump that failed (grow past it only after a few
    # successes); pause/backoff: single steps to take before trying to jump again.
    jump, ceiling, streak, pause, backoff = 2, None, 0, 0, 1
    while reason is None:
        if pause == 0 and jump >= 2:
            ahead = _run(prep, start + raises + jump, forced=current.rounds)
            runs += 1
            if ahead is not None:
                raises, current, backoff, streak = raises + jump, ahead, 1, streak + 1
                if ceiling is None or 2 * jump < ceiling or streak >= 3:
                    jump, streak = jump * 2, 0
                continue
            ceiling, streak, jump = jump, 0, jump // 2
            if jump >= 2:
                continue
            pause, backoff = backoff, min(backoff * 2, 8)
        nxt = _run(prep, start + raises + 1)
        runs += 1
        reason = _stop(prep, nxt, budget)
        if reason == "over":
            over_cost = _outcome_cost(prep, nxt)
            break
        before, after = set(current.selected), set(nxt.selected)
        if before != after:
            changes.append((raises + 1, sorted(after - before, key=prep.rank.__getitem__),
                            sorted(before - after, key=prep.rank.__getitem__)))
        raises, current = raises + 1, nxt
        pause = max(0, pause - 1)
        jump = max(2, (ceiling or 4) // 2)
    final = _run(prep, start + raises, record=True)
    return _Add1(start, final, raises, reason, over_cost, changes, runs + 1)


# ---------------------------------------------------------------------------------------------------
# Explanations
# ---------------------------------------------------------------------------------------------------


class _Words:
    """Amounts and project names in sentences. Money is shown through ``amount_text`` (rounded to
    the penny for reading, and then said to be approximate); exact values go in ``Step.numbers``."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.currency = election.meta.get("currency", "").strip()

    def money(self, amount: Fraction) -> str:
        return amount_text(amount, self.currency)

    def project(self, q: int) -> str:
        p = self.election.projects[q]
        return f"‘{p.name}’ ({p.id})" if p.name and p.name != p.id else f"project {p.id}"

    @staticmethod
    def count(k: int, one: str, many: str | None = None) -> str:
        return f"{k:,} {one if k == 1 else (many or one + 's')}"


def _start_steps(prep: _Prepared, share: Fraction, words: _Words, title: str) -> list[Step]:
    election = prep.election
    steps = [Step("info", f"{title}: each of the {prep.n:,} voters starts with an equal share of the "
                          f"{words.money(election.budget)} budget, {words.money(share)}.",
                  numbers={"budget": exact(election.budget), "voters": str(prep.n), "share": exact(share)})]
    measure = measure_for("mes", election)
    if measure == "cost":
        how = ("A voter who approves a project values it at its cost, so all its supporters pay the same "
               "price for it.")
    elif measure == "points":
        how = "Supporters pay for a project in proportion to the points they gave it."
    else:
        how = ("Supporters pay for a project in proportion to its Borda points on their ballot "
               "(2, 1 and 0 for first, second and third of three; the last choice pays nothing).")
    steps.append(Step("info", how + " Each round funds the project with the lowest price, if its "
                                    "supporters can still pay for it between them."))
    if prep.unsupported:
        ids = ", ".join(election.projects[q].id for q in prep.unsupported[:20])
        more = f" and {len(prep.unsupported) - 20} more" if len(prep.unsupported) > 20 else ""
        steps.append(Step("info", f"{words.count(len(prep.unsupported), 'project')} had no support and "
                                  f"could not be funded by equal shares: {ids}{more}."))
    for q in prep.free:
        steps.append(Step("funded", f"Funded {words.project(q)} first: it costs nothing.",
                          project=election.projects[q].id, numbers={"cost": "0"}))
    return steps


def _purchase_steps(prep: _Prepared, run: _Run, words: _Words) -> list[Step]:
    election = prep.election
    cost_utility = measure_for("mes", election) == "cost"
    steps = []
    spent = Fraction(0)
    for buy in run.purchases:
        q = buy.project
        cost = prep.costs[q]
        spent += cost
        everyone = prep.supporters[q]
        who = (f"its {words.count(everyone, 'supporter')}" if buy.payers == everyone else
               f"{buy.payers:,} of its {words.count(everyone, 'supporter')} (the others had nothing left)")
        if cost_utility:
            text = (f"Funded {words.project(q)} for {words.money(cost)}: {who} each paid {words.money(buy.price)} "
                    f"of their equal share")
        else:
            text = (f"Funded {words.project(q)} for {words.money(cost)}: {who} paid {words.money(buy.price)} "
                    f"for each point they gave it from their equal share")
        text += (f"; {buy.paid_all:,} of them had less and paid all they had left." if buy.paid_all else ".")
        average = buy.left_total / buy.payers if buy.payers else Fraction(0)
        if buy.payers and buy.left_max == 0:
            text += " They have nothing left."
        elif buy.payers and buy.left_min == buy.left_max:
            text += f" Each has {words.money(buy.left_min)} left."
        elif buy.payers:
            text += (f" They have {words.money(buy.left_min)} to {words.money(buy.left_max)} left "
                     f"(on average {words.money(average)}).")
        steps.append(Step("funded", text, project=election.projects[q].id, numbers={
            "cost": exact(cost), "rho": exact(buy.rho), "price": exact(buy.price),
            "price_per": "supporter" if cost_utility else "point", "supporters_paying": str(buy.payers),
            "paid_all_they_had": str(buy.paid_all), "left_min": exact(buy.left_min),
            "left_max": exact(buy.left_max), "left_average": exact(average), "spent_so_far": exact(spent)}))
    return steps


def _end_steps(prep: _Prepared, run: _Run, words: _Words) -> list[Step]:
    election = prep.election
    steps = []
    for q, available in run.short:
        cost = prep.costs[q]
        steps.append(Step("skipped", f"{words.project(q)} needed {words.money(cost)} but its supporters had "
                                     f"only {words.money(available)} left.",
                          project=election.projects[q].id,
                          numbers={"cost": exact(cost), "supporters_left": exact(available)}))
    spent = _outcome_cost(prep, run)
    steps.append(Step("stopped", f"Stopped: no other project can be paid for by its supporters. "
                                 f"{words.count(len(run.rounds) + len(prep.free), 'project')} funded for "
                                 f"{words.money(spent)}; {words.money(election.budget - spent)} of the budget "
                                 f"is not spent.",
                      numbers={"spent": exact(spent), "unspent": exact(election.budget - spent)}))
    return steps


def _result(rule: str, prep: _Prepared, order: list[int], steps: list[Step], details: dict) -> AllocationResult:
    projects = prep.election.projects
    return AllocationResult(rule, tuple(projects[q].id for q in order),
                            sum((prep.costs[q] for q in order), Fraction(0)), tuple(steps),
                            prep.tie_break.describe(), details)


def _no_voters(rule: str, prep: _Prepared) -> AllocationResult:
    return _result(rule, prep, [], [Step("stopped", "Nobody voted, so equal shares funds nothing.")],
                   {"voters": "0"})


# ---------------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------------


def mes(election: Election, *, tie_break: TieBreak = PABUTOOLS) -> AllocationResult:
    """The Method of Equal Shares, with no completion (pabutools' ``method_of_equal_shares``)."""
    prep = _prepare(election, tie_break)
    if prep.n == 0:
        return _no_voters("mes", prep)
    share = election.budget / prep.n
    run = _run(prep, share, record=True)
    words = _Words(election)
    steps = (_start_steps(prep, share, words, "Method of Equal Shares") + _purchase_steps(prep, run, words)
             + _end_steps(prep, run, words))
    return _result("mes", prep, prep.free + run.selected, steps, {"share": exact(share)})


def _add1_result(rule: str, prep: _Prepared, words: _Words) -> tuple[AllocationResult, _Add1]:
    election = prep.election
    found = _add1(prep, election.budget)
    final = found.final
    steps = _start_steps(prep, found.start, words, "Method of Equal Shares, raising the shares by 1 at a time")
    unit = words.money(1)
    for raises, added, dropped in found.changes[:20]:
        parts = ([f"adds {', '.join(words.project(q) for q in added)}"] if added else []) + \
                ([f"drops {', '.join(words.project(q) for q in dropped)}"] if dropped else [])
        steps.append(Step("budget", f"With a share of {words.money(found.start + raises)} the outcome changes: "
                                    f"{'; '.join(parts)}.",
                          numbers={"share": exact(found.start + raises), "raises": str(raises)}))
    if len(found.changes) > 20:
        steps.append(Step("budget", f"The outcome changed {len(found.changes) - 20} more times as the shares "
                                    f"rose further."))
    if found.raises == 0:
        text = "The equal share was not raised: with it nothing else fits in the budget."
    else:
        text = (f"Raised each voter's share by {unit} at a time, {words.count(found.raises, 'time')}, to "
                f"{words.money(final.share)}, the highest share at which equal shares does not overspend.")
    if found.reason == "over":
        text += (f" One more raise, to {words.money(final.share + 1)}, would fund projects costing "
                 f"{words.money(found.over_cost)}, more than the {words.money(election.budget)} budget.")
    else:
        text += " With it, nothing else fits in what is left of the budget."
    numbers = {"share": exact(final.share), "raises": str(found.raises), "increment": "1"}
    if found.over_cost is not None:
        numbers["next_share_cost"] = exact(found.over_cost)
    steps.append(Step("budget", text, numbers=numbers))
    steps += _purchase_steps(prep, final, words) + _end_steps(prep, final, words)
    details = {"share": exact(final.share), "raises": found.raises, "runs": found.runs}
    return _result(rule, prep, prep.free + final.selected, steps, details), found


def mes_add1(election: Election, *, tie_break: TieBreak = PABUTOOLS) -> AllocationResult:
    """MES with the add-1 completion (pabutools' ``method_of_equal_shares(...,
    voter_budget_increment=1)``; the rule of Assen 2024 and Wieliczka 2023): raise every voter's share
    by 1 currency unit and run MES again, until the outcome would cost more than the budget (the last
    outcome that did not stands) or nothing else fits."""
    prep = _prepare(election, tie_break)
    if prep.n == 0:
        return _no_voters("mes-add1", prep)
    result, _found = _add1_result("mes-add1", prep, _Words(election))
    return result


def mes_completed(election: Election, *, tie_break: TieBreak = PABUTOOLS) -> AllocationResult:
    """``mes_add1``, then greedy on what is left: the remaining projects by total support
    (``RULE_MEASURES["greedy"]``: approvals, points or positional points), most first, each funded if
    it fits; ties by the tie-break. As pabutools' ``completion_by_rule_combination`` of
    ``method_of_equal_shares`` (add 1) and ``greedy_utilitarian_welfare`` with the cost-weighted greedy
    measure (satisfaction = cost × support, so satisfaction per unit of cost is the support): a project
    that costs nothing or has no support scores 0, comes last, and is still funded if it fits."""
    prep = _prepare(election, tie_break)
    words = _Words(election)
    if prep.n == 0:
        base = _result("mes-completed", prep, [], [Step("info", "Nobody voted, so equal shares funds nothing.")],
                       {"voters": "0"})
        order: list[int] = []
        steps: list[Step] = list(base.explanation)
        details: dict = dict(base.details)
    else:
        base, _found = _add1_result("mes-completed", prep, words)
        order = [election.index_of(pid) for pid in base.selected]
        steps = list(base.explanation)
        details = dict(base.details)
    chosen = set(order)
    spent = sum((prep.costs[q] for q in order), Fraction(0))
    left = election.budget - spent
    measure = measure_for("greedy", election)
    totals = project_totals(election, measure)
    score = [t if c > 0 and t > 0 else 0 for t, c in zip(totals, prep.costs, strict=True)]
    candidates = sorted((q for q in range(len(election.projects)) if q not in chosen),
                        key=lambda q: (-score[q], prep.rank[q]))
    added, passed = [], []
    for q in candidates:
        if prep.costs[q] <= left:
            added.append(q)
            left -= prep.costs[q]
        else:
            passed.append(q)
    support_unit = ("supporter", "supporters") if measure == "approval" else ("point", "points")
    if added:
        steps.append(Step("completion", f"Then the rest of the budget, {words.money(election.budget - spent)}, "
                                        f"goes down the other projects by total support, most first, funding "
                                        f"each that still fits.",
                          numbers={"left": exact(election.budget - spent)}))
    for q in added:
        steps.append(Step("completion", f"Funded {words.project(q)} for {words.money(prep.costs[q])} "
                                        f"({words.count(int(totals[q]), *support_unit)}).",
                          project=election.projects[q].id,
                          numbers={"cost": exact(prep.costs[q]), "support": exact(totals[q])}))
    if passed:
        steps.append(Step("skipped", f"{words.count(len(passed), 'other project')} did not fit in the "
                                     f"{words.money(left)} left.", numbers={"left": exact(left)}))
    order += added
    steps.append(Step("stopped", f"{words.count(len(order), 'project')} funded for "
                                 f"{words.money(election.budget - left)}.",
                      numbers={"spent": exact(election.budget - left), "unspent": exact(left)}))
    return _result("mes-completed", prep, order, steps, details)
