"""The seed note as it arrived (emoji as Mac Roman mojibake), and the sample vault around it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from milepost.config import Config
from milepost.parse import parse_note
from milepost.parse.text import repair_mojibake

from .conftest import GOLDENS, SAMPLE_VAULT, SEED, TODAY, MakeVault, Result, needs_shared

SEED_MODELS = {
    "Space X": 6,
    "extinguished animals meat": 5,
    "Exotic Pet Rental": 5,
    "Underwater restaurant": 5,
}
SEED_TOOLS = [
    "Business Model Canvas",
    "OKR (Objectives and Key Results)",
    "Gantt Chart",
    "Critical Path Method (CPM)",
    "Balanced Scorecard",
    "Lean Startup Methodology",
]


def index_of(run: Callable[..., Result], vault: Path) -> dict[str, object]:
    result = run("index", vault, "--json", "--today", TODAY.isoformat(), "-q")
    assert result.code == 0, result.err
    data: dict[str, object] = json.loads(result.out)
    return data


@needs_shared
def test_the_sample_vault_holds_the_seed_byte_for_byte() -> None:
    assert (SAMPLE_VAULT / "Concepts" / "Milestones.md").read_bytes() == SEED.read_bytes()


@needs_shared
def test_seed_as_is_and_repaired_give_the_same_index(
    run: Callable[..., Result], make_vault: MakeVault
) -> None:
    raw = SEED.read_bytes()
    repaired = repair_mojibake(raw.decode("utf-8")).encode("utf-8")
    assert repaired != raw and "👉 Examples".encode() in repaired
    as_is = index_of(run, make_vault({"Concepts/Milestones.md": raw}))
    fixed = index_of(run, make_vault({"Concepts/Milestones.md": repaired}))
    assert as_is == fixed


def test_seed_note_milestones_per_model() -> None:
    note = parse_note(
        "Concepts/Milestones.md",
        (SAMPLE_VAULT / "Concepts/Milestones.md").read_bytes(),
        Config(vault=SAMPLE_VAULT),
    )
    counts: dict[str, int] = {}
    for milestone in note.milestones:
        assert milestone.model is not None
        counts[milestone.model] = counts.get(milestone.model, 0) + 1
    assert counts == SEED_MODELS
    # the content-type line and heading declare the class; they are not items
    assert all(m.line > 34 for m in note.milestones)
    assert [t.link.target for t in note.tools] == SEED_TOOLS
    assert all(
        t.text.startswith(("In the", "OKR", "A Gantt", "CPM", "The Balanced")) for t in note.tools
    )


def test_sample_vault_index(run: Callable[..., Result], update_goldens: bool) -> None:
    data = index_of(run, SAMPLE_VAULT)
    golden = GOLDENS / "sample-vault.index.json"
    if update_goldens:
        golden.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))


def test_sample_vault_answers_what_the_seed_says(run: Callable[..., Result]) -> None:
    data = index_of(run, SAMPLE_VAULT)
    models = {m["name"]: m for m in data["business_models"]}  # type: ignore[attr-defined]
    assert set(SEED_MODELS) <= set(models)
    for name, seed_count in SEED_MODELS.items():
        from_seed = [
            x for x in models[name]["milestones"] if x["source"]["path"] == "Concepts/Milestones.md"
        ]
        assert len(from_seed) == seed_count
        assert models[name]["note"] == f"Models/{name}.md"
    by_title = {x["title"]: x for m in models.values() for x in m["milestones"]}
    manned = by_title["First successful manned mission"]
    assert manned["status"] == "achieved"
    assert manned["done"] == {
        "text": "Feb 2020",
        "start": "2020-02-01",
        "end": "2020-02-29",
        "precision": "month",
    }
    landing = by_title["First successful landing of a reusable rocket"]
    assert landing["status"] == "overdue"
    assert landing["due"]["precision"] == "month" and landing["due"]["start"] == "2025-06-01"
    tools = {t["name"]: t for t in data["tools"]}  # type: ignore[attr-defined]
    for tool in SEED_TOOLS:
        uses = {u["note"]: u["text"] for u in tools[tool]["used_by"]}
        assert uses["Concepts/Milestones.md"]
        assert tools[tool]["note"] == f"Tools/{tool}.md"
    assert "milestones" in uses["Concepts/Milestones.md"].lower()


@pytest.mark.parametrize("alias", ["SpaceX", "spacex", "Space Exploration Technologies"])
def test_aliases_attribute_items_to_the_model_note(
    make_vault: MakeVault, run: Callable[..., Result], alias: str
) -> None:
    vault = make_vault(
        {
            "Models/Space X.md": "---\ntype: business-model\n"
            "aliases: [SpaceX, Space Exploration Technologies]\n---\n",
            "Concepts/Launch.md": f"## Examples\n### {alias}\n#milestone Orbit\n",
        }
    )
    data = index_of(run, vault)
    assert [(m["name"], len(m["milestones"])) for m in data["business_models"]] == [("Space X", 1)]  # type: ignore[attr-defined]
