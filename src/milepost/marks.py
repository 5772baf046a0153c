"""Whether a file in the vault is one milepost wrote, by the mark each kind of output carries.

A Markdown page has ``generated_by: milepost`` in its front matter; the calendar feed has
milepost's ``PRODID``; a canvas has milepost's legend card (the node with id ``milepost``); the
Bases file starts with the comment ``# generated_by: milepost``. A file without its mark is the
user's: it is never overwritten or removed, whatever its name.
"""

from __future__ import annotations

from .manifest_records import has_marker

ICS_MARK = b"\r\nPRODID:-//milepost//"
BASE_MARK = b"# generated_by: milepost"


def is_ours(path: str, data: bytes) -> bool:
    """True when ``data``, the bytes of the vault file ``path``, carry milepost's mark."""
    lower = path.lower()
    if lower.endswith(".ics"):
        return data.startswith(b"BEGIN:VCALENDAR\r\n") and ICS_MARK in data[:4096]
    if lower.endswith(".canvas"):
        from .feeds.canvas import NotMilepost, read_canvas

        return not isinstance(read_canvas(data), NotMilepost)
    if lower.endswith(".base"):
        return data.startswith(BASE_MARK + b"\n") or data.startswith(BASE_MARK + b"\r\n")
    return has_marker(data)
