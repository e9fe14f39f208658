"""The sample funds' life after an award: payment plans and payments, monitoring due dates and the
reports that came in, and outcome notes in the grantee's words — loaded through the same checks the
app's payments and outcomes services make, so a sample can only show what the app would have allowed.

``grantdesk.services.payments`` and ``outcomes`` work on a ``Database`` (each call its own
transaction), while a sample loads in one transaction; so the few steps needed here are session-level
versions of ``set_payment_plan``, ``record_payment``, ``report_received`` and ``record_note`` that
reuse those modules' own checks (``payments._position``, ``outcomes._check``…) and audit alike.

Format, in an awarded ``[[applications]]`` (see ``sample_funds/README.md``):

- ``[applications.plan]``: ``kind`` (full | instalments | on_claim), ``holdback`` (pounds, paid only
  once the final report is in) and, for instalments, ``instalments = [{on, amount}]``;
- ``[[applications.payments]]``: ``on``, ``amount``, ``method`` (default BACS), ``reference``;
- ``monitoring = true``: the due reports from the award's size and the fund's rules;
- ``[[applications.monitoring_received]]``: ``label`` (one of the due reports) and ``on``;
- ``[[applications.outcomes]]``: ``recorded``, ``stage``, ``author``, the words (``what_happened``,
  ``what_changed``, ``story``, ``not_to_plan``, ``learned``, ``council_could_do_better``), the figures
  (``people_involved``, ``volunteers``, ``volunteer_hours``) and ``themes`` from the fund's list.

Payments, reports in and notes are applied in date order (on one day: reports, then payments, then
notes), so a holdback is released only after the final report, as in the app.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.dates import format_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import format_money
from grantdesk.services import outcomes, payments
from grantdesk.services.common import audit
from grantdesk.store.models import (
    PLAN_KINDS,
    Application,
    Award,
    Fund,
    MonitoringDue,
    OutcomeNote,
    OutcomeTheme,
    Payment,
    PaymentPlan,
)

APPLICATION_KEYS = {"plan", "payments", "monitoring", "monitoring_received", "outcomes"}
KEYS: dict[str, set[str]] = {
    "plan": {"kind", "holdback", "instalments"},
    "instalment": {"on", "amount"},
    "payment": {"on", "amount", "method", "reference"},
    "received": {"label", "on"},
    "outcome": {"recorded", "stage", "author", *outcomes.TEXT_FIELDS, *outcomes.FIGURE_FIELDS, "themes"},
}


# --- session-level steps (the same rules as payments.py and outcomes.py) ------------------------------


def plan_payments(session: Session, award: Award, kind: str, *, instalments: list[tuple[date, int]] = (),
                  holdback_pence: int = 0, actor: str, at=None) -> PaymentPlan:
    """As ``payments.set_payment_plan``, within the caller's transaction."""
    if kind not in PLAN_KINDS:
        raise ValidationError(f"“{kind}” is not a way of paying; use {', '.join(PLAN_KINDS)}.", "kind")
    if not 0 <= holdback_pence <= award.amount_pence:
        raise ValidationError(f"A holdback is between £0.00 and the award, {format_money(award.amount_pence)}.",
                              "holdback")
    rows = [{"due_on": d.isoformat(), "amount_pence": int(p)} for d, p in sorted(instalments)]
    if kind == "instalments":
        if len(rows) < 2 or any(r["amount_pence"] <= 0 for r in rows):
            raise ValidationError("An instalment plan has two or more instalments, each above £0.", "instalments")
        total = sum(r["amount_pence"] for r in rows)
        if total != award.amount_pence:
            raise ValidationError(f"The instalments add up to {format_money(total)}, not the award of "
                                  f"{format_money(award.amount_pence)}.", "instalments")
    elif rows:
        raise ValidationError(f"Only an instalment plan lists instalments, not “{kind}”.", "instalments")
    plan = session.scalar(select(PaymentPlan).where(PaymentPlan.award_id == award.id))
    if plan is None:
        plan = PaymentPlan(award_id=award.id)
        session.add(plan)
    plan.kind, plan.instalments, plan.holdback_pence = kind, rows, holdback_pence
    session.flush()
    audit(session, actor=actor, action="payment.plan", entity="application", entity_id=award.application_id,
          summary=f"{payments._reference(session, award)} to be paid {kind.replace('_', ' ')}"
                  + (f", {format_money(holdback_pence)} held back until the final report" if holdback_pence else ""),
          after={"kind": kind, "instalments": rows, "holdback_pence": holdback_pence}, at=at)
    return plan


