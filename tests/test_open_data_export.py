"""Publishing the sample funds to 360Giving and under the Transparency Code."""

from __future__ import annotations

import csv
import json
import shutil
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grantdesk.cli import main
from grantdesk.domain.errors import ValidationError
from grantdesk.io.g360_schema import check_package, schema_dir
from grantdesk.services import open_data
from grantdesk.store.models import Application, Award, Contact, Fund, Organisation

FUNDS = ("PHP", "BBL", "RHYL")


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


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
    return _load(out)


@pytest.mark.parametrize("code", FUNDS)
def test_each_sample_fund_publishes_a_file_that_passes_the_official_schema(sample_db, tmp_path, code):
    publication = open_data.prepare_360giving(sample_db, code)
    assert publication.valid and publication.count > 0
    with sample_db.session() as s:
        awards = s.scalar(select(func.count()).select_from(Award).join(Application)
                          .join(Fund).where(Fund.code == code, Award.historical.is_(False)))
        paid_total = s.scalar(select(func.sum(Award.amount_pence)).join(Application).join(Fund)
                              .where(Fund.code == code))
    assert publication.count == awards
    assert publication.total_pence == paid_total
    target = tmp_path / f"{code}.json"
    open_data.publish_360giving(sample_db, publication, target)
    written = _load(target)
    assert check_package(written) == []  # read back from disk, checked again
    assert written["version"] == "1.4" and len(written["grants"]) == awards
    assert sum(Decimal(g["amountAwarded"]) for g in written["grants"]) * 100 == paid_total
    with sample_db.session() as s:  # the ids are now kept on the awards
        ids = set(s.scalars(select(Award.grant_id).join(Application).join(Fund).where(Fund.code == code)))
    assert ids == {g["id"] for g in written["grants"]}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_csv_and_xlsx_unflatten_with_360givings_own_converter_to_the_same_grants_as_the_json(sample_db, tmp_path, kind):
    publication = open_data.prepare_360giving(sample_db, "PHP")
    open_data.publish_360giving(sample_db, publication, tmp_path / "php.json")
    open_data.publish_360giving(sample_db, publication, tmp_path / f"php.{kind}")
    converted = _unflatten(tmp_path / f"php.{kind}", kind, tmp_path)
    assert converted["grants"] == _load(tmp_path / "php.json")["grants"]
    assert check_package(converted) == []


def test_the_csv_uses_the_standards_column_titles_in_the_templates_order(sample_db, tmp_path, shared_dir):
    open_data.publish_360giving(sample_db, open_data.prepare_360giving(sample_db, "BBL"), tmp_path / "bbl.csv")
    with (tmp_path / "bbl.csv").open(encoding="utf-8") as fh:
        headers = next(csv.reader(fh))
    with (shared_dir / "360giving" / "templates" / "grants-sheet-column-titles.csv").open(encoding="utf-8") as fh:
        template = [row["column_title"] for row in csv.DictReader(fh)]
    # the template's columns in its order; an unregistered group's ward follows the recipient's web address
    # under the schema's own titles (Recipient Org:Location:…), which flatten-tool reads the same way
    ward = [h for h in headers if h.startswith("Recipient Org:Location:")]
    assert ward and set(ward) <= {"Recipient Org:Location:Name", "Recipient Org:Location:Country Code",
                                  "Recipient Org:Location:Geographic Code",
                                  "Recipient Org:Location:Geographic Code Type"}
    standard = [h for h in headers if h not in ward]
    assert set(standard) <= set(template)
    assert standard == [t for t in template if t in standard]
    assert headers.index(ward[0]) == standard.index("Beneficiary Location:Name")
    assert {"Identifier", "Amount Awarded", "Recipient Org:Name", "Funding Org:Identifier"} <= set(headers)


