"""Find the files of a vault: sorted, as POSIX paths relative to the vault, without reading them.

Dot-folders (``.obsidian``, ``.git``, ``.trash``, milepost's own ``.milepost``) and editor or sync
temp files are skipped, as are the configured ignore globs. A symlink is followed only when it
stays inside the vault and is not another name for something already indexed; loops and links
out of the vault become diagnostics.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import Config
from .errors import Diagnostic, warning

NOTE_SUFFIX = ".md"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file of the vault, as discovery found it."""

    path: str
    """Vault-relative POSIX path."""
    size: int
    mtime_ns: int

    @property
    def is_note(self) -> bool:
        return self.path.lower().endswith(NOTE_SUFFIX)


@dataclass(frozen=True, slots=True)
class Discovery:
    files: tuple[SourceFile, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def notes(self) -> tuple[SourceFile, ...]:
        return tuple(f for f in self.files if f.is_note)


_TEMP_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".temp", ".crdownload", ".part", ".bak", "~")
_TEMP_NAMES = re.compile(r"^(?:4913|~\$.*|#.*#|.*\.sb-[0-9a-f]+-\w+)$")


def is_temp_name(name: str) -> bool:
    """True for names editors and sync tools use for scratch files."""
    lower = name.lower()
    return (
        name.startswith(".")
        or lower.endswith(_TEMP_SUFFIXES)
        or bool(_TEMP_NAMES.match(name))
        or ".~tmp" in lower
    )


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip().strip("/")
    anchored = "/" in pattern
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(f"^{prefix}{body}(?:/.*)?$", re.IGNORECASE)


def matches_ignore(path: str, patterns: Iterable[str]) -> bool:
    """True when a vault-relative path (file or folder) falls under one of the ignore globs."""
    return any(_glob_regex(p).match(path) for p in patterns)


def is_ignored(path: str, config: Config) -> bool:
    """True when discovery skips this vault-relative path (used by watch for its events too)."""
    parts = path.split("/")
    if any(is_temp_name(part) for part in parts):
        return True
    return matches_ignore(path, config.ignore)


