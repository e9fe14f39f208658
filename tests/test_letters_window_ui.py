"""The letters window, driven through its widgets: make a round's batch in the background, preview it,
save it (and one PDF per applicant), print it, and find each letter recorded against its application."""

import io
import threading
from datetime import date

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QProgressDialog, QPushButton
from sqlalchemy import delete, select

from grantdesk.reports.letters import letters_pdf
from grantdesk.services import letters
from grantdesk.services.applications import list_application_rows
from grantdesk.services.funds import list_funds
from grantdesk.store.models import Application, Award, Fund
from ui.letters_window import LettersWindow, language_label

TIMEOUT = 60_000
DAY = date(2026, 8, 3)


def round_id(db, code, year=2026):
    fund = next(f for f in list_funds(db) if f.code == code)
    return next(r.id for r in fund.rounds if r.financial_year == year)


def open_window(qtbot, db, runner, code):
    window = LettersWindow(db, runner, code)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.start()
    return window


def make(qtbot, window, kind="award", round_id=None):
    """Choose the kind, round and date with the controls, then press Ctrl+Return."""
    window.kind_combo.setCurrentIndex(window.kind_combo.findData(kind))
    window.round_combo.setCurrentIndex(window.round_combo.findData(round_id) if round_id else 0)
    window.date_edit.setDate(DAY)
    with qtbot.waitSignal(window.batch_ready, timeout=TIMEOUT):
        qtbot.keyClick(window.kind_combo, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def awarded(db, code, rid=None):
    return sorted(r.reference for r in list_application_rows(db, code, rid) if r.status == "awarded")


def recorded(db, code):
    """Every application of the fund with the letters recorded against it."""
    return {r.reference: letters.letters_produced(db, r.id) for r in list_application_rows(db, code)}


def list_rows(window):
    tree = window.letter_list
    return [[tree.topLevelItem(i).text(c) for c in range(4)] for i in range(tree.topLevelItemCount())]


def test_a_rounds_award_letters_are_made_in_the_background_and_previewed(qtbot, sample_db, runner):
    window = open_window(qtbot, sample_db, runner, "PHP")
    rid = round_id(sample_db, "PHP")
    assert window.round_combo.currentData() == rid  # the newest round is chosen
    assert [window.round_combo.itemText(i) for i in range(window.round_combo.count())][0] == "All rounds"
    assert not window.save_button.isEnabled() and not window.print_button.isEnabled()
    keys = {b.accessibleName(): b.shortcut().toString() for b in (window.make_button, window.save_button,
                                                                  window.print_button)}
    assert keys == {"Make letters": "Ctrl+Return", "Save PDF": "Ctrl+S", "Print": "Ctrl+P"}
    assert window.letter_list.accessibleName() and window.view.accessibleName() and window.round_combo.accessibleName()
    make(qtbot, window, "award", rid)

    rows = list_rows(window)
    assert [r[0] for r in rows] == awarded(sample_db, "PHP", rid) and len(rows) == 12
    assert {r[2] for r in rows} == {"English"} and all(r[1] for r in rows)
    batch = letters.build_letters(sample_db, "PHP", "award", round_id=rid, day=DAY)
    pages = letters_pdf(batch.letters, io.BytesIO())
    assert window.document.pageCount() == pages == window.made.pages >= len(batch.letters)
    assert "12 award letters" in window.summary.text() and "3 August 2026" in window.summary.text()
    assert window.save_button.isEnabled() and window.print_button.isEnabled()
    assert window.current_page() == 0 and window.page_spin.value() == 1

    # each letter's pages are where the list says, and choosing one scrolls the preview to it
    assert window.made.starts[0] == 0 and list(window.made.starts) == sorted(window.made.starts)
    scroll = window.view.verticalScrollBar()
    before = scroll.value()
    window.letter_list.setCurrentItem(window.letter_list.topLevelItem(5))
    start = window.made.starts[5]
    assert start > 0 and window.current_page() == start and window.page_spin.value() == start + 1
    assert rows[5][3].startswith(f"{start + 1}")
    at_sixth = scroll.value()
    assert at_sixth > before
    window.letter_list.setCurrentItem(window.letter_list.topLevelItem(0))
    assert window.current_page() == 0 and scroll.value() < at_sixth
    qtbot.mouseClick(window.next_button, Qt.MouseButton.LeftButton)
    assert window.current_page() == 1

    # making letters records nothing: only saving or printing does
    assert all(not done for done in recorded(sample_db, "PHP").values())


def test_save_writes_the_batch_and_one_file_per_applicant_and_records_each_letter(qtbot, sample_db, runner,
                                                                                   tmp_path):
    window = open_window(qtbot, sample_db, runner, "PHP")
    rid = round_id(sample_db, "PHP")
    make(qtbot, window, "award", rid)
    out, each = tmp_path / "out" / "php-awards.pdf", tmp_path / "each"
    out.parent.mkdir()
    with qtbot.waitSignal(window.saved, timeout=TIMEOUT) as saved:
        window.save_to(out, each)
    assert saved.args == [str(out)]
    assert len(PdfReader(out).pages) == window.document.pageCount()
    refs = awarded(sample_db, "PHP", rid)
    assert sorted(p.name for p in each.iterdir()) == sorted(f"{r}-award.pdf" for r in refs)
    assert sorted(p.name for p in out.parent.iterdir()) == ["php-awards.pdf"]  # no temporary file left beside
    done = recorded(sample_db, "PHP")
    for ref in refs:
        [entry] = done[ref]
        assert (entry["kind"], entry["languages"], entry["date"], entry["by"]) == ("award", ["en"], "2026-08-03",
                                                                                  "Test Officer")
    assert all(not v for k, v in done.items() if k not in refs)  # the other round's awards are untouched
    assert "Recorded 12 award letters against their applications" in window.notice.text()

    # saving again records again: each save is a letter produced
    with qtbot.waitSignal(window.saved, timeout=TIMEOUT):
        window.save_to(tmp_path / "again.pdf")
    assert all(len(recorded(sample_db, "PHP")[ref]) == 2 for ref in refs)


def test_printing_sends_every_page_to_the_printer_and_records_the_letters(qtbot, sample_db, runner, tmp_path):
    window = open_window(qtbot, sample_db, runner, "PHP")
    rid = round_id(sample_db, "PHP")
    make(qtbot, window, "award", rid)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(window.printed, timeout=TIMEOUT) as printed:
        window.print_to(printer)
    pages = window.document.pageCount()
    assert printed.args == [pages] and len(PdfReader(tmp_path / "printed.pdf").pages) == pages
    refs = awarded(sample_db, "PHP", rid)
    assert all([e["kind"] for e in recorded(sample_db, "PHP")[r]] == ["award"] for r in refs)
    assert "Recorded 12 award letters against their applications" in window.notice.text()


def test_a_page_range_prints_those_pages_and_records_only_their_letters(qtbot, sample_db, runner, tmp_path):
    window = open_window(qtbot, sample_db, runner, "PHP")
    rid = round_id(sample_db, "PHP")
    make(qtbot, window, "award", rid)
    second = window.letter_pages(1)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "some.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(second.start + 1, second.stop)  # the second letter, as typed in the print dialog
    with qtbot.waitSignal(window.printed, timeout=TIMEOUT):
        window.print_to(printer)
    assert len(PdfReader(tmp_path / "some.pdf").pages) == len(second)
    refs = awarded(sample_db, "PHP", rid)
    done = recorded(sample_db, "PHP")
    assert [ref for ref in refs if done[ref]] == [refs[1]]
    assert "Recorded 1 award letter against" in window.notice.text()


def test_a_bilingual_funds_letters_are_in_welsh_and_english(qtbot, sample_db, runner):
    window = open_window(qtbot, sample_db, runner, "RHYL")
    make(qtbot, window, "award", None)
    rows = list_rows(window)
    assert [r[0] for r in rows] == awarded(sample_db, "RHYL") and rows
    assert {r[2] for r in rows} == {"Cymraeg + English"}
    assert language_label(("cy",)) == "Cymraeg" and language_label(("en",)) == "English"
    assert window.document.pageCount() == window.made.pages


def test_an_unknown_merge_field_is_shown_before_anything_is_previewed(qtbot, sample_db, runner):
    with sample_db.unit_of_work() as uow:
        fund = uow.session.scalar(select(Fund).where(Fund.code == "PHP"))
        fund.settings = {**fund.settings, "letters": {"templates": {"award": {"en": {
            "paragraphs": ["We award {amount} to {organisaton}."]}}}}}
        uow.commit()
    window = open_window(qtbot, sample_db, runner, "PHP")
    with qtbot.waitSignal(window.failed, timeout=TIMEOUT) as failed:
        qtbot.mouseClick(window.make_button, Qt.MouseButton.LeftButton)
    assert "{organisaton}" in failed.args[0]
    assert window.notice.isVisible() and "{organisaton}" in window.notice.text()
    assert "is not a merge field" in window.notice.text()
    assert window.made is None and window.document.pageCount() == 0 and window.letter_list.topLevelItemCount() == 0
    assert not window.save_button.isEnabled() and not window.print_button.isEnabled()
    assert window.make_button.isEnabled()  # put the template right and try again


def test_an_application_without_what_its_letter_needs_is_listed_as_skipped(qtbot, sample_db, runner):
    rid = round_id(sample_db, "PHP")
    refs = awarded(sample_db, "PHP", rid)
    with sample_db.unit_of_work() as uow:
        app_id = uow.session.scalar(select(Application.id).where(Application.reference == refs[0]))
        uow.session.execute(delete(Award).where(Award.application_id == app_id))
        uow.commit()
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "award", rid)
    assert window.skipped_notice.isVisible() and refs[0] in window.skipped_notice.text()
    assert "no award to write about" in window.skipped_notice.text()
    assert [r[0] for r in list_rows(window)] == refs[1:]


