"""What page workers get and keep: a kit without every note's heading anchors (worked out when a
link asks for them), and a bounded memory of the notes they embed; the site stays the same."""

from __future__ import annotations

import pickle

import pytest

from milepost.config import load_config
from milepost.reading import scan
from milepost.site import notepage
from milepost.site.exporter import Exporter
from milepost.site.heap import give_back, trim
from milepost.site.kit import Anchors, kit_of
from milepost.site.notepage import NoteRenderer
from milepost.site.shape import relative

from .conftest import TODAY, MakeVault

NOTES: dict[str, str | bytes] = {
    "Home.md": "# Home\n\nSee [[Alpha#Launch]], [[Alpha#Nowhere]], [[Secret]] and [[Nope]].\n",
    "Alpha.md": (
        "# Alpha\n\n## Launch\n\n- [ ] Ship it #milestone 📅 2026-12-01\n\n## Launch\n\n"
        "Again. ^goal\n\n![[Beta#Beta]]\n"
    ),
    "Beta.md": "# Beta\n\n- [x] Plan it #milestone 📅 2026-10-01\n\n[[Home]] [[Alpha#^goal]]\n",
    "Secret.md": "---\npublish: false\n---\n# Secret\n",
}


def test_a_worker_kit_works_out_heading_anchors_as_the_site_does(make_vault: MakeVault) -> None:
    config = load_config(make_vault(NOTES), today=TODAY, jobs=1)
    index = scan(config, cache=False).index
    site = Exporter(index, config).site
    sent = pickle.loads(kit_of(index, site).blob())  # as a worker gets it
    assert isinstance(sent.anchors, Anchors)
    assert dict(sent.anchors) == {}  # none sent; worked out when asked
    assert sent.anchors["Alpha.md"] == {"alpha": "mp-h-alpha", "launch": "mp-h-launch"}
    for path in site.note_urls:
        assert sent.anchors[path] == site.anchors[path]
    assert set(sent.anchors) == set(site.note_urls)


def test_a_renderer_keeps_the_texts_of_the_notes_it_embedded_last(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes: dict[str, str | bytes] = {f"E{n}.md": f"# E{n}\n\nText {n}.\n" for n in range(6)}
    notes["Hub.md"] = "# Hub\n\n" + "".join(f"![[E{n}]]\n\n" for n in (0, 1, 2, 3, 4, 5, 0))
    config = load_config(make_vault(notes), today=TODAY, jobs=1)
    exporter = Exporter(scan(config, cache=False).index, config)
    kept_all = exporter.renderer.note_page("Hub.md", []).output
    monkeypatch.setattr(notepage, "KEPT_TEXTS", 2)
    renderer = NoteRenderer(exporter.renderer.kit, exporter.env)
    kept_two = renderer.note_page("Hub.md", []).output
    assert kept_all is not None and kept_two is not None
    assert kept_two.data == kept_all.data
    assert kept_two.data.count(b"Text 0.") == 2 and b"Text 5." in kept_two.data
    assert list(renderer.texts) == ["E5.md", "E0.md"]  # the last two asked for
    assert len(exporter.renderer.texts) == 6


def test_a_page_in_pieces_is_the_page_whole(
    make_vault: MakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(make_vault(NOTES), today=TODAY, jobs=1)
    exporter = Exporter(scan(config, cache=False).index, config)
    models = exporter.pages.visible_models()
    assert models
    monkeypatch.setattr(notepage, "PIECE", 100)
    for model in models:
        url = exporter.site.roadmap_urls[model.key]
        view = exporter.pages.roadmap(model, url)
        whole = exporter._html("roadmap.html.j2", url, "Roadmap", view=view)
        pieces = list(exporter._pieces("roadmap.html.j2", url, "Roadmap", view=view))
        assert len(pieces) > 3
        assert b"".join(pieces) == whole
        assert b"Ship it" in whole or b"Plan it" in whole


def test_giving_memory_back_forgets_the_memo_of_relative_urls() -> None:
    assert relative("notes/a/b.html", "notes/c.html") == "../c.html"
    assert relative.cache_info().currsize > 0
    give_back()
    trim()
    assert relative.cache_info().currsize == 0
    assert relative("notes/a/b.html", "tags/x y.html") == "../../tags/x%20y.html"
