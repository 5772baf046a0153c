"""Budgets as founders write them: ``$1,000/month``, ``€15k``, ``12000 EUR``, ``2.5M USD``.

The text is always kept; amount, currency and period are read when they can be.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from ..model import Budget

_PERIODS = {
    "day": "day",
    "daily": "day",
    "d": "day",
    "week": "week",
    "weekly": "week",
    "wk": "week",
    "w": "week",
    "month": "month",
    "monthly": "month",
    "mo": "month",
    "mth": "month",
    "m": "month",
    "quarter": "quarter",
    "quarterly": "quarter",
    "q": "quarter",
    "qtr": "quarter",
    "year": "year",
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "yr": "year",
    "y": "year",
    "annum": "year",
}
_MULTIPLIERS = {"k": 1_000, "m": 1_000_000, "mm": 1_000_000, "mn": 1_000_000, "b": 1_000_000_000}
_MULTIPLIERS |= {"bn": 1_000_000_000, "thousand": 1_000, "million": 1_000_000}
_MULTIPLIERS |= {"billion": 1_000_000_000}

_NUMBER = r"(?P<number>\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)"
_MULT = r"(?:\s?(?P<mult>k|mm|mn|m|bn|b|thousand|million|billion)\b)?"
_PERIOD = (
    r"(?:\s*(?:/|per\s+|a\s+|an\s+|each\s+|every\s+)\s*(?P<per>[a-z]+)"
    r"|\s+(?P<adverb>daily|weekly|monthly|quarterly|yearly|annually|annual))?"
)


@lru_cache(maxsize=16)
def _pattern(key: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    symbol = "|".join(re.escape(s) for s, _ in sorted(key, key=lambda kv: len(kv[0]), reverse=True))
    return re.compile(
        rf"^(?P<pre>{symbol})?\s?(?P<pre_code>(?-i:[A-Z]{{3}})\s)?\s*{_NUMBER}{_MULT}"
        rf"(?:\s?(?P<post>{symbol}|(?-i:[A-Z]{{3}})\b))?{_PERIOD}(?P<rest>.*)$",
        re.IGNORECASE,
    )


_KEYS: dict[int, tuple[Mapping[str, str], tuple[tuple[str, str], ...]]] = {}


def _key(currencies: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """A hashable key for a currency table (remembered per table object: it is the config's)."""
    known = _KEYS.get(id(currencies))
    if known is not None and known[0] is currencies:
        return known[1]
    key = tuple(sorted(currencies.items()))
    _KEYS[id(currencies)] = (currencies, key)
    return key


def parse_budget(text: str, currencies: Mapping[str, str]) -> Budget:
    """Read a budget; unreadable parts are None, the text is kept as written."""
    return _parse(" ".join(text.split()), _key(currencies))


@lru_cache(maxsize=4096)
def _parse(written: str, key: tuple[tuple[str, str], ...]) -> Budget:
    currencies = dict(key)
    match = _pattern(key).match(written)
    if match is None:
        return Budget(written, None, None, None)
    number = re.sub(r"[,\u00a0\u202f ]", "", match.group("number"))
    value = float(number)
    mult = (match.group("mult") or "").lower()
    if mult:
        value *= _MULTIPLIERS[mult]
    amount: int | float = int(value) if value.is_integer() else round(value, 2)
    currency = _currency(match, currencies)
    period = None
    per = (match.group("per") or match.group("adverb") or "").lower()
    if per:
        period = _PERIODS.get(per) or _PERIODS.get(per.rstrip("s"))
        if period is None:
            return Budget(written, amount, currency, None)
    return Budget(written, amount, currency, period)


def _currency(match: re.Match[str], currencies: Mapping[str, str]) -> str | None:
    for group in ("pre", "pre_code", "post"):
        found = (match.group(group) or "").strip()
        if not found:
            continue
        if found in currencies:
            return currencies[found]
        upper = found.upper()
        if upper in currencies:
            return currencies[upper]
        if len(found) == 3 and found.isalpha() and found.isupper():
            return found
    return None
