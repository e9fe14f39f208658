"""Outcome notes built for learning: what happened, what changed and for whom, a story of change, what
did not go to plan and what was learned — in the grantee's or officer's words — tagged with themes,
and a learning library across all funds.

"Measurement for learning": the figures (people, volunteers, hours) are optional; the words are the
point. A note belongs to an award and can be recorded at several points (3 months, 12 months).
"""

from __future__ import annotations

import mimetypes
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.changes import Kind
from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.fund_settings import settings_of
from grantdesk.services.common import actor_or_default, audit, fund_by_code
from grantdesk.store.database import Database
from grantdesk.store.models import (
    Application,
    Area,
    Award,
    Fund,
    Organisation,
    OutcomeNote,
    OutcomePhoto,
    OutcomeTheme,
)
from grantdesk.store.unit_of_work import UnitOfWork, note_change, transactional
from grantdesk.i18n import _

TEXT_FIELDS = ("what_happened", "what_changed", "story", "not_to_plan", "learned", "council_could_do_better")
FIGURE_FIELDS = ("people_involved", "volunteers", "volunteer_hours")
LABELS = {
    "what_happened": "What happened",
    "what_changed": "What changed, and for whom",
    "story": "A story of change",
    "not_to_plan": "What did not go to plan",
    "learned": "What was learned",
    "council_could_do_better": "What the council could do better",
    "people_involved": "People involved",
    "volunteers": "Volunteers",
    "volunteer_hours": "Volunteer hours",
}


@dataclass(frozen=True)
class NoteDraft:
    """What is typed into an outcome note. Themes are free words; the fund's list is offered first."""

    recorded_on: date
    stage: str = ""  # "3 months", "end of grant"
    author: str = ""
    what_happened: str = ""
    what_changed: str = ""
    story: str = ""
    not_to_plan: str = ""
    learned: str = ""
    council_could_do_better: str = ""
    people_involved: int | None = None
    volunteers: int | None = None
    volunteer_hours: int | None = None
    themes: tuple[str, ...] = ()
    photos: tuple[tuple[str, bytes, str], ...] = ()  # (file name, bytes, caption)


def _clean_themes(themes: tuple[str, ...]) -> list[str]:
    seen: dict[str, str] = {}
    for theme in themes:
        text = " ".join(theme.split()).strip(" ,;")
        if text:
            seen.setdefault(text.casefold(), text.lower())
    return list(seen.values())


