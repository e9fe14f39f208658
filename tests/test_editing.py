from datetime import date

import pytest
from helpers import build_fund
from sqlalchemy import func, select

from grantdesk.domain.applications import ApplicationDraft, FieldErrors
from grantdesk.domain.errors import InvalidTransition, ValidationError
from grantdesk.domain.questions import make_question
from grantdesk.domain.workflow import Status
from grantdesk.services import (
    applications,
    attachments,
    editing,
    eligibility,
    questions,
)
from grantdesk.store.models import AuditEntry, Fund, Organisation


def draft(**changes):
    values = dict(organisation="Testville Lunch Club", organisation_type="registered_charity", charity_number="1100001",
                  contact_name="Ann Other", contact_email="ann@example.org", contact_language="cy",
                  title="Hot lunches on Fridays", summary="Lunch and company.", amount_requested="£1,250.50",
                  area="testville", project_start="01/06/2026", project_end="31/03/2027", submitted_on="2/5/2026")
    values.update(changes)
    return ApplicationDraft(**values)


def test_a_typed_in_application_is_saved_as_a_draft_with_its_reference(db):
    build_fund(db)
    row = editing.save_application(db, "TST", draft())
    assert row.reference == "TST-2026-0001" and row.status == "draft"
    assert row.amount_requested_pence == 125050 and row.area == "Testville" and row.round == "2026–27"
    assert row.contact_language == "cy" and row.submitted_on == date(2026, 5, 2)
    with db.unit_of_work() as uow:  # the charity number matched the existing organisation
        assert uow.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_field_problems_come_back_together_with_the_field_names(db):
    build_fund(db)
    with pytest.raises(FieldErrors) as err:
        editing.save_application(db, "TST", draft(title="", amount_requested="lots", area="Atlantis", round="1999"))
    assert set(err.value.errors) == {"title", "amount_requested", "area", "round"}
    assert "Testville" in err.value.errors["area"]
    assert applications.list_applications(db, "TST") == []


def test_editing_saves_the_changes_audits_them_and_refuses_a_stale_copy(db):
    build_fund(db)
    row = editing.save_application(db, "TST", draft())
    loaded = editing.editable_application(db, row.id)
    assert loaded.draft.amount_requested == "1250.50" and loaded.draft.area == "Testville"
    loaded.draft.title = "Hot lunches on Fridays and Tuesdays"
    loaded.draft.amount_requested = "1,500"
    edited = editing.save_application(db, "TST", loaded.draft, application_id=row.id,
                                      expected_version=loaded.version)
    assert edited.title.endswith("Tuesdays") and edited.amount_requested_pence == 150000
    with db.unit_of_work() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "application.edit")).one()
        assert entry.before == {"title": "Hot lunches on Fridays", "amount_requested_pence": 125050}
        edited_at = entry.at
    with pytest.raises(ValidationError, match="changed by Test Officer on .* your changes were not saved") as stale:
        editing.save_application(db, "TST", loaded.draft, application_id=row.id, expected_version=loaded.version)
    # who and when are data the window can use, not words to pick apart
    assert stale.value.problem.code == "record.changed_elsewhere"
    assert stale.value.problem["reference"] == row.reference and stale.value.problem["changed_by"] == "Test Officer"
    assert stale.value.problem["changed_at"] == edited_at


def test_a_closed_application_cannot_be_edited(db):
    build_fund(db)
    row = editing.save_application(db, "TST", draft())
    applications.transition_application(db, row.id, "withdrawn", reason="Found other funding")
    with pytest.raises(ValidationError, match="record is final"):
        editing.save_application(db, "TST", draft(), application_id=row.id)


def test_the_contacts_letter_language_can_be_changed(db):
    build_fund(db)
    editing.save_application(db, "TST", draft(contact_language="cy"))
    row = editing.save_application(db, "TST", draft(title="Second", contact_language="English"))
    assert row.contact_language == "en"


def test_organisations_are_found_as_you_type_by_name_or_number(db):
    build_fund(db)
    assert [m.name for m in editing.search_organisations(db, "lunch")] == ["Testville Lunch Club"]
    [match] = editing.search_organisations(db, "11000")
    assert match.contacts[0].name == "Ann Other"
    assert editing.search_organisations(db, "x") == []


def test_the_fund_context_lists_areas_rounds_and_questions(db):
    build_fund(db)
    questions.set_questions(db, "TST", [make_question("volunteers", "How many volunteers?", "number", required=True)])
    context = editing.fund_context(db, "TST")
    assert context.areas == ("Testville",) and [r.name for r in context.rounds] == ["2026–27"]
    assert [q.key for q in context.questions] == ["volunteers"]
    with pytest.raises(FieldErrors) as err:
        editing.save_application(db, "TST", draft())
    assert "answers.volunteers" in err.value.errors


def _fund_rules(db, **settings):
    with db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund))
        fund.max_amount_pence = settings.pop("max_amount_pence", None)
        fund.settings = settings
        uow.commit()


