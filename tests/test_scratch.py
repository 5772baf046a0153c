"""An export's temporary files: those of a process that no longer runs are removed, no others."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from milepost.site import scratch


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sweep_removes_what_dead_exports_left_and_nothing_else(tmp_path: Path) -> None:
    gone = dead_pid()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("the user's", encoding="utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    (temp / f"milepost-kit-{gone}-abc").write_bytes(b"kit")
    spool = temp / f"milepost-search-{gone}-xyz"
    spool.mkdir()
    (spool / "here").write_bytes(b"entries")
    (temp / f"milepost-search-{gone}-link").symlink_to(outside, target_is_directory=True)
    kept = [
        f"milepost-kit-{os.getpid()}-mine",  # this process's own
        f"milepost-search-{os.getppid()}-running",  # a process that runs
        f"milepost-kit-{gone}",  # not a name an export makes
        "milepost-cache",
        "notes.txt",
    ]
    for name in kept:
        (temp / name).write_bytes(b"x")
    removed = scratch.sweep(temp)
    assert sorted(removed) == sorted(
        [f"milepost-kit-{gone}-abc", f"milepost-search-{gone}-xyz", f"milepost-search-{gone}-link"]
    )
    assert sorted(p.name for p in temp.iterdir()) == sorted(kept)
    assert (outside / "keep.txt").read_text(encoding="utf-8") == "the user's"


def test_names_carry_the_process_id() -> None:
    assert scratch.prefix("kit") == f"milepost-kit-{os.getpid()}-"
