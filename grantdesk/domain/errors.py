"""Typed errors raised by the core. Each carries a plain-English sentence a grants officer can act on,
and, where it has been given one, the ``Problem`` behind it (``grantdesk.domain.problems``): the data
a window uses to choose its own words or act (which field, which record, who changed it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grantdesk.domain.problems import Problem


class GrantDeskError(Exception):
    """Base class: anything the core refuses to do, with a reason fit to show a person."""

    problem: Problem | None = None

    @classmethod
    def of(cls, code: str, field: str | None = None, **values: Any) -> GrantDeskError:
        """The error for a ``Problem`` (its officer's words as the message)."""
        from grantdesk.domain.problems import Problem, words

        found = Problem(code, field, values)
        error = cls(words(found)) if field is None or not issubclass(cls, ValidationError) else cls(words(found), field)
        error.problem = found
        return error


class ValidationError(GrantDeskError):
    """A value is not acceptable. ``field`` names the field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class MoneyError(ValidationError):
    """An amount of money could not be read."""


class NotFound(GrantDeskError):
    """A record asked for does not exist."""


class InvalidTransition(GrantDeskError):
    """An application cannot move from its current state to the one asked for."""


class ChangedElsewhere(ValidationError):
    """The record was changed by someone else since the person opened it; nothing was written.
    ``problem.values`` holds the reference and, when known, who changed it and when."""


class DatabaseError(GrantDeskError):
    """The database cannot be opened or used as it is (missing, newer, not GrantDesk)."""
