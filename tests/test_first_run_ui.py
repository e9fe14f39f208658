"""First run: an empty database opens on the welcome page; a fund made from a definition file (or in
another window) replaces it; the sample funds live in their own database, marked SAMPLE DATA; and a
fund with nothing in it yet says what to do next, with the button for it."""

from __future__ import annotations

import sys
import types

import pytest
from helpers import ACTOR, build_fund, opened_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from grantdesk.config import database_location
from grantdesk.services.database import holds_sample_data, open_for_app
from grantdesk.services.overview import list_funds
from ui.main_window import FUND_ROLE
from ui.operations import Op

TIMEOUT = 30_000

HARBOUR = """
[fund]
code = "HBF"
name = "Harbour Bench Fund"
council = "Testshire County Council"
decision_model = "{model}"
funder_org_id = "GB-LAE-TST"

[[areas]]
name = "Harbour"
kind = "ward"
"""

ROUND = """
[[rounds]]
key = "r1"
name = "Harbour Bench Fund 2026–27"
financial_year = 2026
opens_on = 2026-04-01
closes_on = 2026-10-31
budget = "5,000.00"
"""


def definition(tmp_path, *, model="officer", rounds=True, name="harbour.toml"):
    path = tmp_path / name
    path.write_text(HARBOUR.format(model=model) + (ROUND if rounds else ""), encoding="utf-8")
    return path


def empty_window(qtbot, tmp_path):
    return opened_window(qtbot, tmp_path / "council.db")


def fund_codes(window) -> list[str]:
    model = window.fund_model
    return [model.index(r, 0).data(FUND_ROLE)[0] for r in range(model.rowCount())
            if model.index(r, 0).data(FUND_ROLE)]


def click(qtbot, button):
    assert button.isVisible() and button.isEnabled(), button.accessibleName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.fixture
def fake_windows(monkeypatch):
    """Stand-ins for the New Fund wizard and Fund Settings (ui.fund_wizard, ui.fund_settings): the calls
    the main window makes to them."""
    calls: list[tuple] = []
    wizard = types.ModuleType("ui.fund_wizard")
    wizard.open_new_fund_wizard = lambda main_window: calls.append(("wizard", main_window))
    settings = types.ModuleType("ui.fund_settings")
    settings.open_fund_settings = lambda main_window, code, page=None: calls.append(("settings", main_window, code,
                                                                                        page))
    monkeypatch.setitem(sys.modules, "ui.fund_wizard", wizard)
    monkeypatch.setitem(sys.modules, "ui.fund_settings", settings)
    return calls


# --- the welcome page ---------------------------------------------------------------------------------


def test_a_new_database_is_empty_and_opens_on_the_welcome_page_with_four_ways_on(qtbot, tmp_path):
    window = empty_window(qtbot, tmp_path)
    assert window.welcome is not None and window.central_stack.currentWidget() is window.welcome
    assert window.welcome.isVisible() and not window.toolbar.isVisible()
    names = [b.accessibleName() for b in window.welcome.buttons.values()]
    assert names == ["Set up a fund", "Open a fund definition file", "Explore the sample funds", "Open a database"]
    assert all(b.isVisible() and b.accessibleDescription() for b in window.welcome.buttons.values())
    assert str(tmp_path / "council.db") in window.welcome.where.text()
    assert window.fund_model.rowCount() == 0 and window.funds == []
    assert "SAMPLE DATA" not in window.windowTitle() and window.sample_label is None  # nothing invented in it


def test_opening_a_fund_definition_file_from_the_welcome_page_makes_the_fund_and_shows_it(
        qtbot, tmp_path, monkeypatch):
    path = definition(tmp_path)
    window = empty_window(qtbot, tmp_path)
    asked = []

    def choose(parent, caption, folder, filters):
        asked.append((caption, filters))
        return str(path), filters

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        click(qtbot, window.welcome.buttons["openDefinition"])
    assert asked and "*.toml" in asked[0][1]
    assert window.central_stack.currentWidget() is window.splitter and window.toolbar.isVisible()
    assert fund_codes(window) == ["HBF"] and window.current_fund == "HBF"
    assert "Harbour Bench Fund" in window.fund_heading.text()
    assert window.fund_model.item(0).rowCount() == 1  # its round, under it
    assert "Created Harbour Bench Fund (HBF)" in window.statusBar().currentMessage()

    # No applications yet: it says so, with what to do next.
    assert window.list_stack.currentWidget() is window.empty_state
    assert "No applications in Harbour Bench Fund yet." in window.empty_label.text()
    assert window.empty_record_button.isVisible() and window.empty_import_button.isVisible()
    assert not window.empty_rounds_button.isVisible()  # it has a round
    assert [b.accessibleName() for b in (window.empty_record_button, window.empty_import_button)] == \
        ["Record an application", "Import applications"]
    with qtbot.waitSignal(window.actions.editor_opened, timeout=TIMEOUT) as opened:
        click(qtbot, window.empty_record_button)
    editor = opened.args[0]
    assert editor.isVisible()
    editor.close()
    click(qtbot, window.empty_import_button)
    qtbot.waitUntil(lambda: getattr(window, "import_dialog", None) is not None and window.import_dialog.isVisible(),
                    timeout=TIMEOUT)
    window.import_dialog.close()
    QApplication.processEvents()


