"""History from git: the records successive builds would have made, one build per commit.

The git command line lists the commits that touched the vault's notes (oldest first, along the
first parents: a merge is one step, with what it changed against the branch it was merged into)
with the paths each one changed, and one ``git cat-file --batch`` process hands over those
notes' bytes: only the notes a commit changed are parsed, and the index moves on from commit to
commit with :func:`~milepost.index.apply`. A commit's date (the committer's day) is each
record's ``on``.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .config import Config
from .discover import is_ignored
from .errors import ConfigError
from .history import Record, State, changes, replay
from .identity import current
from .index import VaultIndex, apply
from .model import Note
from .parse import parse_note

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    day: date
    changed: tuple[tuple[str, bool], ...]
    """(vault path, still there) for each note it changed."""


def _git(root: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=False, timeout=600
        )
    except FileNotFoundError:
        raise ConfigError("git is not installed: --from-git needs the git command") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"{root}: git: {message[-1] if message else 'failed'}")
    return done.stdout


def _wanted(path: str, config: Config) -> bool:
    parts = path.split("/")
    return (
        path.lower().endswith(".md")
        and not any(part.startswith(".") for part in parts)
        and not is_ignored(path, config)
    )


def commits(config: Config, since: date | None = None) -> tuple[str, list[Commit]]:
    """The vault's folder inside its repository, and the commits that changed its notes."""
    root = config.vault
    top = Path(_git(root, "rev-parse", "--show-toplevel").decode().strip())
    prefix = root.resolve().relative_to(top.resolve()).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    args = ["log", "--reverse", "--first-parent", "--diff-merges=first-parent"]
    args += ["--format=%x01%H %cs", "--name-status", "--no-renames", "-z"]
    if since is not None:
        args.append(f"--since={since.isoformat()}T00:00:00")
    out = _git(root, *args, "--", prefix or ".")
    found = []
    for chunk in out.split(b"\x01")[1:]:
        head, _, rest = chunk.partition(b"\0")
        sha, day = head.decode().split()
        fields = rest.lstrip(b"\n").split(b"\0")
        changed = []
        for status, raw in zip(fields[::2], fields[1::2], strict=False):
            path = raw.decode("utf-8", "surrogateescape")
            if not path.startswith(prefix):
                continue
            rel = path[len(prefix) :]
            if _wanted(rel, config):
                changed.append((rel, status != b"D"))
        if changed:
            found.append(Commit(sha, date.fromisoformat(day), tuple(changed)))
    return prefix, found


class _Blobs:
    """One ``git cat-file --batch`` process: the bytes of a path at a commit."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            ["git", "-C", str(root), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def read(self, commit: str, path: str) -> bytes | None:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{commit}:{path}\n".encode("utf-8", "surrogateescape"))
        self.process.stdin.flush()
        header = self.process.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            return None
        data = self.process.stdout.read(int(header[2]))
        self.process.stdout.read(1)
        return data

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _notes_at(config: Config, blobs: _Blobs, sha: str, prefix: str) -> dict[str, Note]:
    listing = _git(config.vault, "ls-tree", "-r", "-z", "--name-only", sha, "--", prefix or ".")
    notes = {}
    for raw in listing.split(b"\0"):
        path = raw.decode("utf-8", "surrogateescape")
        rel = path[len(prefix) :] if path.startswith(prefix) else ""
        if rel and _wanted(rel, config):
            data = blobs.read(sha, path)
            if data is not None:
                notes[rel] = parse_note(rel, data, config)
    return notes


def from_git(
    config: Config, since: date | None = None, progress: Progress | None = None
) -> list[Record]:
    """The records successive builds at each commit would have made (oldest first). With
    ``since``, the notes as they were before the first commit from that day are the start."""
    prefix, found = commits(config, since)
    if not found:
        return []
    blobs = _Blobs(config.vault)
    try:
        return list(_replayed(config, found, prefix, blobs, since=since, progress=progress))
    finally:
        blobs.close()


def _replayed(
    config: Config,
    found: list[Commit],
    prefix: str,
    blobs: _Blobs,
    *,
    since: date | None,
    progress: Progress | None,
) -> Iterator[Record]:
    notes: dict[str, Note] = {}
    if since is not None:
        parents = _git(config.vault, "rev-list", "--parents", "-n", "1", found[0].sha).split()
        if len(parents) > 1:
            notes = _notes_at(config, blobs, parents[1].decode(), prefix)
    index = VaultIndex(notes, set(notes), config, found[0].day)
    state: State = {}
    if notes:
        start, _ = changes(state, current(index), found[0].day)
        state = replay(start)
    for number, commit in enumerate(found):
        changed: dict[str, Note | None] = {}
        for path, there in commit.changed:
            data = blobs.read(commit.sha, prefix + path) if there else None
            changed[path] = parse_note(path, data, config) if data is not None else None
        files = {p for p in index.files if changed.get(p, True) is not None}
        files |= {p for p, n in changed.items() if n is not None}
        index, _ = apply(index, changed, files=files)
        records, _ = changes(state, current(index), commit.day)
        state = replay(records, state)
        yield from records
        if progress is not None:
            progress(number + 1, len(found))
