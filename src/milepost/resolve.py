"""Link resolution, Obsidian's way, used everywhere (index, pages, export).

1. the exact vault path (``[[Tools/Stripe]]``, ``[[Stripe.md]]`` at the root);
2. otherwise a candidate in the linking note's own folder;
3. otherwise the shortest full path; a tie takes the first by sorted path.
Names compare case- and Unicode-normalisation-insensitively. Aliases never resolve a bare link.
A target with a folder part matches by suffix. Non-Markdown files need their extension.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Rule = Literal["path", "relative", "folder", "shortest", "only", "self", "unresolved"]


def norm(text: str) -> str:
    """Key for comparing paths and names: NFC and lower case (not casefold, as Obsidian)."""
    return unicodedata.normalize("NFC", text).lower()


def stem(path: str) -> str:
    """The name a link uses for a file: a note's name without ``.md``, other files with theirs."""
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


def folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a link leads, and how that was decided."""

    path: str | None
    """Vault path of the target, or None when unresolved."""
    rule: Rule
    candidates: tuple[str, ...] = ()
    """Every file the name could mean, when there were several."""
    case_only: bool = False
    """True when the link's spelling differs from the file's only in letter case."""

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1 and self.rule in ("folder", "shortest")


class NameTable:
    """Answers "which file does this link mean" for one set of vault files."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.by_path: dict[str, str] = {}
        self.by_name: dict[str, list[str]] = {}
        self.known: dict[tuple[str, str], Resolution] = {}
        """Answers given so far, by (target, linking note's folder): they depend on nothing else."""
        self._shared: tuple[set[str], set[str]] | None = None
        """The files whose name another file has too, and every file (see :meth:`shares_name`)."""
        for path in sorted(paths):
            self.add(path)

    def copy(self) -> NameTable:
        new = NameTable(())
        new.by_path = dict(self.by_path)
        new.by_name = {name: list(paths) for name, paths in self.by_name.items()}
        new.known = dict(self.known)
        return new

    def add(self, path: str) -> None:
        self.known.clear()
        self._shared = None
        key = norm(path)
        self.by_path.setdefault(key, path)
        if key.endswith(".md"):
            self.by_path.setdefault(key[:-3], path)
        names = self.by_name.setdefault(norm(stem(path)), [])
        if path not in names:
            names.append(path)
            names.sort()

    def remove(self, path: str) -> None:
        self.known.clear()
        self._shared = None
        key = norm(path)
        for k in (key, key[:-3] if key.endswith(".md") else None):
            if k is not None and self.by_path.get(k) == path:
                del self.by_path[k]
        names = self.by_name.get(norm(stem(path)), [])
        if path in names:
            names.remove(path)
        if not names:
            self.by_name.pop(norm(stem(path)), None)

    def shares_name(self, path: str) -> bool:
        """Whether another file has the name of ``path`` (a link to it then shows its folder).
        The files that do are found once for the table, not by a name look-up per question."""
        if self._shared is None:
            shared = {p for paths in self.by_name.values() if len(paths) > 1 for p in paths}
            self._shared = (shared, set(self.by_path.values()))
        shared, files = self._shared
        if path in shared:
            return True
        return path not in files and len(self.by_name.get(norm(stem(path)), ())) > 1

    def __contains__(self, path: str) -> bool:
        return self.by_path.get(norm(path)) == path

    def resolve(self, target: str, source: str) -> Resolution:
        """Resolve a link's target (path part only) written in note ``source``."""
        if not target.strip():
            return Resolution(source, "self")
        key = (target, folder_of(source))
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = self._resolve(target, source)
        return found

    def _resolve(self, target: str, source: str) -> Resolution:
        target = target.strip().replace("\\", "/")
        if target.startswith(("./", "../")):
            joined = posixpath.normpath(posixpath.join(folder_of(source), target))
            found = self.by_path.get(norm(joined))
            if found is not None:
                return Resolution(found, "relative", case_only=_case_only(joined, found))
            while target.startswith(("./", "../")):  # a path that leaves the vault: by name
                target = target.split("/", 1)[1]
        target = target.lstrip("/")
        found = self.by_path.get(norm(target))
        if found is not None:
            return Resolution(found, "path", case_only=_case_only(target, found))
        name = target.rsplit("/", 1)[-1]
        key = norm(name[:-3] if name.lower().endswith(".md") else name)
        candidates = self.by_name.get(key, [])
        if "/" in target:
            suffix = "/" + norm(target)
            candidates = [
                c for c in candidates if norm(c).endswith(suffix) or norm(c)[:-3].endswith(suffix)
            ]
        if not candidates:
            return Resolution(None, "unresolved")
        if len(candidates) == 1:
            return Resolution(candidates[0], "only", case_only=_case_only(name, candidates[0]))
        here = folder_of(source)
        local = [c for c in candidates if folder_of(c) == here]
        if local:
            chosen, rule = local[0], "folder"
        else:
            chosen, rule = min(candidates, key=lambda c: (len(c), c)), "shortest"
        return Resolution(chosen, rule, tuple(candidates), _case_only(name, chosen))  # type: ignore[arg-type]


def _case_only(written: str, path: str) -> bool:
    name = written.rsplit("/", 1)[-1]
    actual = path.rsplit("/", 1)[-1]
    if not name.lower().endswith(".md") and actual.lower().endswith(".md"):
        actual = actual[:-3]
    a, b = unicodedata.normalize("NFC", name), unicodedata.normalize("NFC", actual)
    return a != b and a.lower() == b.lower()
