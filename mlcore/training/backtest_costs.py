"""The costs a walk-forward backtest charges, supplied by the app that owns costs.

mlcore sits below portfolio (core ← market ← mlcore ← portfolio ← web, ``.importlinter``), so it cannot
import ``portfolio.costs``, the one home of fees and taxes. Instead portfolio registers its rule here in
``PortfolioConfig.ready`` — the way apps register health checks — and mlcore asks for rates by preset name.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from django.core.exceptions import ImproperlyConfigured

# (preset name, daily volatility per ticker, notional of one order) -> (cost per unit of turnover,
# borrow per day per unit of short weight). Raises KeyError for an unknown preset.
CostRates = Callable[[str, np.ndarray, float], tuple[float, float]]

_cost_rates: CostRates | None = None


def register(cost_rates: CostRates) -> None:
    global _cost_rates
    _cost_rates = cost_rates


def rates(preset: str, *, sigma_daily: np.ndarray, trade_notional: float) -> tuple[float, float]:
    """Cost per unit of turnover and borrow per day of the cost preset ``preset``."""
    if _cost_rates is None:
        raise ImproperlyConfigured(
            "no backtest cost rule is registered: the portfolio app (which owns costs) is not installed; "
            "set MLCORE_COST_PER_TURNOVER to train without it."
        )
    try:
        return _cost_rates(preset, sigma_daily, trade_notional)
    except KeyError:
        raise ImproperlyConfigured(
            f"MLCORE_BACKTEST_COST_PRESET {preset!r} is not a cost preset of portfolio.costs"
        )
