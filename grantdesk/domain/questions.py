"""A fund's own questions, defined as data (text, number, yes/no, choice), and their answers.

Answers are stored as JSON by question key: text and choice as strings, yes/no as booleans, numbers
as decimal strings (never floats, so "2.50" stays "2.50").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from grantdesk.domain.errors import ValidationError
from grantdesk.i18n import _


class QuestionKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    YESNO = "yesno"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Question:
    key: str
    label: str
    kind: QuestionKind
    choices: tuple[str, ...] = ()
    required: bool = False
    help: str = ""

    @property
    def field(self) -> str:
        """The field name answers use in forms, imports and error messages: ``answers.<key>``."""
        return f"answers.{self.key}"


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_YES = {"yes", "y", "true", "1", "ie", "do", "oes"}  # Welsh: ie, do, oes
_NO = {"no", "n", "false", "0", "na", "naddo", "nac oes"}


def make_question(key: str, label: str, kind: str, choices=(), required=False, help="") -> Question:
    """Check a question definition: a short lower-case key, a label, a known kind, choices for a choice."""
    if not _KEY.match(key or ""):
        raise ValidationError(
            _("“{key}” cannot be a question key: use lower-case letters, digits and _ (up to 40), starting with "
              "a letter.").format(key=key), "key")
    if not label.strip():
        raise ValidationError(_("A question needs a label people will read."), "label")
    try:
        qkind = QuestionKind(kind)
    except ValueError:
        raise ValidationError(_("“{kind}” is not a question type; use text, number, yesno or choice.").format(
                                kind=kind), "kind") from None
    options = tuple(c.strip() for c in choices if str(c).strip())
    if qkind is QuestionKind.CHOICE and len(options) < 2:
        raise ValidationError(_("A choice question needs at least two choices."), "choices")
    return Question(key, label.strip(), qkind, options, bool(required), help.strip())


def clean_answer(question: Question, raw: Any) -> str | bool | None:
    """The stored form of an answer, or ``ValidationError`` (field ``answers.<key>``) saying why not."""
    field = question.field
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if question.required:
            raise ValidationError(_("“{label}” needs an answer.").format(label=question.label), field)
        return None
    if question.kind is QuestionKind.TEXT:
        return str(raw).strip()
    if question.kind is QuestionKind.NUMBER:
        if isinstance(raw, bool) or isinstance(raw, float):
            raise ValidationError(_("“{label}” needs a number written as text, not {raw!r}.").format(
                                    label=question.label, raw=raw), field)
        text = str(raw).strip().replace(",", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("“{label}” needs a number; “{raw}” is not one.").format(
                                    label=question.label, raw=raw), field) from None
        if not value.is_finite():
            raise ValidationError(_("“{label}” needs a number; “{raw}” is not one.").format(
                                    label=question.label, raw=raw), field)
        return str(value)
    if question.kind is QuestionKind.YESNO:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().casefold()
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise ValidationError(_("“{label}” needs yes or no; “{raw}” is neither.").format(
                                label=question.label, raw=raw), field)
    wanted = str(raw).strip().casefold()
    for choice in question.choices:
        if choice.casefold() == wanted:
            return choice
    raise ValidationError(
        _("“{raw}” is not one of the choices for “{label}”: {choices}.").format(
          raw=raw, label=question.label, choices=', '.join(question.choices)), field
    )


def clean_answers(questions: list[Question] | tuple[Question, ...], raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean every answer; returns ``(answers, errors by field)``. Answers to questions the fund no
    longer asks are kept as they were, so removing a question never loses what people wrote."""
    answers: dict[str, Any] = {k: v for k, v in raw.items() if k not in {q.key for q in questions}}
    errors: dict[str, str] = {}
    for q in questions:
        try:
            value = clean_answer(q, raw.get(q.key))
        except ValidationError as exc:
            errors[q.field] = str(exc)
            continue
        if value is not None:
            answers[q.key] = value
    return answers, errors


def display_answer(question: Question, value: Any) -> str:
    if value is None or value == "":
        return ""
    if question.kind is QuestionKind.YESNO:
        return "Yes" if value else "No"
    return str(value)
