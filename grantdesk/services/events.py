"""Community voting events: set up the vote, issue one-time codes, take kiosk and paper ballots,
count, reveal and confirm.

The rules that make a vote fair live here:

- the ballot paper holds shortlisted applications of the event's round;
- once the first ballot (or paper keying) is in, the method and rules are locked;
- a ballot code is used once; a used or unknown code is refused, and the code and the ballot are
  written in one transaction so a crash cannot leave a used code without its ballot (or the reverse);
- ballots are secret: a ballot row has no code, no voter and no time; the code register records only
  that a code was issued and used, and on which day;
- each paper ballot is keyed twice; it is counted only when both keyings agree, and a mismatch waits
  for an officer, whose choice and reason are audited;
- results move applications (shortlisted → awarded or declined) only when the officer confirms them;
- a vote held elsewhere comes in from a PaBuLib file whole or not at all (``import_pabulib``), as a
  closed event that counts exactly as ``python -m grantdesk tally`` counts the file.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import queue
import secrets
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from functools import cache
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Text, case, func, insert, select, type_coerce
from sqlalchemy.orm import Session

from grantdesk.domain.errors import GrantDeskError, NotFound, ValidationError
from grantdesk.domain.money import format_money
from grantdesk.domain.workflow import Status
from grantdesk.services.applications import do_transition
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.decisions import add_award
from grantdesk.store.database import Database
from grantdesk.store.models import (
    BALLOT_KINDS,
    Application,
    BallotCode,
    Fund,
    CastBallotRow,
    EventProject,
    PaperEntry,
    Round,
    VotingEvent,
)
from grantdesk.voting.ballots import (
    CANT_JUDGE,
    BallotRules,
    CastBallot,
    RankedRules,
    ballot_problems,
    describe_rules,
    make_rules,
)
from grantdesk.voting.election import Ballot, Election, Project
from grantdesk.voting.result import AllocationResult
from grantdesk.voting.rules import DESCRIPTIONS, run_rule
from grantdesk.voting.satisfaction import NotApplicable
from grantdesk.voting.tally import Tally, tally_election
from grantdesk.voting.tiebreak import CRITERIA, TieBreak

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: easy to read aloud and to type
CODE_LENGTH = 8
DEFAULT_TIE_BREAK = ("supporters", "cost", "lot")


class EventLocked(GrantDeskError):
    """Voting has started: the method and rules can no longer change."""


class CodeRefused(GrantDeskError):
    """A ballot code that is unknown, already used, or for another event."""


class VotingClosed(GrantDeskError):
    """The event is not taking ballots now (not yet open, closed, or its results confirmed)."""


# --- settings -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventSettings:
    """Everything an officer chooses when setting up a vote. ``application_ids`` are in ballot order;
    ``categories`` gives an application's category (for approval limits per category)."""

    name: str
    round_id: int
    application_ids: tuple[int, ...]
    ballot_kind: str
    ballot_settings: dict[str, Any] = field(default_factory=dict)
    rule: str = "greedy"
    when_next_does_not_fit: str = "skip"
    tie_break: tuple[str, ...] = DEFAULT_TIE_BREAK
    tie_break_seed: str = ""  # made up (and recorded) when a lot is drawn and none is given
    budget_pence: int | None = None  # None: the round's budget
    venue: str = ""
    voters_area: str = ""
    min_age: int | None = None
    register_at_door: bool = True
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    hide_results: bool = True
    categories: dict[int, str] = field(default_factory=dict)
    kiosk_pin: str | None = None  # None on update: keep the PIN


def _hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, 100_000)
    return f"pbkdf2${salt.hex()}${digest.hex()}"


