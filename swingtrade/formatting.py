"""How numbers, percentages and amounts look in the active language (French by default).

``12 345,68 €`` and ``1,23 %`` in French, ``€12,345.68`` and ``1.23%`` in English. The pages' template filters
(swingtrade/web/templatetags/web.py) and sentences (swingtrade/web/presenting.py), and the daily digest's
e-mail (portfolio/digest.py), use these and nothing else: core, so every layer may.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils import formats, translation

# The symbol printed after (French) or before (English) an amount; unknown codes print the code itself.
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "CHF": "CHF", "JPY": "¥"}
NARROW_NBSP = "\u202f"


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _is_french() -> bool:
    return (translation.get_language() or "fr").startswith("fr")


def format_number(number: float, decimals: int, *, signed: bool = False) -> str:
    """``number`` with the language's separators; ``signed`` prints "+" too. Rounds to zero unsigned."""
    rounded = round(number, decimals)
    text = formats.number_format(abs(rounded), decimal_pos=decimals, use_l10n=True, force_grouping=True)
    if rounded < 0:
        return "-" + text
    return ("+" + text) if signed and rounded > 0 else text


def format_percent(value: Any, digits: int = 2, *, signed: bool = False) -> str:
    """At least ``digits`` decimals, more (up to 4) until two significant digits show: a model edge of
    0.00003 reads "0,0030 %", not "0,00 %"."""
    number = _number(value)
    if number is None:
        return "–"
    percent = number * 100
    decimals = int(digits)
    if percent != 0 and abs(percent) < 10 ** (1 - decimals):
        decimals = min(4, max(decimals, 1 - math.floor(math.log10(abs(percent)))))
    text = format_number(percent, decimals, signed=signed)
    return f"{text}{NARROW_NBSP}%" if _is_french() else f"{text}%"


def format_money(value: Any, currency: str | None, digits: int = 2, *, signed: bool = False) -> str:
    """``12 345,68 €`` (French) or ``€12,345.68`` (English); a missing currency prints the bare number."""
    number = _number(value)
    if number is None:
        return "–"
    text = format_number(number, digits, signed=signed)
    if not currency:
        return text
    symbol = CURRENCY_SYMBOLS.get(currency.upper(), currency.upper())
    if _is_french() or len(symbol) > 1:
        return f"{text}\xa0{symbol}"
    sign = text[0] if text[:1] in {"+", "-"} else ""
    return f"{sign}{symbol}{text[len(sign) :]}"
