"""Words for residents — the voters at the kiosk and the readers of the printed results — in a language
of their own (``Voice``), whatever language the officer's interface speaks: the ballot paper's
instruction (``instruction_words``), how the vote was counted (``rule_words``, ``tie_break_words``) and
counts of tokens.

At an event of a fund under the Welsh Language Standards each voter chooses Cymraeg or English, and the
printed residents' documents are Welsh then English; the Welsh comes from the same catalogue as the rest
of GrantDesk (``grantdesk.i18n.translator``). ``ui.kiosk_words`` says the rest of what the kiosk says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grantdesk.domain.money import amount_text, format_money
from grantdesk.i18n import N_, current_language, locale_name, normal_language, translator
from grantdesk.voting.election import Project
from grantdesk.voting.wording import ordinal

__all__ = ["Voice", "instruction_words", "rule_words", "rules_instruction", "tie_break_words", "tokens_text"]


class Voice:
    """One voter's language: the catalogue's words, counts, money and ordinals in it. ``Voice()`` speaks
    the process's language (a fund without the Welsh Language Standards); ``Voice("cy")`` Welsh."""

    def __init__(self, language: str | None = None):
        self.language = normal_language(language) if language else current_language()
        self._catalogue = translator(self.language)

    def _(self, text: str) -> str:
        """``text`` (English, marked for the catalogue) in the voter's language."""
        return self._catalogue.gettext(text) if text else text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogue.ngettext(singular, plural, n)

    def pgettext(self, context: str, text: str) -> str:
        return self._catalogue.pgettext(context, text)

    def money(self, pence: int) -> str:
        return format_money(pence, locale=locale_name(self.language))

    def ordinal(self, n: int) -> str:
        return ordinal(n, self.language)

    def names(self, labels: Sequence[str]) -> str:
        """“A”, “A and B”, “A, B and C” in the voter's language."""
        if len(labels) <= 1:
            return "".join(labels)
        return self._("{items} and {last}").format(items=", ".join(labels[:-1]), last=labels[-1])

    def name_of(self, project: Project) -> str:
        """A ballot paper's project (the count's ``Project``) by its name in the voter's language: the
        Welsh name for a Welsh voter when it has one, else the English one."""
        if self.language == "cy" and project.name_cy:
            return project.name_cy
        return project.name or project.name_cy

    def title_of(self, project: Any) -> str:
        """An event's project (``EventProjectView``) by its title in the voter's language."""
        title_in = getattr(project, "title_in", None)
        return title_in(self.language) if title_in else project.title

    def summary_of(self, project: Any) -> str:
        summary_in = getattr(project, "summary_in", None)
        return summary_in(self.language) if summary_in else project.summary


def _voice(voice: Voice | None) -> Voice:
    return voice if voice is not None else Voice()


def instruction_words(view: Any, voice: Voice | None = None) -> str:
    """The ballot paper's instruction in one sentence (the kiosk's words for ``describe_rules``), in the
    voter's language; a knapsack ballot's budget in pounds."""
    return rules_instruction(view.rules, voice, view.budget_pence)


