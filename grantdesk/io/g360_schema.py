"""The official 360Giving Data Standard schemas: checking a package, and the flat column titles.

The schemas ship in ``resources/threesixtygiving`` (see the README there). Two traps, both from the
standard's own files, are handled here once:

- the package schema points at the grant schema by its 1.4.2 address while the grant schema calls
  itself 1.4.3, and jsonschema fetches nothing from the internet, so the grant schema is registered
  under both addresses;
- dates are ``oneOf [date-time, YYYY-MM-DD]``: without a format checker *and* ``rfc3339-validator``
  every date passes the date-time branch, so a correct ``2024-01-31`` fails ("valid under each of")
  and ``05/06/2014`` passes. ``validator()`` refuses to run without the format checkers it needs.

Spreadsheets name fields by schema *titles* joined with ``:`` ("Recipient Org:Charity Number");
``title_paths`` derives every title from the schema itself, the way flatten-tool does, so a release
of the standard that renames a title needs no code change here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

__all__ = [
    "Path360",
    "SchemaProblem",
    "schema_dir",
    "grant_schema",
    "package_schema",
    "validator",
    "check_package",
    "title_paths",
    "title_of",
    "normalise_title",
    "EXPORT_PATHS",
    "STANDARD_VERSION",
]

Path360 = tuple[str | int, ...]  # ("recipientOrganization", 0, "charityNumber")

STANDARD_VERSION = "1.4"  # what a package's own "version" says (major.minor)

# The columns of the 360Giving summary spreadsheet (the ``grants`` sheet of the 2023 template), in its
# order, as JSON paths, with the recipient organisation's location after its web address; the titles
# come from the schema.
EXPORT_PATHS: tuple[Path360, ...] = (
    ("id",), ("title",), ("description",), ("currency",), ("amountAppliedFor",), ("amountAwarded",),
    ("amountDisbursed",), ("awardDate",), ("url",),
    ("plannedDates", 0, "startDate"), ("plannedDates", 0, "endDate"), ("plannedDates", 0, "duration"),
    ("recipientIndividual", "id"), ("recipientIndividual", "name"),
    ("toIndividualsDetails", "primaryGrantReason"), ("toIndividualsDetails", "secondaryGrantReason"),
    ("toIndividualsDetails", "grantPurpose"),
    ("recipientOrganization", 0, "id"), ("recipientOrganization", 0, "name"),
    ("recipientOrganization", 0, "charityNumber"), ("recipientOrganization", 0, "companyNumber"),
    ("recipientOrganization", 0, "streetAddress"), ("recipientOrganization", 0, "addressLocality"),
    ("recipientOrganization", 0, "addressRegion"), ("recipientOrganization", 0, "addressCountry"),
    ("recipientOrganization", 0, "postalCode"), ("recipientOrganization", 0, "description"),
    ("recipientOrganization", 0, "url"),
    # not in the template: an unregistered group's ward, published in place of its address (flatten-tool
    # reads these titles from the schema as it reads the template's own)
    ("recipientOrganization", 0, "location", 0, "name"), ("recipientOrganization", 0, "location", 0, "countryCode"),
    ("recipientOrganization", 0, "location", 0, "geoCode"), ("recipientOrganization", 0, "location", 0, "geoCodeType"),
    ("beneficiaryLocation", 0, "name"), ("beneficiaryLocation", 0, "countryCode"),
    ("beneficiaryLocation", 0, "latitude"), ("beneficiaryLocation", 0, "longitude"),
    ("beneficiaryLocation", 0, "geoCode"), ("beneficiaryLocation", 0, "geoCodeType"),
    ("fundingOrganization", 0, "id"), ("fundingOrganization", 0, "name"), ("fundingOrganization", 0, "department"),
    ("locationScope",),
    ("grantProgramme", 0, "code"), ("grantProgramme", 0, "title"), ("grantProgramme", 0, "url"),
    ("fromOpenCall",), ("relatedActivity",), ("dateModified",), ("dataSource",), ("regrantType",),
)


def schema_dir() -> Path:
    from grantdesk.config import shipped_dir

    return shipped_dir("grantdesk.resources", "resources") / "threesixtygiving"


@lru_cache(maxsize=1)
def grant_schema() -> dict[str, Any]:
    return json.loads((schema_dir() / "360-giving-schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def package_schema() -> dict[str, Any]:
    return json.loads((schema_dir() / "360-giving-package-schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def validator():
    """A Draft 2020-12 validator for a whole package, with dates and web addresses checked."""
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    checker = FormatChecker()
    # Without these packages jsonschema silently accepts any text as a date-time or address.
    for fmt, package in (("date-time", "rfc3339-validator"), ("uri", "rfc3986-validator")):
        probe = "not a date" if fmt == "date-time" else "not a web address"
        if checker.conforms(probe, fmt):
            raise RuntimeError(f"360Giving dates and addresses cannot be checked: install {package}.")
    grant = grant_schema()
    package = package_schema()
    resource = Resource.from_contents(grant, default_specification=DRAFT202012)
    addresses = {grant["$id"], package["properties"]["grants"]["items"]["$ref"]}
    registry = Registry().with_resources([(address, resource) for address in addresses])
    return Draft202012Validator(package, registry=registry, format_checker=checker)


@dataclass(frozen=True)
class SchemaProblem:
    """One way a package breaks the schema. ``grant`` is the grant's position (0-based) or None for
    the package itself; ``path`` is where inside the grant."""

    grant: int | None
    grant_id: str
    path: Path360
    message: str

    def __str__(self) -> str:
        where = "/".join(str(p) for p in self.path)
        if self.grant is None:
            return f"package{' ' + where if where else ''}: {self.message}"
        label = self.grant_id or f"grant {self.grant + 1}"
        return f"{label}{', ' + where if where else ''}: {self.message}"


def _leaf_errors(error) -> Iterator[Any]:
    """The errors that say what is really wrong: a grant that fails ``oneOf`` (organisation or
    individual recipient) reports the branch's own complaints ("'description' is a required
    property") rather than "is not valid under any of the given schemas"."""
    if error.validator == "oneOf" and _is_date_choice(error.validator_value):
        yield error  # one sentence about the date, not one per way of writing it
        return
    if error.validator == "oneOf" and error.context:
        by_branch: dict[int, list[Any]] = {}
        for sub in error.context:
            by_branch.setdefault(sub.schema_path[0], []).append(sub)
        if len(by_branch) == len(error.validator_value):  # every branch failed: show the closest
            best = min(by_branch.values(), key=len)
            for sub in best:
                yield from _leaf_errors(sub)
            return
    yield error