def test_published_records_carry_the_funds_ids_programme_places_and_dates(sample_db):
    grants = {g["id"]: g for g in open_data.prepare_360giving(sample_db, "PHP").package["grants"]}
    grant = grants["360G-staffordshirecc-PHP-2025-0003"]
    assert grant["fundingOrganization"] == [{"id": "GB-LAE-STS", "name": "Staffordshire County Council"}]
    assert grant["grantProgramme"] == [{"code": "PHP", "title": "People Helping People"}]
    assert grant["recipientOrganization"][0]["id"] == "GB-CHC-1124590"
    assert grant["beneficiaryLocation"][0]["name"] == "Stone Urban"
    assert grant["plannedDates"] == [{"startDate": "2025-06-15", "endDate": "2025-08-31", "duration": 3}]
    assert grant["fromOpenCall"] == "Yes"
    unregistered = [g for g in grants.values() if g["recipientOrganization"][0]["id"].startswith("360G-")]
    assert unregistered and all(g["recipientOrganization"][0]["id"].startswith("360G-staffordshirecc-")
                                for g in unregistered)


def test_no_contact_details_leave_the_app_and_unregistered_groups_publish_no_address(sample_db, tmp_path):
    publication = open_data.prepare_360giving(sample_db, "PHP")
    open_data.publish_360giving(sample_db, publication, tmp_path / "php.json")
    text = (tmp_path / "php.json").read_text(encoding="utf-8")
    with sample_db.session() as s:
        contacts = s.execute(select(Contact.name, Contact.email, Contact.phone)).all()
        unregistered = s.execute(select(Organisation.name, Organisation.address, Organisation.postcode)
                                 .where(Organisation.charity_number.is_(None), Organisation.company_number.is_(None),
                                        Organisation.postcode != "")).all()
    assert contacts and unregistered
    for _name, email, phone in contacts:
        assert (not email or email not in text) and (not phone or phone not in text)
    grants = publication.package["grants"]
    by_name = {g["recipientOrganization"][0]["name"]: g["recipientOrganization"][0] for g in grants}
    for name, _address, _postcode in unregistered:
        if name in by_name:
            assert "postalCode" not in by_name[name] and "streetAddress" not in by_name[name]


def test_contact_details_typed_into_a_summary_are_taken_out(sample_db):
    with sample_db.unit_of_work() as uow:
        app = uow.session.scalar(select(Application).where(Application.reference == "PHP-2025-0003"))
        app.summary = "Tents for camp. Ring Akua on 07700 900456 or e-mail akua@example.org to help."
        uow.commit()
    publication = open_data.prepare_360giving(sample_db, "PHP")
    grant = next(g for g in publication.package["grants"] if g["id"].endswith("PHP-2025-0003"))
    assert grant["description"] == "Tents for camp. Ring Akua on [removed] or e-mail [removed] to help."
    assert publication.contact_details_removed == 2
    assert "email" not in {q.check for q in publication.quality}


def test_a_grant_to_an_individual_publishes_nothing_that_identifies_them(sample_db):
    with sample_db.unit_of_work() as uow:
        app = uow.session.scalar(select(Application).where(Application.reference == "PHP-2025-0003"))
        app.organisation.org_type = "individual"
        app.organisation.name = "Jane Q. Resident"
        app.title = "Jane's hearing aid"
        uow.commit()
    publication = open_data.prepare_360giving(sample_db, "PHP")
    assert publication.valid and publication.individuals == 1
    grant = next(g for g in publication.package["grants"] if g["id"].endswith("PHP-2025-0003"))
    assert grant["recipientIndividual"] == {"id": "360G-staffordshirecc-PHP-2025-0003-IND",
                                            "name": "Individual Recipient"}
    assert "recipientOrganization" not in grant
    text = json.dumps(grant, default=str)
    assert "Jane" not in text and "hearing" not in text and "1124590" not in text


