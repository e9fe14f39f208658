"""Import Past Grants: bring a fund's past grants in from a 360Giving file (JSON, CSV or XLSX).

Choose the file, check every grant in it (progress and Cancel), read what an import would do and every
problem by row and column, then import all or nothing. The grants come in as history (repeat-funding
checks see them; letters, payments and publishing do not). The window shares its status line, job
handling and list widgets with the publishing window (``ui.open_data``).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.tasks import TaskRunner
from ui.widgets import action_button, labelled

from grantdesk.i18n import ngettext
from ui.open_data import ERROR_STYLE, INFO_STYLE, JobDialog, list_widget, open_filter, status_label


class ImportGrantsDialog(JobDialog):
    """Bring a fund's past grants in from a 360Giving file. ``check_file(path)`` reads and checks it
    (``checked`` with the plan); ``run_import()`` imports all or nothing (``imported`` with how many).
    A refusal, error or cancellation is shown and sent as ``failed``. Closing cancels a running job."""

    checked = Signal(object)  # GrantsImportPlan
    imported = Signal(int)

    def __init__(self, db: Any, runner: TaskRunner, fund_code: str, parent: QWidget | None = None, *,
                 path: str | Path | None = None):
        super().__init__(db, runner, fund_code, parent)
        self.path: Path | None = Path(path) if path else None
        self.plan: Any = None
        self.setObjectName("importGrantsDialog")
        self.setWindowTitle(self.tr("Import Past Grants (360Giving) — {0}").format(self.fund_code))
        self.setAccessibleName(self.tr("Import past grants"))
        self._build()
        self.resize(900, 640)
        self._update_buttons()

    def _build(self) -> None:
        intro = QLabel(self.tr("Grants from a 360Giving file (JSON, CSV or Excel) come into {0} as past awards, with "
                               "no round, so repeat-funding checks see who was funded before. They get no letters or "
                               "payments and are never published again. Nothing is written until you press Import; "
                               "grants already in GrantDesk are skipped.").format(escape(self.fund_code)))
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #4b5563;")

        self.choose_button = action_button(self.tr("&Choose File…"), "Ctrl+O", self.choose_file, "chooseGrantsFileButton",
                                           auto_default=False)
        self.file_label = QLabel(self.tr("Choose a 360Giving file: .json, .csv or .xlsx."))
        self.file_label.setObjectName("grantsFile")
        self.file_label.setAccessibleName(self.tr("File"))
        self.file_label.setWordWrap(True)
        self.recheck_button = action_button(self.tr("Check &again"), "F5", self.recheck, "recheckButton", auto_default=False)
        top = QHBoxLayout()
        top.addWidget(self.choose_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.recheck_button)

        self.summary = QLabel("")
        self.summary.setObjectName("grantsSummary")
        self.summary.setAccessibleName(self.tr("Summary"))
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setStyleSheet("font-weight: bold;")

        self.funders = list_widget("fundersList", self.tr("Funders in the file"))
        self.funders.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.notes = list_widget("notesList", self.tr("Values read generously"))
        self.notes.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.problem_model = QStringListModel(self)
        self.problems = QListView()
        self.problems.setObjectName("grantProblems")
        self.problems.setModel(self.problem_model)
        self.problems.setUniformItemSizes(True)  # thousands of problems stay quick
        self.problems.setAlternatingRowColors(True)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)

        def boxed(label: QLabel, view: QWidget) -> QWidget:
            box = QWidget()
            layout = QVBoxLayout(box)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(label)
            layout.addWidget(view)
            return box

        upper = QSplitter(Qt.Orientation.Horizontal)
        upper.setChildrenCollapsible(False)
        upper.addWidget(boxed(labelled(self.tr("F&unders named in the file:"), self.funders), self.funders))
        upper.addWidget(boxed(labelled(self.tr("&Notes on how values were read:"), self.notes), self.notes))
        upper.setSizes([360, 540])
        self.problems_label = labelled(self.tr("&Problems (each grant that cannot be read, by row and column):"), self.problems)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setObjectName("grantsSplitter")
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(upper)
        splitter.addWidget(boxed(self.problems_label, self.problems))
        splitter.setSizes([150, 350])
        self.funders.setAccessibleName(self.tr("Funders in the file"))
        self.notes.setAccessibleName(self.tr("Notes on how values were read"))
        self.problems.setAccessibleName(self.tr("Problems"))

        self.status = status_label("grantsStatus")
        self.import_button = action_button(self.tr("&Import"), "Ctrl+Return", self.run_import, "importGrantsButton",
                                           auto_default=False)
        close = QPushButton(self.tr("Close"))
        close.setObjectName("closeButton")
        close.setAccessibleName(self.tr("Close"))
        close.setAutoDefault(False)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    # --- state ----------------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        plan = self.plan
        self.choose_button.setEnabled(not self._busy)
        self.recheck_button.setEnabled(not self._busy and self.path is not None)
        self.import_button.setEnabled(not self._busy and plan is not None and not plan.problems
                                      and plan.to_import > 0)

    def _clear(self) -> None:
        self.plan = None
        self.summary.setText("")
        self.funders.clear()
        self.notes.clear()
        self.problem_model.setStringList([])

    # --- the file and its check -----------------------------------------------------------------
    def start(self) -> None:
        """Check the file given when the dialog was made, if any."""
        if self.path is not None:
            self.check_file(self.path)

    def choose_file(self) -> None:
        if self._busy:
            return
        folder = str(self.path.parent) if self.path else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import past grants from a 360Giving file"), folder,
                                              open_filter())
        if path:
            self.check_file(Path(path))

    def recheck(self) -> None:
        if self.path is not None:
            self.check_file(self.path)

    def check_file(self, path: str | Path) -> None:
        """Read and check every grant in ``path``, on the worker, with progress and Cancel."""
        if self._busy:
            return
        self.path = Path(path)
        self._clear()
        self.file_label.setText(str(self.path))
        self.summary.setText(self.tr("Checking {0}…").format(self.path.name))
        self.status.hide()
        code, target = self.fund_code, self.path

        def work(db, progress):
            from grantdesk.services.open_data import check_grants_import

            return check_grants_import(db, code, target, progress=progress)

        self._run(work, self._on_checked, self._on_check_failed, progress_title=self.tr("Checking the grants"))

    def _on_check_failed(self, exc: BaseException) -> None:
        self.summary.setText("")
        self._failed(exc, self.tr("Cancelled: the file was not checked, and nothing was written."))

    def _on_checked(self, plan: Any) -> None:
        self.plan = plan
        self.summary.setText(plan.summary())
        self.funders.addItems(list(plan.funders))
        notes = list(plan.notes)
        unused = getattr(plan.file, "unused_columns", ())
        if unused:
            notes.append(ngettext("{n} column is not a 360Giving field and was not read: {columns}.",
                                  "{n} columns are not 360Giving fields and were not read: {columns}.",
                                  len(unused)).format(n=len(unused), columns=", ".join(unused)))
        self.notes.addItems(notes or [self.tr("Every value was read as written.")])
        self.problem_model.setStringList([str(p) for p in plan.problems])
        n = len(plan.problems)
        self.problems_label.setText(self.tr("&Problems ({0}): each grant that cannot be read, by row and column:")
                                    .format(f"{n:,}") if n else self.tr("&Problems: none — every grant can be read."))
        self._set_busy(False)
        if plan.problems:
            self.say(self.tr("Nothing can be imported until the problems listed are fixed in the file; then check "
                             "it again (F5)."), ERROR_STYLE)
        elif plan.to_import <= 0:
            self.say(self.tr("Every grant in this file is already in GrantDesk: there is nothing new to import."), INFO_STYLE)
        else:
            self.say(ngettext("Ready: press Import to bring in {n} past grant.",
                              "Ready: press Import to bring in {n} past grants.", plan.to_import)
                     .format(n=f"{plan.to_import:,}"), INFO_STYLE)
        self.checked.emit(plan)

    # --- importing ------------------------------------------------------------------------------
    def run_import(self) -> None:
        plan = self.plan
        if plan is None or plan.problems or plan.to_import <= 0 or self._busy:
            return
        def work(db, progress):
            from grantdesk.services.open_data import import_grants

            return import_grants(db, plan, progress=progress)

        self.say(ngettext("Importing {n} past grant…", "Importing {n} past grants…", plan.to_import)
                 .format(n=f"{plan.to_import:,}"), INFO_STYLE)
        self._run(work, self._on_imported, self._on_import_failed, progress_title=self.tr("Importing past grants"),
                  writes=True)

    def _on_imported(self, result: Any) -> None:
        self.plan = None  # imported: checking again would find them all already here
        self._set_busy(False)
        self.summary.setText(result.message)
        self.say(result.message)
        self.imported.emit(result.imported)

    def _on_import_failed(self, exc: BaseException) -> None:
        problems = getattr(exc, "problems", None)
        if problems:
            self.plan = None
            self.problem_model.setStringList([str(p) for p in problems])
        self._failed(exc, self.tr("Cancelled: nothing was imported."))
