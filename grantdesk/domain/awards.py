"""The limits an award is checked against before it is made: what the application asked for, the fund's
maximum, and what is left of the round's budget. Going beyond any of them is allowed only with the
officer's written reason; the service refuses without one (``award.reason_needed``) and the award
dialog says so as it is typed — both from this one rule, in the same words (shaped here, beside the
values they are about)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from grantdesk.domain.money import format_money
from grantdesk.domain.problems import shape_with
from grantdesk.i18n import _


class Limit(StrEnum):
    REQUEST = "request"  # the amount the application asked for
    MAXIMUM = "maximum"  # the fund's maximum award
    BUDGET = "budget"  # what is left of the round's budget


@dataclass(frozen=True, slots=True)
class Crossed:
    """One limit an award goes beyond: which, and the limit in pence (for the budget, what is left)."""

    limit: Limit
    limit_pence: int


@dataclass(frozen=True, slots=True)
class AwardLimits:
    requested_pence: int
    maximum_pence: int | None = None  # None: the fund sets no maximum
    budget_pence: int | None = None  # None: the round has no budget (or there is no round)
    awarded_in_round_pence: int = 0  # already awarded in the round, before this award

    @property
    def budget_left_pence(self) -> int | None:
        return None if self.budget_pence is None else self.budget_pence - self.awarded_in_round_pence

    def crossed(self, amount_pence: int) -> tuple[Crossed, ...]:
        """The limits ``amount_pence`` goes beyond, in the order an officer would read them."""
        found = []
        if amount_pence > self.requested_pence:
            found.append(Crossed(Limit.REQUEST, self.requested_pence))
        if self.maximum_pence is not None and amount_pence > self.maximum_pence:
            found.append(Crossed(Limit.MAXIMUM, self.maximum_pence))
        left = self.budget_left_pence
        if left is not None and amount_pence > left:
            found.append(Crossed(Limit.BUDGET, left))
        return tuple(found)


def crossed_words(crossed: Iterable[Crossed]) -> str:
    """The limits an award goes beyond, as one phrase for an officer: "more than it asked for (£1,500.00)
    and more than the fund's maximum award (£1,000.00)"."""
    phrases = []
    for c in crossed:
        if c.limit is Limit.REQUEST:
            phrases.append(_("more than it asked for ({amount})").format(amount=format_money(c.limit_pence)))
        elif c.limit is Limit.MAXIMUM:
            phrases.append(_("more than the fund's maximum award ({amount})").format(
                amount=format_money(c.limit_pence)))
        elif c.limit_pence > 0:
            phrases.append(_("more than is left of the round's budget ({amount})").format(
                amount=format_money(c.limit_pence)))
        else:
            phrases.append(_("beyond the round's budget, which is already spent"))
    if len(phrases) > 1:
        return _("{items} and {last}").format(items=", ".join(phrases[:-1]), last=phrases[-1])
    return "".join(phrases)


shape_with("crossed", crossed_words)
shape_with("amount_pence", lambda pence: format_money(int(pence)))

__all__ = ["AwardLimits", "Crossed", "Limit", "crossed_words"]
