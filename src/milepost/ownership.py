"""Which files of a vault are milepost's pages: what the manifest lists, nothing else.

A vault whose ``.milepost`` folder was lost (deleted, or not synced) still has its pages; the
files in the output folder that carry milepost's marker are taken back into the manifest (their
bytes unknown, so a page that differs from what milepost renders is kept as a conflict). This is
the only place that reads a page to decide whose it is.
"""

from __future__ import annotations

from .config import Config
from .discover import Discovery
from .errors import WriteError
from .manifest import Manifest
from .manifest_records import has_marker, page_kind


def _head(config: Config, path: str) -> bytes | None:
    try:
        with (config.vault / path).open("rb") as handle:
            return handle.read(2048)
    except OSError:
        return None


def reconcile(config: Config, discovery: Discovery, manifest: Manifest) -> None:
    """Bring ``manifest``'s idea of what milepost owns in line with the files: a listed page
    whose file lost milepost's marker was taken over by the user (it is theirs now, a note like
    any other); a marked page of the output folder that it does not list is taken back."""
    prefix = config.output + "/"
    for file in discovery.notes:
        record = manifest.pages.get(file.path)
        if record is not None:
            if record.written.matches(file.size, file.mtime_ns):
                continue
            head = _head(config, file.path)
            if head is not None and not has_marker(head):
                manifest.forget_page(file.path)
        elif file.path.startswith(prefix):
            head = _head(config, file.path)
            if head is not None and has_marker(head):
                manifest.adopt(file.path, page_kind(head))


def owned_pages(
    config: Config, discovery: Discovery, manifest: Manifest | None = None
) -> dict[str, str]:
    """Every page milepost owns in the vault, with its kind. Without ``manifest``, the vault's
    is read (and an unreadable one counts as lost: commands that only read must still work)."""
    if manifest is None:
        try:
            manifest = Manifest.load(config.vault, journal=False)
        except WriteError:
            manifest = Manifest()
    reconcile(config, discovery, manifest)
    return {path: record.kind for path, record in manifest.pages.items()}
