"""``python -m grantdesk db …`` beyond init/upgrade/check: ``db verify`` checks the audit log's chain.

(Backups, ``db backup`` and ``db restore``, join these here.)
"""

from __future__ import annotations

import argparse

from grantdesk.cli_common import EXIT_OK, EXIT_REFUSED
from grantdesk.cli_common import _open as open_db


def cmd_db_verify(args) -> int:
    from grantdesk.services.audit_trail import verify_audit_chain

    with open_db(args) as db:
        check = verify_audit_chain(db)
    if check.broken is not None:
        print(f"The audit trail does not verify. {check.broken.message}. Entries before it fit; from it on, the "
              "log was changed outside GrantDesk.")
        return EXIT_REFUSED
    print(f"The audit trail verifies: {check.entries} entries, each carrying the hash of the one before.")
    return EXIT_OK


def add_commands(db_commands, db_opt: argparse.ArgumentParser) -> None:
    """The ``db`` actions this module adds to ``python -m grantdesk db``."""
    db_commands.add_parser("verify", parents=[db_opt], help="check the audit trail's chain of hashes; names the first "
                           "entry that does not fit").set_defaults(func=cmd_db_verify)
