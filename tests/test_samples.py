from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from grantdesk.services import decisions
from grantdesk.services.samples import (
    SampleError,
    available_samples,
    load_sample_file,
    load_samples,
)
from grantdesk.store.models import (
    Allotment,
    Application,
    Area,
    Award,
    Contact,
    Fund,
    FundArea,
    InterestDeclaration,
    Member,
    MemberDecision,
    Panel,
    Panellist,
    Round,
    StatusChange,
)


def fund(s, code):
    return s.scalar(select(Fund).where(Fund.code == code))


def current_year(s, code):
    return max(r.financial_year for r in fund(s, code).rounds)


def test_staffordshire_has_a_councillor_with_a_2500_pot_in_at_least_12_real_divisions(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        php = fund(s, "PHP")
        year = current_year(s, "PHP")
        divisions = s.scalars(select(Area).join(FundArea).where(FundArea.fund_id == php.id)).all()
        assert len(divisions) >= 12 and {d.kind for d in divisions} == {"division"}
        assert {"Burton Tower", "Stafford Central", "Kidsgrove"} <= {d.name for d in divisions}
        members = s.scalars(select(Member).where(Member.fund_id == php.id)).all()
        assert {m.area_id for m in members} == {d.id for d in divisions}
        pots = s.scalars(select(Allotment).where(Allotment.financial_year == year,
                                                  Allotment.member_id.in_([m.id for m in members]))).all()
        assert len(pots) == len(members) and {p.amount_pence for p in pots} == {250000}
        assert 35 <= len(s.scalars(select(Application).where(Application.fund_id == php.id)).all()) <= 45


def test_staffordshire_has_applications_in_every_kind_of_state(sample_db):
    with sample_db.unit_of_work() as uow:
        statuses = set(uow.session.scalars(
            select(Application.status).where(Application.fund_id == fund(uow.session, "PHP").id)))
    assert {"draft", "submitted", "eligible", "shortlisted", "awarded", "declined", "ineligible"} <= statuses


def test_one_staffordshire_project_is_jointly_funded_by_two_members_from_their_own_pots(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        joint = s.execute(
            select(MemberDecision.application_id, func.count(func.distinct(MemberDecision.member_id)),
                   func.sum(MemberDecision.amount_pence))
            .where(MemberDecision.decision == "recommended", MemberDecision.officer_outcome == "approved")
            .group_by(MemberDecision.application_id)
            .having(func.count(func.distinct(MemberDecision.member_id)) >= 2)
        ).all()
        assert joint
        app_id, _, total = joint[0]
        award = s.scalar(select(Award).where(Award.application_id == app_id))
        assert award.amount_pence == total


def test_one_staffordshire_application_is_refused_because_the_members_pot_is_spent(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        year = current_year(s, "PHP")
        refusals = s.scalars(select(MemberDecision).where(MemberDecision.decision == "refused",
                                                          MemberDecision.financial_year == year)).all()
        spent = [
            r for r in refusals
            if decisions.pot_position(s, s.get(Member, r.member_id), year).remaining_pence == 0
            and s.get(Application, r.application_id).status == "declined"
        ]
        assert spent, "no declined application whose member's pot is fully spent"
        history = s.get(Application, spent[0].application_id).history
        assert "spent" in history[-1].reason.lower()


def test_one_staffordshire_organisation_bids_again_after_an_award_last_year(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        year = current_year(s, "PHP")
        previous = set(s.scalars(
            select(Application.organisation_id).join(Award).join(Round, Round.id == Application.round_id)
            .where(Round.financial_year == year - 1)))
        current = set(s.scalars(
            select(Application.organisation_id).join(Round, Round.id == Application.round_id)
            .where(Round.financial_year == year)))
        assert previous & current


def test_a_disclosable_interest_with_a_dispensation_is_on_record(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        dpi = s.scalars(select(InterestDeclaration).where(InterestDeclaration.kind == "dpi")).all()
        assert dpi and all(d.dispensation_reference and d.dispensation_granted_on for d in dpi)
        assert s.scalar(select(func.count()).select_from(InterestDeclaration)
                        .where(InterestDeclaration.kind == "other_registrable")) >= 1


def test_blackbird_leys_has_a_panel_of_seven_deciding_50000(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        bbl = fund(s, "BBL")
        assert bbl.decision_model == "panel"
        [panel] = s.scalars(select(Panel).where(Panel.fund_id == bbl.id)).all()
        assert s.scalar(select(func.count()).select_from(Panellist).where(Panellist.panel_id == panel.id)) == 7
        rnd = panel.round
        assert rnd.budget_pence == 5_000_000
        apps = s.scalars(select(Application).where(Application.round_id == rnd.id)).all()
        assert 12 <= len(apps) <= 18
        awarded = s.scalar(select(func.sum(Award.amount_pence)).join(Application).where(Application.round_id == rnd.id))
        assert 0 < awarded <= rnd.budget_pence
        panel_id = panel.id

    from grantdesk.services import panels

    sheet = panels.score_sheet(sample_db, panel_id)
    assert len(sheet.criteria) == 3 and "Teen Kitchen" in sheet.notes
    decided = [a for a in sheet.applications if a.decision]
    assert len(decided) == 13 and all(a.decision.applied for a in decided)
    # Every decision follows the scores except one, which says why.
    [against] = [a for a in decided if a.decision.differs_from_scores]
    assert against.decision.outcome == "decline" and against.suggested and "community centre" in against.decision.reason
    # The panellist who declared an interest in the tea dance did not score it.
    tea = next(a for a in sheet.applications if "tea dance" in a.title)
    [conflicted] = tea.conflicted
    assert all(score.panellist_id != conflicted for score in tea.scores) and len(tea.scores) == 6 * 3
    # The funded nine are the nine best scored.
    assert [a.decision.outcome for a in sheet.applications[:9]] == ["fund"] * 9


def test_blackbird_leys_has_a_finished_community_vote_with_kiosk_and_paper_ballots(sample_db):
    from grantdesk.services import events
    from grantdesk.services.applications import list_application_rows

    [event] = events.list_events(sample_db, "BBL")
    assert event.state == "confirmed" and event.ballot_kind == "approval"
    results = events.event_results(sample_db, event.id)
    assert results.tally.cast >= 200 and results.kiosk.cast > 0 and results.paper.cast > 0
    assert results.tally.cast == results.kiosk.cast + results.paper.cast
    assert results.paper.spoilt_count >= 3 and results.kiosk.spoilt_count == 0
    assert results.funded_pence <= results.budget_pence
    assert any(step.kind == "tie" for step in results.allocation.explanation)  # a tie decided who was funded
    view = events.get_event(sample_db, event.id)
    assert view.codes_used == results.kiosk.cast and view.codes_issued > view.codes_used
    statuses = {r.reference: r.status for r in list_application_rows(sample_db, "BBL")}
    on_ballot = [p.reference for p in view.projects]
    assert {statuses[r] for r in on_ballot} == {"awarded", "declined"}
    assert [r for r in on_ballot if statuses[r] == "awarded"] == sorted(event.funded)


def test_rhyl_is_bilingual_with_contacts_who_prefer_welsh(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        rhyl = fund(s, "RHYL")
        assert rhyl.bilingual_letters
        welsh = s.scalars(select(Contact).join(Application, Application.contact_id == Contact.id)
                          .where(Application.fund_id == rhyl.id, Contact.letter_language == "cy")).all()
        assert len(welsh) >= 3
        apps = s.scalars(select(Application).where(Application.fund_id == rhyl.id)).all()
        welsh_text = " ".join((a.title_cy or "") + (a.summary_cy or "") for a in apps)
        assert "ŵ" in welsh_text and "ŷ" in welsh_text
        # Each project has its title in Welsh as well, kept apart from the English, never joined with " / "
        assert all(a.title_cy for a in apps)
        assert not any(" / " in a.title for a in apps)


def test_every_history_is_in_date_order_and_nothing_is_in_the_future(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        now = datetime.now()
        for app in s.scalars(select(Application)):
            moments = [h.at for h in app.history]
            assert moments == sorted(moments), app.reference
            assert moments[-1] <= now, app.reference
            assert app.history[-1].to_status == app.status


def test_samples_move_forward_a_year_so_the_pots_stay_current(db):
    [php] = [s for s in available_samples() if s.name == "staffordshire-php"]
    result = load_sample_file(db, php.path, today=date(2027, 8, 1))
    assert result.years_moved == 1
    with db.unit_of_work() as uow:
        s = uow.session
        assert current_year(s, "PHP") == 2027
        assert s.scalar(select(func.max(Allotment.financial_year))) == 2027
        assert s.scalar(select(func.max(StatusChange.at))) < datetime(2027, 8, 1)


def test_a_sample_with_a_mistake_is_refused_with_its_place_and_writes_nothing(db, tmp_path):
    [php] = [s for s in available_samples() if s.name == "staffordshire-php"]
    broken = tmp_path / "broken.toml"
    text = php.path.read_text()
    marker = "[[applications]]"
    cut = text.index(marker, text.index(marker) + 1)
    broken.write_text(text[:cut] + text[cut:].replace("status = ", "status_typo = ", 1))
    with pytest.raises(SampleError, match=r"broken\.toml: applications\[2\]: unknown key\(s\) status_typo"):
        load_sample_file(db, broken)
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Fund)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Application)) == 0


def test_loading_the_samples_twice_changes_nothing_the_second_time(sample_db):
    with sample_db.unit_of_work() as uow:
        before = uow.session.scalar(select(func.count()).select_from(Application))
    results = load_samples(sample_db)
    assert not any(r.loaded for r in results)
    with sample_db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Application)) == before


def test_asking_for_an_unknown_sample_names_the_real_ones(db):
    with pytest.raises(SampleError, match="staffordshire-php"):
        load_samples(db, ["nowhere"])


def test_sample_funds_ask_their_own_questions_and_applications_answer_them(sample_db):
    from grantdesk.services.editing import editable_application, fund_context

    context = fund_context(sample_db, "PHP")
    assert [q.key for q in context.questions] == ["spoke_to_councillor", "theme", "people", "match_funding"]
    with sample_db.unit_of_work() as uow:
        answered = [(a.id, a.answers) for a in uow.session.scalars(select(Application).where(
            Application.fund_id == fund(uow.session, "PHP").id)) if a.answers]
    assert len(answered) >= 25
    assert answered[0][1]["spoke_to_councillor"] is True  # stored as the form stores it
    draft = editable_application(sample_db, answered[0][0]).draft
    assert draft.answers["theme"] in ("Health and wellbeing", "Children and families")
    assert "Cymraeg / Welsh" in fund_context(sample_db, "RHYL").questions[0].choices


def test_a_sample_answering_a_question_the_fund_does_not_ask_is_refused(db, tmp_path):
    [bbl] = [s for s in available_samples() if s.name == "oxford-blackbird-leys"]
    broken = tmp_path / "broken.toml"
    broken.write_text(bbl.path.read_text().replace('pitch = "In writing"', 'favourite_colour = "blue"', 1))
    with pytest.raises(SampleError, match="does not ask: favourite_colour"):
        load_sample_file(db, broken)
