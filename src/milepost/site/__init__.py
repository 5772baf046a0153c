"""Export the vault as a static site that works from ``file://``, offline, and safely.

Every published note becomes a page, rendered with the same link resolution as the index;
milepost renders its own roadmap (with an SVG timeline), tool, index and review pages from the
index instead of exporting their Markdown. Raw HTML in notes is sanitized; no path outside the
output folder is ever written; the output folder may not be the vault or contain it; a re-export
deletes only files its manifest lists; attachments are copied only when a published note uses
them.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..index import VaultIndex
from .exporter import Exporter, Progress
from .notepage import NoteResult
from .sanitize import sanitize
from .writer import MANIFEST, ExportResult, Output, Placed, SiteWriter, check_output


def export(
    index: VaultIndex,
    config: Config,
    out: Path,
    *,
    only_published: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ExportResult:
    """Export the vault of ``index`` into ``out``."""
    target = check_output(config, out)
    exporter = Exporter(
        index, config, only_published=only_published or config.only_published, keep=False
    )
    del index  # the exporter lets it go once the site's own pages are written
    writer = SiteWriter(target, dry_run=dry_run)
    exporter.outputs(writer, progress)
    result = writer.finish()
    result.diagnostics = exporter.diagnostics()
    return result


class SiteSession:
    """Keeps an exported site fresh while watching: only pages a change reaches are rendered."""

    def __init__(self, config: Config, out: Path, *, only_published: bool = False) -> None:
        self.config = config
        self.target = check_output(config, out)
        self.only_published = only_published or config.only_published
        self.notes: dict[str, NoteResult] = {}
        self.written: dict[str, str] = {}
        """Path -> digest of every file of the site as last written."""

    def export(self, index: VaultIndex, changed: list[str] | None = None) -> ExportResult:
        """Export again; ``changed``: the vault paths that changed (None: render everything)."""
        exporter = Exporter(index, self.config, only_published=self.only_published)
        again = None
        same_notes = set(exporter.site.note_urls) == set(self.notes)
        if changed is not None and same_notes and self.notes:
            touched = set(changed)
            again = set(touched)
            for path, earlier in self.notes.items():
                if earlier.links & touched:
                    again.add(path)  # it links to or embeds a changed note
            for path in touched & set(self.notes):
                again |= self.notes[path].links  # their backlinks may have changed
            for path in touched:
                note = index.notes.get(path)
                if note is not None:
                    again |= {t for link in note.links if (t := index.resolve(link, path).path)}
        writer = SiteWriter(self.target, dry_run=False, known=self.written)
        exporter.outputs(writer, reuse=self.notes, again=again)
        done = writer.finish()
        done.diagnostics = exporter.diagnostics()
        self.notes = exporter.note_results
        self.written = writer.digests
        return done


__all__ = [
    "MANIFEST",
    "ExportResult",
    "Exporter",
    "NoteResult",
    "Output",
    "Placed",
    "SiteSession",
    "SiteWriter",
    "check_output",
    "export",
    "sanitize",
]
