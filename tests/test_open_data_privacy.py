"""Every way GrantDesk publishes grants, for every kind of recipient: nothing personal leaves, and what may
be published is.

Export paths: the 360Giving file as JSON, CSV and XLSX (``publish_360giving``, which the Publish dialog and
``python -m grantdesk export 360giving`` both call), the Transparency Code CSV (``publish_transparency``),
and both commands themselves. Recipients: an individual, an unregistered group, a registered charity whose
type is not "charity" (a faith group), a Northern Ireland charity, and a group whose website was typed as an
e-mail address.

360Giving's own data quality tool (ThreeSixtyGiving/dataquality, ``lib360dataquality``) is not on PyPI and
pins ``jsonschema<4``, which the 2020-12 schema check cannot use, so it cannot run here. Its critical
data-protection checks are written out below (``critical_data_protection``) from its published rules, as an
oracle independent of ``grantdesk.domain.open_data.quality_report``.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from grantdesk.cli import main
from grantdesk.domain.open_data import GRANT_PURPOSES, GRANT_REASONS, geo_code_type, published_charity_number, \
    published_org_id
from grantdesk.io.g360_schema import check_package, schema_dir
from grantdesk.services import open_data
from grantdesk.services.funds import set_area_code
from grantdesk.store.models import Application, Award, Contact, Fund, Organisation

# --- the oracle: 360Giving's critical data-protection checks ------------------------------------------

DQ_EMAIL = re.compile(r"[\w.-]+@[\w.-]+\.[\w.-]+")  # the data quality tool's "looks like an email address"
DQ_POSTCODE = re.compile(r"^\s*[a-z]{1,2}\d[a-z\d]?\s*\d[a-z]{2}\s*$", re.IGNORECASE)


def _flat(node: Any, path: str = ""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _flat(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _flat(value, f"{path}/{index}")
    else:
        yield path, node


def critical_data_protection(grants: list[dict]) -> list[str]:
    """What 360Giving's tool rates critical for data protection: text that looks like an e-mail address in
    any field; grants to individuals with DEI details ("project") or a postcode as their place; and, as its
    guidance requires, an individual named other than "Individual Recipient"."""
    found = []
    for g in grants:
        for path, value in _flat(g):
            if "email" not in path.lower() and isinstance(value, str) and DQ_EMAIL.search(value):
                found.append(f"{g['id']}{path}: looks like an e-mail address")
        if "recipientIndividual" in g:
            if "project" in g:
                found.append(f"{g['id']}: DEI details on a grant to an individual")
            for loc in g.get("beneficiaryLocation", []):
                if DQ_POSTCODE.match(str(loc.get("geoCode", ""))):
                    found.append(f"{g['id']}: a postcode as an individual's place")
            if g["recipientIndividual"].get("name") != "Individual Recipient":
                found.append(f"{g['id']}: an individual named")
    return found


def test_the_oracle_finds_what_360givings_tool_would():
    grants = [{"id": "a", "recipientOrganization": [{"url": "https://knitnatter@example.org"}]},
              {"id": "b", "recipientIndividual": {"id": "x", "name": "Jane Smith"}, "project": [{}],
               "beneficiaryLocation": [{"geoCode": "LL18 3EN"}]},
              {"id": "c", "contactEmail": "ok@example.org", "title": "Clean"}]
    assert len(critical_data_protection(grants)) == 4


# --- the recipients --------------------------------------------------------------------------------------

PERSON = {"name": "Siân Llewelyn-Davies", "address": "3 Ffordd y Môr, Y Rhyl", "postcode": "LL18 9ZZ",
          "website": "sian.llewelyn@example.org", "title": "Wheelchair for Siân Llewelyn-Davies",
          "summary": "Siân, 34, of Ffordd y Môr needs a new wheelchair after her accident."}
VOLUNTEER_HOME = ("7 Heol Bryn, Y Rhyl", "LL18 4QQ")  # the unregistered group's address: a volunteer's home
WARD_CODE = "W05000184"


@pytest.fixture
def published(sample_db, sample_path, tmp_path):
    """The Rhyl fund, its four awards made into the five kinds of recipient, published every way."""
    with sample_db.unit_of_work() as uow:
        s = uow.session
        fund = s.scalar(select(Fund).where(Fund.code == "RHYL"))
        apps = {a.reference: a for a in s.scalars(select(Application).where(Application.fund_id == fund.id))}
        # an unregistered group with a volunteer's home address, in a ward with its ONS code (below)
        cylch = apps["RHYL-2026-0001"].organisation
        cylch.address, cylch.postcode = VOLUNTEER_HOME
        # RHYL-2026-0002: Capel Glan-y-Môr, a faith group with a charity number, as the sample has it
        # a Northern Ireland charity, whose street address also has an e-mail address typed into it
        larder = apps["RHYL-2026-0003"].organisation
        larder.name, larder.charity_number, larder.org_id = "Larne Community Larder", "NIC100123", "GB-NIC-100123"
        larder.address = "Community hub, Larne (post@larnelarder.example.org)"
        # a group whose website was typed as an e-mail address
        apps["RHYL-2026-0004"].organisation.website = "knitnatter@example.org"
        # an individual: a fifth award, to a person
        awarded = set(s.scalars(select(Award.application_id)))
        spare = next(a for ref, a in sorted(apps.items()) if a.id not in awarded)
        person = Organisation(name=PERSON["name"], name_key=PERSON["name"].casefold(), org_type="individual",
                              address=PERSON["address"], postcode=PERSON["postcode"], website=PERSON["website"],
                              created_at=spare.created_at)
        s.add(person)
        s.flush()
        spare.organisation_id, spare.status = person.id, "awarded"
        spare.title, spare.summary = PERSON["title"], PERSON["summary"]
        s.add(Award(application_id=spare.id, amount_pence=45000, awarded_on=date(2026, 3, 2),
                    purpose=f"Towards {PERSON['name']}'s wheelchair"))
        uow.commit()
        individual_ref = spare.reference
    set_area_code(sample_db, "RHYL", "Rhyl South West", WARD_CODE)
    details = open_data.publishing_details(sample_db, "RHYL")
    open_data.set_publishing_details(sample_db, "RHYL", open_data.PublishingDetails(**{
        **details.__dict__, "individual_reason": "GTIR020", "individual_purposes": ("GTIP030",)}))
    publication = open_data.prepare_360giving(sample_db, "RHYL", today=date(2026, 12, 1))
    out: dict[str, Any] = {"publication": publication, "individual": individual_ref, "files": {}}
    for kind in ("json", "csv", "xlsx"):
        target = tmp_path / f"rhyl.{kind}"
        open_data.publish_360giving(sample_db, publication, target)
        out["files"][f"360Giving {kind}"] = target
    out["files"]["Transparency CSV"] = tmp_path / "tc.csv"
    open_data.publish_transparency(sample_db, "RHYL", tmp_path / "tc.csv")
    out["transparency"] = open_data.prepare_transparency(sample_db, "RHYL")
    assert main(["export", "360giving", "--fund", "RHYL", "--out", str(tmp_path / "cli.json"),
                 "--db", str(sample_path)]) == 0
    out["files"]["command 360Giving json"] = tmp_path / "cli.json"
    assert main(["export", "transparency", "--fund", "RHYL", "--out", str(tmp_path / "cli-tc.csv"),
                 "--db", str(sample_path)]) == 0
    out["files"]["command Transparency CSV"] = tmp_path / "cli-tc.csv"
    with sample_db.session() as s:
        out["contacts"] = s.execute(select(Contact.name, Contact.email, Contact.phone)).all()
    return out


def _unflatten(source: Path, kind: str, tmp_path: Path) -> dict:
    """What 360Giving's own converter (flatten-tool) makes of a CSV or XLSX file."""
    from flattentool import unflatten

    if kind == "csv":
        folder = tmp_path / f"flat-{source.stem}"
        folder.mkdir()
        shutil.copy(source, folder / "grants.csv")
        source = folder
    out = tmp_path / f"{source.name}.unflattened.json"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unflatten(str(source), output_name=str(out), input_format=kind, root_list_path="grants", root_id="",
                  convert_titles=True, schema=str(schema_dir() / "360-giving-schema.json"))
    assert [str(w.message) for w in caught] == []
    return json.loads(out.read_text(encoding="utf-8"), parse_float=Decimal)


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        return "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
                         if v is not None)
    return path.read_text(encoding="utf-8-sig")


