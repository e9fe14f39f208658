"""Issue 19's Done when: nothing GrantDesk stores or exports links a voter's receipt, code or moment
of voting to their choices — the stored rows, the stored order over a few hundred ballots, every
export (PaBuLib, the results sheet, the receipts list, ``events list --json``), the audit log and a
database upgraded from before — and a voter can still find their receipt in the published list.

Random keys come from ``secrets`` (they must not be predictable), so the order tests do not fix
them: they allow a departure from "no order at all" many standard deviations wide, which a random
permutation of 300 exceeds with a chance far below one in a billion."""

from __future__ import annotations

import csv
import io
import json
import random
import sqlite3
from datetime import datetime

import pytest
from helpers import build_vote_fund
from pypdf import PdfReader
from sqlalchemy import select

from grantdesk.cli import main
from grantdesk.config import database_location
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.store.database import make_engine, open_database
from grantdesk.store.models import AuditEntry
from grantdesk.voting.ballots import CastBallot
from grantdesk.voting.pabulib import read_pb

BALLOTS = 300
SEED = 19
COSTS = (300_000, 200_000, 150_000, 100_000, 90_000, 80_000, 70_000, 60_000, 50_000)  # 511 different ballots
BALLOT_COLUMNS = {"id", "event_id", "source", "choices", "points", "spoilt_reason", "paper_sheet"}


def _kendall_tau(order: list[int]) -> float:
    """Kendall's tau between positions and ``order``'s values (all distinct): 1 sorted, -1 reversed,
    about 0 (standard deviation about 0.04 for 300) for no order at all."""
    n = len(order)
    concordant = sum(1 for i in range(n) for j in range(i + 1, n) if order[i] < order[j])
    pairs = n * (n - 1) // 2
    return (2 * concordant - pairs) / pairs


def _no_order(order: list[int]) -> None:
    """``order`` (the cast positions, read in stored order) is not the cast order nor near it: Kendall's
    tau within 0.25 of 0 (six standard deviations) and about half the steps go up (within eight)."""
    n = len(order)
    assert n >= 100 and len(set(order)) == n
    assert abs(_kendall_tau(order)) < 0.25
    ascents = sum(1 for a, b in zip(order, order[1:], strict=False) if a < b)
    assert abs(ascents - (n - 1) / 2) < 8 * ((n + 1) / 12) ** 0.5


@pytest.fixture
def vote(db):
    return build_vote_fund(db, costs_pence=COSTS, budget_pence=600_000)


@pytest.fixture
def cast(db, vote, location):
    """An approval vote with 300 kiosk ballots, no two alike (so each can be told apart in an export),
    cast one by one through the service (marks from a fixed seed) and two paper sheets keyed twice; for each kiosk ballot in cast order: its code, receipt,
    marks, and the key of the ballot row it became and of its receipt row (found as the row each cast
    added)."""
    rng = random.Random(SEED)
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Secret vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": len(COSTS)}, rule="greedy", kiosk_pin="2468"))
    codes = events.issue_codes(db, event_id, BALLOTS)
    made = []
    with sqlite3.connect(location.path) as conn:
        seen_ballots: set[int] = set()
        seen_receipts: set[int] = set()
        for code, subset in zip(codes, rng.sample(range(1, 1 << len(COSTS)), BALLOTS), strict=True):
            marks = tuple(r for n, r in enumerate(vote.references) if subset >> n & 1)
            receipt = events.cast_ballot(db, event_id, code, CastBallot.marked("", *marks))
            [ballot_key] = {k for (k,) in conn.execute("SELECT id FROM ballots")} - seen_ballots
            [receipt_key] = {k for (k,) in conn.execute("SELECT id FROM receipts")} - seen_receipts
            seen_ballots.add(ballot_key)
            seen_receipts.add(receipt_key)
            made.append({"code": events.normalise_code(code), "receipt": receipt, "marks": marks,
                         "ballot_key": ballot_key, "receipt_key": receipt_key})
    for by in ("Volunteer A", "Volunteer B"):
        events.key_paper_ballot(db, event_id, "1", CastBallot.marked("", vote.references[0]), entered_by=by)
        events.key_paper_ballot(db, event_id, "2", spoilt_reason="unreadable", entered_by=by)
    return event_id, made


