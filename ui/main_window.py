"""GrantDesk's main window: funds and rounds on the left, the applications list, and the detail pane.

The window paints first and loads after. With ``staged=True`` (how ``grantdesk`` opens it) the
constructor builds only the frame: the fund list saying "Loading funds…", the loading state where the
list will be, the menu bar's titles and the status bar, from a handful of Qt classes; ``start()``
then sets the worker opening the database and builds the rest (list, filters, detail pane, actions)
while it does. Opening the database (and SQLAlchemy's import), creating it (empty) on first run, and
every query run on the worker thread through ``TaskRunner``. Widgets only ever receive plain results.

A database with no funds shows the welcome page (``ui.welcome``) instead of the lists; a fund with no
applications or no rounds says what to do next, with the button for it. A database holding the sample
funds says SAMPLE DATA in the title and the status bar; a read-only one says so in a banner; a
``--db`` in a folder that does not exist is created only if the officer says yes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from shiboken6 import isValid

from grantdesk import __version__
from grantdesk.config import DatabaseLocation, database_location, sample_database_location
from grantdesk.i18n import N_, ngettext
from grantdesk.i18n import _ as core_text  # the core's labels (how a fund decides), translated
from ui.fund_windows import FundWindows

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from ui.models import ListFilter, PreparedRows
    from ui.tasks import TaskRunner

FUND_ROLE = Qt.ItemDataRole.UserRole + 10  # (fund_code, round_id or None) on each tree item
ROUND_LABEL_ROLE = Qt.ItemDataRole.UserRole + 11
WARM_UP_AFTER_MS = 750  # after the first screen is complete
# What the list and the detail pane show, by kind of change (grantdesk.domain.changes.Kind values).
FOLLOWS = ("funds", "applications", "eligibility", "members", "panels", "events", "awards", "outcomes", "letters")
ROWS_BEFORE_RELOAD = 50  # more changed applications than this: reload the list rather than row by row
MENUS = (N_("&File"), N_("F&und"), N_("&Application"), N_("&Members"), N_("Aft&er the Award"), N_("&Voting"),
         N_("&View"), N_("&Help"))  # keys of self.menus; shown translated


class MainWindow(FundWindows, QMainWindow):
    MIN_TITLE_WIDTH = 220
    funds_loaded = Signal()
    applications_loaded = Signal()
    detail_loaded = Signal()
    ready = Signal()  # the first screen is complete: funds, applications and a selected detail
    load_failed = Signal(str)
    filters_applied = Signal()
    application_refreshed = Signal(int)  # a changed application's row and detail are up to date

    def __init__(self, location: DatabaseLocation, *, runner: TaskRunner | None = None,
                 settings: QSettings | None = None, fund_code: str | None = None, staged: bool = False,
                 load_samples: bool = False):
        super().__init__()
        self.location = location
        self.load_samples = load_samples  # the sample database: load the sample funds into it if missing
        self.holds_sample_data = False  # some fund here came from a sample file: say SAMPLE DATA
        self.read_only = False  # the file may only be read: say so, and writes are refused
        self.initial_fund = fund_code.upper() if fund_code else None
        self.runner = runner
        self.settings = settings
        self.db: Any = None  # grantdesk.store.database.Database, once opened on the worker
        self.funds: list[Any] = []
        self._apps_request = 0
        self._detail_request = 0
        self._ready_sent = False
        self._complete = False
        self.current_detail: Any = None
        self.current_fund: str | None = None
        self._refresh_pending: int | None = None
        self._member_ids: dict[int, frozenset[int]] = {}
        self._fund_windows: dict[str, dict[str, Any]] = {}  # kind → fund code → its window
        self._fund_shape: tuple = ()  # the funds and rounds the tree shows (rebuilt when they change)
        self.welcome: Any = None  # ui.welcome.WelcomePage, made when a database has no funds
        self.empty_state: Any = None  # what the list shows for a fund with no applications
        self.sample_label: QLabel | None = None
        self.sample_windows: list[MainWindow] = []  # sample databases opened from the welcome page

        self.setWindowTitle("GrantDesk")
        self.setObjectName("mainWindow")
        self.resize(1280, 800)
        self._build_frame()
        self._restore_geometry()
        self._set_loading(self.tr("Opening the database…"))
        if not staged:
            self.complete()

    @property
    def is_complete(self) -> bool:
        """Whether the whole window is built (always, unless made ``staged`` and not started yet)."""
        return self._complete

    def complete(self) -> None:
        """Build the rest of the window on the frame: the list, filters, detail pane and actions
        (done by the constructor unless ``staged``; by ``start()`` otherwise). Safe to call twice."""
        if self._complete:
            return
        self._complete = True
        self._ensure_runner()
        self._build_widgets()
        self._build_actions()
        self._restore_state()
        from grantdesk.domain.changes import Kind

        from ui.operations import follow_changes

        follow_changes(self, [Kind(k) for k in FOLLOWS], self._on_changes)
        self._kind = Kind

    def _ensure_runner(self) -> None:
        if self.runner is None:
            from ui.tasks import TaskRunner

            self.runner = TaskRunner(self)

    # --- construction -------------------------------------------------------------------------
    def _build_frame(self) -> None:
        """What the first paint shows: the fund list, the loading state, the menu titles, the status bar."""
        self.fund_model = QStandardItemModel(self)
        self.fund_tree = QTreeView()
        self.fund_tree.setObjectName("fundTree")
        self.fund_tree.setAccessibleName(self.tr("Funds and rounds"))
        self.fund_tree.setHeaderHidden(True)
        self.fund_tree.setModel(self.fund_model)
        self.fund_tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fund_tree.setMinimumWidth(200)
        self.fund_tree.selectionModel().currentChanged.connect(self._on_fund_changed)

        self.loading_label = QLabel()
        self.loading_label.setObjectName("loadingLabel")
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.setWordWrap(True)
        self.loading_label.setAccessibleName(self.tr("Loading"))
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.loading_label)

        centre = QWidget()
        self.centre_layout = QVBoxLayout(centre)
        self.centre_layout.setContentsMargins(6, 6, 6, 6)
        self.centre_layout.addWidget(self.list_stack, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.fund_tree)
        self.splitter.addWidget(centre)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([210, 1070])
        self.read_only_banner = QLabel()
        self.read_only_banner.setObjectName("readOnlyBanner")
        self.read_only_banner.setWordWrap(True)
        self.read_only_banner.setContentsMargins(8, 6, 8, 6)
        self.read_only_banner.setAutoFillBackground(True)
        self.read_only_banner.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.read_only_banner.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.read_only_banner.hide()
        self.share_banner = QLabel()  # a SQLite file on a network share: use PostgreSQL (services.backups)
        self.share_banner.setObjectName("networkShareBanner")
        self.share_banner.setWordWrap(True)
        self.share_banner.setContentsMargins(8, 6, 8, 6)
        self.share_banner.setAutoFillBackground(True)
        self.share_banner.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.share_banner.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.share_banner.hide()
        self.central_stack = QStackedWidget()  # the lists, or the welcome page
        self.central_stack.setObjectName("centralStack")
        self.central_stack.addWidget(self.splitter)
        outer = QWidget()
        outer_layout = QVBoxLayout(outer)
        outer_layout.setContentsMargins(0, 0, 0, 0)
        outer_layout.setSpacing(0)
        outer_layout.addWidget(self.read_only_banner)
        outer_layout.addWidget(self.share_banner)
        outer_layout.addWidget(self.central_stack, 1)
        self.setCentralWidget(outer)
        self.menus = {title: self.menuBar().addMenu(self.tr(title)) for title in MENUS}

        self.db_label = QLabel()
        self.db_label.setObjectName("databaseLabel")
        self.db_label.setAccessibleName(self.tr("Open database"))
        self.statusBar().addPermanentWidget(self.db_label)
        self._show_database()

    def _build_widgets(self) -> None:
        from PySide6.QtWidgets import QHeaderView, QTableView

        from ui.detail import DetailPane
        from ui.filter_bar import FilterBar
        from ui.models import ApplicationsTableModel

        self.fund_heading = QLabel()
        self.fund_heading.setObjectName("fundHeading")
        self.fund_heading.setTextFormat(Qt.TextFormat.RichText)
        self.fund_heading.setWordWrap(True)

        self.filter_bar = FilterBar()
        self.filter_bar.setObjectName("filterBar")
        self.filter_edit = self.filter_bar.text_edit
        self.filter_bar.changed.connect(self._on_filter_changed)
        self.filter_bar.save_view_requested.connect(self._save_view)

        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("padding: 6px; background: #fef2f2; color: #991b1b;")
        self.notice.hide()

        self.count_label = QLabel()
        self.count_label.setObjectName("applicationCount")

        self.app_model = ApplicationsTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("applicationsTable")
        self.table.setAccessibleName(self.tr("Applications"))
        self.table.setModel(self.app_model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(ApplicationsTableModel.REFERENCE, Qt.SortOrder.DescendingOrder)  # newest first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        for column, width in self.column_widths().items():
            self.table.setColumnWidth(column, width)
        self._title_column = ApplicationsTableModel.TITLE
        # The title takes whatever width the other columns leave (never under MIN_TITLE_WIDTH).
        self.table.viewport().installEventFilter(self)
        self.table.selectionModel().currentRowChanged.connect(self._on_application_changed)
        self.table.doubleClicked.connect(lambda _index: self.actions.edit_action.trigger())
        self.table.installEventFilter(self)
        self.list_stack.addWidget(self.table)

        layout = self.centre_layout
        layout.insertWidget(0, self.fund_heading)
        layout.insertWidget(1, self.filter_bar)
        layout.insertWidget(2, self.notice)
        layout.addWidget(self.count_label)

        self.detail = DetailPane()
        self.detail.setMinimumWidth(280)
        self.detail.anchorClicked.connect(self._on_detail_link)
        self.splitter.addWidget(self.detail)
        self.splitter.setSizes([210, 790, 290])

    @staticmethod
    def column_widths() -> dict[int, int]:
        """The list's starting column widths (the title takes what is left)."""
        from ui.models import ApplicationsTableModel as M

        return {M.REFERENCE: 112, M.ORGANISATION: 160, M.AREA: 124, M.REQUESTED: 88, M.STATUS: 92, M.SUBMITTED: 92}

    def _build_actions(self) -> None:
        from PySide6.QtGui import QKeySequence

        from grantdesk.domain.workflow import Status
        from ui.workspace import ApplicationActions

        self.actions = ApplicationActions(self)
        self.actions.changed.connect(self.application_changed)

        file_menu = self.menus["&File"]
        self.new_fund_action = self._action(self.tr("New &Fund…"), QKeySequence("Ctrl+Shift+N"),
                                            self.open_new_fund_wizard)
        self.new_fund_action.setStatusTip(self.tr("Set up a new fund, step by step"))
        file_menu.addAction(self.new_fund_action)
        self.open_action = self._action(self.tr("&Open Database…"), QKeySequence.StandardKey.Open, self._choose_database)
        file_menu.addAction(self.open_action)
        self.open_definition_action = self._action(self.tr("Open Fund Defi&nition File…"), None,
                                                   self.open_definition_file)
        self.open_definition_action.setStatusTip(self.tr("Make a fund from a .toml fund definition file"))
        file_menu.addAction(self.open_definition_action)
        self.samples_action = self._action(self.tr("E&xplore the Sample Funds"), None, self.explore_samples)
        self.samples_action.setStatusTip(self.tr("Open the invented sample funds in their own database "
                                                 "(marked SAMPLE DATA)"))
        file_menu.addAction(self.samples_action)
        file_menu.addSeparator()
        self.import_action = self._action(self.tr("&Import Applications…"), QKeySequence("Ctrl+I"), self._import)
        file_menu.addAction(self.import_action)
        self.letters_action = self._action(self.tr("&Letters…"), QKeySequence("Ctrl+Shift+L"), self.open_letters)
        self.letters_action.setStatusTip(self.tr("Award, decline and deferral letters for the selected fund: "
                                                 "preview, save as PDF, print"))
        file_menu.addAction(self.letters_action)
        file_menu.addSeparator()
        self.publish_action = self._action(self.tr("Publish Open &Data…"), QKeySequence("Ctrl+Shift+P"), self.open_publish)
        self.publish_action.setStatusTip(self.tr("Check the selected fund's awards and publish them to 360Giving "
                                                 "or under the Transparency Code"))
        file_menu.addAction(self.publish_action)
        self.import_grants_action = self._action(self.tr("Import Past &Grants (360Giving)…"), QKeySequence("Ctrl+Shift+I"),
                                                 self.open_import_grants)
        self.import_grants_action.setStatusTip(self.tr("Bring the selected fund's past grants in from a "
                                                       "360Giving file"))
        file_menu.addAction(self.import_grants_action)
        self.people_action = self._action(self.tr("People (Subject &Access)…"), QKeySequence("Ctrl+Shift+H"),
                                          self.open_people)
        self.people_action.setStatusTip(self.tr("Find a person, save everything held about them, or erase it on "
                                                "request"))
        file_menu.addAction(self.people_action)
        self.users_action = self._action(self.tr("&Users and Roles…"), QKeySequence("Ctrl+Shift+U"), self.open_users)
        self.users_action.setStatusTip(self.tr("Who may sign in, and as what (a manager's)"))
        file_menu.addAction(self.users_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action(self.tr("&Quit"), QKeySequence.StandardKey.Quit, self.close))

        fund_menu = self.menus["F&und"]
        self.fund_settings_action = self._action(self.tr("Fund &Settings…"), None,
                                                 lambda: self.open_fund_settings())
        self.fund_settings_action.setStatusTip(self.tr("The selected fund's settings, rounds, areas, members, "
                                                       "panel, form and letters"))
        fund_menu.addAction(self.fund_settings_action)
        fund_menu.addAction(self.new_fund_action)
        self.retention_action = self._action(self.tr("&Retention…"), QKeySequence("Ctrl+Shift+K"),
                                             self.open_retention)
        self.retention_action.setStatusTip(self.tr("How long the selected fund keeps personal details, and removing "
                                                   "what is due"))
        fund_menu.addAction(self.retention_action)

        self.actions.fill_menu(self.menus["&Application"])

        members_menu = self.menus["&Members"]
        self.pots_action = self._action(self.tr("Members' &Pots…"), QKeySequence("Ctrl+Shift+M"), self.open_members_dashboard)
        self.pots_action.setStatusTip(self.tr("Every councillor's pot in the selected fund: allotted, committed, "
                                              "approved, paid, remaining"))
        members_menu.addAction(self.pots_action)
        self.member_decision_action = self._action(self.tr("Member &Decision…"), QKeySequence("Ctrl+M"),
                                                   self.open_member_decision)
        self.member_decision_action.setStatusTip(self.tr("Record a councillor's decision on the selected "
                                                         "application, or the officer's approval"))
        members_menu.addAction(self.member_decision_action)

        self.after_menu = self.menus["Aft&er the Award"]
        self.payments_action = self._action(self.tr("&Payments and Monitoring…"), QKeySequence("Ctrl+Shift+Y"),
                                            self.open_payments)
        self.payments_action.setStatusTip(self.tr("Reports overdue or due soon, and every award's payments"))
        self.after_menu.addAction(self.payments_action)
        self.outcome_note_action = self._action(self.tr("Record &Outcome Note…"), QKeySequence("Ctrl+Shift+O"),
                                                self.open_outcome_note)
        self.outcome_note_action.setStatusTip(self.tr("Record what happened, what changed and what was learned "
                                                      "for the selected application's award"))
        self.after_menu.addAction(self.outcome_note_action)
        self.learning_library_action = self._action(self.tr("Learning &Library…"), QKeySequence("Ctrl+Shift+B"),
                                                    self.open_learning_library)
        self.learning_library_action.setStatusTip(self.tr("Outcome notes across all funds, by theme, fund, area, "
                                                          "year and text, with what was learned side by side"))
        self.after_menu.addAction(self.learning_library_action)

        voting_menu = self.menus["&Voting"]
        self.voting_action = self._action(self.tr("&Votes and Panels…"), QKeySequence("Ctrl+Shift+V"), self.open_voting_desk)
        self.voting_action.setStatusTip(self.tr("Community votes and resident panels for the selected fund"))
        voting_menu.addAction(self.voting_action)

        view_menu = self.menus["&View"]
        self.find_action = self._action(self.tr("&Find Applications"), QKeySequence.StandardKey.Find, self._focus_filter)
        view_menu.addAction(self.find_action)
        self.refresh_action = self._action(self.tr("&Refresh"), QKeySequence.StandardKey.Refresh, self.refresh)
        view_menu.addAction(self.refresh_action)
        from ui.language_menu import LanguageMenu

        view_menu.addSeparator()
        self.language_menu = LanguageMenu(self)
        view_menu.addMenu(self.language_menu)

        help_menu = self.menus["&Help"]
        help_menu.addAction(self._action(self.tr("&About GrantDesk"), None, self._about))

        toolbar = self.toolbar = self.addToolBar(self.tr("Applications"))
        toolbar.setObjectName("applicationsToolbar")
        toolbar.setMovable(False)
        for action in (self.actions.new_action, self.actions.edit_action, self.actions.assess_action,
                       self.actions.move_actions[Status.SUBMITTED], self.actions.move_actions[Status.SHORTLISTED],
                       self.actions.move_actions[Status.AWARDED], self.actions.move_actions[Status.DECLINED]):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.import_action)
        toolbar.addAction(self.voting_action)
        toolbar.addAction(self.pots_action)

    def _action(self, text: str, shortcut, slot: Callable[[], Any]) -> QAction:
        from PySide6.QtGui import QAction, QKeySequence

        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def open_retention(self):
        """Fund ▸ Retention…: the selected fund's retention window (ui.retention_window)."""
        from ui.retention_window import open_retention_window

        return open_retention_window(self)

    def open_people(self):
        """File ▸ People (Subject Access)…: find a person, export or erase what is held (ui.people_window)."""
        from ui.people_window import open_people_window

        return open_people_window(self)

    def open_users(self):
        """File ▸ Users and Roles…: the people who sign in and their roles (ui.users_window)."""
        from ui.users_window import open_users_window

        return open_users_window(self)

    def _restore_geometry(self) -> None:
        """Where the window was last time: set on the frame, before it is shown, so it never jumps."""
        geometry = self.settings.value("mainWindow/geometry") if self.settings is not None else None
        if geometry is not None:
            self.restoreGeometry(geometry)

    def _restore_state(self) -> None:
        """The splitter as it was last time (once the detail pane is in it)."""
        splitter = self.settings.value("mainWindow/splitter") if self.settings is not None else None
        if splitter is not None:
            self.splitter.restoreState(splitter)

    # --- loading ------------------------------------------------------------------------------
    def start(self) -> None:
        """Open the database and list the funds, in the background (call after ``show()``); a staged
        window builds the rest of itself while the worker does that."""
        location = self.location
        self._ensure_runner()
        make_folder = None
        folder = location.missing_folder()
        if folder is not None and not location.in_app_folder:
            if not self._may_make_folder(folder):
                self.complete()
                self._on_open_failed(RuntimeError(self.tr(
                    "Nothing was created: the folder {0} does not exist.").format(folder)))
                return
            make_folder = True
        load_samples = self.load_samples

        def open_and_list(progress):
            from grantdesk.services.database import open_for_app
            from grantdesk.services.overview import list_funds

            opened = open_for_app(location, make_folder=make_folder, load_samples=load_samples,
                                  progress=progress.report)
            try:
                return opened, list_funds(opened.db)
            except BaseException:
                opened.db.close()
                raise

        if load_samples:
            self._set_loading(self.tr("Loading the sample funds — invented people and applications…"))
        self.runner.run(open_and_list, self._on_opened, self._on_open_failed,
                        progress_title=self.tr("Loading the sample funds") if load_samples else None,
                        parent_widget=self if load_samples else None)
        self.complete()  # its answer is delivered through the event loop, so after this

    def _may_make_folder(self, folder) -> bool:
        """A ``--db`` in a folder that does not exist: make it (and a new, empty database) only if asked to."""
        from PySide6.QtWidgets import QMessageBox  # dialogs load when first used, not at start-up

        answer = QMessageBox.question(
            self, self.tr("Create a new database?"),
            self.tr("The folder {0} does not exist, so there is no GrantDesk database at {1}.\n\n"
                    "Create the folder and a new, empty database there?").format(folder, self.location.path),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _on_opened(self, result) -> None:
        opened, funds = result
        self.db = opened.db
        self.holds_sample_data = opened.holds_sample_data
        self.read_only = opened.read_only
        self._show_database()
        if opened.network_warning:
            self.share_banner.setText(opened.network_warning)  # the core's words (services.backups)
            self.share_banner.setAccessibleName(self.tr("This database file is on a network share"))
        self.share_banner.setVisible(bool(opened.network_warning))
        if opened.samples_loaded:
            self.statusBar().showMessage(self.tr("Loaded the sample funds {0}: invented people and applications, "
                                                 "in a database of their own.").format(
                ", ".join(opened.samples_loaded)), 10000)
        self._show_funds(funds)

    def _on_open_failed(self, error: BaseException) -> None:
        from ui.tasks import Cancelled

        if isinstance(error, Cancelled):
            error = RuntimeError(self.tr("Stopped loading the sample funds; the ones already loaded are kept. "
                                         "Explore the sample funds again to load the rest."))
        message = str(error) or type(error).__name__
        self._set_loading(self.tr("GrantDesk could not open the database.\n\n{0}\n\n"
                                  "Use File › Open Database… (Ctrl+O) to choose another file.").format(message))
        self.fund_model.clear()
        self.statusBar().showMessage(self.tr("The database could not be opened."))
        self.load_failed.emit(message)

    def _show_funds(self, funds: list[Any], select: str | None = None, keep: tuple | None = None) -> None:
        """Fill the fund tree and choose where to start: ``keep`` (a fund and round shown before), else
        ``select`` (a fund code), else ``--fund``, the fund last looked at or the busiest. No funds: the
        welcome page."""
        from grantdesk.domain.dates import financial_year_label

        self.funds = funds
        self._fund_shape = self._shape_of(funds)
        self.fund_model.clear()
        bold = self.fund_tree.font()
        bold.setBold(True)
        for fund in funds:
            item = QStandardItem(f"{fund.name}")
            item.setFont(bold)
            item.setToolTip(f"{fund.code} · {fund.council} · {core_text(fund.decision_label)}")
            item.setData((fund.code, None), FUND_ROLE)
            item.setAccessibleText(ngettext("{name}, {n} application", "{name}, {n} applications",
                                             fund.application_count).format(name=fund.name,
                                                                            n=fund.application_count))
            for rnd in fund.rounds:
                label = rnd.name
                for prefix in (fund.name, fund.name.split(" / ")[0]):  # "Fund 2026–27" → "2026–27"
                    if rnd.name.startswith(prefix) and rnd.name[len(prefix):].strip(" -–·"):
                        label = rnd.name[len(prefix):].strip(" -–·")
                        break
                child = QStandardItem(f"{label}  ({rnd.application_count:,})")
                child.setData(label, ROUND_LABEL_ROLE)
                child.setToolTip(self.tr("{year} · apply by {date}").format(
                    year=financial_year_label(rnd.financial_year), date=f"{rnd.closes_on:%d/%m/%Y}"))
                child.setData((fund.code, rnd.id), FUND_ROLE)
                item.appendRow(child)
            self.fund_model.appendRow(item)
        self.fund_tree.expandAll()
        if not funds:
            self.current_fund = None
            self._set_loading(self.tr("This database has no funds yet."))
            self._show_welcome()
            self.funds_loaded.emit()
            self._emit_ready()
            return
        self.central_stack.setCurrentWidget(self.splitter)
        self.toolbar.show()
        self.funds_loaded.emit()
        start = self._index_for(keep) if keep is not None else None
        if start is None or not start.isValid():
            wanted = next((f for f in funds if f.code == select), None) or self._starting_fund(funds)
            start = self.fund_model.index(funds.index(wanted), 0)
        self.fund_tree.selectionModel().setCurrentIndex(
            start, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    @staticmethod
    def _shape_of(funds: list[Any]) -> tuple:
        """What the tree shows of the funds, apart from the counts: a change means rebuilding it."""
        return tuple((f.code, f.name, f.council, f.decision_model, tuple((r.id, r.name) for r in f.rounds))
                     for f in funds)

    def _index_for(self, key: tuple | None) -> QModelIndex | None:
        """The tree's item for (fund code, round id or None)."""
        for r in range(self.fund_model.rowCount()):
            item = self.fund_model.item(r)
            if item.data(FUND_ROLE) == key:
                return item.index()
            for c in range(item.rowCount()):
                if item.child(c).data(FUND_ROLE) == key:
                    return item.child(c).index()
        return None

    def _show_welcome(self) -> None:
        if self.welcome is None:
            from ui.welcome import WelcomePage

            self.welcome = WelcomePage()
            self.welcome.set_up_fund.connect(self.open_new_fund_wizard)
            self.welcome.open_definition.connect(self.open_definition_file)
            self.welcome.explore_samples.connect(self.explore_samples)
            self.welcome.open_database.connect(self._choose_database)
            self.central_stack.addWidget(self.welcome)
        self.welcome.set_database(self.location.describe())
        self.welcome.show_refusal("")
        self.central_stack.setCurrentWidget(self.welcome)
        self.toolbar.hide()  # the application actions have nothing to act on yet
        self.welcome.focus_first()

    def show_fund(self, fund_code: str) -> None:
        """Read the funds again and show ``fund_code`` (after a fund was created: the welcome page goes)."""
        self.refresh_fund_counts(select=fund_code)

    def refresh_fund_counts(self, select: str | None = None) -> None:
        """Update the application counts in the fund tree in place (after a new application or an
        import), keeping the selection and expansion as they are. When the funds or rounds themselves
        changed (a fund set up, a round added), the tree is made again: the fund and round shown stay
        chosen, or ``select`` (a fund code) is shown."""
        if self.db is None:
            return

        def fetch(db):
            from grantdesk.services.database import holds_sample_data
            from grantdesk.services.overview import list_funds

            return list_funds(db), holds_sample_data(db)

        def got(result: tuple[list[Any], bool]) -> None:
            funds, samples = result
            if samples != self.holds_sample_data:
                self.holds_sample_data = samples
                self._show_database()
            if select is not None or self._shape_of(funds) != self._fund_shape:
                current = self.fund_tree.currentIndex()
                keep = current.data(FUND_ROLE) if current.isValid() and select is None else None
                self._show_funds(funds, select=select, keep=keep)
                if keep is not None and self.fund_tree.currentIndex().data(FUND_ROLE) == keep:
                    self.refresh()  # the same fund and round: its heading and list may have changed
                return
            self.funds = funds
            counts = {(f.code, r.id): r.application_count for f in funds for r in f.rounds}
            for r in range(self.fund_model.rowCount()):
                fund_item = self.fund_model.item(r)
                for c in range(fund_item.rowCount()):
                    child = fund_item.child(c)
                    key = child.data(FUND_ROLE)
                    if key in counts:
                        child.setText(f"{child.data(ROUND_LABEL_ROLE)}  ({counts[key]:,})")

        self._read(fetch, got)

    def _starting_fund(self, funds: list[Any]):
        """``--fund``, else the fund last looked at, else the busiest fund."""
        remembered = self.settings.value("mainWindow/fund") if self.settings is not None else None
        for wanted in (self.initial_fund, remembered):
            match = next((f for f in funds if f.code == wanted), None)
            if match is not None:
                return match
        return max(funds, key=lambda f: (f.application_count, f.name))

    def _fund_for(self, code: str):
        return next((f for f in self.funds if f.code == code), None)

    def _on_fund_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.data(FUND_ROLE) if current.isValid() else None
        if not key or self.db is None:
            return
        code, round_id = key
        if self.settings is not None:
            self.settings.setValue("mainWindow/fund", code)
        self.load_applications(code, round_id)

    def load_applications(self, fund_code: str, round_id: int | None = None) -> None:
        from html import escape

        fund = self._fund_for(fund_code)
        if fund is not None:
            rnd = next((r for r in fund.rounds if r.id == round_id), None)
            sub = f" — {escape(rnd.name)}" if rnd else ""
            self.fund_heading.setText(
                f"<b style='font-size:13pt'>{escape(fund.name)}</b>{sub}<br>"
                f"<span style='color:{self.palette().color(QPalette.ColorRole.PlaceholderText).name()}'>"
                f"{escape(fund.council)} · {escape(core_text(fund.decision_label))} · "
                + self.tr("fund code {0}").format(escape(fund.code)) + "</span>"
            )
        self._apps_request += 1
        token = self._apps_request
        self._set_loading(self.tr("Loading applications…"))
        self.current_fund = fund_code
        self._member_ids.clear()

        def fetch(db):
            from grantdesk.services.overview import filter_options, list_application_rows

            options = filter_options(db, fund_code)
            from ui.models import prepare_rows

            return prepare_rows(list_application_rows(db, fund_code, round_id)), options  # per-row work here

        self._read(fetch, lambda result: self._on_applications(token, *result))

    def _on_applications(self, token: int, prepared: PreparedRows, options: Any) -> None:
        if token != self._apps_request:
            return  # a newer request is on its way; this answer is stale
        self.filter_bar.set_options(options)
        self.app_model.set_filter(self._list_filter())
        self.app_model.set_prepared(prepared)
        if self.app_model.total_count == 0:
            self._show_empty_fund()
        else:
            self.list_stack.setCurrentWidget(self.table)
        self._update_count()
        self.applications_loaded.emit()
        if self.app_model.rowCount() > 0:
            self.table.selectRow(0)
        else:
            self.current_detail = None
            self.actions.update_enabled(None)
            self.detail.show_message(self.tr("No applications to show."))
            self._emit_ready()

    def _read(self, fetch: Callable[[Any], Any], got: Callable[[Any], Any]) -> None:
        """A read for this window (ui.operations.Query); a refusal shows where the list would be."""
        from ui.operations import Query

        Query(self, fetch).success(got).failure(self._on_load_error).run()

    def _on_load_error(self, error: BaseException) -> None:
        self._set_loading(self.tr("Something went wrong while loading: {0}").format(error))
        self.statusBar().showMessage(str(error), 10000)
        self.load_failed.emit(str(error))

    def _on_application_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self.db is None:
            return
        row = self.app_model.row_at(current.row())
        self._detail_request += 1
        token = self._detail_request

        def fetch(db):
            from grantdesk.services.overview import get_application

            return get_application(db, row.id)

        self._read(fetch, lambda detail: self._on_detail(token, detail))

    def _on_detail(self, token: int, detail: Any) -> None:
        if token != self._detail_request:
            return
        self.current_detail = detail
        self.actions.update_enabled(detail)
        self.detail.show_detail(detail)
        if self._refresh_pending == detail.row.id:
            self._refresh_pending = None
            self.application_refreshed.emit(detail.row.id)
        self.detail_loaded.emit()
        self._emit_ready()

    def _emit_ready(self) -> None:
        if not self._ready_sent:
            self._ready_sent = True
            self.ready.emit()
            QTimer.singleShot(WARM_UP_AFTER_MS, self, self._warm_up)

    def _warm_up(self) -> None:
        """The first screen is read without the ORM (grantdesk.services.overview); load it now, on the
        worker while the window is idle, so the first edit or move does not wait ~130 ms for it."""
        if self.db is not None and self.runner is not None:
            from grantdesk.services.overview import warm_up

            self.runner.run(warm_up)

    def refresh(self) -> None:
        if self.db is None:
            return
        current = self.fund_tree.currentIndex()
        key = current.data(FUND_ROLE) if current.isValid() else None
        if key:
            self.load_applications(*key)

    # --- small behaviours ---------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.actions.edit_action.trigger()
            return True
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            header = self.table.horizontalHeader()
            others = sum(header.sectionSize(c) for c in range(header.count())
                         if c != self._title_column and not header.isSectionHidden(c))
            header.resizeSection(self._title_column,
                                 max(self.MIN_TITLE_WIDTH, event.size().width() - others))
        return super().eventFilter(watched, event)

    def _set_loading(self, text: str) -> None:
        self.loading_label.setText(text)
        self.list_stack.setCurrentWidget(self.loading_label)
        if self.fund_model.rowCount() == 0 and self.db is None:
            placeholder = QStandardItem(self.tr("Loading funds…"))
            placeholder.setEnabled(False)
            self.fund_model.appendRow(placeholder)

    def _show_database(self) -> None:
        self.db_label.setText(self.tr("Database: {0}").format(self.location.describe()))
        self.db_label.setToolTip(self.location.url if self.location.path is None else str(self.location.path))
        name = self.location.path.name if self.location.path else self.location.describe()
        marks = ([self.tr("SAMPLE DATA")] if self.holds_sample_data else []) + (
            [self.tr("read-only")] if self.read_only else [])
        self.setWindowTitle(" — ".join(["GrantDesk", name, *marks]))
        self._show_sample_label()
        self.read_only_banner.setText(self.tr(
            "This database is read-only: you can look but not change anything. To make changes, open a copy "
            "of the file or ask for permission to write to it."))
        self.read_only_banner.setAccessibleName(self.tr("This database is read-only"))
        self.read_only_banner.setVisible(self.read_only)

    def _show_sample_label(self) -> None:
        """SAMPLE DATA, always visible in the status bar while the database holds the sample funds."""
        if not self.holds_sample_data:
            if self.sample_label is not None:
                self.sample_label.hide()
            return
        if self.sample_label is None:
            label = QLabel(self.tr("SAMPLE DATA"))
            label.setObjectName("sampleDataLabel")
            label.setAccessibleName(self.tr("SAMPLE DATA: invented people and applications"))
            label.setToolTip(self.tr("This database holds the sample funds: invented people and applications. "
                                     "Do not record real applicants here."))
            font = label.font()
            font.setBold(True)
            label.setFont(font)
            label.setContentsMargins(8, 1, 8, 1)
            label.setAutoFillBackground(True)
            label.setBackgroundRole(QPalette.ColorRole.Highlight)
            label.setForegroundRole(QPalette.ColorRole.HighlightedText)
            self.statusBar().insertPermanentWidget(0, label)
            self.sample_label = label
        self.sample_label.show()

    def _list_filter(self) -> ListFilter:
        from ui.models import ListFilter

        bar = self.filter_bar
        member = bar.member_id()
        ids = self._member_ids.get(member) if member is not None else None
        return ListFilter(bar.text_edit.text().strip().casefold(), frozenset(bar.statuses()), bar.area(), ids)

    def _on_filter_changed(self) -> None:
        member = self.filter_bar.member_id()
        if member is not None and member not in self._member_ids and self.db is not None:
            def fetch(db):
                from grantdesk.services.views import member_application_ids

                return member_application_ids(db, member)

            def got(ids: frozenset[int]) -> None:
                self._member_ids[member] = ids
                self._on_filter_changed()

            self._read(fetch, got)
            return
        self.app_model.set_filter(self._list_filter())
        self._update_count()
        self.filters_applied.emit()
        if self.app_model.rowCount() > 0 and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def _save_view(self) -> None:
        code = self.current_fund_code()
        if code is None or self.db is None:
            return
        from PySide6.QtWidgets import QInputDialog  # dialogs load when first used, not at start-up
        name, ok = QInputDialog.getText(self, self.tr("Save View"),
                                        self.tr("Name this view (e.g. “Awaiting Cllr Hollis”):"))
        if not ok or not name.strip():
            return
        criteria = self.filter_bar.criteria()

        def work(db):
            from grantdesk.services.views import save_view

            return save_view(db, code, name, criteria)

        from ui.operations import Op

        Op(self, work).success(self.filter_bar.set_views).run()

    # --- applications changing --------------------------------------------------------------------
    def current_fund_code(self) -> str | None:
        return self.current_fund

    def show_notice(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.setVisible(bool(message))
        if message:
            self.statusBar().showMessage(message, 15000)

    def show_refusal(self, text: str) -> None:
        """A refusal from the core for something this window asked (ui.operations)."""
        if self.welcome is not None and self.central_stack.currentWidget() is self.welcome:
            self.welcome.show_refusal(text)  # the lists (and their notice line) are not on screen
            self.statusBar().showMessage(text, 15000)
            return
        self.show_notice(text)

    def application_changed(self, application_id: int) -> None:
        """An application was created, edited or moved: update its row and, if shown, its detail."""
        if self.db is None:
            return
        self.show_notice("")

        def fetch(db):
            from grantdesk.services.overview import list_application_row

            return list_application_row(db, application_id)

        def got(row: Any) -> None:
            is_new = self.app_model.row_for_id(application_id) is None
            if is_new:
                self.refresh_fund_counts()
            view_row = self.app_model.upsert_row(row)
            if self.empty_state is not None and self.list_stack.currentWidget() is self.empty_state \
                    and self.app_model.total_count:
                self.list_stack.setCurrentWidget(self.table)  # the fund's first application: the list, not "none yet"
            self._update_count()
            selected = self.current_detail.row.id if self.current_detail is not None else None
            if view_row is not None and (is_new or selected in (None, application_id)):
                self._refresh_pending = application_id  # announced once its detail is shown
                if self.table.currentIndex().row() == view_row:
                    self._on_application_changed(self.app_model.index(view_row, 0), QModelIndex())
                else:
                    self.table.selectRow(view_row)
            else:
                self.application_refreshed.emit(application_id)

        self._read(fetch, got)

    def _on_changes(self, changes: Any) -> None:
        """Another window changed something this window shows: a member's decision, a panel's or a
        vote's awards, an edit, an import. Update just those rows (and the detail), or reload."""
        if self.db is None:
            return
        Kind = self._kind
        if Kind.FUNDS in changes.kinds:
            self.refresh_fund_counts()
        if changes.every_application or len(changes.applications) > ROWS_BEFORE_RELOAD:
            self.refresh_fund_counts()
            self.refresh()
            return
        for application_id in sorted(changes.applications):
            self.application_changed(application_id)
        shown = self.current_detail.row.id if self.current_detail is not None else None
        about_applications = changes.kinds - {Kind.MEMBERS, Kind.FUNDS}  # allotments, year-ends, settings
        if shown is not None and not changes.applications and about_applications:
            # a change that names no application (a panel's or a vote's set-up): the detail may show it
            self.application_changed(shown)

    def _on_detail_link(self, url) -> None:
        kind, _, value = url.toString().partition(":")
        if kind == "override":
            self.actions.override(value)
        elif kind == "attachment" and value.isdigit():
            self.actions.open_attachment(int(value))

    def _import(self) -> None:
        code, db = self.current_fund_code(), self.db
        if code is None or db is None:
            return
        from ui.import_dialog import ImportDialog

        dialog = ImportDialog(db, self.runner, code, parent=self)  # what it imports reaches the list as a change
        dialog.show()
        self.import_dialog = dialog

    def _update_count(self) -> None:
        shown, total = self.app_model.rowCount(), self.app_model.total_count
        if shown == total:
            text = ngettext("{total} application", "{total} applications", total)
        else:
            text = ngettext("{shown} of {total} application shown", "{shown} of {total} applications shown", total)
        self.count_label.setText(text.format(shown=f"{shown:,}", total=f"{total:,}"))

    def _focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def keyPressEvent(self, event) -> None:  # Escape in the filter clears it
        if event.key() == Qt.Key.Key_Escape and self.filter_edit.hasFocus() and self.filter_edit.text():
            self.filter_edit.clear()
            return
        super().keyPressEvent(event)

    def _choose_database(self) -> None:
        start = str(self.location.path.parent) if self.location.path else ""
        from PySide6.QtWidgets import QFileDialog  # dialogs load when first used, not at start-up
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open GrantDesk Database"), start,
            self.tr("GrantDesk databases") + " (*.db *.sqlite);;" + self.tr("All files") + " (*)"
        )
        if path:
            self.open_location(database_location(path))

    def open_definition_file(self, path: str | None = None) -> None:
        """Make a fund from a fund definition file (.toml) in this database, then show it."""
        if self.db is None:
            return
        if path is None:
            from PySide6.QtWidgets import QFileDialog  # dialogs load when first used, not at start-up

            start = str(self.location.path.parent) if self.location.path else ""
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Open a Fund Definition File"), start,
                                                  self.tr("Fund definition files (*.toml);;All files (*)"))
            if not path:
                return
        from pathlib import Path

        from ui.operations import Op

        target = Path(path)

        def work(db):
            from grantdesk.services.fund_setup import create_fund_from_file

            return create_fund_from_file(db, target)

        def done(created: Any) -> None:
            summary = getattr(created, "summary", None) or self.tr("Created the fund {0}.").format(created.fund_code)
            self.show_notice("")
            self.statusBar().showMessage(summary, 15000)
            self.show_fund(created.fund_code)

        Op(self, work).success(done).with_progress(self.tr("Making the fund")).run()

    def explore_samples(self) -> MainWindow | None:
        """The sample funds, in their own database and their own window (loaded there on first use,
        in the background), marked SAMPLE DATA; this window stays on its own database."""
        location = sample_database_location()
        if self.location.path is not None and self.location.path == location.path:
            self.open_location(location)  # already here: load what is missing
            return self
        for window in self.sample_windows:
            if isValid(window) and window.isVisible():
                window.raise_()
                window.activateWindow()
                return window
        window = MainWindow(location, load_samples=True)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.destroyed.connect(lambda *_: self._forget_sample_windows())
        window.resize(self.size())
        self.sample_windows.append(window)
        window.show()
        window.start()
        return window

    def _forget_sample_windows(self) -> None:
        self.sample_windows = [w for w in self.sample_windows if isValid(w)]

    def _show_empty_fund(self) -> None:
        """A fund (or round) with no applications: say so, and offer what comes next — record one, import
        a batch, or (a fund with no rounds) add a round first."""
        if self.empty_state is None:
            self._build_empty_state()
        fund = self._fund_for(self.current_fund) if self.current_fund else None
        name = fund.name if fund is not None else (self.current_fund or "")
        current = self.fund_tree.currentIndex()
        in_round = current.isValid() and bool(current.data(FUND_ROLE)) and current.data(FUND_ROLE)[1] is not None
        no_rounds = fund is not None and not fund.rounds
        lines = [self.tr("No applications in this round yet.") if in_round
                 else self.tr("No applications in {0} yet.").format(name)]
        if no_rounds:
            lines.append(self.tr("It has no rounds yet either. A round gives applications their dates and "
                                 "budget: add one in Fund Settings, then record or import applications."))
        else:
            lines.append(self.tr("Record one as it arrives, or import a batch from your online form's export "
                                 "(CSV or Excel)."))
        self.empty_label.setText("\n\n".join(lines))
        self.empty_rounds_button.setVisible(no_rounds)
        self.list_stack.setCurrentWidget(self.empty_state)

    def _build_empty_state(self) -> None:
        from PySide6.QtWidgets import QHBoxLayout, QPushButton

        page = QWidget()
        page.setObjectName("emptyFund")
        self.empty_label = QLabel()
        self.empty_label.setObjectName("emptyFundLabel")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName(self.tr("No applications"))

        def button(text: str, name: str, slot: Callable[[], Any]) -> QPushButton:
            b = QPushButton(text)
            b.setObjectName(name)
            b.setAccessibleName(text.replace("&", "").rstrip("…"))
            b.setMinimumHeight(36)
            b.clicked.connect(slot)
            return b

        self.empty_rounds_button = button(self.tr("Add a &round…"), "addRoundButton",
                                          lambda: self.open_fund_settings(page="rounds"))
        self.empty_record_button = button(self.tr("Record an a&pplication"), "recordApplicationButton",
                                          self.actions.new_application)
        self.empty_import_button = button(self.tr("I&mport applications…"), "importApplicationsButton", self._import)
        row = QHBoxLayout()
        row.addStretch(1)
        for b in (self.empty_rounds_button, self.empty_record_button, self.empty_import_button):
            row.addWidget(b)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.empty_label)
        layout.addSpacing(12)
        layout.addLayout(row)
        layout.addStretch(2)
        self.list_stack.addWidget(page)
        self.empty_state = page

    def open_location(self, location: DatabaseLocation) -> None:
        if not self._close_fund_windows():
            return
        old = self.db
        self.db = None
        self.funds = []
        self.location = location
        self.holds_sample_data = self.read_only = False
        self.load_samples = location.is_samples
        self.fund_model.clear()
        self.central_stack.setCurrentWidget(self.splitter)
        self.app_model.set_rows([])
        self.detail.show_message(self.tr("Choose an application to see its details."))
        self._show_database()
        self._set_loading(self.tr("Opening the database…"))
        if old is not None:
            self.runner.run(old.close)
        self.start()

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox  # dialogs load when first used, not at start-up
        QMessageBox.about(
            self, self.tr("About GrantDesk"),
            f"<b>GrantDesk {__version__}</b><p>" + self.tr(
                "Community funds and participatory grantmaking for UK councils: applications, resident panels "
                "and votes, councillors' pots, letters and open data.") + "</p>",
        )

    def closeEvent(self, event) -> None:
        if not self._complete:  # closed before it was started: nothing open, nothing to save
            super().closeEvent(event)
            return
        for editor in list(self.actions.editors.values()):  # unsaved work is never dropped silently
            if isValid(editor) and not editor.may_close():
                event.ignore()
                return
        if not self._close_fund_windows():  # a kiosk in use needs its PIN to close
            event.ignore()
            return
        for editor in list(self.actions.editors.values()):
            if isValid(editor):
                editor.close()
        if self.settings is not None:
            self.settings.setValue("mainWindow/geometry", self.saveGeometry())
            self.settings.setValue("mainWindow/splitter", self.splitter.saveState())
        db, self.db = self.db, None  # late answers find no database and do nothing
        if db is not None:
            location = self.location

            def close_and_back_up() -> None:
                """Close, then copy a SQLite file into backups/ beside it (the last seven days are kept)."""
                from grantdesk.services.backups import backup_on_close

                db.close()
                if not self.read_only:
                    backup_on_close(location)

            self.runner.run(close_and_back_up)
        self.runner.shutdown()
        super().closeEvent(event)

