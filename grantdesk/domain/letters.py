"""Letters as data: templates with merge fields, checked before anything is printed, and the merged
letter as plain data a PDF renderer lays out.

A template is a set of texts (subject, paragraphs, conditions, the acceptance slip) in one language,
with merge fields in braces: ``{organisation}``, ``{amount}``, ``{amount_words}``. Each kind of letter
knows which fields it offers (``FIELDS``); a template that names any other field is refused by
``check_template`` with the field, where it is and the fields that do exist — so a letter never goes
out with a blank or a brace in it. ``{{`` and ``}}`` write a literal brace.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from grantdesk.domain.errors import GrantDeskError, ValidationError
from grantdesk.i18n import N_, _

KINDS = ("award", "decline", "deferral", "payment")
LANGUAGES = ("en", "cy")

# The merge fields every letter offers, then each kind's own. Values are always text, formatted for
# the letter's language before merging (money and dates with babel).
COMMON_FIELDS: dict[str, str] = {
    "organisation": N_("the applicant organisation's name"),
    "contact_name": N_("the contact the letter is addressed to"),
    "salutation": N_("“Dear …” line's name (the contact, or the organisation)"),
    "reference": N_("the application's reference, e.g. PHP-2026-0042"),
    "title": N_("the project's title as applied for"),
    "fund": N_("the fund's name"),
    "council": N_("the council (or funder) name"),
    "letter_date": N_("the date of the letter"),
    "amount_requested": N_("the amount applied for, in figures"),
    "officer": N_("the grants officer's name"),
    "contact_email": N_("the fund's contact e-mail for questions"),
}
KIND_FIELDS: dict[str, dict[str, str]] = {
    "award": {
        "amount": N_("the amount awarded, in figures (£2,500.00)"),
        "amount_words": N_("the amount awarded, in words (two thousand five hundred pounds)"),
        "purpose": N_("what the grant is for"),
        "variation": N_("how the award differs from the application, or nothing"),
        "payment_terms": N_("how it will be paid (in full, instalments, on claim, holdback)"),
        "spend_by": N_("the date the money must be spent by"),
        "underspend": N_("what happens to money not spent"),
        "monitoring": N_("when reports are due"),
        "return_by": N_("the date the acceptance slip must come back by"),
        "decided_by": N_("who decided (the member(s), the panel, the community vote)"),
    },
    "decline": {
        "reason": N_("the reason, as recorded with the decision"),
        "other_funds": N_("other funds the applicant could try"),
        "feedback": N_("how to ask for feedback or a review"),
        "decided_by": N_("who decided"),
    },
    "deferral": {
        "reason": N_("what is needed before a decision"),
        "resubmit_by": N_("the date to resubmit by"),
        "decided_by": N_("who decided"),
    },
    "payment": {
        "amount": N_("the amount awarded, in figures"),
        "amount_words": N_("the amount awarded, in words"),
        "payment_amount": N_("this payment, in figures"),
        "payment_date": N_("the date of this payment"),
        "payment_method": N_("how it was paid (e.g. BACS)"),
        "payment_reference": N_("the payment's reference"),
        "paid_so_far": N_("all paid on the award so far"),
        "outstanding": N_("what is still to be paid"),
    },
}
FIELDS: dict[str, dict[str, str]] = {kind: {**COMMON_FIELDS, **own} for kind, own in KIND_FIELDS.items()}


class TemplateError(ValidationError):
    """A template that cannot make a correct letter; ``problems`` lists each, with where it is."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


class LettersChanged(ValidationError):
    """The letters made now are not the ones the officer saw: something they say (an award, an address,
    a template) changed in between. ``added``, ``removed`` and ``changed`` name the references."""

    def __init__(self, added: Iterable[str], removed: Iterable[str], changed: Iterable[str]):
        self.added, self.removed, self.changed = tuple(added), tuple(removed), tuple(changed)
        which = ", ".join((*self.changed, *self.added, *self.removed))
        super().__init__(_("These letters have changed since they were made ({which}): make them again.").format(
            which=which), "letters")


class LettersNotWritten(GrantDeskError):
    """The letters could not be written at ``path`` (``reason``: the system's words, e.g. "No space left
    on device"); nothing was kept there and nothing was recorded."""

    def __init__(self, path: object, reason: str):
        self.path, self.reason = str(path) if path else "", reason
        super().__init__(
            _("The letters could not be written: {reason} ({path}). Nothing was recorded.").format(
                reason=reason, path=self.path) if self.path else
            _("The letters could not be written: {reason}. Nothing was recorded.").format(reason=reason))


@dataclass(frozen=True)
class Slip:
    """The tear-off acceptance slip an award letter ends with."""

    heading: str
    lines: tuple[str, ...]  # statements above the signature lines
    fields: tuple[str, ...] = ("Signed", "Name", "Position in the group", "Date")  # blanks to fill in by hand