def _cast_positions(location, table: str, key: str, made: list[dict], by: str) -> list[int]:
    position = {m[key]: n for n, m in enumerate(made)}
    with sqlite3.connect(location.path) as conn:
        return [position[k] for (k,) in conn.execute(f"SELECT id FROM {table} WHERE source = 'kiosk' ORDER BY {by}")] \
            if table == "ballots" else \
            [position[k] for (k,) in conn.execute(f"SELECT id FROM {table} ORDER BY {by}")]


# --- the stored rows ---------------------------------------------------------------------------------


def test_stored_order_is_not_cast_order_by_key_by_rowid_or_as_read(cast, location):
    event_id, made = cast
    with sqlite3.connect(location.path) as conn:
        assert all(rowid == key for rowid, key in conn.execute("SELECT rowid, id FROM ballots"))  # one and the same
        assert all(rowid == key for rowid, key in conn.execute("SELECT rowid, id FROM receipts"))
    for by in ("id", "rowid"):
        _no_order(_cast_positions(location, "ballots", "ballot_key", made, by))
        _no_order(_cast_positions(location, "receipts", "receipt_key", made, by))
    with sqlite3.connect(location.path) as conn:  # a plain read, in whatever order SQLite gives
        plain = [k for (k,) in conn.execute("SELECT id FROM ballots WHERE source = 'kiosk'")]
    position = {m["ballot_key"]: n for n, m in enumerate(made)}
    _no_order([position[k] for k in plain])
    # and a receipt's key says nothing of its ballot's: the two orders are unrelated
    receipt_rank = {m["receipt_key"]: n for n, m in enumerate(sorted(made, key=lambda m: m["receipt_key"]))}
    _no_order([receipt_rank[m["receipt_key"]] for m in sorted(made, key=lambda m: m["ballot_key"])])


def test_no_ballot_row_holds_a_receipt_a_code_or_a_time(cast, location):
    event_id, made = cast
    with sqlite3.connect(location.path) as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(ballots)")}
        rows = conn.execute("SELECT * FROM ballots").fetchall()
        receipt_columns = {r[1] for r in conn.execute("PRAGMA table_info(receipts)")}
    assert columns == BALLOT_COLUMNS
    assert receipt_columns == {"id", "event_id", "receipt", "digest"}  # no ballot, code or time
    assert len(rows) == BALLOTS + 2
    secrets_ = {m["receipt"] for m in made} | {m["code"] for m in made}
    for row in rows:
        for value in row:
            text = str(value)
            assert not any(s in text for s in secrets_)
            if isinstance(value, str):
                with pytest.raises(ValueError):
                    datetime.fromisoformat(value)


def test_paper_ballots_get_no_receipt(cast, location):
    event_id, made = cast
    with sqlite3.connect(location.path) as conn:
        assert conn.execute("SELECT count(*) FROM receipts").fetchone()[0] == BALLOTS
        assert conn.execute("SELECT count(*) FROM ballots WHERE source = 'paper'").fetchone()[0] == 2


# --- every export --------------------------------------------------------------------------------------


def _assert_holds_none(text: str, made: list[dict]) -> None:
    for m in made:
        assert m["receipt"] not in text and m["code"] not in text and events.format_code(m["code"]) not in text


