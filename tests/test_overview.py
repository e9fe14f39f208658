"""The first screen's reads (grantdesk.services.overview): plain SQL through SQLAlchemy Core, no ORM.

An ORM reading of the same sample database is the oracle: every fund, every list row and every
application's detail must say exactly what the mapped objects say."""

import os
import subprocess
import sys

from sqlalchemy import select

from grantdesk.domain.workflow import Status, allowed_next
from grantdesk.services import overview
from grantdesk.domain.dates import financial_year_bounds, financial_year_of
from grantdesk.domain.eligibility import ApplicationFacts, FundRules, evaluate
from grantdesk.store.models import Application, Area, Attachment, Award, EligibilityOverride, Fund, FundArea, Round


def _eligibility_the_orm_way(s, app):
    """The oracle: the eligibility report as GrantDesk worked it out from mapped objects before the
    first screen was read without the ORM."""
    fund = app.fund
    settings = fund.settings or {}
    allowed = settings.get("allowed_org_types")
    rules = FundRules(
        min_amount_pence=fund.min_amount_pence, max_amount_pence=fund.max_amount_pence,
        area_names=frozenset(s.scalars(select(Area.name).join(FundArea).where(FundArea.fund_id == fund.id))),
        allowed_org_types=frozenset(allowed) if allowed else None,
        required_attachments=tuple(settings.get("required_attachments", ())), currency=fund.currency)
    rnd = app.round
    year = rnd.financial_year if rnd else financial_year_of(app.submitted_on or app.created_at.date())
    start, end = financial_year_bounds(year - 1)
    last_year = s.scalars(
        select(Application.reference).join(Award, Award.application_id == Application.id)
        .outerjoin(Round, Round.id == Application.round_id)
        .where(Application.fund_id == app.fund_id, Application.organisation_id == app.organisation_id,
               Application.id != app.id,
               (Round.financial_year == year - 1) | (Round.id.is_(None) & Award.awarded_on.between(start, end)))
        .order_by(Application.reference)).all()
    facts = ApplicationFacts(
        amount_requested_pence=app.amount_requested_pence, area_name=app.area.name if app.area else None,
        organisation_type=app.organisation.org_type, submitted_on=app.submitted_on,
        round_name=rnd.name if rnd else None, round_opens_on=rnd.opens_on if rnd else None,
        round_closes_on=rnd.closes_on if rnd else None,
        attachment_kinds=frozenset(s.scalars(select(Attachment.kind).where(Attachment.application_id == app.id))),
        previous_year=year - 1, previous_awards=tuple(last_year))
    overrides = dict(s.execute(select(EligibilityOverride.rule, EligibilityOverride.reason)
                               .where(EligibilityOverride.application_id == app.id)).all())
    return evaluate(rules, facts, overrides)

FIRST_SCREEN = """
import sys
from grantdesk.config import database_location
from grantdesk.services.database import open_for_app
from grantdesk.services import overview
opened = open_for_app(database_location(sys.argv[1]))
funds = overview.list_funds(opened.db)
for fund in funds:
    overview.filter_options(opened.db, fund.code)
    rows = overview.list_application_rows(opened.db, fund.code)
    for row in rows[:5]:
        overview.get_application(opened.db, row.id)
        overview.list_application_row(opened.db, row.id)
opened.db.close()
print(len(funds), sum(f.application_count for f in funds),
      " ".join(m for m in ("sqlalchemy.orm", "grantdesk.store.models", "babel", "alembic") if m in sys.modules) or "-")
"""


