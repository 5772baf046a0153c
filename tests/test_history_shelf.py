"""The history snapshot read note by note: builds that read only the notes that changed record
and render exactly what builds that compare every milestone do."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

from milepost.cache import cache_folder
from milepost.config import load_config
from milepost.history import HISTORY_PATH
from milepost.history_snapshot import NAME
from milepost.session import Session

from .conftest import MakeVault, Result

Run = Callable[..., Result]

FILES: dict[str, str | bytes] = {
    "Models/Shop.md": "---\ntype: business-model\n---\n# Shop\n",
    "A.md": (
        "---\nbusiness_model: Shop\n---\n# A\n\n## Launch\n\n"
        "- #milestone Launch (expected Jun 2026) [id:: launch]\n"
        "- #milestone Hire (expected Q3 2026)\n"
    ),
    "B.md": "---\nbusiness_model: Shop\n---\n# B\n\n- #milestone Open (expected Q4 2026)\n",
    "C.md": "---\nbusiness_model: Shop\n---\n# C\n\n- #milestone Sell (expected 2027)\n",
}


def write(vault: Path, rel: str, text: str) -> None:
    (vault / rel).write_text(text, encoding="utf-8", newline="\n")


def replace(vault: Path, rel: str, old: str, new: str) -> None:
    text = (vault / rel).read_text(encoding="utf-8")
    assert old in text
    write(vault, rel, text.replace(old, new))


def outputs(vault: Path) -> dict[str, bytes]:
    found = {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted((vault / "Roadmaps").rglob("*.md"))
    }
    found[HISTORY_PATH] = (vault / HISTORY_PATH).read_bytes()
    return found


D_NOTE = "---\nbusiness_model: Shop\n---\n# D\n\n"


def move_launch(vault: Path) -> None:
    """The milestone with an id moves to a note of its own: its history follows it."""
    replace(vault, "A.md", "- #milestone Launch (expected Aug 2026) [id:: launch]\n", "")
    write(vault, "D.md", D_NOTE + "- #milestone Launch (expected Sep 2026) [id:: launch]\n")


STEPS: list[Callable[[Path], None]] = [
    lambda v: replace(v, "A.md", "Jun 2026", "Aug 2026"),  # a slip
    lambda v: replace(v, "B.md", "Open", "Open the shop"),  # a rename
    move_launch,
    lambda v: replace(v, "C.md", "(expected 2027)", "(expected Q1 2027)\n- #milestone New"),
    lambda v: (v / "B.md").unlink(),
    lambda v: replace(v, "D.md", "Sep 2026", "Oct 2026"),  # a second slip, read from the shelf
]


def test_one_shot_builds_from_the_snapshot_match_builds_without_cache(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    cached = make_vault(FILES)
    full = tmp_path / "full"
    shutil.copytree(cached, full)
    for number, step in enumerate([lambda _v: None, *STEPS], start=1):
        day = f"2026-05-{number:02d}"
        for vault, extra in ((cached, ()), (full, ("--no-cache",))):
            step(vault)
            assert run("build", vault, "--today", day, "-q", *extra).code == 0
        assert outputs(cached) == outputs(full), day
    roadmap = outputs(cached)["Roadmaps/Models/Roadmap – Shop.md"].decode()
    assert "slipped 3×" in roadmap  # Launch: Jun, Aug, then Sep and Oct in another note
    assert (cache_folder(load_config(cached)) or Path()).joinpath(NAME).is_file()


def test_a_watching_session_reads_the_shelf_as_notes_change(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    watched = make_vault(FILES)
    full = tmp_path / "full"
    shutil.copytree(watched, full)
    day = "2026-05-01"
    for vault in (watched, full):
        assert run("build", vault, "--today", day, "-q").code == 0
    session = Session(load_config(watched, today=date(2026, 5, 1)), lasting=True)
    try:
        session.build()
        for number, step in enumerate(STEPS, start=1):
            before = {p.relative_to(watched).as_posix() for p in watched.rglob("*.md")}
            step(watched)
            step(full)
            after = {p.relative_to(watched).as_posix() for p in watched.rglob("*.md")}
            for rel in after - {p for p in after if p.startswith("Roadmaps/")}:
                stat = (watched / rel).stat()  # a save within the clock's tick is still a save
                os.utime(watched / rel, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9 * number))
            session.update(sorted(before | after))
            assert run("build", full, "--today", day, "-q", "--no-cache").code == 0
            assert outputs(watched) == outputs(full)
    finally:
        session.close()


def test_a_damaged_snapshot_is_read_again_from_the_history_file(
    run: Run, make_vault: MakeVault, tmp_path: Path
) -> None:
    cached = make_vault(FILES)
    full = tmp_path / "full"
    shutil.copytree(cached, full)
    folder = cache_folder(load_config(cached))
    assert folder is not None
    for number, step in enumerate(STEPS, start=1):
        day = f"2026-05-{number:02d}"
        for vault, extra in ((cached, ()), (full, ("--no-cache",))):
            assert run("build", vault, "--today", day, "-q", *extra).code == 0
            step(vault)
        snapshot = folder / NAME
        data = snapshot.read_bytes()
        cut = {
            1: data[: len(data) // 2],
            2: data[:-3] + b"\xff\xff\xff",
            3: b"",
            4: data[:40],
            5: data[:8] + b"\xc1" * 32 + data[40:],  # the header is whole, a note's blob is not
        }
        snapshot.write_bytes(cut.get(number, data[:-8] + (len(data)).to_bytes(8, "big")))
        assert run("build", cached, "--today", day, "-q").code == 0
        assert run("build", full, "--today", day, "-q", "--no-cache").code == 0
        assert outputs(cached) == outputs(full), day
