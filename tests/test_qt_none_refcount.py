"""PySide6 6.12.0 on Python 3.11 dropped a reference to None on every Qt call returning nothing and
aborted with ``none_dealloc``; pyproject pins PySide6-Essentials below 6.12. This fails if an upgrade
brings the bug back."""

import sys

from PySide6.QtCore import QObject


def test_ten_thousand_void_qt_calls_do_not_lose_references_to_none():
    obj = QObject()
    obj.setObjectName("warm-up")
    before = sys.getrefcount(None)
    for _ in range(10_000):
        obj.setObjectName("grantdesk")
    after = sys.getrefcount(None)
    assert after >= before - 50, f"None lost {before - after} references over 10,000 Qt calls"
