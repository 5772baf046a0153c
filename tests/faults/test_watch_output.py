"""No library warning reaches the terminal: two real ``milepost watch`` processes on two fresh
vaults, while folders and subfolders appear at once, print only their own lines."""

from __future__ import annotations

import re
import shutil
import time
from functools import partial
from pathlib import Path

from ..conftest import SAMPLE_VAULT
from .conftest import TODAY_ARGS, kill_tree, start, stop, wait_for

INDEX = "Roadmaps/Milestone index.md"
ROADMAP = "Roadmaps/Models/Roadmap – Unassigned.md"
"""The notes made while watching belong to no business model."""


def holds(page: Path, text: str) -> bool:
    return page.exists() and text in page.read_text(encoding="utf-8")


def fresh_vault(target: Path) -> Path:
    shutil.copytree(SAMPLE_VAULT, target, ignore=shutil.ignore_patterns("Roadmaps", ".milepost"))
    return target


def test_two_watchers_on_fresh_vaults_print_no_warning(tmp_path: Path) -> None:
    vaults = [fresh_vault(tmp_path / "one"), fresh_vault(tmp_path / "two")]
    watchers = [start("watch", v, *TODAY_ARGS) for v in vaults]
    try:
        for vault in vaults:
            wait_for((vault / INDEX).exists, 60, "the first build")
        time.sleep(0.5)
        for round_ in range(15):  # a folder and its subfolders made at once, with a note
            for vault in vaults:
                deep = vault / f"New {round_}" / "a" / "b" / "c"
                deep.mkdir(parents=True)
                (deep / f"Note {round_}.md").write_text(f"#milestone Nested {round_}\n")
        for vault in vaults:
            wait_for(
                partial(holds, vault / ROADMAP, "Nested 14"),
                60,
                "the notes in new folders to reach the roadmap",
            )
        results = [stop(w) for w in watchers]
    finally:
        for watcher in watchers:
            kill_tree(watcher)
    for (code, out, err), vault in zip(results, vaults, strict=True):
        assert code == 0, err
        assert err.splitlines() == [f"Watching {vault} (Ctrl-C to stop)", "Stopped."], err
        assert not re.search(r"Warning|Traceback|0x[0-9a-f]{6,}|<\w+", out + err), out
        assert "first build" in out
