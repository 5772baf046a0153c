"""A vault that cannot be written (read-only, a full disk) ends ``build`` with one line naming
the file and exit 1; no temp file is left, no note changes, and the next build, once the
vault can be written again, finds no conflict."""

from __future__ import annotations

import hashlib
import resource
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from ..conftest import MakeVault
from .conftest import (
    MILEPOST,
    TODAY_ARGS,
    args,
    as_nobody,
    changes,
    leftovers,
    milepost,
    read_only_mount,
    snapshot,
    why_no_mount_namespace,
    why_nobody_cannot_run_milepost,
)


def many_milestones(count: int) -> str:
    return "".join(
        f"#milestone Step {n} of the plan\ndue:: 2027-01-{n % 28 + 1:02d}\n\n" for n in range(count)
    )


def no_conflict(output: str) -> bool:
    """True when a build's output names no conflict (and says so in its summary)."""
    lines = output.splitlines()
    return not any(line.startswith("conflict") for line in lines) and "0 in conflict" in output


def big_vault(make_vault: MakeVault) -> Path:
    """A vault whose roadmap page is much larger than its smaller pages."""
    return make_vault(
        {
            "Plan.md": "---\nbusiness_model: Shop\n---\n" + many_milestones(400),
            "Other.md": "---\nbusiness_model: Cafe\n---\n#milestone Open\n",
        }
    )


def test_a_read_only_mount(make_vault: MakeVault, outside: Path) -> None:
    reason = why_no_mount_namespace()
    if reason:
        pytest.skip(reason)
    vault = big_vault(make_vault)
    before = snapshot(vault)
    done = milepost("build", vault, *args(), prefix=read_only_mount(vault))
    assert done.code == 1, done.err
    line = done.one_error_line()
    assert line.startswith(f"milepost: error: {vault}/"), line
    assert line.endswith(": cannot write: Read-only file system"), line
    assert changes(before, snapshot(vault)) == []


def test_a_read_only_folder_for_a_normal_user(make_vault: MakeVault, public_tmp: Path) -> None:
    reason = why_nobody_cannot_run_milepost()
    if reason:
        pytest.skip(reason)
    vault = public_tmp / "vault"
    shutil.copytree(big_vault(make_vault), vault)
    for path in [vault, *vault.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = snapshot(vault)
    done = milepost("build", vault, *args("--no-cache"), preexec_fn=as_nobody())
    assert done.code == 1, done.err
    assert done.one_error_line().endswith(": cannot write: Permission denied")
    assert changes(before, snapshot(vault)) == []


def test_a_read_only_pages_folder_after_a_change(make_vault: MakeVault, public_tmp: Path) -> None:
    """Pages exist; a note changes; the pages' folder is read-only: the notes and pages are
    intact (milepost's own ``.milepost/`` may record what it saw), and once the folder can be
    written again the next build updates the pages with no conflict."""
    reason = why_nobody_cannot_run_milepost()
    if reason:
        pytest.skip(reason)
    vault = public_tmp / "vault"
    shutil.copytree(big_vault(make_vault), vault)
    assert milepost("build", vault, *args()).code == 0
    with (vault / "Plan.md").open("a") as note:
        note.write("#milestone One more\n")
    for path in [vault / "Roadmaps", *(vault / "Roadmaps").rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    before = snapshot(vault)
    done = milepost("build", vault, *args("--no-cache"), preexec_fn=as_nobody())
    assert done.code == 1 and "Roadmaps" in done.one_error_line()
    changed = changes(before, snapshot(vault))
    assert [c for c in changed if not c.split(": ", 1)[1].startswith(".milepost")] == [], changed
    for path in [vault / "Roadmaps", *(vault / "Roadmaps").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    again = milepost("build", vault, *args("--no-cache"))
    assert again.code == 0, again.err
    assert no_conflict(again.out + again.err), again.out + again.err
    roadmap = vault / "Roadmaps" / "Models" / "Roadmap – Shop.md"
    assert "One more" in roadmap.read_text(encoding="utf-8")


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_file_too_large_for_the_disk(make_vault: MakeVault, tmp_path: Path) -> None:
    """RLIMIT_FSIZE: the roadmap page cannot be written whole (EFBIG), smaller pages can."""
    vault = big_vault(make_vault)
    notes = {p: p.read_bytes() for p in vault.rglob("*.md")}
    done = milepost("build", vault, *args("--no-cache"), preexec_fn=_file_size_limit(16_000))
    assert done.code == 1, done.err
    assert done.one_error_line().endswith(": cannot write: File too large")
    assert leftovers(vault) == []
    assert {p: p.read_bytes() for p in notes} == notes
    again = milepost("build", vault, *args("--no-cache"))
    assert again.code == 0, again.out + again.err
    assert no_conflict(again.out + again.err)
    assert (vault / "Roadmaps" / "Models" / "Roadmap – Shop.md").stat().st_size > 16_000


FULL_DISK = """
set -u
disk=$1; vault=$2; report=$3; today=$4; shift 4
mount -t tmpfs -o size=2m tmpfs "$disk" || exit 99
cp -a "$vault" "$disk/vault"
free=$(df -k --output=avail "$disk" | tail -1)
dd if=/dev/zero of="$disk/filler" bs=1k count=$((free - 24)) 2>/dev/null
"$@" build "$disk/vault" --today "$today" --no-cache > "$report/out" 2> "$report/err"
echo $? > "$report/code"
cd "$disk/vault" || exit 98
find . -name '*.milepost-tmp' > "$report/temp"
find . -type f ! -name manifest.json -exec sha256sum {} + | sort -k2 > "$report/files"
rm "$disk/filler"
"$@" build "$disk/vault" --today "$today" --no-cache > "$report/out2" 2> "$report/err2"
echo $? > "$report/code2"
"""


def hashes(listing: str) -> dict[str, str]:
    """``sha256sum`` lines as path -> hash."""
    found = {}
    for line in listing.splitlines():
        digest, path = line.split(maxsplit=1)
        found[path.removeprefix("./")] = digest
    return found


def test_a_full_disk(make_vault: MakeVault, tmp_path: Path) -> None:
    """A real full disk: the vault on a small tmpfs (in a private mount namespace) with 24 KB
    free, so some pages fit and the roadmap does not. Every file there afterwards is a note as
    it was or a whole page; after space is freed, the next build finds no conflict."""
    reason = why_no_mount_namespace()
    if reason:
        pytest.skip(reason)
    vault = big_vault(make_vault)
    reference = tmp_path / "reference"
    shutil.copytree(vault, reference)
    assert milepost("build", reference, *args("--no-cache")).code == 0
    whole = {
        p.relative_to(reference).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in reference.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    disk, report = tmp_path / "disk", tmp_path / "report"
    disk.mkdir()
    report.mkdir()
    script = [str(disk), str(vault), str(report), TODAY_ARGS[1], *MILEPOST]
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", FULL_DISK, "sh", *script],
        capture_output=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    assert (report / "code").read_text().strip() == "1", (report / "err").read_text()
    err = (report / "err").read_text().strip()
    assert "\n" not in err and "Traceback" not in err, err
    assert err.endswith(": cannot write: the disk is full"), err
    assert (report / "temp").read_text() == ""
    files = hashes((report / "files").read_text())
    files.pop(".milepost/manifest.journal", None)  # what the next build replays
    assert {p: d for p, d in files.items() if p in whole} == files  # nothing half-written ...
    assert files.keys() < whole.keys()  # ... and something was left unwritten
    assert (report / "code2").read_text().strip() == "0", (report / "err2").read_text()
    assert no_conflict((report / "out2").read_text() + (report / "err2").read_text())