def pay(session: Session, award: Award, amount_pence: int, paid_on: date, *, method: str = "BACS",
        reference: str = "", actor: str, at=None) -> payments.AwardPosition:
    """As ``payments.record_payment``: never more than awarded, never a holdback before the final report."""
    if amount_pence <= 0:
        raise ValidationError("A payment is more than £0.00.", "amount")
    if paid_on < award.awarded_on:
        raise ValidationError(f"A payment cannot be made before the award ({format_date(award.awarded_on)}).",
                              "paid_on")
    pos = payments._position(session, award)
    if amount_pence > pos.outstanding_pence:
        raise payments.OverPayment(f"{pos.reference} was awarded {format_money(pos.awarded_pence)} and "
                                   f"{format_money(pos.paid_pence)} is paid: at most "
                                   f"{format_money(pos.outstanding_pence)} more can be paid.")
    if amount_pence > pos.payable_now_pence:
        raise payments.OverPayment(f"{format_money(pos.held_back_pence)} of {pos.reference} is held back until the "
                                   f"final report is in: {format_money(pos.payable_now_pence)} can be paid now.")
    session.add(Payment(award_id=award.id, paid_on=paid_on, amount_pence=amount_pence,
                        method=method.strip() or "BACS", reference=reference.strip()))
    session.flush()
    audit(session, actor=actor, action="payment.record", entity="application", entity_id=award.application_id,
          summary=f"Paid {format_money(amount_pence)} on {pos.reference} ({format_date(paid_on)})",
          after={"amount_pence": amount_pence, "paid_on": paid_on.isoformat(), "reference": reference}, at=at)
    return payments._position(session, award)


def receive(session: Session, due: MonitoringDue, received_on: date, *, actor: str, at=None) -> None:
    """As ``payments.report_received``."""
    award = session.get(Award, due.award_id)
    if due.received_on is not None:
        raise ValidationError(f"“{due.label}” was already received on {format_date(due.received_on)}.")
    if received_on < award.awarded_on:
        raise ValidationError(f"“{due.label}” cannot come in before the award ({format_date(award.awarded_on)}).")
    due.received_on = received_on
    session.flush()
    audit(session, actor=actor, action="monitoring.received", entity="application", entity_id=award.application_id,
          summary=f"{payments._reference(session, award)}: {due.label} received {format_date(received_on)}", at=at)


def add_note(session: Session, award: Award, draft: outcomes.NoteDraft, *, actor: str, at=None) -> OutcomeNote:
    """As ``outcomes.record_note`` (without photos: samples carry none)."""
    outcomes._check(draft)
    if draft.photos:
        raise ValidationError("Sample outcome notes carry no photos.", "photos")
    if draft.recorded_on < award.awarded_on:
        raise ValidationError("A note about what happened cannot be dated before the award.", "recorded_on")
    note = OutcomeNote(award_id=award.id, recorded_on=draft.recorded_on, stage=draft.stage.strip(),
                       author=draft.author.strip() or actor,
                       **{f: getattr(draft, f).strip() for f in outcomes.TEXT_FIELDS},
                       **{f: getattr(draft, f) for f in outcomes.FIGURE_FIELDS})
    session.add(note)
    session.flush()
    themes = outcomes._clean_themes(draft.themes)
    for theme in themes:
        session.add(OutcomeTheme(note_id=note.id, theme=theme))
    session.flush()
    app = session.get(Application, award.application_id)
    audit(session, actor=actor, action="outcome.record", entity="application", entity_id=app.id,
          summary=f"Outcome note for {app.reference}" + (f" ({note.stage})" if note.stage else ""),
          after={"themes": themes}, at=at)
    return note


