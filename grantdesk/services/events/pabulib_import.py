"""Bringing in a vote held elsewhere (an online vote, a past city-wide vote) from a PaBuLib ``.pb``
file: a closed event whose ballots count exactly as ``python -m grantdesk tally`` counts the file,
made whole or not at all, in one transaction. The ballots are stored in bulk by
``grantdesk.store.ballots``."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from grantdesk.domain.changes import Kind
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.events.common import rule_options
from grantdesk.store.ballots import Progress, insert_ballots
from grantdesk.store.models import Application, EventProject, Round, VotingEvent
from grantdesk.store.unit_of_work import UnitOfWork, note_change, transactional
from grantdesk.voting.ballots import BallotRules, CastBallot, ballot_problems, describe_rules, make_rules, problem_words
from grantdesk.voting.election import Ballot, Election, Project
from grantdesk.voting.rules import DESCRIPTIONS, run_rule
from grantdesk.voting.satisfaction import NotApplicable
from grantdesk.i18n import _

# PaBuLib vote_type → the event's kind of ballot; META rule → GrantDesk rule (our own names are taken
# as they are, so a file exported from an event comes back counted the same way).
PABULIB_KINDS = {"approval": "approval", "choose-1": "choose-one", "ordinal": "ranked", "cumulative": "cumulative",
                 "scoring": "score"}
PABULIB_RULES = {"greedy": "greedy", "equalshares": "mes", "equalshares/add1": "mes-add1",
                 **{name: name for name in DESCRIPTIONS}}
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
        raise PabulibError(_("META {key} “{text}” is not a whole number.").format(key=key, text=text)) from None


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
                               f"ballot paper the file's META describes ({describe_rules(rules)}) "
                               + " ".join(map(problem_words, problems)))


def _pence(amount: Fraction, what: str) -> int:
    """An amount read from a file (exact, in currency units) in whole pence, or refused."""
    from grantdesk.voting.pabulib import PabulibError, format_amount

    pence = amount * 100
    if pence.denominator != 1:
        raise PabulibError(_("{what} ({format_amount}) has fractions of a penny; GrantDesk keeps whole pence.").format(
                             what=what, format_amount=format_amount(amount)))
    return int(pence)


@transactional
def import_pabulib(uow: UnitOfWork, fund_code: str, path: str | Path, *, round_name: str | None = None,
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
    Every ballot is stored as a kiosk ballot with no receipt (no voter here was shown one), under a
    random key like every ballot, so not in file order (``grantdesk.store.ballots.insert_ballots``: on
    SQLite, a few thousand ballots per statement). The
    file is read and every ballot checked before anything is written. A file that cannot be read,
    or a ballot that breaks the ballot paper META describes, is refused naming the line; nothing is
    written. ``progress.report`` is called every few thousand ballots; if it raises (a Cancel), nothing
    is written either.
    """
    from grantdesk.domain.dates import financial_year_of
    from grantdesk.domain.organisations import name_key
    from grantdesk.services.bulk import allocate_references, insert_rows
    from grantdesk.store.models import Organisation, StatusChange
    from grantdesk.voting.pabulib import PabulibError, read_pb
    from grantdesk.voting.rules import counting_from_meta

    who = actor_or_default(actor)
    path = Path(path)
    try:
        raw = path.read_bytes()  # read once: the text counted is the text whose hash the audit entry keeps
        election = read_pb(_Text(raw.decode("utf-8-sig")), keep_extra=False)
    except FileNotFoundError:
        raise ValidationError(_("There is no file at {path}.").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(_("{path} cannot be read ({exc}).").format(path=path, exc=exc)) from None
    except PabulibError as exc:
        raise PabulibError(_("Nothing was imported from {name}, which cannot be read: {exc}").format(
                             name=path.name, exc=exc)) from None
    meta = election.meta
    projects = election.projects
    notes: list[str] = []
    try:
        if len(projects) < 2:
            raise PabulibError(_("A vote needs at least two projects; the file has {count}.").format(
                                 count=len(projects)))
        kind, ballot_settings, paper_notes = _paper_from_meta(election)
        notes += paper_notes
        stated = meta.get("rule", "").strip()
        if rule is None:
            rule = PABULIB_RULES.get(stated, "greedy")
            if stated and stated not in PABULIB_RULES:
                notes.append(f"The file's rule “{stated}” is not one GrantDesk has; the event counts by greedy "
                             f"({DESCRIPTIONS['greedy']}).")
        elif rule not in DESCRIPTIONS:
            raise ValidationError(_("“{rule}” is not an allocation rule; use one of {descriptions}.").format(
                                    rule=rule, descriptions=', '.join(DESCRIPTIONS)), "rule")
        try:
            tie_break, options = counting_from_meta(election, rule)
        except ValueError as exc:
            raise PabulibError(_("META tie_break: {exc}").format(exc=exc)) from None
        budget = _pence(election.budget, "The budget")
        if budget <= 0:
            raise PabulibError(_("META budget must be above 0."))
        amounts = [_pence(p.cost, f"The cost of project {p.id}") for p in projects]
        # The ballot paper, with stand-ins for the references (made in the transaction below).
        probe = [Project(f"#{n}", Fraction(amounts[n], 100), p.name) for n, p in enumerate(projects)]
        try:
            rules = make_rules(kind, probe, ballot_settings, Fraction(budget, 100))
            empty = Election(rules.vote_type, Fraction(budget, 100), list(rules.projects), [], {"currency": "GBP"})
            run_rule(empty, rule, **rule_options(rule, options.get("when_next_does_not_fit", "skip")))
        except NotApplicable as exc:  # (a ValueError too)
            raise ValidationError(_("Nothing was imported from {name}: the rule {rule} cannot count its "
                                    "{vote_type} ballots ({exc})").format(
                                    name=path.name, rule=rule, vote_type=election.vote_type, exc=exc), "rule") from None
        except ValueError as exc:
            raise PabulibError(_("META describes a ballot paper GrantDesk cannot set up: {exc}").format(exc=exc)) from None
        _check_file_ballots(path, election, rules)
    except PabulibError as exc:
        raise PabulibError(_("Nothing was imported from {name}: {exc}").format(name=path.name, exc=exc)) from None
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
        raise ValidationError(_("Give the round a name."), "round")
    opens_on = _meta_day(meta, "date_begin") or _meta_day(meta, "date_end")
    closes_on = _meta_day(meta, "date_end") or opens_on
    if opens_on and closes_on and closes_on < opens_on:
        opens_on, closes_on = closes_on, opens_on
    currency = meta.get("currency", "").strip() or "the file's currency"
    if currency.upper() != "GBP":
        notes.append(f"Amounts are in {currency} in the file; GrantDesk records each as the same number of "
                     "pounds and pence.")
    total = len(election.ballots)
    s = uow.session
    fund = fund_by_code(s, fund_code)
    now = utcnow()
    opens_on = opens_on or now.date()
    closes_on = closes_on or opens_on
    if s.scalar(select(Round.id).where(Round.fund_id == fund.id, Round.name == name)) is not None:
        raise ValidationError(_("{code} already has a round called “{name}”; name the round for this vote "
                                "another way.").format(code=fund.code, name=name), "round")
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

    insert_ballots(s, election.ballots, refs, event.id, rules.has_points, progress)
    note_change(s, Kind.EVENTS)  # the ballots went in through the connection, past the session
    note_change(s, Kind.APPLICATIONS, app_ids)
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
    return ImportedVote(event.id, rnd.id, name, total, len(projects), kind, rule, tuple(refs), tuple(notes))


class _Text:
    """A file's text, decoded already, as ``read_pb`` reads a stream (``read()``), without the copy of
    all of it that an ``io.StringIO`` makes going in and again coming out."""

    def __init__(self, text: str):
        self.text = text

    def read(self) -> str:
        return self.text


def _distinct(ballots: Sequence[Ballot]) -> dict[int, tuple[int, ...]]:
    """The distinct project tuples of ``ballots``, keyed by ``id``: the reader gives ballots with the
    same text the same tuple, so this is as good as keying by content and much cheaper to hash."""
    projects = list(map(itemgetter(1), ballots))
    return dict(zip(map(id, projects), projects, strict=True))
