"""The base of every record that flows between the stages: a frozen :class:`msgspec.Struct`.

Parsed notes are made by the hundred thousand, cross process boundaries (worker processes) and
live in the parse cache, so how fast a record is made, stored and read back sets the speed of a
whole build. A Struct is made in C (a 30-field milestone about ten times faster than a frozen,
slotted dataclass), decoded from MessagePack about five times faster, pickles as its field values,
and compares, orders and hashes by its fields as a frozen dataclass does.

Records hold values only (strings, numbers, dates, tuples and other records, and a note's front
matter), never anything that refers back to them, so they can never be part of a reference
cycle: they are left out of the cyclic garbage collector (``gc=False``), which saves its header on
each of the millions of records of a large vault and their scanning in every collection.
"""

from __future__ import annotations

import msgspec

__all__ = ["Record", "replace"]

replace = msgspec.structs.replace
"""A copy of a record with some fields changed (``dataclasses.replace`` for records)."""


class Record(msgspec.Struct, frozen=True, gc=False, array_like=True, omit_defaults=True):
    """A frozen record. Subclass it as ``class X(Record, frozen=True)`` (type checkers want the
    ``frozen`` said again) and list the fields as annotations, as for a dataclass;
    ``order=True`` orders records by their fields, as tuples."""
