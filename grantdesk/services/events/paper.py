"""Paper ballots, keyed twice: each sheet is counted only when its two keyings agree (or spoilt, if the
ballot breaks the rules); when they differ the sheet waits for an officer, who settles it after
looking at the paper, with a reason that is audited.

What comes back is data: an outcome's state, its ballot problems and reasons (``KeyingOutcome``; its
``message`` says it in the count's words), and each mismatch's two keyings as marks (``Keying``), which
a window shows with the projects' ballot numbers and titles."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import ValidationError
from grantdesk.services.common import actor_or_default, audit, recorded_actor, utcnow
from grantdesk.services.events.common import VotingClosed, event_by_id, sheet_key, stored_marks
from grantdesk.services.events.views import EventView, view_of
from grantdesk.store.database import Database
from grantdesk.store.models import CastBallotRow, PaperEntry, VotingEvent
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.voting.ballots import BallotProblem, BallotRules, CastBallot, ballot_problems, problem_words
from grantdesk.i18n import _


@dataclass(frozen=True, slots=True)
class KeyingOutcome:
    """What happened to a sheet after a keying: ``state`` is ``waiting`` (keyed once), ``counted``,
    ``spoilt`` or ``mismatch`` (the two keyings differ). A spoilt sheet has its ``reason`` (the
    volunteer's, or the ballot ``problems`` in the count's words) and, when it broke the rules, the
    ``problems``; ``resolved`` is the officer's reason when a mismatch was settled."""

    sheet: str
    pass_no: int
    state: str
    receipt: str | None = None
    reason: str | None = None
    problems: tuple[BallotProblem, ...] = ()
    resolved: str | None = None

    @property
    def spoilt_as_keyed(self) -> bool:
        """A first keying that breaks the ballot paper's rules: spoilt as keyed, once the second keying
        agrees (one person's slip must not spoil a good ballot on its own)."""
        return self.state == "waiting" and bool(self.problems)

    @property
    def message(self) -> str:
        """The outcome in the count's words, for the volunteer at the keyboard."""
        sheet = self.sheet
        if self.spoilt_as_keyed:
            return _("Sheet {sheet} is spoilt as keyed: {reason} Check the paper; it is counted as spoilt when the "
                     "second keying agrees.").format(sheet=sheet, reason=self.reason)
        if self.state == "waiting":
            return _("Sheet {sheet} keyed once; key it again to count it.").format(sheet=sheet)
        if self.state == "mismatch":
            return _("Sheet {sheet}: the two keyings differ. It is listed for an officer to resolve.").format(
                sheet=sheet)
        if self.state == "spoilt":
            if self.resolved:
                return _("Sheet {sheet} is spoilt after an officer resolved a mismatch ({resolved}): {reason}").format(
                    sheet=sheet, resolved=self.resolved, reason=self.reason)
            return _("Sheet {sheet} is spoilt: {reason}").format(sheet=sheet, reason=self.reason)
        if self.resolved:
            return _("Sheet {sheet} is counted after an officer resolved a mismatch ({resolved}).").format(
                sheet=sheet, resolved=self.resolved)
        return _("Sheet {sheet} is counted.").format(sheet=sheet)


@dataclass(frozen=True, slots=True)
class Keying:
    """One keying of a paper ballot as data: the references marked (in order of preference on a
    ranked ballot), their points (score and cumulative; ``None`` is "can't judge"), or the reason it
    was keyed as spoilt; and who keyed it."""

    choices: tuple[str, ...]
    points: tuple[Any, ...] | None
    spoilt_reason: str | None
    by: str

    @property
    def blank(self) -> bool:
        return self.spoilt_reason is None and not self.choices


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A sheet keyed twice whose keyings differ, waiting for an officer."""

    sheet: str
    first: Keying
    second: Keying

    @property
    def first_by(self) -> str:
        return self.first.by

    @property
    def second_by(self) -> str:
        return self.second.by


def _entry_key(entry: PaperEntry) -> tuple:
    return (tuple(entry.choices), tuple(entry.points) if entry.points is not None else None,
            entry.spoilt_reason is not None)


def _keying(entry: PaperEntry) -> Keying:
    return Keying(tuple(entry.choices), tuple(entry.points) if entry.points is not None else None,
                  entry.spoilt_reason, entry.entered_by)


def same_keyer(a: str, b: str) -> bool:
    """Whether two keyers' names are one person's, as typed ("Priya Shah" and " priya  shah")."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _rule_problems(rules: BallotRules, sheet: str, choices: list[str], points: list[Any] | None
                   ) -> tuple[BallotProblem, ...]:
    """How marks as keyed break the ballot paper's rules: the ballot rules' own check."""
    return tuple(ballot_problems(rules, CastBallot(f"sheet {sheet}", tuple(choices),
                                                   tuple(points) if points is not None else None)))


