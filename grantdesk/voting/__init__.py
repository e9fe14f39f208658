"""The voting engine: ballots, tallies and fair allocation rules over plain data (no database, no Qt).

- ``election``: projects, ballots and the budget of one vote (``Election``), amounts exact;
- ``pabulib``: reading and writing the PaBuLib ``.pb`` format;
- ``ballots``: ballot kinds and the event's rules (score, approval, choose-one, ranked, cumulative,
  knapsack), each rejection with its reason; ``tally``: totals, means, supporters, turnout, spoilt;
- ``satisfaction``: what each rule counts as support, per vote type;
- ``greedy``, ``phragmen``, ``mes``: the allocation rules; ``rules``: them by name (``run_rule``);
- ``tiebreak``: the ordered tie-break policy; ``result``: the funded list and its explanation;
- ``wording``: how explanations write amounts, counts and project names.

Results equal pabutools' (a GPL research library used only by the tests, never imported here) on the
real elections in ``../shared/pabulib``.
"""
