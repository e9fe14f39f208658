"""The sample funds' panels and votes: criteria, panellists' scores and final decisions, and finished
community voting events with their kiosk and paper ballots — loaded through the same session-level
steps the app uses, so a sample can only show what the app would have allowed.

Formats (see ``sample_funds/README.md``):

- ``[[panels]]`` may have ``criteria = [{name, weight, low, high, description}]`` and ``deliberation``;
- an application's ``[applications.panel]`` has ``scores`` (one row per criterion, one column per
  panellist in the panel's order; ``"-"`` is "can't judge", ``"x"`` marks the panellist who declared
  an interest), optional ``notes`` (panellist → note), ``interest = {panellist, kind, nature}`` and
  ``reason`` (why the final decision differs from the scores, required when it does);
- ``[[events]]``: a finished vote on a round's shortlisted applications (``key`` in
  ``[[applications]]``), with ``kiosk`` and ``paper`` ballot groups ``{vote = [keys], count}``,
  ``spoilt`` paper groups ``{reason, count}`` or ``{vote, count}`` (spoilt by the rules), one
  ``mismatch = {first, second, keep, reason}`` resolved by an officer, and ``confirmed`` (a date).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services import decisions, events
from grantdesk.store.models import Application, Award, Panel, PanelCriterion, PanelDecision, Panellist, PanelScore
from grantdesk.voting.ballots import CastBallot
from grantdesk.i18n import _

KEYS: dict[str, set[str]] = {
    "app_panel": {"scores", "notes", "interest", "reason"},
    "interest": {"panellist", "kind", "nature"},
    "event": {
        "round", "name", "venue", "ballot", "settings", "rule", "when_next_does_not_fit", "tie_break", "seed",
        "budget", "on", "opens", "closes", "voters_area", "min_age", "register_at_door", "kiosk_pin", "codes",
        "kiosk", "paper", "spoilt", "mismatch", "hide_results", "revealed", "closed", "confirmed",
    },
    "ballots": {"vote", "count", "reason"},
    "mismatch": {"first", "second", "keep", "reason"},
}
OUTCOME_OF = {Status.AWARDED.value: "fund", Status.DECLINED.value: "decline", Status.DEFERRED.value: "defer"}
VOLUNTEERS = ("Volunteer: Marcia", "Volunteer: Femi")


def add_scores(loader, session: Session, panel: Panel, criteria: list[PanelCriterion], app: Application,
               table: dict[str, Any], on: date) -> None:
    """One application's scores from every panellist, and any declared interest."""
    loader._check_keys(table, "app_panel", "panel")
    people: list[Panellist] = list(panel.panellists)
    by_name = {p.name: p for p in people}
    conflicted = None
    if "interest" in table:
        interest = table["interest"]
        loader._check_keys(interest, "interest", "panel.interest")
        person = by_name.get(loader._required(interest, "panellist"))
        if person is None:
            raise ValidationError(_("panel.interest: “{panellist}” is not on {name}.").format(
                                    panellist=interest['panellist'], name=panel.name))
        decisions.add_interest_declaration(session, actor=loader.actor, application=app, declared_on=on,
                                           kind=loader._required(interest, "kind"), nature=interest.get("nature", ""),
                                           panellist=person)
        conflicted = person.id
    rows = table.get("scores", [])
    if len(rows) != len(criteria):
        raise ValidationError(_("panel.scores needs one row per criterion ({count}).").format(count=len(criteria)))
    notes = dict(table.get("notes", {}))
    unknown = set(notes) - set(by_name)
    if unknown:
        raise ValidationError(_("panel.notes: {unknown} not on {name}.").format(
                                unknown=', '.join(sorted(unknown)), name=panel.name))
    moment = datetime.combine(on, time(19, 0))
    for crit, row in zip(criteria, rows, strict=True):
        if len(row) != len(people):
            raise ValidationError(_("panel.scores for “{name}” needs one score per panellist ({count}).").format(
                                    name=crit.name, count=len(people)))
        for person, value in zip(people, row, strict=True):
            if value == "x":
                if person.id != conflicted:
                    raise ValidationError(_("“x” for {name}, who declared no interest in this application.").format(
                                            name=person.name))
                continue
            if person.id == conflicted:
                raise ValidationError(_("{name} declared an interest, so their score must be “x”.").format(
                                        name=person.name))
            score = None if value == "-" else value
            if score is not None and not (isinstance(score, int) and crit.low <= score <= crit.high):
                raise ValidationError(_("panel.scores: {value!r} for “{name}” is not from {low} to {high}.").format(
                                        value=value, name=crit.name, low=crit.low, high=crit.high))
            note = notes.get(person.name, "") if crit is criteria[0] else ""
            session.add(PanelScore(panellist_id=person.id, application_id=app.id, criterion_id=crit.id, score=score,
                                   note=note, scored_at=moment))
    session.flush()


def add_decisions(loader, session: Session, panel: Panel, reasons: dict[int, str]) -> None:
    """The panel's final decisions, from the applications' outcomes; a decision that differs from the
    scores must carry its reason in the sample, as the app would require."""
    from grantdesk.services.panels import _sheet

    sheet = _sheet(session, panel)
    for row in sheet.applications:
        outcome = OUTCOME_OF.get(row.status)
        if outcome is None or row.application_id not in reasons:
            continue
        app = session.get(Application, row.application_id)
        amount = 0
        if outcome == "fund":
            amount = session.scalar(select(Award.amount_pence).where(Award.application_id == app.id)) or 0
        differs = (outcome == "fund") != row.suggested or (outcome == "fund" and amount != app.amount_requested_pence)
        reason = reasons[row.application_id]
        if differs and not reason:
            raise ValidationError(_("{title}: the panel's decision differs from the scores (ranked {rank}); give "
                                    "the reason as panel.reason.").format(title=app.title, rank=row.rank))
        decided = app.history[-1].at
        session.add(PanelDecision(panel_id=panel.id, application_id=app.id, outcome=outcome, amount_pence=amount,
                                  reason=reason, differs_from_scores=differs, decided_on=decided.date(),
                                  recorded_by=loader.officer, applied_at=decided))
    session.flush()


