"""Auto-mapping on the header rows real form tools export (issue 18.4).

Each export below is written out as the tool writes it: its own bookkeeping columns first, then one
column per question, headed by the question as applicants read it. ``EXPECTED`` says, for every
column a person would map, which field it is; the columns left out are the tool's own or questions
GrantDesk has no field for, and must stay unmapped.
"""

from __future__ import annotations

import pytest
from helpers import build_fund

from grantdesk.domain.applications import FIELDS
from grantdesk.domain.form_headers import explain_columns, suggest_columns, words
from grantdesk.domain.questions import make_question
from grantdesk.services import imports, questions
from grantdesk.store.queries import READ_ONLY_FIELDS

# The fund's own questions, as Staffordshire's People Helping People asks them.
QUESTIONS = (
    make_question("spoke_to_councillor", "Have you spoken to your county councillor about this project?", "yesno"),
    make_question("theme", "Which #DoingOurBit theme does the project support?", "choice",
                  ["Health and wellbeing", "Children and families"]),
    make_question("people", "About how many people will take part?", "number"),
    make_question("match_funding", "Parish councils and businesses: where does your 50% match funding come from?",
                  "text"),
)
ALL_FIELDS = {**FIELDS, **{q.field: q.label for q in QUESTIONS}}
KEY_FIELDS = ("organisation", "organisation_type", "contact_name", "contact_email", "title", "amount_requested",
              "submitted_on")

# --- the exports: header → the field a person would choose ("" for none) --------------------------------

MICROSOFT_FORMS = {
    "ID": "",
    "Start time": "",
    "Completion time": "submitted_on",
    "Email": "",  # the signed-in respondent (often "anonymous"): the form asks for the contact's e-mail below
    "Name": "",
    "Last modified time": "",
    "What is the name of your group or organisation?": "organisation",
    "What type of organisation are you?": "organisation_type",
    "Registered charity number (if applicable)": "charity_number",
    "Companies House number (if applicable)": "company_number",
    "Name of main contact": "contact_name",
    "Contact email address": "contact_email",
    "Contact telephone number": "contact_phone",
    "What is the name of your project?": "title",
    "Please describe your project (max 300 words)": "summary",
    "How much are you applying for? (£)": "amount_requested",
    "What is the total cost of your project? (£)": "",
    "Which division will the project take place in?": "area",
    "When will your project start?": "project_start",
    "When will your project end?": "project_end",
    "Have you spoken to your county councillor about this project?": "answers.spoke_to_councillor",
    "Which #DoingOurBit theme does your project support?": "answers.theme",
    "About how many people will take part?": "answers.people",
    "I confirm the information I have given is correct": "",
}

GOOGLE_FORMS = {
    "Timestamp": "submitted_on",
    "Email address": "contact_email",
    "Name of your group/organisation/club": "organisation",
    "Type of group": "organisation_type",
    "Charity number (if you have one)": "charity_number",
    "Your name": "contact_name",
    "Phone number": "contact_phone",
    "Project title": "title",
    "Tell us about your project": "summary",
    "How much funding are you requesting?": "amount_requested",
    "Which area is your group based in?": "area",
    "Project start date": "project_start",
    "Project end date": "project_end",
    "How many people will take part?": "answers.people",
    "Where does your match funding come from?": "answers.match_funding",
    "How did you hear about the fund?": "",
}

JOTFORM = {
    "Submission Date": "submitted_on",
    "Name": "contact_name",  # JotForm's Full Name field, first and last in one cell
    "E-mail": "contact_email",
    "Phone Number": "contact_phone",
    "Organisation Name": "organisation",
    "Organisation Type": "organisation_type",
    "Charity Registration Number": "charity_number",
    "Project Title": "title",
    "Project Description": "summary",
    "Amount Requested (£)": "amount_requested",
    "Ward": "area",
    "Start Date": "project_start",
    "End Date": "project_end",
    "Upload your constitution": "",
    "Submission ID": "",
    "IP": "",
}

SMARTSURVEY = {
    "Response ID": "",
    "Started": "",
    "Ended": "submitted_on",
    "IP Address": "",
    "Q1. Name of organisation": "organisation",
    "Q2. Legal status of your organisation": "organisation_type",
    "Q3. Registered charity no.": "charity_number",
    "Q4. Company registration number": "company_number",
    "Q5. Main contact name": "contact_name",
    "Q6. Email": "contact_email",
    "Q7. Telephone": "contact_phone",
    "Q8. Project name": "title",
    "Q9. Brief description of the project": "summary",
    "Q10. Amount of grant requested (£)": "amount_requested",
    "Q11. Which area will benefit?": "area",
    "Q12. Proposed start date": "project_start",
}

