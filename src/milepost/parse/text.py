"""Bytes to text, and the small text rules shared by the parser and the pages.

Decoding never fails: a byte-order mark is dropped, UTF-16 is recognised, and bytes that are not
UTF-8 are read as Windows-1252 one by one, so a mostly-UTF-8 note keeps its good characters.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

BOM = b"\xef\xbb\xbf"
_FALLBACK = "milepost-cp1252"


def _one_byte_at_a_time(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    byte = exc.object[exc.start : exc.start + 1]
    try:
        return byte.decode("cp1252"), exc.start + 1
    except UnicodeDecodeError:
        return byte.decode("latin-1"), exc.start + 1


codecs.register_error(_FALLBACK, _one_byte_at_a_time)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A note's text with everything worth saying about how it was read."""

    text: str
    """Text with line endings normalised to ``\\n`` and no byte-order mark."""
    bom: bool = False
    crlf: bool = False
    """True when the file uses CRLF (or CR) line endings."""
    encoding: str = "utf-8"
    """``utf-8``, ``utf-16`` or ``cp1252`` (the fallback for bytes that are not UTF-8)."""
    bad_line: int = 0
    """First line with bytes that were not UTF-8 (0 when there were none)."""
    binary: bool = False
    """True when the bytes are not text at all."""


def decode(data: bytes) -> Decoded:
    """Read a note's bytes as text; never raises."""
    bom = data.startswith(BOM)
    if bom:
        data = data[len(BOM) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        return _finish(text, bom=True, encoding="utf-16")
    if b"\x00" in data[:8192]:
        return Decoded("", bom=bom, binary=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
        text = data.decode("utf-8", errors=_FALLBACK)
        return _finish(text, bom=bom, encoding="cp1252", bad_line=bad_line)
    return _finish(text, bom=bom)


def _finish(text: str, *, bom: bool, encoding: str = "utf-8", bad_line: int = 0) -> Decoded:
    crlf = "\r" in text
    if crlf:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return Decoded(text, bom=bom, crlf=crlf, encoding=encoding, bad_line=bad_line)


def has_ascii_alnum(token: str) -> bool:
    return any(c.isascii() and c.isalnum() for c in token)


def is_symbol_token(token: str) -> bool:
    """True for an emoji, a symbol, or the mojibake of one (``üëâ`` is ``👉`` gone wrong)."""
    if token.isascii():
        return not any(c.isalnum() for c in token)
    repaired = repair_mojibake(token)
    return not any(c.isalnum() for c in repaired) and not has_ascii_alnum(token)


def drop_symbol_prefix(text: str) -> str:
    """Drop a leading token with no letter or digit (``👉 Examples``, ``üëâ Examples``)."""
    text = text.strip()
    head, _, rest = text.partition(" ")
    if rest.strip() and is_symbol_token(head):
        return rest.strip()
    return text


def name_key(text: str) -> str:
    """Compare names case-, space- and Unicode-normalisation-insensitively."""
    return "".join(unicodedata.normalize("NFC", text).lower().split())


@lru_cache(maxsize=4096)
def section_key(heading: str) -> str:
    """The key a section heading is matched by: ``## 👉 Examples`` and ``## üëâ Examples`` agree."""
    return " ".join(drop_symbol_prefix(heading).lower().split())


_MOJIBAKE_RUN = re.compile(r"[^\x00-\x7f]{2,}")


def _mac_roman_repair(match: re.Match[str]) -> str:
    run = match.group(0)
    try:
        return run.encode("mac_roman").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


def repair_mojibake(text: str) -> str:
    """Undo emoji that went through Mac Roman (``\\uf8ffüèÅ`` back to ``🏁``); keeps real text."""
    return _MOJIBAKE_RUN.sub(_mac_roman_repair, text)


def collapse(text: str) -> str:
    """Collapse runs of whitespace to single spaces."""
    return " ".join(text.split())


_SMALL_WORK = 200_000
"""Below this many (characters x pieces), removing pieces one by one is the fastest way."""


def remove_first(text: str, pieces: Sequence[str]) -> str:
    """``text`` with the first occurrence of each piece replaced by a space (as one
    ``text.replace(piece, " ", 1)`` after the other), in one pass over a long text."""
    if not pieces:
        return text
    if len(text) * len(pieces) < _SMALL_WORK:
        for piece in pieces:
            text = text.replace(piece, " ", 1)
        return text
    wanted = Counter(piece for piece in pieces if piece)
    if not wanted:
        return text
    either = re.compile("|".join(map(re.escape, sorted(wanted, key=len, reverse=True))))

    def gap(match: re.Match[str]) -> str:
        found = match.group(0)
        if wanted[found] > 0:
            wanted[found] -= 1
            return " "
        return found

    return either.sub(gap, text)


_MARKS = r"\*\*\*|___|\*\*|__|==|~~|\*|_"
_CLOSE_SPACE = r"(?=$|[\s.,;:!?)])"
_EMPTY_PAIR = re.compile(rf"(?:^|\s+)({_MARKS})\s+\1{_CLOSE_SPACE}")
"""Emphasis with nothing inside (``** **``: the tag or the fields it held were taken out)."""
_LOOSE_PAIR = re.compile(
    rf"(?:^|(?<=\s))(\*\*\*|___|\*\*|__|==|~~)\s*(\S(?:.{{0,200}}?\S)??)\s*\1{_CLOSE_SPACE}"
)
"""Double-marker emphasis with spaces inside its ends (``** Launch**``, ``**Launch **``)."""
_LOOSE_WHOLE = re.compile(r"^(\*|_)\s*(\S(?:.*?\S)?)\s*\1$")
_EDGE_MARKS = ("***", "___", "**", "__", "==", "~~", "*", "_")
_ANY_MARK = re.compile(r"[*_=~]")


def _drop_empty(text: str) -> str:
    def gap(match: re.Match[str]) -> str:
        between = match.start() > 0 and match.end() < len(text) and text[match.end()].isspace()
        return " " if between else ""

    return _EMPTY_PAIR.sub(gap, text)


def _runs(text: str, mark: str) -> int:
    """How many runs of exactly ``mark`` the text holds (``**`` is not two ``*``)."""
    char = re.escape(mark[0])
    return len(re.findall(f"(?<!{char}){re.escape(mark)}(?!{char})", text))


def _drop_lone_ends(title: str) -> str:
    """A marker at either end that has no partner anywhere in the title. A single ``*`` or
    ``_`` glued to a word (``v2*``, ``_draft``) is text, not a marker, and stays."""
    for mark in _EDGE_MARKS:
        if _runs(title, mark) != 1:
            continue
        single = len(mark) == 1
        after = title[len(mark) :]
        if title.startswith(mark) and after[:1] != mark[0] and (not single or after[:1] == " "):
            return after.strip()
        before = title[: -len(mark)]
        if title.endswith(mark) and before[-1:] != mark[0] and (not single or before[-1:] == " "):
            return before.strip()
    return title


def tidy_emphasis(title: str) -> str:
    """A title without the emphasis markers that removing its tag and fields left behind:
    empty pairs go, spaces inside a pair's ends go, and a marker left alone at either end goes.
    Markers in the middle of the text (``2 * 3``, ``snake_case``) are the writer's and stay."""
    if _ANY_MARK.search(title) is None:
        return title
    before = None
    while before != title:
        before = title
        title = collapse(_drop_empty(title))
        title = _LOOSE_PAIR.sub(r"\1\2\1", title)
        title = _drop_lone_ends(_LOOSE_WHOLE.sub(r"\1\2\1", title))
    return title
