"""What a build produces, and what each output is rendered from.

:func:`plan` lists every output of an index (each roadmap, tool, index and review page, and each
managed region) with a fingerprint of its inputs: the notes it is rendered from (their bytes and
where their links lead), the names and paths of the pages it links to, today, the settings, the
templates and milepost's version. Equal fingerprints render equal bytes, so the manifest records
each output's fingerprint and a build renders only the outputs whose fingerprint changed; a watch
session and a new process decide the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from ..config import Config
from ..index import BusinessModel, Tool, VaultIndex
from ..memory import Memory
from ..planning import planning
from ..resolve import norm
from . import PagePaths, region_parts
from .env import package_templates


@dataclass(frozen=True, slots=True)
class Output:
    """One generated page to make: where it goes, what kind it is, what it is about."""

    path: str
    kind: str
    key: str = ""
    inputs: str = ""
    """Fingerprint of what it is rendered from."""


@dataclass(slots=True)
class Plan:
    pages: dict[str, Output] = field(default_factory=dict)
    """Every page the index produces, by path."""
    regions: dict[tuple[str, str], str] = field(default_factory=dict)
    """(note, region name) -> fingerprint of the region's content."""


def fingerprint(*parts: object) -> str:
    """A short digest of ``parts`` (bytes as they are, anything else by its ``repr``)."""
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part if isinstance(part, bytes) else repr(part).encode("utf-8", "replace"))
        digest.update(b"\0")
    return digest.hexdigest()


def _text(*parts: str | None) -> bytes:
    return "\x1f".join("" if p is None else p for p in parts).encode("utf-8", "replace")


@cache
def _shipped_templates() -> str:
    digest = hashlib.blake2b(digest_size=16)
    root = package_templates()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def templates_fingerprint(config: Config) -> str:
    """The shipped templates' bytes and the vault's overrides' names, sizes and mtimes."""
    parts: list[object] = [_shipped_templates()]
    if config.templates:
        folder = config.vault / config.templates
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            try:
                info = path.stat()
            except OSError:
                continue
            parts.append((path.relative_to(folder).as_posix(), info.st_size, info.st_mtime_ns))
    return fingerprint(*parts)


def portable(config: Config) -> Config:
    """``config`` without what changes no output: where the vault is (only its name shows; a
    clone or a synced copy elsewhere makes the same bytes), the cache, the jobs, the source
    file, today (fingerprinted on its own) and which outputs are on."""
    return replace(
        config,
        vault=Path(config.vault.name),
        cache_dir=None,
        cache=True,
        jobs=0,
        today=None,
        source=None,
        outputs=(),
    )


def settings_fingerprint(config: Config, today: object) -> str:
    """Everything besides the notes that every page depends on (the calendar's settings
    change no page)."""
    from .. import __version__

    plain = replace(portable(config), review_day="", calendar_spans=False)
    return fingerprint(__version__, plain, today, templates_fingerprint(config))


NoteMemo = dict[str, tuple[bytes, object, bool, bytes]]
"""Each note's fingerprint with what it was made from (kept by a watching session)."""


class WatchPrints(NoteMemo):
    """A watching session's :data:`NoteMemo`, with what each business model's fingerprint is
    made of that takes a pass over all its milestones: what its pages show of dependencies and
    of history. Kept by the model's list of milestones (an index makes a new one when any of
    them changed) with the planning's schedule, and the history's epoch (see
    :class:`milepost.watchmemory.WatchMemory`) they were made from."""

    def __init__(self) -> None:
        super().__init__()
        self.models: dict[str, tuple[object, object, str, object, bytes]] = {}
        self.notes_of: dict[str, tuple[object, bytes, Mapping[str, object]]] = {}
        """By model key: its milestones, and its notes' fingerprints (:meth:`_Fingerprints.notes`);
        by tool key (after a NUL): who uses it, and their notes' fingerprints; each with the
        contributions of the index they were made from."""
        self.files: object = None

    def same_files(self, index: VaultIndex) -> bool:
        """True when the vault's files are those of the last plan; else (how a note's name is
        shown may have changed) nothing kept of the notes' fingerprints is used again."""
        same = self.files is not None and self.files == index.files
        self.files = index.files
        if not same:
            self.notes_of.clear()
        return same


