"""Front matter the way Obsidian reads it: a ``---`` block on the first line, YAML 1.2 inside.

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
from typing import Any

import yaml
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

    def construct_document(self, node: yaml.Node) -> Any:
        _check_aliases(node)
        return super().construct_document(node)

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


class YamlProblem(Exception):
    """Front matter that is not valid YAML; ``line`` is 0-based within the block."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def load_yaml(text: str) -> Any:
    """Load one YAML document with Obsidian's YAML 1.2 meaning; raise YamlProblem when invalid."""
    try:
        return yaml.load(text, Loader=_Yaml12Loader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line if exc.problem_mark is not None else 0
        if line >= text.count("\n"):  # noticed at the end: point at where the construct opened
            line = exc.context_mark.line if exc.context_mark is not None else max(0, line - 1)
        problem = exc.problem or exc.context or "not valid YAML"
        raise YamlProblem(line, problem) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise YamlProblem(0, str(exc).splitlines()[0] if str(exc) else "not valid YAML") from None


def _is_delimiter(state: StateBlock, line: int) -> bool:
    start = state.bMarks[line] + state.tShift[line]
    end = state.eMarks[line]
    return state.sCount[line] == 0 and state.src[start:end].rstrip(" \t") == "---"


def _front_matter_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if start_line != 0 or state.blkIndent != 0 or not _is_delimiter(state, 0):
        return False
    close = next((ln for ln in range(1, end_line) if _is_delimiter(state, ln)), None)
    if close is None:
        return False
    if silent:
        return True
    token = state.push("front_matter", "", 0)
    token.hidden = True
    token.markup = "---"
    token.block = True
    token.map = [0, close + 1]
    token.content = state.getLines(1, close, 0, True)
    state.line = close + 1
    return True


def front_matter_plugin(md: MarkdownIt) -> None:
    """Recognise Obsidian front matter: ``---`` on the first line, closed by a ``---`` line."""
    md.block.ruler.before(
        "table", "front_matter", _front_matter_rule, {"alt": ["paragraph", "reference"]}
    )
