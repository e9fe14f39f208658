"""The column mappings a fund keeps for its imports: which fields an import can fill, the mapping
suggested for a file's headers (the fund's saved one first, then ``grantdesk.domain.form_headers``), and
the mapping and one-value-for-every-row constants saved with an import."""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from grantdesk.domain.applications import (
    FIELDS,
    REQUIRED,
)
from grantdesk.domain.errors import ValidationError
from grantdesk.domain.questions import Question
from grantdesk.services.applications import READ_ONLY_FIELDS
from grantdesk.services.common import actor_or_default, audit, fund_by_code, utcnow
from grantdesk.services.questions import questions_for
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import (
    ImportMapping,
)
from grantdesk.i18n import _


MAPPING_NAME = "default"
# Fields a file can hold that are not the application's own: the form tool's id for the response
# goes into the row's stable key (two submissions with the same words stay two).
IMPORT_ONLY_FIELDS = {"response_id": "Form response ID"}


# --- fields and mappings ------------------------------------------------------------------------------


def _fields(questions: Iterable[Question]) -> dict[str, str]:
    fields = {**FIELDS, **IMPORT_ONLY_FIELDS}
    for q in questions:
        fields[q.field] = q.label
    return fields


def importable_fields(db: Database, fund_code: str) -> dict[str, str]:
    """Field name → label: the application form's fields, the form's response id, then
    ``answers.<key>`` for each of the fund's own questions."""
    with db.unit_of_work() as uow:
        fund = fund_by_code(uow.session, fund_code)
        return _fields(questions_for(uow.session, fund.id))


def required_fields(db: Database, fund_code: str) -> list[str]:
    """The fields every row needs (from a column or one value for every row), in form order."""
    with db.unit_of_work() as uow:
        fund = fund_by_code(uow.session, fund_code)
        return [*REQUIRED, *(q.field for q in questions_for(uow.session, fund.id) if q.required)]


def _norm(text: str) -> str:
    return "".join(str(text).casefold().split()).replace("_", "")


def _stored(session: Session, fund_id: int) -> ImportMapping | None:
    return session.scalar(
        select(ImportMapping).where(ImportMapping.fund_id == fund_id, ImportMapping.name == MAPPING_NAME))


def _shape(stored: dict[str, Any] | None) -> tuple[dict[str, str], dict[str, str]]:
    """(columns, constants) from a stored mapping: ``{"columns": …, "constants": …}``, or the older
    shape, the columns alone."""
    stored = stored or {}
    if isinstance(stored.get("columns"), dict):
        columns, constants = stored["columns"], stored.get("constants") or {}
    else:
        columns, constants = stored, {}
    return ({str(k): str(v or "") for k, v in columns.items()},
            {str(k): str(v) for k, v in constants.items() if v not in (None, "")})


def _saved(session: Session, fund_id: int) -> dict[str, str] | None:
    row = _stored(session, fund_id)
    return _shape(row.mapping)[0] if row is not None else None


def _saved_constants(session: Session, fund_id: int) -> dict[str, str]:
    row = _stored(session, fund_id)
    return _shape(row.mapping)[1] if row is not None else {}


def _suggest(headers: list[str], questions: tuple[Question, ...], saved: dict[str, str] | None) -> dict[str, str]:
    """The fund's saved mapping first, then synonyms and question wording (``domain.form_headers``)."""
    from grantdesk.domain.form_headers import suggest_columns

    return suggest_columns(headers, _fields(questions), questions=questions, saved=saved, ignore=READ_ONLY_FIELDS)


def suggest_mapping(db: Database, fund_code: str, headers: list[str]) -> dict[str, str]:
    """A mapping for every header: the fund's saved mapping where its headers match, else the field
    the header names (synonyms and question wording, ``domain.form_headers``). The read-only fields
    of ``applications list --json`` (id, reference, fund, status, created_at, updated_at) and anything
    unrecognised map to "" (ignored)."""
    with db.unit_of_work() as uow:
        s = uow.session
        fund = fund_by_code(s, fund_code)
        return _suggest(list(headers), questions_for(s, fund.id), _saved(s, fund.id))


def saved_mapping(db: Database, fund_code: str) -> dict[str, str] | None:
    """The fund's saved mapping (file column → field), or None if none was saved."""
    with db.unit_of_work() as uow:
        return _saved(uow.session, fund_by_code(uow.session, fund_code).id)


def saved_constants(db: Database, fund_code: str) -> dict[str, str]:
    """The values the fund's last import gave every row (field → value), saved with its mapping."""
    with db.unit_of_work() as uow:
        return _saved_constants(uow.session, fund_by_code(uow.session, fund_code).id)


@transactional
def save_mapping(uow: UnitOfWork, fund_code: str, mapping: dict[str, str], *, constants: dict[str, str] | None = None,
                 actor: str | None = None) -> None:
    """Keep ``mapping`` (and the ``constants``, one value for every row of a field no column holds)
    as the fund's mapping for next time, replacing any before, audited. Saving what is already saved
    changes nothing."""
    who = actor_or_default(actor)
    s = uow.session
    fund = fund_by_code(s, fund_code)
    fields = _fields(questions_for(s, fund.id))
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for column, name in mapping.items():
        column, name = str(column).strip(), str(name or "").strip()
        if not column:
            raise ValidationError(_("A mapping names a column with no name."), "mapping")
        if name and name not in fields:
            raise ValidationError(
                _("Column “{column}” is mapped to “{name}”, which is not a field of fund {code}.").format(
                  column=column, name=name, code=fund.code), "mapping")
        if name and name in used:
            raise ValidationError(
                _("Columns “{used}” and “{column}” are both mapped to {fields}; map only one.").format(
                  used=used[name], column=column, fields=fields[name]),
                "mapping")
        if name:
            used[name] = column
        clean[column] = name
    kept: dict[str, str] = {}
    for name, value in (constants or {}).items():
        name, value = str(name).strip(), str(value or "").strip()
        if not value:
            continue
        if name not in fields or name in IMPORT_ONLY_FIELDS:
            raise ValidationError(_("“{name}” is not a field of fund {code} that can have one value for every "
                                    "row.").format(name=name, code=fund.code), "constants")
        if name in used:
            raise ValidationError(_("Column “{used}” holds {fields}, so it cannot also have one value for every "
                                    "row.").format(used=used[name], fields=fields[name]), "constants")
        kept[name] = value
    row = _stored(s, fund.id)
    before = _shape(row.mapping) if row is not None else None
    if before == (clean, kept):
        return
    stored = {"columns": clean, "constants": kept}
    now = utcnow()
    if row is None:
        row = ImportMapping(fund_id=fund.id, name=MAPPING_NAME, mapping=stored, updated_at=now, updated_by=who)
        s.add(row)
    else:
        row.mapping, row.updated_at, row.updated_by = stored, now, who
    s.flush()
    audit(s, actor=who, action="import_mapping.save", entity="fund", entity_id=fund.id,
          summary=f"Saved the import mapping for {fund.code} ({len(used)} of {len(clean)} columns used"
                  + (f"; {len(kept)} field{'s' * (len(kept) != 1)} with one value for every row" if kept else "")
                  + ")",
          before=({"mapping": before[0], **({"constants": before[1]} if before[1] else {})}
                  if before is not None else None),
          after={"mapping": clean, **({"constants": kept} if kept else {})})
