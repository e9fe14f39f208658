"""An application as typed into a form or read from an online-form export, and its field checks.

One validation path serves the editor (messages next to each field), the CSV/XLSX importer (problems
by row and column) and the CLI: ``clean_draft`` turns text as people write it into clean values, or
``FieldErrors`` naming every field that needs attention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from grantdesk.domain.dates import parse_uk_date
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.money import parse_money
from grantdesk.domain.organisations import (
    ORG_TYPE_LABELS,
    OrgType,
    normalise_charity_number,
    normalise_company_number,
)
from grantdesk.domain.questions import Question, clean_answers
from grantdesk.i18n import _, N_

# Field name → label, in form order. The names are those `applications list --json` prints.
FIELDS: dict[str, str] = {
    "organisation": N_("Organisation"),
    "organisation_type": N_("Organisation type"),
    "charity_number": N_("Charity number"),
    "company_number": N_("Company number"),
    "contact_name": N_("Contact name"),
    "contact_email": N_("Contact e-mail"),
    "contact_phone": N_("Contact phone"),
    "contact_language": N_("Letters in"),
    "title": N_("Project title"),
    "summary": N_("Summary"),
    "amount_requested": N_("Amount requested"),
    "area": N_("Area"),
    "round": N_("Round"),
    "project_start": N_("Project start"),
    "project_end": N_("Project end"),
    "submitted_on": N_("Submitted on"),
}
REQUIRED = ("organisation", "organisation_type", "title", "amount_requested")
TITLE_MAX = 300

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LANGUAGES = {
    "en": "en", "english": "en", "saesneg": "en", "eng": "en",
    "cy": "cy", "welsh": "cy", "cymraeg": "cy", "cym": "cy",
}
_ORG_SYNONYMS = {
    "charity": OrgType.REGISTERED_CHARITY,
    "registered charity": OrgType.REGISTERED_CHARITY,
    "charitable incorporated organisation": OrgType.CIO,
    "community group": OrgType.COMMUNITY_GROUP,
    "constituted group": OrgType.COMMUNITY_GROUP,
    "voluntary group": OrgType.COMMUNITY_GROUP,
    "community interest company": OrgType.CIC,
    "parish council": OrgType.PARISH_COUNCIL,
    "town council": OrgType.PARISH_COUNCIL,
    "school": OrgType.SCHOOL,
    "pta": OrgType.SCHOOL,
    "church": OrgType.FAITH_GROUP,
    "company": OrgType.COMPANY_LIMITED_BY_GUARANTEE,
    "individual": OrgType.INDIVIDUAL,
    "sole trader": OrgType.BUSINESS,
}


class FieldErrors(ValidationError):
    """Several fields need attention: ``errors`` maps field name → plain-English message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        parts = [f"{_label(f)}: {m}" for f, m in self.errors.items()]
        noun = "field needs" if len(parts) == 1 else "fields need"
        super().__init__(f"{len(parts)} {noun} attention — " + " ".join(parts), next(iter(self.errors), None))


def _label(name: str) -> str:
    return FIELDS.get(name, name.removeprefix("answers.").replace("_", " ").capitalize())


@dataclass
class ApplicationDraft:
    """What a person typed or a form exported: text (or dates/numbers from a spreadsheet)."""

    organisation: Any = ""
    organisation_type: Any = ""
    charity_number: Any = ""
    company_number: Any = ""
    contact_name: Any = ""
    contact_email: Any = ""
    contact_phone: Any = ""
    contact_language: Any = ""
    title: Any = ""
    summary: Any = ""
    amount_requested: Any = ""
    area: Any = ""
    round: Any = ""
    project_start: Any = ""
    project_end: Any = ""
    submitted_on: Any = ""
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CleanApplication:
    organisation: str
    organisation_type: str
    charity_number: str | None
    company_number: str | None
    contact_name: str | None
    contact_email: str
    contact_phone: str
    contact_language: str
    title: str
    summary: str
    amount_requested_pence: int
    area: str | None
    round: str | None
    project_start: date | None
    project_end: date | None
    submitted_on: date | None
    answers: dict[str, Any]
    contact_language_given: bool = False  # the row or form said which language (not the fund's default)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is str:
        text = " ".join(value.split())
        return value if text == value else text  # the cell's own string when it is already tidy
    return " ".join(str(value).split())


