"""The Welsh catalogue is finished: every text marked in the sources has a Welsh translation (none
missing, empty or fuzzy), the shipped .mo is the compiled .po, placeholders survive translation, and no
text is built at run time inside a translation call, where no catalogue could hold it (issue 20, item 5)."""

import ast
import re
from pathlib import Path

import pytest

from grantdesk import catalogue

ROOT = Path(__file__).resolve().parent.parent
CALLS = {"tr", "translate", "_", "N_", "ngettext", "pgettext", "in_language"}


def test_every_text_of_the_sources_is_translated_into_welsh_and_compiled():
    problems = catalogue.problems("cy")
    assert not problems, f"{len(problems)} problems, e.g.:\n" + "\n".join(problems[:40])


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{[a-z_0-9]*\}|%\d|%n", text))


def test_welsh_keeps_every_placeholder_of_the_english():
    wrong = []
    for message in catalogue.read_po(catalogue.po_path("cy"), locale="cy"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = _placeholders(ids[-1])
        for string in strings:
            if string and _placeholders(string) != wanted and _placeholders(string) != _placeholders(ids[0]):
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "\n".join(wrong[:30])


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def test_no_translation_call_is_given_a_text_built_at_run_time():
    built = []
    for folder in ("grantdesk", "ui"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.JoinedStr):  # a text written inside an f-string: babel cannot see it
                    built += [f"{path.relative_to(ROOT)}:{inner.lineno} (inside an f-string)"
                              for inner in ast.walk(node)
                              if isinstance(inner, ast.Call) and _name(inner.func) in CALLS
                              and any(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in inner.args)]
                if not isinstance(node, ast.Call) or _name(node.func) not in CALLS:
                    continue
                name = _name(node.func)
                args = node.args[1:2] if name in ("translate", "in_language") else node.args[:1]
                for arg in args:
                    if isinstance(arg, ast.JoinedStr) or (isinstance(arg, ast.BinOp)
                                                         and isinstance(arg.op, (ast.Add, ast.Mod))):
                        built.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not built, "f-strings or concatenation inside a translation call:\n" + "\n".join(built)


@pytest.mark.parametrize("language", ["cy"])
def test_the_catalogue_declares_welsh_plural_forms(language):
    cat = catalogue.read_po(catalogue.po_path(language), locale=language)
    assert cat.num_plurals == 6
