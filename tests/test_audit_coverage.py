"""Every service that writes leaves an audit entry.

``SERVICES`` lists every ``@transactional`` service in grantdesk/services, found by introspection (the
decorator marks each with ``in_transaction``), each with a test that calls it and writes. The first
test fails when a service is added (or renamed) without being listed here; the second runs the listed
tests with tests/audit_coverage.py watching every unit of work a service commits, and checks each
listed service committed a write with an audit entry in it — and that no service committed a write
without one.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import grantdesk.services

TESTS = Path(__file__).resolve().parent

# service → a test that calls it and writes (tests/<file>::<test>)
SERVICES: dict[str, str] = {
    "grantdesk.services.allocations.officer_outcome":
        "tests/test_allocations.py::test_the_year_end_shows_its_effect_runs_once_and_lapses_or_rolls_over",
    "grantdesk.services.allocations.record_member_decision":
        "tests/test_allocations.py::test_the_year_end_shows_its_effect_runs_once_and_lapses_or_rolls_over",
    "grantdesk.services.allocations.run_year_end":
        "tests/test_allocations.py::test_the_year_end_shows_its_effect_runs_once_and_lapses_or_rolls_over",
    "grantdesk.services.allocations.set_allotments":
        "tests/test_allocations.py::test_the_year_end_shows_its_effect_runs_once_and_lapses_or_rolls_over",
    "grantdesk.services.applications.award_application":
        "tests/test_decisions_ask_first.py::test_an_award_above_the_funds_maximum_needs_a_reason_even_within_the_request",
    "grantdesk.services.applications.transition_application":
        "tests/test_editing.py::test_attachments_are_kept_in_the_database_and_satisfy_required_documents",
    "grantdesk.services.attachments.add_attachment":
        "tests/test_editing.py::test_attachments_are_kept_in_the_database_and_satisfy_required_documents",
    "grantdesk.services.attachments.remove_attachment":
        "tests/test_editing.py::test_attachments_are_kept_in_the_database_and_satisfy_required_documents",
    "grantdesk.services.editing.save_application":
        "tests/test_editing.py::test_attachments_are_kept_in_the_database_and_satisfy_required_documents",
    "grantdesk.services.eligibility.assess":
        "tests/test_decisions_ask_first.py::test_an_award_above_the_funds_maximum_needs_a_reason_even_within_the_request",
    "grantdesk.services.eligibility.override_rule":
        "tests/test_decisions_ask_first.py::test_an_award_above_the_funds_maximum_needs_a_reason_even_within_the_request",
    "grantdesk.services.events.closing.close_voting":
        "tests/test_events.py::test_results_follow_the_rule_and_confirmation_moves_the_applications",
    "grantdesk.services.events.closing.confirm_results":
        "tests/test_events.py::test_results_follow_the_rule_and_confirmation_moves_the_applications",
    "grantdesk.services.events.closing.reveal_results":
        "tests/test_audit_coverage_scenarios.py::test_saving_an_event_and_revealing_its_results_are_audited",
    "grantdesk.services.events.codes.issue_code_cards":
        "tests/test_ballot_cards.py::test_issuing_code_cards_keeps_the_codes_and_the_pdf_together",
    "grantdesk.services.events.codes.issue_codes":
        "tests/test_events.py::test_results_follow_the_rule_and_confirmation_moves_the_applications",
    "grantdesk.services.events.kiosk.cast_ballot":
        "tests/test_events.py::test_results_follow_the_rule_and_confirmation_moves_the_applications",
    "grantdesk.services.events.pabulib_import.import_pabulib":
        "tests/test_ballot_secrecy.py::test_ballots_imported_from_a_file_are_not_stored_in_the_file_order",
    "grantdesk.services.events.paper.key_paper_ballot":
        "tests/test_separation_of_duties.py::test_two_different_signed_in_people_key_a_paper_sheet",
    "grantdesk.services.events.paper.resolve_mismatch":
        "tests/test_events.py::test_paper_ballots_count_only_when_two_keyings_agree",
    "grantdesk.services.events.setup.create_event":
        "tests/test_separation_of_duties.py::test_two_different_signed_in_people_key_a_paper_sheet",
    "grantdesk.services.events.setup.save_event":
        "tests/test_audit_coverage_scenarios.py::test_saving_an_event_and_revealing_its_results_are_audited",
    "grantdesk.services.events.setup.update_event":
        "tests/test_events.py::test_settings_change_freely_until_the_first_ballot_then_are_locked",
    "grantdesk.services.fund_setup.add_areas":
        "tests/test_fund_definitions.py::test_an_area_that_applications_use_cannot_be_removed_but_an_unused_one_can",
    "grantdesk.services.fund_setup.add_member":
        "tests/test_audit_coverage_scenarios.py::test_setting_a_fund_up_piece_by_piece_is_audited",
    "grantdesk.services.fund_setup.add_members":
        "tests/test_audit_coverage_scenarios.py::test_setting_a_fund_up_piece_by_piece_is_audited",
    "grantdesk.services.fund_setup.add_panel":
        "tests/test_audit_coverage_scenarios.py::test_setting_a_fund_up_piece_by_piece_is_audited",
    "grantdesk.services.fund_setup.add_round":
        "tests/test_audit_coverage_scenarios.py::test_setting_a_fund_up_piece_by_piece_is_audited",
    "grantdesk.services.fund_setup.change_area":
        "tests/test_audit_coverage_scenarios.py::test_setting_a_fund_up_piece_by_piece_is_audited",
    "grantdesk.services.fund_setup.change_member":
        "tests/test_fund_definitions.py::test_an_allotment_below_what_a_member_has_committed_is_refused",
    "grantdesk.services.fund_setup.change_panel":
        "tests/test_audit_coverage_scenarios.py::test_setting_a_fund_up_piece_by_piece_is_audited",
    "grantdesk.services.fund_setup.change_round":
        "tests/test_fund_definitions.py::test_round_dates_that_leave_out_submitted_applications_are_refused",
    "grantdesk.services.fund_setup.close_round":
        "tests/test_fund_definitions.py::test_closing_and_reopening_a_round",
    "grantdesk.services.fund_setup.create_fund":
        "tests/test_fund_definitions.py::test_closing_and_reopening_a_round",
    "grantdesk.services.fund_setup.create_fund_from_file":
        "tests/test_fund_definitions.py::test_a_fund_exported_and_created_in_a_new_database_is_the_same_fund",
    "grantdesk.services.fund_setup.open_round":
        "tests/test_fund_definitions.py::test_closing_and_reopening_a_round",
    "grantdesk.services.fund_setup.remove_area":
        "tests/test_fund_definitions.py::test_an_area_that_applications_use_cannot_be_removed_but_an_unused_one_can",
    "grantdesk.services.fund_setup.update_fund":
        "tests/test_audit_coverage_scenarios.py::test_setting_a_fund_up_piece_by_piece_is_audited",
    "grantdesk.services.funds.set_area_code":
        "tests/test_open_data_export.py::test_an_areas_ons_code_is_checked_recorded_and_published_as_a_ward_code",
    "grantdesk.services.import_mappings.save_mapping":
        "tests/test_form_headers.py::test_the_service_suggests_through_the_same_rules",
    "grantdesk.services.letter_templates.reset_template":
        "tests/test_template_editor.py::test_save_then_reset_are_audited_and_letters_use_the_saved_texts",
    "grantdesk.services.letter_templates.save_template":
        "tests/test_template_editor.py::test_save_then_reset_are_audited_and_letters_use_the_saved_texts",
    "grantdesk.services.letters.produce_letters":
        "tests/test_letters_produce.py::test_the_batch_and_one_file_per_applicant_are_saved_and_each_letter_recorded_in_one_commit",
    "grantdesk.services.letters.record_letters":
        "tests/test_letters_service.py::test_each_letter_produced_is_recorded_against_its_application",
    "grantdesk.services.open_data.set_publishing_details":
        "tests/test_fund_settings.py::test_publishing_details_are_a_declared_setting",
    "grantdesk.services.outcomes.record_note":
        "tests/test_outcomes.py::test_a_note_keeps_the_words_themes_figures_and_photos",
    "grantdesk.services.panels.add_criterion":
        "tests/test_panels.py::test_every_panel_service_joins_the_callers_unit_of_work_and_never_commits_itself",
    "grantdesk.services.panels.apply_decisions":
        "tests/test_panels.py::test_a_decision_against_the_scores_needs_a_reason_and_is_applied_by_the_officer",
    "grantdesk.services.panels.declare_interest":
        "tests/test_panels.py::test_a_panellist_with_a_declared_interest_cannot_score_that_application",
    "grantdesk.services.panels.record_decision":
        "tests/test_panels.py::test_every_panel_service_joins_the_callers_unit_of_work_and_never_commits_itself",
    "grantdesk.services.panels.record_score":
        "tests/test_panels.py::test_every_panel_service_joins_the_callers_unit_of_work_and_never_commits_itself",
    "grantdesk.services.panels.set_deliberation_notes":
        "tests/test_panels.py::test_every_panel_service_joins_the_callers_unit_of_work_and_never_commits_itself",
    "grantdesk.services.payments.record_payment":
        "tests/test_payments.py::test_each_payments_service_is_one_transaction_that_names_the_award_it_changed",
    "grantdesk.services.payments.record_return":
        "tests/test_payments.py::test_each_payments_service_is_one_transaction_that_names_the_award_it_changed",
    "grantdesk.services.payments.report_received":
        "tests/test_payments.py::test_each_payments_service_is_one_transaction_that_names_the_award_it_changed",
    "grantdesk.services.payments.set_monitoring":
        "tests/test_payments.py::test_each_payments_service_is_one_transaction_that_names_the_award_it_changed",
    "grantdesk.services.payments.set_payment_plan":
        "tests/test_payments.py::test_each_payments_service_is_one_transaction_that_names_the_award_it_changed",
    "grantdesk.services.people.erase_person":
        "tests/test_people.py::test_erasing_a_contact_removes_their_details_and_their_name_from_the_text_and_is_audited",
    "grantdesk.services.questions.set_questions":
        "tests/test_form_headers.py::test_the_service_suggests_through_the_same_rules",
    "grantdesk.services.retention.run_retention":
        "tests/test_retention.py::test_a_run_removes_personal_details_and_every_report_still_adds_up",
    "grantdesk.services.retention.set_retention_periods":
        "tests/test_retention.py::test_the_periods_are_the_funds_own_and_changing_them_is_audited",
    "grantdesk.services.users.add_user":
        "tests/test_people_and_roles.py::test_the_first_user_must_be_a_manager_and_the_last_manager_stays",
    "grantdesk.services.users.disable_user":
        "tests/test_people_and_roles.py::test_the_first_user_must_be_a_manager_and_the_last_manager_stays",
    "grantdesk.services.users.enable_user":
        "tests/test_people_and_roles.py::test_a_disabled_user_cannot_sign_in_or_keep_working",
    "grantdesk.services.users.set_secret":
        "tests/test_people_and_roles.py::test_a_manager_sets_a_password_and_a_pin_and_removes_the_pin",
    "grantdesk.services.views.delete_view":
        "tests/test_audit_coverage_scenarios.py::test_deleting_a_saved_view_is_audited",
    "grantdesk.services.views.save_view":
        "tests/test_people_and_roles.py::test_a_database_with_no_users_works_as_before_with_the_login_as_manager",
    "grantdesk.services.welsh_texts.set_welsh_texts":
        "tests/test_welsh_texts.py::test_a_welsh_letter_whose_welsh_reason_is_missing_is_refused_with_the_reason_never_filled_with_english",
}


def transactional_services() -> set[str]:
    """Every ``@transactional`` service defined in grantdesk.services and its subpackages."""
    found = set()
    for info in pkgutil.walk_packages(grantdesk.services.__path__, grantdesk.services.__name__ + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if callable(value) and hasattr(value, "in_transaction") and value.__module__ == module.__name__:
                found.add(f"{module.__name__}.{value.__qualname__}")
    return found


def test_every_service_that_writes_is_listed_with_a_test():
    found = transactional_services()
    missing = sorted(found - set(SERVICES))
    assert not missing, ("These @transactional services are not in tests/test_audit_coverage.py SERVICES: add each "
                         "with a test that calls it, so the test below proves it leaves an audit entry: "
                         + ", ".join(missing))
    gone = sorted(set(SERVICES) - found)
    assert not gone, "SERVICES lists services that are not there any more: " + ", ".join(gone)
    for test in set(SERVICES.values()):
        path, _, name = test.partition("::")
        assert (TESTS.parent / path).is_file() and f"def {name}(" in (TESTS.parent / path).read_text(), test


def test_each_listed_service_leaves_an_audit_entry_when_it_writes(tmp_path):
    record = tmp_path / "coverage.jsonl"
    env = dict(os.environ, GRANTDESK_AUDIT_COVERAGE=str(record), QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    tests = sorted(set(SERVICES.values()))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "audit_coverage",
                          "-x", *tests], cwd=TESTS.parent, env=env, capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    seen = [json.loads(line) for line in record.read_text().splitlines()]
    unaudited = sorted({f"{r['service']} (in {r['test']})" for r in seen if r["wrote"] and not r["audited"]})
    assert not unaudited, "These services wrote and left no audit entry: " + "; ".join(unaudited)
    audited = {r["service"] for r in seen if r["wrote"] and r["audited"]}
    not_shown = sorted(s for s in SERVICES if s not in audited)
    assert not not_shown, ("The tests listed for these services did not show them writing with an audit entry: "
                           + ", ".join(not_shown))


def test_the_watcher_sees_a_write_that_leaves_no_audit_entry(db, tmp_path, monkeypatch):
    """The check above is only as good as tests/audit_coverage.py: a service that writes and audits
    nothing is caught, one that audits is not."""
    from sqlalchemy import event, update
    from sqlalchemy.orm import Session

    import audit_coverage
    from grantdesk.services.views import ViewCriteria, save_view
    from grantdesk.store.models import Fund
    from grantdesk.store.unit_of_work import UnitOfWork, transactional
    from helpers import build_fund

    build_fund(db)
    record = tmp_path / "seen.jsonl"
    monkeypatch.setenv("GRANTDESK_AUDIT_COVERAGE", str(record))

    @transactional
    def rename_quietly(uow: UnitOfWork) -> None:
        uow.session.execute(update(Fund).values(name="Renamed"))

    event.listen(Session, "before_commit", audit_coverage._before_commit)
    try:
        rename_quietly(db)
        save_view(db, "TST", "Mine", ViewCriteria())
    finally:
        event.remove(Session, "before_commit", audit_coverage._before_commit)
    seen = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(r["service"].rsplit(".", 1)[-1], r["wrote"], r["audited"]) for r in seen] == [
        ("rename_quietly", True, False), ("save_view", True, True)]
