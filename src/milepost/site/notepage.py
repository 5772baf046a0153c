"""A note's page of the site, rendered from a :class:`~.kit.Kit` (here or in a worker process).

The page is the note's text as sanitized HTML in the site's template, with its tags and
backlinks, and its entry in the search index. Embeds render the part of the other note they
show, inside the page, with cycles and depth stopped.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

from ..config import Config
from ..errors import Diagnostic
from ..model import Link
from ..parse.text import decode, repair_mojibake
from ..render.env import environment, template_errors
from .kit import Kit, KitSite
from .markdown import render_note
from .mdpage import MAX_EMBED_DEPTH, Page, cycle_warning
from .pages import SEARCH_TEXT, html_text, plain, search_json
from .plain import NOTICE, PLAIN_BODY, fill
from .sanitize import finish, sanitize
from .sections import section
from .shape import heading_anchors, relative
from .writer import Output, Placed


@dataclass(slots=True)
class NoteResult:
    """A note's page and what it drew on, kept so an update can reuse it."""

    output: Output | None
    """The page, until it is written."""
    placed: Placed | None
    """The page, once written."""
    search: bytes
    """Its entry in the search index."""
    files: set[str]
    problems: list[Diagnostic]
    links: set[str]
    """The notes it links to or embeds."""


def page_html(
    template: str,
    page: str,
    title: str,
    *,
    env: jinja2.Environment,
    config: Config,
    today: object,
    **context: Any,
) -> bytes:
    """A page of the site from its template (``page``: its path in the site)."""
    with template_errors(config):
        markup = env.get_template(f"site/{template}").render(
            _site_context(page, title, config, today, context)
        )
    return markup.encode("utf-8")


def _site_context(
    page: str, title: str, config: Config, today: object, context: dict[str, Any]
) -> dict[str, Any]:
    """What every template of the site is given, besides the page's own ``context``."""
    return {
        "page": page,
        "root": "../" * page.count("/"),
        "title": title,
        "today": today,
        "site_title": config.vault.name,
        "config_outputs": config.outputs,
        **context,
    }


KEPT_TEXTS = 64
"""How many embedded notes' texts a renderer keeps (few are embedded twice; at 10,000 notes,
keeping all of them was tens of megabytes in every process that renders pages)."""


PIECE = 1 << 16
"""About how many characters of a page :func:`page_pieces` hands on at a time."""


def page_pieces(
    template: str,
    page: str,
    title: str,
    *,
    env: jinja2.Environment,
    config: Config,
    today: object,
    **context: Any,
) -> Iterator[bytes]:
    """:func:`page_html`'s bytes piece by piece, so that a large page (a roadmap of thousands
    of milestones is megabytes) is never held whole, nor the many strings it is joined from."""
    with template_errors(config):
        stream = env.get_template(f"site/{template}").generate(
            _site_context(page, title, config, today, context)
        )
        batch: list[str] = []
        size = 0
        for text in stream:
            batch.append(text)
            size += len(text)
            if size >= PIECE:
                yield "".join(batch).encode("utf-8")
                batch, size = [], 0
        yield "".join(batch).encode("utf-8")


class NoteRenderer:
    """Renders note pages from a kit; keeps the text of notes that are embedded."""

    def __init__(self, kit: Kit, env: jinja2.Environment | None = None) -> None:
        self.kit = kit
        self.site = KitSite(kit)
        self.env = env if env is not None else environment(kit.config)
        self.texts: dict[str, str] = {}

    def text(self, path: str, *, keep: bool = True) -> str:
        """The text of note ``path``; ``keep``: remember it (notes that are embedded), among
        the :data:`KEPT_TEXTS` asked for last."""
        cached = self.texts.pop(path, None)
        found = cached is not None
        if cached is None:
            try:
                cached = repair_mojibake(decode((self.kit.config.vault / path).read_bytes()).text)
            except OSError:
                cached = ""
        if keep or found:
            self.texts[path] = cached  # the last one asked for
            if len(self.texts) > KEPT_TEXTS:
                del self.texts[next(iter(self.texts))]
        return cached

    def embed(self, link: Link, target: str, page: Page) -> str:
        key = f"{target}#{link.subpath}"
        if key in page.stack or (target == page.source and not link.subpath):
            facts = self.kit.facts.get(page.source)
            line = facts.embeds.get(link.raw, 0) if facts is not None else 0
            page.problems.append(
                cycle_warning(
                    page, Link(link.target, link.subpath, None, True, line, link.raw), target
                )
            )
            url = self.site.note_urls.get(target)
            href = relative(page.page, url) if url else "#"
            return f'<a class="internal" href="{html.escape(href)}">{html.escape(link.raw)}</a>'
        if page.depth >= MAX_EMBED_DEPTH:
            return f'<span class="mp-broken">{html.escape(link.raw)}</span>'
        facts = self.kit.facts[target]
        if facts.large:
            return f'<div class="mp-embed">{html.escape(link.raw)}: {NOTICE}</div>'
        text = section(self.text(target), facts, link.subpath)
        child = Page(
            self.site,
            target,
            page.page,
            self.embed,
            page.depth + 1,
            (*page.stack, key),
            page.problems,
        )
        body = render_note(text, child)
        page.files |= child.files
        title = self.site.note_title(target) + (f" › {link.subpath}" if link.subpath else "")
        url = self.site.note_urls.get(target, "")
        return (
            f'<div class="mp-embed"><div class="mp-embed-title"><a class="internal" '
            f'href="{html.escape(relative(page.page, url))}">{html.escape(title)}</a></div>'
            f"{body}</div>"
        )

    def search_entry(self, path: str, text: str) -> bytes:
        """The search index's entry for note ``path`` whose page shows ``text``."""
        facts = self.kit.facts[path]
        return search_json(
            {
                "t": self.site.note_title(path),
                "u": self.site.note_urls[path],
                "h": [repair_mojibake(plain(h.text)) for h in facts.headings],
                "g": sorted(set(facts.tags)),
                "x": text[:SEARCH_TEXT],
            }
        )

    def note_page(self, path: str, backlinks: list[str]) -> NoteResult:
        kit, site = self.kit, self.site
        url = site.note_urls[path]
        facts = kit.facts[path]
        anchors = heading_anchors(facts)
        page = Page(site, path, url, self.embed, anchors=anchors, stack=(f"{path}#",))
        body: Markup
        if facts.large:  # over max_note_mb: its text as it is, not rendered (see .plain)
            body = Markup(PLAIN_BODY)
        else:
            body = finish(sanitize(render_note(self.text(path, keep=False), page)), site.charts)
        links = [
            {"name": site.note_title(p), "url": relative(url, site.note_urls[p])} for p in backlinks
        ]
        tags = sorted(set(facts.tags), key=str.lower)
        data = page_html(
            "note.html.j2",
            url,
            repair_mojibake(site.note_title(path)),
            env=self.env,
            config=kit.config,
            today=kit.today,
            body=body,
            backlinks=links,
            tags=[{"name": t, "url": relative(url, site.tag_url(t))} for t in tags],
            source=path,
        )
        if facts.large:
            data, start = fill(data, kit.config.vault / path)
            text = start[:SEARCH_TEXT]
        else:
            text = html_text(body)
        return NoteResult(
            Output(url, data, path),
            None,
            self.search_entry(path, text),
            page.files,
            page.problems,
            set(page.links),
        )