def _pin_matches(stored: str, pin: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(_hash_pin(pin, bytes.fromhex(salt)).split("$")[2], digest)


def _projects(apps: Sequence[Application], categories: dict[int, str]) -> list[Project]:
    return [Project(a.reference, Fraction(a.amount_requested_pence, 100), a.title,
                    (categories[a.id],) if categories.get(a.id) else ()) for a in apps]


def _check_settings(session: Session, fund_id: int, settings: EventSettings) -> tuple[Round, list[Application], int]:
    if not settings.name.strip():
        raise ValidationError("Give the event a name residents will recognise.", "name")
    rnd = session.get(Round, settings.round_id)
    if rnd is None or rnd.fund_id != fund_id:
        raise ValidationError("Choose one of this fund's rounds for the event.", "round")
    if settings.ballot_kind not in BALLOT_KINDS:
        raise ValidationError(f"“{settings.ballot_kind}” is not a kind of ballot.", "ballot_kind")
    if settings.rule not in DESCRIPTIONS:
        raise ValidationError(f"“{settings.rule}” is not an allocation rule; use one of {', '.join(DESCRIPTIONS)}.", "rule")
    if settings.when_next_does_not_fit not in ("skip", "stop"):
        raise ValidationError("When the next project does not fit, the choice is to skip it or to stop.", "does_not_fit")
    unknown = [c for c in settings.tie_break if c not in CRITERIA]
    if unknown or not settings.tie_break:
        raise ValidationError(f"Ties are broken by {', '.join(CRITERIA)}; “{(unknown or [''])[0]}” is not one.",
                              "tie_break")
    if len(set(settings.application_ids)) != len(settings.application_ids):
        raise ValidationError("An application is on the ballot paper twice.", "applications")
    if len(settings.application_ids) < 2:
        raise ValidationError("Put at least two shortlisted applications on the ballot paper.", "applications")
    apps = []
    for app_id in settings.application_ids:
        app = session.get(Application, app_id)
        if app is None or app.fund_id != fund_id:
            raise ValidationError(f"Application {app_id} is not one of this fund's.", "applications")
        if app.round_id != rnd.id:
            raise ValidationError(f"{app.reference} is not in the round “{rnd.name}”.", "applications")
        if app.status != Status.SHORTLISTED.value:
            raise ValidationError(f"{app.reference} is {Status(app.status).label.lower()}, not shortlisted: only "
                                  "shortlisted applications go on the ballot paper.", "applications")
        apps.append(app)
    budget = settings.budget_pence if settings.budget_pence is not None else rnd.budget_pence
    if not budget or budget <= 0:
        raise ValidationError("Give the event a budget above £0 (the round has none).", "budget")
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise ValidationError("Voting must close after it opens.", "closes_at")
    if settings.min_age is not None and not 0 < settings.min_age < 120:
        raise ValidationError("A minimum age is a whole number of years, such as 11 or 16.", "min_age")
    if settings.kiosk_pin is not None and not (settings.kiosk_pin.isdigit() and 4 <= len(settings.kiosk_pin) <= 12):
        raise ValidationError("The kiosk PIN is 4 to 12 digits.", "kiosk_pin")
    try:
        rules = make_rules(settings.ballot_kind, _projects(apps, settings.categories),
                           _rule_settings(settings.ballot_kind, settings.ballot_settings),
                           Fraction(budget, 100))
    except (ValueError, TypeError) as exc:
        raise ValidationError(str(exc), "ballot_settings") from None
    try:  # the rule must apply to this kind of ballot: try it on an empty count
        empty = Election(rules.vote_type, Fraction(budget, 100), list(rules.projects), [], {"currency": "GBP"})
        run_rule(empty, settings.rule, **_rule_options(settings.rule, settings.when_next_does_not_fit))
    except NotApplicable as exc:
        raise ValidationError(str(exc), "rule") from None
    return rnd, apps, budget


def _rule_settings(kind: str, settings: dict[str, Any]) -> dict[str, Any]:
    """The ballot paper's settings; a knapsack ballot's budget is in pounds."""
    return {"currency": "GBP", **settings} if kind == "knapsack" else dict(settings)


def _rule_options(rule: str, when_next_does_not_fit: str) -> dict[str, Any]:
    return {"when_next_does_not_fit": when_next_does_not_fit} if rule == "greedy" else {}


def _apply(session: Session, event: VotingEvent, settings: EventSettings, apps: list[Application], budget: int) -> None:
    seed = settings.tie_break_seed.strip()
    if "lot" in settings.tie_break and not seed:
        seed = secrets.token_hex(4)
    event.name = settings.name.strip()
    event.round_id = settings.round_id
    event.venue = settings.venue.strip()
    event.ballot_kind = settings.ballot_kind
    event.ballot_settings = dict(settings.ballot_settings)
    event.rule = settings.rule
    event.when_next_does_not_fit = settings.when_next_does_not_fit
    event.tie_break = list(settings.tie_break)
    event.tie_break_seed = seed
    event.budget_pence = budget
    event.voters_area = settings.voters_area.strip()
    event.min_age = settings.min_age
    event.register_at_door = settings.register_at_door
    event.opens_at = settings.opens_at
    event.closes_at = settings.closes_at
    event.hide_results = settings.hide_results
    if settings.kiosk_pin is not None:
        event.kiosk_pin_hash = _hash_pin(settings.kiosk_pin)
    event.projects.clear()
    session.flush()
    for n, app in enumerate(apps):
        event.projects.append(EventProject(application_id=app.id, position=n + 1,
                                           category=settings.categories.get(app.id, "")))


def add_event(session: Session, fund: Fund, settings: EventSettings, *, actor: str,
              at: datetime | None = None) -> VotingEvent:
    """Set up a vote in ``session`` (the sample loader and ``create_event`` share this)."""
    if not settings.kiosk_pin:
        raise ValidationError("Choose a kiosk PIN (4 to 12 digits): it is needed to leave kiosk mode.", "kiosk_pin")
    _, apps, budget = _check_settings(session, fund.id, settings)
    event = VotingEvent(fund_id=fund.id, created_at=at or utcnow(), created_by=actor, round_id=settings.round_id,
                        name="", ballot_kind=settings.ballot_kind, rule=settings.rule, budget_pence=budget)
    session.add(event)
    session.flush()
    _apply(session, event, settings, apps, budget)
    session.flush()
    audit(session, actor=actor, action="event.create", entity="voting_event", entity_id=event.id, at=at,
          summary=f"Set up the vote “{event.name}”: {len(apps)} projects, {event.ballot_kind} ballot, "
                  f"rule {event.rule}, budget {format_money(budget)}",
          after=_settings_record(event))
    return event


def create_event(db: Database, fund_code: str, settings: EventSettings, *, actor: str | None = None) -> int:
    """Set up a vote; returns the event's id. The kiosk PIN is required."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        event = add_event(uow.session, fund_by_code(uow.session, fund_code), settings, actor=who)
        uow.commit()
        return event.id


def _settings_record(event: VotingEvent) -> dict[str, Any]:
    return {"ballot_kind": event.ballot_kind, "ballot_settings": event.ballot_settings, "rule": event.rule,
            "when_next_does_not_fit": event.when_next_does_not_fit, "tie_break": event.tie_break,
            "tie_break_seed": event.tie_break_seed, "budget_pence": event.budget_pence,
            "projects": [p.application.reference for p in event.projects]}


def _ballots_in(session: Session, event_id: int) -> int:
    return session.scalar(select(func.count()).select_from(CastBallotRow).where(CastBallotRow.event_id == event_id)) \
        + session.scalar(select(func.count()).select_from(PaperEntry).where(PaperEntry.event_id == event_id))


def update_event(db: Database, event_id: int, settings: EventSettings, *, actor: str | None = None) -> None:
    """Change an event's set-up; refused with ``EventLocked`` once the first ballot is in."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        s = uow.session
        event = _event(s, event_id)
        counted = _ballots_in(s, event_id)
        if counted:
            raise EventLocked(
                f"Voting has started ({counted} ballot{'s' if counted != 1 else ''} in), so the ballot paper, the "
                "method and the rules of “" + event.name + "” are locked. Set up a new event to vote differently."
            )
        before = _settings_record(event)
        _, apps, budget = _check_settings(s, event.fund_id, settings)
        _apply(s, event, settings, apps, budget)
        s.flush()
        audit(s, actor=who, action="event.update", entity="voting_event", entity_id=event.id,
              summary=f"Changed the set-up of “{event.name}”", before=before, after=_settings_record(event))
        uow.commit()


def _event(session: Session, event_id: int) -> VotingEvent:
    event = session.get(VotingEvent, event_id)
    if event is None:
        raise NotFound(f"There is no voting event with id {event_id}.")
    return event


# --- reading an event -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventProjectView:
    application_id: int
    reference: str
    title: str
    summary: str
    organisation: str
    amount_pence: int
    category: str
    status: str


@dataclass(frozen=True)
class EventView:
    id: int
    fund_code: str
    fund_name: str
    round_id: int
    round_name: str
    name: str
    venue: str
    ballot_kind: str
    ballot_settings: dict[str, Any]
    rule: str
    when_next_does_not_fit: str
    tie_break: tuple[str, ...]
    tie_break_seed: str
    budget_pence: int
    voters_area: str
    min_age: int | None
    register_at_door: bool
    opens_at: datetime | None
    closes_at: datetime | None
    hide_results: bool
    revealed: bool
    closed: bool
    confirmed: bool
    projects: tuple[EventProjectView, ...]
    rules: BallotRules
    locked: bool
    codes_issued: int
    codes_used: int

    @property
    def state(self) -> str:
        """``setup`` (no ballot yet), ``voting``, ``closed`` or ``confirmed``."""
        if self.confirmed:
            return "confirmed"
        if self.closed:
            return "closed"
        return "voting" if self.locked else "setup"

    @property
    def instructions(self) -> str:
        return describe_rules(self.rules)

    @property
    def tie_break_policy(self) -> TieBreak:
        return TieBreak(self.tie_break, self.tie_break_seed)

    def settings(self) -> EventSettings:
        """The event's settings, ready to edit (the PIN is kept unless a new one is given)."""
        return EventSettings(
            name=self.name, round_id=self.round_id, application_ids=tuple(p.application_id for p in self.projects),
            ballot_kind=self.ballot_kind, ballot_settings=dict(self.ballot_settings), rule=self.rule,
            when_next_does_not_fit=self.when_next_does_not_fit, tie_break=self.tie_break,
            tie_break_seed=self.tie_break_seed, budget_pence=self.budget_pence, venue=self.venue,
            voters_area=self.voters_area, min_age=self.min_age, register_at_door=self.register_at_door,
            opens_at=self.opens_at, closes_at=self.closes_at, hide_results=self.hide_results,
            categories={p.application_id: p.category for p in self.projects if p.category}, kiosk_pin=None)


def _view(session: Session, event: VotingEvent) -> EventView:
    apps = [p.application for p in event.projects]
    categories = {p.application_id: p.category for p in event.projects}
    rules = make_rules(event.ballot_kind, _projects(apps, categories), _rule_settings(event.ballot_kind, event.ballot_settings),
                       Fraction(event.budget_pence, 100))
    issued, used = session.execute(
        select(func.count(), func.coalesce(func.sum(case((BallotCode.used, 1), else_=0)), 0))
        .where(BallotCode.event_id == event.id)).one()
    projects = tuple(EventProjectView(a.id, a.reference, a.title, a.summary, a.organisation.name,
                                      a.amount_requested_pence, categories.get(a.id, ""), a.status) for a in apps)
    return EventView(
        id=event.id, fund_code=event.fund.code, fund_name=event.fund.name, round_id=event.round_id,
        round_name=event.round.name, name=event.name, venue=event.venue, ballot_kind=event.ballot_kind,
        ballot_settings=dict(event.ballot_settings), rule=event.rule,
        when_next_does_not_fit=event.when_next_does_not_fit, tie_break=tuple(event.tie_break),
        tie_break_seed=event.tie_break_seed, budget_pence=event.budget_pence, voters_area=event.voters_area,
        min_age=event.min_age, register_at_door=event.register_at_door, opens_at=event.opens_at,
        closes_at=event.closes_at, hide_results=event.hide_results, revealed=event.revealed_at is not None,
        closed=event.closed_at is not None, confirmed=event.confirmed_at is not None, projects=projects,
        rules=rules, locked=_ballots_in(session, event.id) > 0, codes_issued=int(issued), codes_used=int(used))


def get_event(db: Database, event_id: int) -> EventView:
    with db.session() as s:
        return _view(s, _event(s, event_id))


@dataclass(frozen=True, slots=True)
class EventSummary:
    id: int
    name: str
    round_name: str
    ballot_kind: str
    rule: str
    state: str
    ballots_counted: int
    spoilt: int
    funded: tuple[str, ...]  # application references, in the order the rule chose them

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "round": self.round_name, "ballot_type": self.ballot_kind,
                "rule": self.rule, "state": self.state, "ballots_counted": self.ballots_counted,
                "spoilt": self.spoilt, "funded": list(self.funded)}


def list_events(db: Database, fund_code: str) -> list[EventSummary]:
    """The fund's voting events, newest first, each with its count so far."""
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        events = s.scalars(select(VotingEvent).where(VotingEvent.fund_id == fund.id)
                           .order_by(VotingEvent.created_at.desc(), VotingEvent.id.desc())).all()
        out = []
        for event in events:
            view = _view(s, event)
            results = _results(s, event, view)
            out.append(EventSummary(event.id, event.name, event.round.name, event.ballot_kind, event.rule,
                                    view.state, results.tally.accepted, results.tally.spoilt_count,
                                    results.allocation.selected if results.tally.accepted else ()))
        return out


# --- ballot codes ---------------------------------------------------------------------------------


def normalise_code(text: str) -> str:
    """What a voter typed, as stored: capitals, no spaces or dashes; O read as 0 is not possible (the
    alphabet has neither), but a typed 0 or O, 1 or I or L are common slips and are left to fail."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """``"K7M2Q9XH"`` → ``"K7M2-Q9XH"``, as printed on the cards."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def add_codes(session: Session, event: VotingEvent, count: int, *, actor: str, at: datetime | None = None) -> list[str]:
    """Make ``count`` new one-time codes for the event in ``session``; returns them unformatted."""
    if not 1 <= count <= 20_000:
        raise ValidationError("Issue between 1 and 20,000 codes at a time.", "count")
    if event.closed_at is not None:
        raise VotingClosed(f"Voting at “{event.name}” has closed: no more codes can be issued.")
    existing = set(session.scalars(select(BallotCode.code).where(BallotCode.event_id == event.id)))
    made: list[str] = []
    now = at or utcnow()
    while len(made) < count:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in existing:
            existing.add(code)
            made.append(code)
    session.execute(BallotCode.__table__.insert(),
                    [{"event_id": event.id, "code": c, "issued_at": now, "used": False} for c in made])
    audit(session, actor=actor, action="event.codes", entity="voting_event", entity_id=event.id, at=at,
          summary=f"Issued {count} ballot codes for “{event.name}”")
    return made


