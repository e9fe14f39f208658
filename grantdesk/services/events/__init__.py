"""Community voting events: set up the vote, issue one-time codes, take kiosk and paper ballots,
count, reveal and confirm — one module per stage:

- ``setup``: the officer's choices (``EventSettings``), checked and saved; locked once voting starts;
- ``views``: an event as plain data (``EventView``) and what the set-up dialog and the kiosk read;
- ``codes``: one-time codes, issued with their printed cards in one transaction;
- ``kiosk``: a code checked and a ballot cast with it;
- ``paper``: paper ballots keyed twice, and mismatches settled by an officer;
- ``counting``: tallies, the allocation, the projector's screen, the research export, the list;
- ``closing``: reveal, close, and confirm the results into the applications;
- ``receipts``: the counted receipts published, and one receipt checked;
- ``pabulib_import``: a vote held elsewhere brought in from a PaBuLib file.

Storing and reading ballots in bulk is ``grantdesk.store.ballots``. The rules that make a vote fair:

- the ballot paper holds shortlisted applications of the event's round;
- once the first ballot (or paper keying) is in, the method and rules are locked;
- a ballot code is used once; a used or unknown code is refused, and the code and the ballot are
  written in one transaction so a crash cannot leave a used code without its ballot (or the reverse);
- ballots are secret: a ballot row has no code, no receipt, no voter and no time, and a random key, so
  the stored order is no order of casting; the receipt is kept apart with no link to the ballot; the
  code register records only that a code was issued and used, and on which day; exports number the
  voters 1 to n after a shuffle;
- each paper ballot is keyed twice; it is counted only when both keyings agree, and a mismatch waits
  for an officer, whose choice and reason are audited;
- results move applications (shortlisted → awarded or declined) only when the officer confirms them;
- a vote held elsewhere comes in from a PaBuLib file whole or not at all (``import_pabulib``), as a
  closed event that counts exactly as ``python -m grantdesk tally`` counts the file.

Every service that writes is ``@transactional`` (``grantdesk.store.unit_of_work``): called with a
``Database`` it is one transaction; called with a ``UnitOfWork`` it joins the caller's. The functions
taking a ``Session`` (``add_event``, ``add_codes``, ``record_ballot``, ``record_paper``,
``settle_mismatch``, ``mark_closed``, ``mark_revealed``, ``confirm``) are the steps the sample loader
shares; they never commit.
"""

from grantdesk.services.events.closing import (
    Confirmation,
    close_voting,
    confirm,
    confirm_results,
    mark_closed,
    mark_revealed,
    reveal_results,
)
from grantdesk.services.events.codes import (
    CardDrawer,
    CodeCards,
    add_codes,
    event_codes,
    format_code,
    issue_code_cards,
    issue_codes,
    normalise_code,
)
from grantdesk.services.events.common import (
    CODE_ALPHABET,
    CODE_LENGTH,
    DEFAULT_TIE_BREAK,
    CodeRefused,
    EventLocked,
    VotingClosed,
)
from grantdesk.services.events.counting import (
    EventResults,
    EventSummary,
    HiddenCount,
    ProjectResult,
    event_election,
    event_results,
    event_screen,
    export_pabulib,
    list_events,
)
from grantdesk.services.events.kiosk import cast_ballot, check_code, check_kiosk_pin, record_ballot
from grantdesk.services.events.pabulib_import import PABULIB_KINDS, PABULIB_RULES, ImportedVote, import_pabulib
from grantdesk.services.events.paper import (
    Keying,
    KeyingOutcome,
    Mismatch,
    PaperProgress,
    key_paper_ballot,
    paper_mismatches,
    paper_progress,
    record_paper,
    resolve_mismatch,
    settle_mismatch,
)
from grantdesk.services.events.receipts import CountedReceipts, check_receipt, counted_receipts, write_receipts
from grantdesk.services.events.setup import EventSettings, add_event, create_event, save_event, update_event
from grantdesk.services.events.views import (
    EventProjectView,
    EventView,
    RoundChoice,
    event_photos,
    get_event,
    setup_choices,
    view_of,
)
from grantdesk.store.ballots import IMPORT_CHUNK, STORING_BALLOTS

__all__ = [
    "CODE_ALPHABET", "CODE_LENGTH", "DEFAULT_TIE_BREAK", "IMPORT_CHUNK", "PABULIB_KINDS", "PABULIB_RULES",
    "STORING_BALLOTS", "CardDrawer", "CodeCards", "CodeRefused", "Confirmation", "EventLocked", "EventProjectView",
    "EventResults", "EventSettings", "EventSummary", "EventView", "HiddenCount", "ImportedVote", "Keying",
    "KeyingOutcome", "Mismatch", "PaperProgress", "ProjectResult", "RoundChoice", "VotingClosed", "add_codes",
    "add_event", "cast_ballot", "check_code", "check_kiosk_pin", "close_voting", "confirm", "confirm_results",
    "create_event", "event_codes", "event_election", "event_photos", "event_results", "event_screen",
    "export_pabulib", "format_code", "get_event", "import_pabulib", "issue_code_cards", "issue_codes",
    "key_paper_ballot", "list_events", "mark_closed", "mark_revealed", "normalise_code", "paper_mismatches",
    "paper_progress", "record_ballot", "record_paper", "reveal_results", "resolve_mismatch", "save_event",
    "settle_mismatch", "setup_choices", "update_event", "view_of",
    "CountedReceipts", "check_receipt", "counted_receipts", "write_receipts",
]