def _check(draft: NoteDraft) -> None:
    if not draft.what_happened.strip() and not draft.what_changed.strip():
        raise ValidationError(_("Say what happened or what changed: a note is the grantee's words, not only figures."),
                              "what_happened")
    for name in FIGURE_FIELDS:
        value = getattr(draft, name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValidationError(_("{labels} is a whole number of 0 or more.").format(labels=LABELS[name]), name)
    for filename, data, _caption in draft.photos:
        kind = mimetypes.guess_type(filename)[0] or ""
        if not kind.startswith("image/") or not data:
            raise ValidationError(_("“{filename}” is not a photo (JPEG or PNG).").format(filename=filename), "photos")


def fund_themes(fund: Fund) -> list[str]:
    return [t.lower() for t in settings_of(fund.settings).themes]


def add_note(session: Session, award: Award, draft: NoteDraft, *, actor: str, at=None) -> OutcomeNote:
    """Keep an outcome note within the caller's transaction (see ``record_note``)."""
    _check(draft)
    if draft.recorded_on < award.awarded_on:
        raise ValidationError(_("A note about what happened cannot be dated before the award."), "recorded_on")
    note = OutcomeNote(award_id=award.id, recorded_on=draft.recorded_on, stage=draft.stage.strip(),
                       author=draft.author.strip() or actor,
                       **{f: getattr(draft, f).strip() for f in TEXT_FIELDS},
                       **{f: getattr(draft, f) for f in FIGURE_FIELDS})
    session.add(note)
    session.flush()
    themes = _clean_themes(draft.themes)
    for theme in themes:
        session.add(OutcomeTheme(note_id=note.id, theme=theme))
    for filename, data, caption in draft.photos:
        session.add(OutcomePhoto(note_id=note.id, filename=filename, caption=caption.strip(), data=data,
                                 media_type=mimetypes.guess_type(filename)[0] or "image/jpeg"))
    session.flush()
    app = session.get(Application, award.application_id)
    note_change(session, Kind.OUTCOMES, [app.id])
    audit(session, actor=actor, action="outcome.record", entity="application", entity_id=app.id,
          summary=f"Outcome note for {app.reference}" + (f" ({note.stage})" if note.stage else ""),
          after={"themes": themes}, at=at)
    return note


@transactional
def record_note(uow: UnitOfWork, award_id: int, draft: NoteDraft, *, actor: str | None = None) -> int:
    """Keep an outcome note with its themes and photos; returns the note's id."""
    award = uow.session.get(Award, award_id)
    if award is None:
        raise NotFound(_("There is no award with id {award_id}.").format(award_id=award_id))
    return add_note(uow.session, award, draft, actor=actor_or_default(actor)).id


@dataclass(frozen=True)
class LibraryNote:
    id: int
    reference: str
    title: str
    organisation: str
    fund_code: str
    fund_name: str
    area: str
    year: int  # the financial year of the award
    awarded_pence: int
    recorded_on: date
    stage: str
    author: str
    texts: dict[str, str]
    figures: dict[str, int | None]
    themes: tuple[str, ...]
    photos: int = 0

    def words(self) -> str:
        return " ".join(self.texts.values())


@dataclass(frozen=True)
class LibraryFilter:
    themes: tuple[str, ...] = ()  # any of these
    fund_code: str | None = None
    area: str | None = None
    year: int | None = None
    text: str = ""
    not_to_plan_only: bool = False


@dataclass(frozen=True)
class Library:
    notes: tuple[LibraryNote, ...]
    themes: tuple[tuple[str, int], ...]  # every theme in the library, with its count (for the chooser)
    funds: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    areas: tuple[str, ...] = ()
    years: tuple[int, ...] = ()


def _notes(session: Session, wanted: LibraryFilter) -> list[LibraryNote]:
    from grantdesk.domain.dates import financial_year_of

    query = (select(OutcomeNote, Award, Application, Organisation.name, Fund.code, Fund.name, Area.name)
             .join(Award, Award.id == OutcomeNote.award_id)
             .join(Application, Application.id == Award.application_id)
             .join(Organisation, Organisation.id == Application.organisation_id)
             .join(Fund, Fund.id == Application.fund_id)
             .outerjoin(Area, Area.id == Application.area_id)
             .order_by(OutcomeNote.recorded_on.desc(), OutcomeNote.id.desc()))
    if wanted.fund_code:
        query = query.where(Fund.id == fund_by_code(session, wanted.fund_code).id)
    rows = session.execute(query).all()
    ids = [r[0].id for r in rows]
    themes: dict[int, list[str]] = {}
    for note_id, theme in session.execute(select(OutcomeTheme.note_id, OutcomeTheme.theme)
                                          .where(OutcomeTheme.note_id.in_(ids)).order_by(OutcomeTheme.theme)):
        themes.setdefault(note_id, []).append(theme)
    photos = Counter(session.scalars(select(OutcomePhoto.note_id).where(OutcomePhoto.note_id.in_(ids))))
    wanted_themes = {t.casefold() for t in wanted.themes}
    needle = wanted.text.casefold().strip()
    out = []
    for note, award, app, org, code, fund_name, area in rows:
        tags = tuple(themes.get(note.id, ()))
        item = LibraryNote(note.id, app.reference, app.title, org, code, fund_name, area or "",
                           financial_year_of(award.awarded_on), award.amount_pence, note.recorded_on, note.stage,
                           note.author, {f: getattr(note, f) for f in TEXT_FIELDS if getattr(note, f)},
                           {f: getattr(note, f) for f in FIGURE_FIELDS}, tags, photos.get(note.id, 0))
        if wanted_themes and not wanted_themes & {t.casefold() for t in tags}:
            continue
        if wanted.area and item.area != wanted.area:
            continue
        if wanted.year is not None and item.year != wanted.year:
            continue
        if wanted.not_to_plan_only and not item.texts.get("not_to_plan"):
            continue
        if needle and needle not in " ".join([item.words(), item.title, item.organisation, *tags]).casefold():
            continue
        out.append(item)
    return out


def learning_library(db: Database, wanted: LibraryFilter | None = None) -> Library:
    """Outcome notes across all funds (or one), filtered by theme, area, fund, year and text, newest
    first, with what the choosers offer."""
    wanted = wanted or LibraryFilter()
    with db.session() as s:
        everything = _notes(s, LibraryFilter(fund_code=wanted.fund_code))
        notes = _notes(s, wanted)
    counts = Counter(t for n in everything for t in n.themes)
    return Library(tuple(notes), tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
                   tuple(sorted({(n.fund_code, n.fund_name) for n in everything})),
                   tuple(sorted({n.area for n in everything if n.area})),
                   tuple(sorted({n.year for n in everything}, reverse=True)))


def note_photos(db: Database, note_id: int) -> list[tuple[str, str, bytes]]:
    """A note's photos: (file name, caption, bytes)."""
    with db.session() as s:
        return [(p.filename, p.caption, p.data) for p in
                s.scalars(select(OutcomePhoto).where(OutcomePhoto.note_id == note_id).order_by(OutcomePhoto.id))]


def awards_for_notes(db: Database, fund_code: str) -> list[tuple[int, str, str, str]]:
    """The fund's awards a note can be recorded for: (award id, reference, organisation, title)."""
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        rows = s.execute(select(Award.id, Application.reference, Organisation.name, Application.title)
                         .join(Application, Application.id == Award.application_id)
                         .join(Organisation, Organisation.id == Application.organisation_id)
                         .where(Application.fund_id == fund.id, Award.historical.is_(False))
                         .order_by(Application.reference)).all()
        return [tuple(r) for r in rows]


def award_for_application(db: Database, application_id: int) -> int | None:
    """The award id of an application, or None if it has none."""
    with db.session() as s:
        return s.scalar(select(Award.id).where(Award.application_id == application_id))


def themes_for_fund(db: Database, fund_code: str) -> list[str]:
    """The themes to offer when recording a note: the fund's own list first, then others its notes use."""
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        own = fund_themes(fund)
        used = s.scalars(select(OutcomeTheme.theme).distinct()
                         .join(OutcomeNote, OutcomeNote.id == OutcomeTheme.note_id)
                         .join(Award, Award.id == OutcomeNote.award_id)
                         .join(Application, Application.id == Award.application_id)
                         .where(Application.fund_id == fund.id).order_by(OutcomeTheme.theme)).all()
        return own + [t for t in used if t not in own]
