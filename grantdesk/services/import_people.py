"""Who is who in an imported file: each row's organisation and contact, found or made for the whole
file at once, never silently changed.

The rules are those of ``services.organisations`` (the application form's), applied to thousands of
rows with one query each and bulk inserts:

- an organisation is the stored one with the row's name and the row's number as its own (or as the
  umbrella number it gave before); with no number, the one with the row's name and no number;
- a number held by an organisation of *another* name (in the database, or made by an earlier row) is
  a **match to confirm**: the officer says it is the same group (the application goes to the stored
  organisation) or a different group under an umbrella charity's number (a new organisation with the
  row's name, keeping the number as its umbrella number). Undecided, the row goes in as a new
  organisation under its own name, flagged for review;
- a contact is one person: the same name and e-mail (a blank e-mail on either side does not tell two
  people apart). Someone else at an e-mail a contact already has (a shared inbox), or the same person
  asking for letters in another language, is a match to confirm: the same person (for a language,
  letters in the row's language from now on) or a different person (a new contact with the row's
  name, e-mail and language). Undecided, a new contact, flagged. A stored contact's language is never
  taken for another person, nor changed without the officer saying so.

Decisions are keyed ``"<row>:<kind>"`` (the first row the match appears on; ``kind`` is
``organisation`` or ``contact``); a bare ``kind`` decides every match of that kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import select, update

from grantdesk.domain.organisations import name_key, org_id_for
from grantdesk.i18n import N_, _
from grantdesk.services.bulk import chunks
from grantdesk.services.import_writing import Writer, write_audit
from grantdesk.store.models import Contact, Organisation

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from grantdesk.domain.applications import CleanApplication

__all__ = ["ORGANISATION", "CONTACT", "SAME", "DIFFERENT", "Match", "Applicants", "LANGUAGE_NAMES"]

ORGANISATION = "organisation"
CONTACT = "contact"
SAME = "same"
DIFFERENT = "different"
LANGUAGE_NAMES = {"en": N_("English"), "cy": N_("Welsh")}

Decide = Callable[[str, str], "str | None"]  # (key, kind) → "same", "different" or None


@dataclass
class Match:
    """A row whose number or e-mail belongs to an organisation or contact recorded under another
    name (or a contact asking for another letter language), for the officer to confirm.

    ``rows`` are every row the match covers (rows giving the same name and number, say);
    ``stored_row`` is the row that made the stored one, when it was made by this file (None: it is in
    GrantDesk already). ``by`` says what matched: "charity number 1143005", "e-mail hall@example.org",
    "letter language". ``decision`` is "same", "different" or None (undecided)."""

    key: str
    kind: str
    rows: list[int]
    given: str
    stored: str
    by: str
    stored_row: int | None
    organisation: str  # whose contact (for a contact); the stored organisation (for an organisation)
    given_language: str = ""
    stored_language: str = ""
    decision: str | None = None

    @property
    def row(self) -> int:
        return self.rows[0]

    @property
    def where(self) -> str:
        return f"row {self.stored_row}" if self.stored_row is not None else "GrantDesk"

    @property
    def message(self) -> str:
        """What matched, in a sentence (in the language the process speaks)."""
        where = _("row {row}").format(row=self.stored_row) if self.stored_row is not None else "GrantDesk"
        if self.kind == ORGANISATION:
            kind, _sep, number = self.by.partition(" number ")
            by = (_("charity number {number}") if kind == "charity" else _("company number {number}")
                  if kind == "company" else _("{kind} number {number}")).format(kind=kind, number=number) \
                if number else self.by
            return _("{given} gave {by}, which is {stored}'s (in {where}). The same group, or a different group "
                     "under an umbrella charity's number?").format(given=self.given, by=by, stored=self.stored,
                                                                   where=where)
        if self.by == "letter language":
            return _("{given} at {organisation} asks for letters in {given_language}; the contact of that name and "
                     "e-mail (in {where}) has letters in {stored_language}. The same person, or a different "
                     "one?").format(given=self.given, organisation=self.organisation, where=where,
                                    given_language=_language_name(self.given_language),
                                    stored_language=_language_name(self.stored_language))
        by = _("e-mail {address}").format(address=self.by[len("e-mail "):]) if self.by.startswith("e-mail ") \
            else self.by
        return _("{given} wrote from the {by}, which is {stored}'s at {organisation} (in {where}). The same person, "
                 "or a different person at a shared inbox?").format(given=self.given, by=by, stored=self.stored,
                                                                   organisation=self.organisation, where=where)

    @property
    def review(self) -> str:
        """The flag an undecided match leaves on each application it covers."""
        if self.kind == ORGANISATION:
            return (f"To review: {self.by} is also {self.stored}'s; imported as a new organisation, "
                    f"{self.given}, keeping the number as its umbrella number. Say whether it is the same group.")
        if self.by == "letter language":
            return (f"To review: {self.given} asked for letters in "
                    f"{LANGUAGE_NAMES.get(self.given_language, self.given_language)}, but is recorded with "
                    f"{LANGUAGE_NAMES.get(self.stored_language, self.stored_language)}; imported as a new contact. "
                    "Say whether it is the same person.")
        return (f"To review: the {self.by} is also {self.stored}'s; imported as a new contact, {self.given}. "
                "Say whether it is the same person.")


def _language_name(code: str) -> str:
    return _(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else code


_NONE: frozenset[str] = frozenset()


def contact_keys(c: CleanApplication) -> tuple[str, str]:
    """How a row's contact is matched: the name's ``name_key`` and the e-mail case-folded."""
    email = c.contact_email
    folded = email.strip().casefold()
    return name_key(c.contact_name or ""), email if folded == email else folded  # the row's own string if it will do


@dataclass(slots=True)
class _Contact:
    key: Any  # contact id, or ("new", n)
    name: str
    name_key: str
    email: str  # case-folded
    language: str
    row: int | None  # the row that made it, if this file did


@dataclass
class Applicants:
    """The organisations and contacts of a file's rows: found, matched for the officer to confirm, or
    to be made (only those the imported rows use are inserted)."""

    session: Session
    decide: Decide
    names: dict[Any, str] = field(default_factory=dict)  # org key → name
    origin: dict[Any, int] = field(default_factory=dict)  # new org key → the row that made it
    matches: list[Match] = field(default_factory=list)
    # What to make, as compact tuples (``_ORG_COLUMNS`` and ``_CONTACT_COLUMNS`` order, an organisation
    # key for the contact's organisation id): a file can name tens of thousands.
    new_orgs: list[tuple] = field(default_factory=list)
    new_contacts: list[tuple] = field(default_factory=list)
    language_updates: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id → (old, new, org name)

    def __post_init__(self) -> None:
        self._own: dict[str, dict[str, Any]] = {"charity": {}, "company": {}}  # number → org key
        self._umbrella: dict[str, dict[tuple[str, str], Any]] = {"charity": {}, "company": {}}  # (name, number)
        self._plain: dict[str, Any] = {}  # name key → org key, for organisations with no number of their own
        self._key_of: dict[Any, str] = {}  # org key → name key
        self._pending: dict[tuple, Match] = {}  # what matched → its Match, so later rows join it
        self._made_by_match: dict[Any, Match] = {}  # new org/contact key → the undecided match that made it
        self._contacts: dict[Any, list[_Contact]] = {}
        for oid, name, key, charity, company, u_charity, u_company in self.session.execute(
            select(Organisation.id, Organisation.name, Organisation.name_key, Organisation.charity_number,
                   Organisation.company_number, Organisation.umbrella_charity_number,
                   Organisation.umbrella_company_number).order_by(Organisation.id)
        ):
            self._register(oid, name, key, charity, company, u_charity, u_company)

    def _register(self, key: Any, name: str, nkey: str, charity, company, u_charity, u_company) -> None:
        self.names[key] = name
        self._key_of[key] = nkey
        for kind, own, umbrella in (("charity", charity, u_charity), ("company", company, u_company)):
            if own:
                self._own[kind].setdefault(own, key)
            if umbrella:
                self._umbrella[kind].setdefault((nkey, umbrella), key)
        if not charity and not company:
            self._plain.setdefault(nkey, key)

    # --- organisations -----------------------------------------------------------------------------

    def organisation(self, row: int, c: CleanApplication, now, nkey: str | None = None) -> tuple[Any, Match | None]:
        """The organisation key for a checked row, and the match to confirm it raised (if any).
        ``nkey``: the row's ``name_key`` of its organisation, if worked out already."""
        if nkey is None:
            nkey = name_key(c.organisation)
        charity, company = c.charity_number, c.company_number
        if not charity and not company:  # most groups: by name alone
            found = self._plain.get(nkey)
            if found is not None:
                return self._joined(found, row)
            return self._new(row, c, now, umbrella=_NONE, nkey=nkey), None
        numbers = (("charity", charity), ("company", company))
        for kind, number in numbers:
            if not number:
                continue
            holder = self._own[kind].get(number)
            if holder is not None and self._key_of[holder] == nkey:
                return self._joined(holder, row)
            found = self._umbrella[kind].get((nkey, number))
            if found is not None:
                return self._joined(found, row)
        held = [(kind, number, self._own[kind][number]) for kind, number in numbers
                if number and number in self._own[kind]]
        if not held:
            return self._new(row, c, now, umbrella=_NONE, nkey=nkey), None
        kind, number, holder = held[0]
        pair = (ORGANISATION, nkey, kind, number)
        match = self._pending.get(pair)
        if match is None:
            key = f"{row}:{ORGANISATION}"
            match = Match(key=key, kind=ORGANISATION, rows=[row], given=c.organisation, stored=self.names[holder],
                          by=f"{kind} number {number}", stored_row=self.origin.get(holder),
                          organisation=self.names[holder], decision=self.decide(key, ORGANISATION))
            self._pending[pair] = match
            self.matches.append(match)
        else:
            match.rows.append(row)
        if match.decision == SAME:
            return holder, match
        key = self._new(row, c, now, umbrella={k for k, _n, _h in held}, nkey=nkey)
        if match.decision is None:
            self._made_by_match[key] = match
        return key, match

    def _joined(self, key: Any, row: int) -> tuple[Any, Match | None]:
        """A row that found an organisation an earlier, undecided match made: it shares that match."""
        if not self._made_by_match:
            return key, None
        match = self._made_by_match.get(key)
        if match is not None and row not in match.rows:
            match.rows.append(row)
        return key, match

    def _new(self, row: int, c: CleanApplication, now, *, umbrella: set[str] | frozenset[str],
             nkey: str | None = None) -> Any:
        charity = None if "charity" in umbrella else c.charity_number
        company = None if "company" in umbrella else c.company_number
        u_charity = c.charity_number if "charity" in umbrella else None
        u_company = c.company_number if "company" in umbrella else None
        key = ("new", len(self.new_orgs))
        if nkey is None:
            nkey = name_key(c.organisation)
        self.new_orgs.append((c.organisation, nkey, c.organisation_type, charity, company, u_charity, u_company,
                              org_id_for(charity, company)))
        self.origin[key] = row
        self._register(key, c.organisation, nkey, charity, company, u_charity, u_company)
        return key

    # --- contacts ----------------------------------------------------------------------------------

    def load_contacts(self, org_keys: set[Any]) -> None:
        """The stored contacts of these stored organisations (one query per 500)."""
        wanted = sorted(k for k in org_keys if not isinstance(k, tuple) and k not in self._contacts)
        for key in wanted:
            self._contacts[key] = []
        for chunk in chunks(wanted):
            for cid, oid, name, email, language in self.session.execute(
                select(Contact.id, Contact.organisation_id, Contact.name, Contact.email, Contact.letter_language)
                .where(Contact.organisation_id.in_(chunk)).order_by(Contact.id)
            ):
                self._contacts[oid].append(_Contact(cid, name, name_key(name), (email or "").strip().casefold(),
                                                    language, None))

    def contact(self, row: int, org_key: Any, c: CleanApplication,
                keys: tuple[str, str] | None = None) -> tuple[Any, Match | None]:
        """The contact key for a checked row (None if it names nobody), and the match it raised.
        ``keys``: the contact's ``name_key`` and case-folded e-mail, if worked out already."""
        if not c.contact_name:
            return None, None
        nkey, email = keys if keys is not None else contact_keys(c)
        known = self._contacts.get(org_key)
        if not known:  # nobody recorded yet: a new contact
            return self._new_contact(row, org_key, c, nkey, email), None
        same = [k for k in known if k.name_key == nkey and (not k.email or not email or k.email == email)]
        stored: _Contact | None = None
        by = ""
        if same:
            if not c.contact_language_given:
                return self._joined_contact(same[0].key, row)
            exact = next((k for k in same if k.language == c.contact_language), None)
            if exact is not None:
                return self._joined_contact(exact.key, row)
            stored, by = same[0], "letter language"
        elif email:
            stored = next((k for k in known if k.email == email), None)
            by = f"e-mail {c.contact_email}"
        if stored is None:
            return self._new_contact(row, org_key, c, nkey, email), None
        pair = (CONTACT, org_key, stored.key, nkey, email, c.contact_language if c.contact_language_given else "")
        match = self._pending.get(pair)
        if match is None:
            key = f"{row}:{CONTACT}"
            match = Match(key=key, kind=CONTACT, rows=[row], given=c.contact_name, stored=stored.name, by=by,
                          stored_row=stored.row, organisation=self.names[org_key],
                          given_language=c.contact_language, stored_language=stored.language,
                          decision=self.decide(key, CONTACT))
            self._pending[pair] = match
            self.matches.append(match)
        else:
            match.rows.append(row)
        if match.decision == SAME:
            if c.contact_language_given and c.contact_language != stored.language:
                self._set_language(stored, c.contact_language, org_key)
            return stored.key, match
        key = self._new_contact(row, org_key, c, nkey, email)
        if match.decision is None:
            self._made_by_match[("contact", key)] = match
        return key, match

    def _joined_contact(self, key: Any, row: int) -> tuple[Any, Match | None]:
        if not self._made_by_match:
            return key, None
        match = self._made_by_match.get(("contact", key))
        if match is not None and row not in match.rows:
            match.rows.append(row)
        return key, match

    def _new_contact(self, row: int, org_key: Any, c: CleanApplication, nkey: str, email: str) -> Any:
        key = ("new", len(self.new_contacts))
        self.new_contacts.append((org_key, c.contact_name, c.contact_email, c.contact_phone, c.contact_language))
        found = _Contact(key, c.contact_name, nkey, email, c.contact_language, row)
        known = self._contacts.get(org_key)
        if known is None:
            self._contacts[org_key] = [found]
        else:
            known.append(found)
        return key

    def _set_language(self, stored: _Contact, language: str, org_key: Any) -> None:
        """The officer said this row is the stored person: letters in the row's language from now on."""
        if isinstance(stored.key, tuple):
            self.new_contacts[stored.key[1]] = (*self.new_contacts[stored.key[1]][:4], language)
        else:
            old = self.language_updates.get(stored.key, (stored.language, "", ""))[0]
            self.language_updates[stored.key] = (old, language, self.names[org_key])
        stored.language = language

    def made_by_undecided(self, kind: str, key: Any) -> Match | None:
        return self._made_by_match.get(("contact", key) if kind == CONTACT else key)

    # --- writing -----------------------------------------------------------------------------------

    def insert(self, used_orgs: set[Any], used_contacts: set[Any], actor: str,
               now) -> tuple[dict[Any, int], dict[Any, int]]:
        """Insert the new organisations and contacts the imported rows use, each with its audit entry,
        and the letter languages the officer confirmed; returns key → id maps."""
        s = self.session
        org_ids: dict[Any, int] = {}
        # A chunk at a time (rows, then their audit entries), so a file's worth is never held at once.
        orgs = [n for n in range(len(self.new_orgs)) if ("new", n) in used_orgs]
        writer = Writer(s, Organisation, _ORG_COLUMNS)
        for chunk in chunks(orgs, _WRITE_CHUNK):
            made = [self.new_orgs[n] for n in chunk]
            ids = writer.insert([(*o, "", "", "", now) for o in made])
            entries = []
            for oid, n, org in zip(ids, chunk, made, strict=True):
                org_ids[("new", n)] = oid
                name, _nkey, org_type, _charity, _company, u_charity, u_company, org_id = org
                umbrella = u_charity or u_company
                entries.append(dict(
                    at=now, actor=actor, action="organisation.create", entity="organisation", entity_id=oid,
                    summary=f"Recorded organisation {name}"
                            + (f" (keeping {umbrella}, another organisation's number, as its umbrella number)"
                               if umbrella else ""),
                    before=None, after={"org_id": org_id, "type": org_type}))
            write_audit(s, entries)
        contact_ids: dict[Any, int] = {}
        contacts = [n for n in range(len(self.new_contacts)) if ("new", n) in used_contacts]
        writer = Writer(s, Contact, _CONTACT_COLUMNS)
        names = self.names
        for chunk in chunks(contacts, _WRITE_CHUNK):
            made = [self.new_contacts[n] for n in chunk]
            ids = writer.insert([(org_ids[c[0]] if c[0].__class__ is tuple else c[0], c[1], c[2], c[3], "", c[4])
                                 for c in made])
            entries = []
            for cid, n, c in zip(ids, chunk, made, strict=True):
                contact_ids[("new", n)] = cid
                entries.append(dict(at=now, actor=actor, action="contact.create", entity="contact", entity_id=cid,
                                    summary=f"Recorded contact for {names[c[0]]}", before=None,
                                    after={"letter_language": c[4]}))
            write_audit(s, entries)
        entries = []
        for cid, (old, new, org_name) in self.language_updates.items():
            if cid not in used_contacts or old == new:
                continue
            s.execute(update(Contact).where(Contact.id == cid).values(letter_language=new))
            entries.append(dict(at=now, actor=actor, action="contact.update", entity="contact", entity_id=cid,
                                summary=f"Updated letter language for a contact of {org_name} (confirmed "
                                        "as the same person on import)",
                                before={"letter_language": old}, after={"letter_language": new}))
        write_audit(s, entries)
        return org_ids, contact_ids


_WRITE_CHUNK = 2_000
_ORG_COLUMNS = ("name", "name_key", "org_type", "charity_number", "company_number", "umbrella_charity_number",
                "umbrella_company_number", "org_id", "address", "postcode", "website", "created_at")
_CONTACT_COLUMNS = ("organisation_id", "name", "email", "phone", "role", "letter_language")
