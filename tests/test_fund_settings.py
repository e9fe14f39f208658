"""Every fund setting declared once (grantdesk/domain/fund_settings.py): each check refuses a wrong
value naming the key, old names and formats still read, free text becomes a note, a stored value
that no longer passes reads as the default — and every service that reads a setting reads it
through the declaration, so what the declaration says is what the fund does."""

import tomllib
from datetime import date

import pytest
from conftest import REPO
from helpers import build_fund, build_vote_fund
from sqlalchemy import select

from grantdesk.domain.eligibility import Outcome
from grantdesk.domain.fund_settings import (
    BY_KEY,
    SETTINGS,
    FundSettings,
    SettingError,
    parse_settings,
    settings_of,
    with_setting,
)
from grantdesk.domain.workflow import Status
from grantdesk.reports import member_records
from grantdesk.services import allocations, applications, editing, eligibility, letters, open_data, outcomes, payments
from grantdesk.services.applications import award_application
from grantdesk.services.letter_templates import save_template, template_for
from grantdesk.store.models import Application, Award, Fund

DAY = date(2026, 8, 3)

# A value of the wrong kind for every declared setting (a new setting must add one here).
WRONG = {
    "themes": "food",
    "allowed_org_types": ["registered_charity", "pub"],
    "required_attachments": ["constitution", "passport"],
    "monitoring": [{"require": [["letter", "A letter", 3, True]]}],
    "apply_by_month_day": "31-10",
    "spend_by_month_day": 320,
    "unspent_at_year_end": "returned to the panel's next round",
    "match_funding_required_for": "parish_council",
    "match_funding_percent": "half",
    "welsh_language_standards": "yes",
    "letters_when_language_unknown": "klingon",
    "letters.signatory": "Rachel Bateman",
    "letters.letterhead": {"address": "Town Hall", "fax": "01632"},
    "letters.council": ["Denbighshire"],
    "letters.bilingual": "english_first",
    "letters.words": "Dear friend",
    "letters.templates": ["award"],
    "retention_unsuccessful_years": 0,
    "retention_award_years": "six",
    "retention_draft_years": 1.5,
    "manager_approval_above": "lots",
    "publishing": "https://example.org",
    "notes": "remember the tea",
}


def _table(key, value):
    """A settings table with ``key`` (dotted for letters.*) set to ``value``."""
    group, _, inner = key.partition(".")
    return {group: {inner: value}} if inner else {key: value}


def _set_raw(db, code, settings):
    """Store a fund's settings table as an older version (or a hand edit) may have left it."""
    with db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund).where(Fund.code == code))
        fund.settings = settings
        uow.commit()


def _raw(db, code):
    with db.session() as s:
        return s.scalar(select(Fund).where(Fund.code == code)).settings


# --- the declarations ----------------------------------------------------------------------------------


def test_every_declared_setting_refuses_a_wrong_value_naming_its_key():
    assert set(WRONG) == set(BY_KEY), "every declared setting has a wrong value to try"
    for key, value in WRONG.items():
        with pytest.raises(SettingError) as err:
            parse_settings(_table(key, value))
        assert err.value.field == key and f"“{key}" in str(err.value), key
        # ... and a stored table with it reads as the default, not as a stopped screen
        assert settings_of(_table(key, value)) == FundSettings(), key


def test_every_setting_has_a_label_and_help_and_its_default_passes_its_own_check():
    for s in SETTINGS:
        assert s.label and s.help, s.key
        if s.default not in ((), {}):
            assert s.check(s.key, s.default) == s.default, s.key


def test_an_old_name_and_format_still_read_and_are_written_under_the_new_name():
    assert settings_of({"match_funding_share": "50%"}).match_funding_percent == 50
    assert settings_of({"match_funding_share": " 25 % "}).match_funding_percent == 25
    assert parse_settings({"match_funding_share": "50%"}) == {"match_funding_percent": 50}
    assert with_setting({"match_funding_share": "50%"}, "match_funding_share", "40%") == {"match_funding_percent": 40}
    assert settings_of({"unspent_at_year_end": "Roll over"}).unspent_at_year_end == "roll_over"
    assert settings_of({"unspent_at_year_end": "roll-over"}).unspent_at_year_end == "roll_over"
    with pytest.raises(SettingError, match="match_funding_percent"):
        parse_settings({"match_funding_share": "150%"})


