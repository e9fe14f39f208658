"""What a user action changed, in words every layer shares.

A service's unit of work notes which kinds of record it wrote (and which applications), and hands a
``Changes`` back when it commits. The window layer broadcasts it, and every open window refreshes
what it shows if the change touches it — a panel awarding applications updates the main list, a
member's decision updates an open Members' Pots. The kinds are the things windows show, not tables:
the store maps its tables onto them (``grantdesk.store.unit_of_work``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class Kind(str, Enum):
    FUNDS = "funds"  # funds, rounds, areas, questions, import mappings, templates and settings
    APPLICATIONS = "applications"  # applications, their history, organisations, contacts, documents
    ELIGIBILITY = "eligibility"  # overrides of eligibility rules
    MEMBERS = "members"  # councillors, allotments, year-ends, their decisions and declarations
    PANELS = "panels"  # panels, panellists, criteria, scores and decisions
    EVENTS = "events"  # community votes: set-up, codes, ballots, paper keyings
    AWARDS = "awards"  # awards, payment plans, payments, money back, monitoring
    OUTCOMES = "outcomes"  # outcome notes, themes and photos
    LETTERS = "letters"  # letters made and recorded against applications
    VIEWS = "views"  # saved list views


@dataclass(frozen=True)
class Changes:
    """The kinds of record an action changed, and which applications (ids) it touched.

    ``every_application`` is set when applications were written in bulk without their ids being
    known (an import): a window showing applications then reloads its list rather than rows.
    """

    kinds: frozenset[Kind] = frozenset()
    applications: frozenset[int] = frozenset()
    every_application: bool = False
    commits: int = 0  # how many transactions wrote these changes (one per user action)

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def touches(self, kinds: Iterable[Kind]) -> bool:
        return not self.kinds.isdisjoint(kinds)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.kinds | other.kinds, self.applications | other.applications,
                       self.every_application or other.every_application, self.commits + other.commits)


NOTHING = Changes()


@dataclass
class ChangeLog:
    """Collects what one transaction changes, as it goes; ``freeze()`` gives the ``Changes``."""

    kinds: set[Kind] = field(default_factory=set)
    applications: set[int] = field(default_factory=set)
    every_application: bool = False
    wrote: bool = False  # anything at all was written (the audit log included)

    def note(self, kind: Kind, application_ids: Iterable[int] = (), *, every_application: bool = False) -> None:
        self.kinds.add(kind)
        self.applications.update(i for i in application_ids if i is not None)
        if every_application:
            self.every_application = True

    def freeze(self) -> Changes:
        """What was noted; a transaction that wrote nothing counts no commit."""
        return Changes(frozenset(self.kinds), frozenset(self.applications), self.every_application,
                       1 if self.wrote or self.kinds else 0)

    def clear(self) -> None:
        self.kinds.clear()
        self.applications.clear()
        self.every_application = False
        self.wrote = False
