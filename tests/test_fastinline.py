"""The fast inline tokenizer makes exactly markdown-it-py's tokens, or leaves the content to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt

from milepost.config import Config
from milepost.parse import parse_note
from milepost.parse.fastinline import REFERENCE_ENV, FastInline
from milepost.parse.markdown import INDEX_TERMINATORS, build_index_parser

from .conftest import CORPORA, FIXTURE_VAULTS, SAMPLE_VAULT, needs_shared
from .test_generator import load_generator


@pytest.fixture(scope="module")
def md() -> MarkdownIt:
    return build_index_parser()


def inline_runs(md: MarkdownIt, text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The content of each inline token the index tokenizes, with the note's env."""
    env: dict[str, Any] = {}
    for token in md.parse(text, env):
        if token.type == "inline" and token.children is not None:
            yield token.content, env


def reference(md: MarkdownIt, src: str, env: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[Any] = []
    md.inline.parse(src, md, env, found)
    return [t.as_dict() for t in found]


def compare(md: MarkdownIt, texts: list[str]) -> tuple[int, int]:
    """Compare both tokenizers on every inline run of ``texts``: (runs, runs taken fast)."""
    fast = FastInline(md, INDEX_TERMINATORS)
    runs = taken = 0
    for text in texts:
        for src, env in inline_runs(md, text):
            runs += 1
            made = fast.tokens(src, env)
            if made is not None:
                taken += 1
                assert [t.as_dict() for t in made] == reference(md, src, env), src
    return runs, taken


def notes_under(*folders: Path) -> list[str]:
    return [
        p.read_bytes().decode("utf-8", "replace")
        for folder in folders
        for p in sorted(folder.rglob("*.md"))
    ]


CASES = [
    "#milestone Launch\ndue:: 2026-03-31\nowner:: [[Ana]]",
    "- [ ] #milestone Ship 📅 2026-06-30  \n  hard break before, soft after \nend",
    "[[Note#Part|shown]]#tag after a link, [[x]] #t, word#not, **#bold-tag**, #123, #a/b-c_d",
    "a [[unclosed and ]] [[ ]] [[x\ny]] [[a[[b]]",
    "(achieved Sep 2025) (owner:: Ana) [due:: 2026-01-01] [[x]]",
    "budget:: $1.2M and $x$ math, `code #t`, \\#escaped, <b>#t</b>, ![[embed]], ![alt](i.png)",
    "%%hidden #t%% then #shown; [text](https://x.y) #after; [ref] #t; [ ] #t",
    "tabs\t#t\n\t\tindented #u\n#v",
]


def test_the_listed_cases_give_the_same_tokens(md: MarkdownIt) -> None:
    runs, taken = compare(md, CASES)
    assert runs == len(CASES)
    assert 0 < taken < runs  # some are read fast, the others left to markdown-it


def test_a_reference_definition_is_seen(md: MarkdownIt) -> None:
    text = "[ref] #milestone Ship\n\n[ref]: https://example.com\n"
    ((src, env),) = list(inline_runs(md, text))
    assert (
        FastInline(md, INDEX_TERMINATORS).tokens(src, env) is None
    )  # [ref] is a link in this note
    assert FastInline(md, INDEX_TERMINATORS).tokens(src, {}) is not None


def test_same_tokens_on_the_sample_fixture_and_generated_vaults(
    md: MarkdownIt, tmp_path: Path
) -> None:
    for seed in (1, 2, 3):
        load_generator().generate(40, seed, tmp_path / str(seed))
    runs, taken = compare(md, notes_under(SAMPLE_VAULT, FIXTURE_VAULTS, tmp_path))
    assert taken > 0.8 * runs > 1000


@needs_shared
def test_same_tokens_on_the_real_corpora(md: MarkdownIt) -> None:
    runs, taken = compare(md, notes_under(CORPORA))
    assert taken > 0.5 * runs > 1000


def test_the_reference_switch_turns_the_fast_path_off(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"# Plan\n\n- [ ] #milestone Ship [[Product]] \xf0\x9f\x93\x85 2026-06-30\n"
    fast = parse_note("Plan.md", data, Config(vault=Path()))
    calls: list[str] = []
    original = FastInline.tokens

    def spy(self: FastInline, src: str, env: Any) -> Any:
        calls.append(src)
        return original(self, src, env)

    monkeypatch.setattr(FastInline, "tokens", spy)
    monkeypatch.setenv(REFERENCE_ENV, "reference")
    slow = parse_note("Plan.md", data, Config(vault=Path()))
    assert calls == []
    monkeypatch.delenv(REFERENCE_ENV)
    again = parse_note("Plan.md", data, Config(vault=Path()))
    assert calls and fast == slow == again
    assert [m.title for m in fast.milestones] == ["Ship [[Product]]"]
    assert [link.target for link in fast.links] == ["Product"]


def test_a_rule_it_does_not_know_turns_the_fast_path_off() -> None:
    md = build_index_parser()
    assert FastInline(md, INDEX_TERMINATORS).tokens("a #tag", {}) is not None

    def anywhere(state: Any, silent: bool) -> bool:
        return False

    md.inline.ruler.push("anywhere", anywhere)  # a rule that may start at any character
    assert FastInline(md, INDEX_TERMINATORS).tokens("a #tag", {}) is None
    other = build_index_parser()
    assert FastInline(other, INDEX_TERMINATORS + "&").tokens("a #tag", {}) is None
