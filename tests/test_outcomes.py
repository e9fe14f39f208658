"""Outcome notes for learning in the services: the grantee's words, themes, photos, and the learning
library across funds filtered by theme, area, fund, year and text."""

from datetime import date

import pytest
from helpers import build_vote_fund
from sqlalchemy import select

from grantdesk.domain.errors import ValidationError
from grantdesk.services import outcomes
from grantdesk.services.applications import award_application
from grantdesk.services.outcomes import LibraryFilter, NoteDraft
from grantdesk.store.models import Award

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def award_ids(db):
    vote = build_vote_fund(db, costs_pence=(100_000, 200_000), budget_pence=500_000)
    for app_id in vote.application_ids:
        award_application(db, app_id, 100_000, awarded_on=date(2026, 7, 1))
    with db.session() as s:
        return [s.scalar(select(Award.id).where(Award.application_id == a)) for a in vote.application_ids]


def test_a_note_keeps_the_words_themes_figures_and_photos(db, award_ids):
    note_id = outcomes.record_note(db, award_ids[0], NoteDraft(
        recorded_on=date(2026, 10, 1), stage="3 months", author="Ann Other, secretary",
        what_happened="Twelve cook-and-eat sessions, forty people.",
        what_changed="Three people now cook at home twice a week.",
        not_to_plan="The oven broke in week four; we borrowed the school's.",
        learned="Start with one-pot meals.", people_involved=40, volunteers=6,
        themes=("Healthy food", "healthy food", " loneliness "), photos=(("pantry.png", PNG, "The first session"),)))
    library = outcomes.learning_library(db)
    [note] = library.notes
    assert note.id == note_id and note.themes == ("healthy food", "loneliness") and note.photos == 1
    assert note.figures["people_involved"] == 40 and "borrowed the school's" in note.texts["not_to_plan"]
    assert outcomes.note_photos(db, note_id)[0][:2] == ("pantry.png", "The first session")
    assert dict(library.themes) == {"healthy food": 1, "loneliness": 1}


def test_a_note_needs_words_not_only_figures_and_is_not_dated_before_the_award(db, award_ids):
    with pytest.raises(ValidationError, match="Say what happened"):
        outcomes.record_note(db, award_ids[0], NoteDraft(recorded_on=date(2026, 10, 1), people_involved=40))
    with pytest.raises(ValidationError, match="before the award"):
        outcomes.record_note(db, award_ids[0], NoteDraft(recorded_on=date(2026, 6, 1), what_happened="Early"))
    with pytest.raises(ValidationError, match="not a photo"):
        outcomes.record_note(db, award_ids[0], NoteDraft(recorded_on=date(2026, 10, 1), what_happened="x",
                                                         photos=(("report.pdf", b"%PDF", ""),)))


def test_the_library_filters_by_theme_text_year_and_what_did_not_go_to_plan(db, award_ids):
    first, second = award_ids
    outcomes.record_note(db, first, NoteDraft(recorded_on=date(2026, 10, 1), what_happened="Walks by the brook",
                                              themes=("getting active",)))
    outcomes.record_note(db, second, NoteDraft(recorded_on=date(2027, 3, 1), what_happened="A lunch club",
                                               not_to_plan="Fewer came in winter", themes=("loneliness",)))
    assert [n.texts["what_happened"] for n in outcomes.learning_library(
        db, LibraryFilter(themes=("Loneliness",))).notes] == ["A lunch club"]
    assert len(outcomes.learning_library(db, LibraryFilter(text="BROOK")).notes) == 1
    assert len(outcomes.learning_library(db, LibraryFilter(not_to_plan_only=True)).notes) == 1
    assert len(outcomes.learning_library(db, LibraryFilter(year=2026, fund_code="vot")).notes) == 2
    assert outcomes.learning_library(db, LibraryFilter(year=2025)).notes == ()


def test_recording_a_note_is_one_transaction_that_names_its_application(db, award_ids):
    from grantdesk.domain.changes import Kind
    from grantdesk.store.unit_of_work import recording

    with db.session() as s:
        application_id = s.get(Award, award_ids[0]).application_id
    with recording() as record:
        outcomes.record_note(db, award_ids[0], NoteDraft(recorded_on=date(2026, 9, 1), what_happened="A fun day"))
    assert record.commits == 1 and record.changes.kinds == {Kind.OUTCOMES}
    assert record.changes.applications == {application_id}
    with recording() as record, pytest.raises(ValidationError):
        outcomes.record_note(db, award_ids[0], NoteDraft(recorded_on=date(2026, 9, 1)))  # no words: nothing kept
    assert record.commits == 0 and len(outcomes.learning_library(db).notes) == 1
