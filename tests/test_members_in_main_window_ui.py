"""The members' screens from the main window, on the Staffordshire sample."""

from helpers import opened_window
from PySide6.QtWidgets import QApplication

from grantdesk.services import allocations
from grantdesk.services.applications import list_application_rows

TIMEOUT = 20_000


def test_the_pots_and_a_decision_open_from_the_main_window_and_records_print(qtbot, sample_path, sample_db, tmp_path):
    window = opened_window(qtbot, sample_path, fund_code="PHP")
    board = window.open_members_dashboard()
    qtbot.waitUntil(lambda: board.model.rowCount() == 20, timeout=TIMEOUT)
    assert window.open_members_dashboard() is board  # one window per fund
    assert len(board.chart_rows()) == 20

    # A member's statement, as the dashboard asks for it.
    tolley = next(p for p in allocations.member_positions(sample_db, "PHP", 2026) if "Tolley" in p.name)
    statement = tmp_path / "statement.pdf"
    window.save_member_statement("PHP", tolley.member_id, 2026, str(statement))
    qtbot.waitUntil(lambda: statement.exists() and not window.runner.busy, timeout=TIMEOUT)
    board.close()

    # The decision screen for an application with a decision, and its printed record.
    decided = next(r for r in list_application_rows(sample_db, "PHP")
                   if allocations.decision_context(sample_db, r.id).decisions)
    row = next(i for i in range(window.app_model.rowCount())
               if window.app_model.index(i, 0).data() == decided.reference)
    with qtbot.waitSignal(window.detail_loaded, timeout=TIMEOUT):
        window.table.selectRow(row)
    qtbot.waitUntil(lambda: window.current_detail is not None and window.current_detail.row.id == decided.id,
                    timeout=TIMEOUT)
    dialog = window.open_member_decision()
    qtbot.waitUntil(lambda: dialog.context is not None, timeout=TIMEOUT)
    dialog.decisions_view.selectRow(0)
    record = tmp_path / "record.pdf"
    dialog.save_record(str(record))
    qtbot.waitUntil(lambda: record.exists() and "Saved the decision record" in dialog.message_label.text(),
                    timeout=TIMEOUT)
    dialog.close()

    # BBL is decided by a panel: no members' pots there.
    window.current_fund = "BBL"
    assert window.open_members_dashboard() is None and "not decided by elected members" in window.notice.text()
    QApplication.processEvents()
    assert record.stat().st_size > 0


def test_the_letters_window_opens_from_the_main_window_for_the_chosen_fund(qtbot, sample_path):
    window = opened_window(qtbot, sample_path, fund_code="RHYL")
    letters = window.open_letters()
    qtbot.waitUntil(lambda: letters.isVisible(), timeout=TIMEOUT)
    assert window.open_letters() is letters  # one window per fund
    assert window.letters_action.shortcut().toString() == "Ctrl+Shift+L"
    letters.close()
    QApplication.processEvents()


def test_payments_and_monitoring_open_from_the_main_window(qtbot, sample_path):
    window = opened_window(qtbot, sample_path, fund_code="BBL")
    payments = window.open_payments()
    qtbot.waitUntil(lambda: payments.award_model.rowCount() > 0, timeout=TIMEOUT)
    assert window.open_payments() is payments
    payments.close()
    QApplication.processEvents()


def test_an_outcome_note_and_the_learning_library_open_from_the_main_window(qtbot, sample_path, sample_db):
    window = opened_window(qtbot, sample_path, fund_code="BBL")
    from ui.models import ApplicationsTableModel

    awarded = next(i for i in range(window.app_model.rowCount())
                   if str(window.app_model.index(i, ApplicationsTableModel.STATUS).data()).lower() == "awarded")
    reference = window.app_model.index(awarded, ApplicationsTableModel.REFERENCE).data()
    window.table.selectRow(awarded)
    qtbot.waitUntil(lambda: window.current_detail is not None and window.current_detail.row.reference == reference,
                    timeout=TIMEOUT)
    window.open_outcome_note()
    qtbot.waitUntil(lambda: getattr(window, "outcome_note_dialog", None) is not None
                    and window.outcome_note_dialog.isVisible(), timeout=TIMEOUT)
    window.outcome_note_dialog.close()
    library = window.open_learning_library()
    qtbot.waitUntil(lambda: library.isVisible(), timeout=TIMEOUT)
    assert window.open_learning_library() is library
    library.close()
    QApplication.processEvents()
