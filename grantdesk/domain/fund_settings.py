"""Every fund setting, declared once: its key, type, default, check and help text.

A fund keeps its settings as a JSON table (``funds.settings``). This module is the only reader of
that table: :func:`parse_settings` checks a table (from a definition file or the settings window) and
says which key is wrong and why; :func:`settings_of` reads a stored table leniently (it was checked
when written) and gives a typed :class:`FundSettings` that services read.

A setting that is renamed keeps its old name readable (``Setting.old_names``; an old value format
is read by the setting's check). Free text that looks like a rule but that nothing enforces ("the
member's remaining allocation", "unlikely in consecutive years") is kept as a *note*: shown to
officers beside the rules, never presented as one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from grantdesk.domain.eligibility import ATTACHMENT_KINDS
from grantdesk.domain.errors import ValidationError
from grantdesk.i18n import _, N_
from grantdesk.domain.monitoring import KINDS as REPORT_KINDS
from grantdesk.domain.money import parse_money
from grantdesk.domain.organisations import OrgType

YEAR_END_MODES = ("lapse", "roll_over")
LETTER_LANGUAGE_RULES = ("bilingual", "english", "welsh")  # letters when a contact's language is unknown
BILINGUAL_LAYOUTS = ("welsh_first", "side_by_side")


class SettingError(ValidationError):
    """A fund setting is the wrong type or out of range; ``field`` is the setting's key."""


# --- checks: each turns a raw value into the typed one, or raises SettingError naming the key --------


def _fail(key: str, wanted: str, value: Any) -> SettingError:
    return SettingError(_("Setting “{key}” must be {wanted}, not {value!r}.").format(
                          key=key, wanted=_(wanted), value=value), key)


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _fail(key, N_("true or false"), value)


