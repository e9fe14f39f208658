"""People and roles: users with scrypt-hashed passwords and PINs, signing in (the operating-system login
on a SQLite file, a password otherwise), every audit entry naming the signed-in person, and each role's
limits enforced in the services."""

import pytest
from helpers import build_fund, build_vote_fund
from sqlalchemy import select

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.roles import Role
from grantdesk.services import events, users
from grantdesk.services.common import NotAllowed, SignInNeeded, require_role
from grantdesk.services.views import ViewCriteria, save_view
from grantdesk.store.models import AuditEntry, User
from grantdesk.voting.ballots import CastBallot


def _actors(db):
    with db.session() as s:
        return list(s.execute(select(AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.id)))


def _team(db):
    """The test login as manager, and an officer, a viewer and a kiosk with passwords."""
    users.add_user(db, "Test Officer", role="manager", display_name="Tess Officer")
    users.add_user(db, "olu", role="officer", password="officer-password")
    users.add_user(db, "vic", role="viewer", password="viewer-password")
    users.add_user(db, "kiosk1", role="kiosk", password="kiosk-password")


def test_passwords_and_pins_are_kept_only_as_salted_scrypt_hashes(db):
    users.add_user(db, "Test Officer", role="manager", password="a long password", pin="4321")
    with db.session() as s:
        user = s.scalar(select(User))
    assert user.password_hash.startswith("scrypt$") and "a long password" not in user.password_hash
    assert user.pin_hash.startswith("scrypt$") and user.pin_hash != users.hash_secret("4321")  # salted
    assert users.secret_matches(user.pin_hash, "4321") and not users.secret_matches(user.pin_hash, "4322")
    assert user.username == "test officer"


def test_a_database_with_no_users_works_as_before_with_the_login_as_manager(db):
    build_fund(db)
    save_view(db, "TST", "Mine", ViewCriteria())
    assert _actors(db)[-1] == ("Test Officer", "view.save")
    need = users.sign_in_need(db)
    assert need.need is users.Need.NOTHING and need.identity.role is Role.MANAGER and need.identity.unmanaged


def test_the_first_user_must_be_a_manager_and_the_last_manager_stays(db):
    with pytest.raises(ValidationError, match="first user must be a manager"):
        users.add_user(db, "olu", role="officer")
    users.add_user(db, "Test Officer", role="manager")
    with pytest.raises(ValidationError, match="only manager left"):
        users.disable_user(db, "test officer")
    with pytest.raises(ValidationError, match="already a user"):
        users.add_user(db, "TEST  officer", role="viewer")
    with pytest.raises(ValidationError, match="is not a role"):
        users.add_user(db, "x", role="wizard")


def test_on_a_sqlite_file_the_login_signs_in_and_every_entry_names_them(db, monkeypatch):
    build_fund(db)
    _team(db)
    monkeypatch.setenv("GRANTDESK_USER", "olu")
    assert users.sign_in_need(db).identity.username == "olu"
    save_view(db, "TST", "Olu's", ViewCriteria(), actor="Somebody Else")  # the actor given is not believed
    assert _actors(db)[-1] == ("olu", "view.save")


def test_a_login_with_a_pin_signs_in_with_it(db, monkeypatch):
    build_fund(db)
    users.add_user(db, "Test Officer", role="manager", pin="2468")
    need = users.sign_in_need(db)
    assert need.need is users.Need.PIN and need.username == "test officer"
    with pytest.raises(SignInNeeded, match="has a PIN"):
        save_view(db, "TST", "Mine", ViewCriteria())
    with pytest.raises(NotAllowed, match="do not match"):
        users.sign_in(db, "test officer", "1111")
    users.sign_in(db, "test officer", "2468")
    save_view(db, "TST", "Mine", ViewCriteria())
    assert _actors(db)[-1] == ("test officer", "view.save")


def test_a_login_that_is_not_a_user_may_look_but_not_change(db, monkeypatch):
    build_fund(db)
    _team(db)
    monkeypatch.setenv("GRANTDESK_USER", "stranger")
    need = users.sign_in_need(db)
    assert need.need is users.Need.REFUSED and "stranger" in need.message
    with pytest.raises(SignInNeeded, match="not one of this database's users"):
        save_view(db, "TST", "Mine", ViewCriteria())
    users.sign_in(db, "olu", "officer-password")  # someone else signs in with their password
    save_view(db, "TST", "Mine", ViewCriteria())
    assert _actors(db)[-1] == ("olu", "view.save")


