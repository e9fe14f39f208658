"""The learning report for a fund or a theme: the counts and amounts (each award counted once), the
themes with the notes' own words, what did not go to plan beside what was learned, and the council's
lessons — as data, Markdown and PDF."""

from datetime import date

import pytest
from helpers import build_vote_fund
from pypdf import PdfReader
from sqlalchemy import select

from grantdesk.domain.errors import NotFound, ValidationError
from grantdesk.domain.money import format_money
from grantdesk.reports.learning_report import learning_report_markdown, learning_report_pdf, md_escape
from grantdesk.services import outcomes
from grantdesk.services.applications import award_application
from grantdesk.services.learning import learning_report_data
from grantdesk.services.outcomes import NoteDraft
from grantdesk.store.models import Award

CHANGED = "Three people now cook at home twice a week."
NOT_TO_PLAN = "The oven broke in week four; we borrowed the school's."
LEARNED = "Start with one-pot meals."
BETTER = "Pay the first instalment before the project starts."
BROOK = "Walks by the brook brought out people who never came to the hall."


@pytest.fixture
def fund(db):
    vote = build_vote_fund(db, costs_pence=(100_000, 200_000, 150_000), budget_pence=500_000)
    for app_id, amount in zip(vote.application_ids, (100_000, 150_000, 120_000), strict=True):
        award_application(db, app_id, amount, awarded_on=date(2026, 7, 1))
    with db.session() as s:
        awards = [s.scalar(select(Award.id).where(Award.application_id == a)) for a in vote.application_ids]
    first, second, _third = awards  # the third award has no note yet
    outcomes.record_note(db, first, NoteDraft(
        recorded_on=date(2026, 10, 1), stage="3 months", what_changed=CHANGED, not_to_plan=NOT_TO_PLAN,
        learned=LEARNED, people_involved=40, volunteers=6, themes=("Healthy food", "loneliness")))
    outcomes.record_note(db, first, NoteDraft(
        recorded_on=date(2027, 3, 1), stage="end of grant", what_happened="We ran *twelve* sessions_in all.",
        council_could_do_better=BETTER, people_involved=25, volunteer_hours=120, themes=("healthy food",)))
    outcomes.record_note(db, second, NoteDraft(
        recorded_on=date(2026, 11, 1), what_changed=BROOK, volunteers=3, themes=("getting active",)))
    return vote


def test_the_data_counts_each_award_once_and_sums_the_figures_given(db, fund):
    report = learning_report_data(db, "vot")
    assert report.title == "Vote Fund" and report.fund_code == "VOT"
    assert (report.notes, report.awards, report.organisations) == (3, 2, 1)
    assert report.awarded_pence == 250_000  # 1,000 + 1,500: the first award's two notes count it once
    figures = {f.name: (f.total, f.notes_giving) for f in report.figures}
    assert figures == {"people_involved": (65, 2), "volunteers": (9, 2), "volunteer_hours": (120, 1)}
    assert report.themes == (("healthy food", 2), ("getting active", 1), ("loneliness", 1))
    sections = {s.theme: s for s in report.sections}
    assert [q.text for q in sections["healthy food"].quotes] == [CHANGED, LEARNED, "We ran *twelve* sessions_in all."]
    assert [q.label for q in sections["getting active"].quotes] == ["What changed, and for whom"]
    [item] = report.not_to_plan
    assert (item.text, item.learned, item.reference) == (NOT_TO_PLAN, LEARNED, fund.references[0])
    assert [q.text for q in report.council_could_do_better] == [BETTER]
    assert (report.first_recorded, report.last_recorded) == (date(2026, 10, 1), date(2027, 3, 1))


def test_a_theme_report_holds_only_that_themes_notes(db, fund):
    report = learning_report_data(db, "VOT", theme="Getting  Active")
    assert report.title == "Vote Fund: getting active"
    assert (report.notes, report.awards, report.awarded_pence) == (1, 1, 150_000)
    assert [s.theme for s in report.sections] == ["getting active"]
    assert [q.text for s in report.sections for q in s.quotes] == [BROOK]
    assert report.not_to_plan == () and report.council_could_do_better == ()
    markdown = learning_report_markdown(report)
    assert "brook" in markdown and "oven" not in markdown and "one-pot" not in markdown
    assert "No note said that something did not go to plan." in markdown
    across_funds = learning_report_data(db, theme="loneliness")
    assert across_funds.title == "Theme: loneliness" and across_funds.notes == 1
    assert across_funds.funds == ("Vote Fund",)


def test_no_notes_is_a_clear_error(db, fund):
    with pytest.raises(ValidationError, match="no outcome notes for Vote Fund on the theme “sport” yet"):
        learning_report_data(db, "VOT", theme="sport")
    build_vote_fund(db, code="EMP", costs_pence=(100_000,))
    with pytest.raises(ValidationError, match="There are no outcome notes for Vote Fund yet"):
        learning_report_data(db, "EMP")
    with pytest.raises(NotFound, match="no fund with code"):
        learning_report_data(db, "NOPE")