def _audit_keying(session: Session, event: VotingEvent, outcome: KeyingOutcome, actor: str,
                  at: datetime | None) -> None:
    """Who keyed which sheet, which keying, and what became of the sheet: never the marks."""
    which = "first" if outcome.pass_no == 1 else "second"
    state = "spoilt as keyed" if outcome.spoilt_as_keyed else outcome.state
    audit(session, actor=actor, action="event.paper_key", entity="voting_event", entity_id=event.id, at=at,
          summary=f"Keyed sheet {outcome.sheet} ({which} keying) at “{event.name}”: {state}",
          after={"sheet": outcome.sheet, "keying": outcome.pass_no, "state": state})


def _count_paper(session: Session, event: VotingEvent, rules: BallotRules, sheet: str, entry: PaperEntry,
                 resolved_reason: str | None = None) -> KeyingOutcome:
    """Store the ballot for ``sheet`` as keyed in ``entry``: spoilt when marked so or when it breaks the
    ballot paper's rules, counted otherwise."""
    reason = entry.spoilt_reason
    problems: tuple[BallotProblem, ...] = ()
    if reason is None:
        problems = _rule_problems(rules, sheet, list(entry.choices), entry.points)
        if problems:
            reason = " ".join(map(problem_words, problems))
    session.add(CastBallotRow(event_id=event.id, source="paper", choices=list(entry.choices),
                              points=list(entry.points) if entry.points is not None else None,
                              spoilt_reason=reason, paper_sheet=sheet))
    session.flush()
    state = "spoilt" if reason is not None else "counted"
    return KeyingOutcome(sheet, entry.pass_no, state, None, reason, problems, resolved_reason)


