"""Whole fixture vaults against golden JSON indexes, and the bad inputs that must not stop a run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import FIXTURE_VAULTS, GOLDENS, TODAY, Result

LARGE_NOTE = 11_000_000
"""Over max_note_mb (10 MB by default): the note is skimmed, not parsed in full."""


def prepare(name: str, copy_vault: Callable[[Path], Path]) -> Path:
    """A copy of a fixture vault, with what git cannot hold made on the spot."""
    vault = copy_vault(FIXTURE_VAULTS / name)
    if name == "unicode":
        nfc = vault / "Café" / "Crème brûlée.md"
        nfc.rename(nfc.with_name(unicodedata.normalize("NFD", nfc.name)))
    if name == "broken":
        paragraph = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod. " * 5
        body = "\n\n".join([paragraph] * (LARGE_NOTE // (len(paragraph) + 2)))
        (vault / "Large.md").write_text(
            "# Large\n\n" + body + "\n\n#milestone Found after ten megabytes (expected Q1 2027)\n"
        )
        (vault / "Loop").symlink_to(".")
        (vault.parent / "outside.md").write_text("#milestone Must not be read\n")
        (vault / "Outside.md").symlink_to("../outside.md")
        (vault / "Dangling.md").symlink_to("missing-target.md")
    return vault


def index_json(run: Callable[..., Result], vault: Path) -> dict[str, object]:
    result = run("index", vault, "--json", "--today", TODAY.isoformat(), "--jobs", "1", "-q")
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


@pytest.mark.parametrize("name", ["duplicates", "unicode", "broken"])
def test_golden_index(
    name: str,
    run: Callable[..., Result],
    copy_vault: Callable[[Path], Path],
    update_goldens: bool,
) -> None:
    vault = prepare(name, copy_vault)
    got = index_json(run, vault)
    golden = GOLDENS / f"{name}.index.json"
    if update_goldens:
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert got == json.loads(golden.read_text(encoding="utf-8"))


def diagnostics_of(data: dict[str, object]) -> list[dict[str, object]]:
    found = data["diagnostics"]
    assert isinstance(found, list)
    return found


def titles_of(data: dict[str, object]) -> dict[str, list[str]]:
    models = data["business_models"]
    assert isinstance(models, list)
    return {m["name"]: [x["title"] for x in m["milestones"]] for m in models}


def test_bad_inputs_are_reported_and_the_rest_is_read(
    run: Callable[..., Result], copy_vault: Callable[[Path], Path]
) -> None:
    vault = prepare("broken", copy_vault)
    data = index_json(run, vault)
    codes = {(d["path"], d["code"]) for d in diagnostics_of(data)}
    assert {
        ("Invalid yaml.md", "frontmatter.invalid"),
        ("Duplicate keys.md", "frontmatter.invalid"),
        ("Not a mapping.md", "frontmatter.not-a-mapping"),
        ("BOM.md", "text.bom"),
        ("CRLF.md", "text.crlf"),
        ("Latin1.md", "text.encoding"),
        ("Binary.md", "file.binary"),
        ("Empty.md", "note.empty"),
        ("Large.md", "note.large"),
        ("Loop", "file.symlink-loop"),
        ("Outside.md", "file.symlink-outside"),
        ("Dangling.md", "file.symlink-broken"),
    } <= codes
    titles = [t for group in titles_of(data).values() for t in group]
    # every readable note still contributes its milestones
    assert "Survives its neighbours" in titles
    assert "Still read" in titles  # invalid front matter does not hide the body
    assert "CRLF item" in titles
    assert "Prêt" in titles  # decoded with the fallback, not dropped
    assert "Found after ten megabytes" in titles
    assert "BOM" in titles  # the front matter behind a BOM makes a milestone note
    assert "Must not be read" not in titles
    assert "Duplicate keys" not in titles  # invalid front matter: no tags, no milestone note


def test_lines_are_lines_of_the_file_on_disk(
    run: Callable[..., Result], copy_vault: Callable[[Path], Path]
) -> None:
    vault = prepare("broken", copy_vault)
    data = index_json(run, vault)
    by_title = {
        x["title"]: x["source"]["line"]
        for m in data["business_models"]  # type: ignore[attr-defined]
        for x in m["milestones"]
    }
    for title, path in (
        ("CRLF item", "CRLF.md"),
        ("Prêt", "Latin1.md"),
        ("Still read", "Invalid yaml.md"),
    ):
        lines = (vault / path).read_bytes().splitlines()
        assert title.encode("utf-8") in lines[by_title[title] - 1] or title == "Prêt"
    assert by_title["Prêt"] == 5
    invalid = next(d for d in diagnostics_of(data) if d["path"] == "Invalid yaml.md")
    assert invalid["line"] == 2  # the line of the YAML error, counted in the file


def test_symlink_out_of_the_vault_is_not_followed_for_folders(
    run: Callable[..., Result], make_vault: Callable[[dict[str, str | bytes]], Path], tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "Secret.md").write_text("#milestone Secret\n")
    vault = make_vault({"Home.md": "#milestone Home\n"})
    (vault / "Linked folder").symlink_to(outside)
    data = index_json(run, vault)
    assert [t for g in titles_of(data).values() for t in g] == ["Home"]
    assert {d["code"] for d in diagnostics_of(data)} == {"file.symlink-outside"}


def _unprivileged() -> list[str]:
    """A command prefix that makes root unable to read a mode-000 file, or [] for other users."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root reads any file")
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--bounding-set={drop}", "--inh-caps=-all"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_unreadable_file_is_reported(make_vault: Callable[[dict[str, str | bytes]], Path]) -> None:
    vault = make_vault({"Readable.md": "#milestone Readable\n", "Secret.md": "#milestone Secret\n"})
    (vault / "Secret.md").chmod(0)
    command = [*_unprivileged(), sys.executable, "-m", "milepost", "index", str(vault)]
    command += ["--json", "-q", "--today", TODAY.isoformat(), "--jobs", "1"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    finally:
        (vault / "Secret.md").chmod(0o644)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [(d["path"], d["code"], d["severity"]) for d in data["diagnostics"]] == [
        ("Secret.md", "file.unreadable", "error")
    ]
    assert [t for g in titles_of(data).values() for t in g] == ["Readable"]
    # an error fails `check` even without --strict
    (vault / "Secret.md").chmod(0)
    check = [*_unprivileged(), sys.executable, "-m", "milepost", "check", str(vault)]
    try:
        checked = subprocess.run(check, capture_output=True, text=True, check=False, timeout=60)
    finally:
        (vault / "Secret.md").chmod(0o644)
    assert checked.returncode == 1, checked.stdout
    assert "Secret.md: error: cannot read" in checked.stdout
