"""Broken and hostile vaults: a diagnostic or one clean line, the right exit code, no hang."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from ..conftest import MakeVault
from .conftest import args, changes, milepost, snapshot

NOTE = "#milestone Launch\ndue:: 2027-01-01\n"


# ----- the manifest ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "manifest",
    [
        b"\x00\xff garbage",
        b"[1, 2, 3]",
        b'{"pages": "not a table"}',
        b'{"pages": {"Roadmaps/x.md": {"sha256": 1}}}',
        b'{"pages": {"../outside/victim.md": {"sha256": "0", "kind": "roadmap"}}}',
        b'{"pages": {"/etc/passwd": {"sha256": "0", "kind": "roadmap"}}}',
        b'{"regions": {"a/../../victim.md": {}}}',
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_a_manifest_that_is_not_milepost_s(
    manifest: bytes, make_vault: MakeVault, outside: Path
) -> None:
    vault = make_vault({"a.md": NOTE, ".milepost/manifest.json": manifest})
    before = snapshot(vault)
    done = milepost("build", vault, *args())
    assert done.code == 1, done.err
    line = done.one_error_line()
    assert "manifest" in line and "delete it to start over" in line, line
    assert changes(before, snapshot(vault)) == []
    assert milepost("index", vault, *args("-q")).code == 0  # reading needs no manifest


def test_pages_are_never_written_through_a_folder_that_links_out(
    make_vault: MakeVault, outside: Path
) -> None:
    vault = make_vault({"a.md": NOTE})
    (vault / "Roadmaps").symlink_to(outside, target_is_directory=True)
    done = milepost("build", vault, *args())
    assert done.code == 2  # refused before anything is written
    line = done.one_error_line()
    assert "leads outside the vault" in line and "symbolic link" in line, line
    assert list(outside.iterdir()) == []


# ----- the configuration ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("toml", "code", "says"),
    [
        ('today = "0001-01-01"', 2, "'today' must be a date from 1000-01-01"),
        ('today = "9999-12-31"', 2, "'today' must be a date from 1000-01-01"),
        ("chart_limit = 1e12", 2, "'chart_limit' must be a positive integer"),
        ("chart_limit = -1", 2, "'chart_limit' must be a positive integer"),
        ("jobs = -5", 2, "'jobs' must be 0"),
        ('output = "../../elsewhere"', 2, "'output' must be a folder inside the vault"),
        ('templates = "/etc"', 2, "'templates' must be a folder inside the vault"),
        ('output = ".milepost"', 2, "'output' must be a folder inside the vault"),
        ("tags = []", 0, ""),
        ("chart_limit = 1_000_000_000_000", 0, ""),
        ("review_limit = 99999999999999999999", 0, ""),
        ("jobs = 100000", 0, ""),
        ('ignore = ["**"]', 0, ""),
        ("[export]\nonly_published = 3", 2, "'export.only_published' must be true or false"),
        ("this is = not toml", 2, "not valid TOML"),
        ("\x00", 2, "not valid TOML"),
    ],
)
def test_absurd_settings(toml: str, code: int, says: str, make_vault: MakeVault) -> None:
    vault = make_vault({"a.md": NOTE, "milepost.toml": toml + "\n"})
    done = milepost("build", vault, "--no-cache", "-q", timeout=120)
    assert done.code == code, done.err
    assert done.peak < 1_000_000_000
    if code == 2:
        assert says in done.one_error_line()
    else:
        assert "Traceback" not in done.err


def test_an_absurd_today_on_the_command_line(make_vault: MakeVault) -> None:
    vault = make_vault({"a.md": NOTE})
    done = milepost("index", vault, "--today", "0001-01-01")
    assert done.code == 2
    assert "must be a date from 1000-01-01" in done.one_error_line()


# ----- files that are not notes -------------------------------------------------------------------
def test_pipes_devices_and_symlink_loops_do_not_hang_discovery(
    make_vault: MakeVault, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    vault = make_vault({"a.md": NOTE, "sub/b.md": "[[a]]\n"})
    os.mkfifo(vault / "pipe.md")
    if os.geteuid() == 0:
        os.mknod(vault / "zero.md", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero
    (vault / "dev.md").symlink_to("/dev/zero")
    (vault / "loop1.md").symlink_to("loop2.md")
    (vault / "loop2.md").symlink_to("loop1.md")
    (vault / "sub" / "up").symlink_to("..", target_is_directory=True)
    (vault / "sub" / "self").symlink_to(".", target_is_directory=True)
    (elsewhere / "secret.md").write_text("#milestone Not yours\n")
    (vault / "out.md").symlink_to(elsewhere / "secret.md")
    for command in (("index", "--json"), ("check",), ("build",)):
        done = milepost(command[0], vault, *args(*command[1:]), timeout=60)
        assert done.code in (0, 1), done.err
        assert "Traceback" not in done.err
    index = json.loads(milepost("index", vault, *args("--json", "-q")).out)
    codes = {(d["path"], d["code"]) for d in index["diagnostics"]}
    assert ("pipe.md", "file.special") in codes
    assert ("loop1.md", "file.symlink-loop") in codes
    assert ("sub/up", "file.symlink-loop") in codes
    assert ("dev.md", "file.symlink-outside") in codes
    assert ("out.md", "file.symlink-outside") in codes
    if os.geteuid() == 0:
        assert ("zero.md", "file.special") in codes
    titles = {m["title"] for model in index["business_models"] for m in model["milestones"]}
    assert titles == {"Launch"}


def test_a_note_that_changes_while_it_is_read(make_vault: MakeVault) -> None:
    vault = make_vault({"a.md": NOTE, "b.md": NOTE})
    note = vault / "b.md"
    done_writing = threading.Event()

    def keep_changing() -> None:
        n = 0
        while not done_writing.is_set():
            n += 1
            note.write_text(NOTE * (n % 50) + "\n---\nbroken: [\n" * (n % 3))
            if n % 7 == 0:
                note.unlink()

    writer = threading.Thread(target=keep_changing)
    writer.start()
    try:
        results = [milepost("index", vault, *args("--json", "-q")) for _ in range(4)]
        results.append(milepost("build", vault, *args("-q")))
    finally:
        done_writing.set()
        writer.join()
    for done in results[:4]:
        assert done.code == 0, done.err
        json.loads(done.out)
    assert results[4].code in (0, 1) and "Traceback" not in results[4].err


# ----- sizes and shapes ---------------------------------------------------------------------------
def test_a_great_many_tiny_files(make_vault: MakeVault) -> None:
    files: dict[str, str | bytes] = {}
    for n in range(3000):
        files[f"f{n % 60}/n{n}.md"] = "" if n % 3 else f"#milestone M{n}\n"
        files[f"f{n % 60}/x{n}.png"] = b""
    vault = make_vault(files)
    done = milepost("build", vault, *args("-q", "--jobs", "2"), timeout=180)
    assert done.code == 0, done.err
    assert done.peak < 1_000_000_000
    index = json.loads(milepost("index", vault, *args("--json", "-q")).out)
    assert sum(len(m["milestones"]) for m in index["business_models"]) == 1000


def test_folders_nested_thousands_deep(make_vault: MakeVault) -> None:
    vault = make_vault({"a.md": NOTE})
    folder = vault
    for _ in range(1200):  # one level per step: os.makedirs itself would recurse too deep
        folder = folder / "d"
        folder.mkdir()
    (folder / "deep.md").write_text("#milestone Deep down\n")
    try:
        done = milepost("index", vault, *args("--json", "-q"), timeout=120)
    finally:  # bottom up, one level per step: shutil.rmtree (pytest's clean-up) would recurse
        (folder / "deep.md").unlink()
        while folder != vault:
            folder.rmdir()
            folder = folder.parent
    assert done.code == 0, done.err
    titles = {
        m["title"] for model in json.loads(done.out)["business_models"] for m in model["milestones"]
    }
    assert titles == {"Launch", "Deep down"}


@pytest.mark.parametrize(
    "text",
    [
        "".join("  " * i + "- item\n" for i in range(400)),
        "> " * 20_000 + "#milestone Quoted\n",
        "---\nx: " + "[" * 50_000 + "]" * 50_000 + "\n---\n#milestone Deep YAML\n",
        "---\n" + "".join(" " * i + f"k{i}:\n" for i in range(2000)) + "---\n",
        "*" * 100_000 + "\n" + "_" * 100_000 + "\n" + "`" * 50_000 + "\n",
        "%%" * 50_000 + "\n" + "<!--" * 20_000 + "\n",
        "|" * 100_000 + "\n|-|\n" * 200,
    ],
    ids=["list", "quote", "yaml-brackets", "yaml-mappings", "emphasis", "comments", "pipes"],
)
def test_deeply_nested_text(text: str, make_vault: MakeVault) -> None:
    vault = make_vault({"deep.md": text, "a.md": NOTE})
    for command in ("index", "build"):
        done = milepost(command, vault, *args("-q"), timeout=90)
        assert done.code == 0, done.err
        assert "Traceback" not in done.err
        assert done.peak < 1_000_000_000


@pytest.mark.parametrize(
    "text",
    [
        "[" * 50_000 + "\n",
        "---\n"
        + "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n"
            for a, b in zip("abcdefg", "bcdefgh", strict=True)
        )
        + "---\n",
    ],
    ids=["brackets", "yaml-alias-bomb"],
)
def test_pathological_notes_end_quickly(text: str, make_vault: MakeVault) -> None:
    vault = make_vault({"bad.md": text, "a.md": NOTE})
    done = milepost("index", vault, *args("-q", "--no-cache"), timeout=8)
    assert done.code == 0 and done.peak < 1_000_000_000
