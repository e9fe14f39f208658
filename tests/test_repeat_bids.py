"""One rule for repeat bids (grantdesk.domain.repeat_bids), as the eligibility check applies it."""

from datetime import date

from grantdesk.domain.repeat_bids import PastAward, application_year, award_year, funded_last_year


def test_an_award_belongs_to_its_rounds_year_even_when_made_after_that_year_ended():
    # the 2025–26 round's money, awarded in April 2026, is still 2025–26 money
    assert award_year(2025, date(2026, 4, 10)) == 2025
    assert award_year(None, date(2026, 4, 10)) == 2026  # an imported past grant: the day it was awarded
    assert award_year(None, date(2026, 3, 31)) == 2025


def test_an_application_belongs_to_its_round_or_else_to_the_day_it_was_submitted_or_recorded():
    assert application_year(2026, date(2026, 3, 1), date(2026, 2, 1)) == 2026
    assert application_year(None, date(2026, 4, 1), date(2026, 3, 1)) == 2026
    assert application_year(None, None, date(2026, 3, 31)) == 2025


def test_only_awards_in_the_year_before_make_a_repeat_bid():
    awards = [
        PastAward("PHP-2025-0002", 100_00, date(2026, 4, 10), 2025),  # last year's round, paid late: repeat
        PastAward("PHP-2025-0001", 100_00, date(2025, 6, 1), 2025),  # last year's round: repeat
        PastAward("PHP-2024-0009", 100_00, date(2025, 4, 2), 2024),  # the year before last: not
        PastAward("360G-OLD-1", 100_00, date(2025, 5, 1), None),  # imported, awarded in 2025–26: repeat
        PastAward("PHP-2026-0003", 100_00, date(2026, 5, 1), 2026),  # this year: not "last year"
    ]
    assert [a.reference for a in funded_last_year(2026, awards)] == ["360G-OLD-1", "PHP-2025-0001", "PHP-2025-0002"]
    assert funded_last_year(2028, awards) == ()
