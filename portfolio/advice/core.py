"""The default advice without the database: from holdings, prices, a risk model and the tax state to orders.

:func:`advise` is what the product and the replay both call (the replay through this pure function, the
product through :func:`portfolio.advice.default_advice`). Every number comes from one place: costs from
:mod:`portfolio.costs`, tax rules from :mod:`portfolio.tax.rules`, the target from
:mod:`portfolio.optimize.tax_aware`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from portfolio import costs
from portfolio.optimize.tax_aware import TaxAwareInputs, tax_aware_weights
from portfolio.risk import RiskModel
from portfolio.tax import rules
from swingtrade.errors import DomainError, Unprocessable

NOTHING_TO_DO = "Nothing to do today: no trade lowers risk by more than it costs."
# κ: a move's estimated risk reduction must be worth this many times its fees and tax (see
# portfolio.optimize.tax_aware and docs/advice.md "Turnover"). Chosen on 2014-2017 only, then frozen.
COST_AVERSION = 10.0


@dataclass(frozen=True)
class Holdings:
    """Whole shares held by ticker with their average cost (PMP), and the cash."""

    shares: pd.Series
    pmp: pd.Series
    cash: float


@dataclass(frozen=True)
class AdviceProfile:
    """The risk profile's part of the advice: caps, how much to invest, and λ over the risk horizon."""

    max_weight: float = 0.10
    max_sector_weight: float = 0.30
    invested: float = 1.0
    risk_aversion: float = 2.5
    sectors: Mapping[str, str] = field(default_factory=dict)
    cost_aversion: float = COST_AVERSION


@dataclass(frozen=True)
class AdviceOrder:
    """One order of the advice and what it does: fees, taxes and effect on the portfolio's volatility.

    ``capital_gains_tax`` is the change of the year's flat-tax bill (negative: a loss gives tax back);
    ``volatility_effect`` the change of annualised volatility if only this order were executed.
    """

    ticker: str
    side: str
    quantity: int
    price: float
    fees: float
    transaction_tax: float
    capital_gains_tax: float
    realised_gain: float
    volatility_effect: float
    reason: str
    # Units of the portfolio's currency per unit of the stock's: ``price`` is the stock's (what the broker
    # takes); fees, taxes and ``notional`` are in the portfolio's currency.
    fx_rate: float = 1.0

    @property
    def notional(self) -> float:
        return self.quantity * self.price * self.fx_rate

    @property
    def taxes(self) -> float:
        return self.transaction_tax + self.capital_gains_tax

    def as_dict(self) -> dict[str, Any]:
        return {
            "ticker": self.ticker,
            "side": self.side,
            "quantity": self.quantity,
            "price": round(self.price, 6),
            "fx_rate": round(self.fx_rate, 10),
            "notional": round(self.notional, 2),
            "fees": round(self.fees, 2),
            "transaction_tax": round(self.transaction_tax, 2),
            "capital_gains_tax": round(self.capital_gains_tax, 2),
            "taxes": round(self.taxes, 2),
            "realised_gain": round(self.realised_gain, 2),
            "volatility_effect": round(self.volatility_effect, 6),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Advice:
    """Target weights, the orders that get there, and what they cost and change (volatility annualised)."""

    as_of: dt.date
    current_weights: pd.Series
    target_weights: pd.Series
    orders: list[AdviceOrder]
    volatility_before: float
    volatility_after: float
    reliability: float
    equity: float

    @property
    def nothing_to_do(self) -> bool:
        return not self.orders

    @property
    def fees(self) -> float:
        return sum(o.fees for o in self.orders)

    @property
    def taxes(self) -> float:
        return sum(o.taxes for o in self.orders)

    @property
    def summary(self) -> str:
        if self.nothing_to_do:
            return NOTHING_TO_DO
        costs_text = f"for {self.fees:,.2f} of fees and {self.taxes:,.2f} of taxes."
        if self.volatility_before == 0:  # all in cash today
            return f"Invest the cash at a volatility of {self.volatility_after:.0%}, {costs_text}"
        return f"Volatility {self.volatility_after:.0%} instead of {self.volatility_before:.0%}, {costs_text}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "summary": self.summary,
            "nothing_to_do": self.nothing_to_do,
            "volatility_before": round(self.volatility_before, 6),
            "volatility_after": round(self.volatility_after, 6),
            "fees": round(self.fees, 2),
            "taxes": round(self.taxes, 2),
            "reliability": self.reliability,
            "equity": round(self.equity, 2),
            "current_weights": _weights(self.current_weights),
            "target_weights": _weights(self.target_weights),
            "orders": [o.as_dict() for o in self.orders],
        }


