"""The 360Giving schema as GrantDesk uses it, checked against the standard's own files in ../shared
and the validation results its README records for the real sample files."""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal

import pytest

from grantdesk.domain.open_data import grant_id, quality_report, read_grant, recipient_org_id, remove_contact_details, slug
from grantdesk.domain.errors import ValidationError
from grantdesk.io.g360_schema import EXPORT_PATHS, check_package, schema_dir, title_of, title_paths


def _grant(**changes):
    grant = {"id": "360G-test-1", "title": "Tents", "description": "Tents for camp", "currency": "GBP",
             "amountAwarded": 1500, "awardDate": "2024-01-31",
             "recipientOrganization": [{"id": "GB-CHC-1124590", "name": "Scouts"}],
             "fundingOrganization": [{"id": "GB-LAE-STS", "name": "Staffordshire County Council"}]}
    grant.update(changes)
    return {k: v for k, v in grant.items() if v is not None}


def test_the_shipped_schemas_are_the_standards_own_files(shared_dir):
    for name in ("360-giving-schema.json", "360-giving-package-schema.json"):
        shipped = (schema_dir() / name).read_bytes()
        assert shipped == (shared_dir / "360giving" / "schema" / name).read_bytes(), name


def test_dates_are_really_checked_so_a_correct_date_passes_and_a_uk_date_fails():
    assert check_package({"grants": [_grant()]}) == []
    [problem] = check_package({"grants": [_grant(awardDate="05/06/2014")]})
    assert problem.path == ("awardDate",)
    assert "05/06/2014" in problem.message and "YYYY-MM-DD" in problem.message
    assert check_package({"grants": [_grant(awardDate="2024-01-31T10:00:00Z")]}) == []


def test_a_missing_description_is_named_rather_than_a_bare_one_of_failure():
    [problem] = check_package({"grants": [_grant(description=None)]})
    assert problem.message == "'description' is a required property"
    assert problem.grant_id == "360G-test-1"


def test_a_grant_to_both_an_organisation_and_an_individual_is_refused_in_words():
    [problem] = check_package({"grants": [_grant(recipientIndividual={"id": "p1", "name": "Individual"})]})
    assert "both a recipient organisation and a recipient individual" in problem.message


@pytest.mark.parametrize("name, errors", [
    ("trafford_council_voluntary_sector_grants.json", 0),
    ("ab_charitable_trust_a001p00000zgyHZAAY.converted.json", 0),
    ("grantnav_testdata_community_foundations_awefw001p00000zgyHZAAY.json", 0),
    ("grantnav_testdata_esmee_fairbairn_grantnav-20180903134856.json", 0),
    ("grantnav_testdata_wolfson_a002400000KeYdsAAF.json", 758),
    ("grantnav_testdata_lloyds_bank_foundation_a002400000OiDBQAA3.json", 6126),
])
def test_the_real_sample_files_give_the_results_the_standards_readme_records(shared_dir, name, errors):
    package = json.loads((shared_dir / "360giving" / "samples" / name).read_text(encoding="utf-8"),
                         parse_float=Decimal)
    assert len(check_package(package)) == errors


def test_column_titles_come_from_the_schema_and_match_the_standards_template(shared_dir):
    with (shared_dir / "360giving" / "templates" / "grants-sheet-column-titles.csv").open(encoding="utf-8") as fh:
        template = list(csv.DictReader(fh))
    ours = [title_of(p) for p in EXPORT_PATHS]
    ward = [t for t in ours if t.startswith("Recipient Org:Location:")]  # an unregistered group's ward, ours
    assert len(ward) == 4
    assert [t for t in ours if t not in ward] == [row["column_title"] for row in template]
    for row in template:  # every template title reads back to its JSON path
        path = title_paths()[row["column_title"].casefold()]
        assert ".".join(str(p) for p in path if not isinstance(p, int)) == row["json_path"]


def test_titles_match_ignoring_case_and_spaces_as_real_files_write_them():
    from grantdesk.io.g360_schema import normalise_title

    assert title_paths()[normalise_title("From an open call?")] == ("fromOpenCall",)
    assert title_paths()[normalise_title("Grant Programme: Title")] == ("grantProgramme", 0, "title")
    assert title_paths()[normalise_title("Last modified")] == ("dateModified",)


# --- identifiers and privacy -------------------------------------------------------------------------


def test_grant_and_recipient_ids_follow_360givings_identifier_rules():
    assert grant_id("360G-staffordshirecc", "PHP-2025-0042") == "360G-staffordshirecc-PHP-2025-0042"
    assert grant_id("360G-my council", "A/B 7") == "360G-my_council-A_B_7"
    assert recipient_org_id("360G-trafford", None, "Altrincham Children's Choir") == \
        "360G-trafford-altrincham_childrens_choir"
    assert recipient_org_id("360G-x", "GB-COH-04530979", "Somerset CF") == "GB-COH-04530979"
    assert slug("  Tŷ Hapus & Friends! ") == "ty_hapus_friends"
    with pytest.raises(ValidationError, match="no 360Giving prefix"):
        grant_id(None, "PHP-2025-0001")
    with pytest.raises(ValidationError, match="starts 360G-"):
        grant_id("oxfordcc", "BBL-2026-0001")


def test_email_addresses_and_phone_numbers_are_removed_from_published_text():
    text, n = remove_contact_details("Call Jan on 01632 960123 or 07700 900123, or write to jan.smith@example.org.")
    assert n == 3
    assert "960123" not in text and "900123" not in text and "@" not in text
    assert remove_contact_details("We will buy 12 tents for £1,500 in 2025.") == (
        "We will buy 12 tents for £1,500 in 2025.", 0)


