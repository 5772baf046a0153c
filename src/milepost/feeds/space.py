"""Rectangles on a canvas, and where a new one fits without covering any other."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..records import Record

CELL = 512
"""Side of a bucket of the spatial index, in canvas pixels."""


class Box(Record, frozen=True):
    """A rectangle in canvas pixels: ``x``, ``y`` its top-left corner."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def moved(self, dx: int, dy: int) -> Box:
        return Box(self.x + dx, self.y + dy, self.width, self.height)

    def overlaps(self, other: Box, margin: int = 0) -> bool:
        """True when the two share area, or come closer than ``margin``."""
        return (
            self.x < other.right + margin
            and other.x < self.right + margin
            and self.y < other.bottom + margin
            and other.y < self.bottom + margin
        )

    def union(self, other: Box) -> Box:
        x, y = min(self.x, other.x), min(self.y, other.y)
        return Box(x, y, max(self.right, other.right) - x, max(self.bottom, other.bottom) - y)


class Occupied:
    """The boxes already on the canvas, bucketed so a look-up reads only those nearby."""

    def __init__(self, margin: int) -> None:
        self.margin = margin
        self._cells: dict[tuple[int, int], list[Box]] = defaultdict(list)

    def _keys(self, box: Box) -> Iterator[tuple[int, int]]:
        m = self.margin
        for cx in range((box.x - m) // CELL, (box.right + m) // CELL + 1):
            for cy in range((box.y - m) // CELL, (box.bottom + m) // CELL + 1):
                yield cx, cy

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self._cells[key].append(box)

    def hits(self, box: Box) -> list[Box]:
        """The boxes that ``box`` would touch."""
        found: dict[Box, None] = {}
        for key in self._keys(box):
            for other in self._cells.get(key, ()):
                if other.overlaps(box, self.margin):
                    found[other] = None
        return list(found)

    def place(self, box: Box, *, upward: bool = False) -> Box:
        """``box``, slid down (or up) until it touches nothing; added to the occupied boxes."""
        while hits := self.hits(box):
            if upward:
                box = Box(box.x, min(h.y for h in hits) - self.margin - box.height, *_size(box))
            else:
                box = Box(box.x, max(h.bottom for h in hits) + self.margin, *_size(box))
        self.add(box)
        return box


def _size(box: Box) -> tuple[int, int]:
    return box.width, box.height
