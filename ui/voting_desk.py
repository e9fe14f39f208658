"""The voting desk: a fund's community votes and panels, and everything an officer does with them —
set up a vote, print code cards, open the kiosk, key paper ballots, show the results on the projector,
print the results sheet, close voting, confirm the results, export for research, score as a panel.

Every database call runs through the operations layer (``ui.operations``): reads are ``Query``s, each
officer's action one ``Op`` calling one service (printing code cards is ``events.issue_code_cards``:
the codes and their PDF together, or neither). The windows it opens (kiosk, paper entry, results,
panel scoring) share the same runner and database, and the desk follows what they change
(``follow_changes``: a ballot cast at the kiosk or keyed on paper, a panel's scores, an application's
title), so its list and summary stay true without reopening.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from grantdesk.config import current_actor
from grantdesk.domain.changes import Kind
from grantdesk.domain.dates import format_date
from grantdesk.domain.money import format_money
from grantdesk.i18n import N_, ngettext
from grantdesk.voting.voter_words import Voice, rule_words, rules_instruction, tie_break_words
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.tasks import TaskRunner
from ui.widgets import action_button

STATE_LABELS = {"setup": N_("Being set up"), "voting": N_("Voting"), "closed": N_("Closed — results not yet confirmed"),
                "confirmed": N_("Results confirmed")}


FOLLOWS = {Kind.EVENTS, Kind.PANELS, Kind.APPLICATIONS}  # what the desk shows: votes, panels, the projects


class VotingDesk(QWidget):
    """A fund's votes and panels. ``start()`` loads them; ``loaded`` fires when the selected vote is
    shown. What an action here changes reaches other windows as a broadcast change (ui.operations)."""

    loaded = Signal()
    settings_requested = Signal(str)  # a Fund Settings page to open ("panel": the fund has none yet)

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.db = db
        self.runner = runner
        self.fund_code = fund_code
        self.events: list[Any] = []
        self.panels: list[Any] = []
        self.current: Any = None  # EventView of the selected event
        self.windows: list[QWidget] = []  # kiosk, paper entry, results and scoring windows opened from here
        self.setWindowTitle(self.tr("Votes and panels — {fund}").format(fund=fund_code))
        self.setObjectName("votingDesk")
        self._build()
        self.resize(1100, 700)
        follow_changes(self, FOLLOWS, lambda _changes: self.start())

    # --- construction -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.event_list = QListWidget()
        self.event_list.setObjectName("eventList")
        self.event_list.setAccessibleName(self.tr("Community votes"))
        self.event_list.currentRowChanged.connect(self._on_event_selected)
        self.panel_list = QListWidget()
        self.panel_list.setObjectName("panelList")
        self.panel_list.setAccessibleName(self.tr("Resident panels"))
        self.panel_list.itemActivated.connect(lambda _item: self.open_panel())
        for lst in (self.event_list, self.panel_list):
            lst.setWordWrap(True)
            lst.setTextElideMode(Qt.TextElideMode.ElideRight)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(QLabel("<b>" + self.tr("Community votes") + "</b>"))
        left_layout.addWidget(self.event_list, 2)
        left_layout.addWidget(action_button(self.tr("&New vote…"), "Ctrl+N", self.new_event, "newEventButton"))
        left_layout.addWidget(QLabel("<b>" + self.tr("Resident panels") + "</b>"))
        left_layout.addWidget(self.panel_list, 1)
        # A fund with no panel yet: what to do next, with the button for it.
        self.no_panel_label = QLabel(self.tr("No resident panel yet. Set one up — its panellists and weighted "
                                             "criteria — in Fund Settings, then score here."))
        self.no_panel_label.setObjectName("noPanelLabel")
        self.no_panel_label.setWordWrap(True)
        self.set_up_panel_button = action_button(self.tr("Set up a &panel…"), None,
                                                 lambda: self.settings_requested.emit("panel"), "setUpPanelButton")
        for w in (self.no_panel_label, self.set_up_panel_button):
            w.hide()
            left_layout.addWidget(w)
        self.score_button = action_button(self.tr("&Score as a panel…"), "Ctrl+Shift+S", self.open_panel,
                                          "openPanelButton")
        left_layout.addWidget(self.score_button)

        self.summary = QTextBrowser()
        self.summary.setObjectName("eventSummary")
        self.summary.setAccessibleName(self.tr("The selected vote"))
        self.summary.setOpenLinks(False)
        self.notice = QLabel()
        self.notice.setObjectName("deskNotice")
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.setWordWrap(True)
        self.notice.hide()

        before = QGroupBox(self.tr("Before and during the vote"))
        b = QHBoxLayout(before)
        self.setup_button = action_button(self.tr("Set-&up…"), "Ctrl+E", self.edit_event, "setupButton")
        self.codes_button = action_button(self.tr("Print &code cards…"), "Ctrl+P", self.print_codes, "codesButton")
        self.kiosk_button = action_button(self.tr("Open &kiosk"), "Ctrl+K", self.open_kiosk, "kioskButton")
        self.paper_button = action_button(self.tr("Key &paper ballots"), "Ctrl+Shift+P", self.open_paper_entry,
                                          "paperButton")
        for w in (self.setup_button, self.codes_button, self.kiosk_button, self.paper_button):
            b.addWidget(w)
        after = QGroupBox(self.tr("The result"))
        a = QHBoxLayout(after)
        self.results_button = action_button(self.tr("Show &results"), "Ctrl+R", self.open_results, "resultsButton")
        self.sheet_button = action_button(self.tr("Results &sheet (PDF)…"), "Ctrl+Shift+R", self.save_results_sheet,
                                         "sheetButton")
        self.close_button = action_button(self.tr("C&lose voting…"), None, self.close_voting, "closeVotingButton")
        self.close_button.setToolTip(self.tr("Offered while voting is open: once the first ballot is cast or "
                                             "keyed, until voting is closed"))
        self.confirm_button = action_button(self.tr("Con&firm results…"), None, self.confirm_results, "confirmButton")
        self.export_button = action_button(self.tr("&Export PaBuLib…"), None, self.export_pabulib, "exportButton")
        for w in (self.results_button, self.sheet_button, self.close_button, self.confirm_button, self.export_button):
            a.addWidget(w)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.notice)
        right_layout.addWidget(self.summary, 1)
        right_layout.addWidget(before)
        right_layout.addWidget(after)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 800])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._update_buttons()

    # --- loading --------------------------------------------------------------------------------
    def start(self, select_event: int | None = None) -> None:
        code = self.fund_code

        def fetch(db: Any):
            from grantdesk.services.events import list_events
            from grantdesk.services.panels import list_panels

            return list_events(db, code), list_panels(db, code)

        Query(self, fetch).success(lambda result: self._on_loaded(*result, select_event)).run()

    def _on_loaded(self, events, panels, select_event: int | None) -> None:
        self.events, self.panels = events, panels
        keep = select_event if select_event is not None else (self.current.id if self.current else None)
        self.event_list.blockSignals(True)
        self.event_list.clear()
        for e in events:
            ballots = self.tr("{n} ballots").format(n=e.ballots_counted)  # the English as before ("1 ballots")
            state = self.tr(STATE_LABELS[e.state])
            item = QListWidgetItem(f"{e.name}\n{state} · {ballots}")
            item.setData(Qt.ItemDataRole.UserRole, e.id)
            self.event_list.addItem(item)
        self.event_list.blockSignals(False)
        self.panel_list.clear()
        for p in panels:
            panellists = ngettext("{n} panellist", "{n} panellists", p.panellists).format(n=p.panellists)
            item = QListWidgetItem(f"{p.name}\n{p.round_name} · {panellists}")
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.panel_list.addItem(item)
        if self.panel_list.count():
            self.panel_list.setCurrentRow(0)
        for w in (self.no_panel_label, self.set_up_panel_button):
            w.setVisible(not panels)
        self.score_button.setEnabled(bool(panels))
        ids = [e.id for e in events]
        row = ids.index(keep) if keep in ids else (0 if ids else -1)
        self.event_list.setCurrentRow(row)
        if row < 0:
            self.current = None
            self.summary.setHtml("<p>" + self.tr("No community vote yet. Press <b>New vote</b> to set one up.") + "</p>")
            self._update_buttons()
            self.loaded.emit()

    def _on_event_selected(self, row: int) -> None:
        if row < 0 or row >= len(self.events):
            return
        event_id = self.events[row].id

        def fetch(db: Any):
            from grantdesk.services.events import get_event, paper_progress

            return get_event(db, event_id), paper_progress(db, event_id)

        Query(self, fetch).success(lambda result: self._show_event(*result)).run()

    def _show_event(self, event, progress) -> None:
        self.current = event
        summary = next((e for e in self.events if e.id == event.id), None)
        window = ""
        if event.opens_at or event.closes_at:
            def moment(at) -> str:
                return self.tr("{time} on {date}").format(time=at.strftime("%H:%M"), date=format_date(at.date())) \
                    if at else "—"
            label = escape(self.tr("Voting window"))
            window = (f"<tr><td style='padding-right:12px;color:#555'>{label}</td><td>"
                      + escape(self.tr("{opens} to {closes}").format(opens=moment(event.opens_at),
                                                                      closes=moment(event.closes_at)))
                      + "</td></tr>")
        voice = Voice()  # the officer's language
        who = [event.voters_area, self.tr("aged {age}+").format(age=event.min_age) if event.min_age else "",
               self.tr("registered at the door") if event.register_at_door else ""]
        counted, spoilt = (summary.ballots_counted, summary.spoilt) if summary else (0, 0)
        rows = [
            (self.tr("State"), self.tr(STATE_LABELS[event.state])),
            (self.tr("Round"), event.round_name),
            (self.tr("Venue"), event.venue or "—"),
            (self.tr("Ballot"), rules_instruction(event.rules, voice, event.budget_pence)),
            (self.tr("Allocation"), rule_words(event.rule, event.when_next_does_not_fit, voice)),
            (self.tr("Ties"), tie_break_words(event.tie_break, event.tie_break_seed, voice)),
            (self.tr("Budget"), format_money(event.budget_pence)),
            (self.tr("Who may vote"), ", ".join(x for x in who if x) or self.tr("anyone")),
            (self.tr("Code cards"), self.tr("{issued} issued, {used} used").format(issued=event.codes_issued,
                                                                                    used=event.codes_used)),
            (self.tr("Ballots counted"), self.tr("{counted} ({spoilt} spoilt)").format(counted=counted, spoilt=spoilt)),
            (self.tr("Paper keying"), self.tr("{waiting} sheets waiting for a second keying, {mismatches} mismatches "
                                              "to resolve").format(waiting=len(progress.keyed_once),
                                                                   mismatches=progress.mismatches)),
            (self.tr("Results"), self.tr("hidden until revealed") if event.hide_results and not event.revealed
             else self.tr("shown")),
        ]
        projects = "".join(f"<li>{escape(p.reference)} — {escape(p.title)} ({format_money(p.amount_pence)})</li>"
                           for p in event.projects)
        table = "".join(f"<tr><td style='padding-right:12px;color:#555'>{escape(k)}</td><td>{escape(v)}</td></tr>"
                        for k, v in rows)
        on_paper = escape(self.tr("On the ballot paper"))
        self.summary.setHtml(f"<h2>{escape(event.name)}</h2><table>{table}{window}</table>"
                             f"<h3>{on_paper}</h3><ol>{projects}</ol>")
        self._update_buttons()
        self.loaded.emit()

    def _update_buttons(self) -> None:
        e = self.current
        state = e.state if e else None
        self.setup_button.setEnabled(e is not None)
        self.codes_button.setEnabled(state in ("setup", "voting"))
        self.kiosk_button.setEnabled(state in ("setup", "voting"))
        self.paper_button.setEnabled(state in ("setup", "voting", "closed"))
        for w in (self.results_button, self.sheet_button, self.export_button):
            w.setEnabled(e is not None and state != "setup")
        self.close_button.setEnabled(state == "voting")  # only an open vote can be closed
        self.confirm_button.setEnabled(state == "closed")

    def show_refusal(self, text: str) -> None:
        """A refusal from the core for something the desk asked (the operations layer calls this)."""
        self.notice.setText(text)
        self.notice.setStyleSheet("padding: 6px; background: #fef2f2; color: #991b1b;")
        self.notice.show()

    def show_message(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setStyleSheet("padding: 6px; background: #ecfdf5; color: #065f46;")
        self.notice.show()

    def _after_change(self, message: str, select_event: int | None = None) -> None:
        self.show_message(message)
        self.start(select_event)

    # --- set-up -----------------------------------------------------------------------------------
    def new_event(self) -> None:
        self._open_setup(None)

    def edit_event(self) -> None:
        if self.current is not None:
            self._open_setup(self.current)

    def _open_setup(self, event) -> None:
        code = self.fund_code

        def fetch(db: Any):
            from grantdesk.services.events import setup_choices

            return setup_choices(db, code)

        Query(self, fetch).success(lambda rounds: self._show_setup(rounds, event)).run()

    def _show_setup(self, rounds, event) -> None:
        from ui.event_setup import EventSetupDialog

        dialog = EventSetupDialog(rounds, event, self, save=lambda settings: self._save_setup(dialog, event, settings))
        self.setup_dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def _save_setup(self, dialog, event, settings) -> None:
        """Save the set-up as one ``Op``; the dialog stays open, with everything chosen, until it is saved."""
        code, event_id = self.fund_code, event.id if event is not None else None

        def save(db: Any) -> int:
            from grantdesk.services.events import save_event

            return save_event(db, code, settings, event_id=event_id)

        def saved(new_id: int) -> None:
            if isValid(dialog):
                dialog.accept()
            self._after_change(self.tr("Saved the set-up of “{name}”.").format(name=settings.name.strip()), new_id)

        def refused(exc: BaseException) -> None:
            if isValid(dialog) and dialog.isVisible():
                dialog.show_refusal(refusal_text(exc))
            else:  # the officer closed the dialog meanwhile
                self.show_refusal(refusal_text(exc))

        Op(self, save).success(saved).failure(refused).run()

    # --- codes, kiosk, paper ------------------------------------------------------------------------
    def print_codes(self, count: int | None = None, path: str | Path | None = None) -> None:
        """Issue ``count`` new code cards and save them as a PDF at ``path`` (both asked when not given)."""
        if self.current is None:
            return
        if count is None:
            count, ok = QInputDialog.getInt(self, self.tr("Print code cards"),
                                            self.tr("How many new code cards? (10 to a page)"), 100, 1, 20_000)
            if not ok:
                return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the code cards"),
                                                  f"code-cards-{self.current.id}.pdf", "PDF (*.pdf)")
            if not path:
                return
        event_id, target = self.current.id, Path(path)

        def work(db: Any):
            from grantdesk.reports.ballot_cards import ballot_cards_pdf
            from grantdesk.services.events import issue_code_cards

            return issue_code_cards(db, event_id, count, target, draw=ballot_cards_pdf)

        (Op(self, work).success(lambda cards: self._after_change(
            ngettext("Issued {n} code card, saved to {path}.", "Issued {n} code cards, saved to {path}.",
                     len(cards.codes)).format(n=len(cards.codes), path=cards.path)))
         .with_progress(self.tr("Making code cards")).run())

    def _open_window(self, widget: QWidget) -> QWidget:
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.windows.append(widget)
        widget.destroyed.connect(lambda *_: self.windows.remove(widget) if widget in self.windows else None)
        return widget

    def open_kiosk(self, *, full_screen: bool = True):
        if self.current is None:
            return None
        from ui.kiosk import KioskWindow

        kiosk = self._open_window(KioskWindow(self.db, self.runner, self.current.id))
        if full_screen:
            kiosk.show_kiosk()
        else:
            kiosk.show()
        kiosk.start()
        return kiosk

    def open_paper_entry(self):
        if self.current is None:
            return None
        from ui.paper_entry import PaperEntryWidget

        window = self._open_window(PaperEntryWidget(self.db, self.runner, self.current.id, current_actor()))
        window.setWindowFlag(Qt.WindowType.Window)
        window.setWindowTitle(self.tr("Paper ballots — {name}").format(name=self.current.name))
        window.resize(1100, 700)
        window.show()
        window.start()
        return window

    def open_results(self):
        if self.current is None:
            return None
        from ui.results_view import ResultsView

        window = self._open_window(ResultsView(self.db, self.runner, self.current.id))
        window.setWindowFlag(Qt.WindowType.Window)
        window.setWindowTitle(self.tr("Results — {name}").format(name=self.current.name))
        window.resize(1280, 720)
        window.show()
        window.start()
        return window

    def open_panel(self):
        item = self.panel_list.currentItem()
        if item is None:
            return None
        from ui.panel_scoring import PanelScoringWidget

        window = self._open_window(PanelScoringWidget(self.db, self.runner, item.data(Qt.ItemDataRole.UserRole)))
        window.setWindowFlag(Qt.WindowType.Window)
        window.setWindowTitle(self.tr("Panel scoring — {name}").format(name=item.text().splitlines()[0]))
        window.resize(1200, 760)
        window.show()
        window.start()
        return window

    # --- after the vote ---------------------------------------------------------------------------
    def save_results_sheet(self, path: str | Path | None = None) -> None:
        if self.current is None:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the results sheet"),
                                                  f"results-{self.current.id}.pdf", "PDF (*.pdf)")
            if not path:
                return
        event_id, target = self.current.id, Path(path)

        def work(db: Any) -> None:
            from grantdesk.reports.results_sheet import results_sheet_pdf
            from grantdesk.services.events import event_results

            results_sheet_pdf(event_results(db, event_id), target)

        (Query(self, work).success(lambda _: self.show_message(
            self.tr("Saved the results sheet to {path}.").format(path=target)))
         .with_progress(self.tr("Making the results sheet")).run())

    def export_pabulib(self, path: str | Path | None = None) -> None:
        if self.current is None:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the ballots for research"),
                                                  f"{self.fund_code.lower()}-event-{self.current.id}.pb",
                                                  "PaBuLib (*.pb)")
            if not path:
                return
        event_id, target = self.current.id, Path(path)

        def work(db: Any) -> Path:
            from grantdesk.services.events import export_pabulib

            return export_pabulib(db, event_id, target)

        Query(self, work).success(lambda p: self.show_message(
            self.tr("Exported the accepted ballots to {path}.").format(path=p))).run()

    def _ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def close_voting(self) -> None:
        e = self.current
        if e is None or not self._ask(self.tr("Close voting"), self.tr(
                "Close voting at “{name}”? The kiosk will take no more ballots and no more codes can be issued. "
                "Paper ballots can still be keyed.").format(name=e.name)):
            return
        def work(db: Any) -> None:
            from grantdesk.services.events import close_voting

            close_voting(db, e.id)

        Op(self, work).success(lambda _: self._after_change(
            self.tr("Voting at “{name}” is closed.").format(name=e.name))).run()

    def confirm_results(self) -> None:
        e = self.current
        if e is None or not self._ask(
                self.tr("Confirm results"), self.tr(
                    "Confirm the results of “{name}”? Each funded application will be awarded the amount it asked "
                    "for, and every other one on the ballot declined with the vote as the reason. This cannot be "
                    "undone.").format(name=e.name)):
            return
        def work(db: Any):
            from grantdesk.services.events import confirm_results

            return confirm_results(db, e.id)

        def done(c) -> None:
            self._after_change(self.tr("Results confirmed: {awarded} applications awarded ({amount}), {declined} "
                                       "declined.").format(awarded=len(c.awarded), amount=format_money(c.funded_pence),
                                                           declined=len(c.declined)))

        Op(self, work).success(done).run()

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        for window in list(self.windows):
            if not window.close():
                event.ignore()
                return
        super().closeEvent(event)
