"""What the commands say: links quoted as written, and no walls of text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .conftest import TODAY, Result

Run = Callable[..., Result]
MakeVault = Callable[[dict[str, str | bytes]], Path]
FINDING = re.compile(
    r"^(?P<path>[^:]+):(?P<line>\d+): (?:warning|error): (?P<message>.*) \[(?P<code>[\w.-]+)\]$"
)


def findings(output: str) -> list[tuple[str, int, str, str]]:
    """(path, line, code, message) of every finding line of a command's output."""
    found = []
    for text in output.splitlines():
        match = FINDING.match(text)
        if match is not None:
            found.append((match["path"], int(match["line"]), match["code"], match["message"]))
    return found


PLAN = """\
---
related: "[[Nowhere]]"
---
A heading link [Section name](Example.md#Details) in a sentence.
A Tasks-style link [to a path](pa#th/path/link_in_task) here.
An embed ![[Example#Missing heading|shown]] with a subpath.
An image embed ![chart](Example.md#^noblock) of a block.
An encoded name [Spaced](My%20Note.md#Sec) too.
| cell | [[Gone\\|alias]] |
| ---- | ---------------- |
- [ ] #milestone Check ![[Absent.png]] and [[Example#Intro]] 📅 2027-01-01
"""


def test_link_diagnostics_quote_every_link_as_written(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault({"Example.md": "# Intro\n", "Plan.md": PLAN})
    result = run("check", vault, "--today", TODAY.isoformat())
    lines = PLAN.splitlines()
    quoted = {
        2: "[[Nowhere]]",
        4: "[Section name](Example.md#Details)",
        5: "[to a path](pa#th/path/link_in_task)",
        6: "![[Example#Missing heading|shown]]",
        7: "![chart](Example.md#^noblock)",
        8: "[Spaced](My%20Note.md#Sec)",
        9: "[[Gone\\|alias]]",
        11: "![[Absent.png]]",
    }
    links = {
        line: message
        for path, line, code, message in findings(result.out)
        if path == "Plan.md" and code.startswith("link.")
    }
    assert sorted(links) == sorted(quoted)
    for line, raw in quoted.items():
        assert raw in lines[line - 1]  # the expectation itself is the file's text
        assert links[line].startswith(raw + " ") or links[line].startswith(raw + ":")


def test_an_ambiguous_link_names_three_notes_and_counts_the_rest(
    run: Run, make_vault: MakeVault
) -> None:
    files: dict[str, str | bytes] = {f"Team {n:02}/Plan.md": "# Plan\n" for n in range(30)}
    files["Home.md"] = "See [[Plan]].\n"
    vault = make_vault(files)
    result = run("check", vault, "--today", TODAY.isoformat())
    (message,) = [m for _, _, code, m in findings(result.out) if code == "link.ambiguous"]
    assert message.startswith("[[Plan]] could mean 30 notes; Obsidian opens Team 00/Plan.md")
    assert "not Team 01/Plan.md, Team 02/Plan.md, Team 03/Plan.md … and 26 more;" in message
    assert message.count("/Plan.md") == 4 and len(message) < 200


INCOMPLETE = """\
- [ ] #milestone First 📅 2027-01-01
- [ ] #milestone Second [owner:: Ana]
- [ ] #milestone Third [budget:: $5]
- [x] #milestone Done already
"""


def test_check_says_what_a_good_milestone_is_once(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault({"Plan.md": INCOMPLETE})
    result = run("check", vault, "--today", TODAY.isoformat())
    lines = result.out.splitlines()
    assert result.out.count("a description, a due date, a budget and an owner") == 1
    assert lines[0].startswith("A good milestone has a description, a due date, a budget")
    assert "3 open milestones lack some of it" in lines[0]
    incomplete = [m for _, _, code, m in findings(result.out) if code == "milestone.incomplete"]
    assert incomplete == [
        "'First' (Unassigned) has no description, budget, owner",
        "'Second' (Unassigned) has no description, due, budget",
        "'Third' (Unassigned) has no description, due, owner",
    ]


def test_a_vault_without_milestones_says_how_to_tag_one(run: Run, make_vault: MakeVault) -> None:
    vault = make_vault(
        {"Notes.md": "# Notes\n\nJust text.\n", "Shop.md": "---\ntype: business-model\n---\n"}
    )
    how = "Tag one with #milestone at the start of a line or list item"
    index = run("index", vault, "--today", TODAY.isoformat())
    assert index.out.startswith("No milestones found. " + how) and "|" not in index.out
    check = run("check", vault, "--today", TODAY.isoformat())
    assert check.out.splitlines()[0].startswith("No milestones found. " + how)
    assert "Completeness" not in check.out and "0 of 0" not in check.out
    assert "tags: [milestone]" in check.out
    assert run("build", vault, "--today", TODAY.isoformat()).code == 0
    page = (vault / "Roadmaps" / "Milestone index.md").read_text(encoding="utf-8")
    assert "| Business model |" not in page
    assert "No milestones found yet. To add one, tag a line or list item with `#milestone`" in page
