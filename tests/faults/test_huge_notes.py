"""Notes far larger than anyone writes by hand: bounded time and memory, never a hang."""

from __future__ import annotations

from ..conftest import MakeVault
from .conftest import args, milepost


def one_line_of_links(megabytes: float, names: int = 50) -> str:
    unit = " ".join(f"[[Note {n}]]" for n in range(names)) + " "
    size = int(megabytes * 1_000_000)
    line = (unit * (size // len(unit) + 1))[:size]
    return line[: line.rfind("]]") + 2]


def test_a_one_line_note_full_of_links_builds_in_linear_time(make_vault: MakeVault) -> None:
    """1 MB on one line, 85,000 links, in a milestone's description (each link rewritten for
    the roadmap page). Rewriting link by link took 27 s; one pass takes well under a second."""
    files: dict[str, str | bytes] = {f"Note {n}.md": f"# Note {n}\n" for n in range(50)}
    files["Big.md"] = "#milestone The big one\n" + one_line_of_links(1) + "\n"
    vault = make_vault(files)
    done = milepost("build", vault, *args("-q", "--jobs", "1"), timeout=120)
    assert done.code == 0, done.err
    assert done.seconds < 20, f"build took {done.seconds:.1f} s"
    assert done.peak < 1_500_000_000
    page = (vault / "Roadmaps" / "Models" / "Roadmap – Unassigned.md").read_text()
    assert "[[Note 7|Note 7]]" in page
