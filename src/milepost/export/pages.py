"""The site's own pages: roadmaps with SVG timelines, tools, the home page (milestone index),
the monthly review, tag pages, the list of notes and the search index. Only published notes and
their milestones appear anywhere."""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..index import BusinessModel, Entry, Tool, VaultIndex
from ..model import STATUSES
from ..parse.text import repair_mojibake
from ..render.mermaid import pick
from ..render.views import (
    KIND_LABELS,
    STATUS_LABELS,
    add_months,
    budget_totals,
    first_paragraph,
    show_period,
    sort_day,
    summary,
)
from .arrows import overlay
from .site import Site, anchor_for, relative
from .svg import timeline

_WIKILINK = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]")
_TAGS_RE = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Markdown written in a title or description, as plain text (links keep their names)."""
    return _WIKILINK.sub(lambda m: m.group(1).rsplit("/", 1)[-1], text)


def html_text(markup: str) -> str:
    """The visible text of HTML milepost rendered (for the search index)."""
    return " ".join(html.unescape(_TAGS_RE.sub(" ", markup)).split())


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    status: str
    dates: list[str]
    owner: str | None
    budget: str | None
    kind: str | None
    missing: list[str]
    source_url: str | None
    source_name: str
    line: int
    description: str


class Pages:
    """Views of the site's pages; every list goes through the publish predicate."""

    def __init__(self, index: VaultIndex, site: Site) -> None:
        self.index = index
        self.site = site
        self._entries: dict[str, list[Entry]] = {}
        """Business-model key -> its published milestones (every tool page counts them)."""
        self._charted: dict[str, int] = {}
        """Business-model key -> how many milestones its chart shows, once drawn."""

    def entries(self, model: BusinessModel) -> list[Entry]:
        entries = self._entries.get(model.key)
        if entries is None:
            published = self.site.published
            entries = [e for e in model.entries if published.get(e.path, False)]
            self._entries[model.key] = entries
        return entries

    def visible_models(self) -> list[BusinessModel]:
        return [
            m
            for m in self.index.models.values()
            if self.entries(m) or (m.note and self.site.published.get(m.note, False))
        ]

    def item(self, entry: Entry, page: str) -> dict[str, Any]:
        m = entry.milestone
        site = self.site
        url = site.note_urls.get(entry.path)
        if url is not None and m.heading:
            heading = repair_mojibake(m.heading)
            url += "#" + site.anchors[entry.path].get(_key(heading), anchor_for(heading))
        dates = [
            f"{label} {show_period(p)}"
            for label, p in (
                ("due", m.due),
                ("start", m.start),
                ("done", m.done),
                ("cancelled", m.cancelled),
            )
            if p
        ]
        return {
            "title": plain(m.title) or "(untitled)",
            "status": entry.status,
            "status_label": STATUS_LABELS[entry.status],
            "dates": dates,
            "owner": plain(m.owner) if m.owner else None,
            "budget": m.budget.text if m.budget else None,
            "kind": KIND_LABELS.get(m.kind or ""),
            "missing": list(m.missing()),
            "source": relative(page, url) if url else None,
            "source_name": (
                f"{site.note_title(entry.path)} › {repair_mojibake(m.heading)}"
                if m.heading
                else site.note_title(entry.path)
            ),
            "line": m.line,
            "description": plain(first_paragraph(m.description)),
        }

    def chart(self, model: BusinessModel) -> int:
        """Draw the SVG roadmap of ``model`` into the site's charts (note pages embed them);
        the number of milestones it shows."""
        markers = pick(self.entries(model), self.index.config.chart_limit)
        self.site.charts[model.key] = timeline(
            f"{model.name} roadmap",
            markers,
            self.index.today,
            model.key,
            overlay(self.index, (m.entry for m in markers)),
        )
        self._charted[model.key] = len(markers)
        return len(markers)

    def roadmap(self, model: BusinessModel, page: str) -> dict[str, Any]:
        entries = self.entries(model)
        charted = self._charted.get(model.key)
        if charted is None:
            charted = self.chart(model)
        groups = []
        for status in STATUSES:
            chosen = sorted(
                (e for e in entries if e.status == status), key=lambda e: sort_day(e, status)
            )
            if chosen:
                groups.append(
                    {
                        "label": STATUS_LABELS[status],
                        "status": status,
                        "items": [self.item(e, page) for e in chosen],
                    }
                )
        tools = [
            self.index.tools[k] for k in model.tools if self._tool_visible(self.index.tools[k])
        ]
        note = model.note if model.note and self.site.published.get(model.note, False) else None
        return {
            "model": model,
            "note": relative(page, self.site.note_urls[note]) if note else None,
            "summary": summary(entries),
            "svg": self.site.charts[model.key],
            "charted": charted,
            "dated": sum(1 for e in entries if (e.milestone.due or e.milestone.done)),
            "groups": groups,
            "budgets": budget_totals(entries),
            "tools": [
                {"name": t.name, "url": relative(page, self.site.tool_urls[t.key])} for t in tools
            ],
        }

    def _tool_visible(self, tool: Tool) -> bool:
        return any(self.site.published.get(path, False) for path, _ in tool.used_by)

    def tool(self, tool: Tool, page: str) -> dict[str, Any]:
        site = self.site
        uses = [
            {
                "name": site.note_title(path),
                "url": relative(page, site.note_urls[path]),
                "text": plain(text),
            }
            for path, text in tool.used_by
            if site.published.get(path, False)
        ]
        models = [self.index.models[k] for k in tool.models]
        note_url = site.note_urls.get(tool.note or "")
        return {
            "tool": tool,
            "note": relative(page, note_url) if note_url else None,
            "uses": uses,
            "models": [
                {
                    "name": m.name,
                    "url": relative(page, site.roadmap_urls[m.key]),
                    "count": len(self.entries(m)),
                }
                for m in models
                if self.entries(m)
            ],
        }

    def tools(self) -> list[Tool]:
        return [t for t in self.index.tools.values() if self._tool_visible(t)]

    def home(self, page: str) -> dict[str, Any]:
        rows = []
        for model in self.visible_models():
            entries = self.entries(model)
            counts = {s: sum(1 for e in entries if e.status == s) for s in STATUSES}
            rows.append(
                {
                    "name": model.name,
                    "url": relative(page, self.site.roadmap_urls[model.key]),
                    "total": len(entries),
                    "counts": counts,
                    "complete": sum(1 for e in entries if not e.milestone.missing()),
                }
            )
        tools = [
            {
                "name": t.name,
                "url": relative(page, self.site.tool_urls[t.key]),
                "notes": len({p for p, _ in t.used_by if self.site.published.get(p, False)}),
            }
            for t in self.tools()
        ]
        return {
            "rows": rows,
            "tools": tools,
            "today": self.index.today,
            "notes": len(self.site.note_urls),
        }

    def review(self, page: str) -> dict[str, Any]:
        today = self.index.today
        last, following = add_months(today, -1), add_months(today, 1)
        limit = self.index.config.review_limit
        sections = []
        for model in self.visible_models():
            entries = self.entries(model)
            open_ = [e for e in entries if e.status in ("planned", "in_progress", "overdue")]
            parts = [
                ("Overdue", [e for e in open_ if e.status == "overdue"]),
                (
                    f"Due before the next review ({following})",
                    [
                        e
                        for e in open_
                        if e.status != "overdue"
                        and e.milestone.due
                        and e.milestone.due.end < following
                    ],
                ),
                (
                    f"Achieved since the last review ({last})",
                    [
                        e
                        for e in entries
                        if e.status == "achieved"
                        and e.milestone.done
                        and e.milestone.done.end >= last
                        and e.milestone.done.start <= today
                    ],
                ),
                (
                    "Missing a description, due date, budget or owner",
                    [e for e in open_ if e.milestone.missing()],
                ),
            ]
            shown = [
                {
                    "label": label,
                    "items": [self.item(e, page) for e in chosen[:limit]],
                    "more": max(0, len(chosen) - limit),
                }
                for label, chosen in parts
                if chosen
            ]
            if shown:
                sections.append(
                    {
                        "name": model.name,
                        "url": relative(page, self.site.roadmap_urls[model.key]),
                        "parts": shown,
                    }
                )
        return {"today": today, "last": last, "next": following, "sections": sections}

    def tags(self) -> dict[str, list[str]]:
        """Each tag (and every parent of a nested tag) -> the published notes that carry it."""
        found: dict[str, set[str]] = defaultdict(set)
        spelled: dict[str, str] = {}
        for path in self.site.note_urls:
            for tag in self.index.notes[path].tags:
                parts = tag.name.split("/")
                for depth in range(1, len(parts) + 1):
                    name = "/".join(parts[:depth])
                    key = name.lower()
                    spelled.setdefault(key, name)
                    found[key].add(path)
        return {spelled[k]: sorted(v) for k, v in sorted(found.items())}

    def search_entry(self, path: str, text: str) -> bytes:
        """The search index's entry for note ``path`` whose page shows ``text``."""
        note = self.index.notes[path]
        return search_json(
            {
                "t": self.site.note_title(path),
                "u": self.site.note_urls[path],
                "h": [repair_mojibake(plain(h.text)) for h in note.headings],
                "g": sorted({t.name for t in note.tags}),
                "x": text[:SEARCH_TEXT],
            }
        )

    def search_entries(self, notes: dict[str, bytes]) -> list[bytes]:
        """Every entry of the search index; ``notes``: the notes' entries, by path."""
        entries = [notes.get(path) or self.search_entry(path, "") for path in self.site.note_urls]
        for model in self.visible_models():
            text = " ".join(plain(e.milestone.title) for e in self.entries(model))
            entries.append(
                search_json(
                    {
                        "t": f"{model.name} · roadmap",
                        "u": self.site.roadmap_urls[model.key],
                        "h": [],
                        "g": [],
                        "x": text[:SEARCH_TEXT],
                    }
                )
            )
        for tool in self.tools():
            entries.append(
                search_json(
                    {
                        "t": f"{tool.name} · tool",
                        "u": self.site.tool_urls[tool.key],
                        "h": [],
                        "g": [],
                        "x": "",
                    }
                )
            )
        return entries


SEARCH_TEXT = 4000
"""How many characters of a page's text the search index holds."""


def search_json(entry: dict[str, Any]) -> bytes:
    """One entry of the search index, as the UTF-8 JSON the script holds (no ``</`` in it)."""
    data = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    return data.replace("</", "<\\/").encode()


def search_script(entries: list[bytes]) -> bytes:
    """The search index as a script that sets one global (a script loads from file://, fetch
    does not)."""
    return b"window.milepostSearch = [" + b",".join(entries) + b"];\n"


def _key(heading: str) -> str:
    from ..index import heading_key

    return heading_key(heading)