def rules_instruction(rules: Any, voice: Voice | None = None, budget_pence: int | None = None) -> str:
    """``instruction_words`` for a ballot paper's rules alone (a knapsack budget with no currency is
    ``budget_pence``, in pounds)."""
    v = _voice(voice)
    kind = rules.kind
    if kind == "score":
        if rules.cant_judge:
            text = (v._("Score every project from {low} to {high}, or tick “can't judge”.") if rules.score_every_project
                    else v._("Score the projects from {low} to {high}, or tick “can't judge”."))
        else:
            text = (v._("Score every project from {low} to {high}.") if rules.score_every_project
                    else v._("Score the projects from {low} to {high}."))
        return text.format(low=rules.low, high=rules.high)
    if kind == "approval":
        if rules.max_choices:
            text = v.ngettext("Choose up to {n} project.", "Choose up to {n} projects.", rules.max_choices).format(
                n=rules.max_choices)
        else:
            text = v._("Choose as many projects as you like.")
        limits = [v._("Up to {n} in the category “{category}”.").format(n=n, category=c)
                  for c, n in rules.per_category.items()]
        return " ".join([text, *limits])
    if kind == "choose-one":
        return v._("Choose one project.")
    if kind == "ranked":
        if rules.max_ranked is not None and rules.max_ranked == rules.min_ranked:
            return v.ngettext("Rank exactly {n} project in order of preference.",
                              "Rank exactly {n} projects in order of preference.", rules.max_ranked).format(
                n=rules.max_ranked)
        if rules.max_ranked:
            return v.ngettext("Rank up to {n} project in order of preference, your favourite first.",
                              "Rank up to {n} projects in order of preference, your favourite first.",
                              rules.max_ranked).format(n=rules.max_ranked)
        return v._("Rank as many projects as you like in order of preference, your favourite first.")
    if kind == "cumulative":
        if rules.use_all:
            text = (v._("Spread all {tokens} tokens over the projects you support, at most {most} on one project.")
                    if rules.max_per_project else v._("Spread all {tokens} tokens over the projects you support."))
        else:
            text = (v._("Spread up to {tokens} tokens over the projects you support, at most {most} on one project.")
                    if rules.max_per_project else v._("Spread up to {tokens} tokens over the projects you support."))
        return text.format(tokens=rules.tokens, most=rules.max_per_project)
    if kind == "knapsack":
        budget = amount_text(rules.budget, rules.currency) if rules.currency or budget_pence is None \
            else v.money(budget_pence)
        return v._("Choose projects whose costs add up to no more than {budget}.").format(budget=budget)
    return ""


def tokens_text(n: int, voice: Voice | None = None) -> str:
    """“3 tokens”, in the voter's language."""
    return _voice(voice).ngettext("{n} token", "{n} tokens", n).format(n=n)


# How the event's money is shared out (``grantdesk.voting.rules.DESCRIPTIONS``, in residents' words).
RULE_WORDS = {
    "greedy": N_("The projects are ranked by total support and funded down the list, skipping what "
                 "does not fit."),
    "greedy-cost": N_("The projects are ranked by support per pound of cost and funded down the list, "
                      "skipping what does not fit."),
    "mes": N_("The Method of Equal Shares, with no completion."),
    "mes-add1": N_("The Method of Equal Shares, raising every voter's budget by 1 until nothing more "
                   "can be funded."),
    "mes-completed": N_("The Method of Equal Shares with add-1, then ranked by support on what is "
                        "left."),
    "phragmen": N_("Sequential Phragmén."),
}
TIE_BREAK_WORDS = {
    "supporters": N_("more supporters first"),
    "cost": N_("lower cost first"),
    "id": N_("project reference in alphabetical order"),
    "lot": N_("a drawn lot (seed {seed})"),
}


def rule_words(rule: str, when_next_does_not_fit: str, voice: Voice | None = None) -> str:
    """How the event's money is shared out, in ``voice``'s language: "The projects are ranked by …"."""
    v = _voice(voice)
    text = v._(RULE_WORDS[rule]) if rule in RULE_WORDS else rule
    if rule == "greedy":
        text += " " + (v._("When the next project does not fit in what is left, counting stops there.")
                       if when_next_does_not_fit == "stop" else
                       v._("When the next project does not fit in what is left, it is skipped and the next one "
                           "that fits is funded."))
    return text


def tie_break_words(criteria: tuple[str, ...], seed: str, voice: Voice | None = None) -> str:
    """The event's rule for ties, in ``voice``'s language."""
    v = _voice(voice)
    parts = [v._(TIE_BREAK_WORDS[c]).format(seed=seed) if c in TIE_BREAK_WORDS else c for c in criteria]
    if not parts:
        return ""
    return v._("Ties are broken by {criteria}.").format(criteria=v._(", then ").join(parts))
