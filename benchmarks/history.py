"""What planning memory costs: the history file after many builds, a cold and a warm build with
and without history, and ``history --from-git`` on a repository of many commits.

Run by hand, not by the test suite::

    .venv/bin/python benchmarks/history.py --notes 1000 --seed 3 --builds 100 --commits 300

It generates a vault with ``../shared/tools/gen_vault.py`` in a temporary folder, then:

1. times a cold build (no parse cache, no pages) and a warm build (one note edited) with
   history and with history switched off, ``--runs`` times each, and prints the medians and
   their ratio;
2. runs ``--builds`` builds, one a day, each after random edits to a few notes (due dates moved,
   titles changed, tasks ticked), and prints the size of ``.milepost/history.jsonl``;
3. makes a git repository of ``--commits`` commits with the same kind of edits, and times
   ``history --from-git`` over it.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta
from pathlib import Path

from milepost.config import load_config
from milepost.gitlog import from_git
from milepost.history import HISTORY_PATH
from milepost.session import Session

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT.parent / "shared" / "tools" / "gen_vault.py"
START = date(2026, 1, 5)
_YEAR = re.compile(r"(?<=expected )(\w+ )?(20\d\d)|(?<=📅 )(20\d\d)")
_TITLE = re.compile(r"(#milestone )(\w+)")


@contextmanager
def history_off() -> Iterator[None]:
    """Builds without planning memory (what milepost did before it)."""
    original = Session._remember

    def nothing(self: Session, dry_run: bool) -> None:  # noqa: ARG001
        self.memory = None

    Session._remember = nothing  # type: ignore[method-assign]
    try:
        yield
    finally:
        Session._remember = original  # type: ignore[method-assign]


def edit(notes: list[Path], rng: random.Random, count: int) -> int:
    """Random edits to ``count`` notes: a due year moved, a title changed, a task ticked."""
    changed = 0
    for path in rng.sample(notes, count):
        text = path.read_text(encoding="utf-8")
        choice = rng.random()
        if choice < 0.5:
            new = _YEAR.sub(
                lambda m: m.group(0)[:-4] + str(int(m.group(0)[-4:]) + 1), text, count=1
            )
        elif choice < 0.8:
            new = _TITLE.sub(lambda m: m.group(1) + m.group(2) + " again", text, count=1)
        else:
            new = text.replace("- [ ] #milestone", "- [x] #milestone", 1)
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def build(vault: Path, today: date, *, cache: bool = True) -> float:
    config = load_config(vault, today=today, jobs=1, cache=cache, cache_dir=vault.parent / "cache")
    started = time.perf_counter()
    session = Session(config, today)
    try:
        session.build()
    finally:
        session.close()
    return time.perf_counter() - started


def fresh(source: Path, target: Path) -> Path:
    for old in (target, target.parent / "cache"):
        if old.exists():
            shutil.rmtree(old)
    shutil.copytree(source, target)
    return target


def costs(source: Path, work: Path, runs: int) -> None:
    rng = random.Random(1)
    notes = sorted(source.rglob("*.md"))
    results: dict[str, list[float]] = {}
    build(fresh(source, work / "cost"), START, cache=False)  # imports and templates, not timed
    for run in range(runs):
        for label in ("with", "without") if run % 2 == 0 else ("without", "with"):
            with history_off() if label == "without" else nullcontext():
                vault = fresh(source, work / "cost")
                results.setdefault(f"cold {label}", []).append(build(vault, START, cache=False))
                build(vault, START)  # fill the cache
                note = vault / rng.choice(notes).relative_to(source)
                note.write_text(note.read_text(encoding="utf-8") + "\n- #milestone Extra\n")
                results.setdefault(f"warm {label}", []).append(build(vault, START))
    for kind in ("cold", "warm"):
        with_, without = (statistics.median(results[f"{kind} {x}"]) for x in ("with", "without"))
        print(
            f"{kind} build: {with_:.3f} s with history, {without:.3f} s without "
            f"(ratio {with_ / without:.2f})"
        )


def many_builds(source: Path, work: Path, builds: int, per_build: int) -> None:
    vault = fresh(source, work / "builds")
    rng = random.Random(3)
    notes = sorted(vault.rglob("*.md"))
    edits = 0
    started = time.perf_counter()
    for day in range(builds):
        if day:
            edits += edit(notes, rng, per_build)
        build(vault, START + timedelta(days=day))
    took = time.perf_counter() - started
    path = vault / HISTORY_PATH
    data = path.read_bytes()
    count = data.count(b"\n")
    print(
        f"{builds} builds ({edits} notes edited, {took:.1f} s): {HISTORY_PATH} is "
        f"{len(data) / 1e6:.2f} MB, {count} lines"
    )


def git(vault: Path, *args: str, day: date | None = None) -> None:
    env = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com", "HOME": str(vault)}
    env |= {
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@example.com",
        "PATH": "/usr/bin:/bin",
    }
    if day is not None:
        stamp = f"{day.isoformat()}T12:00:00"
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    subprocess.run(["git", "-C", str(vault), *args], check=True, env=env, capture_output=True)


def from_git_time(source: Path, work: Path, commits: int, per_commit: int) -> None:
    vault = fresh(source, work / "repo")
    git(vault, "init", "-q")
    rng = random.Random(5)
    notes = sorted(vault.rglob("*.md"))
    git(vault, "add", "-A")
    git(vault, "commit", "-q", "-m", "start", day=START)
    for number in range(1, commits):
        edit(notes, rng, per_commit)
        git(vault, "commit", "-q", "-a", "-m", f"edit {number}", day=START + timedelta(days=number))
    config = load_config(vault, jobs=1)
    started = time.perf_counter()
    records = from_git(config)
    took = time.perf_counter() - started
    print(f"history --from-git over {commits} commits: {len(records)} records in {took:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--builds", type=int, default=100)
    parser.add_argument("--edits", type=int, default=5, help="notes edited per build or commit")
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=["costs", "builds", "git"])
    args = parser.parse_args()
    if not GENERATOR.is_file():
        print(f"{GENERATOR} is missing: this benchmark needs ../shared beside the project")
        return 2
    with tempfile.TemporaryDirectory(prefix="milepost-history-") as folder:
        work = Path(folder)
        source = work / "source"
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR),
                "--notes",
                str(args.notes),
                "--seed",
                str(args.seed),
                str(source),
            ],
            check=True,
            capture_output=True,
        )
        if "costs" in args.only:
            costs(source, work, args.runs)
        if "builds" in args.only:
            many_builds(source, work, args.builds, args.edits)
        if "git" in args.only:
            from_git_time(source, work, args.commits, args.edits)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
