"""Saves that land while `milepost watch` fills a managed region of the same note: not one byte
the user wrote is lost, whether the editor appends to the file or replaces it atomically."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from milepost import load_config
from milepost.watching import watch

from ..conftest import SAMPLE_VAULT, TODAY

SAVES = 300
NOTE = "Concepts/Board pack.md"
HEAD = """\
# Board pack

%% milepost:begin roadmap "Space X" %%
%% milepost:end %%

## Examples
### Space X
"""

APPENDER = textwrap.dedent(
    """
    import os, random, sys, time
    path, mode, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(7)
    for number in range(count):
        line = f"- #milestone Step {number} (expected 2030)\\n"
        if mode == "append":
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(line)
        else:  # an editor's atomic save: read, change, write a temp file, move it over
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            temp = os.path.join(os.path.dirname(path), f".{number}.tmp")
            with open(temp, "w", encoding="utf-8") as handle:
                handle.write(text + line)
            os.replace(temp, path)
        time.sleep(rng.uniform(0, 0.02))
    """
)


@pytest.mark.parametrize("mode", ["append", "atomic"])
@pytest.mark.timeout(300)
def test_no_save_is_lost_while_a_region_is_filled(
    mode: str, copy_vault: Callable[[Path], Path], tmp_path: Path
) -> None:
    vault = copy_vault(SAMPLE_VAULT)
    note = vault / NOTE
    note.write_text(HEAD, encoding="utf-8")
    stop = threading.Event()
    outcomes: list[object] = []
    thread = threading.Thread(
        target=watch, args=(load_config(vault, today=TODAY), outcomes.append), kwargs={"stop": stop}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while "Space X" not in note.read_text(encoding="utf-8").split("%% milepost:end")[0][40:]:
            assert time.monotonic() < deadline, "the region was never filled"
            time.sleep(0.05)
        script = tmp_path / "appender.py"
        script.write_text(APPENDER, encoding="utf-8")
        subprocess.run(
            [sys.executable, str(script), str(note), mode, str(SAVES)], check=True, timeout=240
        )
        deadline = time.monotonic() + 30
        while "**Step 299**" not in note.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "watch never caught up with the last save"
            time.sleep(0.1)
        time.sleep(1.0)
    finally:
        stop.set()
        thread.join(timeout=20)
    text = note.read_text(encoding="utf-8")
    lost = [n for n in range(SAVES) if f"- #milestone Step {n} (expected 2030)\n" not in text]
    assert lost == []
    assert text.count("%% milepost:begin") == 1 and text.count("%% milepost:end %%") == 1
    tail = text.split("%% milepost:end %%\n", 1)[1]
    steps = [line for line in tail.splitlines() if line.startswith("- #milestone Step")]
    assert steps == [f"- #milestone Step {n} (expected 2030)" for n in range(SAVES)]


def test_a_save_made_from_the_note_before_a_fill_is_filled_again_not_kept(
    copy_vault: Callable[[Path], Path],
) -> None:
    """An editor that read the note before milepost filled its region, and saves after, brings
    back milepost's earlier text of the region: the next build fills it again (it is not the
    user's, so no conflict), and the line the user added is kept."""
    vault = copy_vault(SAMPLE_VAULT)
    note = vault / NOTE
    note.write_text(HEAD + "- #milestone First step (expected 2030)\n", encoding="utf-8")

    def build() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "milepost", "build", str(vault), "--today", TODAY.isoformat()],
            capture_output=True,
            text=True,
            check=False,
        )

    assert build().returncode == 0
    stale = note.read_text(encoding="utf-8")  # what the editor holds
    note.write_text(stale + "- #milestone Second step (expected 2030)\n", encoding="utf-8")
    assert build().returncode == 0
    assert "**Second step**" in note.read_text(encoding="utf-8")
    note.write_text(stale + "- #milestone Third step (expected 2030)\n", encoding="utf-8")
    done = build()
    assert done.returncode == 0, done.stdout + done.stderr
    text = note.read_text(encoding="utf-8")
    region = text.split("%% milepost:end %%")[0]
    assert "**Third step**" in region and "**Second step**" not in region
    assert text.endswith("- #milestone Third step (expected 2030)\n")
