"""A note's front matter: loaded (YAML or TOML), and the properties milepost reads from it.

Tags (with the forms Obsidian does not read, reported), aliases, the business model, the
``type: business-model`` mark, ``publish``, ``year``, links in property values, and milepost's
own ``generated_by`` mark. Every problem is a diagnostic; nothing here raises.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..config import Config
from ..errors import Diagnostic, warning
from ..model import Link, Tag
from .frontmatter import Block, FrontMatterProblem
from .lines import is_milestone_tag
from .wikilinks import link_name, whole_link

GENERATED_KEY = "generated_by"
"""Front matter key that marks a page milepost wrote (value ``milepost``)."""


def load_front_matter(path: str, block: Block, diagnostics: list[Diagnostic]) -> dict[str, Any]:
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


@lru_cache(maxsize=256)
def _key_line(key: str) -> re.Pattern[str]:
    """The start of the front matter line that sets ``key`` (quoted or not, any case)."""
    return re.compile(rf"^([\"']?){re.escape(key)}\1\s*[:=]", re.IGNORECASE)


class Properties:
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
        self.model = plain_name(self._value("business_model") or self._value("business model"))
        publish = self._value("publish")
        self.publish = publish if isinstance(publish, bool) else None
        year = self._value("year")
        self.year = year if isinstance(year, int) and not isinstance(year, bool) else None
        self.links = tuple(self._links(meta))

    def _value(self, key: str) -> Any:
        return self.lower.get(key, (key, None))[1]

    def line_of(self, key: str) -> int:
        pattern = _key_line(key)
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


def plain_name(value: Any) -> str | None:
    """A business-model name from ``Space X`` or ``[[Models/Space X|Space X]]``."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str) or not value.strip():
        return None
    return link_name(value) or None
