"""``Portfolio.base``: an Obsidian Bases file over the roadmap pages and the milestone notes.

Bases reads front matter only (never inline fields or list items), so the file has two table
views: one row per business model, from the properties milepost writes into the front matter of
each roadmap page, and one row per milestone note (a note whose front matter ``tags`` hold
``milestone`` or a tag nested in it; ``file.hasTag`` alone would also match every note with a
``#milestone`` item), from the note's own properties. Obsidian saves the columns, sizes and
sorts a user sets into the file, so the caller writes it like a page: only while it is still as
milepost wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import yaml

ROADMAP_COLUMNS: tuple[tuple[str, str], ...] = (
    ("business_model", "Business model"),
    ("milestones", "Milestones"),
    ("overdue", "Overdue"),
    ("next_due", "Next due"),
    ("complete", "Complete"),
    ("on_time", "On time"),
)
"""Front matter of a roadmap page shown as columns, and their names."""
MILESTONE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("business_model", "Business model"),
    ("due", "Due"),
    ("status", "Status"),
    ("owner", "Owner"),
    ("budget", "Budget"),
    ("kind", "Kind"),
)
"""Front matter of a milestone note shown as columns, and their names."""
ROADMAP_FILTER_PROPERTIES = ("generated_by", "page")
"""Front matter every roadmap page carries and the roadmap view selects on."""


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as Obsidian writes them."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # noqa: ARG002
        super().increase_indent(flow, False)


def _literal(text: str) -> str:
    """A string literal of the Bases expression language (a JavaScript-like one)."""
    return json.dumps(text, ensure_ascii=False)


def _front_matter_tag(tag: str) -> str:
    """True when the note's own ``tags`` property holds ``tag`` or a tag nested in it."""
    name = tag.lower().lstrip("#")
    return (
        f"list(note.tags).filter(value.toString().lower() == {_literal(name)} || "
        f"value.toString().lower().startsWith({_literal(name + '/')})).length > 0"
    )


def portfolio_base(*, output: str = "Roadmaps", tags: Sequence[str] = ("milestone",)) -> bytes:
    """The YAML of ``Portfolio.base``; ``output`` is the folder of milepost's pages."""
    folder = _literal(output)
    has_tag = f"file.hasTag({', '.join(_literal(t) for t in tags)})"
    roadmaps: dict[str, Any] = {
        "type": "table",
        "name": "Business models",
        "filters": {
            "and": [
                f"file.inFolder({folder})",
                'note.generated_by == "milepost"',
                'note.page == "roadmap"',
            ]
        },
        "order": ["file.name", *(f"note.{key}" for key, _ in ROADMAP_COLUMNS)],
        "sort": [
            {"property": "note.overdue", "direction": "DESC"},
            {"property": "note.business_model", "direction": "ASC"},
        ],
        "summaries": {"note.milestones": "Sum", "note.overdue": "Sum"},
    }
    notes: dict[str, Any] = {
        "type": "table",
        "name": "Milestone notes",
        "filters": {
            "and": [
                has_tag,
                {"or": [_front_matter_tag(t) for t in tags]},
                {"not": [f"file.inFolder({folder})"]},
            ]
        },
        "order": ["file.name", *(f"note.{key}" for key, _ in MILESTONE_COLUMNS)],
        "groupBy": {"property": "note.business_model", "direction": "ASC"},
        "sort": [{"property": "note.due", "direction": "ASC"}],
    }
    properties = {
        f"note.{key}": {"displayName": name} for key, name in (*ROADMAP_COLUMNS, *MILESTONE_COLUMNS)
    }
    base = {
        "filters": {"and": ['file.ext == "md"']},
        "properties": dict(sorted(properties.items())),
        "views": [roadmaps, notes],
    }
    text = yaml.dump(
        base, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, indent=2
    )
    return text.encode("utf-8")
