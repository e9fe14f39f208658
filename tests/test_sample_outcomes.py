"""The sample funds' life after an award: payments, monitoring due dates and outcome notes."""

from datetime import date

import pytest
from sqlalchemy import func, select

from grantdesk.domain.dates import shift_years
from grantdesk.services import outcomes, payments
from grantdesk.services.samples import SampleError, available_samples, load_sample_file
from grantdesk.store.models import Application, AuditEntry, Award, Fund, Payment

WRITTEN_AS_OF = date(2026, 7, 31)
FUNDS = ("PHP", "BBL", "RHYL")


def as_of_today() -> date:
    """``written_as_of`` moved forward as the loader moves it (the sample_db fixture loads with today)."""
    years = 0
    while shift_years(WRITTEN_AS_OF, years + 1) <= date.today():
        years += 1
    return shift_years(WRITTEN_AS_OF, years)


def sample_text(name: str) -> str:
    [sample] = [s for s in available_samples() if s.name == name]
    return sample.path.read_text()


def test_every_fund_has_outcome_notes_in_the_grantees_words(sample_db):
    library = outcomes.learning_library(sample_db)
    by_fund = {code: [n for n in library.notes if n.fund_code == code] for code in FUNDS}
    assert all(len(notes) >= 3 for notes in by_fund.values()), {k: len(v) for k, v in by_fund.items()}
    for note in library.notes:
        assert note.texts.get("what_happened") and note.author and note.stage and note.themes
    # last year's PHP awards close with end-of-grant notes
    last_year = [n for n in by_fund["PHP"] if n.stage == "end of grant"]
    assert len(last_year) >= 4 and len({n.year for n in last_year}) == 1
    assert {code for code, _ in library.funds} == set(FUNDS)
    # a bilingual note in Rhyl
    assert any("Mae'r plant" in n.words() and "The children" in n.words() for n in by_fund["RHYL"])


def test_some_notes_say_what_did_not_go_to_plan_and_what_was_learned(sample_db):
    honest = outcomes.learning_library(sample_db, outcomes.LibraryFilter(not_to_plan_only=True)).notes
    assert len(honest) >= 2 and len({n.fund_code for n in honest}) >= 2
    for note in honest:
        assert note.texts["learned"] and note.texts["council_could_do_better"]


def test_notes_carry_themes_from_their_funds_lists_and_the_library_finds_them(sample_db):
    with sample_db.session() as s:
        lists = {f.code: set(outcomes.fund_themes(f)) for f in s.scalars(select(Fund))}
    library = outcomes.learning_library(sample_db)
    for note in library.notes:
        assert set(note.themes) <= lists[note.fund_code]
    assert "healthy food" in lists["BBL"] and "welsh language" in lists["RHYL"]

    lonely = outcomes.learning_library(sample_db, outcomes.LibraryFilter(themes=("Mental health and loneliness",)))
    assert lonely.notes and all("mental health and loneliness" in n.themes for n in lonely.notes)
    assert {n.fund_code for n in lonely.notes} == {"BBL"}
    assert len(lonely.notes) == dict(library.themes)["mental health and loneliness"]
    swim = outcomes.learning_library(sample_db, outcomes.LibraryFilter(text="lifeguard", fund_code="BBL")).notes
    assert [n.organisation for n in swim] == ["Sisters Swim Oxford"]


