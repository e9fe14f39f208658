"""Keeping the translation catalogues, with babel's own tools (what translators' tools expect).

    python -m grantdesk.catalogue extract    # every marked text in grantdesk/ and ui/ into grantdesk.pot
    python -m grantdesk.catalogue update     # bring each language's .po up to the template (new, gone)
    python -m grantdesk.catalogue merge FILE.po…  # take translations from other .po files into cy
    python -m grantdesk.catalogue compile    # .po → .mo, shipped beside it
    python -m grantdesk.catalogue check      # what is missing, empty or fuzzy (exit 1 if any)
    python -m grantdesk.catalogue fragment OUT.po FILE.py…  # the texts of some files only, to translate
                                             # (keeps what OUT.po and the cy catalogue already say)

Marked texts are the arguments of ``self.tr``/``tr``, ``QCoreApplication.translate`` (its second),
``_``, ``N_``, ``ngettext`` (first and second) and ``pgettext`` (context, message). A text built at run
time (an f-string inside ``tr``) cannot be in a catalogue: a test refuses it.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from grantdesk.i18n import DOMAIN, LANGUAGES, _locale_dir

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "N_": None,
    "tr": None,
    "translate": (2,),
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
SOURCES = ("grantdesk", "ui")


def _method_map():
    return [("**.py", "python")]


def _new_catalog(locale: str | None = None):
    from babel.messages.catalog import Catalog

    return Catalog(locale=locale, project="GrantDesk", copyright_holder="GrantDesk", msgid_bugs_address="",
                   charset="utf-8")


def _add(catalog, found, name: str) -> None:
    for lineno, message, comments, context in found:
        if not message or (isinstance(message, tuple) and not message[0]):
            continue
        catalog.add(message, None, [(name, lineno)], auto_comments=comments, context=context)


def _extract_file(path: Path):
    from babel.messages.extract import extract_from_file

    return extract_from_file("python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
                             strip_comment_tags=True)


def template():
    """A fresh catalogue of every marked text in the sources (babel's extractor)."""
    catalog = _new_catalog()
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*.py")):
            _add(catalog, _extract_file(path), path.relative_to(ROOT).as_posix())
    return catalog


def fragment(out: Path, files: Sequence[Path], language: str = "cy") -> tuple[int, int]:
    """A catalogue of the texts in ``files`` only, written to ``out`` for translating; what ``out``
    already held and what the language's catalogue already says are kept. Returns (texts, untranslated)."""
    catalog = _new_catalog(language)
    for path in files:
        path = Path(path).resolve()
        _add(catalog, _extract_file(path), path.relative_to(ROOT).as_posix())
    known = []
    if out.exists():
        known.append(read_po(out, locale=language))
    if po_path(language).exists():
        known.append(read_po(po_path(language), locale=language))
    empty = 0
    for message in catalog:
        if not message.id:
            continue
        for source in known:
            other = source.get(message.id, context=message.context)
            strings = other.string if other is not None and isinstance(other.string, tuple) else (
                (other.string,) if other is not None else ("",))
            if other is not None and all(strings):
                message.string = other.string
                message.user_comments = list(other.user_comments)
                break
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        empty += not all(strings)
    write_po(out, catalog)
    return len([m for m in catalog if m.id]), empty


def po_path(language: str) -> Path:
    return _locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def read_po(path: Path, locale: str | None = None):
    from babel.messages.pofile import read_po as _read

    with open(path, "rb") as handle:
        return _read(handle, locale=locale)


def write_po(path: Path, catalog) -> None:
    from babel.messages.pofile import write_po as _write

    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    _write(buffer, catalog, width=100, sort_output=False, ignore_obsolete=True, include_previous=False)
    path.write_bytes(buffer.getvalue())


def compiled(catalog) -> bytes:
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def translated_languages() -> list[str]:
    return [code for code in LANGUAGES if code != "en"]


def extract() -> Path:
    from babel.messages.pofile import write_po as _write

    path = _locale_dir() / f"{DOMAIN}.pot"
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    _write(buffer, template(), width=100, omit_header=False, sort_output=False)
    path.write_bytes(buffer.getvalue())
    return path


def update() -> list[Path]:
    fresh = template()
    done = []
    for language in translated_languages():
        path = po_path(language)
        catalog = read_po(path, locale=language) if path.exists() else _new_catalog(language)
        catalog.update(fresh, no_fuzzy_matching=True)
        write_po(path, catalog)
        done.append(path)
    return done


def merge(files: Iterable[Path], language: str = "cy", overwrite: bool = False) -> int:
    """Fill ``language``'s catalogue from other .po files (helpers', a translator's); returns how many."""
    path = po_path(language)
    catalog = read_po(path, locale=language)
    taken = 0
    for file in files:
        other = read_po(Path(file), locale=language)
        for message in other:
            if not message.id or not message.string:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                continue
            mine = catalog.get(message.id, context=message.context)
            if mine is None:
                continue
            mine_strings = mine.string if isinstance(mine.string, tuple) else (mine.string,)
            if all(mine_strings) and not overwrite and not mine.fuzzy:
                continue
            mine.string = message.string
            if mine.fuzzy:
                mine.flags.discard("fuzzy")
            for comment in message.user_comments:
                if comment not in mine.user_comments:
                    mine.user_comments.append(comment)
            taken += 1
    write_po(path, catalog)
    return taken


def compile_all() -> list[Path]:
    done = []
    for language in translated_languages():
        catalog = read_po(po_path(language), locale=language)
        mo_path(language).write_bytes(compiled(catalog))
        done.append(mo_path(language))
    return done


def problems(language: str = "cy") -> list[str]:
    """Every text of the sources that ``language`` lacks, leaves empty or marks fuzzy, and whether the
    shipped .mo is the compiled .po."""
    found: list[str] = []
    path = po_path(language)
    if not path.exists():
        return [f"{path}: no catalogue"]
    catalog = read_po(path, locale=language)
    fresh = template()
    for message in fresh:
        if not message.id:
            continue
        mine = catalog.get(message.id, context=message.context)
        label = message.id if isinstance(message.id, str) else message.id[0]
        where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
        if mine is None:
            found.append(f"missing: {label!r} ({where})")
            continue
        strings = mine.string if isinstance(mine.string, tuple) else (mine.string,)
        if not all(strings):
            found.append(f"empty: {label!r} ({where})")
        elif mine.fuzzy:
            found.append(f"fuzzy: {label!r} ({where})")
    if not mo_path(language).exists() or mo_path(language).read_bytes() != compiled(catalog):
        found.append(f"{mo_path(language)} is not the compiled {path.name}: run python -m grantdesk.catalogue compile")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        print(__doc__)
        return 2
    verb, rest = args[0], args[1:]
    if verb == "extract":
        print(extract())
    elif verb == "update":
        for path in update():
            print(path)
    elif verb == "merge":
        print(f"{merge([Path(f) for f in rest])} translations taken")
    elif verb == "fragment":
        total, empty = fragment(Path(rest[0]), [Path(f) for f in rest[1:]])
        print(f"{rest[0]}: {total} texts, {empty} to translate")
    elif verb == "compile":
        for path in compile_all():
            print(path)
    elif verb == "check":
        found = problems(rest[0] if rest else "cy")
        for line in found:
            print(line)
        print(f"{len(found)} problems")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
