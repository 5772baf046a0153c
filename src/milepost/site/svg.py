"""A business model's roadmap as an inline SVG timeline, drawn without any script.

One row per milestone: the period its date names as a faint band (a quarter is a quarter wide),
a diamond where it is due (or was done), the colour of its status, and a line for today. Each
row's label wraps onto as many lines as it needs, and every mark carries the milestone's full
title and dates as its tooltip (``<title>``).

The axis is focused on what is still to do: it starts about a year before today, or at the
earliest open milestone when that is earlier, and ends at the last date drawn. Milestones done
before the axis starts are gathered in a narrow "earlier" column at its left edge, and the time
before today takes at most a quarter of the width, so one old milestone cannot squeeze every
planned one into a corner.

Every piece of text and every attribute value is escaped here (:func:`markupsafe.escape`); the
result is :class:`markupsafe.Markup`, so templates insert it without marking anything safe.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup

from ..index import Entry
from ..model import Period, Status
from ..render.mermaid import Marker
from ..render.wording import show_period
from .arrows import Overlay, draw

WIDTH = 960
LABEL = 320
EARLIER = 48
"""Width of the column that gathers milestones done before the axis starts."""
ROW = 26
LINE = 16
TOP = 46
WRAP = 34
"""Characters per line of a label (14 px text in the label column)."""
TICK_GAP = 64
"""The least distance between two labelled ticks."""
PAST_SHARE = 1 / 4
"""The most of the axis's width the time before today takes."""
COLOURS: dict[Status, str] = {
    "overdue": "#d1453b",
    "in_progress": "#d08a1f",
    "planned": "#3b73c7",
    "achieved": "#2e8b57",
    "cancelled": "#888888",
}
LABELS: dict[Status, str] = {
    "overdue": "overdue",
    "in_progress": "in progress",
    "planned": "planned",
    "achieved": "achieved",
    "cancelled": "cancelled",
}
_OPEN = ("overdue", "in_progress", "planned")


def _period(entry: Entry) -> Period | None:
    m = entry.milestone
    return m.done if entry.status == "achieved" and m.done is not None else m.due


def _ticks(first: date, last: date) -> list[tuple[date, str]]:
    months = (last.year - first.year) * 12 + last.month - first.month
    step = 1 if months <= 14 else 3 if months <= 40 else 12
    ticks = []
    year, month = first.year, first.month
    if step == 3:
        month = (month - 1) // 3 * 3 + 1
    if step == 12:
        month = 1
    while date(year, month, 1) <= last:
        day = date(year, month, 1)
        if day >= first:
            label = (
                str(year)
                if step == 12
                else day.strftime("%b %Y")
                if month == 1 or step == 1
                else day.strftime("%b")
            )
            if step == 3:
                label = f"Q{(month - 1) // 3 + 1} {year}"
            ticks.append((day, label))
        month += step
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return ticks


def _title(entry: Entry) -> str:
    title = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", entry.milestone.title)
    return " ".join(title.split()) or "untitled"


def _label(entry: Entry) -> str:
    period = _period(entry)
    title = _title(entry)
    if period is not None and period.precision != "day":
        return f"{title} ({period.text})"
    return title


def tooltip(entry: Entry) -> str:
    """A mark's hover text: the full title, its status and every date it has."""
    m = entry.milestone
    dates = [
        f"{label} {show_period(p)}"
        for label, p in (("start", m.start), ("due", m.due), ("done", m.done))
        if p is not None
    ]
    return " — ".join([_title(entry), LABELS[entry.status], *(["; ".join(dates)] if dates else [])])


def ident_for(key: str) -> str:
    """An id made of letters, digits and dashes only, distinct for distinct keys."""
    word = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:40]
    return f"{word or 'm'}-{hashlib.sha1(key.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def axis(markers: Sequence[Marker], today: date) -> tuple[date, date]:
    """The first and last day of the axis (see the module's docstring)."""
    open_days = [
        p.start if (p := _period(m.entry)) is not None else m.day
        for m in markers
        if m.entry.status in _OPEN
    ]
    first = min([today - timedelta(days=365), *open_days]).replace(day=1)
    shown = [m.day for m in markers if m.day >= first]
    last = max([*shown, today]) + timedelta(days=12)
    return first, last


class Scale:
    """Day -> x: piecewise linear, before and after today, the past at most PAST_SHARE wide."""

    def __init__(self, first: date, last: date, today: date, left: float, right: float) -> None:
        self.first, self.last, self.today = first, last, today
        self.left, self.right = left, right
        past, future = max(0, (today - first).days), max(1, (last - today).days)
        share = min(PAST_SHARE, past / (past + future))
        self.middle = left + (right - left) * share

    def __call__(self, day: date) -> float:
        day = min(max(day, self.first), self.last)
        if day <= self.today:
            span = max(1, (self.today - self.first).days)
            return round(self.left + (day - self.first).days / span * (self.middle - self.left), 1)
        span = max(1, (self.last - self.today).days)
        return round(self.middle + (day - self.today).days / span * (self.right - self.middle), 1)


