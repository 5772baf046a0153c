#!/usr/bin/env python3
"""Benchmark milepost on generated vaults against its targets and reference tools.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python benchmarks/run.py

Generates (or reuses) vaults of 1,000 and 10,000 notes under benchmarks/vaults/, runs every
command as a whole process several times, and prints a Markdown table of medians, min–max and
the peak memory of the whole process tree, with the reference tools beside them and a verdict
per target. The table also goes to benchmarks/results/<UTC time>.md, the raw timings to .json.
See benchmarks/README.md for what each row measures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib.util import find_spec
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VAULTS = BENCH / "vaults"
RESULTS = BENCH / "results"
CACHE = VAULTS / "_cache"
"""milepost's cache during a benchmark run (MILEPOST_CACHE_DIR of every milepost process)."""
TODAY = "2026-11-22"
OUTPUT = "Roadmaps"  # milepost's default folder of generated pages
SAMPLE_SECONDS = 0.025  # memory sampling interval
POLL_SECONDS = 0.005  # watch: how often the roadmap page is looked at
MIB = 1024 * 1024

sys.path.insert(0, str(BENCH))
import generate  # noqa: E402


class Failed(Exception):
    """A command exited badly or timed out."""


# ---------------------------------------------------------------- process tree measurement


def _descendants(root: int) -> list[int]:
    """``root`` and every process below it (from /proc/*/stat; pids below root are skipped)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) <= root:
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_bytes()
        except OSError:
            continue
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [root], [root]
    while todo:
        children = parents.get(todo.pop(), [])
        tree += children
        todo += children
    return tree


def _pss(pid: int) -> int:
    try:
        with Path(f"/proc/{pid}/smaps_rollup").open("rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed Pss of a process and all its descendants; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = sum(_pss(pid) for pid in _descendants(self.pid))
            self.peak = max(self.peak, total)
            self.samples += 1
            self.done.wait(SAMPLE_SECONDS)

    def stop(self) -> int:
        self.done.set()
        self.join()
        return self.peak


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The user's environment, minus PYTHONDONTWRITEBYTECODE (users get their .pyc files), with
    milepost's cache in a folder of the benchmark's own (so ``clear_cache`` can empty it)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "MILEPOST_CACHE_DIR": str(CACHE), **(extra or {})}


def _kill(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def measure(
    cmd: list[str],
    *,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[float, int]:
    """Run ``cmd`` (stdout discarded); return wall seconds and peak tree Pss in bytes."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=env or environment(),
            cwd=cwd,
            start_new_session=True,
        )
        memory = TreeMemory(process.pid)
        memory.start()
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            memory.stop()
            _kill(process)
            raise Failed(f"timed out after {timeout:g} s: {' '.join(cmd)}") from None
        seconds = time.perf_counter() - start
        peak = memory.stop()
        if code != 0:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
            raise Failed(f"exit {code}: {' '.join(cmd)}" + "".join(f"\n    {t}" for t in tail))
    return seconds, peak


# ---------------------------------------------------------------- vaults


