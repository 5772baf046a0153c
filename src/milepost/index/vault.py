"""The vault index: notes by path, links resolved, milestones per business model, tools.

Built from parsed notes and nothing else. Each note's contribution (its milestones, tool uses and
link findings) is kept apart, so a changed note is dropped and re-added without touching the
others (watch mode); :meth:`VaultIndex.update` returns what changed, and the result always equals
a fresh build. The incremental path itself (``update`` and :func:`apply`) lives in
:mod:`milepost.index.incremental`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from ..config import Config
from ..errors import Diagnostic, warning
from ..linkcheck import check_link
from ..model import Link, Note
from ..parse.text import name_key
from ..resolve import NameTable, Resolution, norm, stem
from . import incremental, reach
from .incremental import apply
from .records import (
    UNASSIGNED,
    BusinessModel,
    Delta,
    Entry,
    Tool,
    derive_status,
    milestone_id,
)

__all__ = ["WHOLE_VAULT", "VaultIndex", "apply"]


@dataclass(slots=True)
class _Contribution:
    """What one source note adds to the index."""

    entries: list[Entry]
    uses: list[tuple[str, str, str]]
    """(tool key, tool spelling, explanation)."""
    links: list[Diagnostic]
    subpath_targets: set[str]
    """Notes this one links to with a heading or block (their headings matter to its findings)."""
    resolved: tuple[str | None, ...] = ()
    """Where each of its links and tool links leads (what its rendered text depends on)."""


Reuse = Callable[["VaultIndex"], Mapping[str, _Contribution]]
"""Gives the contributions kept from an earlier build that the index may take as they are."""

WHOLE_VAULT: list[Callable[[VaultIndex], Iterable[Diagnostic]]] = []
"""Findings over the whole index that later layers add, asked once per index with the rest:
:mod:`milepost.planning` (the dependency passes) registers itself when imported, as the modules
that build indexes (:mod:`milepost.reading`, :mod:`milepost.render`) do."""


class VaultIndex:
    """Everything milepost knows about a vault, at one ``today``."""

    def __init__(
        self,
        notes: Mapping[str, Note],
        files: Iterable[str],
        config: Config,
        today: date,
        extra_diagnostics: Iterable[Diagnostic] = (),
        *,
        owned: Mapping[str, str] | None = None,
        kept: Reuse | None = None,
    ) -> None:
        """``kept``: gives the contributions kept from an earlier build that still hold
        (:class:`milepost.index.kept.KeptIndex`), asked once the business models are known."""
        self.config = config
        self.today = today
        self.notes: dict[str, Note] = dict(notes)
        self.files: set[str] = set(files)
        self.owned: dict[str, str] = dict(owned or {})
        """milepost's own pages (path -> kind), from the manifest: files, never sources."""
        self._extra = list(extra_diagnostics)
        self._found: list[Diagnostic] | None = None
        self._name_keys: dict[str, str] = {}
        self._rebuild(kept)

    @property
    def extra_diagnostics(self) -> list[Diagnostic]:
        """Findings from outside the notes (discovery), reported with theirs."""
        return self._extra

    @extra_diagnostics.setter
    def extra_diagnostics(self, found: list[Diagnostic]) -> None:
        self._extra = found
        self._found = None

    # ----- building ---------------------------------------------------------------------------
    def _rebuild(self, kept: Reuse | None = None) -> None:
        self._found = None
        self._planning: object | None = None
        """The dependencies' passes (:func:`milepost.planning.planning`), once asked."""
        self.names = NameTable(self.files)
        self._aliases()
        self.models: dict[str, BusinessModel] = {}
        self.contributions: dict[str, _Contribution] = {}
        self.linked_by: dict[str, set[str]] = {}
        self.tools: dict[str, Tool] = {}
        self._note_tools: reach.NoteTools = {}
        for key in self.model_notes:
            self._model(key, "")
        reused = kept(self) if kept is not None else {}
        for path in sorted(self.notes):
            if self.is_source(path):
                found = reused.get(path)
                if found is None:
                    self._add(path)
                else:
                    self._take(path, found)
        self._relate()

    def is_source(self, path: str) -> bool:
        """True for a note milestones are read from: any note but milepost's own pages."""
        return path not in self.owned and not self.notes[path].generated

    @property
    def sources(self) -> list[Note]:
        """The notes milestones are read from (milepost's own pages excluded), by path."""
        return [self.notes[p] for p in sorted(self.notes) if self.is_source(p)]

    def _aliases(self) -> None:
        """Business-model notes and the names (title and aliases) that reach each."""
        self.model_notes: dict[str, Note] = {}
        self.alias_to_key: dict[str, str] = {}
        self.alias_diagnostics: list[Diagnostic] = []
        for path in sorted(self.notes):
            note = self.notes[path]
            if not note.is_model or not self.is_source(path):
                continue
            key = name_key(note.title)
            if key in self.model_notes:
                other = self.model_notes[key].path
                self.alias_diagnostics.append(
                    warning(
                        note.path,
                        1,
                        "model.duplicate",
                        f"business model {note.title!r} already has a note ({other}); "
                        "this one is ignored",
                    )
                )
                continue
            self.model_notes[key] = note
        for key, note in self.model_notes.items():
            for alias in (note.title, *note.aliases):
                alias_key = name_key(alias)
                owner = self.alias_to_key.setdefault(alias_key, key)
                if owner != key:
                    self.alias_diagnostics.append(
                        warning(
                            note.path,
                            1,
                            "model.alias-conflict",
                            f"alias {alias!r} also names business model "
                            f"{self.model_notes[owner].title!r}; it stays with that one",
                        )
                    )

    def model_key(self, name: str) -> str:
        key = self._name_keys.get(name)
        if key is None:
            key = self._name_keys[name] = name_key(name)
        return self.alias_to_key.get(key, key)

    def _model(self, key: str, spelling: str) -> BusinessModel:
        model = self.models.get(key)
        if model is None:
            note = self.model_notes.get(key)
            if note is not None:
                model = BusinessModel(note.title, key, note.path, note.aliases)
            else:
                model = BusinessModel(spelling or UNASSIGNED, key)
            self.models[key] = model
        return model

    def _add(self, path: str) -> None:
        """Add one source note's contribution."""
        note = self.notes[path]
        entries = self._entries(note)
        uses = []
        resolved: list[str | None] = []
        for use in note.tools:
            found = self.resolve(use.link, path)
            resolved.append(found.path)
            key = found.path if found.path is not None else "?" + norm(use.link.target)
            spelling = stem(found.path) if found.path else use.link.target.rsplit("/", 1)[-1]
            uses.append((key, spelling, use.text))
        diagnostics: list[Diagnostic] = []
        targets: set[str] = set()
        for link in note.links:
            resolution = self.resolve(link, path)
            diagnostics.extend(self._check(link, path, resolution))
            target = resolution.path
            resolved.append(target)
            if link.subpath and target is not None:
                targets.add(target)
        self._take(path, _Contribution(entries, uses, diagnostics, targets, tuple(resolved)))

    def _take(self, path: str, contribution: _Contribution) -> None:
        """Add one source note's contribution, made now or kept from an earlier build."""
        last: str | None = None
        mine: list[Entry] = []
        for entry in contribution.entries:  # a note's milestones mostly name one model
            if entry.model_key != last:
                last = entry.model_key
                model = self._model(last, entry.spelling)
                mine = model.by_note.setdefault(path, [])
                model._flat = None
            mine.append(entry)
        for target in contribution.subpath_targets:
            self.linked_by.setdefault(target, set()).add(path)
        self.contributions[path] = contribution

    def _remove(self, path: str) -> set[str]:
        """Drop one note's contribution; return the keys of the models it fed."""
        old = self.contributions.pop(path, None)
        if old is None:
            return set()
        keys = {entry.model_key for entry in old.entries}
        for key in keys:
            model = self.models[key]
            model.by_note.pop(path, None)
            model._flat = None
            if not model.by_note and key not in self.model_notes:
                del self.models[key]
        for target in old.subpath_targets:
            sources = self.linked_by.get(target)
            if sources is not None:
                sources.discard(path)
                if not sources:
                    del self.linked_by[target]
        return keys

    def _entries(self, note: Note) -> list[Entry]:
        seen: dict[str, int] = {}
        keys: dict[str, str] = {}  # a note's milestones mostly name one model
        entries = []
        fallback = note.model or (note.title if note.is_model else None)
        path, today = note.path, self.today
        for milestone in note.milestones:
            raw = (milestone.model or fallback or UNASSIGNED).strip()
            title = milestone.title
            occurrence = seen.get(title, 0)
            seen[title] = occurrence + 1
            key = keys.get(raw)
            if key is None:
                key = keys[raw] = self.model_key(raw)
            entries.append(
                Entry(
                    milestone_id(path, title, occurrence),
                    path,
                    milestone,
                    key,
                    raw,
                    derive_status(milestone, today),
                    _one(milestone.missing()),
                )
            )
        return entries

    def _relate(self, changed: Collection[str] | None = None) -> None:
        """Names, order, and which tools reach which models (redone after any change;
        ``changed``: the notes whose contributions were made again since the last time, when
        only their tools need making again, see :mod:`.reach`)."""
        for model in self.models.values():
            if model.note is None:
                first = model.entries[0] if model.entries else None
                model.name = first.spelling if first is not None else model.name
        self.models = dict(sorted(self.models.items(), key=lambda kv: _model_order(kv[1])))
        before = (self.tools, self._note_tools) if changed is not None else None
        self.tools, self._note_tools = reach.relate(
            self.contributions, self.models, before, changed or ()
        )

    # ----- incremental ------------------------------------------------------------------------
    def _clone(self) -> VaultIndex:
        """A copy that an update can change without touching this index."""
        new = object.__new__(VaultIndex)
        new.config, new.today = self.config, self.today
        new.notes = dict(self.notes)
        new.files = set(self.files)
        new.owned = dict(self.owned)
        new._extra = list(self._extra)
        new._found = None
        new._name_keys = self._name_keys  # a memo of pure name keys: safe to share
        new.names = self.names.copy()
        new.model_notes = self.model_notes  # these three are replaced, never changed in place
        new.alias_to_key = self.alias_to_key
        new.alias_diagnostics = self.alias_diagnostics
        new.models = {key: model.copy() for key, model in self.models.items()}
        new.contributions = dict(self.contributions)
        new.linked_by = {key: set(paths) for key, paths in self.linked_by.items()}
        new.tools = self.tools  # .reach makes new tools, never changes these
        new._note_tools = self._note_tools
        return new

    def update(
        self, changed: Mapping[str, Note | None], files: Iterable[str] | None = None
    ) -> Delta:
        """Apply changed notes (None: deleted) and, when given, the vault's new file list
        (:func:`milepost.index.incremental.update`)."""
        return incremental.update(self, changed, files)

    # ----- links ------------------------------------------------------------------------------
    def resolve(self, link: Link, source: str) -> Resolution:
        return self.names.resolve(link.target, source)

    def check_link(self, link: Link, source: str) -> list[Diagnostic]:
        """Problems with one link: unresolved, ambiguous, or a missing heading or block."""
        return self._check(link, source, self.resolve(link, source))

    def _check(self, link: Link, source: str, resolution: Resolution) -> list[Diagnostic]:
        target = self.notes.get(resolution.path) if resolution.path is not None else None
        if target is not None and not self.is_source(target.path):
            target = None
        return check_link(link, source, resolution, target)

    # ----- queries ----------------------------------------------------------------------------
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding, sorted by path and line, without the silenced codes (kept until the
        index changes; the list is the caller's to read, not to change)."""
        if self._found is None:
            found = [
                *self._extra,
                *(d for find in WHOLE_VAULT for d in find(self)),
                *self.alias_diagnostics,
                *(d for c in self.contributions.values() for d in c.links),
                *(d for note in self.notes.values() for d in note.diagnostics),
            ]
            silenced = self.config.is_silenced
            loud = {code: not silenced(code) for code in {d.code for d in found}}
            self._found = sorted((d for d in found if loud[d.code]), key=_FIELDS)
        return self._found

    def milestone_count(self) -> int:
        return sum(len(c.entries) for c in self.contributions.values())

    def model_name(self, key: str) -> str:
        return self.models[key].name


_FIELDS = attrgetter("path", "line", "code", "severity", "message")
"""A finding's fields in the order findings sort by (compared as one tuple, in C)."""

_MISSING: dict[tuple[str, ...], tuple[str, ...]] = {}


def _one(missing: tuple[str, ...]) -> tuple[str, ...]:
    """One tuple for each of the few combinations of what milestones lack."""
    return _MISSING.setdefault(missing, missing)


def _model_order(model: BusinessModel) -> tuple[int, str, str]:
    return (1 if model.name == UNASSIGNED else 0, norm(model.name), model.key)
