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
from grantdesk.i18n import _, N_


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
    Role.OFFICER: N_("Officer"),
    Role.MANAGER: N_("Manager"),
    Role.MEMBER: N_("Elected member"),
    Role.PANELLIST: N_("Panellist"),
    Role.VIEWER: N_("Viewer"),
    Role.KIOSK: N_("Voting kiosk"),
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
    Role.MEMBER: N_("record their own decisions and declare interests"),
    Role.PANELLIST: N_("score applications and declare interests"),
    Role.VIEWER: N_("look at records, not change them"),
    Role.KIOSK: N_("cast ballots at a voting event"),
}

# Each role with its article, for sentences (Welsh has no indefinite article: the translator words it).
A_ROLE: dict[Role, str] = {
    Role.OFFICER: N_("an officer"),
    Role.MANAGER: N_("a manager"),
    Role.MEMBER: N_("an elected member"),
    Role.PANELLIST: N_("a panellist"),
    Role.VIEWER: N_("a viewer"),
    Role.KIOSK: N_("a voting kiosk"),
}


def a_role(role: Role) -> str:
    """The role with its article, for sentences: "an officer", "a manager" (in the process's language)."""
    if role in A_ROLE:
        return _(A_ROLE[role])
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
        raise ValidationError(_("“{text}” is not a role; use one of {roles}.").format(
                                text=text, roles=', '.join(ROLES)), "role") from None


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
    who = _("{name} ({role})").format(name=identity.name, role=_(identity.role.label).lower())
    if identity.role is Role.OFFICER:
        if action.startswith("user."):
            return _("{who} cannot manage people: only a manager can add, change or disable users.").format(who=who)
        if action == "allotment.year_end":
            return _("{who} cannot run the year-end: the year-end is a manager's.").format(who=who)
        return _("{who} may not do this: it is a manager's.").format(who=who)
    return _("{who} may not do this: {a_role} can only {can_only}.").format(
        who=who, a_role=a_role(identity.role), can_only=_(CAN_ONLY[identity.role]))
