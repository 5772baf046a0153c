"""Notes to HTML: CommonMark and Obsidian's syntax, with links resolved the way the index does.

The parser is the index's (front matter, comments, math, wikilinks, tags, inline fields) plus
what only a reader sees: tables, footnotes, task checkboxes, callouts, ``==highlights==``, block
ids and heading anchors. Render rules take their context (the site, the note, the page) from the
``env`` markdown-it passes through, so the parser itself is shared and cached.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from ..errors import Diagnostic, warning
from ..model import Link
from ..parse.blocks import dispatch_by_first_char
from ..parse.fields import BLOCK_ID
from ..parse.markdown import obsidian_plugins
from .site import AUDIO, IMAGES, VIDEO, Site, block_anchor, extension, relative

_CALLOUT = re.compile(r"^\[!(?P<type>[A-Za-z0-9_-]+)\](?P<fold>[+-]?)[ \t]*(?P<title>.*)$")
_LONE_BLOCK = re.compile(r"^\^([A-Za-z0-9-]+)$")
_TASK = re.compile(r"^\[(?P<char>[^\]\n])\][ \t]+")
_SIZE = re.compile(r"^(?P<w>\d+)(?:x(?P<h>\d+))?$")
CALLOUT_ALIASES = {
    "summary": "abstract",
    "tldr": "abstract",
    "hint": "tip",
    "important": "tip",
    "check": "success",
    "done": "success",
    "help": "question",
    "faq": "question",
    "caution": "warning",
    "attention": "warning",
    "fail": "failure",
    "missing": "failure",
    "error": "danger",
    "cite": "quote",
}
MAX_EMBED_DEPTH = 5


@dataclass(slots=True)
class Page:
    """What the render rules need to know about the page being rendered."""

    site: Site
    source: str
    """The note whose text is being rendered (an embed renders another note's text)."""
    page: str
    """The output path of the page the HTML goes into (links are relative to it)."""
    embed: Callable[[Link, str, Page], str]
    """Renders an embed of another note, given the link, its source and this page."""
    depth: int = 0
    stack: tuple[str, ...] = ()
    """Notes (with subpaths) being embedded, to stop cycles."""
    problems: list[Diagnostic] = field(default_factory=list)
    anchors: list[str] = field(default_factory=list)
    """Heading anchors still to hand out, in order (top-level pages only)."""
    region: str | None = None
    """The managed region being rendered, if any."""
    files: set[str] = field(default_factory=set)
    """Attachments this page uses."""
    links: list[str] = field(default_factory=list)
    """Vault paths of the notes this page links to."""


def _page(env: EnvType) -> Page:
    page = env["page"]
    assert isinstance(page, Page)
    return page


# ----- extra syntax ---------------------------------------------------------------------------
def _highlight(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("==", pos) or src.startswith("===", pos):
        return False
    close = src.find("==", pos + 2, state.posMax)
    if close < 0 or close == pos + 2 or src[pos + 2].isspace() or src[close - 1].isspace():
        return False
    if not silent:
        state.push("mark_open", "mark", 1)
        old = state.posMax
        state.pos, state.posMax = pos + 2, close
        state.md.inline.tokenize(state)
        state.posMax = old
        state.push("mark_close", "mark", -1)
    state.pos = close + 2
    return True


def _callouts(state: StateCore) -> None:
    """Blockquotes whose first line is ``[!type]`` become callouts (with folding)."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "blockquote_open" or index + 2 >= len(tokens):
            continue
        inline = tokens[index + 2]
        if tokens[index + 1].type != "paragraph_open" or inline.type != "inline":
            continue
        first, _, rest = inline.content.partition("\n")
        match = _CALLOUT.match(first.strip())
        if match is None:
            continue
        kind = match.group("type").lower()
        token.meta = {
            "callout": CALLOUT_ALIASES.get(kind, kind),
            "fold": match.group("fold"),
            "title": match.group("title").strip() or kind.capitalize(),
        }
        children = inline.children or []
        cut = next(
            (i for i, c in enumerate(children) if c.type in ("softbreak", "hardbreak")),
            len(children),
        )
        inline.children = children[cut + 1 :]
        inline.content = rest
        if not rest.strip():
            tokens[index + 1].hidden = tokens[index + 3].hidden = True


def _blocks_and_tasks(state: StateCore) -> None:
    """`` ^id`` at the end of a paragraph or list item becomes its id; ``[c]`` a checkbox.
    Inside an embed the id is dropped (the embedded note's own page has it)."""
    tokens = state.tokens
    page = state.env.get("page")
    top = not isinstance(page, Page) or page.depth == 0
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        last = token.children[-1]
        owner = _block_owner(tokens, index)
        if last.type == "text" and owner is not None:
            lone = _LONE_BLOCK.match(last.content.strip()) if len(token.children) == 1 else None
            match = lone or BLOCK_ID.search(last.content)
            if match is not None:
                if top:
                    owner.attrSet("id", block_anchor(match.group(1).lower()))
                last.content = "" if lone else last.content[: match.start()]
        opener = tokens[index - 2] if index >= 2 else None
        first = token.children[0]
        if opener is not None and opener.type == "list_item_open" and first.type == "text":
            task = _TASK.match(first.content)
            if task is not None:
                first.content = first.content[task.end() :]
                box = Token("task_box", "input", 0)
                box.meta = {"char": task.group("char")}
                token.children.insert(0, box)
                opener.attrJoin("class", "task")
                opener.attrSet("data-task", task.group("char"))


def _block_owner(tokens: Sequence[Token], index: int) -> Token | None:
    if index < 1 or tokens[index - 1].type != "paragraph_open":
        return None
    if index >= 2 and tokens[index - 2].type == "list_item_open":
        return tokens[index - 2]
    return tokens[index - 1]


# ----- render rules ---------------------------------------------------------------------------
Rule = Callable[[Any, Sequence[Token], int, OptionsDict, EnvType], str]


def _wikilink(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    meta = tokens[idx].meta
    link = Link(meta["target"], meta["subpath"], meta["display"], meta["embed"], 0, meta["raw"])
    return link_html(link, _page(env))


def link_html(link: Link, page: Page, text: str | None = None) -> str:
    """The HTML of a wikilink or embed (``text`` overrides the shown text, already HTML)."""
    site = page.site
    if link.embed:
        return embed_html(link, page)
    target = site.target(link, page.source)
    shown = text if text is not None else html.escape(_display(link))
    if target.path and target.path.lower().endswith(".md"):
        page.links.append(target.path)
    if target.url is None:
        css = "mp-unpublished" if target.problem == "unpublished" else "mp-broken"
        return f'<span class="{css}">{shown}</span>'
    if target.url.startswith("files/"):
        page.files.add(target.path or "")
    return f'<a class="internal" href="{html.escape(relative(page.page, target.url))}">{shown}</a>'


def _display(link: Link) -> str:
    if link.display is not None:
        return link.display
    shown = link.target.rsplit("/", 1)[-1] if link.target else ""
    if shown.lower().endswith(".md"):
        shown = shown[:-3]
    if link.subpath:
        sub = link.subpath.replace("#", " › ")
        return f"{shown} › {sub}" if shown else sub
    return shown


def embed_html(link: Link, page: Page) -> str:
    site = page.site
    target = site.target(link, page.source)
    if target.path is None:
        return f'<span class="mp-broken">{html.escape(link.raw or link.target)}</span>'
    ext = extension(target.path)
    if not target.path.lower().endswith(".md"):
        if target.url is None:
            return f'<span class="mp-broken">{html.escape(link.raw)}</span>'
        page.files.add(target.path)
        src = html.escape(relative(page.page, target.url))
        alt = html.escape(link.target.rsplit("/", 1)[-1])
        if ext in IMAGES:
            size = _SIZE.match(link.display or "")
            dims = ""
            if size is not None:
                dims = f' width="{size.group("w")}"' + (
                    f' height="{size.group("h")}"' if size.group("h") else ""
                )
            elif link.display:
                alt = html.escape(link.display)
            return f'<img src="{src}" alt="{alt}"{dims} loading="lazy">'
        if ext in AUDIO:
            return f'<audio controls src="{src}"></audio>'
        if ext in VIDEO:
            return f'<video controls src="{src}"></video>'
        return f'<a class="internal attachment" href="{src}">{alt}</a>'
    if target.problem == "unpublished":
        return '<div class="mp-embed mp-unpublished">This embedded note is not published.</div>'
    page.links.append(target.path)
    return page.embed(link, target.path, page)


def _tag(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    page = _page(env)
    name = tokens[idx].content
    url = page.site.tag_url(name)
    return f'<a class="tag" href="{html.escape(relative(page.page, url))}">#{html.escape(name)}</a>'


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
    depth = 0
    for back in range(idx - 1, -1, -1):
        token = tokens[back]
        if token.type == "blockquote_close":
            depth += 1
        elif token.type == "blockquote_open":
            if depth == 0:
                meta = token.meta or {}
                if "callout" in meta:
                    return "</div></details>\n" if meta["fold"] else "</div></div>\n"
                break
            depth -= 1
    return "</blockquote>\n"


def _link_open(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = str(token.attrs.get("href", ""))
    page = _page(env)
    internal = _internal(href)
    if internal is not None:
        target = page.site.target(
            Link(internal[0], internal[1], None, False, 0, "", markdown=True), page.source
        )
        if target.path and target.path.lower().endswith(".md"):
            page.links.append(target.path)
        if target.url is None:
            token.attrs.pop("href", None)
            token.attrSet(
                "class", "mp-unpublished" if target.problem == "unpublished" else "mp-broken"
            )
            token.tag = "span"
        else:
            if target.url.startswith("files/") and target.path:
                page.files.add(target.path)
            token.attrSet("href", relative(page.page, target.url))
            token.attrSet("class", "internal")
    else:
        token.attrSet("rel", "noopener noreferrer")
    return str(self.renderToken(tokens, idx, options, env))


def _link_close(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    depth = 0
    for back in range(idx - 1, -1, -1):
        token = tokens[back]
        if token.type == "link_close":
            depth += 1
        elif token.type == "link_open":
            if depth == 0:
                return f"</{token.tag}>"
            depth -= 1
    return "</a>"


def _image(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    page = _page(env)
    internal = _internal(str(token.attrs.get("src", "")))
    if internal is not None:
        link = Link(internal[0], internal[1], token.content or None, True, 0, "", markdown=True)
        target = page.site.target(link, page.source)
        if target.url is None or target.path is None:
            return f'<span class="mp-broken">{html.escape(token.content or internal[0])}</span>'
        page.files.add(target.path)
        token.attrSet("src", relative(page.page, target.url))
    token.attrSet("loading", "lazy")
    return str(self.image(tokens, idx, options, env))


def _internal(href: str) -> tuple[str, str] | None:
    from urllib.parse import unquote

    if not href or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", href) or href.startswith("//"):
        return None
    target, _, sub = unquote(href).partition("#")
    return target.strip(), sub.strip()


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
    """The site's parser (``dispatch=False``: without the block dispatch, for comparing)."""
    md = obsidian_plugins(
        MarkdownIt("commonmark", {"html": True, "breaks": True, "linkify": False})
    )
    md.use(footnote_plugin)
    md.inline.ruler.before("emphasis", "highlight", _highlight)
    md.core.ruler.after("inline", "callouts", _callouts)
    md.core.ruler.after("callouts", "blocks_and_tasks", _blocks_and_tasks)
    for name, rule in RULES.items():
        md.add_render_rule(name, rule)
    return dispatch_by_first_char(md) if dispatch else md


def render_note(text: str, page: Page) -> str:
    """The HTML of a note's text (front matter hidden, comments removed), not yet sanitized."""
    where = "/".join(page.stack[1:]) or page.source
    doc_id = "mp" + hashlib.sha1(where.encode(), usedforsecurity=False).hexdigest()[:6]
    return str(html_parser().render(text, {"page": page, "docId": doc_id}))


def cycle_warning(page: Page, link: Link, target: str) -> Diagnostic:
    return warning(
        page.source,
        link.line,
        "export.embed-cycle",
        f"{link.raw} embeds {target}, which embeds this note again; shown as a link",
    )
