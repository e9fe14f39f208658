"""Retention by fund (issue 23.1): the periods' due dates (domain), the plan (what is due, no names),
a run that removes names, e-mails, phones, addresses, documents and answers while every count, total,
members' report and open-data export still adds up, and is audited with counts only."""

import json
from datetime import date, datetime

import pytest
from helpers import ACTOR, build_fund
from sqlalchemy import func, select

from grantdesk.domain.fund_settings import SettingError
from grantdesk.domain.retention import (
    AWARD,
    DRAFT,
    REMOVED,
    UNSUCCESSFUL,
    RecordFacts,
    RetentionPeriods,
    holding,
    is_due,
    needles_for,
    redact,
)
from grantdesk.services import applications, organisations
from grantdesk.services.allocations import members_report
from grantdesk.services.open_data import prepare_360giving, prepare_transparency
from grantdesk.services.overview import list_application_rows
from grantdesk.services.retention import retention_plan, run_retention, set_retention_periods
from grantdesk.services.workflow import do_transition
from grantdesk.store.models import (
    Application,
    Attachment,
    AuditEntry,
    Award,
    Contact,
    Fund,
    Organisation,
    StatusChange,
)

FAR = date(2040, 1, 1)  # every decided sample application is past its period by then


# --- the periods ---------------------------------------------------------------------------------------


def test_an_award_is_kept_six_years_after_the_end_of_its_financial_year():
    p = RetentionPeriods()
    h = holding(RecordFacts("awarded", 2024, date(2024, 6, 1), date(2024, 6, 1)), p)
    assert (h.kind, h.anchor, h.held_until, h.due_on) == (AWARD, date(2025, 3, 31), date(2031, 3, 31), date(2031, 4, 1))
    assert not is_due(h, date(2031, 3, 31)) and is_due(h, date(2031, 4, 1))
    assert "31 March 2031" in h.reason() and "6 years" in h.reason()
    # an award in March belongs to the year that ends that month; the round's year wins when given
    march = holding(RecordFacts("awarded", 2025, None, date(2026, 3, 30)), p)
    assert march.held_until == date(2032, 3, 31)


def test_unsuccessful_drafts_and_open_applications():
    p = RetentionPeriods(unsuccessful_years=2, award_years=6, draft_years=1)
    declined = holding(RecordFacts("declined", None, date(2024, 2, 29), date(2024, 3, 5)), p)
    assert (declined.kind, declined.held_until) == (UNSUCCESSFUL, date(2026, 2, 28))  # 29 Feb lands on 28 Feb
    withdrawn = holding(RecordFacts("withdrawn", None, None, date(2024, 5, 1)), p)
    assert withdrawn.held_until == date(2026, 5, 1)  # no recorded move: the last change
    draft = holding(RecordFacts("draft", None, None, date(2025, 7, 1)), p)
    assert (draft.kind, draft.held_until) == (DRAFT, date(2026, 7, 1))
    for status in ("submitted", "eligible", "shortlisted", "deferred", "returned"):
        h = holding(RecordFacts(status, None, None, date(2000, 1, 1)), p)
        assert h.kind is None and not is_due(h, FAR), status
    assert holding(RecordFacts("declined", None, date(2024, 1, 1), date(2024, 1, 1)),
                   RetentionPeriods(unsuccessful_years=5)).held_until == date(2029, 1, 1)


def test_redact_cuts_a_name_email_and_phone_out_of_free_text_however_written():
    needles = needles_for("Ann  Other", "ann@example.org", "01632 960123")
    text = "Spoke to ann other (ANN@example.org, 01632-960123 / +44 1632 960 123); Annie Otherton agreed."
    assert redact(text, needles) == "Spoke to [removed] ([removed], [removed] / [removed]); Annie Otherton agreed."
    assert needles_for("Al", "", "123") == ()  # too short to find safely
    assert needles_for(REMOVED) == ()


def test_the_retention_settings_are_checked():
    from grantdesk.domain.fund_settings import parse_settings, settings_of

    assert settings_of({}).retention_award_years == 6
    assert settings_of({"retention_award_years": 7}).retention_award_years == 7
    with pytest.raises(SettingError, match="retention_draft_years"):
        parse_settings({"retention_draft_years": 0})


# --- the plan and the run on the sample funds ------------------------------------------------------------


