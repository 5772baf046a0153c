"""Strategy -> tactic -> milestone: which strategy and tactic each milestone of a note serves.

``Strategy: …`` / ``Tactic: …`` headings (any level, any case, an emoji before them allowed) hold
until a heading at their level or above; a page-level ``strategy::`` / ``tactic::`` field holds
until a heading at the level of the one it stands under, or above. A new strategy ends the last
one's tactic. A tactic with no open milestone is ``trace.stalled``.
"""

from __future__ import annotations

from ..errors import Diagnostic, warning
from ..model import Milestone
from .dependencies import chain_heading


class Chain:
    """The strategy and tactic in force while a note is read, and the tactics seen."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.held: list[tuple[int, str, str]] = []
        """(level, ``strategy`` or ``tactic``, name), outermost first."""
        self.tactics: dict[tuple[str, str], tuple[int, bool]] = {}
        """(strategy, tactic) -> the line it was first seen on, and whether one of its
        milestones is open."""

    def of(self, kind: str) -> str | None:
        """The strategy or tactic in force."""
        return next((name for _, k, name in reversed(self.held) if k == kind), None)

    def heading(self, level: int, plain: str, line: int) -> None:
        while self.held and self.held[-1][0] >= level:
            self.held.pop()
        found = chain_heading(plain) if ":" in plain or "：" in plain else None
        if found is not None:
            self.hold(level, *found, line)

    def field(self, key: str, value: str, level: int, line: int) -> None:
        """A page-level field: ``level`` is that of the heading it stands under (0: none)."""
        kind = key.strip().lower()
        if kind in ("strategy", "tactic") and value.strip():
            self.held = [c for c in self.held if c[1] != kind]
            self.hold(level, kind, value.strip(), line)

    def hold(self, level: int, kind: str, name: str, line: int) -> None:
        if kind == "strategy":  # a new strategy ends the tactic of the last one
            self.held = [c for c in self.held if c[1] != "tactic"]
        self.held.append((level, kind, name))
        if kind == "tactic":
            self.seen(self.of("strategy"), name, line)

    def seen(self, strategy: str | None, tactic: str, line: int) -> tuple[int, bool]:
        return self.tactics.setdefault((strategy or "", tactic), (line, False))

    def milestone(self, milestone: Milestone) -> None:
        """Count a milestone read: an open one keeps its tactic going."""
        if milestone.tactic is None:
            return
        line, _ = self.seen(milestone.strategy, milestone.tactic, milestone.line)
        if milestone.status in ("planned", "in_progress"):
            self.tactics[milestone.strategy or "", milestone.tactic] = (line, True)

    def stalled(self) -> list[Diagnostic]:
        """``trace.stalled`` for each tactic of the note with no open milestone."""
        return [
            warning(
                self.path,
                line,
                "trace.stalled",
                f"tactic {tactic!r}"
                + (f" of strategy {strategy!r}" if strategy else "")
                + " has no open milestone; add the next one, or mark the tactic done",
            )
            for (strategy, tactic), (line, live) in sorted(
                self.tactics.items(), key=lambda kv: kv[1][0]
            )
            if not live
        ]