def test_payments_never_exceed_awards_and_some_awards_are_part_paid(sample_db):
    with sample_db.session() as s:
        awards = s.execute(select(Award.id, Fund.code).join(Application, Application.id == Award.application_id)
                           .join(Fund, Fund.id == Application.fund_id)).all()
    positions = [(code, payments.award_position(sample_db, award_id)) for award_id, code in awards]
    assert all(0 <= p.paid_pence <= p.awarded_pence for _, p in positions)
    for code in FUNDS:
        assert any(p.paid_pence for c, p in positions if c == code), f"{code} has no payments"
    assert any(0 < p.paid_pence < p.awarded_pence for _, p in positions)  # part-paid
    first_year = min(p.reference.split("-")[1] for c, p in positions if c == "PHP")
    last_year = [p for c, p in positions if c == "PHP" and p.reference.split("-")[1] == first_year]
    assert len(last_year) == 6 and all(p.outstanding_pence == 0 for p in last_year)  # 2025–26: fully paid
    held = [p for _, p in positions if p.held_back_pence]
    assert held and all(p.payable_now_pence == p.outstanding_pence - p.held_back_pence for p in held)
    assert {p.plan for _, p in positions} == {"full", "instalments", "on_claim"}


def test_monitoring_is_due_on_most_awards_and_some_is_overdue(sample_db):
    today = as_of_today()
    due = payments.overdue_and_due_soon(sample_db, today=today)
    overdue = [d for d in due if d.overdue]
    assert 2 <= len(overdue) <= 5
    assert {d.reference.split("-")[0] for d in overdue} == {"PHP"}
    assert any(d.label == "End-of-grant note" for d in overdue)  # a 2025–26 grant that has not reported
    assert any(d.days >= 0 for d in due)  # and some due soon
    from grantdesk.store.models import MonitoringDue

    with sample_db.session() as s:
        awards = s.scalar(select(func.count()).select_from(Award))
        watched = s.scalar(select(func.count(func.distinct(MonitoringDue.award_id))))
        received = s.scalar(select(func.count()).select_from(MonitoringDue).where(MonitoringDue.received_on.is_not(None)))
        latest = s.scalar(select(func.max(Payment.paid_on)))
    assert watched * 2 > awards and received >= 10
    assert latest <= today  # nothing paid after the day the sample describes


def test_the_learning_is_audited_like_the_rest_of_the_sample(sample_db):
    with sample_db.session() as s:
        actions = dict(s.execute(select(AuditEntry.action, func.count()).group_by(AuditEntry.action)).all())
    for action in ("payment.plan", "payment.record", "monitoring.generate", "monitoring.received", "outcome.record"):
        assert actions.get(action, 0) > 0, action
    assert actions["outcome.record"] == len(outcomes.learning_library(sample_db).notes)


@pytest.mark.parametrize(("old", "new", "message"), [
    ('amount = "400.00"\nmethod = "BACS"', 'amount = "450.00"\nmethod = "BACS"', "at most £400.00 more can be paid"),
    ('themes = ["environment"]', 'themes = ["seaside"]', "theme “seaside” is not in the fund's themes"),
    ('label = "Lluniau a gair byr / Photos and a few words"', 'label = "Receipts"', "“Receipts” is not due"),
    ("recorded = 2026-07-27", "recorded = 2026-08-27", "after written_as_of"),
])
def test_a_sample_whose_learning_breaks_a_rule_is_refused_and_writes_nothing(db, tmp_path, old, new, message):
    text = sample_text("denbighshire-rhyl")
    assert old in text
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace(old, new, 1))
    with pytest.raises(SampleError, match=message):
        load_sample_file(db, broken, today=date(2026, 8, 1))
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Fund)) == 0


def test_a_holdback_cannot_be_paid_before_the_final_report(db, tmp_path):
    text = sample_text("oxford-blackbird-leys")
    old = 'amount = "5850.00"'
    assert old in text
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace(old, 'amount = "6000.00"', 1))
    with pytest.raises(SampleError, match="held back until the final report"):
        load_sample_file(db, broken, today=date(2026, 8, 1))


def test_learning_belongs_to_awards_only(db, tmp_path):
    text = sample_text("denbighshire-rhyl")
    marker = 'status = "declined"'
    assert marker in text
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace(marker, marker + "\nmonitoring = true", 1))
    with pytest.raises(SampleError, match="has monitoring but its status is not awarded"):
        load_sample_file(db, broken, today=date(2026, 8, 1))