def _totals(db, code):
    pub = prepare_360giving(db, code, today=date(2026, 12, 1))
    grants = pub.package["grants"]
    return {"count": len(grants), "amount": sum(g["amountAwarded"] for g in grants), "total": pub.total_pence,
            "schema": len(pub.schema_problems), "ids": sorted(g["id"] for g in grants),
            "areas": sorted(json.dumps(g.get("beneficiaryLocation", ""), sort_keys=True) for g in grants),
            "dates": sorted(g["awardDate"] for g in grants)}


def _personal(db, code):
    """Every name, e-mail and phone the fund's decided applications hold, from their contacts."""
    with db.session() as s:
        rows = s.execute(select(Contact.name, Contact.email, Contact.phone).join(
            Application, Application.contact_id == Contact.id).join(Fund, Fund.id == Application.fund_id)
            .where(Fund.code == code, Application.status.in_(("awarded", "declined", "ineligible", "withdrawn",
                                                                "draft")))).all()
    return {v for row in rows for v in row if v}


def test_the_plan_lists_what_is_due_by_kind_with_references_and_no_personal_data(sample_db):
    now = retention_plan(sample_db, "PHP", date(2026, 12, 8))
    assert now.counts == {UNSUCCESSFUL: 0, AWARD: 0, DRAFT: 0} and now.due == ()
    later = retention_plan(sample_db, "php", FAR)
    assert later.counts == {UNSUCCESSFUL: 6, AWARD: 18, DRAFT: 3}
    assert later.held == 40 - 27 and later.erased_before == 0
    assert all(r.reference.startswith("PHP-") and r.due_on <= FAR for r in later.due)
    text = json.dumps(later.as_json())
    leaked = [v for v in _personal(sample_db, "PHP") if v.lower() in text.lower()]
    assert leaked == []
    drafts_only = retention_plan(sample_db, "PHP", date(2027, 8, 1))
    assert drafts_only.counts == {UNSUCCESSFUL: 0, AWARD: 0, DRAFT: 3}


def test_a_run_removes_personal_details_and_every_report_still_adds_up(sample_db):
    before_360, before_tc = _totals(sample_db, "PHP"), prepare_transparency(sample_db, "PHP")
    before_members = {y: members_report(sample_db, "PHP", y) for y in (2025, 2026)}
    before_rows = list_application_rows(sample_db, "PHP")
    personal = _personal(sample_db, "PHP")
    assert personal

    run = run_retention(sample_db, "PHP", as_of=FAR, actor=ACTOR)
    assert run.erased.applications == {UNSUCCESSFUL: 6, AWARD: 18, DRAFT: 3} and run.applications == 27
    assert run.erased.contacts > 0

    after_360 = _totals(sample_db, "PHP")
    assert after_360 == before_360  # same grants, ids, amounts, areas and dates; still passes the schema
    after_tc = prepare_transparency(sample_db, "PHP")
    assert (len(after_tc.rows), after_tc.total_pence) == (len(before_tc.rows), before_tc.total_pence)
    for year, report in before_members.items():
        after = members_report(sample_db, "PHP", year)
        assert after.totals() == report.totals() and after.rows == report.rows and after.awards == report.awards
    after_rows = list_application_rows(sample_db, "PHP")
    assert [(r.reference, r.status, r.amount_requested_pence, r.area) for r in after_rows] == \
        [(r.reference, r.status, r.amount_requested_pence, r.area) for r in before_rows]

    with sample_db.session() as s:
        erased = s.scalars(select(Application).join(Fund).where(Fund.code == "PHP",
                                                                 Application.erased_at.is_not(None))).all()
        assert len(erased) == 27 and all(a.answers == {} for a in erased)
        ids = [a.id for a in erased]
        assert s.scalar(select(func.count()).select_from(Attachment).where(Attachment.application_id.in_(ids))) == 0
        for app in erased:
            if app.contact is not None and app.contact.erased_at is not None:
                assert (app.contact.name, app.contact.email, app.contact.phone) == (REMOVED, "", "")
            if app.organisation.org_type == "individual":
                assert app.organisation.name == REMOVED and app.organisation.address == ""
            if app.organisation.charity_number or app.organisation.company_number:
                assert app.organisation.name != REMOVED  # a registered organisation's name stays
        texts = [c.reason for c in s.scalars(select(StatusChange).where(StatusChange.application_id.in_(ids)))]
        texts += [f"{a.title} {a.summary}" for a in erased]
        texts += [f"{w.purpose} {w.conditions}" for w in s.scalars(select(Award).where(Award.application_id.in_(ids)))]
        # what is still held is what live applications still need
        held_contacts = {v for row in s.execute(select(Contact.name, Contact.email, Contact.phone).where(
            Contact.erased_at.is_(None))).all() for v in row if v}
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "retention.run")).one()
    gone = personal - held_contacts
    assert gone
    for value in gone:
        assert not any(value.lower() in t.lower() for t in texts), value
        assert value.lower() not in (entry.summary + json.dumps(entry.after)).lower()
    assert entry.after["applications"] == {UNSUCCESSFUL: 6, AWARD: 18, DRAFT: 3} and entry.entity == "fund"

    again = retention_plan(sample_db, "PHP", FAR)
    assert again.due == () and again.erased_before == 27
    second = run_retention(sample_db, "PHP", as_of=FAR, actor=ACTOR)
    assert second.applications == 0


