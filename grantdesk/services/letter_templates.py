"""Editing a fund's letter templates: read the effective template (the defaults in
``resources/letters/templates.toml`` with the fund's own texts over them), save the fund's own texts
— refused, with every problem named, if a text names a merge field the kind does not offer — put a
template back to the default, and merge an unsaved template into a preview letter.

A fund's texts live in its settings under ``letters.templates.<kind>.<language>``; every save and
reset is one transaction (``@transactional``) with its audit entry (``letters.template`` on the fund).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.fund_settings import settings_of, with_setting
from grantdesk.domain.letters import Letter, LetterTemplate, TemplateError, check_template
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.letters import STATUS_OF_KIND, compose_letter, fund_templates
from grantdesk.store.database import Database
from grantdesk.store.models import Application, Fund
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.i18n import _

ACTION = "letters.template"


def _effective(fund: Fund, kind: str, language: str) -> LetterTemplate:
    templates = fund_templates(fund)
    if (kind, language) not in templates:
        raise ValidationError(_("There is no {kind} letter in “{language}”; the letters are {value} in en or cy.").format(
                                kind=kind, language=language, value=', '.join(sorted({k for k, _ in templates}))), "template")
    return templates[(kind, language)]


def template_for(db: Database, fund_code: str, kind: str, language: str) -> LetterTemplate:
    """The fund's effective ``kind`` letter in ``language``: the default with the fund's own texts over it."""
    with db.session() as s:
        return _effective(fund_by_code(s, fund_code), kind, language)


def template_texts(template: LetterTemplate) -> dict[str, Any]:
    """The template's texts as they are kept in a fund's settings (JSON-ready)."""
    texts: dict[str, Any] = {
        "subject": template.subject, "paragraphs": list(template.paragraphs),
        "conditions_heading": template.conditions_heading, "conditions": list(template.conditions),
        "closing": template.closing}
    if template.slip is not None:
        texts["slip"] = {"heading": template.slip.heading, "lines": list(template.slip.lines),
                         "fields": list(template.slip.fields)}
    return texts


def _with_templates(fund: Fund, templates: dict[str, Any]) -> dict[str, Any]:
    """A new settings dict (so SQLAlchemy sees the change) with ``letters.templates`` replaced (removed
    when the fund has no texts of its own left)."""
    return with_setting(fund.settings, "letters.templates", templates or None)


@transactional
def save_template(uow: UnitOfWork, fund_code: str, template: LetterTemplate, *, actor: str | None = None) -> None:
    """Keep ``template``'s texts as the fund's own, with an audit entry, in one transaction. A template
    with any problem (``check_template``) is refused with ``TemplateError`` and nothing is saved."""
    problems = check_template(template)
    if problems:
        raise TemplateError(problems)
    who = actor_or_default(actor)
    kind, language = template.kind, template.language
    fund = fund_by_code(uow.session, fund_code)
    _effective(fund, kind, language)  # a kind and language the letters have
    templates = _fund_own_templates(fund)
    before = templates.get(kind, {}).get(language)
    after = template_texts(template)
    templates.setdefault(kind, {})[language] = after
    fund.settings = _with_templates(fund, templates)
    audit(uow.session, actor=who, action=ACTION, entity="fund", entity_id=fund.id,
          summary=f"{fund.code}: {kind} letter ({language}) template saved",
          before={"kind": kind, "language": language, "texts": before},
          after={"kind": kind, "language": language, "texts": after})


def _fund_own_templates(fund: Fund) -> dict[str, dict[str, dict[str, Any]]]:
    """A copy of the fund's own texts, kind → language → texts, safe to change."""
    return {k: {lang: dict(t) for lang, t in (v or {}).items()}
            for k, v in settings_of(fund.settings).letter_templates.items()}


@transactional
def reset_template(uow: UnitOfWork, fund_code: str, kind: str, language: str, *, actor: str | None = None) -> bool:
    """Remove the fund's own texts for the ``kind`` letter in ``language`` (back to the defaults), with an
    audit entry. False (and nothing recorded) if the fund had none."""
    who = actor_or_default(actor)
    fund = fund_by_code(uow.session, fund_code)
    _effective(fund, kind, language)
    templates = _fund_own_templates(fund)
    before = templates.get(kind, {}).pop(language, None)
    if before is None:
        return False
    if not templates[kind]:
        del templates[kind]
    fund.settings = _with_templates(fund, templates)
    audit(uow.session, actor=who, action=ACTION, entity="fund", entity_id=fund.id,
          summary=f"{fund.code}: {kind} letter ({language}) template reset to the default",
          before={"kind": kind, "language": language, "texts": before},
          after={"kind": kind, "language": language, "texts": None})
    return True


def preview_letter(db: Database, fund_code: str, template: LetterTemplate, *, day: date | None = None,
                   officer: str | None = None) -> Letter:
    """``template`` (not saved) merged for the fund's first application in the state its kind writes
    about (award → awarded, …), in the template's language only. ``TemplateError`` for a template with
    problems; ``ValidationError`` if the fund has no such application."""
    kind, language = template.kind, template.language
    if kind not in STATUS_OF_KIND:
        raise ValidationError(_("“{kind}” letters cannot be previewed here; preview {status_of_kind} letters.").format(
                                kind=kind, status_of_kind=', '.join(STATUS_OF_KIND)), "kind")
    day = day or utcnow().date()
    who = actor_or_default(officer)
    with db.session() as s:
        fund = fund_by_code(s, fund_code)
        app = s.scalar(select(Application).where(Application.fund_id == fund.id,
                                                 Application.status == STATUS_OF_KIND[kind])
                       .order_by(Application.reference).limit(1))
        if app is None:
            raise ValidationError(_("There is no application to preview with: no application of {name} is "
                                    "{status_of_kind}.").format(name=fund.name, status_of_kind=STATUS_OF_KIND[kind]), "preview")
        return compose_letter(s, fund, app, kind, {language: template}, day=day, officer=who, languages=(language,))
