import pytest
from helpers import build_fund
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from grantdesk.domain.errors import InvalidTransition
from grantdesk.domain.workflow import Status
from grantdesk.services import applications
from grantdesk.store.models import Application, AuditEntry, StatusChange


def _count(db, model):
    with db.unit_of_work() as uow:
        return uow.session.scalar(select(func.count()).select_from(model))


def test_every_service_write_leaves_an_audit_entry_naming_the_actor(db):
    build_fund(db, applications_count=1)
    app_id = applications.list_applications(db, "TST")[0].id
    before = _count(db, AuditEntry)
    applications.transition_application(db, app_id, Status.SUBMITTED, actor="Priya Shah")
    assert _count(db, AuditEntry) == before + 1
    with db.unit_of_work() as uow:
        entry = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
            "Priya Shah", "application.transition", "application", app_id)
        assert entry.before == {"status": "draft"} and entry.after == {"status": "submitted"}
        assert "TST-2026-0001" in entry.summary


def test_a_refused_action_leaves_neither_a_change_nor_an_audit_entry(db):
    build_fund(db, applications_count=1)
    app_id = applications.list_applications(db, "TST")[0].id
    audits, changes = _count(db, AuditEntry), _count(db, StatusChange)
    with pytest.raises(InvalidTransition):
        applications.transition_application(db, app_id, Status.AWARDED)
    assert (_count(db, AuditEntry), _count(db, StatusChange)) == (audits, changes)
    assert applications.list_applications(db, "TST")[0].status == "draft"


def test_a_failure_after_the_audit_entry_is_written_rolls_both_back(db):
    build_fund(db, applications_count=1)
    audits = _count(db, AuditEntry)
    with db.unit_of_work() as uow:
        app = uow.session.scalar(select(Application))
        applications.do_transition(uow.session, app, Status.SUBMITTED, actor="x")
        uow.flush()
        # no commit: as if the program crashed here
    assert _count(db, AuditEntry) == audits
    assert applications.list_applications(db, "TST")[0].status == "draft"


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"])
def test_the_database_refuses_to_change_or_remove_audit_entries(db, statement):
    build_fund(db)
    with db.unit_of_work() as uow:
        with pytest.raises(IntegrityError, match="append-only"):
            uow.session.execute(text(statement))
    assert _count(db, AuditEntry) > 0
