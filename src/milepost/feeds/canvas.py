"""A business model's roadmap as a JSON Canvas 1.0 file that keeps the user's layout.

**Layout.** Time runs left to right in quarter lanes: one group per calendar quarter that has a
milestone (``Q3 2026``); quarters without one take no room (a jump over them, a little). A
milestone sits in the lane of its due date (its done date once achieved), its card below the
earlier ones of that quarter. Status is the card's colour rather
than its lane, because status changes far more often than the quarter, and a kept card would
otherwise sit in a lane that no longer says the truth. The undated milestones are a group above
the lanes, next to the legend card.

**Colours** (the spec's presets): ``"1"`` red overdue, ``"3"`` yellow in progress, ``"5"`` cyan
planned, ``"4"`` green achieved, no colour (Obsidian's grey) cancelled, ``"6"`` purple the
legend. A dependency edge that ends at a milestone due before the one it waits for is red.

**Keeping the user's layout.** Every node milepost makes has an id no Obsidian id can be
(Obsidian makes 16 hex digits): ``milestone-<identity>``, ``quarter-<year>-Q<n>``, ``undated``,
``dependency-…`` and the legend ``milepost``, which is also the marker: a canvas without it is not
milepost's. Given the canvas as it is on disk, the generator keeps the position and size of each
of its nodes that is still wanted, lays out only the new ones (a card in its lane, a lane beside
its nearest kept neighbour, each below anything already there), removes its nodes of milestones
that are gone, and keeps every node and edge the user added (an edge only while both its ends
exist).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from ..model import Status
from ..records import Record
from .canvasjson import dump_canvas
from .records import FeedMilestone, plain
from .space import Box, Occupied

Node = dict[str, Any]
Cards = Literal["file", "text"]

CARD_W, CARD_H = 400, 200
PAD, GAP = 20, 40
LANE = CARD_W + 2 * PAD + 80
"""Distance between the left edges of two neighbouring quarter lanes."""
JUMP = 160
"""Extra room between two lanes whose quarters are not neighbours (empty quarters take none)."""
UNDATED_PER_ROW = 4
LEGEND_W, LEGEND_H = CARD_W + 2 * PAD, 280
MARKER = "milepost"
COLOURS: Mapping[Status, str | None] = {
    "overdue": "1",
    "in_progress": "3",
    "planned": "5",
    "achieved": "4",
    "cancelled": None,
}
OWNED_FIELDS = ("type", "text", "file", "subpath", "color", "label")
"""Fields of its own nodes that milepost rewrites; any other field a node carries is kept."""
GEOMETRY = ("x", "y", "width", "height")
PREFIXES = ("milestone-", "quarter-", "dependency-")
_SAFE = re.compile(r"[A-Za-z0-9-]*")


class NotMilepost(Record, frozen=True):
    """The canvas on disk is not milepost's to rewrite: the caller reports a conflict."""

    reason: str


def canvas_id(identity: str) -> str:
    """An identity as part of a canvas id: letters, digits and ``-`` kept, the rest ``_xx``."""
    if _SAFE.fullmatch(identity):
        return identity
    out: list[str] = []
    for char in identity:
        if char.isascii() and (char.isalnum() or char == "-"):
            out.append(char)
        else:
            out.extend(f"_{b:02x}" for b in char.encode("utf-8"))
    return "".join(out)


def is_milepost_id(node_id: str) -> bool:
    return node_id in (MARKER, "undated") or node_id.startswith(PREFIXES)


def roadmap_canvas(
    milestones: Iterable[FeedMilestone],
    *,
    model: str,
    previous: bytes | None = None,
    cards: Cards = "file",
) -> bytes | NotMilepost:
    """The canvas of ``model``'s milestones, merged into ``previous`` (the file on disk).

    ``cards="file"`` shows a milestone that has a heading (or is a whole note) as its note's
    section; ``"text"`` shows every milestone as a card of its own title, dates and link.
    """
    chosen = [m for m in milestones if m.model == model]
    fresh = _Layout(chosen, model, cards)
    if previous is None:
        old_nodes: list[Node] = []
        old_edges: list[Node] = []
    else:
        read = read_canvas(previous)
        if isinstance(read, NotMilepost):
            return read
        old_nodes, old_edges = read
    nodes = _merge(fresh, old_nodes)
    edges = _edges(fresh, old_edges, {n["id"] for n in nodes})
    return (dump_canvas(nodes, edges) + "\n").encode("utf-8")


