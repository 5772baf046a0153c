"""Pins the markdown-it-py internals that parse/ruler.py (and only it) relies on."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

from milepost.parse import ruler
from milepost.parse.markdown import build_index_parser

TEXT = "# Title\n\nSome *text* with a [link](a.md) and `code`.\n\n- item\n- [x] done\n"


def test_enabled_lists_the_active_rules_in_order_with_their_chains() -> None:
    md = MarkdownIt("commonmark")
    rules = ruler.enabled(md.block.ruler)
    assert [rule.name for rule in rules] == md.block.ruler.get_active_rules()
    by_name = {rule.name: rule for rule in rules}
    assert "paragraph" in by_name["fence"].alt
    assert by_name["paragraph"].alt == ()
    md.disable("fence")
    assert "fence" not in [rule.name for rule in ruler.enabled(md.block.ruler)]


def test_wrap_replaces_the_function_the_parser_calls() -> None:
    md = MarkdownIt("commonmark")
    calls: list[str] = []

    def wrapper(fn: ruler.Fn) -> ruler.Fn:
        def wrapped(*args: Any) -> Any:
            calls.append("emphasis")
            return fn(*args)

        return wrapped

    before = md.parse(TEXT)
    assert ruler.wrap(md.inline.ruler, "emphasis", wrapper)
    after = md.parse(TEXT)
    assert calls, "the wrapped rule was never called"
    assert [t.as_dict() for t in after] == [t.as_dict() for t in before]
    assert not ruler.wrap(md.inline.ruler, "no-such-rule", wrapper)


def test_replace_chains_is_what_the_parser_uses() -> None:
    md = MarkdownIt("commonmark")
    seen: list[int] = []
    block_rules = md.block.ruler.getRules("")

    def first_then_default(state: Any, start: int, end: int, silent: bool) -> bool:
        seen.append(start)
        return any(rule(state, start, end, silent) for rule in block_rules)

    ruler.replace_chains(md.block.ruler, {"": [first_then_default]})
    assert md.block.ruler.getRules("") == [first_then_default]
    assert md.block.ruler.getRules("paragraph") == []
    md.parse(TEXT)
    assert seen[0] == 0


def test_the_dispatching_parser_gives_the_tokens_of_the_plain_one() -> None:
    fast, plain = build_index_parser(), build_index_parser(dispatch=False)
    text = TEXT + "\n> quote #tag [[Note]]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n    code\n"
    assert [t.as_dict() for t in fast.parse(text)] == [t.as_dict() for t in plain.parse(text)]


def test_quick_options_give_what_the_options_mapping_gives() -> None:
    md = MarkdownIt("commonmark", {"html": True})
    before = {key: md.options.get(key, "unset") for key in ("html", "tasklists", "maxNesting")}
    ruler.quick_options(md)
    after = {key: md.options.get(key, "unset") for key in ("html", "tasklists", "maxNesting")}
    assert after == before
    assert after["tasklists"] == "unset"
    md.options["tasklists"] = True
    assert md.options.get("tasklists", False) is True
    assert [t.as_dict() for t in md.parse(TEXT)] == [
        t.as_dict() for t in MarkdownIt("commonmark", {"html": True, "tasklists": True}).parse(TEXT)
    ]