def test_the_first_screen_is_read_without_the_orm_babel_or_alembic(sample_path, sample_db):
    env = dict(os.environ)
    env.pop("GRANTDESK_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", FIRST_SCREEN, str(sample_path)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    funds, applications, loaded = done.stdout.split()
    with sample_db.session() as s:
        assert int(funds) == len(s.scalars(select(Fund)).all())
        assert int(applications) == len(s.scalars(select(Application)).all()) > 0
    assert loaded == "-"


def test_the_funds_and_rounds_are_what_the_mapped_objects_say(sample_db):
    funds = overview.list_funds(sample_db)
    with sample_db.session() as s:
        expected = s.scalars(select(Fund).order_by(Fund.name)).all()
        assert [f.code for f in funds] == [f.code for f in expected]
        for got, fund in zip(funds, expected, strict=True):
            assert (got.id, got.name, got.council, got.decision_model, got.currency, got.funder_org_id,
                    got.prefix_360g, got.default_language, got.bilingual_letters) == (
                fund.id, fund.name, fund.council, fund.decision_model, fund.currency, fund.funder_org_id,
                fund.prefix_360g, fund.default_language, fund.bilingual_letters)
            apps = s.scalars(select(Application).where(Application.fund_id == fund.id)).all()
            assert got.application_count == len(apps)
            rounds = s.scalars(select(Round).where(Round.fund_id == fund.id)
                               .order_by(Round.opens_on.desc(), Round.name)).all()
            assert [(r.id, r.name, r.financial_year, r.opens_on, r.closes_on, r.decision_on, r.spend_by,
                     r.budget_pence, r.application_count) for r in got.rounds] == [
                (r.id, r.name, r.financial_year, r.opens_on, r.closes_on, r.decision_on, r.spend_by, r.budget_pence,
                 sum(1 for a in apps if a.round_id == r.id)) for r in rounds]


def _vary(db):
    """Give the sample funds what they lack: a document, an officer's override, a past award to the same
    group with no round (as imported grants have), and an application with no contact."""
    from datetime import timedelta

    from grantdesk.services.attachments import add_attachment
    from grantdesk.services.eligibility import override_rule

    rows = overview.list_application_rows(db, "PHP")
    add_attachment(db, rows[0].id, "constitution.pdf", b"%PDF-1.4 constitution", kind="constitution")
    failing = next(r for f in overview.list_funds(db) for r in overview.list_application_rows(db, f.code)
                   if overview.get_application(db, r.id).eligibility.failures)
    rule = overview.get_application(db, failing.id).eligibility.failures[0].rule
    override_rule(db, failing.id, rule, "The panel agreed this group serves the ward from next door.")
    with db.session() as s:
        awarded = s.scalars(select(Application).join(Award).where(Application.round_id.is_not(None))).first()
        later = s.scalars(select(Application).where(Application.fund_id == awarded.fund_id,
                                                    Application.id != awarded.id)).first()
        later_year = later.round.financial_year
        award = s.scalar(select(Award).where(Award.application_id == awarded.id))
        start, _end = financial_year_bounds(later_year - 1)
        award.awarded_on = start + timedelta(days=40)
        awarded.round_id = None
        later.organisation_id = awarded.organisation_id
        later.contact_id = None
        s.commit()
    return failing.id, later.id


def test_every_list_row_and_detail_is_what_the_mapped_objects_say(sample_db):
    overridden, repeat = _vary(sample_db)
    seen = 0
    for fund in overview.list_funds(sample_db):
        rows = overview.list_application_rows(sample_db, fund.code)
        assert [r.reference for r in rows] == sorted(r.reference for r in rows)
        with sample_db.session() as s:
            for row in rows:
                app = s.get(Application, row.id)
                award = s.scalar(select(Award).where(Award.application_id == app.id))
                assert row == (app.id, app.reference, app.title, app.status, app.amount_requested_pence,
                               app.organisation.name, app.area.name if app.area else None, app.submitted_on,
                               app.round_id, app.area_id)
                assert overview.list_application_row(sample_db, row.id) == row
                detail = overview.get_application(sample_db, row.id)
                d = detail.row
                assert (d.id, d.reference, d.fund, d.round, d.status, d.title, d.summary, d.organisation,
                        d.organisation_type, d.charity_number, d.company_number, d.contact_name, d.contact_email,
                        d.contact_language, d.amount_requested_pence, d.area, d.project_start, d.project_end,
                        d.submitted_on, d.created_at, d.updated_at) == (
                    app.id, app.reference, app.fund.code, app.round.name if app.round else None, app.status,
                    app.title, app.summary, app.organisation.name, app.organisation.org_type,
                    app.organisation.charity_number, app.organisation.company_number,
                    app.contact.name if app.contact else None, app.contact.email if app.contact else None,
                    app.contact.letter_language if app.contact else None, app.amount_requested_pence,
                    app.area.name if app.area else None, app.project_start, app.project_end, app.submitted_on,
                    app.created_at, app.updated_at)
                assert detail.version == app.version
                assert detail.contact_phone == (app.contact.phone if app.contact else None)
                assert detail.org_id == app.organisation.org_id
                assert detail.answers == (app.answers or {})
                assert [(h.from_status, h.to_status, h.at, h.by, h.reason) for h in detail.history] == [
                    (h.from_status, h.to_status, h.at, h.by, h.reason) for h in app.history]
                assert (detail.award_pence, detail.awarded_on) == (
                    (award.amount_pence, award.awarded_on) if award else (None, None))
                assert detail.allowed_next == tuple(st.value for st in allowed_next(Status(app.status)))
                assert detail.eligibility == _eligibility_the_orm_way(s, app)
                seen += 1
    assert seen >= 20
    report = overview.get_application(sample_db, overridden).eligibility
    assert any(r.outcome.name == "OVERRIDDEN" for r in report.results)
    detail = overview.get_application(sample_db, repeat)
    assert detail.row.contact_name is None and detail.contact_phone is None
    assert [r.outcome.name for r in detail.eligibility.results if r.rule == "repeat_funding"] == ["FLAG"]
    assert [a.filename for a in overview.get_application(
        sample_db, overview.list_application_rows(sample_db, "PHP")[0].id).attachments] == ["constitution.pdf"]


def test_an_unknown_fund_is_refused_naming_the_funds_there_are(sample_db):
    import pytest

    from grantdesk.domain.errors import NotFound
    from grantdesk.services.common import fund_by_code

    with pytest.raises(NotFound) as core:
        overview.list_application_rows(sample_db, "nope")
    with sample_db.session() as s, pytest.raises(NotFound) as orm:
        fund_by_code(s, "nope")
    assert str(core.value) == str(orm.value) == \
        "There is no fund with code “nope”. Funds in this database: BBL, PHP, RHYL."