def advise(
    holdings: Holdings,
    prices: pd.Series,
    cov: RiskModel | pd.DataFrame,
    tax_state: rules.TaxPosition,
    cost_profile: costs.CostModel,
    risk_profile: AdviceProfile,
    expected_returns: pd.Series | None = None,
    reliability: float = 0.0,
    *,
    as_of: dt.date,
    exchanges: Mapping[str, str | None] | None = None,
) -> Advice:
    """The default advice on ``as_of``.

    Parameters
    ----------
    holdings : Holdings
        Shares (long only) and PMP by ticker, cash in money.
    prices : Series, index ticker
        Last close of every ticker that may be traded (money per share).
    cov : RiskModel or DataFrame
        Covariance of returns over the risk horizon (``horizon_days`` sessions; a DataFrame is taken as
        annual). Its tickers, with a price, are the universe; every held ticker must be in it.
    tax_state : TaxPosition
        The year's realised result and usable carried losses (:mod:`portfolio.tax.rules`).
    expected_returns : Series, optional
        The model's expected returns (arithmetic, over its horizon); used as a tilt times ``reliability``,
        so a model without demonstrated edge (reliability 0) leaves pure minimum variance.
    """
    if not 0.0 <= reliability <= 1.0:
        raise DomainError("Reliability must be in [0, 1].")
    risk = cov if isinstance(cov, RiskModel) else _annual_model(cov)
    held = holdings.shares[holdings.shares != 0].astype(float)
    if (held < 0).any():
        raise DomainError("The default advice is long-only: close short positions first.")
    tickers = [t for t in risk.tickers if t in prices.index and np.isfinite(prices[t]) and prices[t] > 0]
    missing = sorted(set(held.index) - set(tickers))
    if missing:
        raise Unprocessable(
            f"Held tickers without a price or enough history for the risk model: {', '.join(missing)}.",
            details={"tickers": missing},
        )
    price = prices.reindex(tickers).astype(float)
    shares = held.reindex(tickers).fillna(0.0)
    equity = float(holdings.cash + shares @ price)
    if equity <= 0:
        raise Unprocessable("The portfolio has no positive equity to invest.")
    w0 = (shares * price / equity).to_numpy()
    pmp = holdings.pmp.reindex(tickers).fillna(0.0).astype(float)
    gain_fraction = np.where(shares > 0, (price - pmp) / price, 0.0)

    model = risk.subset(tickers)
    # diag(F'F + D) without forming the N×N matrix.
    variances = np.sum(model.factor**2, axis=0) + model.diagonal
    sigma_daily = np.sqrt(variances / max(risk.horizon_days, 1))
    dated = cost_profile.with_changes(
        ftt_rate=costs.ftt_rate_on(cost_profile, as_of),
        capital_gains_rate=costs.capital_gains_rate_on(cost_profile, as_of),
    )
    ftt_mask = np.array([costs.ftt_applies(dated, t, (exchanges or {}).get(t)) for t in tickers])
    buy_rate, sell_rate = costs.turnover_cost_rates(
        dated,
        sigma_daily=sigma_daily,
        trade_notional=equity * risk_profile.max_weight,
        ftt_mask=ftt_mask,
    )
    tilt = np.zeros(len(tickers))
    if expected_returns is not None and reliability > 0:
        tilt = reliability * expected_returns.reindex(tickers).fillna(0.0).to_numpy(dtype=float)
    tax_state = replace(tax_state, rate=dated.capital_gains_rate)  # a tax-free profile stays tax-free
    base = (tax_state.net - tax_state.carried_available) / equity
    result = tax_aware_weights(
        TaxAwareInputs(
            tickers=tickers,
            current=w0,
            tilt=tilt,
            buy_rate=buy_rate,
            sell_rate=sell_rate,
            gain_fraction=gain_fraction,
            tax_rate=dated.capital_gains_rate,
            tax_base=base,
            max_weight=risk_profile.max_weight,
            max_sector=risk_profile.max_sector_weight,
            sectors=[risk_profile.sectors.get(t) or "Unknown" for t in tickers],
            invested=risk_profile.invested,
            risk_aversion=risk_profile.risk_aversion,
            cost_aversion=risk_profile.cost_aversion,
        ),
        model,
    )
    minimum = min_adjustment(dated, typical_order=equity * risk_profile.max_weight)
    delta = _whole_shares(result.weights, w0, shares, price, equity, holdings.cash, buy_rate, minimum)
    final = pd.Series((shares + delta) * price / equity, index=price.index)
    current = pd.Series(w0, index=price.index)
    orders = _orders(
        delta, price, pmp, current, final, equity, model, tax_state, dated, as_of, exchanges, sigma_daily
    )
    return Advice(
        as_of=as_of,
        current_weights=current,
        target_weights=final,
        orders=orders,
        volatility_before=annual_volatility(model, current),
        volatility_after=annual_volatility(model, final if orders else current),
        reliability=reliability,
        equity=equity,
    )


