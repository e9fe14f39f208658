"""``bulk.insert_with_ids``: many rows in one executemany, their ids in the rows' order."""

from sqlalchemy import event, select

from grantdesk.services.bulk import insert_with_ids
from grantdesk.services.common import utcnow
from grantdesk.store.models import Organisation


def org(name):
    return dict(name=name, name_key=name.casefold(), org_type="community_group", charity_number=None,
                company_number=None, org_id=None, address="", postcode="", website="", created_at=utcnow())


def test_a_thousand_rows_go_in_with_one_statement_and_each_id_is_its_rows(db):
    statements = []
    listener = lambda *args, **kw: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with db.unit_of_work() as uow:
            first = insert_with_ids(uow.session, Organisation, [org("Existing Group")])
            ids = insert_with_ids(uow.session, Organisation, [org(f"Group {n}") for n in range(1000)])
            uow.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 2  # not one a row
    assert ids == list(range(first[0] + 1, first[0] + 1001))
    with db.unit_of_work() as uow:
        named = dict(uow.session.execute(select(Organisation.id, Organisation.name)).all())
    assert all(named[i] == f"Group {n}" for n, i in enumerate(ids)) and named[first[0]] == "Existing Group"
    with db.unit_of_work() as uow:
        assert insert_with_ids(uow.session, Organisation, []) == []