def ensure_vault(notes: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The vault for ``notes``/``seed`` under benchmarks/vaults, generated unless identical."""
    vault = VAULTS / f"seed{seed}-{notes}"
    files, key = generate.plan(notes, seed)
    key_file = generate.key_path(vault)
    shutil.rmtree(vault / ".milepost", ignore_errors=True)
    if key_file.is_file() and vault.is_dir():
        same = json.loads(key_file.read_text(encoding="utf-8")) == key
        listed = {p.relative_to(vault).as_posix() for p in vault.rglob("*") if p.is_file()}
        intact = same and listed == set(files)
        if intact and all((vault / r).read_bytes() == t.encode() for r, t in files.items()):
            return vault, key
    print(f"generating {vault.relative_to(ROOT)} ...", file=sys.stderr, flush=True)
    shutil.rmtree(vault, ignore_errors=True)
    key_file.unlink(missing_ok=True)
    generate.write(files, key, vault)
    return vault, key


def fresh_copy(vault: Path, work: Path) -> Path:
    target = Path(tempfile.mkdtemp(prefix=vault.name + "-", dir=work)) / "vault"
    shutil.copytree(vault, target, ignore=shutil.ignore_patterns(".milepost"))
    return target


def clear_cache(vault: Path) -> None:
    """No parse cache and no manifest: the next command starts cold."""
    shutil.rmtree(vault / ".milepost", ignore_errors=True)
    shutil.rmtree(CACHE, ignore_errors=True)


def edit(vault: Path, target: dict[str, Any], number: int) -> None:
    """Append a line to the description of a tag-form item (the line after its first line)."""
    path = vault / target["note"]
    lines = path.read_text(encoding="utf-8").split("\n")
    head = target["line"] - 1
    if "#milestone" not in lines[head]:
        raise Failed(f"{target['note']}:{target['line']} is not the item the key says")
    description = lines[head + 1]
    indent = description[: len(description) - len(description.lstrip())]
    lines.insert(head + 2, f"{indent}Benchmark edit {number}: the plan moved on.")
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")


def roadmap_pages(vault: Path) -> dict[str, Path]:
    """Business model -> its roadmap page, read from the pages' front matter."""
    pages = {}
    for page in (vault / OUTPUT / "Models").glob("*.md"):
        with page.open(encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("business_model:"):
                    pages[json.loads(line.split(":", 1)[1])] = page
                    break
                if line.startswith("# "):
                    break
    return pages


def output_signature(vault: Path) -> tuple[tuple[str, int, int], ...]:
    found = []
    for folder in (vault / OUTPUT, vault / ".milepost"):
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = Path(root, name)
                try:
                    st = path.stat()
                except OSError:
                    continue
                found.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(sorted(found))


def wait_quiet(vault: Path, quiet: float, timeout: float, alive: Callable[[], bool]) -> None:
    """Wait until milepost's pages and cache have not changed for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    last, since = output_signature(vault), time.monotonic()
    while time.monotonic() - since < quiet or not (vault / OUTPUT / "Milestone index.md").exists():
        if not alive():
            raise Failed("milepost watch exited")
        if time.monotonic() > deadline:
            raise Failed(f"milepost watch: pages not built and quiet within {timeout:.0f} s")
        time.sleep(0.05)
        now = output_signature(vault)
        if now != last:
            last, since = now, time.monotonic()


def save_and_wait(
    vault: Path, target: dict[str, Any], page: Path, number: int, alive: Callable[[], bool]
) -> float:
    """Edit the target's note; return the seconds until ``page`` holds different bytes."""
    before = page.read_bytes()
    stat = page.stat()
    signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    start = time.perf_counter()
    edit(vault, target, number)
    while True:
        time.sleep(POLL_SECONDS)
        now = time.perf_counter()
        with contextlib.suppress(FileNotFoundError):
            stat = page.stat()
            if (stat.st_ino, stat.st_mtime_ns, stat.st_size) != signature:
                if page.read_bytes() != before:
                    return now - start
                signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if not alive():
            raise Failed("milepost watch exited")
        if now > start + 60:
            raise Failed(f"{page.name} did not change within 60 s of a save")


# ---------------------------------------------------------------- rows


@dataclass
class Row:
    notes: int
    name: str
    label: str
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)
    status: str = "ok"  # ok, error, skipped
    message: str = ""
    unit: str = "runs"

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times and self.status == "ok" else None

    @property
    def peak(self) -> int | None:
        return max(self.peaks) if self.peaks and self.status == "ok" else None


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.rows: list[Row] = []
        self.work = VAULTS / "_work"
        exe = Path(sys.executable).parent / "milepost"
        self.milepost = [str(exe)] if exe.exists() else [sys.executable, "-m", "milepost"]
        self.failed = False

    def row(self, notes: int, name: str, label: str, unit: str = "runs") -> Row:
        row = Row(notes, name, label, unit=unit)
        self.rows.append(row)
        return row

    def fail(self, row: Row, exc: Exception, *, milepost: bool = True) -> None:
        row.status, row.message = "error", str(exc).splitlines()[0]
        print(f"error in {row.label} ({row.notes} notes): {exc}", file=sys.stderr, flush=True)
        self.failed = self.failed or milepost

    def mp(self, command: str, vault: Path, *extra: str) -> list[str]:
        return [*self.milepost, command, str(vault), "--today", TODAY, "-q", *extra]

    def timed(self, row: Row, cmd: list[str], **kwargs: Any) -> None:
        seconds, peak = measure(cmd, timeout=self.args.timeout, **kwargs)
        row.times.append(seconds)
        row.peaks.append(peak)
        print(
            f"  {row.label}, {row.notes} notes: {seconds:.3f} s, {peak / MIB:.0f} MiB",
            file=sys.stderr,
            flush=True,
        )

    # milepost
    def index(self, vault: Path, notes: int) -> None:
        row = self.row(notes, "index", "`index --json`, cold")
        try:
            for _ in range(self.args.runs):
                clear_cache(vault)
                self.timed(row, self.mp("index", vault, "--json"))
        except Failed as exc:
            self.fail(row, exc)
        clear_cache(vault)

    def build(self, vault: Path, notes: int, key: dict[str, Any]) -> None:
        cold = self.row(notes, "build", "`build`, cold")
        warm = self.row(notes, "build-warm", "`build`, warm no-op")
        edited = self.row(notes, "build-edit", "`build` after a one-note edit")
        targets = key["edit_targets"]
        try:
            for run in range(self.args.runs):
                copy = fresh_copy(vault, self.work)
                self.timed(cold, self.mp("build", copy))
                self.timed(warm, self.mp("build", copy))
                target = targets[run % len(targets)]
                page = roadmap_pages(copy)[target["model"]]
                before = page.read_bytes()
                edit(copy, target, run)
                self.timed(edited, self.mp("build", copy))
                if page.read_bytes() == before:
                    raise Failed(
                        f"the roadmap page of {target['model']} did not change after "
                        f"an edit of {target['note']}:{target['line']}"
                    )
                shutil.rmtree(copy.parent)
        except (Failed, KeyError) as exc:
            for row in (cold, warm, edited):
                self.fail(row, exc)

    def watch(self, vault: Path, notes: int, key: dict[str, Any]) -> None:
        row = self.row(notes, "watch", "`watch`: save → roadmap page", unit="saves")
        copy = fresh_copy(vault, self.work)
        log = (copy.parent / "watch.log").open("wb")
        process = subprocess.Popen(
            self.mp("watch", copy),
            stdout=log,
            stderr=log,
            env=environment(),
            start_new_session=True,
        )
        memory = TreeMemory(process.pid)
        memory.start()
        alive: Callable[[], bool] = lambda: process.poll() is None  # noqa: E731
        try:
            started = time.perf_counter()
            wait_quiet(copy, 1.0, self.args.timeout, alive)
            row.message = f"first build ready after {time.perf_counter() - started - 1.0:.1f} s"
            pages = roadmap_pages(copy)
            targets = key["edit_targets"]
            for number in range(self.args.watch_edits):
                target = targets[number % len(targets)]
                latency = save_and_wait(copy, target, pages[target["model"]], number, alive)
                row.times.append(latency)
                print(f"  {row.label}, {notes} notes: {latency:.3f} s", file=sys.stderr, flush=True)
                wait_quiet(copy, 0.3, self.args.timeout, alive)
        except (Failed, KeyError) as exc:
            self.fail(row, exc)
        finally:
            if alive():
                os.killpg(process.pid, signal.SIGINT)
                problem = ""
                try:
                    code = process.wait(10)
                    problem = f"milepost watch exited with {code} on Ctrl-C" if code else ""
                except subprocess.TimeoutExpired:
                    _kill(process)
                    problem = "milepost watch did not stop within 10 s of Ctrl-C"
                if problem and row.status == "ok":
                    self.fail(row, Failed(problem))
            row.peaks.append(memory.stop())
            log.close()
            shutil.rmtree(copy.parent, ignore_errors=True)

    def export(self, vault: Path, notes: int) -> None:
        row = self.row(notes, "export", "`export -o DIR`, cold")
        try:
            for run in range(self.args.runs):
                clear_cache(vault)
                out = self.work / f"export-{notes}-{run}"
                self.timed(row, self.mp("export", vault, "-o", str(out)))
                shutil.rmtree(out)
        except Failed as exc:
            self.fail(row, exc)
        clear_cache(vault)

    # references
    def bare(self, vault: Path, notes: int) -> None:
        row = self.row(notes, "bare", "ref: bare markdown-it parse, 1 process")
        try:
            for _ in range(self.args.runs):
                self.timed(row, [sys.executable, str(BENCH / "bare_parse.py"), str(vault)])
        except Failed as exc:
            self.fail(row, exc, milepost=False)

    def obsidiantools(self, vault: Path, notes: int) -> None:
        row = self.row(notes, "obsidiantools", "ref: obsidiantools `Vault.connect().gather()`")
        if self.args.skip_obsidiantools:
            row.status, row.message = "skipped", "--skip-obsidiantools"
            return
        if find_spec("obsidiantools") is None:
            row.status = "skipped"
            row.message = "obsidiantools is not installed (pip install -e '.[bench]')"
            return
        script = str(BENCH / "obsidiantools_index.py")
        try:
            subprocess.run(
                [sys.executable, "-c", "import obsidiantools.api"],
                env=environment(),
                check=True,
                timeout=self.args.timeout,
            )
            for _ in range(self.args.reference_runs):
                clear_cache(vault)
                self.timed(row, [sys.executable, script, str(vault)])
        except (Failed, subprocess.SubprocessError) as exc:
            self.fail(row, exc, milepost=False)

    def obsidianhtml(self, vault: Path, notes: int) -> None:
        row = self.row(notes, "obsidianhtml", "ref: obsidianhtml `convert` (whole vault)")
        if self.args.skip_obsidianhtml:
            row.status, row.message = "skipped", "--skip-obsidianhtml"
            return
        exe = (
            self.args.obsidianhtml
            or shutil.which("obsidianhtml", path=str(Path(sys.executable).parent))
            or shutil.which("obsidianhtml")
        )
        if not exe:
            row.status = "skipped"
            row.message = "obsidianhtml is not installed (pip install -e '.[bench]')"
            return
        entry = sorted(p for p in vault.rglob("*.md") if ".milepost" not in p.parts)[0]
        try:
            for run in range(self.args.reference_runs):
                clear_cache(vault)
                out = self.work / f"obsidianhtml-{notes}-{run}"
                out.mkdir(parents=True)
                config = out / "config.yml"
                config.write_text(obsidianhtml_config(entry, out), encoding="utf-8")
                # its vault copy goes to the user config dir: keep it in the work folder
                env = environment({"XDG_CONFIG_HOME": str(out / "xdg")})
                self.timed(row, [exe, "convert", "-i", str(config)], env=env, cwd=out)
                pages = sum(1 for _ in (out / "html").rglob("*.html"))
                if pages < notes:
                    raise Failed(f"obsidianhtml wrote {pages} pages for {notes} notes")
                shutil.rmtree(out)
        except Failed as exc:
            self.fail(row, exc, milepost=False)


def obsidianhtml_config(entry: Path, out: Path) -> str:
    """The least configuration obsidianhtml 4 converts a whole vault with."""
    values = {
        "obsidian_entrypoint_path_str": str(entry),  # the vault is the folder holding .obsidian
        "md_folder_path_str": str(out / "md"),
        "md_entrypoint_path_str": str(out / "md" / "index.md"),
        "html_output_folder_path_str": str(out / "html"),
        "module_data_folder": str(out / "mod"),
    }
    lines = [f"{k}: {json.dumps(v)}" for k, v in values.items()]
    return "\n".join([*lines, "verbosity: error", "toggles:", "  process_all: true", ""])


# ---------------------------------------------------------------- report


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value < 10 else f"{value:.1f} s"


def machine(milepost: list[str]) -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    version = subprocess.run(
        [*milepost, "--version"], capture_output=True, text=True, env=environment(), check=False
    ).stdout.strip()
    git = ["git", "--no-optional-locks", "-C", str(ROOT)]
    commit = subprocess.run(
        [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no", "src"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "milepost": version,
        "commit": commit + (" with uncommitted changes in src/" if dirty else ""),
    }


def find(rows: list[Row], notes: int, name: str) -> Row | None:
    return next((r for r in rows if r.notes == notes and r.name == name), None)


def ratio_text(a: float, b: float, kind: str) -> str:
    """``a / b`` as ``12.3×`` or ``1/12``, with the two figures."""
    shown = f"1/{b / a:.0f}" if kind == "fraction" else f"{a / b:.2f}×"
    return f"{shown} ({seconds(a)} / {seconds(b)})"


def targets(rows: list[Row], sizes: list[int]) -> list[dict[str, Any]]:
    """Each target with its measured ratio and PASS/MISS.

    A target is judged only at the size it is defined for (1,000 or 10,000 notes); when that
    size was not run, the ratio at the nearest size run is shown without a verdict.
    """
    small = 1000 if 1000 in sizes else min(sizes)
    large = 10000 if 10000 in sizes else max(sizes)
    out: list[dict[str, Any]] = []

    def med(notes: int, name: str) -> float | None:
        row = find(rows, notes, name)
        return row.median if row else None

    def peak(notes: int, name: str) -> int | None:
        row = find(rows, notes, name)
        return row.peak if row else None

    def add(what: str, need: str, at: int, value: str | None, passed: bool | None) -> None:
        """``at``: the size the target is defined for (0: needs both 1,000 and 10,000)."""
        verdict = "PASS" if passed else "MISS"
        wanted = [1000, 10000] if at == 0 else [at]
        if value is None:
            why = "needs two sizes" if at == 0 and small == large else "a row was skipped or failed"
            value, verdict = f"n/a ({why})", "—"
        elif passed is None:
            verdict = "—"
        elif not set(wanted) <= set(sizes):
            verdict = f"— (defined for {' and '.join(f'{n:,}' for n in wanted)} notes)"
        out.append({"target": what, "needed": need, "measured": value, "verdict": verdict})

    ot, idx = med(small, "obsidiantools"), med(small, "index")
    value = ratio_text(ot, idx, "times") if ot and idx else None
    add(
        f"cold `index` on {small:,} notes, vs obsidiantools",
        "≥ 30× faster",
        1000,
        value,
        bool(ot and idx and ot / idx >= 30),
    )
    bare, idx = med(large, "bare"), med(large, "index")
    value = ratio_text(bare, idx, "times") if bare and idx else None
    add(
        f"cold `index` on {large:,} notes, vs a bare 1-process markdown-it parse",
        "≥ 1.67× (≤ 0.6 of its time)",
        10000,
        value,
        bool(bare and idx and idx <= 0.6 * bare),
    )
    cold = med(large, "build")
    for key, what, parts in (
        ("build-warm", "warm no-op `build`", 20),
        ("build-edit", "`build` after a one-note edit", 10),
        ("watch", "`watch` save → page (median)", 50),
    ):
        took = med(large, key)
        add(
            f"{what} on {large:,} notes, vs a cold build",
            f"≤ 1/{parts}",
            10000,
            ratio_text(took, cold, "fraction") if cold and took else None,
            bool(cold and took and took * parts <= cold),
        )
    oh, exp = med(small, "obsidianhtml"), med(small, "export")
    value = ratio_text(oh, exp, "times") if oh and exp else None
    add(
        f"`export` of {small:,} notes, vs obsidianhtml",
        "≥ 15× faster",
        1000,
        value,
        bool(oh and exp and oh / exp >= 15),
    )
    for name, label, limit in (
        ("export", "`export`", 11.0),
        ("index", "cold `index`", 11.0),
        ("build", "cold `build`", 11.0),
    ):
        a, b = med(large, name), med(small, name)
        value = ratio_text(a, b, "times") if a and b and large != small else None
        add(
            f"{label} time, {large:,} / {small:,} notes",
            f"≤ {limit:g}" if limit else "(shown)",
            0,
            value,
            bool(a and b and a / b <= limit) if limit else None,
        )
    mine, theirs = peak(small, "index"), peak(small, "obsidiantools")
    value = (
        f"{mine / theirs:.2f} ({mine / MIB:.0f} / {theirs / MIB:.0f} MiB)"
        if mine and theirs
        else None
    )
    add(
        f"peak tree memory on {small:,} notes: cold `index` vs obsidiantools",
        "≤ 1/2",
        1000,
        value,
        bool(mine and theirs and mine * 2 <= theirs),
    )
    ours = [r for r in rows if r.notes == large and not r.name.startswith(("bare", "obsid"))]
    top = max(ours, key=lambda r: r.peak or 0) if ours else None
    value = None
    if top and top.peak and all(r.peak for r in ours):
        value = f"{top.peak / MIB:.0f} MiB ({top.label})"
    add(
        f"peak tree memory on {large:,} notes, the largest of every milepost row",
        "≤ 430 MiB",
        10000,
        value,
        bool(top and top.peak and top.peak <= 430 * MIB),
    )
    return out


def report(meta: dict[str, Any], rows: list[Row], goals: list[dict[str, Any]]) -> str:
    m = meta["machine"]
    lines = [
        "# milepost benchmark",
        "",
        f"- {meta['date']}; {m['milepost']}, commit {m['commit']}",
        f"- machine: {m['cpus']} CPUs ({m['cpus_usable']} usable), {m['cpu']}, {m['system']}; "
        f"Python {m['python']}",
        f"- seed {meta['seed']}, {plural(meta['runs'], 'run')} per row "
        f"({meta['reference_runs']} for "
        f"obsidiantools and obsidianhtml), `--today {TODAY}`; times are wall-clock medians",
    ]
    for vault in meta["vaults"]:
        lines.append(
            f"- {vault['notes']:,} notes: {vault['bytes'] / 1e6:.1f} MB of Markdown, "
            f"{vault['milestones']:,} milestones (`{vault['path']}`)"
        )
    lines += [
        "",
        "| notes | what | median | min–max | runs | peak tree memory |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row.status != "ok" or not row.times:
            what = "skipped" if row.status == "skipped" else "**error**"
            lines.append(f"| {row.notes:,} | {row.label} | {what}: {row.message} | | | |")
            continue
        median = seconds(statistics.median(row.times))
        if row.name == "watch":
            median += f" (worst {seconds(max(row.times))})"
        spread = f"{seconds(min(row.times))} – {seconds(max(row.times))}"
        memory = f"{row.peak / MIB:.0f} MiB" if row.peak else "—"
        if row.name == "watch":
            memory += " (whole session)"
        count = f"{len(row.times)} {row.unit[:-1] if len(row.times) == 1 else row.unit}"
        lines.append(f"| {row.notes:,} | {row.label} | {median} | {spread} | {count} | {memory} |")
    notes = [
        f"{r.label} ({r.notes:,}): {r.message}" for r in rows if r.status == "ok" and r.message
    ]
    lines += ["", *[f"- {n}" for n in notes]] if notes else []
    lines += ["", "| target | needed | measured | verdict |", "|---|---|---|---|"]
    lines += [
        f"| {g['target']} | {g['needed']} | {g['measured']} | {g['verdict']} |" for g in goals
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main


ONLY = ["index", "build", "watch", "export", "references"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: .venv/bin/python benchmarks/run.py --notes 1000 --runs 3",
    )
    parser.add_argument(
        "--notes",
        type=int,
        nargs="+",
        default=[1000, 10000],
        metavar="N",
        help="vault sizes (default: 1000 10000)",
    )
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--runs", type=int, default=5, help="runs per milepost row (default 5)")
    parser.add_argument(
        "--reference-runs",
        type=int,
        default=1,
        metavar="N",
        help="runs of obsidiantools and obsidianhtml (default 1; ~1 min each)",
    )
    parser.add_argument(
        "--watch-edits",
        type=int,
        default=20,
        metavar="N",
        help="saves timed in the watch row (default 20)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=ONLY,
        metavar="ROW",
        help=f"run only these rows: {', '.join(ONLY)}",
    )
    parser.add_argument(
        "--skip-references",
        action="store_true",
        help="no reference rows (bare parse, obsidiantools, obsidianhtml)",
    )
    parser.add_argument("--skip-obsidiantools", action="store_true")
    parser.add_argument("--skip-obsidianhtml", action="store_true")
    parser.add_argument(
        "--obsidianhtml",
        metavar="EXE",
        help="obsidianhtml executable (default: the one beside this Python)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=900,
        help="seconds before one command is killed (default 900)",
    )
    args = parser.parse_args(argv)
    if min(args.notes) < 10 or args.runs < 1 or args.reference_runs < 1 or args.watch_edits < 1:
        parser.error("--notes must be at least 10 and the run counts at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    only = set(args.only or ONLY)
    if args.skip_references:
        only.discard("references")
    sizes = sorted(set(args.notes))

    bench = Bench(args)
    shutil.rmtree(bench.work, ignore_errors=True)
    bench.work.mkdir(parents=True)
    env = environment()
    subprocess.run([*bench.milepost, "--version"], env=env, capture_output=True, check=True)
    meta: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(bench.milepost),
        "seed": args.seed,
        "runs": args.runs,
        "reference_runs": args.reference_runs,
        "today": TODAY,
        "vaults": [],
    }
    try:
        for notes in sizes:
            vault, key = ensure_vault(notes, args.seed)
            totals = key["totals"]
            meta["vaults"].append(
                {
                    "notes": notes,
                    "path": str(vault.relative_to(ROOT)),
                    "bytes": totals["bytes"],
                    "milestones": totals["milestones"],
                }
            )
            if notes == sizes[0]:
                check_index(bench, vault, key)
            if "index" in only:
                bench.index(vault, notes)
            if "build" in only:
                bench.build(vault, notes, key)
            if "watch" in only:
                bench.watch(vault, notes, key)
            if "export" in only:
                bench.export(vault, notes)
            if "references" in only:
                bench.bare(vault, notes)
                if notes == sizes[0]:
                    bench.obsidiantools(vault, notes)
                    bench.obsidianhtml(vault, notes)
            clear_cache(vault)
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)
    goals = targets(bench.rows, sizes)
    text = report(meta, bench.rows, goals)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"{stamp}.md").write_text(text, encoding="utf-8")
    raw = {"meta": meta, "rows": [asdict(r) for r in bench.rows], "targets": goals}
    (RESULTS / f"{stamp}.json").write_text(json.dumps(raw, indent=1) + "\n", encoding="utf-8")
    print(f"written to {(RESULTS / stamp).relative_to(ROOT)}.md and .json", file=sys.stderr)
    return 1 if bench.failed else 0


def check_index(bench: Bench, vault: Path, key: dict[str, Any]) -> None:
    """Untimed: milepost's index must agree with the key before its speed means anything."""
    clear_cache(vault)
    done = subprocess.run(
        bench.mp("index", vault, "--json"),
        capture_output=True,
        env=environment(),
        timeout=bench.args.timeout,
        check=False,
    )
    clear_cache(vault)
    if done.returncode != 0:
        raise SystemExit(f"milepost index failed ({done.returncode}): {done.stderr.decode()}")
    index = json.loads(done.stdout)
    counts = {m["name"]: len(m["milestones"]) for m in index["business_models"]}
    if counts != key["milestones_per_model"]:
        raise SystemExit(
            f"milepost index disagrees with the key of {vault}: per model {counts} "
            f"!= {key['milestones_per_model']}"
        )


if __name__ == "__main__":
    sys.exit(main())