def test_a_grants_id_never_changes_once_published_even_if_the_prefix_does(sample_db, tmp_path):
    first = open_data.prepare_360giving(sample_db, "BBL")
    open_data.publish_360giving(sample_db, first, tmp_path / "a.json")
    details = open_data.publishing_details(sample_db, "BBL")
    open_data.set_publishing_details(sample_db, "BBL", open_data.PublishingDetails(
        **{**details.__dict__, "prefix": "360G-oxfordcity", "data_source": "https://www.oxford.gov.uk/grants"}))
    again = open_data.prepare_360giving(sample_db, "BBL")
    assert [g["id"] for g in again.package["grants"]] == [g["id"] for g in first.package["grants"]]
    assert all(g["dataSource"] == "https://www.oxford.gov.uk/grants" for g in again.package["grants"])
    assert "no_data_source" not in {q.check for q in again.quality}


def test_publishing_details_are_checked_before_they_are_saved(sample_db):
    details = open_data.publishing_details(sample_db, "PHP")
    with pytest.raises(ValidationError, match="starts 360G-"):
        open_data.set_publishing_details(sample_db, "PHP", open_data.PublishingDetails(
            **{**details.__dict__, "prefix": "staffordshire"}))
    with pytest.raises(ValidationError, match="GB-LAE"):
        open_data.set_publishing_details(sample_db, "PHP", open_data.PublishingDetails(
            **{**details.__dict__, "funder_id": "STAFFS"}))
    assert open_data.publishing_details(sample_db, "PHP") == details


def test_a_fund_without_a_prefix_cannot_publish_and_says_how_to_fix_it(sample_db):
    with sample_db.unit_of_work() as uow:
        uow.session.scalar(select(Fund).where(Fund.code == "RHYL")).prefix_360g = None
        uow.commit()
    with pytest.raises(ValidationError, match="no 360Giving prefix yet"):
        open_data.prepare_360giving(sample_db, "RHYL")


def test_a_package_that_breaks_the_schema_is_not_written(sample_db, tmp_path):
    with sample_db.unit_of_work() as uow:
        uow.session.scalar(select(Fund).where(Fund.code == "BBL")).currency = "XXQ"
        uow.commit()
    publication = open_data.prepare_360giving(sample_db, "BBL")
    assert not publication.valid
    assert all(p.path == ("currency",) for p in publication.schema_problems)
    target = tmp_path / "bbl.json"
    with pytest.raises(open_data.PublishRefused, match="break the 360Giving schema"):
        open_data.publish_360giving(sample_db, publication, target)
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if "bbl" in p.name]  # no temporary file left either
    with sample_db.session() as s:
        assert s.scalar(select(func.count()).select_from(Award).where(Award.grant_id.is_not(None))) == 0


