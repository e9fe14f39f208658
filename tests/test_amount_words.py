"""Amounts in words for award letters, English and Welsh.

The tables pin the wording a letter prints; each Welsh line names the rule it follows (the rules and
their sources are in the docstring of grantdesk/domain/amount_words.py, numbered [1]-[11]). The
properties check every amount in a sample: no digits, commas or "minus", a phrase that is never empty,
the Welsh mutation and short-form rules, and that the words read back to the same number of pence
(by small readers written here, independently of the module).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grantdesk.domain.amount_words import MAX_PENCE, amount_in_words

# --- English -----------------------------------------------------------------------------------------

ENGLISH = [
    (0, "zero pounds"),
    (100, "one pound"),
    (200, "two pounds"),
    (300, "three pounds"),
    (400, "four pounds"),
    (500, "five pounds"),
    (600, "six pounds"),
    (700, "seven pounds"),
    (800, "eight pounds"),
    (900, "nine pounds"),
    (1000, "ten pounds"),
    (1100, "eleven pounds"),
    (1300, "thirteen pounds"),
    (1900, "nineteen pounds"),
    (2000, "twenty pounds"),
    (2100, "twenty-one pounds"),
    (2500, "twenty-five pounds"),
    (5000, "fifty pounds"),
    (9900, "ninety-nine pounds"),
    (10000, "one hundred pounds"),
    (15000, "one hundred and fifty pounds"),
    (50000, "five hundred pounds"),
    (100000, "one thousand pounds"),
    (100500, "one thousand and five pounds"),
    (110000, "one thousand one hundred pounds"),
    (200000, "two thousand pounds"),
    (250000, "two thousand five hundred pounds"),
    (1000000, "ten thousand pounds"),
    (2305600, "twenty-three thousand and fifty-six pounds"),
    (10000000, "one hundred thousand pounds"),
    (100000000, "one million pounds"),
    (1250, "twelve pounds and fifty pence"),
    (150050, "one thousand five hundred pounds and fifty pence"),
    (1, "one penny"),
    (2, "two pence"),
    (50, "fifty pence"),
    (99, "ninety-nine pence"),
    (101, "one pound and one penny"),
    (12345678, "one hundred and twenty-three thousand four hundred and fifty-six pounds and seventy-eight pence"),
    (MAX_PENCE, "nine hundred and ninety-nine million nine hundred and ninety-nine thousand nine hundred "
                "and ninety-nine pounds and ninety-nine pence"),
]


@pytest.mark.parametrize("pence, words", ENGLISH)
def test_english_amounts_are_written_as_a_british_letter_writes_them(pence, words):
    assert amount_in_words(pence, "en") == words


# --- Welsh -------------------------------------------------------------------------------------------

WELSH = [
    # 0: "dim" with the singular noun, as num2words' own Welsh tests write it [10].
    (0, "dim punt"),
    # 1: un soft-mutates a feminine noun: punt > bunt [1][5][7].
    (100, "un bunt"),
    # 2: feminine dwy, and dwy soft-mutates: bunt [1][5].
    (200, "dwy bunt"),
    # 3: feminine tair; tair does not mutate [5][7].
    (300, "tair punt"),
    # 4: feminine pedair; no mutation [5].
    (400, "pedair punt"),
    # 5: pum (not pump) directly before a noun; no mutation of punt [1][2][7].
    (500, "pum punt"),
    # 6: chwe (not chwech) before a noun, and chwe aspirates: punt > phunt [1][5][7].
    (600, "chwe phunt"),
    # 7, 8, 9: no mutation of punt (their nasal mutation is for blwydd/blynedd/diwrnod only) [7].
    (700, "saith punt"),
    (800, "wyth punt"),
    (900, "naw punt"),
    # 10: deg, no mutation [5][7].
    (1000, "deg punt"),
    # 11: decimal "un deg un"; the last un soft-mutates feminine punt [3][5].
    (1100, "un deg un bunt"),
    # 12: decimal "un deg dwy": feminine last unit, soft mutation after dwy [5].
    (1200, "un deg dwy bunt"),
    # 13: decimal teen with feminine tair [5].
    (1300, "un deg tair punt"),
    # 16: decimal teen; chwe before the noun aspirates it [5].
    (1600, "un deg chwe phunt"),
    # 20: dau + deg: soft mutation deg > ddeg; the noun follows the numeral (up to 100) [1][3][5].
    (2000, "dau ddeg punt"),
    # 25: decimal, not vigesimal "pump ar hugain"; pum before the noun [1][2][5].
    (2500, "dau ddeg pum punt"),
    # 30: tri does not change d: "tri deg" [2][3].
    (3000, "tri deg punt"),
    # 50: pum before deg [3][5]; the noun directly after the numeral.
    (5000, "pum deg punt"),
    # 99: decimal [3][5].
    (9900, "naw deg naw punt"),
    # 100: cant > can directly before a noun; can does not mutate punt [2][5][11].
    (10000, "can punt"),
    # 101: above 100, "o bunnoedd"; "ac" before a vowel after cant [1][4][6].
    (10100, "cant ac un o bunnoedd"),
    # 102: the last unit agrees with feminine punnoedd even before "o" [10].
    (10200, "cant a dwy o bunnoedd"),
    # 105: full form pump before "o"; "a" aspirates pump > phump [4][6].
    (10500, "cant a phump o bunnoedd"),
    # 150: "a" between cant and the part under 100, aspirating pum > phum [6][9].
    (15000, "cant a phum deg o bunnoedd"),
    # 200: dau soft-mutates cant > gant [5][7].
    (20000, "dau gant o bunnoedd"),
    # 300: tri aspirates cant > chant [5][7].
    (30000, "tri chant o bunnoedd"),
    # 500: "pum cant" (pum before cant), then "o bunnoedd" [1][2].
    (50000, "pum cant o bunnoedd"),
    # 600: chwe before cant, and it aspirates: chwe chant [1][7].
    (60000, "chwe chant o bunnoedd"),
    # 1,000: mil, a noun: o bunnoedd after it [1].
    (100000, "mil o bunnoedd"),
    # 1,005: "a" before the part under 100 after mil, aspirating pump [3][6].
    (100500, "mil a phump o bunnoedd"),
    # 1,250: no "a" between mil and the hundreds; "a" before the tens [3][9].
    (125000, "mil dau gant a phum deg o bunnoedd"),
    # 2,000: mil is feminine: dwy, which soft-mutates mil > fil [1][5].
    (200000, "dwy fil o bunnoedd"),
    # 2,500: dwy fil, then pum cant, then o bunnoedd.
    (250000, "dwy fil pum cant o bunnoedd"),
    # 3,000: feminine tair; no mutation [5].
    (300000, "tair mil o bunnoedd"),
    # 10,000: decimal "deg mil" (not the traditional "deng mil") [2][7].
    (1000000, "deg mil o bunnoedd"),
    # 23,056: exactly Bitesize's wording [3]: feminine tair before mil, "a" before the part under 100.
    (2305600, "dau ddeg tair mil a phum deg chwech o bunnoedd"),
    # 100,000: can before mil [2][9].
    (10000000, "can mil o bunnoedd"),
    # 200,000: dau gan mil [9].
    (20000000, "dau gan mil o bunnoedd"),
    # 1,000,000: miliwn without "un" [1].
    (100000000, "miliwn o bunnoedd"),
    # 2,000,000: miliwn is feminine: dwy filiwn [8].
    (200000000, "dwy filiwn o bunnoedd"),
    # £12.50: pounds and pence joined by "a", which aspirates pum > phum [5][6].
    (1250, "un deg dwy bunt a phum deg ceiniog"),
    # £1,500.50: o bunnoedd, then "a" and the pence [6].
    (150050, "mil pum cant o bunnoedd a phum deg ceiniog"),
    # 1p: un soft-mutates feminine ceiniog > geiniog [11].
    (1, "un geiniog"),
    # 2p: dwy soft-mutates: geiniog [5][11].
    (2, "dwy geiniog"),
    # 3p: tair, no mutation [5].
    (3, "tair ceiniog"),
    # 6p: chwe aspirates: cheiniog [5].
    (6, "chwe cheiniog"),
    # 50p: decimal "pum deg ceiniog", like the pounds (not vigesimal "hanner can ceiniog") [3][5][11].
    (50, "pum deg ceiniog"),
    # 99p: decimal [5].
    (99, "naw deg naw ceiniog"),
    # £1.01: "ac" before the vowel of un [6].
    (101, "un bunt ac un geiniog"),
    # £3.03: "a" aspirates tair > thair [6].
    (303, "tair punt a thair ceiniog"),
]


@pytest.mark.parametrize("pence, words", WELSH)
def test_welsh_amounts_follow_the_decimal_system_and_the_mutation_rules(pence, words):
    assert amount_in_words(pence, "cy") == words


def test_the_tables_cover_what_a_letter_needs():
    # Every pound from 0 to 10, teens, tens, hundreds, 500, 1,000, 2,000, 2,500, 10,000, 1,500.50 and
    # pence alone.
    needed = {pounds * 100 for pounds in range(11)} | {1100, 1300, 2000, 2500, 5000, 10000, 15000, 50000,
                                                        100000, 200000, 250000, 1000000, 150050, 1, 2, 50}
    for table in (ENGLISH, WELSH):
        assert len(table) >= 25
        assert needed <= {pence for pence, _ in table}


# --- refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_negative_amount_is_refused(language):
    with pytest.raises(ValueError, match="negative"):
        amount_in_words(-1, language)


@pytest.mark.parametrize("language", ["fr", "EN", "en_GB", "cy_GB", "", "welsh"])
def test_a_language_other_than_en_or_cy_is_refused(language):
    with pytest.raises(ValueError, match="en or cy"):
        amount_in_words(100, language)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_an_amount_over_the_limit_is_refused(language):
    amount_in_words(MAX_PENCE, language)
    with pytest.raises(ValueError, match="at most"):
        amount_in_words(MAX_PENCE + 1, language)


@pytest.mark.parametrize("amount", [12.5, True, "1250", None])
def test_only_integer_pence_are_accepted(amount):
    with pytest.raises(TypeError):
        amount_in_words(amount, "en")


# --- independent readers: the words back to pence ----------------------------------------------------

_EN_SMALL = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_EN_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}


def read_english(words: str) -> int:
    pounds = pennies = None
    total = group = 0
    for token in words.replace("-", " ").split():
        if token in _EN_SMALL:
            group += _EN_SMALL[token]
        elif token in _EN_TENS:
            group += _EN_TENS[token]
        elif token == "hundred":
            group *= 100
        elif token in ("thousand", "million"):
            total += group * (1000 if token == "thousand" else 1_000_000)
            group = 0
        elif token == "and":
            continue
        elif token in ("pound", "pounds"):
            pounds, total, group = total + group, 0, 0
        elif token in ("penny", "pence"):
            pennies, total, group = total + group, 0, 0
        else:
            raise AssertionError(f"unexpected English word {token!r} in {words!r}")
    assert total == group == 0, words
    return (pounds or 0) * 100 + (pennies or 0)


# Every Welsh word the module may write, with its value; mutated forms included.
_CY_UNITS = {
    "un": 1, "dau": 2, "dwy": 2, "tri": 3, "thri": 3, "tair": 3, "thair": 3,
    "pedwar": 4, "phedwar": 4, "pedair": 4, "phedair": 4, "pump": 5, "phump": 5, "pum": 5, "phum": 5,
    "chwech": 6, "chwe": 6, "saith": 7, "wyth": 8, "naw": 9, "dim": 0,
}
_CY_TENS = {"deg", "ddeg"}
_CY_HUNDREDS = {"cant", "gant", "chant", "can", "gan", "chan"}
_CY_SCALES = {"mil": 1000, "fil": 1000, "miliwn": 1_000_000, "filiwn": 1_000_000}
_CY_POUNDS = {"punt", "bunt", "phunt", "bunnoedd"}
_CY_PENCE = {"ceiniog", "geiniog", "cheiniog"}


def read_welsh(words: str) -> int:
    """Read a Welsh amount back to pence (values only; the grammar is checked elsewhere)."""
    pounds = pennies = None
    total = group = 0
    unit = None
    for token in words.split():
        if token in _CY_UNITS:
            assert unit is None, f"two units in a row in {words!r}"
            unit = _CY_UNITS[token]
        elif token in _CY_TENS:
            group += (1 if unit is None else unit) * 10
            unit = None
        elif token in _CY_HUNDREDS:
            group += (1 if unit is None else unit) * 100
            unit = None
        elif token in _CY_SCALES:
            multiple = group + (unit or 0)
            total += (multiple or 1) * _CY_SCALES[token]
            group, unit = 0, None
        elif token in ("a", "ac", "o"):
            continue
        elif token in _CY_POUNDS or token in _CY_PENCE:
            value = total + group + (unit or 0)
            if token in _CY_POUNDS:
                pounds = value
            else:
                pennies = value
            total = group = 0
            unit = None
        else:
            raise AssertionError(f"unexpected Welsh word {token!r} in {words!r}")
    assert total == group == 0 and unit is None, words
    return (pounds or 0) * 100 + (pennies or 0)


def test_the_readers_read_the_tables():
    for pence, words in ENGLISH:
        assert read_english(words) == pence
    for pence, words in WELSH:
        assert read_welsh(words) == pence


# --- properties --------------------------------------------------------------------------------------

up_to_a_million_pounds = st.integers(min_value=0, max_value=100_000_000)
any_amount = st.one_of(up_to_a_million_pounds, st.integers(min_value=0, max_value=MAX_PENCE))
languages = st.sampled_from(["en", "cy"])


@settings(max_examples=500)
@given(up_to_a_million_pounds, languages)
def test_every_amount_up_to_a_million_pounds_gives_a_phrase_without_digits_commas_or_minus(pence, language):
    words = amount_in_words(pence, language)
    assert words.strip() == words and words
    assert "  " not in words
    assert not any(c.isdigit() for c in words)
    assert "," not in words
    for minus in ("minus", "meinws", "minws"):
        assert minus not in words


@settings(max_examples=500)
@given(any_amount)
def test_the_english_words_read_back_to_the_same_pence(pence):
    assert read_english(amount_in_words(pence, "en")) == pence


@settings(max_examples=500)
@given(any_amount)
def test_the_welsh_words_read_back_to_the_same_pence(pence):
    assert read_welsh(amount_in_words(pence, "cy")) == pence


def test_every_amount_to_a_thousand_pounds_and_every_pence_reads_back_in_both_languages():
    amounts = [pounds * 100 for pounds in range(0, 1101)] + list(range(0, 300)) + [123400 + p for p in range(100)]
    for pence in amounts:
        assert read_english(amount_in_words(pence, "en")) == pence
        assert read_welsh(amount_in_words(pence, "cy")) == pence


@given(st.integers(min_value=0, max_value=MAX_PENCE // 100), st.integers(min_value=1, max_value=99))
def test_pounds_and_pence_are_the_pounds_phrase_then_and_then_the_pence_phrase(pounds, pennies):
    pence = pounds * 100 + pennies
    if pounds:
        assert amount_in_words(pence, "en") == (
            f"{amount_in_words(pounds * 100, 'en')} and {amount_in_words(pennies, 'en')}")
        welsh = amount_in_words(pence, "cy")
        assert welsh.startswith(amount_in_words(pounds * 100, "cy") + " a")
    else:
        assert amount_in_words(pence, "en") == amount_in_words(pennies, "en")
        assert amount_in_words(pence, "cy") == amount_in_words(pennies, "cy")


FEMININE_NOUNS = {"punt", "bunt", "phunt", "ceiniog", "geiniog", "cheiniog", "mil", "fil", "miliwn", "filiwn"}
NOUN_LIKE = FEMININE_NOUNS | {"deg", "ddeg", "cant", "gant", "chant", "can", "gan", "chan"}


@settings(max_examples=500)
@given(any_amount)
def test_welsh_short_forms_mutations_and_gender_follow_the_rules(pence):
    words = amount_in_words(pence, "cy").split()
    pairs = list(zip(words, words[1:] + [""], strict=True))
    for word, following in pairs:
        # pum/chwe/can stand directly before a noun or noun-like numeral; pump/chwech/cant never do [1][2].
        if following in NOUN_LIKE:
            assert word not in ("pump", "phump", "chwech", "cant", "gant", "chant"), words
        if word in ("pum", "phum", "chwe", "can", "gan", "chan"):
            assert following in NOUN_LIKE, words
        # punt, ceiniog, mil, miliwn are feminine: never dau/tri/pedwar before them; deg, cant are
        # masculine: never dwy/tair/pedair before them [1][5].
        if following in FEMININE_NOUNS:
            assert word not in ("dau", "tri", "thri", "pedwar", "phedwar"), words
        if following in NOUN_LIKE - FEMININE_NOUNS:
            assert word not in ("dwy", "tair", "thair", "pedair", "phedair"), words
        # the mutation after each trigger [5][7]
        if word in ("dau", "dwy") and following:
            assert following[0] not in "ptcm" or following.startswith("ch"), words
        if word in ("tri", "thri", "chwe") and following in NOUN_LIKE:
            assert following[0] not in "pc" or following[1] == "h", words
        if word in ("tair", "thair", "pedair", "phedair", "pum", "phum", "saith", "wyth", "naw", "deg", "ddeg"):
            assert following not in ("bunt", "phunt", "geiniog", "cheiniog", "fil", "filiwn"), words
        # "a" aspirates c, p, t; "ac" only before a vowel [6]
        if word == "a":
            assert following[0] not in "cpt" or following[1] == "h", words
            assert following[0] not in "aeiouwy", words
        if word == "ac":
            assert following[0] in "aeiouwy", words
        # "o" is always followed by the soft-mutated plural [4]
        if word == "o":
            assert following == "bunnoedd", words


@given(st.integers(min_value=0, max_value=MAX_PENCE))
def test_welsh_uses_the_noun_directly_up_to_a_hundred_pounds_and_o_bunnoedd_above(pence):
    pounds = pence // 100
    words = amount_in_words(pence, "cy")
    assert ("o bunnoedd" in words) == (pounds > 100)
    assert not re.search(r"\b(ugain|hugain|hanner|deugain|trigain|deng|deuddeg|pymtheg|deunaw)\b", words)
