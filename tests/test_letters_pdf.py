"""Award, decline and bilingual letters as PDF: read back with pypdf, page by page."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from grantdesk.domain.errors import ValidationError
from grantdesk.domain.letters import Letter, Letterhead, LetterText, Signatory, Slip
from grantdesk.domain.money import format_money
from grantdesk.reports import letters as letters_module
from grantdesk.reports.letters import letter_file_name, letters_pdf, split_letters

MM = 72 / 25.4
PAGE_HEIGHT_MM = 297.0
AWARD = 250_000
AWARD_TEXT = format_money(AWARD)  # £2,500.00
WELSH_AWARD = format_money(120_000)


def _logo(colour: tuple[int, int, int] = (21, 94, 117)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 60), colour).save(out, "PNG")
    return out.getvalue()


HEAD = Letterhead(council="Harbourside District Council", address=("Civic Centre", "Quay Street", "HB1 2CC"),
                  logo=_logo(), contact_email="grants@harbourside.gov.uk", phone="01234 567890",
                  website="www.harbourside.gov.uk")
CY_HEAD = Letterhead(council="Cyngor Sir Ddinbych", address=("Stryd y Frenhines", "Y Rhyl", "LL18 1AA"),
                     contact_email="grantiau@example.gov.wales")
OFFICER = Signatory("Priya Shah", "Community Grants Officer")
CONDITIONS = ("The grant must be used only for new kitchen equipment.",
              "The money must be spent by 31 March 2027; any unspent money must be returned.",
              "Keep receipts for six years and show them to us on request.")
WELSH_LETTERS = "ŵ ŷ Ŵ Ŷ â ê î ô û"


def award(reference: str = "CF-2026-0042", organisation: str = "Friends of Millbrook Village Hall",
          paragraphs: int = 3, head: Letterhead = HEAD) -> Letter:
    text = LetterText(
        language="en", subject=f"Community Fund award: {AWARD_TEXT} for kitchen equipment",
        salutation="Dear Ann Other,",
        paragraphs=(f"The panel decided on 9 June 2026 to award {organisation} {AWARD_TEXT} (two thousand five "
                    "hundred pounds) towards new kitchen equipment for the village hall.",
                    *(f"Paragraph {n}: we will pay the grant by BACS within 14 days of receiving your signed "
                      "acceptance slip, and the money must be spent by 31 March 2027." for n in
                      range(2, paragraphs + 1))),
        conditions_heading="Conditions of the grant", conditions=CONDITIONS,
        slip=Slip("Acceptance of grant offer",
                  (f"On behalf of {organisation}, I accept the grant of {AWARD_TEXT} on the conditions in the letter.",
                   "Please return this slip by 14 July 2026.")),
        date_text="16 June 2026")
    return Letter(kind="award", reference=reference, organisation=organisation,
                  recipient=("Ann Other", "Secretary", organisation, "12 Church Lane", "Millbrook", "HB4 7QT"),
                  letterhead=head, signatory=OFFICER, texts=(text,))


def decline(reference: str = "CF-2026-0051") -> Letter:
    text = LetterText(language="en", subject="Your application to the Community Fund", salutation="Dear Jon Smith,",
                      paragraphs=("Thank you for applying for new goalposts.",
                                  "I am sorry to tell you that the panel could not support your application: the "
                                  "fund was oversubscribed.",
                                  "You may wish to try the Sport England Small Grants programme."),
                      date_text="17 June 2026")
    return Letter(kind="decline", reference=reference, organisation="Millbrook Youth FC",
                  recipient=("Jon Smith", "Millbrook Youth FC", "The Pavilion", "HB4 7QX"), letterhead=HEAD,
                  signatory=OFFICER, texts=(text,))


def welsh_text(slip: bool = True) -> LetterText:
    return LetterText(
        language="cy", subject=f"Dyfarniad Cronfa Gymunedol y Rhyl: {WELSH_AWARD}", salutation="Annwyl Siân Ŵyn,",
        paragraphs=(f"Mae panel Cronfa Gymunedol y Rhyl wedi penderfynu dyfarnu {WELSH_AWARD} i Gŵyl Gerdd Tŷ Llŷn.",
                    "Bydd yr arian yn talu am offer sain ar gyfer yr ŵyl.",
                    f"Llythrennau: {WELSH_LETTERS}."),
        conditions_heading="Amodau'r grant", conditions=("Rhaid gwario'r arian erbyn 31 Mawrth 2027.",),
        closing="Yn gywir",
        slip=Slip("Derbyn y cynnig grant", ("Rwy'n derbyn y grant ar ran Gŵyl Gerdd Tŷ Llŷn.",),
                  ("Llofnod", "Enw", "Swydd yn y grŵp", "Dyddiad")) if slip else None,
        date_text="16 Mehefin 2026")


def english_text() -> LetterText:
    return LetterText(
        language="en", subject=f"Rhyl Community Fund award: {WELSH_AWARD}", salutation="Dear Siân Ŵyn,",
        paragraphs=(f"The panel of the Rhyl Community Fund decided to award {WELSH_AWARD} to Gŵyl Gerdd Tŷ Llŷn.",
                    "The money will pay for sound equipment for the festival.",
                    "We look forward to hearing how the festival goes."),
        conditions_heading="Conditions of the grant", conditions=("The money must be spent by 31 March 2027.",),
        slip=Slip("Acceptance of grant offer", ("I accept the grant on behalf of Gŵyl Gerdd Tŷ Llŷn.",)),
        date_text="16 June 2026")


def welsh(reference: str = "RCF-2026-0007") -> Letter:
    return Letter(kind="award", reference=reference, organisation="Gŵyl Gerdd Tŷ Llŷn",
                  recipient=("Siân Ŵyn", "Gŵyl Gerdd Tŷ Llŷn", "Ffordd yr Ŵyl", "Y Rhyl", "LL18 2ŴŶ"),
                  letterhead=CY_HEAD, signatory=Signatory("Dafydd Ŷwain", "Swyddog Grantiau"),
                  texts=(welsh_text(),))


def bilingual(reference: str, *, side_by_side: bool) -> Letter:
    return Letter(kind="award", reference=reference, organisation="Gŵyl Gerdd Tŷ Llŷn",
                  recipient=("Siân Ŵyn", "Gŵyl Gerdd Tŷ Llŷn", "Y Rhyl", "LL18 2AB"), letterhead=CY_HEAD,
                  signatory=Signatory("Dafydd Owain", "Swyddog Grantiau / Grants Officer"),
                  texts=(welsh_text(), english_text()), side_by_side=side_by_side)


# --- reading back ------------------------------------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.split())


def _render(letters: list[Letter], **kwargs) -> tuple[int, PdfReader, list[str]]:
    out = io.BytesIO()
    pages = letters_pdf(letters, out, **kwargs)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    return pages, reader, [_flat(page.extract_text()) for page in reader.pages]


def _placed(page) -> list[tuple[str, float, float]]:
    """Each run of text on ``page`` with where it starts: mm from the left edge, mm from the top edge."""
    found: list[tuple[str, float, float]] = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x / MM, PAGE_HEIGHT_MM - y / MM))

    page.extract_text(visitor_text=visit)
    return found


def _where(page, start: str) -> tuple[float, float]:
    return next((x, y) for text, x, y in _placed(page) if text.startswith(start))


class Stop(Exception):
    """What a progress that stops the batch raises (the GUI's is ``ui.tasks.Cancelled``)."""


class Recorder:
    def __init__(self, stop_at: int | None = None):
        self.calls: list[tuple[int, int, str]] = []
        self.stop_at = stop_at

    def report(self, done: int, total: int, label: str = "") -> None:
        if self.stop_at is not None and done >= self.stop_at:
            raise Stop()
        self.calls.append((done, total, label))


# --- one letter --------------------------------------------------------------------------------------


def test_an_award_letter_prints_its_letterhead_recipient_text_conditions_and_slip():
    pages, _reader, text = _render([award()])
    assert pages == 2 == len(text)
    whole = " ".join(text)
    for fact in ("Harbourside District Council", "Civic Centre, Quay Street, HB1 2CC",
                 "01234 567890 · grants@harbourside.gov.uk · www.harbourside.gov.uk",
                 "Ann Other Secretary Friends of Millbrook Village Hall 12 Church Lane Millbrook HB4 7QT",
                 "16 June 2026", "Our reference: CF-2026-0042",
                 f"Community Fund award: {AWARD_TEXT} for kitchen equipment", "Dear Ann Other,",
                 f"award Friends of Millbrook Village Hall {AWARD_TEXT} (two thousand five hundred pounds)",
                 "spent by 31 March 2027", "Conditions of the grant",
                 *(f"{n}. {c}" for n, c in enumerate(CONDITIONS, start=1)),
                 "Yours sincerely", "Priya Shah", "Community Grants Officer",
                 "Acceptance of grant offer", "Reference: CF-2026-0042 · Organisation: Friends of Millbrook Village Hall",
                 f"I accept the grant of {AWARD_TEXT} on the conditions in the letter",
                 "Please return this slip by 14 July 2026", "Signed", "Name", "Position in the group", "Date",
                 "Please return this slip to: Harbourside District Council, Civic Centre, Quay Street, HB1 2CC"):
        assert fact in whole, fact
    assert "✂" in whole  # the cut line's scissors
    assert text[0].endswith("Harbourside District Council · CF-2026-0042 Page 1 of 2")
    assert text[1].endswith("Harbourside District Council · CF-2026-0042 Page 2 of 2")


def test_the_parts_of_a_letter_come_in_order():
    _pages, _reader, text = _render([award()])
    whole = " ".join(text)
    order = ["Harbourside District Council", "Ann Other", "16 June 2026", "Our reference", "Community Fund award",
             "Dear Ann Other,", "The panel decided", "Conditions of the grant", "1. The grant", "3. Keep receipts",
             "Yours sincerely", "Priya Shah", "Acceptance of grant offer", "Signed"]
    places = [whole.index(x) for x in order]
    assert places == sorted(places)


def test_the_recipient_sits_in_the_window_of_a_dl_envelope():
    _pages, reader, _text = _render([award()])
    page = reader.pages[0]
    recipient = [(x, y) for text, x, y in _placed(page)
                 if text in ("Ann Other", "Secretary", "12 Church Lane", "Millbrook", "HB4 7QT")]
    assert len(recipient) == 5
    for x, y in recipient:  # the window: 20 mm from the left, 45–90 mm from the top (baselines inside it)
        assert 22 <= x <= 30
        assert 49 <= y <= 88
    subject_x, subject_y = _where(page, "Community Fund award")
    assert subject_y > 90  # the letter's text starts below the window
    date_x, date_y = _where(page, "16 June 2026")
    assert date_x > 110 and 45 <= date_y <= 90  # the date on the right, beside the window


def test_a_long_address_is_made_smaller_to_stay_inside_the_window():
    letter = dataclasses.replace(award(), recipient=tuple(f"Address line {n}" for n in range(1, 12)))
    _pages, reader, text = _render([letter])
    placed = [(t, x, y) for t, x, y in _placed(reader.pages[0]) if t.startswith("Address line")]
    assert [t for t, _x, _y in placed] == [f"Address line {n}" for n in range(1, 12)]
    assert all(45 < y < 90 for _t, _x, y in placed)


def test_a_long_council_name_is_shortened_in_the_footer_but_the_reference_never_is():
    head = dataclasses.replace(HEAD, council="The Royal Borough of Harbourside and Millbrook Community Partnership "
                                             "Board and Parish Councils Joint Grants Committee")
    _pages, _reader, text = _render([award("CF-2026-0077", head=head)])
    assert text[0].endswith("… · CF-2026-0077 Page 1 of 2")
    assert text[0].startswith("The Royal Borough of Harbourside and Millbrook Community Partnership Board")


def test_a_decline_letter_has_no_conditions_or_slip_and_is_one_page():
    pages, _reader, text = _render([decline()])
    assert pages == 1
    assert "I am sorry to tell you that the panel could not support your application" in text[0]
    assert "Our reference: CF-2026-0051" in text[0] and "17 June 2026" in text[0]
    assert "Conditions" not in text[0] and "Acceptance" not in text[0] and "✂" not in text[0]
    assert text[0].endswith("Page 1 of 1")


def test_text_prints_as_written_markup_characters_included():
    letter = award(organisation="Smith & Sons <Community> Trust")
    _pages, _reader, text = _render([letter])
    assert "Smith & Sons <Community> Trust" in " ".join(text)


# --- Welsh and bilingual ---------------------------------------------------------------------------------


def test_a_welsh_letter_reads_back_with_its_welsh_letters_intact():
    pages, reader, text = _render([welsh()])
    whole = " ".join(text)
    for fact in ("Cronfa Gymunedol y Rhyl", f"Dyfarniad Cronfa Gymunedol y Rhyl: {WELSH_AWARD}", "Annwyl Siân Ŵyn,",
                 "Gŵyl Gerdd Tŷ Llŷn", "Ffordd yr Ŵyl", "LL18 2ŴŶ", f"Llythrennau: {WELSH_LETTERS}.",
                 "Ein cyfeirnod: RCF-2026-0007", "16 Mehefin 2026", "Amodau'r grant", "Yn gywir", "Dafydd Ŷwain",
                 "Derbyn y cynnig grant", "Llofnod", "Swydd yn y grŵp", "Cyfeirnod: RCF-2026-0007 · Sefydliad:"):
        assert fact in whole, fact
    for letter in ("ŵ", "ŷ", "Ŵ", "Ŷ", "â", "ê", "î", "ô", "û"):
        assert letter in whole
    assert text[0].endswith(f"Tudalen 1 o {pages}")
    assert "Page 1" not in whole and "Our reference" not in whole


def test_every_font_in_the_pdf_is_embedded_and_can_write_welsh():
    _pages, reader, _text = _render([welsh(), award()])
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            seen.add(str(font["/BaseFont"]))
            descriptor = font["/FontDescriptor"].get_object() if "/FontDescriptor" in font else \
                font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]  # a TrueType font, embedded
    assert seen and all("DejaVu" in name for name in seen), seen


