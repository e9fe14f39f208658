"""Helpers shared by the services: the clock, finding funds, who is working, writing audit entries.

Who is working (``identity_of``): the person signed in on this database (``sign_in_as``, by the app's
sign-in dialog or the CLI's ``--user``); else, on a SQLite file, the operating-system login when it is
a user with no PIN; else, while the database has no users at all, the operating-system login as a
manager (as GrantDesk worked before people had roles). A database with users and nobody signed in
may be read but not changed.

Every change writes an audit entry through ``audit`` (or ``audit_rows`` for many at once), and that is
where roles are checked (``grantdesk.domain.roles``): a viewer's write, or anything but a ballot from a
kiosk, is refused there, whichever window or command asked. Each entry is chained to the one before
(``grantdesk.domain.audit_chain``): the last hash is read inside the writing transaction (SQLite
writers hold the write lock from ``BEGIN IMMEDIATE``; PostgreSQL writers take an advisory lock first),
so two writers never chain to the same entry.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from grantdesk.config import current_actor
from grantdesk.domain.audit_chain import GENESIS, entry_hash
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.roles import Identity, Role, a_role, refusal
from grantdesk.store.queries import unknown_fund
from grantdesk.store.models import AuditEntry, Fund, User
from grantdesk.i18n import _


def utcnow() -> datetime:
    """Now, in UTC, as the naive datetime the database stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def actor_or_default(actor: str | None) -> str:
    return actor.strip() if actor and actor.strip() else current_actor()


def fund_by_code(session: Session, code: str) -> Fund:
    """The fund with ``code`` (any case), or ``NotFound`` naming the funds that do exist."""
    wanted = code.strip().upper()
    fund = session.scalar(select(Fund).where(Fund.code == wanted))
    if fund is None:
        raise unknown_fund(code, list(session.scalars(select(Fund.code).order_by(Fund.code))))
    return fund


# --- who is working ------------------------------------------------------------------------------


class NotAllowed(ValidationError):
    """The person working may not do this (their role, or a separation of duties); nothing was saved."""

    def __init__(self, message: str, field: str | None = "role"):
        super().__init__(message, field)


class SignInNeeded(NotAllowed):
    """The database has users and nobody has signed in (or the one who had is disabled)."""


_IDENTITY_KEY = "grantdesk.identity"  # session.info: who is working, found once per session
_signed_in: weakref.WeakKeyDictionary[Any, Identity] = weakref.WeakKeyDictionary()


def _engine_of(target: Any) -> Any:
    """The engine behind a Database, a session or a connection (identities are kept per engine)."""
    if isinstance(target, Session):
        target = target.get_bind()
    return getattr(target, "engine", target)


def sign_in_as(db: Any, identity: Identity | None) -> None:
    """Make ``identity`` the person working on ``db`` (a ``Database``) from now on; None signs out."""
    engine = _engine_of(db)
    if identity is None:
        _signed_in.pop(engine, None)
    else:
        _signed_in[engine] = identity


def signed_in(db: Any) -> Identity | None:
    """Who signed in on ``db`` with ``sign_in_as``, if anyone did."""
    return _signed_in.get(_engine_of(db))


def identity_from_user(user: User) -> Identity:
    return Identity(username=user.username, role=Role(user.role), display_name=user.display_name,
                    user_id=user.id, member_id=user.member_id, panellist_id=user.panellist_id)


def forget_identity(session: Session) -> None:
    """Look again, next time, at who is working (after the users themselves changed)."""
    session.info.pop(_IDENTITY_KEY, None)


def identity_of(session: Session) -> Identity:
    """Who is working in ``session`` (see the module's words); raises ``SignInNeeded`` when the
    database has users and nobody it knows is signed in."""
    found = session.info.get(_IDENTITY_KEY)
    if found is None:
        found = _find_identity(session)
        session.info[_IDENTITY_KEY] = found
    return found


def _find_identity(session: Session) -> Identity:
    chosen = signed_in(session)
    if chosen is not None:
        if chosen.unmanaged:
            return chosen
        user = session.get(User, chosen.user_id)
        if user is None or user.disabled:
            raise SignInNeeded(_("{name} can no longer sign in (their user was disabled), so nothing can be "
                                 "changed. Ask a manager.").format(name=chosen.name))
        return identity_from_user(user)
    if session.scalar(select(User.id).limit(1)) is None:
        return Identity(username=current_actor(), role=Role.MANAGER)  # no users yet: as before roles
    login = current_actor()
    if session.get_bind().dialect.name == "sqlite":
        user = session.scalar(select(User).where(User.username == " ".join(login.split()).casefold()))
        if user is not None and not user.disabled and user.pin_hash is None:
            return identity_from_user(user)
        if user is not None and not user.disabled:
            raise SignInNeeded(_("{name} has a PIN: sign in with it first. Nothing was saved.").format(
                name=user.display_name or user.username))
        if user:
            raise SignInNeeded(_("“{login}” is not one of this database's users (disabled), so nothing can be "
                                 "changed. Ask a manager to add you.").format(login=login))
        raise SignInNeeded(_("“{login}” is not one of this database's users, so nothing can be changed. Ask a "
                             "manager to add you.").format(login=login))
    raise SignInNeeded(_("Sign in first: this database has users, and changes are made by someone signed in "
                         "(python -m grantdesk --user NAME …). Nothing was saved."))


