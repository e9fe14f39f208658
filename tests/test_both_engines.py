"""The service tests that matter, on both engines: each test below is an existing test, imported from
its own module, run here on a fresh SQLite file and on a fresh PostgreSQL database (the real server
the test run starts: tests/pg.py). ``db`` is overridden for this module only, so the tests are the same
code as in their home modules, where they run on SQLite as before.

Chosen to cover what a team does at once on one database: imports, decisions (officer workflow,
members' pots, panels), payments, voting (codes, kiosk and paper ballots, results), editing with its
stale-copy refusal, and the audit log (entries, atomicity, the append-only triggers)."""

from __future__ import annotations

import pytest

# ruff: noqa: F401 (the imported tests and fixtures are collected from this module)
from test_allocations import (
    test_a_recommendation_beyond_the_pot_is_refused_with_what_is_left,
    test_the_year_end_shows_its_effect_runs_once_and_lapses_or_rolls_over,
    test_two_members_fund_one_application_jointly_and_the_officer_approval_awards_it,
)
from test_audit import (
    test_a_failure_after_the_audit_entry_is_written_rolls_both_back,
    test_a_refused_action_leaves_neither_a_change_nor_an_audit_entry,
    test_every_service_write_leaves_an_audit_entry_naming_the_actor,
    test_the_database_refuses_to_change_or_remove_audit_entries,
)
from test_editing import (
    test_a_typed_in_application_is_saved_as_a_draft_with_its_reference,
    test_editing_saves_the_changes_audits_them_and_refuses_a_stale_copy,
)
from test_events import (
    event_id,
    test_a_code_votes_once_and_an_unknown_code_is_refused,
    test_kiosk_and_paper_totals_are_kept_apart_and_combined,
    test_paper_ballots_count_only_when_two_keyings_agree,
    test_results_follow_the_rule_and_confirmation_moves_the_applications,
    vote,
)
from test_import import (
    test_cancelling_half_way_through_saving_leaves_the_database_exactly_as_it_was,
    test_the_corrected_ten_thousand_row_file_imports_every_row_as_submitted_with_contiguous_references,
)
from test_payments import (
    awards,
    test_a_funds_awards_list_where_each_stands,
    test_instalments_add_up_to_the_award_and_a_holdback_waits_for_the_final_report,
    test_payments_never_exceed_the_award,
    test_underspend_and_clawback_never_exceed_what_was_paid,
)
from test_services import (
    test_a_move_made_on_stale_information_is_refused,
    test_a_reference_is_never_given_out_twice_even_after_its_application_is_deleted,
    test_a_transition_records_who_when_and_why_and_refuses_impossible_moves,
    test_applications_get_fund_year_references_in_sequence,
)


@pytest.fixture
def db(engine_db):
    """Each test here runs once on SQLite and once on PostgreSQL (``engine_db``: tests/pg.py)."""
    return engine_db


def test_a_real_pabulib_file_imports_every_ballot_on_either_engine(db, shared_dir):
    """The ballots of a real PaBuLib election (../shared) stored as the file has them, read back through
    SQLAlchemy (the home module's test reads the SQLite file itself); on PostgreSQL the rows go in
    through Core's executemany (grantdesk.store.ballots.storing_way)."""
    import json

    from sqlalchemy import select
    from test_events_import import _city_fund

    from grantdesk.services import events
    from grantdesk.store.models import Application, CastBallotRow, EventProject
    from grantdesk.voting.pabulib import read_pb

    path = shared_dir / "pabulib" / "France_Toulouse_2019.pb"
    done = events.import_pabulib(db, _city_fund(db), path)
    election = read_pb(path)
    assert done.ballots == len(election.ballots)
    with db.session() as s:
        refs = s.scalars(select(Application.reference).join(EventProject, EventProject.application_id == Application.id)
                         .where(EventProject.event_id == done.event_id).order_by(EventProject.position)).all()
        stored = sorted((json.dumps(r.choices), json.dumps(r.points), r.source, r.spoilt_reason)
                        for r in s.scalars(select(CastBallotRow).where(CastBallotRow.event_id == done.event_id)))
    with_points = election.vote_type in ("cumulative", "scoring")
    assert stored == sorted((json.dumps([refs[i] for i in b.projects]),
                             json.dumps(list(b.points)) if with_points else "null", "kiosk", None)
                            for b in election.ballots)