@dataclass(frozen=True)
class LetterTemplate:
    kind: str
    language: str
    subject: str
    paragraphs: tuple[str, ...]
    conditions_heading: str = ""
    conditions: tuple[str, ...] = ()
    closing: str = "Yours sincerely"
    slip: Slip | None = None

    def texts(self) -> Iterable[tuple[str, str]]:
        """Every text with where it is, as an officer editing the template would name it."""
        yield "subject", self.subject
        for n, text in enumerate(self.paragraphs, start=1):
            yield f"paragraph {n}", text
        if self.conditions_heading:
            yield "conditions heading", self.conditions_heading
        for n, text in enumerate(self.conditions, start=1):
            yield f"condition {n}", text
        yield "closing", self.closing
        if self.slip is not None:
            yield "slip heading", self.slip.heading
            for n, text in enumerate(self.slip.lines, start=1):
                yield f"slip line {n}", text


def fields_in(text: str) -> list[str]:
    """The merge fields a text names, in order; ``TemplateError`` for a brace that does not close."""
    try:
        return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:
        raise TemplateError([_("A brace is not closed ({exc}); write {{{{ or }}}} for a brace itself.").format(
            exc=exc)]) from None


# Where a text is in a template (``LetterTemplate.texts``), in words for the officer's sentences.
_PLACES = {
    "subject": N_("subject"),
    "conditions heading": N_("conditions heading"),
    "closing": N_("closing"),
    "slip heading": N_("slip heading"),
    "paragraph": N_("paragraph {n}"),
    "condition": N_("condition {n}"),
    "slip line": N_("slip line {n}"),
}


def _place(where: str) -> str:
    """``paragraph 3`` → its words in the language the process speaks."""
    head, _sep, n = where.rpartition(" ")
    if n.isdigit() and head in _PLACES:
        return _(_PLACES[head]).format(n=n)
    return _(_PLACES[where]) if where in _PLACES else where


def check_template(template: LetterTemplate) -> list[str]:
    """Every problem that would stop ``template`` making a correct letter, as sentences; empty if none."""
    problems: list[str] = []
    if template.kind not in FIELDS:
        return [_("“{kind}” is not a kind of letter; use one of {kinds}.").format(kind=template.kind,
                                                                                 kinds=", ".join(KINDS))]
    if template.language not in LANGUAGES:
        problems.append(_("“{language}” is not a letter language; use en or cy.").format(language=template.language))
    known = FIELDS[template.kind]
    for where, text in template.texts():
        place = _place(where)
        try:
            names = fields_in(text)
        except TemplateError as exc:
            problems.append(_("In the {where}: {problem}").format(where=place, problem=exc.problems[0]))
            continue
        for name in names:
            if not name:
                problems.append(_("In the {where}: “{{}}” has no field name.").format(where=place))
            elif name not in known:
                problems.append(_("In the {where}: “{{{name}}}” is not a merge field of a {kind} letter (the fields "
                                  "are {fields}).").format(where=place, name=name, kind=template.kind,
                                                           fields=", ".join(sorted(known))))
    if template.kind == "award" and template.slip is None:
        problems.append(_("An award letter needs its acceptance slip."))
    return problems


def require_valid(template: LetterTemplate) -> None:
    problems = check_template(template)
    if problems:
        raise TemplateError(problems)


def merge(text: str, values: Mapping[str, str]) -> str:
    """``text`` with its merge fields filled. A field without a value is an error, never a blank."""
    missing = [n for n in fields_in(text) if n not in values]
    if missing:
        raise TemplateError([_("No value for “{{{name}}}”.").format(name=missing[0])])
    return text.format_map(dict(values))


@dataclass(frozen=True)
class Letterhead:
    council: str
    address: tuple[str, ...] = ()
    logo: bytes | None = None  # PNG or JPEG from the fund's settings
    contact_email: str = ""
    phone: str = ""
    website: str = ""


@dataclass(frozen=True)
class Signatory:
    name: str
    role: str


@dataclass(frozen=True)
class LetterText:
    """One language's merged text of a letter."""

    language: str
    subject: str
    salutation: str  # "Dear Ann Other,"
    paragraphs: tuple[str, ...]
    conditions_heading: str = ""
    conditions: tuple[str, ...] = ()
    closing: str = "Yours sincerely"
    slip: Slip | None = None
    date_text: str = ""


@dataclass(frozen=True)
class Letter:
    """A letter ready to lay out. ``texts`` has one language, or two for a bilingual letter (in the
    order they are printed: Welsh first, or side by side when ``side_by_side``)."""

    kind: str
    reference: str
    organisation: str
    recipient: tuple[str, ...]  # the address block
    letterhead: Letterhead
    signatory: Signatory
    texts: tuple[LetterText, ...]
    side_by_side: bool = False
    application_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(t.language for t in self.texts)


def make_letter_text(template: LetterTemplate, values: Mapping[str, str], *, salutation: str,
                     date_text: str) -> LetterText:
    """Merge ``values`` into ``template`` (checked first)."""
    require_valid(template)
    slip = None
    if template.slip is not None:
        slip = Slip(merge(template.slip.heading, values), tuple(merge(x, values) for x in template.slip.lines),
                    template.slip.fields)
    return LetterText(
        language=template.language, subject=merge(template.subject, values), salutation=salutation,
        paragraphs=tuple(p for p in (merge(x, values).strip() for x in template.paragraphs) if p),
        conditions_heading=merge(template.conditions_heading, values),
        conditions=tuple(merge(x, values) for x in template.conditions), closing=merge(template.closing, values),
        slip=slip, date_text=date_text)
