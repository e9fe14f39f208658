"""Bringing a vote held elsewhere in from a PaBuLib file (``events.import_pabulib`` and
``python -m grantdesk events import``): the imported event counts exactly as the tally command counts
the file, and a file that cannot be taken whole writes nothing."""

from __future__ import annotations

import json
import random
import sqlite3
import threading
from fractions import Fraction

import pytest
from helpers import build_vote_fund

from grantdesk.cli import main
from grantdesk.domain.errors import ValidationError
from grantdesk.services import events
from grantdesk.services.events import EventSettings
from grantdesk.store import ballots as storage
from grantdesk.store.models import CastBallotRow
from grantdesk.voting.ballots import CastBallot
from grantdesk.voting.pabulib import PabulibError, read_pb
from grantdesk.voting.tally import tally_ballots

TABLES = ("rounds", "applications", "status_changes", "organisations", "voting_events", "event_projects", "ballots",
          "audit_log")

SMALL = """META
key;value
description;Parish PB
instance;2025
vote_type;approval
budget;700
max_length;2
currency;GBP
date_begin;01.05.2025
date_end;14.05.2025
rule;equalshares
PROJECTS
project_id;cost;name;category
2;600;Litter pickers;parks,clean streets
10;400.25;Bench by the pond;parks
3;500;Book swap;culture
VOTES
voter_id;vote
a1;10,2
a2;2
a3;3,10
a4;3
"""


