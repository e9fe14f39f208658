import pytest

from grantdesk.domain.errors import InvalidTransition
from grantdesk.domain.workflow import (
    CLOSED,
    TRANSITIONS,
    Status,
    allowed_next,
    check_transition,
)

S = Status


@pytest.mark.parametrize(
    "src, dst",
    [
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.ELIGIBLE),
        (S.ELIGIBLE, S.SHORTLISTED),
        (S.SHORTLISTED, S.AWARDED),
        (S.RETURNED, S.SUBMITTED),
    ],
)
def test_the_usual_forward_moves_need_no_reason(src, dst):
    check_transition(src, dst)


@pytest.mark.parametrize(
    "src, dst",
    [
        (S.SUBMITTED, S.RETURNED),
        (S.SUBMITTED, S.INELIGIBLE),
        (S.SHORTLISTED, S.DECLINED),
        (S.SHORTLISTED, S.DEFERRED),
        (S.ELIGIBLE, S.WITHDRAWN),
        (S.INELIGIBLE, S.ELIGIBLE),
    ],
)
def test_moves_that_say_no_or_overrule_need_a_written_reason(src, dst):
    with pytest.raises(InvalidTransition, match="reason"):
        check_transition(src, dst)
    with pytest.raises(InvalidTransition):
        check_transition(src, dst, "   ")
    check_transition(src, dst, "Outside the county")


def test_an_officer_override_of_ineligibility_says_the_reason_is_audited():
    with pytest.raises(InvalidTransition, match="audit"):
        check_transition(S.INELIGIBLE, S.ELIGIBLE)


@pytest.mark.parametrize("closed", [S.AWARDED, S.DECLINED, S.WITHDRAWN])
def test_closed_applications_cannot_move(closed):
    for target in Status:
        if target is closed:
            continue
        with pytest.raises(InvalidTransition, match="closed"):
            check_transition(closed, target, "any reason")


def test_an_impossible_move_names_the_moves_that_are_possible():
    with pytest.raises(InvalidTransition) as err:
        check_transition(S.DRAFT, S.AWARDED)
    assert "submitted" in str(err.value) and "withdrawn" in str(err.value)


def test_staying_put_and_unknown_states_are_refused():
    with pytest.raises(InvalidTransition, match="already"):
        check_transition(S.DRAFT, S.DRAFT)
    with pytest.raises(InvalidTransition, match="not an application status"):
        check_transition("draft", "approved")


def test_withdrawal_is_possible_from_every_open_state_but_not_from_closed_ones():
    for state in Status:
        if state.is_open and state is not S.WITHDRAWN:
            assert S.WITHDRAWN in TRANSITIONS[state], state
        if state in CLOSED:
            assert S.WITHDRAWN not in TRANSITIONS[state], state


def test_every_state_is_reachable_from_draft():
    seen, todo = {S.DRAFT}, [S.DRAFT]
    while todo:
        for nxt in allowed_next(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(Status)
