"""The application workflow: states, the moves between them, and why a move is refused.

    draft → submitted → (returned for changes → submitted) → eligible | ineligible
          → shortlisted → awarded | declined | deferred
    withdrawn from any open state.

An eligible application may also be declined or deferred without being shortlisted (a councillor's
pot is spent, a panel defers it), and an officer may override an ineligible decision only with a
written reason. A deferred application can be resubmitted.
"""

from __future__ import annotations

from enum import StrEnum

from grantdesk.domain.errors import InvalidTransition
from grantdesk.i18n import N_


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    SHORTLISTED = "shortlisted"
    AWARDED = "awarded"
    DECLINED = "declined"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in CLOSED


STATUS_LABELS: dict[Status, str] = {
    Status.DRAFT: N_("Draft"),
    Status.SUBMITTED: N_("Submitted"),
    Status.RETURNED: N_("Returned for changes"),
    Status.ELIGIBLE: N_("Eligible"),
    Status.INELIGIBLE: N_("Ineligible"),
    Status.SHORTLISTED: N_("Shortlisted"),
    Status.AWARDED: N_("Awarded"),
    Status.DECLINED: N_("Declined"),
    Status.DEFERRED: N_("Deferred"),
    Status.WITHDRAWN: N_("Withdrawn"),
}

CLOSED = frozenset({Status.AWARDED, Status.DECLINED, Status.WITHDRAWN, Status.INELIGIBLE})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.RETURNED, Status.ELIGIBLE, Status.INELIGIBLE, Status.WITHDRAWN}),
    Status.RETURNED: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.ELIGIBLE: frozenset({Status.SHORTLISTED, Status.DECLINED, Status.DEFERRED, Status.WITHDRAWN}),
    # Ineligible is a decision, but an officer may override it with a written reason.
    Status.INELIGIBLE: frozenset({Status.ELIGIBLE}),
    Status.SHORTLISTED: frozenset({Status.AWARDED, Status.DECLINED, Status.DEFERRED, Status.WITHDRAWN}),
    Status.DEFERRED: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.AWARDED: frozenset(),
    Status.DECLINED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}

# Moves that must carry a written reason: they tell an applicant "no", "not yet" or "change this",
# or overrule an earlier decision, and the reason is what a review will read.
NEEDS_REASON: frozenset[tuple[Status, Status]] = frozenset(
    {(src, Status.RETURNED) for src in Status}
    | {(src, Status.INELIGIBLE) for src in Status}
    | {(src, Status.DECLINED) for src in Status}
    | {(src, Status.DEFERRED) for src in Status}
    | {(src, Status.WITHDRAWN) for src in Status}
    | {(Status.INELIGIBLE, Status.ELIGIBLE)}
)


def allowed_next(current: Status) -> tuple[Status, ...]:
    """The states an application in ``current`` may move to, in workflow order."""
    order = list(Status)
    return tuple(sorted(TRANSITIONS[current], key=order.index))


def status_of(value: Status | str) -> Status:
    """``value`` as a status; a word that is not one is refused as a move (``status.unknown``)."""
    try:
        return Status(value)
    except ValueError as exc:
        raise InvalidTransition.of("status.unknown", status=str(value)) from exc


def check_transition(current: Status | str, target: Status | str, reason: str | None = None) -> None:
    """Raise ``InvalidTransition`` unless ``current → target`` is allowed; its ``problem`` says which
    rule refused (``transition.*``) with the statuses, so a window can word it or offer the moves."""
    src, dst = status_of(current), status_of(target)
    if src == dst:
        raise InvalidTransition.of("transition.same", current=src)
    if dst not in TRANSITIONS[src]:
        if not TRANSITIONS[src]:
            raise InvalidTransition.of("transition.closed", current=src, target=dst)
        raise InvalidTransition.of("transition.not_allowed", current=src, target=dst, options=allowed_next(src))
    if (src, dst) in NEEDS_REASON and not (reason and reason.strip()):
        if src == Status.INELIGIBLE:
            raise InvalidTransition.of("transition.override_reason_needed", "reason", current=src, target=dst)
        raise InvalidTransition.of("transition.reason_needed", "reason", current=src, target=dst)
