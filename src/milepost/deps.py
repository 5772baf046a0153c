"""Dependencies between milestones: slack, conflicts, cycles and the critical chain.

Finish-to-start only: a milestone finishes no earlier than each milestone it depends on, plus
that dependency's gap. Computed over the whole vault at once (dependencies cross notes and
business models): :func:`~milepost.depgraph.resolve` turns references into edges, and
:func:`schedule` runs the passes over them; :func:`analyse` does both.

- The **window** of an open milestone is its due period; an achieved one is fixed at the end of
  its done period; an undated one (or an achieved one without a done date) has none and takes
  the bounds of its neighbours.
- Forward pass: earliest finish EF = max(window start, max over predecessors of EF + gap).
  Backward pass: latest finish LF = min(window end, min over successors of LF - gap).
  Slack = LF - EF in days; None when either is unbounded.
- A cancelled milestone never blocks (Tasks' rule) and is never blocked: no edge to or from it
  counts in the passes, and it gets no dates; its dependencies are still listed.
- A cycle is cut at one edge, chosen by path and line alone, and reported; the rest goes on.
- A milestone finishing after its window ends is a conflict, reported there with the
  predecessor that holds it back. Every milestone on that chain has negative slack.
- A milestone is critical when it has a predecessor or a successor and no slack to spare (zero
  or less); a business model's critical chain is its critical milestones in dependency order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from heapq import heapify, heappop, heappush
from operator import attrgetter
from typing import NamedTuple

from .depgraph import (
    Adjacency,
    Edge,
    Graph,
    Node,
    Reference,
    Targets,
    cut_cycles,
    node_of,
    parse_gap,
    resolve,
    targets_of,
    topological,
)
from .errors import Diagnostic, error
from .records import Record

__all__ = [
    "Edge",
    "Graph",
    "Node",
    "Reference",
    "Schedule",
    "Targets",
    "Timing",
    "analyse",
    "node_of",
    "parse_gap",
    "resolve",
    "schedule",
    "targets_of",
]


class Timing(NamedTuple):
    """What the passes say about one milestone (a named tuple: vaults hold many of them)."""

    key: str
    depends_on: tuple[str, ...]
    """Keys of the milestones it depends on (cancelled ones and cut cycles included), by path
    and line."""
    blocks: tuple[str, ...]
    """Keys of the milestones that depend on it, by path and line."""
    earliest_finish: date | None
    latest_finish: date | None
    slack_days: int | None
    """Latest minus earliest finish; None when either is unbounded."""
    critical: bool


class Schedule(Record, frozen=True):
    """The passes' answer for the whole vault."""

    timings: dict[str, Timing]
    """By key, the milestones that depend on another or that another depends on. Any other
    milestone's timing is its own window: ask :meth:`timing`."""
    chains: dict[str, tuple[str, ...]]
    """Business-model key -> its critical chain (keys in dependency order), for every model
    with a critical milestone."""
    diagnostics: tuple[Diagnostic, ...]
    """Resolution's, cycles' and conflicts', sorted."""

    def timing(self, node: Node) -> Timing:
        """The timing of any milestone; without dependencies, it has its own window's bounds."""
        found = self.timings.get(node.key)
        if found is not None:
            return found
        window = node.window()
        if window is None:
            return Timing(node.key, (), (), None, None, None, False)
        first, last = window
        return Timing(node.key, (), (), first, last, (last - first).days, False)


_BY_FIELDS = attrgetter("path", "line", "code", "severity", "message")
"""The order of diagnostics (their fields in turn), without a comparison method per pair."""


def analyse(nodes: Sequence[Node], targets: Targets) -> Schedule:
    """Resolve the references, then run the passes: everything about the vault's dependencies."""
    return schedule(nodes, resolve(nodes, targets))


