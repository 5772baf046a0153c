"""Dependencies over the whole index: the passes of :mod:`milepost.deps`, and assumptions.

Computed once per index, on first use, from its entries alone (an index is never changed, so
an index made by :func:`~milepost.index.apply` computes its own: dependencies cross notes, and
the passes over the whole graph are cheap). Only milestones that take part (they define an id,
depend on something, or sit in a note a dependency links to) become graph nodes; any other
milestone's slack is its own window's length.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .depgraph import targets_of
from .deps import Node, Reference, Schedule, Timing, analyse, node_of
from .errors import Diagnostic, warning
from .index import Entry, entry_id
from .index.vault import WHOLE_VAULT
from .resolve import norm

if TYPE_CHECKING:
    from .index import VaultIndex

_OPEN = frozenset({"planned", "in_progress", "overdue"})
_dump = json.JSONEncoder(ensure_ascii=False).encode


@dataclass(slots=True)
class Planning:
    """What the dependencies, progress and assumptions of an index come to."""

    schedule: Schedule
    entries: dict[str, Entry]
    """Every milestone by id."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """``dependency.*`` and ``assumption.invalidated``."""
    nodes: dict[str, Node] = field(default_factory=dict)
    """The graph's nodes by milestone id."""

    def timing(self, entry: Entry) -> Timing:
        """The passes' answer for one milestone (its own window when it takes no part)."""
        found = self.schedule.timings.get(entry.id)
        if found is not None:
            return found
        return self.schedule.timing(self.nodes.get(entry.id) or node_of(entry))

    def predecessors(self, entry: Entry) -> list[Entry]:
        return [self.entries[key] for key in self.timing(entry).depends_on]

    def successors(self, entry: Entry) -> list[Entry]:
        return [self.entries[key] for key in self.timing(entry).blocks]

    def chain(self, model: str) -> tuple[str, ...]:
        """A business model's critical chain: milestone ids in dependency order."""
        return self.schedule.chains.get(model, ())

    def blocked(self, entries: list[Entry]) -> list[tuple[Entry, list[Entry]]]:
        """The open ones among ``entries`` waiting on an overdue predecessor, with those."""
        found = []
        for entry in entries:
            if entry.status not in _OPEN or entry.id not in self.schedule.timings:
                continue
            late = [p for p in self.predecessors(entry) if p.status == "overdue"]
            if late:
                found.append((entry, late))
        return found

    def fields(self, entry: Entry) -> dict[str, Any]:
        """The JSON fields of one milestone."""
        timing = self.timing(entry)
        m = entry.milestone
        return {
            "depends_on": list(timing.depends_on),
            "blocks": list(timing.blocks),
            "slack_days": timing.slack_days,
            "critical": timing.critical,
            "progress": m.progress.as_json() if m.progress is not None else None,
            "strategy": m.strategy,
            "tactic": m.tactic,
        }

    def fields_text(self, entry: Entry) -> str:
        """:meth:`fields` as the JSON text that follows a milestone's other keys."""
        m = entry.milestone
        timing = self.schedule.timings.get(entry.id)
        if timing is None and m.progress is None and m.strategy is None and m.tactic is None:
            window = _window(entry)
            slack = "null" if window is None else str(window)
            return (
                ', "depends_on": [], "blocks": [], "slack_days": '
                + slack
                + ', "critical": false, "progress": null, "strategy": null, "tactic": null'
            )
        return ", " + _dump(self.fields(entry))[1:-1]

    def signature(self, entry: Entry) -> str | None:
        """What a milestone's own text shows of its dependencies (None: it has none)."""
        if entry.id not in self.schedule.timings:
            return None
        return self.fingerprint([entry], chain=False)

    def fingerprint(self, entries: list[Entry], *, chain: bool = True) -> str:
        """What pages show of these milestones' dependencies (and of their neighbours)."""
        parts: list[object] = []
        timings = self.schedule.timings
        found = map(timings.get, map(entry_id, entries)) if timings else ()
        for timing in [t for t in found if t is not None]:
            near = [self.entries[k] for k in (*timing.depends_on, *timing.blocks)]
            parts.append(
                (
                    timing,
                    [(e.id, e.path, e.milestone.title, e.milestone.line, e.status) for e in near],
                )
            )
        if chain:
            parts.append(self.chain(entries[0].model_key) if entries else ())
        return repr(parts)


