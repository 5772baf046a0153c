"""What page workers get and keep: a kit without every note's heading anchors (worked out when a
link asks for them), and a bounded memory of the notes they embed; the site stays the same."""

from __future__ import annotations

import pickle

from milepost.config import load_config
from milepost.reading import scan
from milepost.site.exporter import Exporter
from milepost.site.kit import Anchors, kit_of

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
