"""What the main window shows first — the funds, a fund's list and filters, one application's detail —
as services taking the database. Each read is one consistent snapshot through SQLAlchemy Core
(``grantdesk.store.queries``), so the first screen never waits for the ORM to load.
"""

from __future__ import annotations

from grantdesk.store import queries
from grantdesk.store.queries import (
    DECISION_MODELS,
    READ_ONLY_FIELDS,
    ApplicationDetail,
    ApplicationListRow,
    ApplicationRow,
    AttachmentInfo,
    FilterOptions,
    FundSummary,
    MemberChoice,
    RoundSummary,
    SavedView,
    StatusEvent,
    ViewCriteria,
)

__all__ = [
    "DECISION_MODELS", "READ_ONLY_FIELDS", "ApplicationDetail", "ApplicationListRow", "ApplicationRow",
    "AttachmentInfo", "FilterOptions", "FundSummary", "MemberChoice", "RoundSummary", "SavedView", "StatusEvent",
    "ViewCriteria", "list_funds", "filter_options", "list_application_rows", "list_application_row",
    "get_application", "warm_up",
]


def list_funds(db) -> list[FundSummary]:
    """Every fund with its rounds and application counts, by name."""
    with db.reading() as conn:
        return queries.funds(conn)


def filter_options(db, fund_code: str) -> FilterOptions:
    """What the fund's list can be narrowed by: its areas, its active members, its saved views."""
    with db.reading() as conn:
        return queries.filter_options(conn, queries.fund_id_for(conn, fund_code))


def list_application_rows(db, fund_code: str, round_id: int | None = None) -> list[ApplicationListRow]:
    """A fund's applications (optionally one round) for the list view, by reference."""
    with db.reading() as conn:
        return queries.list_rows(conn, queries.fund_id_for(conn, fund_code), round_id)


def list_application_row(db, application_id: int) -> ApplicationListRow:
    """One list row, fresh, after an edit or a move (the list updates that row, not everything)."""
    with db.reading() as conn:
        return queries.list_row(conn, application_id)


def get_application(db, application_id: int) -> ApplicationDetail:
    """Everything the detail pane shows about one application."""
    with db.reading() as conn:
        return queries.application_detail(conn, application_id)


def warm_up() -> None:
    """Load what the first screen did not need (the ORM and its mapped classes) ahead of the first
    action that will: on the worker, once the window is idle."""
    from sqlalchemy.orm import configure_mappers

    import grantdesk.store.models  # noqa: F401 (mapping the classes is the point)

    configure_mappers()
