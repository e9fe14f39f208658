"""The learning library: outcome notes across all funds, filtered by theme, fund, area, year and text (or
only what did not go to plan), with what was learned shown side by side — what changed beside what was
learned, and what did not go to plan where the note says — each block attributed to its group and author.

Queries run on the worker (``Query``); while one runs no second is queued — if the filters change
meanwhile, the library asks once more when the answer comes back. Typing in the search box waits
``debounce_ms`` (250 ms) before asking. The library follows outcome notes, awards, applications and
funds changed in other windows: a note recorded elsewhere appears without reopening it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Kind
from grantdesk.domain.dates import financial_year_label, format_date
from grantdesk.domain.money import format_money
from grantdesk.i18n import N_, ngettext
from ui.operations import Query, follow_changes
from ui.tasks import TaskRunner

COLUMNS = (N_("Reference"), N_("Organisation"), N_("Fund"), N_("Stage"), N_("Themes"))  # shown translated
ERROR_STYLE = "padding: 6px; background: #fef2f2; color: #991b1b;"
NOTE_CSS = """
h3 { margin: 14px 0 2px 0; font-size: 14px; }
p.meta { color: #4b5563; margin: 0 0 4px 0; }
td.head { background: #eef2ff; color: #1e1b4b; font-weight: 600; padding: 4px 6px; }
td.body { padding: 4px 6px; vertical-align: top; }
td.plan { background: #fff7ed; color: #7c2d12; padding: 4px 6px; }
p.by { color: #4b5563; font-style: italic; margin: 2px 0 10px 0; }
"""


def tr(text: str) -> str:
    return QCoreApplication.translate("LearningLibrary", text)


def _para(text: str) -> str:
    return "<br>".join(escape(line) for line in text.strip().splitlines()) or "<span style='color:#6b7280'>—</span>"


def side_by_side_html(notes) -> str:
    """One block per note: what changed | what was learned, then what did not go to plan when present."""
    if not notes:
        return "<p>" + escape(tr("No outcome notes match. Try fewer filters.")) + "</p>"
    blocks = [f"<style>{NOTE_CSS}</style>"]
    for note in notes:
        texts = note.texts
        changed_head, changed = escape(tr("What changed, and for whom")), texts.get("what_changed", "")
        if not changed:
            changed_head, changed = escape(tr("What happened")), texts.get("what_happened", "")
        learned_head, not_to_plan_head = escape(tr("What was learned")), escape(tr("What did not go to plan:"))
        themes = ", ".join(note.themes)
        meta = " · ".join(part for part in (
            note.fund_name, note.area, financial_year_label(note.year), format_money(note.awarded_pence),
            note.stage, themes and tr("Themes: {0}").format(themes)) if part)
        blocks.append(f"<a name='note-{note.id}'></a><h3>{escape(note.reference)} — {escape(note.organisation)}: "
                      f"{escape(note.title)}</h3><p class='meta'>{escape(meta)}</p>")
        rows = [f"<tr><td class='head' width='50%'>{changed_head}</td><td class='head' width='50%'>"
                f"{learned_head}</td></tr>",
                f"<tr><td class='body'>{_para(changed)}</td><td class='body'>{_para(texts.get('learned', ''))}"
                f"</td></tr>"]
        if texts.get("not_to_plan"):
            rows.append(f"<tr><td class='plan' colspan='2'><b>{not_to_plan_head}</b> "
                        f"{_para(texts['not_to_plan'])}</td></tr>")
        blocks.append("<table width='100%' cellspacing='0' cellpadding='0' border='0'>" + "".join(rows) + "</table>")
        author = note.author or tr("unknown")
        blocks.append(f"<p class='by'>— {escape(author)}, {escape(note.organisation)}, "
                      f"{escape(format_date(note.recorded_on))}</p>")
    return "".join(blocks)


class LearningLibrary(QWidget):
    """Outcome notes across funds, filtered, with what was learned side by side."""

    loaded = Signal()  # an answer for the current filters is shown

    def __init__(self, db: Any, runner: TaskRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner = db, runner
        self.debounce_ms = 250
        self.queries = 0  # how many library queries were run (tests check none is queued twice)
        self._running = False
        self._again = False
        self.library = None  # grantdesk.services.outcomes.Library, once loaded
        self.setWindowTitle(self.tr("Learning library"))
        self.setAccessibleName(self.tr("Learning library"))

        self.theme_combo = self._combo(self.tr("Theme"), self.tr("All themes"))
        self.fund_combo = self._combo(self.tr("Fund"), self.tr("All funds"))
        self.area_combo = self._combo(self.tr("Area"), self.tr("All areas"))
        self.year_combo = self._combo(self.tr("Year"), self.tr("All years"))
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText(self.tr("Search the notes' words (Ctrl+F)"))
        self.text_edit.setClearButtonEnabled(True)
        self.text_edit.setAccessibleName(self.tr("Search the notes"))
        self.not_to_plan_check = QCheckBox(self.tr("Only what did &not go to plan"))
        self.not_to_plan_check.setAccessibleName(self.tr("Only what did not go to plan"))
        QShortcut(QKeySequence.StandardKey.Find, self, self.text_edit.setFocus)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        self.text_edit.textChanged.connect(lambda _t: self._timer.start(self.debounce_ms))
        for combo in (self.theme_combo, self.fund_combo, self.area_combo, self.year_combo):
            combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.not_to_plan_check.toggled.connect(lambda _c: self.refresh())

        filters = QHBoxLayout()
        for label, widget in ((self.tr("T&heme"), self.theme_combo), (self.tr("&Fund"), self.fund_combo),
                              (self.tr("&Area"), self.area_combo), (self.tr("&Year"), self.year_combo)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            filters.addWidget(caption)
            filters.addWidget(widget)
        filters.addWidget(self.text_edit, 1)
        filters.addWidget(self.not_to_plan_check)

        self.count_label = QLabel(self.tr("Loading the library…"))
        self.count_label.setAccessibleName(self.tr("How many notes"))
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setAccessibleName(self.tr("Problem"))
        self.error_label.hide()

        self.note_list = QTreeWidget()
        self.note_list.setHeaderLabels([self.tr(column) for column in COLUMNS])
        self.note_list.setRootIsDecorated(False)
        self.note_list.setUniformRowHeights(True)
        self.note_list.setAlternatingRowColors(True)
        self.note_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.note_list.setAccessibleName(self.tr("Outcome notes"))
        self.note_list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.note_list.header().setStretchLastSection(True)
        self.note_list.currentItemChanged.connect(self._show_note)

        self.view = QTextBrowser()
        self.view.setAccessibleName(self.tr("What was learned, side by side"))
        self.view.setOpenLinks(False)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.count_label)
        left_layout.addWidget(self.note_list, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(self.tr("<b>What was learned, side by side</b>"))
        right_layout.addWidget(heading)
        right_layout.addWidget(self.view, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.error_label)
        layout.addWidget(self.splitter, 1)
        follow_changes(self, {Kind.OUTCOMES, Kind.AWARDS, Kind.APPLICATIONS, Kind.FUNDS}, lambda _c: self.refresh())

    def _combo(self, name: str, everything: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(everything, None)
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    # --- asking ----------------------------------------------------------------------------------------------
    def start(self) -> None:
        self.refresh()

    def current_filter(self) -> dict[str, Any]:
        theme = self.theme_combo.currentData()
        return {"themes": (theme,) if theme else (), "fund_code": self.fund_combo.currentData(),
                "area": self.area_combo.currentData(), "year": self.year_combo.currentData(),
                "text": self.text_edit.text().strip(), "not_to_plan_only": self.not_to_plan_check.isChecked()}

    def refresh(self) -> None:
        """Ask for the notes matching the filters — unless a query is running, then once more after it."""
        self._timer.stop()
        if self._running:
            self._again = True
            return
        wanted = self.current_filter()

        def fetch(db):
            from grantdesk.services.outcomes import LibraryFilter, learning_library

            return learning_library(db, LibraryFilter(**wanted))

        self._running, self._again = True, False
        self.queries += 1
        Query(self, fetch).success(lambda library: self._on_library(wanted, library)).failure(self._on_error).run()

    def _on_library(self, wanted: dict[str, Any], library) -> None:
        self._running = False
        if self._again or wanted != self.current_filter():
            self.refresh()  # the filters changed meanwhile: this answer is stale
            return
        self.error_label.hide()
        self.library = library
        self._fill_choosers(wanted, library)
        self._fill_notes(library.notes)
        self.loaded.emit()

    def _on_error(self, exc: Any) -> None:
        self._running = False
        if self._again:
            self.refresh()
            return
        self.show_refusal(str(exc))
        self.loaded.emit()

    def show_refusal(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    # --- showing ---------------------------------------------------------------------------------------------
    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
        """Replace the combo's choices (after its "All …" item), keeping what is chosen."""
        chosen = combo.currentData()
        combo.blockSignals(True)
        try:
            while combo.count() > 1:
                combo.removeItem(1)
            for text, data in items:
                combo.addItem(text, data)
            if chosen is not None and combo.findData(chosen) < 0:
                combo.addItem(str(chosen), chosen)  # still chosen, though nothing matches it here
            combo.setCurrentIndex(max(combo.findData(chosen), 0) if chosen is not None else 0)
        finally:
            combo.blockSignals(False)

    def _fill_choosers(self, wanted: dict[str, Any], library) -> None:
        self._refill(self.theme_combo, [(f"{theme} ({count})", theme) for theme, count in library.themes])
        if wanted["fund_code"] is None:  # with a fund chosen the library lists only that fund
            self._refill(self.fund_combo, [(f"{code} — {name}", code) for code, name in library.funds])
        self._refill(self.area_combo, [(area, area) for area in library.areas])
        self._refill(self.year_combo, [(financial_year_label(year), year) for year in library.years])

    def _fill_notes(self, notes) -> None:
        self.note_list.clear()
        for note in notes:
            item = QTreeWidgetItem([note.reference, note.organisation, note.fund_code, note.stage,
                                    ", ".join(note.themes)])
            item.setData(0, Qt.ItemDataRole.UserRole, note.id)
            item.setToolTip(0, self.tr("{title} — recorded {date}").format(title=note.title,
                                                                           date=format_date(note.recorded_on)))
            self.note_list.addTopLevelItem(item)
        self.count_label.setText(self.tr("No notes") if not notes else
                                 ngettext("{n} note", "{n} notes", len(notes)).format(n=len(notes)))
        self.view.setHtml(side_by_side_html(notes))

    def _show_note(self, current: QTreeWidgetItem | None, _previous=None) -> None:
        if current is not None:
            self.view.scrollToAnchor(f"note-{current.data(0, Qt.ItemDataRole.UserRole)}")

    def listed_references(self) -> list[str]:
        return [self.note_list.topLevelItem(i).text(0) for i in range(self.note_list.topLevelItemCount())]
