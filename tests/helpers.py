"""Small builders for service tests: a fund with one round, area and organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from grantdesk.services import applications, funds, organisations
from grantdesk.store import schema
from grantdesk.store.database import Database, make_engine, run_migrations

ACTOR = "Test Officer"


@dataclass
class Built:
    fund_id: int
    round_id: int
    area_id: int
    organisation_id: int
    contact_id: int


def build_fund(db: Database, code: str = "TST", *, applications_count: int = 0) -> Built:
    with db.unit_of_work() as uow:
        s = uow.session
        fund = funds.add_fund(s, actor=ACTOR, code=code, name="Test Fund", council="Testshire County Council",
                              decision_model="member", funder_org_id="GB-LAE-TST")
        area = funds.add_area(s, fund=fund, name="Testville", kind="division", council=fund.council)
        rnd = funds.add_round(s, actor=ACTOR, fund=fund, name="2026–27", financial_year=2026,
                              opens_on=date(2026, 4, 1), closes_on=date(2026, 10, 31))
        org = organisations.find_or_add_organisation(s, actor=ACTOR, name="Testville Lunch Club",
                                                     org_type="registered_charity", charity_number="1100001")
        contact = organisations.find_or_add_contact(s, actor=ACTOR, organisation=org, name="Ann Other",
                                                    email="ann@example.org")
        for n in range(applications_count):
            applications.add_application(s, actor=ACTOR, fund=fund, organisation=org, contact=contact, round=rnd,
                                         area=area, title=f"Project {n + 1}", amount_requested_pence=10000 * (n + 1))
        uow.commit()
        return Built(fund.id, rnd.id, area.id, org.id, contact.id)


def make_older_database(path, revision="0001_core"):
    """A database as an older GrantDesk left it, with some real rows in it."""
    engine = make_engine(f"sqlite:///{path}")
    run_migrations(engine, revision)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO funds (id, code, name, council, currency, decision_model, description, default_language,"
            " bilingual_letters, settings, created_at) VALUES (1, 'OLD', 'Old Fund', 'Oldshire', 'GBP', 'member',"
            " '', 'en', 0, '{}', '2024-05-01 10:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO organisations (id, name, org_type, charity_number, address, postcode, website, created_at)"
            " VALUES (1, 'Oldtown Scouts', 'registered_charity', '1000001', '', '', '', '2024-05-01 10:00:00')"
        )
        conn.exec_driver_sql(
            "INSERT INTO applications (id, reference, fund_id, organisation_id, title, summary,"
            " amount_requested_pence, status, answers, created_at, updated_at, version)"
            " VALUES (1, 'OLD-2024-0001', 1, 1, 'New tents', 'Two tents', 123456, 'submitted', '{}',"
            " '2024-05-02 10:00:00', '2024-05-02 10:00:00', 1)"
        )
        if schema.REVISIONS.index(revision) >= schema.REVISIONS.index("0003_workspace"):
            conn.exec_driver_sql("UPDATE organisations SET name_key = 'oldtown scouts'")  # as 0003+ writes it
        conn.exec_driver_sql(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, summary)"
            " VALUES ('2024-05-02 10:00:00', 'old officer', 'application.create', 'application', 1, 'made')"
        )
    engine.dispose()


def opened_window(qtbot, path, fund_code: str | None = None, timeout: int = 30_000):
    """The main window on the database at ``path``, shown and fully loaded (funds, list, detail)."""
    from grantdesk.config import database_location
    from ui.main_window import MainWindow

    window = MainWindow(database_location(path), fund_code=fund_code)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.ready, timeout=timeout):
        window.start()
    return window


@dataclass
class BuiltVote:
    fund_code: str
    round_id: int
    application_ids: list[int]
    references: list[str]


def build_vote_fund(db: Database, code: str = "VOT", costs_pence=(300_000, 200_000, 150_000, 100_000),
                    budget_pence: int = 500_000) -> BuiltVote:
    """A fund with one round (budget ``budget_pence``) and one shortlisted application per cost."""
    from grantdesk.services.applications import do_transition

    with db.unit_of_work() as uow:
        s = uow.session
        fund = funds.add_fund(s, actor=ACTOR, code=code, name="Vote Fund", council="Testshire County Council",
                              decision_model="vote", funder_org_id="GB-LAE-TST")
        area = funds.add_area(s, fund=fund, name="Testville", kind="ward", council=fund.council)
        rnd = funds.add_round(s, actor=ACTOR, fund=fund, name="Community vote 2026", financial_year=2026,
                              opens_on=date(2026, 4, 1), closes_on=date(2026, 6, 30), budget_pence=budget_pence)
        org = organisations.find_or_add_organisation(s, actor=ACTOR, name="Testville Residents",
                                                     org_type="community_group")
        ids, refs = [], []
        for n, cost in enumerate(costs_pence):
            app = applications.add_application(s, actor=ACTOR, fund=fund, organisation=org, round=rnd, area=area,
                                               title=f"Idea {n + 1}", amount_requested_pence=cost,
                                               summary=f"What idea {n + 1} would do for the estate.")
            for target in ("submitted", "eligible", "shortlisted"):
                do_transition(s, app, target, actor=ACTOR)
            ids.append(app.id)
            refs.append(app.reference)
        uow.commit()
        return BuiltVote(code, rnd.id, ids, refs)
