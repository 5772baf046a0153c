"""Nothing outside the vault is ever written or deleted, whatever a symbolic link, a manifest
entry or a page name says."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from milepost.manifest import digest

from ..conftest import SAMPLE_VAULT, Result

Run = Callable[..., Result]


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def vault(copy_vault: Callable[[Path], Path]) -> Path:
    return copy_vault(SAMPLE_VAULT)


def test_an_output_folder_that_links_out_of_the_vault_is_refused(
    run: Run, vault: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "elsewhere"
    victim.mkdir()
    (victim / "keep.md").write_text("not milepost's\n")
    (vault / "Roadmaps").rename(tmp_path / "old-pages")
    (vault / "Roadmaps").symlink_to(victim, target_is_directory=True)
    before = tree(victim)
    result = run("build", vault, "--today", "2026-11-22")
    assert result.code == 2, result.err
    assert "outside the vault" in result.err and len(result.err.strip().splitlines()) == 1
    assert tree(victim) == before


def test_a_folder_inside_the_output_that_links_out_is_not_written_through(
    run: Run, vault: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "elsewhere"
    victim.mkdir()
    models = vault / "Roadmaps" / "Models"
    for page in models.iterdir():
        page.unlink()
    models.rmdir()
    models.symlink_to(victim, target_is_directory=True)
    result = run("build", vault, "--today", "2026-11-22")
    assert tree(victim) == {}
    assert result.code == 1
    assert "leads outside" in result.out


def test_a_manifest_entry_that_names_a_file_outside_is_never_followed(
    run: Run, vault: Path, tmp_path: Path
) -> None:
    victim = tmp_path / "victim" / "Roadmaps"
    victim.mkdir(parents=True)
    target = victim / "Milestone index.md"
    data = (vault / "Roadmaps/Milestone index.md").read_bytes()
    target.write_bytes(data)
    manifest_path = vault / ".milepost" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    for hostile in ("../victim/Roadmaps/Milestone index.md", str(target)):
        manifest["pages"][hostile] = {"kind": "roadmap", "sha256": digest(data)}
    manifest["regions"]["../victim/Roadmaps/Milestone index.md"] = {"index": "0" * 64}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    for flags in ((), ("--force",)):
        result = run("build", vault, "--today", "2026-11-22", *flags)
        assert result.code == 1, result.out + result.err
        assert "not a path inside the vault" in result.err
        assert target.read_bytes() == data


def test_a_page_that_is_a_symbolic_link_is_left_alone(
    run: Run, vault: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("---\ngenerated_by: milepost\n---\nnot in the vault\n")
    page = vault / "Roadmaps/Models/Roadmap – Space X.md"
    page.unlink()
    page.symlink_to(outside)
    result = run("build", vault, "--today", "2026-11-22", "--force")
    assert outside.read_text() == "---\ngenerated_by: milepost\n---\nnot in the vault\n"
    assert page.is_symlink()
    assert result.code == 1 and "symbolic link" in result.out
