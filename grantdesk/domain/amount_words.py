"""An amount of money in words, in English or Welsh, for award letters.

``amount_in_words(250000, "en")`` gives ``"two thousand five hundred pounds"`` and
``amount_in_words(250000, "cy")`` gives ``"dwy fil pum cant o bunnoedd"``; the letter prints them after
the figures: "£2,500.00 (two thousand five hundred pounds)". The amount is integer pence, as everywhere
in GrantDesk; a float, a bool, a negative amount or a language other than ``en``/``cy`` is refused.
Amounts up to £999,999,999.99 are written; a larger one is refused (no fund awards that much, and a
typing slip should not print a billion in words).

English (British usage)
-----------------------
num2words (``lang="en"``) gives the cardinal numbers with the British "and" ("one hundred and fifty",
"one thousand and five") and is right except for the commas it puts between groups ("two thousand,
five hundred"), which British letters leave out; they are removed. Then "pound"/"pounds" and
"penny"/"pence": "one pound", "twelve pounds and fifty pence", "fifty pence", "one penny",
"zero pounds".

Welsh
-----
num2words' Welsh (``lang="cy"``, 0.5.x) is not used. It counts only in the traditional vigesimal system
("pump ar hugain" for 25, "hanner cant" for 50), writes "pump cant"/"chwech chant" where a noun-like
numeral follows (it should be "pum cant", "chwe chant"), "un punt" and "chwech phunt" for £1 and £6
(it should be "un bunt", "chwe phunt"), and its currency mode reads an integer as pence (``100`` gives
"un punt"). Its only right outputs are the bare words for 1 to 10, too little to be worth depending on.
The rules below are written here instead. Sources, referred to by number in the comments:

[1] Rhifau yn y Gymraeg, Wicipedia: https://cy.wikipedia.org/wiki/Rhifau_yn_y_Gymraeg
    (the decimal system is the one used in Welsh-medium schools; forms before a noun: un*, dau*,
    dwy*, tri**, pum, chwe**; "rhif + enw unigol" or "rhif + o + enw lluosog"; mil and miliwn are
    feminine nouns).
[2] Welsh numerals, Wikipedia: https://en.wikipedia.org/wiki/Welsh_numerals (decimal table; five, six
    and hundred have reduced forms before what they count; deng/deuddeng/pymtheng are "becoming less
    common"; larger numbers are usually decimal, "mil, naw cant chwe deg pump").
[3] BBC Bitesize, Welsh-medium maths, "Ysgrifennu a dweud rhifau" (guide zhhc2hv, revision 2):
    "tri chant dau ddeg a naw" (329), "dau ddeg tair mil a phum deg chwech" (23,056),
    "dau gant tri deg pum mil", "pedair miliwn".
[4] BBC Bitesize, Welsh second language (guide z9q9kqt, revision 5): "dau ddeg dau o bysgod" - a number
    followed by o, a soft mutation and a plural noun; soft mutation after dau/dwy.
[5] r/learnwelsh, "Money in Welsh: Pounds and Pence" (reddit.com/r/learnwelsh/comments/qj0xg9): punt,
    ceiniog and mil are feminine; un (feminine), dau, dwy soft-mutate; tri, chwe aspirate; pum, chwe,
    can before a noun; a table of prices ("chwe phunt", "can punt", "tri deg chwe cheiniog",
    "un deg dwy bunt", "naw deg naw ceiniog").
[6] Llywodraeth Cymru, Yr Arddulliadur (the Welsh Government translators' style guide), entry "a / ac":
    aspirate mutation after the conjunction "a".
    https://cymraeg.gov.wales/btc/StyleGuidesHub/arddulliadur/?lang=en
[7] Aberystwyth University, list of mutating words: http://users.aber.ac.uk/bmj/Tr/Cym/tr_geir.html
    (dau, dwy: soft; chwe: aspirate; pum, saith, wyth, naw, deg, cant: nasal mutation only before
    blwydd, blynedd, diwrnod; cant > can and deg > deng before those / before m-).
[8] Peter Wynn Thomas, Gramadeg y Gymraeg, 4.8(a), as quoted on the WELSH-TERMAU-CYMRAEG list
    (jiscmail, Sept 2005): "miliwn: dwy filiwn, tair miliwn, pum miliwn".
[9] OpenLearn (Open University), "Mathemateg bob dydd 2", section 2: "dau gan mil" (200,000),
    "dau gant a phum deg miliwn" (250 million).
[10] num2words' own Welsh tests (savoirfairelinux/num2words, tests/test_cy.py, by J. Heinecke):
    "dwy fil dwy o bunnoedd" (a feminine numeral before "o bunnoedd"), "dim punt" for £0.
[11] Telesgop "Clic Clonc" unit 2 (telesgop.co.uk/clicclonc/SEW/U-02): "un geiniog", "can punt",
    "Dwy bunt saith deg ceiniog".

The Welsh rules, and the choices made where usage varies:

* Decimal numerals [1][2][3]: 11 "un deg un", 20 "dau ddeg", 25 "dau ddeg pump", 50 "pum deg",
  1,965 "mil naw cant chwe deg pump". Not the vigesimal "pump ar hugain"/"hanner cant": the decimal
  system is the one taught in schools and used for large numbers, and a letter mixing both would read
  oddly. Ten thousand is "deg mil", not the traditional "deng mil" [2][7]: the decimal system keeps
  "deg" unchanged, and it is the plainer form.
* pum and chwe (not pump, chwech) directly before a noun or before deg, cant, mil, miliwn [1][2][5]:
  "pum punt", "pum deg", "pum cant", "chwe mil". pump and chwech where nothing follows or "o" follows:
  "dau ddeg pump o..." [4].
* cant becomes can directly before a noun [2][5][7]: "can punt", "can mil", "dau gan mil" [9]; it stays
  cant before another numeral or "o": "cant a phum deg", "pum cant o bunnoedd".
* Gender [1][5]: punt, ceiniog, mil and miliwn are feminine, so the last unit before them is dwy, tair,
  pedair ("dwy bunt", "tair mil", "dau ddeg tair mil" [3], "dwy filiwn" [8]); deg and cant are masculine,
  so their multipliers are dau, tri, pedwar ("dau ddeg", "tri chant", "pedwar cant").
* Mutations [1][4][5][7]: un soft-mutates a feminine noun ("un bunt", "un geiniog"; also "dau ddeg un
  fil" in a compound); dau and dwy soft-mutate ("dau ddeg", "dau gant", "dwy bunt", "dwy fil");
  tri and chwe aspirate ("tri chant", "chwe chant", "chwe phunt", "chwe cheiniog"); tair and pedair do
  not mutate ("tair punt"); pum, saith, wyth, naw, deg and can cause no mutation of punt, ceiniog or
  mil (their nasal mutation is only for blwydd, blynedd, diwrnod [7]): "pum punt", "saith punt",
  "wyth punt", "naw punt", "deg punt", "can punt".
* The noun [1][4][10]: up to 100 pounds the singular noun follows the whole numeral ("pum deg punt",
  "dau ddeg pum punt", "can punt"), as prices are said and written [5][11]; above 100 it is
  "o bunnoedd" ("cant ac un o bunnoedd", "mil o bunnoedd", "dwy fil pum cant o bunnoedd"), the
  construction [1] gives for numbers of any size and requires after the nouns mil and miliwn, and the
  one num2words' author uses above 99 [10]. Before "o" the full forms pump/chwech/cant are used, and the
  last unit still agrees with the feminine punnoedd ("cant a dwy o bunnoedd") as in [10].
* Pence are always under 100, so "ceiniog" follows the numeral directly: "un geiniog", "dwy geiniog",
  "chwe cheiniog", "pum deg ceiniog" [5][11]. For 50p this is "pum deg ceiniog", not "hanner can
  ceiniog": "hanner cant" belongs to the vigesimal system, and a letter whose pounds are decimal
  ("pum deg punt") should write its pence the same way, as Welsh-medium maths teaching does [3][11].
* "a"/"ac" ("and") [1][3][6][9]: between the hundreds, thousands or millions and a last part under 100
  ("cant ac un", "cant a phum deg", "mil a phump", "dau ddeg tair mil a phum deg chwech" [3]), and
  between the pounds and the pence ("... o bunnoedd a phum deg ceiniog"). "a" aspirates the next word
  [6] ("a thri", "a phum deg", "a phedair"); "ac" stands before a vowel ("ac un", "ac wyth").
  No commas between groups (as in English), though [3] writes them in long numbers.
* £1 is "un bunt" (not just "punt") so the amount is explicit in a letter; £1,000 is "mil" and
  £1,000,000 "miliwn", without "un" [1][2]; £0 is "dim punt" [10].
"""

