"""What the end of a one-shot export needs of the index, kept so that the index can go first.

Once milepost's own pages are written, note pages are rendered from the kit alone (see
:mod:`.kit`); the end of the export needs of the index only the search entries of the roadmap
and tool pages and the link findings of the published notes. Taken then, they let the export drop
the index (most of its process's memory at 10,000 notes) while the note pages are rendered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..errors import Diagnostic, warning
from ..index import VaultIndex
from .shape import Site

LINK_CODES = frozenset(
    {"link.unresolved", "link.ambiguous", "link.heading-missing", "link.block-missing"}
)


@dataclass(frozen=True, slots=True)
class Leftovers:
    """What is left of the index for the end of an export."""

    own_entries: tuple[bytes, ...]
    """The search index's entries of the roadmap and tool pages, in their order."""
    link_findings: tuple[Diagnostic, ...]
    """Link problems in published notes (see :func:`link_findings`)."""

    def search_entries(
        self, note_urls: Mapping[str, str], notes: Mapping[str, bytes]
    ) -> Iterator[bytes]:
        """Every entry of the search index: the notes' entries (every note page rendered has
        one), then the own pages'."""
        for path in note_urls:
            yield notes[path]
        yield from self.own_entries


def link_findings(index: VaultIndex, site: Site) -> list[Diagnostic]:
    """Link problems in published notes: the index's findings, the same as every other command
    reports (a link that differs from its note only in case is no problem here: the site's URLs
    are lower-cased, and Obsidian resolves it too), and links to notes that are not published."""
    published = site.note_urls
    found = [d for d in index.diagnostics() if d.code in LINK_CODES and d.path in published]
    for source in published:
        for link in index.notes[source].links:
            resolution = index.resolve(link, source)
            if resolution.path in site.published and not site.published[resolution.path]:
                found.append(
                    warning(
                        source,
                        link.line,
                        "export.link-unpublished",
                        f"{link.raw or link.target} points to a note that is not published; "
                        "shown as plain text",
                    )
                )
    return found