def record_paper(session: Session, event: VotingEvent, sheet: str, ballot: CastBallot | None = None, *,
                 spoilt_reason: str | None = None, entered_by: str, at: datetime | None = None,
                 rules: BallotRules | None = None) -> KeyingOutcome:
    """One keying of a paper ballot in ``session`` (see ``key_paper_ballot``)."""
    sheet = sheet.strip()
    if not sheet:
        raise ValidationError(_("Write a number on the paper ballot and key it as the sheet number."), "sheet")
    if (ballot is None) == (spoilt_reason is None):
        raise ValidationError(_("Key the ballot's marks, or mark it spoilt with a reason."))
    if spoilt_reason is not None and not spoilt_reason.strip():
        raise ValidationError(_("Say why the ballot is spoilt (for example “unreadable” or “voter identifiable”)."),
                              "spoilt_reason")
    if event.confirmed_at is not None:
        raise VotingClosed(_("The results of “{name}” are confirmed: no more ballots can be counted.").format(
                             name=event.name))
    if session.scalar(select(CastBallotRow.id).where(CastBallotRow.event_id == event.id,
                                                     CastBallotRow.paper_sheet == sheet)):
        raise ValidationError(_("Sheet {sheet} has already been counted.").format(sheet=sheet), "sheet")
    earlier = session.scalars(select(PaperEntry).where(PaperEntry.event_id == event.id, PaperEntry.sheet == sheet)
                              .order_by(PaperEntry.pass_no)).all()
    if len(earlier) >= 2:
        raise ValidationError(_("Sheet {sheet} has been keyed twice already and the two keyings differ; resolve "
                                "the mismatch instead.").format(sheet=sheet), "sheet")
    entered_by = " ".join(entered_by.split())
    if not entered_by:
        raise ValidationError(_("Say who is keying: each sheet is keyed by two different people."), "entered_by")
    if earlier and same_keyer(earlier[0].entered_by, entered_by):
        raise ValidationError(_("Sheet {sheet} was keyed first by {entered_by}; the second keying must be done "
                                "by someone else, so one person's slip is caught by another.").format(
                                sheet=sheet, entered_by=earlier[0].entered_by), "entered_by")
    if ballot is not None and event.ballot_kind in ("approval", "choose-one", "knapsack"):
        # Crosses have no order: "2 and 1" and "1 and 2" are the same ballot, so both keyings agree.
        position = {p.application.reference: p.position for p in event.projects}
        ballot = CastBallot(ballot.voter_id, tuple(sorted(ballot.choices, key=lambda c: position.get(c, 1 << 30))))
    choices, points = stored_marks(ballot) if ballot is not None else ([], None)
    entry = PaperEntry(event_id=event.id, sheet=sheet, pass_no=len(earlier) + 1, choices=choices, points=points,
                       spoilt_reason=spoilt_reason.strip() if spoilt_reason else None, entered_by=entered_by,
                       entered_at=at or utcnow())
    session.add(entry)
    session.flush()
    if not earlier:
        problems: tuple[BallotProblem, ...] = ()
        if entry.spoilt_reason is None:
            problems = _rule_problems(rules or view_of(session, event).rules, sheet, choices, points)
        outcome = KeyingOutcome(sheet, 1, "waiting", reason=" ".join(map(problem_words, problems)) or None,
                                problems=problems)
    elif _entry_key(earlier[0]) == _entry_key(entry):
        outcome = _count_paper(session, event, rules or view_of(session, event).rules, sheet, earlier[0])
        outcome = replace(outcome, pass_no=2)
    else:
        outcome = KeyingOutcome(sheet, 2, "mismatch")
    _audit_keying(session, event, outcome, entered_by, at)
    return outcome


@transactional
def key_paper_ballot(uow: UnitOfWork, event_id: int, sheet: str, ballot: CastBallot | None = None, *,
                     spoilt_reason: str | None = None, entered_by: str | None = None) -> KeyingOutcome:
    """Key one paper ballot (``ballot``) or mark it spoilt (``spoilt_reason``), keyed by ``entered_by``
    (the person at the keyboard; the current user when not given). The first keying of a sheet waits
    for the second, which must be keyed by someone else; a first keying that breaks the ballot paper's
    rules says so at once, quoting the rule ("spoilt as keyed"). When both keyings agree the ballot is
    counted (or spoilt, if it breaks the rules), when they differ it is listed as a mismatch. Every
    keying is audited: who, which sheet, which keying and what became of the sheet, never the marks.

    Once the database has users, the keyer is the person signed in, whatever name was typed: two
    different people key each sheet."""
    return record_paper(uow.session, event_by_id(uow.session, event_id), sheet, ballot, spoilt_reason=spoilt_reason,
                        entered_by=recorded_actor(uow.session, actor_or_default(entered_by)))


def paper_mismatches(db: Database, event_id: int) -> list[Mismatch]:
    """Sheets keyed twice whose keyings differ and that no officer has resolved yet, in sheet order."""
    with db.session() as s:
        event_by_id(s, event_id)
        counted = set(s.scalars(select(CastBallotRow.paper_sheet).where(CastBallotRow.event_id == event_id,
                                                                        CastBallotRow.paper_sheet.is_not(None))))
        entries = s.scalars(select(PaperEntry).where(PaperEntry.event_id == event_id)
                            .order_by(PaperEntry.sheet, PaperEntry.pass_no)).all()
        by_sheet: dict[str, list[PaperEntry]] = {}
        for e in entries:
            by_sheet.setdefault(e.sheet, []).append(e)
        out = [Mismatch(sheet, _keying(pair[0]), _keying(pair[1])) for sheet, pair in by_sheet.items()
               if len(pair) == 2 and sheet not in counted]
        return sorted(out, key=lambda m: sheet_key(m.sheet))


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
    once = tuple(sorted((sheet for sheet, n in entries if n == 1), key=sheet_key))
    mismatches = sum(1 for sheet, n in entries if n == 2 and sheet not in done)
    spoilt = sum(1 for bad in done.values() if bad)
    return PaperProgress(once, len(done) - spoilt, spoilt, mismatches,
                         tuple(sorted((sheet for sheet, _ in entries), key=sheet_key)))


