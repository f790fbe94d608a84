"""The strategies a replay compares: one registry, each entry a function from what is known on a day to
target holdings in whole shares (or ``None``: hold, place nothing).

Every strategy sees the same :class:`Decision` — the data cut at the day, the account's weights, the
model lifecycle — and its targets go through the same order pricing, simulator, costs and taxes.

- ``swingtrade``: the product's default advice (:func:`portfolio.replay.advice.default_advice_targets`,
  which follows whatever the product's default advice is);
- ``equal_weight_monthly``: 1/N over the tickers with a price, rebalanced at the first rebalance of
  each month;
- ``equal_weight_buy_hold``: 1/N once, then held;
- ``min_variance``: Ledoit-Wolf minimum variance from the optimiser, long-only, fully invested, the
  default position cap of a portfolio's risk profile;
- ``cash``: never trades.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from portfolio.replay import advice
from portfolio.replay.data import MarketData
from portfolio.replay.model import ModelLifecycle


@dataclass
class Decision:
    """What is known after the close of ``day`` when a strategy decides."""

    day: pd.Timestamp
    data: MarketData  # cut at ``day``
    shares: pd.Series  # shares held by ticker
    pmp: pd.Series  # their average cost (PMP) by ticker
    cash: float
    equity: float
    profile: advice.AdviceProfile
    lifecycle: ModelLifecycle | None = None
    tax_state: Any = None  # portfolio.tax.rules.TaxPosition of the day's year
    first: bool = False  # the strategy's first rebalance of the run
    new_month: bool = False  # the first rebalance of a calendar month

    @property
    def weights(self) -> pd.Series:
        """Current weights of equity by ticker (market value at the day's close / equity)."""
        close = self.data.raw["close"].iloc[-1].reindex(self.shares.index)
        return (self.shares * close / self.equity).fillna(0.0)


@dataclass(frozen=True)
class Strategy:
    name: str
    label: str
    targets: Callable[[Decision], pd.Series | None]
    uses_model: bool = False


def _priced(decision: Decision) -> list[str]:
    last = decision.data.panels.close.iloc[-1]
    return sorted(str(t) for t in last.index[last.notna()])


# Kept in cash so the orders' costs and the next open's moves do not leave a buy without cash.
CASH_BUFFER = 0.01


def _equal_weights(decision: Decision) -> pd.Series:
    tickers = _priced(decision)
    if not tickers:
        return pd.Series(dtype=float)
    budget = decision.equity * (1.0 - CASH_BUFFER) / len(tickers)
    close = decision.data.raw["close"].iloc[-1]
    return pd.Series({t: float(math.floor(budget / close[t])) for t in tickers})


def equal_weight_monthly(decision: Decision) -> pd.Series | None:
    return _equal_weights(decision) if decision.first or decision.new_month else None


def equal_weight_buy_hold(decision: Decision) -> pd.Series | None:
    return _equal_weights(decision) if decision.first else None


def min_variance(decision: Decision) -> pd.Series | None:
    return advice.optimiser_targets(decision, objective="min_variance", expected_returns=None)


def cash(decision: Decision) -> pd.Series | None:
    return None


def swingtrade(decision: Decision) -> pd.Series | None:
    return advice.default_advice_targets(decision)


STRATEGIES: dict[str, Strategy] = {
    s.name: s
    for s in (
        Strategy("swingtrade", "SwingTrade advice", swingtrade, uses_model=True),
        Strategy("equal_weight_monthly", "1/N monthly", equal_weight_monthly),
        Strategy("equal_weight_buy_hold", "1/N buy & hold", equal_weight_buy_hold),
        Strategy("min_variance", "Minimum variance (LW)", min_variance),
        Strategy("cash", "Cash", cash),
    )
}
BENCHMARK = "equal_weight_monthly"


def strategy(name: str) -> Strategy:
    try:
        return STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r}; use one of {', '.join(STRATEGIES)}") from None