def test_a_bilingual_letter_prints_welsh_in_full_then_english_in_full():
    pages, _reader, text = _render([bilingual("RCF-2026-0008", side_by_side=False)])
    assert pages == len(text) >= 2
    welsh_page, english_page = text[0], text[1]
    assert f"Dyfarniad Cronfa Gymunedol y Rhyl: {WELSH_AWARD}" in welsh_page
    assert "Ein cyfeirnod: RCF-2026-0008" in welsh_page and "Yn gywir" in welsh_page
    assert "Rhyl Community Fund award" not in welsh_page and "Dear Siân" not in welsh_page
    assert f"Rhyl Community Fund award: {WELSH_AWARD}" in english_page
    assert "Our reference: RCF-2026-0008" in english_page and "Yours sincerely" in english_page
    assert "Annwyl" not in english_page
    whole = " ".join(text)
    # one slip to sign, in both languages, after both letters
    assert whole.count("Derbyn y cynnig grant") == 1 and whole.count("Acceptance of grant offer") == 1
    assert whole.index("Acceptance of grant offer") > whole.index("Yours sincerely")
    assert "Llofnod / Signed" in whole and "Swydd yn y grŵp / Position in the group" in whole
    # page numbers run on through the whole letter, in both languages
    for n, page in enumerate(text, start=1):
        assert page.endswith(f"Tudalen {n} o {pages} · Page {n} of {pages}"), page[-60:]