def _whole_shares(
    target: pd.Series,
    w0: np.ndarray,
    shares: pd.Series,
    price: pd.Series,
    equity: float,
    cash: float,
    buy_rate: np.ndarray,
    minimum: float = 0.0,
) -> pd.Series:
    """Share changes toward the target: sales rounded (never beyond the holding), purchases rounded down
    and scaled so the cash never goes negative after fees; adjustments below ``minimum`` are dropped."""
    change = (target.to_numpy() - w0) * equity / price.to_numpy()
    held = shares.to_numpy()
    money = price.to_numpy()
    sells = np.minimum(np.round(np.clip(-change, 0, None)), held)
    sells[_small_adjustments(held, -sells, money, minimum)] = 0.0
    buys = np.floor(np.clip(change, 0, None) + 1e-9)
    buys[_small_adjustments(held, buys, money, minimum)] = 0.0
    available = cash + float(sells @ money)
    spend = float(buys @ (money * (1 + buy_rate)))
    if spend > available > 0:
        buys = np.floor(buys * available / spend)
        buys[_small_adjustments(held, buys, money, minimum)] = 0.0  # only frees cash
    elif available <= 0:
        buys[:] = 0
    return pd.Series(buys - sells, index=price.index)


def min_adjustment(cost_model: costs.CostModel, *, typical_order: float) -> float:
    """Smallest order (money) that adjusts a held line without paying more per unit than the band assumed.

    The optimiser prices every order at the commission rate of a typical order (``typical_order``, the
    position cap of the equity). Below ``commission_min / commission_rate`` the broker's minimum makes an
    order dearer per unit than that (EUR 1.99 on a EUR 500 trim is 0.4 %, four times the 0.1 % assumed),
    so the band never showed such a trim worth its fee. 0 when the profile has no minimum.
    """
    if cost_model.commission_min <= 0 or typical_order <= 0:
        return 0.0
    if cost_model.commission_rate <= 0:
        return float(typical_order)  # a flat fee: every order below the typical one pays more per unit
    return float(min(cost_model.commission_min / cost_model.commission_rate, typical_order))


def _small_adjustments(held: np.ndarray, change: np.ndarray, price: np.ndarray, minimum: float) -> np.ndarray:
    """Orders that only resize a line held before and after, for less than ``minimum`` of money.

    Orders that open or close a line are kept whatever their size: they decide whether the line is held
    at all, which the band priced, and a small account must still be able to invest its cash.
    """
    resizes = (held > 0) & (held + change > 0) & (change != 0)
    return resizes & (np.abs(change) * price < minimum)