def schedule(nodes: Sequence[Node], graph: Graph) -> Schedule:
    """Both passes over the whole vault; each cycle is cut at one edge (and reported) first."""
    at = _positions(nodes, {edge.before for edge in graph.edges} | {e.after for e in graph.edges})
    pairs = [(at[edge.before], at[edge.after]) for edge in graph.edges]
    listed: Adjacency = {}
    for (b, a), edge in zip(pairs, graph.edges, strict=True):
        listed.setdefault(b, []).append((a, edge.gap))
    order, stuck = topological(listed)
    cut, found = cut_cycles(nodes, graph.edges, pairs, listed, stuck)
    preds: Adjacency = {}
    succs: Adjacency = {}
    for (b, a), edge in zip(pairs, graph.edges, strict=True):
        if (b, a) not in cut and "cancelled" not in (nodes[a].status, nodes[b].status):
            preds.setdefault(a, []).append((b, edge.gap))
            succs.setdefault(b, []).append((a, edge.gap))
    if cut:
        order = topological(succs)[0]
    start, end = _windows(nodes, {i for pair in pairs for i in pair})
    ef, lf = _passes(order, start, end, preds, succs)
    late = [i for i in order if _later(ef[i], end[i])]
    found.extend(_conflicts(nodes, late, start=start, end=end, ef=ef, preds=preds))
    timings, critical = _timings(nodes, pairs, ef, lf, preds.keys() | succs.keys())
    chains = _chains(nodes, critical, succs)
    found.extend(graph.diagnostics)
    return Schedule(timings, chains, tuple(sorted(found, key=_BY_FIELDS)))


def _later(day: int | None, last: int | None) -> bool:
    return day is not None and last is not None and day > last


def _positions(nodes: Sequence[Node], keys: set[str]) -> dict[str, int]:
    """Where each of ``keys`` is in ``nodes`` (a key missing or given twice is a bug)."""
    at: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if node.key in keys and at.setdefault(node.key, i) != i:
            raise ValueError(f"two nodes have the key {node.key!r}")
    if len(at) != len(keys):
        raise ValueError(f"edges name nodes that are not given: {sorted(keys - at.keys())}")
    return at


Days = dict[int, int | None]
"""Node -> a day number (``date.toordinal``; None: unbounded), for the nodes with edges."""


def _windows(nodes: Sequence[Node], linked: set[int]) -> tuple[Days, Days]:
    """The first and last day each node with edges may finish on, from its own window."""
    start: Days = {}
    end: Days = {}
    for i in linked:
        window = nodes[i].window()
        start[i] = None if window is None else window[0].toordinal()
        end[i] = None if window is None else window[1].toordinal()
    return start, end


def _passes(
    order: list[int], start: Days, end: Days, preds: Adjacency, succs: Adjacency
) -> tuple[Days, Days]:
    """Earliest and latest finish of every node with edges."""
    ef, lf = dict(start), dict(end)
    for i in order:
        best = ef[i]
        for j, gap in preds.get(i, ()):
            other = ef[j]
            if other is not None and (best is None or other + gap > best):
                best = other + gap
        ef[i] = best
    for i in reversed(order):
        best = lf[i]
        for j, gap in succs.get(i, ()):
            other = lf[j]
            if other is not None and (best is None or other - gap < best):
                best = other - gap
        lf[i] = best
    return ef, lf


def _timings(
    nodes: Sequence[Node], pairs: list[tuple[int, int]], ef: Days, lf: Days, live: set[int]
) -> tuple[dict[str, Timing], dict[int, int]]:
    """The timing of every node with edges, and the critical ones with their earliest finish."""
    before: dict[int, list[int]] = {}
    after: dict[int, list[int]] = {}
    for b, a in pairs:
        before.setdefault(a, []).append(b)
        after.setdefault(b, []).append(a)
    days: dict[int | None, date | None] = {None: None}
    timings: dict[str, Timing] = {}
    critical: dict[int, int] = {}
    for i in sorted(ef):
        early, late = ef[i], lf[i]
        slack = None if early is None or late is None else late - early
        if slack is not None and slack <= 0 and i in live:
            critical[i] = early  # type: ignore[assignment]
        for day in (early, late):
            if day not in days:
                days[day] = _day(day)  # type: ignore[arg-type]
        key = nodes[i].key
        timings[key] = Timing(
            key,
            _keys(nodes, before.get(i)),
            _keys(nodes, after.get(i)),
            days[early],
            days[late],
            slack,
            i in critical,
        )
    return timings, critical