def test_free_text_that_enforces_nothing_becomes_a_note_never_a_rule():
    raw = {"maximum": "the member's remaining allocation", "one_off_funding": True,
           "not_funded": ["individuals", "private gain"], "repeat_bids": "unlikely in consecutive years",
           "themes": ["food"]}
    stored = parse_settings(raw)
    assert stored == {"themes": ["food"], "notes": {
        "maximum": "the member's remaining allocation", "one_off_funding": "yes",
        "not_funded": "individuals, private gain", "repeat_bids": "unlikely in consecutive years"}}
    assert settings_of(raw) == settings_of(stored)  # stored and unstored forms read alike
    assert settings_of(raw).notes["repeat_bids"] == "unlikely in consecutive years"
    with pytest.raises(SettingError, match="letters.sign"):  # a typo inside letters is not a note
        parse_settings({"letters": {"sign": {"name": "R"}}})


def test_a_stored_value_that_no_longer_passes_reads_as_the_default_and_the_rest_still_read():
    got = settings_of({"unspent_at_year_end": "returned to the panel's next round", "apply_by_month_day": "02-30",
                       "themes": "food", "monitoring": "light", "spend_by_month_day": "03-20",
                       "letters": {"signatory": "R", "bilingual": "side by side"}})
    assert (got.unspent_at_year_end, got.apply_by_month_day, got.themes, got.monitoring) == ("lapse", "03-31", (), ())
    assert got.month_days == {"apply_by": (3, 31), "spend_by": (3, 20)}
    assert got.signatory == {} and got.bilingual_layout == "side_by_side"


def test_changing_one_setting_keeps_the_others_even_one_an_older_version_left_that_no_longer_passes():
    raw = {"themes": ["food"], "apply_by_month_day": "31-10", "panel_size": 7,
           "letters": {"signatory": {"name": "R", "role": "Officer"}, "templates": {"award": {}}}}
    out = with_setting(raw, "publishing", {"fund_url": "https://example.org"})
    assert out["apply_by_month_day"] == "31-10" and out["themes"] == ["food"]  # kept as it was
    assert out["notes"] == {"panel_size": "7"} and out["publishing"] == {"fund_url": "https://example.org"}
    gone = with_setting(with_setting(out, "letters.signatory", None), "letters.templates", None)
    assert "letters" not in gone  # the last letters setting removed takes its empty group with it
    with pytest.raises(SettingError, match="themes"):
        with_setting(raw, "themes", "food")
    with pytest.raises(SettingError, match="panel_size"):
        with_setting(raw, "panel_size", 8)  # a note is not a setting to change one by one


@pytest.mark.parametrize("path", sorted((REPO / "sample_funds").glob("*.toml")), ids=lambda p: p.stem)
def test_the_sample_funds_settings_pass_their_checks(path):
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)["fund"].get("settings", {})
    stored = parse_settings(raw, where=path.name)
    assert settings_of(stored) == settings_of(raw)


def test_the_staffordshire_sample_reads_as_its_rules_and_notes():
    with open(REPO / "sample_funds" / "staffordshire-php.toml", "rb") as fh:
        got = settings_of(tomllib.load(fh)["fund"]["settings"])
    assert (got.apply_by_month_day, got.spend_by_month_day, got.unspent_at_year_end) == ("10-31", "03-20", "lapse")
    assert got.match_funding_required_for == ("parish_council", "business") and got.match_funding_percent == 50
    assert got.notes["repeat_bids"] == "unlikely in consecutive years"
    assert got.notes["maximum"] == "the member's remaining allocation"


# --- each reader reads through the declaration -----------------------------------------------------------


