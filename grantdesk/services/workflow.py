"""Moving an application through the workflow: the building blocks every decision service shares
(a move with its history and audit entry; the application to change, refused if stale). They work in
the caller's transaction; the decision services (applications, eligibility, panels, members, votes)
are built on them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import ChangedElsewhere, NotFound
from grantdesk.domain.workflow import Status, check_transition, status_of
from grantdesk.services.common import audit, utcnow
from grantdesk.store.models import Application, AuditEntry, StatusChange


def do_transition(
    session: Session,
    app: Application,
    target: Status | str,
    *,
    actor: str,
    reason: str = "",
    at: datetime | None = None,
    on: date | None = None,
    by: str | None = None,
    reason_cy: str = "",
) -> StatusChange:
    """Move ``app`` to ``target`` if the workflow allows it, recording who, when and why.

    ``by`` is the person the history credits when it differs from the one at the keyboard (a
    decision made on paper and keyed in later); the audit entry always names ``actor``. ``reason_cy``
    is the reason in Welsh, as a Welsh letter will say it (never made from the English).
    """
    target = status_of(target)
    check_transition(app.status, target, reason)
    moment = at or utcnow()
    before = app.status
    change = StatusChange(
        from_status=before, to_status=target.value, at=moment, by=by or actor, reason=reason.strip(),
        reason_cy=reason_cy.strip() or None,
    )
    app.history.append(change)
    app.status = target.value
    app.updated_at = moment
    if target is Status.SUBMITTED and app.submitted_on is None:
        app.submitted_on = on or moment.date()
    session.flush()
    audit(session, actor=actor, action="application.transition", entity="application", entity_id=app.id,
          summary=f"{app.reference}: {Status(before).label} → {target.label}" + (f" ({reason.strip()})" if reason.strip() else ""),
          before={"status": before}, after={"status": target.value})
    return change


def application_for_change(session: Session, application_id: int, expected_version: int | None) -> Application:
    """The application to change, refusing if someone else changed it since the caller last looked
    (``expected_version``): a decision is never made on stale information."""
    app = session.get(Application, application_id)
    if app is None:
        raise NotFound.of("application.not_found", application_id=application_id)
    refuse_if_changed(session, app, expected_version, consequence="move")
    return app


def refuse_if_changed(session: Session, app: Application, expected_version: int | None, *, consequence: str) -> None:
    """Raise ``ChangedElsewhere`` if ``app`` is no longer at ``expected_version``, saying who changed it
    and when (the latest audit entry about it), so the person can look before trying again."""
    if expected_version is None or app.version == expected_version:
        return
    last = session.execute(select(AuditEntry.actor, AuditEntry.at).where(
        AuditEntry.entity == "application", AuditEntry.entity_id == app.id).order_by(AuditEntry.id.desc())
        .limit(1)).first()
    if last is None:
        raise ChangedElsewhere.of("record.changed_elsewhere_unknown", reference=app.reference, consequence=consequence)
    raise ChangedElsewhere.of("record.changed_elsewhere", reference=app.reference, changed_by=last.actor,
                              changed_at=last.at, consequence=consequence)