def name_problem(rel: str) -> Diagnostic | None:
    """A ``file.name-encoding`` warning when a vault path has bytes that are not UTF-8 (Python
    holds them as lone surrogates, which no page, JSON or hash can take); else None."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        shown = os.fsencode(rel).decode("utf-8", "backslashreplace")
        return warning(
            shown,
            0,
            "file.name-encoding",
            "the name has bytes that are not UTF-8 (shown as \\x..), so milepost skips it; "
            "rename it with UTF-8 characters (e.g. in Obsidian or a file manager)",
        )
    return None


def discover(config: Config, under: str = "") -> Discovery:
    """Every file of the vault (or of its folder ``under``) that milepost reads or links can
    point to, sorted by path."""
    root = config.vault
    files: list[SourceFile] = []
    diagnostics: list[Diagnostic] = []
    seen_dirs: set[tuple[int, int]] = set()
    start = root / under if under else root
    for folder in {root, start}:
        with contextlib.suppress(OSError):
            info = folder.stat()
            seen_dirs.add((info.st_dev, info.st_ino))
    prefix = under.strip("/") + "/" if under.strip("/") else ""
    _walk(start, prefix, config, files=files, diagnostics=diagnostics, seen_dirs=seen_dirs)
    files.sort(key=lambda f: f.path)
    return Discovery(tuple(files), tuple(sorted(diagnostics)))


def discover_file(config: Config, path: str) -> tuple[SourceFile | None, list[Diagnostic]]:
    """The file at vault path ``path`` as discovery would see it, or None (with why, if known)."""
    diagnostics: list[Diagnostic] = []
    if not path or is_ignored(path, config):
        return None, diagnostics
    problem = name_problem(path)
    if problem is not None:
        return None, [problem]
    folder = config.vault / path.rsplit("/", 1)[0] if "/" in path else config.vault
    name = path.rsplit("/", 1)[-1]
    try:
        with os.scandir(folder) as entries:
            entry = next((e for e in entries if e.name == name), None)
    except OSError:
        return None, diagnostics
    if entry is None:
        return None, diagnostics
    if entry.is_symlink() and not _follow_symlink(config, folder, entry, path, diagnostics):
        return None, diagnostics
    try:
        info = entry.stat()
    except OSError as exc:
        diagnostics.append(warning(path, 0, "file.unreadable", f"cannot read: {exc.strerror}"))
        return None, diagnostics
    if not stat.S_ISREG(info.st_mode):
        return None, diagnostics
    return SourceFile(path, info.st_size, info.st_mtime_ns), diagnostics


def _walk(
    folder: Path,
    prefix: str,
    config: Config,
    *,
    files: list[SourceFile],
    diagnostics: list[Diagnostic],
    seen_dirs: set[tuple[int, int]],
) -> None:
    """Every file under ``folder``: a loop over a stack of folders, not a recursion, so a
    vault nested thousands of folders deep is walked like any other."""
    todo = [(folder, prefix)]
    while todo:
        folder, prefix = todo.pop()
        _list(
            folder,
            prefix,
            config,
            files=files,
            diagnostics=diagnostics,
            seen_dirs=seen_dirs,
            todo=todo,
        )


def _list(
    folder: Path,
    prefix: str,
    config: Config,
    *,
    files: list[SourceFile],
    diagnostics: list[Diagnostic],
    seen_dirs: set[tuple[int, int]],
    todo: list[tuple[Path, str]],
) -> None:
    """The files of one folder; its subfolders go on ``todo``."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        rel = prefix.rstrip("/") or "."
        diagnostics.append(
            warning(rel, 0, "file.unreadable", f"cannot list this folder: {exc.strerror}")
        )
        return
    for entry in entries:
        rel = prefix + entry.name
        if is_ignored(rel, config):
            continue
        problem = name_problem(rel)
        if problem is not None:
            diagnostics.append(problem)
            continue
        if entry.is_symlink() and not _follow_symlink(config, folder, entry, rel, diagnostics):
            continue
        try:
            info = entry.stat()
        except OSError as exc:
            diagnostics.append(warning(rel, 0, "file.unreadable", f"cannot read: {exc.strerror}"))
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in seen_dirs:
                diagnostics.append(
                    warning(rel, 0, "file.symlink-loop", "folder loops back on itself; skipped")
                )
                continue
            seen_dirs.add(key)
            todo.append((Path(entry.path), rel + "/"))
        elif stat.S_ISREG(info.st_mode):
            files.append(SourceFile(rel, info.st_size, info.st_mtime_ns))
        else:
            diagnostics.append(
                warning(
                    rel, 0, "file.special", "not a regular file (a pipe, socket or device); skipped"
                )
            )


def _follow_symlink(
    config: Config, folder: Path, entry: os.DirEntry[str], rel: str, diagnostics: list[Diagnostic]
) -> bool:
    """True when a symlink may be followed; otherwise say why it is skipped."""
    root = config.vault
    try:
        target = Path(os.path.realpath(entry.path, strict=True))
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            diagnostics.append(
                warning(rel, 0, "file.symlink-loop", "symbolic link loops back on itself; skipped")
            )
        else:
            link = Path(entry.path).readlink()
            diagnostics.append(
                warning(
                    rel,
                    0,
                    "file.symlink-broken",
                    f"symbolic link to missing {str(link)!r}; skipped",
                )
            )
        return False
    if not target.is_relative_to(root):
        diagnostics.append(
            warning(
                rel,
                0,
                "file.symlink-outside",
                f"symbolic link points out of the vault (to {str(Path(entry.path).readlink())!r}); "
                "not followed",
            )
        )
        return False
    inside = target.relative_to(root).as_posix()
    if target.is_dir() and (folder.resolve().is_relative_to(target) or inside == "."):
        diagnostics.append(
            warning(
                rel, 0, "file.symlink-loop", f"symbolic link to its own parent {inside!r}; skipped"
            )
        )
        return False
    if is_ignored(inside, config):
        return True  # the target itself is not indexed, so this is its only name
    diagnostics.append(
        warning(
            rel,
            0,
            "file.symlink-duplicate",
            f"symbolic link to {inside!r}, which is indexed under its own path; skipped",
        )
    )
    return False
