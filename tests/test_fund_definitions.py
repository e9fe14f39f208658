"""Fund definition files and the set-up services: a fund made from a file, exported and made again is
the same fund; a file with a mistake is refused by key with nothing written; a change that would
contradict what is already decided is refused with the reason."""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
import tomli_w

from grantdesk.cli import main as cli
from grantdesk.config import database_location
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.fund_definition import AreaSpec, DefinitionError, MemberSpec, RoundSpec, read_definition
from grantdesk.domain.fund_settings import settings_of
from grantdesk.services import fund_setup
from grantdesk.services.funds import list_funds
from grantdesk.services.samples import samples_dir
from grantdesk.store.database import open_database

SAMPLE_ONLY = ("sample", "organisations", "applications", "events")


def definition_file(sample: str, tmp_path: Path, change=None) -> Path:
    """A sample's fund as a definition file (the sample without its invented applicants)."""
    with (samples_dir() / f"{sample}.toml").open("rb") as fh:
        data = {k: v for k, v in tomllib.load(fh).items() if k not in SAMPLE_ONLY}
    if change:
        change(data)
    path = tmp_path / f"{sample}-definition.toml"
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


def new_db(tmp_path: Path, name: str):
    return open_database(database_location(tmp_path / name), create=True)


@pytest.mark.parametrize("sample", ["staffordshire-php", "oxford-blackbird-leys", "denbighshire-rhyl"])
def test_a_fund_exported_and_created_in_a_new_database_is_the_same_fund(tmp_path, sample):
    with new_db(tmp_path, "first.db") as db:
        made = fund_setup.create_fund_from_file(db, definition_file(sample, tmp_path))
        first = fund_setup.fund_definition(db, made.fund_code)
    exported = tmp_path / "exported.toml"
    assert cli(["funds", "export", made.fund_code, "--out", str(exported), "--db", str(tmp_path / "first.db")]) == 0
    assert cli(["funds", "create", "--from", str(exported), "--db", str(tmp_path / "second.db")]) == 0
    with open_database(database_location(tmp_path / "second.db")) as db:
        second = fund_setup.fund_definition(db, made.fund_code)
    assert second == first
    assert first.areas and first.rounds  # something real went round, not two empty funds


def test_the_staffordshire_definition_makes_a_councillor_per_division_with_their_pot(tmp_path):
    with new_db(tmp_path, "php.db") as db:
        made = fund_setup.create_fund_from_file(db, definition_file("staffordshire-php", tmp_path))
        setup = fund_setup.fund_setup(db, "PHP")
    assert (made.areas, made.members, made.rounds) == (20, 20, 2)
    assert {m.spec.area for m in setup.members} == {a.spec.name for a in setup.areas}
    assert all(a.amount_pence == 250_000 for m in setup.members for a in m.spec.allotments)
    settings = settings_of(setup.definition.fund.settings)
    assert (settings.apply_by_month_day, settings.spend_by_month_day) == ("10-31", "03-20")
    assert settings.match_funding_percent == 50  # written "50%" under its old name, match_funding_share
    assert "maximum" in settings.notes  # free text that enforces nothing is a note, not a rule


def test_the_oxford_definition_makes_a_panel_of_seven_with_three_weighted_criteria(tmp_path):
    with new_db(tmp_path, "bbl.db") as db:
        fund_setup.create_fund_from_file(db, definition_file("oxford-blackbird-leys", tmp_path))
        [panel] = fund_setup.fund_setup(db, "BBL").panels
    assert len(panel.spec.panellists) == 7
    assert [c.weight for c in panel.spec.criteria] == [3, 2, 1]
    assert panel.round_id is not None


def mistakes(data):
    data["members"][2]["area"] = "Nowhere"
    data["members"][3]["allotments"][0]["amount"] = "-5.00"
    data["rounds"][1]["closes_on"] = data["rounds"][1]["opens_on"].replace(year=2020)
    data["areas"][5]["name"] = data["areas"][4]["name"]
    data["fund"]["settings"]["themes"] = 3
    data["fund"]["funder_org_id"] = "STAFFS"


def test_a_file_with_mistakes_is_refused_by_key_and_nothing_is_written(tmp_path, capsys):
    path = definition_file("staffordshire-php", tmp_path, mistakes)
    target = tmp_path / "empty.db"
    assert cli(["db", "init", "--db", str(target)]) == 0
    capsys.readouterr()
    assert cli(["funds", "create", "--from", str(path), "--db", str(target)]) == 1
    said = capsys.readouterr().err
    for key in ("members[3].area", "members[4].allotments[1].amount", "rounds[2].closes_on", "areas[6].name",
                "fund.settings.themes", "fund.funder_org_id"):
        assert key in said, key
    assert "nothing was written" in said
    with open_database(database_location(target)) as db:
        assert list_funds(db) == []


