"""Eligibility as a use case: gather the facts, apply the fund's rules, record overrides, and assess —
first shown (``assessment``, a read), then made as the officer confirmed it (``assess``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.eligibility import (
    RULES,
    EligibilityReport,
    Outcome,
)
from grantdesk.domain.errors import InvalidTransition, NotFound, ValidationError
from grantdesk.domain.workflow import Status, status_of
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.store.queries import eligibility_report  # read without the ORM
from grantdesk.services.workflow import application_for_change, do_transition
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import (
    Application,
    EligibilityOverride,
)
from grantdesk.i18n import _


def report_for(session: Session, app: Application) -> EligibilityReport:
    """``app``'s eligibility, read in the caller's transaction (its pending changes flushed first)."""
    if app.id is None:
        session.flush()
    return eligibility_report(session, app.id)


def _application(session: Session, application_id: int) -> Application:
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound(_("There is no application with id {application_id}.").format(application_id=application_id))
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
        raise ValidationError(_("“{rule}” is not one of the fund's rules.").format(rule=rule), "rule")
    if not reason.strip():
        raise ValidationError(_("Overriding a rule needs a written reason; it is kept in the audit log."), "reason")
    s = uow.session
    app = _application(s, application_id)
    current = {r.rule: r for r in report_for(s, app).results}
    if current[rule].outcome not in (Outcome.FAIL, Outcome.OVERRIDDEN):
        raise ValidationError(_("“{rules}” has not failed for {reference}; there is nothing to override.").format(
                                rules=RULES[rule], reference=app.reference))
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
            _("{reference} cannot be marked eligible: {reasons} Override a rule with a written reason if it should "
              "not apply.").format(reference=app.reference, reasons="; ".join(r.reason for r in report.failures))
        )
    return report


@dataclass(frozen=True, slots=True)
class Assessment:
    """What assessing an application would decide, read before anything is changed: the rules'
    results, the status they lead to and the reason the history (and, if ineligible, the applicant)
    would read. The officer sees this and confirms; ``assess`` then makes that decision and no other."""

    application_id: int
    reference: str
    title: str
    status: Status
    version: int
    report: EligibilityReport
    outcome: Status  # ELIGIBLE or INELIGIBLE
    reason: str

    @property
    def can_assess(self) -> bool:
        return self.status is Status.SUBMITTED


def _outcome(report: EligibilityReport) -> Status:
    return Status.ELIGIBLE if report.eligible else Status.INELIGIBLE


def assessment(db: Database, application_id: int) -> Assessment:
    """The eligibility decision the fund's rules would make for this application — a read; nothing
    is written. The window shows it and asks before ``assess`` changes the status."""
    with db.unit_of_work() as uow:
        app = _application(uow.session, application_id)
        report = report_for(uow.session, app)
        return Assessment(app.id, app.reference, app.title, Status(app.status), app.version, report,
                          _outcome(report), report.summary())


@transactional
def assess(uow: UnitOfWork, application_id: int, expect: Status | str, *, reason: str | None = None,
           actor: str | None = None, expected_version: int | None = None) -> EligibilityReport:
    """Make the eligibility decision the officer was shown and confirmed (``expect``: eligible or
    ineligible). If the rules now decide otherwise — a document added, an override recorded, the
    application changed since — nothing is changed and the officer is asked to look again.

    ``reason`` is what the history records (and, for an ineligible decision, what the applicant
    reads); by default the rules' own summary."""
    who = actor_or_default(actor)
    s = uow.session
    app = application_for_change(s, application_id, expected_version)
    if app.status != Status.SUBMITTED:
        raise InvalidTransition.of("eligibility.not_submitted", reference=app.reference, current=Status(app.status))
    wanted = status_of(expect)
    report = report_for(s, app)
    actual = _outcome(report)
    if wanted is not actual:
        raise InvalidTransition.of("eligibility.outcome_changed", reference=app.reference, actual=actual,
                                   expected=wanted)
    written = " ".join((reason or "").split()) or report.summary()
    do_transition(s, app, actual, actor=who, reason=written)
    return report
