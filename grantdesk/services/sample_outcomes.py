"""The sample funds' life after an award: payment plans and payments, monitoring due dates and the
reports that came in, and outcome notes in the grantee's words — loaded through the same checks the
app's payments and outcomes services make, so a sample can only show what the app would have allowed.

A sample loads in one transaction, so it calls the session-level steps that the app's own services
are built on — ``payments.plan_payments``, ``payments.pay``, ``payments.receive`` and
``outcomes.add_note`` — with the sample's dates for the audit.

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

from sqlalchemy.orm import Session

from grantdesk.domain.errors import ValidationError
from grantdesk.services import outcomes, payments
from grantdesk.store.models import (
    Application,
    Award,
    Fund,
    MonitoringDue,
    OutcomeNote,
)
from grantdesk.i18n import _

APPLICATION_KEYS = {"plan", "payments", "monitoring", "monitoring_received", "outcomes"}
KEYS: dict[str, set[str]] = {
    "plan": {"kind", "holdback", "instalments"},
    "instalment": {"on", "amount"},
    "payment": {"on", "amount", "method", "reference"},
    "received": {"label", "on"},
    "outcome": {"recorded", "stage", "author", *outcomes.TEXT_FIELDS, *outcomes.FIGURE_FIELDS, "themes"},
}


# --- the steps: payments.py and outcomes.py's own, within the loader's transaction ---------------------


def add_note(session: Session, award: Award, draft: outcomes.NoteDraft, *, actor: str, at=None) -> OutcomeNote:
    """``outcomes.add_note``; sample notes carry no photos."""
    if draft.photos:
        raise ValidationError(_("Sample outcome notes carry no photos."), "photos")
    return outcomes.add_note(session, award, draft, actor=actor, at=at)


# --- the sample's tables ------------------------------------------------------------------------------


def check_not_awarded(table: dict[str, Any]) -> None:
    """Payments, monitoring and outcome notes belong to an award."""
    present = sorted(APPLICATION_KEYS & set(table))
    if present:
        raise ValidationError(_("has {present} but its status is not awarded.").format(present=', '.join(present)))


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
        payments.plan_payments(session, award, str(plan.get("kind", "full")), instalments=rows,
                      holdback_pence=loader._money(plan.get("holdback", "0"), "plan.holdback"),
                      actor=officer, at=loader._moment(award.awarded_on))

    dues: list[MonitoringDue] = []
    if table.get("monitoring", False) is True:
        dues = payments.generate_monitoring(session, award, actor=officer)
    elif "monitoring" in table and table["monitoring"] is not False:
        raise ValidationError(_("monitoring is true or false."))

    steps: list[tuple[date, int, int, Any]] = []  # (day, order on the day, position, what to do)
    for n, row in enumerate(table.get("monitoring_received", []), start=1):
        where = f"monitoring_received[{n}]"
        loader._check_keys(row, "received", where)
        label = loader._required(row, "label")
        matches = [d for d in dues if d.label == label]
        if not matches:
            offered = ", ".join(f"“{d.label}”" for d in dues) or "nothing (add monitoring = true, or a larger award)"
            raise ValidationError(_("{where}: “{label}” is not due on this award; due: {offered}.").format(
                                    where=where, label=label, offered=offered))
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
            raise ValidationError(_("{where}: theme “{unknown}” is not in the fund's themes ({value}).").format(
                                    where=where, unknown=unknown[0], value=', '.join(sorted(allowed)) or 'none set'))
        draft = outcomes.NoteDraft(
            recorded_on=loader._date(loader._required(row, "recorded"), f"{where}.recorded"),
            stage=str(row.get("stage", "")), author=str(row.get("author", "")),
            themes=themes, **{f: str(row.get(f, "")) for f in outcomes.TEXT_FIELDS},
            **{f: row.get(f) for f in outcomes.FIGURE_FIELDS})
        steps.append((draft.recorded_on, 2, n, ("note", draft)))

    for day, _order, n, (kind, item) in sorted(steps, key=lambda s: s[:3]):
        at = loader._moment(day)
        if kind == "received":
            payments.receive(session, item, day, actor=officer, at=at)
        elif kind == "payment":
            payments.pay(session, award, loader._money(loader._required(item, "amount"), f"payments[{n}].amount"), day,
                method=str(item.get("method", "BACS")), reference=str(item.get("reference", "")),
                actor=officer, at=at)
        else:
            add_note(session, award, item, actor=officer, at=at)
