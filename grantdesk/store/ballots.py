"""Ballots in bulk: storing a whole vote's ballots at once (a PaBuLib import), and reading an event's
ballots back for a count — the storage side of ``grantdesk.services.events``, kept apart from the
rules so the services say what is stored and this module says how, fast.

Storing: on SQLite each chunk of ``IMPORT_CHUNK`` ballots is one ``INSERT … SELECT`` over
``json_each`` of one JSON array of the chunk's ballots (``insert_ballots``); SQLite without its JSON
functions takes the driver's ``executemany``; another database takes SQLAlchemy Core's executemany.
The rows go in on the session's connection, in its transaction: the caller commits or not.

Keys: every ballot row takes a random key, so the stored order — by key and by rowid, which on SQLite
are one — says nothing about the order ballots were cast or imported in. No row holds a receipt. An
import shuffles the ballots first (``shuffled``, from the system's randomness) and then stores them
under keys that increase in that random order, each random within a slot of its own (``KeySlots``):
each row lands at the end of the table's b-tree rather than at a random place in it, and the keys
say no more than the shuffle, which is nothing.

Reading: ``stored_ballots`` gives an event's ballots column by column — four lists of text, read
through the driver's own cursor, not 60,000 row objects — so a count keeps few objects alive that the
cyclic garbage collector would have to walk again and again (tuples of text it stops watching).
"""

from __future__ import annotations

import json
import queue
import random
import secrets
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import repeat
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import insert

from grantdesk.store.models import RANDOM_KEY_BITS, CastBallotRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from grantdesk.voting.election import Ballot

__all__ = ["IMPORT_CHUNK", "STORING_BALLOTS", "Progress", "StoredBallots", "ballot_chunks", "insert_ballots",
           "made_ahead", "stored_ballots", "storing_way"]

STORING_BALLOTS = "Storing ballots"
IMPORT_CHUNK = 5_000  # ballots per insert statement (and per progress report)


class Progress(Protocol):  # the shape of ``ui.tasks.Progress``: ``report`` raises to cancel
    def report(self, done: int, total: int, label: str) -> None: ...


# --- reading an event's ballots back -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredBallots:
    """An event's ballots in the order stored (by their random keys: no order of casting), column by
    column: ``choices`` and ``points`` as the JSON text stored (``'["A", "B"]'``; ``points`` ``None`` or
    ``'null'`` without points), so a count decodes each distinct ballot once. ``reasons``: a spoilt
    paper ballot's reason, else ``None``. A ballot has no receipt or voter: ``voter_ids`` numbers them
    ``"1"``, ``"2"``, … in the order stored, for a count's ``Ballot`` values."""

    sources: Sequence[str]
    choices: Sequence[str]
    points: Sequence[str | None]
    reasons: Sequence[str | None]

    def __len__(self) -> int:
        return len(self.sources)

    def voter_ids(self) -> list[str]:
        return list(map(str, range(1, len(self.sources) + 1)))