def _org_type_words() -> dict[str, str]:
    """Every spelling ``parse_org_type`` takes → the type's code, made once: each type's code, label
    and code in words first (in ``OrgType`` order), then the synonyms, then the CIO's long names."""
    words: dict[str, str] = {}
    for kind in OrgType:
        for spelling in (kind.value, ORG_TYPE_LABELS[kind].casefold(), kind.value.replace("_", " ")):
            words.setdefault(spelling, kind.value)
    for spelling, kind in _ORG_SYNONYMS.items():
        words.setdefault(spelling, kind.value)
    for spelling in ("charitable incorporated organisation", "cio"):
        words.setdefault(spelling, OrgType.CIO.value)
        words.setdefault(f"{spelling} (cio)", OrgType.CIO.value)
    return words


_ORG_TYPE_WORDS = _org_type_words()


def parse_org_type(value: Any, field_name: str = "organisation_type") -> str:
    """An organisation type from its code (``registered_charity``), label or a common synonym."""
    text = _text(value).casefold()
    if not text:
        raise ValidationError(_("Say what kind of organisation is applying."), field_name)
    found = _ORG_TYPE_WORDS.get(text)
    if found is not None:
        return found
    raise ValidationError(
        _("“{value}” is not a kind of organisation GrantDesk knows; use one of: {kinds}.").format(
            value=_text(value), kinds=", ".join(_(ORG_TYPE_LABELS[k]).lower() for k in OrgType)),
        field_name,
    )


def parse_language(value: Any, default: str = "en") -> str:
    text = _text(value).casefold()
    if not text:
        return default
    if text in _LANGUAGES:
        return _LANGUAGES[text]
    raise ValidationError(_("“{text}” is not a letter language; use English (en) or Welsh (cy).").format(
                            text=_text(value)),
                          "contact_language")


_MISSING = object()
# What a cell reads as, by the cell's text, for the readers whose answer depends on the text alone:
# an export repeats the same few amounts, types, languages and dates on thousands of rows.
_READ: dict[tuple[Any, str], Any] = {}
_READ_LIMIT = 20_000
# A date with a time of day and no zone ("13/06/2026 09:52:34", a form's Timestamp) is its date part.
_DATE_AND_TIME = re.compile(
    r"^\s*(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2}) (?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?\s*$")


def _read(reader, value: Any, kind: str) -> Any:
    """``reader(value)``, remembered for text values (refusals are not remembered: each says its cell)."""
    if value.__class__ is not str:
        return reader(value)
    found = _READ.get((value, kind), _MISSING)
    if found is _MISSING:
        found = reader(value)
        if len(_READ) >= _READ_LIMIT:
            _READ.clear()
        _READ[(value, kind)] = found
    return found


def _date(value: Any, name: str) -> Any:
    if value.__class__ is str:
        found = _READ.get((value, "date"), _MISSING)  # the same date on many rows: read once
        if found is not _MISSING:
            return found
    if value.__class__ is str and (m := _DATE_AND_TIME.match(value)):
        try:
            return _read(parse_uk_date, m[1], "date")
        except ValidationError:
            pass  # said about the whole cell, below
    return _read(lambda v: parse_uk_date(v, field=name), value, "date") if value.__class__ is str \
        else parse_uk_date(value, field=name)


def _charity(value: Any) -> str | None:
    return normalise_charity_number(_text(value) or None)


def _company(value: Any) -> str | None:
    return normalise_company_number(_text(value) or None)


def _money(value: Any) -> int:
    return parse_money(value, field="amount_requested")


