"""A learning report for a fund or a theme: counts and amounts, the themes with the notes' own words,
what did not go to plan (and what was learned from it) as well as what did, and what the council could
do better.

Built from the learning library (``outcomes.learning_library``), so the report says what the library
shows. Plain dataclasses: ``grantdesk.reports.learning_report`` prints them as PDF or Markdown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from grantdesk.domain.errors import ValidationError
from grantdesk.services.common import fund_by_code
from grantdesk.services.outcomes import FIGURE_FIELDS, LABELS, LibraryFilter, LibraryNote, learning_library
from grantdesk.store.database import Database
from grantdesk.i18n import _

NO_THEME = "no theme given"


@dataclass(frozen=True)
class Quote:
    """Some of a note's own words, attributed."""

    label: str  # "What changed, and for whom", "What was learned" …
    text: str
    organisation: str
    reference: str
    stage: str = ""
    recorded_on: date | None = None


@dataclass(frozen=True)
class NotToPlan:
    """What did not go to plan, with what was learned beside it (may be empty)."""

    text: str
    learned: str
    organisation: str
    reference: str
    stage: str = ""


@dataclass(frozen=True)
class FigureTotal:
    name: str  # "people_involved" …
    label: str  # "People involved"
    total: int  # summed over the notes that gave it
    notes_giving: int  # how many notes gave the figure


@dataclass(frozen=True)
class ThemeSection:
    theme: str
    count: int  # notes with this theme
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class LearningReport:
    title: str
    fund_code: str | None
    fund_name: str
    council: str
    theme: str | None
    currency: str
    notes: int
    awards: int  # distinct awards (references) with notes
    organisations: int
    awarded_pence: int  # on the awards with notes, each award counted once
    first_recorded: date
    last_recorded: date
    funds: tuple[str, ...]  # the fund names the notes come from
    figures: tuple[FigureTotal, ...]
    themes: tuple[tuple[str, int], ...]  # themes among the notes, with their counts, most first
    sections: tuple[ThemeSection, ...]
    not_to_plan: tuple[NotToPlan, ...]
    council_could_do_better: tuple[Quote, ...]


def _quotes(note: LibraryNote) -> list[Quote]:
    """What changed (or, if not said, what happened) and what was learned, in the note's words."""
    out = []
    for name in ("what_changed", "what_happened", "learned"):
        if name == "what_happened" and note.texts.get("what_changed"):
            continue
        text = note.texts.get(name, "")
        if text:
            out.append(Quote(LABELS[name], text, note.organisation, note.reference, note.stage, note.recorded_on))
    return out


def learning_report_data(db: Database, fund_code: str | None = None, theme: str | None = None) -> LearningReport:
    """The learning report for a fund, a theme (across funds), or a theme within a fund.

    Raises ``NotFound`` for an unknown fund and ``ValidationError`` when there are no notes to report."""
    theme = " ".join((theme or "").split()).lower() or None
    fund_name = council = ""
    currency = "GBP"
    if fund_code:
        with db.session() as s:
            fund = fund_by_code(s, fund_code)
            fund_code, fund_name, council, currency = fund.code, fund.name, fund.council, fund.currency or "GBP"
    library = learning_library(db, LibraryFilter(fund_code=fund_code, themes=(theme,) if theme else ()))
    notes = sorted(library.notes, key=lambda n: (n.recorded_on, n.id))  # oldest first: the order things happened
    if not notes:
        where = " ".join(x for x in (f"for {fund_name}" if fund_name else "",
                                     f"on the theme “{theme}”" if theme else "") if x) or "in this database"
        raise ValidationError(_("There are no outcome notes {where} yet, so there is nothing to report: record "
                                "notes on the awards first.").format(where=where), "theme" if theme else "fund")
    if fund_name and theme:
        title = f"{fund_name}: {theme}"
    else:
        title = fund_name or (f"Theme: {theme}" if theme else "All funds")

    awarded = {n.reference: n.awarded_pence for n in notes}
    figures = []
    for name in FIGURE_FIELDS:
        given = [n.figures.get(name) for n in notes if n.figures.get(name) is not None]
        figures.append(FigureTotal(name, LABELS[name], sum(given), len(given)))
    counts = Counter(t for n in notes for t in n.themes)
    themes = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    untagged = [n for n in notes if not n.themes]
    shown = [(theme, counts.get(theme, 0))] if theme else list(themes)
    if untagged and not theme:
        shown.append((NO_THEME, len(untagged)))
    sections = []
    for name, count in shown:
        members = untagged if name == NO_THEME else [n for n in notes if name in n.themes]
        sections.append(ThemeSection(name, count, tuple(q for n in members for q in _quotes(n))))
    return LearningReport(
        title=title, fund_code=fund_code, fund_name=fund_name, council=council, theme=theme, currency=currency,
        notes=len(notes), awards=len(awarded), organisations=len({n.organisation for n in notes}),
        awarded_pence=sum(awarded.values()), first_recorded=notes[0].recorded_on,
        last_recorded=max(n.recorded_on for n in notes), funds=tuple(sorted({n.fund_name for n in notes})),
        figures=tuple(figures), themes=tuple(themes), sections=tuple(sections),
        not_to_plan=tuple(NotToPlan(n.texts["not_to_plan"], n.texts.get("learned", ""), n.organisation,
                                    n.reference, n.stage) for n in notes if n.texts.get("not_to_plan")),
        council_could_do_better=tuple(
            Quote(LABELS["council_could_do_better"], n.texts["council_could_do_better"], n.organisation,
                  n.reference, n.stage, n.recorded_on) for n in notes if n.texts.get("council_could_do_better")),
    )
