"""A fund with 100,000 applications: the real model (and the real window) sort and filter it."""

import random
from datetime import date, datetime, timedelta

import pytest
from helpers import build_fund, opened_window
from PySide6.QtCore import QPoint, Qt
from sqlalchemy import insert, select

from grantdesk.config import database_location
from grantdesk.services.applications import list_application_rows
from grantdesk.store.database import open_database
from grantdesk.store.models import Application, Area, Organisation, Round
from ui.models import ApplicationsTableModel as M
from ui.models import ListFilter, prepare_rows

pytestmark = pytest.mark.slow  # 100,000 applications: ~3 s to build, ~1 s a test

N = 100_000
WORDS = "community garden lunch club youth football choir repair roof minibus trip art class tŷ café".split()


@pytest.fixture(scope="module")
def big_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "big.db"
    db = open_database(database_location(path), create=True)
    build_fund(db)
    rng = random.Random(2026)
    with db.unit_of_work() as uow:
        s = uow.session
        fund_id = s.scalar(select(Round.fund_id))
        round_id = s.scalar(select(Round.id))
        area_id = s.scalar(select(Area.id))
        orgs = [dict(name=f"Group {i}", name_key=f"group {i}", org_type="community_group", address="", postcode="",
                     website="", created_at=datetime(2026, 4, 1)) for i in range(2000)]
        s.execute(insert(Organisation.__table__), orgs)
        org_ids = s.scalars(select(Organisation.id)).all()
        statuses = ["draft", "submitted", "eligible", "shortlisted", "awarded", "declined"]
        rows = [dict(reference=f"TST-2026-{i:06d}", fund_id=fund_id, round_id=round_id, organisation_id=rng.choice(org_ids),
                     contact_id=None, area_id=area_id if i % 3 else None,
                     title=" ".join(rng.sample(WORDS, 4)).capitalize(), summary="",
                     amount_requested_pence=rng.choice([rng.randint(1, 500_000) * 100, rng.randint(1, 10**11)]),
                     project_start=None, project_end=None,
                     submitted_on=(date(2026, 4, 1) + timedelta(days=rng.randint(0, 200))) if i % 7 else None,
                     status=rng.choice(statuses), answers={}, created_at=datetime(2026, 4, 1),
                     updated_at=datetime(2026, 4, 1), version=1) for i in range(N)]
        s.execute(insert(Application.__table__), rows)
        uow.commit()
    db.close()
    return path


@pytest.fixture(scope="module")
def rows(big_path):
    db = open_database(database_location(big_path))
    try:
        return list_application_rows(db, "TST")
    finally:
        db.close()


def view(model):
    return [model.row_at(i) for i in range(model.rowCount())]


KEYS = {
    M.REFERENCE: lambda r: r.reference.casefold(),
    M.TITLE: lambda r: r.title.casefold(),
    M.STATUS: lambda r: ["draft", "submitted", "returned", "eligible", "ineligible", "shortlisted", "awarded",
                         "declined", "deferred", "withdrawn"].index(r.status),
    M.REQUESTED: lambda r: r.amount_requested_pence,
    M.ORGANISATION: lambda r: r.organisation.casefold(),
    M.AREA: lambda r: (r.area or "").casefold(),
    M.SUBMITTED: lambda r: r.submitted_on or date.max,
}


def test_the_list_of_100000_sorts_by_every_column_through_the_model(qapp, rows):
    assert len(rows) == N
    model = M()
    model.set_prepared(prepare_rows(rows))
    assert model.rowCount() == N
    for column, key in KEYS.items():
        model.sort(column, Qt.SortOrder.AscendingOrder)
        keys = [key(r) for r in view(model)]
        assert keys == sorted(keys), M.HEADERS[column]
    model.sort(M.REQUESTED, Qt.SortOrder.DescendingOrder)
    amounts = [r.amount_requested_pence for r in view(model)]
    assert amounts == sorted(amounts, reverse=True) and amounts[0] > 2**31  # beyond Qt's 32-bit ints


def test_the_list_of_100000_filters_by_text_status_and_area_through_the_model(qapp, rows):
    model = M()
    model.set_prepared(prepare_rows(rows))
    model.sort(M.TITLE)
    model.set_filter_text("GARDEN")
    expected = [r.id for r in rows if "garden" in f"{r.reference}\n{r.title}\n{r.organisation}".casefold()]
    assert model.rowCount() == len(expected) and 0 < len(expected) < N
    assert sorted(r.id for r in view(model)) == sorted(expected)
    titles = [r.title.casefold() for r in view(model)]
    assert titles == sorted(titles)  # the filter keeps the sort
    model.set_filter(ListFilter("tŷ", frozenset({"awarded", "shortlisted"}), "Testville"))
    assert {r.status for r in view(model)} == {"awarded", "shortlisted"}
    assert all(r.area == "Testville" and "tŷ" in r.title.casefold() for r in view(model))
    assert model.rowCount() == sum(1 for r in rows if r.status in ("awarded", "shortlisted")
                                   and r.area == "Testville" and "tŷ" in r.title.casefold())
    model.set_filter(ListFilter())
    assert model.rowCount() == N


def test_an_edit_updates_one_row_of_100000_without_resetting_the_list(qapp, rows, qtbot):
    model = M()
    model.set_prepared(prepare_rows(rows))
    target = rows[54321]
    changed = target._replace(title="Renamed project", status="eligible")
    with qtbot.assertNotEmitted(model.modelReset):
        with qtbot.waitSignal(model.dataChanged):
            view_row = model.upsert_row(changed)
    assert model.row_at(view_row).title == "Renamed project"
    assert model.index(view_row, M.STATUS).data() == "Eligible"


def test_the_window_opens_sorts_and_filters_100000_applications(qtbot, big_path):
    window = opened_window(qtbot, big_path, "TST", timeout=60_000)
    assert window.app_model.total_count == N
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(M.REQUESTED) + 10
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    first, second = window.app_model.row_at(0), window.app_model.row_at(1)
    assert first.amount_requested_pence <= second.amount_requested_pence
    window.filter_edit.setFocus()
    qtbot.keyClicks(window.filter_edit, "minibus")
    assert 0 < window.app_model.rowCount() < N
    assert "of 100,000 applications shown" in window.count_label.text()
