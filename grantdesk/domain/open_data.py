"""Open data rules with no I/O: 360Giving grant records out, past grants in, and the quality checks.

Publishing (``grant_record``): a grant is described from plain facts (``Published``) the service
gathers. Privacy is decided here, once:

- a grant to an individual never carries their name, address or anything typed about them: the
  recipient is "Individual Recipient" with an id made from the grant reference, and the title and
  description are generic;
- a grant to an individual carries ``toIndividualsDetails``: the fund's reason and purpose codes from
  360Giving's Grant to Individuals codelists (purpose "Unrestricted", GTIP010, if the fund names none);
  its place is the ward, never a postcode or a small-area code;
- no contact person, e-mail or phone number is ever part of a record: e-mail addresses or phone
  numbers typed into a title or summary are replaced with "[removed]", and every other field that
  holds something like an e-mail address (a website typed as ``knitnatter@example.org``) is left
  out, or for a field the standard requires, has it replaced; each is listed for the officer
  (``Redactions.fields``, the ``email_removed`` quality issue);
- an organisation on a register (a charity or company number), whatever its type — a faith group or a
  school with a charity number too — publishes its registered address; an unregistered group's
  address is often a volunteer's home, so it publishes none, and carries its ward's ONS code as its
  location instead; every grant publishes its ward or division;
- Northern Ireland charity numbers are published as the number alone (``NIC100123`` → charity number
  ``100123``, org-id ``GB-NIC-100123``), as the Charity Commission for Northern Ireland writes them
  and 360Giving's checks expect.

The rules themselves (e-mail addresses, register numbers, place codes, the Grant to Individuals
codelists) are in ``grantdesk.domain.open_data_privacy``.

Reading (``read_grant``): one function turns a grant from any 360Giving file into a ``PastGrant``,
or says what stops it, field by field. It reads what real files write when the meaning is not in
doubt (dates written 05/06/2014 in a UK file, "Y" for Yes, "£1,000") and says so in notes.

Quality (``quality_report``): checks in the spirit of 360Giving's Data Quality Tool, run before a
file is written and shown to the officer.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from grantdesk.domain.dates import excel_serial_date, parse_uk_date
from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.domain.money import parse_money, pounds
from grantdesk.domain.open_data_privacy import (
    GRANT_PURPOSES,
    GRANT_REASONS,
    UNRESTRICTED,
    drop_emails,
    field_words,
    geo_code_type,
    is_small_area,
    looks_like_a_person,
    looks_like_a_postcode,
    looks_like_email,
    published_charity_number,
    published_org_id,
    remove_contact_details,
    remove_emails,
    to_individuals_details,
)
from grantdesk.domain.organisations import (
    OrgType,
    normalise_charity_number,
    normalise_company_number,
)
from grantdesk.i18n import _, ngettext

__all__ = [
    "Published",
    "PastGrant",
    "GrantReading",
    "QualityIssue",
    "grant_id",
    "check_prefix",
    "org_id_list",
    "recipient_org_id",
    "slug",
    "amount_number",
    "remove_contact_details",
    "grant_record",
    "read_grant",
    "quality_report",
    "transparency_row",
    "TRANSPARENCY_HEADERS",
    "VOLUNTARY_SECTOR",
    "ORG_ID_LISTS",
    "GRANT_REASONS",
    "GRANT_PURPOSES",
    "UNRESTRICTED",
    "looks_like_email",
    "published_charity_number",
    "published_org_id",
    "geo_code_type",
    "drop_emails",
    "field_words",
    "to_individuals_details",
]

INDIVIDUAL_NAME = "Individual Recipient"

# Registers an org-id can come from (org-id.guide list codes GrantDesk recognises), and 360G- ids.
ORG_ID_LISTS = (
    "GB-CHC", "GB-SC", "GB-NIC", "GB-COH", "GB-EDU", "GB-UKPRN", "GB-LAE", "GB-LAS", "GB-PLA", "GB-LANI",
    "GB-MPR", "GB-REV", "GB-GOR", "GB-NHS", "GB-SHPE", "GB-CASC", "GB-UKCRN", "GB-NIP", "GB-WALEDU",
    "GB-SCOTEDU", "GB-NIEDU", "XI-GRID", "XI-ROR", "XI-PB", "US-EIN", "IE-CHY", "IE-CRO", "360G",
)

# The kinds of organisation the Local Government Transparency Code calls voluntary, community and
# social enterprise organisations.
VOLUNTARY_SECTOR = frozenset({
    OrgType.REGISTERED_CHARITY, OrgType.CIO, OrgType.CHARITABLE_COMPANY, OrgType.COMPANY_LIMITED_BY_GUARANTEE,
    OrgType.CIC, OrgType.COMMUNITY_GROUP, OrgType.FAITH_GROUP, OrgType.SOCIAL_ENTERPRISE,
})


# --- identifiers -------------------------------------------------------------------------------------


def slug(text: str) -> str:
    """``Altrincham Children's Choir`` → ``altrincham_childrens_choir``: lower case, apostrophes
    dropped, anything else that is not a letter or digit becomes ``_``."""
    text = unicodedata.normalize("NFKD", str(text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))  # Tŷ → ty
    text = re.sub(r"['’‘`]", "", text)
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_") or "unnamed"


def _id_part(text: str) -> str:
    """A part of a 360G id: no spaces, slashes or other special characters (they become ``_``)."""
    return re.sub(r"[^0-9A-Za-z_.-]+", "_", str(text).strip()).strip("_")


def check_prefix(prefix: str | None) -> str:
    value = (prefix or "").strip()
    if not value:
        raise ValidationError(
            _("This fund has no 360Giving prefix yet. Every 360Giving publisher registers one with "
    "360Giving (it starts 360G-, such as 360G-staffordshirecc); set it in the fund's publishing "
    "details before publishing."), "prefix")
    if not value.upper().startswith("360G-") or len(value) < 6:
        raise ValidationError(_("“{value}” is not a 360Giving prefix: a prefix starts 360G-, such as "
                                "360G-staffordshirecc.").format(value=value), "prefix")
    return "360G-" + _id_part(value[5:])


def grant_id(prefix: str | None, reference: str) -> str:
    """``360G-<publisher prefix>-<reference>``: ``360G-staffordshirecc-PHP-2025-0042``."""
    return f"{check_prefix(prefix)}-{_id_part(reference)}"


def recipient_org_id(prefix: str | None, org_id: str | None, name: str) -> str:
    """The recipient's org-id (``GB-CHC-1164883``, ``GB-COH-04530979`` …), or for a group with no
    registration ``360G-<prefix>-<name slug>``, as 360Giving's identifier guidance asks."""
    if org_id:
        return org_id
    return f"{check_prefix(prefix)}-{slug(name)}"


