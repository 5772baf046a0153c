"""Front matter the way Obsidian reads it: a ``---`` block on the first line, YAML 1.2 inside.

The block is found and split by python-frontmatter's handlers: its YAML handler (with exactly
``---`` as the delimiter, as Obsidian) loading with milepost's YAML 1.2 loader, and a TOML handler
for ``+++`` blocks (as Hugo writes them), loading with the standard library's ``tomllib``. The
markdown-it rule that makes the ``front_matter`` token uses the same split, so the lines of
everything below the block stay the lines of the file.

YAML 1.2 core schema, as Obsidian's ``yaml`` library: ``yes``/``no``/``on`` stay strings,
``010`` is 10, dates stay strings (milepost reads them with its own date grammar), and a key
written twice makes the whole block invalid. PyYAML's C loader does the parsing; only its
resolvers and a few constructors are replaced.

Aliases are capped where they are resolved: a document whose aliases would repeat their anchors
into more than ``ALIAS_LIMIT`` values (a "billion laughs" bomb: nine levels of nine aliases make
387 million) is invalid, before anything walks it.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from itertools import islice
from typing import Any, NamedTuple

import yaml
from frontmatter.default_handlers import BaseHandler, YAMLHandler
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ALIAS_LIMIT = 10_000
"""Most values a document's aliases may add by repeating what their anchors name."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_aliases(root: yaml.Node) -> None:
    """Raise when the aliases of a composed document repeat their anchors too often, or an
    anchor contains an alias to itself. Each distinct node is visited once."""
    sizes: dict[int, int] = {}
    """id of a node -> how many values it stands for once every alias in it is expanded."""
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    exploding: yaml.Node | None = None
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if exploding is None and sizes[key] > ALIAS_LIMIT:
                exploding = node
            continue
        if key in sizes:
            continue
        if key in open_:
            raise yaml.constructor.ConstructorError(
                None, None, "an alias refers to the value that holds it", node.start_mark
            )
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    if sizes[id(root)] - len(sizes) > ALIAS_LIMIT:
        where = exploding or root
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"too many aliases: they repeat their anchors into {sizes[id(root)]:,} values, "
            f"more than {ALIAS_LIMIT:,}; write the values out or use fewer aliases",
            where.start_mark,
        )


class _Yaml12Loader(_Base):  # type: ignore[misc]
    """Safe loader with YAML 1.2 core-schema resolvers and no duplicate keys."""

    yaml_implicit_resolvers: dict[str, Any] = {}  # noqa: RUF012

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        value = str(self.construct_scalar(node))
        if value.startswith("0o"):
            return int(value[2:], 8)
        if value.startswith("0x"):
            return int(value[2:], 16)
        return int(value, 10)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = str(self.construct_scalar(node)).lower()
        if value.endswith(".inf"):
            return float("-inf") if value.startswith("-") else float("inf")
        if value == ".nan":
            return float("nan")
        return float(value)

    def construct_yaml_bool(self, node: yaml.ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() == "true"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while reading the front matter",
                    node.start_mark,
                    f"found the key {key!r} twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return dict(super().construct_mapping(node, deep=deep))


def _resolver(tag: str, pattern: str, first: str) -> None:
    _Yaml12Loader.add_implicit_resolver(tag, re.compile(pattern), list(first))


_resolver("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF")
_resolver("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", "~nN")
_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^$"), [""])
_resolver("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789")
_resolver(
    "tag:yaml.org,2002:float",
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
    "-+.0123456789",
)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _Yaml12Loader.construct_yaml_int)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _Yaml12Loader.construct_yaml_float)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:bool", _Yaml12Loader.construct_yaml_bool)
_Yaml12Loader.add_constructor(
    "tag:yaml.org,2002:timestamp",
    _Yaml12Loader.construct_yaml_str,  # never resolved implicitly
)


class _AliasCheckingLoader(_Yaml12Loader):
    """The loader for a document that may hold aliases (its text has a ``*``)."""

    def construct_document(self, node: yaml.Node) -> Any:
        _check_aliases(node)
        return super().construct_document(node)