def hold_the_worker(runner):
    """Keep the worker busy until the returned event is set, so what is queued next waits for it."""
    gate = threading.Event()
    runner.run(gate.wait)
    return gate


def test_cancel_while_making_leaves_no_preview_and_records_nothing(qtbot, sample_db, runner):
    window = open_window(qtbot, sample_db, runner, "PHP")
    gate = hold_the_worker(runner)
    try:
        window.make_button.click()
        [dialog] = window.findChildren(QProgressDialog)
        assert dialog.windowTitle() == "Making letters"
        dialog.findChild(QPushButton).click()  # Cancel
    finally:
        with qtbot.waitSignal(window.failed, timeout=TIMEOUT) as failed:
            gate.set()
    assert failed.args[0].startswith("Cancelled")
    assert window.made is None and window.document.pageCount() == 0 and window.letter_list.topLevelItemCount() == 0
    assert not window.save_button.isEnabled() and window.make_button.isEnabled()
    assert all(not done for done in recorded(sample_db, "PHP").values())


def test_cancel_while_saving_writes_no_file_and_records_nothing(qtbot, sample_db, runner, tmp_path):
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "award", round_id(sample_db, "PHP"))
    gate = hold_the_worker(runner)
    try:
        window.save_to(tmp_path / "letters.pdf", tmp_path / "each")
        window.cancel()
    finally:
        with qtbot.waitSignal(window.failed, timeout=TIMEOUT):
            gate.set()
    assert list(tmp_path.glob("*.pdf")) == [] and not any((tmp_path / "each").glob("*"))
    assert all(not done for done in recorded(sample_db, "PHP").values())
    assert window.save_button.isEnabled()  # the preview stays: save again when ready


