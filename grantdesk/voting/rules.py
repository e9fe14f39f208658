"""The allocation rules by name, as the CLI, the app and the results sheet call them.

=================  =======================================================================
``greedy``         rank by total support and fund down the list, skipping what does not fit
``greedy-cost``    rank by support per unit of cost, skipping what does not fit
``mes``            the Method of Equal Shares, no completion
``mes-add1``       MES, raising every voter's budget by 1 until nothing more can be funded
``mes-completed``  ``mes-add1``, then greedy on what is left
``phragmen``       sequential Phragmén (approval ballots only)
=================  =======================================================================

``run_rule(election, rule, tie_break, **options)`` runs one; options go to the rule's function
(e.g. ``when_next_does_not_fit="stop"`` for ``greedy``). The Method of Equal Shares lives in
``grantdesk.voting.mes`` and is imported only when an MES rule runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from grantdesk.domain.errors import ValidationError
from grantdesk.voting.election import Election
from grantdesk.voting.greedy import greedy, greedy_cost
from grantdesk.voting.phragmen import phragmen
from grantdesk.voting.result import AllocationResult
from grantdesk.voting.tiebreak import PABUTOOLS, TieBreak
from grantdesk.i18n import _, N_


class UnknownRule(ValidationError):
    """No allocation rule has that name."""


def _equal_shares(name: str) -> Callable[..., AllocationResult]:
    """An MES rule, imported from ``grantdesk.voting.mes`` when first run (it is the largest module)."""

    def run(election: Election, *, tie_break: TieBreak = PABUTOOLS, **options) -> AllocationResult:
        function = getattr(importlib.import_module("grantdesk.voting.mes"), name)
        return function(election, tie_break=tie_break, **options)

    run.__name__ = run.__qualname__ = name
    run.__doc__ = f"``grantdesk.voting.mes.{name}``, imported when first used."
    return run


RULES: dict[str, Callable[..., AllocationResult]] = {
    "greedy": greedy,
    "greedy-cost": greedy_cost,
    "mes": _equal_shares("mes"),
    "mes-add1": _equal_shares("mes_add1"),
    "mes-completed": _equal_shares("mes_completed"),
    "phragmen": phragmen,
}

DESCRIPTIONS: dict[str, str] = {
    "greedy": N_("rank by total support and fund down the list, skipping what does not fit"),
    "greedy-cost": N_("rank by support per unit of cost and fund down the list, skipping what does not fit"),
    "mes": N_("the Method of Equal Shares, with no completion"),
    "mes-add1": N_("the Method of Equal Shares, raising every voter's budget by 1 until nothing more can be funded"),
    "mes-completed": N_("the Method of Equal Shares with add-1, then greedy on what is left"),
    "phragmen": N_("sequential Phragmén (approval ballots only)"),
}


def run_rule(election: Election, rule: str, tie_break: TieBreak = PABUTOOLS, **options) -> AllocationResult:
    """Run the rule called ``rule``. Raises ``UnknownRule`` for a name not in ``RULES``, and
    ``satisfaction.NotApplicable`` when the rule does not apply to the election's ballots."""
    try:
        function = RULES[rule]
    except KeyError:
        raise UnknownRule(_("There is no allocation rule called “{rule}”; use one of {rules}.").format(
                            rule=rule, rules=', '.join(RULES))) from None
    return function(election, tie_break=tie_break, **options)


def counting_from_meta(election: Election, rule: str) -> tuple[TieBreak, dict]:
    """How to count a PaBuLib file: a file GrantDesk exported from an event says how the event counted
    (META ``tie_break``, ``tie_break_seed``, ``fund_unsupported``, ``when_next_does_not_fit``), so the
    same file tallies to the event's recorded result; any other file is counted as pabutools does
    (ties by project id; a project nobody supported funded last if money is left)."""
    meta = election.meta
    criteria = tuple(c.strip() for c in meta.get("tie_break", "").split(",") if c.strip())
    tie_break = TieBreak(criteria, meta.get("tie_break_seed", "").strip()) if criteria else PABUTOOLS
    options: dict = {}
    if rule in ("greedy", "greedy-cost", "phragmen"):
        options["fund_unsupported"] = meta.get("fund_unsupported", "yes").strip().lower() not in ("no", "false", "0")
    if rule == "greedy" and meta.get("when_next_does_not_fit", "").strip() in ("skip", "stop"):
        options["when_next_does_not_fit"] = meta["when_next_does_not_fit"].strip()
    return tie_break, options
