"""Small builders shared by the web tests."""

from __future__ import annotations

from decimal import Decimal

from portfolio.services import portfolio_create


def portfolio_of(owner, **values):
    """A portfolio of ``owner`` with 100,000 in cash, made by the service (defaults: long-only, unlevered)."""
    values.setdefault(
        "advice_style", "signals"
    )  # the ranking's orders these page tests read (tests/advice: the default)
    return portfolio_create(owner=owner, name=values.pop("name", "Main"), cash=Decimal("100000"), **values)


def profile_post(portfolio, **changes):
    """The risk-profile form's POST data with the defaults, changed by ``changes`` (None drops a field)."""
    values = {
        "cost_profile": portfolio.cost_profile_id, "max_position_weight": "0.2", "max_gross_exposure": "1.0",
        "cash_margin": "0", "risk_per_trade": "0.01", "stop_loss_sigmas": "2", "horizon_days": "5",
        "order_validity_sessions": "3", "max_sector_weight": "0.3", "advice_style": portfolio.advice_style,
    }  # fmt: skip
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def in_french(format_function, *args, **kwargs) -> str:
    """What a page in French prints for a value (the pages' own formatting, checked in test_formatting)."""
    from django.utils import translation

    with translation.override("fr"):
        return format_function(*args, **kwargs)
