"""A one-shot build reuses the milestones' Markdown the last build kept, and only where nothing
it is made from moved: its pages are byte for byte what a build from nothing writes."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from milepost import load_config
from milepost.cache import cache_folder
from milepost.commands import build
from milepost.config import Config
from milepost.render.itemstore import NAME, ItemStore

from .conftest import MakeVault

TODAY = date(2026, 11, 22)

PLAN = """---
business_model: Shop
---
# Plan

## Launch

- [ ] #milestone Open the shop 📅 2027-03-01 ⛔ lease 🆔 open
  Talk to [[Target]] first.
- [ ] #milestone Hire a baker 📅 2027-01-15
- [ ] #milestone Sell online 📅 2027-06-30
"""

OTHER = """---
business_model: Shop
---
# Lease

- [ ] #milestone Lease signed 📅 2027-01-01 🆔 lease
- [ ] #milestone Paint the walls 📅 2027-02-01
"""


def pages(vault: Path) -> dict[str, bytes]:
    return {
        p.relative_to(vault).as_posix(): p.read_bytes()
        for p in sorted((vault / "Roadmaps").rglob("*"))
        if p.is_file()
    }


def fresh_build(vault: Path, tmp_path: Path) -> dict[str, bytes]:
    """The pages a build from nothing writes for what ``vault`` holds now."""
    copy = tmp_path / "fresh" / vault.name
    shutil.copytree(vault, copy, ignore=shutil.ignore_patterns(".milepost", "Roadmaps"))
    build(load_config(copy, today=TODAY, jobs=1))
    return pages(copy)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The Markdown of the milestones rendered for the roadmaps (not reused)."""
    made: list[str] = []
    real = ItemStore.put

    def put(self: ItemStore, model: str, key: bytes, data: bytes) -> None:
        made.append(data.decode("utf-8"))
        real(self, model, key, data)

    monkeypatch.setattr(ItemStore, "put", put)
    return made


def titles(rendered: list[str]) -> str:
    """The titles of the rendered milestones (each item starts with its title in bold)."""
    return "\n".join(text.split("**")[1] for text in rendered)


def built_shop(make_vault: MakeVault) -> tuple[Path, Config]:
    """The vault of the business model Shop (Plan.md and Lease.md), built once."""
    vault = make_vault(
        {"Models/Shop.md": "---\ntype: business-model\n---\n", "Plan.md": PLAN, "Lease.md": OTHER}
    )
    config = load_config(vault, today=TODAY, jobs=1)
    build(config)
    return vault, config


def test_a_one_note_edit_renders_only_the_items_that_moved(
    make_vault: MakeVault, tmp_path: Path, rendered: list[str]
) -> None:
    vault, config = built_shop(make_vault)
    folder = cache_folder(config)
    assert folder is not None and any((folder / NAME).iterdir()), "the items are kept"
    rendered.clear()

    # a line above "Sell online" only: the milestones of Lease.md are as they were
    text = PLAN.replace(
        "- [ ] #milestone Sell online", "Just a line.\n- [ ] #milestone Sell online"
    )
    (vault / "Plan.md").write_text(text, encoding="utf-8")
    build(config)
    made = titles(rendered)
    assert "Sell online" in made
    assert "Lease signed" not in made and "Paint the walls" not in made
    assert pages(vault) == fresh_build(vault, tmp_path)


def test_items_follow_what_moved_in_other_notes(
    make_vault: MakeVault, tmp_path: Path, rendered: list[str]
) -> None:
    vault, config = built_shop(make_vault)
    before = pages(vault)["Roadmaps/Models/Roadmap – Shop.md"].decode()
    assert "Lease signed" in before and "[[Target|" not in before

    # the milestone it waits for is renamed (in another note), then a note its link names
    # appears: Plan.md's bytes stay as they were
    (vault / "Lease.md").write_text(OTHER.replace("Lease signed", "Lease agreed"), encoding="utf-8")
    rendered.clear()
    build(config)
    assert "Open the shop" in titles(rendered), "it shows what it waits for"
    assert "Hire a baker" not in titles(rendered)
    assert pages(vault) == fresh_build(vault, tmp_path / "1")
    (vault / "Target.md").write_text("# Target\n", encoding="utf-8")
    rendered.clear()
    build(config)
    assert "Open the shop" in titles(rendered), "it shows where its link leads"
    after = pages(vault)["Roadmaps/Models/Roadmap – Shop.md"].decode()
    assert "[[Target|" in after and "Lease agreed" in after
    assert pages(vault) == fresh_build(vault, tmp_path / "2")

    # and back: the Markdown kept from the first build is right again
    (vault / "Target.md").unlink()
    (vault / "Lease.md").write_text(OTHER, encoding="utf-8")
    build(config)
    assert pages(vault)["Roadmaps/Models/Roadmap – Shop.md"].decode() == before


def test_the_portfolio_makes_again_only_the_rows_of_models_an_edit_reaches(
    make_vault: MakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from milepost import accuracy
    from milepost.render import history

    cafe = "---\nbusiness_model: Cafe\n---\n- [ ] #milestone Lease 📅 2027-02-01\n"
    vault = make_vault({"Plan.md": PLAN, "Lease.md": OTHER, "Cafe.md": cafe})
    config = load_config(vault, today=TODAY, jobs=1)
    build(config)
    made: list[str] = []
    real = accuracy.properties

    def counted(model, today):  # type: ignore[no-untyped-def]
        made.append(model.name)
        return real(model, today)

    monkeypatch.setattr(history, "properties", counted)
    (vault / "Cafe.md").write_text(
        cafe + "- [ ] #milestone Fit out 📅 2027-01-10\n", encoding="utf-8"
    )
    build(config)
    assert made == ["Cafe"], "the Shop's notes did not change"
    portfolio = (vault / "Roadmaps/Portfolio.md").read_text(encoding="utf-8")
    assert "Fit out" in portfolio and "Shop" in portfolio
    fresh = fresh_build(vault, tmp_path)  # (a canvas keeps the layout it had: pages only)
    assert {p: d for p, d in pages(vault).items() if p.endswith(".md")} == {
        p: d for p, d in fresh.items() if p.endswith(".md")
    }
