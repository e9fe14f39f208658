"""Reading a vote for the windows: an event as plain data (``EventView``), the rounds and shortlists
the set-up dialog offers, and the projects' photos for the kiosk's cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from grantdesk.domain.workflow import Status
from grantdesk.services.common import fund_by_code
from grantdesk.domain.fund_settings import settings_of
from grantdesk.services.events.common import (
    ballot_projects,
    ballots_in,
    event_by_id,
    rule_settings,
    welsh_summary,
    welsh_title,
)
from grantdesk.services.events.setup import EventSettings
from grantdesk.store.database import Database
from grantdesk.store.models import Application, BallotCode, Round, VotingEvent
from grantdesk.voting.ballots import BallotRules, describe_rules, make_rules
from grantdesk.voting.tiebreak import TieBreak


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
    title_cy: str = ""  # the title and summary in Welsh, where the application gives them (issue 20)
    summary_cy: str = ""

    def title_in(self, language: str) -> str:
        """The title a voter reading ``language`` sees: the Welsh one for Welsh when there is one, else the
        English (and the Welsh when there is no English title)."""
        if language == "cy":
            return self.title_cy or self.title
        return self.title or self.title_cy

    def summary_in(self, language: str) -> str:
        if language == "cy":
            return self.summary_cy or self.summary
        return self.summary or self.summary_cy


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
    welsh: bool = False  # the fund is under the Welsh Language Standards: residents' screens Welsh first

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


def view_of(session: Session, event: VotingEvent) -> EventView:
    """The event as plain data, with its ballot paper's rules and its codes issued and used so far."""
    apps = [p.application for p in event.projects]
    categories = {p.application_id: p.category for p in event.projects}
    rules = make_rules(event.ballot_kind, ballot_projects(apps, categories),
                       rule_settings(event.ballot_kind, event.ballot_settings), Fraction(event.budget_pence, 100))
    issued, used = session.execute(
        select(func.count(), func.coalesce(func.sum(case((BallotCode.used, 1), else_=0)), 0))
        .where(BallotCode.event_id == event.id)).one()
    projects = tuple(EventProjectView(a.id, a.reference, a.title, a.summary, a.organisation.name,
                                      a.amount_requested_pence, categories.get(a.id, ""), a.status,
                                      welsh_title(a), welsh_summary(a)) for a in apps)
    return EventView(
        id=event.id, fund_code=event.fund.code, fund_name=event.fund.name, round_id=event.round_id,
        round_name=event.round.name, name=event.name, venue=event.venue, ballot_kind=event.ballot_kind,
        ballot_settings=dict(event.ballot_settings), rule=event.rule,
        when_next_does_not_fit=event.when_next_does_not_fit, tie_break=tuple(event.tie_break),
        tie_break_seed=event.tie_break_seed, budget_pence=event.budget_pence, voters_area=event.voters_area,
        min_age=event.min_age, register_at_door=event.register_at_door, opens_at=event.opens_at,
        closes_at=event.closes_at, hide_results=event.hide_results, revealed=event.revealed_at is not None,
        closed=event.closed_at is not None, confirmed=event.confirmed_at is not None, projects=projects,
        rules=rules, locked=ballots_in(session, event.id) > 0, codes_issued=int(issued), codes_used=int(used),
        welsh=settings_of(event.fund.settings).welsh_language_standards)


def get_event(db: Database, event_id: int) -> EventView:
    with db.session() as s:
        return view_of(s, event_by_id(s, event_id))


def event_photos(db: Database, event_id: int) -> dict[str, bytes]:
    """For the kiosk's cards: reference → the first image attached to each application on the ballot
    paper (a ``photo`` first), as bytes. Applications without an image are left out."""
    from grantdesk.store.models import Attachment

    with db.session() as s:
        event = event_by_id(s, event_id)
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
                                 "", a.status, welsh_title(a), welsh_summary(a)) for a in apps)))
        return out
