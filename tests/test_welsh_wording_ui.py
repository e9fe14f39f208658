"""In the main window: a decline for an applicant who reads Welsh asks for the reason in Welsh as well,
and Application ▸ Welsh Wording… shows each typed text in English beside its Welsh and saves the Welsh
(issue 20, item 3)."""

from helpers import opened_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from grantdesk.domain.workflow import Status
from grantdesk.services import applications
from grantdesk.services.welsh_texts import welsh_texts
from grantdesk.store.models import StatusChange

TIMEOUT = 20_000


def select_title(qtbot, window, words: str):
    model = window.app_model
    row = next(i for i in range(model.rowCount()) if words in str(model.index(i, 1).data()))
    window.table.selectRow(row)
    qtbot.waitUntil(lambda: window.current_detail is not None and words in window.current_detail.row.title,
                    timeout=TIMEOUT)
    return window.current_detail


def test_declining_for_a_welsh_reader_asks_for_the_reason_in_welsh_too(qtbot, sample_path, sample_db):
    concert = next(r for r in applications.list_application_rows(sample_db, "RHYL") if "St David's Day" in r.title)
    applications.transition_application(sample_db, concert.id, Status.SHORTLISTED)  # the choir's contact reads Welsh
    window = opened_window(qtbot, sample_path, "RHYL")
    detail = select_title(qtbot, window, "St David's Day")
    assert detail.row.status == "shortlisted"
    asked_in_english_only = []
    window.actions.ask_reason = lambda *a, **k: asked_in_english_only.append(a) or "English only"
    asked = []
    window.actions.ask_reason_in_both = lambda title, prompt, prefill="": asked.append(title) or (
        "The round's money was all awarded.", "Roedd arian y cylch i gyd wedi'i ddyfarnu.")
    with qtbot.waitSignal(window.application_refreshed, timeout=TIMEOUT):
        window.actions.move_actions[Status.DECLINED].trigger()
    qtbot.waitUntil(lambda: window.current_detail.row.status == "declined", timeout=TIMEOUT)
    assert asked and not asked_in_english_only
    with sample_db.session() as s:
        change = s.scalars(select(StatusChange).where(StatusChange.application_id == detail.row.id)
                           .order_by(StatusChange.id)).all()[-1]
        assert (change.reason, change.reason_cy) == ("The round's money was all awarded.",
                                                      "Roedd arian y cylch i gyd wedi'i ddyfarnu.")


def test_the_reason_dialog_for_a_welsh_reader_has_a_welsh_field_that_may_wait(qtbot):
    from ui.dialogs import ReasonDialog

    dialog = ReasonDialog("RHYL-2026-0005: Declined", "Why is it declined?", welsh=True)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert dialog.welsh_edit is not None and dialog.welsh_edit.accessibleName() == "Reason in Welsh"
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "No money left")
    assert ok.isEnabled()  # the Welsh may follow later: the Welsh letter waits for it
    dialog.welsh_edit.setPlainText("Dim arian ar ôl")  # (keyClicks of ô aborts the offscreen platform)
    assert (dialog.reason(), dialog.reason_cy()) == ("No money left", "Dim arian ar ôl")
    plain = ReasonDialog("x", "y")
    qtbot.addWidget(plain)
    assert plain.welsh_edit is None and plain.reason_cy() == ""


def test_welsh_wording_shows_english_beside_welsh_and_saves_the_welsh(qtbot, sample_path, sample_db):
    window = opened_window(qtbot, sample_path, "RHYL")
    detail = select_title(qtbot, window, "punch bags")  # declined, with its reason in both languages
    action = window.actions.welsh_action
    assert action.isEnabled()
    with qtbot.waitSignal(window.actions.dialog_opened, timeout=TIMEOUT) as opened:
        action.trigger()
    dialog = opened.args[0]
    assert set(dialog.edits) == {"title_cy", "summary_cy", "reason_cy"}
    assert dialog.edits["title_cy"].toPlainText().startswith("Bagiau dyrnu")
    english = [w.text() for w in dialog.findChildren(type(dialog.notice))]
    assert any("Sport Wales" in t for t in english)  # the English reason, shown beside the Welsh
    dialog.edits["reason_cy"].clear()
    qtbot.keyClicks(dialog.edits["reason_cy"], "Rheswm newydd yn Gymraeg.")
    with qtbot.waitSignal(dialog.saved, timeout=TIMEOUT):
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    texts = {p.key: p.welsh for p in welsh_texts(sample_db, detail.row.id).texts}
    assert texts["reason_cy"] == "Rheswm newydd yn Gymraeg."
    assert texts["title_cy"].startswith("Bagiau dyrnu")  # untouched