def settle_mismatch(session: Session, event: VotingEvent, sheet: str, *, use: int | None = None,
                    ballot: CastBallot | None = None, spoilt_reason: str | None = None, reason: str,
                    actor: str, at: datetime | None = None) -> KeyingOutcome:
    """Resolve a mismatch in ``session`` (see ``resolve_mismatch``)."""
    if not reason.strip():
        raise ValidationError(_("Say how the mismatch was settled (for example “checked the paper: 4 not 1”)."), "reason")
    if sum(x is not None for x in (use, ballot, spoilt_reason)) != 1:
        raise ValidationError(_("Keep one of the two keyings, or give the ballot as it reads."))
    if event.confirmed_at is not None:
        raise VotingClosed(_("The results of “{name}” are confirmed.").format(name=event.name))
    pair = session.scalars(select(PaperEntry).where(PaperEntry.event_id == event.id, PaperEntry.sheet == sheet)
                           .order_by(PaperEntry.pass_no)).all()
    if len(pair) != 2 or session.scalar(select(CastBallotRow.id).where(CastBallotRow.event_id == event.id,
                                                                       CastBallotRow.paper_sheet == sheet)):
        raise ValidationError(_("Sheet {sheet} has no mismatch to resolve.").format(sheet=sheet), "sheet")
    if use is not None:
        if use not in (1, 2):
            raise ValidationError(_("Keep keying 1 or keying 2."))
        chosen = pair[use - 1]
    else:
        choices, points = stored_marks(ballot) if ballot is not None else ([], None)
        chosen = PaperEntry(sheet=sheet, pass_no=0, choices=choices, points=points,
                            spoilt_reason=spoilt_reason.strip() if spoilt_reason else None)
    outcome = _count_paper(session, event, view_of(session, event).rules, sheet, chosen, resolved_reason=reason.strip())
    how = f"kept keying {use}" if use is not None else "keyed as the paper reads" if ballot is not None else \
        "spoilt"
    # Who, which sheet and how it was settled, with the officer's reason; never the marks of either keying.
    audit(session, actor=actor, action="event.paper_resolve", entity="voting_event", entity_id=event.id, at=at,
          summary=f"Resolved the mismatch on sheet {sheet} ({how}, {outcome.state}): {reason.strip()}",
          after={"sheet": sheet, "kept": use, "how": how, "state": outcome.state})
    return outcome


@transactional
def resolve_mismatch(uow: UnitOfWork, event_id: int, sheet: str, *, use: int | None = None,
                     ballot: CastBallot | None = None, spoilt_reason: str | None = None, reason: str,
                     actor: str | None = None) -> KeyingOutcome:
    """An officer settles a mismatch after looking at the paper: keep keying ``use`` (1 or 2), or give
    the ballot as it really reads (``ballot`` or ``spoilt_reason``). ``reason`` is recorded."""
    return settle_mismatch(uow.session, event_by_id(uow.session, event_id), sheet, use=use, ballot=ballot,
                           spoilt_reason=spoilt_reason, reason=reason, actor=actor_or_default(actor))



@dataclass(frozen=True)
class BlankBallots:
    """What a blank paper ballot needs: the event as the keying screen reads it (its projects numbered
    1, 2, 3 … in this order) and whether the fund prints Welsh first (the Welsh Language Standards)."""

    event: EventView
    welsh: bool


def blank_ballots(db: Database, event_id: int) -> BlankBallots:
    """The event's ballot paper, for printing blank paper ballots."""
    from grantdesk.domain.fund_settings import settings_of

    with db.session() as s:
        event = event_by_id(s, event_id)
        return BlankBallots(view_of(s, event), settings_of(event.fund.settings).welsh_language_standards)