def test_the_pabulib_export_numbers_voters_1_to_n_in_no_cast_order_and_holds_no_receipt_or_code(db, cast, tmp_path):
    event_id, made = cast
    path = events.export_pabulib(db, event_id, tmp_path / "vote.pb")
    text = path.read_text(encoding="utf-8")
    _assert_holds_none(text, made)
    election = read_pb(path)
    assert [b.voter_id for b in election.ballots] == [str(n) for n in range(1, len(election.ballots) + 1)]
    assert len(election.ballots) == BALLOTS + 1  # the counted paper ballot too; the spoilt one is not counted
    # Which cast each exported ballot was (no two kiosk ballots are alike; the paper ballot's marks
    # and any kiosk ballot like it are left out).
    ids = election.project_ids
    paper = (events.get_event(db, event_id).projects[0].reference,)
    cast_at = {tuple(sorted(m["marks"])): n for n, m in enumerate(made) if m["marks"] != paper}
    order = [cast_at[marks] for b in election.ballots if (marks := tuple(sorted(ids[i] for i in b.projects))) in cast_at]
    assert len(order) >= BALLOTS - 1
    _no_order(order)
    # the same event exports the same file again (the shuffle is seeded from the event's secret)
    assert events.export_pabulib(db, event_id, tmp_path / "again.pb").read_text(encoding="utf-8") == text


def test_the_export_still_counts_as_the_event_counts(db, cast, tmp_path, capsys):
    event_id, _made = cast
    path = events.export_pabulib(db, event_id, tmp_path / "vote.pb")
    capsys.readouterr()
    assert main(["tally", str(path), "--rule", "greedy", "--json"]) == 0
    tallied = json.loads(capsys.readouterr().out)
    assert tuple(tallied["selected"]) == events.event_results(db, event_id).allocation.selected


def test_the_results_sheet_and_the_events_list_hold_no_receipt_or_code(db, vote, cast, location, capsys):
    from grantdesk.reports.results_sheet import results_sheet_pdf

    event_id, made = cast
    out = io.BytesIO()
    results_sheet_pdf(events.event_results(db, event_id), out)
    _assert_holds_none(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.getvalue())).pages), made)
    capsys.readouterr()
    assert main(["events", "list", "--fund", vote.fund_code, "--json", "--db", str(location.path)]) == 0
    _assert_holds_none(capsys.readouterr().out, made)
    tally = events.event_results(db, event_id).tally
    assert {voter for voter, _ in tally.spoilt} <= {str(n) for n in range(1, BALLOTS + 3)}


# --- check my vote was counted ---------------------------------------------------------------------------


def test_the_published_receipts_list_every_counted_receipt_sorted_and_nothing_else(db, cast, tmp_path, location,
                                                                                      capsys):
    event_id, made = cast
    out = tmp_path / "receipts.csv"
    assert main(["events", "receipts", str(event_id), "--out", str(out), "--db", str(location.path)]) == 0
    assert f"the {BALLOTS} receipts counted" in capsys.readouterr().out
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["receipt"] and all(len(r) == 1 for r in rows)
    listed = [r[0] for r in rows[1:]]
    assert listed == sorted(m["receipt"] for m in made)
    mine = made[123]["receipt"]  # a voter finds theirs
    assert mine in listed
    pdf = tmp_path / "receipts.pdf"
    assert main(["events", "receipts", str(event_id), "--out", str(pdf), "--db", str(location.path)]) == 0
    text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    missing = [m["receipt"] for m in made if m["receipt"] not in text]
    assert not missing, text[:2000]
    assert "Secret vote" in text and "not how anyone voted" in text
    for ref in events.get_event(db, event_id).projects:
        assert ref.reference not in text and ref.title not in text  # no choices
    assert not any(m["code"] in text for m in made)
    assert not list(tmp_path.glob("*.part"))
    assert main(["events", "receipts", str(event_id), "--out", str(tmp_path / "r.txt"),
                 "--db", str(location.path)]) == 1
    assert ".csv or a .pdf" in capsys.readouterr().err