def test_a_side_by_side_letter_lines_each_welsh_paragraph_up_with_its_english():
    pages, reader, text = _render([bilingual("RCF-2026-0009", side_by_side=True)])
    first = reader.pages[0]
    assert "Ein cyfeirnod / Our reference: RCF-2026-0009" in text[0]
    assert "16 Mehefin 2026 16 June 2026" in text[0]
    pairs = [("Dyfarniad Cronfa", "Rhyl Community Fund award"), ("Annwyl Siân Ŵyn,", "Dear Siân Ŵyn,"),
             ("Mae panel Cronfa", "The panel of the Rhyl"), ("Bydd yr arian", "The money will pay"),
             ("Llythrennau:", "We look forward"), ("Amodau'r grant", "Conditions of the grant")]
    for welsh_start, english_start in pairs:
        wx, wy = _where(first, welsh_start)
        ex, ey = _where(first, english_start)
        assert wx < ex  # Welsh on the left
        assert wy == pytest.approx(ey, abs=0.2), (welsh_start, english_start)  # each pair starts on one line
    whole = " ".join(text)
    assert f"Llythrennau: {WELSH_LETTERS}." in whole
    assert "Yn gywir / Yours sincerely" in whole
    assert whole.count("Derbyn y cynnig grant") == 1 and whole.count("Acceptance of grant offer") == 1
    assert text[0].endswith(f"Tudalen 1 o {pages} · Page 1 of {pages}")