def test_a_duplicate_fund_code_is_refused_and_the_first_fund_is_untouched(tmp_path):
    path = definition_file("denbighshire-rhyl", tmp_path)
    with new_db(tmp_path, "twice.db") as db:
        fund_setup.create_fund_from_file(db, path)
        with pytest.raises(ValidationError, match="already exists"):
            fund_setup.create_fund_from_file(db, path)
        assert [f.code for f in list_funds(db)] == ["RHYL"]


def test_a_member_in_an_area_the_file_does_not_list_is_named(tmp_path):
    data = {"fund": {"code": "AB", "name": "A", "council": "B", "decision_model": "member"},
            "areas": [{"name": "North"}], "members": [{"name": "Cllr X", "area": "South"}]}
    with pytest.raises(DefinitionError) as refused:
        read_definition(data)
    assert refused.value.problems == [("members[1].area", "“South” is not one of the fund's [[areas]]")]


def test_funds_show_json_gives_everything_that_defines_the_fund(tmp_path, capsys):
    with new_db(tmp_path, "show.db") as db:
        fund_setup.create_fund_from_file(db, definition_file("oxford-blackbird-leys", tmp_path))
    capsys.readouterr()
    assert cli(["funds", "show", "BBL", "--json", "--db", str(tmp_path / "show.db")]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) == {"fund", "questions", "areas", "rounds", "panels"}
    assert shown["rounds"][0]["opens_on"].count("-") == 2  # ISO dates
    assert len(shown["panels"][0]["panellists"]) == 7


def test_areas_members_and_rounds_can_be_added_from_the_command_line(tmp_path, capsys):
    where = str(tmp_path / "add.db")
    with new_db(tmp_path, "add.db") as db:
        fund_setup.create_fund_from_file(db, definition_file("staffordshire-php", tmp_path))
    assert cli(["areas", "add", "--fund", "PHP", "Stone Rural", "--kind", "division", "--ons-code", "E58001234",
                "--db", where]) == 0
    assert cli(["members", "add", "--fund", "PHP", "--name", "Cllr Ann Other", "--area", "Stone Rural",
                "--allotment", "2026=2500", "--db", where]) == 0
    assert cli(["rounds", "add", "--fund", "PHP", "--name", "People Helping People {fy}", "--year", "2027",
                "--opens", "2027-04-01", "--closes", "2027-10-31", "--budget", "£50,000", "--db", where]) == 0
    assert cli(["members", "add", "--fund", "PHP", "--name", "Cllr Nowhere", "--area", "Atlantis", "--db", where]) == 1
    assert "Atlantis" in capsys.readouterr().err
    with open_database(database_location(tmp_path / "add.db")) as db:
        setup = fund_setup.fund_setup(db, "PHP")
    assert AreaSpec("Stone Rural", "division", "E58001234") in [a.spec for a in setup.areas]
    added = next(m for m in setup.members if m.spec.name == "Cllr Ann Other")
    assert (added.spec.area, [(a.year, a.amount_pence) for a in added.spec.allotments]) == ("Stone Rural",
                                                                                           [(2026, 250_000)])
    assert [(r.spec.title, r.spec.budget_pence) for r in setup.rounds][-1] == ("People Helping People 2027–28",
                                                                               5_000_000)


# --- changes refused where they contradict what is decided (on the loaded samples) --------------------


def test_an_allotment_below_what_a_member_has_committed_is_refused(sample_db):
    setup = fund_setup.fund_setup(sample_db, "PHP")
    member = next(m for m in setup.members if any(m.committed_pence.values()))
    year, committed = next((y, c) for y, c in member.committed_pence.items() if c)
    lower = tuple(replace(a, amount_pence=committed - 1) if a.year == year else a for a in member.spec.allotments)
    with pytest.raises(ValidationError, match="already committed") as refused:
        fund_setup.change_member(sample_db, "PHP", member.id, replace(member.spec, allotments=lower))
    assert refused.value.field == "allotments"
    again = next(m for m in fund_setup.fund_setup(sample_db, "PHP").members if m.id == member.id)
    assert again.spec == member.spec  # nothing changed
    enough = tuple(replace(a, amount_pence=committed) if a.year == year else a for a in member.spec.allotments)
    fund_setup.change_member(sample_db, "PHP", member.id, replace(member.spec, allotments=enough))


