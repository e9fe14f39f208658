"""People's roles and what each may change: pure rules, no database.

Every change GrantDesk keeps writes an audit entry (``grantdesk.services.common.audit``), named by an
*action* such as ``award.create``; what a role may do is said here in those actions, so the one place
every write passes through checks it, and no window or command can go round it.

- **manager**: everything, and alone may manage people, run the year-end and approve awards above a
  fund's ``manager_approval_above``;
- **officer**: everything else;
- **member** (an elected member): record their own decisions and declare interests;
- **panellist**: score applications and declare interests;
- **viewer**: look, never change;
- **kiosk**: cast ballots at a voting event, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Role(str, Enum):
    OFFICER = "officer"
    MANAGER = "manager"
    MEMBER = "member"
    PANELLIST = "panellist"
    VIEWER = "viewer"
    KIOSK = "kiosk"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.OFFICER: "Officer",
    Role.MANAGER: "Manager",
    Role.MEMBER: "Elected member",
    Role.PANELLIST: "Panellist",
    Role.VIEWER: "Viewer",
    Role.KIOSK: "Voting kiosk",
}

ROLES: tuple[str, ...] = tuple(r.value for r in Role)

# Actions only a manager may take (audit action names, or a prefix ending in ".").
MANAGER_ONLY: tuple[str, ...] = ("user.", "allotment.year_end")

# What the roles that may do little may do; officers and managers are not listed (see ``may``).
LIMITED: dict[Role, tuple[str, ...]] = {
    Role.MEMBER: ("member_decision.recommended", "member_decision.refused", "interest.declare"),
    Role.PANELLIST: ("panel.score", "interest.declare"),
    Role.VIEWER: (),
    Role.KIOSK: ("event.ballot_cast",),
}

# What a role's refusal says it may do, for the words of the refusal.
CAN_ONLY: dict[Role, str] = {
    Role.MEMBER: "record their own decisions and declare interests",
    Role.PANELLIST: "score applications and declare interests",
    Role.VIEWER: "look at records, not change them",
    Role.KIOSK: "cast ballots at a voting event",
}


def a_role(role: Role) -> str:
    """The role with its article, for sentences: "an officer", "a manager"."""
    label = role.label.lower()
    return ("an " if label[0] in "aeiou" else "a ") + label


def _matches(action: str, patterns: tuple[str, ...]) -> bool:
    return any(action.startswith(p) if p.endswith(".") else action == p for p in patterns)


def parse_role(text: str) -> Role:
    """A role from its name (any case; "elected member" and "councillor" are members)."""
    from grantdesk.domain.errors import ValidationError

    key = " ".join(text.split()).casefold().replace(" ", "_")
    aliases = {"elected_member": "member", "councillor": "member", "panelist": "panellist"}
    key = aliases.get(key, key)
    try:
        return Role(key)
    except ValueError:
        raise ValidationError(f"“{text}” is not a role; use one of {', '.join(ROLES)}.", "role") from None


@dataclass(frozen=True)
class Identity:
    """Who is working. ``username`` names them in the audit log; ``user_id`` is their row in ``users``
    (None when the database has no users yet: then the operating-system login works as a manager, as
    GrantDesk did before people had roles — ``unmanaged``)."""

    username: str
    role: Role
    display_name: str = ""
    user_id: int | None = None
    member_id: int | None = None
    panellist_id: int | None = None

    @property
    def unmanaged(self) -> bool:
        return self.user_id is None

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def may(self, action: str) -> bool:
        return may(self.role, action)


def may(role: Role, action: str) -> bool:
    """Whether ``role`` may take ``action`` (an audit action name)."""
    if role is Role.MANAGER:
        return True
    if role is Role.OFFICER:
        return not _matches(action, MANAGER_ONLY)
    return _matches(action, LIMITED[role])


def refusal(identity: Identity, action: str) -> str:
    """Why ``identity`` may not take ``action``, in plain words."""
    who = f"{identity.name} ({identity.role.label.lower()})"
    if identity.role is Role.OFFICER:
        if action.startswith("user."):
            return f"{who} cannot manage people: only a manager can add, change or disable users."
        if action == "allotment.year_end":
            return f"{who} cannot run the year-end: the year-end is a manager's."
        return f"{who} may not do this: it is a manager's."
    return f"{who} may not do this: {a_role(identity.role)} can only {CAN_ONLY[identity.role]}."
