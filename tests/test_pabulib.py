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


# --- a file cut off is refused, not half read (issue 18) -------------------------------------------------


def _cut(shared_dir, tmp_path, name: str, keep) -> tuple:
    """A real election's file cut off (``keep`` turns its text into what is left), written to tmp_path;
    the path and the original lines."""
    text = (shared_dir / "pabulib" / name).read_text(encoding="utf-8")
    path = tmp_path / name
    path.write_text(keep(text), encoding="utf-8")
    return path, text.splitlines()


@pytest.mark.parametrize("keep_extra", [True, False])
@pytest.mark.parametrize("name, ballots, meta_line", [
    ("Poland_Krakow_2023_Swoszowice.pb", 1632, 10),  # ordinal, with age and sex columns
    ("Canada_Stanford_Dataset_PB_Dieppe_2018_vote_approvals.pb", 378, None),  # voter_id;vote only
])
def test_a_file_cut_off_at_a_line_boundary_is_refused_by_its_meta_count(shared_dir, tmp_path, keep_extra, name,
                                                                        ballots, meta_line):
    path, lines = _cut(shared_dir, tmp_path, name, lambda t: "\n".join(t.splitlines()[:-100]) + "\n")
    meta_line = meta_line or next(n for n, line in enumerate(lines, 1) if line.startswith("num_votes;"))
    with pytest.raises(PabulibError) as refused:
        read_pb(path, keep_extra=keep_extra)
    assert str(refused.value) == (
        f"line {len(lines) - 100}: the VOTES section ends here with {ballots - 100:,} ballots, but META says "
        f"num_votes is {ballots:,} (line {meta_line}): the file looks cut off, and 100 ballots are missing.")


@pytest.mark.parametrize("keep_extra", [True, False])
@pytest.mark.parametrize("chars, cells, missing", [(4, 3, "sex"), (6, 2, "age, sex"), (50, 1, "vote, age, sex")])
def test_a_file_cut_off_part_way_through_its_last_line_is_refused_naming_the_line(shared_dir, tmp_path, keep_extra,
                                                                                  chars, cells, missing):
    # the last line is "4293308658;BO.D10.19/23,BO.D10.8/23,BO.D10.17/23;77;M"
    path, lines = _cut(shared_dir, tmp_path, "Poland_Krakow_2023_Swoszowice.pb", lambda t: t[:-chars])
    with pytest.raises(PabulibError) as refused:
        read_pb(path, keep_extra=keep_extra)
    assert str(refused.value) == (
        f"line {len(lines)}: the last ballot has {cells} of the 4 columns of VOTES (no {missing}): the file looks "
        "cut off part-way through this line.")


def test_a_last_line_without_a_line_ending_is_whole_and_read(shared_dir, tmp_path):
    path, lines = _cut(shared_dir, tmp_path, "Poland_Krakow_2023_Swoszowice.pb", str.rstrip)
    assert len(read_pb(path).ballots) == 1632


def test_more_ballots_or_projects_than_meta_says_are_refused_too(shared_dir, tmp_path):
    path, lines = _cut(shared_dir, tmp_path, "Poland_Zabrze_2021_Pawlow.pb", lambda t: t + "extra-voter;1\n")
    with pytest.raises(PabulibError, match=rf"^line {len(lines) + 1}: the VOTES section has 203 ballots, but META "
                                           r"says num_votes is 202 \(line \d+\): the file does not hold what its META"):
        read_pb(path)
    path, _ = _cut(shared_dir, tmp_path, "Poland_Zabrze_2021_Pawlow.pb",
                   lambda t: t.replace("num_projects;2", "num_projects;3"))
    with pytest.raises(PabulibError, match=r"the PROJECTS section ends here with 2 projects, but META says "
                                           r"num_projects is 3 \(line \d+\): the file looks cut off"):
        read_pb(path)
    path, _ = _cut(shared_dir, tmp_path, "Poland_Zabrze_2021_Pawlow.pb",
                   lambda t: t.replace("num_votes;202", "num_votes;about 200"))
    with pytest.raises(PabulibError, match=r"^line \d+: META num_votes “about 200” is not a whole number"):
        read_pb(path)


def test_the_tally_command_refuses_a_cut_off_file_with_the_line(shared_dir, tmp_path, capsys):
    from grantdesk.cli import main

    path, lines = _cut(shared_dir, tmp_path, "Poland_Zabrze_2021_Pawlow.pb",
                       lambda t: "\n".join(t.splitlines()[:-2]) + "\n")
    assert main(["tally", str(path), "--rule", "greedy"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"error: {path.name} cannot be read: line {len(lines) - 2}: the VOTES section ends here with 200 ballots, "
        f"but META says num_votes is 202 (line {lines.index('num_votes;202') + 1}): the file looks cut off, and 2 "
        "ballots are missing.")