from __future__ import annotations

from num2words import num2words

__all__ = ["amount_in_words", "LANGUAGES", "MAX_PENCE"]

LANGUAGES = ("en", "cy")
MAX_PENCE = 999_999_999_99  # £999,999,999.99


def amount_in_words(pence: int, language: str) -> str:
    """The amount, given in integer pence, in words in ``language`` ("en" or "cy").

    >>> amount_in_words(250000, "en")
    'two thousand five hundred pounds'
    >>> amount_in_words(250000, "cy")
    'dwy fil pum cant o bunnoedd'
    """
    if isinstance(pence, bool) or not isinstance(pence, int):
        raise TypeError(f"An amount in words needs whole pence as an int, not {type(pence).__name__}.")
    if language not in LANGUAGES:
        raise ValueError(f"“{language}” is not a letter language; amounts in words are in en or cy.")
    if pence < 0:
        raise ValueError("An amount in words cannot be negative.")
    if pence > MAX_PENCE:
        raise ValueError("An amount in words can be at most £999,999,999.99.")
    pounds, pennies = divmod(pence, 100)
    if language == "en":
        return _english(pounds, pennies)
    return _welsh(pounds, pennies)


# --- English -----------------------------------------------------------------------------------------


def _english_number(n: int) -> str:
    # num2words writes British "and" ("one hundred and five") but separates groups with commas
    # ("one thousand, five hundred"), which a British letter leaves out.
    return num2words(n, lang="en").replace(",", "")


