"""Reading and writing PaBuLib files, checked on every real election in ../shared/pabulib."""

import io
from fractions import Fraction

import pytest

from grantdesk.voting.pabulib import PabulibError, read_pb, write_pb
from grantdesk.voting.satisfaction import project_totals


def pb_files(shared_dir):
    return sorted((shared_dir / "pabulib").glob("*.pb"))


@pytest.mark.slow  # reads and writes every shared election: ~3 s
def test_every_shared_election_reads_with_its_declared_counts_and_writes_back_identically(shared_dir):
    files = pb_files(shared_dir)
    assert len(files) >= 17
    for path in files:
        election = read_pb(path)
        assert len(election.projects) == int(election.meta["num_projects"]), path.name
        assert len(election.ballots) == int(election.meta["num_votes"]), path.name
        buffer = io.StringIO()
        write_pb(election, buffer)
        buffer.seek(0)
        again = read_pb(buffer)
        assert (again.vote_type, again.budget, again.projects, again.ballots) == (
            election.vote_type, election.budget, election.projects, election.ballots), path.name


def test_amounts_are_read_exactly(shared_dir):
    election = read_pb(shared_dir / "pabulib" / "Poland_Krakow_2023_Swoszowice.pb")
    assert election.budget == Fraction(145973046, 100)
    assert election.vote_type == "ordinal"


@pytest.mark.parametrize("name, column, measure", [
    ("Poland_Krakow_2023_Swoszowice.pb", "score", "positional"),  # the city's 3/2/1 points
    ("France_Toulouse_2019.pb", "score", "points"),
    ("Poland_Warszawa_2023_Bemowo.pb", "votes", "approval"),
    ("Poland_Zabrze_2021_Pawlow.pb", "votes", "approval"),
])
def test_support_counted_from_the_ballots_matches_the_files_own_totals(shared_dir, name, column, measure):
    election = read_pb(shared_dir / "pabulib" / name)
    totals = project_totals(election, measure)
    assert [int(t) for t in totals] == [int(p.extra[column]) for p in election.projects]


@pytest.mark.parametrize("text, words", [
    ("META\nkey;value\nvote_type;approval\n", "no PROJECTS or VOTES"),
    ("META\nkey;value\nvote_type;approval\nbudget;100\nPROJECTS\nproject_id;cost\n1;50\nVOTES\nvoter_id;vote\nv1;2\n",
     "line 10: voter v1 voted for project 2, which is not in PROJECTS"),
    ("META\nkey;value\nvote_type;approval\nbudget;100\nPROJECTS\nproject_id;cost\n1;fifty\nVOTES\nvoter_id;vote\n",
     "line 7: The cost of project 1 “fifty” is not a number"),
    ("META\nkey;value\nvote_type;referendum\nbudget;1\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n",
     "vote_type “referendum”"),
    ("META\nkey;value\nvote_type;cumulative\nbudget;100\nPROJECTS\nproject_id;cost\n1;50\nVOTES\n"
     "voter_id;vote;points\nv1;1;2,3\n", "1 projects but 2 points"),
])
def test_a_broken_file_is_refused_with_the_line_and_the_problem(text, words):
    with pytest.raises(PabulibError, match=words):
        read_pb(io.StringIO(text))


def test_approving_a_project_twice_counts_once_but_ranking_it_twice_is_refused():
    base = "META\nkey;value\nvote_type;{kind}\nbudget;100\nPROJECTS\nproject_id;cost\na;50\nb;30\nVOTES\nvoter_id;vote\nv1;a,b,a\n"
    assert read_pb(io.StringIO(base.format(kind="approval"))).ballots[0].projects == (0, 1)
    with pytest.raises(PabulibError, match="line 11: voter v1 lists a project twice on a ordinal ballot"):
        read_pb(io.StringIO(base.format(kind="ordinal")))


def test_quoted_fields_with_semicolons_are_read_whole():
    text = ('META\nkey;value\nvote_type;approval\nbudget;100\nPROJECTS\nproject_id;cost;name\n'
            'a;50;"Benches; and bins"\nVOTES\nvoter_id;vote\nv1;a\n')
    assert read_pb(io.StringIO(text)).projects[0].name == "Benches; and bins"