def test_an_ineligible_application_is_explained_and_cannot_be_marked_eligible(db):
    build_fund(db)
    _fund_rules(db, max_amount_pence=100000, required_attachments=["constitution"])
    row = editing.save_application(db, "TST", draft())
    applications.transition_application(db, row.id, Status.SUBMITTED)
    report = eligibility.check_eligibility(db, row.id)
    assert [r.rule for r in report.failures] == ["amount", "attachments"]
    with pytest.raises(InvalidTransition, match="above the fund's maximum"):
        applications.transition_application(db, row.id, Status.ELIGIBLE)
    with pytest.raises(InvalidTransition, match="now make it ineligible, not eligible"):
        eligibility.assess(db, row.id, Status.ELIGIBLE, actor="Priya")  # not what the rules decide
    assert applications.get_application(db, row.id).row.status == "submitted"
    report = eligibility.assess(db, row.id, Status.INELIGIBLE, actor="Priya")
    detail = applications.get_application(db, row.id)
    assert detail.row.status == "ineligible"
    assert "above the fund's maximum of £1,000.00" in detail.history[-1].reason
    assert "Missing: constitution" in detail.history[-1].reason


def test_an_officer_override_needs_a_reason_and_then_the_rule_no_longer_blocks(db):
    build_fund(db)
    _fund_rules(db, max_amount_pence=100000)
    row = editing.save_application(db, "TST", draft())
    applications.transition_application(db, row.id, Status.SUBMITTED)
    with pytest.raises(ValidationError, match="written reason"):
        eligibility.override_rule(db, row.id, "amount", " ")
    with pytest.raises(ValidationError, match="nothing to override"):
        eligibility.override_rule(db, row.id, "area", "no need")
    report = eligibility.override_rule(db, row.id, "amount", "Match funding covers the rest", actor="Priya")
    assert report.eligible
    applications.transition_application(db, row.id, Status.ELIGIBLE)
    with db.unit_of_work() as uow:
        entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "eligibility.override")).one()
        assert entry.actor == "Priya" and "Match funding covers the rest" in entry.summary


def test_attachments_are_kept_in_the_database_and_satisfy_required_documents(db):
    build_fund(db)
    _fund_rules(db, required_attachments=["constitution"])
    row = editing.save_application(db, "TST", draft())
    pdf = b"%PDF-1.4\n% a constitution\n"
    info = attachments.add_attachment(db, row.id, "/home/ann/Constitution 2024.pdf", pdf, kind="constitution")
    assert (info.filename, info.media_type, info.size_bytes) == ("Constitution 2024.pdf", "application/pdf", len(pdf))
    assert attachments.read_attachment(db, info.id)[1] == pdf
    applications.transition_application(db, row.id, Status.SUBMITTED)
    assert eligibility.check_eligibility(db, row.id).eligible
    assert [a.filename for a in applications.get_application(db, row.id).attachments] == ["Constitution 2024.pdf"]
    attachments.remove_attachment(db, info.id)
    assert not eligibility.check_eligibility(db, row.id).eligible


def test_an_empty_or_oversized_attachment_is_refused(db):
    build_fund(db)
    row = editing.save_application(db, "TST", draft())
    with pytest.raises(ValidationError, match="empty"):
        attachments.add_attachment(db, row.id, "x.pdf", b"")
    with pytest.raises(ValidationError, match="up to 25 MB"):
        attachments.add_attachment(db, row.id, "big.pdf", b"0" * (attachments.MAX_BYTES + 1))


def test_a_new_application_and_its_documents_are_saved_together_or_not_at_all(db):
    build_fund(db)
    good = attachments.NewDocument("constitution.pdf", "constitution", b"%PDF-1.4\n")
    with pytest.raises(ValidationError, match="empty"):  # the second document is refused...
        editing.save_application(db, "TST", draft(), documents=[good, attachments.NewDocument("x.pdf", "other", b"")])
    assert applications.list_applications(db, "TST") == []  # ...so the application was not saved either
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == "application.create")) == 0
    row = editing.save_application(db, "TST", draft(), documents=[good])  # corrected: one application, once
    assert [a.reference for a in applications.list_applications(db, "TST")] == [row.reference] == ["TST-2026-0001"]
    assert [a.filename for a in applications.get_application(db, row.id).attachments] == ["constitution.pdf"]


def test_a_document_that_cannot_be_read_is_a_refusal_naming_it(tmp_path):
    with pytest.raises(ValidationError, match="gone.pdf could not be read") as refused:
        attachments.read_document(tmp_path / "gone.pdf", "constitution")
    assert refused.value.field == "attachment"


def test_repeat_funding_is_flagged_from_last_years_awards(sample_db):
    *_, row = sorted((r for r in applications.list_applications(sample_db, "PHP")
                      if r.organisation.startswith("Burton Grow Together")), key=lambda r: r.reference)
    flags = applications.get_application(sample_db, row.id).eligibility.flags
    assert flags and "funded by this fund last year" in flags[0].reason
