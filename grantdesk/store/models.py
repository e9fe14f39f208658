"""The SQLAlchemy 2 mapping of GrantDesk's data.

Conventions: integer primary keys; money in integer pence (``*_pence`` BigInteger columns);
dates as ``Date``; moments as naive UTC ``DateTime``; codes such as status as short strings checked
by the database. Every table is created by an Alembic migration in ``migrations/versions``; a test
compares the migrated schema with these models so the two cannot drift apart.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATUSES = (
    "draft", "submitted", "returned", "eligible", "ineligible",
    "shortlisted", "awarded", "declined", "deferred", "withdrawn",
)
LANGUAGES = ("en", "cy")
INTEREST_KINDS = ("none", "dpi", "other_registrable", "non_registrable")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


Pence = BigInteger  # integer pence; BigInteger so a city-wide pot never overflows


# --- places and funds -------------------------------------------------------------------------


class Area(Base):
    """A ward, division or other place a fund serves, with its ONS code where known."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("council", "kind", "name", name="uq_areas_council_kind_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="ward")  # ward, division, parish, county…
    council: Mapped[str] = mapped_column(String(200), default="")
    ons_code: Mapped[str | None] = mapped_column(String(12))


class Fund(Base):
    __tablename__ = "funds"
    __table_args__ = (
        CheckConstraint("decision_model IN ('member', 'panel', 'vote', 'officer')", name="decision_model"),
        CheckConstraint(_in("default_language", LANGUAGES), name="default_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    council: Mapped[str] = mapped_column(String(200))  # the owning council (or funder) as people know it
    funder_org_id: Mapped[str | None] = mapped_column(String(60))  # GB-LAE-STS, GB-PLA-W06000004 …
    funder_department: Mapped[str | None] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    prefix_360g: Mapped[str | None] = mapped_column(String(60))  # the publisher prefix, 360G-…
    decision_model: Mapped[str] = mapped_column(String(10), default="officer")
    description: Mapped[str] = mapped_column(Text, default="")
    min_amount_pence: Mapped[int | None] = mapped_column(Pence)
    max_amount_pence: Mapped[int | None] = mapped_column(Pence)
    default_language: Mapped[str] = mapped_column(String(2), default="en")
    bilingual_letters: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # fund rules as data
    created_at: Mapped[datetime] = mapped_column(DateTime)

    rounds: Mapped[list[Round]] = relationship(back_populates="fund", order_by="Round.opens_on")
    areas: Mapped[list[Area]] = relationship(secondary="fund_areas", order_by="Area.name")


class FundArea(Base):
    __tablename__ = "fund_areas"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="RESTRICT"), primary_key=True)


