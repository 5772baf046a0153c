"""Shortcuts of the index's hot paths give exactly what the plain regular expressions give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from milepost.parse.dates import parse_period
from milepost.parse.fields import _FULL_LINE, FieldLine, full_line_field
from milepost.parse.inline import year_heading


def by_regex(text: str) -> FieldLine | None:
    match = _FULL_LINE.match(text)
    if match is None:
        return None
    return FieldLine(match.group("key").strip(), match.group("value").strip())


PIECES = st.sampled_from(
    ["::", ":", "*", "**", "_", "__", " ", "-", "/", "\n", "a", "Owner", "é", "1", "due", "[", "."]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=30))
def test_full_line_field_is_the_regex(text: str) -> None:
    assert full_line_field(text) == by_regex(text)


def test_full_line_field_examples() -> None:
    for text in (
        "owner:: CFO",
        "**Due**:: 2027-03-31",
        "__due__:: Q3 2027",
        "a:b:: c",
        ":a:: b",
        "key::: value",
        "key:: value\n",
        "key:: value\nmore",
        "Revenue helps to grow when it forecasts cohorts. See also:: x",
        "Business Model:: [[Acme]]",
    ):
        assert full_line_field(text) == by_regex(text), text


WORDS = st.sampled_from(
    ["end", "of", "year", "this", "fy", "FY", "eoy", "q3", "H2", "spring", "2027", "'27", "27"]
)


@settings(max_examples=500, deadline=None)
@given(
    st.lists(WORDS, max_size=4).map(" ".join) | st.text(alphabet="0123456789 qhfy'-/", max_size=8)
)
def test_year_heading_without_digits_reads_nothing(text: str) -> None:
    reading = parse_period(text)
    by_reading = (
        reading.period.end.year
        if reading.period is not None and reading.period.precision == "year"
        else None
    )
    assert year_heading(text) == by_reading