def _is_date_choice(branches: Any) -> bool:
    return isinstance(branches, list) and any(isinstance(b, dict) and b.get("format") == "date-time"
                                              for b in branches)


def _message(error) -> str:
    if error.validator == "oneOf" and _is_date_choice(error.validator_value):
        return (f"{error.instance!r} is not a date written YYYY-MM-DD (such as 2025-06-30) "
                "or as a full date-time")
    if error.validator == "oneOf" and not error.context:  # valid under both branches
        if set(error.instance) >= {"recipientOrganization", "recipientIndividual"}:
            return "has both a recipient organisation and a recipient individual; a grant has one or the other"
        return "matches more than one of the forms the standard allows"
    return error.message


@lru_cache(maxsize=1)
def _grant_validator():
    """The same checks for one grant: the package schema's ``grants.items``, resolved in its registry."""
    package = validator()
    return package.evolve(schema={"$ref": package_schema()["properties"]["grants"]["items"]["$ref"]})


def _canonical(grant: Any) -> str:
    return json.dumps(grant, sort_keys=True, default=str)


CHECKING = "Checking against the 360Giving schema"


def check_package(package: dict[str, Any], *, limit: int | None = None, progress: Any = None) -> list[SchemaProblem]:
    """Every way ``package`` breaks the official schema (at most ``limit``), in file order.

    The package's own fields are checked with the package schema and each grant with the grant schema
    it points to; ``uniqueItems`` on the grants is checked here by hashing, because jsonschema compares
    every pair of grants (51 s for 10,000 grants, against under 3 s this way). ``progress.report(done,
    total, label)`` is called every 500 grants; if it raises (a Cancel), checking stops there."""
    problems: list[SchemaProblem] = []
    grants = package.get("grants") if isinstance(package, dict) else None
    head = package
    if isinstance(grants, list) and grants:
        head = {**package, "grants": grants[:1]}  # the package's own fields, and "grants" is a list
    for error in validator().iter_errors(head):
        path = tuple(error.absolute_path)
        if path[:2] == ("grants", 0) or error.validator == "uniqueItems" and path == ("grants",):
            continue  # grants are checked one by one below
        problems.append(SchemaProblem(None, "", path, _message(error)))
    if not isinstance(grants, list):
        return problems[:limit] if limit is not None else problems
    check = _grant_validator()
    seen: dict[str, int] = {}
    total = len(grants)
    for index, grant in enumerate(grants):
        if progress is not None and index % 500 == 0:
            progress.report(index, total, CHECKING)  # raises to cancel
        grant_id = str(grant.get("id") or "") if isinstance(grant, dict) else ""
        for error in check.iter_errors(grant):
            for leaf in _leaf_errors(error):
                problems.append(SchemaProblem(index, grant_id, tuple(leaf.absolute_path), _message(leaf)))
        key = _canonical(grant)
        if key in seen:
            problems.append(SchemaProblem(index, grant_id, (), f"is the same as grant {seen[key] + 1}; every grant "
                                          "in a package must be different"))
        else:
            seen[key] = index
        if limit is not None and len(problems) >= limit:
            return problems[:limit]
    return problems


# --- titles ------------------------------------------------------------------------------------------


def normalise_title(text: str) -> str:
    """How a column title is matched: case and spacing ignored, also around ``:``
    ("Grant Programme: Title" = "grant programme:title")."""
    return ":".join(" ".join(part.split()).casefold() for part in str(text).split(":"))


def _resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


@lru_cache(maxsize=1)
def _titles_by_path() -> dict[Path360, str]:
    root = grant_schema()
    out: dict[Path360, str] = {}

    def walk(node: dict[str, Any], titles: tuple[str, ...], path: Path360, depth: int) -> None:
        for name, prop in node.get("properties", {}).items():
            prop = _resolve(prop, root)
            title = prop.get("title") or name
            kind = prop.get("type")
            if kind == "array" or (isinstance(kind, list) and "array" in kind):
                items = _resolve(prop.get("items", {}), root)
                if "properties" in items and depth < 3:
                    walk(items, (*titles, title), (*path, name, 0), depth + 1)
                    continue
            elif "properties" in prop and depth < 3:
                walk(prop, (*titles, title), (*path, name), depth + 1)
                continue
            out.setdefault((*path, name), ":".join((*titles, title)))

    walk(root, (), (), 0)
    return out


@lru_cache(maxsize=1)
def title_paths() -> dict[str, Path360]:
    """Every field of a grant by its flat title (normalised): arrays of objects take their first item,
    as the one-sheet summary table does."""
    found: dict[str, Path360] = {}
    for path, title in _titles_by_path().items():
        found.setdefault(normalise_title(title), path)
    return found


def title_of(path: Path360) -> str:
    """The column title of a grant field, as the standard's spreadsheet template writes it."""
    try:
        return _titles_by_path()[tuple(path)]
    except KeyError:
        return "/".join(str(p) for p in path)
