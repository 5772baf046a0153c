"""Bring a vault's pages and regions up to what its index says: render what changed, write it.

:func:`plan` names every output with the fingerprint of its inputs; the manifest records the
fingerprint each output was last written from. An output is rendered again only when its
fingerprint differs, its file is not what milepost wrote, or ``force`` is given; everything else
is unchanged without being rendered. One-shot builds and watch sessions decide the same way, so
a build after a one-note edit renders only the pages that edit reaches.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .cache import content_digest
from .config import CACHE_DIR, Config
from .errors import Diagnostic, WriteError
from .feedbuild import Feed, FeedPaths, FeedWork, output_of, plan_feeds, write_feeds
from .feeds.records import identity
from .index import VaultIndex
from .manifest import Manifest
from .manifest_records import PageRecord, Written, digest
from .memory import Memory
from .planning import planning
from .reading import Timings
from .render import PagePaths, Region, Renderer, unknown_region
from .render.plan import NoteMemo, Plan, plan
from .write import Change, Writer

LOCK = "lock"
LOCK_WAIT = 30.0
"""Seconds a build waits for another milepost process that is writing the same vault."""


@dataclass(slots=True)
class BuildResult:
    """What a build found, rendered and changed."""

    changes: list[Change]
    diagnostics: list[Diagnostic]
    """Findings of the build itself (unknown regions); the vault's are counted in ``findings``."""
    findings: int
    """How many findings the vault has (``milepost check`` lists them)."""
    timings: Timings
    index: VaultIndex | None = None
    """The index, unless the build answered from the stamp without reading any note."""
    changed: list[str] = field(default_factory=list)
    """The vault paths whose change this build took in (watch)."""
    parsed: int = 0
    echo: bool = False
    """True when every change was milepost's own write coming back, nothing else."""
    rendered: int = 0
    """How many outputs were rendered (the others were known to be unchanged)."""

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def stale(self) -> bool:
        """True when the vault's generated pages differ from what this build makes."""
        return any(change.action != "unchanged" for change in self.changes)


@dataclass(slots=True)
class Outputs:
    """One round of rendering and writing, and what it did."""

    changes: list[Change] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rendered: int = 0
    written: set[str] = field(default_factory=set)
    """Pages created or updated."""
    removed: set[str] = field(default_factory=set)
    """Pages removed."""
    notes: set[str] = field(default_factory=set)
    """The user's notes whose regions were filled (their lines moved)."""
    merged: set[str] = field(default_factory=set)
    """Of those, the notes filled around a save that came in meanwhile."""
    deferred: bool = False
    """Feeds were left for later: more saves were waiting (see ``bring_up_to_date``)."""


def as_recorded(root: Path, path: str, record: PageRecord | Written | None) -> bool:
    """True when the file holds what the manifest says milepost wrote or last saw there (a
    stat when the file kept its size and mtime, else its bytes)."""
    if record is None:
        return False
    written = record.written if isinstance(record, PageRecord) else record
    try:
        info = (root / path).lstat()
    except OSError:
        return False
    if written.matches(info.st_size, info.st_mtime_ns):
        return True
    if written.sha256 is None or info.st_size != written.size >= 0:
        return False
    try:
        return digest((root / path).read_bytes()) == written.sha256
    except OSError:
        return False


def bring_up_to_date(
    index: VaultIndex,
    digests: Mapping[str, bytes],
    manifest: Manifest,
    renderer: Renderer,
    *,
    force: bool = False,
    dry_run: bool = False,
    recheck: Iterable[str] = (),
    notes: Iterable[str] | None = None,
    memo: NoteMemo | None = None,
    memory: Memory | None = None,
    later: Callable[[], bool] | None = None,
    first: Collection[str] = (),
) -> Outputs:
    """Render and write what differs from the manifest's records. ``recheck``: pages whose
    files changed on disk (render them whatever their fingerprint); ``notes``: the notes whose
    regions must be checked (None: every note with a region); ``memory``: the vault's history,
    which the pages show; ``later``: True when more saves are waiting, so the feeds not made
    yet are left for a later round (``Outputs.deferred``; their files stay as they are), and
    the roadmaps go first, those of the business models in ``first`` before the others."""
    config = index.config
    chosen = set(config.outputs)
    writer = Writer(
        config,
        manifest,
        force=force,
        dry_run=dry_run,
        read=lambda path, data: digests.get(path) == content_digest(data),
    )
    out = Outputs()
    recheck = set(recheck)
    wanted = Plan()
    if "pages" in chosen:
        paths = PagePaths(index, config)
        wanted = plan(index, paths, digests, memo, memory)
        renderer.use(index, paths, memory)
        _pages(
            wanted,
            manifest,
            renderer,
            writer,
            out,
            force=force,
            recheck=recheck,
            roadmaps_first=later is not None,
            first=first,
        )
    produced = set(wanted.pages)
    if chosen - {"pages"}:
        produced |= _feeds(
            index, digests, writer, out, force=force, recheck=recheck, memory=memory, later=later
        )
    # an output that is not on keeps its files as they are
    produced |= {p for p, r in manifest.pages.items() if output_of(r.kind) not in chosen}
    writer.prune(produced)
    if "pages" in chosen:
        _regions(index, wanted, renderer, writer, out, force=force, notes=notes)
        if not dry_run:
            manifest.keep_regions_of({note for note, _ in wanted.regions})
    out.changes = writer.changes
    out.merged = set(writer.merged)
    for change in writer.changes:
        if change.what and change.action == "update":
            out.notes.add(change.path)
        elif change.action in ("create", "update"):
            out.written.add(change.path)
        elif change.action == "remove":
            out.removed.add(change.path)
    return out