def test_a_definition_file_with_a_mistake_is_refused_on_the_welcome_page_and_nothing_is_made(
        qtbot, tmp_path, monkeypatch):
    bad = tmp_path / "bad.toml"
    bad.write_text(HARBOUR.format(model="officer").replace('kind = "ward"', 'kind = "galaxy"'), encoding="utf-8")
    window = empty_window(qtbot, tmp_path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a: (str(bad), "")))
    with qtbot.waitSignal(window.runner.idle, timeout=TIMEOUT):
        click(qtbot, window.welcome.buttons["openDefinition"])
    problem = window.welcome.problem
    assert problem.isVisible() and "galaxy" in problem.text() and "areas" in problem.text()
    assert window.central_stack.currentWidget() is window.welcome
    assert list_funds(window.db) == []


def test_a_fund_made_in_another_window_replaces_the_welcome_page(qtbot, tmp_path):
    """The New Fund wizard is a window of its own: its Op's broadcast reaches the main window."""
    from grantdesk.services.fund_setup import create_fund_from_file

    path = definition(tmp_path)
    window = empty_window(qtbot, tmp_path)
    wizard = QWidget()  # stands in for the wizard: another window, on the main window's database and runner
    qtbot.addWidget(wizard)
    wizard.db, wizard.runner = window.db, window.runner
    wizard.show()
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        Op(wizard, lambda db: create_fund_from_file(db, path, actor=ACTOR)).run()
    assert fund_codes(window) == ["HBF"] and window.central_stack.currentWidget() is window.splitter
    wizard.close()


def test_set_up_a_fund_and_the_menus_open_the_wizard_and_the_fund_settings(qtbot, tmp_path, fake_windows):
    window = empty_window(qtbot, tmp_path)
    click(qtbot, window.welcome.buttons["setUpFund"])
    assert fake_windows == [("wizard", window)]
    assert window.new_fund_action.shortcut().toString() == "Ctrl+Shift+N"
    assert window.new_fund_action in window.menus["&File"].actions()
    window.new_fund_action.trigger()
    assert fake_windows[-1] == ("wizard", window)

    build_fund(window.db, "TST")
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        window.show_fund("TST")
    assert window.fund_settings_action in window.menus["F&und"].actions()
    window.fund_settings_action.trigger()
    assert fake_windows[-1] == ("settings", window, "TST", None)


def test_every_shortcut_in_the_main_window_is_used_once(qtbot, sample_path):
    from PySide6.QtGui import QAction

    window = opened_window(qtbot, sample_path)
    keys = [a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert "Ctrl+Shift+N" in keys
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)


# --- sample data -------------------------------------------------------------------------------------------


def test_a_window_on_the_sample_funds_says_sample_data_and_a_real_database_does_not(qtbot, sample_path, tmp_path):
    window = opened_window(qtbot, sample_path)
    assert window.holds_sample_data
    assert window.windowTitle() == f"GrantDesk — {sample_path.name} — SAMPLE DATA"
    label = window.sample_label
    assert label is not None and label.isVisible() and label.text() == "SAMPLE DATA"
    assert "SAMPLE DATA" in label.accessibleName()
    assert label in window.statusBar().findChildren(type(label))
    window.statusBar().showMessage("Something else happened.", 5000)  # a passing message does not hide it
    assert label.isVisible()

    real = tmp_path / "real" / "council.db"
    real.parent.mkdir()
    opened = open_for_app(database_location(real))
    build_fund(opened.db)
    assert not holds_sample_data(opened.db)
    opened.db.close()
    other = opened_window(qtbot, real)
    assert not other.holds_sample_data and other.windowTitle() == "GrantDesk — council.db"
    assert other.sample_label is None or not other.sample_label.isVisible()

    # Opening the real database in the sample window takes the label away.
    with qtbot.waitSignal(window.funds_loaded, timeout=TIMEOUT):
        window.open_location(database_location(real))
    qtbot.waitUntil(lambda: not window.sample_label.isVisible(), timeout=TIMEOUT)
    assert "SAMPLE DATA" not in window.windowTitle()


