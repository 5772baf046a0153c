"""Front matter as Obsidian reads it (YAML 1.2), checklist cases 34-36 and 40."""

from __future__ import annotations

from pathlib import Path

import pytest

from milepost.config import Config
from milepost.model import Note
from milepost.parse import parse_note
from milepost.parse.frontmatter import YamlProblem, load_yaml

CONFIG = Config(vault=Path())


def note(text: str) -> Note:
    return parse_note("Note.md", text.encode(), CONFIG)


@pytest.mark.parametrize(
    ("yaml_value", "expected"),
    [
        ("2026-03-01", "2026-03-01"),  # 34: dates stay strings
        ("yes", "yes"),  # 34: YAML 1.1 booleans stay strings
        ("on", "on"),
        ("NO", "NO"),
        ("010", 10),  # 34: decimal, not octal
        ("0o10", 8),
        ("1:30", "1:30"),  # 34: not sexagesimal
        ("1_000", "1_000"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("", None),
        ("1.5", 1.5),
        ("2026-03-01T10:30:00", "2026-03-01T10:30:00"),
    ],
)
def test_yaml_12_scalars(yaml_value: str, expected: object) -> None:
    assert load_yaml(f"key: {yaml_value}\n") == {"key": expected}


def test_duplicate_keys_make_the_block_invalid() -> None:
    """35: no properties and no front matter tags, and the file is never rewritten."""
    with pytest.raises(YamlProblem) as problem:
        load_yaml("status: open\nstatus: done\n")
    assert problem.value.line == 1
    parsed = note("---\nstatus: open\nstatus: done\ntags: [milestone]\n---\nBody\n")
    assert parsed.frontmatter == {} and parsed.tags == () and parsed.milestones == ()
    assert [(d.code, d.line) for d in parsed.diagnostics] == [("frontmatter.invalid", 3)]


def test_front_matter_links_must_be_quoted() -> None:
    """36: an unquoted [[link]] is a nested list, not a link."""
    unquoted = note("---\nrelated: [[Stripe]]\n---\n")
    assert unquoted.frontmatter == {"related": [["Stripe"]]} and unquoted.links == ()
    quoted = note('---\nrelated: "[[Stripe]]"\nmore:\n  - "[[Tools/Gantt|Gantt]]"\n---\n')
    assert [(link.target, link.display, link.line) for link in quoted.links] == [
        ("Stripe", None, 2),
        ("Tools/Gantt", "Gantt", 4),
    ]


def test_a_page_field_sets_the_business_model() -> None:
    """40: a full-line field in a paragraph; the same line in a code fence is not read."""
    assert note("Business Model:: SaaS\n\n#milestone Ship\n").model == "SaaS"
    assert note("```\nBusiness Model:: SaaS\n```\n#milestone Ship\n").model is None


def test_front_matter_must_open_the_file() -> None:
    parsed = note("\n---\ntags: [milestone]\n---\n")
    assert parsed.frontmatter == {} and parsed.milestones == ()


def test_business_model_note_and_publish_flag() -> None:
    parsed = note("---\ntype: Business Model\naliases: [SX]\npublish: false\n---\n")
    assert parsed.is_model and parsed.aliases == ("SX",) and parsed.publish is False
    assert note("---\npublish: no\n---\n").publish is None  # "no" is text in YAML 1.2


def test_unquoted_hash_in_a_tags_list_is_a_comment() -> None:
    parsed = note("---\ntags:\n  - #milestone\n  - milestone\n---\n")
    assert [d.code for d in parsed.diagnostics] == ["frontmatter.tags-form"]
    assert "YAML comment" in parsed.diagnostics[0].message
