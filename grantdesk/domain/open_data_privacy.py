"""What may be published about a grant, and what never is: the privacy rules open data shares.

- e-mail addresses: ``looks_like_email`` is 360Giving's own test ("text that looks like an email
  address", critical in its Data Quality Tool) made a little wider; ``drop_emails`` takes them out of
  every text field of a record, ``remove_contact_details`` out of free text (with UK phone numbers);
- registers: ``published_charity_number`` / ``published_org_id`` write Northern Ireland's numbers as the
  number alone (``NIC100123`` → ``100123``, ``GB-NIC-100123``);
- places: ``geo_code_type`` names an ONS code's type on 360Giving's geoCodeType codelist and refuses
  small areas (output areas, LSOAs, MSOAs), which 360Giving's guidance forbids for individuals;
- grants to individuals: ``to_individuals_details`` from the Grant to Individuals codelists.
"""

from __future__ import annotations

import re
from typing import Any

from grantdesk.domain.organisations import org_id_for

__all__ = [
    "GRANT_REASONS",
    "GRANT_PURPOSES",
    "UNRESTRICTED",
    "looks_like_email",
    "remove_emails",
    "remove_contact_details",
    "drop_emails",
    "field_words",
    "published_charity_number",
    "published_org_id",
    "geo_code_type",
    "is_small_area",
    "to_individuals_details",
    "looks_like_a_person",
    "looks_like_a_postcode",
]

# 360Giving's Grant to Individuals codelists (closed; the schema has no enum for them, so they are
# checked here). From the standard's codelists/grantToIndividualsReason.csv and
# grantToIndividualsPurpose.csv (release 1.4.3, © 360Giving, CC BY 4.0); a test compares them.
GRANT_REASONS: dict[str, str] = {
    "GTIR010": "Financial Hardship", "GTIR020": "Disability", "GTIR030": "Health/Condition",
    "GTIR040": "Mental Health", "GTIR050": "Family breakup", "GTIR060": "Violence or abuse",
    "GTIR070": "Livelihood", "GTIR080": "Homelessness", "GTIR090": "Marginalised",
    "GTIR100": "Emergency/crisis event", "GTIR110": "Development opportunity", "GTIR120": "Social action",
}
GRANT_PURPOSES: dict[str, str] = {
    "GTIP010": "Unrestricted", "GTIP020": "Furniture and appliances", "GTIP030": "Equipment and home adaptations",
    "GTIP040": "Devices and digital access", "GTIP050": "Utilities", "GTIP060": "Other housing related costs",
    "GTIP070": "Food and essential items", "GTIP080": "Clothing", "GTIP090": "Debt",
    "GTIP100": "Travel and transport", "GTIP110": "Holiday and activity costs",
    "GTIP120": "Health, care and wellbeing services", "GTIP130": "Education and training",
    "GTIP140": "Employment and work", "GTIP150": "Creative activities", "GTIP160": "Community projects",
    "GTIP170": "Exceptional costs",
}
UNRESTRICTED = "GTIP010"  # "Unspecified, unrestricted or general support": the purpose when none is named

# ONS entity codes (the first three characters of a GSS code) → 360Giving's geoCodeType codelist, for
# the areas a council fund serves. Small areas (output areas, LSOAs, MSOAs, data zones) are left out on
# purpose: 360Giving's guidance forbids them for grants to individuals, and GrantDesk never publishes them.
_GEO_TYPES = {
    "E04": "PAR", "E05": "WD", "E58": "WD", "W05": "WD", "S13": "WD", "N08": "WD", "E06": "UA", "W06": "UA",
    "E07": "NMD", "E08": "MD", "E09": "LONB", "E10": "CTY", "S12": "CA", "W04": "COM", "E14": "WPC",
    "W07": "WPC", "S14": "WPC", "N06": "WPC",
}
_SMALL_AREAS = ("E00", "E01", "E02", "W00", "W01", "W02", "W03", "S00", "S01", "S02", "N00", "N01")
_GEO_TYPE = {"ward": "WD", "division": "WD"}  # by the area's kind, when its code's entity is not known

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w£])(?:\+44\s?\(?0?\)?\s?|\(?0)\d(?:[\s-]?\)?[\s-]?\d){8,9}\b")


# What 360Giving's data quality tool calls "text that looks like an email address" (critical): letters,
# digits, dots or hyphens, an @, and at least one dot after it. Wider than ``_EMAIL`` on purpose, so
# nothing it would flag is ever written.
_EMAIL_ISH = re.compile(r"[\w.+'-]+@[\w.-]+\.[\w.-]+")


def remove_emails(text: str) -> str:
    """The text with anything that looks like an e-mail address replaced by ``[removed]``."""
    return _EMAIL_ISH.sub("[removed]", text)


def looks_like_email(text: Any) -> bool:
    """Whether ``text`` holds anything 360Giving's quality check would take for an e-mail address."""
    return isinstance(text, str) and _EMAIL_ISH.search(text) is not None


def published_charity_number(number: str | None) -> str | None:
    """A charity number as published: Northern Ireland's without its ``NIC`` (``NIC100123`` → ``100123``),
    as the Charity Commission for Northern Ireland writes it; others as registered."""
    if not number:
        return None
    value = re.sub(r"\s+", "", number).upper()
    if value.startswith("NIC") and value[3:].isdigit():
        return value[3:]
    return value


