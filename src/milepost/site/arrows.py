"""Dependencies on the site's SVG roadmap: arrows, the critical chain and progress.

:func:`overlay` reads what the passes say about a chart's milestones; :func:`draw` adds, on top
of the rows :func:`~.svg.timeline` drew, an arrow from each predecessor's diamond to its
successor's (both on the chart), a ring around each critical milestone (its arrows drawn
thicker and red), and each milestone's progress beside its diamond. Plain attributes, no script.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from ..index import Entry, VaultIndex
from ..planning import planning
from ..render.planning import progress_text

CRITICAL = "#d1453b"
ARROW = "#6b7280"


@dataclass(frozen=True, slots=True)
class Overlay:
    """What the chart draws besides its rows."""

    edges: tuple[tuple[str, str], ...] = ()
    """(predecessor id, successor id)."""
    critical: frozenset[str] = frozenset()
    progress: Mapping[str, str] = field(default_factory=dict)
    """Milestone id -> ``2/3 · 67%``."""


def overlay(index: VaultIndex, entries: Iterable[Entry]) -> Overlay:
    """The dependencies, critical milestones and progress among ``entries``."""
    plan = planning(index)
    edges: list[tuple[str, str]] = []
    critical: set[str] = set()
    progress: dict[str, str] = {}
    for entry in entries:
        shown = progress_text(entry.milestone.progress)
        if shown is not None:
            progress[entry.id] = shown
        timing = plan.schedule.timings.get(entry.id)
        if timing is None:
            continue
        edges.extend((before, entry.id) for before in timing.depends_on)
        if timing.critical:
            critical.add(entry.id)
    return Overlay(tuple(edges), frozenset(critical), progress)


def draw(found: Overlay, places: Mapping[str, tuple[float, float]], ident: str) -> list[Markup]:
    """SVG elements for ``found``, given where each charted milestone's diamond is (every value
    escaped: ``ident`` and the progress text come from the vault)."""
    out: list[Markup] = []
    arrows = [(b, a) for b, a in found.edges if b in places and a in places]
    if arrows:
        mark = f"mp-arrow-{ident}"
        out.append(
            Markup(
                '<defs><marker id="{}" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" '
                'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" '
                'fill="{}"/></marker></defs>'
            ).format(mark, ARROW)
        )
        for before, after in arrows:
            (bx, by), (ax, ay) = places[before], places[after]
            hot = before in found.critical and after in found.critical
            colour, width = (CRITICAL, 2.2) if hot else (ARROW, 1.2)
            start, end = round(bx + 8, 1), round(ax - 9, 1)
            bend = round(max(start + 6, (start + end) / 2) if end > start + 12 else start + 6, 1)
            out.append(
                Markup(
                    '<path class="{}" d="M{},{} H{} V{} H{}" fill="none" stroke="{}" '
                    'stroke-width="{}" marker-end="url(#{})"/>'
                ).format(
                    "mp-dep mp-dep-critical" if hot else "mp-dep",
                    start,
                    by,
                    bend,
                    ay,
                    end,
                    colour,
                    width,
                    mark,
                )
            )
    for key in sorted(found.critical & places.keys()):
        cx, y = places[key]
        out.append(
            Markup(
                '<polygon class="mp-critical" points="{},{} {},{} {},{} {},{}" fill="none" '
                'stroke="{}" stroke-width="2"/>'
            ).format(cx, y - 11, cx + 11, y, cx, y + 11, cx - 11, y, CRITICAL)
        )
    for key, shown in sorted(found.progress.items()):
        if key in places:
            cx, y = places[key]
            out.append(
                Markup('<text class="mp-progress" x="{}" y="{}" font-size="11">{}</text>').format(
                    round(cx + 13, 1), y + 4, shown
                )
            )
    return out
