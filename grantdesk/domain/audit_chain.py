"""The audit log as a chain: each entry carries the hash of the one before (``prev_hash``) and its own
(``hash``), SHA-256 over a canonical JSON of its fields and that previous hash. Changing, removing or
reordering an entry breaks the chain from there on, and ``first_break`` says where.

Pure: the store reads the rows, in id order, and hands them here as plain values.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS = "0" * 64  # the "previous hash" of the first entry
FIELDS = ("at", "actor", "action", "entity", "entity_id", "summary", "before", "after")


def _at(value: Any) -> str:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, str):  # as a raw SQLite read gives it
        return datetime.fromisoformat(value).isoformat(sep=" ", timespec="microseconds")
    raise TypeError(f"an audit entry's time must be a datetime, not {value!r}")


def as_stored(value: Any) -> Any:
    """A JSON field as it reads back from the database (tuples as lists, keys as text)."""
    if value is None:
        return None
    return json.loads(json.dumps(value))


def canonical(fields: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes an entry's hash is taken over: its fields and the previous hash, as sorted, compact JSON."""
    data = {name: fields.get(name) for name in FIELDS}
    data["at"] = _at(fields["at"])
    data["before"] = as_stored(data["before"])
    data["after"] = as_stored(data["after"])
    data["prev_hash"] = prev_hash
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def entry_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical(fields, prev_hash)).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first entry that does not fit the chain, and why."""

    entry_id: int
    reason: str

    @property
    def message(self) -> str:
        return f"Audit entry {self.entry_id} does not fit the chain: {self.reason}"


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def first_break(rows: Iterable[Mapping[str, Any]]) -> ChainCheck:
    """Walk the entries in id order (each a mapping with ``id``, ``prev_hash``, ``hash`` and the
    ``FIELDS``): the first whose previous hash is not the hash of the entry before it, or whose own
    hash is not the hash of what it holds now."""
    prev = GENESIS
    count = 0
    for row in rows:
        count += 1
        if not row.get("hash") or not row.get("prev_hash"):
            return ChainCheck(count, Break(row["id"], "it carries no hash (written around GrantDesk, or the chain "
                                                      "was cut)"))
        if row["prev_hash"] != prev:
            return ChainCheck(count, Break(row["id"], "the entry before it is missing or was changed (its previous "
                                                      "hash does not match)"))
        if entry_hash(row, prev) != row["hash"]:
            return ChainCheck(count, Break(row["id"], "what it holds was changed after it was written (its hash "
                                                      "does not match its contents)"))
        prev = row["hash"]
    return ChainCheck(count, None)
