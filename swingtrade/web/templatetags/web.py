"""Number, money and date formatting for the pages: one place decides how a return, an amount or a day looks.

Everything follows the active language (French by default): ``12 345,68 €`` and ``1,23 %`` in French,
``€12,345.68`` and ``1.23%`` in English; dates use the language's ``SHORT_DATE_FORMAT``
(swingtrade/formats/<lang>/formats.py), one format per language.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from market import fx
from swingtrade.formatting import _number, format_money, format_number, format_percent
from swingtrade.web import presenting

register = template.Library()


@register.filter
def pct(value: Any, digits: int = 2) -> str:
    """0.0123 → "1,23 %"; missing or NaN → "–"."""
    return format_percent(value, digits)


@register.filter
def spct(value: Any, digits: int = 2) -> str:
    """Signed percentage: 0.0123 → "+1,23 %"."""
    return format_percent(value, digits, signed=True)


@register.filter
def num(value: Any, digits: int = 2) -> str:
    """Grouped digits and fixed decimals in the active language: 12345.678 → "12 345,68"."""
    number = _number(value)
    return "–" if number is None else format_number(number, int(digits))


@register.filter
def snum(value: Any, digits: int = 2) -> str:
    number = _number(value)
    return "–" if number is None else format_number(number, int(digits), signed=True)


@register.filter
def money(value: Any, currency: str | None = None) -> str:
    """``{{ amount|money:portfolio.base_currency }}`` → "12 345,68 €"."""
    return format_money(value, currency)


@register.filter
def smoney(value: Any, currency: str | None = None) -> str:
    """Signed amount with its currency: "+1 234,00 €"."""
    return format_money(value, currency, signed=True)


@register.filter
def qty(value: Any) -> str:
    """A share quantity: whole numbers without decimals (12, not 12.000000), fractions kept."""
    number = _number(value)
    if number is None:
        return "–"
    return format_number(number, 0 if number == int(number) else 4)


@register.filter
def day(value: Any) -> str:
    """A date in the language's one short format (31/12/2021 in French, 2021-12-31 in English)."""
    if not value:
        return "–"
    return formats.date_format(value, "SHORT_DATE_FORMAT")


@register.filter
def daytime(value: Any) -> str:
    """A date and time in the language's short format."""
    if not value:
        return "–"
    return formats.date_format(value, "SHORT_DATETIME_FORMAT")


@register.filter
def sign_class(value: Any) -> str:
    """CSS class for a signed amount: "pos", "neg" or "". The sign is printed too: colour is never alone."""
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


@register.simple_tag
def days_word(count: Any) -> str:
    """ "5 jours" / "5 days", pluralised by the language's rules."""
    number = int(count or 0)
    return ngettext("%(count)d day", "%(count)d days", number) % {"count": number}


# --- orders -------------------------------------------------------------------------------------------

STATUS_WORDS = {
    "proposed": _("to decide"),
    "accepted": _("accepted: waiting for the fill"),
    "rejected": _("declined"),
    "expired": _("expired"),
    "filled": _("filled"),
}


@register.simple_tag
def countdown_of(display: presenting.ProposalDisplay) -> str:
    return presenting.countdown(display)


@register.simple_tag
def status_word(status: Any) -> str:
    return str(STATUS_WORDS.get(str(status), status))


SIDE_WORDS = {
    "buy": _("▲ Buy"),
    "sell": _("▼ Sell"),
    "short": _("▼ Sell short"),
    "cover": _("▲ Buy to cover"),
}


@register.simple_tag
def side_word(side: Any) -> str:
    """The side of a trade in words, with an arrow: the meaning is never carried by colour alone."""
    return str(SIDE_WORDS.get(str(side), side))


@register.filter
def fx_words(quote: Any) -> str:
    """An exchange rate the way the ECB publishes it: "1 € = 1,2007 $" (whichever way it converts)."""
    if quote is None:
        return "–"
    base, other, rate = quote.base, quote.quote, quote.rate
    if other == "EUR":  # the ECB quotes units of the other currency per euro
        base, other, rate = other, base, 1.0 / rate
    return f"{format_money(1, base, 0)} = {format_money(rate, other, 4)}"


# Monitoring states as the badges print them (the CSS class keeps the code).
STATE_WORDS = {"OK": _("OK"), "WARN": _("WARN"), "CRITICAL": _("CRITICAL")}


@register.filter
def state_word(state: Any) -> str:
    """A monitoring state in the reader's language ("ALERTE" for WARN in French)."""
    return str(STATE_WORDS.get(str(state), state))


FX_SOURCES = {"ECB": _("ECB"), "Yahoo": "Yahoo"}


@register.filter
def fx_source(quote: Any) -> str:
    """Who published a rate, in the reader's language ("BCE" in French)."""
    return str(FX_SOURCES.get(getattr(quote, "source", ""), getattr(quote, "source", "")))


@register.simple_tag
def trade_rate(trade: Any, base_currency: str) -> str:
    """The rate a fill was booked at and its date ("1 € = 1,2500 $, 01/03/2021"), "–" when not converted."""
    if trade.fx_rate_on is None:
        return "–"
    quote = fx.FxQuote(trade.ticker.currency, base_currency, float(trade.fx_rate), trade.fx_rate_on)
    return f"{fx_words(quote)}, {day(trade.fx_rate_on)}"


@register.simple_tag
def advice_style_measured(style: Any) -> str:
    """What an advice style has been measured to do, beside its choice (portfolio.advice.styles)."""
    from portfolio.advice.styles import measured_result

    return measured_result(str(style))
