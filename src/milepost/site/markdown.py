"""Notes to HTML: CommonMark and Obsidian's syntax, with links resolved the way the index does.

The parser is the index's (front matter, comments, math, wikilinks, tags, inline fields) plus
what only a reader sees: tables, footnotes, task checkboxes, callouts, ``==highlights==``, block
ids and heading anchors. Render rules take their context (the site, the note, the page) from the
``env`` markdown-it passes through, so the parser itself is shared and cached.

This module assembles the parser and holds the block render rules (regions, fields, math, tasks,
headings, callouts, fences); the page context is in :mod:`.mdpage`, the extra syntax in
:mod:`.mdsyntax`, and links and embeds in :mod:`.mdlinks`.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from ..parse.markdown import lean, obsidian_plugins
from .mdlinks import _image, _link_close, _link_open, _tag, _wikilink, embed_html, link_html
from .mdpage import MAX_EMBED_DEPTH, Page, _page, cycle_warning, matching_open
from .mdsyntax import CALLOUT_ALIASES, _blocks_and_tasks, _callouts, _highlight

__all__ = [
    "CALLOUT_ALIASES",
    "MAX_EMBED_DEPTH",
    "RULES",
    "Page",
    "Rule",
    "build_html_parser",
    "cycle_warning",
    "embed_html",
    "html_parser",
    "link_html",
    "render_note",
]

# ----- render rules ---------------------------------------------------------------------------
Rule = Callable[[Any, Sequence[Token], int, OptionsDict, EnvType], str]


def _nothing(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return ""


def _region_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    _page(env).region = tokens[idx].info
    return '<div class="mp-region">'


def _region_close(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    _page(env).region = None
    return "</div>"


def _field_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    key = html.escape(tokens[idx].meta["key"])
    return f'<span class="field"><span class="field-key">{key}</span>'


def _field_close(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</span>"


def _math_inline(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<span class="math">{html.escape(tokens[idx].content)}</span>'


def _math_block(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return f'<div class="math">{html.escape(tokens[idx].content)}</div>\n'


def _task_box(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    state = "open" if tokens[idx].meta["char"] == " " else "checked"
    return f'<span class="mp-task" data-box="{state}"></span> '


def _heading_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    page = _page(env)
    token = tokens[idx]
    if page.depth == 0 and page.region is None and page.anchors:
        token.attrSet("id", page.anchors.pop(0))
    return str(self.renderToken(tokens, idx, options, env))


def _blockquote_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    if not meta or "callout" not in meta:
        return str(self.renderToken(tokens, idx, options, env))
    kind = html.escape(meta["callout"])
    title = html.escape(meta["title"])
    fold = meta["fold"]
    if fold:
        state = "" if fold == "-" else " open"
        return (
            f'<details class="callout" data-callout="{kind}" data-callout-fold="{fold}"{state}>'
            f'<summary class="callout-title">{title}</summary><div class="callout-content">\n'
        )
    return (
        f'<div class="callout" data-callout="{kind}"><div class="callout-title">{title}</div>'
        '<div class="callout-content">\n'
    )


def _blockquote_close(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    opened = matching_open(tokens, idx, "blockquote")
    meta = (opened.meta if opened is not None else None) or {}
    if "callout" in meta:
        return "</div></details>\n" if meta["fold"] else "</div></div>\n"
    return "</blockquote>\n"


def _fence(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    info = token.info.strip().split(" ", 1)[0].lower()
    page = _page(env)
    if info == "mermaid":
        key = page.site.region_model(page.region) if page.region else None
        if key is not None:  # milepost's own chart: its SVG goes in after sanitizing
            return f'<div class="mp-chart" data-chart="{html.escape(key)}"></div>\n'

        code = html.escape(token.content)
        return (
            '<figure class="mermaid-source"><pre><code class="language-mermaid">'
            f"{code}</code></pre><figcaption>Mermaid diagram, shown as its source</figcaption>"
            "</figure>\n"
        )
    return str(self.fence(tokens, idx, options, env))


RULES: dict[str, Rule] = {
    "wikilink": _wikilink,
    "tag": _tag,
    "comment": _nothing,
    "comment_block": _nothing,
    "front_matter": _nothing,
    "milepost_region_open": _region_open,
    "milepost_region_close": _region_close,
    "inline_field_open": _field_open,
    "inline_field_close": _field_close,
    "math_inline": _math_inline,
    "math_inline_double": _math_inline,
    "math_block": _math_block,
    "math_block_label": _math_block,
    "task_box": _task_box,
    "heading_open": _heading_open,
    "blockquote_open": _blockquote_open,
    "blockquote_close": _blockquote_close,
    "link_open": _link_open,
    "link_close": _link_close,
    "image": _image,
    "fence": _fence,
}


@cache
def html_parser() -> MarkdownIt:
    """The parser that renders notes for the site (cached; one per process)."""
    return build_html_parser()


def build_html_parser(*, dispatch: bool = True) -> MarkdownIt:
    """The site's parser (``dispatch=False``: without :func:`~milepost.parse.markdown.lean`,
    for comparing)."""
    md = obsidian_plugins(
        MarkdownIt("commonmark", {"html": True, "breaks": True, "linkify": False})
    )
    md.use(footnote_plugin)
    md.inline.ruler.before("emphasis", "highlight", _highlight)
    md.core.ruler.after("inline", "callouts", _callouts)
    md.core.ruler.after("callouts", "blocks_and_tasks", _blocks_and_tasks)
    for name, rule in RULES.items():
        md.add_render_rule(name, rule)
    return lean(md) if dispatch else md


def render_note(text: str, page: Page) -> str:
    """The HTML of a note's text (front matter hidden, comments removed), not yet sanitized."""
    where = "/".join(page.stack[1:]) or page.source
    doc_id = "mp" + hashlib.sha1(where.encode(), usedforsecurity=False).hexdigest()[:6]
    return str(html_parser().render(text, {"page": page, "docId": doc_id}))
