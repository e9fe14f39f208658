"""Paying awards and watching what grantees owe: payment plans, payments, money returned or clawed
back, and monitoring due dates scaled by grant size.

The rules that keep the books straight:

- an award's payments never add up to more than was awarded;
- money held back until the final report cannot be paid before that report is in;
- an instalment plan adds up to the award exactly;
- money returned (underspend) or clawed back can never exceed what was paid, less what already came back;
- what a grantee owes is proportionate: nothing for small grants, a short note with evidence of spend
  for middling ones, a fuller learning report for larger ones, each with its due date — by the one rule
  in ``grantdesk.domain.monitoring`` (the fund's ``monitoring`` setting), which the award letter uses too.

Every writing service here is ``@transactional``: called with a ``Database`` it is one transaction,
called with a ``UnitOfWork`` it joins the caller's. Each notes the award's application as changed
(``Kind.AWARDS``), so an open window showing it refreshes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grantdesk.domain.changes import Kind
from grantdesk.domain.dates import format_date, shift_days
from grantdesk.domain.errors import GrantDeskError, NotFound, ValidationError
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.money import format_money
from grantdesk.domain.monitoring import ReportDue, reports_due
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.store.database import Database
from grantdesk.store.models import (
    PLAN_KINDS,
    RETURN_KINDS,
    Application,
    Award,
    AwardReturn,
    Fund,
    MonitoringDue,
    Payment,
    PaymentPlan,
)
from grantdesk.store.unit_of_work import UnitOfWork, note_change, transactional
from grantdesk.i18n import _


class OverPayment(GrantDeskError):
    """A payment that would take an award's payments past what was awarded (or past the holdback)."""


def _award(session: Session, award_id: int) -> Award:
    award = session.get(Award, award_id)
    if award is None:
        raise NotFound(_("There is no award with id {award_id}.").format(award_id=award_id))
    return award


def _reference(session: Session, award: Award) -> str:
    return session.scalar(select(Application.reference).where(Application.id == award.application_id)) or "?"


def _rule(session: Session, award: Award) -> tuple[ReportDue, ...]:
    fund = session.get(Fund, session.get(Application, award.application_id).fund_id)
    return reports_due(award.awarded_on, award.amount_pence, settings_of(fund.settings).monitoring)


def award_reports_due(session: Session, award: Award) -> tuple[ReportDue, ...]:
    """The reports ``award`` owes, soonest first: its monitoring records once they are made, and until
    then what the rule will make (``grantdesk.domain.monitoring``) — so the award letter and the
    payments window always give the same dates."""
    rows = session.scalars(select(MonitoringDue).where(MonitoringDue.award_id == award.id)
                           .order_by(MonitoringDue.due_on, MonitoringDue.id)).all()
    if rows:
        return tuple(ReportDue(d.kind, d.label, d.due_on, d.final) for d in rows)
    return _rule(session, award)


def generate_monitoring(session: Session, award: Award, *, actor: str) -> list[MonitoringDue]:
    """Create the award's due reports from its size and the fund's rules (once; again is refused)."""
    if session.scalar(select(MonitoringDue.id).where(MonitoringDue.award_id == award.id)):
        raise ValidationError(_("This award's monitoring dates were already set."))
    app = session.get(Application, award.application_id)
    made = []
    for item in _rule(session, award):
        due = MonitoringDue(award_id=award.id, kind=item.kind, label=item.label, due_on=item.due_on,
                            final=item.final)
        session.add(due)
        made.append(due)
    session.flush()
    if made:
        note_change(session, Kind.AWARDS, [app.id])
        audit(session, actor=actor, action="monitoring.generate", entity="application", entity_id=app.id,
              summary=f"{app.reference}: " + "; ".join(f"{d.label} due {format_date(d.due_on, 'en_GB')}" for d in made))
    return made


@transactional
def set_monitoring(uow: UnitOfWork, award_id: int, *, actor: str | None = None) -> list[date]:
    """The award's due reports, by the fund's rules; their due dates, soonest first."""
    made = generate_monitoring(uow.session, _award(uow.session, award_id), actor=actor_or_default(actor))
    return [d.due_on for d in made]


