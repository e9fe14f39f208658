"""The windows the main window opens for the chosen fund or application: payments, letters, open data,
votes and panels, members' pots and decisions, outcome notes, the learning library; and the New Fund
wizard and Fund Settings (``ui.fund_wizard``, ``ui.fund_settings``), which windows with an empty state
(no members, no panel, no rounds) open at the page that fills it.

One window of a kind per fund (``_fund_window``), made when first asked for and raised after; closing
the main window closes them all (a kiosk in use refuses until its PIN is given). The windows keep
themselves true by following the changes every operation broadcasts (``ui.operations``), so nothing
here wires one window's signals to another's refresh.

``FundWindows`` is mixed into ``MainWindow``; it uses the window's ``db``, ``runner``, ``current_fund``,
``current_detail``, ``show_notice`` and ``statusBar``. Its modules load when first used, not at start-up.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from shiboken6 import isValid


class FundWindows:
    """The main window's part that opens (and closes) the fund's other windows."""

    def open_outcome_note(self):
        """The outcome-note form for the selected application's award."""
        if self.db is None or self.current_detail is None:
            self.show_notice(self.tr("Choose an application first."))
            return None
        row, db, code = self.current_detail.row, self.db, self.current_fund

        def find_award(db):
            from grantdesk.services.outcomes import award_for_application

            return award_for_application(db, row.id)

        def got(award_id):
            if award_id is None:
                self.show_notice(self.tr("{reference} has no award yet: outcome notes are recorded for awards.").format(
                    reference=row.reference))
                return
            from ui.outcome_note import OutcomeNoteDialog

            dialog = OutcomeNoteDialog(db, self.runner, award_id, code, self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.outcome_note_dialog = dialog
            dialog.open()
            dialog.start()

        from ui.operations import Query

        Query(self, find_award).success(got).run()
        return None

    def open_learning_library(self):
        """The learning library across all funds, in its own window (one at a time)."""
        if self.db is None:
            self.show_notice(self.tr("Open a database first."))
            return None
        from ui.learning_library import LearningLibrary

        library = getattr(self, "_learning_library", None)
        if library is None or not isValid(library):
            library = LearningLibrary(self.db, self.runner, self)
            library.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            library.setWindowFlag(Qt.WindowType.Window)
            library.resize(1280, 800)
            self._learning_library = library
            library.start()
        library.show()
        library.raise_()
        library.activateWindow()
        return library

    def open_payments(self):
        """The selected fund's payments and monitoring, in their own window (one per fund)."""
        if not self._fund_chosen():
            return None
        from ui.payments_window import PaymentsWindow

        return self._fund_window("payments", lambda code: PaymentsWindow(self.db, self.runner, code, self))

    def open_letters(self):
        """The selected fund's letters, in their own window (one per fund)."""
        if not self._fund_chosen():
            return None
        from ui.letters_window import LettersWindow

        return self._fund_window("letters", lambda code: LettersWindow(self.db, self.runner, code, self))

    def open_publish(self):
        """Publish the selected fund's open data, in its own window (one per fund)."""
        if not self._fund_chosen():
            return None
        from ui.open_data import PublishDialog

        return self._fund_window("publish", lambda code: PublishDialog(self.db, self.runner, code, self))

    def open_import_grants(self):
        """Import past grants into the selected fund from a 360Giving file (one window per fund)."""
        if not self._fund_chosen():
            return None
        from ui.past_grants import ImportGrantsDialog

        return self._fund_window("past_grants", lambda code: ImportGrantsDialog(self.db, self.runner, code, self))

    def open_voting_desk(self):
        """The selected fund's community votes and panels, in their own window (one per fund)."""
        if not self._fund_chosen():
            return None
        from ui.voting_desk import VotingDesk

        def make(code: str):
            desk = VotingDesk(self.db, self.runner, code, self)
            desk.settings_requested.connect(lambda page: self.open_fund_settings(code, page))
            return desk

        return self._fund_window("votes", make)

    def open_new_fund_wizard(self):
        """File ▸ New Fund…: the wizard that sets up a fund in this database."""
        if self.db is None:
            self.show_notice(self.tr("Open a database first."))
            return None
        from ui.fund_wizard import open_new_fund_wizard

        wizard = open_new_fund_wizard(self)
        created = getattr(wizard, "created", None)
        if created is not None:  # the new fund is shown (the welcome page goes) once it is made
            created.connect(lambda result: self.show_fund(result.fund_code))
        return wizard

    def open_fund_settings(self, fund_code: str | None = None, page: str | None = None):
        """Fund ▸ Fund Settings…: the fund's settings window, at ``page`` ("rounds", "members", "panel", …)."""
        code = fund_code or self.current_fund
        if self.db is None or not code:
            self.show_notice(self.tr("Choose a fund first."))
            return None
        from ui.fund_settings import open_fund_settings

        return open_fund_settings(self, code, page=page)

    def _fund_chosen(self) -> bool:
        if self.db is None or not self.current_fund:
            self.show_notice(self.tr("Choose a fund first."))
            return False
        return True

    def _fund_window(self, kind: str, make: Callable[[str], Any]):
        """One window of ``kind`` per fund: made by ``make(fund code)`` (and started) when there is none,
        then shown and raised. Closing it forgets it."""
        windows = self._fund_windows.setdefault(kind, {})
        code = self.current_fund
        window = windows.get(code)
        if window is None or not isValid(window):
            window = make(code)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.setWindowFlag(Qt.WindowType.Window)
            window.destroyed.connect(lambda *_: windows.pop(code, None))
            windows[code] = window
            window.start()
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def _close_fund_windows(self) -> bool:
        """Close every fund's windows; False if one refused (a kiosk in use needs its PIN)."""
        for windows in self._fund_windows.values():
            for window in list(windows.values()):
                if isValid(window) and not window.close():
                    return False
        return True

    def _member_fund(self) -> bool:
        fund = self._fund_for(self.current_fund) if self.current_fund else None
        if self.db is None or fund is None:
            self.show_notice(self.tr("Choose a fund first."))
            return False
        if fund.decision_model != "member":
            self.show_notice(self.tr("{fund} is not decided by elected members, so it has no members' pots.").format(
                fund=fund.name))
            return False
        return True

    def open_members_dashboard(self):
        """The selected member fund's pots, in their own window (one per fund)."""
        if not self._member_fund():
            return None
        from ui.members_dashboard import MembersDashboard

        def make(code: str):
            board = MembersDashboard(self.db, self.runner, code, self)
            board.setWindowTitle(self.tr("Members' pots — {code}").format(code=code))
            board.resize(1200, 760)
            board.statement_requested.connect(
                lambda member_id, year: self.save_member_statement(code, member_id, year))
            board.settings_requested.connect(lambda page: self.open_fund_settings(code, page))
            return board

        return self._fund_window("pots", make)

    def save_member_statement(self, fund_code: str, member_id: int, year: int, path: str | None = None) -> None:
        if path is None:
            from PySide6.QtWidgets import QFileDialog  # dialogs load when first used, not at start-up
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the member's statement"),
                                                  f"statement-{fund_code.lower()}-{member_id}-{year}.pdf",
                                                  self.tr("PDF") + " (*.pdf)")
            if not path:
                return
        target = path

        def work(db) -> str:
            from grantdesk.reports.member_records import member_statement_pdf
            from grantdesk.services.allocations import member_statement

            member_statement_pdf(member_statement(db, fund_code, member_id, year), target)
            return target

        from ui.operations import Query

        saved_words = self.tr("Saved the statement to {path}.")
        Query(self, work).success(lambda saved: self.statusBar().showMessage(saved_words.format(path=saved), 8000)) \
            .with_progress(self.tr("Making the statement")).run()

    def open_member_decision(self):
        """The decision screen for the selected application of a member fund."""
        if not self._member_fund():
            return None
        if self.current_detail is None:
            self.show_notice(self.tr("Choose an application first."))
            return None
        from ui.member_decision import MemberDecisionDialog

        application_id = self.current_detail.row.id
        dialog = MemberDecisionDialog(self.db, self.runner, application_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.member_decision_dialog = dialog
        dialog.open()
        dialog.start()
        return dialog

