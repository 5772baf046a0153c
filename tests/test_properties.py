"""Parsing never raises, whatever the bytes; and a parse is a pure function of them."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milepost.config import Config
from milepost.parse import fields, parse_note

CONFIG = Config(vault=Path())

FRAGMENTS = [
    "---\n",
    "#milestone",
    "🏁#milestone ",
    "\uf8ffüèÅ#milestone ",
    "- [ ] ",
    "- [x] ",
    "  - ",
    "[[",
    "]]",
    "![[",
    "|",
    "#",
    "^b1",
    "%%",
    "`",
    "```\n",
    "~~~\n",
    "$",
    "$$\n",
    "<!--",
    "-->",
    "<div>",
    "\n",
    "\n\n",
    "\t",
    "> ",
    "> [!note] ",
    "## ",
    "### ",
    "## 👉 Examples\n",
    "## 🧰 Tools\n",
    "(expected Jun 2025)",
    "(achived Feb 2020)",
    "[due:: ",
    "(owner:: ",
    "::",
    "📅 2026-02-30",
    "✅ 2026-01-01",
    "budget:: €15k",
    "Q3 2027",
    "tags: [milestone]\n",
    "tags: milestone\n",
    "due: 2026-13-01\n",
    "key: [unclosed\n",
    "a: 1\na: 2\n",
    "\r\n",
    "\\",
    '%% milepost:begin roadmap "X" %%\n',
    "%% milepost:end %%\n",
    "[x](y.md)",
    "<https://a>",
    "| a | b |\n|---|---|\n",
    "1. ",
    "* ",
    "***\n",
    "===\n",
    "\x00",
    "\ufeff",
    "é",
    "東京",
]

markdownish = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish)
def test_parse_never_raises_on_markdownish_text(text: str) -> None:
    note = parse_note("Fuzz/Note.md", text.encode("utf-8", errors="surrogatepass"), CONFIG)
    assert note.path == "Fuzz/Note.md"
    for milestone in note.milestones:
        assert milestone.line >= 1
    for diagnostic in note.diagnostics:
        assert diagnostic.path == "Fuzz/Note.md"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_parse_never_raises_on_bytes(data: bytes) -> None:
    note = parse_note("Fuzz/Bytes.md", data, CONFIG)
    assert note.path == "Fuzz/Bytes.md"


@settings(max_examples=150, deadline=None)
@given(markdownish)
def test_parse_is_deterministic(text: str) -> None:
    data = text.encode("utf-8", errors="surrogatepass")
    assert parse_note("A.md", data, CONFIG) == parse_note("A.md", data, CONFIG)


TASKS_PIECES = [
    *"📅📆🗓🛫⏳⌛✅❌➕🔺⏫🔼🔽⏬🔁🆔⛔🏁",
    "\ufe0f",
    " ",
    "2026-05-01",
    "2026-5-1",
    "every week",
    "keep",
    "delete",
    "abc-1",
    ", ",
    "!",
    "x",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TASKS_PIECES), max_size=24).map("".join))
def test_tasks_signifiers_match_one_pattern_per_field(text: str) -> None:
    """The one-pass scans find exactly what the per-field patterns of the Tasks grammar find."""
    expected = [
        (name, match.group(1), match.group(0))
        for name, pattern in fields.TASKS_DATES
        for match in pattern.finditer(text)
    ]
    assert [tuple(found) for found in fields.tasks_fields(text)] == expected
    assert fields.tasks_noise(text) == [m.group(0) for m in fields.TASKS_OTHER.finditer(text)]
