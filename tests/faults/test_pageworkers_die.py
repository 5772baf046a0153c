"""Fresh page workers (plain child processes, see ``milepost.site.pageworkers``) end with a killed
export, and a killed page worker fails the export instead of hanging it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .conftest import alive, args, children, kill_tree, milepost, wait_for

NOTES = 600
FRESH = (
    "import sys; import milepost.site.exporter as e; e.FRESH_FROM = 0; "
    "from milepost.cli import main; main()"
)
"""``milepost`` with fresh page workers for any vault (10,000 notes would take minutes)."""


def _export(vault: Path, site: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", FRESH, "export", vault, *args("-o", site, "--jobs", "2")]
    return subprocess.Popen(
        [str(c) for c in command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def _page_worker(pid: int) -> int | None:
    for child in children(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"milepost.site.pageworkers" in command:
            return child
    return None


def _running_worker(process: subprocess.Popen[bytes]) -> int:
    """The pid of the export's page worker, once it has one."""
    wait_for(lambda: _page_worker(process.pid) or process.poll() is not None, 120, "a page worker")
    worker = _page_worker(process.pid)
    assert worker is not None, "the export finished before its page worker could be seen"
    return worker


def _prepared(generated_vault: Callable[[int, int], Path]) -> Path:
    vault = generated_vault(NOTES, 3)
    assert milepost("index", vault, *args("-q")).code == 0  # parsed once: only pages are left
    return vault


def test_page_workers_die_with_a_killed_export(
    generated_vault: Callable[[int, int], Path], tmp_path: Path
) -> None:
    process = _export(_prepared(generated_vault), tmp_path / "site")
    try:
        worker = _running_worker(process)
        time.sleep(0.3)  # let the worker get into its work
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)
        wait_for(lambda: not alive(worker), 5, "the page worker to end with its export")
    finally:
        kill_tree(process)


def test_a_killed_page_worker_fails_the_export(
    generated_vault: Callable[[int, int], Path], tmp_path: Path
) -> None:
    process = _export(_prepared(generated_vault), tmp_path / "site")
    try:
        worker = _running_worker(process)
        os.kill(worker, signal.SIGKILL)
        _, err = process.communicate(timeout=120)
        assert process.returncode not in (0, None)
        assert b"page worker" in err and b"ended abruptly" in err
        assert children(process.pid) == []
    finally:
        kill_tree(process)
