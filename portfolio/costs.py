"""Every trading cost and tax, in one place: orders, the optimiser and backtests all call this module.

Pure functions and a frozen dataclass; no ORM. ``portfolio.models.CostProfile`` stores the same fields and
turns itself into a :class:`CostModel` with ``as_cost_model()``.

Units: prices and money in the portfolio's base currency, rates as fractions (0.001 = 10 bp), volatility as a
daily standard deviation of log returns, horizons in trading days (252 a year).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

TRADING_DAYS_PER_YEAR = 252

BUY = "buy"
SELL = "sell"
SHORT = "short"
COVER = "cover"
SIDES = (BUY, SELL, SHORT, COVER)
# Orders that buy shares (pay a transaction tax where it applies) and orders that sell them.
BUYING_SIDES = frozenset({BUY, COVER})
SELLING_SIDES = frozenset({SELL, SHORT})


@dataclass(frozen=True)
class CostModel:
    """What one broker account and one tax regime charge.

    Parameters
    ----------
    commission_fixed : float
        Flat fee per order (money).
    commission_rate : float
        Fee as a fraction of the order's notional.
    commission_min, commission_max : float, float | None
        Bounds on the total commission of one order (``None``: no maximum).
    half_spread_vol_fraction : float
        Half the bid-ask spread plus slippage of a marketable order, as a fraction of the ticker's daily
        volatility (wider spreads go with more volatile names).
    half_spread_floor : float
        Lower bound on that half-spread (fraction of price), e.g. one tick on a liquid large cap.
    ftt_rate : float
        Financial transaction tax on purchases, fraction of the purchase notional.
    ftt_tickers, ftt_exchanges : frozenset[str]
        Where the tax applies: the tickers named (e.g. the yearly list of French companies above EUR 1 bn
        of market capitalisation) or every ticker of the exchanges named (MIC codes, e.g. ``XPAR``).
    borrow_rate_annual : float
        Fee for borrowing shares sold short, a fraction of the short notional per year.
    capital_gains_rate : float
        Flat tax on net realised gains of the calendar year (France's PFU: 30 %).
    """

    name: str = "custom"
    commission_fixed: float = 0.0
    commission_rate: float = 0.0
    commission_min: float = 0.0
    commission_max: float | None = None
    half_spread_vol_fraction: float = 0.02
    half_spread_floor: float = 0.0001
    ftt_rate: float = 0.0
    ftt_tickers: frozenset[str] = field(default_factory=frozenset)
    ftt_exchanges: frozenset[str] = field(default_factory=frozenset)
    borrow_rate_annual: float = 0.0
    capital_gains_rate: float = 0.30

    def __post_init__(self) -> None:
        for name in (
            "commission_fixed",
            "commission_rate",
            "commission_min",
            "half_spread_vol_fraction",
            "half_spread_floor",
            "ftt_rate",
            "borrow_rate_annual",
            "capital_gains_rate",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.commission_max is not None and self.commission_max < self.commission_min:
            raise ValueError("commission_max must be at least commission_min")
        if self.capital_gains_rate >= 1 or self.ftt_rate >= 1 or self.commission_rate >= 1:
            raise ValueError("rates are fractions below 1")

    def with_changes(self, **changes: Any) -> CostModel:
        return replace(self, **changes)


# Presets: illustrative schedules to start from; each portfolio edits its own copy (CostProfile rows).
FRENCH_ONLINE_BROKER = CostModel(
    name="French online broker",
    commission_fixed=0.0,
    commission_rate=0.001,  # 0.10 % of notional ...
    commission_min=1.99,  # ... at least EUR 1.99 ...
    commission_max=15.0,  # ... capped on large orders (tiered online brokers)
    half_spread_vol_fraction=0.02,
    half_spread_floor=0.0001,
    ftt_rate=0.003,  # France's taxe sur les transactions financieres (TTF), purchases only
    ftt_exchanges=frozenset({"XPAR"}),  # narrow to the yearly large-cap list with ftt_tickers when known
    borrow_rate_annual=0.03,
    capital_gains_rate=0.30,  # prelevement forfaitaire unique: 12.8 % income tax + 17.2 % social charges
)
ZERO_COMMISSION_BROKER = CostModel(
    name="Zero-commission broker",
    commission_fixed=0.0,
    commission_rate=0.0,
    commission_min=0.0,
    commission_max=None,
    half_spread_vol_fraction=0.03,  # paid for by order flow: fills a little worse than the quote
    half_spread_floor=0.0002,
    ftt_rate=0.0,
    borrow_rate_annual=0.03,
    capital_gains_rate=0.30,
)
PRESETS: dict[str, CostModel] = {
    "french-online": FRENCH_ONLINE_BROKER,
    "zero-commission": ZERO_COMMISSION_BROKER,
}


# --- Per-order costs ---------------------------------------------------------------------------------


def commission(model: CostModel, notional: float | np.ndarray) -> float | np.ndarray:
    """Broker commission of one order of ``notional`` (absolute money amount); zero for no trade."""
    notional = np.abs(np.asarray(notional, dtype=float))
    fee = model.commission_fixed + model.commission_rate * notional
    fee = np.maximum(fee, model.commission_min)
    if model.commission_max is not None:
        fee = np.minimum(fee, model.commission_max)
    fee = np.where(notional > 0, fee, 0.0)
    return float(fee) if fee.ndim == 0 else fee


def half_spread(model: CostModel, sigma_daily: float | np.ndarray) -> float | np.ndarray:
    """Expected cost of crossing the spread (plus slippage) as a fraction of price, per side."""
    sigma = np.nan_to_num(np.asarray(sigma_daily, dtype=float), nan=0.0)
    value = np.maximum(model.half_spread_vol_fraction * sigma, model.half_spread_floor)
    return float(value) if value.ndim == 0 else value


def ftt_applies(model: CostModel, ticker: str, exchange: str | None = None) -> bool:
    """Whether the financial transaction tax covers purchases of ``ticker``."""
    if model.ftt_rate <= 0:
        return False
    return ticker in model.ftt_tickers or (exchange is not None and exchange in model.ftt_exchanges)


def ftt_rate_on(model: CostModel, on: dt.date | None) -> float:
    """The transaction-tax rate of a purchase on ``on``.

    The profile says whether the French FTT applies (``ftt_rate`` > 0, on its tickers/exchanges); the rate
    is the law's in force that day (``portfolio.tax.rates``: 0.3 % until 2025-03-31, 0.4 % from
    2025-04-01). Without a date (a what-if with no day), the profile's own number.
    """
    if model.ftt_rate <= 0 or on is None:
        return model.ftt_rate
    from portfolio.tax import rates

    return rates.ftt_rate(on)


def capital_gains_rate_on(model: CostModel, on: dt.date | None) -> float:
    """The flat tax on gains realised on ``on``: the law's PFU of that year when the profile is taxed
    (``capital_gains_rate`` > 0; 0 is a tax-free wrapper), the profile's own number without a date."""
    if on is None:
        return model.capital_gains_rate
    from portfolio.tax import rates

    return rates.capital_gains_rate(model.capital_gains_rate, on)


