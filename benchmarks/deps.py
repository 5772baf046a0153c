#!/usr/bin/env python3
"""How fast the dependency passes are on a vault-sized graph.

    python benchmarks/deps.py [--nodes 170000] [--linked 0.1] [--runs 5] [--seed 7]

Makes ``--nodes`` milestones over two years (half due on a day, a third in a month, the rest in
a quarter or undated; a few achieved or cancelled), a ``--linked`` share of them depending on
one or two earlier ones by id (some with a gap), and times :func:`milepost.deps.resolve` and
:func:`milepost.deps.schedule` (both passes, cycles, conflicts, every milestone's timing and the
critical chains). Prints the best and median of ``--runs`` runs, wall and CPU time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta

from milepost.deps import Node, Reference, Targets, resolve, schedule
from milepost.model import Period, Status

FIRST = date(2026, 1, 1)


class Windows:
    """Due periods around a day: one record per period, shared (as parsed notes share none, but
    the passes only read them)."""

    def __init__(self) -> None:
        self.made: dict[tuple[date, str], Period] = {}

    def __call__(self, day: date, roll: float) -> Period | None:
        kind = "day" if roll < 0.5 else "month" if roll < 0.8 else "quarter" if roll < 0.9 else ""
        if not kind:
            return None
        found = self.made.get((day, kind))
        if found is None:
            found = self.made[day, kind] = self.make(day, kind)
        return found

    @staticmethod
    def make(day: date, kind: str) -> Period:
        if kind == "day":
            return Period(day.isoformat(), day, day, "day")
        months = 1 if kind == "month" else 3
        first = date(day.year, day.month - (day.month - 1) % months, 1)
        after = first + timedelta(days=31 * months)
        last = after.replace(day=1) - timedelta(days=1)
        return Period(f"{kind} of {day}", first, last, "month" if months == 1 else "quarter")


def random_nodes(count: int, linked: float = 0.1, seed: int = 7) -> list[Node]:
    """``count`` milestones, a ``linked`` share depending on one or two earlier ones (a DAG)."""
    rng = random.Random(seed)
    window = Windows()
    days = [FIRST + timedelta(days=d) for d in range(-20, 751)]
    statuses: list[Status] = rng.choices(["planned", "achieved", "cancelled"], [90, 8, 2], k=count)
    nodes = []
    for i, status in enumerate(statuses):
        day = days[i * 730 // count + rng.randint(0, 40)]
        refs: tuple[Reference, ...] = ()
        if i and rng.random() < linked:
            before = rng.sample(range(max(0, i - 2000), i), min(i, rng.choice((1, 2))))
            refs = tuple(Reference(3, id=f"m{j}", gap=rng.choice((0, 0, 0, 7, 14))) for j in before)
        done = window(day, 0) if status == "achieved" else None
        nodes.append(
            Node(
                f"k{i:06d}",
                f"Milestone {i}",
                f"Notes/Note {i // 20}.md",
                3 + i % 20,
                f"model{i % 50}",
                status,
                window(day, rng.random()),
                done,
                (f"m{i}",),
                refs,
            )
        )
    return nodes


def timed(work: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=170_000)
    parser.add_argument("--linked", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args(argv)
    nodes = random_nodes(options.nodes, options.linked, options.seed)
    graph = resolve(nodes, Targets())
    result = schedule(nodes, graph)
    critical = sum(len(chain) for chain in result.chains.values())
    print(
        f"{len(nodes)} milestones, {len(graph.edges)} dependencies, {critical} critical, "
        f"{len(result.diagnostics)} findings"
    )
    for name, work in (
        ("resolve", lambda: resolve(nodes, Targets())),
        ("schedule", lambda: schedule(nodes, graph)),
    ):
        walls, cpus = timed(work, options.runs)
        print(
            f"{name:9} wall best {min(walls):.3f} s, median {statistics.median(walls):.3f} s; "
            f"CPU best {min(cpus):.3f} s, median {statistics.median(cpus):.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