class FrontMatterProblem(Exception):
    """Front matter that cannot be read; ``line`` is 0-based within the block."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml(text: str) -> Any:
    """Load one YAML document with Obsidian's YAML 1.2 meaning; raise FrontMatterProblem when
    invalid."""
    try:
        return yaml.load(text, Loader=_AliasCheckingLoader if "*" in text else _Yaml12Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line if exc.problem_mark is not None else 0
        if line >= text.count("\n"):  # noticed at the end: point at where the construct opened
            line = exc.context_mark.line if exc.context_mark is not None else max(0, line - 1)
        problem = exc.problem or exc.context or "not valid YAML"
        raise FrontMatterProblem(line, problem) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        message = str(exc).splitlines()[0] if str(exc) else "not valid YAML"
        raise FrontMatterProblem(0, message) from None


_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


def _plain_dates(value: Any) -> Any:
    """TOML dates and times as the text they stand for (YAML 1.2 keeps them as strings too)."""
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain_dates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain_dates(item) for item in value]
    return value


def load_toml(text: str) -> Any:
    """Load a TOML table; raise FrontMatterProblem (with its line) when invalid."""
    try:
        return _plain_dates(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _TOML_WHERE.search(message)
        if where is None:
            line = 0
        elif where.group(1):
            line = int(where.group(1)) - 1
        else:
            line = max(0, text.rstrip("\n").count("\n"))
        problem = message[: where.start()] if where is not None else message
        raise FrontMatterProblem(line, problem or "not valid TOML") from None


class Yaml12Handler(YAMLHandler):
    """python-frontmatter's YAML handler, with Obsidian's delimiter (exactly ``---``, trailing
    spaces allowed) and milepost's YAML 1.2 loader."""

    FM_BOUNDARY = re.compile(r"^---[ \t]*$", re.MULTILINE)
    language = "YAML"

    def load(self, fm: str, **_kwargs: object) -> Any:
        return load_yaml(fm)


class TomlHandler(BaseHandler):
    """TOML front matter between ``+++`` lines, read with ``tomllib``."""

    FM_BOUNDARY = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"
    language = "TOML"

    def load(self, fm: str, **_kwargs: object) -> Any:
        return load_toml(fm)


Handler = Yaml12Handler | TomlHandler
HANDLERS: tuple[Handler, ...] = (Yaml12Handler(), TomlHandler())


class Block(NamedTuple):
    """A front matter block, as its handler split it off the note."""

    handler: Handler
    content: str
    """The text between the delimiter lines; its first line is line 2 of the file."""
    close: int
    """0-based line of the closing delimiter."""

    def load(self) -> Any:
        """The block's data; raise FrontMatterProblem when it is not valid."""
        return self.handler.load(self.content)


def split_front_matter(text: str) -> Block | None:
    """The front matter block that opens ``text`` (``---`` YAML or ``+++`` TOML), or None.

    The handler splits only the text up to its closing delimiter, so a long note is not copied.
    """
    for handler in HANDLERS:
        if not handler.detect(text):
            continue
        boundary = handler.FM_BOUNDARY
        assert boundary is not None
        closing = next(islice(boundary.finditer(text), 1, None), None)
        if closing is None:
            return None
        fm, _ = handler.split(text[: closing.end()])
        return Block(handler, fm[1:], fm.count("\n"))
    return None


def _front_matter_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if start_line != 0 or state.blkIndent != 0 or state.sCount[0] != 0:
        return False
    block = split_front_matter(state.src)
    if block is None or block.close >= end_line:
        return False
    if silent:
        return True
    token = state.push("front_matter", "", 0)
    token.hidden = True
    token.markup = str(block.handler.START_DELIMITER)
    token.block = True
    token.map = [0, block.close + 1]
    token.content = block.content
    token.meta = {"block": block}
    state.line = block.close + 1
    return True


def front_matter_plugin(md: MarkdownIt) -> None:
    """Recognise front matter: ``---`` (YAML) or ``+++`` (TOML) on the first line, closed by the
    same delimiter on a line of its own."""
    md.block.ruler.before(
        "table", "front_matter", _front_matter_rule, {"alt": ["paragraph", "reference"]}
    )
