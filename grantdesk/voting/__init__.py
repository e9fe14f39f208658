"""The voting engine: ballots, tallies and fair allocation rules over plain data (no database, no Qt).

- ``election``: projects, ballots and the budget of one vote (``Election``);
- ``pabulib``: reading and writing the PaBuLib ``.pb`` format;
- ``result``: what a rule returns — the funded list and a plain-English explanation, step by step.
"""
