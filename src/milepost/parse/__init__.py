"""Parse one note: bytes in, a :class:`~milepost.model.Note` out. Pure, and never raises.

Bad bytes, bad YAML and binary files become diagnostics on the note; everything that can still
be read is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import chain
from typing import Any

from markdown_it.token import Token

from ..config import Config
from ..errors import Diagnostic, error, warning
from ..model import Milestone, Note
from ..records import replace
from .blockstate import LINES
from .extract import Extracted, extract
from .fields import canonical_field
from .frontmatter import Block, split_front_matter
from .items import ItemDraft, build_milestone
from .large import skim, token_chunks
from .markdown import index_parser
from .properties import GENERATED_KEY, Properties, load_front_matter, plain_name
from .text import Decoded, decode
from .vocabulary import kind_of

__all__ = ["GENERATED_KEY", "parse_note"]


def parse_note(path: str, data: bytes, config: Config) -> Note:
    """Read one note; every problem becomes a diagnostic naming ``path``."""
    decoded = decode(data)
    diagnostics = _reading_diagnostics(path, decoded)
    if decoded.binary:
        return Note(path, diagnostics=tuple(diagnostics))
    try:
        if len(data) > config.max_note_bytes:
            diagnostics.append(_large(path, len(data), config))
            return _skimmed_note(path, decoded.text, config, diagnostics)
        return _parse_text(path, decoded.text, config, diagnostics)
    except RecursionError:
        diagnostics.append(
            error(path, 0, "note.too-deep", "nesting too deep to parse; the note is skipped")
        )
        return Note(path, diagnostics=tuple(sorted(diagnostics)))


def _skimmed_note(path: str, text: str, config: Config, diagnostics: list[Diagnostic]) -> Note:
    """A note over ``max_note_mb``: its skimmed lines parsed part by part, the other lines'
    links, tags and block ids added."""
    page = _generated_page(path, text, config, diagnostics)
    if page is not None:
        return page
    skimmed = skim(text, config.tags)
    note = _note(path, token_chunks(skimmed), skimmed.lines, config, diagnostics)
    return replace(
        note,
        links=tuple(sorted((*note.links, *skimmed.links), key=lambda link: link.line)),
        tags=tuple(sorted((*note.tags, *skimmed.tags), key=lambda tag: tag.line)),
        blocks=tuple(sorted((*note.blocks, *skimmed.blocks), key=lambda block: block[1])),
        large=True,
    )


def _reading_diagnostics(path: str, decoded: Decoded) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if decoded.binary:
        found.append(
            warning(path, 0, "file.binary", "binary data in a .md file; it is not read as a note")
        )
        return found
    if decoded.encoding == "cp1252":
        found.append(
            warning(
                path,
                decoded.bad_line,
                "text.encoding",
                "bytes that are not UTF-8 (first on this line) were read as Windows-1252; "
                "save the note as UTF-8",
            )
        )
    elif decoded.encoding == "utf-16":
        found.append(warning(path, 1, "text.encoding", "read as UTF-16; save the note as UTF-8"))
    elif decoded.bom:
        found.append(
            warning(
                path,
                1,
                "text.bom",
                "starts with a UTF-8 byte-order mark; milepost reads past it, other tools may "
                "not see the front matter",
            )
        )
    if decoded.crlf:
        found.append(
            warning(
                path,
                1,
                "text.crlf",
                "uses CRLF line endings; read as lines all the same (silence with "
                'silence = ["text.crlf"])',
            )
        )
    if not decoded.text or decoded.text.isspace():
        found.append(warning(path, 0, "note.empty", "the note is empty"))
    return found


def _large(path: str, size: int, config: Config) -> Diagnostic:
    return warning(
        path,
        0,
        "note.large",
        f"the note is {size / 1e6:.1f} MB, over max_note_mb = {config.max_note_mb:g}: only its "
        "front matter, headings, links, tags and milestone lines are read (by a line scan, not "
        "a full parse), and the site shows its text unformatted; to read it in full, set "
        f"max_note_mb = {size / 1e6 + 1:.0f} in milepost.toml",
    )


def _generated_page(
    path: str, text: str, config: Config, diagnostics: list[Diagnostic]
) -> Note | None:
    """A page milepost wrote, read from its front matter alone (it is never a source, and
    generated pages are the largest files of a vault), or None for any other note."""
    if GENERATED_KEY not in text[:2000]:
        return None
    block = split_front_matter(text)
    if block is None:
        return None
    found: list[Diagnostic] = []
    meta = load_front_matter(path, block, found)
    if not Properties(path, meta, block.content.split("\n"), config, found).generated:
        return None
    return Note(path, frontmatter=meta, generated=True, diagnostics=(*diagnostics, *found))


def _parse_text(path: str, text: str, config: Config, diagnostics: list[Diagnostic]) -> Note:
    page = _generated_page(path, text, config, diagnostics)
    if page is not None:
        return page
    lines = text.split("\n")  # split once, for the block parser and the extractor
    tokens = index_parser().parse(text, {LINES: (text, lines)})
    return _note(path, iter([tokens]), lines, config, diagnostics)


def _note(
    path: str,
    chunks: Iterator[list[Token]],
    source: list[str],
    config: Config,
    diagnostics: list[Diagnostic],
) -> Note:
    """A note from its tokens, whole or part by part (the first part holds the front matter)."""
    tokens = next(chunks, [])
    meta: dict[str, Any] = {}
    fm_lines: list[str] = []
    if tokens and tokens[0].type == "front_matter":
        block: Block = tokens[0].meta["block"]
        fm_lines = block.content.split("\n")
        meta = load_front_matter(path, block, diagnostics)
    props = Properties(path, meta, fm_lines, config, diagnostics)
    if props.generated:
        return Note(path, frontmatter=meta, generated=True, diagnostics=tuple(diagnostics))
    found = extract(path, chain([tokens], chunks), source, config, props.year)
    diagnostics.extend(found.diagnostics)
    milestones = list(found.milestones)
    if props.milestone_tag is not None:
        milestones.insert(
            0,
            _note_milestone(
                path, meta=meta, props=props, found=found, config=config, diagnostics=diagnostics
            ),
        )
    return Note(
        path,
        frontmatter=meta,
        aliases=props.aliases,
        tags=(*props.tags, *found.tags),
        links=(*props.links, *found.links),
        headings=tuple(found.headings),
        blocks=tuple(found.blocks),
        milestones=tuple(milestones),
        tools=tuple(found.tools),
        regions=tuple(found.regions),
        model=props.model or _page_model(found),
        is_model=props.is_model,
        publish=props.publish,
        diagnostics=tuple(sorted(diagnostics)),
    )


def _page_model(found: Extracted) -> str | None:
    for key, value, _ in found.page_fields:
        if key.strip().lower().replace(" ", "_").replace("-", "_") in ("business_model", "model"):
            return plain_name(value)
    return None


def _note_milestone(
    path: str,
    *,
    meta: Mapping[str, Any],
    props: Properties,
    found: Extracted,
    config: Config,
    diagnostics: list[Diagnostic],
) -> Milestone:
    description = meta.get("description")
    fields = {  # 'created' in front matter is when the note was made, in any format
        key: value
        for key, value in meta.items()
        if canonical_field(key) not in (None, "created")
        and not (canonical_field(key) == "kind" and kind_of(str(value)) is None)
    }
    lead = [description.strip()] if isinstance(description, str) else list(found.lead)
    draft = ItemDraft(
        path=path,
        line=1,
        title=path.rsplit("/", 1)[-1].removesuffix(".md"),
        tag=props.milestone_tag or "milestone",
        heading=None,
        model=props.model or _page_model(found),
        context_year=props.year,
        frontmatter=fields,
        description=lead,
        note_milestone=True,
    )
    milestone, problems = build_milestone(draft, config)
    diagnostics.extend(problems)
    return milestone
