"""What the kiosk says to a voter about their ballot: the ballot paper's instruction (``instruction_words``),
where they are (``progress_words``), their vote to check before casting (``review_lines``), and what is
wrong with it, chosen from the count's problems as data (``grantdesk.voting.ballots.BallotProblem``):
"you", and the projects by their titles as on the cards.

Every sentence is said in the voter's language (``Voice``, from ``grantdesk.voting.voter_words``, which
also words the ballot paper's instruction for the printed residents' documents), whatever language the
officer's interface speaks: at an event of a fund under the Welsh Language Standards each voter chooses Cymraeg or English,
and the Welsh comes from the same catalogue as the rest of GrantDesk (``grantdesk.i18n.translator``).

The count says the same problems to officers and volunteers in its own words
(``grantdesk.voting.ballots.problem_words``: "It approves 3 projects; each voter may approve at most
2."); the kiosk reads the numbers and projects from the problem, never from those sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from grantdesk.domain.money import amount_text
from grantdesk.i18n import N_
from grantdesk.voting.ballots import CANT_JUDGE, BallotProblem
from grantdesk.voting.election import Project
from grantdesk.voting.voter_words import Voice, instruction_words, tokens_text

__all__ = ["Voice", "instruction_words", "progress_words", "review_lines", "title", "titles", "tokens_text",
           "voter_sentences", "voter_words"]


def _voice(voice: Voice | None) -> Voice:
    return voice if voice is not None else Voice()


# A ballot that marks nothing, said as what to do (approval, ranked) or as the count says it to "you".
_NOTHING = {
    "approval": N_("Choose at least one project."),
    "ranked": N_("Rank at least one project."),
    "choose-one": N_("Your vote marks no project; choose one."),
    "score": N_("Your vote scores no project."),
    "cumulative": N_("Your vote gives no tokens to any project."),
    "knapsack": N_("Your vote chooses no project."),
}


def title(project: Project, voice: Voice | None = None) -> str:
    """A project as the kiosk's cards name it: “Park benches”."""
    v = _voice(voice)
    name = v.name_of(project)
    return f"“{name}”" if name else v._("project {id}").format(id=project.id)


def titles(projects: Sequence[Project], voice: Voice | None = None) -> str:
    v = _voice(voice)
    return v.names([title(p, v) for p in projects])


