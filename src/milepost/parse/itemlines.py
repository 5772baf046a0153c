"""What a line of a note gives the item it opens or belongs to, and the text it leaves.

Inline ``key:: value`` fields and Tasks emoji (dates, priority, recurrence; an id and its
dependencies only at the end of the item's own line) move into the :class:`ItemDraft` and out of
the text; a line that is all one field is a field; an opening line gives the item its title,
without its checkbox and marker tag, and the status parenthetical that ends it.
"""

from __future__ import annotations

from .dependencies import at_line_end
from .fields import (
    BLOCK_ID,
    emoji_dates,
    emoji_noise,
    full_line_field,
    has_tasks_emoji,
    tasks_signifier,
)
from .items import ItemDraft
from .lines import CHECKBOX, Line, Marker, plain_text
from .tags import TAG_BODY
from .text import collapse, drop_symbol_prefix, remove_first, tidy_emphasis
from .vocabulary import status_parenthetical


def field_line(line: Line, text: str) -> tuple[str, str] | None:
    if not line.tokens or line.tokens[0].type != "text" or "::" not in line.tokens[0].content:
        return None
    found = full_line_field(text)
    return (found.key, found.value) if found is not None else None


def _remove_marker(title: str, marker: Marker) -> str:
    if marker.glued and title.startswith(marker.glued):
        return title[len(marker.glued) :]
    needle = "#" + marker.tag
    start = 0
    while True:
        at = title.find(needle, start)
        if at < 0:
            return title
        after = at + len(needle)
        clean_end = after == len(title) or TAG_BODY.match(title, after) is None
        clean_start = at == 0 or title[at - 1] in " \t*_~="
        if clean_start and clean_end:
            return title[:at] + " " + title[after:]
        start = after


def take_title(draft: ItemDraft, line: Line, marker: Marker, box: str | None, text: str) -> None:
    """Give the draft the title of its opening line's ``text`` (without its checkbox, marker
    tag, fields and Tasks emoji) and the status parenthetical that ends it."""
    title = CHECKBOX.sub("", text, count=1) if box is not None else text
    title = _remove_marker(title, marker)
    title = tidy_emphasis(collapse(take_fields(draft, line, title)))
    paren = status_parenthetical(title)
    if paren is not None:
        draft.paren = paren
        title = tidy_emphasis(collapse(title[: title.rfind(paren.raw)]))
    draft.title = drop_symbol_prefix(title)  # collapsed and tidied: doing it again keeps it


def take_fields(draft: ItemDraft, line: Line, text: str, *, own: bool = True) -> str:
    """Move a line's inline fields and Tasks emoji into the draft; return the rest."""
    raws = []
    for token in line.tokens:
        if token.type == "inline_field_open":
            meta = token.meta
            draft.fields.append((meta["key"], meta["value"], line.number))
            raws.append(meta["raw"])
    if raws:
        text = remove_first(text, raws)
    if not line.raw.isascii():  # Tasks emoji are not ASCII, and the tokens hold the line's text
        text = take_emoji(draft, plain_text(line.tokens), text, line.number, own=own)
    return BLOCK_ID.sub("", text) if "^" in text else text


def take_emoji(draft: ItemDraft, plain: str, text: str, number: int, *, own: bool = True) -> str:
    """Move the Tasks emoji dates of ``plain`` into the draft; drop them and other Tasks
    signifiers from ``text`` (``own``: ids and dependencies are the item's own too)."""
    if not has_tasks_emoji(plain):  # most lines: no emoji, nothing to take or drop
        return text
    raws = []
    for emoji in emoji_dates(plain):
        draft.emoji.append((emoji.name, emoji.value, number))
        raws.append(emoji.raw)
    noises = emoji_noise(plain)
    for noise in noises:
        signified = tasks_signifier(noise)
        if signified is not None and (
            signified[0] not in ("id", "depends")
            or (own and at_line_end(plain, noise, [*raws, *noises]))
        ):
            draft.emoji.append((*signified, number))
        raws.append(noise)
    return remove_first(text, raws)
