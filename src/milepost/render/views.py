"""What the page templates show, computed from the index: plain values, no I/O.

Templates stay simple because every decision (order, grouping, links, wording of dates) is made
here, once, for Markdown pages and managed regions alike.

Formatting and tallies of periods, money, statuses and lists of milestones are in
:mod:`.wording` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from ..accuracy import properties
from ..index import BusinessModel, Entry, Tool, VaultIndex
from ..memory import Memory
from ..model import Milestone, Status
from ..resolve import stem
from . import mermaid, planning
from .history import planning_section, slip_text
from .links import heading_link, relink, target_of, wikilink
from .wording import (
    STATUS_LABELS,
    add_months,
    budget_totals,
    money,
    period_name,
    show_period,
    sort_day,
    status_counts,
    summary,
)

__all__ = [
    "DESCRIPTION_LIMIT",
    "KIND_LABELS",
    "STATUS_LABELS",
    "Item",
    "ItemText",
    "Views",
    "add_months",
    "budget_totals",
    "first_paragraph",
    "money",
    "period_name",
    "show_period",
    "sort_day",
    "status_counts",
    "summary",
]

KIND_LABELS = {
    "plan-review": "plan review",
    "assumption": "assumption",
    "implementation": "implementation",
}
DESCRIPTION_LIMIT = 280


@dataclass(frozen=True, slots=True)
class Item:
    """One milestone as a page shows it."""

    entry: Entry
    title: str
    status: Status
    dates: list[str]
    owner: str | None
    budget: str | None
    kind: str | None
    missing: list[str]
    source: str
    """A heading link back to where the milestone is written, with its line."""
    description: str
    priority: str | None = None
    recurrence: str | None = None
    facts: tuple[str, ...] = ()
    """What else both outputs show after owner, budget and kind, as written there
    (``priority: high``, ``repeats every month``): a new field shows on every page from here."""
    blocked_by: list[str] | None = None
    """Links to the milestones it depends on (None: it has no dependencies either way)."""
    blocks: list[str] | None = None
    """Links to the milestones that depend on it."""
    slack: str | None = None
    """``slack 46 days`` or ``5 days late``, for an open milestone with dependencies."""
    critical: bool = False
    """On its business model's critical chain."""
    progress: str | None = None
    """``2/3 · 67%`` (child checkboxes) or ``40%`` (``progress::``)."""
    strategy: str | None = None
    tactic: str | None = None
    history: str | None = None
    """How its due date slipped (``slipped 2× · +92 d since first planned Jun 2026``)."""


def facts(m: Milestone) -> tuple[str, ...]:
    """The facts an item shows after its owner, budget and kind (see :attr:`Item.facts`)."""
    shown = (
        f"priority: {m.priority}" if m.priority else None,
        f"repeats {m.recurrence}" if m.recurrence else None,
    )
    return tuple(fact for fact in shown if fact)


ItemText = Callable[[Entry], str]
"""Renders one milestone (the template's ``item`` macro), possibly from a cache."""


