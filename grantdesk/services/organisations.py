"""Organisations and their contacts. One charity number (or company number) is one organisation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.organisations import (
    OrgType,
    name_key,
    normalise_charity_number,
    normalise_company_number,
    org_id_for,
)
from grantdesk.services.common import audit, utcnow
from grantdesk.store.models import Contact, Organisation


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
) -> Organisation:
    """The existing organisation with this charity or company number, or a new one.

    Unregistered groups are matched by exact name (ignoring case and surrounding spaces), so keying
    the same group twice does not make two records.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError("The organisation needs a name.", "organisation")
    try:
        kind = OrgType(org_type)
    except ValueError:
        raise ValidationError(f"“{org_type}” is not a kind of organisation GrantDesk knows.", "organisation_type") from None
    charity = normalise_charity_number(charity_number)
    company = normalise_company_number(company_number)

    existing = None
    if charity:
        existing = session.scalar(select(Organisation).where(Organisation.charity_number == charity))
    if existing is None and company:
        existing = session.scalar(select(Organisation).where(Organisation.company_number == company))
    if existing is None and not charity and not company:
        existing = session.scalar(
            select(Organisation).where(
                Organisation.charity_number.is_(None),
                Organisation.company_number.is_(None),
                Organisation.name_key == name_key(name),
            )
        )
    if existing is not None:
        return existing

    org = Organisation(
        name=name,
        name_key=name_key(name),
        org_type=kind.value,
        charity_number=charity,
        company_number=company,
        org_id=org_id_for(charity, company),
        address=address,
        postcode=postcode.strip().upper(),
        website=website,
        created_at=utcnow(),
    )
    session.add(org)
    session.flush()
    audit(session, actor=actor, action="organisation.create", entity="organisation", entity_id=org.id,
          summary=f"Recorded organisation {name}", after={"org_id": org.org_id, "type": kind.value})
    return org


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
    """The organisation's contact with this name (or e-mail), or a new one."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("The contact needs a name.", "contact_name")
    if letter_language not in ("en", "cy"):
        raise ValidationError(
            f"“{letter_language}” is not a letter language; use en (English) or cy (Welsh).", "contact_language"
        )
    for contact in organisation.contacts:
        if contact.name.casefold() == name.casefold() or (email and contact.email.casefold() == email.casefold()):
            return contact
    contact = Contact(organisation=organisation, name=name, email=email, phone=phone, role=role,
                      letter_language=letter_language)
    session.add(contact)
    session.flush()
    audit(session, actor=actor, action="contact.create", entity="contact", entity_id=contact.id,
          summary=f"Recorded contact for {organisation.name}", after={"letter_language": letter_language})
    return contact
