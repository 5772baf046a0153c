"""The dependency graph: milestones as nodes, the references they make resolved to edges.

A reference names an id (Tasks ``⛔ a,b``, ``[dependsOn:: a]``) or a note or heading the caller
already resolved to a vault path (``depends:: [[Note]]``, ``after:: [[Note#heading]]``, front
matter ``depends-on``/``blockedBy``): a milestone note is the milestone; a heading means the
first milestone under it. An id is the first by path and line of the milestones that define it.
Pure: :func:`resolve` reads records and returns records. Below it, the graph's order over node
positions: :func:`topological`, and :func:`cut_cycles`, which leaves out one edge per cycle,
chosen by path and line alone, and reports it. :mod:`.deps` runs the passes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from msgspec import field

from .errors import Diagnostic, error, warning
from .index import Entry, heading_key
from .model import Period, Status
from .parse.dependencies import gap_days
from .records import Record


def parse_gap(text: str) -> int | None:
    """Days in a gap: ISO 8601 ``P2W``, ``P10D``, ``P1W3D``, or ``2w``, ``10d``, ``3 days``,
    ``1 week 2 days``. None when unreadable (months and years have no fixed length). The parser
    reads gaps as notes write them (:func:`milepost.parse.dependencies.gap_days`)."""
    return gap_days(text)


class Reference(Record, frozen=True):
    """One dependency as written: on an id, or on a note or heading the caller resolved."""

    line: int
    """Line it is written on (0: the milestone's own line)."""
    id: str | None = None
    """The id it names (``⛔ mvp``, ``[dependsOn:: mvp]``); None for a note or heading."""
    note: str | None = None
    """Vault path of the note a link names (``depends:: [[Beta]]``, front matter ``depends-on``)."""
    heading: str | None = None
    """The heading the link names (``after:: [[Beta#Launch]]``), if any."""
    gap: int = 0
    """Days that must pass after the other milestone finishes."""

    def __post_init__(self) -> None:
        if (self.id is None) == (self.note is None) or self.gap < 0:
            raise ValueError(f"a reference names one id or one note, with a gap >= 0: {self}")

    def shown(self) -> str:
        if self.id is not None:
            return f"id {self.id!r}"
        return f"[[{self.note}#{self.heading}]]" if self.heading else f"[[{self.note}]]"


class Node(Record, frozen=True):
    """A milestone as the passes see it."""

    key: str
    """The milestone's id in the JSON index."""
    title: str
    path: str
    line: int
    model: str
    """Key of its business model."""
    status: Status
    due: Period | None = None
    done: Period | None = None
    defines: tuple[str, ...] = ()
    """Ids it defines (Tasks ``🆔``, ``[id:: …]``)."""
    references: tuple[Reference, ...] = ()
    """What it depends on."""

    def window(self) -> tuple[date, date] | None:
        """The days it may finish in; None when it has no bounds of its own."""
        if self.status == "achieved":
            return None if self.done is None else (self.done.end, self.done.end)
        if self.status == "cancelled" or self.due is None:
            return None
        return (self.due.start, self.due.end)

    def place(self) -> tuple[str, int, str]:
        """Where it is written: how ties between milestones are broken."""
        return (self.path, self.line, self.key)

    def named(self) -> str:
        """Its title and ``path:line``, for messages."""
        return f"'{self.title}' ({self.path}:{self.line})"


class Targets(Record, frozen=True):
    """The milestones a note or heading link can name."""

    notes: dict[str, str] = field(default_factory=dict)
    """Note path -> key of the milestone the whole note is (front matter ``tags: [milestone]``)."""
    headings: dict[tuple[str, str], str] = field(default_factory=dict)
    """(note path, :func:`~milepost.index.heading_key` of a heading) -> key of the first
    milestone under it."""


class Edge(Record, frozen=True):
    """``after`` depends on ``before``: it finishes ``gap`` days after it at the earliest."""

    before: str
    after: str
    gap: int
    line: int
    """Line of the reference, in ``after``'s note."""


class Graph(Record, frozen=True):
    """The resolved dependencies, one edge per pair (the largest gap), and what did not resolve."""

    edges: tuple[Edge, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


# ----- from the index ------------------------------------------------------------------------
def node_of(entry: Entry, defines: Iterable[str] = (), refs: Iterable[Reference] = ()) -> Node:
    """The node of an index entry, with the ids it defines and the references it makes."""
    m = entry.milestone
    return Node(
        entry.id,
        m.title,
        entry.path,
        m.line,
        entry.model_key,
        entry.status,
        m.due,
        m.done,
        tuple(defines),
        tuple(refs),
    )


def targets_of(entries: Iterable[Entry]) -> Targets:
    """Which milestone each milestone note and each heading with milestones under it names."""
    notes: dict[str, str] = {}
    headings: dict[tuple[str, str], str] = {}
    for entry in sorted(entries, key=lambda e: (e.path, e.milestone.line, e.id)):
        if entry.milestone.note_milestone:
            notes.setdefault(entry.path, entry.id)
        elif entry.milestone.heading is not None:
            headings.setdefault((entry.path, heading_key(entry.milestone.heading)), entry.id)
    return Targets(notes, headings)


# ----- resolving -----------------------------------------------------------------------------
def resolve(nodes: Sequence[Node], targets: Targets) -> Graph:
    """The edges the nodes' references make; unknown targets and duplicated ids reported."""
    ids, found = _ids(nodes)
    known: set[str] | None = None
    edges: dict[tuple[str, str], tuple[tuple[str, int, str], Edge]] = {}
    for node in nodes:
        for ref in node.references:
            line = ref.line or node.line
            before = _target(ref, ids, targets)
            if before is not None and ref.note is not None:
                known = {n.key for n in nodes} if known is None else known
                before = before if before in known else None
            if before is None:
                found.append(_unknown(node, ref, line))
                continue
            edge, old = Edge(before, node.key, ref.gap, line), edges.get((before, node.key))
            if old is None or (edge.gap, -edge.line) > (old[1].gap, -old[1].line):
                edges[before, node.key] = (node.place(), edge)
    ordered = [edge for _, edge in sorted(edges.values(), key=lambda e: (e[0], e[1].before))]
    return Graph(tuple(ordered), tuple(sorted(found)))


def _ids(nodes: Sequence[Node]) -> tuple[dict[str, str], list[Diagnostic]]:
    """The node key each id names (the first definer by path and line), and the duplicates."""
    first: dict[str, Node] = {}
    shared: dict[str, list[Node]] = {}
    for node in nodes:
        for name in node.defines:
            had = first.setdefault(name, node)
            if had is not node:
                shared.setdefault(name, [had]).append(node)
    ids = {name: node.key for name, node in first.items()}
    found: list[Diagnostic] = []
    for name, definers in shared.items():
        who = sorted(dict.fromkeys(definers), key=Node.place)
        ids[name] = who[0].key
        found.extend(
            warning(
                other.path,
                other.line,
                "dependency.duplicate-id",
                f"id {name!r} of {other.named()} is already the id of {who[0].named()}, "
                "which references to it mean; give one of them another id",
            )
            for other in who[1:]
        )
    return ids, found


def _target(ref: Reference, ids: dict[str, str], targets: Targets) -> str | None:
    if ref.id is not None:
        return ids.get(ref.id)
    assert ref.note is not None
    if ref.heading:
        key = targets.headings.get((ref.note, heading_key(ref.heading.split("#")[-1])))
        if key is not None:
            return key
    return targets.notes.get(ref.note)


def _unknown(node: Node, ref: Reference, line: int) -> Diagnostic:
    if ref.id is not None:
        what = (
            f"which no milestone defines; fix the id, or give the milestone it means "
            f"🆔 {ref.id} or [id:: {ref.id}]"
        )
    elif ref.heading:
        what = "but no milestone sits under that heading; link to a heading with one under it"
    else:
        what = (
            "which is no milestone note; link to the heading of the milestone "
            "(`[[note#heading]]`) or add `milestone` to the note's tags"
        )
    message = f"{node.named()} depends on {ref.shown()}, {what}"
    return warning(node.path, line, "dependency.unknown", message)


# ----- order ---------------------------------------------------------------------------------
Adjacency = dict[int, list[tuple[int, int]]]
"""Node -> (other node, gap) of its edges."""


def topological(succs: Adjacency) -> tuple[list[int], set[int]]:
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


# ----- cycles --------------------------------------------------------------------------------
def cut_cycles(
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    pairs: list[tuple[int, int]],
    succs: Adjacency,
    stuck: set[int],
) -> tuple[set[tuple[int, int]], list[Diagnostic]]:
    """One edge per cycle to leave out, chosen by path and line alone, and the reports.

    A depth-first search over the ``stuck`` nodes (those :func:`topological` could not order),
    from each in turn by path and line and on to its successors in that order, cuts every edge
    that leads back onto its own path: what remains has no cycle. ``succs`` holds every edge,
    ``pairs`` their ends in the order of ``edges``.
    """
    cut: set[tuple[int, int]] = set()
    found: list[Diagnostic] = []
    if not stuck:
        return cut, found
    line = {pair: edge.line for pair, edge in zip(pairs, edges, strict=True)}

    def onward(v: int) -> Iterator[int]:
        ahead = {w for w, _ in succs.get(v, ()) if w in stuck}
        return iter(sorted(ahead, key=lambda w: nodes[w].place()))

    done: set[int] = set()
    for root in sorted(stuck, key=lambda i: nodes[i].place()):
        if root in done:
            continue
        path, at, work = [root], {root: 0}, [onward(root)]
        while work:
            v = path[-1]
            for w in work[-1]:
                if w in at:  # back onto the path: w ... v is a cycle
                    cut.add((v, w))
                    found.append(_cycle(nodes, path, at[w], line[v, w]))
                elif w not in done:
                    at[w] = len(path)
                    path.append(w)
                    work.append(onward(w))
                    break
            else:
                work.pop()
                done.add(v)
                del at[path.pop()]
    return cut, found


def _cycle(nodes: Sequence[Node], path: list[int], start: int, line: int) -> Diagnostic:
    """The cycle ``path[start:]`` (each depends on the one before, the first on the last), its
    first member's dependency on the last one left out."""
    head, last = nodes[path[start]], nodes[path[-1]]
    if start == len(path) - 1:
        message = f"{head.named()} depends on itself; that is ignored; drop the dependency"
        return error(head.path, line, "dependency.cycle", message)
    size = len(path) - start
    shown = [nodes[path[i]].named() for i in range(len(path) - 1, max(start, len(path) - 5), -1)]
    if size > 5:
        shown.append(f"… {size - 5} more …")
    chain = ", which depends on ".join([*shown, head.named()])
    message = (
        f"dependency cycle of {size} milestones: {head.named()} depends on {chain}; the passes "
        f"ignore that '{head.title}' depends on '{last.title}'; drop one of these dependencies"
    )
    return error(head.path, line, "dependency.cycle", message)
