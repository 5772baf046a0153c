"""The fast path of the index and markdown-it-py's path give the same JSON index, byte for byte.

``MILEPOST_PARSER=reference`` forces every note onto markdown-it-py alone (see
``milepost.parse.fastinline``); each vault here is indexed both ways, cold (``--no-cache``),
in a new process each time, and the two outputs must be identical.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from milepost.parse.fastinline import REFERENCE_ENV

from .conftest import CORPORA, SHARED, TODAY
from .test_generator import load_generator

MILEPOST = (sys.executable, "-m", "milepost")


def index_bytes(vault: Path, *, reference: bool) -> bytes:
    env = {k: v for k, v in os.environ.items() if k != REFERENCE_ENV}
    if reference:
        env[REFERENCE_ENV] = "reference"
    today = TODAY.isoformat()
    done = subprocess.run(
        [*MILEPOST, "index", str(vault), "--json", "--today", today, "-q", "--no-cache"],
        capture_output=True,
        check=False,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def assert_same_index(vault: Path) -> None:
    fast = index_bytes(vault, reference=False)
    reference = index_bytes(vault, reference=True)
    assert fast.startswith(b'{\n  "schema": 1,')  # a real index, not an error
    assert fast == reference


def corpora() -> list[str]:
    if not CORPORA.is_dir():
        return []
    return sorted(p.name for p in CORPORA.iterdir() if p.is_dir() and p.name != "LICENSES")


@pytest.mark.skipif(
    not SHARED.is_dir(),
    reason="../shared (the seeds and corpora) is not beside this clone; CI always has it",
)
@pytest.mark.parametrize("name", corpora() or ["(none)"])
def test_same_index_on_every_real_corpus(name: str, tmp_path: Path) -> None:
    vault = tmp_path / name
    shutil.copytree(CORPORA / name, vault)
    assert_same_index(vault)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_index_on_generated_vaults(seed: int, tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    key = load_generator().generate(60, seed, vault)
    assert key["totals"]["milestones"] > 100
    assert_same_index(vault)