def transaction_tax(
    model: CostModel,
    side: str,
    notional: float,
    *,
    ticker: str,
    exchange: str | None,
    on: dt.date | None = None,
) -> float:
    """Financial transaction tax of one order: purchases only (buy, or cover of a short)."""
    if side not in BUYING_SIDES or not ftt_applies(model, ticker, exchange):
        return 0.0
    return ftt_rate_on(model, on) * abs(notional)


def borrow_cost(model: CostModel, short_notional: float, holding_days: float) -> float:
    """Borrow fee accrued on a short of ``short_notional`` held ``holding_days`` trading days."""
    return model.borrow_rate_annual * abs(short_notional) * max(holding_days, 0.0) / TRADING_DAYS_PER_YEAR


@dataclass(frozen=True)
class OrderCosts:
    """Expected costs of one order, money, broken down the way the user sees them."""

    commission: float
    spread: float
    transaction_tax: float
    borrow: float
    capital_gains_tax: float

    @property
    def total(self) -> float:
        return self.commission + self.spread + self.transaction_tax + self.borrow + self.capital_gains_tax

    def as_dict(self) -> dict[str, float]:
        return {
            "commission": round(self.commission, 6),
            "spread": round(self.spread, 6),
            "transaction_tax": round(self.transaction_tax, 6),
            "borrow": round(self.borrow, 6),
            "capital_gains_tax": round(self.capital_gains_tax, 6),
            "total": round(self.total, 6),
        }


def order_costs(
    model: CostModel,
    *,
    side: str,
    quantity: float,
    price: float,
    ticker: str,
    exchange: str | None = None,
    sigma_daily: float = 0.0,
    crosses_spread: bool = True,
    holding_days: float = 0.0,
    realised_gain: float = 0.0,
    ytd_realised: float = 0.0,
    on: dt.date | None = None,
) -> OrderCosts:
    """All expected costs of one order.

    ``on`` is the trade date (dated FTT and PFU rates, see :func:`ftt_rate_on`).
    ``crosses_spread`` is False for a resting limit order (it trades at its own price, so it pays no spread);
    ``holding_days`` only matters for shorts (borrow); ``realised_gain`` is the gain the order would realise
    (sales and covers, average-cost basis) and ``ytd_realised`` the calendar year's net realised P&L so far.
    """
    if side not in SIDES:
        raise ValueError(f"unknown side {side!r}")
    notional = abs(quantity) * price
    spread = half_spread(model, sigma_daily) * notional if crosses_spread else 0.0
    return OrderCosts(
        commission=float(commission(model, notional)),
        spread=float(spread),
        transaction_tax=transaction_tax(model, side, notional, ticker=ticker, exchange=exchange, on=on),
        borrow=borrow_cost(model, notional, holding_days) if side == SHORT else 0.0,
        capital_gains_tax=sale_tax_estimate(
            model, realised_gain=realised_gain, ytd_realised=ytd_realised, on=on
        ),
    )


