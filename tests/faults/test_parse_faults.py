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
from milepost.parse import parse_note
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
    assert child.seconds < 20 and child.peak_mib < 300


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