def timeline(
    title: str,
    markers: Sequence[Marker],
    today: date,
    ident: str = "t",
    overlay: Overlay | None = None,
) -> Markup:
    """The SVG markup (every text and attribute escaped); empty when nothing is dated.
    ``overlay``: dependency arrows, the critical chain and progress (:mod:`.arrows`)."""
    if not markers:
        return Markup("")
    first, last = axis(markers, today)
    earlier = any(m.day < first for m in markers)
    left = LABEL + (EARLIER if earlier else 0)
    x = Scale(first, last, today, left, WIDTH - 20)
    labels = [textwrap.wrap(_label(m.entry), WRAP) or ["untitled"] for m in markers]
    heights = [max(ROW, LINE * len(lines) + 10) for lines in labels]
    height = TOP + sum(heights) + 20
    name = f"mp-timeline-{ident_for(ident)}"
    out = [
        Markup(
            '<svg class="mp-timeline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
            'role="img" aria-labelledby="{id}" xmlns="http://www.w3.org/2000/svg">'
        ).format(w=WIDTH, h=height, id=name),
        Markup('<title id="{}">{}</title>').format(name, title),
        Markup('<rect x="0" y="0" width="{}" height="{}" class="mp-bg"/>').format(WIDTH, height),
        _line(LABEL - 6, TOP - 8, LABEL - 6, height - 12, "mp-axis"),
    ]
    if earlier:
        out.append(_line(left - 4, TOP - 8, left - 4, height - 12, "mp-grid"))
        out.append(
            Markup('<text x="{}" y="{}" class="mp-tick">earlier</text>').format(LABEL, TOP - 14)
        )
    kept: list[tuple[date, str]] = []
    for day, label in reversed(_ticks(first, last)):  # from the right: the future wins
        if x(day) > WIDTH - 40 or (kept and x(kept[-1][0]) - x(day) < TICK_GAP):
            continue  # off the edge, or too close to its neighbour (the compressed past)
        kept.append((day, label))
    for day, label in reversed(kept):
        out.append(_line(x(day), TOP - 8, x(day), height - 12, "mp-grid"))
        out.append(
            Markup('<text x="{}" y="{}" class="mp-tick">{}</text>').format(
                x(day) + 3, TOP - 14, label
            )
        )
    top = TOP
    places: dict[str, tuple[float, float]] = {}
    for marker, lines, row in zip(markers, labels, heights, strict=True):
        gathered = left if marker.day < first else None
        out.extend(_row(marker, lines, top, row, x, gathered=gathered))
        cx = gathered - EARLIER / 2 if gathered is not None else x(marker.day)
        places[marker.entry.id] = (cx, top + row / 2)
        top += row
    if overlay is not None:
        out.extend(draw(overlay, places, ident_for(ident)))
    tx = x(today)
    out.append(_line(tx, TOP - 8, tx, height - 12, "mp-today"))
    out.append(
        Markup('<text x="{}" y="{}" class="mp-today-label">today {}</text>').format(
            tx + 3, height - 2, today.isoformat()
        )
    )
    out.append(Markup("</svg>"))
    return Markup("\n").join(out)


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> Markup:
    return Markup('<line x1="{}" y1="{}" x2="{}" y2="{}" class="{}"/>').format(x1, y1, x2, y2, css)


def _row(
    marker: Marker,
    lines: list[str],
    top: float,
    row: float,
    x: Scale,
    *,
    gathered: float | None,
) -> list[Markup]:
    """One milestone's row; ``gathered``: the x of the "earlier" column when it is drawn there."""
    entry = marker.entry
    colour = COLOURS[entry.status]
    hover = tooltip(entry)
    y = top + row / 2
    out = [
        Markup('<g class="mp-row" data-status="{}"><title>{}</title>').format(entry.status, hover)
    ]
    text_top = y - (len(lines) - 1) * LINE / 2 + 5
    spans = Markup(" ").join(
        Markup('<tspan x="8" y="{}">{}</tspan>').format(text_top + n * LINE, line)
        for n, line in enumerate(lines)
    )
    out.append(Markup('<text class="mp-label">{}</text>').format(spans))
    period = _period(entry)
    if gathered is None and period is not None and period.start != period.end:
        start, end = x(period.start), x(period.end)
        out.append(
            Markup(
                '<rect x="{}" y="{}" width="{}" height="14" rx="3" fill="{}" opacity="0.18">'
                "<title>{}</title></rect>"
            ).format(start, y - 7, max(2.0, round(end - start, 1)), colour, hover)
        )
    cx = gathered - EARLIER / 2 if gathered is not None else x(marker.day)
    out.append(
        Markup(
            '<polygon class="mp-mark" points="{},{} {},{} {},{} {},{}" fill="{}">'
            "<title>{}</title></polygon>"
        ).format(cx, y - 8, cx + 8, y, cx, y + 8, cx - 8, y, colour, hover)
    )
    out.append(Markup("</g>"))
    return out