class _Fingerprints:
    def __init__(
        self,
        index: VaultIndex,
        paths: PagePaths,
        digests: Mapping[str, bytes],
        memo: NoteMemo | None = None,
        memory: Memory | None = None,
    ) -> None:
        self.memory = memory
        self.index = index
        self.paths = paths
        self.digests = digests
        self.settings = settings_fingerprint(index.config, index.today).encode()
        self.memo: NoteMemo = memo if memo is not None else {}
        self._models: dict[str, str] = {}
        self._seen: dict[str, bytes] = {}
        self._tools: dict[str, str] = {}
        self._named: dict[str, bytes] = {}
        self._counts: dict[str, bytes] = {}
        self._tool_names: dict[str, bytes] = {}
        self._kept = self.memo if isinstance(self.memo, WatchPrints) else None
        self._same = self._kept.same_files(index) if self._kept is not None else False

    def note(self, path: str) -> bytes:
        """A note as pages see it: its bytes, where its links lead, how its name is shown."""
        seen = self._seen.get(path)
        if seen is not None:
            return seen
        digest = self.digests.get(path, b"")
        contribution = self.index.contributions.get(path)
        shared = self.index.names.shares_name(path)
        known = self.memo.get(path)
        if known is not None and known[:3] == (digest, contribution, shared):
            self._seen[path] = known[3]
            return known[3]
        resolved = contribution.resolved if contribution is not None else ()
        made = hashlib.blake2b(
            digest + b"\0" + _text(*resolved) + (b"\1" if shared else b"\0"), digest_size=16
        ).digest()
        self.memo[path] = (digest, contribution, shared, made)
        self._seen[path] = made
        return made

    def notes(self, paths: Iterable[str]) -> bytes:
        named = self._named
        parts = []
        for path in sorted(paths):
            part = named.get(path)
            if part is None:
                part = named[path] = path.encode("utf-8", "replace") + self.note(path)
            parts.append(part)
        return b"".join(parts)

    def _count(self, key: str) -> bytes:
        """A business model as a tool page shows it: its name, its roadmap, how many."""
        known = self._counts.get(key)
        if known is None:
            model = self.index.models[key]
            known = _text(model.name, self.paths.roadmaps.get(key), str(len(model.entries)))
            self._counts[key] = known
        return known

    def model(self, model: BusinessModel) -> str:
        known = self._models.get(model.key)
        if known is not None:
            return known
        named = self._tool_names
        tools = [
            named[key] if key in named else self._tool_name(key)
            for key in model.tools
            if key in self.index.tools
        ]
        depends, shown = self._across(model)
        made = fingerprint(
            self.settings,
            _text(self.paths.roadmaps.get(model.key), model.name, model.key, model.note),
            _text(*model.aliases),
            self._kept_notes(model.key, model.entries, lambda: model.by_note),
            b"\0".join(tools),
            depends,
            shown,
        )
        self._models[model.key] = made
        return made

    def _kept_notes(
        self, key: str, made_of: list[Any], paths: Callable[[], Iterable[str]]
    ) -> bytes:
        """:meth:`notes` of ``paths()``, kept between a watching session's plans while what
        they come from (``made_of``: a model's milestones, who uses a tool) is the same and
        none of those notes changed."""
        if self._kept is None or not self._same:
            return self.notes(set(paths()))
        now = self.index.contributions
        known = self._kept.notes_of.get(key)
        if known is not None and (
            known[0] is made_of
            or (known[0] == made_of and all(known[2].get(p) is now.get(p) for p in paths()))
        ):
            made = known[1]  # (kept with this index's contributions: older ones can go)
        else:
            made = self.notes(set(paths()))
        self._kept.notes_of[key] = (made_of, made, now)
        return made

    def _tool_name(self, key: str) -> bytes:
        """A tool as a business model's pages name it (once per plan: most models reach most
        tools)."""
        t = self.index.tools[key]
        made = self._tool_names[key] = _text(t.name, t.note, self.paths.tools.get(t.key))
        return made

    def _across(self, model: BusinessModel) -> tuple[str, bytes]:
        """What a model's pages show of dependencies (they cross notes) and of history, kept
        between the rounds of a watching session while their inputs stay the same."""
        entries = model.entries
        depends = planning(self.index)
        memory = self.memory
        epoch = getattr(memory, "epoch", None)
        kept = self._kept.models if self._kept is not None else None
        known = kept.get(model.key) if kept is not None else None
        if known is not None and known[0] is entries and known[1] is depends.schedule:
            planned = known[2]
        else:
            planned = depends.fingerprint(entries)
        if memory is None:
            shown = b""
        elif known is not None and known[0] is entries and epoch is not None and known[3] == epoch:
            shown = known[4]
        else:
            shown = memory.fingerprint(entries)
        if kept is not None:
            kept[model.key] = (entries, depends.schedule, planned, epoch, shown)
        return planned, shown

    def tool(self, tool: Tool) -> str:
        known = self._tools.get(tool.key)
        if known is not None:
            return known
        models = [self._count(key) for key in tool.models if key in self.index.models]
        made = fingerprint(
            self.settings,
            _text(self.paths.tools.get(tool.key), tool.name, tool.note),
            self._kept_notes("\0" + tool.key, tool.used_by, lambda: (p for p, _ in tool.used_by)),
            b"\0".join(models),
        )
        self._tools[tool.key] = made
        return made

    def overview(self) -> str:
        """The index page: every business model's counts (their notes) and every tool."""
        rows = [_text(m.key, self.model(m)) for m in self.index.models.values()]
        tools = [_text(t.key, self.tool(t)) for t in self.index.tools.values()]
        return fingerprint(
            self.settings,
            _text(self.paths.index, self.paths.review),
            b"\0".join(rows),
            b"\0".join(tools),
        )

    def portfolio(self) -> str:
        models = [_text(m.key, self.model(m)) for m in self.index.models.values()]
        return fingerprint(self.settings, _text(self.paths.portfolio), b"\0".join(models))

    def review(self) -> str:
        models = [_text(m.key, self.model(m)) for m in self.index.models.values()]
        return fingerprint(self.settings, _text(self.paths.review), b"\0".join(models))


