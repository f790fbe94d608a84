"""``{% portfolio_advice portfolio as block %}``: the tax state and the default advice for the page."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache

from market import clock
from portfolio.advice import default_advice
from portfolio.advice.styles import measured_result
from portfolio.models import Portfolio
from portfolio.tax_reads import tax_state
from swingtrade.errors import DomainError

register = template.Library()
CACHE_SECONDS = 600  # the advice changes with trades (updated_at is in the key) and with new bars


@register.simple_tag
def portfolio_advice(portfolio: Portfolio) -> dict[str, Any]:
    """Tax state of the year, today's default advice (or why there is none) and the style's record."""
    from market.selectors import latest_bar_date

    as_of = latest_bar_date()
    key = f"advice:{portfolio.pk}:{portfolio.updated_at.isoformat()}:{as_of}"
    advice, error = cache.get(key, (None, None))
    if advice is None and error is None and as_of is not None:
        try:
            advice = default_advice(portfolio=portfolio, as_of=as_of)
        except DomainError as exc:  # 400/422: no prices, shorts held, caps that cannot hold
            error = exc.message
        cache.set(key, (advice, error), CACHE_SECONDS)
    return {
        "tax": tax_state(portfolio, year=clock.today().year),
        "advice": advice,
        "error": error,
        "style": portfolio.get_advice_style_display(),
        "measured": measured_result(portfolio.advice_style),
    }
