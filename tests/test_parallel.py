"""Parsing in worker processes gives byte for byte the JSON index of parsing in one process."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import CORPORA, TODAY, needs_shared
from .test_generator import MILEPOST, load_generator


def index_bytes(vault: Path, jobs: int) -> bytes:
    """``milepost index --json`` without the cache, so every note is really parsed."""
    options = ["--json", "--today", TODAY.isoformat(), "-q", "--jobs", str(jobs), "--no-cache"]
    done = subprocess.run(
        [*MILEPOST, "index", str(vault), *options],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def assert_same_both_ways(vault: Path) -> dict[str, object]:
    single = index_bytes(vault, 1)
    parallel = index_bytes(vault, 2)  # two jobs: worker processes, whatever the vault's size
    if parallel != single:
        pairs = zip(single.splitlines(), parallel.splitlines(), strict=False)
        shorter = min(single.count(b"\n"), parallel.count(b"\n")) + 1
        first = ((n, p) for n, p in enumerate(pairs, 1) if p[0] != p[1])
        line, (one, two) = next(first, (shorter, (b"(end)", b"(end)")))
        pytest.fail(f"--jobs 1 and --jobs 2 differ first at line {line}:\n{one!r}\n{two!r}")
    data: dict[str, object] = json.loads(single)
    return data


def milestone_count(index: dict[str, object]) -> int:
    models = index["business_models"]
    assert isinstance(models, list)
    return sum(len(model["milestones"]) for model in models)


@needs_shared
@pytest.mark.slow
@pytest.mark.parametrize("name", ["tasks-demo", "tasks-docs", "synthetic-300"])
def test_the_corpora(name: str, tmp_path: Path) -> None:
    vault = tmp_path / name
    shutil.copytree(CORPORA / name, vault, symlinks=True)
    index = assert_same_both_ways(vault)
    diagnostics = index["diagnostics"]
    assert isinstance(diagnostics, list)
    if name == "synthetic-300":
        key = json.loads((CORPORA / "synthetic-300.key.json").read_text(encoding="utf-8"))
        assert milestone_count(index) == key["totals"]["milestones"]
    else:
        # the Tasks vaults hold no #milestone; their broken links make the index non-trivial
        assert milestone_count(index) == 0
        assert any(d["code"] == "link.unresolved" for d in diagnostics)


def test_a_generated_vault(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    key = load_generator().generate(200, 21, vault)
    index = assert_same_both_ways(vault)
    assert milestone_count(index) == key["totals"]["milestones"] > 1000


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_an_export_rendered_with_workers_is_the_same_site(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    load_generator().generate(200, 8, vault)
    sites = {}
    for jobs in (1, 2):
        site = tmp_path / f"site-{jobs}"
        options = ["-o", str(site), "--today", TODAY.isoformat(), "-q", "--jobs", str(jobs)]
        done = subprocess.run(
            [*MILEPOST, "export", str(vault), *options],
            capture_output=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr.decode()
        sites[jobs] = site_files(site)
    assert len(sites[1]) > 200  # a page per note, and more
    assert sites[1] == sites[2]