def issue_codes(db: Database, event_id: int, count: int, *, actor: str | None = None) -> list[str]:
    """Make ``count`` new one-time codes for the event (printed as cards); returns them formatted."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        made = add_codes(uow.session, _event(uow.session, event_id), count, actor=who)
        uow.commit()
    return [format_code(c) for c in made]


def event_codes(db: Database, event_id: int, *, unused_only: bool = True) -> list[str]:
    with db.session() as s:
        query = select(BallotCode.code).where(BallotCode.event_id == event_id).order_by(BallotCode.id)
        if unused_only:
            query = query.where(BallotCode.used.is_(False))
        return [format_code(c) for c in s.scalars(query)]


def _code_row(session: Session, event: VotingEvent, text: str) -> BallotCode:
    code = normalise_code(text)
    if not code:
        raise CodeRefused("Type the code from your card.")
    row = session.scalar(select(BallotCode).where(BallotCode.event_id == event.id, BallotCode.code == code))
    if row is None:
        raise CodeRefused(f"“{format_code(code)}” is not a code for this vote. Check the card and try again, "
                          "or ask a volunteer for help.")
    if row.used:
        raise CodeRefused(f"The code {format_code(code)} has already been used to vote. Each code can be used "
                          "once; please ask a volunteer.")
    return row


def _open_for_ballots(event: VotingEvent, now: datetime) -> None:
    if event.confirmed_at is not None or event.closed_at is not None:
        raise VotingClosed(f"Voting at “{event.name}” has closed.")
    if event.opens_at and now < event.opens_at:
        raise VotingClosed(f"Voting at “{event.name}” opens at {event.opens_at:%H:%M on %d/%m/%Y}.")
    if event.closes_at and now > event.closes_at:
        raise VotingClosed(f"Voting at “{event.name}” closed at {event.closes_at:%H:%M on %d/%m/%Y}.")


def check_code(db: Database, event_id: int, text: str) -> str:
    """The code, normalised, if it can vote now; ``CodeRefused`` or ``VotingClosed`` otherwise. The
    kiosk asks this before showing the ballot paper; ``cast_ballot`` checks again when it is cast."""
    with db.session() as s:
        event = _event(s, event_id)
        _open_for_ballots(event, utcnow())
        return _code_row(s, event, text).code


def _new_receipt(session: Session, event_id: int) -> str:
    """A receipt number no other ballot of the event has (checked, not assumed)."""
    while True:
        receipt = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if session.scalar(select(CastBallotRow.id).where(CastBallotRow.event_id == event_id,
                                                         CastBallotRow.receipt == receipt)) is None:
            return receipt


def _stored(ballot: CastBallot) -> tuple[list[str], list[Any] | None]:
    return list(ballot.choices), (list(ballot.points) if ballot.points is not None else None)


def record_ballot(session: Session, event: VotingEvent, code: str, ballot: CastBallot, *,
                  now: datetime | None = None, rules: BallotRules | None = None) -> str:
    """Cast a kiosk ballot in ``session``: check the event is open, the code good and the ballot valid,
    mark the code used and store the ballot; returns the receipt."""
    from grantdesk.voting.ballots import BallotRejected

    now = now or utcnow()
    _open_for_ballots(event, now)
    row = _code_row(session, event, code)
    problems = ballot_problems(rules or _view(session, event).rules, CastBallot("kiosk", ballot.choices, ballot.points))
    if problems:
        raise BallotRejected(problems)
    row.used = True
    row.used_on = now.date()
    receipt = _new_receipt(session, event.id)
    choices, points = _stored(ballot)
    session.add(CastBallotRow(event_id=event.id, receipt=receipt, source="kiosk", choices=choices, points=points))
    session.flush()
    return receipt


def cast_ballot(db: Database, event_id: int, code: str, ballot: CastBallot) -> str:
    """Cast a kiosk ballot with a one-time code; returns the receipt number shown to the voter.

    The code is marked used and the ballot stored in one transaction. The stored ballot carries no
    code, voter or time. Raises ``CodeRefused``, ``VotingClosed`` or ``BallotRejected`` (every reason).
    """
    with db.unit_of_work() as uow:
        receipt = record_ballot(uow.session, _event(uow.session, event_id), code, ballot)
        uow.commit()
        return receipt


# --- paper ballots, keyed twice --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyingOutcome:
    """What happened to a sheet after a keying: ``waiting`` (keyed once), ``counted``, ``spoilt`` or
    ``mismatch`` (the two keyings differ)."""

    sheet: str
    pass_no: int
    state: str
    message: str
    receipt: str | None = None


def _entry_key(entry: PaperEntry) -> tuple:
    return (tuple(entry.choices), tuple(entry.points) if entry.points is not None else None,
            entry.spoilt_reason is not None)


def describe_entry(rules: BallotRules, choices: Sequence[str], points: Sequence[Any] | None,
                   spoilt_reason: str | None) -> str:
    """A keying in words, for the mismatch list: ``"BBL-2026-0003: 5, BBL-2026-0007: can't judge"``."""
    if spoilt_reason is not None:
        return f"spoilt ({spoilt_reason})"
    if not choices:
        return "blank"
    if points is None:
        return ", ".join(choices)
    return ", ".join(f"{c}: {'can’t judge' if p is CANT_JUDGE else p}" for c, p in zip(choices, points, strict=True))


def _count_paper(session: Session, event: VotingEvent, rules: BallotRules, sheet: str, entry: PaperEntry,
                 resolved_reason: str | None = None) -> KeyingOutcome:
    """Store the ballot for ``sheet`` as keyed in ``entry``: spoilt when marked so or when it breaks the
    ballot paper's rules, counted otherwise."""
    receipt = _new_receipt(session, event.id)
    reason = entry.spoilt_reason
    if reason is None:
        ballot = CastBallot(f"sheet {sheet}", tuple(entry.choices),
                            tuple(entry.points) if entry.points is not None else None)
        problems = ballot_problems(rules, ballot)
        if problems:
            reason = " ".join(problems)
    session.add(CastBallotRow(event_id=event.id, receipt=receipt, source="paper", choices=list(entry.choices),
                              points=list(entry.points) if entry.points is not None else None,
                              spoilt_reason=reason, paper_sheet=sheet))
    session.flush()
    how = f" after an officer resolved a mismatch ({resolved_reason})" if resolved_reason else ""
    if reason is not None:
        return KeyingOutcome(sheet, entry.pass_no, "spoilt", f"Sheet {sheet} is spoilt{how}: {reason}", receipt)
    return KeyingOutcome(sheet, entry.pass_no, "counted", f"Sheet {sheet} is counted{how}.", receipt)


def record_paper(session: Session, event: VotingEvent, sheet: str, ballot: CastBallot | None = None, *,
                 spoilt_reason: str | None = None, entered_by: str, at: datetime | None = None,
                 rules: BallotRules | None = None) -> KeyingOutcome:
    """One keying of a paper ballot in ``session`` (see ``key_paper_ballot``)."""
    sheet = sheet.strip()
    if not sheet:
        raise ValidationError("Write a number on the paper ballot and key it as the sheet number.", "sheet")
    if (ballot is None) == (spoilt_reason is None):
        raise ValidationError("Key the ballot's marks, or mark it spoilt with a reason.")
    if spoilt_reason is not None and not spoilt_reason.strip():
        raise ValidationError("Say why the ballot is spoilt (for example “unreadable” or “voter identifiable”).",
                              "spoilt_reason")
    if event.confirmed_at is not None:
        raise VotingClosed(f"The results of “{event.name}” are confirmed: no more ballots can be counted.")
    if session.scalar(select(CastBallotRow.id).where(CastBallotRow.event_id == event.id,
                                                     CastBallotRow.paper_sheet == sheet)):
        raise ValidationError(f"Sheet {sheet} has already been counted.", "sheet")
    earlier = session.scalars(select(PaperEntry).where(PaperEntry.event_id == event.id, PaperEntry.sheet == sheet)
                              .order_by(PaperEntry.pass_no)).all()
    if len(earlier) >= 2:
        raise ValidationError(f"Sheet {sheet} has been keyed twice already and the two keyings differ; "
                              "resolve the mismatch instead.", "sheet")
    if ballot is not None and event.ballot_kind in ("approval", "choose-one", "knapsack"):
        # Crosses have no order: "2 and 1" and "1 and 2" are the same ballot, so both keyings agree.
        position = {p.application.reference: p.position for p in event.projects}
        ballot = CastBallot(ballot.voter_id, tuple(sorted(ballot.choices, key=lambda c: position.get(c, 1 << 30))))
    choices, points = _stored(ballot) if ballot is not None else ([], None)
    entry = PaperEntry(event_id=event.id, sheet=sheet, pass_no=len(earlier) + 1, choices=choices, points=points,
                       spoilt_reason=spoilt_reason.strip() if spoilt_reason else None, entered_by=entered_by,
                       entered_at=at or utcnow())
    session.add(entry)
    session.flush()
    if not earlier:
        return KeyingOutcome(sheet, 1, "waiting", f"Sheet {sheet} keyed once; key it again to count it.")
    if _entry_key(earlier[0]) == _entry_key(entry):
        return _count_paper(session, event, rules or _view(session, event).rules, sheet, earlier[0])
    return KeyingOutcome(sheet, 2, "mismatch",
                         f"Sheet {sheet}: the two keyings differ. It is listed for an officer to resolve.")


