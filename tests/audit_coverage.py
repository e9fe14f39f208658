"""A pytest plugin (``-p audit_coverage``) that notes, for every unit of work a ``@transactional``
service commits, whether it wrote and whether it left an audit entry; one JSON line each in the file
named by ``GRANTDESK_AUDIT_COVERAGE``. tests/test_audit_coverage.py runs the tests it maps each
service to with it, and checks every service that writes leaves an entry."""

from __future__ import annotations

import json
import os
import sys

import pytest

_current = {"test": ""}


def _service_committing() -> str | None:
    """The outermost ``@transactional`` service on the stack: the one whose unit of work commits."""
    frame = sys._getframe(2)
    found = None
    while frame is not None:
        code = frame.f_code
        if code.co_name == "service" and code.co_filename.endswith(os.path.join("store", "unit_of_work.py")):
            fn = frame.f_locals.get("fn")
            if fn is not None:
                found = f"{fn.__module__}.{fn.__qualname__}"
        frame = frame.f_back
    return found


def _before_commit(session) -> None:
    from grantdesk.services.common import wrote_audit_entry

    log = session.info.get("grantdesk.changes")
    if log is None:
        return
    session.flush()
    service = _service_committing()
    if service is None:
        return
    with open(os.environ["GRANTDESK_AUDIT_COVERAGE"], "a", encoding="utf-8") as out:
        out.write(json.dumps({"service": service, "wrote": bool(log.wrote or log.kinds),
                              "audited": wrote_audit_entry(session), "test": _current["test"]}) + "\n")


def pytest_configure(config) -> None:
    if not os.environ.get("GRANTDESK_AUDIT_COVERAGE"):
        return
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    event.listen(Session, "before_commit", _before_commit)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    _current["test"] = item.nodeid
    try:
        return (yield)
    finally:
        _current["test"] = ""
