"""Writing many rows at once, shared by every importer (applications, 360Giving grants).

Rows go in with SQLAlchemy Core ``insert`` and executemany, never ORM ``add_all`` (about 50 times
slower). Organisations are found or created the way the application form finds them: by charity
number, then company number, then — for groups with neither — by name ignoring case and spacing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from grantdesk.domain.organisations import name_key, org_id_for
from grantdesk.domain.references import format_reference
from grantdesk.services.common import audit_rows
from grantdesk.store.models import AuditEntry, Contact, Fund, Organisation, ReferenceCounter
from grantdesk.store.unit_of_work import TABLE_KINDS, note_change

if TYPE_CHECKING:
    from grantdesk.domain.applications import CleanApplication

__all__ = ["CHUNK", "insert_rows", "insert_many", "insert_with_ids", "chunks", "resolve", "People", "allocate_references"]

CHUNK = 500  # rows per executemany


def insert_rows(model: type, *, returning_id: bool = False):
    """A Core ``INSERT`` on the model's table, for ``session.execute(stmt, [dict, …])`` (executemany).

    The table, not the ORM class: the ORM's bulk insert starts a new batch wherever a value is None
    where the row before had one, which made the history rows (from_status None, then "draft") one
    statement each. For the new rows' ids, ``insert_with_ids`` (``returning_id`` is one statement per
    row on SQLite)."""
    table = model.__table__
    stmt = insert(table)
    return stmt.returning(table.c.id, sort_by_parameter_order=True) if returning_id else stmt


def insert_with_ids(session: Session, model: type, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into the model's table with one executemany and return their new ids, in the
    rows' order.

    Use this rather than ``session.scalars(insert_rows(model, returning_id=True), rows)``: on SQLite,
    SQLAlchemy cannot tell which returned id belongs to which row of a many-row INSERT, so for an
    ordered RETURNING it sends one INSERT per row (50,000 statements for a 50,000-row import). Here
    the ids are given, numbered on from the table's largest, which is what SQLite would have given
    them. Callers write inside a transaction: another writer in between makes the insert fail (the
    database is busy, or an id is taken), never share an id. Other databases use RETURNING."""
    if not rows:
        return []
    table = model.__table__
    if session.get_bind().dialect.name != "sqlite":
        return list(session.scalars(insert_rows(model, returning_id=True), rows).all())
    last = session.execute(select(func.max(table.c.id))).scalar() or 0
    ids = list(range(last + 1, last + 1 + len(rows)))
    insert_many(session, model, rows, ids=ids)
    return ids


def insert_many(session: Session, model: type, rows: list[dict[str, Any]], *, ids: list[int] | None = None) -> None:
    """Insert ``rows`` (dicts with the same keys) into the model's table with one executemany, each
    value converted by its column's type as SQLAlchemy would (dates, JSON …), straight to the driver:
    SQLAlchemy's executemany works each row's parameters out one at a time, which costs more than
    SQLite's writing them. ``ids``: the rows' ids, given. A table column left out that has a default
    (or rows with different keys), and databases other than SQLite, go through ``insert_rows``."""
    if not rows:
        return
    table = model.__table__
    names = list(rows[0])
    dialect = session.get_bind().dialect
    fallback = (dialect.name != "sqlite" or any(len(r) != len(names) for r in rows)
                or any(c.name not in names and c.name != "id" and (c.default is not None or c.onupdate is not None)
                       for c in table.c))
    if fallback:
        session.execute(insert(table), rows if ids is None
                        else [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)])
        return
    columns = [table.c[n] for n in names]
    converters = [(i, p) for i, p in enumerate(c.type._cached_bind_processor(dialect) for c in columns)
                  if p is not None]
    preparer = dialect.identifier_preparer
    targets = [preparer.format_column(c) for c in columns] + (["id"] if ids is not None else [])
    sql = (f"INSERT INTO {preparer.format_table(table)} ({', '.join(targets)}) "
           f"VALUES ({', '.join('?' * len(targets))})")
    data = []
    for n, row in enumerate(rows):
        values = [row[k] for k in names]
        for i, convert in converters:
            values[i] = convert(values[i])
        if ids is not None:
            values.append(ids[n])
        data.append(tuple(values))
    session.connection().exec_driver_sql(sql, data)
    kind = TABLE_KINDS.get(table.name)
    if kind is not None:  # the session does not see a driver statement: say what it changed
        note_change(session, kind, every_application=table.name == "applications")


def chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class People:
    """Organisations and contacts found or created the way ``find_or_add_organisation`` and
    ``find_or_add_contact`` would, for a whole file at once (one query each, bulk inserts)."""

    def __init__(self, session: Session):
        self.session = session
        self.by_charity: dict[str, Any] = {}
        self.by_company: dict[str, Any] = {}
        self.by_name: dict[str, Any] = {}  # unregistered organisations, by name ignoring case
        self.names: dict[Any, str] = {}
        for oid, name, key, charity, company in session.execute(
            select(Organisation.id, Organisation.name, Organisation.name_key, Organisation.charity_number,
                   Organisation.company_number)
            .order_by(Organisation.id)
        ):
            if charity:
                self.by_charity.setdefault(charity, oid)
            if company:
                self.by_company.setdefault(company, oid)
            if not charity and not company:
                self.by_name.setdefault(key, oid)
            self.names[oid] = name
        self.new_orgs: list[dict[str, Any]] = []
        self.new_contacts: list[dict[str, Any]] = []
        self.contacts: dict[Any, list[tuple[Any, str, str]]] = {}  # org key → (contact key, name, e-mail)
        self._loaded: set[Any] = set()

    def organisation(self, c: CleanApplication, now) -> Any:
        """The organisation of a checked application row (see ``find``)."""
        return self.find(c.organisation, c.organisation_type, c.charity_number, c.company_number, now)

    def find(self, name: str, org_type: str, charity_number: str | None, company_number: str | None, now, *,
             org_id: str | None = None, address: str = "", postcode: str = "", website: str = "") -> Any:
        """An existing organisation's id, or ("new", n) for the n-th one to create: by charity number,
        then company number, then (with neither) by name ignoring case and spacing."""
        key = None
        if charity_number:
            key = self.by_charity.get(charity_number)
        if key is None and company_number:
            key = self.by_company.get(company_number)
        if key is None and not charity_number and not company_number:
            key = self.by_name.get(name_key(name))
        if key is not None:
            return key
        key = ("new", len(self.new_orgs))
        self.new_orgs.append(dict(
            name=name, name_key=name_key(name), org_type=org_type, charity_number=charity_number,
            company_number=company_number, org_id=org_id or org_id_for(charity_number, company_number),
            address=address, postcode=postcode, website=website, created_at=now,
        ))
        self.names[key] = name
        if charity_number:
            self.by_charity[charity_number] = key
        if company_number:
            self.by_company[company_number] = key
        if not charity_number and not company_number:
            self.by_name[name_key(name)] = key
        return key

    def load_contacts(self, org_keys: set[Any]) -> None:
        wanted = sorted(k for k in org_keys if not isinstance(k, tuple) and k not in self._loaded)
        for chunk in chunks(wanted):
            for cid, oid, name, email in self.session.execute(
                select(Contact.id, Contact.organisation_id, Contact.name, Contact.email)
                .where(Contact.organisation_id.in_(chunk)).order_by(Contact.id)
            ):
                self.contacts.setdefault(oid, []).append((cid, name.casefold(), (email or "").casefold()))
        self._loaded.update(wanted)

    def contact(self, org_key: Any, c: CleanApplication) -> Any:
        if not c.contact_name:
            return None
        name, email = c.contact_name.casefold(), c.contact_email.casefold()
        known = self.contacts.setdefault(org_key, [])
        for key, known_name, known_email in known:
            if known_name == name or (email and known_email == email):
                return key
        key = ("new", len(self.new_contacts))
        self.new_contacts.append(dict(
            org_key=org_key, name=c.contact_name, email=c.contact_email, phone=c.contact_phone, role="",
            letter_language=c.contact_language,
        ))
        known.append((key, name, email))
        return key

    def insert(self, actor: str, now) -> tuple[dict[Any, int], dict[Any, int]]:
        """Insert the new organisations and contacts, each with its audit entry; returns key → id maps."""
        s = self.session
        org_ids: dict[Any, int] = {}
        entries: list[dict[str, Any]] = []
        if self.new_orgs:
            ids = insert_with_ids(s, Organisation, self.new_orgs)
            for n, (oid, org) in enumerate(zip(ids, self.new_orgs, strict=True)):
                org_ids[("new", n)] = oid
                entries.append(dict(at=now, actor=actor, action="organisation.create", entity="organisation",
                                    entity_id=oid, summary=f"Recorded organisation {org['name']}", before=None,
                                    after={"org_id": org["org_id"], "type": org["org_type"]}))
        contact_ids: dict[Any, int] = {}
        if self.new_contacts:
            rows = [dict(organisation_id=resolve(org_ids, c["org_key"]), name=c["name"], email=c["email"],
                         phone=c["phone"], role=c["role"], letter_language=c["letter_language"])
                    for c in self.new_contacts]
            ids = insert_with_ids(s, Contact, rows)
            for n, (cid, c) in enumerate(zip(ids, self.new_contacts, strict=True)):
                contact_ids[("new", n)] = cid
                entries.append(dict(at=now, actor=actor, action="contact.create", entity="contact", entity_id=cid,
                                    summary=f"Recorded contact for {self.names[c['org_key']]}", before=None,
                                    after={"letter_language": c["letter_language"]}))
        if entries:
            s.execute(insert_rows(AuditEntry), audit_rows(s, entries))  # checked and chained
        return org_ids, contact_ids


def resolve(ids: dict[Any, int], key: Any) -> Any:
    return ids[key] if isinstance(key, tuple) else key


def allocate_references(session: Session, fund: Fund, years: list[int]) -> list[str]:
    """One block of reference numbers per financial year from the fund's counter, in row order;
    the same numbers ``add_application`` would have given one at a time."""
    needed: dict[int, int] = {}
    for year in years:
        needed[year] = needed.get(year, 0) + 1
    next_number: dict[int, int] = {}
    for year, count in needed.items():
        where = (ReferenceCounter.fund_id == fund.id, ReferenceCounter.year == year)
        if session.scalar(select(ReferenceCounter.last_number).where(*where)) is None:
            session.execute(insert_rows(ReferenceCounter), [dict(fund_id=fund.id, year=year, last_number=0)])
        last = session.execute(
            update(ReferenceCounter).where(*where).values(last_number=ReferenceCounter.last_number + count)
            .returning(ReferenceCounter.last_number)
        ).scalar_one()
        next_number[year] = last - count + 1
    references = []
    for year in years:
        references.append(format_reference(fund.code, year, next_number[year]))
        next_number[year] += 1
    return references
