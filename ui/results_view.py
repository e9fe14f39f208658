"""The results of a community vote on the projector: big, plain, and live.

- One horizontal bar per project, ranked by total support, labelled with its title and amount and with
  its total at the bar's end. Funded bars are green with a tick and "Funded" (and the money spent so
  far, down the list); the others are muted grey.
- The money line: a dashed line across the chart after the last funded project in the rule's order,
  "£5,000.00 pot runs out here", with what is left and why it buys nothing more ("£2,000.00 left — not
  enough for the next project (£3,500.00)"), so the room sees the pot against the ranked list.
- Ties: projects with equal totals carry a "Tie" mark, and a note under the chart says which tie-break
  of the event's rules put them in order.
- The state: "Live" while voting is open, "Voting closed" once it is, "Confirmed" once an officer has
  confirmed the results.
- A header with the event's name, the ballots counted (kiosk and paper) and the money funded against
  the pot.
- Live: a ballot cast at the kiosk or keyed on paper in this app is counted at once (the view follows
  the vote's changes, ``ui.operations.follow_changes``); while the view is shown it also counts again
  every few seconds (``interval``, default 5 s), for ballots that come in another way (another
  computer on a shared database). It never asks again while a count is still running.
- Hidden results: if the event hides results until the officer reveals them, the view says so ("Results
  are shown when an officer reveals them"), shows only how many ballots are in, and a "Reveal results"
  button (Ctrl+R) that asks first.
- Type scales with the window: legible from the back of a hall on a 1920×1080 projector, and still
  fitting 1280×800.
- For officers, the voting engine's explanation in a panel that folds open below the chart.
- The room's language: for a fund under the Welsh Language Standards everything the room reads — the
  header, the chart's marks, the money line, the tie notes, the hidden screen — is Welsh then English
  (``ResidentsWords``, from the one catalogue); otherwise the app's language. The officer's controls
  (reveal, the explanation) speak the officer's interface language.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from grantdesk.domain.changes import Kind
from grantdesk.i18n import N_
from grantdesk.voting.ties import CRITERIA, Tie, find_ties
from grantdesk.voting.voter_words import TIE_BREAK_WORDS, Voice
from grantdesk.voting.wording import number_text
from ui.operations import Op, Query, follow_changes, refusal_text
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from grantdesk.services.events import EventResults

REFRESH_MS = 5000

INK = QColor("#111827")
MUTED_INK = QColor("#4b5563")
AMOUNT_INK = QColor("#374151")
BACKGROUND = QColor("#ffffff")
FUNDED = QColor("#15803d")  # the "awarded" green of ui.style: white text on it passes WCAG AA
FUNDED_SOFT = QColor("#dcfce7")
NOT_FUNDED = QColor("#cbd5e1")
MONEY_LINE = QColor("#b45309")
TIE = QColor("#6d28d9")
TIE_SOFT = QColor("#ede9fe")

class ResidentsWords:
    """What the projector says to the room: the app's language, or Welsh then English for a fund under the
    Welsh Language Standards (``welsh``)."""

    def __init__(self, welsh: bool = False):
        self.welsh = welsh
        self.voices = (Voice("cy"), Voice("en")) if welsh else (Voice(),)

    def all(self, text: str, **values: Any) -> list[str]:
        """``text`` (marked ``N_``) in each language, Welsh first."""
        return [v._(text).format(**values) for v in self.voices]

    def ngettext(self, singular: str, plural: str, n: Any, **values: Any) -> list[str]:
        count = int(n) if n == int(n) else 2  # a fraction of a point reads as plural
        return [v.ngettext(singular, plural, count).format(n=number_text(n), **values) for v in self.voices]

    def money(self, pence: int) -> str:
        return self.voices[-1].money(pence)

    @staticmethod
    def inline(texts: list[str]) -> str:
        """A short mark on one line: “Ariannwyd / Funded”."""
        return " / ".join(texts)

    @staticmethod
    def lines(texts: list[str]) -> str:
        """Sentences, the Welsh above the English."""
        return "\n".join(texts)


def _words(results: Any) -> ResidentsWords:
    return ResidentsWords(bool(getattr(getattr(results, "event", None), "welsh", False)))


_TOTAL_OF = {"approval": "votes", "choose-one": "votes", "knapsack": "votes", "score": "points",
             "cumulative": "tokens", "ranked": "points"}


def _total_texts(total: Any, kind: str, words: ResidentsWords) -> list[str]:
    """A project's total in each language: “3 votes” (votes, points or tokens by the kind of ballot)."""
    nouns = _TOTAL_OF.get(kind, "points")
    if nouns == "votes":
        return words.ngettext("{n} vote", "{n} votes", total)
    if nouns == "tokens":
        return words.ngettext("{n} token", "{n} tokens", total)
    return words.ngettext("{n} point", "{n} points", total)


def _total_text(total: Any, kind: str, words: ResidentsWords | None = None) -> str:
    return ResidentsWords.inline(_total_texts(total, kind, words or ResidentsWords()))