def _moment(loader, value: Any, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationError(_("{what} must be a date and time such as 2026-07-18T11:00:00.").format(what=what))
    day = loader._date(value.date(), what)
    return datetime.combine(day, value.time())


def add_event(loader, session: Session, fund, table: dict[str, Any], rounds: dict[str, Any],
              keyed: dict[str, Application]) -> None:
    loader._check_keys(table, "event", "events")
    rnd = rounds.get(loader._required(table, "round"))
    if rnd is None:
        raise ValidationError(_("round “{round}” is not one of the [[rounds]] keys.").format(round=table['round']))
    opens = _moment(loader, loader._required(table, "opens"), "opens")
    closes = _moment(loader, loader._required(table, "closes"), "closes")
    on_ballot = [a for a in keyed.values() if a.round_id == rnd.id and a.status == Status.SHORTLISTED.value]
    on_ballot.sort(key=lambda a: a.reference)
    ref = {k: a.reference for k, a in keyed.items()}

    def refs(keys: list[str], where: str) -> tuple[str, ...]:
        missing = [k for k in keys if k not in ref]
        if missing:
            raise ValidationError(_("{where}: “{missing}” is not an application key.").format(
                                    where=where, missing=missing[0]))
        return tuple(ref[k] for k in keys)

    settings = events.EventSettings(
        name=loader._required(table, "name"), round_id=rnd.id, application_ids=tuple(a.id for a in on_ballot),
        ballot_kind=loader._required(table, "ballot"), ballot_settings=dict(table.get("settings", {})),
        rule=table.get("rule", "greedy"), when_next_does_not_fit=table.get("when_next_does_not_fit", "skip"),
        tie_break=tuple(table.get("tie_break", events.DEFAULT_TIE_BREAK)), tie_break_seed=table.get("seed", ""),
        budget_pence=loader._money(table["budget"], "budget") if "budget" in table else None,
        venue=table.get("venue", ""), voters_area=table.get("voters_area", ""), min_age=table.get("min_age"),
        register_at_door=bool(table.get("register_at_door", True)), opens_at=opens, closes_at=closes,
        hide_results=bool(table.get("hide_results", True)), kiosk_pin=str(loader._required(table, "kiosk_pin")))
    event = events.add_event(session, fund, settings, actor=loader.actor, at=opens - timedelta(days=14))
    rules = events.view_of(session, event).rules
    codes = events.add_codes(session, event, int(loader._required(table, "codes")), actor=loader.actor,
                             at=opens - timedelta(days=1))
    kiosk = [g for g in table.get("kiosk", [])]
    used = 0
    for n, group in enumerate(kiosk, start=1):
        loader._check_keys(group, "ballots", f"kiosk[{n}]")
        choices = refs(group.get("vote", []), f"kiosk[{n}]")
        for _n in range(int(group["count"])):
            if used >= len(codes):
                raise ValidationError(_("more kiosk ballots than codes issued."))
            moment = opens + (closes - opens) * used / max(len(codes), 1)
            events.record_ballot(session, event, codes[used], CastBallot.marked("", *choices), now=moment, rules=rules)
            used += 1
    sheet = 0
    counting = closes + timedelta(minutes=15)

    def key_twice(ballot: CastBallot | None, reason: str | None) -> None:
        nonlocal sheet
        sheet += 1
        for who in VOLUNTEERS:
            events.record_paper(session, event, str(sheet), ballot, spoilt_reason=reason, entered_by=who,
                                at=counting, rules=rules)

    for n, group in enumerate(table.get("paper", []), start=1):
        loader._check_keys(group, "ballots", f"paper[{n}]")
        choices = refs(group.get("vote", []), f"paper[{n}]")
        for _n in range(int(group["count"])):
            key_twice(CastBallot.marked("", *choices), None)
    for n, group in enumerate(table.get("spoilt", []), start=1):
        loader._check_keys(group, "ballots", f"spoilt[{n}]")
        for _n in range(int(group["count"])):
            if "reason" in group:
                key_twice(None, group["reason"])
            else:
                key_twice(CastBallot.marked("", *refs(group.get("vote", []), f"spoilt[{n}]")), None)
    if "mismatch" in table:
        m = table["mismatch"]
        loader._check_keys(m, "mismatch", "mismatch")
        sheet += 1
        for who, keys in zip(VOLUNTEERS, (m["first"], m["second"]), strict=True):
            events.record_paper(session, event, str(sheet), CastBallot.marked("", *refs(keys, "mismatch")),
                                entered_by=who, at=counting, rules=rules)
        events.settle_mismatch(session, event, str(sheet), use=int(m["keep"]), reason=loader._required(m, "reason"),
                               actor=loader.officer, at=counting)
    if table.get("closed", True):
        events.mark_closed(session, event, actor=loader.officer, at=closes)
    if table.get("revealed", True):
        events.mark_revealed(session, event, actor=loader.officer, at=closes + timedelta(minutes=45))
    if "confirmed" in table:
        day = loader._date(table["confirmed"], "confirmed")
        events.confirm(session, event, actor=loader.officer, on=day, at=datetime.combine(day, time(10, 0)))