def test_the_year_end_mode_and_the_years_days_come_from_the_settings(db):
    from test_allocations import build

    build(db, mode="roll over")  # as an older definition file wrote it
    assert allocations.year_end_plan(db, "MEM", 2026).mode == "roll_over"
    assert allocations.spend_by_day(db, "MEM", 2026) == date(2027, 3, 20)
    raw = _raw(db, "MEM")
    _set_raw(db, "MEM", {**raw, "unspent_at_year_end": "returned to the council", "spend_by_month_day": "3/20"})
    assert allocations.year_end_plan(db, "MEM", 2026).mode == "lapse"  # no longer passes: the default
    assert allocations.spend_by_day(db, "MEM", 2026) == date(2027, 3, 31)


def test_the_late_flag_uses_the_apply_by_setting(db):
    from test_allocations import ON, build

    _, (big, _, _) = build(db)
    with db.unit_of_work() as uow:
        uow.session.get(Application, big).submitted_on = date(2026, 11, 2)
        uow.commit()
    [late] = allocations.decision_context(db, big, today=ON).flags
    assert late.kind == "late" and late.apply_by == date(2026, 10, 31)
    _set_raw(db, "MEM", {**_raw(db, "MEM"), "apply_by_month_day": "11-30"})
    assert allocations.decision_context(db, big, today=ON).flags == ()


def test_match_funding_carries_the_percent_and_its_wording_says_it(db):
    from test_allocations import ON, build, last_years_award

    from ui.member_decision import flag_words

    (ash, _, _), (_, small, third) = build(db, org_type="parish_council")
    last_years_award(db, ash, small)
    _set_raw(db, "MEM", {**{k: v for k, v in _raw(db, "MEM").items() if k != "match_funding_percent"},
                         "match_funding_share": "50%", "repeat_bids": "unlikely in consecutive years"})
    flags = {f.kind: f for f in allocations.decision_context(db, third, today=ON).flags}
    match = flags["match_funding"]
    assert match.percent == 50 and match.share == "50%"
    assert "find 50% of the cost" in flag_words(match)
    assert "find 50% of the cost" in member_records.flag_words(match)[1]
    assert flags["repeat"].fund_says == "unlikely in consecutive years"  # the note, shown beside the rule
    _set_raw(db, "MEM", {**_raw(db, "MEM"), "match_funding_required_for": "parish_council"})  # not a list
    assert "match_funding" not in {f.kind for f in allocations.decision_context(db, third, today=ON).flags}


def test_allowed_org_types_and_required_attachments_are_enforced_by_eligibility(db):
    from test_editing import draft

    build_fund(db)
    row = editing.save_application(db, "TST", draft())
    applications.transition_application(db, row.id, Status.SUBMITTED)
    _set_raw(db, "TST", {"allowed_org_types": ["school", "parish_council"], "required_attachments": ["constitution"]})
    results = {r.rule: r for r in eligibility.check_eligibility(db, row.id).results}
    assert results["organisation_type"].outcome is Outcome.FAIL
    assert results["attachments"].outcome is Outcome.FAIL
    assert editing.fund_context(db, "TST").required_attachments == ("constitution",)
    # stored wrongly (a word, not a list; an unknown document): read as "any kind", "none asked for"
    _set_raw(db, "TST", {"allowed_org_types": "school", "required_attachments": ["constitution", "passport"]})
    results = {r.rule: r for r in eligibility.check_eligibility(db, row.id).results}
    assert results["organisation_type"].outcome is Outcome.NOT_APPLICABLE
    assert results["attachments"].outcome is Outcome.NOT_APPLICABLE
    assert editing.fund_context(db, "TST").required_attachments == ()


def test_monitoring_bands_from_the_settings_set_the_reports_due(db):
    build_vote_fund(db, costs_pence=(30_000, 40_000), budget_pence=100_000)
    with db.session() as s:
        ids = s.scalars(select(Application.id).order_by(Application.id)).all()
    _set_raw(db, "VOT", {"monitoring": [{"up_to": "499.99", "require": [["note", "Receipts", 2, True]]},
                                        {"require": []}]})
    award_application(db, ids[0], 30_000, awarded_on=date(2026, 7, 1))
    with db.session() as s:
        first = s.scalar(select(Award.id).where(Award.application_id == ids[0]))
    assert payments.set_monitoring(db, first) == [date(2026, 9, 1)]  # the fund's band, not the default's nothing
    _set_raw(db, "VOT", {"monitoring": "light"})  # no longer passes: the standard bands
    award_application(db, ids[1], 40_000, awarded_on=date(2026, 7, 1))
    with db.session() as s:
        second = s.scalar(select(Award.id).where(Award.application_id == ids[1]))
    assert payments.set_monitoring(db, second) == []


