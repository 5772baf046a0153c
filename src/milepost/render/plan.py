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
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache

from ..config import Config
from ..index import BusinessModel, Tool, VaultIndex
from ..resolve import norm, stem
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


def _hash(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()


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
    return _hash(*parts)


def settings_fingerprint(config: Config, today: object) -> str:
    """Everything besides the notes that every output depends on."""
    from .. import __version__

    plain = replace(config, jobs=0, today=None, source=None)
    return _hash(__version__, plain, today, templates_fingerprint(config))


class _Fingerprints:
    def __init__(self, index: VaultIndex, paths: PagePaths, digests: Mapping[str, bytes]):
        self.index = index
        self.paths = paths
        self.digests = digests
        self.settings = settings_fingerprint(index.config, index.today)
        self._notes: dict[str, str] = {}

    def note(self, path: str) -> str:
        """A note as pages see it: its bytes, where its links lead, how its name is shown."""
        known = self._notes.get(path)
        if known is None:
            contribution = self.index.contributions.get(path)
            resolved = contribution.resolved if contribution is not None else ()
            shared = len(self.index.names.by_name.get(norm(stem(path)), ())) > 1
            known = _hash(self.digests.get(path, b""), resolved, shared)
            self._notes[path] = known
        return known

    def notes(self, paths: Iterable[str]) -> list[tuple[str, str]]:
        return [(p, self.note(p)) for p in sorted(paths)]

    def model(self, model: BusinessModel) -> str:
        tools = [
            (t.name, t.note, self.paths.tools.get(t.key))
            for key in model.tools
            if (t := self.index.tools.get(key)) is not None
        ]
        return _hash(
            self.settings,
            self.paths.roadmaps.get(model.key),
            model.name,
            model.key,
            model.note,
            model.aliases,
            self.notes(model.by_note),
            tools,
        )

    def tool(self, tool: Tool) -> str:
        models = [
            (m.name, self.paths.roadmaps.get(m.key), len(m.entries))
            for key in tool.models
            if (m := self.index.models.get(key)) is not None
        ]
        uses = [(path, text, self.note(path)) for path, text in tool.used_by]
        return _hash(
            self.settings, self.paths.tools.get(tool.key), tool.name, tool.note, uses, models
        )

    def overview(self) -> str:
        rows = [
            (
                m.name,
                m.note,
                self.paths.roadmaps.get(m.key),
                sorted(Counter((e.status, not e.missing) for e in m.entries).items()),
            )
            for m in self.index.models.values()
        ]
        tools = [
            (
                t.name,
                t.note,
                self.paths.tools.get(t.key),
                sorted({p for p, _ in t.used_by}),
                t.models,
            )
            for t in self.index.tools.values()
        ]
        return _hash(self.settings, self.paths.index, self.paths.review, rows, tools)

    def review(self) -> str:
        models = [
            (m.key, m.name, self.paths.roadmaps.get(m.key), self.notes(m.by_note))
            for m in self.index.models.values()
        ]
        return _hash(self.settings, self.paths.review, models)


def plan(index: VaultIndex, paths: PagePaths, digests: Mapping[str, bytes]) -> Plan:
    """Every output of ``index`` (pages named by ``paths``) with its fingerprint."""
    prints = _Fingerprints(index, paths, digests)
    out = Plan()
    for model in index.models.values():
        path = paths.roadmaps[model.key]
        out.pages[path] = Output(path, "roadmap", model.key, prints.model(model))
    for tool in index.tools.values():
        path = paths.tools[tool.key]
        out.pages[path] = Output(path, "tool", tool.key, prints.tool(tool))
    out.pages[paths.index] = Output(paths.index, "index", "", prints.overview())
    out.pages[paths.review] = Output(paths.review, "review", "", prints.review())
    for note in index.sources:
        for what, _line in note.regions:
            out.regions[(note.path, what)] = _region(index, prints, what)
    return out


def _region(index: VaultIndex, prints: _Fingerprints, what: str) -> str:
    kind, name = region_parts(what)
    if kind in ("roadmap", "chart", "milestones") and name:
        model = index.models.get(index.model_key(name))
        return _hash(what, prints.model(model) if model is not None else None)
    if kind == "tool":
        tool = next((t for t in index.tools.values() if norm(t.name) == norm(name)), None)
        return _hash(what, prints.tool(tool) if tool is not None else None)
    if kind == "index" and not name:
        return _hash(what, prints.overview())
    if kind == "review" and not name:
        return _hash(what, prints.review())
    return _hash(what, "unknown")
