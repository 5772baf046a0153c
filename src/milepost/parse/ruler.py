"""The one place that reaches into markdown-it's rule chains.

markdown-it-py's ``Ruler`` keeps its rules in ``__rules__`` and caches each chain in
``__cache__`` (rebuilt by ``__compile__``); ``getRules`` is what the block and inline parsers
call for a chain. Its public API can add, disable and replace rules but cannot read a rule's
function, which is what wrapping one needs. Everything here depends on those private names;
``tests/test_ruler.py`` pins their behaviour against the installed markdown-it-py, so an
upgrade that changes them fails there first, not somewhere in the parser.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from markdown_it.ruler import Ruler

Fn = Callable[..., Any]


class Rule(NamedTuple):
    name: str
    fn: Fn
    alt: tuple[str, ...]
    """The other chains the rule belongs to (block rules: ``paragraph``, ``list``, ...)."""


def enabled(ruler: Ruler[Any]) -> list[Rule]:
    """The enabled rules of ``ruler``, in the order the parser tries them."""
    return [Rule(r.name, r.fn, tuple(r.alt)) for r in ruler.__rules__ if r.enabled]


def wrap(ruler: Ruler[Any], name: str, wrapper: Callable[[Fn], Fn]) -> bool:
    """Replace rule ``name``'s function by ``wrapper(function)``; False when there is none."""
    index = ruler.__find__(name)
    if index < 0:
        return False
    rule = ruler.__rules__[index]
    rule.fn = wrapper(rule.fn)
    ruler.__compile__()
    return True


class _Chains(dict[str, list[Fn]]):
    """Chain name → functions; a chain it does not hold has none."""

    def __missing__(self, chain_name: str) -> list[Fn]:
        return []


def replace_chains(ruler: Ruler[Any], chains: dict[str, list[Fn]]) -> None:
    """Make the parser see ``chains`` (chain name → functions, ``""`` the main chain) instead
    of the rules of ``ruler``. Rules enabled or added afterwards are not seen. ``getRules``
    becomes the lookup itself (markdown-it always names the chain), with no Python call
    around it: the block parser asks for a chain at every paragraph and nested block."""
    ruler.getRules = _Chains(chains).__getitem__  # type: ignore[method-assign,assignment]


def block_state(md: Any, state: Callable[..., Any]) -> None:
    """Make ``md``'s block parser read each text with a state made by ``state`` (a
    ``StateBlock`` subclass) instead of ``StateBlock``: what ``ParserBlock.parse`` does."""
    block = md.block

    def parse(src: str, md: Any, env: Any, out: list[Any]) -> list[Any] | None:
        if not src:
            return None
        found = state(src, md, env, out)
        block.tokenize(found, found.line, found.lineMax)
        return found.tokens  # type: ignore[no-any-return]

    block.parse = parse


def inline_state(md: Any, state: Callable[..., Any]) -> None:
    """Make ``md``'s inline parser read each text with a state made by ``state`` (a
    ``StateInline`` subclass) instead of ``StateInline``: what ``ParserInline.parse`` does."""
    inline = md.inline

    def parse(src: str, md: Any, env: Any, tokens: list[Any]) -> list[Any]:
        found = state(src, md, env, tokens)
        inline.tokenize(found)
        for rule in inline.ruler2.getRules(""):
            rule(found)
        return found.tokens  # type: ignore[no-any-return]

    inline.parse = parse


def quick_options(md: Any) -> None:
    """Make ``md.options.get`` the ``get`` of the dict the options are kept in.

    ``OptionsDict.get`` is ``Mapping.get``: it calls ``__getitem__``, which raises KeyError for
    an option that was never set, and the list rule asks for one (``tasklists``) at every
    list item. Looking the option up in the dict itself gives the same values without the
    exception. Options set later (``md.options["x"] = ...``) land in that same dict."""
    options = md.options
    options.get = options._options.get
