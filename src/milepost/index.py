"""The vault index: notes by path, links resolved, milestones per business model, tools.

Built from parsed notes and nothing else. Each note's contribution is kept apart so that a
changed note can be dropped and re-added (watch mode), and the result equals a fresh build.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from .config import Config
from .errors import Diagnostic, warning
from .model import Link, Milestone, Note, Status
from .parse.text import name_key
from .resolve import NameTable, Resolution, norm, stem

UNASSIGNED = "Unassigned"


@dataclass(frozen=True, slots=True)
class Entry:
    """A milestone as the index sees it: where it is, whose it is, and its status today."""

    id: str
    """Stable id: a hash of the note path, the title and its occurrence in the note."""
    path: str
    """The note it comes from."""
    milestone: Milestone
    model: str
    """Canonical business-model name."""
    status: Status
    """Stated status, or ``overdue`` when open and due before today."""


@dataclass(slots=True)
class BusinessModel:
    name: str
    key: str
    note: str | None = None
    """The business-model note (front matter ``type: business-model``), if there is one."""
    aliases: tuple[str, ...] = ()
    entries: list[Entry] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    """Keys of the tools its source notes use."""


@dataclass(slots=True)
class Tool:
    name: str
    key: str
    note: str | None
    """The tool's note, or None when the link does not resolve."""
    used_by: list[tuple[str, str]] = field(default_factory=list)
    """(concept note path, explanation text), by note path."""
    models: list[str] = field(default_factory=list)
    """Keys of the business models that reach this tool."""


def derive_status(milestone: Milestone, today: date) -> Status:
    """The stated status, or ``overdue`` for an open milestone whose due period has ended."""
    due = milestone.due
    if milestone.status in ("planned", "in_progress") and due is not None and due.end < today:
        return "overdue"
    return milestone.status


def milestone_id(path: str, title: str, occurrence: int) -> str:
    digest = hashlib.sha1(f"{path}\0{title}\0{occurrence}".encode(), usedforsecurity=False)
    return digest.hexdigest()[:12]


