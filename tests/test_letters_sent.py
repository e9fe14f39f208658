"""Letters know what was sent (issue 22, item 3): a batch is by default the letters not yet sent, the
others listed as already sent; reissuing is a deliberate choice, in the service, on the command line
(``--reissue``, which also defaults to the current round) and in the letters window (a checkbox)."""

from datetime import date

from PySide6.QtCore import Qt
from sqlalchemy import select

from grantdesk.reports.letters import PDF_LETTERS
from grantdesk.services import letters
from grantdesk.services.applications import list_application_rows
from grantdesk.services.funds import list_funds
from grantdesk.store.models import Application, Award, Payment
from ui.letters_window import LettersWindow

TIMEOUT = 60_000
DAY = date(2026, 8, 3)
LATER = date(2026, 9, 1)


def round_of(db, code="PHP", year=2026):
    fund = next(f for f in list_funds(db) if f.code == code)
    return next(r.id for r in fund.rounds if r.financial_year == year)


def awarded(db, code, rid=None):
    return sorted(r.reference for r in list_application_rows(db, code, rid) if r.status == "awarded")


def test_letters_sent_once_are_left_out_of_the_next_batch_and_listed_as_already_sent(sample_db, tmp_path):
    rid = round_of(sample_db)
    made = letters.produce_letters(sample_db, "PHP", "award", round_id=rid, day=DAY, renderer=PDF_LETTERS,
                                   out=tmp_path / "a.pdf")
    refs = awarded(sample_db, "PHP", rid)
    assert sorted(x.reference for x in made.recorded) == refs and not made.batch.already_sent

    again = letters.build_letters(sample_db, "PHP", "award", round_id=rid, day=LATER)
    assert again.letters == () and not again.reissue
    assert sorted(x.reference for x in again.already_sent) == refs
    assert {x.sent_on for x in again.already_sent} == {DAY}
    assert str(again.already_sent[0]).endswith("already sent on 03/08/2026")
    assert not any("already" in problem for problem in again.skipped)  # not a problem, a separate list
    # producing again sends and records nothing
    nothing = letters.produce_letters(sample_db, "PHP", "award", round_id=rid, day=LATER, renderer=PDF_LETTERS,
                                      out=tmp_path / "b.pdf")
    assert nothing.recorded == () and not (tmp_path / "b.pdf").exists()


def test_reissue_includes_the_letters_already_sent_marked_as_reissues(sample_db):
    rid = round_of(sample_db)
    first = letters.build_letters(sample_db, "PHP", "award", round_id=rid, day=DAY)
    letters.record_letters(sample_db, first.letters[:2], day=DAY)

    default = letters.build_letters(sample_db, "PHP", "award", round_id=rid, day=LATER)
    assert len(default.letters) == len(first.letters) - 2 and len(default.already_sent) == 2
    assert all(letters.reissued_on(x) is None for x in default.letters)

    again = letters.build_letters(sample_db, "PHP", "award", round_id=rid, day=LATER, reissue=True)
    assert again.reissue and again.already_sent == ()
    assert [x.reference for x in again.letters] == [x.reference for x in first.letters]
    assert {x.reference for x in again.letters if letters.reissued_on(x) == DAY} == \
        {x.reference for x in first.letters[:2]}
    letters.record_letters(sample_db, [x for x in again.letters if letters.reissued_on(x)], day=LATER)
    [_, entry] = letters.letters_produced(sample_db, first.letters[0].application_id)
    assert entry["reissue"] is True and entry["date"] == LATER.isoformat()


def test_payment_letters_are_sent_once_per_payment(sample_db):
    with sample_db.unit_of_work() as uow:
        s = uow.session
        award = s.scalar(select(Award).join(Application).where(Application.reference == "PHP-2026-0001"))
        s.add(Payment(award_id=award.id, paid_on=date(2026, 8, 10), amount_pence=40_000, method="BACS",
                      reference="PHP-PAY-0001"))
        uow.commit()
        award_id = award.id
    batch = letters.build_letters(sample_db, "PHP", "payment", day=DAY)
    mine = [x for x in batch.letters if x.reference == "PHP-2026-0001"]
    assert len(mine) == 1
    letters.record_letters(sample_db, mine, day=DAY)
    assert letters.letters_produced(sample_db, mine[0].application_id)[-1]["payment_id"]

    with sample_db.unit_of_work() as uow:  # a second payment: only its letter is still to send
        uow.session.add(Payment(award_id=award_id, paid_on=date(2026, 9, 10), amount_pence=20_000, method="BACS",
                                reference="PHP-PAY-0002"))
        uow.commit()
    later = letters.build_letters(sample_db, "PHP", "payment", day=LATER)
    [second] = [x for x in later.letters if x.reference == "PHP-2026-0001"]
    assert "PHP-PAY-0002" in " ".join(second.texts[0].paragraphs)
    assert [x.reference for x in later.already_sent if x.reference == "PHP-2026-0001"] == ["PHP-2026-0001"]
    both = letters.build_letters(sample_db, "PHP", "payment", day=LATER, reissue=True)
    assert len([x for x in both.letters if x.reference == "PHP-2026-0001"]) == 2


