"""The index parser's block state is markdown-it's, set up faster: same lines, same tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from milepost.parse.blockstate import LineState, new_token, text_token
from milepost.parse.markdown import build_index_parser, index_parser
from milepost.parse.text import decode

from .conftest import CORPORA, FIXTURE_VAULTS, SAMPLE_VAULT, needs_shared

CASES = Path(__file__).resolve().parent / "cases"
EDGES = [
    "",
    "\n",
    "a",
    " ",
    " \t ",
    "a\n",
    "a\n  ",
    "a\n  \n",
    "x\n\n\n",
    "\tb\n \t c\n\t\t\n",
    " \t\t x\n  \t",
    "> quote\n>\tx\n",
    "- item\n\t- child\n    code\n",
]


def texts(*folders: Path) -> Iterator[str]:
    for folder in folders:
        for path in sorted(folder.rglob("*.md")):
            yield decode(path.read_bytes()).text


def assert_same_state(text: str) -> None:
    md = index_parser()
    plain, fast = StateBlock(text, md, {}, []), LineState(text, md, {}, [])
    assert vars(fast) == vars(plain), repr(text)
    for indent in (0, 1, 2, 4):
        for begin in range(plain.lineMax + 1):
            for end in range(begin, plain.lineMax + 1):
                for keep in (False, True):
                    assert fast.getLines(begin, end, indent, keep) == plain.getLines(
                        begin, end, indent, keep
                    ), (text, begin, end, indent, keep)


def test_the_same_line_marks_on_edge_cases_and_the_vaults() -> None:
    for text in [*EDGES, *texts(SAMPLE_VAULT, FIXTURE_VAULTS, CASES)]:
        md = index_parser()
        assert vars(LineState(text, md, {}, [])) == vars(StateBlock(text, md, {}, [])), text
    for text in EDGES:
        assert_same_state(text)


@needs_shared
def test_the_same_line_marks_on_the_real_corpora() -> None:
    md = index_parser()
    found = list(texts(CORPORA))
    assert found
    for text in found:
        assert vars(LineState(text, md, {}, [])) == vars(StateBlock(text, md, {}, []))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\na>-#", max_size=40))
def test_the_same_line_marks_and_lines_on_any_whitespace(text: str) -> None:
    assert_same_state(text)


def test_the_parser_uses_it_and_makes_the_same_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "# Title\n\n\t- [ ] #milestone Ship it\n\t  owner:: Ana\n> quoted\n> [[Link]]\n\nend"
    fast, plain = build_index_parser(), build_index_parser(dispatch=False)
    assert [t.as_dict() for t in fast.parse(text)] == [t.as_dict() for t in plain.parse(text)]
    made: list[str] = []
    original = LineState.__init__

    def spy(self: LineState, *args: object) -> None:
        made.append(type(self).__name__)
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(LineState, "__init__", spy)
    fast.parse(text)
    assert made == ["LineState"]


def test_new_token_is_the_token_markdown_it_makes() -> None:
    token = Token("paragraph_open", "p", 1)
    token.block = True
    token.level = 2
    made = new_token("paragraph_open", "p", 1, 2, True)
    assert made == token
    assert made.attrs is not new_token("text", "", 0).attrs  # each token its own dicts
    assert new_token("text", "", 0) == Token("text", "", 0)
    plain = Token("text", "", 0)
    plain.content = "words"
    assert text_token("words") == plain


def test_the_paragraph_rule_is_markdown_its_own_on_lazy_lines_and_terminators() -> None:
    fast, plain = build_index_parser(), build_index_parser(dispatch=False)
    for text in (
        "one\ntwo\n# heading\nthree\n\n> quote\nlazy\n- item\n  more\n     code-like",
        "para\n---\nafter\n```\nfence\n```\n<div>\nx\n</div>\n",
        "- a\n  b\n\n  c\n    d\n> q\n> r\ns\n",
    ):
        assert [t.as_dict() for t in fast.parse(text)] == [t.as_dict() for t in plain.parse(text)]


def test_get_lines_of_a_list_item_whose_line_start_was_moved_past_its_marker() -> None:
    md = index_parser()
    text = "- [ ] #milestone Ship\n  owner:: Ana\n\t- child\n   three\n-\n"
    plain, fast = StateBlock(text, md, {}, []), LineState(text, md, {}, [])
    for state in (plain, fast):  # what the list rule does to an item's first line
        for line in (0, 2, 4):
            state.bMarks[line] += 2
            state.tShift[line] = 0
    for indent in (0, 1, 2, 3, 4):
        for begin in range(plain.lineMax + 1):
            for end in range(begin, plain.lineMax + 1):
                for keep in (False, True):
                    assert fast.getLines(begin, end, indent, keep) == plain.getLines(
                        begin, end, indent, keep
                    ), (begin, end, indent, keep)
