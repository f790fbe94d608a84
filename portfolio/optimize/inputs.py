"""Inputs of the optimiser: the constraint profile, proportional cost rates and expected-return shrinkage."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from swingtrade.errors import DomainError

OBJECTIVES = ("mean_variance", "min_variance", "max_sharpe")
MAX_LEVERAGE = 10.0  # bound on any weight or exposure, in units of equity
# Profile fields that are preferences of one run rather than limits of the portfolio's risk profile.
PREFERENCE_FIELDS = ("risk_aversion", "risk_free_rate")


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
        problems = _type_problems(self)
        if problems:  # the range checks below would fail on these with Python's own words
            raise DomainError("Invalid optimisation profile: " + "; ".join(problems) + ".")
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
        if not isinstance(overrides, Mapping):
            raise DomainError("Overrides must be an object of profile fields.")
        unknown = sorted(set(overrides) - set(self.__dataclass_fields__))
        if unknown:
            raise DomainError(
                f"Unknown optimisation override(s): {', '.join(unknown)}.",
                details={"overrides": {name: ["Unknown field."] for name in unknown}},
            )
        return replace(self, **dict(overrides))

    def tightened(self, overrides: Mapping[str, Any] | None) -> OptimizationProfile:
        """This profile with a request's overrides, which may only make its limits stricter.

        The profile is the portfolio's risk profile: a request may forbid shorts, lower the position,
        gross, net-maximum, sector or turnover limits and raise the net minimum, but never loosen one;
        ``risk_aversion`` and ``risk_free_rate`` are preferences and may take any valid value. Raises
        ``DomainError`` (400) naming each loosened field and the profile's limit.
        """
        candidate = self.with_overrides(overrides)
        errors: dict[str, list[str]] = {}
        if self.long_only and not candidate.long_only:
            errors["long_only"] = ["The portfolio does not allow short positions (its profile is long-only)."]
        for name, words in (("max_weight", "position weight"), ("gross_max", "gross exposure")):
            if getattr(candidate, name) > getattr(self, name):
                errors[name] = [f"Must be at most the profile's {words} limit {getattr(self, name):g}."]
        if candidate.net_max > self.net_max:
            errors["net_max"] = [f"Must be at most the profile's net exposure limit {self.net_max:g}."]
        if candidate.net_min < self.net_min:
            errors["net_min"] = [f"Must be at least the profile's net exposure floor {self.net_min:g}."]
        if self.turnover_max is not None and (
            candidate.turnover_max is None or candidate.turnover_max > self.turnover_max
        ):
            errors["turnover_max"] = [f"Must be at most the profile's turnover limit {self.turnover_max:g}."]
        loosened = _loosened_sectors(self.sector_limit, candidate.sector_limit)
        if loosened:
            errors["sector_limit"] = [
                "Must not exceed the profile's sector limits: "
                + ", ".join(f"{s} ≤ {v:g}" if v is not None else s for s, v in loosened)
                + "."
            ]
        if errors:
            summary = " ".join(f"{name}: {messages[0]}" for name, messages in errors.items())
            raise DomainError(
                f"Overrides may only tighten the portfolio's risk profile. {summary}",
                details={"overrides": errors},
            )
        return candidate

    def sector_limit_for(self, sector: str) -> float | None:
        if isinstance(self.sector_limit, Mapping):
            value = self.sector_limit.get(sector)
            return None if value is None else float(value)
        return None if self.sector_limit is None else float(self.sector_limit)


_NUMBER_FIELDS = ("max_weight", "gross_max", "net_min", "net_max", "risk_aversion", "risk_free_rate")


def _is_number(value: Any) -> bool:
    """A finite real number; ``True``/``False`` are not numbers here, whatever Python says."""
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def _type_problems(profile: OptimizationProfile) -> list[str]:
    problems = [
        f"{name} must be a finite number" for name in _NUMBER_FIELDS if not _is_number(getattr(profile, name))
    ]
    if not isinstance(profile.long_only, bool):
        problems.append("long_only must be true or false")
    if profile.turnover_max is not None and not _is_number(profile.turnover_max):
        problems.append("turnover_max must be a finite number or null")
    limit = profile.sector_limit
    if isinstance(limit, Mapping):
        if not all(isinstance(k, str) and _is_number(v) for k, v in limit.items()):
            problems.append("sector_limit must map sector names to finite numbers")
    elif limit is not None and not _is_number(limit):
        problems.append("sector_limit must be a finite number, an object of sector limits or null")
    return problems


def _loosened_sectors(
    base: float | Mapping[str, float] | None, new: float | Mapping[str, float] | None
) -> list[tuple[str, float | None]]:
    """(sector, the profile's limit) for every sector whose limit ``new`` raises or removes.

    A scalar limits every sector; a mapping only the sectors it names (the others are unlimited).
    """
    if base is None:
        return []
    if new is None:
        return [("every sector", float(base))] if not isinstance(base, Mapping) else list(base.items())
    if isinstance(base, Mapping):
        if isinstance(new, Mapping):
            return [(s, v) for s, v in base.items() if s not in new or new[s] > v]
        return [(s, v) for s, v in base.items() if new > v]
    if isinstance(new, Mapping):
        return [("sectors not named", float(base))]  # a mapping leaves the unnamed sectors unlimited
    return [("every sector", float(base))] if new > base else []


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


def horizon_expected_returns(
    log_returns: pd.Series, *, reliability: float, model_horizon: int | None, horizon: int
) -> pd.Series:
    """Arithmetic expected returns over the portfolio's ``horizon``, shrunk by the model's reliability.

    mlcore predicts log returns over its own ``model_horizon``; log returns add over time, so they are
    rescaled to the portfolio's horizon before shrinking and converting. Used by the proposal engine
    and the optimiser alike.
    """
    log_mu = log_returns.astype(float)
    if model_horizon:
        log_mu = log_mu * (horizon / float(model_horizon))
    return np.expm1(shrink_expected_returns(log_mu, reliability))