# --- the quality report --------------------------------------------------------------------------------


def test_the_quality_report_finds_what_360givings_checks_would():
    grants = [
        _grant(id="g1", amountAwarded=0),
        _grant(id="g2", awardDate="2031-01-01"),
        _grant(id="g3", title="x" * 141),
        _grant(id="g4", recipientOrganization=[{"id": "CHARITY-1", "name": "Odd"}]),
        _grant(id="g5", fundingOrganization=[{"id": "GB-LAE-STS", "name": "Staffs CC"}]),
        _grant(id="g6", beneficiaryLocation=[{"name": "Stone Urban"}]),
        _grant(id="g7", description="Write to me at someone@example.org"),
    ]
    issues = {i.check: i for i in quality_report(grants, today=date(2026, 12, 1))}
    assert issues["zero"].grant_ids == ("g1",) and issues["zero"].critical
    assert issues["future"].grant_ids == ("g2",)
    assert issues["title_length"].grant_ids == ("g3",) and not issues["title_length"].critical
    assert issues["recipient_prefix"].grant_ids == ("g4",)
    assert "GB-LAE-STS as Staffordshire County Council, Staffs CC" in issues["funder_names"].message
    assert issues["location_no_code"].grant_ids == ("g6",)
    assert "g6" not in issues["no_beneficiary_location"].grant_ids
    assert issues["email"].grant_ids == ("g7",) and issues["email"].critical
    ordered = quality_report(grants, today=date(2026, 12, 1))
    assert [i.critical for i in ordered] == sorted((i.critical for i in ordered), reverse=True)


def test_a_clean_grant_has_only_the_usefulness_notes_a_real_council_file_has():
    issues = {i.check for i in quality_report([_grant(beneficiaryLocation=[{"name": "Stone", "geoCode": "E05000001"}],
                                                       recipientOrganization=[{"id": "GB-CHC-1124590", "name": "S",
                                                                               "postalCode": "ST15 8BH"}],
                                                       dataSource="https://example.org/grants",
                                                       dateModified="2025-01-01T00:00:00Z",
                                                       grantProgramme=[{"code": "PHP", "title": "PHP"}])],
                                              today=date(2026, 1, 1))}
    assert issues == set()


# --- reading past grants --------------------------------------------------------------------------------


def test_reading_a_grant_reads_uk_dates_y_for_yes_and_pound_signs_and_says_so():
    reading = read_grant(_grant(awardDate="05/06/2014", fromOpenCall="Y", amountAwarded="£1,250.50"))
    assert reading.grant is not None
    assert reading.grant.awarded_on == date(2014, 6, 5)
    assert reading.grant.amount_pence == 125050
    assert {kind for kind, _, _ in reading.notes} == {"uk_dates", "open_call", "amount_text"}


def test_reading_a_broken_grant_reports_every_problem_with_its_field():
    reading = read_grant({"title": "", "currency": "USD", "amountAwarded": "lots", "awardDate": "31/02/2014"})
    assert reading.grant is None
    fields = {path[0] for path, _ in reading.problems}
    assert fields == {"id", "title", "currency", "amountAwarded", "awardDate", "recipientOrganization"}
    messages = dict((path[0], m) for path, m in reading.problems)
    assert "USD" in messages["currency"] and "GBP" in messages["currency"]
    assert "not a real date" in messages["awardDate"]
    assert "lots" in messages["amountAwarded"]


def test_charity_and_company_numbers_come_from_the_org_id_when_the_field_is_blank():
    reading = read_grant(_grant(recipientOrganization=[{"id": "GB-COH-4530979", "name": "Somerset CF"}]))
    assert reading.grant.company_number == "04530979"
    assert reading.grant.org_type == "company_limited_by_guarantee"
    reading = read_grant(_grant(recipientOrganization=[{"id": "GB-SC-SC022910", "name": "Foundation Scotland"}]))
    assert reading.grant.charity_number == "SC022910"
    reading = read_grant(_grant(recipientOrganization=[{"id": "360G-x-group", "name": "Group"}]))
    assert reading.grant.org_id is None and reading.grant.org_type == "community_group"


def test_a_grant_repeated_in_a_package_is_refused_as_the_schemas_unique_items_asks():
    problems = check_package({"grants": [_grant(), _grant(id="360G-test-2"), _grant()]})
    assert [(p.grant, p.message) for p in problems] == [
        (2, "is the same as grant 1; every grant in a package must be different")]


def test_checking_grant_by_grant_finds_what_checking_the_whole_package_at_once_finds(shared_dir):
    """The plain jsonschema run over the whole package (slow: it compares every pair of grants) is the
    oracle for the grant-by-grant check, on a real file with errors."""
    from grantdesk.io.g360_schema import validator

    package = json.loads((shared_dir / "360giving" / "samples" /
                          "grantnav_testdata_lloyds_bank_foundation_a002400000OiDBQAA3.json").read_text(encoding="utf-8"),
                         parse_float=Decimal)
    package["grants"] = package["grants"][:300] + [package["grants"][5]]
    whole = sorted((tuple(e.absolute_path), e.validator) for e in validator().iter_errors(package))
    mine = check_package(package)
    assert len(mine) == len(whole) > 300
    assert [p.grant for p in mine if "same as grant" in p.message] == [300]
