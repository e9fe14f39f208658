"""A round's letters from the services: who gets which letter, in which language, with what words;
templates checked before anything is built; each letter recorded against its application."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from grantdesk.domain.dates import format_date
from grantdesk.domain.letters import TemplateError
from grantdesk.services import letters
from grantdesk.services.applications import list_application_rows
from grantdesk.store.models import Fund

DAY = date(2026, 8, 3)


def test_award_letters_name_the_amount_in_figures_and_words_and_who_decided(sample_db):
    batch = letters.build_letters(sample_db, "PHP", "award", day=DAY, officer="Rachel Bateman")
    awarded = [r for r in list_application_rows(sample_db, "PHP") if r.status == "awarded"]
    assert len(batch.letters) == len(awarded) and not batch.skipped
    text = batch.letters[0].texts[0]
    assert text.language == "en" and text.salutation.startswith("Dear ")
    body = " ".join(text.paragraphs)
    assert "and for no other purpose" in body and "pounds" in body and "Cllr " in body
    assert text.date_text == "3 August 2026" and text.slip is not None
    joint = [x for x in batch.letters if " and Cllr " in " ".join(x.texts[0].paragraphs)]
    assert joint, "the jointly funded award names both councillors"
    assert all("{" not in p and "}" not in p for x in batch.letters for t in x.texts for p in t.paragraphs)


def test_a_bilingual_fund_writes_welsh_first_then_english(sample_db):
    batch = letters.build_letters(sample_db, "RHYL", "award", day=DAY)
    assert batch.letters
    for letter in batch.letters:
        assert letter.languages == ("cy", "en")
        welsh = letter.texts[0]
        assert welsh.salutation.startswith("Annwyl ") and welsh.closing == "Yn gywir"
        assert "Awst 2026" in welsh.date_text  # the date in Welsh
        assert "at y diben hwnnw yn unig" in " ".join(welsh.paragraphs)


def test_decline_letters_carry_the_recorded_reason_and_panel_letters_name_the_panel(sample_db):
    batch = letters.build_letters(sample_db, "BBL", "decline", day=DAY)
    gaming = next(x for x in batch.letters if "e-sports" in " ".join(x.texts[0].paragraphs)
                  or "gaming" in x.texts[0].subject.lower())
    body = " ".join(gaming.texts[0].paragraphs)
    assert "public-health money" in body and "Blackbird Leys Community Panel" in body
    voted = letters.build_letters(sample_db, "BBL", "award", day=DAY)
    assert any("community vote" in " ".join(x.texts[0].paragraphs) for x in voted.letters)


def test_an_unknown_merge_field_stops_the_batch_before_anything_is_built(sample_db):
    with sample_db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund).where(Fund.code == "PHP"))
        fund.settings = {**fund.settings, "letters": {"templates": {"award": {"en": {
            "paragraphs": ["We award {amount} to {organisaton}."]}}}}}
        uow.commit()
    with pytest.raises(TemplateError, match=r"Award letter \(en\): In the paragraph 1: “\{organisaton\}” is not"):
        letters.build_letters(sample_db, "PHP", "award", day=DAY)


def test_each_letter_produced_is_recorded_against_its_application(sample_db):
    batch = letters.build_letters(sample_db, "BBL", "deferral", day=DAY, officer="Tom Adeyemi")
    [letter] = batch.letters
    assert "safeguarding policy" in " ".join(letter.texts[0].paragraphs)
    assert letters.record_letters(sample_db, batch, actor="Tom Adeyemi", day=DAY) == 1
    [done] = letters.letters_produced(sample_db, letter.application_id)
    assert (done["kind"], done["languages"], done["date"], done["by"]) == ("deferral", ["en"], "2026-08-03",
                                                                          "Tom Adeyemi")


def test_a_welsh_letter_names_the_council_in_welsh_and_the_letterhead_in_both(sample_db):
    [first, *_] = letters.build_letters(sample_db, "RHYL", "award", day=DAY).letters
    welsh, english = first.texts
    assert "Cyngor Sir Ddinbych" in " ".join(welsh.paragraphs)
    assert "Denbighshire County Council" in " ".join(english.paragraphs)
    assert first.letterhead.council == "Cyngor Sir Ddinbych / Denbighshire County Council"
    assert first.signatory.name == "Siân Pritchard" and "Swyddog" in first.signatory.role


def test_the_letters_command_prints_a_rounds_batch_and_records_it(sample_path, sample_db, tmp_path, capsys):
    from pypdf import PdfReader

    from grantdesk.cli import main

    out, split = tmp_path / "awards.pdf", tmp_path / "each"
    assert main(["letters", "--fund", "php", "--kind", "award", "--round", "2026", "--out", str(out),
                 "--split", str(split), "--db", str(sample_path)]) == 0
    said = capsys.readouterr().out
    awarded_now = [r for r in list_application_rows(sample_db, "PHP")
                   if r.status == "awarded" and r.reference.startswith("PHP-2026")]
    assert f"{len(awarded_now)} award letters" in said
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert all(r.reference in text for r in awarded_now) and "Rachel Bateman" in text
    assert sorted(p.name.split("-award")[0] for p in split.iterdir()) == sorted(r.reference for r in awarded_now)
    assert letters.letters_produced(sample_db, awarded_now[0].id)[0]["kind"] == "award"
    assert main(["letters", "--fund", "PHP", "--kind", "award", "--round", "1999", "--out", str(out),
                 "--db", str(sample_path)]) == 1
    assert "no round called “1999”" in capsys.readouterr().err


def test_a_purpose_written_as_a_sentence_reads_well_mid_sentence():
    assert letters._mid_sentence("Two wheelchair-height raised beds", "en") == "two wheelchair-height raised beds"
    assert letters._mid_sentence("Welsh-medium storytelling", "en") == "Welsh-medium storytelling"
    assert letters._mid_sentence("Offer chwarae", "cy") == "Offer chwarae"


def test_a_payment_letter_confirms_each_payment_with_what_is_paid_and_outstanding(sample_db):
    from grantdesk.store.models import Application, Award, Payment

    with sample_db.unit_of_work() as uow:  # payments are recorded by issue 8's screens; here by hand
        s = uow.session
        award = s.scalar(select(Award).join(Application).where(Application.reference == "PHP-2026-0001"))
        s.add_all([Payment(award_id=award.id, paid_on=date(2026, 8, 10), amount_pence=40_000, method="BACS",
                           reference="PHP-PAY-0001"),
                   Payment(award_id=award.id, paid_on=date(2026, 9, 10), amount_pence=20_000, method="BACS",
                           reference="PHP-PAY-0002")])
        uow.commit()
    batch = letters.build_letters(sample_db, "PHP", "payment", day=DAY)
    first, second = [x for x in batch.letters if x.reference == "PHP-2026-0001"]
    assert first.reference == second.reference == "PHP-2026-0001"
    text = " ".join(first.texts[0].paragraphs)
    assert "£400.00" in text and "10 August 2026" in text and "PHP-PAY-0001" in text
    assert "So far we have paid £400.00; £200.00 is still to be paid." in text
    assert "So far we have paid £600.00; £0.00 is still to be paid." in " ".join(second.texts[0].paragraphs)


def test_the_award_letter_gives_the_monitoring_due_dates_of_the_payments_rule(sample_db):
    """PHP's rule for a grant over £500: receipts two months after the award, the end-of-grant note after
    twelve — not a date of the letter's own (it once said a month after spend-by)."""
    from grantdesk.domain.monitoring import add_months
    from grantdesk.store.models import Application, Award

    batch = letters.build_letters(sample_db, "PHP", "award", day=DAY)
    this_year = next(x for x in batch.letters if x.reference == "PHP-2026-0001").texts[0]
    with sample_db.session() as s:
        award = s.scalar(select(Award).join(Application).where(Application.reference == "PHP-2026-0001"))
    [said] = [p for p in this_year.paragraphs if "what you spent" in p]
    update, final = add_months(award.awarded_on, 2), add_months(award.awarded_on, 12)
    assert said.startswith(f"By {format_date(update, 'en_GB', 'long')}, we would like a short update")
    assert f"with evidence of what you spent, by {format_date(final, 'en_GB', 'long')}." in said