def _window(entry: Entry) -> int | None:
    """A milestone's slack without dependencies: its own window's length in days."""
    m = entry.milestone
    if entry.status == "achieved":
        return None if m.done is None else 0
    if entry.status == "cancelled" or m.due is None:
        return None
    return (m.due.end - m.due.start).days


def _all(index: VaultIndex) -> Iterator[Entry]:
    for path in sorted(index.contributions):
        yield from index.contributions[path].entries


def planning(index: VaultIndex) -> Planning:
    """The index's planning, computed once."""
    known = getattr(index, "_planning", None)
    if not isinstance(known, Planning):
        known = _compute(index)
        index._planning = known
    return known


def _compute(index: VaultIndex) -> Planning:
    entries = {entry.id: entry for entry in _all(index)}
    refs: dict[str, list[Reference]] = {}
    linked: set[str] = set()
    for entry in entries.values():
        depends = entry.milestone.depends
        if not depends:
            continue
        mine = refs[entry.id] = []
        for dep in depends:
            if dep.id is not None:
                mine.append(Reference(dep.line, id=dep.id, gap=dep.gap))
                continue
            target = dep.target or ""
            path = entry.path if not target else index.names.resolve(target, entry.path).path
            if path is not None:
                linked.add(path)
            note = path if path is not None else target
            mine.append(Reference(dep.line, note=note, heading=dep.heading, gap=dep.gap))
    nodes: dict[str, Node] = {}
    for entry in entries.values():
        mine = refs.get(entry.id, [])
        ident = entry.milestone.ident
        if mine or ident is not None or entry.path in linked:
            nodes[entry.id] = node_of(entry, (ident,) if ident else (), mine)
    targets = targets_of(entries[key] for key in nodes) if linked else targets_of(())
    schedule = analyse(list(nodes.values()), targets)
    found = list(schedule.diagnostics)
    found.extend(_assumptions(index, entries))
    return Planning(schedule, entries, sorted(found), nodes)


def _assumptions(index: VaultIndex, entries: dict[str, Entry]) -> list[Diagnostic]:
    """``assumption.invalidated`` on each milestone whose ``assumes::`` names an invalidated
    assumption (by link, id or title)."""
    assuming = [e for e in entries.values() if e.milestone.assumes]
    if not assuming:
        return []
    by_path: dict[str, list[Entry]] = {}
    by_name: dict[str, list[Entry]] = {}
    for entry in entries.values():
        m = entry.milestone
        if m.kind != "assumption":
            continue
        by_path.setdefault(entry.path, []).append(entry)
        for name in {m.ident, m.title}:
            if name:
                by_name.setdefault(norm(name), []).append(entry)
    found = []
    for entry in assuming:
        for name in entry.milestone.assumes:
            path = index.names.resolve(name.split("#")[0], entry.path).path
            named = by_path.get(path, []) if path is not None else []
            named = named or by_name.get(norm(name), [])
            for other in named:
                if other.milestone.invalidated:
                    found.append(
                        warning(
                            entry.path,
                            entry.milestone.line,
                            "assumption.invalidated",
                            f"'{entry.milestone.title}' assumes '{other.milestone.title}' "
                            f"({other.path}:{other.milestone.line}), which is invalidated; "
                            "rethink this milestone or drop the assumption",
                        )
                    )
    return found


WHOLE_VAULT.append(lambda index: planning(index).diagnostics)