def test_a_contact_a_live_application_still_needs_is_kept_and_its_name_cut_from_the_old_text(db):
    built = build_fund(db, "RET")
    with db.unit_of_work() as uow:
        s = uow.session
        fund, org = s.get(Fund, built.fund_id), s.get(Organisation, built.organisation_id)
        contact = s.get(Contact, built.contact_id)
        contact.phone = "01632 960555"
        other = organisations.find_or_add_contact(s, actor=ACTOR, organisation=org, name="Bob Example",
                                                  email="bob@example.org")
        old = applications.add_application(s, actor=ACTOR, fund=fund, organisation=org, contact=other,
                                           title="Old bid", amount_requested_pence=5000,
                                           summary="Bob Example (bob@example.org) runs it with Ann Other")
        live = applications.add_application(s, actor=ACTOR, fund=fund, organisation=org, contact=contact,
                                            title="New bid", amount_requested_pence=7000)
        do_transition(s, old, "submitted", actor=ACTOR, at=datetime(2023, 5, 1))
        do_transition(s, old, "withdrawn", actor=ACTOR, reason="Bob Example rang 01632 960555 to withdraw",
                      at=datetime(2023, 5, 2))
        do_transition(s, live, "submitted", actor=ACTOR)
        s.add(Attachment(application_id=old.id, kind="other", filename="bank.pdf", media_type="application/pdf",
                         size_bytes=3, sha256="0" * 64, data=b"pdf", added_at=datetime(2023, 5, 1), added_by=ACTOR))
        old_id, live_id, other_id = old.id, live.id, other.id
        uow.commit()

    plan = retention_plan(db, "RET", date(2025, 6, 1))
    assert [(r.kind, r.application_id, r.held_until) for r in plan.due] == [(UNSUCCESSFUL, old_id, date(2025, 5, 2))]
    run = run_retention(db, "RET", as_of=date(2025, 6, 1), actor=ACTOR)
    assert (run.erased.contacts, run.erased.documents) == (1, 1)
    with db.session() as s:
        old, live = s.get(Application, old_id), s.get(Application, live_id)
        assert old.erased_at is not None and live.erased_at is None
        assert s.get(Contact, other_id).name == REMOVED and s.get(Contact, other_id).email == ""
        assert live.contact.name == "Ann Other" and live.contact.email == "ann@example.org"  # still needed
        assert old.summary == "[removed] ([removed]) runs it with [removed]"
        assert old.history[-1].reason == "[removed] rang [removed] to withdraw"
        assert old.organisation.name == "Testville Lunch Club"  # a registered charity's name is public


def test_the_periods_are_the_funds_own_and_changing_them_is_audited(db):
    build_fund(db, "RET")
    got = set_retention_periods(db, "RET", unsuccessful_years=3, award_years=7, draft_years=2, actor=ACTOR)
    assert got == RetentionPeriods(3, 7, 2) and retention_plan(db, "RET", FAR).periods == got
    with pytest.raises(SettingError, match="retention_award_years"):
        set_retention_periods(db, "RET", unsuccessful_years=3, award_years=0, draft_years=2, actor=ACTOR)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "fund.retention")) == 1