def stored_ballots(session: Session, event_id: int) -> StoredBallots:
    """The event's ballots (see ``StoredBallots``), read in one statement on the session's connection."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":  # the driver's own cursor: its rows are plain tuples of text
        cursor = conn.connection.cursor()
        try:
            cursor.execute("SELECT source, choices, points, spoilt_reason FROM ballots WHERE event_id = ? "
                           "ORDER BY id", (event_id,))
            rows = cursor.fetchall()
        finally:
            cursor.close()
    else:
        from sqlalchemy import Text, select, type_coerce

        table = CastBallotRow.__table__
        rows = [tuple(row) for row in conn.execute(
            select(table.c.source, type_coerce(table.c.choices, Text),
                   type_coerce(table.c.points, Text), table.c.spoilt_reason)
            .where(table.c.event_id == event_id).order_by(table.c.id))]
        if rows and not isinstance(rows[0][1], str):  # a driver that decodes JSON itself: text again
            rows = [(src, json.dumps(c), None if p is None else json.dumps(p), why) for src, c, p, why in rows]
    # Column by column, each in one pass (``zip(*rows)`` would hold an iterator per row meanwhile).
    return StoredBallots(*(list(map(itemgetter(n), rows)) for n in range(4)))


# --- storing imported ballots ---------------------------------------------------------------------------


def shuffled(ballots: Sequence[Ballot]) -> Sequence[Ballot]:
    """``ballots`` in a random order (a shuffle seeded from the system's randomness). Ballots kept as
    columns (``BallotColumns``) stay columns: each column is put in the new order, no ``Ballot`` made."""
    from grantdesk.voting.election import BallotColumns

    order = list(range(len(ballots)))
    random.Random(secrets.randbits(128)).shuffle(order)
    if isinstance(ballots, BallotColumns):
        return BallotColumns(*([column[i] for i in order]
                               for column in (ballots.ids, ballots.projects, ballots.points, ballots.extras)))
    return [ballots[i] for i in order]


@dataclass(frozen=True, slots=True)
class KeySlots:
    """Keys for ``count`` ballots stored in one go, increasing in the order they are stored: the n-th
    (from 0) is ``(n + 1) << shift`` with ``shift`` random low bits (``low(n)``, or SQLite's
    ``random() & mask``), so each is a random key within a slot of its own, none reaching 2⁶³."""

    count: int

    @property
    def shift(self) -> int:
        return RANDOM_KEY_BITS - (self.count + 1).bit_length()

    @property
    def mask(self) -> int:
        return (1 << self.shift) - 1

    def keys(self, start: int, count: int) -> list[int]:
        shift, mask = self.shift, self.mask
        return [(n + 1) << shift | secrets.randbits(63) & mask for n in range(start, start + count)]


def ballot_chunks(ballots: Sequence[Ballot], refs: Sequence[str], with_points: bool
                  ) -> Iterator[tuple[int, list[str], list[str] | None]]:
    """The imported ballots as they are stored, ``IMPORT_CHUNK`` at a time: ``(start, choices, points)``
    with, for each ballot from the ``start``-th (from 0), the JSON text of its choices (``["A", "B"]``,
    ``refs[i]`` for project ``i``) and with points the JSON text of its points (``None`` without)."""
    quoted = list(map(json.dumps, refs)).__getitem__
    for start in range(0, len(ballots), IMPORT_CHUNK):
        part = ballots[start:start + IMPORT_CHUNK]
        choices = ["[" + ", ".join(map(quoted, b.projects)) + "]" for b in part]
        points = [json.dumps(list(b.points or ())) for b in part] if with_points else None
        yield start, choices, points


@cache
def _sqlite_has_json() -> bool:
    """Whether the SQLite the driver runs has its JSON functions (built in since 3.38; in most builds
    before that too)."""
    import sqlite3

    try:
        with closing(sqlite3.connect(":memory:")) as probe:
            probe.execute("SELECT json_extract(value, '$[0]') FROM json_each('[[1]]')").fetchall()
    except sqlite3.OperationalError:
        return False
    return True


def storing_way(conn: Any) -> str:
    """How ``insert_ballots`` stores ballots on ``conn``: ``"json_each"`` (SQLite with its JSON
    functions), ``"executemany"`` (an SQLite without them) or ``"core"`` (another database)."""
    if conn.dialect.name != "sqlite":
        return "core"
    return "json_each" if _sqlite_has_json() else "executemany"


@contextmanager
def made_ahead(items: Iterable[Any]) -> Iterator[Iterator[Any]]:
    """``items`` made on a thread of their own while the caller uses the ones made so far (which pays
    when the caller spends its time where Python lets go of the GIL: in SQLite). An exception making
    an item is raised in the caller when it comes to that item. On leaving, however it is left (a
    cancel, an error), the thread is told to stop and waited for."""
    made: queue.SimpleQueue = queue.SimpleQueue()
    stop = threading.Event()
    end = object()

    def make() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                made.put((item, None))
                time.sleep(0)  # a caller waiting for the GIL takes it now, not at the next switch interval
        except BaseException as exc:  # handed to the caller, which raises it
            made.put((end, exc))
            return
        made.put((end, None))

    def take() -> Iterator[Any]:
        while True:
            item, exc = made.get()
            if exc is not None:
                raise exc
            if item is end:
                return
            yield item

    thread = threading.Thread(target=make, name="grantdesk-made-ahead", daemon=True)
    thread.start()
    try:
        yield take()
    finally:
        stop.set()
        thread.join()


def insert_ballots(session: Session, ballots: Sequence[Ballot], refs: Sequence[str], event_id: int,
                   with_points: bool, progress: Progress | None) -> None:
    """Store imported ballots as kiosk ballots, each under a random key and with no receipt (no voter
    was shown one), on the session's connection in its transaction; ``progress`` hears after every
    chunk. The ballots are shuffled and stored under keys increasing in that order (``KeySlots``).

    On SQLite each chunk is one ``INSERT … SELECT`` over ``json_each`` of one JSON array of its
    ballots' texts: SQLite takes the rows apart and makes the keys (its slot, and ``random()`` for the
    low bits) itself, with no Python step or parameter binding per ballot, and the driver lets go of the GIL for the whole statement, so the next chunk's
    texts are made meanwhile on another thread (``made_ahead``). The rows are written behind the
    ORM's back: the caller notes the change (``note_change``)."""
    total = len(ballots)
    conn = session.connection()
    way = storing_way(conn)
    slots = KeySlots(total)
    chunks = ballot_chunks(shuffled(ballots), refs, with_points)
    _report(progress, 0, total)
    if way == "json_each":
        sql = ("INSERT INTO ballots (id, event_id, source, choices, points) SELECT ((? + key + 1) << ?) | (random() & ?), "
               "?, 'kiosk', " + ("json_extract(value, '$[0]'), json_extract(value, '$[1]')" if with_points else
                                 "value, 'null'") + " FROM json_each(?) ORDER BY key")
        arrays = ((start, json.dumps(list(zip(choices, points, strict=True)) if with_points else choices))
                  for start, choices, points in chunks)
        with made_ahead(arrays) as made:
            for start, array in made:
                conn.exec_driver_sql(sql, (start, slots.shift, slots.mask, event_id, array))
                _report(progress, min(start + IMPORT_CHUNK, total), total)
        return
    if way == "executemany":  # an SQLite without its JSON functions: the driver's executemany
        sql = ("INSERT INTO ballots (id, event_id, source, choices, points) "
               "VALUES (?, ?, 'kiosk', ?, " + ("?)" if with_points else "'null')"))
        for start, choices, points in chunks:
            columns = (choices, points) if with_points else (choices,)
            conn.exec_driver_sql(sql, list(zip(slots.keys(start, len(choices)), repeat(event_id, len(choices)),
                                               *columns, strict=True)))
            _report(progress, min(start + IMPORT_CHUNK, total), total)
        return
    table = CastBallotRow.__table__  # another database: Core executemany, which knows its driver's ways
    for start, choices, points in chunks:
        keys = slots.keys(start, len(choices))
        session.execute(insert(table), [dict(id=keys[n], event_id=event_id, source="kiosk",
                                             choices=json.loads(text),
                                             points=json.loads(points[n]) if with_points else None)
                                        for n, text in enumerate(choices)])
        _report(progress, min(start + IMPORT_CHUNK, total), total)


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress.report(done, total, STORING_BALLOTS)