def test_check_receipt_finds_a_counted_receipt_and_not_an_invented_one(db, cast, location, capsys):
    event_id, made = cast
    mine = made[7]["receipt"]
    assert events.check_receipt(db, event_id, mine)
    assert events.check_receipt(db, event_id, f" {mine[:3].lower()} {mine[3:].lower()} ")
    invented = next(r for r in ("ZZZZZZ", "222222", "ABCDEF", "XYZ234") if r not in {m["receipt"] for m in made})
    assert not events.check_receipt(db, event_id, invented)
    capsys.readouterr()
    assert main(["events", "check-receipt", str(event_id), mine, "--db", str(location.path)]) == 0
    assert "Counted" in capsys.readouterr().out
    assert main(["events", "check-receipt", str(event_id), invented, "--db", str(location.path)]) == 1
    assert "Not found" in capsys.readouterr().out


def test_the_kiosk_receipt_screen_says_how_to_check(qtbot, db, vote, runner):
    from PySide6.QtWidgets import QLabel

    from ui.kiosk import KioskWindow

    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Kiosk vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": 2}, rule="greedy", kiosk_pin="2468"))
    kiosk = KioskWindow(db, runner, event_id)
    qtbot.addWidget(kiosk)
    texts = " ".join(label.text() for label in kiosk.findChildren(QLabel))
    assert "check your vote was counted" in texts and "does not show how you voted" in texts


# --- the audit --------------------------------------------------------------------------------------------


def test_each_cast_ballot_is_audited_as_cast_and_nothing_more(db, cast):
    event_id, made = cast
    with db.session() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "event.ballot_cast")).all()
        assert len(entries) == BALLOTS
        refs = [p.reference for p in events.get_event(db, event_id).projects]
        keys = {str(m["ballot_key"]) for m in made} | {str(m["receipt_key"]) for m in made}
        for entry in entries:
            assert (entry.entity, entry.entity_id, entry.actor) == ("voting_event", event_id, "Kiosk")
            assert entry.before is None and entry.after is None
            words = entry.summary
            assert not any(r in words for r in refs)
            assert not any(m["receipt"] in words or m["code"] in words for m in made)
            assert not any(k in words for k in keys)


# --- a database from before ---------------------------------------------------------------------------------


