"""Changing an index by its notes: what a set of changed notes does to a :class:`VaultIndex`.

This module owns the incremental path that watch mode takes. :func:`apply` makes the index that
follows some changed notes (and the vault's files, milepost's pages and discovery's findings now)
from a copy, leaving the index it was given as it was; :func:`update` changes an index in place,
dropping and re-adding only the changed notes' contributions and those of the notes whose links
a file that came or went could answer, and returns the :class:`Delta` (which models and tools
changed). The result always equals a fresh build of :class:`VaultIndex`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..errors import Diagnostic
from ..linkcheck import name_of
from ..model import Note
from ..resolve import norm, stem
from .records import Delta

if TYPE_CHECKING:
    from .vault import VaultIndex


def apply(
    index: VaultIndex,
    changed: Mapping[str, Note | None],
    *,
    files: Iterable[str] | None = None,
    owned: Mapping[str, str] | None = None,
    extra: Iterable[Diagnostic] | None = None,
) -> tuple[VaultIndex, Delta]:
    """The index after ``changed`` notes (None: deleted), and what that changed. ``files``: the
    vault's files now, when any came or went; ``owned``: milepost's pages now; ``extra``:
    discovery's findings now. ``index`` itself is left as it was."""
    new = index._clone()
    if extra is not None:
        new._extra = list(extra)
    if owned is not None and owned != new.owned:
        new.owned = dict(owned)
    delta = new.update(changed, files)
    return new, delta


def update(
    index: VaultIndex, changed: Mapping[str, Note | None], files: Iterable[str] | None = None
) -> Delta:
    """Apply changed notes (None: deleted) and, when given, the vault's new file list."""
    new_files = set(files) if files is not None else index.files
    touches_models = any(
        (index.notes.get(path) is not None and index.notes[path].is_model)
        or (note is not None and note.is_model)
        for path, note in changed.items()
    )
    if touches_models:
        for path, note in changed.items():
            if note is None:
                index.notes.pop(path, None)
            else:
                index.notes[path] = note
        index.files = new_files
        index._rebuild()
        return Delta(everything=True)
    index._found = None
    index._planning = None
    before = _tool_signatures(index)
    models_before = {key: model.tools[:] for key, model in index.models.items()}
    sizes_before = {key: len(model.entries) for key, model in index.models.items()}
    affected: set[str] = set()
    recheck: set[str] = set()
    remade: set[str] = set(changed)  # the notes whose contributions are made again
    if new_files != index.files:
        for source in _renamed(index, new_files) - set(changed):
            if source in index.contributions:  # its links may now lead elsewhere
                affected |= index._remove(source)
                index._add(source)
                remade.add(source)
                affected |= {e.model_key for e in index.contributions[source].entries}
    for path, note in changed.items():
        affected |= index._remove(path)
        recheck |= index.linked_by.get(path, set())
        if note is None:
            index.notes.pop(path, None)
        else:
            index.notes[path] = note
            if index.is_source(path):
                index._add(path)
                affected |= {e.model_key for e in index.contributions[path].entries}
    for source in sorted(recheck - set(changed)):
        if source in index.contributions:
            index._remove(source)
            index._add(source)
            remade.add(source)
    index._relate(remade)
    affected |= {
        key for key, model in index.models.items() if models_before.get(key) != model.tools
    }
    after = _tool_signatures(index)
    tools = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    resized = {  # tool pages show how many milestones each model that reaches them has
        key
        for key in affected
        if key not in index.models or sizes_before.get(key) != len(index.models[key].entries)
    }
    tools |= {key for key, tool in index.tools.items() if resized.intersection(tool.models)}
    return Delta(models=frozenset(affected), tools=frozenset(tools))


def _renamed(index: VaultIndex, files: set[str]) -> set[str]:
    """Take in a new set of vault files; return the notes with a link whose target a file
    that came or went could answer (their links must be resolved again)."""
    came, went = files - index.files, index.files - files
    for path in came:
        index.names.add(path)
    for path in went:
        index.names.remove(path)
    index.files = files
    names = {norm(stem(path)) for path in came | went}
    return {
        source
        for source, note in index.notes.items()
        if any(name_of(link.target) in names for link in note.links)
        or any(name_of(use.link.target) in names for use in note.tools)
    }


def _tool_signatures(index: VaultIndex) -> dict[str, tuple[object, ...]]:
    return {k: (t.name, t.note, tuple(t.used_by), tuple(t.models)) for k, t in index.tools.items()}
