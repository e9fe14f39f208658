"""Problems as data: what was refused, about which field, with the numbers and names — not a sentence.

The core raises (``GrantDeskError.problem``) or returns ``Problem`` values; whoever shows one chooses
its words for the person reading — an officer or a voter, in English or (with issue 20's catalogues)
Welsh — with ``words(problem, audience)``. ``str(error)`` keeps the officer's English, so the command
line, logs and older callers read as before. No layer takes words apart to find the data again: a
window that wants the reference, the person or the number reads ``problem.values``.

The English wording of every code is here, beside the codes, as format strings over the values; an
audience-specific wording is looked up first (``"voter"``), then the officer's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import dataclasses
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from grantdesk.i18n import N_, current_language, in_language


@dataclass(frozen=True)
class Problem:
    """A refusal or a finding: ``code`` says what, ``field`` where (if a form field), ``values`` the rest."""

    code: str
    field: str | None = None
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in WORDING:
            raise KeyError(f"no wording for the problem code {self.code!r}")
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def problem(code: str, field: str | None = None, **values: Any) -> Problem:
    return Problem(code, field, values)


def _moment(value: Any) -> str:
    """A stored moment (naive UTC) as UK time: "03/12/2026 at 14:05"."""
    if not isinstance(value, datetime):
        return str(value)
    try:
        from zoneinfo import ZoneInfo

        local = value.replace(tzinfo=timezone.utc).astimezone(ZoneInfo("Europe/London"))
    except (ImportError, KeyError, OSError):  # no time-zone data on this machine: say it is UTC
        return value.strftime("%d/%m/%Y at %H:%M UTC")
    return local.strftime("%d/%m/%Y at %H:%M")


# code → {audience → English format string over the values}. Values that need shaping for words (a
# status's label, a list, a moment) are shaped by _FORMATTERS first, so the values stay data.
WORDING: dict[str, dict[str, str]] = {
    "status.unknown": {"officer": N_("“{status}” is not an application status.")},
    "transition.same": {"officer": N_("The application is already {current}.")},
    "transition.closed": {"officer": N_("An application that is {current} is closed and cannot be moved to {target}.")},
    "transition.not_allowed": {
        "officer": N_("An application that is {current} cannot be moved to {target}; it can be moved to: {options}.")},
    "transition.reason_needed": {"officer": N_("Moving an application to {target} needs a written reason.")},
    "transition.override_reason_needed": {
        "officer": N_("Overriding an ineligible decision needs a written reason, which is kept in the audit log.")},
    "record.changed_elsewhere": {
        "officer": N_("{reference} was changed by {changed_by} on {changed_at} since you opened it; {consequence}")},
    "record.changed_elsewhere_unknown": {
        "officer": N_("{reference} was changed by someone else since you opened it; {consequence}")},
    "record.changed_while_saving": {
        "officer": N_("Someone else saved a change to this record while yours was being saved; nothing of yours was "
                   "written. Reload it and try again.")},
    "application.not_found": {"officer": N_("There is no application with id {application_id}.")},
    "eligibility.not_submitted": {
        "officer": N_("{reference} is {current}; only a submitted application is assessed.")},
    "eligibility.outcome_changed": {
        "officer": N_("{reference}'s eligibility changed after it was shown to you: the fund's rules now make it "
                   "{actual}, not {expected}. Nothing was changed; assess it again.")},
    "award.reason_needed": {
        "officer": N_("Awarding {amount_pence} to {reference} is {crossed}. That needs a written reason, which is "
                   "kept with the decision.")},
    "award.member_fund": {
        "officer": N_("{fund} is decided by elected members: {reference} is awarded through the members' decisions "
                   "(Members ▸ Member Decision…), so that the councillors' pots and the members' report include "
                   "it.")},
}

_CONSEQUENCES = {
    "move": N_("reload it and try again."),
    "save": N_("your changes were not saved. Reopen it to see theirs."),
}

def _label(value: Any) -> str:
    """A status (or anything with a label) in words, in the language being written."""
    return in_language(_writing[0], str(getattr(value, "label", value))).lower()


_writing = ["en"]  # the language words() is writing in (labels and consequences follow it)

_FORMATTERS = {
    "current": _label,
    "target": _label,
    "options": lambda v: ", ".join(_label(o) for o in v),
    "changed_at": _moment,
    "consequence": lambda v: in_language(_writing[0], _CONSEQUENCES[v]) if v in _CONSEQUENCES else str(v),
    "actual": _label,
    "expected": _label,
}


def shape_with(name: str, shape: Callable[[Any], str]) -> None:
    """Let the module that defines a kind of value say how it is put into words (``grantdesk.domain.awards``
    shapes an award's amount and the limits it goes beyond: money's words need ``domain.money``, which
    this module cannot import — money's errors import problems)."""
    _FORMATTERS[name] = shape


def words(problem: Problem, audience: str = "officer", language: str | None = None) -> str:
    """The problem for ``audience`` ("officer" or "voter"; the officer's words otherwise) in ``language``
    (default: the language the process speaks, ``grantdesk.i18n``), from the same catalogue as the
    interface."""
    forms = WORDING[problem.code]
    template = forms.get(audience) or forms["officer"]
    language = language or current_language()
    was, _writing[0] = _writing[0], language
    try:
        shaped = {k: _FORMATTERS[k](v) if k in _FORMATTERS else v for k, v in problem.values.items()}
        return in_language(language, template).format(**shaped)
    finally:
        _writing[0] = was


__all__ = ["Problem", "problem", "shape_with", "words", "WORDING"]