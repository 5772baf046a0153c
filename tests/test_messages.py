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
