"""The benchmark's vault generator: deterministic, and its answer key is what milepost indexes."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from .conftest import ROOT, SHARED, TODAY, needs_shared

MILEPOST = (sys.executable, "-m", "milepost")


def load_generator() -> ModuleType:
    """benchmarks/generate.py, imported by path (benchmarks/ is not a package)."""
    name = "milepost_bench_generate"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def index_json(vault: Path) -> dict[str, Any]:
    done = subprocess.run(
        [*MILEPOST, "index", str(vault), "--json", "--today", TODAY.isoformat(), "-q"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def milestones(index: dict[str, Any]) -> list[tuple[str, int, str]]:
    """(note, line, business model) of every milestone in the index."""
    return [
        (m["source"]["path"], m["source"]["line"], model["name"])
        for model in index["business_models"]
        for m in model["milestones"]
    ]


def test_same_notes_and_seed_give_the_same_bytes(tmp_path: Path) -> None:
    generate = load_generator().generate
    first = generate(150, 11, tmp_path / "a")
    second = generate(150, 11, tmp_path / "b")
    assert first == second
    a, b = files_of(tmp_path / "a"), files_of(tmp_path / "b")
    assert len(a) == 151 and a == b  # 150 notes and .obsidian/app.json
    assert (tmp_path / "a.key.json").read_bytes() == (tmp_path / "b.key.json").read_bytes()
    other = generate(150, 12, tmp_path / "c")
    assert files_of(tmp_path / "c") != a and other["sha256"] != first["sha256"]


def test_the_key_is_what_milepost_indexes(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    key = load_generator().generate(150, 5, vault)
    assert json.loads((tmp_path / "vault.key.json").read_text(encoding="utf-8")) == key
    found = milestones(index_json(vault))
    totals = key["totals"]
    assert len(found) == totals["milestones"] > 1000
    assert totals["milestones_without_model"] > 0  # items outside Examples are planted
    assert dict(Counter(path for path, _, _ in found)) == key["milestones_per_note"]
    assert dict(Counter(model for _, _, model in found)) == key["milestones_per_model"]
    # each item at its line, under its model (null in the key is milepost's Unassigned)
    expected = sorted(
        (path, line, model or "Unassigned")
        for path, items in key["milestones"].items()
        for line, model in items
    )
    assert sorted(found) == expected
    # the decoys are really there, so the agreement means something
    decoys = key["decoys"]
    assert decoys["items_in_code_fences"] > 0 and decoys["tag_in_inline_code"] > 0
    assert key["duplicate_note_names"]


@needs_shared
def test_milepost_agrees_with_the_shared_generators_key(tmp_path: Path) -> None:
    vault = tmp_path / "shared-120"
    generator = SHARED / "tools" / "gen_vault.py"
    subprocess.run(
        [sys.executable, str(generator), "--notes", "120", "--seed", "3", str(vault)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    key = json.loads((tmp_path / "shared-120.key.json").read_text(encoding="utf-8"))
    found = milestones(index_json(vault))
    assert len(found) == key["totals"]["milestones"] > 0
    per_note = {n["path"]: n["milestones"] for n in key["notes"] if n["milestones"]}
    assert dict(Counter(path for path, _, _ in found)) == per_note
    per_model = Counter(model for _, _, model in found)
    # the shared key's model-null items are milepost's Unassigned
    assert per_model.pop("Unassigned", 0) == key["totals"]["milestones_without_model"]
    assert dict(per_model) == key["milestones_per_model"]
