"""The import uses the check's work again when nothing it read has changed (issue 18, Performance): the
row check when the fund, mapping, constants and day are as they were, and who is who with the likely
duplicates when, besides, the decisions are the same and nothing was written in between. Whatever
changed is worked out afresh, so a stale plan never decides who is who."""

from pathlib import Path

import pytest
from helpers import ACTOR, build_fund
from sqlalchemy import func, select

from grantdesk.io.tabular import read_table, write_csv
from grantdesk.services import applications, imports, organisations
from grantdesk.services.audit_trail import verify_audit_chain
from grantdesk.store.models import Organisation

HEADERS = ["Organisation", "Organisation type", "Charity number", "Contact name", "Contact e-mail",
           "Project title", "Amount requested"]
ROWS = [
    ["Riverside Scouts", "charity", "1199999", "Kim Lee", "kim@example.org", "New tents", "900"],
    ["Testville Lunch Club Garden", "charity", "1100001", "Ann Other", "ann@example.org", "Seeds", "100"],
    ["Hill Choir", "community group", "n/a", "Raj Patel", "raj@example.org", "Music stands", "250"],
    ["Hill Choir", "community group", "", "Raj Patel", "raj@example.org", "Music stands!", "250"],
]


def csv_file(tmp_path: Path, rows, name="export.csv") -> Path:
    path = tmp_path / name
    write_csv(path, HEADERS, rows)
    return path


@pytest.fixture
def passes(monkeypatch):
    """How many times who is who is worked out."""
    calls = []
    original = imports._who_and_duplicates

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(imports, "_who_and_duplicates", counted)
    return calls


DECISIONS = {"3:organisation": "different", "5:duplicate": "skip"}


def test_with_the_same_decisions_and_nothing_written_since_the_import_uses_the_checks_work(db, tmp_path, passes):
    build_fund(db)
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, ROWS)), decisions=DECISIONS)
    assert plan.ready and len(passes) == 1
    assert [(r.row, r.organisation, r.new_organisation) for r in plan.rows] == [
        (2, "Riverside Scouts", True), (3, "Testville Lunch Club Garden", True), (4, "Hill Choir", True)]

    result = imports.run_import(db, plan)
    assert len(passes) == 1  # worked out once, in the check
    assert (result.imported, result.skipped_duplicates) == (3, 1)
    assert result.rows == plan.rows
    got = {a.title: a.organisation for a in applications.list_applications(db, "TST")}
    assert got == {"New tents": "Riverside Scouts", "Seeds": "Testville Lunch Club Garden",
                   "Music stands": "Hill Choir"}

    assert verify_audit_chain(db).ok  # the organisations' and contacts' entries are chained like any other

    again = imports.check_import(db, "TST", read_table(csv_file(tmp_path, ROWS, name="again.csv")))
    assert again.rows == [] and len(again.already_imported) == 4  # three imported, one skipped by decision


def test_other_decisions_are_worked_out_afresh(db, tmp_path, passes):
    build_fund(db)
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, ROWS)))
    assert [m.key for m in plan.matches] == ["3:organisation"] and [d.key for d in plan.duplicates] == ["5:duplicate"]
    result = imports.run_import(db, plan, decisions={"3:organisation": "same", "5:duplicate": "import"})
    assert len(passes) == 2
    assert result.imported == 4
    got = {a.title: a.organisation for a in applications.list_applications(db, "TST")}
    assert got["Seeds"] == "Testville Lunch Club"  # the officer said it is the same group


def test_an_organisation_recorded_between_the_check_and_the_import_is_a_match_to_confirm(db, tmp_path, passes):
    build_fund(db)
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, ROWS)), decisions=DECISIONS)
    assert plan.ready and plan.matches[0].key == "3:organisation"
    with db.unit_of_work() as uow:  # meanwhile, someone records the scouts' charity number under another name
        organisations.find_or_add_organisation(uow.session, actor=ACTOR, name="Riverside District Scouts",
                                               org_type="registered_charity", charity_number="1199999")
        uow.commit()

    with pytest.raises(imports.DecisionsNeeded) as refused:
        imports.run_import(db, plan)
    assert len(passes) == 2  # the plan's who is who was not used: the database had changed
    assert [(m.key, m.stored) for m in refused.value.matches] == [("2:organisation", "Riverside District Scouts")]
    with db.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Organisation)) == 2  # nothing imported


def test_a_cancelled_import_can_be_run_again_from_the_same_plan(db, tmp_path, passes):
    build_fund(db)
    plan = imports.check_import(db, "TST", read_table(csv_file(tmp_path, ROWS)), decisions=DECISIONS)

    class Cancel(Exception):
        pass

    class CancelWhenSaving:
        def report(self, done, total, label):
            if label == imports.SAVING:
                raise Cancel

    with pytest.raises(Cancel):
        imports.run_import(db, plan, progress=CancelWhenSaving())
    assert applications.list_applications(db, "TST") == []
    assert imports.run_import(db, plan).imported == 3
    assert len(passes) == 1  # nothing was kept of the cancelled one, so the check's work still held