# --- plans and payments --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AwardPosition:
    award_id: int
    reference: str
    awarded_pence: int
    paid_pence: int
    returned_pence: int  # underspend returned
    clawed_back_pence: int
    held_back_pence: int  # not payable until the final report is in (0 once it is)
    plan: str

    @property
    def outstanding_pence(self) -> int:
        """Still to pay on the award."""
        return self.awarded_pence - self.paid_pence

    @property
    def net_pence(self) -> int:
        """What the grantee has kept: paid, less money returned and clawed back."""
        return self.paid_pence - self.returned_pence - self.clawed_back_pence

    @property
    def payable_now_pence(self) -> int:
        return max(self.outstanding_pence - self.held_back_pence, 0)


def _final_report_in(session: Session, award: Award) -> bool:
    finals = session.scalars(select(MonitoringDue).where(MonitoringDue.award_id == award.id,
                                                         MonitoringDue.final.is_(True))).all()
    return bool(finals) and all(d.received_on is not None for d in finals)


def _position(session: Session, award: Award) -> AwardPosition:
    paid = session.scalar(select(func.coalesce(func.sum(Payment.amount_pence), 0))
                          .where(Payment.award_id == award.id)) or 0
    back = dict(session.execute(select(AwardReturn.kind, func.coalesce(func.sum(AwardReturn.amount_pence), 0))
                                .where(AwardReturn.award_id == award.id).group_by(AwardReturn.kind)).all())
    plan = session.scalar(select(PaymentPlan).where(PaymentPlan.award_id == award.id))
    held = plan.holdback_pence if plan is not None and not _final_report_in(session, award) else 0
    return AwardPosition(award.id, _reference(session, award), award.amount_pence, int(paid),
                         int(back.get("underspend", 0)), int(back.get("clawback", 0)), held,
                         plan.kind if plan is not None else "full")


def award_position(db: Database, award_id: int) -> AwardPosition:
    with db.session() as s:
        return _position(s, _award(s, award_id))


def plan_payments(session: Session, award: Award, kind: str, *, instalments: list[tuple[date, int]] = (),
                  holdback_pence: int = 0, actor: str, at=None) -> PaymentPlan:
    """Set how the award is paid, within the caller's transaction (see ``set_payment_plan``)."""
    if kind not in PLAN_KINDS:
        raise ValidationError(_("“{kind}” is not a way of paying; use {plan_kinds}.").format(
                                kind=kind, plan_kinds=', '.join(PLAN_KINDS)), "kind")
    if not 0 <= holdback_pence <= award.amount_pence:
        raise ValidationError(_("A holdback is between £0.00 and the award, {amount}.").format(
                                amount=format_money(award.amount_pence)),
                              "holdback")
    rows = [{"due_on": d.isoformat(), "amount_pence": int(p)} for d, p in sorted(instalments)]
    if kind == "instalments":
        if len(rows) < 2 or any(r["amount_pence"] <= 0 for r in rows):
            raise ValidationError(_("An instalment plan has two or more instalments, each above £0."), "instalments")
        total = sum(r["amount_pence"] for r in rows)
        if total != award.amount_pence:
            raise ValidationError(_("The instalments add up to {total}, not the award of {amount}.").format(
                                    total=format_money(total), amount=format_money(award.amount_pence)), "instalments")
    elif rows:
        raise ValidationError(_("Only an instalment plan lists instalments, not “{kind}”.").format(kind=kind), "instalments")
    plan = session.scalar(select(PaymentPlan).where(PaymentPlan.award_id == award.id))
    if plan is None:
        plan = PaymentPlan(award_id=award.id)
        session.add(plan)
    plan.kind, plan.instalments, plan.holdback_pence = kind, rows, holdback_pence
    session.flush()
    note_change(session, Kind.AWARDS, [award.application_id])
    audit(session, actor=actor, action="payment.plan", entity="application", entity_id=award.application_id,
          summary=f"{_reference(session, award)} to be paid {kind.replace('_', ' ')}"
                  + (f", {format_money(holdback_pence)} held back until the final report" if holdback_pence else ""),
          after={"kind": kind, "instalments": rows, "holdback_pence": holdback_pence}, at=at)
    return plan


