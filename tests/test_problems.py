"""Problems as data: the core says what was refused with the numbers and names; words are chosen after."""

from datetime import datetime

import pytest

from grantdesk.domain.errors import InvalidTransition
from grantdesk.domain.problems import WORDING, Problem, problem, words
from grantdesk.domain.workflow import Status, check_transition


def test_a_refused_move_carries_the_statuses_and_the_moves_that_are_allowed():
    with pytest.raises(InvalidTransition) as refused:
        check_transition(Status.DRAFT, Status.AWARDED)
    found = refused.value.problem
    assert found.code == "transition.not_allowed"
    assert found["current"] is Status.DRAFT and found["target"] is Status.AWARDED
    assert found["options"] == (Status.SUBMITTED, Status.WITHDRAWN)
    assert str(refused.value) == words(found) == (
        "An application that is draft cannot be moved to awarded; it can be moved to: submitted, withdrawn.")


def test_a_decision_without_its_reason_names_the_reason_field():
    with pytest.raises(InvalidTransition) as refused:
        check_transition(Status.SHORTLISTED, Status.DECLINED, "  ")
    assert refused.value.problem.code == "transition.reason_needed" and refused.value.problem.field == "reason"


def test_words_are_chosen_for_the_audience_falling_back_to_the_officers():
    p = problem("transition.same", current=Status.SUBMITTED)
    assert words(p, "voter") == words(p) == "The application is already submitted."


def test_a_moment_is_shown_in_uk_time():
    summer = problem("record.changed_elsewhere", reference="PHP-2026-0001", changed_by="Priya Shah",
                     changed_at=datetime(2026, 7, 1, 13, 5), consequence="move")
    assert words(summer) == ("PHP-2026-0001 was changed by Priya Shah on 01/07/2026 at 14:05 since you opened it; "
                             "reload it and try again.")  # 13:05 UTC is 14:05 in British Summer Time


def test_every_code_has_officer_words_and_an_unknown_code_is_refused_at_once():
    assert all("officer" in forms for forms in WORDING.values())
    with pytest.raises(KeyError):
        Problem("no.such.code")


def test_problem_values_cannot_be_changed_after_the_fact():
    p = problem("application.not_found", application_id=7)
    with pytest.raises(TypeError):
        p.values["application_id"] = 8  # type: ignore[index]