def test_the_markdown_has_the_headings_the_words_and_each_lesson_beside_what_went_wrong(db, fund):
    markdown = learning_report_markdown(learning_report_data(db, "VOT"))
    for heading in ("# Learning report: Vote Fund", "## Counts and amounts", "## Themes",
                    "## Theme: healthy food", "## Theme: getting active", "## What did not go to plan",
                    "## What the council could do better"):
        assert f"\n{heading}\n" in f"\n{markdown}"
    assert f"| Awarded to those awards | {format_money(250_000)} |" in markdown
    assert "| Outcome notes | 3 |" in markdown and "| healthy food | 2 |" in markdown
    assert f"  > {CHANGED}" in markdown and f"  > {BROOK}" in markdown and f"  > {BETTER}" in markdown
    assert "> We ran \\*twelve\\* sessions\\_in all." in markdown  # the grantee's asterisks print as asterisks
    not_to_plan = markdown.split("## What did not go to plan")[1].split("## What the council")[0]
    assert not_to_plan.index("borrowed the school's") < not_to_plan.index("What was learned") \
        < not_to_plan.index(LEARNED)
    assert fund.references[0] in not_to_plan


def test_markdown_escaping_leaves_ordinary_words_alone():
    assert md_escape("St Mary's Hall & Café (Tŷ Llŷn)") == "St Mary's Hall & Café (Tŷ Llŷn)"
    assert md_escape("# 1 | *Best* [club]") == "\\# 1 \\| \\*Best\\* \\[club\\]"
    assert md_escape("1. first") == "1\\. first"


def test_the_pdf_has_the_words_the_themes_and_the_totals(db, fund, tmp_path):
    target = tmp_path / "learning.pdf"
    learning_report_pdf(learning_report_data(db, "VOT"), target, printed_on=date(2027, 4, 2))
    reader = PdfReader(target)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for words in (CHANGED, BROOK, NOT_TO_PLAN, LEARNED, BETTER, "healthy food", "getting active", "loneliness",
                  "What did not go to plan", "What the council could do better", format_money(250_000),
                  "65 (from 2 of 3 notes)", "Page 1 of"):
        assert words in text, words
    assert reader.metadata.title == "Learning report: Vote Fund"


def test_the_learning_report_command_writes_markdown_and_pdf(db, location, tmp_path, capsys):
    from datetime import date

    from helpers import build_vote_fund
    from pypdf import PdfReader
    from sqlalchemy import select

    from grantdesk.cli import main
    from grantdesk.services import outcomes
    from grantdesk.services.applications import award_application
    from grantdesk.store.models import Award

    vote = build_vote_fund(db, code="LRN", costs_pence=(100_000,), budget_pence=200_000)
    award_application(db, vote.application_ids[0], 100_000, awarded_on=date(2026, 7, 1))
    with db.session() as s:
        award_id = s.scalar(select(Award.id).where(Award.application_id == vote.application_ids[0]))
    outcomes.record_note(db, award_id, outcomes.NoteDraft(
        recorded_on=date(2026, 10, 1), what_changed="Neighbours who had never spoken now run the rota.",
        not_to_plan="Nobody came to the first two sessions.", learned="Knock on doors, not just posters.",
        themes=("loneliness",)))
    md, pdf = tmp_path / "learning.md", tmp_path / "learning.pdf"
    assert main(["learning", "report", "--fund", "LRN", "--out", str(md), "--db", str(location.path)]) == 0
    assert "Knock on doors, not just posters." in md.read_text(encoding="utf-8")
    assert main(["learning", "report", "--fund", "LRN", "--theme", "loneliness", "--out", str(pdf),
                 "--db", str(location.path)]) == 0
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Neighbours who had never spoken" in text
    assert main(["learning", "report", "--fund", "LRN", "--theme", "sport", "--out", str(pdf),
                 "--db", str(location.path)]) == 1
    assert "nothing to report" in capsys.readouterr().err


def test_the_learning_report_for_a_sample_fund_reads_back_with_the_notes_words(sample_db, tmp_path):
    from pypdf import PdfReader

    from grantdesk.reports.learning_report import learning_report_pdf
    from grantdesk.services.learning import learning_report_data
    from grantdesk.services.outcomes import LibraryFilter, learning_library

    report = learning_report_data(sample_db, "BBL")
    out = tmp_path / "bbl.pdf"
    learning_report_pdf(report, out)
    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(out).pages)
    notes = learning_library(sample_db, LibraryFilter(fund_code="BBL")).notes
    assert notes and all(" ".join(n.texts["learned"].split())[:40] in text for n in notes if n.texts.get("learned"))
    assert any(n.texts.get("not_to_plan") for n in notes) and "What did not go to plan" in text