def test_a_side_by_side_paragraph_longer_than_a_page_flows_on_to_the_next():
    cy = dataclasses.replace(welsh_text(), paragraphs=("Gŵyl " * 900, "Y diwedd."))
    en = dataclasses.replace(english_text(), paragraphs=("Festival " * 700, "The end."))
    letter = dataclasses.replace(bilingual("RCF-2026-0010", side_by_side=True), texts=(cy, en))
    pages, _reader, text = _render([letter, decline()])
    mine = [page for page in text if "RCF-2026-0010" in page]
    assert len(mine) >= 3 and pages == len(mine) + 1
    assert "Y diwedd." in " ".join(mine) and "The end." in " ".join(mine)
    assert mine[-1].endswith(f"Tudalen {len(mine)} o {len(mine)} · Page {len(mine)} of {len(mine)}")


# --- a batch -----------------------------------------------------------------------------------------


def test_each_letter_of_a_batch_starts_a_new_page_and_counts_its_own_pages():
    batch = [award("CF-2026-0001"), decline("CF-2026-0002"), welsh("RCF-2026-0003"),
             bilingual("RCF-2026-0004", side_by_side=False), bilingual("RCF-2026-0005", side_by_side=True),
             award("CF-2026-0006", organisation="Millbrook Lunch Club")]
    refs = [x.reference for x in batch]
    pages, _reader, text = _render(batch)
    assert pages == len(text)
    owner = []
    for page in text:
        on_page = [r for r in refs if r in page]
        assert len(on_page) == 1, on_page  # never two letters on one page
        owner.append(on_page[0])
    starts = {r: owner.index(r) for r in refs}
    assert sorted(starts.values()) == [starts[r] for r in refs]  # in batch order
    counts = {r: owner.count(r) for r in refs}
    assert counts["CF-2026-0002"] == 1 and counts["CF-2026-0001"] == 2 == counts["CF-2026-0006"]
    assert sum(counts.values()) == pages
    for r in refs:
        first, total = starts[r], counts[r]
        assert ("Page 1 of" in text[first]) or ("Tudalen 1 o" in text[first])
        for n in range(total):
            page = text[first + n]
            assert page.endswith(f"Page {n + 1} of {total}") or page.endswith(f"Tudalen {n + 1} o {total}"), page[-40:]
        # the letter's first page is where its letterhead, recipient and subject are
        assert ("Our reference: " + r in text[first]) or ("Ein cyfeirnod: " + r in text[first]) \
            or ("Ein cyfeirnod / Our reference: " + r in text[first])
    assert text[starts["CF-2026-0001"] + 1].endswith("Page 2 of 2")
    assert "Millbrook Lunch Club" in text[starts["CF-2026-0006"]]