def _grants(label: str, path: Path, tmp_path: Path) -> list[dict]:
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)["grants"]
    return _unflatten(path, path.suffix.lstrip("."), tmp_path)["grants"]


def _reference(grant_id: str) -> str:
    """``360G-<prefix>-RHYL-2026-0001`` → ``RHYL-2026-0001``."""
    return "-".join(grant_id.split("-")[-3:])


PATHS = ("360Giving json", "360Giving csv", "360Giving xlsx", "Transparency CSV", "command 360Giving json",
         "command Transparency CSV")


@pytest.mark.parametrize("label", PATHS)
def test_no_export_path_leaks_personal_data(published, label):
    text = _text_of(published["files"][label])
    for value in (PERSON["name"], "Siân", "Llewelyn", "Ffordd y Môr", PERSON["postcode"], "wheelchair", "accident",
                  *VOLUNTEER_HOME, "knitnatter", "larnelarder"):
        assert value.casefold() not in text.casefold(), f"{label} carries “{value}”"
    for name, email, phone in published["contacts"]:
        for value in (name, email, phone):
            assert not value or value not in text, f"{label} carries a contact's “{value}”"
    assert not DQ_EMAIL.search(text), f"{label}: {DQ_EMAIL.search(text)[0]}"


@pytest.mark.parametrize("label", [p for p in PATHS if "360Giving" in p])
def test_each_360giving_file_publishes_what_it_may_and_passes_the_schema_and_the_critical_checks(
        published, label, tmp_path):
    grants = {_reference(g["id"]): g for g in _grants(label, published["files"][label], tmp_path)}
    assert check_package({"grants": list(grants.values())}) == []
    assert critical_data_protection(list(grants.values())) == []
    assert [q.check for q in published["publication"].quality if q.critical] == []

    person = grants[published["individual"]]
    assert person["recipientIndividual"]["name"] == "Individual Recipient"
    assert "recipientOrganization" not in person
    assert person["toIndividualsDetails"] == {"primaryGrantReason": "GTIR020", "grantPurpose": ["GTIP030"]}
    assert person["title"].startswith("Grant to an individual from ")

    cylch = grants["RHYL-2026-0001"]["recipientOrganization"][0]
    assert not {"streetAddress", "postalCode", "addressCountry"} & set(cylch)
    assert cylch["location"] == [{"name": "Rhyl South West", "countryCode": "GB", "geoCode": WARD_CODE,
                                  "geoCodeType": "WD"}]
    assert grants["RHYL-2026-0001"]["beneficiaryLocation"][0]["geoCode"] == WARD_CODE

    capel = grants["RHYL-2026-0002"]["recipientOrganization"][0]
    assert capel["id"] == "GB-CHC-1131708" and capel["charityNumber"] == "1131708"
    assert capel["streetAddress"] == "Capel Glan-y-Môr, Y Rhyl" and capel["postalCode"] == "LL18 3EN"

    larne = grants["RHYL-2026-0003"]["recipientOrganization"][0]
    assert larne["id"] == "GB-NIC-100123" and larne["charityNumber"] == "100123"
    assert "streetAddress" not in larne and larne["postalCode"]  # the address held an e-mail address

    knit = grants["RHYL-2026-0004"]["recipientOrganization"][0]
    assert "url" not in knit and knit["name"] == "Cyfeillion Traeth y Rhyl / Friends of Rhyl Beach"