class Round(Base):
    """A funding round: when it takes applications, when it decides, and its pot."""

    __tablename__ = "rounds"
    __table_args__ = (UniqueConstraint("fund_id", "name", name="uq_rounds_fund_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    financial_year: Mapped[int] = mapped_column(Integer)  # the year it starts: 2025 = 2025–26
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)  # apply-by
    decision_on: Mapped[date | None] = mapped_column(Date)
    spend_by: Mapped[date | None] = mapped_column(Date)
    budget_pence: Mapped[int | None] = mapped_column(Pence)

    fund: Mapped[Fund] = relationship(back_populates="rounds")


# --- applicants ------------------------------------------------------------------------------


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    name_key: Mapped[str] = mapped_column(String(300), index=True, default="")  # domain.organisations.name_key
    org_type: Mapped[str] = mapped_column(String(40))
    charity_number: Mapped[str | None] = mapped_column(String(12), unique=True)
    company_number: Mapped[str | None] = mapped_column(String(8), unique=True)
    org_id: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # A number the group gave that is another organisation's (an umbrella charity or company it works
    # under): kept as given, never used to say who the group is (migration 0008).
    umbrella_charity_number: Mapped[str | None] = mapped_column(String(12))
    umbrella_company_number: Mapped[str | None] = mapped_column(String(8))
    # When its personal details were removed, under the fund's retention or on request (migration 0012);
    # None while they are held. ``grantdesk.services.retention`` and ``people`` set it.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    contacts: Mapped[list[Contact]] = relationship(back_populates="organisation", order_by="Contact.id")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (CheckConstraint(_in("letter_language", LANGUAGES), name="letter_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    letter_language: Mapped[str] = mapped_column(String(2), default="en")
    # When its personal details were removed, under the fund's retention or on request (migration 0012);
    # None while they are held. ``grantdesk.services.retention`` and ``people`` set it.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


# --- elected members -------------------------------------------------------------------------


class Member(Base):
    """An elected member (councillor) who decides or recommends for a fund in their area."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    party: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When its personal details were removed, under the fund's retention or on request (migration 0012);
    # None while they are held. ``grantdesk.services.retention`` and ``people`` set it.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    area: Mapped[Area | None] = relationship()


class Allotment(Base):
    """A member's pot for one financial year; ``rolled_over_pence`` came from the year before."""

    __tablename__ = "allotments"
    __table_args__ = (
        UniqueConstraint("member_id", "financial_year", name="uq_allotments_member_id_financial_year"),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    financial_year: Mapped[int] = mapped_column(Integer)
    amount_pence: Mapped[int] = mapped_column(Pence)
    rolled_over_pence: Mapped[int] = mapped_column(Pence, default=0)


# --- applications ----------------------------------------------------------------------------


class ReferenceCounter(Base):
    """The last sequence number used for a fund's references in a year; numbers are never reused."""

    __tablename__ = "reference_counters"

    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint("amount_requested_pence >= 0", name="amount_not_negative"),
        Index("ix_applications_fund_id_status", "fund_id", "status"),
        Index("ix_applications_fund_id_import_key", "fund_id", "import_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="RESTRICT"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    # The project's title and summary in Welsh, for a Welsh voter at the kiosk and Welsh letters (0011).
    title_cy: Mapped[str | None] = mapped_column(String(300))
    summary_cy: Mapped[str | None] = mapped_column(Text)
    amount_requested_pence: Mapped[int] = mapped_column(Pence)
    project_start: Mapped[date | None] = mapped_column(Date)
    project_end: Mapped[date | None] = mapped_column(Date)
    submitted_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the fund's own questions
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The imported row it came from (the form's response id, or a hash of the row's values): importing
    # the same file again finds it and adds nothing (migration 0008). None for applications typed in.
    import_key: Mapped[str | None] = mapped_column(String(64))
    # When its personal details were removed, under the fund's retention or on request (migration 0012);
    # None while they are held. ``grantdesk.services.retention`` and ``people`` set it.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    fund: Mapped[Fund] = relationship()
    round: Mapped[Round | None] = relationship()
    organisation: Mapped[Organisation] = relationship()
    contact: Mapped[Contact | None] = relationship()
    area: Mapped[Area | None] = relationship()
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="application", order_by="StatusChange.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # refuse to overwrite a row changed underneath


class StatusChange(Base):
    """One move in an application's workflow: who, when, why."""

    __tablename__ = "status_changes"
    __table_args__ = (
        CheckConstraint(_in("to_status", STATUSES), name="to_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The reason in Welsh, as a Welsh letter says it (0011): never filled from the English.
    reason_cy: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="history")


# --- the append-only audit log ----------------------------------------------------------------


class AuditEntry(Base):
    """Who did what to which record, when, with a before/after summary. Rows are never changed:
    triggers in the database refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The chain (migration 0010; grantdesk.domain.audit_chain): the hash of the entry before, and this
    # entry's own, SHA-256 over its fields and prev_hash. Written by services.common.audit, never after.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_audit_log_entity_entity_id", "entity", "entity_id"),)


class User(Base):
    """A person who signs in, with a role (grantdesk.domain.roles) and, for an elected member or a
    panellist, their record. ``password_hash`` (PostgreSQL sign-in) and ``pin_hash`` (an optional PIN
    on a SQLite file) are scrypt hashes (grantdesk.services.users); a disabled user cannot sign in.
    Migration 0010."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('officer', 'manager', 'member', 'panellist', 'viewer', 'kiosk')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)  # kept in lower case
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    panellist_id: Mapped[int | None] = mapped_column(ForeignKey("panellists.id", ondelete="SET NULL"))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    pin_hash: Mapped[str | None] = mapped_column(String(300))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    changed_at: Mapped[datetime] = mapped_column(DateTime)


# --- decisions: panels, interests, member decisions, awards, payments, outcomes -----------------
# (migration 0002)


class Panel(Base):
    """A resident panel that scores and deliberates for a fund's round."""

    __tablename__ = "panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")  # the panel's deliberation notes

    round: Mapped[Round | None] = relationship()
    panellists: Mapped[list[Panellist]] = relationship(order_by="Panellist.id")


class Panellist(Base):
    __tablename__ = "panellists"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    area_description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When its personal details were removed, under the fund's retention or on request (migration 0012);
    # None while they are held. ``grantdesk.services.retention`` and ``people`` set it.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)


class InterestDeclaration(Base):
    """A member's or panellist's statement of interest in an application, made before deciding.

    ``kind`` is ``none``, ``dpi`` (disclosable pecuniary interest), ``other_registrable`` or
    ``non_registrable``. A DPI blocks taking part unless a dispensation is recorded.
    """

    __tablename__ = "interest_declarations"
    __table_args__ = (
        CheckConstraint(_in("kind", INTEREST_KINDS), name="kind"),
        CheckConstraint("(member_id IS NULL) != (panellist_id IS NULL)", name="one_declarer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    panellist_id: Mapped[int | None] = mapped_column(ForeignKey("panellists.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    nature: Mapped[str] = mapped_column(Text, default="")
    dispensation_reference: Mapped[str | None] = mapped_column(String(100))
    dispensation_granted_on: Mapped[date | None] = mapped_column(Date)
    declared_on: Mapped[date] = mapped_column(Date)


class MemberDecision(Base):
    """A member's written decision on an application (recommend an amount, or refuse, with reasons),
    and the officer's separate, dated approval or return."""

    __tablename__ = "member_decisions"
    __table_args__ = (
        CheckConstraint("decision IN ('recommended', 'refused')", name="decision"),
        CheckConstraint(
            "officer_outcome IS NULL OR officer_outcome IN ('approved', 'returned')", name="officer_outcome"
        ),
        CheckConstraint("amount_pence >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"), index=True)
    financial_year: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(12))
    amount_pence: Mapped[int] = mapped_column(Pence, default=0)
    reasons: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[date] = mapped_column(Date)
    officer_outcome: Mapped[str | None] = mapped_column(String(10))
    officer_name: Mapped[str | None] = mapped_column(String(200))
    officer_on: Mapped[date | None] = mapped_column(Date)
    officer_reason: Mapped[str] = mapped_column(Text, default="")
    # Who recorded the member's decision (migration 0010): whoever did may not approve it.
    recorded_by: Mapped[str | None] = mapped_column(String(200))


class Award(Base):
    """The money given to an application. ``historical`` marks awards brought in from past data."""

    __tablename__ = "awards"
    __table_args__ = (CheckConstraint("amount_pence >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"), unique=True)
    amount_pence: Mapped[int] = mapped_column(Pence)
    awarded_on: Mapped[date] = mapped_column(Date)
    purpose: Mapped[str] = mapped_column(Text, default="")
    conditions: Mapped[str] = mapped_column(Text, default="")
    # What the officer typed, in Welsh, for a Welsh award letter (0011): never filled from the English.
    purpose_cy: Mapped[str | None] = mapped_column(Text)
    conditions_cy: Mapped[str | None] = mapped_column(Text)
    spend_by: Mapped[date | None] = mapped_column(Date)
    grant_id: Mapped[str | None] = mapped_column(String(120), unique=True)  # 360G-… once published
    historical: Mapped[bool] = mapped_column(Boolean, default=False)


class Payment(Base):
    __tablename__ = "payments"
    __table_args__ = (CheckConstraint("amount_pence > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="RESTRICT"), index=True)
    paid_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Pence)
    method: Mapped[str] = mapped_column(String(40), default="BACS")
    reference: Mapped[str] = mapped_column(String(100), default="")


class OutcomeNote(Base):
    """What happened and what was learned, in the grantee's or officer's words."""

    __tablename__ = "outcome_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(60), default="")  # "3 months", "end of grant"
    author: Mapped[str] = mapped_column(String(200), default="")
    what_happened: Mapped[str] = mapped_column(Text, default="")
    what_changed: Mapped[str] = mapped_column(Text, default="")
    story: Mapped[str] = mapped_column(Text, default="")
    not_to_plan: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    council_could_do_better: Mapped[str] = mapped_column(Text, default="")
    people_involved: Mapped[int | None] = mapped_column(Integer)
    volunteers: Mapped[int | None] = mapped_column(Integer)
    volunteer_hours: Mapped[int | None] = mapped_column(Integer)


# --- the applications workspace: documents, fund questions, overrides, saved mappings and views -----
# (migration 0003)


class Attachment(Base):
    """A document kept inside the database, so one file is the whole record. ``data`` is deferred:
    lists never load the bytes."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30), default="other")
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    added_by: Mapped[str] = mapped_column(String(200))


class FundQuestion(Base):
    """One of a fund's own questions (text, number, yes/no or choice), asked of every application."""

    __tablename__ = "fund_questions"
    __table_args__ = (
        UniqueConstraint("fund_id", "key", name="uq_fund_questions_fund_id_key"),
        CheckConstraint("kind IN ('text', 'number', 'yesno', 'choice')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    help: Mapped[str] = mapped_column(Text, default="")


class EligibilityOverride(Base):
    """An officer's written acceptance of a failed eligibility rule for one application."""

    __tablename__ = "eligibility_overrides"
    __table_args__ = (UniqueConstraint("application_id", "rule", name="uq_eligibility_overrides_application_id_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime)


class ImportMapping(Base):
    """How a fund's online-form export maps onto GrantDesk fields, kept for next time."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("fund_id", "name", name="uq_import_mappings_fund_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100), default="default")
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)  # file column → GrantDesk field
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(200))


class ImportSkip(Base):
    """A row of an imported file the officer chose to skip as a duplicate of an application (by the
    row's stable key), so importing the file again leaves it out without asking again (migration 0008)."""

    __tablename__ = "import_skips"
    __table_args__ = (UniqueConstraint("fund_id", "import_key", name="uq_import_skips_fund_id_import_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"))
    import_key: Mapped[str] = mapped_column(String(64))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    skipped_at: Mapped[datetime] = mapped_column(DateTime)
    skipped_by: Mapped[str] = mapped_column(String(200))


class SavedFilter(Base):
    """A named view of a fund's applications (by status, area, member, text), shared by everyone
    using the database."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("fund_id", "name", name="uq_saved_filters_fund_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime)


# --- voting events and panel scoring (migration 0004) ------------------------------------------

BALLOT_KINDS = ("score", "approval", "choose-one", "ranked", "cumulative", "knapsack")
VOTING_RULES = ("greedy", "greedy-cost", "mes", "mes-add1", "mes-completed", "phragmen")
BALLOT_SOURCES = ("kiosk", "paper")


class VotingEvent(Base):
    """A community vote for a round: the projects on the ballot paper, the ballot's kind and rules,
    the allocation rule and tie-break, who may vote and when. Once the first ballot (or paper entry)
    is in, the method and rules are locked."""

    __tablename__ = "voting_events"
    __table_args__ = (
        CheckConstraint(_in("ballot_kind", BALLOT_KINDS), name="ballot_kind"),
        CheckConstraint(_in("rule", VOTING_RULES), name="rule"),
        CheckConstraint("when_next_does_not_fit IN ('skip', 'stop')", name="does_not_fit"),
        CheckConstraint("budget_pence > 0", name="budget_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    ballot_kind: Mapped[str] = mapped_column(String(12))
    ballot_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rule: Mapped[str] = mapped_column(String(16))
    when_next_does_not_fit: Mapped[str] = mapped_column(String(4), default="skip")
    tie_break: Mapped[list[str]] = mapped_column(JSON, default=list)
    tie_break_seed: Mapped[str] = mapped_column(String(64), default="")
    budget_pence: Mapped[int] = mapped_column(Pence)
    voters_area: Mapped[str] = mapped_column(String(200), default="")  # who may vote: where they live
    min_age: Mapped[int | None] = mapped_column(Integer)
    register_at_door: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime | None] = mapped_column(DateTime)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime)
    hide_results: Mapped[bool] = mapped_column(Boolean, default=True)  # until the officer reveals them
    revealed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(200))
    kiosk_pin_hash: Mapped[str] = mapped_column(String(200), default="")
    # The event's own secret key (64 hex digits, made with the event, never shown): it keys the
    # receipts' hashes (``ReceiptRow.digest``) and seeds the shuffle that numbers an export's voters.
    ballot_secret: Mapped[str] = mapped_column(String(64), default=lambda: secrets.token_hex(32))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(200))

    fund: Mapped[Fund] = relationship()
    round: Mapped[Round] = relationship()
    projects: Mapped[list[EventProject]] = relationship(
        order_by="EventProject.position", cascade="all, delete-orphan"
    )


class EventProject(Base):
    """An application on an event's ballot paper, in ballot order, with its category (for approval
    limits per category such as "small" and "large")."""

    __tablename__ = "event_projects"

    event_id: Mapped[int] = mapped_column(ForeignKey("voting_events.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="RESTRICT"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40), default="")

    application: Mapped[Application] = relationship()


class BallotCode(Base):
    """A one-time ballot code. The register records only that a code was issued and used (and the
    day), never which ballot it became: ballots are secret."""

    __tablename__ = "ballot_codes"
    __table_args__ = (UniqueConstraint("event_id", "code", name="uq_ballot_codes_event_id_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("voting_events.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    used_on: Mapped[date | None] = mapped_column(Date)


RANDOM_KEY_BITS = 63  # a random key fits SQLite's INTEGER (a signed 64-bit rowid) and is never negative


def random_key() -> int:
    """A random primary key for a ballot or a receipt: 63 random bits, from ``secrets``.

    Ballots and receipts take random keys, not the next number, so that neither the key nor the
    rowid (in SQLite the same thing: an ``INTEGER PRIMARY KEY`` is the rowid) nor the order the table
    is read in says which was cast first. Random keys were chosen over shuffling the rows when
    voting closes: they hide the order while voting is still open too (a count, an export or a
    backup taken mid-event), with nothing to remember to do at the close. Two keys alike among
    n ballots has a chance of about n²/2⁶⁴ (one in ten billion for 60,000); the primary key would
    refuse it rather than mix two ballots up."""
    return secrets.randbelow((1 << RANDOM_KEY_BITS) - 1) + 1


# On SQLite the column must be declared INTEGER (not BIGINT) to be the rowid itself; elsewhere it is
# a BIGINT, as 63 bits need.
RandomKey = BigInteger().with_variant(Integer(), "sqlite")


class CastBallotRow(Base):
    """A ballot, kiosk or paper: its marks and nothing else — no receipt, code, voter or time, and
    a random key (``random_key``), so that neither its key nor the order rows are stored in says when
    it was cast. ``choices`` are application references; ``points`` go with them on score and
    cumulative ballots (``null`` for "can't judge"). A spoilt paper ballot keeps its reason.
    ``paper_sheet``: the number written on a paper ballot when it was counted (the keying needs it to
    count each sheet once)."""

    __tablename__ = "ballots"
    __table_args__ = (
        CheckConstraint(_in("source", BALLOT_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(RandomKey, primary_key=True, autoincrement=False, default=random_key)
    event_id: Mapped[int] = mapped_column(ForeignKey("voting_events.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(5))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    points: Mapped[list[Any] | None] = mapped_column(JSON)
    spoilt_reason: Mapped[str | None] = mapped_column(Text)
    paper_sheet: Mapped[str | None] = mapped_column(String(20))  # the number written on a paper ballot when counted


class ReceiptRow(Base):
    """A receipt shown to a voter at the kiosk, kept so the voter can check it was counted — and
    kept apart from the ballot it came with: this table has no ballot id, no code, no time, and a
    random key (``random_key``), so neither a column nor the order of rows joins a receipt to a ballot.
    Cast a ballot, and a ballot row and a receipt row are added, each under its own random key.

    ``receipt`` is the receipt as shown (six characters): the published list of counted receipts
    (``events receipts``) is these, sorted; a receipt says nothing but that some ballot was counted,
    which is what publishing it is for. ``digest`` is HMAC-SHA256 of the receipt under the event's
    ``ballot_secret``: one receipt is checked (``events check-receipt``), and a new receipt is made
    unique, by looking its digest up (one index, unique per event), and a receipt from one event's
    list says nothing about another's."""

    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("event_id", "digest", name="uq_receipts_event_id_digest"),)

    id: Mapped[int] = mapped_column(RandomKey, primary_key=True, autoincrement=False, default=random_key)
    event_id: Mapped[int] = mapped_column(ForeignKey("voting_events.id", ondelete="CASCADE"), index=True)
    receipt: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))


class PaperEntry(Base):
    """One keying of a paper ballot. Each sheet is keyed twice; when the two agree the ballot is
    counted, when they differ the mismatch waits for an officer to resolve it."""

    __tablename__ = "paper_entries"
    __table_args__ = (
        UniqueConstraint("event_id", "sheet", "pass_no", name="uq_paper_entries_event_id_sheet_pass_no"),
        CheckConstraint("pass_no IN (1, 2)", name="pass_no"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("voting_events.id", ondelete="CASCADE"), index=True)
    sheet: Mapped[str] = mapped_column(String(20))
    pass_no: Mapped[int] = mapped_column(Integer)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    points: Mapped[list[Any] | None] = mapped_column(JSON)
    spoilt_reason: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(DateTime)


class PanelCriterion(Base):
    """One of the criteria a panel scores against, with its weight and score range."""

    __tablename__ = "panel_criteria"
    __table_args__ = (
        UniqueConstraint("panel_id", "name", name="uq_panel_criteria_panel_id_name"),
        CheckConstraint("weight > 0", name="weight_positive"),
        CheckConstraint("high > low", name="range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    low: Mapped[int] = mapped_column(Integer, default=0)
    high: Mapped[int] = mapped_column(Integer, default=5)
    position: Mapped[int] = mapped_column(Integer, default=0)


class PanelScore(Base):
    """A panellist's score for one application on one criterion (``None``: can't judge), with a note."""

    __tablename__ = "panel_scores"
    __table_args__ = (
        UniqueConstraint("panellist_id", "application_id", "criterion_id",
                         name="uq_panel_scores_panellist_id_application_id_criterion_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panellist_id: Mapped[int] = mapped_column(ForeignKey("panellists.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("panel_criteria.id", ondelete="CASCADE"))
    score: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(DateTime)


class PanelDecision(Base):
    """The panel's final decision on an application after deliberation: fund (for an amount) or not.
    It may differ from what the raw scores suggest; then ``reason`` says why."""

    __tablename__ = "panel_decisions"
    __table_args__ = (
        UniqueConstraint("panel_id", "application_id", name="uq_panel_decisions_panel_id_application_id"),
        CheckConstraint("outcome IN ('fund', 'decline', 'defer')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(8))
    amount_pence: Mapped[int] = mapped_column(Pence, default=0)
    reason: Mapped[str] = mapped_column(Text, default="")
    differs_from_scores: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)  # when it moved the application


# --- elected-member allocations (migration 0005) --------------------------------------------------


class YearEnd(Base):
    """A fund's year-end, run once per financial year: what happened to each member's unspent money
    (it lapsed, or rolled over into next year's allotment), as the officer saw it before running it."""

    __tablename__ = "year_ends"
    __table_args__ = (
        UniqueConstraint("fund_id", "financial_year", name="uq_year_ends_fund_id_financial_year"),
        CheckConstraint("mode IN ('lapse', 'roll_over')", name="mode"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id", ondelete="CASCADE"))
    financial_year: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(10))
    unspent_pence: Mapped[int] = mapped_column(Pence)  # across all members
    effects: Mapped[dict[str, Any]] = mapped_column(JSON)  # member id → unspent pence, as applied
    applied_at: Mapped[datetime] = mapped_column(DateTime)
    applied_by: Mapped[str] = mapped_column(String(200))


# --- payments and monitoring (migration 0006) -----------------------------------------------------

PLAN_KINDS = ("full", "instalments", "on_claim")
RETURN_KINDS = ("underspend", "clawback")
MONITORING_KINDS = ("note", "report")


class PaymentPlan(Base):
    """How an award is paid: in full, by instalments (each with a due date and amount), or on claim,
    with any amount held back until the final report is in."""

    __tablename__ = "payment_plans"
    __table_args__ = (
        CheckConstraint(_in("kind", PLAN_KINDS), name="kind"),
        CheckConstraint("holdback_pence >= 0", name="holdback_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(12), default="full")
    instalments: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"due_on": "2026-09-01", "amount_pence": 1000}]
    holdback_pence: Mapped[int] = mapped_column(Pence, default=0)


class AwardReturn(Base):
    """Money coming back on an award: unspent money returned, or money clawed back, with the reason."""

    __tablename__ = "award_returns"
    __table_args__ = (
        CheckConstraint(_in("kind", RETURN_KINDS), name="kind"),
        CheckConstraint("amount_pence > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    received_on: Mapped[date] = mapped_column(Date)
    amount_pence: Mapped[int] = mapped_column(Pence)
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))


class MonitoringDue(Base):
    """A report the grantee owes on an award (a short note, or a fuller learning report), when it is
    due and when it came in."""

    __tablename__ = "monitoring_due"
    __table_args__ = (CheckConstraint(_in("kind", MONITORING_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    label: Mapped[str] = mapped_column(String(100))  # "3-month note", "final learning report"
    due_on: Mapped[date] = mapped_column(Date, index=True)
    received_on: Mapped[date | None] = mapped_column(Date)
    final: Mapped[bool] = mapped_column(Boolean, default=False)  # the report that releases a holdback


# --- learning: outcome note themes and photos (migration 0007) ------------------------------------


class OutcomeTheme(Base):
    """A theme an outcome note is tagged with (from the fund's list, or new)."""

    __tablename__ = "outcome_themes"

    note_id: Mapped[int] = mapped_column(ForeignKey("outcome_notes.id", ondelete="CASCADE"), primary_key=True)
    theme: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)


class OutcomePhoto(Base):
    """A photo kept with an outcome note (bytes in the database, as attachments are)."""

    __tablename__ = "outcome_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("outcome_notes.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    caption: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
