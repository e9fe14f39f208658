"""Typed errors raised by the core. Every message is a plain-English sentence a grants officer can act on."""


class GrantDeskError(Exception):
    """Base class: anything the core refuses to do, with a reason fit to show a person."""


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


class DatabaseError(GrantDeskError):
    """The database cannot be opened or used as it is (missing, newer, not GrantDesk)."""