def test_exploring_the_samples_fills_their_own_database_in_a_window_of_its_own(qtbot, tmp_path, monkeypatch):
    from grantdesk.config import default_database_path, sample_database_path

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # platformdirs' user-data folder on Linux
    default_database_path().parent.mkdir(parents=True)
    window = opened_window(qtbot, default_database_path())
    assert window.central_stack.currentWidget() is window.welcome
    click(qtbot, window.welcome.buttons["exploreSamples"])
    [samples] = window.sample_windows  # closes (and deletes) itself
    try:
        assert samples is not window and samples.isVisible()
        assert "Loading the sample funds" in samples.loading_label.text()  # in the background, with progress
        qtbot.waitUntil(lambda: samples.db is not None and len(samples.funds) == 3, timeout=60_000)
        qtbot.waitUntil(lambda: samples.app_model.rowCount() > 0, timeout=TIMEOUT)
        assert samples.location.path == sample_database_path()
        assert "SAMPLE DATA" in samples.windowTitle() and samples.sample_label.isVisible()
        assert sorted(fund_codes(samples)) == ["BBL", "PHP", "RHYL"]
        # The officer's own database is untouched and still empty, and says nothing about samples.
        assert list_funds(window.db) == [] and "SAMPLE DATA" not in window.windowTitle()
        assert window.explore_samples() is samples  # one sample window, raised
    finally:
        samples.close()
        QApplication.processEvents()


# --- empty states ---------------------------------------------------------------------------------------------


def test_a_fund_with_no_rounds_offers_to_add_one_in_fund_settings(qtbot, tmp_path, fake_windows):
    path = definition(tmp_path, rounds=False)
    window = empty_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        window.open_definition_file(str(path))
    assert window.list_stack.currentWidget() is window.empty_state
    assert "no rounds yet" in window.empty_label.text()
    assert window.empty_rounds_button.accessibleName() == "Add a round"
    click(qtbot, window.empty_rounds_button)
    assert fake_windows == [("settings", window, "HBF", "rounds")]


def test_members_pots_on_a_fund_with_no_members_say_what_to_do_next(qtbot, tmp_path, fake_windows):
    path = definition(tmp_path, model="member")
    window = empty_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        window.open_definition_file(str(path))
    board = window.open_members_dashboard()
    qtbot.waitUntil(lambda: board.snapshot is not None, timeout=TIMEOUT)
    assert board.no_members.isVisible() and "no members yet" in board.no_members_label.text()
    click(qtbot, board.add_members_button)
    assert fake_windows == [("settings", window, "HBF", "members")]
    board.close()
    QApplication.processEvents()


def test_votes_and_panels_on_a_fund_with_no_panel_say_what_to_do_next(qtbot, tmp_path, fake_windows):
    path = definition(tmp_path, model="panel")
    window = empty_window(qtbot, tmp_path)
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        window.open_definition_file(str(path))
    desk = window.open_voting_desk()
    qtbot.waitSignal(desk.loaded, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: desk.set_up_panel_button.isVisible(), timeout=TIMEOUT)
    assert "No resident panel yet" in desk.no_panel_label.text()
    assert not desk.score_button.isEnabled()
    click(qtbot, desk.set_up_panel_button)
    assert fake_windows == [("settings", window, "HBF", "panel")]
    desk.close()
    QApplication.processEvents()



def test_the_real_wizard_opens_from_the_welcome_page_and_the_fund_it_makes_is_shown(qtbot, tmp_path):
    """With the real ui.fund_wizard: when it says it made a fund (its ``created`` signal, after its one Op),
    the main window shows that fund instead of the welcome page."""
    import tomllib

    from grantdesk.domain.fund_definition import read_definition
    from grantdesk.services.fund_setup import create_fund

    window = empty_window(qtbot, tmp_path)
    click(qtbot, window.welcome.buttons["setUpFund"])
    [wizard] = [w for w in QApplication.topLevelWidgets() if type(w).__name__ == "NewFundWizard" and w.isVisible()]
    table = tomllib.loads(definition(tmp_path).read_text(encoding="utf-8"))
    with qtbot.waitSignal(window.applications_loaded, timeout=TIMEOUT):
        Op(wizard, lambda db: create_fund(db, read_definition(table)), db=wizard.db, runner=wizard.runner) \
            .success(wizard.created.emit).run()
    assert fund_codes(window) == ["HBF"] and window.current_fund == "HBF"
    assert window.central_stack.currentWidget() is window.splitter
    wizard.close()
    QApplication.processEvents()
