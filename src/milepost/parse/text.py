"""Bytes to text, and the small text rules shared by the parser and the pages.

Decoding never fails: a byte-order mark is dropped, UTF-16 is recognised, and bytes that are not
UTF-8 are read as Windows-1252 one by one, so a mostly-UTF-8 note keeps its good characters.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
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
