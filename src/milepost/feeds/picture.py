"""A JSON Canvas drawn as a static SVG picture, for the exported site.

Groups as labelled frames, nodes as cards with a one-line label (a file node by its note's name
and subpath, a text node by its first line, a link node by its URL), edges as lines with
arrowheads, the whole scaled to fit a given width. Every string that comes from the canvas is
escaped and every number is read as a number; colours are the spec's presets or ``#RRGGBB``,
anything else is drawn grey. The picture has no script and links to nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from html import escape
from typing import Any

from .records import plain

PRESETS = {
    "1": "#e93147",
    "2": "#ec7500",
    "3": "#e0ac00",
    "4": "#08b94e",
    "5": "#00bfbc",
    "6": "#7852ee",
}
"""The colours Obsidian shows for the spec's preset numbers."""
GREY = "#8a8a8a"
MARGIN = 60
_HEX = re.compile(r"#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{3}")

Box = tuple[int, int, int, int]


def colour(value: object) -> str:
    """A canvas colour as SVG can take it: a preset's colour, a hex colour, or grey."""
    if isinstance(value, str):
        if value in PRESETS:
            return PRESETS[value]
        if _HEX.fullmatch(value):
            return value.lower()
    return GREY


def label(node: Mapping[str, Any]) -> str:
    """What a node is called in the picture."""
    kind = node.get("type")
    if kind == "file":
        path = str(node.get("file", ""))
        name = path.rsplit("/", 1)[-1]
        name = name[:-3] if name.lower().endswith(".md") else name
        sub = str(node.get("subpath") or "").lstrip("#")
        return f"{name} › {sub}" if sub else name
    if kind == "link":
        return str(node.get("url", ""))
    if kind == "group":
        return str(node.get("label") or "")
    for line in str(node.get("text", "")).splitlines():
        shown = plain(line.lstrip("#>-*+ \t"))
        if shown:
            return shown
    return ""


def _box(node: Mapping[str, Any]) -> Box | None:
    values = [node.get(k) for k in ("x", "y", "width", "height")]
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return None
    x, y, w, h = (round(v) for v in values)  # type: ignore[arg-type]
    return x, y, max(w, 1), max(h, 1)


def _clip(text: str, width: int) -> str:
    limit = max(4, width // 9)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _side(box: Box, side: object, toward: Box) -> tuple[int, int]:
    x, y, w, h = box
    if side not in ("top", "right", "bottom", "left"):
        tx, ty = toward[0] + toward[2] // 2, toward[1] + toward[3] // 2
        dx, dy = tx - (x + w // 2), ty - (y + h // 2)
        side = (
            ("right" if dx > 0 else "left")
            if abs(dx) >= abs(dy)
            else ("bottom" if dy > 0 else "top")
        )
    return {
        "top": (x + w // 2, y),
        "right": (x + w, y + h // 2),
        "bottom": (x + w // 2, y + h),
        "left": (x, y + h // 2),
    }[str(side)]


def canvas_svg(canvas: bytes | Mapping[str, Any], *, width: int = 960, title: str = "") -> str:
    """The SVG markup of ``canvas`` (its JSON, or the parsed object), ``width`` pixels wide."""
    data = json.loads(canvas) if isinstance(canvas, bytes) else canvas
    nodes = [n for n in data.get("nodes", []) if isinstance(n, dict) and _box(n) is not None]
    boxes: dict[str, Box] = {}
    for n in nodes:
        boxes[str(n.get("id"))] = _box(n)  # type: ignore[assignment]
    if boxes:
        left = min(b[0] for b in boxes.values()) - MARGIN
        top = min(b[1] for b in boxes.values()) - MARGIN
        right = max(b[0] + b[2] for b in boxes.values()) + MARGIN
        bottom = max(b[1] + b[3] for b in boxes.values()) + MARGIN
    else:
        left, top, right, bottom = 0, 0, 2 * MARGIN, 2 * MARGIN
    span_w, span_h = right - left, bottom - top
    height = max(1, round(width * span_h / span_w))
    edges = [e for e in data.get("edges", []) if isinstance(e, dict)]
    arrows = {
        c: f"mp-arrow-{i}" for i, c in enumerate(sorted({colour(e.get("color")) for e in edges}))
    }
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mp-canvas" role="img" '
        f'viewBox="{left} {top} {span_w} {span_h}" width="{width}" height="{height}" '
        'preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title or 'Canvas')}</title>",
        "<defs>",
        *(
            f'<marker id="{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
            f'markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
            f'fill="{c}"/></marker>'
            for c, name in arrows.items()
        ),
        "</defs>",
        f'<rect x="{left}" y="{top}" width="{span_w}" height="{span_h}" fill="#ffffff"/>',
    ]
    for n in nodes:
        if n.get("type") == "group":
            out.extend(_group(n, boxes[str(n.get("id"))]))
    for edge in edges:
        out.extend(_edge(edge, boxes, arrows))
    for n in nodes:
        if n.get("type") != "group":
            out.extend(_card(n, boxes[str(n.get("id"))]))
    out.append("</svg>")
    return "\n".join(out)


def _group(node: Mapping[str, Any], box: Box) -> list[str]:
    x, y, w, h = box
    c = colour(node.get("color"))
    text = label(node)
    parts = [
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="12" fill="{c}" fill-opacity="0.06" '
        f'stroke="{c}" stroke-width="3"/>'
    ]
    if text:
        parts.append(
            f'<text x="{x + 8}" y="{y - 12}" font-family="sans-serif" font-size="28" '
            f'font-weight="bold" fill="#333333">{escape(_clip(text, w * 2))}</text>'
        )
    return parts


def _card(node: Mapping[str, Any], box: Box) -> list[str]:
    x, y, w, h = box
    c = colour(node.get("color"))
    text = label(node)
    return [
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{c}" fill-opacity="0.12" '
        f'stroke="{c}" stroke-width="3"/>',
        f'<text x="{x + 14}" y="{y + 40}" font-family="sans-serif" font-size="24" '
        f'fill="#222222">{escape(_clip(text, w * 3 // 4))}</text>',
    ]


def _edge(
    edge: Mapping[str, Any], boxes: Mapping[str, Box], arrows: Mapping[str, str]
) -> list[str]:
    start, end = boxes.get(str(edge.get("fromNode"))), boxes.get(str(edge.get("toNode")))
    if start is None or end is None:
        return []
    x1, y1 = _side(start, edge.get("fromSide"), end)
    x2, y2 = _side(end, edge.get("toSide"), start)
    c = colour(edge.get("color"))
    arrow = f"url(#{arrows[c]})"
    marks = ""
    if edge.get("toEnd", "arrow") == "arrow":
        marks += f' marker-end="{arrow}"'
    if edge.get("fromEnd", "none") == "arrow":
        marks += f' marker-start="{arrow}"'
    parts = [
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{c}" stroke-width="4"{marks}/>'
    ]
    text = edge.get("label")
    if isinstance(text, str) and text:
        parts.append(
            f'<text x="{(x1 + x2) // 2}" y="{(y1 + y2) // 2 - 8}" font-family="sans-serif" '
            f'font-size="20" text-anchor="middle" fill="#444444">{escape(_clip(text, 600))}</text>'
        )
    return parts
