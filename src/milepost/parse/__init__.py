"""Parse one note: bytes in, a :class:`~milepost.model.Note` out. Pure, and never raises.

Bad bytes, bad YAML and binary files become diagnostics on the note; everything that can still
be read is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..config import Config
from ..errors import Diagnostic, error, warning
from ..model import Link, Milestone, Note, Tag
from .extract import Extracted, extract
from .fields import canonical_field
from .frontmatter import Block, FrontMatterProblem, split_front_matter
from .items import ItemDraft, build_milestone, kind_of
from .lines import is_milestone_tag
from .markdown import index_parser
from .skim import skim
from .text import Decoded, decode
from .wikilinks import link_name, whole_link

__all__ = ["GENERATED_KEY", "parse_note"]

GENERATED_KEY = "generated_by"
"""Front matter key that marks a page milepost wrote (value ``milepost``)."""


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
    """A note over ``max_note_mb``: its skimmed lines parsed, the other lines' links and tags
    added."""
    skimmed = skim(text, config.tags)
    note = _parse_text(path, skimmed.text, config, diagnostics)
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
    meta = _load_front_matter(path, block, found)
    if not _Properties(path, meta, block.content.split("\n"), config, found).generated:
        return None
    return Note(path, frontmatter=meta, generated=True, diagnostics=(*diagnostics, *found))


def _parse_text(path: str, text: str, config: Config, diagnostics: list[Diagnostic]) -> Note:
    page = _generated_page(path, text, config, diagnostics)
    if page is not None:
        return page
    tokens = index_parser().parse(text)
    source = text.split("\n")
    meta: dict[str, Any] = {}
    fm_lines: list[str] = []
    if tokens and tokens[0].type == "front_matter":
        block: Block = tokens[0].meta["block"]
        fm_lines = block.content.split("\n")
        meta = _load_front_matter(path, block, diagnostics)
    props = _Properties(path, meta, fm_lines, config, diagnostics)
    if props.generated:
        return Note(path, frontmatter=meta, generated=True, diagnostics=tuple(diagnostics))
    found = extract(path, tokens, source, config, props.year)
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


def _load_front_matter(path: str, block: Block, diagnostics: list[Diagnostic]) -> dict[str, Any]:
    try:
        data = block.load()
    except FrontMatterProblem as problem:
        diagnostics.append(
            warning(
                path,
                problem.line + 2,
                "frontmatter.invalid",
                f"front matter is not valid {block.handler.language} ({problem.message}); the "
                "note has no properties until it is fixed",
            )
        )
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        diagnostics.append(
            warning(
                path,
                2,
                "frontmatter.not-a-mapping",
                f"front matter is a {type(data).__name__}, not 'key: value' lines; ignored",
            )
        )
        return {}
    return {str(key): value for key, value in data.items()}


class _Properties:
    """The front matter properties milepost reads, with their diagnostics."""

    def __init__(
        self,
        path: str,
        meta: Mapping[str, Any],
        fm_lines: list[str],
        config: Config,
        diagnostics: list[Diagnostic],
    ) -> None:
        self.path = path
        self.fm_lines = fm_lines
        self.diagnostics = diagnostics
        lower: dict[str, tuple[str, Any]] = {}
        for key, value in meta.items():
            lower.setdefault(key.lower(), (key, value))
        self.lower = lower
        self.generated = self._value(GENERATED_KEY) == "milepost"
        self.aliases = self._strings("aliases")
        self.tags, self.milestone_tag = self._tags(config)
        kind = self._value("type")
        self.is_model = isinstance(kind, str) and kind.strip().lower().replace(" ", "-").replace(
            "_", "-"
        ) in ("business-model", "businessmodel")
        self.model = _plain_name(self._value("business_model") or self._value("business model"))
        publish = self._value("publish")
        self.publish = publish if isinstance(publish, bool) else None
        year = self._value("year")
        self.year = year if isinstance(year, int) and not isinstance(year, bool) else None
        self.links = tuple(self._links(meta))

    def _value(self, key: str) -> Any:
        return self.lower.get(key, (key, None))[1]

    def line_of(self, key: str) -> int:
        pattern = re.compile(rf"^([\"']?){re.escape(key)}\1\s*[:=]", re.IGNORECASE)
        for number, line in enumerate(self.fm_lines):
            if pattern.match(line):
                return number + 2
        return 1

    def _strings(self, key: str) -> tuple[str, ...]:
        value = self._value(key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return ()
        return tuple(
            str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()
        )

    def _tags(self, config: Config) -> tuple[tuple[Tag, ...], str | None]:
        """The note's front matter tags and its milestone tag, if any. Forms Obsidian does not
        read (text instead of a list, a ``tag`` key, a ``#``) count all the same, with a warning
        that Obsidian does not see them."""
        key, value = self.lower.get("tags", ("tags", None))
        line = self.line_of(key)
        found: list[Tag] = []
        unseen: list[str] = []
        """Tags milepost reads and Obsidian 1.9+ does not."""
        problems: list[str] = []
        if isinstance(value, list):
            for item in value:
                if item is None:
                    problems.append("an unquoted '- #tag' item is a YAML comment; write '- tag'")
                    continue
                text = str(item).strip()
                if text.startswith("#"):
                    problems.append(f"write {text.lstrip('#')!r} without the '#'")
                    unseen.append(text.lstrip("#"))
                found.append(Tag(text.lstrip("#"), line))
        elif isinstance(value, str):
            found += [Tag(t, line) for t in _tag_words(value)]
            unseen += _tag_words(value)
            problems.append("tags is text, and Obsidian 1.9+ reads only a list")
        single_key, single = self.lower.get("tag", ("tag", None))
        if single is not None:
            words = [
                t
                for w in (single if isinstance(single, list) else [single])
                for t in _tag_words(str(w))
            ]
            found += [Tag(t, self.line_of(single_key)) for t in words]
            unseen += words
            problems.append("Obsidian 1.9+ ignores the 'tag' key; use 'tags' with a list")
        names = list(dict.fromkeys(t.name for t in found if t.name))
        if problems:
            self.diagnostics.append(
                warning(
                    self.path,
                    line if value is not None else self.line_of(single_key),
                    "frontmatter.tags-form",
                    _tags_form(problems, unseen, names),
                )
            )
        milestone = next((t for t in names if is_milestone_tag(t, config.tags)), None)
        tags = tuple(t for t in found if t.name and " " not in t.name)
        return tags, milestone

    def _links(self, meta: Mapping[str, Any]) -> list[Link]:
        found: list[Link] = []
        for value in _scalars(meta):
            parts = whole_link(value)
            if parts is None:
                continue
            raw = value.strip()
            line = next(
                (n + 2 for n, text in enumerate(self.fm_lines) if raw in text),
                1,
            )
            found.append(Link(parts.target, parts.subpath, parts.display, False, line, raw))
        return found


def _tags_form(problems: list[str], unseen: list[str], names: list[str]) -> str:
    """The ``frontmatter.tags-form`` message: what is wrong, which tags Obsidian does not see
    (milepost does), and the list to write instead."""
    parts = list(problems)
    shown = ", ".join(f"#{name}" for name in dict.fromkeys(unseen) if name)
    if shown:
        parts.append(f"Obsidian does not see {shown} (milepost does)")
    fix = f": write 'tags: [{', '.join(names)}]'" if names else ""
    return "; ".join(parts) + fix


def _tag_words(text: str) -> list[str]:
    """Tag names in text such as ``milestone, #roadmap``."""
    return [word.lstrip("#") for word in re.split(r"[,\s]+", text) if word.strip("#")]


def _scalars(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _scalars(v)]
    if isinstance(value, list):
        return [s for v in value for s in _scalars(v)]
    return []


def _plain_name(value: Any) -> str | None:
    """A business-model name from ``Space X`` or ``[[Models/Space X|Space X]]``."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str) or not value.strip():
        return None
    return link_name(value) or None


def _page_model(found: Extracted) -> str | None:
    for key, value, _ in found.page_fields:
        if key.strip().lower().replace(" ", "_").replace("-", "_") in ("business_model", "model"):
            return _plain_name(value)
    return None


def _note_milestone(
    path: str,
    *,
    meta: Mapping[str, Any],
    props: _Properties,
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
