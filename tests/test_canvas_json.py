"""A canvas's text is made by the C encoder one node at a time: it must be exactly what
``json.dumps`` with indentation writes, for the canvases milepost makes and for any node a user
adds (nested values too)."""

from __future__ import annotations

import json
import random
from itertools import product
from typing import Any

from milepost.feeds import roadmap_canvas
from milepost.feeds.canvas import Cards, _Layout, _merge
from milepost.feeds.canvasjson import dump_canvas

from .test_feeds_ics import milestones, texts


def reference(nodes: list[dict[str, Any]], edges: list[dict[str, Any]]) -> str:
    return json.dumps(
        {"nodes": nodes, "edges": edges}, indent="\t", sort_keys=True, ensure_ascii=False
    )


def test_milepost_s_canvases_are_written_as_json_dumps_writes_them() -> None:
    found = milestones(200, 5)
    kinds: tuple[Cards, ...] = ("text", "file")
    for model, cards in product(("Space X", "市場 🏁"), kinds):
        made = roadmap_canvas(found, model=model, cards=cards)
        assert isinstance(made, bytes)
        canvas = json.loads(made)
        assert made.decode("utf-8") == reference(canvas["nodes"], canvas["edges"]) + "\n"
        # merged into a canvas the user changed: a moved card, a card of their own
        canvas["nodes"][-1]["x"] += 1000.5
        canvas["nodes"].append({"id": "0123456789abcdef", "type": "text", "text": "mine ✓"})
        again = roadmap_canvas(
            found, model=model, cards=cards, previous=json.dumps(canvas).encode()
        )
        assert isinstance(again, bytes)
        merged = json.loads(again)
        assert again.decode("utf-8") == reference(merged["nodes"], merged["edges"]) + "\n"


def test_any_node_is_written_as_json_dumps_writes_it() -> None:
    rng = random.Random(6)
    words = texts(400, 7, 30)
    scalars: list[Any] = [None, True, False, 0, -3, 2**70, 1.5, -0.0, 1e300, 3.25e-9, *words]
    for _ in range(300):

        def node() -> dict[str, Any]:
            return {rng.choice(words) or "k": rng.choice(scalars) for _ in range(rng.randint(0, 6))}

        nodes = [node() for _ in range(rng.randint(0, 5))]
        edges = [node() for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.2 and nodes:  # a nested value: the whole canvas takes json's path
            nodes[0]["styleAttributes"] = {"border": rng.choice(words), "list": [1, [], {}]}
        assert dump_canvas(nodes, edges) == reference(nodes, edges)


def test_a_fresh_canvas_is_laid_out_as_placing_card_by_card_would() -> None:
    for seed in range(8):
        found = milestones(150, seed)
        for model in ("Space X", "市場 🏁", "A\nB"):
            chosen = [m for m in found if m.model == model]
            layout = _Layout(chosen, model, "file")
            assert _merge(layout, []) == _merge(layout, [], fast=False)