def require_role(target: Any, *roles: Role | str, doing: str) -> Identity:
    """The person working, when their role is one of ``roles``; otherwise ``NotAllowed`` saying that
    ``doing`` (“run the year-end”) is for those roles. ``target``: a unit of work or a session."""
    session = getattr(target, "session", target)
    who = identity_of(session)
    wanted = {Role(r) for r in roles}
    if who.role not in wanted:
        names = sorted(a_role(Role(r)) for r in wanted)
        names_text = names[0] if len(names) == 1 else _("{items} or {last}").format(
            items=", ".join(names[:-1]), last=names[-1])
        raise NotAllowed(_("Only {names} can {doing}; {name} is signed in as {a_role}. Nothing was saved.").format(
                           names=names_text, doing=_(doing), name=who.name, a_role=a_role(who.role)))
    return who


def check_allowed(session: Session, action: str) -> Identity:
    """The person working, if their role allows ``action`` (an audit action name); else ``NotAllowed``."""
    who = identity_of(session)
    if not who.may(action):
        raise NotAllowed(_("{refusal} Nothing was saved.").format(refusal=refusal(who, action)))
    return who


def recorded_actor(session: Session, actor: str) -> str:
    """The name an audit entry (or a record of who did something) carries: the signed-in user's, once
    the database has users; until then the actor given, as before."""
    who = identity_of(session)
    return actor if who.unmanaged else who.username


# --- the audit log, chained --------------------------------------------------------------------------

_CHAIN_KEY = "grantdesk.audit_last_hash"  # session.info: the last hash written in this transaction
_AUDITED_KEY = "grantdesk.audited"  # session.info: this transaction wrote an audit entry
_PG_AUDIT_LOCK = 0x4752414E54  # "GRANT": PostgreSQL writers of the audit log take turns on it


def _last_hash(session: Session) -> str:
    cached = session.info.get(_CHAIN_KEY)
    if cached is not None:
        return cached
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_AUDIT_LOCK})
    last = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
    return last or GENESIS


def _chain(session: Session, fields: dict[str, Any]) -> dict[str, Any]:
    prev = _last_hash(session)
    fields["prev_hash"] = prev
    fields["hash"] = entry_hash(fields, prev)
    session.info[_CHAIN_KEY] = fields["hash"]
    session.info[_AUDITED_KEY] = True
    return fields


def _naive(at: datetime) -> datetime:
    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo is not None else at


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append an audit entry to the current transaction; it is kept only if the change is.

    Refused (``NotAllowed``, so nothing of the change is kept) when the person working may not take
    ``action``. Once the database has users, the entry names the signed-in person whatever ``actor``
    says. The entry is chained to the one before it."""
    check_allowed(session, action)
    fields = _chain(session, dict(at=_naive(at or utcnow()), actor=recorded_actor(session, actor), action=action,
                                  entity=entity, entity_id=entity_id, summary=summary, before=before, after=after))
    entry = AuditEntry(**fields)
    session.add(entry)
    return entry


def audit_rows(session: Session, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Audit entries as rows for one bulk insert (``insert_many(s, AuditEntry, audit_rows(s, rows))``),
    checked and chained as ``audit`` does, in the order given — the order they must be inserted in.
    Anything pending in the session is written first, so the chain follows the table's order."""
    out = []
    rows = list(rows)
    if not rows:
        return out
    session.flush()
    for row in rows:
        check_allowed(session, row["action"])
        fields = dict(row, at=_naive(row["at"]), actor=recorded_actor(session, row["actor"]))
        fields.setdefault("before", None)
        fields.setdefault("after", None)
        fields.setdefault("entity_id", None)
        out.append(_chain(session, fields))
    return out


def _transaction_ended(session: Session, transaction: Any) -> None:
    session.info.pop(_CHAIN_KEY, None)  # read again, inside the next transaction (or after a savepoint)
    if transaction.parent is None:
        session.info.pop(_AUDITED_KEY, None)
        session.info.pop(_IDENTITY_KEY, None)


def wrote_audit_entry(session: Session) -> bool:
    """Whether the session's current transaction has written an audit entry (tests check every
    service that writes does: tests/test_audit_coverage.py)."""
    return bool(session.info.get(_AUDITED_KEY))


event.listen(Session, "after_transaction_end", _transaction_ended)
