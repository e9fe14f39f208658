"""Money: integer pence everywhere, one way in (``parse_money``) and one way out (``format_money``).

Amounts are stored and computed as ``int`` pence (or ``Decimal`` pounds where a calculation needs
fractions); a float never holds money. Formatting for people goes through babel, by locale and
currency, with one cached formatter per pair so a list of 100,000 rows does not pay babel's set-up
cost per cell.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from typing import Callable

from grantdesk.domain.errors import MoneyError
from grantdesk.i18n import _

__all__ = [
    "parse_money",
    "pounds",
    "pence_from_decimal",
    "format_money",
    "money_formatter",
    "amount_text",
    "SUPPORTED_LOCALES",
]

SUPPORTED_LOCALES = ("en_GB", "cy_GB")

# "1,250", "1,250.5", "1,250.50" (commas only in groups of three) or "1250", "1250.50".
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")
# How far from a whole penny a written amount may be and still be that penny: a thousandth of a penny.
# Excel keeps amounts as binary floats, so £41,133.77 can be written out as 41133.770000000004; real
# fractions of a penny (41133.775) are far further off than this.
NOISE_PENCE = Decimal("0.001")
_CURRENCY_WORDS = re.compile(r"^(?:gbp|£)\s*|\s*(?:gbp|£)$", re.IGNORECASE)


def parse_money(text: str | int | Decimal, *, field: str | None = None, allow_negative: bool = False) -> int:
    """Read an amount in pounds as people write it and return integer pence.

    Understands ``"£1,250"``, ``"1250.00"``, ``"1,250"``, ``"£ 1,250.5"`` and ``"GBP 99"``. An ``int``
    is taken as whole pounds and a ``Decimal`` as pounds, exactly. Anything else raises ``MoneyError``
    with a sentence saying what is wrong, e.g. more than two decimal places.

    Text is read as spreadsheets write it: a number within a thousandth of a penny of a whole penny is
    that penny (``"41133.770000000004"``, Excel's float noise for £41,133.77, is 4113377 pence);
    anything further from a penny (``"41133.775"``) has more than two decimal places and is refused.
    A spreadsheet's float cell is passed as its text (``repr``), never as a float: the answer is worked
    out in ``Decimal``, exactly.
    """
    if isinstance(text, bool):  # bool is an int; True pounds is never meant.
        raise MoneyError(_("An amount must be a number of pounds, not yes/no."), field)
    if isinstance(text, int):
        value = Decimal(text)
    elif isinstance(text, Decimal):
        value = text
    elif isinstance(text, str):
        value = _parse_text(text, field)
    else:
        raise MoneyError(_("An amount must be written in pounds, not as {name}.").format(name=type(text).__name__), field)
    if not value.is_finite():
        raise MoneyError(_("An amount must be a number of pounds."), field)
    if value < 0 and not allow_negative:
        raise MoneyError(_("An amount cannot be negative."), field)
    pence = value * 100
    if pence != pence.to_integral_value() and isinstance(text, str):
        nearest = pence.to_integral_value()
        if abs(pence - nearest) < NOISE_PENCE:  # spreadsheet float noise, not a fraction of a penny
            pence = nearest
    if pence != pence.to_integral_value():
        raise MoneyError(
            _("“{text}” has more than two decimal places; amounts are in pounds and pence.").format(text=text), field
        )
    return int(pence)


def _parse_text(text: str, field: str | None) -> Decimal:
    raw = text.strip()
    if not raw:
        raise MoneyError(_("An amount is needed."), field)
    negative = False
    body = raw
    if body.startswith("-"):
        negative, body = True, body[1:].strip()
    elif body.startswith("(") and body.endswith(")"):  # accounting style (1,250.00)
        negative, body = True, body[1:-1].strip()
    body = _CURRENCY_WORDS.sub("", body).strip()
    if body.startswith("-") and not negative:
        negative, body = True, body[1:].strip()
    if _GROUPED.match(body):
        body = body.replace(",", "")
    elif not _PLAIN.match(body):
        if "," in body:
            raise MoneyError(
                _("“{text}” is not an amount in pounds: commas must separate thousands, as in £1,250.").format(
                  text=text),
                field,
            )
        raise MoneyError(_("“{text}” is not an amount in pounds, such as £1,250 or 1250.00.").format(text=text), field)
    try:
        value = Decimal(body)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above admit only digits
        raise MoneyError(_("“{text}” is not an amount in pounds.").format(text=text), field) from exc
    return -value if negative else value


def pounds(pence: int) -> Decimal:
    """Integer pence as a ``Decimal`` number of pounds with two places (``123456`` → ``1234.56``)."""
    return Decimal(int(pence)).scaleb(-2)


def pence_from_decimal(value: Decimal) -> int:
    """Exact pounds (``Decimal``) to pence; refuses fractions of a penny."""
    return parse_money(value, allow_negative=True)


def plain_amount(pence: int) -> str:
    """Machine form of an amount in pounds, two places, no symbol or grouping: ``"2500.00"``.

    Used in JSON and CSV where the reader is a program; people get ``format_money``.
    """
    return f"{pounds(pence):.2f}"


# How babel (CLDR) writes pounds in the locales GrantDesk speaks: (positive prefix, negative prefix,
# positive suffix, negative suffix, group separator, decimal separator). Recorded so the first screen
# does not load babel's locale data (about 40 ms) to format its first amount; tests/test_money.py
# checks each shape against babel itself, so a babel upgrade that changes one fails CI.
KNOWN_SHAPES: dict[tuple[str, str], tuple[str, str, str, str, str, str]] = {
    ("GBP", "en_GB"): ("£", "-£", "", "", ",", "."),
    ("GBP", "cy_GB"): ("£", "-£", "", "", ",", "."),
}


def babel_shape(currency: str, locale: str) -> tuple[str, str, str, str, str, str] | None:
    """The shape (as in ``KNOWN_SHAPES``) babel gives ``currency`` in ``locale``, or ``None`` where
    its pattern is not the common one (groups of three, the currency's two decimal places)."""
    from babel import Locale  # babel's locale data loads on first use, not at start-up
    from babel.numbers import get_currency_precision, get_currency_symbol, get_decimal_symbol, get_group_symbol

    pattern = Locale.parse(locale).currency_formats["standard"]
    if get_currency_precision(currency) != 2 or pattern.grouping != (3, 3) or pattern.frac_prec != (2, 2):
        return None
    symbol = get_currency_symbol(currency, locale)
    (pos_prefix, neg_prefix), (pos_suffix, neg_suffix) = pattern.prefix, pattern.suffix
    return (pos_prefix.replace("¤", symbol), neg_prefix.replace("¤", symbol), pos_suffix.replace("¤", symbol),
            neg_suffix.replace("¤", symbol), get_group_symbol(locale), get_decimal_symbol(locale))


def babel_formatter(currency: str = "GBP", locale: str = "en_GB") -> Callable[[int], str]:
    """Babel's own per-call formatting of integer pence (slow: ~25 µs a call)."""
    from babel import Locale

    loc = Locale.parse(locale)
    pattern = loc.currency_formats["standard"]
    return lambda pence: pattern.apply(pounds(pence), loc, currency=currency, currency_digits=True)


def _compiled(shape: tuple[str, str, str, str, str, str]) -> Callable[[int], str]:
    pos_prefix, neg_prefix, pos_suffix, neg_suffix, group, decimal = shape

    def compiled(pence: int) -> str:
        whole, part = divmod(-pence if pence < 0 else pence, 100)
        body = f"{whole:,}".replace(",", group) + f"{decimal}{part:02d}"
        return f"{neg_prefix}{body}{neg_suffix}" if pence < 0 else f"{pos_prefix}{body}{pos_suffix}"

    return compiled


@lru_cache(maxsize=32)
def money_formatter(currency: str = "GBP", locale: str = "en_GB") -> Callable[[int], str]:
    """Return a function formatting integer pence for ``locale`` and ``currency`` (cached per pair).

    Babel decides the pattern, symbols and grouping. Where the pattern is the common shape (groups of
    three, the currency's two decimal places) it is compiled once into integer arithmetic — about
    twenty times faster than babel's per-call path, which matters for a 100,000-row list. Pounds in
    English and Welsh use the shapes recorded in ``KNOWN_SHAPES`` (checked against babel by the tests)
    without loading babel; any other pair's compiled form is checked against babel on sample amounts
    before it is trusted.
    """
    known = KNOWN_SHAPES.get((currency, locale))
    if known is not None:
        return _compiled(known)
    with_babel = babel_formatter(currency, locale)
    shape = babel_shape(currency, locale)
    if shape is None:
        return with_babel
    compiled = _compiled(shape)
    samples = (0, 1, 99, 100, 123456, 100000000, 123456789012, -5, -123456)
    return compiled if all(compiled(p) == with_babel(p) for p in samples) else with_babel


def amount_text(value: int | Fraction, currency: str = "GBP") -> str:
    """An exact amount in an explanation (a results sheet, a tally): pounds through ``format_money``
    (``"£2,500.00"``); other currencies as the number and the code (``"51,000 PLN"``,
    ``"1,459,730.46 PLN"``, as foreign election files write them); no currency, the bare number.
    An amount that is not a whole number of pence (an equal share of a budget, say) is rounded for
    reading and says so: ``"about 29.22 PLN"``. Exact figures travel separately, as fractions."""
    from grantdesk.domain.rounding import rounded

    value = Fraction(value)
    hundredths = int(rounded(value, 2).scaleb(2))  # the one rounding rule (grantdesk.domain.rounding)
    about = "about " if Fraction(hundredths, 100) != value else ""
    if currency.upper() == "GBP":
        return about + format_money(hundredths, "GBP")
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), 100)
    number = f"{sign}{whole:,}" + (f".{part:02d}" if part else "")
    return about + (f"{number} {currency}" if currency else number)


def format_money(pence: int, currency: str = "GBP", locale: str = "en_GB") -> str:
    """``250000`` → ``"£2,500.00"`` (en_GB). The one place money becomes text for people."""
    return money_formatter(currency, locale)(pence)
