"""An officer's day in Welsh: the main windows, opened in Welsh on the Rhyl sample, show no English
text from GrantDesk's sources (issue 20, item 5). Data typed by people (names, titles) is not checked:
it is not in the catalogue."""

import pytest
from helpers import opened_window
from PySide6.QtWidgets import QApplication
from welsh_walk import english_left, visible_texts

from ui import i18n as ui_i18n

TIMEOUT = 30_000


@pytest.fixture
def in_welsh(qapp):
    ui_i18n.install_language(qapp, "cy")
    yield
    ui_i18n.install_language(qapp, "en")


def _select_first(qtbot, window):
    window.table.selectRow(0)
    qtbot.waitUntil(lambda: window.current_detail is not None, timeout=TIMEOUT)


def _opened(qtbot, before: set, action) -> list:
    """The top-level windows ``action`` opens (a window, a dialog), once they are shown."""
    action.trigger()
    qtbot.waitUntil(lambda: any(w.isVisible() and w not in before for w in QApplication.topLevelWidgets()),
                    timeout=TIMEOUT)
    qtbot.wait(300)  # their first reads
    return [w for w in QApplication.topLevelWidgets() if w.isVisible() and w not in before]


def test_the_main_window_in_welsh_shows_no_english_of_ours(qtbot, sample_path, in_welsh):
    window = opened_window(qtbot, sample_path, "RHYL")
    _select_first(qtbot, window)
    texts = [t for _w, t in visible_texts(window)]
    assert "Ffeil" in " ".join(texts) or any(t.startswith("&Ffeil") for t in texts)
    left = english_left(window)
    assert not left, f"{len(left)} English texts left:\n" + "\n".join(left[:60])


@pytest.mark.parametrize("action_name", [
    "fund_settings_action", "letters_action", "payments_action", "import_action", "voting_action", "publish_action",
    "learning_library_action", "new_fund_action",
])
def test_each_main_window_in_welsh_shows_no_english_of_ours(qtbot, sample_path, in_welsh, action_name):
    window = opened_window(qtbot, sample_path, "RHYL")
    _select_first(qtbot, window)
    action = getattr(window, action_name, None)
    assert action is not None, f"the main window has no {action_name}"
    before = {w for w in QApplication.topLevelWidgets() if w.isVisible()}
    opened = _opened(qtbot, before, action)
    left = [line for w in opened for line in english_left(w)]
    for w in opened:
        w.close()
    assert not left, f"{len(left)} English texts left:\n" + "\n".join(left[:60])
