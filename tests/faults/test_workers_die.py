"""Worker processes die with their parent: ``kill -9`` of milepost leaves no process behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import alive, args, children, kill_tree, milepost, start, wait_for

NOTES = 600
"""Enough notes that parsing with two jobs takes a few seconds."""


def kill_during(
    command: list[str | Path],
    workers: int,
    env: dict[str, str] | None = None,
    ready: Callable[[], bool] | None = None,
) -> None:
    """Start ``milepost COMMAND``, wait until it has ``workers`` worker processes (and, with
    ``ready``, until that says so), ``kill -9`` it, and check every process of its tree is gone
    within a few seconds."""
    process = start(*command, env=env)
    try:
        wait_for(
            lambda: len(children(process.pid)) >= workers or process.poll() is not None,
            120,
            "worker processes",
        )
        if ready is not None:
            wait_for(lambda: ready() or process.poll() is not None, 120, "the work to begin")
        assert process.poll() is None, "milepost finished before the workers could be seen"
        family = [process.pid, *children(process.pid)]
        for pid in family[1:]:
            family += children(pid)
        time.sleep(0.3)  # let the workers get into their work
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 5
        while any(alive(p) for p in family) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p in family if alive(p)]
        assert left == [], f"processes outlived milepost's kill -9: {left}"
    finally:
        kill_tree(process)


def test_parse_workers_die_with_a_killed_build(
    generated_vault: Callable[[int, int], Path],
) -> None:
    vault = generated_vault(NOTES, 3)
    kill_during(["build", vault, *args("--jobs", "2", "--no-cache")], workers=1)


def test_export_page_workers_die_with_a_killed_export(
    generated_vault: Callable[[int, int], Path], tmp_path: Path
) -> None:
    vault = generated_vault(NOTES, 3)
    assert milepost("index", vault, *args("-q")).code == 0  # parsed once: only pages are left
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    site = tmp_path / "site"

    def spooling() -> bool:
        return any(p.name.startswith("milepost-") for p in temp.iterdir())

    kill_during(
        ["export", vault, *args("-o", site, "--jobs", "2")], workers=1, env=env, ready=spooling
    )
    assert [p.name for p in temp.iterdir() if p.name.startswith("milepost-")], (
        "the killed export had its search spool in the temporary folder"
    )
    again = milepost("export", vault, *args("-o", site, "--jobs", "2", "-q"), env=env)
    assert again.code == 0, again.err
    assert list(temp.iterdir()) == [], "the next export removes what the killed one left"


@pytest.mark.parametrize("jobs", ["2"])
def test_a_build_that_is_not_killed_leaves_no_worker_either(
    jobs: str, generated_vault: Callable[[int, int], Path]
) -> None:
    vault = generated_vault(200, 4)
    process = start("build", vault, *args("--jobs", jobs, "--no-cache", "-q"))
    seen: set[int] = set()
    while process.poll() is None:
        seen.update(children(process.pid))
        time.sleep(0.01)
    process.communicate()
    assert process.returncode == 0
    time.sleep(0.5)
    assert [p for p in seen if alive(p)] == []


PARENT = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]])
print(child.pid, flush=True)
time.sleep(120)
"""
WORKER = """
import os, time
import milepost.workers as workers
workers._kernel_kills_orphans = lambda: False  # as where PR_SET_PDEATHSIG does not exist
workers.die_with_parent(os.getppid())
time.sleep(120)
"""


def test_without_pdeathsig_a_thread_ends_the_orphan() -> None:
    """The fallback for systems without PR_SET_PDEATHSIG: the worker's own thread sees its
    parent gone and ends it."""
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, WORKER], stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        time.sleep(1.0)  # the worker has started its watch
        assert alive(child)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        wait_for(lambda: not alive(child), 5, "the orphan to end")
    finally:
        kill_tree(parent)