def test_cancel_while_printing_records_nothing(qtbot, sample_db, runner, tmp_path):
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "award", round_id(sample_db, "PHP"))
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "cancelled.pdf"))
    gate = hold_the_worker(runner)
    try:
        window.print_to(printer)
        [dialog] = [d for d in window.findChildren(QProgressDialog) if d.windowTitle() == "Printing letters"]
        dialog.findChild(QPushButton).click()  # Cancel
    finally:
        with qtbot.waitSignal(window.failed, timeout=TIMEOUT) as failed:
            gate.set()
    assert failed.args[0].startswith("Cancelled")
    assert all(not done for done in recorded(sample_db, "PHP").values())
    assert not (tmp_path / "cancelled.pdf").exists()  # printing to a file: no blank file left behind
    assert window.print_button.isEnabled() and window.document.pageCount() == window.made.pages


def test_a_save_that_cannot_be_written_says_so_and_records_nothing(qtbot, sample_db, runner, tmp_path):
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "award", round_id(sample_db, "PHP"))
    with qtbot.waitSignal(window.failed, timeout=TIMEOUT) as failed:
        window.save_to(tmp_path / "no such folder" / "letters.pdf")
    assert failed.args[0].startswith("The letters could not be written") and "no such folder" in failed.args[0]
    assert window.notice.isVisible() and all(not done for done in recorded(sample_db, "PHP").values())