def _day(number: int) -> date:
    return date.fromordinal(min(max(number, 1), _LAST_DAY))


_LAST_DAY = date.max.toordinal()


def _keys(nodes: Sequence[Node], found: list[int] | None) -> tuple[str, ...]:
    if not found:
        return ()
    if len(found) == 1:
        return (nodes[found[0]].key,)
    return tuple(nodes[j].key for j in sorted(set(found), key=lambda j: nodes[j].place()))


def _chains(
    nodes: Sequence[Node], critical: dict[int, int], succs: Adjacency
) -> dict[str, tuple[str, ...]]:
    """Each business model's critical milestones in dependency order: a topological order of
    the critical ones that takes the ready one that finishes first (then by path and line)."""
    waiting = dict.fromkeys(critical, 0)
    for i in critical:
        for j, _ in succs.get(i, ()):
            if j in critical:
                waiting[j] += 1
    ready = [(finish, nodes[i].place(), i) for i, finish in critical.items() if not waiting[i]]
    heapify(ready)
    chains: dict[str, list[str]] = {}
    while ready:
        i = heappop(ready)[2]
        chains.setdefault(nodes[i].model, []).append(nodes[i].key)
        for j, _ in succs.get(i, ()):
            if j in critical:
                waiting[j] -= 1
                if not waiting[j]:
                    heappush(ready, (critical[j], nodes[j].place(), j))
    return {model: tuple(chains[model]) for model in sorted(chains)}


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _conflicts(
    nodes: Sequence[Node], late: list[int], *, start: Days, end: Days, ef: Days, preds: Adjacency
) -> list[Diagnostic]:
    """The nodes in ``late`` cannot finish within their windows: a report for each."""
    origins: dict[int, int] = {}

    def origin(i: int) -> int:
        """The node whose own window's start sets node ``i``'s earliest finish."""
        trail = []
        while i not in origins and ef[i] != start[i]:
            trail.append(i)
            i = _driver(nodes, i, ef, preds)[0]
        found = origins.setdefault(i, i)
        origins.update(dict.fromkeys(trail, found))
        return found

    return [_conflict(nodes, i, origin, end=end, ef=ef, preds=preds) for i in late]


def _conflict(
    nodes: Sequence[Node],
    i: int,
    origin_of: Callable[[int], int],
    *,
    end: Days,
    ef: Days,
    preds: Adjacency,
) -> Diagnostic:
    """Node ``i`` cannot finish within its window: name the predecessor that holds it back, and
    the milestone that holds that one back, if another."""
    node, early, last = nodes[i], ef[i], end[i]
    assert early is not None and last is not None
    cause, gap = _driver(nodes, i, ef, preds)
    origin = origin_of(cause)
    late, when = _days(early - last), _day(early)
    if node.status == "achieved":
        head = f"{node.named()} was achieved on {_day(last)}, {late} before it could have been"
        head += f" ({when} at the earliest)"
    else:
        due = node.due
        shown = (
            f"{due.text} (ending {_day(last)})" if due and due.precision != "day" else _day(last)
        )
        head = (
            f"{node.named()} finishes {late} after its due date {shown}, on {when} at the earliest"
        )
    gapped = f" with a gap of {_days(gap)}" if gap else ""
    held = f", held back by {nodes[origin].named()}" if origin != cause else ""
    message = (
        f"{head}: it depends on {nodes[cause].named()}{gapped}, which finishes on "
        f"{_day(ef[cause])} at the earliest{held}; move a date or drop the dependency"  # type: ignore[arg-type]
    )
    return error(node.path, node.line, "dependency.conflict", message)


def _driver(nodes: Sequence[Node], i: int, ef: Days, preds: Adjacency) -> tuple[int, int]:
    """The predecessor (and gap) that sets node ``i``'s earliest finish; first by path, line."""
    found = [
        (nodes[j].place(), j, gap)
        for j, gap in preds[i]
        if ef[j] is not None and ef[j] + gap == ef[i]  # type: ignore[operator]
    ]
    _, j, gap = min(found)
    return j, gap
