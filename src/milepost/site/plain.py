"""The site's page of a note over ``max_note_mb``: its text as it is, escaped, in a ``<pre>``.

Such a note is not rendered as Markdown. Its bytes are escaped as bytes and put into the page
where the template placed :data:`PLAIN_BODY`'s marker, so a 50 MB note costs a few copies of its
bytes, not a 200 MB string (one emoji makes Python store every character in four bytes).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from ..parse.text import BOM, decode

NOTICE = (
    "This note is larger than max_note_mb, so it is shown as plain text; raise max_note_mb in "
    "milepost.toml to see it rendered."
)
_MARK = "\x00milepost-plain-text\x00"
PLAIN_BODY = f'<p class="mp-notice"><em>{NOTICE}</em></p><pre class="mp-plain">{_MARK}</pre>'
"""The body to render a large note's page with; :func:`fill` puts the text in."""
_CHUNK = 1 << 20


def _is_utf8(data: bytes) -> bool:
    """True when ``data`` is UTF-8, checked a megabyte at a time (no copy of the whole)."""
    check = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(data), _CHUNK):
            check.decode(data[start : start + _CHUNK])
        check.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _escaped(data: bytes) -> bytes:
    """A note's bytes as UTF-8 HTML text: escaped, without a byte-order mark or CRs."""
    data = data.removeprefix(BOM)
    if not _is_utf8(data):
        data = decode(data).text.encode("utf-8")  # Windows-1252 or UTF-16: read as the index does
    data = data.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def fill(page: bytes, note: Path) -> tuple[bytes, str]:
    """The page (rendered with :data:`PLAIN_BODY`) with the note's escaped text in it, and the
    start of that text (for the search index)."""
    try:
        data = note.read_bytes()
    except OSError:
        data = b""
    head, _, tail = page.partition(_MARK.encode())
    start = data[:16384].decode("utf-8", "ignore")
    return b"".join((head, _escaped(data), tail)), start