# --- the sample's tables ------------------------------------------------------------------------------


def check_not_awarded(table: dict[str, Any]) -> None:
    """Payments, monitoring and outcome notes belong to an award."""
    present = sorted(APPLICATION_KEYS & set(table))
    if present:
        raise ValidationError(f"has {', '.join(present)} but its status is not awarded.")


def add_learning(loader, session: Session, award: Award, table: dict[str, Any]) -> None:
    """An award's plan, payments, monitoring and outcome notes, from its ``[[applications]]`` table."""
    officer = loader.officer
    fund = session.get(Fund, session.get(Application, award.application_id).fund_id)
    if "plan" in table:
        plan = table["plan"]
        loader._check_keys(plan, "plan", "plan")
        rows = []
        for n, row in enumerate(plan.get("instalments", []), start=1):
            loader._check_keys(row, "instalment", f"plan.instalments[{n}]")
            rows.append((loader._date(loader._required(row, "on"), f"plan.instalments[{n}].on", planned=True),
                         loader._money(loader._required(row, "amount"), f"plan.instalments[{n}].amount")))
        plan_payments(session, award, str(plan.get("kind", "full")), instalments=rows,
                      holdback_pence=loader._money(plan.get("holdback", "0"), "plan.holdback"),
                      actor=officer, at=loader._moment(award.awarded_on))

    dues: list[MonitoringDue] = []
    if table.get("monitoring", False) is True:
        dues = payments.generate_monitoring(session, award, actor=officer)
    elif "monitoring" in table and table["monitoring"] is not False:
        raise ValidationError("monitoring is true or false.")

    steps: list[tuple[date, int, int, Any]] = []  # (day, order on the day, position, what to do)
    for n, row in enumerate(table.get("monitoring_received", []), start=1):
        where = f"monitoring_received[{n}]"
        loader._check_keys(row, "received", where)
        label = loader._required(row, "label")
        matches = [d for d in dues if d.label == label]
        if not matches:
            offered = ", ".join(f"“{d.label}”" for d in dues) or "nothing (add monitoring = true, or a larger award)"
            raise ValidationError(f"{where}: “{label}” is not due on this award; due: {offered}.")
        steps.append((loader._date(loader._required(row, "on"), f"{where}.on"), 0, n, ("received", matches[0])))
    for n, row in enumerate(table.get("payments", []), start=1):
        loader._check_keys(row, "payment", f"payments[{n}]")
        steps.append((loader._date(loader._required(row, "on"), f"payments[{n}].on"), 1, n, ("payment", row)))
    allowed = set(outcomes.fund_themes(fund))
    for n, row in enumerate(table.get("outcomes", []), start=1):
        where = f"outcomes[{n}]"
        loader._check_keys(row, "outcome", where)
        themes = tuple(str(t) for t in row.get("themes", []))
        unknown = [t for t in themes if t.lower() not in allowed]
        if unknown:
            raise ValidationError(f"{where}: theme “{unknown[0]}” is not in the fund's themes "
                                  f"({', '.join(sorted(allowed)) or 'none set'}).")
        draft = outcomes.NoteDraft(
            recorded_on=loader._date(loader._required(row, "recorded"), f"{where}.recorded"),
            stage=str(row.get("stage", "")), author=str(row.get("author", "")),
            themes=themes, **{f: str(row.get(f, "")) for f in outcomes.TEXT_FIELDS},
            **{f: row.get(f) for f in outcomes.FIGURE_FIELDS})
        steps.append((draft.recorded_on, 2, n, ("note", draft)))

    for day, _order, n, (kind, item) in sorted(steps, key=lambda s: s[:3]):
        at = loader._moment(day)
        if kind == "received":
            receive(session, item, day, actor=officer, at=at)
        elif kind == "payment":
            pay(session, award, loader._money(loader._required(item, "amount"), f"payments[{n}].amount"), day,
                method=str(item.get("method", "BACS")), reference=str(item.get("reference", "")),
                actor=officer, at=at)
        else:
            add_note(session, award, item, actor=officer, at=at)
