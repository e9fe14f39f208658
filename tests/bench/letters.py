"""Benchmark: award letters through ``letters_pdf`` against a bare reportlab document of the same size.

    python tests/bench/letters.py [--json] [--letters 1000] [--repeat 1]

It makes ``--letters`` synthetic award letters of a realistic length (a letterhead with a logo, a
six-line address, six paragraphs, five conditions, the acceptance slip), times ``letters_pdf`` on them,
then times the floor in the same run: a plain platypus ``SimpleDocTemplate`` with the same embedded
font holding the same words as plain paragraphs, broken into the same number of pages, with no
letterhead, window, per-letter page count, tables or slip. It prints letters per second for both and
the ratio ours / floor (the target: at least 0.5). ``--json`` prints one object
``{"letters_pdf": {"value", "floor", "ratio", "target", "unit"}}``. It never asserts: it is a
measurement, not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from grantdesk.domain.letters import Letter, Letterhead, LetterText, Signatory, Slip  # noqa: E402
from grantdesk.domain.money import format_money  # noqa: E402

TARGET = 0.5
TOWNS = ("Millbrook", "Ashford Green", "Upper Wyndham", "Kingsmere", "Little Harrow", "Stonebridge")
GROUPS = ("Village Hall Committee", "Community Allotments", "Youth Football Club", "Friends of the Park",
          "Lunch Club", "Heritage Society", "Scout Group", "Wildlife Trust", "Toddler Group", "Men's Shed")
PURPOSES = ("new kitchen equipment", "a defibrillator and training", "accessible toilets", "a minibus service",
            "summer holiday activities", "solar panels for the hall", "replacement goalposts")


def _logo() -> bytes:
    """A small PNG crest, as a council would upload for its letterhead."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (360, 160), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 160, 160), radius=20, fill=(21, 94, 117, 255))
    draw.polygon([(80, 24), (136, 84), (108, 84), (108, 136), (52, 136), (52, 84), (24, 84)], fill="white")
    draw.rectangle((180, 50, 350, 70), fill=(21, 94, 117, 255))
    draw.rectangle((180, 90, 320, 110), fill=(21, 94, 117, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def make_letters(count: int) -> list[Letter]:
    logo = _logo()
    head = Letterhead(council="Harbourside District Council",
                      address=("Grants Team", "Civic Centre", "Quay Street", "Harbourside", "HB1 2CC"), logo=logo,
                      contact_email="grants@harbourside.gov.uk", phone="01234 567890",
                      website="www.harbourside.gov.uk")
    signatory = Signatory("Priya Shah", "Community Grants Officer")
    letters = []
    for n in range(count):
        town = TOWNS[n % len(TOWNS)]
        org = f"{town} {GROUPS[n % len(GROUPS)]}"
        purpose = PURPOSES[n % len(PURPOSES)]
        amount = format_money(50_000 + (n * 7_919) % 450_000)
        ref = f"CF-2026-{n + 1:04d}"
        text = LetterText(
            language="en", subject=f"Community Fund award: {amount} for {purpose}", salutation="Dear Ann Other,",
            paragraphs=(
                f"I am delighted to tell you that the Community Fund panel met on 9 June 2026 and decided to award "
                f"{org} {amount} towards {purpose}, as described in your application of 14 April 2026.",
                f"The award is for {purpose} only. If the cost turns out lower than you expected, the grant will be "
                "reduced so that it never covers more than the whole cost of the project.",
                "We will pay the grant in full by BACS within 14 days of receiving your signed acceptance slip. The "
                "money must be spent by 31 March 2027; any money not spent by then must be returned to the council.",
                "Please send us a short report with photographs and copies of receipts by 30 April 2027, telling us "
                "how the project went and how many people in the community have benefited from it.",
                "Please acknowledge the council's support in your publicity, for example on posters, your website "
                "and social media, using the words 'Supported by Harbourside District Council Community Fund'.",
                "If you have any questions about this award, please contact the grants team at "
                "grants@harbourside.gov.uk or on 01234 567890, quoting your reference.",
            ),
            conditions_heading="Conditions of the grant",
            conditions=(
                "The grant must be used only for the purpose described in this letter.",
                "The money must be spent by 31 March 2027. Any unspent money must be returned to the council.",
                "You must keep receipts and records of spending for six years and show them to us on request.",
                "You must tell us straight away if your project changes or you are unable to complete it.",
                "You must acknowledge the council's support in any publicity about the project.",
            ),
            slip=Slip("Acceptance of grant offer",
                      (f"On behalf of {org}, I accept the grant of {amount} on the conditions set out in the "
                       "letter of 16 June 2026.", "Please return this slip by 14 July 2026.")),
            date_text="16 June 2026")
        letters.append(Letter(kind="award", reference=ref, organisation=org,
                              recipient=("Ann Other", "Secretary", org, f"{n % 90 + 1} Church Lane", town,
                                         f"HB{n % 9 + 1} {n % 9 + 1}QT"),
                              letterhead=head, signatory=signatory, texts=(text,)))
    return letters


def _words_of(letter: Letter) -> list[str]:
    """Every line of text the letter prints, in order, for the floor's plain paragraphs."""
    head = letter.letterhead
    text = letter.texts[0]
    slip = text.slip
    return [head.council, ", ".join(head.address), f"{head.phone} · {head.contact_email} · {head.website}",
            *letter.recipient, text.date_text, f"Our reference: {letter.reference}", text.subject,
            text.salutation, *text.paragraphs, text.conditions_heading,
            *(f"{n}. {c}" for n, c in enumerate(text.conditions, start=1)), text.closing,
            letter.signatory.name, letter.signatory.role,
            *((slip.heading, f"Reference: {letter.reference} · Organisation: {letter.organisation}", *slip.lines,
               *slip.fields) if slip else ())]


def floor_pdf(letters: list[Letter], target: Path, pages_per_letter: int) -> int:
    """The same words in a bare platypus document: plain paragraphs in the same embedded font, each
    letter broken into ``pages_per_letter`` pages. Returns its page count."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    from grantdesk.reports.pdf_fonts import pdf_fonts

    fonts = pdf_fonts()
    style = ParagraphStyle("floor", fontName=fonts.regular, fontSize=10.5, leading=14.5, spaceAfter=7)
    doc = SimpleDocTemplate(str(target), pagesize=A4, leftMargin=25 * mm, rightMargin=20 * mm, topMargin=15 * mm,
                            bottomMargin=24 * mm)
    story: list = []
    for n, letter in enumerate(letters):
        if n:
            story.append(PageBreak())
        words = _words_of(letter)
        per_page = -(-len(words) // pages_per_letter)
        for page in range(pages_per_letter):
            if page:
                story.append(PageBreak())
            story.extend(Paragraph(w, style) for w in words[page * per_page:(page + 1) * per_page])
    doc.build(story)
    return doc.page


def run(count: int, repeat: int) -> dict:
    from grantdesk.reports.letters import letters_pdf
    from grantdesk.reports.pdf_fonts import pdf_fonts

    pdf_fonts()  # registering the fonts is once per process: not part of either timing
    letters = make_letters(count)
    with tempfile.TemporaryDirectory() as folder:
        ours_s, pages = float("inf"), 0
        for _ in range(repeat):
            started = time.perf_counter()
            pages = letters_pdf(letters, Path(folder) / "letters.pdf")
            ours_s = min(ours_s, time.perf_counter() - started)
        ours_size = (Path(folder) / "letters.pdf").stat().st_size
        per_letter = max(1, round(pages / count))
        floor_s, floor_pages = float("inf"), 0
        for _ in range(repeat):
            started = time.perf_counter()
            floor_pages = floor_pdf(letters, Path(folder) / "floor.pdf", per_letter)
            floor_s = min(floor_s, time.perf_counter() - started)
        floor_size = (Path(folder) / "floor.pdf").stat().st_size
    value, floor = count / ours_s, count / floor_s
    return {"letters": count, "pages": pages, "floor_pages": floor_pages, "seconds": ours_s,
            "floor_seconds": floor_s, "value": value, "floor": floor, "ratio": value / floor,
            "bytes": ours_size, "floor_bytes": floor_size}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--letters", type=int, default=1000, help="how many award letters (default 1000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side; the fastest counts")
    args = parser.parse_args(argv)
    r = run(max(1, args.letters), max(1, args.repeat))
    if args.json:
        print(json.dumps({"letters_pdf": {"value": round(r["value"], 2), "floor": round(r["floor"], 2),
                                          "ratio": round(r["ratio"], 3), "target": TARGET, "unit": "letters/s"}}))
        return
    print(f"{r['letters']} award letters")
    print(f"  letters_pdf : {r['seconds']:7.2f} s  {r['value']:8.1f} letters/s  {r['pages']} pages, "
          f"{r['bytes'] / 1e6:.1f} MB")
    print(f"  floor       : {r['floor_seconds']:7.2f} s  {r['floor']:8.1f} letters/s  {r['floor_pages']} pages, "
          f"{r['floor_bytes'] / 1e6:.1f} MB (bare platypus, same font and words)")
    verdict = "meets" if r["ratio"] >= TARGET else "below"
    print(f"  ratio       : {r['ratio']:.2f} ({verdict} the target {TARGET})")


if __name__ == "__main__":
    main()
