"""Setting up a vote: the officer's choices (``EventSettings``), checked against the fund, the round
and the rules, and saved — freely until the first ballot is in, then locked (``EventLocked``)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import format_money
from grantdesk.domain.workflow import Status
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.events.common import (
    DEFAULT_TIE_BREAK,
    EventLocked,
    ballot_projects,
    ballots_in,
    event_by_id,
    rule_options,
    rule_settings,
)
from grantdesk.store.models import BALLOT_KINDS, Application, EventProject, Fund, Round, VotingEvent
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.voting.ballots import make_rules
from grantdesk.voting.election import Election
from grantdesk.voting.rules import DESCRIPTIONS, run_rule
from grantdesk.voting.satisfaction import NotApplicable
from grantdesk.voting.tiebreak import CRITERIA
from grantdesk.i18n import _, ngettext


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


def hash_pin(pin: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, 100_000)
    return f"pbkdf2${salt.hex()}${digest.hex()}"


def pin_matches(stored: str, pin: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
    except ValueError:
        return False
    return hmac.compare_digest(hash_pin(pin, bytes.fromhex(salt)).split("$")[2], digest)


def _one_vote_at_a_time(session: Session, settings: EventSettings, apps: list[Application],
                        event_id: int | None) -> None:
    """One vote per shortlist at a time: refused (with the other vote's name) while another event of the
    round that is being set up or open for voting puts any of these applications on its ballot paper."""
    others = session.scalars(select(VotingEvent).where(VotingEvent.round_id == settings.round_id,
                                                       VotingEvent.closed_at.is_(None),
                                                       VotingEvent.confirmed_at.is_(None))
                             .order_by(VotingEvent.id)).all()
    wanted = {a.id: a.reference for a in apps}
    for other in others:
        if other.id == event_id:
            continue
        shared = [wanted[p.application_id] for p in other.projects if p.application_id in wanted]
        if shared:
            state = "open for voting" if ballots_in(session, other.id) else "being set up"
            raise ValidationError(
                _("The vote “{name}” is {state} on the same shortlist ({shared}). One vote per shortlist at a "
                  "time: close that vote, or change its set-up, before putting these applications to another "
                  "vote.").format(name=other.name, state=state, shared=', '.join(sorted(shared))), "applications")


def _check_settings(session: Session, fund_id: int, settings: EventSettings,
                    event_id: int | None = None) -> tuple[Round, list[Application], int]:
    if not settings.name.strip():
        raise ValidationError(_("Give the event a name residents will recognise."), "name")
    rnd = session.get(Round, settings.round_id)
    if rnd is None or rnd.fund_id != fund_id:
        raise ValidationError(_("Choose one of this fund's rounds for the event."), "round")
    if settings.ballot_kind not in BALLOT_KINDS:
        raise ValidationError(_("“{ballot_kind}” is not a kind of ballot.").format(ballot_kind=settings.ballot_kind), "ballot_kind")
    if settings.rule not in DESCRIPTIONS:
        raise ValidationError(_("“{rule}” is not an allocation rule; use one of {descriptions}.").format(
                                rule=settings.rule, descriptions=', '.join(DESCRIPTIONS)), "rule")
    if settings.when_next_does_not_fit not in ("skip", "stop"):
        raise ValidationError(_("When the next project does not fit, the choice is to skip it or to stop."), "does_not_fit")
    unknown = [c for c in settings.tie_break if c not in CRITERIA]
    if unknown or not settings.tie_break:
        raise ValidationError(_("Ties are broken by {criteria}; “{value}” is not one.").format(
                                criteria=', '.join(CRITERIA), value=(unknown or [''])[0]),
                              "tie_break")
    if len(set(settings.application_ids)) != len(settings.application_ids):
        raise ValidationError(_("An application is on the ballot paper twice."), "applications")
    if len(settings.application_ids) < 2:
        raise ValidationError(_("Put at least two shortlisted applications on the ballot paper."), "applications")
    apps = []
    for app_id in settings.application_ids:
        app = session.get(Application, app_id)
        if app is None or app.fund_id != fund_id:
            raise ValidationError(_("Application {app_id} is not one of this fund's.").format(app_id=app_id), "applications")
        if app.round_id != rnd.id:
            raise ValidationError(_("{reference} is not in the round “{name}”.").format(
                                    reference=app.reference, name=rnd.name), "applications")
        if app.status != Status.SHORTLISTED.value:
            raise ValidationError(_("{reference} is {label}, not shortlisted: only shortlisted applications go "
                                    "on the ballot paper.").format(
                                    reference=app.reference, label=Status(app.status).label.lower()), "applications")
        apps.append(app)
    _one_vote_at_a_time(session, settings, apps, event_id)
    budget = settings.budget_pence if settings.budget_pence is not None else rnd.budget_pence
    if not budget or budget <= 0:
        raise ValidationError(_("Give the event a budget above £0 (the round has none)."), "budget")
    if settings.opens_at and settings.closes_at and settings.closes_at <= settings.opens_at:
        raise ValidationError(_("Voting must close after it opens."), "closes_at")
    if settings.min_age is not None and not 0 < settings.min_age < 120:
        raise ValidationError(_("A minimum age is a whole number of years, such as 11 or 16."), "min_age")
    if settings.kiosk_pin is not None and not (settings.kiosk_pin.isdigit() and 4 <= len(settings.kiosk_pin) <= 12):
        raise ValidationError(_("The kiosk PIN is 4 to 12 digits."), "kiosk_pin")
    try:
        rules = make_rules(settings.ballot_kind, ballot_projects(apps, settings.categories),
                           rule_settings(settings.ballot_kind, settings.ballot_settings),
                           Fraction(budget, 100))
    except (ValueError, TypeError) as exc:
        raise ValidationError(str(exc), "ballot_settings") from None
    try:  # the rule must apply to this kind of ballot: try it on an empty count
        empty = Election(rules.vote_type, Fraction(budget, 100), list(rules.projects), [], {"currency": "GBP"})
        run_rule(empty, settings.rule, **rule_options(settings.rule, settings.when_next_does_not_fit))
    except NotApplicable as exc:
        raise ValidationError(str(exc), "rule") from None
    return rnd, apps, budget


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
        event.kiosk_pin_hash = hash_pin(settings.kiosk_pin)
    event.projects.clear()
    session.flush()
    for n, app in enumerate(apps):
        event.projects.append(EventProject(application_id=app.id, position=n + 1,
                                           category=settings.categories.get(app.id, "")))


def settings_record(event: VotingEvent) -> dict[str, Any]:
    """The set-up as the audit log keeps it."""
    return {"ballot_kind": event.ballot_kind, "ballot_settings": event.ballot_settings, "rule": event.rule,
            "when_next_does_not_fit": event.when_next_does_not_fit, "tie_break": event.tie_break,
            "tie_break_seed": event.tie_break_seed, "budget_pence": event.budget_pence,
            "projects": [p.application.reference for p in event.projects]}


def add_event(session: Session, fund: Fund, settings: EventSettings, *, actor: str,
              at: datetime | None = None) -> VotingEvent:
    """Set up a vote in ``session`` (the sample loader and ``create_event`` share this)."""
    if not settings.kiosk_pin:
        raise ValidationError(_("Choose a kiosk PIN (4 to 12 digits): it is needed to leave kiosk mode."), "kiosk_pin")
    _settings, apps, budget = _check_settings(session, fund.id, settings)
    event = VotingEvent(fund_id=fund.id, created_at=at or utcnow(), created_by=actor, round_id=settings.round_id,
                        name="", ballot_kind=settings.ballot_kind, rule=settings.rule, budget_pence=budget)
    session.add(event)
    session.flush()
    _apply(session, event, settings, apps, budget)
    session.flush()
    audit(session, actor=actor, action="event.create", entity="voting_event", entity_id=event.id, at=at,
          summary=f"Set up the vote “{event.name}”: {len(apps)} projects, {event.ballot_kind} ballot, "
                  f"rule {event.rule}, budget {format_money(budget)}",
          after=settings_record(event))
    return event


def change_event(session: Session, event: VotingEvent, settings: EventSettings, *, actor: str) -> None:
    """Change an event's set-up in ``session`` (see ``update_event``)."""
    counted = ballots_in(session, event.id)
    if counted:
        raise EventLocked(ngettext(
            "Voting has started ({count} ballot in), so the ballot paper, the method and the rules of “{name}” are "
            "locked. Set up a new event to vote differently.",
            "Voting has started ({count} ballots in), so the ballot paper, the method and the rules of “{name}” are "
            "locked. Set up a new event to vote differently.", counted).format(count=counted, name=event.name))
    before = settings_record(event)
    _, apps, budget = _check_settings(session, event.fund_id, settings, event.id)
    _apply(session, event, settings, apps, budget)
    session.flush()
    audit(session, actor=actor, action="event.update", entity="voting_event", entity_id=event.id,
          summary=f"Changed the set-up of “{event.name}”", before=before, after=settings_record(event))


@transactional
def create_event(uow: UnitOfWork, fund_code: str, settings: EventSettings, *, actor: str | None = None) -> int:
    """Set up a vote; returns the event's id. The kiosk PIN is required."""
    event = add_event(uow.session, fund_by_code(uow.session, fund_code), settings, actor=actor_or_default(actor))
    return event.id


@transactional
def update_event(uow: UnitOfWork, event_id: int, settings: EventSettings, *, actor: str | None = None) -> None:
    """Change an event's set-up; refused with ``EventLocked`` once the first ballot is in."""
    change_event(uow.session, event_by_id(uow.session, event_id), settings, actor=actor_or_default(actor))


@transactional
def save_event(uow: UnitOfWork, fund_code: str, settings: EventSettings, *, event_id: int | None = None,
               actor: str | None = None) -> int:
    """What the set-up dialog's Save does: set up a new vote (``event_id`` ``None``) or change one;
    returns the event's id."""
    if event_id is None:
        return create_event(uow, fund_code, settings, actor=actor)
    update_event(uow, event_id, settings, actor=actor)
    return event_id