def _award_letters(db):
    return {x.reference: x for code in ("PHP", "BBL", "RHYL")
            for x in letters.build_letters(db, code, "award", day=DAY).letters}


def test_every_award_letter_and_its_monitoring_records_give_the_same_dates(sample_db):
    """One rule: a letter written before the award's monitoring records exist names the dates the
    records are then made with, and every award letter in the sample funds names its records' dates."""
    from grantdesk.services import payments
    from grantdesk.store.models import Application, Award, MonitoringDue

    before = _award_letters(sample_db)
    with sample_db.session() as s:
        awards = {ref: award for award, ref in s.execute(
            select(Award, Application.reference).join(Application).where(Application.reference.in_(before)))}
        with_records = set(s.scalars(select(MonitoringDue.award_id)))
    missing = [a.id for a in awards.values() if a.id not in with_records]
    assert missing and len(missing) < len(awards)  # some letters read records, some the rule alone
    for award_id in missing:
        payments.set_monitoring(sample_db, award_id)
    after = _award_letters(sample_db)
    assert after == before  # making the records changed no letter

    owing = 0
    with sample_db.session() as s:
        for ref, letter in after.items():
            due = sorted(s.scalars(select(MonitoringDue.due_on).where(MonitoringDue.award_id == awards[ref].id)))
            for text in letter.texts:
                locale = {"en": "en_GB", "cy": "cy_GB"}[text.language]
                said = [p for p in text.paragraphs if any(format_date(d, locale, "long") in p for d in due)]
                if not due:
                    assert not any("what you spent" in p or "wariwyd" in p for p in text.paragraphs), ref
                    continue
                owing += 1
                [paragraph] = said
                assert all(format_date(d, locale, "long") in paragraph for d in due), (ref, paragraph)
                spend_by = awards[ref].spend_by
                if spend_by is not None and spend_by + timedelta(days=30) not in due:  # the letter's old rule
                    assert format_date(spend_by + timedelta(days=30), locale, "long") not in paragraph
    assert owing == sum(len(x.texts) for x in after.values())  # every award here owes a report


def test_a_grant_too_small_to_owe_a_report_gets_no_monitoring_paragraph(sample_db):
    from grantdesk.store.models import Application, Award, MonitoringDue

    with sample_db.unit_of_work() as uow:  # BBL uses the default rule: nothing asked of a grant under £500
        award, reference = uow.session.execute(select(Award, Application.reference).join(Application).where(
            Application.fund_id == uow.session.scalar(select(Fund.id).where(Fund.code == "BBL")),
            Application.status == "awarded", ~Award.id.in_(select(MonitoringDue.award_id)))
            .order_by(Application.reference).limit(1)).one()
        award.amount_pence = 40_000
        uow.commit()
    letter = _award_letters(sample_db)[reference]
    assert not any("what you spent" in p for p in letter.texts[0].paragraphs)
    assert "£400.00" in " ".join(letter.texts[0].paragraphs)
