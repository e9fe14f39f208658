"""What the kiosk says to a voter about their ballot: where they are (``progress_words``), their vote
to check before casting (``review_lines``), and what is wrong with it, chosen from the count's problems as data
(``grantdesk.voting.ballots.BallotProblem``): "you", and the projects by their titles as on the cards.

The count says the same problems to officers and volunteers in its own words
(``grantdesk.voting.ballots.problem_words``: "It approves 3 projects; each voter may approve at most
2."); the kiosk reads the numbers and projects from the problem, never from those sentences.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from grantdesk.domain.money import format_money
from grantdesk.voting.ballots import CANT_JUDGE, BallotProblem
from grantdesk.voting.election import Project
from grantdesk.voting.wording import amount_text, count_text, names_in_order, ordinal

_PROJECTS = ("project", "projects")
_TOKENS = ("token", "tokens")

# A ballot that marks nothing, said as what to do (approval, ranked) or as the count says it to "you".
_NOTHING = {
    "approval": "Choose at least one project.",
    "ranked": "Rank at least one project.",
    "choose-one": "Your vote marks no project; choose one.",
    "score": "Your vote scores no project.",
    "cumulative": "Your vote gives no tokens to any project.",
    "knapsack": "Your vote chooses no project.",
}


def title(project: Project) -> str:
    """A project as the kiosk's cards name it: “Park benches”."""
    return f"“{project.name}”" if project.name else f"project {project.id}"


def titles(projects: Sequence[Project]) -> str:
    return names_in_order([title(p) for p in projects])


def voter_words(problem: BallotProblem) -> str:
    """One problem with the ballot, said to the voter at the kiosk."""
    p, code, kind = problem, problem.code, problem.kind
    first = title(p.projects[0]) if p.projects else ""
    scale = f"from {p.low} to {p.high}"
    if code == "unknown_project":
        return f"Your vote marks “{p.given}”, which is not a project on this ballot paper."
    if code == "marked_twice":
        if p.places:
            return (f"Your vote ranks {first} {p.chosen} times ({names_in_order([ordinal(n) for n in p.places])}); "
                    "rank each project once.")
        return f"Your vote marks {first} {p.chosen} times; mark each project once."
    if code == "none_chosen":
        return _NOTHING.get(kind, "Your vote marks no project.")
    if kind == "ranked" and code in ("too_few", "too_many", "not_exactly"):
        how = {"too_few": "must rank at least", "too_many": "may rank at most", "not_exactly": "must rank exactly"}
        return f"You have ranked {count_text(p.chosen, _PROJECTS)}; you {how[code]} {p.limit}."
    if code == "too_few":
        return f"You have chosen {count_text(p.chosen, _PROJECTS)}; choose at least {p.limit}."
    if code == "too_many":
        if kind == "choose-one":
            return f"Your vote marks {count_text(p.chosen, _PROJECTS)} ({titles(p.projects)}); choose one only."
        return f"You have chosen {count_text(p.chosen, _PROJECTS)}; you may choose at most {p.limit}."
    if code == "category_over":
        return (f"You have chosen {p.chosen} {p.category} projects ({titles(p.projects)}); you may choose at most "
                f"{p.limit} {p.category} {'project' if p.limit == 1 else 'projects'}.")
    if code == "cant_judge_not_offered":
        return f"Your vote marks {first} “can't judge”, which this ballot does not offer; give it a score {scale}."
    if code == "score_not_whole":
        return f"The score for {first} (“{p.given}”) is not a whole number {scale}."
    if code == "score_out_of_range":
        return f"Your vote scores {first} {p.given}, but scores go {scale}."
    if code == "unscored":
        alternative = " or marked “can't judge”" if p.cant_judge else ""
        return (f"{titles(p.projects)} {'has' if len(p.projects) == 1 else 'have'} no score; every project must be "
                f"scored {scale}{alternative}.")
    if code == "tokens_not_whole":
        return (f"Your vote gives {first} “{p.given}” tokens; give a project a whole number of tokens, at least 1, "
                "or leave it out.")
    if code == "tokens_over_cap":
        return f"Your vote gives {first} {count_text(p.given, _TOKENS)}; at most {p.limit} may go to one project."
    if code == "tokens_over":
        return f"You have placed {count_text(p.chosen, _TOKENS)}, but you have {p.limit}."
    if code == "tokens_unused":
        return f"You have placed {p.chosen} of the {count_text(p.limit, _TOKENS)}; every token must be used."
    if code == "over_budget":
        return (f"The projects you have chosen cost {amount_text(p.cost, p.currency)} in all, more than the budget "
                f"of {amount_text(p.budget, p.currency)}; the chosen projects must fit within the budget.")
    raise ValueError(f"no voter's words for the ballot problem {code!r}")


