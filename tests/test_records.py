"""The records every stage passes on: frozen, ordered by their fields, stored compactly, and
left out of the cyclic garbage collector."""

from __future__ import annotations

import gc
import pickle
from datetime import date

import msgspec
import pytest

from milepost.cache import decode_note, encode_note
from milepost.errors import Diagnostic, error, warning
from milepost.model import Budget, Link, Milestone, Note, Period, Tag
from milepost.records import replace


def _milestone() -> Milestone:
    due = Period("Q3 2027", date(2027, 7, 1), date(2027, 9, 30), "quarter")
    return Milestone(
        "Launch",
        "First paying users",
        4,
        "Examples",
        "Uber",
        "planned",
        due=due,
        owner="Ana",
        budget=Budget("5k EUR", 5000, "EUR", None),
        links=(Link("Pricing", "", None, False, 4, "[[Pricing]]"),),
    )


def test_records_are_frozen() -> None:
    milestone = _milestone()
    with pytest.raises(AttributeError):
        milestone.title = "Other"  # type: ignore[misc]


def test_replace_makes_a_changed_copy() -> None:
    milestone = _milestone()
    moved = replace(milestone, owner="Bo")
    assert (moved.owner, milestone.owner) == ("Bo", "Ana")
    assert replace(moved, owner="Ana") == milestone


def test_records_compare_and_hash_by_their_fields() -> None:
    assert _milestone() == _milestone()
    assert hash(_milestone()) == hash(_milestone())
    assert _milestone() != replace(_milestone(), line=5)
    other: object = Link("a", "", None, False, 1, "a")
    assert Tag("a", 1) != other


def test_diagnostics_sort_by_their_fields_as_tuples() -> None:
    found = [
        warning("b.md", 1, "x", "m"),
        error("a.md", 9, "y", "m"),
        warning("a.md", 2, "z", "m"),
        error("a.md", 2, "a", "m"),
    ]
    fields = msgspec.structs.astuple
    assert sorted(found) == sorted(found, key=fields)
    assert [(d.path, d.line) for d in sorted(found)] == [
        ("a.md", 2),
        ("a.md", 2),
        ("a.md", 9),
        ("b.md", 1),
    ]
    assert isinstance(found[0], Diagnostic)


def test_records_are_left_out_of_the_cyclic_collector() -> None:
    milestone = _milestone()
    note = Note("a.md", frontmatter={"tags": ["x"]}, milestones=(milestone,))
    assert not any(gc.is_tracked(r) for r in (note, milestone, milestone.due, milestone.budget))
    assert gc.is_tracked(note.frontmatter)  # what a record holds is still the collector's


def test_records_pickle_and_store_exactly() -> None:
    note = Note("a.md", frontmatter={"n": 1}, tags=(Tag("x", 2),), milestones=(_milestone(),))
    assert pickle.loads(pickle.dumps(note)) == note
    stored = encode_note(note)
    assert stored is not None
    assert decode_note(stored) == note
    assert msgspec.msgpack.decode(stored)[0] == "a.md"  # stored as an array, not field names