def key_paper_ballot(db: Database, event_id: int, sheet: str, ballot: CastBallot | None = None, *,
                     spoilt_reason: str | None = None, entered_by: str | None = None) -> KeyingOutcome:
    """Key one paper ballot (``ballot``) or mark it spoilt (``spoilt_reason``). The first keying of a
    sheet waits for the second; when both agree the ballot is counted (or spoilt, if it breaks the
    rules), when they differ it is listed as a mismatch."""
    who = actor_or_default(entered_by)
    with db.unit_of_work() as uow:
        outcome = record_paper(uow.session, _event(uow.session, event_id), sheet, ballot,
                               spoilt_reason=spoilt_reason, entered_by=who)
        uow.commit()
        return outcome


@dataclass(frozen=True, slots=True)
class Mismatch:
    sheet: str
    first: str  # each keying in words
    second: str
    first_by: str
    second_by: str


def paper_mismatches(db: Database, event_id: int) -> list[Mismatch]:
    """Sheets keyed twice whose keyings differ and that no officer has resolved yet."""
    with db.session() as s:
        event = _event(s, event_id)
        rules = _view(s, event).rules
        counted = set(s.scalars(select(CastBallotRow.paper_sheet).where(CastBallotRow.event_id == event_id,
                                                                        CastBallotRow.paper_sheet.is_not(None))))
        entries = s.scalars(select(PaperEntry).where(PaperEntry.event_id == event_id)
                            .order_by(PaperEntry.sheet, PaperEntry.pass_no)).all()
        by_sheet: dict[str, list[PaperEntry]] = {}
        for e in entries:
            by_sheet.setdefault(e.sheet, []).append(e)
        out = []
        for sheet, pair in by_sheet.items():
            if len(pair) == 2 and sheet not in counted:
                a, b = pair
                out.append(Mismatch(sheet, describe_entry(rules, a.choices, a.points, a.spoilt_reason),
                                    describe_entry(rules, b.choices, b.points, b.spoilt_reason),
                                    a.entered_by, b.entered_by))
        return sorted(out, key=lambda m: _sheet_key(m.sheet))


def _sheet_key(sheet: str):
    return (0, int(sheet), "") if sheet.isdigit() else (1, 0, sheet)


@dataclass(frozen=True, slots=True)
class PaperProgress:
    keyed_once: tuple[str, ...]  # sheets waiting for their second keying
    counted: int
    spoilt: int
    mismatches: int
    sheets: tuple[str, ...] = ()  # every sheet keyed at least once, in sheet order


def paper_progress(db: Database, event_id: int) -> PaperProgress:
    with db.session() as s:
        entries = s.execute(select(PaperEntry.sheet, func.count()).where(PaperEntry.event_id == event_id)
                            .group_by(PaperEntry.sheet)).all()
        done = dict(s.execute(select(CastBallotRow.paper_sheet, CastBallotRow.spoilt_reason.is_not(None))
                              .where(CastBallotRow.event_id == event_id, CastBallotRow.paper_sheet.is_not(None))).all())
    once = tuple(sorted((sheet for sheet, n in entries if n == 1), key=_sheet_key))
    mismatches = sum(1 for sheet, n in entries if n == 2 and sheet not in done)
    spoilt = sum(1 for bad in done.values() if bad)
    return PaperProgress(once, len(done) - spoilt, spoilt, mismatches,
                         tuple(sorted((sheet for sheet, _ in entries), key=_sheet_key)))


def settle_mismatch(session: Session, event: VotingEvent, sheet: str, *, use: int | None = None,
                    ballot: CastBallot | None = None, spoilt_reason: str | None = None, reason: str,
                    actor: str, at: datetime | None = None) -> KeyingOutcome:
    """Resolve a mismatch in ``session`` (see ``resolve_mismatch``)."""
    if not reason.strip():
        raise ValidationError("Say how the mismatch was settled (for example “checked the paper: 4 not 1”).", "reason")
    if sum(x is not None for x in (use, ballot, spoilt_reason)) != 1:
        raise ValidationError("Keep one of the two keyings, or give the ballot as it reads.")
    if event.confirmed_at is not None:
        raise VotingClosed(f"The results of “{event.name}” are confirmed.")
    pair = session.scalars(select(PaperEntry).where(PaperEntry.event_id == event.id, PaperEntry.sheet == sheet)
                           .order_by(PaperEntry.pass_no)).all()
    if len(pair) != 2 or session.scalar(select(CastBallotRow.id).where(CastBallotRow.event_id == event.id,
                                                                       CastBallotRow.paper_sheet == sheet)):
        raise ValidationError(f"Sheet {sheet} has no mismatch to resolve.", "sheet")
    if use is not None:
        if use not in (1, 2):
            raise ValidationError("Keep keying 1 or keying 2.")
        chosen = pair[use - 1]
    else:
        choices, points = _stored(ballot) if ballot is not None else ([], None)
        chosen = PaperEntry(sheet=sheet, pass_no=0, choices=choices, points=points,
                            spoilt_reason=spoilt_reason.strip() if spoilt_reason else None)
    outcome = _count_paper(session, event, _view(session, event).rules, sheet, chosen, resolved_reason=reason.strip())
    audit(session, actor=actor, action="event.paper_resolve", entity="voting_event", entity_id=event.id, at=at,
          summary=f"Resolved the mismatch on sheet {sheet}: {reason.strip()}",
          after={"sheet": sheet, "kept": use, "state": outcome.state})
    return outcome


def resolve_mismatch(db: Database, event_id: int, sheet: str, *, use: int | None = None,
                     ballot: CastBallot | None = None, spoilt_reason: str | None = None, reason: str,
                     actor: str | None = None) -> KeyingOutcome:
    """An officer settles a mismatch after looking at the paper: keep keying ``use`` (1 or 2), or give
    the ballot as it really reads (``ballot`` or ``spoilt_reason``). ``reason`` is recorded."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        outcome = settle_mismatch(uow.session, _event(uow.session, event_id), sheet, use=use, ballot=ballot,
                                  spoilt_reason=spoilt_reason, reason=reason, actor=who)
        uow.commit()
        return outcome


# --- counting and results ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectResult:
    reference: str
    title: str
    organisation: str
    amount_pence: int
    total: int | Fraction
    supporters: int
    mean: Fraction | None
    funded: bool
    rank: int  # 1 = most support


@dataclass(frozen=True)
class EventResults:
    event: EventView
    tally: Tally  # kiosk and paper together
    kiosk: Tally
    paper: Tally
    allocation: AllocationResult
    projects: tuple[ProjectResult, ...]  # by support, most first
    budget_pence: int
    funded_pence: int
    spoilt_reasons: tuple[str, ...]

    @property
    def left_pence(self) -> int:
        return self.budget_pence - self.funded_pence

    @property
    def method(self) -> str:
        """The method and rules in plain words, for the results sheet."""
        e = self.event
        extra = ""
        if e.rule == "greedy":
            extra = (" When the next project does not fit in what is left, " +
                     ("counting stops there." if e.when_next_does_not_fit == "stop" else
                      "it is skipped and the next one that fits is funded."))
        return f"Ballot: {e.instructions} Allocation: {DESCRIPTIONS[e.rule]}.{extra} {self.allocation.tie_break}"


@contextmanager
def _gc_paused():
    """The cyclic garbage collector off while a count or an import makes 60,000 ballots, rows and
    tuples (none of them in a cycle; memory is still freed by reference counting): its passes over
    the growing heap were a quarter of the time. Switched back on as it was, whatever happens."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _stored_ballots(session: Session, event_id: int) -> list[tuple]:
    """``(receipt, source, choices, points, spoilt_reason)`` of the event's ballots in the order stored,
    with ``choices`` and ``points`` as their JSON text: ``_Count`` decodes each distinct ballot once."""
    table = CastBallotRow.__table__
    rows = session.execute(select(table.c.receipt, table.c.source, type_coerce(table.c.choices, Text),
                                  type_coerce(table.c.points, Text), table.c.spoilt_reason)
                           .where(table.c.event_id == event_id).order_by(table.c.id)).all()
    if rows and not isinstance(rows[0][2], str):  # a driver that decodes JSON itself: text again
        rows = [(r, src, json.dumps(c), None if p is None else json.dumps(p), why) for r, src, c, p, why in rows]
    return rows


class _Ballot:
    """One distinct stored ballot: the projects it marks (indices into the ballot paper; ``None`` when
    it marks a reference not on it), its points, what it gives an ``Election`` ("can't judge" left
    out), and the reasons it breaks the event's rules once checked."""

    __slots__ = ("text", "marks", "points", "projects", "kept", "problems")

    def __init__(self, text: str, marks: tuple[int, ...] | None, points: tuple[Any, ...] | None):
        self.text, self.marks, self.points = text, marks, points
        self.problems: tuple[str, ...] | None = None
        self.projects: tuple[int, ...] | None = None
        self.kept: tuple[Any, ...] | None = None
        if marks is None:
            return
        if points is None:
            self.projects = marks
        elif len(points) == len(marks):
            if CANT_JUDGE in points:
                pairs = [(i, p) for i, p in zip(marks, points, strict=True) if p is not CANT_JUDGE]
                self.projects, self.kept = tuple(i for i, _ in pairs), tuple(p for _, p in pairs)
            else:
                self.projects, self.kept = marks, points

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(json.loads(self.text))


def _marks(texts: set[str], rules: BallotRules) -> dict[str, tuple[int, ...] | None]:
    """For each JSON list of references in ``texts``, the ballot paper positions of the references
    (``None`` if one is not on it). Text as GrantDesk writes it (``["A", "B"]``) is split, not parsed:
    each piece must be exactly the JSON of a reference, so the answer is the same as ``json.loads``'s."""
    get = {json.dumps(p.id): i for i, p in enumerate(rules.projects)}.get
    marks = {text: tuple(map(get, text[1:-1].split(", "))) for text in texts}
    index = {p.id: i for i, p in enumerate(rules.projects)}
    for text in [text for text, found in marks.items() if None in found]:  # "[]", or written otherwise
        try:
            marks[text] = tuple(map(index.__getitem__, json.loads(text)))
        except (KeyError, TypeError):
            marks[text] = None
    return marks


