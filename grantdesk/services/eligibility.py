"""Eligibility as a use case: gather the facts, apply the fund's rules, record overrides, assess."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.eligibility import (
    RULES,
    EligibilityReport,
    Outcome,
)
from grantdesk.domain.errors import InvalidTransition, NotFound, ValidationError
from grantdesk.domain.workflow import Status
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.store.queries import eligibility_report  # read without the ORM
from grantdesk.services.workflow import do_transition
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import (
    Application,
    EligibilityOverride,
)


def report_for(session: Session, app: Application) -> EligibilityReport:
    """``app``'s eligibility, read in the caller's transaction (its pending changes flushed first)."""
    if app.id is None:
        session.flush()
    return eligibility_report(session, app.id)


def _application(session: Session, application_id: int) -> Application:
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound(f"There is no application with id {application_id}.")
    return app


def check_eligibility(db: Database, application_id: int) -> EligibilityReport:
    with db.unit_of_work() as uow:
        return report_for(uow.session, _application(uow.session, application_id))


@transactional
def override_rule(uow: UnitOfWork, application_id: int, rule: str, reason: str, *, actor: str | None = None
                  ) -> EligibilityReport:
    """Accept a failed rule for this application, with the officer's written reason (audited)."""
    who = actor_or_default(actor)
    if rule not in RULES:
        raise ValidationError(f"“{rule}” is not one of the fund's rules.", "rule")
    if not reason.strip():
        raise ValidationError("Overriding a rule needs a written reason; it is kept in the audit log.", "reason")
    s = uow.session
    app = _application(s, application_id)
    current = {r.rule: r for r in report_for(s, app).results}
    if current[rule].outcome not in (Outcome.FAIL, Outcome.OVERRIDDEN):
        raise ValidationError(f"“{RULES[rule]}” has not failed for {app.reference}; there is nothing to override.")
    existing = s.scalar(select(EligibilityOverride).where(
        EligibilityOverride.application_id == app.id, EligibilityOverride.rule == rule))
    if existing is None:
        s.add(EligibilityOverride(application_id=app.id, rule=rule, reason=reason.strip(), by=who, at=utcnow()))
    else:
        existing.reason, existing.by, existing.at = reason.strip(), who, utcnow()
    s.flush()
    audit(s, actor=who, action="eligibility.override", entity="application", entity_id=app.id,
          summary=f"{app.reference}: overrode “{RULES[rule]}” — {reason.strip()}",
          before={"rule": rule, "reason": current[rule].reason}, after={"override": reason.strip()})
    return report_for(s, app)


def require_eligible(session: Session, app: Application) -> EligibilityReport:
    """Refuse to mark ``app`` eligible while a rule fails without an officer's override."""
    report = report_for(session, app)
    if not report.eligible:
        raise InvalidTransition(
            f"{app.reference} cannot be marked eligible: "
            + "; ".join(r.reason for r in report.failures)
            + " Override a rule with a written reason if it should not apply."
        )
    return report


@transactional
def assess(uow: UnitOfWork, application_id: int, *, actor: str | None = None) -> EligibilityReport:
    """Decide a submitted application's eligibility from the fund's rules: eligible if every rule
    passes (or is overridden), otherwise ineligible with the failed rules as the reason."""
    who = actor_or_default(actor)
    s = uow.session
    app = _application(s, application_id)
    if app.status != Status.SUBMITTED:
        raise InvalidTransition(
            f"{app.reference} is {Status(app.status).label.lower()}; only a submitted application is assessed."
        )
    report = report_for(s, app)
    if report.eligible:
        do_transition(s, app, Status.ELIGIBLE, actor=who, reason=report.summary())
    else:
        do_transition(s, app, Status.INELIGIBLE, actor=who, reason=report.summary())
    return report
