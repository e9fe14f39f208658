"""The texts officers type for applicants, in Welsh as well as English.

A decline or deferral reason, what a grant is for and its own conditions, and the project's title and
summary are typed in English; when the contact prefers Welsh, or the fund writes bilingual letters (the
Welsh Language Standards), they are asked for in Welsh too. The Welsh is never made from the English: a
Welsh letter that needs one of them and finds it missing is refused, naming it
(``missing_welsh``, used by ``grantdesk.services.letters``), until an officer adds it here.

- ``welsh_texts(db, application_id)``: what is held in each language and whether Welsh is needed;
- ``set_welsh_texts(db, application_id, …)``: add or correct the Welsh (one transaction, audited).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.fund_settings import settings_of
from grantdesk.domain.workflow import Status
from grantdesk.i18n import _, N_
from grantdesk.services.common import actor_or_default, audit, utcnow
from grantdesk.store.database import Database
from grantdesk.store.models import Application, Award, Fund, StatusChange
from grantdesk.store.unit_of_work import UnitOfWork, transactional

# What each Welsh text is, as a refusal names it (translated where it is shown).
LABELS = {
    "title_cy": N_("the project's title"),
    "summary_cy": N_("the project's summary"),
    "reason_cy": N_("the reason"),
    "purpose_cy": N_("what the grant is for"),
    "conditions_cy": N_("the grant's own conditions"),
}
_REASONED = (Status.DECLINED.value, Status.DEFERRED.value, Status.INELIGIBLE.value, Status.RETURNED.value)


def welsh_needed(fund: Fund, letter_language: str | None) -> bool:
    """Whether officers are asked for the Welsh of what they type: the contact prefers Welsh, or the
    fund's letters are bilingual, or it is under the Welsh Language Standards."""
    return bool(letter_language == "cy" or fund.bilingual_letters
                or settings_of(fund.settings).welsh_language_standards)


@dataclass(frozen=True)
class TextPair:
    key: str  # "reason_cy", …
    english: str
    welsh: str


@dataclass(frozen=True)
class WelshTexts:
    application_id: int
    reference: str
    needed: bool
    reason_status: str | None  # the status the reason is for (declined, deferred), if any
    texts: tuple[TextPair, ...]

    def missing(self) -> list[str]:
        """The keys whose English is there and whose Welsh is not."""
        return [t.key for t in self.texts if t.english.strip() and not t.welsh.strip()]


def _last_reasoned(app: Application) -> StatusChange | None:
    change = next((c for c in reversed(app.history) if c.to_status in _REASONED), None)
    return change if change is not None and change.to_status == app.status else None


def _award(session, app: Application) -> Award | None:
    return session.scalar(select(Award).where(Award.application_id == app.id))


def _pairs(session, app: Application) -> tuple[TextPair, ...]:
    pairs = [TextPair("title_cy", app.title or "", app.title_cy or ""),
             TextPair("summary_cy", app.summary or "", app.summary_cy or "")]
    change = _last_reasoned(app)
    if change is not None:
        pairs.append(TextPair("reason_cy", change.reason or "", change.reason_cy or ""))
    award = _award(session, app)
    if award is not None:
        pairs.append(TextPair("purpose_cy", award.purpose or "", award.purpose_cy or ""))
        pairs.append(TextPair("conditions_cy", award.conditions or "", award.conditions_cy or ""))
    return tuple(pairs)


def welsh_texts(db: Database, application_id: int) -> WelshTexts:
    """The typed texts of an application in English and Welsh — a read; nothing is written."""
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise NotFound.of("application.not_found", application_id=application_id)
        change = _last_reasoned(app)
        return WelshTexts(app.id, app.reference,
                          welsh_needed(app.fund, app.contact.letter_language if app.contact else None),
                          change.to_status if change is not None else None, _pairs(s, app))


@transactional
def set_welsh_texts(uow: UnitOfWork, application_id: int, *, title_cy: str | None = None,
                    summary_cy: str | None = None, reason_cy: str | None = None, purpose_cy: str | None = None,
                    conditions_cy: str | None = None, actor: str | None = None) -> WelshTexts:
    """Add or correct the Welsh of an application's typed texts; ``None`` leaves one as it is, ``""``
    clears it. The reason is the one of the application's current decline or deferral."""
    s = uow.session
    who = actor_or_default(actor)
    app = s.get(Application, application_id)
    if app is None:
        raise NotFound.of("application.not_found", application_id=application_id)
    given = {"title_cy": title_cy, "summary_cy": summary_cy, "reason_cy": reason_cy,
             "purpose_cy": purpose_cy, "conditions_cy": conditions_cy}
    changed: dict[str, str] = {}
    for key, value in given.items():
        if value is None:
            continue
        value = value.strip()
        if key in ("title_cy", "summary_cy"):
            target = app
        elif key == "reason_cy":
            target = _last_reasoned(app)
            if target is None:
                raise ValidationError(_("{reference} has no decline or deferral reason to give in Welsh.").format(
                                        reference=app.reference),
                                      "reason_cy")
        else:
            target = _award(s, app)
            if target is None:
                raise ValidationError(_("{reference} has no award whose purpose or conditions to give in Welsh.").format(
                                        reference=app.reference),
                                      key)
        if (getattr(target, key) or "") != value:
            setattr(target, key, value or None)
            changed[key] = value
    if changed:
        app.updated_at = utcnow()
        s.flush()
        audit(s, actor=who, action="application.welsh_texts", entity="application", entity_id=app.id,
              summary=f"{app.reference}: Welsh wording of {', '.join(sorted(changed))}",
              after={key: bool(value) for key, value in changed.items()})
    change = _last_reasoned(app)
    return WelshTexts(app.id, app.reference,
                      welsh_needed(app.fund, app.contact.letter_language if app.contact else None),
                      change.to_status if change is not None else None, _pairs(s, app))


def welsh_wanted(db: Database, application_id: int) -> bool:
    """Whether what an officer types for this applicant is asked for in Welsh as well — a read."""
    with db.session() as s:
        app = s.get(Application, application_id)
        if app is None:
            raise NotFound.of("application.not_found", application_id=application_id)
        return welsh_needed(app.fund, app.contact.letter_language if app.contact else None)
