"""A business model's roadmap as an inline SVG timeline, drawn without any script.

One row per milestone: the period its date names as a faint band (a quarter is a quarter wide),
a diamond where it is due (or was done), the colour of its status, and a line for today. The
SVG scales to the page width; the label column keeps a fixed share so the text stays legible,
and on a narrow screen the figure scrolls sideways instead of shrinking.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import date, timedelta

from ..index import Entry
from ..model import Period, Status
from ..render.mermaid import Marker
from .arrows import Overlay, draw

WIDTH = 960
LABEL = 320
ROW = 26
TOP = 46
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


def _label(entry: Entry) -> str:
    m = entry.milestone
    period = _period(entry)
    title = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", m.title) or "untitled"
    if period is not None and period.precision != "day":
        return f"{title} ({period.text})"
    return title


def timeline(
    title: str,
    markers: Sequence[Marker],
    today: date,
    ident: str = "t",
    overlay: Overlay | None = None,
) -> str:
    """The SVG markup (safe: every text is escaped); empty when nothing is dated. ``overlay``:
    dependency arrows, the critical chain and progress (:mod:`.arrows`)."""
    if not markers:
        return ""
    periods = [(m, _period(m.entry)) for m in markers]
    days = [m.day for m in markers] + [p.start for _, p in periods if p] + [today]
    first = min(days).replace(day=1)
    last = max(days) + timedelta(days=31)
    span = max(1, (last - first).days)
    plot = WIDTH - LABEL - 20

    def x(day: date) -> float:
        return round(LABEL + (day - first).days / span * plot, 1)

    height = TOP + ROW * len(markers) + 20
    out = [
        f'<svg class="mp-timeline" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="mp-timeline-{ident}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="mp-timeline-{ident}">{html.escape(title)}</title>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" class="mp-bg"/>',
    ]
    out.append(
        f'<line x1="{LABEL - 6}" y1="{TOP - 8}" x2="{LABEL - 6}" y2="{height - 12}" '
        'class="mp-axis"/>'
    )
    for day, label in _ticks(first, last):
        if x(day) > WIDTH - 40:
            continue
        out.append(
            f'<line x1="{x(day)}" y1="{TOP - 8}" x2="{x(day)}" y2="{height - 12}" class="mp-grid"/>'
        )
        out.append(
            f'<text x="{x(day) + 3}" y="{TOP - 14}" class="mp-tick">{html.escape(label)}</text>'
        )
    places: dict[str, tuple[float, float]] = {}
    for row, (marker, period) in enumerate(periods):
        y = TOP + row * ROW + ROW / 2
        entry = marker.entry
        colour = COLOURS[entry.status]
        label = _label(entry)
        out.append(
            f'<g class="mp-row" data-status="{entry.status}"><title>{html.escape(label)} — '
            f"{LABELS[entry.status]}</title>"
        )
        out.append(f'<text x="8" y="{y + 5}" class="mp-label">{html.escape(_clip(label))}</text>')
        if period is not None and period.start != period.end:
            left, right = x(period.start), x(period.end)
            out.append(
                f'<rect x="{left}" y="{y - 7}" width="{max(2.0, round(right - left, 1))}" '
                'height="14" '
                f'rx="3" fill="{colour}" opacity="0.18"/>'
            )
        cx = x(marker.day)
        places[entry.id] = (cx, y)
        out.append(
            f'<polygon points="{cx},{y - 8} {cx + 8},{y} {cx},{y + 8} {cx - 8},{y}" '
            f'fill="{colour}"/>'
        )
        out.append("</g>")
    if overlay is not None:
        out.extend(draw(overlay, places, ident))
    tx = x(today)
    out.append(f'<line x1="{tx}" y1="{TOP - 8}" x2="{tx}" y2="{height - 12}" class="mp-today"/>')
    out.append(
        f'<text x="{tx + 3}" y="{height - 2}" class="mp-today-label">'
        f"today {today.isoformat()}</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def _clip(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
