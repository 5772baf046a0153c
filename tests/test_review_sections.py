"""The review's sections, kept in the cache between one-shot builds: a build renders again only
the sections of the business models whose roadmap changed, and the page is what a build without
the cache makes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from milepost.config import load_config
from milepost.render.views import Views
from milepost.session import build

from .conftest import MakeVault, Result

Run = Callable[..., Result]
REVIEW = "Roadmaps/Reviews/Plan review 2026-05.md"


def note(model: str, due: str) -> str:
    return (
        f"---\nbusiness_model: {model}\n---\n# {model} plan\n\n"
        f"- #milestone Launch {model} (expected {due})\n"
        f"- #milestone Late {model} (expected Apr 2026)\n"
    )


def test_only_the_changed_models_sections_are_rendered_again(
    run: Run, make_vault: MakeVault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = make_vault({"Shop.md": note("Shop", "May 2026"), "Cafe.md": note("Cafe", "Jun 2026")})
    full = tmp_path / "full"
    shutil.copytree(cached, full)
    rendered: list[str] = []
    section = Views.review_section

    def counted(self: Views, model: object) -> object:
        rendered.append(getattr(model, "key", ""))
        return section(self, model)  # type: ignore[arg-type]

    monkeypatch.setattr(Views, "review_section", counted)
    config = load_config(cached, today=date(2026, 5, 10))
    build(config)
    assert sorted(rendered) == ["cafe", "shop"]
    rendered.clear()
    (cached / "Shop.md").write_text(note("Shop", "May 2026") + "Another line.\n", encoding="utf-8")
    (full / "Shop.md").write_text(note("Shop", "May 2026") + "Another line.\n", encoding="utf-8")
    build(config)
    assert rendered == ["shop"]
    assert run("build", full, "--today", "2026-05-10", "-q", "--no-cache").code == 0
    page = (cached / REVIEW).read_text(encoding="utf-8")
    assert page == (full / REVIEW).read_text(encoding="utf-8")
    assert "Late Cafe" in page and "Late Shop" in page
    rendered.clear()
    build(config, force=True)  # --force renders every section again
    assert sorted(rendered) == ["cafe", "shop"]
