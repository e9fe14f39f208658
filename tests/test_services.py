from datetime import date

import pytest
from helpers import ACTOR, build_fund
from sqlalchemy import delete, func, select

from grantdesk.domain.errors import InvalidTransition, NotFound, ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services import applications, decisions, funds, organisations
from grantdesk.store.models import Application, AuditEntry, Contact, Fund, Organisation


def test_applications_get_fund_year_references_in_sequence(db):
    build_fund(db, applications_count=3)
    rows = applications.list_applications(db, "TST")
    assert [r.reference for r in rows] == ["TST-2026-0001", "TST-2026-0002", "TST-2026-0003"]
    assert [r.amount_requested_pence for r in rows] == [10000, 20000, 30000]


def test_a_reference_is_never_given_out_twice_even_after_its_application_is_deleted(db):
    build_fund(db, applications_count=2)
    with db.unit_of_work() as uow:
        uow.session.execute(delete(Application).where(Application.reference == "TST-2026-0002"))
        uow.commit()
    with db.unit_of_work() as uow:
        s = uow.session
        fund = s.scalar(select(Fund))
        org = s.scalar(select(Organisation))
        app = applications.add_application(s, actor=ACTOR, fund=fund, organisation=org, title="Later",
                                           amount_requested_pence=500, created_on=date(2026, 6, 1))
        uow.commit()
        assert app.reference == "TST-2026-0003"


def test_listing_an_unknown_fund_is_an_error_naming_the_funds_that_exist(db):
    build_fund(db)
    with pytest.raises(NotFound, match="TST"):
        applications.list_applications(db, "NOPE")


def test_fund_codes_are_matched_in_any_case(db):
    build_fund(db, applications_count=1)
    assert len(applications.list_applications(db, "tst")) == 1


def test_a_charity_number_finds_its_organisation_only_under_its_own_name(db):
    build_fund(db)
    with db.unit_of_work() as uow:
        s = uow.session
        again = organisations.find_or_add_organisation(
            s, actor=ACTOR, name="testville  lunch club", org_type="registered_charity", charity_number=" 1100001 "
        )
        # the same number under another name: a new organisation with the name as given, the number
        # kept as its umbrella number (never the stored organisation renamed, never the row's name lost)
        other = organisations.find_or_add_organisation(
            s, actor=ACTOR, name="Testville Lunch Club CIO", org_type="cio", charity_number="1100001"
        )
        other_again = organisations.find_or_add_organisation(
            s, actor=ACTOR, name="Testville Lunch Club CIO", org_type="cio", charity_number="1100001"
        )
        chosen = organisations.find_or_add_organisation(  # the officer says it is the same group
            s, actor=ACTOR, name="Lunch Club", org_type="cio", charity_number="1100001", same_as=again.id
        )
        group = organisations.find_or_add_organisation(s, actor=ACTOR, name="Friends of the Park",
                                                       org_type="community_group")
        same_group = organisations.find_or_add_organisation(s, actor=ACTOR, name="friends of the  park",
                                                            org_type="community_group")
        uow.commit()
        assert again.name == "Testville Lunch Club" and again.charity_number == "1100001"
        assert (other.name, other.charity_number, other.umbrella_charity_number, other.org_id) == (
            "Testville Lunch Club CIO", None, "1100001", None)
        assert other_again.id == other.id and chosen.id == again.id and chosen.name == "Testville Lunch Club"
        assert group.id == same_group.id
        assert s.scalar(select(func.count()).select_from(Organisation)) == 3


def test_a_contact_is_one_person_by_name_and_email_and_keeps_their_own_language(db):
    built = build_fund(db)  # Ann Other, ann@example.org, English
    with db.unit_of_work() as uow:
        s = uow.session
        org = s.get(Organisation, built.organisation_id)
        ann = organisations.find_or_add_contact(s, actor=ACTOR, organisation=org, name="ANN other", email="")
        shared = organisations.find_or_add_contact(s, actor=ACTOR, organisation=org, name="Dafydd Jones",
                                                   email="Ann@example.org", letter_language="cy")
        uow.commit()
        assert ann.id == built.contact_id
        assert (shared.name, shared.email, shared.letter_language) == ("Dafydd Jones", "Ann@example.org", "cy")
        assert s.get(Contact, built.contact_id).name == "Ann Other"
        assert s.get(Contact, built.contact_id).letter_language == "en"


