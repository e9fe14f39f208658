"""Organisations: the kinds that apply for community funding, and their org-id.

An org-id (see org-id.guide and 360Giving's identifier rules) is ``<list code>-<id on that list>``:
``GB-CHC-1164883`` for a charity registered in England and Wales, ``GB-SC-SC022910`` in Scotland,
``GB-NIC-100002`` in Northern Ireland, ``GB-COH-04530979`` for a company (eight characters, leading
zeros kept). Groups with no registration have no org-id; publication gives them a ``360G-`` id.
"""

from __future__ import annotations

import re
from enum import StrEnum

from grantdesk.domain.errors import ValidationError
from grantdesk.i18n import _, N_


class OrgType(StrEnum):
    REGISTERED_CHARITY = "registered_charity"
    CIO = "cio"
    CHARITABLE_COMPANY = "charitable_company"
    COMPANY_LIMITED_BY_GUARANTEE = "company_limited_by_guarantee"
    CIC = "cic"
    COMMUNITY_GROUP = "community_group"
    PARISH_COUNCIL = "parish_council"
    SCHOOL = "school"
    FAITH_GROUP = "faith_group"
    SOCIAL_ENTERPRISE = "social_enterprise"
    BUSINESS = "business"
    INDIVIDUAL = "individual"

    @property
    def label(self) -> str:
        return ORG_TYPE_LABELS[self]


ORG_TYPE_LABELS: dict[OrgType, str] = {
    OrgType.REGISTERED_CHARITY: N_("Registered charity"),
    OrgType.CIO: N_("Charitable incorporated organisation (CIO)"),
    OrgType.CHARITABLE_COMPANY: N_("Charitable company"),
    OrgType.COMPANY_LIMITED_BY_GUARANTEE: N_("Company limited by guarantee"),
    OrgType.CIC: N_("Community interest company (CIC)"),
    OrgType.COMMUNITY_GROUP: N_("Constituted community group"),
    OrgType.PARISH_COUNCIL: N_("Parish or town council"),
    OrgType.SCHOOL: N_("School or academy"),
    OrgType.FAITH_GROUP: N_("Faith group"),
    OrgType.SOCIAL_ENTERPRISE: N_("Social enterprise"),
    OrgType.BUSINESS: N_("Business"),
    OrgType.INDIVIDUAL: N_("Individual"),
}

_CHARITY_EW = re.compile(r"^\d{6,7}$")
_CHARITY_SC = re.compile(r"^SC\d{6}$")
_CHARITY_NI = re.compile(r"^(?:NIC)?\d{5,6}$")
_COMPANY = re.compile(r"^(?:[A-Z]{2}\d{6}|\d{1,8})$")


def normalise_charity_number(text: str | None) -> str | None:
    """A charity number as registers write it (spaces removed, upper case); ``None`` if blank."""
    if text is None:
        return None
    value = re.sub(r"\s+", "", str(text)).upper()
    if not value:
        return None
    if _CHARITY_EW.match(value) or _CHARITY_SC.match(value) or value.startswith("NIC"):
        return value
    raise ValidationError(
        _("“{text}” is not a charity number: England and Wales numbers have 6 or 7 digits, Scottish ones start "
          "SC.").format(text=text),
        "charity_number",
    )


def normalise_company_number(text: str | None) -> str | None:
    """A Companies House number as eight characters, leading zeros kept (``4530979`` → ``04530979``)."""
    if text is None:
        return None
    value = re.sub(r"\s+", "", str(text)).upper()
    if not value:
        return None
    if not _COMPANY.match(value):
        raise ValidationError(
            _("“{text}” is not a Companies House number: eight characters, such as 04530979 or SC123456.").format(
              text=text),
            "company_number",
        )
    return value.zfill(8) if value.isdigit() else value


def name_key(name: str) -> str:
    """How organisation names are matched: spaces collapsed, case folded ("Tŷ Hapus" = "TŶ  HAPUS")."""
    return " ".join(str(name).split()).casefold()


def org_id_for(charity_number: str | None, company_number: str | None) -> str | None:
    """The org-id for a registered organisation; a charity number wins over a company number."""
    if charity_number:
        if charity_number.startswith("SC"):
            return f"GB-SC-{charity_number}"
        if charity_number.startswith("NIC"):
            return f"GB-NIC-{charity_number[3:]}"
        return f"GB-CHC-{charity_number}"
    if company_number:
        return f"GB-COH-{company_number}"
    return None