def _text(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    raise _fail(key, N_("text"), value)


def _texts(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    raise _fail(key, N_("a list of words"), value)


def _choice(options: tuple[str, ...]) -> Callable[[str, Any], str]:
    def check(key: str, value: Any) -> str:
        text = str(value).strip().lower().replace(" ", "_").replace("-", "_") if isinstance(value, str) else None
        if text in options:
            return text
        # older files wrote these in words ("roll over", "returned to the panel's next round")
        if text and key == "unspent_at_year_end" and text.startswith("roll"):
            return "roll_over"
        raise _fail(key, _("one of {options}").format(options=", ".join(options)), value)
    return check


_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def _month_day(key: str, value: Any) -> str:
    from datetime import date

    match = _MONTH_DAY.match(value.strip()) if isinstance(value, str) else None
    if match:
        try:
            date(2000, int(match[1]), int(match[2]))
            return value.strip()
        except ValueError:
            pass
    raise _fail(key, N_("a month and day such as 03-20"), value)


def _org_types(key: str, value: Any) -> tuple[str, ...]:
    names = _texts(key, value)
    known = {t.value for t in OrgType}
    wrong = [n for n in names if n not in known]
    if wrong:
        raise SettingError(_("Setting “{key}”: {wrong} is not a kind of organisation; use {known}.").format(
                             key=key, wrong=', '.join(wrong), known=', '.join(sorted(known))), key)
    return names


def _attachments(key: str, value: Any) -> tuple[str, ...]:
    names = _texts(key, value)
    wrong = [n for n in names if n not in ATTACHMENT_KINDS]
    if wrong:
        raise SettingError(_("Setting “{key}”: {wrong} is not a kind of document; use {attachment_kinds}.").format(
                             key=key, wrong=', '.join(wrong), attachment_kinds=', '.join(ATTACHMENT_KINDS)), key)
    return names


def _percent(key: str, value: Any) -> int:
    """A whole percentage; the old text form "50%" is read too."""
    if isinstance(value, bool):
        raise _fail(key, N_("a percentage such as 50"), value)
    text = str(value).strip().rstrip("%").strip() if isinstance(value, (str, int)) else ""
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _fail(key, N_("a percentage such as 50"), value) from None
    if number != number.to_integral_value() or not 0 <= number <= 100:
        raise _fail(key, N_("a whole percentage from 0 to 100"), value)
    return int(number)


def _optional_pence(key: str, value: Any) -> int | None:
    """An amount of money in pence (a whole number), or written as money ("£5,000"); None or "" for none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        try:
            pence = parse_money(value)
        except ValidationError:
            raise _fail(key, N_("an amount of money such as £5,000, or empty for none"), value) from None
        if pence > 0:
            return pence
    raise _fail(key, N_("an amount of money above £0 (in pence), or empty for none"), value)


def _years(key: str, value: Any) -> int:
    """A whole number of years from 1 to 50 (how long personal details are kept)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 50:
        return value
    raise _fail(key, N_("a whole number of years from 1 to 50"), value)


def _monitoring(key: str, value: Any) -> tuple[dict[str, Any], ...]:
    """Bands by grant size: ``{up_to = "499.99", require = [[kind, label, months, final], …]}``; the
    last band has no ``up_to``."""
    if not isinstance(value, (list, tuple)) or not value:
        raise _fail(key, N_("a list of bands by grant size"), value)
    bands = []
    last = -1
    for i, band in enumerate(value):
        where = f"{key}[{i + 1}]"
        if not isinstance(band, Mapping) or set(band) - {"up_to", "require"}:
            raise SettingError(_("Setting “{where}” must be a table with up_to and require.").format(where=where), key)
        limit = band.get("up_to")
        if limit is not None:
            pence = parse_money(str(limit), field=where + ".up_to")
            if pence <= last:
                raise SettingError(_("Setting “{where}”: the bands must go up in size.").format(where=where), key)
            last = pence
        elif i != len(value) - 1:
            raise SettingError(_("Setting “{where}”: only the last band can have no up_to.").format(where=where), key)
        items = []
        for item in band.get("require", ()):
            if (not isinstance(item, (list, tuple)) or len(item) != 4 or str(item[0]) not in REPORT_KINDS
                    or not isinstance(item[1], str) or isinstance(item[2], bool) or not isinstance(item[2], int)
                    or item[2] < 0 or not isinstance(item[3], bool)):
                raise SettingError(_("Setting “{where}”: each report is [kind, label, months, final], with kind "
                                     "{report_kinds}, not {item!r}.").format(
                                     where=where, report_kinds=' or '.join(REPORT_KINDS), item=item), key)
            items.append([str(item[0]), item[1], item[2], item[3]])
        bands.append({"up_to": None if limit is None else str(limit), "require": items})
    return tuple(bands)


def _person(key: str, value: Any) -> dict[str, str]:
    if isinstance(value, Mapping) and set(value) <= {"name", "role"} and all(isinstance(v, str) for v in value.values()):
        return {k: v.strip() for k, v in value.items()}
    raise _fail(key, N_("a table with name and role"), value)


_LETTERHEAD_KEYS = {"address", "email", "phone", "website", "logo", "council"}


def _letterhead(key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping) or set(value) - _LETTERHEAD_KEYS:
        raise _fail(key, _("a table with {keys}").format(keys=", ".join(sorted(_LETTERHEAD_KEYS))), value)
    out: dict[str, Any] = {}
    for k, v in value.items():
        out[k] = _texts(f"{key}.{k}", v) if k == "address" else _text(f"{key}.{k}", v)
    if "address" in out:
        out["address"] = list(out["address"])
    return out


def _by_language(key: str, value: Any) -> dict[str, str]:
    if isinstance(value, Mapping) and set(value) <= {"en", "cy"} and all(isinstance(v, str) for v in value.values()):
        return {k: v.strip() for k, v in value.items() if v.strip()}
    raise _fail(key, N_("a table with en and cy"), value)


def _table(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise _fail(key, N_("a table"), value)


def _notes(key: str, value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): note_text(v) for k, v in value.items()}
    raise _fail(key, N_("a table of notes"), value)


def note_text(value: Any) -> str:
    """A free-text setting as a note people read."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Setting:
    key: str  # as written in files and stored; dotted for letters.* and publishing.*
    label: str
    check: Callable[[str, Any], Any]
    default: Any
    help: str
    old_names: tuple[str, ...] = ()
    models: tuple[str, ...] = ()  # the decision models it concerns; empty: every fund


SETTINGS: tuple[Setting, ...] = (
    Setting("themes", N_("Themes"), _texts, (), N_("What the fund pays for, in a few words each; outcome notes are "
            "filed under them.")),
    Setting("allowed_org_types", N_("Kinds of organisation that can apply"), _org_types, (),
            N_("Leave empty to accept any kind. An application from another kind is not eligible.")),
    Setting("required_attachments", N_("Documents every application needs"), _attachments, (),
            N_("An application without one of these is not eligible until it is attached.")),
    Setting("monitoring", N_("Monitoring by grant size"), _monitoring, (),
            N_("What a grantee owes after an award, by its size; empty: the standard bands.")),
    Setting("apply_by_month_day", N_("Apply by (month-day)"), _month_day, "03-31",
            N_("Members' funds: an application submitted after this day of the financial year is flagged late."),
            models=("member",)),
    Setting("spend_by_month_day", N_("Spend by (month-day)"), _month_day, "03-31",
            N_("Members' funds: the last day a decision can use the year's pot."), models=("member",)),
    Setting("unspent_at_year_end", N_("Unspent money at year end"), _choice(YEAR_END_MODES), "lapse",
            N_("Members' funds: lapse (returns to the council) or roll_over (added to next year's pot)."),
            models=("member",)),
    Setting("match_funding_required_for", N_("Kinds that must bring match funding"), _org_types, (),
            N_("Their applications are flagged to the member with the share below."), models=("member",)),
    Setting("match_funding_percent", N_("Match funding share (%)"), _percent, 0,
            N_("The share of the cost they must find elsewhere."), old_names=("match_funding_share",),
            models=("member",)),
    Setting("welsh_language_standards", N_("The Welsh Language Standards apply"), _bool, False,
            N_("Residents' screens and papers are in Welsh first, and Welsh applications are treated no less "
            "favourably.")),
    Setting("letters_when_language_unknown", N_("Letters when a contact's language is not known"),
            _choice(LETTER_LANGUAGE_RULES), "english", N_("For a fund under the Welsh Language Standards: "
            "bilingual, english or welsh.")),
    Setting("letters.signatory", N_("Letters are signed by"), _person, {}, N_("Name and role.")),
    Setting("letters.letterhead", N_("Letterhead"), _letterhead, {}, N_("Address lines, e-mail, phone, website.")),
    Setting("letters.council", N_("The council's name in each language"), _by_language, {},
            N_("As letters print it, in English and Welsh.")),
    Setting("letters.bilingual", N_("Layout of bilingual letters"), _choice(BILINGUAL_LAYOUTS), "welsh_first",
            N_("welsh_first (the whole letter in Welsh, then in English) or side_by_side.")),
    Setting("letters.words", N_("The fund's own sentences in letters"), _table, {}, N_("Set in the letter editor.")),
    Setting("letters.templates", N_("The fund's own letter texts"), _table, {}, N_("Set in the letter editor.")),
    Setting("retention_unsuccessful_years", N_("Keep unsuccessful applications' personal details (years)"), _years, 2,
            N_("Years after the decision (not eligible, declined or withdrawn) before names, contact details and "
            "documents are removed by a retention run.")),
    Setting("retention_award_years", N_("Keep awards' personal details (years)"), _years, 6,
            N_("Years after the end of the financial year (31 March) in which the award was made, as councils keep "
            "financial records; amounts, dates and outcomes stay.")),
    Setting("retention_draft_years", N_("Keep drafts never submitted (years)"), _years, 1,
            N_("Years after a draft was last changed before its personal details are removed.")),
    Setting("manager_approval_above", N_("Awards above this need a manager (pence)"), _optional_pence, None,
            N_("An award of more than this amount can only be made by a manager (people and roles); empty: any "
               "officer can make any award.")),
    Setting("publishing", N_("Publishing details"), _table, {}, N_("Set in the Publish open data window.")),
    Setting("notes", N_("Notes"), _notes, {}, N_("Anything else officers should know (not checked by GrantDesk).")),
)

BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
OLD_NAMES: dict[str, str] = {old: s.key for s in SETTINGS for old in s.old_names}
_GROUPS = ("letters",)  # settings that are tables of their own settings


@dataclass(frozen=True)
class FundSettings:
    """A fund's settings, typed; read with :func:`settings_of`, never from the JSON directly."""

    themes: tuple[str, ...] = ()
    allowed_org_types: tuple[str, ...] = ()
    required_attachments: tuple[str, ...] = ()
    monitoring: tuple[dict[str, Any], ...] = ()
    apply_by_month_day: str = "03-31"
    spend_by_month_day: str = "03-31"
    unspent_at_year_end: str = "lapse"
    match_funding_required_for: tuple[str, ...] = ()
    match_funding_percent: int = 0
    welsh_language_standards: bool = False
    letters_when_language_unknown: str = "english"
    signatory: dict[str, str] = field(default_factory=dict)
    letterhead: dict[str, Any] = field(default_factory=dict)
    council_names: dict[str, str] = field(default_factory=dict)
    bilingual_layout: str = "welsh_first"
    letter_words: dict[str, Any] = field(default_factory=dict)
    letter_templates: dict[str, Any] = field(default_factory=dict)
    retention_unsuccessful_years: int = 2
    retention_award_years: int = 6
    retention_draft_years: int = 1
    manager_approval_above: int | None = None
    publishing: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def month_days(self) -> dict[str, tuple[int, int]]:
        return {k: (int(v[:2]), int(v[3:])) for k, v in
                (("apply_by", self.apply_by_month_day), ("spend_by", self.spend_by_month_day))}


_ATTRIBUTE = {"letters.signatory": "signatory", "letters.letterhead": "letterhead", "letters.council": "council_names",
              "letters.bilingual": "bilingual_layout", "letters.words": "letter_words",
              "letters.templates": "letter_templates"}


def _flatten(raw: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _GROUPS and isinstance(value, Mapping):
            for inner, v in value.items():
                flat[f"{key}.{inner}"] = v
        else:
            flat[OLD_NAMES.get(key, key)] = value
    return flat


def parse_settings(raw: Mapping[str, Any] | None, *, where: str = "settings") -> dict[str, Any]:
    """Check a settings table and give it back in its stored form: known keys checked and written
    under their current names; any other key becomes a note (free text that enforces nothing).
    A wrong value raises ``SettingError`` whose message and field name the key."""
    return _stored_form(raw, where=where, strict=True)


def _stored_form(raw: Mapping[str, Any] | None, *, where: str, strict: bool) -> dict[str, Any]:
    """``parse_settings``; not ``strict``: a value that fails its check is kept as it was stored (an
    older version wrote it; ``settings_of`` reads the default for it) instead of refusing the table."""
    out: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for key, value in _flatten(raw or {}).items():
        setting = BY_KEY.get(key)
        if setting is None:
            if key.startswith("letters."):
                if not strict:
                    _store(out, key, value)
                    continue
                raise SettingError(_("{where}: “{key}” is not a letters setting; use {items}.").format(
                                     where=where, key=key, items=', '.join(k for k in BY_KEY if k.startswith('letters.'))), key)
            notes[key] = note_text(value)
            continue
        try:
            checked = setting.check(key, value)
        except ValidationError as exc:
            if not strict:
                _store(out, key, value)
                continue
            if isinstance(exc, SettingError):
                raise SettingError(_("{where}: {exc}").format(where=where, exc=exc), key) from None
            # money inside monitoring bands
            raise SettingError(_("{where}: setting “{key}”: {exc}").format(where=where, key=key, exc=exc), key) from None
        if key == "notes":
            notes.update(checked)
            continue
        _store(out, key, list(checked) if isinstance(checked, tuple) else checked)
    if notes:
        out["notes"] = notes
    return out


def _store(out: dict[str, Any], key: str, value: Any) -> None:
    group, _, inner = key.partition(".")
    if inner:
        out.setdefault(group, {})[inner] = value
    else:
        out[key] = value


def settings_of(raw: Mapping[str, Any] | None) -> FundSettings:
    """The typed settings of a stored table. A value that no longer passes its check (written by an
    older version) falls back to the default rather than stopping every screen that reads it."""
    values: dict[str, Any] = {}
    notes: dict[str, str] = {}
    for key, value in _flatten(raw or {}).items():
        setting = BY_KEY.get(key)
        if setting is None:
            if not key.startswith("letters."):
                notes[key] = note_text(value)
            continue
        try:
            checked = setting.check(key, value)
        except ValidationError:
            continue
        if key == "notes":
            notes.update(checked)
        else:
            values[_ATTRIBUTE.get(key, key)] = checked
    return FundSettings(**values, notes=notes)


def with_setting(raw: Mapping[str, Any] | None, key: str, value: Any) -> dict[str, Any]:
    """A copy of a stored table with one setting changed (checked); ``None`` removes it. Only the
    changed setting is checked: another that an older version stored and that no longer passes is
    kept as it was, not a reason to refuse this change."""
    key = OLD_NAMES.get(key, key)
    if key not in BY_KEY:
        raise SettingError(_("“{key}” is not a fund setting.").format(key=key), key)
    out = _stored_form(raw, where="settings", strict=False)
    group, _dot, inner = key.partition(".")
    if value is None:
        if inner:
            (out.get(group) or {}).pop(inner, None)
            if group in out and not out[group]:
                del out[group]
        else:
            out.pop(key, None)
        return out
    checked = BY_KEY[key].check(key, value)
    _store(out, key, list(checked) if isinstance(checked, tuple) else checked)
    return out