# --- Capital-gains tax (average-cost basis, losses offset gains within the calendar year) --------------


def sale_tax_estimate(
    model: CostModel, *, realised_gain: float, ytd_realised: float, on: dt.date | None = None
) -> float:
    """Tax that realising ``realised_gain`` now adds to the year's bill, given the year's net so far.

    The flat tax is due on the year's net realised gain: ``rate * max(0, net)``. A sale's marginal tax is the
    change of that bill, so a loss after earlier gains is negative (it gives back tax already accrued) and a
    gain that only absorbs earlier losses costs nothing.
    """
    before = max(ytd_realised, 0.0)
    after = max(ytd_realised + realised_gain, 0.0)
    return capital_gains_rate_on(model, on) * (after - before)


def yearly_tax(model: CostModel, realised_by_year: dict[int, float]) -> dict[int, float]:
    """Capital-gains tax due per calendar year from each year's net realised P&L."""
    return {year: model.capital_gains_rate * max(net, 0.0) for year, net in realised_by_year.items()}


# --- Vectorised rates for the optimiser and backtests ----------------------------------------------------


def turnover_cost_rates(
    model: CostModel,
    *,
    sigma_daily: np.ndarray,
    trade_notional: float | np.ndarray,
    ftt_mask: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Proportional cost per unit of traded notional, for buys and for sells, one entry per asset.

    The commission's fixed part and its min/max are turned into a rate at the typical ``trade_notional``
    (money per order), which is how a convex optimiser or a backtest on weights can use them.

    Parameters
    ----------
    sigma_daily : ndarray, shape (n_assets,)
        Daily volatility of each asset (NaN treated as 0, i.e. the spread floor).
    trade_notional : float or ndarray, shape (n_assets,)
        Typical order size in money.
    ftt_mask : ndarray of bool, shape (n_assets,), optional
        Assets whose purchases pay the financial transaction tax.

    Returns
    -------
    buy_rate, sell_rate : ndarray, shape (n_assets,)
        Cost per unit of notional bought, sold.
    """
    sigma = np.asarray(sigma_daily, dtype=float)
    notional = np.broadcast_to(np.asarray(trade_notional, dtype=float), sigma.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        fee_rate = np.where(notional > 0, np.asarray(commission(model, notional)) / notional, 0.0)
    base = fee_rate + np.asarray(half_spread(model, sigma))
    ftt = model.ftt_rate * (
        np.asarray(ftt_mask, dtype=bool) if ftt_mask is not None else np.zeros(sigma.shape)
    )
    return base + ftt, base.copy()


def backtest_cost_rates(
    model: CostModel, *, sigma_daily: np.ndarray, trade_notional: float
) -> tuple[float, float]:
    """The two numbers a weight-based long-short backtest charges: per unit of turnover, and borrow per day.

    A rebalance of a long-short book buys about as much as it sells, so one unit of turnover costs the
    mean of the buy and sell rates of :func:`turnover_cost_rates`, averaged over the universe.

    Returns
    -------
    cost_per_turnover : float
        Cost per unit of traded weight.
    borrow_per_day : float
        Borrow fee per trading day per unit of short weight.
    """
    buy, sell = turnover_cost_rates(model, sigma_daily=sigma_daily, trade_notional=trade_notional)
    per_turnover = float(np.nanmean((buy + sell) / 2.0)) if len(buy) else 0.0
    return per_turnover, borrow_rate_per_day(model)


def borrow_rate_per_day(model: CostModel) -> float:
    """Borrow fee per trading day per unit of short notional (for daily backtests)."""
    return model.borrow_rate_annual / TRADING_DAYS_PER_YEAR


def preset_backtest_cost_rates(
    preset: str, sigma_daily: np.ndarray, trade_notional: float
) -> tuple[float, float]:
    """:func:`backtest_cost_rates` of the preset named ``preset`` (KeyError when there is none).

    Registered with mlcore's walk-forward evaluator in ``PortfolioConfig.ready``: mlcore is a lower
    layer and asks for these rates without importing this module.
    """
    return backtest_cost_rates(PRESETS[preset], sigma_daily=sigma_daily, trade_notional=trade_notional)
