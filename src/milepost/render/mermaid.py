"""Mermaid gantt roadmaps that Obsidian's bundled Mermaid (10.6 and later) renders.

Mermaid's gantt lexer ends a task title at ``:``, ``#``, ``;`` or a line break, treats ``%`` as a
comment start, and reads a line that begins with a keyword (``gantt``, ``section``, ``click``,
``call``, ``title``...) as that keyword, case-insensitively. Titles are therefore written with
look-alike characters for ``: # ; %`` and always open with a status symbol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ..index import Entry
from ..model import Status

_LOOKALIKE = str.maketrans({":": "∶", "#": "＃", ";": "；", "%": "％", "\n": " ", "\r": " "})
_LOOKALIKE.update({ord("{"): "(", ord("}"): ")", ord("<"): "‹", ord(">"): "›"})
SYMBOL: dict[Status, str] = {
    "overdue": "⚠",
    "in_progress": "▶",
    "planned": "◇",
    "achieved": "✓",
    "cancelled": "✗",
}
_TAGS: dict[Status, str] = {
    "overdue": "crit, milestone",
    "in_progress": "active, milestone",
    "planned": "milestone",
    "achieved": "done, milestone",
    "cancelled": "milestone",
}
_SECTIONS: dict[Status, str] = {
    "overdue": "Overdue",
    "in_progress": "In progress",
    "planned": "Planned",
    "achieved": "Achieved",
    "cancelled": "Cancelled",
}
TITLE_LIMIT = 60


def safe_text(text: str, limit: int = TITLE_LIMIT) -> str:
    """Text that cannot break a gantt line."""
    text = " ".join(text.translate(_LOOKALIKE).replace("[[", "").replace("]]", "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True, slots=True)
class Marker:
    entry: Entry
    day: date
    label: str


def chart_date(entry: Entry) -> date | None:
    """Where a milestone stands on the chart: when it was done, else when it is due."""
    m = entry.milestone
    if entry.status == "achieved" and m.done is not None:
        return m.done.end
    if entry.status == "cancelled":
        return None
    return m.due.end if m.due is not None else None


def pick(entries: Sequence[Entry], limit: int) -> list[Marker]:
    """At most ``limit`` dated milestones: overdue first, then the soonest upcoming, then recent."""
    dated = [(e, d) for e in entries if (d := chart_date(e)) is not None]
    overdue = sorted((x for x in dated if x[0].status == "overdue"), key=lambda x: x[1])
    upcoming = sorted(
        (x for x in dated if x[0].status in ("planned", "in_progress")), key=lambda x: x[1]
    )
    done = sorted((x for x in dated if x[0].status == "achieved"), key=lambda x: x[1], reverse=True)
    chosen = (overdue + upcoming + done)[:limit]
    return [Marker(e, d, _label(e)) for e, d in chosen]


def _label(entry: Entry) -> str:
    m = entry.milestone
    period = m.done if entry.status == "achieved" and m.done is not None else m.due
    when = f"({period.text})" if period is not None and period.precision != "day" else ""
    title = safe_text(m.title or "untitled", TITLE_LIMIT - len(when))
    return " ".join(part for part in (SYMBOL[entry.status], title, safe_text(when, 40)) if part)


def _tick(markers: Sequence[Marker]) -> str:
    first = min(m.day for m in markers)
    last = max(m.day for m in markers)
    months = (last.year - first.year) * 12 + last.month - first.month
    if months <= 18:
        return "1month"
    if months <= 48:
        return "3month"
    return "12month"


def gantt(title: str, markers: Sequence[Marker], after: Mapping[str, str] | None = None) -> str:
    """The body of a ```` ```mermaid ```` block, or an empty string when nothing is dated.

    ``after``: milestone id -> the id of its one predecessor; where both are on the chart, the
    milestone starts ``after`` it. Mermaid draws a milestone at the middle of its span, so the
    span is twice the days between the two: the diamond stays on the milestone's own date.
    """
    if not markers:
        return ""
    lines = [
        "gantt",
        f"    title {safe_text(title, 80)}",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %b %Y",
        f"    tickInterval {_tick(markers)}",
    ]
    sections: list[tuple[Status, list[Marker]]] = []
    idents: dict[str, tuple[str, date]] = {}
    order: tuple[Status, ...] = ("overdue", "in_progress", "planned", "achieved")
    for status in order:
        group = sorted((m for m in markers if m.entry.status == status), key=lambda m: m.day)
        if group:
            sections.append((status, group))
        for number, marker in enumerate(group, start=1):
            idents[marker.entry.id] = (f"{status[:2]}{number}", marker.day)
    for status, group in sections:
        lines.append(f"    section {_SECTIONS[status]}")
        for marker in group:
            tags = _TAGS[status]
            ident = idents[marker.entry.id][0]
            when = f"{marker.day.isoformat()}, 0d"
            before = idents.get((after or {}).get(marker.entry.id, ""))
            if before is not None and marker.day >= before[1]:
                when = f"after {before[0]}, {2 * (marker.day - before[1]).days}d"
            lines.append(f"    {marker.label} :{tags}, {ident}, {when}")
    return "\n".join(lines)