def published_org_id(org_id: str | None, charity_number: str | None, company_number: str | None) -> str | None:
    """The recipient's org-id from what is kept (or made from its numbers), in org-id.guide's form:
    ``GB-NIC-100123``, never ``GB-NIC-NIC100123``."""
    value = (org_id or "").strip() or org_id_for(charity_number, company_number) or ""
    if value.upper().startswith("GB-NIC-"):
        number = value[7:].strip().upper()
        value = "GB-NIC-" + (number[3:] if number.startswith("NIC") else number)
    return value or None


def geo_code_type(code: str | None, kind: str | None = None) -> str | None:
    """360Giving's geoCodeType for an ONS code (``E05…`` → ``WD``), from its entity code, or the area's kind
    when the code's entity is not one GrantDesk knows. None for a small area (never published)."""
    entity = (code or "").strip().upper()[:3]
    if entity in _SMALL_AREAS:
        return None
    return _GEO_TYPES.get(entity) or _GEO_TYPE.get(kind or "", "WD")


def remove_contact_details(text: str) -> tuple[str, int]:
    """The text with e-mail addresses and UK phone numbers replaced by ``[removed]``, and how many."""
    count = 0

    def gone(_m: re.Match) -> str:
        nonlocal count
        count += 1
        return "[removed]"

    text = _EMAIL.sub(gone, text)
    text = _PHONE.sub(gone, text)
    return text, count


# Fields the schema requires (or that name the grant): an e-mail address in one is replaced with
# "[removed]"; any other field holding one is left out of the record.
_KEPT_FIELDS = frozenset({"id", "title", "description", "currency", "name", "awardDate", "amountAwarded"})
_FIELD_WORDS = {
    "url": "web address", "name": "name", "streetAddress": "street address", "postalCode": "postcode",
    "department": "department", "title": "title", "description": "description", "dataSource": "data source",
    "id": "identifier", "charityNumber": "charity number", "companyNumber": "company number",
}
_OWNER_WORDS = {"recipientOrganization": "recipient's", "fundingOrganization": "funder's",
                "grantProgramme": "programme's", "beneficiaryLocation": "place's", "publisher": "publisher's"}


def field_words(path: tuple) -> str:
    """``("recipientOrganization", 0, "url")`` → "recipient's web address", for the officer."""
    keys = [k for k in path if isinstance(k, str)]
    if not keys:
        return "record"
    last = _FIELD_WORDS.get(keys[-1], keys[-1])
    owner = next((_OWNER_WORDS[k] for k in keys[:-1] if k in _OWNER_WORDS), "")
    return f"{owner} {last}".strip() if owner else f"grant's {last}"


def drop_emails(node: Any, path: tuple = ()) -> list[tuple]:
    """Take anything that looks like an e-mail address out of every text field of ``node`` (a record or
    a package), in place: required fields keep their text with the address replaced by "[removed]",
    other fields are left out. Returns the paths of the fields changed."""
    changed: list[tuple] = []
    if isinstance(node, dict):
        for key in list(node):
            value = node[key]
            if isinstance(value, str):
                if looks_like_email(value):
                    changed.append((*path, key))
                    if key in _KEPT_FIELDS:
                        node[key] = remove_emails(value)
                    else:
                        del node[key]
            elif isinstance(value, (dict, list)):
                changed.extend(drop_emails(value, (*path, key)))
                if value == [] or value == {}:
                    del node[key]
    elif isinstance(node, list):
        for index in reversed(range(len(node))):
            value = node[index]
            if isinstance(value, str) and looks_like_email(value):
                changed.append((*path, index))
                del node[index]
            elif isinstance(value, (dict, list)):
                changed.extend(drop_emails(value, (*path, index)))
        changed.reverse()
    return changed


def to_individuals_details(reason: str | None, secondary: str | None, purposes: tuple[str, ...]) -> dict[str, Any]:
    """``toIndividualsDetails`` from codes on 360Giving's codelists; codes not on them are left out, and
    the purpose is "Unrestricted" (GTIP010) when none is named."""
    details: dict[str, Any] = {}
    if reason in GRANT_REASONS:
        details["primaryGrantReason"] = reason
        if secondary in GRANT_REASONS and secondary != reason:
            details["secondaryGrantReason"] = secondary
    chosen = [c for c in dict.fromkeys(purposes) if c in GRANT_PURPOSES][:3]  # 360Giving: at most three
    details["grantPurpose"] = chosen or [UNRESTRICTED]
    return details


_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|miss|mx|dr|rev|revd|sir|dame|prof)\.?\s+\S", re.IGNORECASE)
_POSTCODE = re.compile(r"^\s*[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\s*$", re.IGNORECASE)


def looks_like_a_person(name: str) -> bool:
    """A name that starts with a title (Mr, Mrs, Dr …): a person's, not a group's."""
    return _HONORIFIC.match(str(name)) is not None


def looks_like_a_postcode(text: str) -> bool:
    return _POSTCODE.match(str(text)) is not None


def is_small_area(code: str) -> bool:
    """An ONS code for an output area, LSOA, MSOA or data zone: never published as a place."""
    return str(code).strip().upper()[:3] in _SMALL_AREAS