def test_round_dates_that_leave_out_submitted_applications_are_refused(sample_db):
    rnd = next(r for r in fund_setup.fund_setup(sample_db, "PHP").rounds if r.submitted)
    later = replace(rnd.spec, opens_on=rnd.spec.closes_on)
    with pytest.raises(ValidationError, match="must include it") as refused:
        fund_setup.change_round(sample_db, "PHP", rnd.id, later)
    assert refused.value.field == "opens_on"
    bigger = replace(rnd.spec, budget_pence=10_000_000)
    assert fund_setup.change_round(sample_db, "PHP", rnd.id, bigger).budget_pence == 10_000_000


def test_a_budget_below_what_the_round_has_awarded_is_refused(sample_db):
    rnd = next(r for r in fund_setup.fund_setup(sample_db, "BBL").rounds if r.awarded_pence)
    with pytest.raises(ValidationError, match="already awarded"):
        fund_setup.change_round(sample_db, "BBL", rnd.id, replace(rnd.spec, budget_pence=rnd.awarded_pence - 1))


def test_a_round_already_beyond_its_budget_by_a_reasoned_award_can_still_change_its_dates(sample_db):
    rnd = next(r for r in fund_setup.fund_setup(sample_db, "BBL").rounds if r.awarded_pence)
    from grantdesk.store.models import Round

    with sample_db.session() as s:  # as a reasoned award beyond the budget leaves it
        s.get(Round, rnd.id).budget_pence = rnd.awarded_pence - 100
        s.commit()
    over = next(r for r in fund_setup.fund_setup(sample_db, "BBL").rounds if r.id == rnd.id)
    later = replace(over.spec, spend_by=over.spec.spend_by.replace(year=over.spec.spend_by.year + 1))
    assert fund_setup.change_round(sample_db, "BBL", rnd.id, later).spend_by == later.spend_by
    with pytest.raises(ValidationError, match="already awarded"):
        fund_setup.change_round(sample_db, "BBL", rnd.id, replace(later, budget_pence=over.spec.budget_pence - 1))


def test_an_area_that_applications_use_cannot_be_removed_but_an_unused_one_can(sample_db):
    setup = fund_setup.fund_setup(sample_db, "PHP")
    used = next(a for a in setup.areas if a.used_by)
    with pytest.raises(ValidationError, match="cannot be removed"):
        fund_setup.remove_area(sample_db, "PHP", used.spec.name)
    fund_setup.add_areas(sample_db, "PHP", [AreaSpec("Stone Rural", "division")])
    fund_setup.remove_area(sample_db, "PHP", "Stone Rural")
    assert "Stone Rural" not in {a.spec.name for a in fund_setup.fund_setup(sample_db, "PHP").areas}


def test_closing_and_reopening_a_round(db):
    from datetime import date, timedelta

    from grantdesk.domain.fund_definition import FundDefinition, FundSpec

    today = date.today()
    fund_setup.create_fund(db, FundDefinition(FundSpec("OFF", "Officers' fund", "Somewhere Council"), rounds=(
        RoundSpec("r", "Round {fy}", 2026, today - timedelta(days=10), today + timedelta(days=10)),)))
    [rnd] = fund_setup.fund_setup(db, "OFF").rounds
    assert rnd.state == "open"
    assert fund_setup.close_round(db, "OFF", rnd.id).closes_on == today
    with pytest.raises(ValidationError, match="is not open"):
        fund_setup.close_round(db, "OFF", rnd.id, on=today + timedelta(days=1))
    reopened = fund_setup.open_round(db, "OFF", rnd.id, on=today + timedelta(days=1))
    assert reopened.closes_on == today + timedelta(days=29)


def test_a_member_with_a_wrong_allotment_is_refused_by_the_service_too(db):
    from grantdesk.domain.fund_definition import AllotmentSpec, FundDefinition, FundSpec

    fund_setup.create_fund(db, FundDefinition(FundSpec("MEM", "Members", "Council", "member"),
                                              areas=(AreaSpec("North"),)))
    with pytest.raises(DefinitionError, match=r"allotments\[1\].amount"):
        fund_setup.add_member(db, "MEM", MemberSpec("Cllr A", "North", allotments=(AllotmentSpec(2026, -1),)))
    assert fund_setup.fund_setup(db, "MEM").members == ()
