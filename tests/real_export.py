"""A realistic online-form export, as Microsoft Forms writes one, with the traps of issue 18 in it.

60 rows with question-shaped headers; a "Completion time" written "13/06/2026 09:52:34"; "n/a" (and
"N/A", "none", "-") for no charity number; three scout groups giving their district's (umbrella)
charity number under their own names, two of them writing from the district's shared inbox with their
own names and letter languages; two clubs of a community hall writing from the hall's one inbox, in
different languages; and one group's application submitted twice (a second response, minutes later).
No column says what kind of organisation applies: that is one value for every row.

``EXPECTED`` is what each row gave (to compare with what was imported); ``REPEAT_ROW`` is the
spreadsheet row of the second submission.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from grantdesk.io.tabular import write_csv

HEADERS = [
    "ID", "Start time", "Completion time", "Email", "Name", "What is the name of your group?",
    "Charity number (if you have one)", "Which ward is your project in?", "What is your project called?",
    "Tell us about your project", "How much are you asking for?", "Which language should we write to you in?",
]
UMBRELLA = "1143005"  # Stone District Scouts, the charity the three groups work under
DISTRICT_INBOX = "district@stonescouts.org.uk"
HALL_INBOX = "hello@stonecommunityhall.org.uk"
REPEAT_ROW = 61  # the second submission of row 7's application (Walton Gardeners), the last row
MAPPING = {  # what the officer maps (and what the auto-mapping suggests for these headers)
    "ID": "response_id", "Start time": "", "Completion time": "submitted_on", "Email": "contact_email",
    "Name": "contact_name", "What is the name of your group?": "organisation",
    "Charity number (if you have one)": "charity_number", "Which ward is your project in?": "area",
    "What is your project called?": "title", "Tell us about your project": "summary",
    "How much are you asking for?": "amount_requested", "Which language should we write to you in?": "contact_language",
}
CONSTANTS = {"organisation_type": "community_group"}


@dataclass(frozen=True)
class Given:
    """What one row gave, as it should be recorded."""

    row: int
    organisation: str
    contact_name: str
    contact_email: str
    language: str  # en or cy
    submitted_on: date
    title: str


_PLACES = ["Walton", "Baswich", "Milford", "Eccleshall", "Gnosall", "Penkridge", "Brewood", "Kinver", "Perton",
           "Wombourne", "Codsall", "Cheslyn Hay", "Great Wyrley", "Huntington", "Rugeley", "Armitage", "Burntwood",
           "Chase Terrace", "Fazeley", "Shenstone"]
_KINDS = ["Gardeners", "Youth Club", "Lunch Club", "Toddler Group", "Men's Shed", "Choir", "Walking Group",
          "Litter Pickers", "Film Club", "Bowls Club"]
_NO_NUMBER = ["n/a", "N/A", "none", "-", "", "n/a"]
_FIRST = ["Ann", "Bethan", "Carys", "David", "Emma", "Gareth", "Helen", "Iwan", "Jane", "Karen", "Llinos", "Mark"]
_LAST = ["Jones", "Evans", "Price", "Hughes", "Morgan", "Davies", "Roberts", "Lewis", "Walker", "Wright"]


def _moment(n: int) -> datetime:
    return datetime(2026, 6, 1, 9, 0, 0) + timedelta(days=n % 28, hours=n % 9, minutes=7 * n % 60, seconds=n % 60)


def export_rows() -> tuple[list[list[str]], list[Given]]:
    """The 60 rows (cells as the form writes them) and what each gave."""
    rows: list[list[str]] = []
    given: list[Given] = []

    def add(org: str, number: str, person: str, email: str, language: str, title: str, amount: str,
            n: int, *, ward: str = "Testville") -> None:
        done = _moment(n)
        start = done - timedelta(minutes=11, seconds=n % 50)
        rows.append([str(len(rows) + 1), start.strftime("%d/%m/%Y %H:%M:%S"), done.strftime("%d/%m/%Y %H:%M:%S"),
                     email, person, org, number, ward, title, f"{title}: what it is and who it is for.", amount,
                     {"en": "English", "cy": "Cymraeg"}[language]])
        given.append(Given(len(rows) + 1, org, person, email, language, done.date(), title))

    add("Stone Scouts 3rd Group", UMBRELLA, "Megan Price", "megan.price@example.org", "en", "New patrol tents",
        "£1,450", 0)
    add("Stone Scouts 5th Group", UMBRELLA, "Rhys Morgan", DISTRICT_INBOX, "cy", "Canoe safety kit", "980", 1)
    add("Stone Scouts 6th Group", UMBRELLA, "Sian Hughes", DISTRICT_INBOX, "en", "Camp stoves", "£620.00", 2)
    add("Stone Lunch Club", "n/a", "Ann Jones", HALL_INBOX, "en", "Hot lunches for older people", "£1,200", 3)
    add("Stone Chess Club", "N/A", "Dafydd Evans", HALL_INBOX, "cy", "Chess sets for the library", "350", 4)
    add("Walton Gardeners", "n/a", "Helen Walker", "helen.walker@example.org", "en", "Raised beds for the allotment",
        "£2,000", 5)
    n = 6
    while len(rows) < 59:
        place, kind = _PLACES[n % len(_PLACES)], _KINDS[(n // len(_PLACES) + n) % len(_KINDS)]
        org = f"{place} {kind}"
        if any(g.organisation == org for g in given):
            n += 1
            continue
        person = f"{_FIRST[n % len(_FIRST)]} {_LAST[(n * 3) % len(_LAST)]}"
        email = f"{person.lower().replace(' ', '.')}.{n}@example.org"
        number = f"11{n:05d}" if n % 7 == 0 else _NO_NUMBER[n % len(_NO_NUMBER)]
        purpose = ["New equipment for", "Trips for", "Room hire for", "Training for"][n % 4]
        add(org, number, person, email, "cy" if n % 5 == 0 else "en", f"{purpose} {org}", f"£{300 + 37 * n:,}", n)
        n += 1
    # Walton Gardeners again, 25 minutes later: a second response to the same form (a new ID and time)
    first = rows[5]
    again = list(first)
    again[0] = str(len(rows) + 1)
    moment = datetime.strptime(first[2], "%d/%m/%Y %H:%M:%S") + timedelta(minutes=25)
    again[1] = (moment - timedelta(minutes=4)).strftime("%d/%m/%Y %H:%M:%S")
    again[2] = moment.strftime("%d/%m/%Y %H:%M:%S")
    again[8] = "Raised beds for the allotments"
    rows.append(again)
    assert len(rows) == 60 and len(rows) + 1 == REPEAT_ROW
    return rows, given


def write_export(folder: Path, name: str = "Community Fund application(1-60).csv") -> Path:
    rows, _given = export_rows()
    path = folder / name
    write_csv(path, HEADERS, rows)
    return path


def write_export_xlsx(folder: Path, name: str = "Community Fund application(1-60).xlsx") -> Path:
    """The same export as Microsoft Forms' own .xlsx: times and ids as real date-time and number cells."""
    from openpyxl import Workbook

    rows, _given = export_rows()
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(HEADERS)
    for row in rows:
        cells: list[object] = list(row)
        cells[0] = int(row[0])
        cells[1] = datetime.strptime(row[1], "%d/%m/%Y %H:%M:%S")
        cells[2] = datetime.strptime(row[2], "%d/%m/%Y %H:%M:%S")
        ws.append(cells)
    path = folder / name
    wb.save(path)
    return path


def assert_imported_as_given(db, fund_code: str = "TST") -> None:
    """Every row's organisation, contact, letter language and submission date exactly as it gave them;
    the application submitted twice imported once."""
    from grantdesk.services import applications

    _rows, given = export_rows()
    got = applications.list_applications(db, fund_code)
    assert len(got) == 59  # 60 rows, one of them the same application again
    by_title = {r.title: r for r in got}
    assert len(by_title) == 59
    for g in given:
        row = by_title[g.title]
        assert (row.organisation, row.contact_name, row.contact_email, row.contact_language, row.submitted_on) == (
            g.organisation, g.contact_name, g.contact_email, g.language, g.submitted_on), f"row {g.row}"
    assert "Raised beds for the allotments" not in by_title  # the second submission was not imported