def test_a_payment_letter_recorded_before_payments_were_named_covers_the_payments_made_by_then(sample_db):
    from grantdesk.services.common import audit

    with sample_db.unit_of_work() as uow:
        s = uow.session
        app = s.scalar(select(Application).where(Application.reference == "PHP-2026-0001"))
        award = s.scalar(select(Award).where(Award.application_id == app.id))
        s.add_all([Payment(award_id=award.id, paid_on=date(2026, 8, 1), amount_pence=40_000, method="BACS"),
                   Payment(award_id=award.id, paid_on=date(2026, 8, 20), amount_pence=20_000, method="BACS")])
        audit(s, actor="Old", action="letter.produce", entity="application", entity_id=app.id, summary="old",
              after={"kind": "payment", "languages": ["en"], "date": "2026-08-02"})
        uow.commit()
    batch = letters.build_letters(sample_db, "PHP", "payment", day=LATER)
    assert len([x for x in batch.letters if x.reference == "PHP-2026-0001"]) == 1
    assert [x.sent_on for x in batch.already_sent if x.reference == "PHP-2026-0001"] == [date(2026, 8, 2)]


def test_the_command_line_defaults_to_the_current_round_and_reissues_only_when_asked(sample_path, sample_db,
                                                                                     tmp_path, capsys):
    from grantdesk.cli import main
    from grantdesk.services.common import fund_by_code

    with sample_db.session() as s:
        current = letters.current_round(s, fund_by_code(s, "PHP"))
        name, rid = current.name, current.id
    out = tmp_path / "awards.pdf"
    args = ["letters", "--fund", "PHP", "--kind", "award", "--out", str(out), "--db", str(sample_path)]
    code = main(args)
    said = capsys.readouterr()
    assert f"Round: {name} (the current round" in said.err
    refs = awarded(sample_db, "PHP", rid)
    assert refs and code == 0 and f"{len(refs)} award letters" in said.out
    every = awarded(sample_db, "PHP")
    done = {r.reference for r in list_application_rows(sample_db, "PHP")
            if letters.letters_produced(sample_db, r.id)}
    assert done == set(refs)  # no other round's letters

    assert main(args) == 1  # the second time: nothing left to send
    said = capsys.readouterr()
    assert "already sent" in said.err and "--reissue" in said.err

    assert set(every) - set(refs)  # last year's awards, left out of the default
    assert main([*args, "--all-rounds"]) == 0
    said = capsys.readouterr()
    assert "Round:" not in said.err
    assert {r.reference for r in list_application_rows(sample_db, "PHP")
            if letters.letters_produced(sample_db, r.id)} == set(every)

    assert main([*args, "--reissue"]) == 0
    said = capsys.readouterr()
    assert f"{len(refs)} award letters" in said.out and f"({len(refs)} reissued)" in said.out
    assert main([*args, "--round", "2026", "--all-rounds"]) == 2


def test_the_window_leaves_out_letters_already_sent_unless_the_reissue_box_is_ticked(qtbot, sample_db, runner):
    rid = round_of(sample_db)
    first = letters.build_letters(sample_db, "PHP", "award", round_id=rid, day=DAY)
    letters.record_letters(sample_db, first.letters[:3], day=DAY)
    sent = {x.reference for x in first.letters[:3]}

    window = LettersWindow(sample_db, runner, "PHP")
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.loaded, timeout=TIMEOUT):
        window.start()
    assert not window.reissue_check.isChecked() and window.reissue_check.accessibleName()
    window.round_combo.setCurrentIndex(window.round_combo.findData(rid))
    window.date_edit.setDate(LATER)

    def make():
        with qtbot.waitSignal(window.batch_ready, timeout=TIMEOUT):
            qtbot.mouseClick(window.make_button, Qt.MouseButton.LeftButton)
        tree = window.letter_list
        return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]

    rows = make()
    assert len(rows) == len(first.letters) - 3 and not sent & set(rows)
    assert window.sent_notice.isVisible() and "3 letters already sent are left out" in window.sent_notice.text()
    assert all(f"{ref}: already sent on 03/08/2026" in window.sent_notice.text() for ref in sent)

    qtbot.mouseClick(window.reissue_check, Qt.MouseButton.LeftButton)
    assert window.reissue_check.isChecked()
    rows = make()
    assert len(rows) == len(first.letters)
    assert {r for r in rows if r.endswith("(reissue)")} == {f"{ref} (reissue)" for ref in sent}
    reissued = next(window.letter_list.topLevelItem(i) for i in range(len(rows)) if rows[i].endswith("(reissue)"))
    assert "03/08/2026" in reissued.toolTip(0)
    assert "3 letters in this batch were already sent" in window.sent_notice.text()
