"""Notes built to hurt the parser: alias bombs, huge notes, file names that are not UTF-8.

Each scenario runs the real command line in a child process and checks the outcome: no crash,
the diagnostic's code, the exit code, and the time and peak memory the child took.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from milepost.config import Config
from milepost.model import Note
from milepost.parse import large, parse_note
from milepost.parse.frontmatter import FrontMatterProblem, load_yaml

from ..conftest import TODAY

MakeVault = Callable[[dict[str, str | bytes]], Path]


@dataclass
class Child:
    """What a finished ``milepost`` process did."""

    code: int
    out: str
    err: str
    seconds: float
    cpu: float
    """Processor seconds it used (user and system): what it costs even on a busy machine."""
    peak_mib: float
    """Peak resident memory of the process (and of any worker it waited for)."""


def milepost(*args: str | Path, timeout: float = 100) -> Child:
    """Run ``python -m milepost ARGS`` in a child process; measure its time and peak memory."""
    return run_child([sys.executable, "-m", "milepost", *map(str, args)], timeout)


def run_child(command: list[str], timeout: float) -> Child:
    """Run ``command``; its peak memory comes from ``wait4``, for this child alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                process.returncode = -9
                pytest.fail(f"{' '.join(command)} ran over {timeout} s")
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(
            process.returncode,
            out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
            seconds,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss / 1024,  # kilobytes on Linux
        )


def today() -> list[str]:
    return ["--today", TODAY.isoformat()]


def codes(data: dict[str, object], path: str) -> list[str]:
    found = data["diagnostics"]
    assert isinstance(found, list)
    return [d["code"] for d in found if d["path"] == path]


def titles(data: dict[str, object]) -> list[str]:
    models = data["business_models"]
    assert isinstance(models, list)
    return sorted(x["title"] for m in models for x in m["milestones"])