def _orders(
    delta: pd.Series,
    price: pd.Series,
    pmp: pd.Series,
    current: pd.Series,
    final: pd.Series,
    equity: float,
    model: RiskModel,
    tax_state: rules.TaxPosition,
    cost_model: costs.CostModel,
    as_of: dt.date,
    exchanges: Mapping[str, str | None] | None,
    sigma_daily: np.ndarray,
) -> list[AdviceOrder]:
    """Each order with its costs; sales of gains are taxed first so each loss shows its own credit."""
    sigma = pd.Series(sigma_daily, index=price.index)
    vol_before = annual_volatility(model, current)
    position = tax_state
    changes = [(t, int(q)) for t, q in delta.items() if q != 0]
    # Sales before purchases; among sales the largest gains first.
    changes.sort(key=lambda item: (item[1] > 0, -(price[item[0]] - pmp[item[0]]) * max(-item[1], 0)))
    out: list[AdviceOrder] = []
    for ticker, change in changes:
        side = costs.BUY if change > 0 else costs.SELL
        quantity = abs(change)
        unit = float(price[ticker])
        breakdown = costs.order_costs(
            cost_model,
            side=side,
            quantity=quantity,
            price=unit,
            ticker=ticker,
            exchange=(exchanges or {}).get(ticker),
            sigma_daily=float(sigma[ticker]),
            on=as_of,
        )
        gain = tax = 0.0
        if side == costs.SELL:
            gain = quantity * (unit - float(pmp[ticker])) - breakdown.commission
            tax = rules.sale_tax(position, gain)
            totals = rules.YearTotals(position.gains, position.losses).plus(gain)
            position = replace(position, gains=totals.gains, losses=totals.losses)
        alone = current.copy()
        alone[ticker] += change * unit / equity
        out.append(
            AdviceOrder(
                ticker=ticker,
                side=side,
                quantity=quantity,
                price=unit,
                fees=breakdown.commission + breakdown.spread,
                transaction_tax=breakdown.transaction_tax,
                capital_gains_tax=tax,
                realised_gain=gain,
                volatility_effect=annual_volatility(model, alone) - vol_before,
                reason=_reason(side, ticker, float(final[ticker]), gain, tax),
            )
        )
    return out


def _reason(side: str, ticker: str, weight: float, gain: float, tax: float) -> str:
    move = "Buy" if side == costs.BUY else "Sell"
    text = f"{move} {ticker} toward {weight:.1%} of equity: the minimum-variance target within your caps."
    if side == costs.SELL and gain > 0:
        text += f" Realises a gain of {gain:,.2f}; flat tax {tax:,.2f} (worth paying for the risk removed)."
    elif side == costs.SELL and gain < 0:
        credit = f" and gives back {-tax:,.2f} of this year's tax" if tax < 0 else ", carried forward"
        text += f" Realises a loss of {-gain:,.2f}{credit}."
    return text


def annual_volatility(model: RiskModel, weights: pd.Series) -> float:
    """Annualised volatility of ``weights`` under a model whose covariance spans ``horizon_days``."""
    w = weights.reindex(model.tickers).fillna(0.0).to_numpy(dtype=float)
    variance = float(np.sum((model.factor @ w) ** 2) + model.diagonal @ w**2)
    return float(np.sqrt(max(variance, 0.0) * costs.TRADING_DAYS_PER_YEAR / max(model.horizon_days, 1)))


def _annual_model(covariance: pd.DataFrame) -> RiskModel:
    model = RiskModel.from_covariance(covariance)
    return replace(model, horizon_days=costs.TRADING_DAYS_PER_YEAR)


def _weights(series: pd.Series) -> dict[str, float]:
    return {str(t): round(float(v), 6) for t, v in series.items() if abs(v) > 1e-9}