def _english(pounds: int, pennies: int) -> str:
    parts = []
    if pounds or not pennies:
        parts.append(f"{_english_number(pounds)} {'pound' if pounds == 1 else 'pounds'}")
    if pennies:
        parts.append(f"{_english_number(pennies)} {'penny' if pennies == 1 else 'pence'}")
    return " and ".join(parts)


# --- Welsh -------------------------------------------------------------------------------------------

_MASC, _FEM = "masculine", "feminine"

# The counting forms of 1-9, masculine and feminine [1][2].
_UNITS = {
    1: ("un", "un"),
    2: ("dau", "dwy"),
    3: ("tri", "tair"),
    4: ("pedwar", "pedair"),
    5: ("pump", "pump"),
    6: ("chwech", "chwech"),
    7: ("saith", "saith"),
    8: ("wyth", "wyth"),
    9: ("naw", "naw"),
}
# Directly before a noun (or before deg, cant, mil, miliwn) five and six are shortened [1][2][5].
_BEFORE_NOUN = {"pump": "pum", "chwech": "chwe"}

_VOWELS = "aeiouwyâêîôûŵŷ"


def _soft(word: str) -> str:
    """Soft mutation (treiglad meddal) of a word's first consonant [7]."""
    for radical, mutated in (("ll", "l"), ("rh", "r"), ("p", "b"), ("t", "d"), ("c", "g"),
                             ("b", "f"), ("d", "dd"), ("g", ""), ("m", "f")):
        if word.startswith(radical) and not word.startswith(("ch", "ph", "th", "dd")):
            return mutated + word[len(radical):]
    return word


def _aspirate(word: str) -> str:
    """Aspirate mutation (treiglad llaes): c, p, t become ch, ph, th [6][7]."""
    if word[:1] in ("c", "p", "t") and word[1:2] != "h":
        return word[0] + "h" + word[1:]
    return word


def _after(numeral: str, word: str, gender: str) -> str:
    """``word`` as it stands right after the numeral word ``numeral`` [1][5][7].

    un soft-mutates a feminine noun only; dau and dwy soft-mutate; tri and chwe aspirate; tair, pedair,
    pum, saith, wyth, naw, deg and can leave punt, ceiniog, mil, miliwn, deg and cant alone.
    """
    if numeral == "un":
        return _soft(word) if gender == _FEM else word
    if numeral in ("dau", "dwy"):
        return _soft(word)
    if numeral in ("tri", "chwe"):
        return _aspirate(word)
    return word


