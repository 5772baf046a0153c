"""Dataview inline fields and Tasks-plugin emoji fields.

``[key:: value]`` and ``(key:: value)`` are a markdown-it inline rule (so code spans never hold
them); the value is tokenized too, so ``[owner:: [[Ana]]]`` is also a link. A line that holds only
``key:: value`` is a full-line field. Tasks emoji (``📅 2026-06-30``) are read from plain text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

from ..model import FIELD_ALIASES

_KEY_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_key(key: str) -> str:
    """``Business Model`` and ``business-model`` both become ``business_model``."""
    return _KEY_SEPARATORS.sub("_", key.strip().strip("*_").strip().lower())


@lru_cache(maxsize=4096)
def canonical_field(key: str) -> str | None:
    """The milestone field a key sets, or None for other keys."""
    return FIELD_ALIASES.get(normalize_key(key))


MAX_VALUE = 10_000
"""Longest inline field value read (a longer one is text), so a long line with many unclosed
``[key::`` stays linear."""
_KEY_END = re.compile(r"::|[\[\]()\n]")
"""Where an inline field's key ends: at its ``::``, or at a bracket or line break it cannot hold."""


def _scan_value(src: str, start: int, end: int, close: str) -> int:
    """Index of the bracket that closes an inline field value, or -1."""
    depth = 0
    pos = start
    end = min(end, start + MAX_VALUE)
    while pos < end:
        char = src[pos]
        if char == "\n":
            return -1
        if char == "\\":
            pos += 2
            continue
        if char in "[(":
            depth += 1
        elif char in "])":
            if depth == 0:
                return pos if char == close else -1
            depth -= 1
        pos += 1
    return -1


def _inline_field_rule(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    opener = src[pos]
    if opener not in "[(":
        return False
    key_end = _KEY_END.search(src, pos + 1, state.posMax)
    if key_end is None or key_end.group(0) != "::":
        return False
    colon = key_end.start()
    key = src[pos + 1 : colon]
    if not key.strip() or any(c in key for c in "[]()\n") or key != key.lstrip():
        return False
    close = _scan_value(src, colon + 2, state.posMax, "]" if opener == "[" else ")")
    if close < 0:
        return False
    if not silent:
        value = src[colon + 2 : close]
        token = state.push("inline_field_open", "span", 1)
        token.markup = opener
        token.meta = {"key": key.strip(), "value": value.strip(), "raw": src[pos : close + 1]}
        old_max = state.posMax
        state.pos = colon + 2
        state.posMax = close
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("inline_field_close", "span", -1)
    state.pos = close + 1
    return True


def inline_fields_plugin(md: MarkdownIt) -> None:
    """Emit ``inline_field_open``/``_close`` around Dataview ``[key:: value]`` fields."""
    md.inline.ruler.before("link", "inline_field", _inline_field_rule)
    md.inline.add_terminator_char("(")


_FULL_LINE = re.compile(r"^(?:\*\*|__)?(?P<key>[^\W_][\w \-/]*?)(?:\*\*|__)?::(?P<value>.*)$")


class FieldLine(NamedTuple):
    key: str
    value: str


_FULL_KEY = re.compile(r"(?:\*\*|__)?(?P<key>[^\W_][\w \-/]*?)(?:\*\*|__)?")
"""What ``_FULL_LINE`` matches before its ``::``."""


def full_line_field(text: str) -> FieldLine | None:
    """``key:: value`` when that is the whole (marker-less, stripped) line, else None.

    What ``_FULL_LINE`` matches, found faster: a key holds no ``:``, so its ``::`` is the
    first one of the line, and only the text before it is matched (a long line of prose that
    holds a ``::`` late no longer has the lazy key pattern try every position up to it)."""
    at = text.find("::")
    if at <= 0:
        return None
    key = _FULL_KEY.fullmatch(text, 0, at)
    if key is None:
        return None
    value = text[at + 2 :]
    if "\n" in value:  # ``.*`` stops at a line break, and ``$`` only allows a final one
        if value.find("\n") != len(value) - 1:
            return None
        value = value[:-1]
    return FieldLine(key.group("key").strip(), value.strip())


_VS = "\ufe0f?"
_ISO = r"(\d{4}-\d{2}-\d{2})"
TASKS_DATES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("due", re.compile(f"(?:📅|📆|🗓){_VS}\\s*{_ISO}")),
    ("start", re.compile(f"🛫{_VS}\\s*{_ISO}")),
    ("scheduled", re.compile(f"(?:⏳|⌛){_VS}\\s*{_ISO}")),
    ("done", re.compile(f"✅{_VS}\\s*{_ISO}")),
    ("cancelled", re.compile(f"❌{_VS}\\s*{_ISO}")),
    ("created", re.compile(f"➕{_VS}\\s*{_ISO}")),
)
TASKS_OTHER = re.compile(
    f"(?:🔺|⏫|🔼|🔽|⏬){_VS}"
    f"|🔁{_VS}\\s*[a-zA-Z0-9, !]*[a-zA-Z0-9!]"
    f"|🆔{_VS}\\s*[a-zA-Z0-9_-]+"
    f"|⛔{_VS}\\s*[a-zA-Z0-9_-]+(?:\\s*,\\s*[a-zA-Z0-9_-]+)*"
    f"|🏁{_VS}\\s*(?:keep|delete)\\b"
)
BLOCK_ID = re.compile(r"\s\^([A-Za-z0-9-]+)\s*$")


class EmojiField(NamedTuple):
    name: str
    value: str
    raw: str


PRIORITIES = {"🔺": "highest", "⏫": "high", "🔼": "medium", "🔽": "low", "⏬": "lowest"}
"""Tasks priority signifiers and the priority each one names."""
_RECURRENCE = re.compile(f"🔁{_VS}\\s*(.*)", re.DOTALL)
_IDS = re.compile(f"(🆔|⛔){_VS}\\s*(.*)", re.DOTALL)


def tasks_signifier(raw: str) -> tuple[str, str] | None:
    """(``priority``, ``recurrence``, ``id`` or ``depends``, its value) for a Tasks signifier
    that sets one."""
    priority = PRIORITIES.get(raw[:1])
    if priority is not None:
        return "priority", priority
    match = _RECURRENCE.match(raw)
    if match is not None and match.group(1).strip():
        return "recurrence", match.group(1).strip()
    ids = _IDS.match(raw)
    if ids is not None and ids.group(2).strip():
        return ("id" if ids.group(1) == "🆔" else "depends"), ids.group(2).strip()
    return None


_ANY_EMOJI = re.compile("[📅📆🗓🛫⏳⌛✅❌➕🔺⏫🔼🔽⏬🔁🆔⛔🏁]")


def has_tasks_emoji(text: str) -> bool:
    return not text.isascii() and _ANY_EMOJI.search(text) is not None


_DATE_EMOJI = {
    "📅": "due",
    "📆": "due",
    "🗓": "due",
    "🛫": "start",
    "⏳": "scheduled",
    "⌛": "scheduled",
    "✅": "done",
    "❌": "cancelled",
    "➕": "created",
}
_ANY_DATE = re.compile(f"([{''.join(_DATE_EMOJI)}]){_VS}\\s*{_ISO}")
"""Every Tasks emoji date in one pass (the same dates as ``TASKS_DATES``, found faster)."""
_RANK = {name: rank for rank, (name, _) in enumerate(TASKS_DATES)}
_NOISE_START = re.compile("[🔺⏫🔼🔽⏬🔁🆔⛔🏁]")


def tasks_fields(text: str) -> list[EmojiField]:
    """Tasks emoji dates in ``text``, wherever they stand (in the order of ``TASKS_DATES``)."""
    return emoji_dates(text) if has_tasks_emoji(text) else []


def emoji_dates(text: str) -> list[EmojiField]:
    """:func:`tasks_fields` of a text :func:`has_tasks_emoji` is known to be true of."""
    found = [
        EmojiField(_DATE_EMOJI[match.group(1)], match.group(2), match.group(0))
        for match in _ANY_DATE.finditer(text)
    ]
    if len(found) > 1:
        found.sort(key=lambda field: _RANK[field.name])
    return found


def tasks_noise(text: str) -> list[str]:
    """Tasks signifiers that are not dates (priority, recurrence, ids): removed from titles."""
    return emoji_noise(text) if has_tasks_emoji(text) else []


def emoji_noise(text: str) -> list[str]:
    """:func:`tasks_noise` of a text :func:`has_tasks_emoji` is known to be true of."""
    found: list[str] = []
    end = 0
    for start in _NOISE_START.finditer(text):
        if start.start() < end:
            continue
        match = TASKS_OTHER.match(text, start.start())
        if match is not None:
            found.append(match.group(0))
            end = match.end()
    return found
