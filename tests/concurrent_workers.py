"""What each of two real processes does in tests/test_working_at_once.py: open the database given by
URL, wait until the other process is ready too, then write. Each reports ``("ok", detail)`` or
``("error", text)`` on the queue. Run with the ``spawn`` start method: a fresh interpreter each."""

from __future__ import annotations

import os
import traceback


def _report(queue, fn) -> None:
    os.environ.setdefault("GRANTDESK_USER", "Test Officer")
    try:
        queue.put(("ok", fn()))
    except BaseException:  # noqa: BLE001 - the parent shows it
        queue.put(("error", traceback.format_exc()))


def import_file(url: str, fund: str, path: str, actor: str, barrier, queue) -> None:
    """Check a CSV of applications, wait for the other process, then import it."""

    def run():
        from grantdesk.config import database_location
        from grantdesk.io.tabular import read_table
        from grantdesk.services import imports
        from grantdesk.store.database import open_database

        with open_database(database_location(url)) as db:
            plan = imports.check_import(db, fund, read_table(path))
            assert plan.ok, plan.problems[:3]
            barrier.wait()
            return imports.run_import(db, plan, actor=actor).imported

    _report(queue, run)


def key_sheets(url: str, event_id: int, sheets: list[str], marks: list[str], keyer: str, barrier, queue) -> None:
    """Key every sheet once, as ``keyer``, with the same marks as the other process keys."""

    def run():
        from grantdesk.config import database_location
        from grantdesk.services import events
        from grantdesk.store.database import open_database
        from grantdesk.voting.ballots import CastBallot

        states = []
        with open_database(database_location(url)) as db:
            barrier.wait()
            for sheet in sheets:
                outcome = events.key_paper_ballot(db, event_id, sheet, CastBallot.marked("", *marks), entered_by=keyer)
                states.append(outcome.state)
        return states

    _report(queue, run)
