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

from collections.abc import Sequence
from datetime import date
from heapq import heapify, heappop, heappush
from operator import attrgetter
from typing import NamedTuple

from .depgraph import Edge, Graph, Node, Reference, Targets, node_of, parse_gap, resolve, targets_of
from .errors import Diagnostic, error
from .records import record

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


@record()
class Schedule:
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

Adjacency = dict[int, list[tuple[int, int]]]
"""Node -> (other node, gap) of its edges."""


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
    order, stuck = _topological(listed)
    cut, found = _cut_cycles(nodes, graph.edges, pairs, listed, stuck)
    preds: Adjacency = {}
    succs: Adjacency = {}
    for (b, a), edge in zip(pairs, graph.edges, strict=True):
        if (b, a) not in cut and "cancelled" not in (nodes[a].status, nodes[b].status):
            preds.setdefault(a, []).append((b, edge.gap))
            succs.setdefault(b, []).append((a, edge.gap))
    if cut:
        order = _topological(succs)[0]
    start, end = _windows(nodes, {i for pair in pairs for i in pair})
    ef, lf = _passes(order, start, end, preds, succs)
    for i in order:
        if ef[i] is not None and end[i] is not None and ef[i] > end[i]:  # type: ignore[operator]
            found.append(_conflict(nodes, i, start=start, end=end, ef=ef, preds=preds))
    timings, critical = _timings(nodes, pairs, ef, lf, preds.keys() | succs.keys())
    chains = _chains(nodes, critical, succs)
    found.extend(graph.diagnostics)
    return Schedule(timings, chains, tuple(sorted(found, key=_BY_FIELDS)))


def _positions(nodes: Sequence[Node], keys: set[str]) -> dict[str, int]:
    """Where each of ``keys`` is in ``nodes`` (a key missing or given twice is a bug)."""
    at: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if node.key in keys and at.setdefault(node.key, i) != i:
            raise ValueError(f"two nodes have the key {node.key!r}")
    if len(at) != len(keys):
        raise ValueError(f"edges name nodes that are not given: {sorted(keys - at.keys())}")
    return at


def _topological(succs: Adjacency) -> tuple[list[int], set[int]]:
    """The nodes with edges, each after its predecessors; and those no such order reaches
    (on a cycle, or after one)."""
    waiting: dict[int, int] = {}
    for onward in succs.values():
        for j, _ in onward:
            waiting[j] = waiting.get(j, 0) + 1
    order = [i for i in succs if i not in waiting]
    for i in order:  # grows while it is read
        for j, _ in succs.get(i, ()):
            waiting[j] -= 1
            if not waiting[j]:
                order.append(j)
    return order, {i for i, left in waiting.items() if left}


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


def _conflict(
    nodes: Sequence[Node],
    i: int,
    *,
    start: Days,
    end: Days,
    ef: Days,
    preds: Adjacency,
) -> Diagnostic:
    """Node ``i`` cannot finish within its window: name the predecessor that holds it back."""
    node, early, last = nodes[i], ef[i], end[i]
    assert early is not None and last is not None
    cause, gap = _driver(nodes, i, ef, preds)
    origin = cause
    while ef[origin] != start[origin]:
        origin = _driver(nodes, origin, ef, preds)[0]
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


# ----- cycles --------------------------------------------------------------------------------
def _cut_cycles(
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    pairs: list[tuple[int, int]],
    succs: Adjacency,
    stuck: set[int],
) -> tuple[set[tuple[int, int]], list[Diagnostic]]:
    """One edge per cycle to leave out, chosen by path and line alone, and the reports."""
    cut: set[tuple[int, int]] = set()
    found: list[Diagnostic] = []
    if not stuck:
        return cut, found
    line = {pair: edge.line for pair, edge in zip(pairs, edges, strict=True)}
    pending = _components(stuck, succs, cut)
    while pending:
        members = pending.pop()
        head = min(members, key=lambda i: nodes[i].place())
        ring = _ring(nodes, head, members, succs, cut)
        cut.add((ring[-1], head))
        found.append(_cycle(nodes, ring, line[ring[-1], head]))
        pending.extend(_components(members, succs, cut))
    return cut, found


def _components(members: set[int], succs: Adjacency, cut: set[tuple[int, int]]) -> list[set[int]]:
    """The strongly connected components of ``members`` that hold a cycle (Tarjan, iterative)."""
    number: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    stacked: set[int] = set()
    found: list[set[int]] = []
    for root in members:
        if root in number:
            continue
        work = [(root, iter(succs.get(root, ())))]
        number[root] = low[root] = len(number)
        stack.append(root)
        stacked.add(root)
        while work:
            v, onward = work[-1]
            for w, _ in onward:
                if w not in members or (v, w) in cut:
                    continue
                if w not in number:
                    number[w] = low[w] = len(number)
                    stack.append(w)
                    stacked.add(w)
                    work.append((w, iter(succs.get(w, ()))))
                    break
                if w in stacked:
                    low[v] = min(low[v], number[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == number[v]:
                    component = {stack.pop()}
                    while v not in component:
                        component.add(stack.pop())
                    stacked -= component
                    if len(component) > 1 or (v, v) in _live(v, succs, cut):
                        found.append(component)
    return found


def _live(v: int, succs: Adjacency, cut: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """The edges out of ``v`` that are not cut."""
    return {(v, w) for w, _ in succs.get(v, ())} - cut


def _ring(
    nodes: Sequence[Node], head: int, members: set[int], succs: Adjacency, cut: set[tuple[int, int]]
) -> list[int]:
    """A shortest cycle through ``head``: [head, one that depends on it, …, one it depends on]."""
    parent = {head: head}
    queue = [head]
    for v in queue:  # grows while it is read
        for w in sorted((w for w, _ in succs.get(v, ())), key=lambda j: nodes[j].place()):
            if w not in members or (v, w) in cut:
                continue
            if w == head:
                ring = [v]
                while ring[-1] != head:
                    ring.append(parent[ring[-1]])
                return ring[::-1]
            if w not in parent:
                parent[w] = v
                queue.append(w)
    raise AssertionError("a strongly connected component without a cycle")


def _cycle(nodes: Sequence[Node], ring: list[int], line: int) -> Diagnostic:
    head, last = nodes[ring[0]], nodes[ring[-1]]
    if len(ring) == 1:
        message = f"{head.named()} depends on itself; that is ignored; drop the dependency"
    else:
        members = [nodes[i].named() for i in [ring[0], *ring[:0:-1], ring[0]]]
        chain = f"{members[0]} depends on " + ", which depends on ".join(members[1:])
        message = (
            f"dependency cycle: {chain}; the passes ignore that '{head.title}' depends on "
            f"'{last.title}'; drop one of these dependencies"
        )
    return error(head.path, line, "dependency.cycle", message)
