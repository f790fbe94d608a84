"""Inputs of the optimiser: the constraint profile, proportional cost rates and expected-return shrinkage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from swingtrade.errors import DomainError

OBJECTIVES = ("mean_variance", "min_variance", "max_sharpe")


@dataclass(frozen=True)
class OptimizationProfile:
    """Constraints and preferences of one optimisation, all in weights of equity (1.0 = 100 %).

    Attributes
    ----------
    max_weight : float
        Bound on |w_i| for every position.
    gross_max : float
        Bound on Σ|w_i| (leverage). For long-only it is the same as the net upper bound.
    net_min, net_max : float
        Bounds on Σw_i (net exposure). ``cash ≥ 0`` is imposed on top: Σw_i + trade costs ≤ 1.
    long_only : bool
        Forbid short weights.
    sector_limit : float | Mapping[str, float] | None
        Bound on |Σ_{i∈s} w_i| (net exposure of each sector), one value for all sectors or per sector.
    turnover_max : float | None
        Bound on Σ|w_i − w0_i|.
    risk_aversion : float
        λ in μ'w − λ w'Σw (horizon units).
    risk_free_rate : float
        Return of cash over the horizon, used by the maximum-Sharpe objective.
    """

    max_weight: float = 0.10
    gross_max: float = 1.0
    net_min: float = 0.0
    net_max: float = 1.0
    long_only: bool = True
    sector_limit: float | Mapping[str, float] | None = None
    turnover_max: float | None = None
    risk_aversion: float = 5.0
    risk_free_rate: float = 0.0

    def __post_init__(self) -> None:
        problems = []
        if not 0 < self.max_weight <= 10:
            problems.append("max_weight must be in (0, 10]")
        if not 0 < self.gross_max <= 10:
            problems.append("gross_max must be in (0, 10]")
        if self.net_min > self.net_max:
            problems.append("net_min must not exceed net_max")
        if self.long_only and self.net_min < 0:
            problems.append("net_min must be ≥ 0 for a long-only profile")
        if self.turnover_max is not None and self.turnover_max < 0:
            problems.append("turnover_max must be ≥ 0")
        if self.risk_aversion < 0:
            problems.append("risk_aversion must be ≥ 0")
        limits = self.sector_limit.values() if isinstance(self.sector_limit, Mapping) else [self.sector_limit]
        if any(v is not None and v < 0 for v in limits):
            problems.append("sector limits must be ≥ 0")
        if problems:
            raise DomainError("Invalid optimisation profile: " + "; ".join(problems) + ".")

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> OptimizationProfile:
        """A copy with some fields replaced; unknown names are a 400, not silently ignored."""
        if not overrides:
            return self
        unknown = sorted(set(overrides) - set(self.__dataclass_fields__))
        if unknown:
            raise DomainError(f"Unknown optimisation override(s): {', '.join(unknown)}.")
        return replace(self, **dict(overrides))

    def sector_limit_for(self, sector: str) -> float | None:
        if isinstance(self.sector_limit, Mapping):
            value = self.sector_limit.get(sector)
            return None if value is None else float(value)
        return None if self.sector_limit is None else float(self.sector_limit)


@dataclass(frozen=True)
class CostRates:
    """Proportional costs over the horizon, per unit of weight traded or held short.

    ``buy`` is paid on every unit of |w − w0| bought (commission %, half-spread, transaction tax on
    purchases), ``sell`` on every unit sold, ``borrow`` on every unit of short weight held over the horizon.
    Each is a scalar or a Series by ticker; ``portfolio.costs`` is the only place that computes them.
    """

    buy: float | pd.Series = 0.0
    sell: float | pd.Series = 0.0
    borrow: float | pd.Series = 0.0
    notes: dict[str, Any] = field(default_factory=dict)

    def vectors(self, tickers: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(buy, sell, borrow) aligned to ``tickers``; a ticker missing from a Series is an error."""
        return tuple(_aligned(getattr(self, name), tickers, name) for name in ("buy", "sell", "borrow"))  # type: ignore[return-value]

    @classmethod
    def from_cost_model(
        cls,
        model: Any,
        *,
        sigma_daily: pd.Series,
        trade_notional: float | pd.Series,
        horizon_days: int,
        exchanges: Mapping[str, str | None] | None = None,
    ) -> CostRates:
        """Rates from a ``portfolio.costs.CostModel``: the numbers all come from ``portfolio.costs``.

        ``sigma_daily`` (index ticker) sets the spread; ``trade_notional`` turns the fixed commission into
        a rate; the transaction tax applies to purchases where ``costs.ftt_applies`` says so; borrow is the
        daily fee times the horizon.
        """
        from portfolio import costs

        tickers = [str(t) for t in sigma_daily.index]
        notional = (
            trade_notional.reindex(tickers).to_numpy(dtype=float)
            if isinstance(trade_notional, pd.Series)
            else float(trade_notional)
        )
        mask = np.array([costs.ftt_applies(model, t, (exchanges or {}).get(t)) for t in tickers], dtype=bool)
        buy, sell = costs.turnover_cost_rates(
            model, sigma_daily=sigma_daily.to_numpy(dtype=float), trade_notional=notional, ftt_mask=mask
        )
        borrow = costs.borrow_rate_per_day(model) * horizon_days
        return cls(
            buy=pd.Series(buy, index=tickers),
            sell=pd.Series(sell, index=tickers),
            borrow=borrow,
            notes={"cost_model": getattr(model, "name", "custom"), "horizon_days": horizon_days},
        )

    def scaled(self, factor: float) -> CostRates:
        return CostRates(
            buy=self.buy * factor, sell=self.sell * factor, borrow=self.borrow * factor, notes=self.notes
        )


def _aligned(value: float | pd.Series, tickers: list[str], name: str) -> np.ndarray:
    if isinstance(value, pd.Series):
        missing = [t for t in tickers if t not in value.index]
        if missing:
            raise DomainError(f"No {name} cost rate for {', '.join(missing[:5])}.")
        array = value.reindex(tickers).to_numpy(dtype=float)
    else:
        array = np.full(len(tickers), float(value))
    if np.any(~np.isfinite(array)) or np.any(array < 0):
        raise DomainError(f"The {name} cost rates must be finite and ≥ 0.")
    return array


def shrink_expected_returns(expected_returns: pd.Series, reliability: float) -> pd.Series:
    """Expected returns shrunk toward zero by the model's measured reliability in [0, 1].

    ``μ_used = reliability × μ_model``: a model with no demonstrated skill (reliability 0) contributes
    nothing and the optimiser falls back to pure risk control; NaN predictions become 0 (no view).
    """
    if not 0.0 <= reliability <= 1.0 or not np.isfinite(reliability):
        raise DomainError("Reliability must be a number in [0, 1].")
    return expected_returns.astype(float).fillna(0.0) * float(reliability)
