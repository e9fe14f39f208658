"""Subject access and erasure on request (issue 23.2, 23.3): find a person across contacts, individual
applicants, panellists and members; everything held about them (JSON and PDF, service and CLI); erasure
refused while an award holds the record (saying until when), otherwise done and audited with counts."""

import json
from datetime import date

import pytest
from helpers import ACTOR
from people_helpers import build_people as _people
from sqlalchemy import select

from grantdesk.cli import main
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.retention import REMOVED_ON_REQUEST
from grantdesk.services.people import erase_person, erasure_check, find_people, parse_person_id, subject_access
from grantdesk.store.models import Application, Attachment, AuditEntry, Contact, Organisation


def test_ids_are_typed():
    assert str(parse_person_id(" Contact:12 ")) == "contact:12"
    with pytest.raises(ValidationError, match="kind:number"):
        parse_person_id("12")
    with pytest.raises(ValidationError, match="contact, individual, panellist, member"):
        parse_person_id("user:3")


def test_find_a_person_by_name_email_or_phone_in_any_case_across_every_kind(db):
    ids = _people(db)
    assert [h.person_id for h in find_people(db, "ann other")] == [f"contact:{ids['ann']}"]
    assert [h.person_id for h in find_people(db, "BOB@EXAMPLE")] == [f"contact:{ids['bob']}"]
    assert [h.person_id for h in find_people(db, "01632-960 555")] == [f"contact:{ids['bob']}"]
    assert {h.person_id for h in find_people(db, "jo bloggs")} == {f"individual:{ids['jo']}",
                                                                    f"contact:{ids['jo_contact']}"}
    assert [(h.person_id, h.where) for h in find_people(db, "carol")] == \
        [(f"panellist:{ids['carol']}", "Residents' panel (PPL)")]
    assert [h.person_id for h in find_people(db, "dave@council")] == [f"member:{ids['dave']}"]
    assert find_people(db, "nobody-at-all") == []
    with pytest.raises(ValidationError, match="at least two"):
        find_people(db, " a ")


def test_subject_access_gives_everything_held_about_them(db, tmp_path):
    ids = _people(db)
    got = subject_access(db, f"contact:{ids['ann']}").as_json()
    assert got["details"]["E-mail"] == "ann@example.org" and got["details"]["Organisation"] == "Testville Lunch Club"
    [app] = got["applications"]
    assert app["reference"] == ids["awarded_ref"] and app["award"]["amount"] == "£400.00"
    assert [h["to"] for h in app["history"]] == ["draft", "submitted", "eligible", "shortlisted", "awarded"]
    assert got["letters"] == [{"reference": ids["awarded_ref"], "kind": "award", "languages": "en",
                               "dated": "2026-06-02", "recorded": got["letters"][0]["recorded"]}]
    where = {n["where"] for n in got["notes_naming_them"]}
    assert {"application summary", "panel notes (Residents' panel)"} <= where
    assert any(e["action"] == "contact.create" for e in got["audit"])
    assert any(e["action"] == "letter.produce" for e in got["audit"])
    carol = subject_access(db, f"panellist:{ids['carol']}").as_json()
    assert carol["activity"][0]["what"] == "score" and carol["activity"][0]["text"] == "4 strong"
    jo = subject_access(db, f"individual:{ids['jo']}").as_json()
    assert jo["details"]["Postcode"] == "TE1 1ST" and jo["applications"][0]["documents"][0]["filename"] == \
        "jo-passport.jpg"

    out = tmp_path / "ann.json"
    assert main(["people", "export", f"contact:{ids['ann']}", "--out", str(out), "--db", str(db.location.path)]) == 0
    assert json.loads(out.read_text())["details"]["Name"] == "Ann Other"
    pdf = tmp_path / "ann.pdf"
    assert main(["people", "export", f"contact:{ids['ann']}", "--out", str(pdf), "--db", str(db.location.path)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "Ann Other" in text and ids["awarded_ref"] in text and "Letters sent" in text


def test_erasure_is_refused_while_an_award_holds_the_record_and_says_until_when(db):
    ids = _people(db)
    check = erasure_check(db, f"contact:{ids['ann']}", as_of=date(2027, 1, 1))
    assert not check.allowed and "31 March 2033" in check.reasons[0]
    with pytest.raises(ValidationError, match="31 March 2033"):
        erase_person(db, f"contact:{ids['ann']}", as_of=date(2027, 1, 1), actor=ACTOR)
    with db.session() as s:
        assert s.get(Contact, ids["ann"]).name == "Ann Other"
    # ... and the member who scored nothing, but the panellist who scored the award, likewise
    assert not erasure_check(db, f"panellist:{ids['carol']}", as_of=date(2027, 1, 1)).allowed
    assert erasure_check(db, f"panellist:{ids['carol']}", as_of=date(2033, 4, 1)).allowed


def test_erasing_a_contact_removes_their_details_and_their_name_from_the_text_and_is_audited(db):
    ids = _people(db)
    result = erase_person(db, f"contact:{ids['bob']}", as_of=date(2027, 1, 1), actor=ACTOR)
    assert result.erased.contacts == 1 and result.erased.texts == 1
    with db.session() as s:
        bob = s.get(Contact, ids["bob"])
        assert (bob.name, bob.email, bob.phone) == (REMOVED_ON_REQUEST, "", "") and bob.erased_at is not None
        assert s.get(Application, ids["withdrawn"]).history[-1].reason == "[removed] phoned [removed]"
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "people.erase")).one()
        assert "Bob" not in entry.summary and "bob@" not in json.dumps(entry.after)
    assert find_people(db, "bob") == []
    with pytest.raises(ValidationError, match="removed already"):
        erase_person(db, f"contact:{ids['bob']}", actor=ACTOR)


def test_erasing_an_individual_applicant_erases_them_as_retention_does(db, capsys):
    ids = _people(db)
    path = str(db.location.path)
    assert main(["people", "erase", f"individual:{ids['jo']}", "--yes", "--db", path]) == 0
    assert "Erased" in capsys.readouterr().out
    with db.session() as s:
        jo = s.get(Organisation, ids["jo"])
        assert (jo.name, jo.address, jo.postcode) == (REMOVED_ON_REQUEST, "", "") and jo.erased_at is not None
        solo = s.get(Application, ids["solo"])
        assert solo.title == REMOVED_ON_REQUEST and solo.erased_at is not None and solo.amount_requested_pence == 30000
        assert s.scalars(select(Attachment).where(Attachment.application_id == ids["solo"])).all() == []
        assert s.get(Contact, ids["jo_contact"]).name == REMOVED_ON_REQUEST
        assert "Jo Bloggs" not in solo.history[-1].reason
    # the CLI says why a refusal is one
    assert main(["people", "erase", f"contact:{ids['ann']}", "--yes", "--db", path]) == 1
    assert "legal basis" in capsys.readouterr().err


def test_people_find_on_the_command_line(db, capsys):
    ids = _people(db)
    assert main(["people", "find", "OTHER", "--json", "--db", str(db.location.path)]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [f["id"] for f in found] == [f"contact:{ids['ann']}"]
    assert main(["people", "find", "other", "--db", str(db.location.path)]) == 0
    assert f"contact:{ids['ann']}" in capsys.readouterr().out