def _unit(n: int, gender: str, before_noun: bool) -> str:
    word = _UNITS[n][gender == _FEM]
    return _BEFORE_NOUN.get(word, word) if before_noun else word


def _and(words: list[str]) -> list[str]:
    """``words`` after "a"/"ac": "ac" before a vowel, else "a" with an aspirate mutation [6]."""
    first = words[0]
    if first[0] in _VOWELS:
        return ["ac", *words]
    return ["a", _aspirate(first), *words[1:]]


def _under_100(n: int, gender: str, before_noun: bool) -> list[str]:
    """1-99 in the decimal system [1][2][3]: "deg", "un deg dwy", "dau ddeg pump", "pum deg"."""
    tens, units = divmod(n, 10)
    words: list[str] = []
    if tens:
        if tens == 1 and not units:
            return ["deg"]
        # deg is masculine and a noun-like numeral: dau ddeg, tri deg, pum deg, chwe deg.
        multiplier = _unit(tens, _MASC, before_noun=True)
        words += [multiplier, _after(multiplier, "deg", _MASC)]
    if units:
        words.append(_unit(units, gender, before_noun))
    return words


def _hundreds(h: int, before_noun: bool) -> list[str]:
    """100-900: cant (can directly before a noun), dau gant, tri chant, pum cant, chwe chant [2][5][7]."""
    head = "can" if before_noun else "cant"
    if h == 1:
        return [head]
    multiplier = _unit(h, _MASC, before_noun=True)
    return [multiplier, _after(multiplier, head, _MASC)]


def _group(n: int, gender: str, before_noun: bool) -> list[str]:
    """1-999: "cant", "dau gant a phum deg", "pum cant", "naw deg naw"."""
    hundreds, rest = divmod(n, 100)
    words: list[str] = []
    if hundreds:
        words += _hundreds(hundreds, before_noun and not rest)
    if rest:
        part = _under_100(rest, gender, before_noun)
        words += _and(part) if hundreds else part
    return words


def _welsh_number(n: int, gender: str, before_noun: bool) -> list[str]:
    """1 to 999,999,999 as Welsh words.

    ``gender`` is that of what is counted (the last unit agrees with it); ``before_noun`` says the
    counted noun follows directly, so the last word takes its before-a-noun form (pum, chwe, can).
    """
    millions, rest = divmod(n, 1_000_000)
    thousands, units = divmod(rest, 1000)
    words: list[str] = []
    for multiple, head in ((millions, "miliwn"), (thousands, "mil")):
        if not multiple:
            continue
        if multiple == 1:  # "mil", "miliwn", not "un fil"
            words.append(head)
            continue
        # mil and miliwn are feminine nouns: dwy fil, tair mil, dau ddeg tair mil, can mil [1][3][8][9].
        multiplier = _group(multiple, _FEM, before_noun=True)
        words += [*multiplier, _after(multiplier[-1], head, _FEM)]
    if units:
        part = _group(units, gender, before_noun)
        words += _and(part) if words and units < 100 else part
    return words


def _welsh_pounds(pounds: int) -> list[str]:
    if pounds == 0:
        return ["dim", "punt"]
    if pounds <= 100:
        # The singular noun after the numeral, mutated by its last word: un bunt, dwy bunt,
        # chwe phunt, pum deg punt, can punt [1][5][11].
        words = _welsh_number(pounds, _FEM, before_noun=True)
        return [*words, _after(words[-1], "punt", _FEM)]
    # o + soft mutation + plural: o bunnoedd [1][4][10].
    return [*_welsh_number(pounds, _FEM, before_noun=False), "o", "bunnoedd"]


def _welsh_pence(pennies: int) -> list[str]:
    # Always under 100: the singular noun after the numeral: un geiniog, chwe cheiniog,
    # pum deg ceiniog [5][11].
    words = _welsh_number(pennies, _FEM, before_noun=True)
    return [*words, _after(words[-1], "ceiniog", _FEM)]


def _welsh(pounds: int, pennies: int) -> str:
    if not pennies:
        return " ".join(_welsh_pounds(pounds))
    if not pounds:
        return " ".join(_welsh_pence(pennies))
    return " ".join([*_welsh_pounds(pounds), *_and(_welsh_pence(pennies))])