def amount_number(pence: int) -> Decimal:
    """Pence as the JSON number of pounds: whole pounds without decimals, else two places."""
    return Decimal(pence // 100) if pence % 100 == 0 else pounds(pence)


# --- privacy -----------------------------------------------------------------------------------------

# --- publishing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """The facts about one award that a 360Giving record is made from."""

    reference: str
    grant_id: str | None  # kept once published, so a grant's id never changes
    title: str
    summary: str
    purpose: str
    currency: str
    amount_pence: int
    amount_requested_pence: int
    paid_pence: int
    awarded_on: date
    starts: date | None
    ends: date | None
    org_name: str
    org_type: str
    charity_number: str | None
    company_number: str | None
    org_id: str | None
    address: str
    postcode: str
    website: str
    area_name: str | None
    area_kind: str | None
    area_code: str | None
    modified: datetime
    fund_code: str
    fund_name: str
    funder_id: str | None
    funder_name: str
    funder_department: str | None
    prefix: str | None
    from_open_call: bool
    data_source: str | None
    fund_url: str | None = None
    # Grants to individuals: codes from 360Giving's Grant to Individuals Reason and Purpose codelists.
    individual_reason: str | None = None
    individual_secondary_reason: str | None = None
    individual_purposes: tuple[str, ...] = ()


@dataclass
class Redactions:
    """What was taken out of the records: how many contact details from titles and summaries, by grant
    id, and which other fields were left out (or had an e-mail address replaced) because they held one,
    as (grant id, field)."""

    by_grant: dict[str, int] = field(default_factory=dict)
    fields: list[tuple[str, str]] = field(default_factory=list)


def _months(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month + (1 if end.day >= start.day else 0)
    return max(months, 1)


def _web_address(text: str) -> str | None:
    text = text.strip()
    if not text or " " in text:
        return None
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + text
    return text if re.match(r"^https?://[^/\s:]+\.[^/\s:]+", text, re.IGNORECASE) else None


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _place(name: str | None, code: str | None, kind: str | None) -> dict[str, Any] | None:
    """A ward or division as a 360Giving location: its name, and its ONS code and code type when known
    (never a small-area code)."""
    if not name:
        return None
    location: dict[str, Any] = {"name": name, "countryCode": "GB"}
    kind_of_code = geo_code_type(code, kind) if code else None
    if code and kind_of_code:
        location["geoCode"] = code.strip().upper()
        location["geoCodeType"] = kind_of_code
    return location


def grant_record(p: Published, redactions: Redactions | None = None) -> dict[str, Any]:
    """The 360Giving record of one award (schema 1.4), with privacy applied (see the module notes)."""
    gid = p.grant_id or grant_id(p.prefix, p.reference)
    individual = p.org_type == OrgType.INDIVIDUAL
    removed = 0
    if individual:
        title = f"Grant to an individual from {p.fund_name}"
        description = f"A grant to an individual from {p.funder_name}'s {p.fund_name}."
    else:
        title, n1 = remove_contact_details(" ".join(p.title.split()))
        text = p.summary.strip() or p.purpose.strip() or p.title
        description, n2 = remove_contact_details(text)
        removed = n1 + n2
    if redactions is not None and removed:
        redactions.by_grant[gid] = removed
    record: dict[str, Any] = {
        "id": gid,
        "title": title,
        "description": description,
        "currency": p.currency,
        "amountAppliedFor": amount_number(p.amount_requested_pence),
        "amountAwarded": amount_number(p.amount_pence),
    }
    if p.paid_pence > 0:
        record["amountDisbursed"] = amount_number(p.paid_pence)
    record["awardDate"] = p.awarded_on.isoformat()
    start, end = p.starts or p.awarded_on, p.ends
    planned: dict[str, Any] = {"startDate": start.isoformat()}
    if end is not None and end >= start:
        planned["endDate"] = end.isoformat()
        planned["duration"] = _months(start, end)
    record["plannedDates"] = [planned]
    place = _place(p.area_name, p.area_code, p.area_kind)
    if individual:
        record["recipientIndividual"] = {"id": f"{gid}-IND", "name": INDIVIDUAL_NAME}
        record["toIndividualsDetails"] = to_individuals_details(p.individual_reason, p.individual_secondary_reason,
                                                                p.individual_purposes)
    else:
        charity = published_charity_number(p.charity_number)
        org_id = published_org_id(p.org_id, p.charity_number, p.company_number)
        org: dict[str, Any] = {"id": recipient_org_id(p.prefix, org_id, p.org_name), "name": p.org_name}
        if charity:
            org["charityNumber"] = charity
        if p.company_number:
            org["companyNumber"] = p.company_number
        if p.charity_number or p.company_number:  # on a public register: its registered address is public
            lines = [line.strip() for line in p.address.replace(",", "\n").splitlines() if line.strip()]
            if lines:
                org["streetAddress"] = ", ".join(lines)
            if p.postcode.strip():
                org["postalCode"] = p.postcode.strip().upper()
            org["addressCountry"] = "United Kingdom"
        elif place is not None:  # an unregistered group: its ward, not a volunteer's home address
            org["location"] = [dict(place)]
        url = _web_address(p.website)
        if url:
            org["url"] = url
        record["recipientOrganization"] = [org]
    if place is not None:
        record["beneficiaryLocation"] = [place]
    funder: dict[str, Any] = {"id": p.funder_id or "", "name": p.funder_name}
    if p.funder_department:
        funder["department"] = p.funder_department
    record["fundingOrganization"] = [funder]
    programme: dict[str, Any] = {"code": p.fund_code, "title": p.fund_name}
    if p.fund_url and _web_address(p.fund_url):
        programme["url"] = _web_address(p.fund_url)
    record["grantProgramme"] = [programme]
    record["fromOpenCall"] = "Yes" if p.from_open_call else "No"
    record["dateModified"] = _timestamp(p.modified)
    if p.data_source:
        record["dataSource"] = p.data_source
    changed = drop_emails(record)
    if redactions is not None:
        redactions.fields.extend((gid, field_words(path)) for path in changed)
    return record


# --- quality -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QualityIssue:
    """One quality check that some grants fail. ``critical`` ones are what 360Giving's tool marks
    critical; the officer sees them first."""

    check: str
    critical: bool
    message: str
    grant_ids: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.grant_ids)


def org_id_list(org_id: str) -> str | None:
    """The register an org-id is on (``GB-CHC``, ``360G`` …), or None if GrantDesk does not know it."""
    for code in sorted(ORG_ID_LISTS, key=len, reverse=True):
        if org_id.upper().startswith(code + "-"):
            return code
    return None


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _strings(node: Any, path: tuple = ()):
    """(path, text) for every text value in a record, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, (*path, index))
    elif isinstance(node, str):
        yield path, node


def _charity_number_ok(number: Any) -> bool:
    """360Giving's test: two leading letters set aside (SC…), the rest 6 or 7 digits."""
    text = str(number)
    if text[:2].isalpha():
        text = text[2:]
    return text.isdigit() and len(text) in (6, 7)


def quality_report(grants: list[dict[str, Any]], *, today: date,
                   removed: list[tuple[str, str]] | tuple[tuple[str, str], ...] = ()) -> list[QualityIssue]:
    """The quality checks ``grants`` fail, critical first. An empty list means nothing to report.
    ``removed`` lists the fields GrantDesk left out of the records because they held an e-mail address
    (grant id, field), so the officer can put them right at source."""
    found: dict[str, list[str]] = defaultdict(list)
    for gid, _field in removed:
        found["email_removed"].append(gid)
    funder_names: dict[str, set[str]] = defaultdict(set)
    for g in grants:
        gid = str(g.get("id", ""))
        amount = g.get("amountAwarded")
        if amount is not None and Decimal(str(amount)) == 0:
            found["zero"].append(gid)
        award = _as_date(g.get("awardDate"))
        if award is not None and award > today:
            found["future"].append(gid)
        for funder in g.get("fundingOrganization") or []:
            fid = str(funder.get("id", ""))
            funder_names[fid].add(str(funder.get("name", "")))
            if not fid or org_id_list(fid) is None:
                found["funder_prefix"].append(gid)
        orgs = g.get("recipientOrganization") or []
        for org in orgs:
            oid = str(org.get("id", ""))
            if org_id_list(oid) is None:
                found["recipient_prefix"].append(gid)
            elif org_id_list(oid) == "360G":
                found["recipient_360g"].append(gid)
            charity = org.get("charityNumber")
            if charity and not _charity_number_ok(charity):
                found["charity_number"].append(gid)
            if org_id_list(oid) == "360G" and looks_like_a_person(str(org.get("name", ""))):
                found["recipient_person"].append(gid)
            company = org.get("companyNumber")
            if company and not re.fullmatch(r"[A-Z0-9]{8}", str(company)):
                found["company_number"].append(gid)
            if not org.get("postalCode") and not org.get("location"):
                found["recipient_location"].append(gid)
        if not orgs and not g.get("recipientIndividual"):
            found["no_recipient"].append(gid)
        person = g.get("recipientIndividual")
        if isinstance(person, dict):
            if str(person.get("name", "")).strip() != INDIVIDUAL_NAME:
                found["individual_named"].append(gid)
            if "project" in g:
                found["individual_dei"].append(gid)
            if any(looks_like_a_postcode(str(loc.get("geoCode", ""))) or is_small_area(str(loc.get("geoCode", "")))
                   for loc in g.get("beneficiaryLocation") or []):
                found["individual_place"].append(gid)
            details = g.get("toIndividualsDetails")
            if not isinstance(details, dict) or not details.get("grantPurpose"):
                found["individual_details"].append(gid)
            elif not details.get("primaryGrantReason"):
                found["individual_reason"].append(gid)
        title = str(g.get("title", ""))
        if len(title) > 140:
            found["title_length"].append(gid)
        if title.strip() and title.strip() == str(g.get("description", "")).strip():
            found["title_description"].append(gid)
        locations = g.get("beneficiaryLocation") or []
        if not locations:
            found["no_beneficiary_location"].append(gid)
        elif any(loc.get("name") and not loc.get("geoCode") for loc in locations):
            found["location_no_code"].append(gid)
        if any(looks_like_email(text) for path, text in _strings(g) if "email" not in str(path[-1]).lower()):
            found["email"].append(gid)
        for event in g.get("plannedDates") or []:
            start, end = _as_date(event.get("startDate")), _as_date(event.get("endDate"))
            if start and end and end < start:
                found["planned_order"].append(gid)
        if not g.get("dataSource"):
            found["no_data_source"].append(gid)
        if not g.get("dateModified"):
            found["no_last_modified"].append(gid)
        if not g.get("grantProgramme"):
            found["no_programme"].append(gid)
    several_names = [fid for fid, names in funder_names.items() if len(names) > 1]
    if several_names:
        found["funder_names"] = [str(g.get("id", "")) for g in grants
                                 if any(str(f.get("id", "")) in several_names for f in g.get("fundingOrganization") or [])]
    if len([f for f in funder_names if f]) > 1:
        found["several_funders"] = [str(g.get("id", "")) for g in grants]

    def text_for(check: str, ids: list[str]) -> tuple[bool, str]:
        n = len(ids)

        if check == "email_removed":
            fields = "; ".join(f"{gid}, {where}" for gid, where in list(removed)[:5]) + ("; …" if len(removed) > 5 else "")
            return False, ngettext(
                "{count} field held an e-mail address and was left out of the file (an address in a title, name or "
                "summary was replaced with [removed]): {fields}. Correct them in GrantDesk (a web address is not an "
                "e-mail address).",
                "{count} fields held an e-mail address and were left out of the file (an address in a title, name or "
                "summary was replaced with [removed]): {fields}. Correct them in GrantDesk (a web address is not an "
                "e-mail address).", len(removed)).format(count=len(removed), fields=fields)
        if check == "funder_names":
            return True, _("The funder's identifier appears with more than one name: {names}.").format(
                names="; ".join(_("{funder} as {names}").format(funder=fid, names=", ".join(sorted(funder_names[fid])))
                                for fid in several_names))
        if check == "several_funders":
            return True, _("The file has {count} different funders; a 360Giving file comes from one funder.").format(
                count=len([f for f in funder_names if f]))
        return {
            "zero": (True, ngettext("{count} grant is for £0.", "{count} grants are for £0.", n).format(count=n)),
            "future": (True, ngettext("{count} grant has an award date in the future.",
                                     "{count} grants have an award date in the future.", n).format(count=n)),
            "email": (True, ngettext("{count} grant still has text that looks like an e-mail address.",
                                    "{count} grants still have text that looks like an e-mail address.", n).format(count=n)),
            "individual_named": (True, ngettext("{count} grant to individuals names its recipient; publish “Individual "
                                               "Recipient” instead.",
                                               "{count} grants to individuals name their recipient; publish “Individual "
                                               "Recipient” instead.", n).format(count=n)),
            "individual_dei": (True, ngettext("{count} grant to individuals carries diversity (DEI) information, which can "
                                             "identify them.",
                                             "{count} grants to individuals carry diversity (DEI) information, which can "
                                             "identify them.", n).format(count=n)),
            "individual_place": (True, ngettext("{count} grant to individuals gives a postcode or small-area code as the "
                                               "place; publish the ward at most.",
                                               "{count} grants to individuals give a postcode or small-area code as the "
                                               "place; publish the ward at most.", n).format(count=n)),
            "recipient_person": (True, ngettext("{count} recipient with no charity or company number is named like a "
                                               "person (Mr, Mrs, Dr …). If the grant went to an individual, set the "
                                               "organisation's type to Individual so that the name is not published.",
                                               "{count} recipients with no charity or company number are named like a "
                                               "person (Mr, Mrs, Dr …). If the grant went to an individual, set the "
                                               "organisation's type to Individual so that the name is not published.", n).format(count=n)),
            "individual_details": (False, ngettext("{count} grant to individuals has no grant purpose (To Individuals "
                                                  "Details).",
                                                  "{count} grants to individuals have no grant purpose (To Individuals "
                                                  "Details).", n).format(count=n)),
            "individual_reason": (False, ngettext("{count} grant to individuals has no reason code; set the fund's reason "
                                                 "for grants to individuals in its publishing details (360Giving's Grant "
                                                 "to Individuals Reason codelist, such as GTIR010 Financial Hardship).",
                                                 "{count} grants to individuals have no reason code; set the fund's reason "
                                                 "for grants to individuals in its publishing details (360Giving's Grant "
                                                 "to Individuals Reason codelist, such as GTIR010 Financial Hardship).", n).format(count=n)),
            "no_recipient": (True, ngettext("{count} grant has no recipient.", "{count} grants have no recipient.", n).format(count=n)),
            "funder_prefix": (True, ngettext("{count} grant has a funder identifier that does not start with a recognised "
                                            "register code (GB-LAE-, GB-PLA-, GB-CHC- …); set the fund's funder id.",
                                            "{count} grants have a funder identifier that does not start with a "
                                            "recognised register code (GB-LAE-, GB-PLA-, GB-CHC- …); set the fund's "
                                            "funder id.", n).format(count=n)),
            "recipient_prefix": (False, ngettext("{count} recipient identifier does not start with a recognised register "
                                                "code or 360G-.",
                                                "{count} recipient identifiers do not start with a recognised register "
                                                "code or 360G-.", n).format(count=n)),
            "planned_order": (False, ngettext("{count} grant ends before it starts.", "{count} grants end before they start.", n).format(count=n)),
            "title_length": (False, ngettext("{count} title is longer than 140 characters.",
                                            "{count} titles are longer than 140 characters.", n).format(count=n)),
            "charity_number": (False, ngettext("{count} charity number does not look like one (6 or 7 digits, or SC and 6 "
                                              "digits; Northern Ireland's without NIC).",
                                              "{count} charity numbers do not look like one (6 or 7 digits, or SC and 6 "
                                              "digits; Northern Ireland's without NIC).", n).format(count=n)),
            "company_number": (False, ngettext("{count} company number is not 8 characters.",
                                              "{count} company numbers are not 8 characters.", n).format(count=n)),
            "recipient_location": (False, ngettext("{count} recipient has no published postcode or ward (GrantDesk "
                                                  "publishes addresses only for organisations with a charity or company "
                                                  "number; an unregistered group is placed by its ward).",
                                                  "{count} recipients have no published postcode or ward (GrantDesk "
                                                  "publishes addresses only for organisations with a charity or company "
                                                  "number; an unregistered group is placed by its ward).", n).format(count=n)),
            "recipient_360g": (False, ngettext("{count} recipient has no charity or company number, so it is identified by "
                                              "a 360G- id made from the name.",
                                              "{count} recipients have no charity or company number, so they are "
                                              "identified by a 360G- id made from the name.", n).format(count=n)),
            "title_description": (False, ngettext("{count} grant has the same title and description.",
                                                 "{count} grants have the same title and description.", n).format(count=n)),
            "no_beneficiary_location": (False, ngettext("{count} grant has no beneficiary location (no ward or division is "
                                                       "recorded).",
                                                       "{count} grants have no beneficiary location (no ward or division "
                                                       "is recorded).", n).format(count=n)),
            "location_no_code": (False, ngettext("{count} beneficiary location has a name but no ONS code; add the ward or "
                                                "division codes to the fund's areas (python -m grantdesk areas "
                                                "--set-code).",
                                                "{count} beneficiary locations have a name but no ONS code; add the ward "
                                                "or division codes to the fund's areas (python -m grantdesk areas "
                                                "--set-code).", n).format(count=n)),
            "no_data_source": (False, ngettext("{count} grant has no data source (the web page the data is published on); "
                                              "set it in the fund's publishing details.",
                                              "{count} grants have no data source (the web page the data is published "
                                              "on); set it in the fund's publishing details.", n).format(count=n)),
            "no_last_modified": (False, ngettext("{count} grant has no last-modified date.",
                                                "{count} grants have no last-modified date.", n).format(count=n)),
            "no_programme": (False, ngettext("{count} grant has no grant programme.", "{count} grants have no grant programme.", n).format(count=n)),
        }[check]

    issues = []
    for check, ids in found.items():
        unique = tuple(dict.fromkeys(ids))
        critical, message = text_for(check, list(unique))
        issues.append(QualityIssue(check, critical, message, unique))
    issues.sort(key=lambda i: (not i.critical, i.check))
    return issues


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# --- the Transparency Code ------------------------------------------------------------------------

TRANSPARENCY_HEADERS = ("Date awarded", "Time period", "Awarding department", "Beneficiary",
                        "Beneficiary registration number", "Summary of purpose", "Amount", "Grant reference")


def transparency_row(p: Published, removed: list[tuple[str, str]] | None = None) -> list[str]:
    """One grant as the Local Government Transparency Code 2015 asks councils to publish it: dates
    YYYY-MM-DD, the amount in pounds with two places and no symbol, the charity number (or company
    number) as registered (Northern Ireland's as the number alone). Only grants to voluntary and
    community organisations are published this way (never to individuals: ``VOLUNTARY_SECTOR``).
    Contact details typed into the purpose are taken out, and any cell holding something like an
    e-mail address is emptied, or has it replaced, each noted in ``removed`` as (reference, column)."""
    if p.org_type == OrgType.INDIVIDUAL:
        raise ValueError("a grant to an individual is never published under the Transparency Code")
    start, end = p.starts or p.awarded_on, p.ends
    period = f"{start.isoformat()} to {end.isoformat()}" if end and end >= start else "One-off"
    summary, _ = remove_contact_details(" ".join((p.purpose or p.title).split()))
    row = [
        p.awarded_on.isoformat(), period, p.funder_department or p.funder_name, p.org_name,
        published_charity_number(p.charity_number) or p.company_number or "", summary,
        f"{pounds(p.amount_pence):.2f}", p.grant_id or p.reference,
    ]
    for index, cell in enumerate(row):
        if looks_like_email(cell):
            if removed is not None:
                removed.append((p.grant_id or p.reference, TRANSPARENCY_HEADERS[index]))
            row[index] = remove_emails(cell) if index in (3, 5) else ""
    return row


# --- reading past grants --------------------------------------------------------------------------


class _Unreadable(GrantDeskError):
    def __init__(self, path: tuple, message: str):
        super().__init__(message)
        self.path = path
        self.message = message


@dataclass(frozen=True)
class PastGrant:
    """A grant from a 360Giving file, read into the terms GrantDesk keeps."""

    grant_id: str
    title: str
    description: str
    amount_pence: int
    applied_pence: int
    awarded_on: date
    starts: date | None
    ends: date | None
    recipient_name: str
    org_type: str
    charity_number: str | None
    company_number: str | None
    org_id: str | None  # a register id (GB-CHC-…); never another publisher's 360G- id
    address: str
    postcode: str
    website: str
    individual: bool
    funder_id: str
    funder_name: str
    programme: str
    locations: tuple[tuple[str, str], ...]  # (name, geoCode)


@dataclass(frozen=True)
class GrantReading:
    """What ``read_grant`` made of one grant: the grant, or the problems that stop it (path, message),
    and notes about values read generously (kind, path, message)."""

    grant: PastGrant | None
    problems: tuple[tuple[tuple, str], ...]
    notes: tuple[tuple[str, tuple, str], ...]


def _first(value: Any) -> dict[str, Any] | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return " ".join(str(value).split())


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_DAY_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


def _date(value: Any, path: tuple, notes: list, *, partial: bool = False, end: bool = False) -> date | None:
    """A date as 360Giving files write it. ``partial`` allows YYYY and YYYY-MM (planned dates).

    Spreadsheets' ways are read the one way every import reads them (``parse_uk_date``): a date-time
    cell, an ISO timestamp (its UK day), a UK date (noted), an Excel day number in a cell without a
    date format (``44222``, noted)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return parse_uk_date(value)
    if isinstance(value, date):
        return value
    number = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    text = _text(value) if number else str(value).strip()
    if partial and not number and (m := _YEAR_MONTH.match(text)):
        year, month = int(m[1]), int(m[2] or (12 if end else 1))
        if not 1 <= month <= 12:
            raise _Unreadable(path, f"“{text}” is not a real month.")
        if end:
            following = date(year + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(following.toordinal() - 1)
        return date(year, month, 1)
    if number or _DAY_NUMBER.match(text):
        day = excel_serial_date(repr(value) if isinstance(value, float) else value)
        if day is None:
            raise _Unreadable(path, f"“{text}” is a number, not a date; write it as YYYY-MM-DD.")
        notes.append(("excel_dates", path, f"“{text}” was read as an Excel date, {day.isoformat()}"))
        return day
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise _Unreadable(path, f"“{text}” is not a real date.") from None
    try:
        day = parse_uk_date(text)
    except ValidationError as exc:
        raise _Unreadable(path, str(exc).replace("write it as 31/03/2026 or 31 March 2026", "360Giving files write "
                                                 "dates as YYYY-MM-DD")) from None
    if not _ISO_MOMENT.match(text):
        notes.append(("uk_dates", path, f"“{text}” was read as a UK date, {day.isoformat()}"))
    return day


def _amount(value: Any, path: tuple, notes: list, *, required: bool) -> int | None:
    """An amount in pounds as pence. A spreadsheet's float cell is read by its digits and a JSON number
    by its own digits, both as written text, so Excel's float noise (``41133.770000000004``) is the
    penny it stands for (``parse_money``) and is noted; a real fraction of a penny is refused."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _Unreadable(path, "there is no amount.")
        return None
    if isinstance(value, float):
        written = repr(value)  # a spreadsheet cell: the digits it holds
    elif isinstance(value, Decimal):
        written = format(value, "f")  # a JSON number, exactly as the file wrote it
    elif isinstance(value, (int, str)):
        written = value
    else:
        written = str(value)
    try:
        pence = parse_money(written)
    except ValidationError as exc:
        raise _Unreadable(path, str(exc)) from None
    if isinstance(value, str) and not re.fullmatch(r"\d+(\.\d+)?", value.strip()):
        notes.append(("amount_text", path, f"“{value.strip()}” was read as {pence / 100:,.2f}".replace(".00", "")))
    elif isinstance(written, str) and Decimal(written.strip()) * 100 != pence:
        notes.append(("amount_noise", path, f"“{written.strip()}” was read as {pounds(pence)}"))
    return pence


_OPEN_CALL = {"yes": "Yes", "y": "Yes", "true": "Yes", "no": "No", "n": "No", "false": "No"}


def read_grant(raw: dict[str, Any], *, currency: str = "GBP") -> GrantReading:
    """Read one grant from a 360Giving file. Every field is checked, so one reading reports every
    problem with the grant, not just the first."""
    problems: list[tuple[tuple, str]] = []
    notes: list[tuple[str, tuple, str]] = []
    if "__not_an_object__" in raw:
        return GrantReading(None, (((), "is not a grant record (an object with id, title, amounts …)"),), ())

    def attempt(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except _Unreadable as exc:
            problems.append((exc.path, exc.message))
            return None

    gid = _text(raw.get("id"))
    if not gid:
        problems.append((("id",), "there is no grant identifier."))
    elif "\n" in str(raw.get("id")):
        problems.append((("id",), "the identifier has a line break in it."))
    title = _text(raw.get("title"))
    if not title:
        problems.append((("title",), "there is no title."))
    description = str(raw.get("description") or "").strip()
    if not description:
        notes.append(("no_description", ("description",), "no description"))
    found_currency = _text(raw.get("currency")).upper()
    if not found_currency:
        notes.append(("no_currency", ("currency",), f"no currency; read as {currency}"))
    elif found_currency != currency:
        problems.append((("currency",), f"the grant is in {found_currency} and this fund counts in {currency}."))
    amount = attempt(_amount, raw.get("amountAwarded"), ("amountAwarded",), notes, required=True)
    if amount == 0:
        notes.append(("zero", ("amountAwarded",), "a grant of £0"))
    applied = attempt(_amount, raw.get("amountAppliedFor"), ("amountAppliedFor",), notes, required=False)
    awarded_on = attempt(_date, raw.get("awardDate"), ("awardDate",), notes)
    if awarded_on is None and not any(p[0] == ("awardDate",) for p in problems):
        problems.append((("awardDate",), "there is no award date."))
    planned = _first(raw.get("plannedDates")) or {}
    starts = attempt(_date, planned.get("startDate"), ("plannedDates", 0, "startDate"), notes, partial=True)
    ends = attempt(_date, planned.get("endDate"), ("plannedDates", 0, "endDate"), notes, partial=True, end=True)
    if starts and ends and ends < starts:
        notes.append(("planned_order", ("plannedDates", 0, "endDate"), "ends before it starts; dates kept as written"))

    org = _first(raw.get("recipientOrganization"))
    person = raw.get("recipientIndividual") if isinstance(raw.get("recipientIndividual"), dict) else None
    name, org_type, charity, company, org_id = "", OrgType.COMMUNITY_GROUP.value, None, None, None
    address = postcode = website = ""
    if org and person:
        problems.append((("recipientIndividual",), "the grant names both a recipient organisation and an "
                         "individual; a grant has one or the other."))
    elif person:
        name = _text(person.get("name")) or INDIVIDUAL_NAME
        org_type = OrgType.INDIVIDUAL.value
    elif org:
        name = _text(org.get("name"))
        if not name:
            problems.append((("recipientOrganization", 0, "name"), "the recipient organisation has no name."))
        raw_id = _text(org.get("id"))
        charity = _register_number(org.get("charityNumber"), raw_id, ("GB-CHC-", "GB-SC-", "GB-NIC-"),
                                   normalise_charity_number, ("recipientOrganization", 0, "charityNumber"), notes)
        company = _register_number(org.get("companyNumber"), raw_id, ("GB-COH-",), normalise_company_number,
                                   ("recipientOrganization", 0, "companyNumber"), notes)
        if raw_id and org_id_list(raw_id) not in (None, "360G"):
            org_id = raw_id
        if charity:
            org_type = OrgType.REGISTERED_CHARITY.value
        elif company:
            org_type = OrgType.COMPANY_LIMITED_BY_GUARANTEE.value
        elif raw_id.upper().startswith("GB-EDU-"):
            org_type = OrgType.SCHOOL.value
        address = ", ".join(_text(org.get(k)) for k in ("streetAddress", "addressLocality", "addressRegion")
                            if _text(org.get(k)))
        postcode = _text(org.get("postalCode")).upper()[:10]
        website = _text(org.get("url"))[:300]
    else:
        problems.append((("recipientOrganization", 0, "name"), "there is no recipient (neither an organisation "
                         "nor an individual)."))

    funder = _first(raw.get("fundingOrganization")) or {}
    programme = _first(raw.get("grantProgramme")) or {}
    locations = tuple((_text(loc.get("name")), _text(loc.get("geoCode")))
                      for loc in (raw.get("beneficiaryLocation") or []) if isinstance(loc, dict))
    open_call = _text(raw.get("fromOpenCall"))
    if open_call and open_call not in ("Yes", "No"):
        if open_call.casefold() in _OPEN_CALL:
            notes.append(("open_call", ("fromOpenCall",), f"“{open_call}” read as {_OPEN_CALL[open_call.casefold()]}"))
    if problems:
        return GrantReading(None, tuple(problems), tuple(notes))
    assert amount is not None and awarded_on is not None
    grant = PastGrant(
        grant_id=gid, title=title, description=description, amount_pence=amount,
        applied_pence=applied if applied is not None else amount, awarded_on=awarded_on, starts=starts, ends=ends,
        recipient_name=name, org_type=org_type, charity_number=charity, company_number=company, org_id=org_id,
        address=address, postcode=postcode, website=website, individual=person is not None,
        funder_id=_text(funder.get("id")), funder_name=_text(funder.get("name")),
        programme=_text(programme.get("title")) or _text(programme.get("code")), locations=locations,
    )
    return GrantReading(grant, (), tuple(notes))


def _register_number(value: Any, org_id: str, prefixes: tuple[str, ...], normalise, path: tuple,
                     notes: list) -> str | None:
    """A charity or company number from its own field, or else from an org-id on that register.
    One that is not a valid number is noted and left out (the organisation keeps its name and id)."""
    text = _text(value)
    if text.isdigit() and "GB-NIC-" in prefixes and org_id.upper().startswith("GB-NIC-"):
        text = "NIC" + text  # Northern Ireland's number published alone, as GrantDesk and CCNI write it
    if not text:
        for prefix in prefixes:
            if org_id.upper().startswith(prefix):
                text = org_id[len(prefix):]
                if prefix == "GB-NIC-" and not text.upper().startswith("NIC"):
                    text = "NIC" + text
                break
    if not text:
        return None
    try:
        return normalise(text)
    except ValidationError:
        notes.append(("register_number", path, f"“{text}” is not a valid number on its register; left out"))
        return None