def voter_sentences(problems: Sequence[BallotProblem]) -> str:
    """Every problem, said to the voter, one sentence after another."""
    return " ".join(map(voter_words, problems))


# --- where the voter is, and their vote to check ---------------------------------------------------


def _tokens_left(view: Any, points: Mapping[str, int | None]) -> int:
    return view.rules.tokens - sum(v or 0 for v in points.values())


def progress_words(view: Any, marked: Sequence[str], points: Mapping[str, int | None]) -> str:
    """Where the voter is with the ballot paper of ``view`` (an ``EventView``): ``marked`` the references
    chosen (ranked: in order of preference), ``points`` the scores or tokens given."""
    kind, rules = view.rules.kind, view.rules
    n = len(marked)
    if kind == "approval":
        if not n:
            return "Nothing chosen yet."
        if rules.max_choices:
            return f"You have chosen {n} of up to {rules.max_choices}."
        return f"You have chosen {count_text(n, _PROJECTS)}."
    if kind == "knapsack":
        spent = sum(p.amount_pence for p in view.projects if p.reference in marked)
        budget = view.budget_pence
        if not n:
            return f"Nothing chosen yet: {format_money(budget)} to spend."
        if spent > budget:
            return f"Your choices cost {format_money(spent)}: {format_money(spent - budget)} over the budget."
        return f"{format_money(budget - spent)} of {format_money(budget)} left."
    if kind == "choose-one":
        if not n:
            return "Nothing chosen yet."
        return f"You have chosen “{_title_of(view, marked[0])}”."
    if kind == "ranked":
        if not n:
            return "Nothing ranked yet."
        if rules.max_ranked:
            return f"You have ranked {n} of up to {rules.max_ranked}."
        return f"You have ranked {count_text(n, _PROJECTS)}."
    if kind == "score":
        if not points:
            return "Nothing scored yet."
        unsure = sum(1 for v in points.values() if v is CANT_JUDGE)
        also = f" ({unsure} “can't judge”)" if unsure else ""
        return f"You have marked {len(points)} of {len(view.projects)} projects{also}."
    if kind == "cumulative":
        left = _tokens_left(view, points)
        if not points:
            return f"No tokens placed yet: {count_text(left, _TOKENS)} left."
        return f"{count_text(left, _TOKENS)} left."
    return ""


def review_lines(view: Any, marked: Sequence[str], points: Mapping[str, int | None]) -> list[str]:
    """The vote in words for the voter to check before casting it: a heading, then one line a project."""
    kind, rules, projects = view.rules.kind, view.rules, view.projects
    if kind in ("approval", "knapsack", "choose-one"):
        chosen = [p for p in projects if p.reference in marked]
        if not chosen:
            return ["You have not chosen any project."]
        lines = [f"You chose {count_text(len(chosen), _PROJECTS)}:"]
        lines += [f"✓  {p.title}  ({format_money(p.amount_pence)})" for p in chosen]
        if kind == "knapsack":
            spent = sum(p.amount_pence for p in chosen)
            lines.append(f"Together {format_money(spent)} of the {format_money(view.budget_pence)}.")
        return lines
    if kind == "ranked":
        return ["Your ranking, favourite first:"] + [
            f"{ordinal(n)}  {_title_of(view, ref)}" for n, ref in enumerate(marked, start=1)]
    if kind == "score":
        lines = ["Your scores:"]
        for p in projects:
            if p.reference not in points:
                lines.append(f"{p.title}: no score")
            elif points[p.reference] is CANT_JUDGE:
                lines.append(f"{p.title}: can't judge")
            else:
                lines.append(f"{p.title}: {points[p.reference]} out of {rules.high}")
        return lines
    if kind == "cumulative":
        lines = ["Your tokens:"]
        lines += [f"{p.title}: {count_text(points[p.reference], _TOKENS)}" for p in projects if points.get(p.reference)]
        left = _tokens_left(view, points)
        if left:
            lines.append(f"{count_text(left, _TOKENS)} not used.")
        return lines
    return []


def _title_of(view: Any, reference: str) -> str:
    return next(p.title for p in view.projects if p.reference == reference)