class Views:
    """Builds page views for one index; links point to the generated pages named by ``paths``."""

    def __init__(
        self,
        index: VaultIndex,
        roadmap_paths: dict[str, str],
        tool_paths: dict[str, str],
        item_text: ItemText,
        memory: Memory | None = None,
    ):
        self.index = index
        self.roadmap_paths = roadmap_paths
        self.tool_paths = tool_paths
        self.item_text = item_text
        self.memory = memory
        """The vault's history (None: no history shown)."""

    # ----- items -------------------------------------------------------------------------------
    def item(self, entry: Entry) -> Item:
        m = entry.milestone
        links, source = m.links, entry.path
        dates = []
        for label, period in (
            ("due", m.due),
            ("start", m.start),
            ("done", m.done),
            ("cancelled", m.cancelled),
            ("scheduled", m.scheduled if m.scheduled != m.start else None),
            ("created", m.created),
        ):
            if period is not None:
                dates.append(f"{label} {show_period(period)}")
        description = relink(first_paragraph(m.description), links, source, self.index)
        where = f"{self.shown(entry.path)} › {m.heading}" if m.heading else self.shown(entry.path)
        return Item(
            entry=entry,
            title=relink(m.title, links, source, self.index) or "(untitled)",
            status=entry.status,
            dates=dates,
            owner=relink(m.owner, links, source, self.index) if m.owner else None,
            budget=m.budget.text if m.budget else None,
            kind=KIND_LABELS.get(m.kind or ""),
            missing=list(m.missing()),
            source=f"{heading_link(entry.path, m.heading, where)} (line {m.line})",
            description=description,
            priority=m.priority,
            recurrence=m.recurrence,
            facts=facts(m),
            **planning.item_fields(self.index, entry),
            history=slip_text(self.memory, entry),
        )

    def items(self, entries: Iterable[Entry]) -> list[str]:
        """The rendered Markdown of each milestone."""
        return [self.item_text(e) for e in entries]

    def shown(self, path: str) -> str:
        """A note's name, or its path when several notes share that name."""
        if self.index.names.shares_name(path):
            return target_of(path)
        return stem(path)

    def note_link(self, path: str) -> str:
        return wikilink(path, self.shown(path))

    # ----- links to pages and notes ------------------------------------------------------------
    def model_link(self, model: BusinessModel, *, in_table: bool = False) -> str:
        if model.note is not None:
            return wikilink(model.note, model.name, in_table=in_table)
        return model.name

    def roadmap_link(
        self, model: BusinessModel, display: str | None = None, *, in_table: bool = False
    ) -> str:
        return wikilink(self.roadmap_paths[model.key], display or model.name, in_table=in_table)

    def tool_note_link(self, tool: Tool, *, in_table: bool = False) -> str:
        return wikilink(tool.note, tool.name, in_table=in_table) if tool.note else tool.name

    def tool_page_link(
        self, tool: Tool, display: str | None = None, *, in_table: bool = False
    ) -> str:
        return wikilink(self.tool_paths[tool.key], display or tool.name, in_table=in_table)

    # ----- roadmap -----------------------------------------------------------------------------
    def roadmap(self, model: BusinessModel) -> dict[str, object]:
        from .pageviews import roadmap_view

        index = self.index
        view = roadmap_view(model, model.entries, index.config.chart_limit)
        tools = [index.tools[key] for key in model.tools]
        return {
            "model": model,
            "model_link": self.model_link(model),
            "summary": view.summary,
            "chart": mermaid.gantt(
                f"{model.name} roadmap", view.markers, planning.after_links(index, model.entries)
            ),
            "charted": len(view.markers),
            "dated_total": view.dated_total,
            "limit": view.limit,
            "groups": [{"label": g.label, "items": self.items(g.entries)} for g in view.groups],
            "undated": self.items(view.undated),
            "budgets": list(view.budgets),
            "tools": [
                {"note": self.tool_note_link(t), "page": self.tool_page_link(t, "uses")}
                for t in tools
            ],
            "source_links": [self.note_link(p) for p in sorted({e.path for e in model.entries})],
            **planning.roadmap_fields(index, model),
            "properties": properties(model, index.today),
        }

    # ----- tools -------------------------------------------------------------------------------
    def tool(self, tool: Tool) -> dict[str, object]:
        from .pageviews import tool_view

        index = self.index
        view = tool_view(tool, index.models, lambda m: m.entries)
        uses = [
            {
                "note": self.note_link(path),
                "text": relink(text, _links_of(index, path), path, index),
            }
            for path, text in view.uses
        ]
        return {
            "tool": tool,
            "note_link": self.tool_note_link(tool),
            "uses": uses,
            "models": [{"link": self.roadmap_link(m), "count": n} for m, n in view.models],
        }

    # ----- index -------------------------------------------------------------------------------
    def overview(self, review_path: str) -> dict[str, object]:
        from .pageviews import index_view

        index = self.index
        view = index_view(
            ((m, m.entries) for m in index.models.values()),
            ((t, [p for p, _ in t.used_by], len(t.models)) for t in index.tools.values()),
            index.today,
            next(iter(index.config.tags), "milestone"),
        )
        rows = [
            {
                "model": self.model_link(row.model, in_table=True),
                "roadmap": self.roadmap_link(row.model, "roadmap", in_table=True),
                "total": row.total,
                "counts": row.counts,
                "complete": row.complete,
            }
            for row in view.rows
        ]
        tools = [
            {
                "note": self.tool_note_link(t.tool, in_table=True),
                "page": self.tool_page_link(t.tool, "uses", in_table=True),
                "notes": t.notes,
                "models": t.models,
            }
            for t in view.tools
        ]
        return {
            "rows": rows,
            "tools": tools,
            "total": index.milestone_count(),
            "review": wikilink(review_path, f"Review {index.today:%Y-%m}"),
            "today": index.today,
            "tag": view.tag,
        }

    # ----- review ------------------------------------------------------------------------------
    def review_window(self) -> tuple[date, date]:
        """The dates of the last review and the next one: a month either side of today."""
        return add_months(self.index.today, -1), add_months(self.index.today, 1)

    def review_section(self, model: BusinessModel) -> dict[str, object] | None:
        """One business model's part of the review, or None when it has nothing to review."""
        from .pageviews import review_section

        config = self.index.config
        section = review_section(
            model,
            model.entries,
            self.index.today,
            config.review_limit,
            planning.blocked(self.index, model),
        )
        memory_part = planning_section(self, model, self.review_window()[0])
        if section is None and memory_part is None:
            return None
        return {
            "planning": memory_part,
            "model": model,
            "roadmap": self.roadmap_link(model, "roadmap"),
            "parts": [
                {"label": part.label, "items": self.items(part.entries), "more": part.more}
                for part in (section.parts if section is not None else ())
            ],
        }

    def review(self, sections: list[str], quiet: list[BusinessModel]) -> dict[str, object]:
        last, following = self.review_window()
        return {
            "today": self.index.today,
            "last": last,
            "next": following,
            "sections": sections,
            "quiet": [self.roadmap_link(model) for model in quiet],
        }


def _links_of(index: VaultIndex, path: str) -> tuple:  # type: ignore[type-arg]
    note = index.notes.get(path)
    return note.links if note is not None else ()


def first_paragraph(text: str) -> str:
    head = text.split("\n\n", 1)[0].replace("\n", " ")
    return head if len(head) <= DESCRIPTION_LIMIT else head[: DESCRIPTION_LIMIT - 1].rstrip() + "…"