def clean_draft(
    draft: ApplicationDraft,
    questions: list[Question] | tuple[Question, ...] = (),
    *,
    default_language: str = "en",
    today: date | None = None,
) -> CleanApplication:
    """Check every field and return clean values, or raise ``FieldErrors`` listing them all.

    With ``today``, a submission date after it is refused (an import once accepted one a year ahead)."""
    errors: dict[str, str] = {}
    organisation = _text(draft.organisation)
    if not organisation:
        errors["organisation"] = _("Say which organisation is applying.")
    org_type = charity = company = language = amount = start = end = submitted = None
    try:
        org_type = _read(parse_org_type, draft.organisation_type, "org_type")
    except ValidationError as exc:
        errors["organisation_type"] = str(exc)
    try:
        charity = _read(_charity, draft.charity_number, "charity")
    except ValidationError as exc:
        errors["charity_number"] = str(exc)
    try:
        company = _read(_company, draft.company_number, "company")
    except ValidationError as exc:
        errors["company_number"] = str(exc)
    contact_name = _text(draft.contact_name) or None
    email = _text(draft.contact_email)
    if email and not _EMAIL.match(email):
        errors["contact_email"] = _("“{email}” is not an e-mail address.").format(email=email)
    raw_language = draft.contact_language
    try:
        language = parse_language(raw_language, default_language) if raw_language.__class__ is not str \
            else _read(lambda v: parse_language(v, default_language), raw_language, "language:" + default_language)
    except ValidationError as exc:
        errors["contact_language"] = str(exc)
    title = _text(draft.title)
    if not title:
        errors["title"] = _("Give the project a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under {limit} characters (it has {count}).").format(
            limit=TITLE_MAX, count=len(title))
    raw_amount = draft.amount_requested
    if raw_amount is None or raw_amount == "" or (raw_amount.__class__ is str and not raw_amount.strip()):
        errors["amount_requested"] = _("Say how much is asked for, in pounds.")
    else:
        if isinstance(raw_amount, float):  # a spreadsheet cell: read its digits, never its binary value
            raw_amount = repr(raw_amount)
        try:
            amount = _read(_money, raw_amount, "money")
        except ValidationError as exc:
            errors["amount_requested"] = str(exc)
        if amount is not None and amount <= 0:
            errors["amount_requested"] = _("The amount asked for must be more than £0.")
    try:
        start = _date(draft.project_start, "project_start")
    except ValidationError as exc:
        errors["project_start"] = str(exc)
    try:
        end = _date(draft.project_end, "project_end")
    except ValidationError as exc:
        errors["project_end"] = str(exc)
    if start and end and end < start:
        errors["project_end"] = _("The project ends before it starts.")
    try:
        submitted = _date(draft.submitted_on, "submitted_on")
    except ValidationError as exc:
        errors["submitted_on"] = str(exc)
    if submitted is not None and today is not None and submitted > today:
        errors["submitted_on"] = _("{submitted} is after today ({today}); an application cannot have been "
                                    "submitted in the future.").format(submitted=submitted.strftime('%d/%m/%Y'),
                                                                         today=today.strftime('%d/%m/%Y'))
    if questions or draft.answers:
        answers, answer_errors = clean_answers(questions, dict(draft.answers or {}))
        errors.update(answer_errors)
    else:
        answers = {}
    if errors:
        raise FieldErrors(errors)
    return CleanApplication(
        organisation=organisation,
        organisation_type=org_type,  # type: ignore[arg-type]
        charity_number=charity,
        company_number=company,
        contact_name=contact_name,
        contact_email=email,
        contact_phone=_text(draft.contact_phone),
        contact_language=language,  # type: ignore[arg-type]
        title=title,
        summary=str(draft.summary or "").strip(),
        amount_requested_pence=amount,  # type: ignore[arg-type]
        area=_text(draft.area) or None,
        round=_text(draft.round) or None,
        project_start=start,
        project_end=end,
        submitted_on=submitted,
        answers=answers,
        contact_language_given=bool(_text(draft.contact_language)),
    )
