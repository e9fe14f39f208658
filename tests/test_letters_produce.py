"""Making, saving (or printing) and recording a round's letters is one service, in one transaction:
the files appear only when every one is drawn, and the letters are recorded only then."""

import errno
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from grantdesk.domain.changes import Kind
from grantdesk.domain.letters import LettersChanged, LettersNotWritten
from grantdesk.reports import letters as pdf
from grantdesk.reports.letters import PDF_LETTERS
from grantdesk.services import letters
from grantdesk.services.applications import list_application_rows
from grantdesk.services.funds import list_funds
from grantdesk.store.models import AuditEntry
from grantdesk.store.unit_of_work import recording

DAY = date(2026, 8, 3)


def round_of(db, code="PHP", year=2026):
    fund = next(f for f in list_funds(db) if f.code == code)
    return next(r.id for r in fund.rounds if r.financial_year == year)


def recorded_count(db) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "letter.produce"))


@pytest.fixture
def folder(tmp_path):
    """Where the letters go (the test's database is beside it, not in it)."""
    made = tmp_path / "letters"
    made.mkdir()
    return made


def everything_in(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_the_batch_and_one_file_per_applicant_are_saved_and_each_letter_recorded_in_one_commit(sample_db, folder):
    rid = round_of(sample_db)
    out, each = folder / "awards.pdf", folder / "each"
    with recording() as record:
        made = letters.produce_letters(sample_db, "PHP", "award", round_id=rid, day=DAY, officer="Rachel Bateman",
                                       renderer=PDF_LETTERS, out=out, split_dir=each)
    refs = sorted(r.reference for r in list_application_rows(sample_db, "PHP", rid) if r.status == "awarded")
    assert [x.reference for x in made.recorded] == refs and made.out == out
    assert len(PdfReader(out).pages) == made.pages >= len(refs)
    assert sorted(p.name for p in made.files) == sorted(f"{r}-award.pdf" for r in refs)
    assert everything_in(folder) == sorted(["awards.pdf", "each", *(f"each/{r}-award.pdf" for r in refs)])
    assert record.commits == 1
    assert Kind.LETTERS in record.changes.kinds
    assert record.changes.applications == {x.application_id for x in made.recorded}
    for letter in made.recorded:
        [entry] = letters.letters_produced(sample_db, letter.application_id)
        assert (entry["kind"], entry["date"], entry["by"]) == ("award", "2026-08-03", "Rachel Bateman")


class DrawingFailed(Exception):
    pass


@pytest.mark.parametrize("fail_at", [1, 3], ids=["the batch PDF", "a per-applicant PDF"])
def test_if_drawing_fails_no_file_is_left_and_no_letter_recorded(sample_db, folder, monkeypatch, fail_at):
    real, calls = pdf._build, []

    def build(*args, **kwargs):
        calls.append(1)
        if len(calls) == fail_at:
            raise DrawingFailed("the drawing broke")
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "_build", build)
    (folder / "earlier.pdf").write_bytes(b"kept")
    with pytest.raises(DrawingFailed):
        letters.produce_letters(sample_db, "PHP", "award", round_id=round_of(sample_db), day=DAY,
                                renderer=PDF_LETTERS, out=folder / "awards.pdf", split_dir=folder / "each")
    assert len(calls) == fail_at
    assert everything_in(folder) == ["earlier.pdf"]  # no PDF, no folder made for them, no temporary file
    assert recorded_count(sample_db) == 0


def test_cancel_while_drawing_leaves_nothing(sample_db, folder):
    class Cancelled(Exception):
        pass

    class Progress:
        def report(self, done, total, label=""):
            if done >= 3:
                raise Cancelled()

    with pytest.raises(Cancelled):
        letters.produce_letters(sample_db, "PHP", "award", day=DAY, renderer=PDF_LETTERS,
                                out=folder / "awards.pdf", split_dir=folder / "each", progress=Progress())
    assert everything_in(folder) == [] and recorded_count(sample_db) == 0


def test_a_full_disk_or_missing_folder_is_a_refusal_that_names_where(sample_db, folder, monkeypatch):
    with pytest.raises(LettersNotWritten) as missing:
        letters.produce_letters(sample_db, "PHP", "award", day=DAY, renderer=PDF_LETTERS,
                                out=folder / "no such folder" / "awards.pdf")
    assert missing.value.path == str(folder / "no such folder" / "awards.pdf")
    assert "No such file or directory" in missing.value.reason

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pdf, "_build", full)
    with pytest.raises(LettersNotWritten) as no_space:
        letters.produce_letters(sample_db, "PHP", "award", day=DAY, renderer=PDF_LETTERS, out=folder / "a.pdf")
    assert no_space.value.reason == "No space left on device"
    assert everything_in(folder) == [] and recorded_count(sample_db) == 0


def test_letters_that_changed_since_they_were_seen_are_refused(sample_db, folder):
    seen = letters.build_letters(sample_db, "PHP", "award", day=DAY).letters
    with pytest.raises(LettersChanged) as changed:
        letters.produce_letters(sample_db, "PHP", "award", day=DAY, renderer=PDF_LETTERS, out=folder / "a.pdf",
                                expect=seen[1:])
    assert changed.value.added == (seen[0].reference,) and not changed.value.removed
    assert everything_in(folder) == [] and recorded_count(sample_db) == 0
    made = letters.produce_letters(sample_db, "PHP", "award", day=DAY, renderer=PDF_LETTERS, out=folder / "a.pdf",
                                   expect=seen)
    assert made.recorded == seen


def test_a_delivery_step_records_only_what_it_sent_and_a_failed_one_records_nothing(sample_db):
    sent_to = []

    def print_two(batch, _progress):
        sent_to.extend(batch)
        return batch[:2]

    made = letters.produce_letters(sample_db, "RHYL", "award", day=DAY, deliver=print_two)
    assert len(sent_to) > 2 and made.recorded == tuple(sent_to[:2]) and made.out is None
    assert recorded_count(sample_db) == 2

    def jammed(_batch, _progress):
        raise OSError(errno.EIO, "Input/output error")

    with pytest.raises(LettersNotWritten):
        letters.produce_letters(sample_db, "RHYL", "award", day=DAY, deliver=jammed)
    assert recorded_count(sample_db) == 2


def test_a_round_with_nobody_to_write_to_writes_and_records_nothing(sample_db, folder):
    made = letters.produce_letters(sample_db, "PHP", "deferral", round_id=round_of(sample_db, year=2025), day=DAY,
                                   renderer=PDF_LETTERS,
                                   out=folder / "none.pdf", split_dir=folder / "each")
    assert made.recorded == () and made.out is None
    assert everything_in(folder) == [] and recorded_count(sample_db) == 0


def test_the_command_line_keeps_nothing_when_a_letter_cannot_be_drawn(sample_path, sample_db, folder, capsys,
                                                                       monkeypatch):
    from grantdesk.cli import main

    real, calls = pdf._build, []

    def build(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:  # the batch PDF was drawn, and two of the per-applicant ones
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "_build", build)
    out, each = folder / "awards.pdf", folder / "each"
    assert main(["letters", "--fund", "PHP", "--kind", "award", "--round", "2026", "--out", str(out),
                 "--split", str(each), "--db", str(sample_path)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert everything_in(folder) == [] and recorded_count(sample_db) == 0