def voter_words(problem: BallotProblem, voice: Voice | None = None) -> str:
    """One problem with the ballot, said to the voter at the kiosk, in the voter's language."""
    v = _voice(voice)
    p, code, kind = problem, problem.code, problem.kind
    first = title(p.projects[0], v) if p.projects else ""
    low, high = p.low, p.high
    if code == "unknown_project":
        return v._("Your vote marks “{given}”, which is not a project on this ballot paper.").format(given=p.given)
    if code == "marked_twice":
        if p.places:
            return v._("Your vote ranks {project} {times} times ({places}); rank each project once.").format(
                project=first, times=p.chosen, places=v.names([v.ordinal(n) for n in p.places]))
        return v._("Your vote marks {project} {times} times; mark each project once.").format(
            project=first, times=p.chosen)
    if code == "none_chosen":
        return v._(_NOTHING.get(kind, N_("Your vote marks no project.")))
    n, limit = p.chosen, p.limit
    if kind == "ranked" and code == "too_few":
        return v.ngettext("You have ranked {n} project; you must rank at least {limit}.",
                          "You have ranked {n} projects; you must rank at least {limit}.", n).format(n=n, limit=limit)
    if kind == "ranked" and code == "too_many":
        return v.ngettext("You have ranked {n} project; you may rank at most {limit}.",
                          "You have ranked {n} projects; you may rank at most {limit}.", n).format(n=n, limit=limit)
    if kind == "ranked" and code == "not_exactly":
        return v.ngettext("You have ranked {n} project; you must rank exactly {limit}.",
                          "You have ranked {n} projects; you must rank exactly {limit}.", n).format(n=n, limit=limit)
    if code == "too_few":
        return v.ngettext("You have chosen {n} project; choose at least {limit}.",
                          "You have chosen {n} projects; choose at least {limit}.", n).format(n=n, limit=limit)
    if code == "too_many":
        if kind == "choose-one":
            return v.ngettext("Your vote marks {n} project ({titles}); choose one only.",
                              "Your vote marks {n} projects ({titles}); choose one only.", n).format(
                n=n, titles=titles(p.projects, v))
        return v.ngettext("You have chosen {n} project; you may choose at most {limit}.",
                          "You have chosen {n} projects; you may choose at most {limit}.", n).format(n=n, limit=limit)
    if code == "category_over":
        return v.ngettext("You have chosen {n} {category} projects ({titles}); you may choose at most {limit} "
                          "{category} project.",
                          "You have chosen {n} {category} projects ({titles}); you may choose at most {limit} "
                          "{category} projects.", limit).format(n=n, category=p.category,
                                                                titles=titles(p.projects, v), limit=limit)
    if code == "cant_judge_not_offered":
        return v._("Your vote marks {project} “can't judge”, which this ballot does not offer; give it a score "
                   "from {low} to {high}.").format(project=first, low=low, high=high)
    if code == "score_not_whole":
        return v._("The score for {project} (“{given}”) is not a whole number from {low} to {high}.").format(
            project=first, given=p.given, low=low, high=high)
    if code == "score_out_of_range":
        return v._("Your vote scores {project} {given}, but scores go from {low} to {high}.").format(
            project=first, given=p.given, low=low, high=high)
    if code == "unscored":
        many = len(p.projects)
        if p.cant_judge:
            text = v.ngettext("{projects} has no score; every project must be scored from {low} to {high} or "
                              "marked “can't judge”.",
                              "{projects} have no score; every project must be scored from {low} to {high} or "
                              "marked “can't judge”.", many)
        else:
            text = v.ngettext("{projects} has no score; every project must be scored from {low} to {high}.",
                              "{projects} have no score; every project must be scored from {low} to {high}.", many)
        return text.format(projects=titles(p.projects, v), low=low, high=high)
    if code == "tokens_not_whole":
        return v._("Your vote gives {project} “{given}” tokens; give a project a whole number of tokens, at least "
                   "1, or leave it out.").format(project=first, given=p.given)
    if code == "tokens_over_cap":
        return v.ngettext("Your vote gives {project} {n} token; at most {limit} may go to one project.",
                          "Your vote gives {project} {n} tokens; at most {limit} may go to one project.",
                          int(p.given)).format(project=first, n=p.given, limit=limit)
    if code == "tokens_over":
        return v.ngettext("You have placed {n} token, but you have {limit}.",
                          "You have placed {n} tokens, but you have {limit}.", n).format(n=n, limit=limit)
    if code == "tokens_unused":
        return v.ngettext("You have placed {chosen} of the {n} token; every token must be used.",
                          "You have placed {chosen} of the {n} tokens; every token must be used.", limit).format(
            chosen=n, n=limit)
    if code == "over_budget":
        return v._("The projects you have chosen cost {cost} in all, more than the budget of {budget}; the chosen "
                   "projects must fit within the budget.").format(cost=amount_text(p.cost, p.currency),
                                                                   budget=amount_text(p.budget, p.currency))
    raise ValueError(f"no voter's words for the ballot problem {code!r}")


def voter_sentences(problems: Sequence[BallotProblem], voice: Voice | None = None) -> str:
    """Every problem, said to the voter, one sentence after another."""
    v = _voice(voice)
    return " ".join(voter_words(problem, v) for problem in problems)


# --- the instruction, where the voter is, and their vote to check --------------------------------------


def _tokens_left(view: Any, points: Mapping[str, int | None]) -> int:
    return view.rules.tokens - sum(v or 0 for v in points.values())


