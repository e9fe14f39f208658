"""Qt's own words that GrantDesk's windows show (message-box and wizard buttons, a line edit's menu, a
file dialog): Qt ships no Welsh catalogue, so ours carries them. Only marked here, for the catalogue;
Qt asks for them itself through ``ui/i18n.py``'s translator, by these exact English texts."""

from grantdesk.i18n import N_

QT_WORDS = (
    # QPlatformTheme: the standard buttons of QMessageBox and QDialogButtonBox
    N_("OK"), N_("Save"), N_("Save All"), N_("Open"), N_("&Yes"), N_("Yes to &All"), N_("&No"),
    N_("N&o to All"), N_("Abort"), N_("Retry"), N_("Ignore"), N_("Close"), N_("Cancel"), N_("Discard"),
    N_("Help"), N_("Apply"), N_("Reset"), N_("Restore Defaults"), N_("Don't Save"), N_("Close without Saving"),
    N_("&OK"), N_("&Save"), N_("&Cancel"), N_("&Close"), N_("Yes"), N_("No"),
    # QMessageBox
    N_("Show Details..."), N_("Hide Details..."),
    # QWizard
    N_("< &Back"), N_("&Next >"), N_("&Finish"), N_("Go Back"), N_("Continue"), N_("Commit"), N_("Done"),
    N_("&Next"), N_("&Back"),
    # QLineEdit / QTextEdit context menus
    N_("&Undo"), N_("&Redo"), N_("Cu&t"), N_("&Copy"), N_("&Paste"), N_("Delete"), N_("Select All"),
    N_("Copy &Link Location"),
    # QFileDialog
    N_("Look in:"), N_("File name:"), N_("Files of type:"), N_("&Open"), N_("&Choose"), N_("Back"),
    N_("Forward"), N_("Parent Directory"), N_("Create New Folder"), N_("List View"), N_("Detail View"),
    N_("Name"), N_("Size"), N_("Type"), N_("Date Modified"), N_("All Files (*)"), N_("New Folder"),
    N_("Directory:"), N_("Computer"),
    # QAbstractSpinBox / QCalendarWidget
    N_("&Step up"), N_("Step &down"),
)