def pay(session: Session, award: Award, amount_pence: int, paid_on: date, *, method: str = "BACS",
        reference: str = "", actor: str, at=None) -> AwardPosition:
    """A payment within the caller's transaction: never more than awarded, never a holdback before the final
    report is in (see ``record_payment``)."""
    if amount_pence <= 0:
        raise ValidationError(_("A payment is more than £0.00."), "amount")
    if paid_on < award.awarded_on:
        raise ValidationError(_("A payment cannot be made before the award ({awarded_on}).").format(
                                awarded_on=format_date(award.awarded_on)),
                              "paid_on")
    pos = _position(session, award)
    if amount_pence > pos.outstanding_pence:
        raise OverPayment(_("{reference} was awarded {awarded} and {paid} is paid: at most {outstanding} more "
                            "can be paid.").format(
                            reference=pos.reference, awarded=format_money(pos.awarded_pence), paid=format_money(pos.paid_pence), outstanding=format_money(pos.outstanding_pence)))
    if amount_pence > pos.payable_now_pence:
        raise OverPayment(_("{held_back} of {reference} is held back until the final report is in: {payable_now} "
                            "can be paid now.").format(
                            held_back=format_money(pos.held_back_pence), reference=pos.reference, payable_now=format_money(pos.payable_now_pence)))
    session.add(Payment(award_id=award.id, paid_on=paid_on, amount_pence=amount_pence,
                        method=method.strip() or "BACS", reference=reference.strip()))
    session.flush()
    note_change(session, Kind.AWARDS, [award.application_id])
    audit(session, actor=actor, action="payment.record", entity="application", entity_id=award.application_id,
          summary=f"Paid {format_money(amount_pence)} on {pos.reference} ({format_date(paid_on, 'en_GB')})",
          after={"amount_pence": amount_pence, "paid_on": paid_on.isoformat(), "reference": reference}, at=at)
    return _position(session, award)


def receive(session: Session, due: MonitoringDue, received_on: date, *, actor: str, at=None) -> None:
    """A report received, within the caller's transaction: once, and not before the award."""
    award = session.get(Award, due.award_id)
    if due.received_on is not None:
        raise ValidationError(_("“{label}” was already received on {received_on}.").format(
                                label=due.label, received_on=format_date(due.received_on)))
    if received_on < award.awarded_on:
        raise ValidationError(_("“{label}” cannot come in before the award ({awarded_on}).").format(
                                label=due.label, awarded_on=format_date(award.awarded_on)))
    due.received_on = received_on
    session.flush()
    note_change(session, Kind.AWARDS, [award.application_id])
    audit(session, actor=actor, action="monitoring.received", entity="application", entity_id=award.application_id,
          summary=f"{_reference(session, award)}: {due.label} received {format_date(received_on, 'en_GB')}", at=at)


@transactional
def set_payment_plan(uow: UnitOfWork, award_id: int, kind: str, *, instalments: Sequence[tuple[date, int]] = (),
                     holdback_pence: int = 0, actor: str | None = None) -> None:
    """How the award will be paid. Instalments (due date, pence) must add up to the award exactly,
    holdback included in the last; a holdback cannot exceed the award."""
    plan_payments(uow.session, _award(uow.session, award_id), kind, instalments=list(instalments),
                  holdback_pence=holdback_pence, actor=actor_or_default(actor))


@transactional
def record_payment(uow: UnitOfWork, award_id: int, amount_pence: int, paid_on: date, *, method: str = "BACS",
                   reference: str = "", actor: str | None = None) -> AwardPosition:
    """A payment made on the award. Refused (``OverPayment``) when it would pay more than was awarded,
    or release money held back before the final report is in; the message says what can be paid."""
    return pay(uow.session, _award(uow.session, award_id), amount_pence, paid_on, method=method,
               reference=reference, actor=actor_or_default(actor))


