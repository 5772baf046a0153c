"""markdown-it's inline state, pushing tokens without the dataclass constructor.

``StateInline.push`` and ``pushPending`` make each token with ``Token(...)``, whose generated
``__init__`` (default factories, ``__post_init__``) costs three times what setting the slots of a
bare token does (:func:`~milepost.parse.blockstate.new_token`). A note page's parse makes about
110 inline tokens per note. The state's lists and the tokens are the same as markdown-it's;
``tests/test_blocks.py`` compares the tokens of whole notes with those of the plain parser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from . import ruler
from .blockstate import new_token, text_token

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


class TokenState(StateInline):
    """A ``StateInline`` whose tokens are made by :func:`new_token`."""

    def pushPending(self) -> Token:
        """Flush the pending text as a text token (what ``StateInline.pushPending`` does)."""
        token = text_token(self.pending)
        token.level = self.pendingLevel
        self.tokens.append(token)
        self.pending = ""
        return token

    def push(self, ttype: str, tag: str, nesting: Literal[-1, 0, 1]) -> Token:
        """Push a new token, after any pending text (what ``StateInline.push`` does)."""
        if self.pending:
            self.pushPending()
        meta = None
        if nesting < 0:
            self.level -= 1
            self.delimiters = self._prev_delimiters.pop()
        token = new_token(ttype, tag, nesting, self.level)
        if nesting > 0:
            self.level += 1
            self._prev_delimiters.append(self.delimiters)
            self.delimiters = []
            meta = {"delimiters": self.delimiters}
        self.pendingLevel = self.level
        self.tokens.append(token)
        self.tokens_meta.append(meta)
        return token


def use_token_state(md: MarkdownIt) -> MarkdownIt:
    """Make ``md``'s inline parser read each text with a :class:`TokenState`."""
    ruler.inline_state(md, TokenState)
    return md