def _counts(location) -> dict[str, int]:
    with sqlite3.connect(location.path) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _cli_tally(capsys, path, rule) -> dict:
    capsys.readouterr()
    assert main(["tally", str(path), "--rule", rule, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _funded_ids(db, done: events.ImportedVote, path) -> list[str]:
    """The event's funded projects, in the order chosen, as the file's project ids."""
    ids = dict(zip(done.references, (p.id for p in read_pb(path, keep_extra=False).projects), strict=True))
    return [ids[ref] for ref in events.event_results(db, done.event_id).allocation.selected]


@pytest.fixture
def vote(db):
    return build_vote_fund(db)


@pytest.mark.parametrize("name, rule", [
    pytest.param("Poland_Warszawa_2026.pb", None,  # 61,668 approval ballots; META's greedy-threshold → greedy
                 marks=pytest.mark.slow),  # ~2 s each
    pytest.param("Poland_Warszawa_2026.pb", "mes", marks=pytest.mark.slow),
    ("Poland_Krakow_2023_Swoszowice.pb", "mes"),  # ordinal, rank exactly 3, a budget with grosze
    ("Switzerland_Zurich_D10.pb", "greedy-cost"),  # cumulative
    ("Poland_Zabrze_2021_Pawlow.pb", None),  # choose-1
    ("Netherlands_Assen_2024.pb", None),  # META equalshares/add1 → mes-add1
])
def test_an_imported_vote_counts_exactly_as_the_tally_command_counts_its_file(db, vote, shared_dir, capsys, name,
                                                                              rule):
    path = shared_dir / "pabulib" / name
    done = events.import_pabulib(db, vote.fund_code, path, rule=rule)
    tallied = _cli_tally(capsys, path, done.rule)
    results = events.event_results(db, done.event_id)
    assert _funded_ids(db, done, path) == tallied["selected"]
    assert results.allocation.total_cost == Fraction(str(tallied["total_cost"]))
    assert results.tally.accepted == done.ballots == len(read_pb(path, keep_extra=False).ballots)
    assert results.tally.spoilt_count == 0


def test_the_imported_event_is_a_closed_vote_on_a_new_round_of_shortlisted_applications(db, vote, tmp_path,
                                                                                           location):
    path = tmp_path / "parish.pb"
    path.write_text(SMALL, encoding="utf-8")
    before = _counts(location)
    done = events.import_pabulib(db, vote.fund_code, path, actor="Officer Jo")
    after = _counts(location)
    assert {t: after[t] - before[t] for t in TABLES} == {
        "rounds": 1, "applications": 3, "status_changes": 3, "organisations": 1, "voting_events": 1,
        "event_projects": 3, "ballots": 4, "audit_log": 1}
    view = events.get_event(db, done.event_id)
    assert view.state == "closed" and not view.hide_results
    assert (view.round_name, view.name) == ("Parish PB 2025", "Parish PB 2025")
    assert (view.ballot_kind, view.rule, view.budget_pence) == ("approval", "mes", 70_000)
    assert view.ballot_settings == {"max_choices": 2, "min_choices": 0}
    assert view.tie_break == ("id",)
    assert view.opens_at.date().isoformat() == "2025-05-01" and view.closes_at.date().isoformat() == "2025-05-14"
    # Projects in file order; references numbered in the order of the file's ids ("10" < "2" < "3").
    assert [p.title for p in view.projects] == ["Litter pickers", "Bench by the pond", "Book swap"]
    assert [p.amount_pence for p in view.projects] == [60_000, 40_025, 50_000]
    assert {p.status for p in view.projects} == {"shortlisted"}
    r = done.references
    assert [p.reference for p in view.projects] == list(r) and r[1] < r[0] < r[2]
    assert [p.category for p in view.projects] == ["", "parks", "culture"]
    with sqlite3.connect(location.path) as conn:
        rows = conn.execute("SELECT source, choices, points, spoilt_reason FROM ballots "
                            "WHERE event_id = ?", (done.event_id,)).fetchall()
        action, actor, audited = conn.execute("SELECT action, actor, after FROM audit_log ORDER BY id DESC LIMIT 1"
                                              ).fetchone()
    # Every ballot as the file has it (in no order: the rows take random keys), with no receipt.
    assert sorted(rows) == sorted([("kiosk", json.dumps([r[1], r[0]]), "null", None),
                                   ("kiosk", json.dumps([r[0]]), "null", None),
                                   ("kiosk", json.dumps([r[2], r[1]]), "null", None),
                                   ("kiosk", json.dumps([r[2]]), "null", None)])
    assert (action, actor) == ("event.import", "Officer Jo")
    assert json.loads(audited)["file"] == "parish.pb" and json.loads(audited)["ballots"] == 4
    with db.session() as s:  # the ORM reads them as it reads ballots cast at a kiosk
        stored = s.query(CastBallotRow).filter_by(event_id=done.event_id).all()
        assert [r[1], r[0]] in [b.choices for b in stored] and {b.points for b in stored} == {None}


@pytest.mark.parametrize("rule", ["greedy", "greedy-cost", "mes", "phragmen"])
def test_a_three_way_tie_falls_as_the_tally_command_breaks_it(db, vote, tmp_path, capsys, rule):
    """Every project has two votes: ties go by the file's project id in alphabetical order ("10"
    first), which the references keep though the file lists "2" first."""
    path = tmp_path / "parish.pb"
    path.write_text(SMALL, encoding="utf-8")
    done = events.import_pabulib(db, vote.fund_code, path, rule=rule)
    assert _funded_ids(db, done, path) == _cli_tally(capsys, path, rule)["selected"]
    if rule == "greedy":
        assert _funded_ids(db, done, path) == ["10"]


def test_points_ballots_keep_their_points_and_tokens_come_from_meta(db, vote, shared_dir):
    path = shared_dir / "pabulib" / "Switzerland_Zurich_D10.pb"
    done = events.import_pabulib(db, vote.fund_code, path, round_name="Zurich D10")
    view = events.get_event(db, done.event_id)
    assert view.ballot_kind == "cumulative" and view.ballot_settings == {"tokens": 10}
    file = read_pb(path, keep_extra=False)
    counted = events.event_results(db, done.event_id).tally
    assert [p.total for p in counted.projects] == [
        sum(pts for b in file.ballots for i, pts in zip(b.projects, b.points, strict=True) if i == n)
        for n in range(len(file.projects))]


@pytest.mark.parametrize("votes, line, words", [
    ("a1;10,2\na2;9\n", 20, "project 9, which is not in PROJECTS"),
    ("a1;10,2\n\na2;10,2,3\n", 21, "each voter may approve at most 2"),
])
def test_a_malformed_file_writes_nothing_and_names_the_line(db, vote, tmp_path, location, votes, line, words):
    path = tmp_path / "bad.pb"
    path.write_text(SMALL.split("voter_id;vote\n")[0] + "voter_id;vote\n" + votes, encoding="utf-8")
    before = _counts(location)
    with pytest.raises(PabulibError) as caught:
        events.import_pabulib(db, vote.fund_code, path)
    assert f"line {line}" in str(caught.value) and words in str(caught.value)
    assert "Nothing was imported from bad.pb" in str(caught.value)
    assert _counts(location) == before


def test_a_cost_in_fractions_of_a_penny_is_refused_by_name(db, vote, tmp_path, location):
    path = tmp_path / "penny.pb"
    path.write_text(SMALL.replace("400.25;", "400.255;"), encoding="utf-8")
    before = _counts(location)
    with pytest.raises(PabulibError, match=r"cost of project 10 \(400\.255\) has fractions of a penny"):
        events.import_pabulib(db, vote.fund_code, path)
    assert _counts(location) == before


def test_a_rule_that_cannot_count_the_ballots_and_a_taken_round_name_are_refused(db, vote, shared_dir, tmp_path,
                                                                                  location):
    before = _counts(location)
    with pytest.raises(ValidationError, match="phragmen cannot count its cumulative ballots"):
        events.import_pabulib(db, vote.fund_code, shared_dir / "pabulib" / "Switzerland_Zurich_D10.pb", rule="phragmen")
    with pytest.raises(ValidationError, match="already has a round called “Community vote 2026”"):
        path = tmp_path / "parish.pb"
        path.write_text(SMALL, encoding="utf-8")
        events.import_pabulib(db, vote.fund_code, path, round_name="Community  vote 2026")
    assert _counts(location) == before


class Cancelled(Exception):
    pass


class Listener:
    """A progress listener that notes what it hears, and cancels (raises ``Cancelled``) when
    ``cancel_when(done, total)``."""

    def __init__(self, cancel_when=lambda done, total: False):
        self.heard: list[tuple[int, int, str]] = []
        self.cancel_when = cancel_when

    def report(self, done, total, label):
        self.heard.append((done, total, label))
        if self.cancel_when(done, total):
            raise Cancelled


def test_cancelling_while_the_ballots_are_stored_writes_nothing(db, vote, shared_dir, location):
    progress = Listener(lambda done, total: done >= 2 * events.IMPORT_CHUNK)
    before = _counts(location)
    with pytest.raises(Cancelled):
        events.import_pabulib(db, vote.fund_code, shared_dir / "pabulib" / "Hungary_Budapest_2024.pb",
                              progress=progress)
    assert progress.heard[:3] == [(0, 28_943, events.STORING_BALLOTS),
                                  (events.IMPORT_CHUNK, 28_943, events.STORING_BALLOTS),
                                  (2 * events.IMPORT_CHUNK, 28_943, events.STORING_BALLOTS)]
    assert _counts(location) == before


def test_a_grantdesk_export_comes_back_counted_the_same_way(sample_db, tmp_path):
    [leys] = [e for e in events.list_events(sample_db, "BBL")]
    out = events.export_pabulib(sample_db, leys.id, tmp_path / "leys.pb")
    done = events.import_pabulib(sample_db, "BBL", out, round_name="Leys again")
    view = events.get_event(sample_db, done.event_id)
    original = events.get_event(sample_db, leys.id)
    assert (view.rule, view.tie_break, view.when_next_does_not_fit) == (
        original.rule, original.tie_break, original.when_next_does_not_fit)
    by_title = {p.reference: p.title for p in view.projects}
    assert [by_title[r] for r in events.event_results(sample_db, done.event_id).allocation.selected] == [
        {p.reference: p.title for p in original.projects}[r] for r in leys.funded]


def _one_by_one(db, event_id, rules, source=None):
    """The count as it was made before distinct ballots were checked once: every stored ballot read
    through the ORM and checked by ``tally_ballots``; voters numbered 1, 2, … in the stored order."""
    with db.session() as s:
        rows = s.query(CastBallotRow).filter_by(event_id=event_id).order_by(CastBallotRow.id).all()
    rows = [(str(n), r) for n, r in enumerate(rows, start=1) if source is None or r.source == source]
    return tally_ballots(rules, [CastBallot(n, tuple(r.choices), None if r.points is None else tuple(r.points))
                                 for n, r in rows if r.spoilt_reason is None],
                         spoilt=[(n, (r.spoilt_reason,)) for n, r in rows if r.spoilt_reason is not None])


def test_counting_the_sample_vote_checks_every_ballot_as_tally_ballots_does(sample_db):
    [leys] = events.list_events(sample_db, "BBL")
    results = events.event_results(sample_db, leys.id)
    for tally, source in ((results.tally, None), (results.kiosk, "kiosk"), (results.paper, "paper")):
        assert tally == _one_by_one(sample_db, leys.id, results.event.rules, source)
    assert results.tally.spoilt_count > 0 and results.paper.accepted > 0


@pytest.mark.parametrize("kind, settings, clean", [
    ("approval", {"max_choices": 2}, False),
    ("approval", {"max_choices": 3, "min_choices": 2}, False),
    ("approval", {"max_choices": 3}, True),
    ("choose-one", {}, False),
    ("ranked", {"max_ranked": 3, "min_ranked": 2}, False),
    ("ranked", {}, True),
    ("score", {"low": 0, "high": 5, "cant_judge": True}, False),
    ("score", {"low": 1, "high": 3, "score_every_project": True}, False),
    ("cumulative", {"tokens": 5, "max_per_project": 3}, False),
    ("knapsack", {}, False),
])
def test_counting_checks_every_ballot_as_tally_ballots_does_even_ballots_written_behind_its_back(
        db, vote, location, kind, settings, clean):
    """Ballots of every shape, good and bad (unknown and repeated references, too many or too few,
    points out of range or not whole numbers), written straight into the table as a damaged or
    hand-edited database would hold them: the count spoils exactly what checking each one spoils.
    ``clean``: only references on the paper and nothing marked spoilt, as imported votes are (the
    quick way, until a repeated reference shows)."""
    rng = random.Random(f"{kind}{settings}{clean}")
    event_id = events.create_event(db, vote.fund_code, EventSettings(
        name="Every shape", round_id=vote.round_id, application_ids=tuple(vote.application_ids), ballot_kind=kind,
        ballot_settings=settings, rule="greedy", kiosk_pin="2468"))
    refs = list(vote.references) if clean else [*vote.references, "NOT-ON-THE-PAPER"]
    points_pool = [0, 1, 2, 3, 4, 5, 6, -1, None, True, 2.5]
    rows = []
    for n in range(400):
        marked = [rng.choice(refs) for _ in range(rng.choice([1, 2, 3] if clean else [0, 1, 1, 2, 2, 3, 3, 4, 5]))]
        if rng.random() < (0.95 if clean else 0.7):
            marked = list(dict.fromkeys(marked))
        if rng.random() < 0.2 and not clean:  # every project on the paper, once, in some order
            marked = rng.sample(vote.references, len(vote.references))
        if kind in ("score", "cumulative"):
            points = [rng.choice(points_pool[1:3]) if rng.random() < 0.85 else rng.choice(points_pool)
                      for _ in marked]
        else:
            points = None
        spoilt = "unreadable" if rng.random() < 0.05 and not clean else None
        rows.append((event_id, rng.choice(["kiosk", "kiosk", "paper"]), json.dumps(marked),
                     json.dumps(points), spoilt, str(n) if spoilt else None))
    with sqlite3.connect(location.path) as conn:
        conn.executemany("INSERT INTO ballots (event_id, source, choices, points, spoilt_reason, paper_sheet)"
                         " VALUES (?, ?, ?, ?, ?, ?)", rows)
    results = events.event_results(db, event_id)
    rules = results.event.rules
    for tally, source in ((results.tally, None), (results.kiosk, "kiosk"), (results.paper, "paper")):
        assert tally == _one_by_one(db, event_id, rules, source)
    assert results.tally.accepted > 0 and results.tally.spoilt_count > 0


def test_the_cli_imports_a_file_and_prints_the_event_and_its_ballots(db, vote, tmp_path, location, capsys):
    path = tmp_path / "parish.pb"
    path.write_text(SMALL, encoding="utf-8")
    code = main(["events", "import", str(path), "--fund", "vot", "--round", "Parish vote", "--db", str(location.path)])
    out = capsys.readouterr().out
    [summary] = [e for e in events.list_events(db, "VOT") if e.name == "Parish vote"]
    assert code == 0
    assert f"as event {summary.id}" in out and "Imported 4 ballots on 3 projects" in out
    assert summary.state == "closed" and summary.ballots_counted == 4
    code = main(["events", "import", str(tmp_path / "missing.pb"), "--fund", "vot", "--db", str(location.path)])
    assert code == 1 and "There is no file at" in capsys.readouterr().err


# --- storing the ballots: exactly the rows stored before, however they are stored ------------------------

# Files of every kind of ballot (approval, ordinal, cumulative and scoring points), and their ballot counts.
STORED = [
    ("Poland_Warszawa_2026.pb", 61668),
    ("Poland_Krakow_2024.pb", 65101),
    ("Hungary_Budapest_2024.pb", 28943),
    ("France_Toulouse_2019.pb", 1494),
    ("Switzerland_Zurich_D10.pb", 180),
    ("Poland_Zabrze_2021_Pawlow.pb", 202),
    ("Poland_Katowice_2023_Zarzecze.pb", 637),
]
THREAD = "grantdesk-made-ahead"


def _city_fund(db) -> str:
    from grantdesk.services import funds

    with db.unit_of_work() as uow:
        funds.add_fund(uow.session, actor="Test Officer", code="CITY", name="City PB", council="City Council",
                       funder_org_id="GB-LAE-CTY", prefix_360g="360G-city")
        uow.commit()
    return "CITY"


def _stored(location, event_id) -> list[tuple]:
    """The event's ballot rows, sorted (the rows take random keys: their stored order is no order)."""
    with sqlite3.connect(location.path) as conn:
        return sorted(conn.execute("SELECT source, choices, typeof(choices), points, typeof(points), spoilt_reason, "
                                   "paper_sheet FROM ballots WHERE event_id = ?", (event_id,)).fetchall())


def _expected(location, event_id, path) -> list[tuple]:
    """The oracle, worked out from the file without the import's code (sorted, as ``_stored``): each
    ballot of the file is a row with no receipt, a kiosk ballot, its choices as ``json.dumps`` writes
    the list of its projects' references (project i of the file is the event's i-th project), its points
    likewise (JSON null without points), never spoilt, on no paper sheet."""
    from grantdesk.voting.pabulib import read_pb

    election = read_pb(path)
    with sqlite3.connect(location.path) as conn:
        refs = [r for (r,) in conn.execute("SELECT a.reference FROM event_projects p JOIN applications a "
                                           "ON a.id = p.application_id WHERE p.event_id = ? ORDER BY p.position",
                                           (event_id,))]
    with_points = election.vote_type in ("cumulative", "scoring")
    return sorted(("kiosk", json.dumps([refs[i] for i in b.projects]), "text",
                   json.dumps(list(b.points)) if with_points else "null", "text", None, None)
                  for b in election.ballots)


def _no_thread_left() -> bool:
    return not [t for t in threading.enumerate() if t.name == THREAD]


@pytest.mark.parametrize("name, ballots", STORED, ids=[n for n, _b in STORED])
def test_every_ballot_of_the_file_is_stored_as_the_file_has_it(db, location, shared_dir, name, ballots):
    path = shared_dir / "pabulib" / name
    done = events.import_pabulib(db, _city_fund(db), path)
    assert done.ballots == ballots
    assert _stored(location, done.event_id) == _expected(location, done.event_id, path)
    assert _no_thread_left()


@pytest.mark.parametrize("way", ["executemany", "core"])
@pytest.mark.parametrize("name, ballots", [STORED[2], STORED[3]], ids=["approval", "points"])
def test_every_way_of_storing_stores_the_same_rows(db, location, shared_dir, monkeypatch, way, name, ballots):
    """An SQLite without its JSON functions (executemany) and another database (Core): the same rows."""
    monkeypatch.setattr(storage, "storing_way", lambda conn: way)
    progress = Listener()
    path = shared_dir / "pabulib" / name
    done = events.import_pabulib(db, _city_fund(db), path, progress=progress)
    assert _stored(location, done.event_id) == _expected(location, done.event_id, path)
    chunks = range(events.IMPORT_CHUNK, ballots, events.IMPORT_CHUNK)
    assert [report[0] for report in progress.heard] == [0, *chunks, ballots]


def test_references_that_need_escaping_are_stored_as_json_dumps_writes_them(db, vote, location):
    """References are made by GrantDesk and plain, but the JSON array handed to SQLite escapes whatever
    they hold: quotes, backslashes, commas, brackets, accents, characters beyond the BMP."""
    from grantdesk.voting.election import Ballot

    refs = ['A"B', "C\\D", "É, ü", "😀", "[]", "x\ny"]
    ballots = [Ballot(f"v{n}", tuple((n + k) % len(refs) for k in range(n % 4)), tuple(range(n % 4)))
               for n in range(7_000)]
    stored = {}
    for way in ("json_each", "executemany"):
        for with_points in (False, True):
            event_id = events.create_event(db, vote.fund_code, EventSettings(
                name=f"Escapes {way} {with_points}", round_id=vote.round_id,
                application_ids=tuple(vote.application_ids), ballot_kind="approval", rule="greedy", kiosk_pin="2468"))
            with db.unit_of_work() as uow, pytest.MonkeyPatch.context() as patch:
                patch.setattr(storage, "storing_way", lambda conn, way=way: way)
                storage.insert_ballots(uow.session, ballots, refs, event_id, with_points, None)
                uow.commit()
            events.close_voting(db, event_id)  # one vote per shortlist at a time: the next may be set up
            with sqlite3.connect(location.path) as conn:
                stored[way, with_points] = sorted(conn.execute(
                    "SELECT source, choices, typeof(choices), points, typeof(points) FROM ballots "
                    "WHERE event_id = ?", (event_id,)).fetchall())
    for with_points in (False, True):
        assert stored["json_each", with_points] == stored["executemany", with_points]
        assert stored["json_each", with_points] == sorted(
            ("kiosk", json.dumps([refs[i] for i in b.projects]), "text",
             json.dumps(list(b.points)) if with_points else "null", "text") for b in ballots)


def _many_ballots(count: int, bad_at: int, bad: str, vote_type: str = "approval") -> tuple[str, int]:
    """SMALL with ``count`` good ballots (and a blank line after the first) and ``bad`` as the ballot at
    ``bad_at`` (from 0); the line it is on."""
    good = ["10,2", "2", "3,10", "3", "2,3"]
    lines = [f"v{n};{bad if n == bad_at else good[n % len(good)]}" for n in range(count)]
    lines.insert(1, "")
    head = SMALL.split("voter_id;vote\n")[0].replace("vote_type;approval", f"vote_type;{vote_type}")
    return head + "voter_id;vote\n" + "\n".join(lines) + "\n", 19 + bad_at + (bad_at >= 1)


@pytest.mark.parametrize("bad, vote_type, words", [
    ("10,9", "approval", "voter v{k} voted for project 9, which is not in PROJECTS"),
    ("10,2,3", "approval", "voter v{k}'s ballot breaks the ballot paper the file's META describes"),
    ("3,10,3", "ordinal", "voter v{k} lists a project twice on a ordinal ballot"),
])
def test_a_bad_ballot_in_a_late_chunk_is_refused_by_its_line_and_nothing_is_written(db, vote, tmp_path, location,
                                                                                   bad, vote_type, words):
    k = 3 * events.IMPORT_CHUNK + 1234
    text, line = _many_ballots(4 * events.IMPORT_CHUNK, k, bad, vote_type)
    path = tmp_path / "late.pb"
    path.write_text(text, encoding="utf-8")
    before = _counts(location)
    with pytest.raises(PabulibError) as caught:
        events.import_pabulib(db, vote.fund_code, path, round_name="Late")
    assert f"line {line}: " in str(caught.value) and words.format(k=k) in str(caught.value)
    assert "Nothing was imported from late.pb" in str(caught.value)
    assert _counts(location) == before
    assert path.read_text(encoding="utf-8").splitlines()[line - 1] == f"v{k};{bad}"


def test_cancelling_at_the_last_chunk_writes_nothing_and_leaves_no_thread(db, vote, shared_dir, location):
    # Every ballot is in the transaction when the last report cancels: before the commit.
    progress = Listener(lambda done, total: done == total)
    path = shared_dir / "pabulib" / "Hungary_Budapest_2024.pb"
    before = _counts(location)
    with pytest.raises(Cancelled):
        events.import_pabulib(db, vote.fund_code, path, progress=progress)
    assert progress.heard[-1][0] == 28_943 and len(progress.heard) == 2 + 28_943 // events.IMPORT_CHUNK
    assert _counts(location) == before
    assert _no_thread_left()
    done = events.import_pabulib(db, vote.fund_code, path)  # the database takes the next import as ever
    assert _counts(location)["ballots"] == before["ballots"] + done.ballots == before["ballots"] + 28_943


def test_an_error_making_the_ballots_on_their_thread_reaches_the_caller_and_nothing_is_written(
        db, vote, shared_dir, location, monkeypatch):
    made = storage.ballot_chunks

    def failing(ballots, refs, with_points):
        for n, chunk in enumerate(made(ballots, refs, with_points)):
            if n == 3:
                raise RuntimeError("the fourth chunk could not be made")
            yield chunk

    monkeypatch.setattr(storage, "ballot_chunks", failing)
    before = _counts(location)
    with pytest.raises(RuntimeError, match="the fourth chunk could not be made"):
        events.import_pabulib(db, vote.fund_code, shared_dir / "pabulib" / "Hungary_Budapest_2024.pb")
    assert _counts(location) == before
    assert _no_thread_left()


def test_items_made_ahead_come_in_order_and_the_thread_stops_when_left_early():
    with storage.made_ahead(iter(range(1000))) as made:
        assert list(made) == list(range(1000))
    assert _no_thread_left()

    def endless():
        n = 0
        while True:
            yield n
            n += 1

    with storage.made_ahead(endless()) as made:  # left after five: the thread is stopped and waited for
        assert [next(made) for _ in range(5)] == [0, 1, 2, 3, 4]
    assert _no_thread_left()

    def broken():
        yield 1
        raise ValueError("no second item")

    with pytest.raises(ValueError, match="no second item"), storage.made_ahead(broken()) as made:
        assert next(made) == 1
        next(made)
    assert _no_thread_left()


# --- a file cut off is refused whole (issue 18) ----------------------------------------------------------


@pytest.mark.parametrize("cut, words", [
    (lambda lines: lines[:-1000], "the VOTES section ends here with 27,943 ballots, but META says num_votes is 28,943"),
    (lambda lines: lines[:-1] + [lines[-1].split(";")[0][:-2]], "the last ballot has 1 of the 2 columns of VOTES "
                                                                 "(no vote): the file looks cut off part-way"),
])
def test_a_real_file_cut_off_imports_nothing_and_names_the_line(db, vote, shared_dir, tmp_path, location, capsys,
                                                                cut, words):
    lines = (shared_dir / "pabulib" / "Hungary_Budapest_2024.pb").read_text(encoding="utf-8").splitlines()
    kept = cut(lines)
    path = tmp_path / "budapest.pb"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    before = _counts(location)
    with pytest.raises(PabulibError) as refused:
        events.import_pabulib(db, vote.fund_code, path)
    assert str(refused.value).startswith(f"Nothing was imported from budapest.pb, which cannot be read: "
                                         f"line {len(kept)}: {words}")
    assert _counts(location) == before
    assert main(["events", "import", str(path), "--fund", "vot", "--db", str(location.path)]) == 1
    assert f"line {len(kept)}: {words}" in capsys.readouterr().err
    assert _counts(location) == before
