"""What each page shows, decided once for both outputs: the vault's Markdown pages and the site.

These frozen views hold the milestones (:class:`~milepost.index.Entry`) a page lists, grouped
and in order, with their counts; they are built from the index here and nowhere else. The
Markdown side (:class:`.views.Views`) renders each entry as an :class:`.views.Item` in Markdown,
the site (``export/pages.py``) renders the same :class:`.views.Item` in HTML, so the two cannot
list different milestones, in a different order, or count them differently. The site passes
only published entries; the vault's pages pass all of them.

A new milestone field is a field of :class:`.views.Item` (set in ``Views.item``), shown by the
``item`` macro of ``templates/_macros.md.j2`` and of ``templates/site/_item.html.j2``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from ..index import BusinessModel, Entry, Tool
from ..model import STATUSES, Status
from . import mermaid
from .planning import BLOCKED
from .wording import (
    STATUS_LABELS,
    _dated,
    add_months,
    budget_totals,
    sort_day,
    status_counts,
    summary,
)

OPEN: tuple[Status, ...] = ("planned", "in_progress", "overdue")
INCOMPLETE = "Missing a description, due date, budget or owner"


@dataclass(frozen=True, slots=True)
class Group:
    """Milestones listed under one heading, in the order they are shown."""

    label: str
    status: Status | None
    """Their status (None: the undated ones, of any status)."""
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class RoadmapView:
    model: BusinessModel
    entries: tuple[Entry, ...]
    """Every milestone of the model the page shows."""
    summary: str
    groups: tuple[Group, ...]
    """The dated milestones, by status (in :data:`~milepost.model.STATUSES` order), by date."""
    undated: tuple[Entry, ...]
    markers: tuple[mermaid.Marker, ...]
    """What the chart draws: at most ``chart_limit`` dated milestones."""
    dated_total: int
    """How many milestones the chart could draw."""
    limit: int
    budgets: tuple[str, ...]


def roadmap_view(model: BusinessModel, entries: Sequence[Entry], limit: int) -> RoadmapView:
    dated = [e for e in entries if _dated(e)]
    groups = []
    for status in STATUSES:
        chosen = sorted((e for e in dated if e.status == status), key=lambda e: sort_day(e, status))
        if chosen:
            groups.append(Group(STATUS_LABELS[status], status, tuple(chosen)))
    return RoadmapView(
        model=model,
        entries=tuple(entries),
        summary=summary(entries),
        groups=tuple(groups),
        undated=tuple(e for e in entries if not _dated(e)),
        markers=tuple(mermaid.pick(entries, limit)),
        dated_total=sum(1 for e in entries if mermaid.chart_date(e) is not None),
        limit=limit,
        budgets=tuple(budget_totals(entries)),
    )


@dataclass(frozen=True, slots=True)
class ReviewPart:
    label: str
    entries: tuple[Entry, ...]
    """The ones shown: at most the review limit."""
    more: int
    """How many more there are."""


@dataclass(frozen=True, slots=True)
class ReviewSection:
    model: BusinessModel
    parts: tuple[ReviewPart, ...]


@dataclass(frozen=True, slots=True)
class ReviewView:
    today: date
    last: date
    next: date
    sections: tuple[ReviewSection, ...]
    quiet: tuple[BusinessModel, ...]
    """Business models with nothing to review."""


def review_window(today: date) -> tuple[date, date]:
    """The dates of the last review and the next one: a month either side of today."""
    return add_months(today, -1), add_months(today, 1)


def review_section(
    model: BusinessModel,
    entries: Sequence[Entry],
    today: date,
    limit: int,
    blocked: Sequence[Entry] = (),
) -> ReviewSection | None:
    """One business model's part of the review, or None when it has nothing to review.
    ``blocked``: its open milestones that wait on an overdue predecessor."""
    last, following = review_window(today)
    open_ = [e for e in entries if e.status in OPEN]
    overdue = [e for e in open_ if e.status == "overdue"]
    due_soon = [
        e
        for e in open_
        if e.status != "overdue" and e.milestone.due and e.milestone.due.end < following
    ]
    achieved = [
        e
        for e in entries
        if e.status == "achieved"
        and e.milestone.done is not None
        and e.milestone.done.end >= last
        and e.milestone.done.start <= today
    ]
    shown = set(map(id, entries))
    parts = [
        (BLOCKED, [e for e in blocked if id(e) in shown]),
        ("Overdue", sorted(overdue, key=lambda e: sort_day(e, "overdue"))),
        (
            f"Due before the next review ({following.isoformat()})",
            sorted(due_soon, key=lambda e: sort_day(e, "planned")),
        ),
        (f"Achieved since the last review ({last.isoformat()})", achieved),
        (INCOMPLETE, [e for e in open_ if e.missing]),
    ]
    if not any(chosen for _, chosen in parts):
        return None
    return ReviewSection(
        model,
        tuple(
            ReviewPart(label, tuple(chosen[:limit]), max(0, len(chosen) - limit))
            for label, chosen in parts
            if chosen
        ),
    )


def review_view(
    models: Iterable[tuple[BusinessModel, Sequence[Entry]]],
    today: date,
    limit: int,
    blocked: Callable[[BusinessModel], Sequence[Entry]] | None = None,
) -> ReviewView:
    sections, quiet = [], []
    for model, entries in models:
        waiting = blocked(model) if blocked is not None else ()
        section = review_section(model, entries, today, limit, waiting)
        if section is None:
            quiet.append(model)
        else:
            sections.append(section)
    last, following = review_window(today)
    return ReviewView(today, last, following, tuple(sections), tuple(quiet))


@dataclass(frozen=True, slots=True)
class IndexRow:
    model: BusinessModel
    total: int
    counts: Mapping[str, int]
    complete: int


@dataclass(frozen=True, slots=True)
class ToolRow:
    tool: Tool
    notes: int
    """How many notes use the tool."""
    models: int


@dataclass(frozen=True, slots=True)
class IndexView:
    rows: tuple[IndexRow, ...]
    tools: tuple[ToolRow, ...]
    total: int
    today: date
    tag: str
    """The tag that marks a milestone (for the hint when there is none)."""


def index_view(
    models: Iterable[tuple[BusinessModel, Sequence[Entry]]],
    tools: Iterable[tuple[Tool, Sequence[str], int]],
    today: date,
    tag: str,
) -> IndexView:
    """``tools``: each tool with the notes that use it and the number of its business models."""
    rows = tuple(
        IndexRow(
            model,
            len(entries),
            status_counts(entries),
            sum(1 for e in entries if not e.missing),
        )
        for model, entries in models
    )
    return IndexView(
        rows,
        tuple(ToolRow(tool, len(set(notes)), count) for tool, notes, count in tools),
        sum(row.total for row in rows),
        today,
        tag,
    )


@dataclass(frozen=True, slots=True)
class ToolView:
    tool: Tool
    uses: tuple[tuple[str, str], ...]
    """Each note that uses the tool, with what its Tools section says (in the tool's order)."""
    models: tuple[tuple[BusinessModel, int], ...]
    """Each business model that reaches the tool, with its number of milestones."""


def tool_view(
    tool: Tool,
    models: Mapping[str, BusinessModel],
    entries: Callable[[BusinessModel], Sequence[Entry]],
    shown: Callable[[str], bool] = lambda _: True,
    *,
    empty: bool = True,
) -> ToolView:
    """``entries``: the milestones of a model the page counts; ``shown``: whether a note is;
    ``empty``: list business models without a milestone too."""
    reached = [(models[k], len(entries(models[k]))) for k in tool.models]
    return ToolView(
        tool,
        tuple((path, text) for path, text in tool.used_by if shown(path)),
        tuple((model, count) for model, count in reached if count or empty),
    )