@dataclass(frozen=True)
class ChartRow:
    """One project's row as laid out on the chart (for painting, and for tests)."""

    rank: int
    reference: str
    title: str
    amount_pence: int
    total_text: str
    funded: bool
    spent_so_far_pence: int | None  # funded money down the list to here, on funded rows
    status: str  # "Funded"; "Passed over" (unfunded above the money line: it did not fit); "Not funded"
    row: QRectF
    bar: QRectF
    tie: bool = False  # its total equals another project's


@dataclass(frozen=True)
class MoneyLine:
    after: int  # how many rows are above the line
    y: float
    label: str
    detail: str
    two_lines: bool = False  # the detail goes under the label when both do not fit on one line (or are bilingual)


@dataclass(frozen=True)
class _Geometry:
    pad: float
    row_h: float
    line_gap: float
    rank_w: float
    badge_w: float
    title_font: QFont
    small_font: QFont


class ResultsChart(QWidget):
    """The ranked bars and the money line, painted to fit the widget (a projector at 1280×720 or
    1920×1080; type grows with the size). Each row: the rank, the title with its amount, and below
    them the bar with the total at its end; the funded badge on the right."""

    MIN_ROW = 42
    MAX_ROW = 150
    LINE_GAP = 0.65  # the money line's band, in rows

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("resultsChart")
        self.setAccessibleName(self.tr("Results chart"))
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # screen readers reach it and read the description
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.results: EventResults | None = None
        self.ties: list[Tie] = []
        self.words = ResidentsWords()
        self.setAccessibleDescription(self.tr("No results yet."))

    # --- data -------------------------------------------------------------------------------------
    def set_results(self, results: EventResults | None) -> None:
        self.results = results
        self.words = _words(results)
        self.ties = results_ties(results) if results is not None else []
        self.setAccessibleDescription(describe_results(results) if results is not None
                                      else self.tr("No results shown."))
        self.setMinimumHeight(self._needed_height())
        self.update()

    def _needed_height(self) -> int:
        n = len(self.results.projects) if self.results is not None else 0
        return int((n + self._gap_rows()) * self.MIN_ROW + 2 * max(12.0, self.width() * 0.015)) if n else 0

    def _gap_rows(self) -> float:
        """The money line's band, in rows: twice as deep when it says its words in Welsh and in English."""
        return self.LINE_GAP * (2 if self.words.welsh else 1)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(900, max(self._needed_height(), 400))

    # --- layout -----------------------------------------------------------------------------------
    def _geometry(self) -> _Geometry:
        results = self.results
        n = max(len(results.projects), 1) if results is not None else 1
        pad = max(12.0, self.width() * 0.015)
        row_h = (self.height() - 2 * pad) / (n + self._gap_rows())
        row_h = max(self.MIN_ROW, min(self.MAX_ROW, row_h))
        title_px = max(16.0, min(40.0, row_h * 0.30, self.width() / 40))
        title = QFont(self.font())
        title.setPixelSize(round(title_px))
        title.setBold(True)
        small = QFont(self.font())
        small.setPixelSize(round(max(13.0, title_px * 0.75)))
        fm_title, fm_small = QFontMetricsF(title), QFontMetricsF(small)
        w = self.words
        pot = w.money(results.budget_pence) if results is not None else w.money(0)
        badge_w = max(fm_title.horizontalAdvance(w.inline(w.all(N_("Funded")))) + fm_title.height() + 40,
                      fm_small.horizontalAdvance(w.inline(w.all(N_("{money} so far"), money=pot))) + 8,
                      fm_small.horizontalAdvance(w.inline(w.all(N_("Passed over")))) + 8,
                      fm_small.horizontalAdvance(w.inline(w.all(N_("Not funded")))) + 8)
        return _Geometry(pad, row_h, row_h * self._gap_rows(), fm_title.horizontalAdvance("00") + pad * 0.8,
                         badge_w, title, small)

    def rows(self) -> list[ChartRow]:
        """The projects as laid out now, in rank order (most support first)."""
        return self._layout()[0]

    def money_line(self) -> MoneyLine | None:
        """Where the pot runs out: after the last funded project in rank order (``None`` before any
        project is funded)."""
        return self._layout()[1]

    def _layout(self) -> tuple[list[ChartRow], MoneyLine | None]:
        results = self.results
        if results is None or not results.projects:
            return [], None
        g = self._geometry()
        fm_title = QFontMetricsF(g.title_font)
        kind = results.event.ballot_kind
        projects = results.projects
        funded_positions = [i for i, p in enumerate(projects) if p.funded]
        line_after = funded_positions[-1] + 1 if funded_positions else None

        w = self.words
        totals = [_total_text(p.total, kind, w) for p in projects]
        tied = {ref for tie in self.ties for ref in tie.references}
        tie_w = self._tie_width(g) + 12 if tied else 0
        total_w = max(fm_title.horizontalAdvance(t) for t in totals) + 16 + tie_w
        bar_x = g.pad + g.rank_w
        bar_room = max(self.width() - g.pad - g.badge_w - 24 - total_w - bar_x, 20.0)
        top_total = max((p.total for p in projects), default=0)
        title_h = fm_title.height()
        bar_h = max(14.0, min(g.row_h - title_h - 0.22 * g.row_h, g.row_h * 0.36))

        two_lines = False
        gap = g.line_gap
        if line_after is not None:
            words = self._money_line(results, line_after, 0.0)
            two_lines = "\n" in words.label or \
                self._money_label_size(words, g, False)[0] > self.width() - 2 * g.pad - g.rank_w + 18
            gap = max(g.line_gap, self._money_label_size(words, g, two_lines)[1] + 10)

        rows: list[ChartRow] = []
        spent = 0
        y = g.pad
        line: MoneyLine | None = None
        for i, p in enumerate(projects):
            if i == line_after:
                line = replace(self._money_line(results, i, y + gap / 2), two_lines=two_lines)
                y += gap
            row = QRectF(g.pad, y, self.width() - 2 * g.pad, g.row_h)
            share = float(p.total / top_total) if top_total else 0.0  # bar length only: never money
            bar_top = y + g.row_h * 0.1 + title_h + g.row_h * 0.04
            bar = QRectF(bar_x, bar_top, max(bar_room * share, 4.0), bar_h)
            if p.funded:
                spent += p.amount_pence
            status = w.inline(w.all(N_("Funded") if p.funded else N_("Passed over")
                                    if line_after is not None and i < line_after else N_("Not funded")))
            title = w.inline([p.title_cy, p.title]) if w.welsh and getattr(p, "title_cy", "") else p.title
            rows.append(ChartRow(p.rank, p.reference, title, p.amount_pence, totals[i], p.funded,
                                 spent if p.funded else None, status, row, bar, p.reference in tied))
            y += g.row_h
        if line_after == len(projects):
            line = replace(self._money_line(results, line_after, y + gap / 2), two_lines=two_lines)
        return rows, line

    @staticmethod
    def _money_label_size(line: MoneyLine, g: _Geometry, two_lines: bool) -> tuple[float, float]:
        fm_title, fm_small = QFontMetricsF(g.title_font), QFontMetricsF(g.small_font)
        labels = line.label.split("\n")
        details = line.detail.split("\n") if line.detail else []
        label_w = max(fm_title.horizontalAdvance(text) for text in labels)
        detail_w = max((fm_small.horizontalAdvance(text) for text in details), default=0.0)
        if two_lines:  # each line of the label (Welsh, English) above each line of the detail
            return (max(label_w, detail_w) + 48,
                    len(labels) * fm_title.lineSpacing() + len(details) * fm_small.lineSpacing() + 16)
        return label_w + (detail_w + 28 if line.detail else 0) + 36, fm_title.height() * 1.35

    def money_label_rect(self) -> QRectF | None:
        """Where the money line's label is drawn (for tests: it must fit the chart)."""
        line = self.money_line()
        if line is None:
            return None
        g = self._geometry()
        width, height = self._money_label_size(line, g, line.two_lines)
        return QRectF(g.pad + g.rank_w - 18, line.y - height / 2, width, height)

    @staticmethod
    def _money_line(results: EventResults, after: int, y: float) -> MoneyLine:
        """The line after the last funded project (``after`` rows above it): what is left, and why it buys
        nothing more — the next project below the line, or the cheapest one passed over, costs more."""
        w = _words(results)
        pot = w.money(results.budget_pence)
        left = results.left_pence
        money = w.money(left)
        if after == len(results.projects) and all(p.funded for p in results.projects):
            return MoneyLine(after, y, w.lines(w.all(N_("Every project fits in the {pot} pot"), pot=pot)),
                             w.lines(w.all(N_("{left} left over"), left=money)) if left else "")
        runs_out = w.lines(w.all(N_("{pot} pot runs out here"), pot=pot))
        if not left:
            return MoneyLine(after, y, runs_out, w.lines(w.all(N_("every penny spent"))))
        below = results.projects[after:]
        unfunded = [p for p in results.projects if not p.funded]
        if below and below[0].amount_pence > left:
            detail = w.all(N_("{left} left — not enough for the next project ({cost})"), left=money,
                           cost=w.money(below[0].amount_pence))
        elif unfunded and min(p.amount_pence for p in unfunded) > left:
            cheapest = min(p.amount_pence for p in unfunded)
            detail = w.all(N_("{left} left — not enough for any other project (the cheapest, {cost})"), left=money,
                           cost=w.money(cheapest))
        else:  # a rule that shares the pot by voters' budgets can leave money that would buy another
            detail = w.all(N_("{left} left, not spent by the rule"), left=money)
        return MoneyLine(after, y, runs_out, w.lines(detail))

    def _tie_width(self, g: _Geometry) -> float:
        fm = QFontMetricsF(g.small_font)
        return fm.horizontalAdvance(self._tie_mark()) + fm.height()

    def _tie_mark(self) -> str:
        return self.words.inline(self.words.all(N_("Tie")))

    # --- painting ---------------------------------------------------------------------------------
    def paintEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), BACKGROUND)
        results = self.results
        if results is None:
            painter.end()
            return
        rows, line = self._layout()
        g = self._geometry()
        fm_title, fm_small = QFontMetricsF(g.title_font), QFontMetricsF(g.small_font)
        for r in rows:
            self._paint_row(painter, r, g, fm_title, fm_small)
        if line is not None:
            self._paint_money_line(painter, line, g)
        if not results.tally.accepted:
            painter.setFont(g.title_font)
            painter.setPen(MUTED_INK)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                             self.words.lines(self.words.all(N_("Waiting for the first ballot"))))
        painter.end()

    def _paint_row(self, painter: QPainter, r: ChartRow, g: _Geometry, fm_title: QFontMetricsF,
                   fm_small: QFontMetricsF) -> None:
        if r.funded:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(FUNDED_SOFT)
            painter.drawRoundedRect(r.row.adjusted(-6, 3, 6, -3), 10, 10)
        top = r.row.top() + g.row_h * 0.1
        baseline = top + fm_title.ascent()
        # rank, title and amount on the first line
        painter.setFont(g.small_font)
        painter.setPen(MUTED_INK)
        rank = str(r.rank)
        painter.drawText(QPointF(r.row.left() + g.rank_w - 14 - fm_small.horizontalAdvance(rank), baseline), rank)
        amount = self.words.money(r.amount_pence)
        text_x = r.row.left() + g.rank_w
        room = r.row.right() - g.badge_w - 24 - text_x - fm_small.horizontalAdvance(amount) - 20
        painter.setFont(g.title_font)
        painter.setPen(INK)
        title = fm_title.elidedText(r.title, Qt.TextElideMode.ElideRight, room)
        painter.drawText(QPointF(text_x, baseline), title)
        painter.setFont(g.small_font)
        painter.setPen(AMOUNT_INK)
        painter.drawText(QPointF(text_x + fm_title.horizontalAdvance(title) + 20, baseline), amount)
        # the bar, and the total at its end
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(FUNDED if r.funded else NOT_FUNDED)
        painter.drawRoundedRect(r.bar, 5, 5)
        painter.setFont(g.title_font)
        painter.setPen(INK)
        painter.drawText(QRectF(r.bar.right() + 14, r.bar.top() - 20, 10_000, r.bar.height() + 40),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, r.total_text)
        if r.tie:
            h = fm_small.height() * 1.25
            pill = QRectF(r.bar.right() + 14 + fm_title.horizontalAdvance(r.total_text) + 12,
                          r.bar.center().y() - h / 2, self._tie_width(g), h)
            painter.setPen(QPen(TIE, 2))
            painter.setBrush(TIE_SOFT)
            painter.drawRoundedRect(pill, h / 2, h / 2)
            painter.setFont(g.small_font)
            painter.setPen(TIE)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, self._tie_mark())
        # the badge
        right = r.row.right() - 10
        mid = r.row.center().y()
        if r.funded:
            tick = fm_title.height() * 0.62
            badge_h = fm_title.height() * 1.3
            funded = self.words.inline(self.words.all(N_("Funded")))
            width = fm_title.horizontalAdvance(funded) + tick + 44
            badge = QRectF(right - width, mid - badge_h * 0.75, width, badge_h)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(FUNDED)
            painter.drawRoundedRect(badge, badge_h / 2, badge_h / 2)
            self._tick(painter, QRectF(badge.left() + 16, badge.center().y() - tick / 2, tick, tick))
            painter.setFont(g.title_font)
            painter.setPen(QColor("white"))
            painter.drawText(QRectF(badge.left() + 16 + tick + 10, badge.top(), width, badge.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, funded)
            painter.setFont(g.small_font)
            painter.setPen(MUTED_INK)
            so_far = self.words.inline(self.words.all(N_("{money} so far"),
                                                      money=self.words.money(r.spent_so_far_pence or 0)))
            painter.drawText(QRectF(right - 10_000, badge.bottom() + 2, 10_000, fm_small.height()),
                             Qt.AlignmentFlag.AlignRight, so_far)
        else:
            painter.setFont(g.small_font)
            painter.setPen(MUTED_INK)
            painter.drawText(QRectF(right - 10_000, r.row.top(), 10_000, r.row.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, r.status)

    @staticmethod
    def _tick(painter: QPainter, box: QRectF) -> None:
        path = QPainterPath(QPointF(box.left() + box.width() * 0.05, box.top() + box.height() * 0.55))
        path.lineTo(box.left() + box.width() * 0.38, box.top() + box.height() * 0.88)
        path.lineTo(box.left() + box.width() * 0.95, box.top() + box.height() * 0.12)
        pen = QPen(QColor("white"), max(2.5, box.height() * 0.17))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)

    def _paint_money_line(self, painter: QPainter, line: MoneyLine, g: _Geometry) -> None:
        painter.setPen(QPen(MONEY_LINE, 3, Qt.PenStyle.DashLine))
        painter.drawLine(QPointF(g.pad - 6, line.y), QPointF(self.width() - g.pad + 6, line.y))
        fm_title = QFontMetricsF(g.title_font)
        label = self.money_label_rect() or QRectF()
        height = label.height()
        painter.setPen(QPen(MONEY_LINE, 2))
        painter.setBrush(QColor("#fffbeb"))
        radius = height / 2 if not line.two_lines else 18
        painter.drawRoundedRect(label, radius, radius)
        text_rect = label.adjusted(18, 0, -18, 0)
        label_lines = line.label.count("\n") + 1
        top = text_rect.adjusted(6, 8, 0, 0)
        top.setHeight(fm_title.lineSpacing() * label_lines)
        painter.setFont(g.title_font)
        painter.setPen(MONEY_LINE.darker(125))
        painter.drawText(top if line.two_lines else text_rect,
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line.label)
        if line.detail:
            painter.setFont(g.small_font)
            painter.setPen(INK)
            if line.two_lines:
                painter.drawText(text_rect.adjusted(6, 8 + fm_title.lineSpacing() * label_lines, 0, -8),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line.detail)
            else:
                painter.drawText(text_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, line.detail)


def results_ties(results: EventResults) -> list[Tie]:
    """The ties in the ranking, with the event's tie-break that ordered them."""
    event = results.event
    return find_ties(results.projects, event.tie_break, event.tie_break_seed) if results.tally.accepted else []


def _tie_note(tie: Tie, results: EventResults, words: ResidentsWords, n: int) -> str:
    """One tie in the ``n``-th language of ``words``: "Tie on 83 votes: A and B — ranked by lower cost first."."""
    event = results.event
    voice = words.voices[n]
    total = _total_texts(tie.total, event.ballot_kind, words)[n]
    names = voice.names([_title_in(results, ref, voice, title) for ref, title in zip(tie.references, tie.titles,
                                                                                    strict=True)])
    seed = event.tie_break_seed
    used = [c for c in event.tie_break
            if c in CRITERIA and CRITERIA[c] + (f" (seed {seed})" if c == "lot" and seed else "") in tie.broken_by]
    how = ""
    for criterion in used:
        words = voice._(TIE_BREAK_WORDS[criterion]).format(seed=seed)
        if criterion == "lot" and not seed:
            words = voice._(N_("a drawn lot"))
        how = voice._("{first} then {second}").format(first=how, second=words) if how else words
    text = (voice._("Tie on {total}: {names} — ranked by {how}.").format(total=total, names=names, how=how) if how
            else voice._("Tie on {total}: {names}.").format(total=total, names=names))
    if tie.at_edge:
        text += " " + voice._("The pot runs out within this tie.")
    return text


def _title_in(results: EventResults, reference: str, voice: Voice, title: str) -> str:
    project = next((p for p in results.projects if p.reference == reference), None)
    title_in = getattr(project, "title_in", None)
    return title_in(voice.language) if title_in else title


def tie_notes(results: EventResults) -> list[str]:
    """Each tie in words: "Tie on 83 votes: A and B — ranked by lower cost first." (the funding edge first);
    Welsh then English for a Welsh-Standards fund."""
    ties = sorted(results_ties(results), key=lambda t: not t.at_edge)
    words = _words(results)
    return [words.lines([_tie_note(t, results, words, n) for n in range(len(words.voices))]) for t in ties]


def describe_results(results: EventResults) -> str:
    """The result in words, for screen readers: what is funded, what is not, and the money (Welsh then
    English for a Welsh-Standards fund)."""
    words = _words(results)
    return "\n".join(_describe(results, words, n) for n in range(len(words.voices)))


def _describe(results: EventResults, words: ResidentsWords, n: int) -> str:
    kind = results.event.ballot_kind
    v = words.voices[n]
    if not results.tally.accepted:
        return v._("No ballots counted yet.")
    funded = [p for p in results.projects if p.funded]
    others = [p for p in results.projects if not p.funded]

    def item(p: Any) -> str:
        return v._("{title} ({amount}, {total})").format(title=_title_in(results, p.reference, v, p.title),
                                                         amount=v.money(p.amount_pence),
                                                         total=_total_texts(p.total, kind, words)[n])

    listed = "; ".join(item(p) for p in funded)
    parts = [v.ngettext("{n} project funded: {projects}.", "{n} projects funded: {projects}.", len(funded)).format(
        n=number_text(len(funded)), projects=listed) if funded else v._("No project funded.")]
    if others:
        parts.append(v._("Not funded: {projects}.").format(projects="; ".join(item(p) for p in others)))
    parts.append(v._("{funded} of the {pot} pot spent; {left} left.").format(
        funded=v.money(results.funded_pence), pot=v.money(results.budget_pence), left=v.money(results.left_pence)))
    accepted = results.tally.accepted
    parts.append(v.ngettext("{n} ballot counted.", "{n} ballots counted.", accepted).format(n=number_text(accepted)))
    parts.extend(_tie_note(t, results, words, n) for t in sorted(results_ties(results), key=lambda t: not t.at_edge))
    return " ".join(parts)


class ResultsView(QWidget):
    """The projector's results screen for one voting event."""

    refreshed = Signal()  # a count arrived and is shown (or the hidden screen updated)
    revealed = Signal()

    def __init__(self, db: Any, runner: TaskRunner, event_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.runner, self.event_id = db, runner, event_id
        self.results: EventResults | None = None
        self._loading = False
        self._started = False
        self._revealing = False
        self._again = False  # a change came in while a count was running: count once more after it
        self.setObjectName("resultsView")
        self.setAccessibleName(self.tr("Vote results"))
        self.words = ResidentsWords()
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(self.backgroundRole(), BACKGROUND)
        self.setPalette(pal)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self._build()
        self._build_actions()
        # A ballot cast or keyed, results revealed, voting closed, a title changed: count again now.
        follow_changes(self, {Kind.EVENTS, Kind.APPLICATIONS}, self._changed_elsewhere)

    # --- construction ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.title_label = QLabel(self.tr("Loading the results…"))
        self.title_label.setObjectName("resultsTitle")
        self.title_label.setWordWrap(True)
        self.title_label.setAccessibleName(self.tr("Event"))
        self.counted_label = QLabel()
        self.counted_label.setObjectName("ballotsCounted")
        self.counted_label.setAccessibleName(self.tr("Ballots counted"))
        self.money_label = QLabel()
        self.money_label.setObjectName("fundedAgainstBudget")
        self.money_label.setAccessibleName(self.tr("Money funded against the pot"))
        self.money_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.updated_label = QLabel()
        self.updated_label.setObjectName("updatedAt")
        self.updated_label.setAccessibleName(self.tr("Last counted"))
        self.updated_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setAccessibleName(self.tr("Notice"))
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("padding: 6px; background: #fef2f2; color: #991b1b;")
        self.notice.hide()

        header = QWidget()
        header.setObjectName("resultsHeader")
        grid = QHBoxLayout(header)
        grid.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.setSpacing(2)
        left.addWidget(self.title_label)
        left.addWidget(self.counted_label)
        right = QVBoxLayout()
        right.setSpacing(2)
        right.addWidget(self.money_label)
        right.addWidget(self.updated_label)
        grid.addLayout(left, 3)
        grid.addLayout(right, 2)

        self.chart = ResultsChart()
        chart_scroll = QScrollArea()
        chart_scroll.setObjectName("chartScroll")
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        chart_scroll.setWidget(self.chart)
        chart_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.tie_note = QLabel()
        self.tie_note.setObjectName("tieNote")
        self.tie_note.setAccessibleName(self.tr("Ties"))
        self.tie_note.setWordWrap(True)
        self.tie_note.hide()

        self.hidden_title = QLabel(self.tr("Results are shown when an officer reveals them"))
        self.hidden_title.setObjectName("hiddenTitle")
        self.hidden_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hidden_title.setWordWrap(True)
        self.hidden_count = QLabel()
        self.hidden_count.setObjectName("ballotsIn")
        self.hidden_count.setAccessibleName(self.tr("Ballots in so far"))
        self.hidden_count.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reveal_button = QPushButton(self.tr("Reveal results"))
        self.reveal_button.setObjectName("revealButton")
        self.reveal_button.setAccessibleName(self.tr("Reveal results"))
        self.reveal_button.setToolTip(self.tr("Show the totals and the funded projects on this screen (Ctrl+R)"))
        self.reveal_button.clicked.connect(self.reveal)
        hidden = QWidget()
        hidden.setObjectName("hiddenResults")
        hl = QVBoxLayout(hidden)
        hl.addStretch(2)
        hl.addWidget(self.hidden_title)
        hl.addSpacing(12)
        hl.addWidget(self.hidden_count)
        hl.addSpacing(24)
        hl.addWidget(self.reveal_button, 0, Qt.AlignmentFlag.AlignHCenter)
        hl.addStretch(3)

        self.stack = QStackedWidget()
        self.stack.addWidget(chart_scroll)
        self.stack.addWidget(hidden)

        self.explain_toggle = QToolButton()
        self.explain_toggle.setObjectName("explainToggle")
        self.explain_toggle.setText(self.tr("How the result was worked out"))
        self.explain_toggle.setAccessibleName(self.tr("Show how the result was worked out"))
        self.explain_toggle.setToolTip(self.tr("The voting engine's explanation, step by step, for officers (Ctrl+E)"))
        self.explain_toggle.setCheckable(True)
        self.explain_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.explain_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.explain_toggle.setAutoRaise(True)
        self.explain_toggle.toggled.connect(self._show_explanation)
        self.explanation = QTextBrowser()
        self.explanation.setObjectName("explanation")
        self.explanation.setAccessibleName(self.tr("Explanation of the result"))
        self.explanation.setOpenLinks(False)
        self.explanation.hide()

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.explanation)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 8)
        outer.setSpacing(8)
        outer.addWidget(header)
        outer.addWidget(self.notice)
        outer.addWidget(self.splitter, 1)
        outer.addWidget(self.tie_note)
        outer.addWidget(self.explain_toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self._apply_type_scale()
        self._show_hidden(False)
        self.explain_toggle.setEnabled(False)

    def _build_actions(self) -> None:
        self.reveal_action = QAction(self.tr("Reveal results"), self)
        self.reveal_action.setShortcut(QKeySequence("Ctrl+R"))
        self.reveal_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.reveal_action.triggered.connect(self.reveal)
        self.reveal_action.setEnabled(False)
        self.addAction(self.reveal_action)
        self.explain_action = QAction(self.tr("How the result was worked out"), self)
        self.explain_action.setShortcut(QKeySequence("Ctrl+E"))
        self.explain_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.explain_action.triggered.connect(self.explain_toggle.toggle)
        self.addAction(self.explain_action)
        self.refresh_action = QAction(self.tr("Count again now"), self)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh_action.triggered.connect(self.refresh)
        self.addAction(self.refresh_action)

    def _apply_type_scale(self) -> None:
        """Type in proportion to the screen: readable from the back of a hall at 720p and 1080p."""
        base = max(14, round(self.height() / 40)) if self.height() > 0 else 18

        def size(widget: QWidget, factor: float, bold: bool = False) -> None:
            font = QFont(self.font())
            font.setPixelSize(round(base * factor))
            font.setBold(bold)
            widget.setFont(font)

        size(self.title_label, 1.7, True)
        size(self.counted_label, 1.05)
        size(self.money_label, 1.25, True)
        size(self.updated_label, 0.8)
        size(self.hidden_title, 2.0, True)
        size(self.hidden_count, 1.4)
        size(self.reveal_button, 1.0, True)
        size(self.explain_toggle, 0.8)
        size(self.tie_note, 0.9)
        size(self.explanation, 0.85)
        self.chart.update()
        self.counted_label.setStyleSheet("color: #374151;")
        self.updated_label.setStyleSheet("color: #6b7280;")
        self.money_label.setStyleSheet("color: #15803d;")
        self.hidden_count.setStyleSheet("color: #374151;")
        self.tie_note.setStyleSheet("color: #5b21b6;")
        self.reveal_button.setMinimumHeight(round(base * 2.2))
        self.reveal_button.setMinimumWidth(round(base * 12))

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._apply_type_scale()

    # --- live counting ---------------------------------------------------------------------------
    @property
    def interval(self) -> int:
        """How often the view counts again while shown, in milliseconds."""
        return self.timer.interval()

    @interval.setter
    def interval(self, ms: int) -> None:
        self.timer.setInterval(ms)

    @property
    def refreshing(self) -> bool:
        return self._loading

    def start(self) -> None:
        """Count now, then again every ``interval`` while the view is shown."""
        self._started = True
        self.refresh()
        if self.isVisible():
            self.timer.start()

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self._started and not self.timer.isActive():
            self.timer.start()
            self.refresh()

    def hideEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().hideEvent(event)
        self.timer.stop()

    def refresh(self) -> None:
        """Count again in the background; does nothing while a count is already running."""
        if self._loading:
            return
        self._loading = True
        self._again = False
        event_id = self.event_id

        def work(db: Any) -> Any:
            from grantdesk.services.events import event_screen

            return event_screen(db, event_id)  # only the ballots-in count while results are hidden

        Query(self, work).success(self._on_results).failure(self._on_error).finally_(self._counted).run()

    def _changed_elsewhere(self, _changes: Any) -> None:
        """Another window changed the vote (a ballot cast, a sheet keyed): count again now, or as soon
        as the count running now is in, so that change is not missed."""
        if not self._started:
            return
        if self._loading:
            self._again = True
        else:
            self.refresh()

    def _counted(self) -> None:
        self._loading = False
        if self._again:
            self.refresh()

    def _on_results(self, results: Any) -> None:
        self._loading = False
        self.notice.hide()
        self.show_results(results)
        self.refreshed.emit()

    def _on_error(self, exc: BaseException) -> None:
        self._loading = False
        self.show_refusal(self.tr("Could not count the ballots: {reason}").format(reason=refusal_text(exc)))
        self.refreshed.emit()

    def show_refusal(self, text: str) -> None:
        """A refusal from the core, in the notice above the chart."""
        self.notice.setText(text)
        self.notice.show()

    # --- showing --------------------------------------------------------------------------------
    @property
    def hidden(self) -> bool:
        """Whether the totals are held back until an officer reveals them."""
        event = self.results.event if self.results is not None else None
        return bool(event is not None and event.hide_results and not event.revealed)

    def show_results(self, results: Any) -> None:
        """Show ``EventResults``, or a ``HiddenCount`` (ballots in, no totals) while results are hidden."""
        self.results = results
        event = results.event
        self.words = w = _words(results)
        self.title_label.setText(event.name)
        state = (N_("Confirmed") if event.confirmed else N_("Voting closed") if event.closed else N_("Live"))
        time = f"{datetime.now():%H:%M:%S}"
        self.updated_label.setText(w.inline([v._("{state} · counted at {time}").format(state=v._(state), time=time)
                                             for v in w.voices]))
        self.tie_note.hide()
        if self.hidden:
            self._show_hidden(True)
            self.hidden_title.setText(w.lines(w.all(
                N_("Voting has closed. Results are shown when an officer reveals them.") if event.closed
                else N_("Results are shown when an officer reveals them"))))
            if hasattr(results, "tally"):  # a full count handed in directly
                cast, kiosk, paper = results.tally.cast, results.kiosk.cast, results.paper.cast
            else:
                cast, kiosk, paper = results.cast, results.kiosk, results.paper
            ballots_in = w.ngettext("{n} ballot in so far ({kiosk} at the kiosk, {paper} on paper)",
                                    "{n} ballots in so far ({kiosk} at the kiosk, {paper} on paper)", cast,
                                    kiosk=number_text(kiosk), paper=number_text(paper))
            self.hidden_count.setText(w.lines(ballots_in))
            self.counted_label.setText("")
            self.money_label.setText(w.lines(w.all(N_("{budget} to share"), budget=w.money(results.budget_pence))))
            self.chart.set_results(None)
            self.chart.setAccessibleDescription(w.lines([
                v._("The results are hidden until an officer reveals them. {ballots_in}.").format(ballots_in=text)
                for v, text in zip(w.voices, ballots_in, strict=True)]))
            self.explanation.clear()
            return
        self._show_hidden(False)
        tally = results.tally
        counts = {"kiosk": number_text(results.kiosk.accepted), "paper": number_text(results.paper.accepted)}
        if tally.spoilt_count:
            counted = w.ngettext("{n} ballot counted ({kiosk} kiosk, {paper} paper) · {spoilt} spoilt",
                                 "{n} ballots counted ({kiosk} kiosk, {paper} paper) · {spoilt} spoilt",
                                 tally.accepted, spoilt=number_text(tally.spoilt_count), **counts)
        else:
            counted = w.ngettext("{n} ballot counted ({kiosk} kiosk, {paper} paper)",
                                 "{n} ballots counted ({kiosk} kiosk, {paper} paper)", tally.accepted, **counts)
        self.counted_label.setText(w.lines(counted))
        self.money_label.setText(w.lines(w.all(N_("{funded} funded of the {pot} pot"),
                                               funded=w.money(results.funded_pence),
                                               pot=w.money(results.budget_pence))))
        self.chart.set_results(results)
        notes = tie_notes(results)
        self.tie_note.setText(" ".join(notes))
        self.tie_note.setVisible(bool(notes))
        self.explanation.setHtml(_explanation_html(results))

    def _show_hidden(self, hidden: bool) -> None:
        self.stack.setCurrentIndex(1 if hidden else 0)
        self.counted_label.setVisible(not hidden)  # the count is in the middle of the screen instead
        self.reveal_button.setVisible(hidden)
        if hasattr(self, "reveal_action"):
            self.reveal_action.setEnabled(hidden)
        self.explain_toggle.setEnabled(not hidden and self.results is not None)
        if hidden:
            self.explain_toggle.setChecked(False)

    def _show_explanation(self, shown: bool) -> None:
        shown = shown and not self.hidden
        self.explanation.setVisible(shown)
        self.explain_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.explain_toggle.setAccessibleName(self.tr("Hide how the result was worked out") if shown
                                              else self.tr("Show how the result was worked out"))
        if shown:
            total = self.splitter.height()
            self.splitter.setSizes([int(total * 0.62), int(total * 0.38)])

    # --- revealing -----------------------------------------------------------------------------
    def ask_reveal(self) -> bool:
        """Ask the officer before the totals go up on the screen (tests replace this)."""
        answer = QMessageBox.question(
            self, self.tr("Reveal the results?"),
            self.tr("Show the totals and the funded projects on this screen now? Everyone watching will see them, "
                    "and they stay shown from now on."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def reveal(self) -> None:
        if not self.hidden or self._revealing or not self.ask_reveal():
            return
        self._revealing = True
        self.reveal_button.setEnabled(False)
        event_id = self.event_id

        def work(db: Any) -> None:
            from grantdesk.services.events import reveal_results

            reveal_results(db, event_id)

        Op(self, work).success(self._on_revealed).failure(self._on_reveal_failed).run()

    def _on_revealed(self, _none: None) -> None:
        self._revealing = False
        self.reveal_button.setEnabled(True)
        self.revealed.emit()
        self.refresh()

    def _on_reveal_failed(self, exc: BaseException) -> None:
        self._revealing = False
        self.reveal_button.setEnabled(True)
        self.show_refusal(refusal_text(exc))


def _explanation_html(results: EventResults) -> str:
    from html import escape

    from PySide6.QtCore import QCoreApplication

    def tr(text: str) -> str:
        return QCoreApplication.translate("ResultsView", text)

    steps = "".join(f"<li style='margin-bottom:6px'>{escape(s.text)}</li>" for s in results.allocation.explanation)
    method = escape(results.method)
    nothing = escape(tr("Nothing to explain yet: no ballot has been counted."))
    heading = escape(tr("How the vote is counted."))
    body = f"<ol>{steps}</ol>" if steps else f"<p>{nothing}</p>"
    return f"<p><b>{heading}</b> {method}</p>{body}"