def test_themes_come_from_the_settings():
    assert outcomes.fund_themes(Fund(settings={"themes": ["Food ", "Older people"]})) == ["food", "older people"]
    assert outcomes.fund_themes(Fund(settings={"themes": "food"})) == []  # not four one-letter themes
    assert outcomes.fund_themes(Fund(settings={})) == []


def test_the_letters_settings_shape_the_letters(sample_db):
    raw = _raw(sample_db, "RHYL")
    own = dict(raw["letters"], bilingual="side by side", signatory={"name": "Gwen Jones", "role": "Officer"},
               council={"en": "Rhyl Town", "cy": "Tref y Rhyl"},
               words={"salutation": {"en": "Hello {name},", "cy": "Shwmae {name},"}},
               templates={"award": {"en": {"subject": "Good news, {organisation}"}}})
    _set_raw(sample_db, "RHYL", {**raw, "letters": own})
    [first, *_] = letters.build_letters(sample_db, "RHYL", "award", day=DAY).letters
    welsh, english = first.texts
    assert first.side_by_side  # "side by side" is the layout side_by_side
    assert first.signatory.name == "Gwen Jones" and first.letterhead.address[-1] == "LL15 1YN"
    assert first.letterhead.council == "Tref y Rhyl / Rhyl Town"
    assert welsh.salutation.startswith("Shwmae ") and english.salutation.startswith("Hello ")
    assert english.subject == f"Good news, {first.organisation}"
    # a signatory stored as a bare name no longer passes: the officer signs, as for a fund without one
    _set_raw(sample_db, "RHYL", {**raw, "letters": dict(raw["letters"], signatory="Gwen Jones")})
    [first, *_] = letters.build_letters(sample_db, "RHYL", "award", day=DAY, officer="Test Officer").letters
    assert (first.signatory.name, first.signatory.role) == ("Test Officer", "Grants Officer")


def test_a_saved_template_is_kept_in_the_checked_stored_form(sample_db):
    _set_raw(sample_db, "PHP", {**_raw(sample_db, "PHP"), "apply_by_month_day": "31-10"})  # a stale value
    default = template_for(sample_db, "PHP", "award", "en")
    mine = default.__class__(**{**default.__dict__, "subject": "Good news for {organisation}"})
    save_template(sample_db, "PHP", mine, actor="Rachel Bateman")
    stored = _raw(sample_db, "PHP")
    assert stored["letters"]["templates"]["award"]["en"]["subject"] == "Good news for {organisation}"
    assert stored["letters"]["signatory"]["name"] == "Rachel Bateman"  # the rest of letters kept
    assert stored["match_funding_percent"] == 50 and "match_funding_share" not in stored  # written by its name
    assert stored["notes"]["repeat_bids"] == "unlikely in consecutive years"
    assert stored["apply_by_month_day"] == "31-10"  # the stale value did not stop the save, and is kept
    assert template_for(sample_db, "PHP", "award", "en") == mine


def test_publishing_details_are_a_declared_setting(db):
    build_fund(db)
    _set_raw(db, "TST", {"themes": ["food"], "publishing": "https://example.org"})
    assert open_data.publishing_details(db, "TST").fund_url == ""  # not a table: read as none
    details = open_data.PublishingDetails("", "GB-LAE-TST", "Testshire County Council", "Communities",
                                          data_source="https://example.org/data", fund_url="https://example.org/fund",
                                          from_open_call=False)
    open_data.set_publishing_details(db, "TST", details)
    stored = _raw(db, "TST")
    assert stored["themes"] == ["food"] and stored["publishing"]["fund_url"] == "https://example.org/fund"
    again = open_data.publishing_details(db, "TST")
    assert (again.data_source, again.from_open_call) == ("https://example.org/data", False)
    assert settings_of(stored).publishing["licence"] == again.licence