@transactional
def record_return(uow: UnitOfWork, award_id: int, kind: str, amount_pence: int, received_on: date, *, reason: str,
                  actor: str | None = None) -> AwardPosition:
    """Money coming back: ``underspend`` returned by the grantee, or a ``clawback`` the council asked for.
    Never more than was paid, less what already came back; a reason is always recorded."""
    who = actor_or_default(actor)
    if kind not in RETURN_KINDS:
        raise ValidationError(_("“{kind}” is not money coming back; use {return_kinds}.").format(
                                kind=kind, return_kinds=' or '.join(RETURN_KINDS)), "kind")
    if amount_pence <= 0:
        raise ValidationError(_("The amount coming back is more than £0.00."), "amount")
    if not reason.strip():
        raise ValidationError(_("Say why the money is coming back."), "reason")
    s = uow.session
    award = _award(s, award_id)
    pos = _position(s, award)
    if amount_pence > pos.net_pence:
        raise ValidationError(_("Only {net} of {reference} has been paid and not yet returned, less than "
                                "{amount}.").format(
                                net=format_money(pos.net_pence), reference=pos.reference, amount=format_money(amount_pence)), "amount")
    s.add(AwardReturn(award_id=award_id, kind=kind, received_on=received_on, amount_pence=amount_pence,
                      reason=reason.strip(), recorded_by=who))
    s.flush()
    note_change(s, Kind.AWARDS, [award.application_id])
    audit(s, actor=who, action=f"payment.{kind}", entity="application", entity_id=award.application_id,
          summary=f"{format_money(amount_pence)} {'returned unspent' if kind == 'underspend' else 'clawed back'} "
                  f"on {pos.reference}: {reason.strip()}",
          after={"amount_pence": amount_pence, "received_on": received_on.isoformat()})
    return _position(s, award)


@transactional
def report_received(uow: UnitOfWork, due_id: int, received_on: date, *, actor: str | None = None) -> None:
    """A report that was due has come in (once; not before the award)."""
    due = uow.session.get(MonitoringDue, due_id)
    if due is None:
        raise NotFound(_("There is no monitoring item with id {due_id}.").format(due_id=due_id))
    receive(uow.session, due, received_on, actor=actor_or_default(actor))


@dataclass(frozen=True, slots=True)
class DueItem:
    id: int
    reference: str
    organisation: str
    label: str
    kind: str
    due_on: date
    days: int  # negative: overdue by that many days

    @property
    def overdue(self) -> bool:
        return self.days < 0


def overdue_and_due_soon(db: Database, fund_code: str | None = None, *, today: date | None = None,
                         within_days: int = 30) -> list[DueItem]:
    """Reports not yet received that are overdue or due within ``within_days``, most overdue first."""
    from grantdesk.store.models import Organisation

    day = today or utcnow().date()
    with db.session() as s:
        query = (select(MonitoringDue, Application.reference, Organisation.name)
                 .join(Award, Award.id == MonitoringDue.award_id)
                 .join(Application, Application.id == Award.application_id)
                 .join(Organisation, Organisation.id == Application.organisation_id)
                 .where(MonitoringDue.received_on.is_(None),
                        MonitoringDue.due_on <= shift_days(day, within_days)))
        if fund_code:
            query = query.where(Application.fund_id == fund_by_code(s, fund_code).id)
        rows = s.execute(query.order_by(MonitoringDue.due_on, Application.reference)).all()
        return [DueItem(d.id, ref, org, d.label, d.kind, d.due_on, (d.due_on - day).days) for d, ref, org in rows]


@dataclass(frozen=True, slots=True)
class AwardLine:
    award_id: int
    application_id: int
    reference: str
    organisation: str
    title: str
    awarded_on: date
    position: AwardPosition


def fund_awards(db: Database, fund_code: str) -> list[AwardLine]:
    """The fund's awards with where each stands (paid, outstanding, returned, held back), newest first."""
    from grantdesk.store.models import Organisation

    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        rows = s.execute(select(Award, Application.reference, Organisation.name, Application.title)
                         .join(Application, Application.id == Award.application_id)
                         .join(Organisation, Organisation.id == Application.organisation_id)
                         .where(Application.fund_id == fund.id, Award.historical.is_(False))
                         .order_by(Award.awarded_on.desc(), Application.reference)).all()
        return [AwardLine(a.id, a.application_id, ref, org, title, a.awarded_on, _position(s, a))
                for a, ref, org, title in rows]