def test_a_period_publishes_only_the_awards_made_in_it(sample_db):
    everything = open_data.prepare_360giving(sample_db, "PHP")
    dates = sorted(date.fromisoformat(g["awardDate"]) for g in everything.package["grants"])
    cut = dates[len(dates) // 2]
    later = open_data.prepare_360giving(sample_db, "PHP", since=cut)
    assert later.count == sum(1 for d in dates if d >= cut) and 0 < later.count < everything.count


def test_the_transparency_code_csv_has_the_codes_fields_for_voluntary_organisations(sample_db, tmp_path):
    result = open_data.publish_transparency(sample_db, "PHP", tmp_path / "tc.csv")
    with (tmp_path / "tc.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["Date awarded", "Time period", "Awarding department", "Beneficiary",
                             "Beneficiary registration number", "Summary of purpose", "Amount", "Grant reference"]
    table = open_data.prepare_transparency(sample_db, "PHP")
    with sample_db.session() as s:
        kinds = dict(s.execute(select(Application.reference, Organisation.org_type).join(Organisation)).all())
    assert table.left_out == sum(1 for r in open_data.prepare_360giving(sample_db, "PHP").package["grants"]
                                 if kinds[r["id"].removeprefix("360G-staffordshirecc-")] not in
                                 {"registered_charity", "cio", "charitable_company", "company_limited_by_guarantee",
                                  "cic", "community_group", "faith_group", "social_enterprise"})
    assert len(rows) == result.count == len(table.rows)
    scouts = next(r for r in rows if r["Beneficiary"] == "Stone Riverside Scout Group")
    assert scouts == {"Date awarded": "2025-05-30", "Time period": "2025-06-15 to 2025-08-31",
                      "Awarding department": "Staffordshire County Council",
                      "Beneficiary": "Stone Riverside Scout Group", "Beneficiary registration number": "1124590",
                      "Summary of purpose": scouts["Summary of purpose"], "Amount": "1500.00",
                      "Grant reference": "PHP-2025-0003"}


def test_the_export_commands_write_files_and_print_what_they_did(sample_path, tmp_path, capsys):
    out = tmp_path / "php.xlsx"
    assert main(["export", "360giving", "--fund", "PHP", "--out", str(out), "--db", str(sample_path)]) == 0
    printed = capsys.readouterr()
    assert "passes the official 360Giving schema" in printed.out and out.exists()
    assert "quality: " in printed.err
    assert main(["export", "transparency", "--fund", "BBL", "--out", str(tmp_path / "tc.csv"),
                 "--db", str(sample_path)]) == 0
    assert "Wrote 14 grants" in capsys.readouterr().out
    assert main(["export", "360giving", "--fund", "PHP", "--out", str(tmp_path / "x.txt"),
                 "--db", str(sample_path)]) == 1
    assert ".json, .csv or .xlsx" in capsys.readouterr().err


def test_an_areas_ons_code_is_checked_recorded_and_published_as_a_ward_code(sample_path, capsys):
    from grantdesk.services.funds import set_area_code

    assert main(["areas", "--fund", "BBL", "--set-code", "blackbird leys", "e05013035", "--db", str(sample_path)]) == 0
    assert "Blackbird Leys: ONS code E05013035." in capsys.readouterr().out
    assert main(["areas", "--fund", "BBL", "--set-code", "Blackbird Leys", "OX4 5BQ", "--db", str(sample_path)]) == 1
    assert "is not an ONS code" in capsys.readouterr().err
    from grantdesk.store.database import open_database
    from grantdesk.config import database_location

    with open_database(database_location(sample_path)) as db:
        with pytest.raises(Exception, match="no area called"):
            set_area_code(db, "BBL", "Cowley", "E05000001")
        grants = open_data.prepare_360giving(db, "BBL").package["grants"]
    leys = [g["beneficiaryLocation"][0] for g in grants if g["beneficiaryLocation"][0]["name"] == "Blackbird Leys"]
    assert leys and all(loc["geoCode"] == "E05013035" and loc["geoCodeType"] == "WD" for loc in leys)
    others = [g["beneficiaryLocation"][0] for g in grants if g["beneficiaryLocation"][0]["name"] != "Blackbird Leys"]
    assert all("geoCode" not in loc for loc in others)


def test_the_schema_check_reports_progress_and_a_cancel_stops_it(tmp_path):
    """On a 1,200-award fund the check reports every 500 grants; raising from the report cancels."""
    import importlib.util

    from grantdesk.config import database_location
    from grantdesk.store.database import open_database

    spec = importlib.util.spec_from_file_location("bench_data", Path(__file__).parent / "bench" / "data.py")
    bench_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_data)  # the benchmarks' database builder, used here for 1,200 awards
    path = bench_data.build(tmp_path / "big.db", 1200)
    with open_database(database_location(path)) as db:
        with db.unit_of_work() as uow:
            apps = uow.session.scalars(select(Application)).all()
            for app in apps:
                uow.session.add(Award(application_id=app.id, amount_pence=app.amount_requested_pence,
                                      awarded_on=date(2025, 6, 1), purpose=app.title))
            uow.commit()
        seen = []

        class Listen:
            def report(self, done, total, label):
                seen.append((done, total))

        publication = open_data.prepare_360giving(db, "BIG", progress=Listen())
        assert publication.valid and publication.count == 1200
        assert seen == [(0, 1200), (500, 1200), (1000, 1200)]

        class Cancel:
            def report(self, done, total, label):
                if done >= 500:
                    raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            open_data.prepare_360giving(db, "BIG", progress=Cancel())
