"""Paying awards through the payment services, as a hypothesis state machine: random sequences of
payment plans (with holdbacks), payments, money returned or clawed back, monitoring set and reports
received, on a large, a middling and a small award, each checked against a model of the rules written
out here from their description (``services/payments.py``'s docstring).

After every step, for every award: what the database holds (summed from its own rows) agrees with
the model and with what the services report; paid + outstanding = the award; nothing is ever paid
over the award, nor money back over what was paid; what is held back waits for the final report. A
refused step must change nothing at all: the rows are compared before and after.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from helpers import build_vote_fund
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from grantdesk.config import database_location
from grantdesk.domain.errors import GrantDeskError
from grantdesk.services import payments
from grantdesk.services.applications import award_application
from grantdesk.services.payments import OverPayment
from grantdesk.store.database import open_database

ACTOR = "Test Officer"
AWARDED = date(2026, 7, 1)
AMOUNTS = (500_000, 200_000, 30_000)  # £5,000 (large), £2,000 (middling), £300 (small)
TABLES = ("payments", "award_returns", "payment_plans", "monitoring_due", "audit_log")
DAYS = st.sampled_from([-1, 0, 45, 400])  # days after the award (-1: the day before it)
REASONS = st.sampled_from(["", "  ", "The hall hire cost less than quoted"])


def reports_owed(amount_pence: int) -> list[bool]:
    """What a grant owes by default, as ``final?`` flags: nothing up to £499.99; a final note up to
    £2,500; above that a 3-month note and a final learning report."""
    if amount_pence <= 49_999:
        return []
    if amount_pence <= 250_000:
        return [True]
    return [False, True]


@dataclass
class Model:
    id: int
    awarded: int
    paid: int = 0
    underspend: int = 0
    clawback: int = 0
    plan: str = "full"
    holdback: int = 0
    dues: list[tuple[int, bool]] | None = None  # (id, final) once monitoring is set
    received: set[int] = field(default_factory=set)

    @property
    def outstanding(self) -> int:
        return self.awarded - self.paid

    @property
    def net(self) -> int:
        return self.paid - self.underspend - self.clawback

    @property
    def final_in(self) -> bool:
        finals = [due for due, final in self.dues or () if final]
        return bool(finals) and all(due in self.received for due in finals)

    @property
    def held(self) -> int:
        return 0 if self.final_in else self.holdback

    @property
    def payable_now(self) -> int:
        return max(self.outstanding - self.held, 0)


def build_template(path: Path) -> list[tuple[int, int]]:
    """A database with three awards of AMOUNTS, made on AWARDED: [(award id, amount)]."""
    from sqlalchemy import select

    from grantdesk.store.models import Award

    with open_database(database_location(path), create=True) as db:
        vote = build_vote_fund(db, costs_pence=AMOUNTS, budget_pence=1_000_000)
        made = []
        for app_id, amount in zip(vote.application_ids, AMOUNTS, strict=True):
            award_application(db, app_id, amount, awarded_on=AWARDED, actor=ACTOR)
            with db.session() as s:
                made.append((s.scalar(select(Award.id).where(Award.application_id == app_id)), amount))
    return made


class PaymentsMachine(RuleBasedStateMachine):
    template: Path
    made: list[tuple[int, int]]
    folder: Path

    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(dir=self.folder))
        shutil.copyfile(self.template, self.dir / "pay.db")
        self.db = open_database(database_location(self.dir / "pay.db"))
        self.awards = [Model(award_id, amount) for award_id, amount in self.made]

    def teardown(self):
        self.db.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def rows(self) -> dict[str, list[tuple]]:
        with self.db.reading() as conn:
            return {t: [tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY id")] for t in TABLES}

    def attempt(self, call, expected: bool, what: str, refusal=GrantDeskError):
        """Run ``call``. Refused: it must have been expected to be, as ``refusal``, and changed nothing."""
        before = self.rows()
        try:
            result = call()
        except GrantDeskError as exc:
            assert not expected, f"{what} was refused: {exc}"
            assert isinstance(exc, refusal), f"{what} was refused as {type(exc).__name__}: {exc}"
            assert self.rows() == before, f"{what} was refused but changed the database: {exc}"
            return None
        assert expected, f"{what} was allowed"
        return result

    # --- steps --------------------------------------------------------------------------------------

    @rule(k=st.integers(0, 2), kind=st.sampled_from(["full", "on_claim", "instalments"]),
          holdback=st.sampled_from(["none", "some", "all", "too much", "negative"]),
          split=st.sampled_from(["exact", "short", "one"]))
    def plan(self, k, kind, holdback, split):
        award = self.awards[k]
        held = {"none": 0, "some": award.awarded // 10, "all": award.awarded, "too much": award.awarded + 1,
                "negative": -1}[holdback]
        instalments = []
        if kind == "instalments":
            first = award.awarded // 2
            instalments = {"exact": [(AWARDED, first), (AWARDED + timedelta(days=180), award.awarded - first)],
                           "short": [(AWARDED, first), (AWARDED + timedelta(days=180), award.awarded - first - 1)],
                           "one": [(AWARDED, award.awarded)]}[split]
        expected = 0 <= held <= award.awarded and (kind != "instalments" or split == "exact")
        self.attempt(lambda: payments.set_payment_plan(self.db, award.id, kind, instalments=instalments,
                                                       holdback_pence=held, actor=ACTOR),
                     expected, f"a plan {kind} ({split}) holding back {held}p of {award.awarded}p")
        if expected:
            award.plan, award.holdback = kind, held

    @initialize(parts=st.tuples(*[st.sampled_from([0, 2, 1])] * len(AMOUNTS)),
                backs=st.tuples(*[st.booleans()] * len(AMOUNTS)))
    def start_part_paid(self, parts, backs):
        """Each award starts unpaid, half paid or paid in full, some of it perhaps returned unspent,
        through the same checked steps."""
        for award, part, back in zip(self.awards, parts, backs, strict=True):
            if part:
                self.pay_amount(award, award.awarded // part, 0)
                if back:
                    self.money_back_amount(award, "underspend", award.paid // 4, "Came in under budget")

    @rule(k=st.integers(0, 2), data=st.data(), days=DAYS)
    def pay(self, k, data, days):
        award = self.awards[k]
        amount = data.draw(st.sampled_from([-1, 0, 1, award.payable_now, award.payable_now + 1, award.outstanding,
                                            award.outstanding + 1]) | st.integers(1, award.awarded), label="amount")
        self.pay_amount(award, amount, days)

    def pay_amount(self, award: Model, amount: int, days: int) -> None:
        amount_ok = 0 < amount <= award.payable_now
        expected = amount_ok and days >= 0
        refusal = OverPayment if amount > 0 and days >= 0 else GrantDeskError
        position = self.attempt(
            lambda: payments.record_payment(self.db, award.id, amount, AWARDED + timedelta(days=days), actor=ACTOR),
            expected, f"paying {amount}p on day {days} (outstanding {award.outstanding}p, held back "
                      f"{award.held}p)", refusal)
        if expected:
            award.paid += amount
            assert position.paid_pence == award.paid

    @rule(k=st.integers(0, 2), kind=st.sampled_from(["underspend", "clawback"]), data=st.data(), reason=REASONS)
    def money_back(self, k, kind, data, reason):
        award = self.awards[k]
        amount = data.draw(st.sampled_from([0, 1, award.net, award.net + 1, award.paid]) | st.integers(1, award.awarded),
                           label="amount")
        self.money_back_amount(award, kind, amount, reason)

    def money_back_amount(self, award: Model, kind: str, amount: int, reason: str) -> None:
        expected = 0 < amount <= award.net and bool(reason.strip())
        self.attempt(lambda: payments.record_return(self.db, award.id, kind, amount, AWARDED + timedelta(days=400),
                                                    reason=reason, actor=ACTOR),
                     expected, f"{amount}p back as {kind} (net {award.net}p, reason {reason!r})")
        if expected:
            setattr(award, kind, getattr(award, kind) + amount)

    @rule(k=st.integers(0, 2))
    def set_monitoring(self, k):
        award = self.awards[k]
        owed = reports_owed(award.awarded)
        expected = award.dues is None or not owed  # set once; a grant that owes nothing has nothing to set
        self.attempt(lambda: payments.set_monitoring(self.db, award.id, actor=ACTOR), expected,
                     f"setting monitoring again on {award.awarded}p")
        if expected:
            with self.db.reading() as conn:
                award.dues = [tuple(r) for r in conn.exec_driver_sql(
                    "SELECT id, final FROM monitoring_due WHERE award_id = ? ORDER BY due_on", (award.id,))]
            assert [bool(final) for _, final in award.dues] == owed
            award.dues = [(due, bool(final)) for due, final in award.dues]

    @rule(k=st.integers(0, 2), which=st.integers(0, 1), days=DAYS)
    def report_received(self, k, which, days):
        award = self.awards[k]
        if not award.dues or which >= len(award.dues):
            return
        due, _final = award.dues[which]
        expected = due not in award.received and days >= 0
        self.attempt(lambda: payments.report_received(self.db, due, AWARDED + timedelta(days=days), actor=ACTOR),
                     expected, f"report {which} received on day {days}")
        if expected:
            award.received.add(due)

    # --- what must always hold ----------------------------------------------------------------------

    @invariant()
    def the_books_agree(self):
        lines = {line.award_id: line.position for line in payments.fund_awards(self.db, "VOT")}
        with self.db.reading() as conn:
            for award in self.awards:
                def total(sql, award=award):
                    return conn.exec_driver_sql(sql, (award.id,)).scalar()

                paid = total("SELECT coalesce(sum(amount_pence), 0) FROM payments WHERE award_id = ?")
                back = total("SELECT coalesce(sum(amount_pence), 0) FROM award_returns WHERE award_id = ?")
                awarded = total("SELECT amount_pence FROM awards WHERE id = ?")
                position = payments.award_position(self.db, award.id)
                assert awarded == award.awarded and paid == award.paid
                assert paid + position.outstanding_pence == awarded  # paid + outstanding = award
                assert 0 <= paid <= awarded  # never paid over the award
                assert 0 <= back <= paid  # never more back than was paid
                assert (position.paid_pence, position.returned_pence, position.clawed_back_pence) == (
                    award.paid, award.underspend, award.clawback)
                assert position.held_back_pence == award.held
                assert position.payable_now_pence == award.payable_now <= position.outstanding_pence
                assert position.plan == award.plan
                assert lines[award.id] == position  # the payments window's list says the same


def test_the_payment_services_keep_the_books_straight(tmp_path):
    template = tmp_path / "template.db"
    PaymentsMachine.made = build_template(template)
    PaymentsMachine.template, PaymentsMachine.folder = template, tmp_path
    run_state_machine_as_test(PaymentsMachine, settings=settings(
        max_examples=50, stateful_step_count=30, deadline=None))
