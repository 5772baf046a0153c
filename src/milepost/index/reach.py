"""Which notes use which tools, and which business models reach them.

A tool is named as the first note (by path) that uses it spells it; it lists its uses by note
path, and the business models whose notes use it. After an update only the tools that the
changed notes use (or used) are made again: every other tool keeps its list of uses, the very
list object, so what was worked out from it (a tool page's fingerprint) is known to hold.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING

from ..resolve import norm
from .records import BusinessModel, Tool

if TYPE_CHECKING:
    from .vault import _Contribution

NoteTools = dict[str, dict[str, None]]
"""Note path -> the keys of the tools it uses, in the order it uses them first."""

_PATH = itemgetter(0)


def relate(
    contributions: Mapping[str, _Contribution],
    models: Mapping[str, BusinessModel],
    before: tuple[dict[str, Tool], NoteTools] | None = None,
    changed: Collection[str] = (),
) -> tuple[dict[str, Tool], NoteTools]:
    """Every tool and the tools of every note, from ``contributions``; each model's tools are
    set. ``before``: the tools and note tools of the index this one was updated from, and
    ``changed``: the notes whose contributions differ from that index's (only their tools are
    made again). Tools of ``before`` are never changed: the tools given back are new."""
    if before is None:
        tools, note_tools = _all(contributions)
    else:
        tools, note_tools = _again(contributions, *before, changed)
    order = {key: (norm(tool.name), key) for key, tool in tools.items()}
    nothing: dict[str, None] = {}
    for model in models.values():
        reached = set().union(*(note_tools.get(path, nothing) for path in model.by_note))
        model.tools = sorted(reached, key=order.__getitem__)
        for key in sorted(reached):
            tools[key].models.append(model.key)
    return dict(sorted(tools.items(), key=lambda kv: order[kv[0]])), note_tools


def _all(contributions: Mapping[str, _Contribution]) -> tuple[dict[str, Tool], NoteTools]:
    tools: dict[str, Tool] = {}
    note_tools: NoteTools = {}
    for path in sorted(contributions):
        uses = contributions[path].uses
        if not uses:
            continue
        keys = note_tools[path] = {}
        for key, spelling, text in uses:
            tool = tools.get(key)
            if tool is None:
                tool = tools[key] = Tool(spelling, key, _note_of(key))
            tool.used_by.append((path, text))
            keys[key] = None
    return tools, note_tools


def _again(
    contributions: Mapping[str, _Contribution],
    old_tools: dict[str, Tool],
    old_note_tools: NoteTools,
    changed: Collection[str],
) -> tuple[dict[str, Tool], NoteTools]:
    note_tools = dict(old_note_tools)
    touched: set[str] = set()
    fresh: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(changed):
        touched.update(note_tools.pop(path, ()))
        contribution = contributions.get(path)
        if contribution is None or not contribution.uses:
            continue
        keys = note_tools[path] = {}
        for key, _, text in contribution.uses:
            fresh.setdefault(key, []).append((path, text))
            keys[key] = None
    touched.update(fresh)
    gone = set(changed)
    tools: dict[str, Tool] = {}
    for key, old in old_tools.items():
        if key not in touched:
            tools[key] = Tool(old.name, key, old.note, old.used_by)
    for key in touched:
        old_uses = old_tools[key].used_by if key in old_tools else []
        used_by = [use for use in old_uses if use[0] not in gone] + fresh.get(key, [])
        if not used_by:
            continue
        used_by.sort(key=_PATH)  # stable: a note's own uses stay in their order
        tools[key] = Tool(_spelling(contributions[used_by[0][0]], key), key, _note_of(key), used_by)
    return tools, note_tools


def _spelling(contribution: _Contribution, key: str) -> str:
    """How a note spells the tool ``key`` where it first uses it."""
    return next(spelling for k, spelling, _ in contribution.uses if k == key)


def _note_of(key: str) -> str | None:
    """The tool's note: its key, unless the link does not resolve (a key starting ``?``)."""
    return None if key.startswith("?") else key