def read_canvas(data: bytes) -> tuple[list[Node], list[Node]] | NotMilepost:
    """The nodes and edges of a canvas milepost wrote, or why it is not one."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return NotMilepost(f"it is not JSON ({exc})")
    if not isinstance(parsed, dict):
        return NotMilepost("it is not a JSON Canvas (the top level is not an object)")
    nodes, edges = parsed.get("nodes", []), parsed.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        return NotMilepost("it is not a JSON Canvas (nodes and edges must be lists)")
    nodes = [n for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)]
    edges = [e for e in edges if isinstance(e, dict) and isinstance(e.get("id"), str)]
    if not any(n["id"] == MARKER and n.get("type") == "text" for n in nodes):
        return NotMilepost(
            f'it has no milepost legend card (a text node with id "{MARKER}"), so it is '
            "someone else's canvas; rename it or move it elsewhere to let milepost write its own"
        )
    return nodes, edges


def _geometry(node: Node) -> Box | None:
    values = [node.get(k) for k in GEOMETRY]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return None
    x, y, w, h = (round(v) for v in values)  # type: ignore[arg-type]
    return Box(x, y, max(w, 1), max(h, 1))


def _with_box(node: Node, box: Box) -> Node:
    return {**node, "x": box.x, "y": box.y, "width": box.width, "height": box.height}


class _Layout:
    """Where every node of a fresh canvas goes, and which group each card belongs to."""

    def __init__(self, milestones: list[FeedMilestone], model: str, cards: Cards) -> None:
        self.nodes: list[tuple[Node, Box]] = []
        self.group_of: dict[str, str] = {}
        self.upward: set[str] = set()
        self.milestones = {canvas_id(m.identity): m for m in milestones}
        lanes: dict[int, list[FeedMilestone]] = {}
        undated: list[FeedMilestone] = []
        for m in sorted(milestones, key=_order):
            when = m.when
            if when is None:
                undated.append(m)
            else:
                lanes.setdefault(when.end.year * 4 + (when.end.month - 1) // 3, []).append(m)
        self.lanes: list[str] = []
        x, before = 0, None
        for quarter in sorted(lanes):
            if before is not None:
                x += LANE + (JUMP if quarter - before > 1 else 0)
            self._lane(quarter, x, lanes[quarter], cards)
            before = quarter
        legend = Box(0, -2 * GAP - LEGEND_H, LEGEND_W, LEGEND_H)
        self.nodes.append(
            ({"id": MARKER, "type": "text", "text": _legend(model), "color": "6"}, legend)
        )
        if undated:
            self._undated(LANE, undated, cards)

    def _lane(self, quarter: int, x: int, members: list[FeedMilestone], cards: Cards) -> None:
        year, q = divmod(quarter, 4)
        gid = f"quarter-{year}-Q{q + 1}"
        self.lanes.append(gid)
        height = 2 * PAD + len(members) * CARD_H + (len(members) - 1) * GAP
        self.nodes.append(
            (
                {"id": gid, "type": "group", "label": f"Q{q + 1} {year}"},
                Box(x, 0, LANE - 80, height),
            )
        )
        for i, m in enumerate(members):
            box = Box(x + PAD, PAD + i * (CARD_H + GAP), CARD_W, CARD_H)
            self._card(m, box, gid, cards)

    def _undated(self, x: int, members: list[FeedMilestone], cards: Cards) -> None:
        cols = min(len(members), UNDATED_PER_ROW)
        rows = (len(members) + cols - 1) // cols
        bottom = -2 * GAP
        height = 2 * PAD + rows * CARD_H + (rows - 1) * GAP
        width = 2 * PAD + cols * CARD_W + (cols - 1) * GAP
        self.nodes.append(
            (
                {"id": "undated", "type": "group", "label": "Undated"},
                Box(x, bottom - height, width, height),
            )
        )
        self.upward.add("undated")
        for i, m in enumerate(members):
            row, col = divmod(i, cols)
            top = bottom - PAD - (row + 1) * CARD_H - row * GAP
            self._card(
                m, Box(x + PAD + col * (CARD_W + GAP), top, CARD_W, CARD_H), "undated", cards
            )

    def _card(self, m: FeedMilestone, box: Box, group: str, cards: Cards) -> None:
        nid = f"milestone-{canvas_id(m.identity)}"
        node: Node = {"id": nid}
        if cards == "file" and m.path and (m.heading or m.whole_note):
            node.update(type="file", file=m.path)
            if m.heading and not m.whole_note:
                node["subpath"] = f"#{m.heading}"
        else:
            node.update(type="text", text=card_text(m))
        colour = COLOURS[m.status]
        if colour is not None:
            node["color"] = colour
        self.nodes.append((node, box))
        self.group_of[nid] = group


def _order(m: FeedMilestone) -> tuple[object, ...]:
    when = m.when
    return (when.end if when else None) is None, when.end if when else 0, plain(m.title), m.identity


def card_text(m: FeedMilestone) -> str:
    """A text card: the title, its dates and status, owner and budget, a link to its note."""
    lines = [f"**{m.title.strip() or 'Untitled milestone'}**"]
    status = m.status.replace("_", " ")
    if m.status == "achieved" and m.done is not None:
        lines.append(f"Achieved {m.done.text}")
    elif m.due is not None:
        lines.append(f"Due {m.due.text} · {status}")
    else:
        lines.append(f"Undated · {status}")
    extra = [f"Owner: {m.owner}" if m.owner else "", f"Budget: {m.budget}" if m.budget else ""]
    if any(extra):
        lines.append(" · ".join(e for e in extra if e))
    if m.path:
        target = m.path[:-3] if m.path.lower().endswith(".md") else m.path
        shown = target.rsplit("/", 1)[-1] + (f" › {m.heading}" if m.heading else "")
        sub = f"#{m.heading}" if m.heading else ""
        lines.append(f"[[{target}{sub}|{shown}]]")
    return "\n".join(lines)


def _legend(model: str) -> str:
    return "\n".join(
        [
            f"**{model} · roadmap**, generated by milepost",
            "",
            "Lanes are quarters, by due date (done date once achieved).",
            "Red: overdue · Yellow: in progress · Cyan: planned · Green: achieved · "
            "Grey: cancelled. A red arrow waits on something due later.",
            "",
            "Move and resize cards as you like: milepost keeps them where you put them, adds "
            "new milestones below the others of their quarter, and removes the cards of "
            "milestones that are gone. Delete this card and milepost leaves the canvas alone.",
        ]
    )


def _merge(fresh: _Layout, old_nodes: list[Node], *, fast: bool = True) -> list[Node]:
    """Fresh nodes with the kept geometry of the old ones; new cards placed where nothing is.
    Into an empty canvas (``fast``) the fresh layout goes as it is: its cards touch nothing
    and each group holds its cards exactly, which is what placing them one by one gives."""
    if fast and not old_nodes:
        laid = [_with_box(node, box) for node, box in fresh.nodes]
        return [n for n in laid if n["type"] == "group"] + [n for n in laid if n["type"] != "group"]
    old = {n["id"]: n for n in old_nodes}
    wanted = {node["id"] for node, _ in fresh.nodes}
    user = [n for n in old_nodes if not is_milepost_id(n["id"])]
    placed: dict[str, Box] = {}
    there: list[tuple[Box, bool]] = []  # the old nodes' boxes, each with: is it a card?
    for n in old_nodes:
        box = _geometry(n)
        if box is None or (is_milepost_id(n["id"]) and n["id"] not in wanted):
            continue
        if n["id"] in wanted:
            placed[n["id"]] = box
        there.append((box, n.get("type") != "group"))
    occupied = Occupied(GAP // 2)
    taken = Occupied(GAP)
    if any(node["id"] not in placed for node, _ in fresh.nodes):  # something to place
        for box, card in there:
            if card:
                occupied.add(box)
            taken.add(box)
    fresh_boxes = {node["id"]: box for node, box in fresh.nodes}
    _new_lanes(fresh.lanes, fresh_boxes, placed, taken)
    for node, box in fresh.nodes:
        if node["type"] == "group" or node["id"] == MARKER:
            placed.setdefault(node["id"], box)
    grown: dict[str, Box] = {}
    for node, box in fresh.nodes:
        nid = node["id"]
        if nid in placed:
            continue
        group = fresh.group_of[nid]
        was, now = fresh_boxes[group], placed[group]
        upward = group in fresh.upward
        shift_y = now.bottom - was.bottom if upward else now.y - was.y
        spot = occupied.place(box.moved(now.x - was.x, shift_y), upward=upward)
        placed[nid] = spot
        padded = Box(spot.x - PAD, spot.y - PAD, spot.width + 2 * PAD, spot.height + 2 * PAD)
        grown[group] = grown[group].union(padded) if group in grown else padded
    result: list[Node] = []
    for node, _ in fresh.nodes:
        nid = node["id"]
        box = placed[nid].union(grown[nid]) if nid in grown else placed[nid]
        kept = {k: v for k, v in old.get(nid, {}).items() if k not in OWNED_FIELDS}
        result.append(_with_box({**kept, **node}, box))
    groups = [n for n in result if n["type"] == "group"]
    others = [n for n in result if n["type"] != "group"]
    return [
        *groups,
        *[u for u in user if u.get("type") == "group"],
        *others,
        *[u for u in user if u.get("type") != "group"],
    ]


def _new_lanes(
    lanes: list[str], fresh: Mapping[str, Box], placed: dict[str, Box], taken: Occupied
) -> None:
    """Place the lanes the canvas did not have, beside their nearest kept neighbour.

    A new lane keeps its distance to the nearest earlier lane (or, when there is none, the
    nearest later one) as that lane stands now, and slides down below whatever is there.
    """
    for i, gid in enumerate(lanes):
        if gid in placed:
            continue
        earlier = [g for g in lanes[:i] if g in placed]
        later = [g for g in lanes[i + 1 :] if g in placed]
        anchor = earlier[-1] if earlier else later[0] if later else None
        box = fresh[gid]
        if anchor is not None:
            box = box.moved(placed[anchor].x - fresh[anchor].x, placed[anchor].y - fresh[anchor].y)
        placed[gid] = taken.place(box)


def _edges(fresh: _Layout, old_edges: list[Node], present: set[str]) -> list[Node]:
    old = {e["id"]: e for e in old_edges}
    made: list[Node] = []
    for cid, m in fresh.milestones.items():
        to = f"milestone-{cid}"
        for other in m.depends_on:
            source = fresh.milestones.get(canvas_id(other))
            if source is None:
                continue
            eid = f"dependency-{canvas_id(other)}__{cid}"
            edge: Node = {
                "id": eid,
                "fromNode": f"milestone-{canvas_id(other)}",
                "fromSide": "right",
                "toNode": to,
                "toSide": "left",
                "toEnd": "arrow",
            }
            before, after = source.when, m.when
            if before is not None and after is not None and before.end > after.end:
                edge.update(color="1", label="due before what it waits for")
            sides: Node = {k: old[eid][k] for k in ("fromSide", "toSide") if k in old.get(eid, {})}
            made.append({**edge, **sides})
    made.sort(key=lambda e: e["id"])
    mine = {e["id"] for e in made}
    kept = [
        e
        for e in old_edges
        if not is_milepost_id(e["id"])
        and e["id"] not in mine
        and e.get("fromNode") in present
        and e.get("toNode") in present
    ]
    return [*made, *kept]