def test_the_officer_is_told_which_fields_were_left_out_for_holding_an_e_mail_address(published):
    publication = published["publication"]
    gids = {_reference(gid): field for gid, field in publication.emails_removed}
    assert gids == {"RHYL-2026-0003": "recipient's street address", "RHYL-2026-0004": "recipient's web address"}
    issue = next(q for q in publication.quality if q.check == "email_removed")
    assert not issue.critical and issue.count == 2
    assert "recipient's web address" in issue.message and "2 fields" in issue.message
    assert "2 other fields held an e-mail address" in publication.summary()


@pytest.mark.parametrize("label", ["Transparency CSV", "command Transparency CSV"])
def test_the_transparency_file_has_voluntary_organisations_only_with_their_numbers(published, label):
    with published["files"][label].open(encoding="utf-8-sig") as fh:
        rows = {_reference(r["Grant reference"]): r for r in csv.DictReader(fh)}
    assert published["individual"] not in rows  # the Code covers the voluntary sector; never individuals
    assert set(rows) == {"RHYL-2026-0001", "RHYL-2026-0002", "RHYL-2026-0003", "RHYL-2026-0004"}
    assert rows["RHYL-2026-0002"]["Beneficiary registration number"] == "1131708"
    assert rows["RHYL-2026-0003"]["Beneficiary registration number"] == "100123"
    assert rows["RHYL-2026-0001"]["Beneficiary registration number"] == ""