class VaultIndex:
    """Everything milepost knows about a vault, at one ``today``."""

    def __init__(
        self,
        notes: Mapping[str, Note],
        files: Iterable[str],
        config: Config,
        today: date,
        extra_diagnostics: Iterable[Diagnostic] = (),
    ) -> None:
        self.config = config
        self.today = today
        self.notes: dict[str, Note] = dict(sorted(notes.items()))
        self.files: list[str] = sorted(files)
        self.names = NameTable(self.files)
        self.extra_diagnostics = list(extra_diagnostics)
        self._build()

    # ----- building ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.sources = [n for n in self.notes.values() if not n.generated]
        self._aliases()
        self.models: dict[str, BusinessModel] = {}
        self.entries: dict[str, list[Entry]] = {}
        for note in self.sources:
            self.entries[note.path] = self._entries(note)
        for key in sorted(self.model_notes):
            self._model(key)
        for entries in self.entries.values():
            for entry in entries:
                self.models[name_key(entry.model)].entries.append(entry)
        self.models = dict(sorted(self.models.items(), key=lambda kv: _model_order(kv[1])))
        self.tools = self._tools()
        self.link_diagnostics = self._link_diagnostics()

    def _aliases(self) -> None:
        """Business-model notes and the names (title and aliases) that reach each."""
        self.model_notes: dict[str, Note] = {}
        self.alias_to_key: dict[str, str] = {}
        self.alias_diagnostics: list[Diagnostic] = []
        for note in self.sources:
            if not note.is_model:
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
        key = name_key(name)
        return self.alias_to_key.get(key, key)

    def _model(self, key: str, spelling: str | None = None) -> BusinessModel:
        model = self.models.get(key)
        if model is None:
            note = self.model_notes.get(key)
            if note is not None:
                model = BusinessModel(note.title, key, note.path, note.aliases)
            else:
                model = BusinessModel(spelling or UNASSIGNED, key)
            self.models[key] = model
        return model

    def _entries(self, note: Note) -> list[Entry]:
        seen: dict[str, int] = {}
        entries = []
        fallback = note.model or (note.title if note.is_model else None)
        for milestone in note.milestones:
            raw = milestone.model or fallback or UNASSIGNED
            model = self._model(self.model_key(raw), raw.strip())
            occurrence = seen.get(milestone.title, 0)
            seen[milestone.title] = occurrence + 1
            entries.append(
                Entry(
                    milestone_id(note.path, milestone.title, occurrence),
                    note.path,
                    milestone,
                    model.name,
                    derive_status(milestone, self.today),
                )
            )
        return entries

    def _tools(self) -> dict[str, Tool]:
        tools: dict[str, Tool] = {}
        note_tools: dict[str, list[str]] = {}
        for note in self.sources:
            for use in note.tools:
                found = self.resolve(use.link, note.path)
                key = found.path if found.path is not None else "?" + norm(use.link.target)
                tool = tools.get(key)
                if tool is None:
                    name = stem(found.path) if found.path else use.link.target.rsplit("/", 1)[-1]
                    tool = tools[key] = Tool(name, key, found.path)
                tool.used_by.append((note.path, use.text))
                note_tools.setdefault(note.path, [])
                if key not in note_tools[note.path]:
                    note_tools[note.path].append(key)
        for model in self.models.values():
            keys: list[str] = []
            for entry in model.entries:
                for key in note_tools.get(entry.path, []):
                    if key not in keys:
                        keys.append(key)
                        tools[key].models.append(model.key)
            model.tools = sorted(keys, key=lambda k: norm(tools[k].name))
        return dict(sorted(tools.items(), key=lambda kv: (norm(kv[1].name), kv[0])))

    # ----- links ------------------------------------------------------------------------------
    def resolve(self, link: Link, source: str) -> Resolution:
        return self.names.resolve(link.target, source)

    def _link_diagnostics(self) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for note in self.sources:
            for link in note.links:
                found.extend(self.check_link(link, note.path))
        return found

    def check_link(self, link: Link, source: str) -> list[Diagnostic]:
        """Problems with one link: unresolved, ambiguous, or a missing heading or block."""
        shown = link.raw or f"[{link.display or ''}]({link.target})"
        resolution = self.resolve(link, source)
        if resolution.path is None:
            return [
                warning(
                    source,
                    link.line,
                    "link.unresolved",
                    f"{shown} points to no file in the vault; create the note or fix the name",
                )
            ]
        problems = []
        if resolution.ambiguous:
            others = ", ".join(c for c in resolution.candidates if c != resolution.path)
            why = (
                "it is in the same folder"
                if resolution.rule == "folder"
                else "its path is shortest"
            )
            problems.append(
                warning(
                    source,
                    link.line,
                    "link.ambiguous",
                    f"{shown} could mean {len(resolution.candidates)} notes; Obsidian opens "
                    f"{resolution.path} ({why}), not {others}; write the folder to be sure",
                )
            )
        target = self.notes.get(resolution.path)
        if link.subpath and target is not None and not target.generated:
            problems.extend(self._check_subpath(link, source, target, shown))
        return problems

    def _check_subpath(self, link: Link, source: str, target: Note, shown: str) -> list[Diagnostic]:
        sub = link.subpath
        if sub.startswith("^"):
            if sub[1:].lower() not in {b.lower() for b, _ in target.blocks}:
                return [
                    warning(
                        source,
                        link.line,
                        "link.block-missing",
                        f"{shown}: {target.path} has no block ^{sub[1:]}",
                    )
                ]
            return []
        wanted = heading_key(sub.split("#")[-1])
        if wanted and wanted not in {heading_key(h.text) for h in target.headings}:
            return [
                warning(
                    source,
                    link.line,
                    "link.heading-missing",
                    f"{shown}: {target.path} has no heading {sub.split('#')[-1]!r}",
                )
            ]
        return []

    # ----- queries ----------------------------------------------------------------------------
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding, sorted by path and line, without the silenced codes."""
        found = [
            *self.extra_diagnostics,
            *self.alias_diagnostics,
            *self.link_diagnostics,
            *(d for note in self.notes.values() for d in note.diagnostics),
        ]
        return sorted(d for d in found if not self.config.is_silenced(d.code))

    def milestone_count(self) -> int:
        return sum(len(m.entries) for m in self.models.values())


_HEADING_NOISE = str.maketrans(dict.fromkeys("#|^:%[]*_`~=\\/.,;!?()'\"<>{}", " "))


def heading_key(text: str) -> str:
    """Compare heading names the way Obsidian's ``stripHeading`` does: special characters out."""
    return " ".join(norm(text).translate(_HEADING_NOISE).split())


def _model_order(model: BusinessModel) -> tuple[int, str]:
    return (1 if model.name == UNASSIGNED else 0, norm(model.name))
