"""Start-up order: the window paints before any loading starts."""

from PySide6.QtWidgets import QWidget

from ui.app import _OnFirstPaint


def test_loading_starts_only_after_the_window_has_painted(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    calls = []
    _OnFirstPaint(window, lambda: calls.append("start"), fallback_ms=10_000)
    qtbot.wait(50)
    assert calls == []  # not shown, not painted: nothing loads yet
    window.show()
    qtbot.waitUntil(lambda: calls == ["start"], timeout=5000)
    window.update()
    qtbot.wait(50)
    assert calls == ["start"]  # once only, however often it paints


def test_a_window_that_never_paints_still_loads_after_the_fallback(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    calls = []
    _OnFirstPaint(window, lambda: calls.append("start"), fallback_ms=100)
    qtbot.waitUntil(lambda: calls == ["start"], timeout=5000)
