"""How a :class:`~milepost.session.Session` takes in changes after its first build.

:func:`update` takes the paths that changed (a watcher's batch): it re-reads only the
notes whose bytes changed, makes the next index with :func:`~milepost.index.apply` (or a whole
new one past midnight), and writes what follows through the session's round.
:func:`reconcile` finds the changes no event reported with one stat of every file.
A path that holds exactly what milepost last wrote there is its own write coming back.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from ..changes import restat
from ..discover import SourceFile, discover
from ..index import VaultIndex, apply
from ..model import Milestone, Note
from ..reading import Timings, read_note
from ..records import replace
from ..render import Renderer
from ..replan import carry
from ..uptodate import BuildResult

if TYPE_CHECKING:
    from . import Session


def update(
    session: Session, paths: Iterable[str], *, timings: Timings | None = None
) -> BuildResult:
    """Take in changes to ``paths`` (vault-relative files or folders); write what follows."""
    timings = timings or Timings()
    rescanned = session.index is None
    if rescanned:  # the last build answered from its stamp: read the vault now, and bring
        session.scan()  # its pages up to what it holds (a save may have come in since)
    assert session.index is not None
    started = time.perf_counter()
    seen = _restat(session, paths)
    recheck: set[str] = set()
    notes: dict[str, SourceFile | None] = {}
    echo = bool(seen)
    manifest = session.manifest
    for path, file in seen.items():
        if file is not None and _echo(session, path, file):
            continue
        echo = False
        if manifest.owns(path):
            recheck.add(path)
        elif path.lower().endswith(".md"):
            notes[path] = file
    started = timings.add("discover", started)
    changed = read_again(session, notes)
    started = timings.add("parse", started)
    files_changed = any((f is None) != (p not in session.index.files) for p, f in seen.items())
    templates = _templates_changed(session, seen)
    today = _today_changed(session)
    if not (changed or recheck or files_changed or templates or today or rescanned):
        findings = len(session.index.diagnostics())
        return BuildResult([], [], findings, timings, session.index, [], echo=echo)
    extra = [d for found in session.found.values() for d in found]
    scope: set[str] | None = None
    first: frozenset[str] = frozenset()
    if today:
        notes_now = {**session.index.notes, **{p: n for p, n in changed.items() if n}}
        for path in (p for p, n in changed.items() if n is None):
            notes_now.pop(path, None)
        session.index = VaultIndex(
            notes_now, session.files, session.config, session.today, extra, owned=session.owned()
        )
    else:
        before = session.index
        session.index, delta = apply(
            before,
            changed,
            files=session.files if files_changed else None,
            owned=session.owned(),
            extra=extra,
        )
        scope = None if delta.everything else set(changed)
        first = edited_models(before, session.index, changed)
        if session.lasting:
            carry(before, session.index)
    timings.add("index", started)
    with session._writing(False):
        session._remember(False, scope)
        notes_to_check = None if rescanned else set(changed)
        out = session._round(recheck=recheck, notes=notes_to_check, timings=timings, first=first)
        session.manifest.save()
    return BuildResult(
        [c for c in out.changes if c.action != "unchanged"],
        [*out.diagnostics, *session._history_findings()],
        len(session.index.diagnostics()),
        timings,
        session.index,
        sorted({*changed, *recheck, *(p for p in seen if not p.lower().endswith(".md"))}),
        len([n for n in changed.values() if n is not None]),
        rendered=out.rendered,
    )


def edited_models(
    before: VaultIndex, after: VaultIndex, changed: Mapping[str, Note | None]
) -> frozenset[str]:
    """The business models whose milestones the ``changed`` notes edited, added or removed, not
    only moved to other lines: their roadmaps are the ones a save shows on, so they are
    written first."""
    models: set[str] = set()
    for path in changed:
        old = _shown(before, path)
        new = _shown(after, path)
        models.update(key for key, _ in (old - new) + (new - old))
    return frozenset(models)


def _shown(index: VaultIndex, path: str) -> Counter[tuple[str, Milestone]]:
    """The milestones of ``path`` by business model, their lines (and their links') left out."""
    contribution = index.contributions.get(path)
    if contribution is None:
        return Counter()
    return Counter((entry.model_key, _unlined(entry.milestone)) for entry in contribution.entries)


def _unlined(milestone: Milestone) -> Milestone:
    return replace(
        milestone,
        line=0,
        links=tuple(replace(link, line=0) for link in milestone.links),
        depends=tuple(replace(d, line=0) for d in milestone.depends),
    )


def _echo(session: Session, path: str, file: SourceFile) -> bool:
    """True when ``path`` holds exactly what milepost last wrote there."""
    full = session.config.vault / path
    return session.manifest.echo(path, file.size, file.mtime_ns, read=full.read_bytes)


def read_again(
    session: Session, paths: Iterable[str] | dict[str, SourceFile | None]
) -> dict[str, Note | None]:
    """Read the notes of ``paths`` again; return those whose bytes changed (None: gone)."""
    assert session.index is not None
    states = paths if isinstance(paths, dict) else {p: session.files.get(p) for p in paths}
    changed: dict[str, Note | None] = {}
    stored = []
    for path, file in sorted(states.items()):
        if file is None:
            if path in session.index.notes:
                changed[path] = None
                session.digests.pop(path, None)
            continue
        note, digest = read_note(session.config.vault, path, session.config)
        if digest and digest == session.digests.get(path) and path in session.index.notes:
            if session.cache is not None:
                session.cache.touch(file)
            continue
        session.digests[path] = digest
        changed[path] = note
        if digest:
            stored.append((file, digest, note, None))
    if session.cache is not None:
        session.cache.store(stored)
        session.cache.forget([p for p, n in changed.items() if n is None])
    return changed


def reconcile(session: Session) -> BuildResult:
    """Catch up with changes no event reported: one stat of every file, then an update."""
    if session.index is None:
        return update(session, [])
    discovery = discover(session.config)
    current = {f.path: f for f in discovery.files}
    changed = [p for p, f in current.items() if session.files.get(p) != f]
    changed += [p for p in session.files if p not in current]
    return update(session, changed)


def _restat(session: Session, paths: Iterable[str]) -> dict[str, SourceFile | None]:
    """The current state of each changed path (folders expanded); the files are updated."""
    return restat(session.config, session.files, session.found, paths)


def _templates_changed(session: Session, seen: dict[str, SourceFile | None]) -> bool:
    """A template override changed: forget the compiled templates and the memos."""
    folder = session.config.templates
    if not folder or not any(p.startswith(folder + "/") for p in seen):
        return False
    from ..render.env import forget_templates

    forget_templates()
    session.renderer = Renderer(session.config, remember=session.lasting)
    return True


def _today_changed(session: Session) -> bool:
    """Past midnight with no pinned today, statuses are computed against the new date."""
    if session.config.today is not None or date.today() == session.today:
        return False
    session.today = date.today()
    return True
