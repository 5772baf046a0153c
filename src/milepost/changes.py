"""What changed on disk since a session last looked, and the bookkeeping around a round: the
state of the paths a file event names (folders expanded), the temp files a killed build left,
and how the outputs of two rounds fold into one report."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from .config import CACHE_DIR, Config
from .discover import SourceFile, discover, discover_file
from .errors import Diagnostic
from .files import TEMP_SUFFIX
from .manifest import Manifest
from .uptodate import Outputs


def restat(
    config: Config,
    files: dict[str, SourceFile],
    found: dict[str, list[Diagnostic]],
    paths: Iterable[str],
) -> dict[str, SourceFile | None]:
    """The current state of each of ``paths`` (a folder stands for every file in it; None: gone).
    ``files`` (path -> state) and ``found`` (path -> discovery findings) are brought up to date."""
    seen: dict[str, SourceFile | None] = {}
    for raw in paths:
        path = raw.strip("/")
        if not path:
            continue
        full = config.vault / path
        if full.is_dir():
            listed = discover(config, path)
            present = {f.path for f in listed.files}
            for known in [p for p in files if p.startswith(path + "/")]:
                if known not in present:
                    seen[known] = None
            for entry in listed.files:
                seen[entry.path] = entry
            for diagnostic in listed.diagnostics:
                found.setdefault(diagnostic.path, []).append(diagnostic)
            continue
        file, diagnostics = discover_file(config, path)
        found.pop(path, None)
        if diagnostics:
            found[path] = diagnostics
        if file is None:
            for known in [p for p in files if p == path or p.startswith(path + "/")]:
                seen[known] = None
        else:
            seen[path] = file
    for path, state in seen.items():
        if state is None:
            files.pop(path, None)
        else:
            files[path] = state
    return seen


def sweep_temp_files(config: Config, manifest: Manifest) -> None:
    """Remove the temp files of a build that was killed while writing: in the output folder,
    milepost's own folder, and beside the notes whose regions it was filling."""
    root = config.vault
    folders = [root / config.output, root / CACHE_DIR]
    for folder in folders:
        for temp in folder.rglob(f".*{TEMP_SUFFIX}") if folder.is_dir() else ():
            with contextlib.suppress(OSError):
                temp.unlink()
    for path in manifest.interrupted:
        note = root / path
        for temp in note.parent.glob(f".{note.name}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                temp.unlink()


def merged(first: Outputs, then: Outputs) -> Outputs:
    """One change per page or region: a later change folds into an earlier create or update."""
    merged = {(c.path, c.what): c for c in first.changes}
    for change in then.changes:
        key = (change.path, change.what)
        earlier = merged.get(key)
        if earlier is None or earlier.action == "unchanged":
            merged[key] = change
    return Outputs(
        list(merged.values()),
        first.diagnostics,
        first.rendered + then.rendered,
        first.written | then.written,
        first.removed | then.removed,
        first.notes | then.notes,
        deferred=then.deferred,
    )