def test_the_acceptance_slip_is_never_split_across_pages():
    # letters of growing length push the slip further down until it has to move to the next page
    batch = [award(f"CF-2026-{n:04d}", paragraphs=n) for n in range(1, 12)]
    _pages, _reader, text = _render(batch)
    for letter in batch:
        pages = [page for page in text if letter.reference in page]
        with_slip = [page for page in pages if "Acceptance of grant offer" in page]
        assert len(with_slip) == 1, letter.reference
        slip_page = with_slip[0]
        for part in ("✂", f"Reference: {letter.reference}", "Please return this slip by 14 July 2026", "Signed",
                     "Position in the group", "Please return this slip to: Harbourside District Council"):
            assert part in slip_page, (letter.reference, part)
        assert slip_page.index("Acceptance of grant offer") > slip_page.index("✂")


def test_progress_is_told_once_per_letter_in_order():
    batch = [award("CF-2026-0001"), decline("CF-2026-0002"), welsh("RCF-2026-0003")]
    progress = Recorder()
    _render(batch, progress=progress)
    assert [(d, t) for d, t, _ in progress.calls] == [(1, 3), (2, 3), (3, 3)]
    assert "CF-2026-0001" in progress.calls[0][2] and "Gŵyl Gerdd Tŷ Llŷn" in progress.calls[2][2]


