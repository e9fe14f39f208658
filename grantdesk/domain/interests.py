"""A declaration of interest, as data: what a member states before deciding on an application, and
what the records give back with each decision.

The services return it as it was recorded — never as a sentence — and each place that shows it (the
decision screen, the printed records) chooses its own words for it. The kinds:

- ``none``: the member stated they have no interest;
- ``dpi``: a disclosable pecuniary interest, which blocks taking part unless a dispensation is
  recorded (its reference, and the day it was granted);
- ``other_registrable`` and ``non_registrable``: interests that are declared, and do not block;
- ``not_declared``: no declaration was recorded with the decision (older records, imported data).
  It is never something a member can state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

STATED_KINDS = ("none", "dpi", "other_registrable", "non_registrable")  # what a member can declare
NOT_DECLARED_KIND = "not_declared"


@dataclass(frozen=True, slots=True)
class Declaration:
    """A declaration of interest: ``kind`` is one of ``STATED_KINDS``, or ``not_declared`` when the
    records hold none; a DPI may name a dispensation (reference and the day it was granted)."""

    kind: str = "none"
    nature: str = ""
    dispensation_reference: str | None = None
    dispensation_granted_on: date | None = None

    @property
    def declared(self) -> bool:
        """Whether a declaration was recorded (``none`` is a declaration: "I have no interest")."""
        return self.kind != NOT_DECLARED_KIND

    @property
    def none(self) -> bool:
        """The member stated they have no interest."""
        return self.kind == "none"

    @property
    def interest(self) -> bool:
        """The member declared an interest of some kind."""
        return self.declared and not self.none

    @property
    def dpi(self) -> bool:
        return self.kind == "dpi"

    @property
    def dispensed(self) -> bool:
        """A disclosable pecuniary interest with a recorded dispensation."""
        return self.dpi and bool(self.dispensation_reference)


NOT_DECLARED = Declaration(NOT_DECLARED_KIND)
