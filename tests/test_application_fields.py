from datetime import date
from decimal import Decimal

import pytest

from grantdesk.domain.applications import (
    ApplicationDraft,
    FieldErrors,
    clean_draft,
    parse_org_type,
)
from grantdesk.domain.dates import parse_uk_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.questions import (
    Question,
    QuestionKind,
    clean_answer,
    clean_answers,
    make_question,
)

QUESTIONS = (
    make_question("volunteers", "How many volunteers?", "number", required=True),
    make_question("bank_account", "Does the group have its own bank account?", "yesno", required=True),
    make_question("theme", "Which theme?", "choice", choices=["Health and wellbeing", "Children and families"]),
    make_question("spoke_to_councillor", "Who did you speak to?", "text"),
)


def good(**changes):
    values = dict(organisation="Leek Walking Football", organisation_type="Community group", title="New bibs",
                  amount_requested="£1,250", contact_name="Sam Hill", contact_email="sam@example.org",
                  contact_language="Cymraeg", project_start="1/6/2026", project_end="31 March 2027",
                  answers={"volunteers": "12", "bank_account": "yes", "theme": "health and wellbeing"})
    values.update(changes)
    return ApplicationDraft(**values)


def test_a_well_filled_form_comes_back_clean():
    clean = clean_draft(good(), QUESTIONS)
    assert clean.amount_requested_pence == 125000
    assert clean.organisation_type == "community_group"
    assert clean.contact_language == "cy"
    assert (clean.project_start, clean.project_end) == (date(2026, 6, 1), date(2027, 3, 31))
    assert clean.answers == {"volunteers": "12", "bank_account": True, "theme": "Health and wellbeing"}


def test_every_problem_is_reported_at_once_against_its_field():
    draft = good(organisation=" ", title="", amount_requested="12.345", contact_email="sam at example",
                 project_start="31/03/2027", project_end="1/4/2026", answers={"volunteers": "lots"})
    with pytest.raises(FieldErrors) as err:
        clean_draft(draft, QUESTIONS)
    errors = err.value.errors
    assert set(errors) == {"organisation", "title", "amount_requested", "contact_email", "project_end",
                           "answers.volunteers", "answers.bank_account"}
    assert "two decimal places" in errors["amount_requested"]
    assert "ends before it starts" in errors["project_end"]
    assert "needs an answer" in errors["answers.bank_account"]
    assert str(err.value).startswith("7 fields need attention")


def test_a_spreadsheet_number_cell_is_read_by_its_digits():
    assert clean_draft(good(amount_requested=1250.5)).amount_requested_pence == 125050
    assert clean_draft(good(amount_requested=900)).amount_requested_pence == 90000
    # Excel's float noise (0.30000000000000004) is within a thousandth of a penny of 30p (issue 18) ...
    assert clean_draft(good(amount_requested=0.1 + 0.2)).amount_requested_pence == 30
    with pytest.raises(FieldErrors):  # ... a real fraction of a penny is not an amount of money
        clean_draft(good(amount_requested=0.125))


@pytest.mark.parametrize("text, code", [("Registered charity", "registered_charity"), ("CIO", "cio"),
                                        ("cic", "cic"), ("Parish council", "parish_council"),
                                        ("community_group", "community_group"), ("Individual", "individual")])
def test_organisation_types_are_understood_by_code_label_or_common_name(text, code):
    assert parse_org_type(text) == code


def test_an_unknown_organisation_type_lists_the_kinds_there_are():
    with pytest.raises(ValidationError, match="registered charity"):
        parse_org_type("club")


@pytest.mark.parametrize("text, day", [("12/05/2026", date(2026, 5, 12)), ("12/5/26", date(2026, 5, 12)),
                                       ("12.05.2026", date(2026, 5, 12)), ("2026-05-12", date(2026, 5, 12)),
                                       ("12 May 2026", date(2026, 5, 12)), ("3rd March 2027", date(2027, 3, 3)),
                                       ("3 Mawrth 2027", date(2027, 3, 3))])
def test_uk_dates_are_read_day_first(text, day):
    assert parse_uk_date(text) == day


@pytest.mark.parametrize("text, words", [("05/13/2026", "day/month/year"), ("31/02/2026", "not a real date"),
                                         ("soon", "not a date")])
def test_impossible_or_american_dates_are_refused_with_a_reason(text, words):
    with pytest.raises(ValidationError, match=words):
        parse_uk_date(text)


def test_number_answers_stay_exact_decimal_strings_and_yes_no_accepts_welsh():
    number = Question("hours", "Hours", QuestionKind.NUMBER)
    assert clean_answer(number, "1,234.50") == "1234.50"
    assert Decimal(clean_answer(number, "0.1")) + Decimal(clean_answer(number, "0.2")) == Decimal("0.3")
    with pytest.raises(ValidationError):
        clean_answer(number, 2.5)
    yesno = Question("ok", "OK?", QuestionKind.YESNO)
    assert clean_answer(yesno, "Ie") is True and clean_answer(yesno, "na") is False


def test_answers_to_questions_no_longer_asked_are_kept():
    answers, errors = clean_answers(QUESTIONS[2:3], {"theme": "Children and families", "old_question": "kept"})
    assert errors == {} and answers == {"theme": "Children and families", "old_question": "kept"}


def test_question_definitions_are_checked():
    with pytest.raises(ValidationError, match="two choices"):
        make_question("size", "Size", "choice", choices=["Small"])
    with pytest.raises(ValidationError, match="question key"):
        make_question("Bad Key", "x", "text")
    with pytest.raises(ValidationError, match="question type"):
        make_question("k", "x", "date")