def test_a_path_target_is_written_whole_and_names_its_pages(tmp_path):
    target = tmp_path / "round 3 letters.pdf"
    pages = letters_pdf([award(), decline()], target)
    assert pages == 3 == len(PdfReader(target).pages)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["round 3 letters.pdf"]  # no temporary file left


def test_a_cancelled_batch_leaves_nothing_at_the_target(tmp_path):
    from ui.tasks import Cancelled, Progress  # the GUI's own progress: Cancel makes the next report raise

    target = tmp_path / "letters.pdf"
    seen: list[tuple[int, int, str]] = []

    def emit(done: int, total: int, label: str) -> None:
        seen.append((done, total, label))
        if done == 1:
            progress.cancel()  # the officer presses Cancel while the first letter is reported

    progress = Progress(emit)
    with pytest.raises(Cancelled):
        letters_pdf([award("CF-2026-0001"), award("CF-2026-0002"), award("CF-2026-0003")], target,
                    progress=progress)
    assert [(d, t) for d, t, _ in seen] == [(1, 3)]
    assert list(tmp_path.iterdir()) == []  # neither the PDF nor its temporary file


def test_a_cancelled_batch_leaves_an_earlier_pdf_as_it_was(tmp_path):
    target = tmp_path / "letters.pdf"
    letters_pdf([decline()], target)
    before = target.read_bytes()
    with pytest.raises(Stop):
        letters_pdf([award("CF-2026-0001"), award("CF-2026-0002")], target, progress=Recorder(stop_at=1))
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["letters.pdf"]


def test_nothing_to_print_and_a_letter_in_three_languages_are_refused(tmp_path):
    with pytest.raises(ValidationError):
        letters_pdf([], tmp_path / "none.pdf")
    three = Letter(kind="award", reference="X-1", organisation="Group", recipient=("A",), letterhead=HEAD,
                   signatory=OFFICER, texts=(welsh_text(), english_text(), english_text()))
    with pytest.raises(ValidationError, match="X-1"):
        letters_pdf([award(), three], tmp_path / "three.pdf")
    assert list(tmp_path.iterdir()) == []


# --- the logo ------------------------------------------------------------------------------------------


def test_a_logo_is_decoded_once_per_distinct_image_and_embedded_once(monkeypatch):
    decoded = []
    real = letters_module.ImageReader

    def counting(source):
        decoded.append(source)
        return real(source)

    monkeypatch.setattr(letters_module, "ImageReader", counting)
    red = Letterhead(council="Red Council", logo=_logo((200, 30, 30)))
    same_again = Letterhead(council=HEAD.council, address=HEAD.address, logo=bytes(bytearray(HEAD.logo)))
    batch = [award("CF-1"), award("CF-2"), award("CF-3", head=same_again), award("CF-4", head=red), decline("CF-5")]
    _pages, reader, _text = _render(batch)
    assert len(decoded) == 2  # two distinct images, however many letters and Letterhead objects
    forms, images = set(), set()
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        for name in xobjects:
            ref = xobjects.raw_get(name)
            forms.add(ref.idnum)  # the PDF object each page draws its logo from
            form = ref.get_object()
            assert form["/Subtype"] == "/Form"
            inner = form["/Resources"]["/XObject"]
            images.update(inner.raw_get(n).idnum for n in inner if inner[n]["/Subtype"] == "/Image")
    assert len(forms) == 2 and len(images) == 2  # each logo's image is in the PDF once


