"""The application workflow through its services, as a hypothesis state machine: random sequences of
moves, awards, eligibility overrides and stale moves on two applications, each checked against a
model of the workflow written out here from its description (not read from ``domain/workflow.py``).

After every step the database must agree with the model: each application's status, its history
(one entry per accepted move, with the reason given, chained from the status it left), its version,
its audit entries, the moves the detail pane offers, its award. A refused move must change nothing
at all: the rows are compared before and after.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from grantdesk.config import database_location
from grantdesk.domain.errors import ChangedElsewhere, GrantDeskError, InvalidTransition
from grantdesk.services import applications, eligibility, funds, organisations
from grantdesk.store.database import open_database

ACTOR = "Test Officer"

# The workflow as described (README, the domain's docstring):
#   draft → submitted → (returned for changes → submitted) → eligible | ineligible → shortlisted
#   → awarded | declined | deferred; withdrawn from any open state; an eligible application may be
#   declined or deferred without a shortlist; ineligible may be overruled to eligible, with a reason;
#   a deferred application can be resubmitted. Awarded, declined and withdrawn are final.
MOVES: dict[str, set[str]] = {
    "draft": {"submitted", "withdrawn"},
    "submitted": {"returned", "eligible", "ineligible", "withdrawn"},
    "returned": {"submitted", "withdrawn"},
    "eligible": {"shortlisted", "declined", "deferred", "withdrawn"},
    "ineligible": {"eligible"},
    "shortlisted": {"awarded", "declined", "deferred", "withdrawn"},
    "deferred": {"submitted", "withdrawn"},
    "awarded": set(), "declined": set(), "withdrawn": set(),
}
# Saying "no", "not yet" or "change this" needs a written reason, and so does overruling ineligible.
SAYS_NO = {"returned", "ineligible", "declined", "deferred", "withdrawn"}
STATUSES = sorted(MOVES)
REASONS = st.sampled_from(["", "   ", "Outside the county", "  Panel asked for a quote  "])


@dataclass
class Model:
    id: int
    late: bool  # in a round that closed long ago: fails "submitted while the round was open"
    status: str = "draft"
    history: list[tuple[str | None, str, str]] = field(default_factory=lambda: [(None, "draft", "")])
    version: int = 1
    audits: int = 1  # "application.create"
    submitted_on: date | None = None
    overridden: bool = False
    award_pence: int | None = None


def build_template(path: Path) -> list[tuple[int, bool]]:
    """A database with one fund, an application in an open round and one in a long-closed round."""
    with open_database(database_location(path), create=True) as db, db.unit_of_work() as uow:
        s = uow.session
        fund = funds.add_fund(s, actor=ACTOR, code="WFM", name="Workflow Fund", council="Testshire County Council",
                              funder_org_id="GB-LAE-TST")
        area = funds.add_area(s, fund=fund, name="Testville", kind="division", council=fund.council)
        open_round = funds.add_round(s, actor=ACTOR, fund=fund, name="Always open", financial_year=2026,
                                     opens_on=date(2000, 4, 1), closes_on=date(2099, 3, 31))
        closed_round = funds.add_round(s, actor=ACTOR, fund=fund, name="Long closed", financial_year=2001,
                                       opens_on=date(2001, 4, 1), closes_on=date(2001, 10, 31))
        org = organisations.find_or_add_organisation(s, actor=ACTOR, name="Testville Lunch Club",
                                                     org_type="registered_charity", charity_number="1100001")
        contact = organisations.find_or_add_contact(s, actor=ACTOR, organisation=org, name="Ann Other",
                                                    email="ann@example.org")
        made = []
        for n, (rnd, late) in enumerate([(open_round, False), (closed_round, True)]):
            app = applications.add_application(s, actor=ACTOR, fund=fund, organisation=org, contact=contact,
                                               round=rnd, area=area, title=f"Project {n + 1}",
                                               amount_requested_pence=100_000)
            made.append((app.id, late))
        uow.commit()
    return made


class WorkflowMachine(RuleBasedStateMachine):
    template: Path
    made: list[tuple[int, bool]]
    folder: Path

    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(dir=self.folder))
        shutil.copyfile(self.template, self.dir / "wf.db")
        self.db = open_database(database_location(self.dir / "wf.db"))
        self.apps = [Model(app_id, late) for app_id, late in self.made]

    def teardown(self):
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- reading the database ---------------------------------------------------------------------

    def rows(self) -> dict[str, list[tuple]]:
        """Every row a workflow step could touch, to show a refusal changed nothing."""
        with self.db.reading() as conn:
            return {table: [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table} ORDER BY id")]
                    for table in ("applications", "status_changes", "awards", "eligibility_overrides", "audit_log")}

    def refused(self, call, expected_error=GrantDeskError) -> GrantDeskError | None:
        """Run ``call``; if it is refused, check the refusal is of the expected kind and changed nothing."""
        before = self.rows()
        try:
            call()
        except expected_error as exc:
            assert self.rows() == before, f"a refused step changed the database: {exc}"
            return exc
        return None

    # --- the model's rules --------------------------------------------------------------------------

    @staticmethod
    def move_allowed(app: Model, target: str, reason: str) -> bool:
        if target not in MOVES[app.status]:
            return False
        if (target in SAYS_NO or (app.status, target) == ("ineligible", "eligible")) and not reason.strip():
            return False
        if target == "eligible" and app.late and not app.overridden:
            return False
        return True

    def accepted(self, app: Model, target: str, reason: str, audits: int = 1) -> None:
        app.history.append((app.status, target, reason.strip()))
        app.status = target
        app.version += 1
        app.audits += audits
        if target == "submitted" and app.submitted_on is None:
            app.submitted_on = date.today()

    # --- steps --------------------------------------------------------------------------------------

    @initialize(depths=st.tuples(st.integers(0, 3), st.integers(0, 3)), no=st.sampled_from(sorted(SAYS_NO)))
    def start_part_way(self, depths, no):
        """Each application starts some way along draft → submitted → eligible → shortlisted, moved
        there through the same checked steps: on the way, saying ``no`` without a reason is refused
        wherever it is a move, and the late one is refused as eligible until its lateness is overridden."""
        for app, depth in zip(self.apps, depths, strict=True):
            for target in ("submitted", "eligible", "shortlisted")[:depth]:
                if no in MOVES[app.status]:
                    self.move(app, no, " ")
                    assert app.status != no
                if target == "eligible" and app.late:
                    self.move(app, target, "")
                    assert app.status == "submitted"
                    self.override(app, "Agreed at the panel")
                self.move(app, target, "")
            assert app.status == ("draft", "submitted", "eligible", "shortlisted")[depth]

    @rule(i=st.integers(0, 1), data=st.data())
    def move_onward(self, i, data):
        """A move the workflow offers from here (withdrawal less often), with or without a reason."""
        app = self.apps[i]
        onward = sorted(MOVES[app.status] - {"withdrawn"}) or sorted(MOVES[app.status]) or STATUSES
        target = data.draw(st.sampled_from(onward), label="to")
        self.move(app, target, data.draw(st.sampled_from(["A reason", "", "  Panel asked for a quote  "]),
                                         label="reason"))

    @rule(i=st.integers(0, 1), to=st.sampled_from(STATUSES), reason=REASONS,
          stale=st.sampled_from([0, 0, -1, 1]))
    def move_anywhere(self, i, to, reason, stale):
        """Any status at all; or a move made on a version someone else has since moved on from,
        which is refused whatever it is."""
        app = self.apps[i]
        if not stale:
            self.move(app, to, reason)
            return
        error = self.refused(lambda: applications.transition_application(
            self.db, app.id, to, reason=reason, actor=ACTOR, expected_version=app.version + stale),
            expected_error=ChangedElsewhere)
        assert error is not None, f"a move on version {app.version + stale} of version {app.version} was made"

    def move(self, app: Model, target: str, reason: str) -> None:
        expected = self.move_allowed(app, target, reason)
        error = self.refused(lambda: applications.transition_application(
            self.db, app.id, target, reason=reason, actor=ACTOR, expected_version=app.version))
        if error is not None:
            assert not expected, f"{app.status} → {target} (reason {reason!r}) was refused: {error}"
            assert isinstance(error, InvalidTransition), error
            return
        assert expected, f"{app.status} → {target} (reason {reason!r}) was allowed"
        self.accepted(app, target, reason)

    @rule(i=st.integers(0, 1), amount=st.sampled_from([-500, 0, 1, 100_000, 250_000]),
          reason=st.sampled_from(["", "  ", "Match funding fell through; the panel agreed"]))
    def award(self, i, amount, reason):
        """Awarding is the move to awarded and the award record, all or nothing; more than was asked
        for (£1,000) only with a written reason, kept in the history and its own audit entry."""
        app = self.apps[i]
        beyond = amount > 100_000
        expected = app.status == "shortlisted" and amount > 0 and (not beyond or bool(reason.strip()))
        error = self.refused(lambda: applications.award_application(
            self.db, app.id, amount, reason=reason, actor=ACTOR, expected_version=app.version))
        if error is not None:
            assert not expected, f"awarding {amount}p to a shortlisted application was refused: {error}"
            return
        assert expected, f"awarding {amount}p to an application that is {app.status} was allowed"
        # the move and the award, and going beyond the request with its reason
        self.accepted(app, "awarded", reason, audits=3 if beyond else 2)
        app.award_pence = amount

    @rule(i=st.integers(0, 1), reason=REASONS)
    def override_the_late_submission(self, i, reason):
        self.override(self.apps[i], reason)

    def override(self, app: Model, reason: str) -> None:
        """An officer may accept a late submission, with a written reason; only a rule that failed."""
        expected = app.late and app.submitted_on is not None and bool(reason.strip())
        error = self.refused(lambda: eligibility.override_rule(self.db, app.id, "round_open", reason, actor=ACTOR))
        if error is not None:
            assert not expected, f"overriding a late submission with {reason!r} was refused: {error}"
            return
        assert expected, f"an override of 'round open' was accepted for {app}"
        app.overridden = True
        app.audits += 1

    # --- what must always hold ----------------------------------------------------------------------

    @invariant()
    def the_database_agrees_with_the_model(self):
        with self.db.reading() as conn:
            for app in self.apps:
                detail = applications.get_application(self.db, app.id)
                assert detail.row.status == app.status
                assert [(h.from_status, h.to_status, h.reason) for h in detail.history] == app.history
                assert detail.version == app.version
                assert set(detail.allowed_next) == MOVES[app.status]
                assert detail.award_pence == app.award_pence
                submitted_on = conn.exec_driver_sql(
                    "SELECT submitted_on FROM applications WHERE id = ?", (app.id,)).scalar()
                assert submitted_on == (app.submitted_on.isoformat() if app.submitted_on else None)
                audits = conn.exec_driver_sql(
                    "SELECT count(*) FROM audit_log WHERE entity = 'application' AND entity_id = ?", (app.id,)).scalar()
                assert audits == app.audits


def test_the_workflow_services_follow_the_workflow(tmp_path):
    template = tmp_path / "template.db"
    WorkflowMachine.made = build_template(template)
    WorkflowMachine.template, WorkflowMachine.folder = template, tmp_path
    run_state_machine_as_test(WorkflowMachine, settings=settings(
        max_examples=80, stateful_step_count=30, deadline=None))


def test_a_move_to_a_word_that_is_not_a_status_is_refused_as_a_move(tmp_path):
    made = build_template(tmp_path / "wf.db")
    with open_database(database_location(tmp_path / "wf.db")) as db:
        with pytest.raises(InvalidTransition, match="is not an application status"):
            applications.transition_application(db, made[0][0], "approved", actor=ACTOR)