def test_a_round_with_nobody_to_write_to_says_so(qtbot, sample_db, runner):
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "deferral", round_id(sample_db, "PHP", 2025))
    assert "There are no deferral letters to make: no application in this round is deferred" in window.notice.text()
    assert window.letter_list.topLevelItemCount() == 0 and window.document.pageCount() == 0
    assert not window.save_button.isEnabled() and not window.print_button.isEnabled()


def test_the_template_editor_opens_from_the_letters_window_and_payment_letters_are_offered(qtbot, sample_db, runner):
    window = open_window(qtbot, sample_db, runner, "RHYL")
    assert window.kind_combo.findData("payment") >= 0
    with qtbot.waitSignal(window.templates_button.clicked, timeout=TIMEOUT):
        qtbot.mouseClick(window.templates_button, Qt.MouseButton.LeftButton)
    editor = window.template_editor
    qtbot.waitUntil(lambda: editor.isVisible(), timeout=TIMEOUT)
    window.edit_templates()
    assert window.template_editor is editor  # one editor per letters window


def test_the_command_line_and_the_window_record_the_same_letters(qtbot, sample_path, sample_template, runner,
                                                                 tmp_path):
    """Both call produce_letters: the same PDF pages, the same files and the same records."""
    import shutil

    from grantdesk.cli import main
    from grantdesk.config import database_location
    from grantdesk.store.database import open_database
    from grantdesk.store.models import AuditEntry

    def records(db):
        with db.session() as s:
            return sorted((e.entity_id, e.actor, e.summary, str(e.after)) for e in
                          s.scalars(select(AuditEntry).where(AuditEntry.action == "letter.produce")))

    by_cli, by_window = tmp_path / "cli", tmp_path / "window"
    by_cli.mkdir()
    assert main(["letters", "--fund", "PHP", "--kind", "award", "--round", "2026", "--out", str(by_cli / "a.pdf"),
                 "--split", str(by_cli / "each"), "--db", str(sample_path)]) == 0
    other = tmp_path / "other.db"
    shutil.copyfile(sample_template, other)
    db = open_database(database_location(other))
    try:
        window = open_window(qtbot, db, runner, "PHP")
        window.kind_combo.setCurrentIndex(window.kind_combo.findData("award"))
        window.round_combo.setCurrentIndex(window.round_combo.findData(round_id(db, "PHP")))
        window.date_edit.setDate(date.today())  # the command line dates its letters today
        with qtbot.waitSignal(window.batch_ready, timeout=TIMEOUT):
            window.make_letters()
        by_window.mkdir()
        with qtbot.waitSignal(window.saved, timeout=TIMEOUT):
            window.save_to(by_window / "a.pdf", by_window / "each")
        with open_database(database_location(sample_path)) as cli_db:
            assert records(db) == records(cli_db) and len(records(db)) == 12
        assert len(PdfReader(by_window / "a.pdf").pages) == len(PdfReader(by_cli / "a.pdf").pages)
        assert sorted(p.name for p in (by_window / "each").iterdir()) == sorted(
            p.name for p in (by_cli / "each").iterdir())
        window.close()
    finally:
        db.close()


def test_a_save_whose_per_applicant_pdf_cannot_be_drawn_keeps_nothing(qtbot, sample_db, runner, tmp_path,
                                                                      monkeypatch):
    import errno

    from grantdesk.reports import letters as pdf

    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "award", round_id(sample_db, "PHP"))
    real, calls = pdf._build, []

    def build(*args, **kwargs):
        calls.append(1)
        if len(calls) == 5:  # four applicants' PDFs drawn, the fifth fails: the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "_build", build)
    with qtbot.waitSignal(window.failed, timeout=TIMEOUT) as failed:
        window.save_to(tmp_path / "letters.pdf", tmp_path / "each")
    assert failed.args[0].startswith("The letters could not be written: No space left on device")
    assert [p.name for p in tmp_path.iterdir() if p.name != "samples.db" and not p.name.startswith("samples.db-")] \
        == []  # not the batch, not the folder, not a temporary file
    assert all(not done for done in recorded(sample_db, "PHP").values())
    assert window.save_button.isEnabled()  # the preview stays: save again once there is room


