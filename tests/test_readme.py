"""The README's promises: its two commands, the CI script, and the JSON schema it documents."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .conftest import ROOT, SAMPLE_VAULT, TODAY, Result

README = (ROOT / "README.md").read_text(encoding="utf-8")


def shell_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, re.DOTALL)


def test_two_set_up_commands_and_ci_runs_the_test_one() -> None:
    setup, tests = shell_blocks()[:2]
    assert "sample-vault" in setup and setup.startswith("python3 -m venv .venv")
    assert "pytest" in tests and "'.[test]'" in tests
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests.strip() in ci.splitlines()


def test_the_documented_json_example_matches_the_output(run: Callable[..., Result]) -> None:
    example = json.loads(re.findall(r"```json\n(.*?)```", README, re.DOTALL)[0])
    result = run("index", SAMPLE_VAULT, "--json", "--today", TODAY.isoformat(), "-q")
    real = json.loads(result.out)
    assert list(example) == list(real)
    for key in ("business_models", "tools", "diagnostics"):
        assert list(example[key][0]) == list(real[key][0]) or key == "diagnostics"
    assert list(example["business_models"][0]["milestones"][0]) == list(
        real["business_models"][0]["milestones"][0]
    )
    assert list(example["diagnostics"][0]) == ["code", "severity", "path", "line", "message"]


def test_the_library_example_runs(tmp_path: Path) -> None:
    """The README's library example, run as written in a new process next to a copy of the
    sample vault."""
    blocks = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    block = next(b for b in blocks if "milepost.check" in b)
    shutil.copytree(SAMPLE_VAULT, tmp_path / "sample-vault")
    check = (
        "\nassert not checked.failing(strict=False)\nassert built.count('conflict') == 0\n"
        "assert Path('site/index.html').is_file()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", block + check],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Space X 9" in done.stdout


def test_the_api_names_are_functions_whatever_is_imported() -> None:
    """milepost.build, check, export and watch stay the functions of milepost.commands once
    every module of the package has been imported (a submodule of the same name would hide
    one)."""
    import importlib
    import pkgutil

    import milepost
    from milepost import commands

    for info in pkgutil.walk_packages(milepost.__path__, "milepost."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for name in ("build", "check", "export", "watch"):
        assert getattr(milepost, name) is getattr(commands, name), name
