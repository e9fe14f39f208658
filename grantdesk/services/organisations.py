"""Organisations and their contacts: who is who, never silently changed.

An organisation is found by its charity or company number *and* its name: a number that a stored
organisation holds under another name (three scout groups giving their umbrella charity's number)
never turns the application into that organisation. Unless the officer says it is the same group
(``same_as``), a new organisation is made with the name as given, and the number is kept as given —
as an umbrella number, not as the group's own identity. Groups with no number are matched by name
(ignoring case and spacing).

A contact is one person: matched by name and e-mail together (a blank e-mail on either side does
not tell two people apart). Someone else writing from a shared inbox is a new contact with their own
name and letter language.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.organisations import (
    OrgType,
    name_key,
    normalise_charity_number,
    normalise_company_number,
    org_id_for,
)
from grantdesk.services.common import audit, utcnow
from grantdesk.store.models import Contact, Organisation
from grantdesk.i18n import _


def find_or_add_organisation(
    session: Session,
    *,
    actor: str,
    name: str,
    org_type: str,
    charity_number: str | None = None,
    company_number: str | None = None,
    address: str = "",
    postcode: str = "",
    website: str = "",
    same_as: int | None = None,
) -> Organisation:
    """The organisation with this name and number, or a new one.

    ``same_as`` is the officer saying which stored organisation this is. Otherwise a stored
    organisation is used only when its name is this one (ignoring case and spacing) and, for a group
    with a number, when the number is its own (or the umbrella number it gave before). A number held
    by an organisation of another name makes a new organisation with this name, keeping the number
    as its umbrella number.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("The organisation needs a name."), "organisation")
    try:
        kind = OrgType(org_type)
    except ValueError:
        raise ValidationError(_("“{org_type}” is not a kind of organisation GrantDesk knows.").format(
                                org_type=org_type), "organisation_type") from None
    charity = normalise_charity_number(charity_number)
    company = normalise_company_number(company_number)
    if same_as is not None:
        chosen = session.get(Organisation, same_as)
        if chosen is None:
            raise NotFound(_("There is no organisation with id {same_as}.").format(same_as=same_as))
        return chosen

    key = name_key(name)
    existing = _same_organisation(session, key, charity, company)
    if existing is not None:
        return existing

    holder_by_charity = charity and session.scalar(select(Organisation).where(Organisation.charity_number == charity))
    holder_by_company = company and session.scalar(select(Organisation).where(Organisation.company_number == company))
    org = Organisation(
        name=name,
        name_key=key,
        org_type=kind.value,
        charity_number=None if holder_by_charity else charity,
        company_number=None if holder_by_company else company,
        umbrella_charity_number=charity if holder_by_charity else None,
        umbrella_company_number=company if holder_by_company else None,
        address=address,
        postcode=postcode.strip().upper(),
        website=website,
        created_at=utcnow(),
    )
    org.org_id = org_id_for(org.charity_number, org.company_number)
    session.add(org)
    session.flush()
    umbrella = [f"{what} {number} is {holder.name}'s" for what, number, holder in (
        ("charity number", charity, holder_by_charity), ("company number", company, holder_by_company)) if holder]
    audit(session, actor=actor, action="organisation.create", entity="organisation", entity_id=org.id,
          summary=f"Recorded organisation {name}" + (
              f" ({'; '.join(umbrella)}: kept as the umbrella number it gave, not as its own)" if umbrella else ""),
          after={"org_id": org.org_id, "type": kind.value,
                 **({"umbrella_charity_number": charity} if holder_by_charity else {}),
                 **({"umbrella_company_number": company} if holder_by_company else {})})
    return org


def _same_organisation(session: Session, key: str, charity: str | None, company: str | None) -> Organisation | None:
    """A stored organisation with this name and this number as its own or as its umbrella number (or,
    with no number, this name and no number of its own)."""
    for column, umbrella, number in ((Organisation.charity_number, Organisation.umbrella_charity_number, charity),
                                     (Organisation.company_number, Organisation.umbrella_company_number, company)):
        if number:
            found = session.scalar(select(Organisation).where(Organisation.name_key == key, column == number)
                                   .order_by(Organisation.id).limit(1))
            if found is None:
                found = session.scalar(select(Organisation).where(Organisation.name_key == key, umbrella == number)
                                       .order_by(Organisation.id).limit(1))
            if found is not None:
                return found
    if charity or company:
        return None
    return session.scalar(
        select(Organisation).where(
            Organisation.charity_number.is_(None),
            Organisation.company_number.is_(None),
            Organisation.name_key == key,
        ).order_by(Organisation.id).limit(1)
    )


def same_person(contact_name: str, contact_email: str, name: str, email: str) -> bool:
    """One person: the same name (ignoring case and spacing) and the same e-mail, unless either
    e-mail is blank."""
    if name_key(contact_name) != name_key(name):
        return False
    a, b = (contact_email or "").strip().casefold(), (email or "").strip().casefold()
    return not a or not b or a == b


def find_contact(organisation: Organisation, name: str, email: str = "") -> Contact | None:
    """The organisation's contact who is this person (``same_person``), if any."""
    return next((c for c in organisation.contacts if same_person(c.name, c.email, name, email)), None)


def find_or_add_contact(
    session: Session,
    *,
    actor: str,
    organisation: Organisation,
    name: str,
    email: str = "",
    phone: str = "",
    role: str = "",
    letter_language: str = "en",
) -> Contact:
    """The organisation's contact who is this person (same name and e-mail), or a new one with this
    name, e-mail and letter language. Someone else at the same e-mail is a new contact."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("The contact needs a name."), "contact_name")
    if letter_language not in ("en", "cy"):
        raise ValidationError(
            _("“{letter_language}” is not a letter language; use en (English) or cy (Welsh).").format(
              letter_language=letter_language), "contact_language"
        )
    found = find_contact(organisation, name, email)
    if found is not None:
        return found
    contact = Contact(organisation=organisation, name=name, email=email, phone=phone, role=role,
                      letter_language=letter_language)
    session.add(contact)
    session.flush()
    shared = email and next((c for c in organisation.contacts
                             if c is not contact and (c.email or "").casefold() == email.casefold()), None)
    audit(session, actor=actor, action="contact.create", entity="contact", entity_id=contact.id,
          summary=f"Recorded contact for {organisation.name}"
                  + (" (another person at an e-mail address already kept for one of its contacts)" if shared else ""),
          after={"letter_language": letter_language})
    return contact
