"""The parser's shortcuts give what the general path gives."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from milepost.parse.dates import by_grammar, parse_period
from milepost.parse.markdown import build_index_parser
from milepost.parse.text import collapse, decode, tidy_emphasis

from .conftest import SAMPLE_VAULT


@settings(max_examples=500, deadline=None)
@given(
    st.integers(0, 9999),
    st.integers(0, 99),
    st.integers(0, 99),
    st.sampled_from([None, 2027]),
)
def test_a_plain_iso_day_reads_as_the_grammar_reads_it(
    year: int, month: int, day: int, context: int | None
) -> None:
    text = f"{year:04d}-{month:02d}-{day:02d}"
    assert parse_period(text, context_year=context) == by_grammar(text, context_year=context)


def test_iso_days_valid_and_not() -> None:
    assert parse_period("2026-06-30").outcome == "ok"
    assert parse_period("2026-02-30").outcome == "invalid"
    assert parse_period("0000-01-01").outcome == "invalid"
    leap = parse_period("2024-02-29").period
    assert leap is not None
    assert (leap.start, leap.precision) == (leap.end, "day")


def assert_parsed_alike(texts: Iterable[str]) -> None:
    """The index parser gives each of ``texts`` the tokens it gives without its shortcuts."""
    fast, plain = build_index_parser(), build_index_parser(dispatch=False)
    for text in texts:
        assert [t.as_dict() for t in fast.parse(text)] == [
            t.as_dict() for t in plain.parse(text)
        ], text


def test_normalize_is_skipped_only_where_it_changes_nothing() -> None:
    assert_parsed_alike(("a\r\nb\rc\n", "x\x00y\n", "plain\n\n- item\n"))
    assert_parsed_alike(
        decode(path.read_bytes()).text for path in sorted(SAMPLE_VAULT.rglob("*.md"))
    )


BREAKS = [
    "- - -",
    "* * *",
    "_\t_ _",
    "-- -",
    "- -",
    "*-*",
    "---a",
    "- \t",
    "-",
    "  ***  ",
    "-\t-\t-",
]


def test_breaks_headings_and_near_misses_parse_as_markdown_it_parses_them() -> None:
    assert_parsed_alike(
        text
        for line in BREAKS
        for text in (line, f"para\n{line}\n", f"- item\n  {line}\n", f"> {line}\n{line}")
    )


DEFINITIONS = ["[a]: /url", "[ ]: x", "[[x]]", "[x] y", "[a\nb]: /u", "[a\\]b]: /u", "[a]:"]
DEFINITIONS += ["[a]:\n/url 'title'", "[]: /u", "[a]b", "[a[b]: /u", "[a]", "[", '[x]: <y> "t"']


def test_reference_definitions_and_near_misses_parse_as_markdown_it_parses_them() -> None:
    assert_parsed_alike(
        text
        for lines in DEFINITIONS
        for text in (lines, f"{lines}\n\n[a]\n", f"- [ ] item\n  {lines}\n", f"> {lines}\n")
    )


PARENTHESES = ["(achieved Jun 2024)", "(a) and (key:: value)", "(x)\n(k:: v)", "(k::)", "(k ::v)"]
PARENTHESES += ["[[A]] (due:: Q3 2027) #tag", "((nested:: x))", "(a\n::b)", "(::)"]
PARENTHESES += ["[ ] task", "[x](a.md) and [y]", "[a] then\n\n[a]: /u", "[b][a]\n\n[a]: /u"]
PARENTHESES += ["$1,000 or $2", "$x$ and $ y$", "$$z$$", "![img](p.png) !", "![[E]] ![", "[k:: v]"]


def test_brackets_and_dollars_give_the_inline_tokens_markdown_it_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    md = build_index_parser()
    for text in PARENTHESES:
        fast = [t.as_dict() for t in md.parse(f"#milestone {text}\n")]
        monkeypatch.setenv("MILEPOST_PARSER", "reference")
        assert [t.as_dict() for t in md.parse(f"#milestone {text}\n")] == fast, text
        monkeypatch.delenv("MILEPOST_PARSER")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(["*", "_", "=", "~", "**", "__", "==", "~~", " ", "\t", "a", "b."]))
)
def test_a_title_tidied_once_is_tidied_for_good(parts: list[str]) -> None:
    """take_title tidies a title without its parenthetical only once."""
    once = tidy_emphasis(collapse("".join(parts)))
    assert tidy_emphasis(collapse(once)) == once