def _shape(rules: BallotRules, b: _Ballot) -> Any:
    """What ``ballot_problems`` looks at, for a ballot that marks only projects on the ballot paper,
    each once: how many it marks, and (with points) the points as a multiset. Ballots of one shape are
    all good or all spoilt, so a good shape is checked once. ``None`` (unknown or repeated projects,
    points that are not whole numbers, limits per category, a knapsack): check that ballot itself."""
    marks, points = b.marks, b.points
    if marks is None or len(set(marks)) != len(marks):
        return None
    if not rules.has_points:
        if points is not None or rules.kind == "knapsack" or getattr(rules, "per_category", None):
            return None
        return len(marks)
    if points is None or len(points) != len(marks) or any(type(p) is not int for p in points if p is not None):
        return None
    return len(marks), tuple(sorted(points, key=lambda p: (p is not None, p or 0)))


class _Count:
    """An event's stored ballots counted as ``tally_ballots`` counts them — every ballot not marked
    spoilt checked against the event's rules, one that breaks them spoilt with its reasons — but each
    distinct ballot decoded once, and each shape of ballot (``_shape``) found good checked once with
    ``ballot_problems``: on 60,000 ballots, a fraction of the time of checking each."""

    def __init__(self, rules: BallotRules, rows: Sequence[tuple]):
        self.rules, self.rows = rules, rows
        self.meta = {"max_length": str(rules.max_ranked)} \
            if isinstance(rules, RankedRules) and rules.max_ranked is not None else {}
        self.sources = set(map(itemgetter(1), rows))
        texts = list(map(itemgetter(2), rows))
        marks = _marks(set(texts), rules)
        points_texts = set(map(itemgetter(3), rows))
        # The usual case: marks only, every one on the ballot paper and once, nothing spoilt — then a
        # ballot's problems depend on how many projects it marks alone, and one of each length is checked.
        self.plain = self._all_good(marks, points_texts)
        if self.plain:
            self.per_row: list[Any] = list(map(marks.__getitem__, texts))  # project indices
            return
        loads = json.loads
        keys = list(zip(texts, map(itemgetter(3), rows), strict=True))
        points = {text: None if text is None or (value := loads(text)) is None else tuple(value)
                  for text in points_texts}
        distinct = {key: _Ballot(key[0], marks[key[0]], points[key[1]]) for key in set(keys)}
        self.per_row = list(map(distinct.__getitem__, keys))  # _Ballot
        counted = {key for key, row in zip(keys, rows, strict=True) if row[4] is None}
        good_shapes: dict[Any, bool] = {}
        for key in counted:
            b = distinct[key]
            shape = _shape(rules, b)
            if shape is not None and good_shapes.get(shape):
                b.problems = ()
                continue
            b.problems = tuple(ballot_problems(rules, CastBallot("", b.choices, b.points)))
            if shape is not None:
                good_shapes[shape] = not b.problems

    def _all_good(self, marks: dict[str, tuple[int, ...] | None], points_texts: set[str | None]) -> bool:
        rules = self.rules
        if rules.has_points or rules.kind == "knapsack" or getattr(rules, "per_category", None) \
                or not points_texts <= {None, "null"} or set(map(itemgetter(4), self.rows)) - {None}:
            return False
        found = list(marks.values())
        if None in found or list(map(len, map(set, found))) != list(map(len, found)):
            return False
        ids = [p.id for p in rules.projects]
        return not any(ballot_problems(rules, CastBallot("", tuple(ids[i] for i in one)))
                       for one in {len(m): m for m in found}.values())

    def accepted(self, source: str | None = None) -> tuple[list[Ballot], list[tuple], list[int]]:
        """The ballots from ``source`` (all when ``None``) that count, as ``Election`` ballots; the
        spoilt ones (marked so, then those that break the rules) with their reasons; and per project
        the "can't judge" marks on the ones that count."""
        rows, per_row = self.rows, self.per_row
        if source is not None and self.sources != {source}:
            chosen = [n for n, row in enumerate(rows) if row[1] == source]
            rows, per_row = [rows[n] for n in chosen], [per_row[n] for n in chosen]
        unsure = [0] * len(self.rules.projects)
        if self.plain:
            return list(map(Ballot, map(itemgetter(0), rows), per_row)), [], unsure
        good: list[Ballot] = []
        rejected: list[tuple[str, tuple[str, ...]]] = []
        spoilt: list[tuple[str, tuple[str, ...]]] = []
        for row, b in zip(rows, per_row, strict=True):
            if row[4] is not None:
                spoilt.append((row[0], (row[4],)))
            elif b.problems:
                rejected.append((row[0], b.problems))
            else:
                good.append(Ballot(row[0], b.projects, b.kept))
                if b.points is not None and CANT_JUDGE in b.points:
                    for i, p in zip(b.marks, b.points, strict=True):
                        if p is CANT_JUDGE:
                            unsure[i] += 1
        return good, [*spoilt, *rejected], unsure

    def tally(self, source: str | None = None) -> tuple[Tally, list[Ballot]]:
        """The tally of the ballots from ``source`` (all when ``None``), and the ones that count."""
        good, spoilt, unsure = self.accepted(source)
        election = Election(self.rules.vote_type, Fraction(0), list(self.rules.projects), good, dict(self.meta))
        return tally_election(election, cant_judge=unsure, spoilt=spoilt), good


def event_election(session: Session, event: VotingEvent, view: EventView | None = None,
                   ballots: list[Ballot] | None = None) -> Election:
    """The event's accepted ballots as an ``Election`` (project ids: application references; costs and
    budget in pounds), with the META a PaBuLib export needs to be counted the same way again.
    ``ballots``: the election's ballots when the caller has them already."""
    view = view or _view(session, event)
    rules = view.rules
    if ballots is None:
        ballots = _Count(rules, _stored_ballots(session, event.id)).accepted()[0]
    meta = {
        "description": f"{view.fund_name}: {view.name}",
        "country": "United Kingdom",
        "unit": view.fund_name,
        "instance": view.round_name,
        "currency": "GBP",
        "rule": view.rule,
        "tie_break": ",".join(view.tie_break),
        "fund_unsupported": "no",
    }
    if view.tie_break_seed:
        meta["tie_break_seed"] = view.tie_break_seed
    if view.rule == "greedy":
        meta["when_next_does_not_fit"] = view.when_next_does_not_fit
    if view.opens_at:
        meta["date_begin"] = view.opens_at.strftime("%d.%m.%Y")
    if view.closes_at:
        meta["date_end"] = view.closes_at.strftime("%d.%m.%Y")
    meta.update(_length_meta(rules))
    return Election(rules.vote_type, Fraction(view.budget_pence, 100), list(rules.projects), ballots, meta)


def _length_meta(rules: BallotRules) -> dict[str, str]:
    from grantdesk.voting.ballots import ApprovalRules, CumulativeRules, RankedRules, ScoreRules

    if isinstance(rules, ApprovalRules) and rules.max_choices:
        return {"max_length": str(rules.max_choices), "min_length": str(rules.min_choices)}
    if isinstance(rules, RankedRules) and rules.max_ranked:
        return {"max_length": str(rules.max_ranked), "min_length": str(rules.min_ranked)}
    if isinstance(rules, CumulativeRules):
        return {"max_sum_points": str(rules.tokens)}
    if isinstance(rules, ScoreRules):
        return {"min_points": str(rules.low), "max_points": str(rules.high)}
    return {}


def _results(session: Session, event: VotingEvent, view: EventView | None = None) -> EventResults:
    with _gc_paused():  # a city-wide vote makes 60,000 ballots and their tallies: none in a cycle
        return _count_results(session, event, view)


def _count_results(session: Session, event: VotingEvent, view: EventView | None) -> EventResults:
    view = view or _view(session, event)
    rows = _stored_ballots(session, event.id)
    count = _Count(view.rules, rows)
    tally, good = count.tally()
    kiosk = tally if count.sources == {"kiosk"} else count.tally("kiosk")[0]
    paper = tally if count.sources == {"paper"} else count.tally("paper")[0]
    election = event_election(session, event, view, good)  # the allocation counts the ballots the tally accepts
    allocation = run_rule(election, view.rule, view.tie_break_policy,
                          **_rule_options(view.rule, view.when_next_does_not_fit))
    funded = set(allocation.selected)
    # Rank by total support; equal totals in the event's tie-break order, as the rule took them.
    tie_key = view.tie_break_policy.key(election, [t.supporters for t in tally.projects])
    order = sorted(range(len(view.projects)), key=lambda i: (-tally.projects[i].total, tie_key(i)))
    projects = []
    for rank, i in enumerate(order, start=1):
        p, t = view.projects[i], tally.projects[i]
        projects.append(ProjectResult(p.reference, p.title, p.organisation, p.amount_pence, t.total, t.supporters,
                                      t.mean, p.reference in funded, rank))
    funded_pence = sum(p.amount_pence for p in view.projects if p.reference in funded)
    reasons = tuple(r[4] for r in rows if r[4] is not None)
    return EventResults(view, tally, kiosk, paper, allocation, tuple(projects), view.budget_pence, funded_pence,
                        reasons)