def open_payments(qtbot, db, runner):
    from ui.payments_window import PaymentsWindow

    payments = PaymentsWindow(db, runner, "PHP", today=DAY)
    qtbot.addWidget(payments)
    payments.show()
    with qtbot.waitSignal(payments.loaded, timeout=TIMEOUT):
        payments.start()
    return payments


def test_a_payment_recorded_in_the_payments_window_dates_an_open_preview_of_payment_letters(qtbot, sample_db,
                                                                                            runner):
    """Payments tell everyone: the letters window showing the round's payment letters sees a new payment
    (a new letter) without being reopened, says its preview is out of date and offers only Make."""
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "payment", round_id(sample_db, "PHP"))
    before = len(list_rows(window))
    assert before and not window.stale and window.save_button.isEnabled()
    payments = open_payments(qtbot, sample_db, runner)
    line = next(x for x in payments.award_model.items if x.position.payable_now_pence >= 100
                and x.reference.startswith("PHP-2026"))
    payments.award_view.selectRow(payments.award_model.items.index(line))
    with qtbot.waitSignal(window.checked, timeout=TIMEOUT):
        payments.record_payment(100, DAY, reference="ONE-POUND")
    assert window.stale and window.stale_references == (line.reference,)
    assert "Make them again" in window.notice.text() and line.reference in window.notice.text()
    assert not window.save_button.isEnabled() and not window.print_button.isEnabled()
    assert window.make_button.isEnabled()
    with qtbot.waitSignal(window.batch_ready, timeout=TIMEOUT):
        qtbot.mouseClick(window.make_button, Qt.MouseButton.LeftButton)
    assert len(list_rows(window)) == before + 1  # the new payment's letter
    assert not window.stale and window.save_button.isEnabled() and not window.notice.isVisible()


def test_a_change_elsewhere_that_leaves_the_letters_as_they_were_keeps_the_preview(qtbot, sample_db, runner):
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "award", round_id(sample_db, "PHP"))
    payments = open_payments(qtbot, sample_db, runner)
    line = next(x for x in payments.award_model.items if x.position.payable_now_pence >= 100)
    payments.award_view.selectRow(payments.award_model.items.index(line))
    with qtbot.waitSignal(window.checked, timeout=TIMEOUT):
        payments.record_payment(100, DAY, reference="ONE-POUND")  # an award letter says nothing of payments
    assert not window.stale and window.save_button.isEnabled() and not window.notice.isVisible()


def test_a_template_saved_in_the_editor_dates_the_letters_windows_preview(qtbot, sample_db, runner):
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "award", round_id(sample_db, "PHP"))
    window.edit_templates()
    editor = window.template_editor
    qtbot.waitUntil(lambda: editor.template is not None, timeout=TIMEOUT)
    editor.closing_edit.setText("With best wishes")
    with qtbot.waitSignal(window.checked, timeout=TIMEOUT):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert window.stale and set(window.stale_references) == {r[0] for r in list_rows(window)}
    assert not window.save_button.isEnabled()


def test_saving_letters_that_changed_since_the_preview_is_refused_and_records_nothing(qtbot, sample_db, runner,
                                                                                      tmp_path):
    window = open_window(qtbot, sample_db, runner, "PHP")
    make(qtbot, window, "award", round_id(sample_db, "PHP"))
    first = list_rows(window)[0][0]
    with sample_db.unit_of_work() as uow:  # changed where no window can tell (the command line, say)
        award = uow.session.scalar(select(Award).join(Application).where(Application.reference == first))
        award.purpose = "Something else entirely"
        uow.commit()
    with qtbot.waitSignal(window.failed, timeout=TIMEOUT) as failed:
        window.save_to(tmp_path / "letters.pdf", tmp_path / "each")
    assert "have changed since they were made" in failed.args[0] and first in failed.args[0]
    assert not (tmp_path / "letters.pdf").exists() and not (tmp_path / "each").exists()
    assert all(not done for done in recorded(sample_db, "PHP").values())
    assert window.stale and not window.save_button.isEnabled() and window.make_button.isEnabled()