def progress_words(view: Any, marked: Sequence[str], points: Mapping[str, int | None],
                   voice: Voice | None = None) -> str:
    """Where the voter is with the ballot paper of ``view`` (an ``EventView``): ``marked`` the references
    chosen (ranked: in order of preference), ``points`` the scores or tokens given."""
    v = _voice(voice)
    kind, rules = view.rules.kind, view.rules
    n = len(marked)
    if kind == "approval":
        if not n:
            return v._("Nothing chosen yet.")
        if rules.max_choices:
            return v._("You have chosen {n} of up to {most}.").format(n=n, most=rules.max_choices)
        return v.ngettext("You have chosen {n} project.", "You have chosen {n} projects.", n).format(n=n)
    if kind == "knapsack":
        spent = sum(p.amount_pence for p in view.projects if p.reference in marked)
        budget = view.budget_pence
        if not n:
            return v._("Nothing chosen yet: {budget} to spend.").format(budget=v.money(budget))
        if spent > budget:
            return v._("Your choices cost {spent}: {over} over the budget.").format(
                spent=v.money(spent), over=v.money(spent - budget))
        return v._("{left} of {budget} left.").format(left=v.money(budget - spent), budget=v.money(budget))
    if kind == "choose-one":
        if not n:
            return v._("Nothing chosen yet.")
        return v._("You have chosen “{title}”.").format(title=_title_of(view, marked[0], v))
    if kind == "ranked":
        if not n:
            return v._("Nothing ranked yet.")
        if rules.max_ranked:
            return v._("You have ranked {n} of up to {most}.").format(n=n, most=rules.max_ranked)
        return v.ngettext("You have ranked {n} project.", "You have ranked {n} projects.", n).format(n=n)
    if kind == "score":
        if not points:
            return v._("Nothing scored yet.")
        unsure = sum(1 for value in points.values() if value is CANT_JUDGE)
        if unsure:
            return v._("You have marked {n} of {total} projects ({unsure} “can't judge”).").format(
                n=len(points), total=len(view.projects), unsure=unsure)
        return v._("You have marked {n} of {total} projects.").format(n=len(points), total=len(view.projects))
    if kind == "cumulative":
        left = _tokens_left(view, points)
        if not points:
            return v.ngettext("No tokens placed yet: {n} token left.", "No tokens placed yet: {n} tokens left.",
                              left).format(n=left)
        return v.ngettext("{n} token left.", "{n} tokens left.", left).format(n=left)
    return ""


def review_lines(view: Any, marked: Sequence[str], points: Mapping[str, int | None],
                 voice: Voice | None = None) -> list[str]:
    """The vote in words for the voter to check before casting it: a heading, then one line a project."""
    v = _voice(voice)
    kind, rules, projects = view.rules.kind, view.rules, view.projects
    if kind in ("approval", "knapsack", "choose-one"):
        chosen = [p for p in projects if p.reference in marked]
        if not chosen:
            return [v._("You have not chosen any project.")]
        lines = [v.ngettext("You chose {n} project:", "You chose {n} projects:", len(chosen)).format(n=len(chosen))]
        lines += [f"✓  {v.title_of(p)}  ({v.money(p.amount_pence)})" for p in chosen]
        if kind == "knapsack":
            spent = sum(p.amount_pence for p in chosen)
            lines.append(v._("Together {spent} of the {budget}.").format(spent=v.money(spent),
                                                                          budget=v.money(view.budget_pence)))
        return lines
    if kind == "ranked":
        return [v._("Your ranking, favourite first:")] + [
            f"{v.ordinal(n)}  {_title_of(view, ref, v)}" for n, ref in enumerate(marked, start=1)]
    if kind == "score":
        lines = [v._("Your scores:")]
        for p in projects:
            name = v.title_of(p)
            if p.reference not in points:
                lines.append(v._("{title}: no score").format(title=name))
            elif points[p.reference] is CANT_JUDGE:
                lines.append(v._("{title}: can't judge").format(title=name))
            else:
                lines.append(v._("{title}: {score} out of {high}").format(title=name, score=points[p.reference],
                                                                          high=rules.high))
        return lines
    if kind == "cumulative":
        lines = [v._("Your tokens:")]
        lines += [v.ngettext("{title}: {n} token", "{title}: {n} tokens", points[p.reference]).format(
            title=v.title_of(p), n=points[p.reference]) for p in projects if points.get(p.reference)]
        left = _tokens_left(view, points)
        if left:
            lines.append(v.ngettext("{n} token not used.", "{n} tokens not used.", left).format(n=left))
        return lines
    return []


def _title_of(view: Any, reference: str, voice: Voice) -> str:
    return next(voice.title_of(p) for p in view.projects if p.reference == reference)