GOV_UK_FORMS = {
    "Reference": "",
    "Submitted at": "submitted_on",
    "What is the name of your organisation?": "organisation",
    "What type of organisation is it?": "organisation_type",
    "What is your organisation’s registered charity number? (optional)": "charity_number",
    "What is your name?": "contact_name",
    "What is your email address?": "contact_email",
    "What is your phone number?": "contact_phone",
    "What is your project called?": "title",
    "Summarise your project": "summary",
    "How much money are you asking for?": "amount_requested",
    "Which ward is your project in?": "area",
    "When will the project start?": "project_start",
    "When will the project finish?": "project_end",
}

EXCEL_TEMPLATE = {
    "Organisation name": "organisation",
    "Organisation type": "organisation_type",
    "Charity no.": "charity_number",
    "Company no.": "company_number",
    "Contact name": "contact_name",
    "Contact e-mail": "contact_email",
    "Contact phone": "contact_phone",
    "Letters in (English/Welsh)": "contact_language",
    "Project title": "title",
    "Project summary": "summary",
    "Amount requested (£)": "amount_requested",
    "Ward": "area",
    "Round": "round",
    "Project start (dd/mm/yyyy)": "project_start",
    "Project end (dd/mm/yyyy)": "project_end",
    "Date received": "submitted_on",
    "Officer notes": "",
}

WELSH_COUNCIL = {  # a bilingual form: Welsh first, then English
    "Stamp amser": "submitted_on",
    "Enw'r sefydliad / Name of organisation": "organisation",
    "Math o sefydliad / Type of organisation": "organisation_type",
    "Rhif elusen / Charity number": "charity_number",
    "Enw cyswllt / Contact name": "contact_name",
    "E-bost / Email": "contact_email",
    "Rhif ffôn / Phone number": "contact_phone",
    "Iaith ohebiaeth / Language for letters": "contact_language",
    "Teitl y prosiect / Project title": "title",
    "Swm y grant / Amount requested": "amount_requested",
    "Ardal / Area": "area",
}

EXPORTS = {
    "Microsoft Forms": MICROSOFT_FORMS,
    "Google Forms": GOOGLE_FORMS,
    "JotForm": JOTFORM,
    "SmartSurvey": SMARTSURVEY,
    "GOV.UK Forms": GOV_UK_FORMS,
    "Excel template": EXCEL_TEMPLATE,
    "Welsh council form": WELSH_COUNCIL,
}


def suggest(headers, saved=None):
    return suggest_columns(list(headers), ALL_FIELDS, questions=QUESTIONS, saved=saved, ignore=READ_ONLY_FIELDS)


@pytest.mark.parametrize("tool", list(EXPORTS))
def test_real_exports_are_mapped_without_help(tool):
    expected = EXPORTS[tool]
    got = suggest(expected)
    assert list(got) == list(expected)  # a choice for every header, in the file's order
    mappable = {h: f for h, f in expected.items() if f}
    right = [h for h, f in mappable.items() if got[h] == f]
    assert len(right) >= 0.8 * len(mappable), {h: got[h] for h in mappable if got[h] != mappable[h]}
    for header, field in mappable.items():
        if field in KEY_FIELDS:
            assert got[header] == field, f"{tool}: “{header}”"
    left_out = {h: got[h] for h, f in expected.items() if not f}
    assert left_out == {h: "" for h in left_out}, f"{tool}: a column nobody would map was given a field"


def test_every_export_here_is_in_fact_mapped_exactly():
    """Beyond the 80% each tool must reach: today every column above is matched as a person would."""
    for tool, expected in EXPORTS.items():
        assert suggest(expected) == expected, tool


def test_a_field_is_never_given_to_two_columns_and_the_better_wording_wins():
    # Microsoft Forms' signed-in "Email"/"Name" and the form's own contact questions: the question wins,
    # wherever it is in the file
    got = suggest(["Name", "Email", "Organisation", "Contact email address", "Contact name"])
    assert got == {"Name": "", "Email": "", "Organisation": "organisation", "Contact email address": "contact_email",
                   "Contact name": "contact_name"}
    # without the questions, the respondent's own columns are the contact
    assert suggest(["Name", "Email", "Organisation"]) == {"Name": "contact_name", "Email": "contact_email",
                                                         "Organisation": "organisation"}
    # two equally good columns: the first one in the file
    got = suggest(["Amount", "Amount (£)"])
    assert got == {"Amount": "amount_requested", "Amount (£)": ""}
    fields = [f for f in suggest(MICROSOFT_FORMS).values() if f]
    assert len(fields) == len(set(fields))


def test_columns_that_are_about_something_else_are_left_alone():
    got = suggest_columns(["Organisation", "Amount of match funding (£)", "How much will the whole project cost?",
                   "Name of your bank", "Bank account name", "Amount requested", "Organisation address",
                   "Postcode", "Which age group will benefit?", "Date of birth"], FIELDS)
    assert got == {"Organisation": "organisation", "Amount of match funding (£)": "",
                   "How much will the whole project cost?": "", "Name of your bank": "", "Bank account name": "",
                   "Amount requested": "amount_requested", "Organisation address": "", "Postcode": "",
                   "Which age group will benefit?": "", "Date of birth": ""}