def test_a_transition_records_who_when_and_why_and_refuses_impossible_moves(db):
    build_fund(db, applications_count=1)
    app_id = applications.list_applications(db, "TST")[0].id
    applications.transition_application(db, app_id, Status.SUBMITTED, actor="Priya")
    row = applications.transition_application(db, app_id, "returned", reason="Please add a budget", actor="Priya")
    assert row.status == "returned"
    with pytest.raises(InvalidTransition, match="cannot be moved to awarded"):
        applications.transition_application(db, app_id, Status.AWARDED, actor="Priya")
    detail = applications.get_application(db, app_id)
    assert [(h.from_status, h.to_status) for h in detail.history] == [
        (None, "draft"), ("draft", "submitted"), ("submitted", "returned")
    ]
    assert detail.history[-1].by == "Priya" and detail.history[-1].reason == "Please add a budget"
    assert detail.row.submitted_on is not None
    assert set(detail.allowed_next) == {"submitted", "withdrawn"}


def test_a_move_made_on_stale_information_is_refused(db):
    build_fund(db, applications_count=1)
    app_id = applications.list_applications(db, "TST")[0].id
    seen = applications.get_application(db, app_id).version
    applications.transition_application(db, app_id, Status.SUBMITTED, actor="Priya Shah")
    with pytest.raises(ValidationError, match="changed by Priya Shah on .*; reload it and try again") as stale:
        applications.transition_application(db, app_id, Status.WITHDRAWN, reason="x", expected_version=seen)
    assert stale.value.problem["changed_by"] == "Priya Shah"
    assert applications.get_application(db, app_id).row.status == "submitted"  # nothing was written


def test_a_member_recommendation_never_takes_their_pot_below_zero(db):
    build_fund(db, applications_count=2)
    with db.unit_of_work() as uow:
        s = uow.session
        fund = s.scalar(select(Fund))
        member = funds.add_member(s, actor=ACTOR, fund=fund, name="Cllr Test", area=None)
        funds.set_allotment(s, actor=ACTOR, member=member, financial_year=2026, amount_pence=250000)
        first, second = s.scalars(select(Application).order_by(Application.id)).all()
        decisions.add_member_decision(s, actor=ACTOR, application=first, member=member, decision="recommended",
                                      reasons="Good", decided_on=date(2026, 5, 1), financial_year=2026,
                                      amount_pence=200000)
        with pytest.raises(decisions.PotExceeded, match="£500.00 left"):
            decisions.add_member_decision(s, actor=ACTOR, application=second, member=member,
                                          decision="recommended", reasons="Good", decided_on=date(2026, 5, 2),
                                          financial_year=2026, amount_pence=60000)
        pot = decisions.pot_position(s, member, 2026)
        assert (pot.allotted_pence, pot.committed_pence, pot.remaining_pence) == (250000, 200000, 50000)


def test_a_disclosable_pecuniary_interest_blocks_a_decision_unless_dispensed(db):
    build_fund(db, applications_count=1)
    with db.unit_of_work() as uow:
        s = uow.session
        fund = s.scalar(select(Fund))
        member = funds.add_member(s, actor=ACTOR, fund=fund, name="Cllr Test", area=None)
        funds.set_allotment(s, actor=ACTOR, member=member, financial_year=2026, amount_pence=250000)
        app = s.scalar(select(Application))
        dpi = decisions.add_interest_declaration(s, actor=ACTOR, application=app, member=member,
                                                 declared_on=date(2026, 5, 1), kind="dpi",
                                                 nature="Treasurer of the applicant")
        with pytest.raises(decisions.InterestBlocks, match="dispensation"):
            decisions.add_member_decision(s, actor=ACTOR, application=app, member=member, decision="recommended",
                                          reasons="Good", decided_on=date(2026, 5, 1), financial_year=2026,
                                          amount_pence=1000, declaration=dpi)
        dpi.dispensation_reference = "DISP-1"
        decisions.add_member_decision(s, actor=ACTOR, application=app, member=member, decision="recommended",
                                      reasons="Good", decided_on=date(2026, 5, 1), financial_year=2026,
                                      amount_pence=1000, declaration=dpi)


def test_fund_list_counts_applications_per_fund_and_round(db):
    build_fund(db, applications_count=2)
    [summary] = funds.list_funds(db)
    assert summary.code == "TST" and summary.application_count == 2
    assert [(r.name, r.application_count) for r in summary.rounds] == [("2026–27", 2)]


def test_fund_codes_must_be_well_formed_and_unique(db):
    build_fund(db)
    with db.unit_of_work() as uow:
        with pytest.raises(ValidationError, match="already exists"):
            funds.add_fund(uow.session, actor=ACTOR, code="tst", name="x", council="y")
        with pytest.raises(ValidationError, match="cannot be a fund code"):
            funds.add_fund(uow.session, actor=ACTOR, code="a-b", name="x", council="y")


