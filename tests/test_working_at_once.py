"""Working at once (issue 21.2): two real processes writing to one database at the same moment,
on SQLite and on PostgreSQL, neither deadlock nor lose a write. SQLite writers begin IMMEDIATE and
PostgreSQL writers take one advisory lock first (grantdesk.store.unit_of_work), so writers take turns
and each reads what the one before committed."""

from __future__ import annotations

import multiprocessing

import concurrent_workers
from helpers import build_fund, build_vote_fund
from sqlalchemy import func, select
from test_events import _approval
from test_import import csv_file, generated_rows

from grantdesk.services import events
from grantdesk.store.models import Application, AuditEntry, CastBallotRow, PaperEntry

GUARD_S = 180  # a process still running after this is a deadlock: the test fails rather than hang


def _run_two(target, args_a: tuple, args_b: tuple) -> list:
    """Start two processes on ``target`` that meet at a barrier before writing; their results."""
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, barrier, queue)) for args in (args_a, args_b)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=GUARD_S) for _ in procs]
    for p in procs:
        p.join(GUARD_S)
        assert not p.is_alive(), "a writer never finished: deadlock"
    errors = [text for kind, text in results if kind == "error"]
    assert not errors, "\n".join(errors)
    return [value for _, value in results]


def test_two_processes_importing_at_once_keep_every_row_and_share_no_reference(engine_db, tmp_path):
    build_fund(engine_db, applications_count=1)  # TST-2026-0001 taken
    rows_a = [r[:5] + [f"A {r[5]}"] + r[6:] for r in generated_rows(400)]
    rows_b = [[f"Other {r[0]}"] + r[1:5] + [f"B {r[5]}"] + r[6:] for r in generated_rows(400)]
    file_a, file_b = csv_file(tmp_path, rows_a, name="a.csv"), csv_file(tmp_path, rows_b, name="b.csv")
    url = engine_db.location.url

    imported = _run_two(concurrent_workers.import_file, (url, "TST", str(file_a), "Officer A"),
                        (url, "TST", str(file_b), "Officer B"))

    assert imported == [400, 400]
    with engine_db.session() as s:
        refs = s.scalars(select(Application.reference)).all()
        titles = s.scalars(select(Application.title)).all()
        assert sorted(refs) == [f"TST-2026-{n:04d}" for n in range(1, 802)]  # none shared, none skipped
        assert {t for t in titles if t.startswith("A ")} == {f"A Project {i}" for i in range(400)}
        assert {t for t in titles if t.startswith("B ")} == {f"B Project {i}" for i in range(400)}
        actors = s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "application.import")).all()
        assert sorted(actors) == ["Officer A", "Officer B"]


def test_two_volunteers_keying_the_same_sheets_at_once_count_each_sheet_once(engine_db):
    vote = build_vote_fund(engine_db)
    event_id = events.create_event(engine_db, vote.fund_code, _approval(vote))
    sheets = [str(n) for n in range(1, 41)]
    marks = [vote.references[0], vote.references[2]]
    url = engine_db.location.url

    states = _run_two(concurrent_workers.key_sheets, (url, event_id, sheets, marks, "Volunteer A"),
                      (url, event_id, sheets, marks, "Volunteer B"))

    # each sheet: one process's keying came first (waiting), the other's second (counted)
    for n in range(len(sheets)):
        assert sorted([states[0][n], states[1][n]]) == ["counted", "waiting"]
    with engine_db.session() as s:
        counted = s.scalars(select(CastBallotRow.paper_sheet).where(CastBallotRow.event_id == event_id)).all()
        assert sorted(counted, key=int) == sheets
        keyed = s.execute(select(PaperEntry.sheet, func.count(), func.count(func.distinct(PaperEntry.entered_by)))
                          .group_by(PaperEntry.sheet)).all()
        assert {(sheet, n, people) for sheet, n, people in keyed} == {(sheet, 2, 2) for sheet in sheets}
