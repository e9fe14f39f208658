"""A fund's own questions: read them, and replace the set (an officer editing the fund's form)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.questions import Question, make_question
from grantdesk.services.common import actor_or_default, audit, fund_by_code
from grantdesk.store.queries import fund_id_for, questions_for  # read without the ORM
from grantdesk.store.database import Database
from grantdesk.store.unit_of_work import UnitOfWork, transactional
from grantdesk.store.models import Fund, FundQuestion
from grantdesk.i18n import _


def list_questions(db: Database, fund_code: str) -> tuple[Question, ...]:
    with db.reading() as conn:
        return questions_for(conn, fund_id_for(conn, fund_code))


def put_questions(session: Session, *, actor: str, fund: Fund, questions: list[Question]) -> None:
    """Replace the fund's questions with ``questions`` (in order). Answers already given are kept."""
    keys = [q.key for q in questions]
    if len(set(keys)) != len(keys):
        raise ValidationError(_("Two questions share a key; each needs its own."), "key")
    checked = [make_question(q.key, q.label, q.kind, q.choices, q.required, q.help) for q in questions]
    session.execute(delete(FundQuestion).where(FundQuestion.fund_id == fund.id))
    for position, q in enumerate(checked):
        session.add(FundQuestion(fund_id=fund.id, key=q.key, label=q.label, kind=q.kind.value,
                                 choices=list(q.choices), required=q.required, position=position, help=q.help))
    session.flush()
    audit(session, actor=actor, action="fund.questions", entity="fund", entity_id=fund.id,
          summary=f"Set {len(checked)} questions for fund {fund.code}", after={"keys": keys})


@transactional
def set_questions(uow: UnitOfWork, fund_code: str, questions: list[Question], *, actor: str | None = None) -> None:
    put_questions(uow.session, actor=actor_or_default(actor), fund=fund_by_code(uow.session, fund_code),
                  questions=questions)
