"""Use cases: one function per user action, shared by the app and the CLI.

Each public function takes an open ``Database`` and plain values, runs in one unit of work, writes
its audit entry in the same transaction, and returns plain data (dataclasses) or raises a
``grantdesk.domain.errors`` error with a sentence fit to show a person. Functions whose name starts
with ``add_``/``do_`` take an open session instead, so several can share one transaction (the
sample-fund loader uses them); they never commit.
"""
