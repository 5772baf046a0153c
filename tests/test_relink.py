"""Link rewriting in generated pages: one pass, the same result as replacing link by link."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from milepost import load_config
from milepost.discover import discover
from milepost.index import VaultIndex
from milepost.model import Link
from milepost.parse import parse_note
from milepost.render.links import _rewritten, relink

from .conftest import TODAY, MakeVault

NAMES = ["Plan", "Folder/Plan", "Shop", "Missing", "a|b", "Plan#Goals"]


def reference(text: str, note_links: tuple[Link, ...], source: str, index: VaultIndex) -> str:
    """The rewriting as it was: every raw link replaced in turn over the whole text."""
    for link in note_links:
        if not link.raw or link.raw not in text:
            continue
        new = _rewritten(link, source, index)
        if new is not None:
            text = text.replace(link.raw, new)
    return text


def vault_index(make_vault: MakeVault) -> VaultIndex:
    vault = make_vault({"Plan.md": "# Goals\n", "Folder/Plan.md": "x\n", "Shop.md": "y\n"})
    config = load_config(vault)
    notes = {p: parse_note(p, (vault / p).read_bytes(), config) for p in ("Plan.md", "Shop.md")}
    notes["Folder/Plan.md"] = parse_note("Folder/Plan.md", b"x\n", config)
    files = {f.path: f for f in discover(config).files}
    return VaultIndex(notes, files, config, TODAY, ())


pieces = st.lists(
    st.one_of(
        st.sampled_from(NAMES).map(lambda n: f"[[{n}]]"),
        st.sampled_from(NAMES).map(lambda n: f"![[{n}]]"),
        st.sampled_from(["[[", "]]", "!", "[", "]", " ", "text", "[[ ]]", "\n"]),
    ),
    max_size=30,
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(parts=pieces)
def test_one_pass_equals_link_by_link(parts: list[str], make_vault: MakeVault) -> None:
    index = vault_index(make_vault)
    text = "".join(parts)
    note = parse_note("Notes/Here.md", text.encode(), index.config)
    links = note.links
    assert relink(text, links, "Notes/Here.md", index) == reference(
        text, links, "Notes/Here.md", index
    )


def test_a_huge_line_of_links_is_linear(make_vault: MakeVault) -> None:
    index = vault_index(make_vault)
    one = " see [[Plan]] and ![[Shop]] or [[Missing]] [[Folder/Plan|p]]"
    note = parse_note("Notes/Here.md", one.encode(), index.config)
    timings = []
    for size in (20_000, 160_000):  # 8 times the links
        text = one * size  # ~1.2 MB, then ~9.6 MB
        started = time.perf_counter()
        out = relink(text, note.links, "Notes/Here.md", index)
        timings.append(time.perf_counter() - started)
        assert out.count("[[Plan|Plan]]") == size
    assert timings[1] < timings[0] * 8 * 3  # linear (quadratic would be 64 times)


def test_a_text_without_links_is_returned_as_is(make_vault: MakeVault) -> None:
    index = vault_index(make_vault)
    text = "[[" * 100_000 + "]]" * 3
    assert relink(text, (), "a.md", index) is text
    note = parse_note("a.md", b"[[Plan]]", index.config)
    assert relink(text, note.links, "a.md", index) == text
