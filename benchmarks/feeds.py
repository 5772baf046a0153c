#!/usr/bin/env python3
"""Sizes and generation times of the calendar feeds, canvases, picture and Bases file.

    .venv/bin/python benchmarks/feeds.py [--notes 10000] [--seed 7]

Generates (or reuses) the vault benchmarks/run.py uses, indexes it in this process, makes the
feed records from the index, and times each generator over all of its milestones: the vault's
calendar feed and one per business model, a canvas per business model (fresh, then again from
the canvas it made, as a build does once the canvas exists, then with one milestone added), the
SVG picture of each canvas, and Portfolio.base. Prints a Markdown table with the wall-clock time
and the CPU time of this process (parsing for the index also runs in worker processes, whose CPU
is not counted; the generators run in this process alone), so a busy machine shows in the first
column and not much in the second.
"""

from __future__ import annotations

import argparse
import resource
import time
from collections.abc import Callable
from datetime import date
from typing import TypeVar

from run import TODAY, ensure_vault

from milepost import load_config, scan
from milepost.feeds import (
    NotMilepost,
    calendar,
    canvas_svg,
    from_index,
    portfolio_base,
    roadmap_canvas,
)
from milepost.records import replace

T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, tuple[float, float]]:
    """The result, the wall-clock seconds and the CPU seconds of this process."""
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, (time.perf_counter() - started, time.process_time() - cpu)


def size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} kB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    today = date.fromisoformat(TODAY)
    vault, _ = ensure_vault(args.notes, args.seed)
    index, took = timed(lambda: scan(load_config(vault), today, cache=False).index)
    rows = [("index the vault (for reference)", f"{args.notes:,} notes", "", took)]
    records, took = timed(lambda: from_index(index))
    models = sorted({r.model for r in records})
    dated = sum(1 for r in records if r.when is not None)
    rows.append(("records from the index", f"{len(records):,} milestones", "", took))

    def feed(model: str | None = None) -> bytes:
        return calendar(records, vault=vault.name, token="bench", today=today, model=model)

    data, took = timed(feed)
    rows.append(("calendar, whole vault", f"{dated:,} events + review", size(len(data)), took))
    feeds, took = timed(lambda: [feed(m) for m in models])
    rows.append(
        (
            "calendars, one per business model",
            f"{len(models)} feeds",
            size(sum(map(len, feeds))),
            took,
        )
    )

    def canvases(previous: dict[str, bytes] | None, extra: bool = False) -> dict[str, bytes]:
        made: dict[str, bytes] = {}
        for model in models:
            mine = [r for r in records if r.model == model]
            if extra:
                mine.append(replace(mine[0], identity=mine[0].identity + "-new", title="New one"))
            out = roadmap_canvas(mine, model=model, previous=previous and previous[model])
            assert not isinstance(out, NotMilepost), out
            made[model] = out
        return made

    fresh, took = timed(lambda: canvases(None))
    total = size(sum(map(len, fresh.values())))
    rows.append(("canvases, fresh", f"{len(models)} canvases", total, took))
    again, took = timed(lambda: canvases(fresh))
    assert again == fresh
    rows.append(("canvases, from the canvases on disk", "unchanged", total, took))
    grown, took = timed(lambda: canvases(fresh, extra=True))
    rows.append(("canvases, one new milestone each", "", size(sum(map(len, grown.values()))), took))
    pictures, took = timed(lambda: [canvas_svg(c, title=m) for m, c in fresh.items()])
    rows.append(
        ("SVG pictures of the canvases", "", size(sum(len(p.encode()) for p in pictures)), took)
    )
    base, took = timed(portfolio_base)
    rows.append(("Portfolio.base", "", size(len(base)), took))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n{args.notes:,} notes, seed {args.seed}, today {TODAY}; peak memory {peak:.0f} MB\n")
    print("| output | what | size | wall clock | CPU of this process |")
    print("| --- | --- | ---: | ---: | ---: |")
    for name, what, amount, (wall, cpu) in rows:
        print(f"| {name} | {what} | {amount} | {wall:.2f} s | {cpu:.2f} s |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