@dataclass(frozen=True, slots=True)
class HiddenCount:
    """What a results screen may show while an event hides its results: how many ballots are in, and
    nothing that says how they were cast."""

    event: EventView
    cast: int
    kiosk: int
    paper: int
    budget_pence: int


def event_screen(db: Database, event_id: int) -> EventResults | HiddenCount:
    """For the projector: the full count once results may be shown, else only the number of ballots in
    (so the totals are not even counted while they are hidden)."""
    with db.session() as s:
        event = _event(s, event_id)
        view = _view(s, event)
        if view.hide_results and not view.revealed:
            by_source = dict(s.execute(select(CastBallotRow.source, func.count())
                                       .where(CastBallotRow.event_id == event_id)
                                       .group_by(CastBallotRow.source)).all())
            kiosk, paper = int(by_source.get("kiosk", 0)), int(by_source.get("paper", 0))
            return HiddenCount(view, kiosk + paper, kiosk, paper, view.budget_pence)
        return _results(s, event, view)


def event_results(db: Database, event_id: int) -> EventResults:
    """Count the event now: tallies (kiosk, paper, both), the allocation and its explanation."""
    with db.session() as s:
        return _results(s, _event(s, event_id))


def export_pabulib(db: Database, event_id: int, target: str | Path) -> Path:
    """Write the event's accepted ballots as a PaBuLib ``.pb`` file for research. Tallying it with
    ``python -m grantdesk tally`` and the event's rule gives the event's result."""
    from grantdesk.voting.pabulib import write_pb

    with db.session() as s:
        election = event_election(s, _event(s, event_id))
    path = Path(target)
    write_pb(election, path)
    return path


# --- the officer's steps: reveal, close, confirm -------------------------------------------------


def mark_revealed(session: Session, event: VotingEvent, *, actor: str, at: datetime | None = None) -> None:
    if event.revealed_at is None:
        event.revealed_at = at or utcnow()
        audit(session, actor=actor, action="event.reveal", entity="voting_event", entity_id=event.id, at=at,
              summary=f"Revealed the results of “{event.name}”")


def reveal_results(db: Database, event_id: int, *, actor: str | None = None) -> None:
    """Show the results on the projector (for an event that hides them until an officer says so)."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        mark_revealed(uow.session, _event(uow.session, event_id), actor=who)
        uow.commit()


def mark_closed(session: Session, event: VotingEvent, *, actor: str, at: datetime | None = None) -> None:
    if event.closed_at is None:
        event.closed_at = at or utcnow()
        audit(session, actor=actor, action="event.close", entity="voting_event", entity_id=event.id, at=at,
              summary=f"Closed voting at “{event.name}”")


def close_voting(db: Database, event_id: int, *, actor: str | None = None) -> None:
    """Stop taking kiosk ballots and issuing codes. Paper ballots can still be keyed and counted."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        mark_closed(uow.session, _event(uow.session, event_id), actor=who)
        uow.commit()


def check_kiosk_pin(db: Database, event_id: int, pin: str) -> bool:
    with db.session() as s:
        return _pin_matches(_event(s, event_id).kiosk_pin_hash, pin)


@dataclass(frozen=True, slots=True)
class Confirmation:
    awarded: tuple[str, ...]
    declined: tuple[str, ...]
    funded_pence: int


def confirm(session: Session, event: VotingEvent, *, actor: str, on: date | None = None,
            at: datetime | None = None) -> Confirmation:
    """Confirm the event's results in ``session`` (see ``confirm_results``)."""
    who = actor
    s = session
    event_id = event.id
    if event.confirmed_at is not None:
        raise ValidationError(f"The results of “{event.name}” were confirmed already.")
    if event.closed_at is None:
        raise ValidationError("Close voting before confirming the results.")
    results = _results(s, event)
    if not results.tally.accepted:
        raise ValidationError("No ballot has been counted, so there is no result to confirm.")
    keyed = set(s.scalars(select(PaperEntry.sheet).where(PaperEntry.event_id == event_id)))
    counted = set(s.scalars(select(CastBallotRow.paper_sheet).where(CastBallotRow.event_id == event_id)))
    open_sheets = sorted(keyed - counted, key=_sheet_key)
    if open_sheets:
        raise ValidationError(f"Paper sheets not yet counted (keyed once, or a mismatch): {', '.join(open_sheets)}."
                              " Finish keying them before confirming.")
    day = on or (at or utcnow()).date()
    awarded, declined = [], []
    total = len(results.projects)
    for p in results.projects:
        app = s.scalar(select(Application).where(Application.reference == p.reference))
        if app is None or app.status != Status.SHORTLISTED.value:
            continue  # withdrawn since the vote, say: left as it is
        if p.funded:
            do_transition(s, app, Status.AWARDED, actor=who, on=day, at=at,
                          reason=f"Funded by the community vote “{event.name}”")
            add_award(s, actor=who, application=app, amount_pence=app.amount_requested_pence, awarded_on=day,
                      spend_by=app.round.spend_by if app.round else None)
            awarded.append(p.reference)
        else:
            do_transition(s, app, Status.DECLINED, actor=who, at=at,
                          reason=f"Not funded by the community vote “{event.name}”: ranked {p.rank} of {total} "
                                 "by residents' votes, and the pot was spent on the projects funded.")
            declined.append(p.reference)
    event.confirmed_at = at or utcnow()
    event.confirmed_by = who
    audit(s, actor=who, action="event.confirm", entity="voting_event", entity_id=event_id, at=at,
          summary=f"Confirmed the results of “{event.name}”: {len(awarded)} funded, {len(declined)} declined",
          after={"awarded": awarded, "declined": declined})
    return Confirmation(tuple(awarded), tuple(declined), results.funded_pence)


def confirm_results(db: Database, event_id: int, *, actor: str | None = None, on: date | None = None) -> Confirmation:
    """Feed the result back into the applications: each funded one is awarded its requested amount,
    each other one declined with the reason in words. Only after voting has closed, with every paper
    mismatch resolved; all in one transaction."""
    who = actor_or_default(actor)
    with db.unit_of_work() as uow:
        done = confirm(uow.session, _event(uow.session, event_id), actor=who, on=on)
        uow.commit()
        return done


def event_photos(db: Database, event_id: int) -> dict[str, bytes]:
    """For the kiosk's cards: reference → the first image attached to each application on the ballot
    paper (a ``photo`` first), as bytes. Applications without an image are left out."""
    from grantdesk.store.models import Attachment

    with db.session() as s:
        event = _event(s, event_id)
        by_app = {p.application_id: p.application.reference for p in event.projects}
        rows = s.execute(select(Attachment.application_id, Attachment.kind, Attachment.data)
                         .where(Attachment.application_id.in_(by_app), Attachment.media_type.like("image/%"))
                         .order_by(Attachment.id)).all()
    photos: dict[str, bytes] = {}
    for app_id, _kind, data in sorted(rows, key=lambda r: r[1] != "photo"):
        photos.setdefault(by_app[app_id], data)
    return photos


@dataclass(frozen=True, slots=True)
class RoundChoice:
    id: int
    name: str
    budget_pence: int | None
    shortlisted: tuple[EventProjectView, ...]


def setup_choices(db: Database, fund_code: str) -> list[RoundChoice]:
    """For the set-up dialog: the fund's rounds, newest first, each with its shortlisted applications
    (the ones that may go on a ballot paper)."""
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        rounds = s.scalars(select(Round).where(Round.fund_id == fund.id).order_by(Round.opens_on.desc())).all()
        out = []
        for rnd in rounds:
            apps = s.scalars(select(Application).where(Application.round_id == rnd.id,
                                                       Application.status == Status.SHORTLISTED.value)
                             .order_by(Application.reference)).all()
            out.append(RoundChoice(rnd.id, rnd.name, rnd.budget_pence, tuple(
                EventProjectView(a.id, a.reference, a.title, a.summary, a.organisation.name, a.amount_requested_pence,
                                 "", a.status) for a in apps)))
        return out


# --- bringing in a vote held elsewhere (a PaBuLib file) --------------------------------------------

# PaBuLib vote_type → the event's kind of ballot; META rule → GrantDesk rule (our own names are taken
# as they are, so a file exported from an event comes back counted the same way).
PABULIB_KINDS = {"approval": "approval", "choose-1": "choose-one", "ordinal": "ranked", "cumulative": "cumulative",
                 "scoring": "score"}
PABULIB_RULES = {"greedy": "greedy", "equalshares": "mes", "equalshares/add1": "mes-add1",
                 **{name: name for name in DESCRIPTIONS}}
STORING_BALLOTS = "Storing ballots"
IMPORT_CHUNK = 5_000  # ballots per insert statement (and per progress report)


class Progress(Protocol):  # the shape of ``ui.tasks.Progress``: ``report`` raises to cancel
    def report(self, done: int, total: int, label: str) -> None: ...


@dataclass(frozen=True)
class ImportedVote:
    """What ``import_pabulib`` made: the event (closed, its ballots in), its round and how it counts.
    ``notes`` says, in sentences, where the file asked for something GrantDesk counts differently."""

    event_id: int
    round_id: int
    name: str
    ballots: int
    projects: int
    ballot_kind: str
    rule: str
    references: tuple[str, ...]  # the applications made, in the file's project order
    notes: tuple[str, ...] = ()