@pytest.mark.slow  # reads every shared election twice: ~2 s
@pytest.mark.parametrize("keep_extra", [True, False])
def test_the_fast_reading_of_votes_gives_what_reading_them_line_by_line_gives(shared_dir, monkeypatch, keep_extra):
    """On every shared election: the same ballots, each a ``Ballot``, ballots with the same vote sharing
    one tuple of projects (the import makes each distinct ballot's text once)."""
    from grantdesk.voting import pabulib
    from grantdesk.voting.election import Ballot

    fast = {path.name: read_pb(path, keep_extra=keep_extra) for path in pb_files(shared_dir)}
    monkeypatch.setattr(pabulib, "_ballots_fast", lambda *args: None)
    for path in pb_files(shared_dir):
        careful = read_pb(path, keep_extra=keep_extra)
        ballots = fast[path.name].ballots
        assert ballots == careful.ballots, path.name
        assert [b.extra for b in ballots] == [b.extra for b in careful.ballots], path.name
        assert {type(b) for b in ballots} == {Ballot}, path.name
        assert len({id(b.projects) for b in ballots}) == len({b.projects for b in ballots}), path.name


@pytest.mark.parametrize("votes, expected", [
    # blank lines and lines of spaces anywhere among the ballots; a ballot that marks nothing
    ("v1;a,b\n\n   \nv2;\nv3;b\n\t\nv4;b,a\n", [("v1", (0, 1)), ("v2", ()), ("v3", (1,)), ("v4", (1, 0))]),
    # quotes in the VOTES section only
    ('v1;"a,b"\nv2;b\n', [("v1", (0, 1)), ("v2", (1,))]),
    # spaces after the commas: read line by line
    ("v1;a, b\nv2; b\n", [("v1", (0, 1)), ("v2", (1,))]),
])
def test_ballots_are_read_whatever_the_lines_around_and_inside_them(votes, expected):
    text = ("META\nkey;value\nvote_type;ordinal\nbudget;100\nPROJECTS\nproject_id;cost\na;50\nb;30\nVOTES\n"
            "voter_id;vote\n" + votes)
    assert [(b.voter_id, b.projects) for b in read_pb(io.StringIO(text)).ballots] == expected


@pytest.mark.parametrize("votes, words", [
    ("v1;a\n\n  \nv2;a,c\n", "line 14: voter v2 voted for project c, which is not in PROJECTS"),
    ("v1;a\nv2;b,a,b\nv3;a,b,a\n", "line 12: voter v2 lists a project twice on a ordinal ballot"),
])
def test_a_bad_ballot_after_blank_lines_or_among_good_ones_is_named_by_its_line(votes, words):
    text = ("META\nkey;value\nvote_type;ordinal\nbudget;100\nPROJECTS\nproject_id;cost\na;50\nb;30\nVOTES\n"
            "voter_id;vote\n" + votes)
    with pytest.raises(PabulibError, match=words):
        read_pb(io.StringIO(text))


def test_many_ballots_are_kept_as_columns_that_read_as_ballots_and_the_collector_need_not_walk():
    import gc

    from grantdesk.voting.election import Ballot, BallotColumns

    n = 5_000
    text = ("META\nkey;value\nvote_type;approval\nbudget;100\nPROJECTS\nproject_id;cost\na;10\nb;20\n"
            "VOTES\nvoter_id;vote\n" + "".join(f"v{i};{'a,b' if i % 2 else 'b'}\n" for i in range(n)))
    gc.collect()
    before = len(gc.get_objects())
    election = read_pb(io.StringIO(text))
    gc.collect()
    # a few lists, not one tracked object per ballot (a Ballot named tuple is never untracked)
    assert len(gc.get_objects()) - before < 100
    ballots = election.ballots
    assert isinstance(ballots, BallotColumns) and len(ballots) == n
    assert ballots[1] == Ballot("v1", (0, 1)) and ballots[-1] == Ballot(f"v{n - 1}", (0, 1))
    assert type(ballots[0]) is Ballot and ballots[0].projects == (1,)
    assert list(ballots[2:4]) == [Ballot("v2", (1,)), Ballot("v3", (0, 1))]
    assert ballots == list(ballots) and list(ballots) == ballots
