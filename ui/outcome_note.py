"""Record an outcome note for an award, built for learning: what happened, what changed and for whom, a
story of change, what did not go to plan and what was learned, what the council could do better — in
the grantee's or officer's own words — with optional figures, themes and photos.

The figures are optional ("not given" is the default); the words are the point. Whatever the services
refuse is shown with the service's sentence and the form is kept as typed. Loading is a ``Query``;
saving is one ``Op`` (reading the photos, then one ``record_note`` transaction), broadcast when it
commits, so an open learning library, payments window or main window shows the note without being
told. Themes added to the fund elsewhere are offered while the form is open.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Kind
from grantdesk.domain.errors import ValidationError
from grantdesk.i18n import N_
from ui.operations import Op, Query, follow_changes
from ui.tasks import TaskRunner

STAGES = (N_("3 months"), N_("6 months"), N_("12 months"), N_("End of grant"))  # suggestions: the stage is free text

# The note's parts in the order they are asked, each with its label and a plain-English prompt.
# (The labels match grantdesk.services.outcomes.LABELS; they are repeated here so that the module
# imports no service at load time.)
TEXTS = (
    ("what_happened", N_("What happened"), N_("What did you do, and who came? In your own words.")),
    ("what_changed", N_("What changed, and for whom"), N_("What is different now, and for which people?")),
    ("story", N_("A story of change"), N_("One person's or group's story, if there is one to tell.")),
    ("not_to_plan", N_("What did not go to plan"), N_("What went differently from the plan? Honest answers help "
                                                      "other groups.")),
    ("learned", N_("What was learned"), N_("What would you do the same, or differently, next time?")),
    ("council_could_do_better", N_("What the council could do better"),
     N_("How could the council's funding or support have helped more?")),
)
FIGURES = (
    ("people_involved", N_("People involved")),
    ("volunteers", N_("Volunteers")),
    ("volunteer_hours", N_("Volunteer hours")),
)
NOT_GIVEN = N_("not given")


def tr(text: str) -> str:
    return QCoreApplication.translate("OutcomeNoteDialog", text)
ERROR_STYLE = "padding: 6px; background: #fef2f2; color: #991b1b;"


def split_themes(text: str) -> list[str]:
    """The themes typed into the box: comma (or semicolon) separated, blanks dropped."""
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


class OutcomeNoteDialog(QDialog):
    """The form an outcome note is recorded on, for one award of a fund."""

    loaded = Signal()
    recorded = Signal(int)  # the new note's id

    def __init__(self, db: Any, runner: TaskRunner, award_id: int, fund_code: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner, self.award_id, self.fund_code = db, runner, award_id, fund_code
        self._busy = False
        self.setWindowTitle(self.tr("Record an outcome note"))
        self.setAccessibleName(self.tr("Record an outcome note"))
        self.resize(780, 860)

        self.heading = QLabel(self.tr("Loading the award…"))
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.heading.setAccessibleName(self.tr("Award"))
        intro = QLabel(self.tr("Measurement for learning: the words are the point. Write what happened in plain "
                               "language; the figures are optional."))
        intro.setWordWrap(True)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(ERROR_STYLE)
        self.error_label.setAccessibleName(self.tr("Problem"))
        self.error_label.hide()

        # --- when, which stage, who wrote it -------------------------------------------------------------
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("d MMMM yyyy")
        self.date_edit.setAccessibleName(self.tr("Recorded on"))
        self.stage_combo = QComboBox()
        self.stage_combo.setEditable(True)
        self.stage_combo.addItems([self.tr(stage) for stage in STAGES])
        self.stage_combo.setCurrentIndex(-1)
        self.stage_combo.lineEdit().setPlaceholderText(self.tr("for example 3 months"))
        self.stage_combo.setAccessibleName(self.tr("Stage"))
        self.author_edit = QLineEdit()
        self.author_edit.setPlaceholderText(self.tr("Who wrote this (left blank: you)"))
        self.author_edit.setAccessibleName(self.tr("Author"))

        form = QFormLayout()
        form.addRow(self._buddy(self.tr("Recorded &on"), self.date_edit), self.date_edit)
        form.addRow(self._buddy(self.tr("S&tage"), self.stage_combo), self.stage_combo)
        form.addRow(self._buddy(self.tr("&Author"), self.author_edit), self.author_edit)

        # --- the words -----------------------------------------------------------------------------------
        self.text_edits: dict[str, QPlainTextEdit] = {}
        words = QVBoxLayout()
        for name, label, prompt in TEXTS:
            label, prompt = self.tr(label), self.tr(prompt)
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText(prompt)
            edit.setAccessibleName(label)
            edit.setAccessibleDescription(prompt)
            edit.setMinimumHeight(70)
            edit.setMaximumHeight(110)
            self.text_edits[name] = edit
            caption = QLabel(f"<b>{label}</b> — {prompt}")
            caption.setWordWrap(True)
            caption.setBuddy(edit)
            words.addWidget(caption)
            words.addWidget(edit)
            setattr(self, f"{name}_edit", edit)

        # --- optional figures ----------------------------------------------------------------------------
        self.figure_spins: dict[str, QSpinBox] = {}
        figures_box = QGroupBox(self.tr("Figures (optional)"))
        figures = QHBoxLayout(figures_box)
        for name, label in FIGURES:
            label = self.tr(label)
            spin = QSpinBox()
            spin.setRange(-1, 1_000_000)
            spin.setSpecialValueText(self.tr(NOT_GIVEN))
            spin.setValue(-1)
            spin.setAccessibleName(label)
            spin.setToolTip(self.tr("{0}: leave as “{1}” if not known").format(label, self.tr(NOT_GIVEN)))
            self.figure_spins[name] = spin
            figures.addWidget(self._buddy(label, spin))
            figures.addWidget(spin)
        figures.addStretch(1)

        # --- themes --------------------------------------------------------------------------------------
        themes_box = QGroupBox(self.tr("Themes"))
        themes = QVBoxLayout(themes_box)
        self.theme_list = QListWidget()
        self.theme_list.setAccessibleName(self.tr("Themes"))
        self.theme_list.setMaximumHeight(120)
        self.theme_list.setFlow(QListWidget.Flow.LeftToRight)
        self.theme_list.setWrapping(True)
        self.theme_list.setSpacing(2)
        self.new_themes_edit = QLineEdit()
        self.new_themes_edit.setPlaceholderText(self.tr("New themes, comma separated (for example: loneliness, healthy food)"))
        self.new_themes_edit.setAccessibleName(self.tr("New themes"))
        self.new_themes_edit.returnPressed.connect(self.add_typed_themes)
        self.add_themes_button = QPushButton(self.tr("Add t&hemes"))
        self.add_themes_button.setAccessibleName(self.tr("Add themes"))
        self.add_themes_button.clicked.connect(self.add_typed_themes)
        new_row = QHBoxLayout()
        new_row.addWidget(self.new_themes_edit, 1)
        new_row.addWidget(self.add_themes_button)
        themes.addWidget(QLabel(self.tr("Tick the themes this note speaks to, or add new ones.")))
        themes.addWidget(self.theme_list)
        themes.addLayout(new_row)

        # --- photos --------------------------------------------------------------------------------------
        photos_box = QGroupBox(self.tr("Photos (optional)"))
        photos = QVBoxLayout(photos_box)
        self.photo_model = QStandardItemModel(0, 2, self)  # a few photos, captions edited in place
        self.photo_model.setHorizontalHeaderLabels([self.tr("Photo"), self.tr("Caption")])
        self.photo_table = QTableView()
        self.photo_table.setModel(self.photo_model)
        self.photo_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.photo_table.verticalHeader().hide()
        self.photo_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.photo_table.setAccessibleName(self.tr("Photos"))
        self.photo_table.setMaximumHeight(110)
        self.add_photo_button = QPushButton(self.tr("Add &photo…"))
        self.add_photo_button.setAccessibleName(self.tr("Add photo"))
        self.add_photo_button.clicked.connect(self.choose_photo)
        self.remove_photo_button = QPushButton(self.tr("&Remove photo"))
        self.remove_photo_button.setAccessibleName(self.tr("Remove photo"))
        self.remove_photo_button.clicked.connect(self.remove_photo)
        photo_buttons = QHBoxLayout()
        photo_buttons.addWidget(self.add_photo_button)
        photo_buttons.addWidget(self.remove_photo_button)
        photo_buttons.addStretch(1)
        photos.addWidget(self.photo_table)
        photos.addLayout(photo_buttons)
        self._photo_paths: list[str] = []

        # --- the page and its buttons --------------------------------------------------------------------
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.addLayout(form)
        page_layout.addLayout(words)
        page_layout.addWidget(figures_box)
        page_layout.addWidget(themes_box)
        page_layout.addWidget(photos_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)

        self.save_button = QPushButton(self.tr("Save note"))
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setAccessibleName(self.tr("Save note"))
        self.save_button.setToolTip(self.tr("Save the note (Ctrl+S)"))
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(intro)
        layout.addWidget(self.error_label)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        follow_changes(self, {Kind.FUNDS, Kind.OUTCOMES}, lambda _changes: self._offer_themes())

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    # --- loading ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Load the award's heading and the themes to offer (the fund's own list, then others its notes use)."""
        code, award_id = self.fund_code, self.award_id

        def fetch(db):
            from grantdesk.services.outcomes import awards_for_notes, themes_for_fund

            award = next((a for a in awards_for_notes(db, code) if a[0] == award_id), None)
            return award, themes_for_fund(db, code)

        Query(self, fetch).success(self._on_loaded).failure(self._on_load_error).run()

    def _on_loaded(self, result) -> None:
        award, themes = result
        if award is None:
            self.heading.setText(self.tr("Award {0} ({1})").format(self.award_id, self.fund_code))
        else:
            _id, reference, organisation, title = award
            self.heading.setText(f"{reference} — {organisation}: {title}")
            self.setWindowTitle(self.tr("Outcome note — {0}").format(reference))
        for theme in themes:
            self._theme_item(theme, checked=False)
        self.save_button.setEnabled(True)
        self.text_edits["what_happened"].setFocus()
        self.loaded.emit()

    def _on_load_error(self, exc: Any) -> None:
        self.show_error(str(exc))
        self.loaded.emit()

    def _offer_themes(self) -> None:
        """Themes the fund's notes use now (another note, the fund's list changed): added, unticked;
        what is ticked or typed here is kept."""
        code = self.fund_code

        def fetch(db):
            from grantdesk.services.outcomes import themes_for_fund

            return themes_for_fund(db, code)

        def add(themes: list[str]) -> None:
            for theme in themes:
                self._theme_item(theme, checked=False)

        Query(self, fetch).success(add).run()

    # --- themes and photos -----------------------------------------------------------------------------------
    def _theme_item(self, theme: str, *, checked: bool) -> QListWidgetItem:
        for row in range(self.theme_list.count()):
            item = self.theme_list.item(row)
            if item.text().casefold() == theme.casefold():
                if checked:
                    item.setCheckState(Qt.CheckState.Checked)
                return item
        item = QListWidgetItem(theme)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.theme_list.addItem(item)
        return item

    def add_typed_themes(self) -> None:
        """Add the typed themes to the list, ticked."""
        for theme in split_themes(self.new_themes_edit.text()):
            self._theme_item(" ".join(theme.split()).lower(), checked=True)
        self.new_themes_edit.clear()

    def set_theme_checked(self, theme: str, checked: bool = True) -> None:
        self._theme_item(theme, checked=checked).setCheckState(
            Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def chosen_themes(self) -> tuple[str, ...]:
        ticked = [self.theme_list.item(r).text() for r in range(self.theme_list.count())
                  if self.theme_list.item(r).checkState() == Qt.CheckState.Checked]
        return tuple(ticked + split_themes(self.new_themes_edit.text()))

    def choose_photo(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Add photos"), "",
                                                self.tr("Photos") + " (*.jpg *.jpeg *.png)")
        for path in paths:
            self.add_photo(path)

    def add_photo(self, path: str, caption: str = "") -> None:
        """Add a photo (read when the note is saved); the caption can be edited in the table."""
        name = QStandardItem(Path(path).name)
        name.setEditable(False)
        name.setToolTip(path)
        self.photo_model.appendRow([name, QStandardItem(caption)])
        self._photo_paths.append(path)

    def remove_photo(self) -> None:
        row = self.photo_table.currentIndex().row()
        if row >= 0:
            self.photo_model.removeRow(row)
            del self._photo_paths[row]

    # --- saving ----------------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """What is typed, as the NoteDraft's fields (photos as (path, caption) until they are read)."""
        qd = self.date_edit.date()
        values: dict[str, Any] = {
            "recorded_on": date(qd.year(), qd.month(), qd.day()),
            "stage": self.stage_combo.currentText().strip(),
            "author": self.author_edit.text().strip(),
            "themes": self.chosen_themes(),
        }
        for name, edit in self.text_edits.items():
            values[name] = edit.toPlainText()
        for name, spin in self.figure_spins.items():
            values[name] = None if spin.value() < 0 else spin.value()
        values["photos"] = tuple((path, self.photo_model.item(row, 1).text())
                                 for row, path in enumerate(self._photo_paths))
        return values

    def save(self) -> None:
        if self._busy or not self.save_button.isEnabled():
            return
        values, award_id = self.values(), self.award_id

        def work(db) -> int:
            from grantdesk.services.outcomes import NoteDraft, record_note

            photos = []
            for path, caption in values.pop("photos"):
                try:
                    data = Path(path).read_bytes()
                except OSError as exc:
                    raise ValidationError(tr("The photo “{0}” could not be read: {1}.").format(
                        Path(path).name, exc.strerror), "photos") from exc
                photos.append((Path(path).name, data, caption))
            return record_note(db, award_id, NoteDraft(**values, photos=tuple(photos)))

        self._set_busy(True)
        Op(self, work).success(self._on_saved).failure(self._on_save_error).finally_(lambda: self._set_busy(False)).run()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)

    def _on_saved(self, note_id: int) -> None:
        self.error_label.hide()
        self.recorded.emit(note_id)
        self.accept()

    def _on_save_error(self, exc: Any) -> None:
        self.show_error(str(exc))
        target = self._field_widget(getattr(exc, "field", None))
        if target is not None:
            target.setFocus()

    def _field_widget(self, field: str | None) -> QWidget | None:
        if field in self.text_edits:
            return self.text_edits[field]
        if field in self.figure_spins:
            return self.figure_spins[field]
        return {"recorded_on": self.date_edit, "photos": self.photo_table}.get(field or "")

    def show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    show_refusal = show_error  # what the operations layer calls