def _meta_int(meta: dict[str, str], key: str) -> int | None:
    from grantdesk.voting.pabulib import PabulibError

    text = meta.get(key, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise PabulibError(f"META {key} “{text}” is not a whole number.") from None


def _meta_day(meta: dict[str, str], key: str) -> date | None:
    """A META date (PaBuLib writes ``01.06.2025``); ``None`` when absent or written some other way."""
    try:
        return datetime.strptime(meta.get(key, "").strip(), "%d.%m.%Y").date()
    except ValueError:
        return None


def _paper_from_meta(election: Election) -> tuple[str, dict[str, Any], list[str]]:
    """The event's kind of ballot and its settings as the file's META states them, with notes on what
    META states that a GrantDesk ballot paper cannot. Limits META leaves out are none (approval), or
    the least every ballot in the file fits (the tokens of a cumulative vote, the scale of a score)."""
    meta, kind = election.meta, PABULIB_KINDS[election.vote_type]
    notes: list[str] = []
    settings: dict[str, Any] = {}
    most, least = _meta_int(meta, "max_length"), _meta_int(meta, "min_length")
    if kind == "approval":
        if most is not None:
            settings["max_choices"] = most
        settings["min_choices"] = least if least is not None else 0
    elif kind == "ranked":
        if most is not None:
            settings["max_ranked"] = most
        if least is not None:
            settings["min_ranked"] = least
    elif kind == "cumulative":
        tokens = _meta_int(meta, "max_sum_points")
        if tokens is None:
            tokens = max((sum(b.points or ()) for b in election.ballots), default=1) or 1
            notes.append(f"The file states no number of tokens; each voter is taken to have had {tokens}, the "
                         "most any ballot spreads.")
        settings["tokens"] = tokens
        per_project = _meta_int(meta, "max_points")
        if per_project is not None:
            settings["max_per_project"] = per_project
        fewest = _meta_int(meta, "min_sum_points")
        if fewest is not None and fewest == tokens:
            settings["use_all"] = True
        elif fewest is not None and fewest > 1:
            notes.append(f"The file asks each voter to spread at least {fewest} tokens; a GrantDesk ballot paper "
                         "can ask for all of them or any number, so the event asks for any number.")
    elif kind == "score":
        points = {p for b in election.ballots for p in (b.points or ())}
        low, high = _meta_int(meta, "min_points"), _meta_int(meta, "max_points")
        settings["low"] = low if low is not None else min(points, default=0)
        settings["high"] = high if high is not None else max(points, default=settings["low"] + 1)
    return kind, settings, notes


def _vote_line(path: Path, k: int) -> int | None:
    """The line number (from 1) of the ``k``-th ballot (from 0) in the file's VOTES section."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    start = next((n for n, line in enumerate(lines) if line.strip() == "VOTES"), None)
    if start is None:
        return None
    rows = [n + 1 for n in range(start + 1, len(lines)) if lines[n].strip()]
    return rows[k + 1] if k + 1 < len(rows) else None


def _check_file_ballots(path: Path, election: Election, rules: BallotRules) -> None:
    """Refuse the file if any ballot breaks the ballot paper its META describes, naming the line.

    The rules of every kind read from a file depend only on how many projects a ballot marks and, with
    points, on the points (the reader has refused unknown projects and repeated ones already), so each
    distinct shape is checked once with ``ballot_problems`` instead of 60,000 ballots one by one."""
    from grantdesk.voting.pabulib import PabulibError

    ids = [p.id for p in rules.projects]
    if rules.has_points:
        first: dict[Any, int] = {}
        for k, b in enumerate(election.ballots):
            first.setdefault((len(b.projects), tuple(sorted(b.points or ()))), k)
    else:
        lengths = list(map(len, map(itemgetter(1), election.ballots)))
        first = {n: lengths.index(n) for n in set(lengths)}
    for k in sorted(first.values()):
        b = election.ballots[k]
        problems = ballot_problems(rules, CastBallot(b.voter_id, tuple(ids[i] for i in b.projects),
                                                     tuple(b.points) if rules.has_points else None))
        if problems:
            line = _vote_line(path, k)
            raise PabulibError(f"{'line ' + str(line) if line else 'VOTES'}: voter {b.voter_id}'s ballot breaks the "
                               f"ballot paper the file's META describes ({describe_rules(rules)}) {' '.join(problems)}")


def _pence(amount: Fraction, what: str) -> int:
    """An amount read from a file (exact, in currency units) in whole pence, or refused."""
    from grantdesk.voting.pabulib import PabulibError, format_amount

    pence = amount * 100
    if pence.denominator != 1:
        raise PabulibError(f"{what} ({format_amount(amount)}) has fractions of a penny; GrantDesk keeps whole pence.")
    return int(pence)


def import_pabulib(db: Database, fund_code: str, path: str | Path, *, round_name: str | None = None,
                   rule: str | None = None, actor: str | None = None, progress: Progress | None = None
                   ) -> ImportedVote:
    """Bring a vote held elsewhere (an online vote, a past city-wide vote) in from a PaBuLib ``.pb`` file
    as a closed voting event of the fund, all or nothing, in one transaction with one audit entry.

    It makes a round (named from META ``description`` and ``instance`` unless ``round_name`` is given;
    budget and dates from META), one shortlisted application per project (title from the project's
    name, amount requested its cost in the file's currency units, in pence, exactly; all from one
    organisation, the round's "project proposers"), and an event with the ballot paper META describes,
    counted by ``rule`` (default: META ``rule`` where GrantDesk has it, else greedy) with ties broken
    as the tally command breaks them for that file (by project id, whose order the references keep).
    Every ballot is stored as a kiosk ballot with a receipt ``I0000001``, ``I0000002``, … in file order
    (``_insert_ballots``: on SQLite, a few thousand ballots per statement). A file that cannot be read,
    or a ballot that breaks the ballot paper META describes, is refused naming the line; nothing is
    written. ``progress.report`` is called every few thousand ballots; if it raises (a Cancel), nothing
    is written either.
    """
    with _gc_paused():
        return _import_pabulib(db, fund_code, Path(path), round_name=round_name, rule=rule, actor=actor,
                               progress=progress)


def _import_pabulib(db: Database, fund_code: str, path: Path, *, round_name: str | None, rule: str | None,
                    actor: str | None, progress: Progress | None) -> ImportedVote:
    import io

    from grantdesk.domain.dates import financial_year_of
    from grantdesk.domain.organisations import name_key
    from grantdesk.services.bulk import allocate_references, insert_rows
    from grantdesk.store.models import Organisation, StatusChange
    from grantdesk.voting.pabulib import PabulibError, read_pb
    from grantdesk.voting.rules import counting_from_meta

    who = actor_or_default(actor)
    try:
        raw = path.read_bytes()
        election = read_pb(io.StringIO(raw.decode("utf-8-sig"), newline=""), keep_extra=False)
    except FileNotFoundError:
        raise ValidationError(f"There is no file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path} cannot be read ({exc}).") from None
    except PabulibError as exc:
        raise PabulibError(f"Nothing was imported from {path.name}, which cannot be read: {exc}") from None
    meta = election.meta
    projects = election.projects
    notes: list[str] = []
    try:
        if len(projects) < 2:
            raise PabulibError(f"A vote needs at least two projects; the file has {len(projects)}.")
        kind, ballot_settings, paper_notes = _paper_from_meta(election)
        notes += paper_notes
        stated = meta.get("rule", "").strip()
        if rule is None:
            rule = PABULIB_RULES.get(stated, "greedy")
            if stated and stated not in PABULIB_RULES:
                notes.append(f"The file's rule “{stated}” is not one GrantDesk has; the event counts by greedy "
                             f"({DESCRIPTIONS['greedy']}).")
        elif rule not in DESCRIPTIONS:
            raise ValidationError(f"“{rule}” is not an allocation rule; use one of {', '.join(DESCRIPTIONS)}.", "rule")
        try:
            tie_break, options = counting_from_meta(election, rule)
        except ValueError as exc:
            raise PabulibError(f"META tie_break: {exc}") from None
        budget = _pence(election.budget, "The budget")
        if budget <= 0:
            raise PabulibError("META budget must be above 0.")
        amounts = [_pence(p.cost, f"The cost of project {p.id}") for p in projects]
        # The ballot paper, with stand-ins for the references (made in the transaction below).
        probe = [Project(f"#{n}", Fraction(amounts[n], 100), p.name) for n, p in enumerate(projects)]
        try:
            rules = make_rules(kind, probe, ballot_settings, Fraction(budget, 100))
            empty = Election(rules.vote_type, Fraction(budget, 100), list(rules.projects), [], {"currency": "GBP"})
            run_rule(empty, rule, **_rule_options(rule, options.get("when_next_does_not_fit", "skip")))
        except NotApplicable as exc:  # (a ValueError too)
            raise ValidationError(f"Nothing was imported from {path.name}: the rule {rule} cannot count its "
                                  f"{election.vote_type} ballots ({exc})", "rule") from None
        except ValueError as exc:
            raise PabulibError(f"META describes a ballot paper GrantDesk cannot set up: {exc}") from None
        _check_file_ballots(path, election, rules)
    except PabulibError as exc:
        raise PabulibError(f"Nothing was imported from {path.name}: {exc}") from None
    if "lot" in tie_break.criteria:
        notes.append("The file breaks ties by a drawn lot; the event draws it over its own references, so a tie "
                     "that reaches the lot may fall differently from the tally command on the file.")
    if rule in ("greedy", "greedy-cost", "phragmen") and options.get("fund_unsupported", False):
        supported = set().union(*_distinct(election.ballots).values())
        if len(supported) < len(projects):
            notes.append(f"{len(projects) - len(supported)} of the projects have no votes; GrantDesk never funds "
                         "a project nobody supported, where the tally command on the file funds one if money is "
                         "left for it.")

    description = meta.get("description", "").strip() or path.stem
    instance = meta.get("instance", "").strip()
    default_name = description if not instance or instance in description else f"{description} {instance}"
    name = " ".join((round_name or default_name).split())[:100]
    if not name:
        raise ValidationError("Give the round a name.", "round")
    opens_on = _meta_day(meta, "date_begin") or _meta_day(meta, "date_end")
    closes_on = _meta_day(meta, "date_end") or opens_on
    if opens_on and closes_on and closes_on < opens_on:
        opens_on, closes_on = closes_on, opens_on
    currency = meta.get("currency", "").strip() or "the file's currency"
    if currency.upper() != "GBP":
        notes.append(f"Amounts are in {currency} in the file; GrantDesk records each as the same number of "
                     "pounds and pence.")
    total = len(election.ballots)
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, fund_code)
        now = utcnow()
        opens_on = opens_on or now.date()
        closes_on = closes_on or opens_on
        if s.scalar(select(Round.id).where(Round.fund_id == fund.id, Round.name == name)) is not None:
            raise ValidationError(f"{fund.code} already has a round called “{name}”; name the round for this vote "
                                  "another way.", "round")
        year = financial_year_of(opens_on)
        rnd = Round(fund_id=fund.id, name=name, financial_year=year, opens_on=opens_on, closes_on=closes_on,
                    decision_on=None, spend_by=None, budget_pence=budget)
        s.add(rnd)
        s.flush()
        proposers = f"Project proposers, {name}"[:300]
        org_id = s.scalars(insert_rows(Organisation, returning_id=True), [dict(
            name=proposers, name_key=name_key(proposers), org_type="community_group", charity_number=None,
            company_number=None, org_id=None, address="", postcode="", website="", created_at=now)]).one()
        # References keep the order of the file's project ids, so ties broken "by reference" fall as
        # ties broken by project id do when the file itself is tallied.
        given = sorted(allocate_references(s, fund, [year] * len(projects)))
        refs = [""] * len(projects)
        for ref, i in zip(given, sorted(range(len(projects)), key=lambda i: projects[i].id), strict=True):
            refs[i] = ref
        app_ids = s.scalars(insert_rows(Application, returning_id=True), [dict(
            reference=refs[i], fund_id=fund.id, round_id=rnd.id, organisation_id=org_id, contact_id=None, area_id=None,
            title=((p.name or p.extra.get("title", "")).strip() or f"Project {p.id}")[:300], summary="",
            amount_requested_pence=amounts[i], project_start=None, project_end=None, submitted_on=opens_on,
            status=Status.SHORTLISTED.value, created_at=now, updated_at=now, version=1,
            answers={"pabulib": {"file": path.name, "project_id": p.id, "currency": currency,
                                 "categories": list(p.categories)}},
        ) for i, p in enumerate(projects)]).all()
        s.execute(insert_rows(StatusChange), [dict(
            application_id=app_id, from_status=None, to_status=Status.SHORTLISTED.value, at=now, by=who,
            reason=f"Project {p.id} of {path.name}, on the ballot paper of the vote brought in from that file")
            for app_id, p in zip(app_ids, projects, strict=True)])
        event = VotingEvent(
            fund_id=fund.id, round_id=rnd.id, name=name, venue="", ballot_kind=kind, ballot_settings=ballot_settings,
            rule=rule, when_next_does_not_fit=options.get("when_next_does_not_fit", "skip"),
            tie_break=list(tie_break.criteria), tie_break_seed=tie_break.seed, budget_pence=budget,
            voters_area=meta.get("unit", "").strip()[:200], min_age=None, register_at_door=False,
            opens_at=datetime.combine(opens_on, datetime.min.time()),
            closes_at=datetime.combine(closes_on, datetime.max.time().replace(microsecond=0)),
            hide_results=False, closed_at=now, kiosk_pin_hash="", created_at=now, created_by=who)
        s.add(event)
        s.flush()
        s.execute(insert(EventProject.__table__), [dict(
            event_id=event.id, application_id=app_id, position=n + 1,
            category=p.categories[0][:40] if len(p.categories) == 1 else "")
            for n, (app_id, p) in enumerate(zip(app_ids, projects, strict=True))])

        _insert_ballots(s, election.ballots, refs, event.id, rules.has_points, progress)
        audit(s, actor=who, action="event.import", entity="voting_event", entity_id=event.id, at=now,
              summary=f"Brought in the vote “{name}” from {path.name}: {total} ballots on {len(projects)} projects "
                      f"({kind} ballot, rule {rule}), as the round “{name}” with its shortlisted applications {given[0]} "
                      f"to {given[-1]}; voting closed",
              after={"file": path.name, "sha256": hashlib.sha256(raw).hexdigest(), "round_id": rnd.id,
                     "organisation_id": org_id, "ballots": total, "references": [given[0], given[-1]],
                     "file_rule": stated, "notes": notes, "ballot_kind": kind, "ballot_settings": ballot_settings,
                     "rule": rule, "when_next_does_not_fit": event.when_next_does_not_fit,
                     "tie_break": list(tie_break.criteria), "tie_break_seed": tie_break.seed, "budget_pence": budget,
                     "projects": refs})
        uow.commit()
        return ImportedVote(event.id, rnd.id, name, total, len(projects), kind, rule, tuple(refs), tuple(notes))


def _distinct(ballots: Sequence[Ballot]) -> dict[int, tuple[int, ...]]:
    """The distinct project tuples of ``ballots``, keyed by ``id``: the reader gives ballots with the
    same text the same tuple, so this is as good as keying by content and much cheaper to hash."""
    projects = list(map(itemgetter(1), ballots))
    return dict(zip(map(id, projects), projects, strict=True))


def _ballot_chunks(ballots: Sequence[Ballot], refs: Sequence[str], with_points: bool
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


def _storing_way(conn: Any) -> str:
    """How ``_insert_ballots`` stores ballots on ``conn``: ``"json_each"`` (SQLite with its JSON
    functions), ``"executemany"`` (an SQLite without them) or ``"core"`` (another database)."""
    if conn.dialect.name != "sqlite":
        return "core"
    return "json_each" if _sqlite_has_json() else "executemany"


@contextmanager
def _made_ahead(items: Iterable[Any]) -> Iterator[Iterator[Any]]:
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


def _receipt(n: int) -> str:
    return f"I{n:07d}"


def _insert_ballots(session: Session, ballots: Sequence[Ballot], refs: Sequence[str], event_id: int,
                    with_points: bool, progress: Progress | None) -> None:
    """Store imported ballots as kiosk ballots, in file order, with receipts ``I0000001``, … (``_receipt``),
    on the session's connection in its transaction; ``progress`` hears after every chunk.

    On SQLite each chunk is one ``INSERT … SELECT`` over ``json_each`` of one JSON array of its
    ballots' texts: SQLite takes the rows apart and makes the receipts (``printf``) itself, with no
    Python step or parameter binding per ballot, and the driver lets go of the GIL for the whole
    statement, so the next chunk's texts are made meanwhile on another thread (``_made_ahead``). The
    rows are inserted in the array's order (``ORDER BY key``, said rather than assumed of ``json_each``),
    so ids keep the file's order."""
    total = len(ballots)
    conn = session.connection()
    way = _storing_way(conn)
    chunks = _ballot_chunks(ballots, refs, with_points)
    _report(progress, 0, total, STORING_BALLOTS)
    if way == "json_each":
        sql = ("INSERT INTO ballots (event_id, receipt, source, choices, points) SELECT ?, printf('I%07d', ? + key), "
               "'kiosk', " + ("json_extract(value, '$[0]'), json_extract(value, '$[1]')" if with_points else
                              "value, 'null'") + " FROM json_each(?) ORDER BY key")
        arrays = ((start, json.dumps(list(zip(choices, points, strict=True)) if with_points else choices))
                  for start, choices, points in chunks)
        with _made_ahead(arrays) as made:
            for start, array in made:
                conn.exec_driver_sql(sql, (event_id, start + 1, array))
                _report(progress, min(start + IMPORT_CHUNK, total), total, STORING_BALLOTS)
        return
    if way == "executemany":  # an SQLite without its JSON functions: the driver's executemany
        sql = ("INSERT INTO ballots (event_id, receipt, source, choices, points) "
               "VALUES (?, printf('I%07d', ?), 'kiosk', ?, " + ("?)" if with_points else "'null')"))
        for start, choices, points in chunks:
            numbers = range(start + 1, start + len(choices) + 1)
            columns = (choices, points) if with_points else (choices,)
            conn.exec_driver_sql(sql, list(zip(repeat(event_id, len(choices)), numbers, *columns, strict=True)))
            _report(progress, min(start + IMPORT_CHUNK, total), total, STORING_BALLOTS)
        return
    table = CastBallotRow.__table__  # another database: Core executemany, which knows its driver's ways
    for start, choices, points in chunks:
        session.execute(insert(table), [dict(event_id=event_id, receipt=_receipt(start + n + 1), source="kiosk",
                                             choices=json.loads(text),
                                             points=json.loads(points[n]) if with_points else None)
                                        for n, text in enumerate(choices)])
        _report(progress, min(start + IMPORT_CHUNK, total), total, STORING_BALLOTS)


def _report(progress: Progress | None, done: int, total: int, label: str) -> None:
    if progress is not None:
        progress.report(done, total, label)