def test_organisation_names_match_ignoring_case_beyond_ascii_and_wildcards_are_literal(db):
    from grantdesk.services.editing import search_organisations

    build_fund(db)
    with db.unit_of_work() as uow:
        s = uow.session
        first = organisations.find_or_add_organisation(s, actor=ACTOR, name="Tŷ Hapus", org_type="community_group")
        again = organisations.find_or_add_organisation(s, actor=ACTOR, name="TŶ  HAPUS", org_type="community_group")
        other = organisations.find_or_add_organisation(s, actor=ACTOR, name="T_ Hapus", org_type="community_group")
        uow.commit()
        assert first.id == again.id != other.id
    assert [m.name for m in search_organisations(db, "tŶ hap")] == ["Tŷ Hapus"]
    assert [m.name for m in search_organisations(db, "T_ ")] == ["T_ Hapus"]


def test_opening_for_the_app_creates_an_empty_database_and_never_loads_the_samples_into_it(tmp_path):
    from grantdesk.config import database_location
    from grantdesk.services.database import open_for_app
    from grantdesk.services.overview import list_funds

    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")  # made by someone's "touch": no tables yet
    for path in (tmp_path / "new" / "grantdesk.db", empty):
        opened = open_for_app(database_location(path), make_folder=True)
        try:
            assert opened.created and opened.samples_loaded == [] and not opened.holds_sample_data
            assert list_funds(opened.db) == []  # a real council's database starts with nothing invented in it
        finally:
            opened.db.close()
        again = open_for_app(database_location(path))
        try:
            assert not again.created and list_funds(again.db) == []
        finally:
            again.db.close()


def test_the_sample_database_is_filled_on_first_use_and_says_it_holds_sample_data(tmp_path):
    from grantdesk.config import database_location
    from grantdesk.services.database import holds_sample_data, open_for_app, open_sample_database

    location = database_location(tmp_path / "grantdesk-samples.db")
    steps = []
    opened = open_sample_database(location, progress=lambda done, total, label: steps.append((done, total)))
    try:
        assert sorted(opened.samples_loaded) == ["BBL", "PHP", "RHYL"] and opened.holds_sample_data
        assert steps[0] == (0, 3) and steps[-1] == (3, 3)
    finally:
        opened.db.close()
    again = open_sample_database(location)
    try:
        assert again.samples_loaded == [] and again.holds_sample_data  # loaded once
    finally:
        again.db.close()
    real = open_for_app(database_location(tmp_path / "real.db"))
    try:
        build_fund(real.db)
        assert not holds_sample_data(real.db)  # a fund made by hand is not sample data
    finally:
        real.db.close()


def test_the_form_keeps_the_typed_name_and_never_changes_someone_else_at_a_shared_inbox(db):
    from grantdesk.domain.applications import ApplicationDraft
    from grantdesk.services import editing

    built = build_fund(db)  # Testville Lunch Club 1100001: Ann Other, ann@example.org, English

    def draft(**changes):
        values = dict(organisation="Testville Lunch Club", organisation_type="registered_charity",
                      charity_number="1100001", contact_name="Ann Other", contact_email="ann@example.org",
                      title="Soup", amount_requested="100", area="Testville")
        return ApplicationDraft(**{**values, **changes})

    wing = editing.save_application(db, "TST", draft(organisation="Testville Lunch Club Youth Wing",
                                                     contact_name="Bob Baker", contact_email="bob@example.org"))
    assert wing.organisation == "Testville Lunch Club Youth Wing"  # not the stored club's name
    editable = editing.editable_application(db, wing.id)
    assert editable.draft.charity_number == "1100001"  # the number as given, kept with the group

    shared = editing.save_application(db, "TST", draft(contact_name="Dafydd Jones", contact_language="cy",
                                                       contact_phone="01234 567890", title="Cawl"))
    assert (shared.contact_name, shared.contact_language) == ("Dafydd Jones", "cy")
    same = editing.save_application(db, "TST", draft(contact_language="Welsh", title="Bara"))
    assert (same.contact_name, same.contact_language) == ("Ann Other", "cy")  # Ann herself, changed on the form
    with db.unit_of_work() as uow:
        s = uow.session
        ann = s.get(Contact, built.contact_id)
        assert (ann.name, ann.email, ann.phone) == ("Ann Other", "ann@example.org", "")
        [update] = s.scalars(select(AuditEntry).where(AuditEntry.action == "contact.update")).all()
        assert (update.entity_id, update.before, update.after) == (
            built.contact_id, {"letter_language": "en"}, {"letter_language": "cy"})