def test_a_transparency_cell_holding_an_e_mail_address_is_emptied_and_listed(sample_db):
    with sample_db.unit_of_work() as uow:
        app = uow.session.scalar(select(Application).where(Application.reference == "RHYL-2026-0002"))
        award = uow.session.scalar(select(Award).where(Award.application_id == app.id))
        award.purpose = "Hot lunches; questions to capel.glan@example.org please"
        app.organisation.name = "Capel Glan-y-Môr (capel.glan@example.org)"
        uow.commit()
    table = open_data.prepare_transparency(sample_db, "RHYL")
    row = next(r for r in table.rows if r[-1].endswith("RHYL-2026-0002"))
    assert not any(DQ_EMAIL.search(cell) for cell in row)
    assert row[3] == "Capel Glan-y-Môr ([removed])"
    assert [c for _, c in table.emails_removed] == ["Beneficiary"]  # the purpose's address was taken out as text
    assert "1 cell held an e-mail address" in table.summary()


# --- the rules, one by one --------------------------------------------------------------------------------


def test_northern_ireland_numbers_are_published_as_the_number_alone():
    assert published_charity_number("NIC100123") == "100123"
    assert published_charity_number("nic 100123") == "100123"
    assert published_charity_number("SC022910") == "SC022910"
    assert published_charity_number("1131708") == "1131708"
    assert published_org_id("GB-NIC-NIC100123", None, None) == "GB-NIC-100123"
    assert published_org_id(None, "NIC100123", None) == "GB-NIC-100123"
    assert published_org_id(None, None, "04530979") == "GB-COH-04530979"
    assert published_org_id("", None, None) is None


def test_the_grant_to_individuals_codelists_are_360givings(shared_dir):
    for name, ours in (("grantToIndividualsReason.csv", GRANT_REASONS), ("grantToIndividualsPurpose.csv",
                                                                         GRANT_PURPOSES)):
        with (shared_dir / "360giving" / "codelists" / name).open(encoding="utf-8") as fh:
            assert {r["Code"]: r["Title"] for r in csv.DictReader(fh)} == ours


def test_geo_code_types_are_on_360givings_codelist_and_small_areas_are_never_published(shared_dir):
    with (shared_dir / "360giving" / "codelists" / "geoCodeType.csv").open(encoding="utf-8") as fh:
        listed = {(r["Code"], r["Values (URL)"].rsplit("/", 1)[-1][:3]) for r in csv.DictReader(fh)}
    for code, entity in (("WD", "E05"), ("WD", "W05"), ("WD", "S13"), ("UA", "W06"), ("NMD", "E07"),
                         ("MD", "E08"), ("LONB", "E09"), ("CTY", "E10"), ("PAR", "E04"), ("CA", "S12")):
        assert (code, entity) in listed
        assert geo_code_type(f"{entity}000001") == code
    for small in ("E01000001", "E02000001", "W01000001", "S01000001", "E00000001"):
        assert geo_code_type(small) is None