def test_upgrading_a_database_with_ballots_keeps_every_ballot_and_the_result_and_moves_the_receipts(
        tmp_path, vote, db, location):
    """A database as 0008 left it: ballots in cast order (ids 1, 2, …) with their receipts on them —
    kiosk receipts, an imported ballot's I-number and a paper ballot's. Opened, it is upgraded: the
    same ballots and the same result, the kiosk receipts (only) in the receipts table, the ballots
    re-keyed at random, and the receipt column gone."""
    from alembic import command

    from grantdesk.store.migrate import alembic_config

    rng = random.Random(SEED)
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Old vote", round_id=vote.round_id, application_ids=tuple(vote.application_ids),
        ballot_kind="approval", ballot_settings={"max_choices": 3}, rule="greedy", kiosk_pin="2468"))
    for code in events.issue_codes(db, event_id, 60):
        events.cast_ballot(db, event_id, code, CastBallot.marked("", *rng.sample(vote.references, rng.randint(1, 3))))
    for by in ("Volunteer A", "Volunteer B"):
        events.key_paper_ballot(db, event_id, "1", CastBallot.marked("", vote.references[1]), entered_by=by)
        events.key_paper_ballot(db, event_id, "2", spoilt_reason="torn", entered_by=by)
    before = events.event_results(db, event_id)
    db.close()
    engine = make_engine(f"sqlite:///{location.path}")
    with engine.connect() as conn:
        conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        command.downgrade(alembic_config(conn), "0008_import_keys")
        conn.commit()
    engine.dispose()
    with sqlite3.connect(location.path) as conn:  # as 0008 kept them: ids in cast order, receipts on the rows
        keys = [k for (k,) in conn.execute("SELECT id FROM ballots ORDER BY id")]
        for n, key in enumerate(keys, start=1):
            conn.execute("UPDATE ballots SET id = ? WHERE id = ?", (-n, key))
        for n in range(1, len(keys) + 1):
            conn.execute("UPDATE ballots SET id = ? WHERE id = ?", (n, -n))
        kiosk = [k for (k,) in conn.execute("SELECT id FROM ballots WHERE source = 'kiosk' ORDER BY id")]
        old_receipts = [f"K{n:05d}" for n in range(len(kiosk) - 1)]
        for key, receipt in zip(kiosk, [*old_receipts, "I0000001"], strict=True):
            conn.execute("UPDATE ballots SET receipt = ? WHERE id = ?", (receipt, key))
        conn.execute("UPDATE ballots SET receipt = 'PAPER1' WHERE source = 'paper' AND spoilt_reason IS NULL")
        conn.execute("UPDATE ballots SET receipt = 'PAPER2' WHERE source = 'paper' AND spoilt_reason IS NOT NULL")
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0008_import_keys"
        count = conn.execute("SELECT count(*) FROM ballots").fetchone()[0]
    upgraded = open_database(database_location(location.path))
    try:
        after = events.event_results(upgraded, event_id)
        with sqlite3.connect(location.path) as conn:
            columns = {r[1] for r in conn.execute("PRAGMA table_info(ballots)")}
            keys = [k for (k,) in conn.execute("SELECT id FROM ballots ORDER BY id")]
            receipts = sorted(r for (r,) in conn.execute("SELECT receipt FROM receipts"))
            [secret] = [s for (s,) in conn.execute("SELECT ballot_secret FROM voting_events")]
        assert columns == BALLOT_COLUMNS
        assert len(keys) == count == 62 and set(keys).isdisjoint(range(1, count + 1))
        assert receipts == sorted(old_receipts)  # not the imported I-number, not the paper ballots'
        assert len(secret) == 64 and int(secret, 16) >= 0
        assert events.check_receipt(upgraded, event_id, old_receipts[5])
        assert not events.check_receipt(upgraded, event_id, "I0000001")
        assert (after.tally.cast, after.tally.accepted, after.tally.spoilt_count) == (
            before.tally.cast, before.tally.accepted, before.tally.spoilt_count)
        assert [(p.total, p.supporters) for p in after.tally.projects] == \
            [(p.total, p.supporters) for p in before.tally.projects]
        assert after.allocation.selected == before.allocation.selected
        assert after.spoilt_reasons == before.spoilt_reasons
    finally:
        upgraded.close()


def test_ballots_imported_from_a_file_are_not_stored_in_the_file_order(db, vote, tmp_path, location):
    """A vote held elsewhere, its ballots all different: stored under keys in no order of the file's."""
    from fractions import Fraction

    from grantdesk.voting.election import Ballot, Election, Project
    from grantdesk.voting.pabulib import write_pb

    rng = random.Random(SEED)
    projects = [Project(str(n), Fraction(100 * (n + 1)), f"Project {n}") for n in range(9)]
    subsets = rng.sample(range(1, 1 << 9), BALLOTS)
    ballots = [Ballot(f"v{n}", tuple(i for i in range(9) if subset >> i & 1)) for n, subset in enumerate(subsets)]
    path = tmp_path / "elsewhere.pb"
    write_pb(Election("approval", Fraction(2000), projects, ballots, {"description": "Elsewhere"}), path)
    done = events.import_pabulib(db, vote.fund_code, path)
    refs = list(done.references)
    at = {tuple(refs[i] for i in b.projects): n for n, b in enumerate(ballots)}
    with sqlite3.connect(location.path) as conn:
        for by in ("id", "rowid"):
            stored = [at[tuple(json.loads(c))] for (c,) in conn.execute(
                f"SELECT choices FROM ballots WHERE event_id = ? ORDER BY {by}", (done.event_id,))]
            _no_order(stored)
