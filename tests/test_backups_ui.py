"""The main window and backups (issue 21.6): closing it backs the SQLite file up into backups/ beside
it, and a file on a network share is shown with a warning that points to PostgreSQL."""

from __future__ import annotations

from datetime import date

from helpers import opened_window


def test_closing_the_window_backs_the_file_up_beside_it(qtbot, sample_path):
    window = opened_window(qtbot, sample_path)
    assert not window.share_banner.isVisible()
    window.close()
    made = sample_path.parent / "backups" / f"samples-{date.today().isoformat()}.db"
    assert made.is_file() and made.stat().st_size > 0


def test_a_file_on_a_network_share_is_shown_with_a_warning(qtbot, sample_path, monkeypatch):
    monkeypatch.setattr("grantdesk.services.backups.network_filesystem", lambda path, **kw: "cifs")
    window = opened_window(qtbot, sample_path)
    qtbot.waitUntil(window.share_banner.isVisible, timeout=10_000)
    words = window.share_banner.text()
    assert "network share (cifs)" in words and "PostgreSQL" in words
    assert window.share_banner.accessibleName() == "This database file is on a network share"
