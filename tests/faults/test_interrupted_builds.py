"""A build killed (``kill -9``) or interrupted (Ctrl-C) at any point: the next build finishes
with exit 0, reports no conflict that a person did not make, and leaves no temp file behind."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import SHARED, needs_shared

ROUNDS = 30
DATES = ["2026-11-22", "2026-12-22"]
"""Builds alternate between two todays, so each one re-renders and rewrites every page."""


def milepost(*args: str | Path) -> list[str]:
    return [sys.executable, "-m", "milepost", *(str(a) for a in args)]


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(milepost(*args), capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated") / "vault"
    subprocess.run(
        [
            sys.executable,
            str(SHARED / "tools" / "gen_vault.py"),
            *("--notes", "1000", "--seed", "4", "--key", str(out.parent / "key.json")),
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    return out


@needs_shared
@pytest.mark.timeout(900)
def test_killed_and_interrupted_builds_leave_a_vault_the_next_build_finishes(
    generated: Path, tmp_path: Path
) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(generated, vault)
    done = run("build", vault, "--today", DATES[1], "-q", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    started = time.monotonic()
    done = run("build", vault, "--today", DATES[0], "-q", "--jobs", "2")
    full = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    rng = random.Random(11)
    signals = [signal.SIGKILL] * (ROUNDS * 2 // 3) + [signal.SIGINT] * (ROUNDS - ROUNDS * 2 // 3)
    rng.shuffle(signals)
    for number, sig in enumerate(signals):
        today = DATES[(number + 1) % 2]
        process = subprocess.Popen(
            milepost("build", vault, "--today", today, "-q", "--jobs", "2"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.05, full))
        if sig == signal.SIGKILL:
            os.killpg(process.pid, sig)  # the whole tree: workers die with it
        else:
            process.send_signal(sig)
        process.wait(timeout=60)
        after = run("build", vault, "--today", today)
        assert after.returncode == 0, (number, sig, after.stdout, after.stderr)
        assert re.search(r"\b0 in conflict\b", after.stderr), (number, sig, after.stderr)
        assert "conflict" not in after.stdout, (number, sig, after.stdout)
        assert not list(vault.rglob("*.milepost-tmp")), (number, sig)
        assert not (vault / ".milepost" / "manifest.journal").exists()
    check = run("build", vault, "--today", DATES[(ROUNDS) % 2], "--check")
    assert check.returncode == 0, check.stdout + check.stderr
