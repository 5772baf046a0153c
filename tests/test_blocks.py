"""Block rules dispatched by first character give exactly the tokens of the plain rule chains."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from milepost.parse.markdown import build_index_parser
from milepost.parse.text import decode
from milepost.site.markdown import build_html_parser

from .conftest import CORPORA, FIXTURE_VAULTS, SAMPLE_VAULT, needs_shared

CASES = Path(__file__).resolve().parent / "cases"

BUILDERS: dict[str, Callable[..., MarkdownIt]] = {
    "index": build_index_parser,
    "site": build_html_parser,
}


def tokens(md: MarkdownIt, text: str) -> list[Any]:
    return [token.as_dict() for token in md.parse(text, {})]


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def parsers(request: pytest.FixtureRequest) -> tuple[MarkdownIt, MarkdownIt]:
    build = BUILDERS[request.param]
    return build(dispatch=True), build(dispatch=False)


def notes_under(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(p for p in folder.rglob("*.md") if p.is_file())


def assert_same(parsers: tuple[MarkdownIt, MarkdownIt], files: list[Path]) -> None:
    fast, plain = parsers
    assert files
    for path in files:
        text = decode(path.read_bytes()).text
        assert tokens(fast, text) == tokens(plain, text), path


def test_same_tokens_on_the_sample_and_fixture_vaults(
    parsers: tuple[MarkdownIt, MarkdownIt],
) -> None:
    assert_same(parsers, list(notes_under(SAMPLE_VAULT, FIXTURE_VAULTS, CASES)))


@needs_shared
@pytest.mark.slow
def test_same_tokens_on_the_real_corpora(parsers: tuple[MarkdownIt, MarkdownIt]) -> None:
    files = list(notes_under(CORPORA))
    assert len(files) > 300
    assert_same(parsers, files)


LINES = [
    "",
    "   ",
    "text with words",
    "Ünïcode text 🏁#milestone Launch",
    "# Heading",
    "###### deep",
    "#notaheading",
    "Setext",
    "===",
    "  ===",
    "    ===",
    "---",
    "   ---",
    "    - not a list, code",
    "***",
    "___",
    "- item",
    "* star item",
    "+ plus item",
    "  - nested item",
    "    - deeper",
    "1. ordered",
    "2) ordered",
    "- [ ] #milestone Task 📅 2026-05-01",
    "\t- owner:: Ops",
    "> quote",
    "> > nested quote",
    ">",
    "```",
    "```python",
    "~~~",
    "````",
    "    indented code",
    "\tcode after a tab",
    "$$",
    "$$ x^2 $$",
    "%%",
    "%% a comment %%",
    "%% milepost:begin roadmap %%",
    "%% milepost:end %%",
    "| a | b |",
    "|---|---|",
    "a | b",
    "--|--",
    ":-:",
    "<div>",
    "</div>",
    "<!-- html comment -->",
    "[ref]: /url 'title'",
    "[^1]: a footnote",
    "[[Wiki link]] and #tag",
    "key:: value",
    "^block-id",
    "==highlight== and ===not===",
    "~~struck~~ *em* _em_ **strong** __strong__",
    "[link](https://a.example) ![image](a.png) ![[Embed#Part]] [[a|b]]",
    "<https://auto.example> <span>x</span> &amp; &#35; \\* \\",
    "`code` ``more `code` `` $x^2$ $$y$$",
    "^[inline footnote] and a ref[^1]",
    "[due:: 2026-05-01] (owner:: Ops) [not a field] (not either)",
    "%%inline comment%% text #tag/sub #123 a#b",
    "line with trailing backslash\\",
    "🏁#milestone Launch (achieved 2026-04-30) {curly} @at +plus -minus",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=30), st.sampled_from(sorted(BUILDERS)))
def test_same_tokens_on_any_mix_of_block_syntax(lines: list[str], which: str) -> None:
    build = BUILDERS[which]
    text = "\n".join(lines)
    assert tokens(cached(build, True), text) == tokens(cached(build, False), text)


_PARSERS: dict[tuple[str, bool], MarkdownIt] = {}


def cached(build: Callable[..., MarkdownIt], dispatch: bool) -> MarkdownIt:
    key = (build.__name__, dispatch)
    if key not in _PARSERS:
        _PARSERS[key] = build(dispatch=dispatch)
    return _PARSERS[key]
