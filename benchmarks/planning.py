#!/usr/bin/env python3
"""What the dependency passes add to a cold ``milepost index --json``.

    python benchmarks/planning.py [--notes 10000] [--seed 1] [--share 0.1] [--runs 3] [OUT]

Generates a vault with ``../shared/tools/gen_vault.py`` (into OUT, default a temporary folder),
then gives a ``--share`` of its milestone list items a Tasks dependency (``⛔ id``) on another
milestone chosen at random (which gets ``🆔 id``; a few of those links make cycles, some cross
notes). Then times, alternately, ``--runs`` cold runs (``--no-cache``, one job) of
``milepost index --json`` as it is, and with the passes replaced by an empty schedule (the JSON
still has every field; only building the graph, resolving and both passes are left out).
Prints the best and median wall time of each, and their ratio (best over best).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_vault.py"
ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s.*#milestone")

WITHOUT = """
import sys
from milepost.deps import Schedule
from milepost import planning as p
p._compute = lambda index: p.Planning(Schedule({}, {}, ()), {})
from milepost.cli import main
sys.exit(main(sys.argv[1:]))
"""
WITH = "import sys\nfrom milepost.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def add_dependencies(vault: Path, share: float, seed: int) -> tuple[int, int]:
    """Give ``share`` of the milestone items a dependency; return (milestone items, linked)."""
    rng = random.Random(seed)
    notes = sorted(vault.rglob("*.md"))
    texts = {path: path.read_text(encoding="utf-8").split("\n") for path in notes}
    items = [(path, n) for path in notes for n, line in enumerate(texts[path]) if ITEM.match(line)]
    chosen = rng.sample(range(len(items)), int(len(items) * share))
    ids: dict[int, str] = {}
    tails: dict[int, list[str]] = {}
    for i in chosen:
        j = rng.randrange(len(items))
        if j == i:
            continue
        name = ids.setdefault(j, f"d{j}")
        tails.setdefault(i, []).append(f"⛔ {name}")
    for j, name in ids.items():
        tails.setdefault(j, []).append(f"🆔 {name}")
    for k, extra in tails.items():
        path, n = items[k]
        texts[path][n] = texts[path][n].rstrip() + " " + " ".join(extra)
    for path in notes:
        path.write_text("\n".join(texts[path]), encoding="utf-8")
    return len(items), len(chosen)


def timed(code: str, vault: Path) -> tuple[float, float]:
    """Wall and CPU time (user + system) of one cold run in a process of its own."""
    args = [sys.executable, "-c", code, "index", str(vault), "--json", "--no-cache", "--jobs", "1"]
    args += ["--today", "2026-03-01"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"milepost index failed ({done.returncode})")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return took, cpu


def passes_alone(vault: Path) -> float:
    """CPU seconds of the passes on the vault's index (built once, in this process)."""
    from datetime import date

    from milepost import load_config
    from milepost.planning import _compute
    from milepost.reading import scan

    today = date(2026, 3, 1)
    index = scan(load_config(vault, today=today), today, cache=False).index
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        _compute(index)
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path)
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--share", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    if not GENERATOR.is_file():
        raise SystemExit(f"{GENERATOR} is missing: ../shared must be beside this clone")
    out = options.out or Path(tempfile.mkdtemp(prefix="milepost-planning-")) / "vault"
    if not out.exists():
        subprocess.run(
            [sys.executable, str(GENERATOR), "--notes", str(options.notes), "--seed",
             str(options.seed), str(out)],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        items, linked = add_dependencies(out, options.share, options.seed)
        print(f"{out}: {items} milestone items, {linked} given a dependency")
    runs: dict[str, list[tuple[float, float]]] = {"with": [], "without": []}
    for _ in range(options.runs):
        runs["without"].append(timed(WITHOUT, out))
        runs["with"].append(timed(WITH, out))
    for name, pairs in runs.items():
        walls, cpus = [w for w, _ in pairs], [c for _, c in pairs]
        print(
            f"{name:>8} the passes: wall best {min(walls):.2f} s median "
            f"{statistics.median(walls):.2f} s; CPU best {min(cpus):.2f} s median "
            f"{statistics.median(cpus):.2f} s"
        )
    best = {name: min(c for _, c in pairs) for name, pairs in runs.items()}
    print(f"ratio of CPU time (best with / best without): {best['with'] / best['without']:.3f}")
    alone = passes_alone(out)
    print(
        f"the passes alone (graph, resolve, both passes, assumptions): {alone:.3f} s CPU, "
        f"{alone / best['without']:.1%} of a cold run without them"
    )


if __name__ == "__main__":
    main()