def test_a_viewer_cannot_write_and_the_refusal_says_why(db):
    build_fund(db)
    _team(db)
    users.sign_in(db, "vic", "viewer-password")
    with pytest.raises(NotAllowed, match=r"vic \(viewer\) may not do this: a viewer can only look at records"):
        save_view(db, "TST", "Mine", ViewCriteria())
    with db.session() as s:
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "view.save")) is None


def test_a_kiosk_user_can_cast_votes_and_nothing_else(db):
    vote = build_vote_fund(db)
    from test_events import _approval

    event_id = events.create_event(db, vote.fund_code, _approval(vote))
    [code, other] = events.issue_codes(db, event_id, 2)
    _team(db)
    users.sign_in(db, "kiosk1", "kiosk-password")
    events.cast_ballot(db, event_id, code, CastBallot.marked("", vote.references[0]))
    with pytest.raises(NotAllowed, match="a voting kiosk can only cast ballots"):
        events.issue_codes(db, event_id, 1)
    assert _actors(db)[-1] == ("kiosk1", "event.ballot_cast")


def test_officers_cannot_manage_people(db):
    _team(db)
    users.sign_in(db, "olu", "officer-password")
    with pytest.raises(NotAllowed, match="only a manager can add, change or disable users"):
        users.add_user(db, "eve", role="manager")
    with pytest.raises(NotAllowed, match="Only a manager can run the year-end"):
        with db.unit_of_work() as uow:
            require_role(uow, Role.MANAGER, doing="run the year-end")


def test_a_disabled_user_cannot_sign_in_or_keep_working(db):
    build_fund(db)
    _team(db)
    users.sign_in(db, "olu", "officer-password")
    users.sign_out(db)
    users.disable_user(db, "olu")
    with pytest.raises(NotAllowed, match="disabled"):
        users.sign_in(db, "olu", "officer-password")
    assert [u.username for u in users.list_users(db) if u.disabled] == ["olu"]
    users.enable_user(db, "olu")
    users.sign_in(db, "olu", "officer-password")
    users.sign_out(db)
    users.disable_user(db, "olu")  # as the manager (the test login)
    users.sign_in_as(db, None)


def test_users_from_the_command_line(tmp_path, capsys, monkeypatch):
    import io
    import json

    from grantdesk.cli import main

    path = str(tmp_path / "t.db")
    assert main(["db", "init", "--db", path]) == 0
    assert main(["users", "add", "Test Officer", "--role", "manager", "--display-name", "Tess", "--db", path]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("officer-password\n"))
    assert main(["users", "add", "olu", "--role", "officer", "--password-stdin", "--db", path]) == 0
    capsys.readouterr()
    assert main(["users", "list", "--json", "--db", path]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["username"], u["role"], u["password"]) for u in listed] == [("olu", "officer", True),
                                                                           ("test officer", "manager", False)]
    # olu signs in with --user; an officer cannot disable anyone
    monkeypatch.setenv("GRANTDESK_PASSWORD", "officer-password")
    assert main(["--user", "olu", "users", "disable", "test officer", "--db", path]) == 1
    assert "only a manager" in capsys.readouterr().err
    monkeypatch.setenv("GRANTDESK_PASSWORD", "wrong-password")
    assert main(["users", "list", "--user", "olu", "--db", path]) == 1
    assert "do not match" in capsys.readouterr().err
    monkeypatch.delenv("GRANTDESK_PASSWORD")
    assert main(["users", "disable", "olu", "--db", path]) == 0
    assert "Disabled olu" in capsys.readouterr().out


def test_a_manager_sets_a_password_and_a_pin_and_removes_the_pin(db, monkeypatch):
    build_fund(db)
    _team(db)
    users.set_secret(db, "olu", password="a-new-password", pin="97531")
    with pytest.raises(NotAllowed):
        users.sign_in(db, "olu", "officer-password")
    monkeypatch.setenv("GRANTDESK_USER", "olu")
    assert users.sign_in_need(db).need is users.Need.PIN
    monkeypatch.setenv("GRANTDESK_USER", "Test Officer")
    users.set_secret(db, "olu", clear_pin=True)  # the test login is the manager
    monkeypatch.setenv("GRANTDESK_USER", "olu")
    assert users.sign_in_need(db).identity.username == "olu"
    monkeypatch.setenv("GRANTDESK_USER", "Test Officer")
    users.sign_out(db)
    with pytest.raises(ValidationError, match="4 to 8 digits"):
        users.set_secret(db, "olu", pin="12")
    assert [a for _, a in _actors(db)][-2:] == ["user.secret", "user.secret"]
