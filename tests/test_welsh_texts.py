"""Texts officers type for applicants, in Welsh as well: a Welsh letter uses the Welsh, is refused with
the reason while it is missing, and never carries the English (issue 20, item 3)."""

from datetime import date

import pytest
from sqlalchemy import select

from grantdesk.domain.errors import ValidationError
from grantdesk.services import letters
from grantdesk.services.applications import award_application, list_application_rows, transition_application
from grantdesk.services.welsh_texts import set_welsh_texts, welsh_needed, welsh_texts
from grantdesk.store.models import Application, AuditEntry, Award, Fund, StatusChange

DAY = date(2026, 8, 3)


def _app(db, fund: str, words: str):
    return next(r for r in list_application_rows(db, fund) if words in r.title)


def _english_typed(db, fund: str) -> list[str]:
    """Every text an officer typed in English for the fund's applicants (reasons, purposes, conditions)."""
    with db.session() as s:
        ids = select(Application.id).join(Fund).where(Fund.code == fund)
        reasons = s.scalars(select(StatusChange.reason).where(StatusChange.application_id.in_(ids),
                                                               StatusChange.reason != "")).all()
        awards = s.scalars(select(Award).where(Award.application_id.in_(ids))).all()
        return [*reasons, *(a.purpose for a in awards), *(a.conditions for a in awards if a.conditions)]


def test_the_welsh_part_of_every_rhyl_letter_carries_none_of_the_english_the_officers_typed(sample_db):
    english = [t for t in _english_typed(sample_db, "RHYL") if len(t) > 12]
    assert english, "the sample has typed reasons and purposes to check"
    made = 0
    for kind in ("award", "decline", "deferral", "payment"):
        batch = letters.build_letters(sample_db, "RHYL", kind, day=DAY)
        assert not batch.skipped, batch.skipped
        for letter in batch.letters:
            welsh = letter.texts[0]
            assert welsh.language == "cy"
            words = " ".join([welsh.subject, *welsh.paragraphs, *welsh.conditions])
            assert not [t for t in english if t in words], (letter.reference, words)
            made += 1
    assert made >= 4


def test_a_decline_reason_and_an_awards_own_conditions_reach_the_letter_in_each_language(sample_db):
    boxing = _app(sample_db, "RHYL", "punch bags")
    batch = letters.build_letters(sample_db, "RHYL", "decline", day=DAY)
    letter = next(x for x in batch.letters if x.reference == boxing.reference)
    welsh, english = (" ".join(t.paragraphs) for t in letter.texts)
    assert "Chwaraeon Cymru" in welsh and "Sport Wales" not in welsh
    assert "Sport Wales" in english
    assert "Bagiau dyrnu" in letter.texts[0].subject

    lunch = _app(sample_db, "RHYL", "Lunch club")
    award = next(x for x in letters.build_letters(sample_db, "RHYL", "award", day=DAY).letters
                 if x.reference == lunch.reference)
    assert "Rhaid i'r clwb fod yn agored i bawb, beth bynnag fo'u ffydd." in award.texts[0].conditions
    assert "The club must be open to everyone, whatever their faith." in award.texts[1].conditions
    assert "Bwyd a nwy i'r clwb cinio" in " ".join(award.texts[0].paragraphs)


def test_a_welsh_letter_whose_welsh_reason_is_missing_is_refused_with_the_reason_never_filled_with_english(sample_db):
    boxing = _app(sample_db, "RHYL", "punch bags")
    set_welsh_texts(sample_db, boxing.id, reason_cy="")
    batch = letters.build_letters(sample_db, "RHYL", "decline", day=DAY)
    assert boxing.reference not in [x.reference for x in batch.letters]
    why = next(x for x in batch.skipped if x.startswith(boxing.reference))
    assert "needs the reason in Welsh" in why and "never filled with the English" in why

    # Given in Welsh again, the letter is made, in Welsh first
    set_welsh_texts(sample_db, boxing.id, reason_cy="Roedd gormod o geisiadau da.")
    batch = letters.build_letters(sample_db, "RHYL", "decline", day=DAY)
    letter = next(x for x in batch.letters if x.reference == boxing.reference)
    assert "Roedd gormod o geisiadau da." in letter.texts[0].paragraphs


def test_welsh_is_asked_for_when_the_contact_prefers_it_or_the_fund_is_bilingual(sample_db):
    with sample_db.session() as s:
        php = s.scalar(select(Fund).where(Fund.code == "PHP"))  # English letters, no Welsh Language Standards
        rhyl = s.scalar(select(Fund).where(Fund.code == "RHYL"))
        assert not welsh_needed(php, "en")
        assert welsh_needed(php, "cy")
        assert welsh_needed(rhyl, "en")


def test_awarding_keeps_the_welsh_purpose_and_conditions_and_setting_them_later_is_audited(sample_db):
    concert = _app(sample_db, "RHYL", "St David's Day")
    for status in ("shortlisted",):
        transition_application(sample_db, concert.id, status)
    award_application(sample_db, concert.id, 85_000, purpose="Hall hire and a coach",
                      purpose_cy="Llogi'r neuadd a bws", conditions="Invite the care homes.",
                      conditions_cy="")
    texts = welsh_texts(sample_db, concert.id)
    assert texts.needed and texts.missing() == ["conditions_cy"]
    batch = letters.build_letters(sample_db, "RHYL", "award", day=DAY)
    why = next(x for x in batch.skipped if x.startswith(concert.reference))
    assert "the grant's own conditions in Welsh" in why

    set_welsh_texts(sample_db, concert.id, conditions_cy="Gwahoddwch y cartrefi gofal.", actor="Siân Pritchard")
    assert welsh_texts(sample_db, concert.id).missing() == []
    letter = next(x for x in letters.build_letters(sample_db, "RHYL", "award", day=DAY).letters
                  if x.reference == concert.reference)
    assert "Llogi'r neuadd a bws" in " ".join(letter.texts[0].paragraphs)
    assert letter.texts[0].conditions[-1] == "Gwahoddwch y cartrefi gofal."
    with sample_db.session() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "application.welsh_texts")).all()[-1]
        assert entry.actor == "Siân Pritchard" and entry.after == {"conditions_cy": True}


def test_a_welsh_reason_can_only_be_given_for_a_decision_that_has_one(sample_db):
    concert = _app(sample_db, "RHYL", "St David's Day")  # eligible: no decline or deferral
    with pytest.raises(ValidationError, match="no decline or deferral reason"):
        set_welsh_texts(sample_db, concert.id, reason_cy="Rheswm")
