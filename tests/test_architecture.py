"""The shape of the code: imports point left only; click only in the CLI, watchdog only in watch."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import milepost

PACKAGE = Path(milepost.__file__).resolve().parent
LAYERS = [
    "sources",
    "records",
    "errors",
    "workers",
    "model",
    "config",
    "files",
    "manifest_records",
    "manifest",
    "discover",
    "ownership",
    "parse",
    "resolve",
    "linkcheck",
    "index",
    "depgraph",
    "deps",
    "planning",
    "replan",
    "feeds",
    "marks",
    "identity",
    "history",
    "history_first",
    "slips",
    "memory",
    "accuracy",
    "gitlog",
    "report",
    "report_lines",
    "render",
    "write",
    "interning",
    "cache",
    "history_shelf",
    "history_snapshot",
    "reading",
    "feedprints",
    "feedwrite",
    "feedbuild",
    "uptodate",
    "stamp",
    "changes",
    "watchmemory",
    "session",
    "watchevents",
    "watching",
    "site",
    "commands",
    "cli",
]
"""Each layer may import the layers before it (and itself), never the ones after."""
ENTRY = {"__init__", "__main__"}


def layer_of(module: str) -> str:
    return module.split(".", maxsplit=1)[0]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(PACKAGE).with_suffix("").parts
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[: len(package) - node.level])
            if node.module:
                base += node.module.split(".")
            found.add(".".join(base) if base else (node.names[0].name))
            if not node.module:
                found.update(".".join([*base, alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def modules() -> list[tuple[str, Path]]:
    return [
        (".".join(p.relative_to(PACKAGE).with_suffix("").parts), p)
        for p in sorted(PACKAGE.rglob("*.py"))
    ]


def test_imports_point_left() -> None:
    problems = []
    for name, path in modules():
        if name in ENTRY:
            continue
        own = LAYERS.index(layer_of(name))
        for written in imports_of(path):
            imported = written.removeprefix("milepost.")
            first = imported.split(".", 1)[0]
            if first in LAYERS and LAYERS.index(first) > own:
                problems.append(f"{name} imports {imported}")
    assert problems == []


def test_every_module_has_a_layer() -> None:
    assert {layer_of(name) for name, _ in modules()} - ENTRY <= set(LAYERS)


def test_click_only_in_cli_and_watchdog_only_in_watch() -> None:
    for name, path in modules():
        roots = {i.split(".")[0] for i in imports_of(path)}
        if "click" in roots:
            assert layer_of(name) == "cli", name
        if "watchdog" in roots:
            assert layer_of(name) == "watchevents", name


def test_public_api() -> None:
    assert sorted(dir(milepost)) == sorted({*milepost.__all__, *vars(milepost)})
    for name in milepost.__all__:
        assert getattr(milepost, name) is not None
    with pytest.raises(AttributeError):
        _ = milepost.nothing_of_that_name


def test_the_command_line_loads_the_parser_only_when_a_command_runs() -> None:
    code = "import sys, milepost.cli; print('milepost.parse' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert done.stdout.strip() == "False"


def test_every_subpackage_is_installed() -> None:
    """pyproject.toml lists the packages ``pip install .`` installs: a new subpackage left out
    of it works from the source tree and is missing from an installed milepost."""
    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(root / "src").parts)
        for init in (root / "src" / "milepost").rglob("__init__.py")
    }
    assert found - listed == set()