def test_a_fund_names_its_reasons_for_grants_to_individuals_from_the_codelists(sample_db):
    from grantdesk.domain.errors import ValidationError

    details = open_data.publishing_details(sample_db, "PHP")
    with pytest.raises(ValidationError, match="not on 360Giving's Grant to Individuals Reason codelist"):
        open_data.set_publishing_details(sample_db, "PHP", open_data.PublishingDetails(
            **{**details.__dict__, "individual_reason": "hardship"}))
    with pytest.raises(ValidationError, match="at most three"):
        open_data.set_publishing_details(sample_db, "PHP", open_data.PublishingDetails(
            **{**details.__dict__, "individual_purposes": ("GTIP010", "GTIP020", "GTIP030", "GTIP040")}))
    saved = open_data.set_publishing_details(sample_db, "PHP", open_data.PublishingDetails(
        **{**details.__dict__, "individual_reason": "gtir010", "individual_secondary_reason": "GTIR070",
           "individual_purposes": ("GTIP070", "GTIP050")}))
    assert (saved.individual_reason, saved.individual_secondary_reason, saved.individual_purposes) == (
        "GTIR010", "GTIR070", ("GTIP070", "GTIP050"))
    assert open_data.publishing_details(sample_db, "PHP") == saved


def test_without_a_reason_an_individuals_grant_is_unrestricted_and_the_officer_is_advised(sample_db):
    with sample_db.unit_of_work() as uow:
        app = uow.session.scalar(select(Application).where(Application.reference == "PHP-2025-0003"))
        app.organisation.org_type = "individual"
        uow.commit()
    publication = open_data.prepare_360giving(sample_db, "PHP")
    grant = next(g for g in publication.package["grants"] if g["id"].endswith("PHP-2025-0003"))
    assert grant["toIndividualsDetails"] == {"grantPurpose": ["GTIP010"]}
    advice = next(q for q in publication.quality if q.check == "individual_reason")
    assert not advice.critical and advice.grant_ids == (grant["id"],)
    assert publication.valid


def test_an_unregistered_group_named_like_a_person_is_critical(sample_db):
    with sample_db.unit_of_work() as uow:
        app = uow.session.scalar(select(Application).where(Application.reference == "RHYL-2026-0001"))
        app.organisation.name = "Mrs G. Morris"
        uow.commit()
    publication = open_data.prepare_360giving(sample_db, "RHYL")
    issue = next(q for q in publication.quality if q.check == "recipient_person")
    assert issue.critical and issue.count == 1 and "set the organisation's type to Individual" in issue.message


def test_a_northern_ireland_number_published_alone_is_read_back_as_northern_irelands():
    from grantdesk.domain.open_data import read_grant

    grant = read_grant({"id": "360G-x-1", "title": "Larder", "description": "Food", "currency": "GBP",
                        "amountAwarded": 500, "awardDate": "2025-04-01",
                        "recipientOrganization": [{"id": "GB-NIC-100123", "name": "Larne Community Larder",
                                                   "charityNumber": "100123"}],
                        "fundingOrganization": [{"id": "GB-LAE-STS", "name": "Staffordshire"}]}).grant
    assert grant is not None and grant.charity_number == "NIC100123" and grant.org_id == "GB-NIC-100123"
    england = read_grant({"id": "360G-x-2", "title": "Choir", "description": "Songs", "currency": "GBP",
                          "amountAwarded": 500, "awardDate": "2025-04-01",
                          "recipientOrganization": [{"id": "GB-CHC-1124590", "name": "Choir",
                                                     "charityNumber": "1124590"}],
                          "fundingOrganization": [{"id": "GB-LAE-STS", "name": "Staffordshire"}]}).grant
    assert england is not None and england.charity_number == "1124590"
