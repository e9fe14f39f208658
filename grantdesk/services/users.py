"""People who sign in: adding, listing and disabling them, their passwords and PINs, and signing in.

Passwords and PINs are kept only as scrypt hashes (``hashlib.scrypt``, in Python's standard library:
memory-hard, maintained with Python itself, nothing more to install), each with its own random salt,
in the form ``scrypt$N$r$p$salt$hash`` so the cost can be raised later without breaking old hashes.

How people sign in (``sign_in_need``):

- a database with no users yet: nobody signs in; the operating-system login works as a manager;
- a SQLite file (one person's, or a few taking turns): the operating-system login, when it is a user
  — asked for their PIN first if they set one;
- PostgreSQL (a team): each user with their own password (the app's sign-in dialog; the CLI's
  ``--user NAME`` with ``GRANTDESK_PASSWORD`` or a prompt).

The first user must be a manager, and the last enabled manager cannot be disabled: someone must always
be able to manage people.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, select

from grantdesk.config import current_actor
from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.roles import ROLE_LABELS, Identity, Role, parse_role
from grantdesk.services.common import (
    NotAllowed,
    audit,
    check_allowed,
    forget_identity,
    identity_from_user,
    identity_of,
    sign_in_as,
    signed_in,
    utcnow,
)
from grantdesk.store.database import Database
from grantdesk.store.models import Member, Panellist, User
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.i18n import _

# --- hashing -------------------------------------------------------------------------------------

_N, _R, _P = 2**15, 8, 1  # scrypt's cost: 32 MiB and about a tenth of a second per check
_MAXMEM = 64 * 1024 * 1024
MIN_PASSWORD = 10


def hash_secret(secret: str) -> str:
    """A scrypt hash of a password or PIN, salted, in the form ``scrypt$N$r$p$salt$hash``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def secret_matches(stored: str | None, secret: str) -> bool:
    """Whether ``secret`` is the one ``stored`` was made from (in constant time)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(secret.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=_MAXMEM, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(_("A password needs at least {min_password} characters.").format(
                                min_password=MIN_PASSWORD), "password")
    return password


def _check_pin(pin: str) -> str:
    pin = pin.strip()
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValidationError(_("A PIN is 4 to 8 digits."), "pin")
    return pin


def normal_username(name: str) -> str:
    """A username as stored: trimmed, single-spaced, lower case (an operating-system login matches it)."""
    return " ".join(name.split()).casefold()


# --- what windows and commands get back ---------------------------------------------------------


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: str
    disabled: bool
    has_password: bool
    has_pin: bool
    member_id: int | None
    panellist_id: int | None
    created_at: datetime
    changed_at: datetime

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[Role(self.role)]

    def as_json(self) -> dict[str, Any]:
        return {"username": self.username, "display_name": self.display_name, "role": self.role,
                "disabled": self.disabled, "password": self.has_password, "pin": self.has_pin,
                "member_id": self.member_id, "panellist_id": self.panellist_id,
                "created_at": self.created_at.isoformat(timespec="seconds"),
                "changed_at": self.changed_at.isoformat(timespec="seconds")}


def _view(user: User) -> UserView:
    return UserView(user.id, user.username, user.display_name, user.role, bool(user.disabled),
                    user.password_hash is not None, user.pin_hash is not None, user.member_id, user.panellist_id,
                    user.created_at, user.changed_at)


@dataclass(frozen=True)
class AddedUser:
    user: UserView
    note: str = ""  # something the person adding should know (the login that now cannot change anything)


def _user(session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == normal_username(username)))
    if user is None:
        known = list(session.scalars(select(User.username).order_by(User.username)))
        raise NotFound(_("There is no user “{username}”; the users are {users}.").format(
            username=username, users=", ".join(known)) if known else
            _("There is no user “{username}”; this database has no users yet.").format(username=username))
    return user


def _is_server(session) -> bool:
    return session.get_bind().dialect.name != "sqlite"


# --- managing people ----------------------------------------------------------------------------


@transactional
def add_user(uow: UnitOfWork, username: str, *, role: str | Role, display_name: str = "",
             password: str | None = None, pin: str | None = None, member_id: int | None = None,
             panellist_id: int | None = None) -> AddedUser:
    """Add a person who may sign in (a manager's; the first user must be a manager)."""
    s = uow.session
    check_allowed(s, "user.add")  # who is working, found before the users change
    name = normal_username(username)
    if not name:
        raise ValidationError(_("Give the user a name (their login)."), "username")
    if len(name) > 200:
        raise ValidationError(_("A username is at most 200 characters."), "username")
    the_role = parse_role(role.value if isinstance(role, Role) else role)
    first = s.scalar(select(User.id).limit(1)) is None
    if first and the_role is not Role.MANAGER:
        raise ValidationError(_("The first user must be a manager, so that someone can manage people; add a "
                      "manager first."), "role")
    if s.scalar(select(User.id).where(User.username == name)) is not None:
        raise ValidationError(_("There is already a user “{name}”.").format(name=name), "username")
    if _is_server(s) and not password:
        raise ValidationError(_("On a server database each person signs in with a password: give one."), "password")
    if member_id is not None and s.get(Member, member_id) is None:
        raise ValidationError(_("There is no member record {member_id}.").format(member_id=member_id), "member")
    if panellist_id is not None and s.get(Panellist, panellist_id) is None:
        raise ValidationError(_("There is no panellist record {panellist_id}.").format(panellist_id=panellist_id), "panellist")
    now = utcnow()
    user = User(username=name, display_name=" ".join(display_name.split()), role=the_role.value,
                member_id=member_id, panellist_id=panellist_id,
                password_hash=hash_secret(_check_password(password)) if password else None,
                pin_hash=hash_secret(_check_pin(pin)) if pin else None, disabled=False, created_at=now, changed_at=now)
    s.add(user)
    s.flush()
    audit(s, actor=current_actor(), action="user.add", entity="user", entity_id=user.id,
          summary=f"Added {name} as {the_role.label.lower()}",
          after={"username": name, "role": the_role.value, "password": bool(password), "pin": bool(pin)})
    note = ""
    if first and not _is_server(s):
        login = normal_username(current_actor())
        if login != name:
            note = _("From now on only this database's users can change it; “{login}”, signed in to this "
                     "computer, is not one of them.").format(login=current_actor())
    forget_identity(s)
    return AddedUser(_view(user), note)


def _enabled_managers(session) -> int:
    return session.scalar(select(func.count()).select_from(User).where(User.role == Role.MANAGER.value,
                                                                       User.disabled.is_(False))) or 0


@transactional
def disable_user(uow: UnitOfWork, username: str) -> UserView:
    """Stop a person signing in (their entries in the audit log stay theirs). A manager's."""
    s = uow.session
    check_allowed(s, "user.disable")
    user = _user(s, username)
    if user.disabled:
        raise ValidationError(_("{username} is already disabled.").format(username=user.username), "username")
    if user.role == Role.MANAGER.value and _enabled_managers(s) <= 1:
        raise ValidationError(_("{username} is the only manager left; add another manager before disabling them, "
                                "so that someone can still manage people.").format(username=user.username), "username")
    user.disabled = True
    user.changed_at = utcnow()
    s.flush()
    audit(s, actor=current_actor(), action="user.disable", entity="user", entity_id=user.id,
          summary=f"Disabled {user.username}", before={"disabled": False}, after={"disabled": True})
    forget_identity(s)
    return _view(user)


@transactional
def enable_user(uow: UnitOfWork, username: str) -> UserView:
    """Let a disabled person sign in again. A manager's."""
    s = uow.session
    check_allowed(s, "user.enable")
    user = _user(s, username)
    if not user.disabled:
        raise ValidationError(_("{username} is not disabled.").format(username=user.username), "username")
    user.disabled = False
    user.changed_at = utcnow()
    s.flush()
    audit(s, actor=current_actor(), action="user.enable", entity="user", entity_id=user.id,
          summary=f"Enabled {user.username}", before={"disabled": True}, after={"disabled": False})
    return _view(user)


@transactional
def set_secret(uow: UnitOfWork, username: str, *, password: str | None = None, pin: str | None = None,
               clear_pin: bool = False) -> UserView:
    """Set a person's password or PIN (or remove their PIN). A manager's."""
    s = uow.session
    check_allowed(s, "user.secret")
    user = _user(s, username)
    if password is None and pin is None and not clear_pin:
        raise ValidationError(_("Give a new password or PIN."), "password")
    changed = []
    if password is not None:
        user.password_hash = hash_secret(_check_password(password))
        changed.append("password")
    if pin is not None:
        user.pin_hash = hash_secret(_check_pin(pin))
        changed.append("PIN")
    elif clear_pin:
        user.pin_hash = None
        changed.append("PIN removed")
    user.changed_at = utcnow()
    s.flush()
    audit(s, actor=current_actor(), action="user.secret", entity="user", entity_id=user.id,
          summary=f"Set {user.username}'s {' and '.join(changed)}", after={"changed": changed})
    return _view(user)


def list_users(db: Database) -> list[UserView]:
    with db.session() as s:
        return [_view(u) for u in s.scalars(select(User).order_by(User.username))]


# --- signing in ---------------------------------------------------------------------------------


class Need(Enum):
    NOTHING = "nothing"  # signed in already (or no users yet): carry on
    PIN = "pin"  # the operating-system login's PIN
    PASSWORD = "password"  # a name and password (PostgreSQL)
    REFUSED = "refused"  # this login is not a user (or is disabled): nothing can be changed


@dataclass(frozen=True)
class SignInNeed:
    need: Need
    username: str = ""  # whose PIN is asked for
    message: str = ""  # why it is refused
    identity: Identity | None = None  # who is signed in, when nothing more is needed


def sign_in_need(db: Database) -> SignInNeed:
    """What the app must ask at start (and signs the operating-system login in when nothing is asked)."""
    with db.session() as s:
        chosen = signed_in(db)
        if chosen is not None:
            return SignInNeed(Need.NOTHING, identity=chosen)
        if s.scalar(select(User.id).limit(1)) is None:
            return SignInNeed(Need.NOTHING, identity=identity_of(s))
        if _is_server(s):
            return SignInNeed(Need.PASSWORD)
        login = current_actor()
        user = s.scalar(select(User).where(User.username == normal_username(login)))
        if user is None or user.disabled:
            return SignInNeed(Need.REFUSED, message=(
                _("“{login}” is disabled: you can look, but not change anything. Ask a manager.") if user else
                _("“{login}” is not one of this database’s users: you can look, but not change anything. Ask a "
                  "manager.")).format(login=login))
        if user.pin_hash is not None:
            return SignInNeed(Need.PIN, username=user.username)
        identity = identity_from_user(user)
    sign_in_as(db, identity)
    return SignInNeed(Need.NOTHING, identity=identity)


def sign_in(db: Database, username: str, secret: str) -> Identity:
    """Sign ``username`` in on ``db`` with their password (or, on a SQLite file, their PIN); the same
    refusal for a wrong name as for a wrong password."""
    with db.session() as s:
        user = s.scalar(select(User).where(User.username == normal_username(username)))
        stored = None
        if user is not None:
            stored = user.password_hash if _is_server(s) or user.pin_hash is None else user.pin_hash
        if stored:
            ok = secret_matches(stored, secret)
        else:  # as long to say no to a name that is not there as to a wrong password
            hash_secret(secret)
            ok = False
        if user is None or not ok:
            raise NotAllowed(_("That name and password (or PIN) do not match a user; try again."), "password")
        if user.disabled:
            raise NotAllowed(_("{username} is disabled and cannot sign in. Ask a manager.").format(
                               username=user.username), "username")
        identity = identity_from_user(user)
    sign_in_as(db, identity)
    return identity


def sign_out(db: Database) -> None:
    sign_in_as(db, None)


def who_is_working(db: Database) -> Identity | None:
    """The person working on ``db`` now, or None when the database has users and nobody is signed in."""
    with db.session() as s:
        try:
            return identity_of(s)
        except NotAllowed:
            return None