@pytest.mark.parametrize("logo", [b"not an image", _logo()[:-40]], ids=["not an image", "truncated PNG"])
def test_a_logo_that_cannot_be_printed_is_refused_before_anything_is_written(tmp_path, logo):
    broken = Letterhead(council="Broken Council", logo=logo)
    with pytest.raises(ValidationError, match="logo"):
        letters_pdf([award(), award("CF-9", head=broken)], tmp_path / "letters.pdf")
    assert list(tmp_path.iterdir()) == []


# --- one file per letter -----------------------------------------------------------------------------


def test_split_writes_one_pdf_per_letter_named_by_reference(tmp_path):
    batch = [award("CF-2026-0001"), decline("CF-2026-0002"), welsh("RCF-2026-0003"),
             bilingual("RCF/2026 0004", side_by_side=True)]
    progress = Recorder()
    paths = split_letters(batch, tmp_path / "round 3", progress=progress)
    assert [p.name for p in paths] == ["CF-2026-0001-award.pdf", "CF-2026-0002-decline.pdf",
                                       "RCF-2026-0003-award.pdf", "RCF-2026-0004-award.pdf"]
    assert sorted(p.name for p in (tmp_path / "round 3").iterdir()) == sorted(p.name for p in paths)
    assert [(d, t) for d, t, _ in progress.calls] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    for letter, path in zip(batch, paths, strict=True):
        reader = PdfReader(path)
        text = [_flat(page.extract_text()) for page in reader.pages]
        whole = " ".join(text)
        assert letter.reference in whole
        assert all(other.reference not in whole for other in batch if other is not letter)
        assert text[0].endswith(f"1 of {len(text)}") or text[0].endswith(f"1 o {len(text)}")
    assert "Acceptance of grant offer" in " ".join(p.extract_text() for p in PdfReader(paths[0]).pages)
    assert "ŵ ŷ Ŵ Ŷ â ê î ô û" in _flat(" ".join(p.extract_text() for p in PdfReader(paths[2]).pages))


def test_split_file_names_are_safe_and_never_collide(tmp_path):
    odd = award("../PHP 2026:0042?")
    assert letter_file_name(odd) == "PHP-2026-0042-award.pdf"
    assert letter_file_name(award("CON")) == "CON-award.pdf"
    paths = split_letters([award("CF-7"), award("CF-7"), award("cf-7")], tmp_path)
    assert [p.name for p in paths] == ["CF-7-award.pdf", "CF-7-award-2.pdf", "cf-7-award-3.pdf"]
    assert all(p.parent == tmp_path for p in paths)


def test_a_cancelled_split_leaves_the_folder_as_it_was(tmp_path):
    earlier = tmp_path / "CF-2026-0001-award.pdf"
    earlier.write_bytes(b"the letter printed last week")
    with pytest.raises(Stop):
        split_letters([award("CF-2026-0001"), award("CF-2026-0002"), award("CF-2026-0003")], tmp_path,
                      progress=Recorder(stop_at=3))
    assert [p.name for p in tmp_path.iterdir()] == [earlier.name]
    assert earlier.read_bytes() == b"the letter printed last week"


def test_split_then_batch_agree_on_pages(tmp_path):
    batch = [award("CF-2026-0001"), decline("CF-2026-0002"), bilingual("RCF-2026-0003", side_by_side=False)]
    total = letters_pdf(batch, tmp_path / "all.pdf")
    paths = split_letters(batch, tmp_path / "each")
    assert total == sum(len(PdfReader(p).pages) for p in paths)
    assert isinstance(paths[0], Path)


def test_the_batch_reports_where_each_letter_starts(sample_db):
    import io
    from datetime import date

    from grantdesk.services.letters import build_letters

    batch = build_letters(sample_db, "RHYL", "award", day=date(2026, 8, 3))
    starts: list[int] = []
    pages = letters_pdf(batch.letters, io.BytesIO(), page_starts=starts)
    assert len(starts) == len(batch.letters) and starts[0] == 0 and starts == sorted(starts)
    assert pages == starts[-1] + 4  # each Rhyl letter is Welsh and English, two pages each
