"""Units of work: services compose into one transaction, and report what they changed."""

from __future__ import annotations

import pytest
from helpers import build_fund

from grantdesk.domain.changes import Changes, Kind
from grantdesk.domain.errors import ValidationError
from grantdesk.services.applications import list_applications, transition_application
from grantdesk.store import models
from grantdesk.store.unit_of_work import TABLE_KINDS, UnitOfWork, recording, transactional


def test_every_table_is_given_a_kind_of_change_or_left_out_on_purpose():
    assert set(TABLE_KINDS) == set(models.Base.metadata.tables)


def test_a_service_called_with_a_database_commits_and_reports_what_it_changed(db):
    built = build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")
    with recording() as record:
        transition_application(db, app.id, "submitted")
    assert record.commits == 1
    assert Kind.APPLICATIONS in record.changes.kinds and record.changes.applications == {app.id}
    assert list_applications(db, "TST")[0].status == "submitted"
    assert built.fund_id


def test_services_called_with_a_unit_of_work_share_its_one_transaction(db):
    build_fund(db, applications_count=2)
    first, second = list_applications(db, "TST")
    with recording() as record:
        with db.unit_of_work() as uow:
            transition_application(uow, first.id, "submitted")
            transition_application(uow, second.id, "submitted")
            assert record.commits == 0  # nothing is kept until whoever opened it commits
            uow.commit()
    assert record.commits == 1 and record.changes.applications == {first.id, second.id}
    assert {a.status for a in list_applications(db, "TST")} == {"submitted"}


def test_a_composite_action_that_fails_at_its_second_step_keeps_nothing(db):
    build_fund(db, applications_count=2)
    first, second = list_applications(db, "TST")

    @transactional
    def submit_both(uow: UnitOfWork, a: int, b: int) -> None:
        transition_application(uow, a, "submitted")
        transition_application(uow, b, "awarded")  # draft → awarded is refused

    with recording() as record, pytest.raises(Exception, match="cannot"):
        submit_both(db, first.id, second.id)
    assert record.commits == 0
    assert {a.status for a in list_applications(db, "TST")} == {"draft"}


def test_a_read_commits_nothing_and_reports_no_change(db):
    build_fund(db, applications_count=1)

    @transactional
    def count(uow: UnitOfWork) -> int:
        return len(uow.session.query(models.Application).all())

    with recording() as record:
        assert count(db) == 1
    assert record.commits == 0 and not record.changes


def test_bulk_statements_through_the_session_are_reported_as_every_application(db):
    from sqlalchemy import update

    build_fund(db, applications_count=3)

    @transactional
    def retitle(uow: UnitOfWork) -> None:
        uow.session.execute(update(models.Application).values(summary="Bulk"))

    with recording() as record:
        retitle(db)
    assert record.changes.every_application and Kind.APPLICATIONS in record.changes.kinds


def test_a_refusal_inside_a_service_rolls_back_what_it_had_written(db):
    build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")

    @transactional
    def submit_then_refuse(uow: UnitOfWork) -> None:
        transition_application(uow, app.id, "submitted")
        raise ValidationError("No.")

    with pytest.raises(ValidationError):
        submit_then_refuse(db)
    assert list_applications(db, "TST")[0].status == "draft"


def test_changes_merge_and_say_what_they_touch():
    a = Changes(frozenset({Kind.APPLICATIONS}), frozenset({1}), commits=1)
    b = Changes(frozenset({Kind.AWARDS}), frozenset({2}), every_application=True, commits=1)
    both = a | b
    assert both.kinds == {Kind.APPLICATIONS, Kind.AWARDS} and both.applications == {1, 2}
    assert both.every_application and both.commits == 2
    assert both.touches({Kind.AWARDS}) and not a.touches({Kind.EVENTS, Kind.PANELS})
    assert not Changes() and a


def test_a_row_changed_by_another_writer_meanwhile_is_a_refusal_and_nothing_is_written(db):
    from sqlalchemy import text

    from grantdesk.domain.errors import ChangedElsewhere

    build_fund(db, applications_count=1)
    [app] = list_applications(db, "TST")

    @transactional
    def retitle(uow: UnitOfWork) -> None:
        row = uow.session.get(models.Application, app.id)
        # the row's version moves on underneath the copy this session holds (as when another writer
        # saved first); SQLAlchemy's version check then finds no row to update
        uow.session.execute(text("UPDATE applications SET version = version + 1 WHERE id = :id"), {"id": app.id})
        row.title = "Mine"

    with pytest.raises(ChangedElsewhere) as refused:
        retitle(db)
    assert refused.value.problem.code == "record.changed_while_saving"
    assert list_applications(db, "TST")[0].title == app.title
