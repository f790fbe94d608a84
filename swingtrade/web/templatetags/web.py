"""Number formatting for the pages: one place decides how a return, a weight or an amount looks."""

from __future__ import annotations

import math
from typing import Any

from django import template

register = template.Library()


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _percent(value: Any, digits: int, sign: str) -> str:
    """At least ``digits`` decimals, more (up to 4) until two significant digits show: a model edge of
    0.00003 reads "0.0030 %", not "0.00 %"."""
    number = _number(value)
    if number is None:
        return "–"
    percent = number * 100
    decimals = int(digits)
    if percent != 0 and abs(percent) < 10 ** (1 - decimals):
        decimals = min(4, max(decimals, 1 - math.floor(math.log10(abs(percent)))))
    return f"{percent:{sign}.{decimals}f} %"


@register.filter
def pct(value: Any, digits: int = 2) -> str:
    """0.0123 → "1.23 %"; missing or NaN → "–"."""
    return _percent(value, digits, "")


@register.filter
def spct(value: Any, digits: int = 2) -> str:
    """Signed percentage: 0.0123 → "+1.23 %"."""
    return _percent(value, digits, "+")


@register.filter
def num(value: Any, digits: int = 2) -> str:
    """Thousands separators and fixed decimals: 12345.678 → "12,345.68"."""
    number = _number(value)
    return "–" if number is None else f"{number:,.{int(digits)}f}"


@register.filter
def snum(value: Any, digits: int = 2) -> str:
    number = _number(value)
    return "–" if number is None else f"{number:+,.{int(digits)}f}"


@register.filter
def sign_class(value: Any) -> str:
    """CSS class for a signed amount: "pos", "neg" or ""."""
    number = _number(value)
    if not number:
        return ""
    return "pos" if number > 0 else "neg"


@register.filter
def side_class(side: Any) -> str:
    """CSS class of a trading side: buy-like sides are green, sell/short-like red."""
    text = str(side or "").lower()
    if text in {"buy", "long", "cover", "enter_long"}:
        return "buy"
    if text in {"sell", "short", "sell_short", "sell-short", "exit", "trim", "enter_short"}:
        return "sell"
    return ""


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ row|get_item:"field" }}`` for dicts with keys templates cannot spell."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None