def test_half_a_name_is_not_the_contact_name():
    """JotForm and GOV.UK Forms can split a name into first and last: neither half is the contact's name,
    so both are left for the officer (the raw data shows what they hold)."""
    got = suggest(["Submission Date", "First Name", "Last Name", "Email", "Group name", "Amount"])
    assert got == {"Submission Date": "submitted_on", "First Name": "", "Last Name": "", "Email": "contact_email",
                   "Group name": "organisation", "Amount": "amount_requested"}


def test_the_form_tools_own_columns_are_never_guessed_as_fields():
    got = suggest(["ID", "Start time", "Last modified time", "Response ID", "Started", "IP Address", "Reference",
                   "Submission ID", "status", "created_at", "updated_at", "Organisation"])
    assert [h for h, f in got.items() if f] == ["Organisation"]
    # ...but a start or end that is the project's is
    assert suggest(["Start time", "Project start"])["Project start"] == "project_start"


def test_the_form_tools_id_for_the_response_is_the_response_id_when_the_importer_takes_one():
    fields = {**ALL_FIELDS, "response_id": "Form response ID"}  # as services.imports offers it
    for tool, expected, id_column in (("Microsoft Forms", MICROSOFT_FORMS, "ID"),
                                      ("SmartSurvey", SMARTSURVEY, "Response ID"),
                                      ("JotForm", JOTFORM, "Submission ID"), ("GOV.UK Forms", GOV_UK_FORMS, "Reference")):
        got = suggest_columns(list(expected), fields, questions=QUESTIONS, ignore=READ_ONLY_FIELDS)
        assert got == {**expected, id_column: "response_id"}, tool
    # never two: the column named exactly after the field wins
    assert suggest_columns(["Start time", "Submission ID", "Response ID"], fields) == \
        {"Start time": "", "Submission ID": "", "Response ID": "response_id"}


def test_the_saved_mapping_comes_first_and_a_stale_one_is_guessed_afresh():
    saved = {"Group name": "", "Email": "contact_email", "Which ward?": "answers.gone", "Amount": "organisation"}
    got = suggest(["GROUP NAME", "Organisation", "Email", "Which ward?", "Amount", "Amount requested"], saved)
    assert got == {
        "GROUP NAME": "",  # the officer left it out last time (matched ignoring case)
        "Organisation": "",  # the saved mapping gave organisation to "Amount"…
        "Email": "contact_email",
        "Which ward?": "area",  # a question the fund no longer asks: guessed afresh
        "Amount": "organisation",  # …and the officer's choice stands, however odd
        "Amount requested": "amount_requested",
    }


def test_the_funds_own_questions_by_their_wording():
    got = suggest(["Organisation", "Did you speak to your county councillor about this project?",
                   "How many people do you expect to take part?", "theme"])
    assert got == {"Organisation": "organisation",
                   "Did you speak to your county councillor about this project?": "answers.spoke_to_councillor",
                   "How many people do you expect to take part?": "answers.people", "theme": "answers.theme"}
    # the same headers for a fund that does not ask those questions: nothing to map them to
    plain = suggest_columns(["Did you speak to your county councillor about this project?", "theme"], FIELDS)
    assert plain == {"Did you speak to your county councillor about this project?": "", "theme": ""}


def test_headers_are_read_as_words():
    assert words("Q3. What is your organisation’s registered charity no.? (optional)") == \
        ("organisation", "register", "charity", "number")
    assert words("How much are you requesting (£)?") == ("much", "request")
    assert words("Rhif ffôn / Phone") == ("rhif", "ffon", "phone")
    assert words("E-mail address") == ("email", "address")


def test_each_suggestion_says_why():
    said = {s.header: s for s in explain_columns(["Timestamp", "Start time", "Favourite colour", "Ward", "Email",
                                                  "Contact e-mail"], FIELDS, saved={"Ward": "area"})}
    assert said["Timestamp"].field == "submitted_on" and "timestamp" in said["Timestamp"].because
    assert said["Start time"].because == "the form tool's own column"
    assert said["Favourite colour"].field == "" and said["Favourite colour"].score == 0
    assert said["Ward"].because == "saved with the fund's mapping last time"
    assert said["Email"].field == "" and said["Email"].because == \
        "it could be Contact e-mail, but another column matches that better"


def test_the_service_suggests_through_the_same_rules(db):
    build_fund(db)
    questions.set_questions(db, "TST", list(QUESTIONS))
    got = imports.suggest_mapping(db, "TST", list(MICROSOFT_FORMS))
    takes_id = "response_id" in imports.importable_fields(db, "TST")
    assert got == {**MICROSOFT_FORMS, "ID": "response_id" if takes_id else ""}
    imports.save_mapping(db, "TST", {**MICROSOFT_FORMS, "Email": "contact_email", "Contact email address": ""})
    again = imports.suggest_mapping(db, "TST", list(MICROSOFT_FORMS))
    assert again["Email"] == "contact_email" and again["Contact email address"] == ""