def plan(
    index: VaultIndex,
    paths: PagePaths,
    digests: Mapping[str, bytes],
    memo: NoteMemo | None = None,
    memory: Memory | None = None,
) -> Plan:
    """Every output of ``index`` (pages named by ``paths``) with its fingerprint. ``memo``:
    note fingerprints kept from the last plan (a watching session passes its own);
    ``memory``: the vault's history, which the pages show."""
    prints = _Fingerprints(index, paths, digests, memo, memory)
    out = Plan()
    for model in index.models.values():
        path = paths.roadmaps[model.key]
        out.pages[path] = Output(path, "roadmap", model.key, prints.model(model))
    for tool in index.tools.values():
        path = paths.tools[tool.key]
        out.pages[path] = Output(path, "tool", tool.key, prints.tool(tool))
    out.pages[paths.index] = Output(paths.index, "index", "", prints.overview())
    out.pages[paths.review] = Output(paths.review, "review", "", prints.review())
    out.pages[paths.portfolio] = Output(paths.portfolio, "portfolio", "", prints.portfolio())
    for note in index.sources:
        for what, _line in note.regions:
            out.regions[(note.path, what)] = _region(index, prints, what)
    return out


def _region(index: VaultIndex, prints: _Fingerprints, what: str) -> str:
    kind, name = region_parts(what)
    if kind in ("roadmap", "chart", "milestones") and name:
        model = index.models.get(index.model_key(name))
        return fingerprint(what, prints.model(model) if model is not None else None)
    if kind == "tool":
        tool = next((t for t in index.tools.values() if norm(t.name) == norm(name)), None)
        return fingerprint(what, prints.tool(tool) if tool is not None else None)
    if kind == "index" and not name:
        return fingerprint(what, prints.overview())
    if kind == "review" and not name:
        return fingerprint(what, prints.review())
    return fingerprint(what, "unknown")