# ----- 1. YAML alias bombs ----------------------------------------------------------------------
def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """Front matter whose aliases expand to width ** levels values ("billion laughs")."""
    lines = ["---", "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    lines += ["tags: [milestone]", "---", "", "#milestone Below the bomb", ""]
    return "\n".join(lines)


def test_an_alias_bomb_is_invalid_front_matter_at_once() -> None:
    started = time.perf_counter()
    note = parse_note("Bomb.md", alias_bomb().encode(), Config(vault=Path()))
    assert time.perf_counter() - started < 0.5
    invalid = [d for d in note.diagnostics if d.code == "frontmatter.invalid"]
    assert len(invalid) == 1 and "too many aliases" in invalid[0].message
    assert invalid[0].line == 6  # a4, the first value that stands for over 10,000
    assert note.frontmatter == {}
    assert [m.title for m in note.milestones] == ["Below the bomb"]  # the body is still read


def test_index_of_a_vault_with_an_alias_bomb(make_vault: MakeVault) -> None:
    vault = make_vault({"Bomb.md": alias_bomb(), "Home.md": "#milestone Home\n"})
    child = milepost("index", vault, "--json", "-j1", *today(), timeout=60)
    assert child.code == 0, child.err
    data = json.loads(child.out)
    assert codes(data, "Bomb.md") == ["frontmatter.invalid"]
    assert titles(data) == ["Below the bomb", "Home"]
    assert child.cpu < 5 and child.peak_mib < 300


def test_a_recursive_alias_is_invalid_front_matter() -> None:
    note = parse_note("Loop.md", b"---\nloop: &x [1, *x]\n---\nText\n", Config(vault=Path()))
    assert [(d.code, d.line) for d in note.diagnostics] == [("frontmatter.invalid", 2)]
    assert "refers to the value that holds it" in note.diagnostics[0].message


def test_a_few_anchors_still_load() -> None:
    text = "defaults: &d {owner: Ana, budget: 100}\nfirst: *d\nsecond: *d\nlist: [*d, *d, *d]\n"
    assert load_yaml(text)["list"] == [{"owner": "Ana", "budget": 100}] * 3
    many = "base: &b [" + ", ".join(["1"] * 100) + "]\n" + "".join(f"k{i}: *b\n" for i in range(99))
    assert len(load_yaml(many)) == 100  # 9,900 values from aliases: under the limit
    with pytest.raises(FrontMatterProblem, match="too many aliases"):
        load_yaml(many + "".join(f"m{i}: *b\n" for i in range(2)))


def test_the_memory_measure_is_real() -> None:
    """The measure the fault tests rely on: a child that holds 200 MiB reports more than that."""
    child = run_child([sys.executable, "-c", "x = bytearray(200 * 1024 * 1024)"], 30)
    assert child.code == 0 and child.peak_mib > 200


# ----- 3. Huge notes ----------------------------------------------------------------------------
SKIMMED = """\
---
tags: [big]
business_model: Giant
---
# Plan

Intro with [[Home]] and #topic, **#bold**, and `[[Not a link]] #nottag` in code.

## Examples

### Space X
- [ ] #milestone Launch [due:: Q1 2027] [owner:: [[Ana]]]
  Its description, on a continuation line.
  budget:: $40k
- another item with [a link](Home.md#Intro) ^item-id
    - [ ] #milestone Nested child 📅 2027-02-01 ⏫

```python
#milestone Fake in a fence [[Fake]]
```

%%
#milestone Fake in a comment [[Fake two]]
%%

$$
#milestone Fake in math
$$

%% milepost:begin roadmap "Space X" %%
#milestone Fake in a region [[Fake three]]
%% milepost:end %%

Setext heading
--------------

🏁#milestone Glued flag (expected Jun 2025)
\towner:: Ops

## Notes
> [!note] Callout
> #milestone In a callout [[Home]]

Text #milestone mid-sentence is not an item.
business_model:: Other
![[Home#Intro]] and ![img](pic.png)

A paragraph with a block id. ^para

***
#milestone After a rule
"""


MILESTONE_FIELDS = (
    "title",
    "line",
    "description",
    "model",
    "heading",
    "status",
    "due",
    "start",
    "owner",
    "budget",
    "priority",
    "links",
    "fields",
)


def shape(note: Note) -> dict[str, object]:
    """What the index takes from a note, as plain values."""
    return {
        "milestones": [
            {name: getattr(m, name) for name in MILESTONE_FIELDS} for m in note.milestones
        ],
        "links": sorted(note.links, key=lambda link: (link.line, link.raw)),
        "tags": sorted((t.name, t.line) for t in note.tags),
        "headings": note.headings,
        "blocks": sorted(note.blocks),
        "regions": note.regions,
        "frontmatter": note.frontmatter,
        "model": note.model,
        "diagnostics": [(d.code, d.line) for d in note.diagnostics],
    }


@pytest.mark.parametrize("part_lines", [2000, 1])
def test_a_note_over_the_limit_is_skimmed_to_what_a_full_parse_reads(
    part_lines: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same milestones, links, tags, headings and blocks, whether the kept lines are
    parsed at once or a part at each heading and top-level item."""
    monkeypatch.setattr(large, "PART_LINES", part_lines)
    data = SKIMMED.encode()
    full = parse_note("Plan.md", data, Config(vault=Path()))
    skimmed = parse_note("Plan.md", data, Config(vault=Path(), max_note_mb=0.0001))
    assert not full.large and skimmed.large
    assert [d.code for d in skimmed.diagnostics] == ["note.large"]
    assert "max_note_mb" in skimmed.diagnostics[0].message
    got, want = shape(skimmed), shape(full)
    got["diagnostics"] = list(skimmed.diagnostics[1:])
    want["diagnostics"] = list(full.diagnostics)
    assert got == want
    assert [m.title for m in full.milestones] == [  # the case is what it says
        "Launch",
        "Nested child",
        "Glued flag",
        "In a callout [[Home]]",
        "After a rule",
    ]


def write_huge_note(vault: Path, megabytes: int) -> None:
    """A note of mostly prose (a transcript, an export), with links, tags and milestones."""
    prose = ("Customers compare the offer with the market and decide on price. " * 14).strip()
    part = "\n\n".join([prose] * 40) + "\n\nSee [[Home]] and #topic.\n\n"
    milestone = "- [ ] #milestone Checkpoint [due:: Q1 2027] [owner:: Ana]\n\n"
    block = "## Part\n\n" + part + milestone + part
    count = megabytes * 1_000_000 // len(block.encode()) + 1
    text = "---\ntags: [transcript]\n---\n# Big\n\n" + block * count
    text += "#milestone Found at the very end 📅 2027-06-30\n"
    (vault / "Big.md").write_text(text, encoding="utf-8")


def test_index_and_export_of_a_50_mb_note_are_bounded(make_vault: MakeVault) -> None:
    vault = make_vault({"Home.md": "# Home\n\nSee [[Big]] and ![[Big]].\n"})
    write_huge_note(vault, 50)
    lines = (vault / "Big.md").read_text(encoding="utf-8").count("\n")
    child = milepost("index", vault, "--json", "-j1", *today(), timeout=100)
    assert child.code == 0, child.err
    data = json.loads(child.out)
    assert codes(data, "Big.md") == ["note.large"]
    found = [m for model in data["business_models"] for m in model["milestones"]]
    assert len(found) > 100 and found[-1]["title"] == "Found at the very end"
    assert found[-1]["source"]["line"] == lines
    assert found[0]["due"]["text"] == "Q1 2027" and found[0]["owner"] == "Ana"
    assert child.cpu < 15 and child.seconds < 90 and child.peak_mib < 500
    site = vault.parent / "site"
    exported = milepost("export", vault, "-o", site, "-j1", *today(), timeout=100)
    assert exported.code == 0, exported.err
    page = (site / "notes" / "big.html").read_bytes()
    assert b'<pre class="mp-plain">---\ntags: [transcript]\n---\n# Big\n' in page
    text = page.split(b'<pre class="mp-plain">')[1].split(b"</pre>")[0]
    assert text.endswith(b"#milestone Found at the very end \xf0\x9f\x93\x85 2027-06-30\n")
    assert b"<h2" not in text  # not rendered
    assert b"larger than max_note_mb" in (site / "notes" / "home.html").read_bytes()
    assert exported.cpu < 20 and exported.seconds < 90 and exported.peak_mib < 500


def test_a_long_single_line_is_parsed_in_linear_time(make_vault: MakeVault) -> None:
    """A 2 MB line of links, fields, emoji and parentheses (it took minutes when it was
    quadratic), under the limit, so parsed in full."""
    words = "see [x](Home.md) (aside) [k:: v] ⏫ 📅 2026-01-01 [[Home]] **bold** end "
    line = "- [ ] #milestone One long line " + words * (2_000_000 // len(words.encode()))
    vault = make_vault({"One.md": line + "\n", "Home.md": "# Home\n"})
    child = milepost("index", vault, "--json", "-j1", *today(), timeout=100)
    assert child.code == 0, child.err
    data = json.loads(child.out)
    (milestone,) = [m for model in data["business_models"] for m in model["milestones"]]
    assert milestone["due"]["text"] == "2026-01-01" and milestone["priority"] == "high"
    assert child.cpu < 30 and child.seconds < 90


def test_max_note_mb_is_checked(make_vault: MakeVault) -> None:
    vault = make_vault({"milepost.toml": "max_note_mb = 0\n", "Home.md": "# Home\n"})
    child = milepost("index", vault, *today(), timeout=30)
    assert child.code == 2
    assert "'max_note_mb' must be a positive number of megabytes, got 0" in child.err


# ----- 4. File names that are not UTF-8 -------------------------------------------------------
def test_a_file_name_that_is_not_utf8_is_reported_and_skipped(make_vault: MakeVault) -> None:
    vault = make_vault(
        {
            "Home.md": "# Home\n\n- [ ] #milestone Home milestone 📅 2027-01-10\n",
            "Models/Shop.md": "---\ntype: business-model\n---\n#milestone Open the shop\n",
        }
    )
    root = os.fsencode(vault)  # bytes paths: these names are not text
    os.mkdir(root + b"/Folder \xfe")  # noqa: PTH102
    for name in (b"Bad\xffname.md", b"Folder \xfe/Inside.md"):
        descriptor = os.open(root + b"/" + name, os.O_WRONLY | os.O_CREAT, 0o644)
        os.write(descriptor, b"#milestone Must not crash anything\n")
        os.close(descriptor)
    named = {"Bad\\xffname.md", "Folder \\xfe"}

    child = milepost("index", vault, "--json", "-j1", *today())
    assert child.code == 0, child.err
    data = json.loads(child.out)
    found = {(d["path"], d["code"], d["severity"]) for d in data["diagnostics"]}
    assert found == {(path, "file.name-encoding", "warning") for path in named}
    assert titles(data) == ["Home milestone", "Open the shop"]
    assert "rename it" in child.err and "Traceback" not in child.err

    built = milepost("build", vault, "-j1", *today())
    assert built.code == 0, built.err
    assert (vault / "Roadmaps" / "Models" / "Roadmap – Shop.md").is_file()
    assert "Traceback" not in built.err

    checked = milepost("check", vault, "-j1", *today())
    assert checked.code == 0 and "Bad\\xffname.md: warning:" in checked.out

    site = vault.parent / "site"
    exported = milepost("export", vault, "-o", site, "-j1", *today())
    assert exported.code == 0, exported.err
    assert (site / "notes" / "home.html").is_file()
    assert sorted(p.name for p in (site / "notes").rglob("*.html")) == [
        "home.html",
        "shop.html",
    ]