def _pages(
    wanted: Plan,
    manifest: Manifest,
    renderer: Renderer,
    writer: Writer,
    out: Outputs,
    *,
    force: bool,
    recheck: set[str],
    roadmaps_first: bool = False,
    first: Collection[str] = (),
) -> None:
    """Render and write the pages whose fingerprint moved, in path order (``roadmaps_first``:
    the business models' roadmaps before the others, those of the models in ``first`` ahead,
    so a watched save shows there first)."""
    root = writer.root
    prints = {o.key: o.inputs for o in wanted.pages.values() if o.kind == "roadmap"}
    order = sorted(wanted.pages)
    if roadmaps_first:
        pages = wanted.pages
        order.sort(key=lambda path: (pages[path].kind != "roadmap", pages[path].key not in first))
    for path in order:
        output = wanted.pages[path]
        record = manifest.pages.get(path)
        fresh = (
            not force
            and record is not None
            and record.inputs == output.inputs
            and path not in recheck
            and as_recorded(root, path, record)
        )
        if fresh:
            writer.unchanged(path)
            continue
        out.rendered += 1
        writer.page(renderer.page(output.kind, path, output.key, prints), output.inputs)


def _feeds(
    index: VaultIndex,
    digests: Mapping[str, bytes],
    writer: Writer,
    out: Outputs,
    *,
    force: bool,
    recheck: set[str],
    memory: Memory | None,
    later: Callable[[], bool] | None = None,
) -> set[str]:
    """Write the calendar feeds, canvases and Bases file that changed; return their paths
    (those left for later too: their files are kept)."""
    if later is not None and later():  # not even planned: the next round plans them
        out.deferred = True
        return {p for p, r in writer.manifest.pages.items() if output_of(r.kind) != "pages"}
    ident = memory.ident if memory is not None else identity
    depends = planning(index).predecessors
    idents = memory.idents if memory is not None else None
    feeds = plan_feeds(
        index, digests, FeedPaths(index, index.config), ident, depends, idents=idents
    )
    manifest, root = writer.manifest, writer.root

    def fresh(feed: Feed) -> bool:
        record = manifest.pages.get(feed.path)
        return (
            not force
            and record is not None
            and record.inputs == feed.inputs
            and feed.path not in recheck
            and as_recorded(root, feed.path, record)
        )

    work = FeedWork(index, writer, fresh, ident, depends, later=later)
    write_feeds(work, feeds)
    out.rendered += work.rendered
    out.deferred = work.deferred
    return {feed.path for feed in feeds}


def _regions(
    index: VaultIndex,
    wanted: Plan,
    renderer: Renderer,
    writer: Writer,
    out: Outputs,
    *,
    force: bool,
    notes: Iterable[str] | None,
) -> None:
    check = None if notes is None else set(notes)
    lines = {(n.path, what): line for n in index.sources for what, line in n.regions}
    manifest = writer.manifest
    todo: list[Region] = []
    for (note, what), inputs in sorted(wanted.regions.items()):
        record = manifest.regions.get(note, {}).get(what)
        unchanged = record is not None and record.inputs == inputs
        if check is None:  # a new process: has the note changed since milepost last saw it?
            seen = as_recorded(writer.root, note, manifest.notes.get(note))
        else:
            seen = note not in check
        if not force and seen and unchanged:
            writer.record(Change(note, "unchanged", what=what))
            continue
        text = renderer.region(what)
        out.rendered += 1
        if text is None:
            out.diagnostics.append(unknown_region(note, lines.get((note, what), 0), what))
            continue
        todo.append(Region(note, what, text))
    writer.regions(todo, wanted.regions)


# ----- locking ---------------------------------------------------------------------------------
@contextmanager
def vault_lock(config: Config, *, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the vault's write lock (``.milepost/lock``): two milepost processes never write
    the same vault at once. Waits up to ``wait`` seconds, then gives up with a clear error."""
    try:
        import fcntl
    except ImportError:  # no advisory locks here: nothing to hold
        yield
        return
    folder = config.vault / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        handle = (folder / LOCK).open("a")
    except OSError as exc:
        raise WriteError(f"{folder / LOCK}: cannot write: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() >= deadline:
                    raise WriteError(
                        f"{config.vault}: another milepost process is writing this vault; "
                        "try again when it is done"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()
