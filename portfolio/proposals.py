"""Order proposals: from the champion's predictions and a portfolio's holdings to precise orders.

Per ticker the decision is enter (buy / short), add, hold, trim, exit or cover; each order is priced by
:mod:`portfolio.orders` and costed by :mod:`portfolio.costs`. Sells come first and free cash for the buys;
nothing exceeds the risk profile or the cash; an order whose expected net return is not above zero after
costs is stored as ``skip`` with the reason, so the user sees why nothing was done.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.db import transaction

from portfolio import costs, selectors
from portfolio.models import OrderProposal, Portfolio
from portfolio.orders import calendar, fill, pricing
from swingtrade.errors import DomainError

if TYPE_CHECKING:
    from market.models import Ticker
    from mlcore.models import ModelVersion

logger = logging.getLogger("swingtrade.portfolio")

A = OrderProposal.Action
VOL_WINDOW = 20
MAX_NEW_PER_SIDE = 10  # entries examined per side, best expected return per unit of risk first


@dataclass
class Market:
    """What the engine knows of one ticker on ``as_of``."""

    price: float  # raw traded close
    sigma: float
    overnight: float
    exchange: str | None
    vol_log_mean: float = 0.0
    vol_log_sd: float = 0.0


def market_state(tickers: list[str], as_of: dt.date, validity: int) -> dict[str, Market]:
    """Traded close, daily volatility (and its forecast error), overnight share and exchange per ticker.

    Tickers without a recent close or a positive finite volatility are left out.
    """
    from market.models import Ticker
    from market.selectors import adjusted_ohlcv, bars_frame

    # About 18 months: a year of closed order windows to measure the volatility estimate's error.
    start = as_of - dt.timedelta(days=550)
    prices = adjusted_ohlcv(tickers=tickers, start=start, end=as_of)
    if prices["close"].empty:
        return {}
    sigma_frame = fill.daily_volatility(prices, VOL_WINDOW)
    sigma = sigma_frame.iloc[-1]
    error = fill.volatility_forecast_error(prices, sigma_frame, validity).iloc[-1].fillna(0.0)
    if {"open", "high", "low"} <= prices.keys():
        gap = fill.overnight_variance_fraction(prices["open"], prices["high"], prices["low"], prices["close"])
        overnight = gap.iloc[-1]
    else:
        overnight = pd.Series(0.0, index=sigma.index)
    raw = bars_frame(tickers=tickers, start=as_of - dt.timedelta(days=10), end=as_of)
    last_close = raw.sort_values("date").groupby("ticker")["close"].last()
    exchanges = dict(Ticker.objects.filter(symbol__in=tickers).values_list("symbol", "exchange"))
    out = {}
    for t in tickers:
        s, p = sigma.get(t), last_close.get(t)
        if p is None or s is None or not (math.isfinite(s) and s > 0):
            continue
        o = overnight.get(t)
        out[t] = Market(
            float(p),
            float(s),
            float(o) if o is not None and math.isfinite(o) else 0.2,
            exchanges.get(t) or None,
            float(error["vol_log_mean"]),
            float(error["vol_log_sd"]),
        )
    return out


def _last_filled_levels(portfolio: Portfolio) -> dict[str, OrderProposal]:
    """The most recent filled proposal per ticker: where its stop-loss and take-profit were."""
    latest: dict[str, OrderProposal] = {}
    for p in (
        portfolio.proposals.filter(status=OrderProposal.Status.FILLED)
        .select_related("ticker")
        .order_by("as_of", "id")
    ):
        latest[p.ticker.symbol] = p
    return latest


def decimal_or_none(value: float | None) -> Decimal | None:
    """A price for a ``DecimalField`` (6 decimals), or ``None``."""
    return None if value is None else Decimal(str(round(value, 6)))


@dataclass(frozen=True)
class ProposalBatch:
    """What every proposal of one run shares: the portfolio, the day, the cost model and the market.

    Built once per run (:meth:`build`) by the proposal engine and the optimiser, so both price, cost and
    store their orders the same way.
    """

    portfolio: Portfolio
    as_of: dt.date
    valid_until: dt.date
    cost_model: costs.CostModel
    markets: dict[str, Market]
    symbols: dict[str, Ticker]
    positions: dict[str, selectors.PositionValue]
    ytd_realised: float
    model_version: ModelVersion | None

    @classmethod
    def build(
        cls,
        *,
        portfolio: Portfolio,
        as_of: dt.date,
        cost_model: costs.CostModel,
        markets: dict[str, Market],
        positions: dict[str, selectors.PositionValue],
        model_version: ModelVersion | None,
    ) -> ProposalBatch:
        from market.models import Ticker

        return cls(
            portfolio=portfolio,
            as_of=as_of,
            valid_until=calendar.validity_date(as_of, portfolio.order_validity_sessions),
            cost_model=cost_model,
            markets=markets,
            symbols={t.symbol: t for t in Ticker.objects.filter(symbol__in=list(markets))},
            positions=positions,
            ytd_realised=float(selectors.realised_pnl_in_year(portfolio, as_of.year)),
            model_version=model_version,
        )

    @property
    def horizon(self) -> int:
        return self.portfolio.horizon_days


def order_plan(
    batch: ProposalBatch, ticker: str, side: str, quantity: int, *, expected_return: float, is_entry: bool
) -> pricing.OrderPlan:
    """The order engine's plan (type, limit, fill probability, expected value) for one order."""
    market = batch.markets[ticker]
    ctx = pricing.OrderContext(
        ticker=ticker,
        side=side,
        price=market.price,
        sigma=market.sigma,
        expected_return=expected_return,
        horizon_days=batch.horizon,
        validity_days=batch.portfolio.order_validity_sessions,
        notional=max(quantity, 1) * market.price,
        is_entry=is_entry,
        exchange=market.exchange,
        overnight_fraction=market.overnight,
        vol_log_mean=market.vol_log_mean,
        vol_log_sd=market.vol_log_sd,
    )
    return pricing.plan_order(ctx, batch.cost_model)


def entry_levels(
    batch: ProposalBatch, ticker: str, side: str, plan: pricing.OrderPlan, *, expected_return: float
) -> tuple[float, float, float | None]:
    """(entry price, stop-loss, take-profit or ``None``) of an entry: the levels sit around its limit."""
    market = batch.markets[ticker]
    entry = plan.limit_price or market.price
    stop = pricing.stop_loss_price(entry, side, market.sigma, batch.portfolio.stop_loss_sigmas, batch.horizon)
    take = pricing.take_profit_price(entry, side, expected_return, plan.cost_rate)
    return entry, stop, take


def proposal_store(
    batch: ProposalBatch,
    ticker: str,
    action: str,
    side: str,
    quantity: int,
    plan: pricing.OrderPlan | None,
    reasons: Sequence[str],
    *,
    stop_loss: float | None = None,
    take_profit: float | None = None,
    crosses_spread: bool | None = None,
) -> OrderProposal:
    """Cost one order with :mod:`portfolio.costs` and store it as a proposal.

    ``plan`` is ``None`` for a hold. ``crosses_spread`` defaults to whether the plan is a market order
    (a hold is costed as if it crossed); skips pass ``False``. Holds and skips get no order type and
    no validity date.
    """
    market = batch.markets[ticker]
    position = batch.positions.get(ticker)
    realised = 0.0
    if position and side in (costs.SELL, costs.COVER):
        realised = (market.price - position.average_cost) * quantity * (1 if side == costs.SELL else -1)
    if crosses_spread is None:
        crosses_spread = plan is None or plan.order_type == pricing.MARKET
    breakdown = costs.order_costs(
        batch.cost_model,
        side=side or costs.BUY,
        quantity=quantity,
        price=market.price,
        ticker=ticker,
        exchange=market.exchange,
        sigma_daily=market.sigma,
        crosses_spread=crosses_spread,
        holding_days=batch.horizon,
        realised_gain=realised,
        ytd_realised=batch.ytd_realised,
    )
    is_order = action not in (A.HOLD, A.SKIP)
    return OrderProposal.objects.create(
        portfolio=batch.portfolio,
        ticker=batch.symbols[ticker],
        as_of=batch.as_of,
        action=action,
        side=side,
        order_type=plan.order_type if plan and is_order else "",
        quantity=quantity,
        reference_price=decimal_or_none(market.price),
        limit_price=decimal_or_none(plan.limit_price if plan else None),
        stop_price=decimal_or_none(plan.stop_price if plan else None),
        valid_until=batch.valid_until if is_order else None,
        stop_loss=decimal_or_none(stop_loss),
        take_profit=decimal_or_none(take_profit),
        fill_probability=plan.fill_probability if plan else None,
        expected_gross_return=plan.gross_return if plan else 0.0,
        expected_costs={**breakdown.as_dict(), "notional": round(quantity * market.price, 2)},
        expected_cost_return=plan.cost_rate if plan else 0.0,
        expected_net_return=plan.expected_value if plan else 0.0,
        trade_off=[c.as_dict() for c in plan.candidates] if plan else [],
        model_version=batch.model_version,
        reasons="\n".join(reasons),
    )


@transaction.atomic
def generate(*, portfolio: Portfolio, as_of: dt.date | None = None) -> list[OrderProposal]:
    from market.selectors import latest_bar_date
    from mlcore.predict import predictions_frame

    as_of = as_of or latest_bar_date()
    if as_of is None:
        raise DomainError("No prices are loaded yet.")
    frame, model_version = predictions_frame(as_of=as_of)
    reliability = float(getattr(model_version, "reliability", 1.0) or 0.0)
    valuation = selectors.portfolio_valuation(portfolio)
    equity = valuation.equity
    if equity <= 0:
        raise DomainError("The portfolio has no equity to trade with.")
    held = {p.ticker: p for p in valuation.positions}
    horizon = portfolio.horizon_days
    validity = portfolio.order_validity_sessions
    model = portfolio.cost_profile.as_cost_model()

    # mlcore gives log returns over the horizon; the order engine works with arithmetic returns.
    ranked = frame.assign(shrunk=np.expm1(frame["expected_return"].astype(float) * reliability))
    ranked = ranked.assign(
        per_risk=ranked["shrunk"] / ranked["predicted_volatility"].astype(float).clip(lower=1e-6)
    )
    longs = [t for t in ranked.sort_values("per_risk", ascending=False).index if ranked.at[t, "shrunk"] > 0]
    shorts = (
        [t for t in ranked.sort_values("per_risk").index if ranked.at[t, "shrunk"] < 0]
        if portfolio.allow_short
        else []
    )
    entries = [t for t in longs if t not in held][:MAX_NEW_PER_SIDE] + [t for t in shorts if t not in held][
        :MAX_NEW_PER_SIDE
    ]
    tickers = sorted(set(held) | set(entries))
    state = market_state(tickers, as_of, validity)
    batch = ProposalBatch.build(
        portfolio=portfolio,
        as_of=as_of,
        cost_model=model,
        markets=state,
        positions=held,
        model_version=model_version,
    )
    filled_levels = _last_filled_levels(portfolio)

    # Expire what is still open from earlier runs: a new set of proposals replaces it.
    portfolio.proposals.filter(status=OrderProposal.Status.PROPOSED).update(
        status=OrderProposal.Status.EXPIRED
    )

    cash = valuation.cash
    gross = valuation.gross_exposure
    created: list[OrderProposal] = []

    def propose(*args, **kwargs) -> None:
        created.append(proposal_store(batch, *args, **kwargs))

    def plan_for(ticker, side, quantity, is_entry):
        r = float(ranked.at[ticker, "shrunk"]) if ticker in ranked.index else 0.0
        return order_plan(batch, ticker, side, quantity, expected_return=r, is_entry=is_entry)

    # 1. Held positions first: exits, covers and trims free cash and gross room for the entries.
    for ticker, pos in sorted(held.items()):
        if ticker not in state:
            continue
        mkt = state[ticker]
        long_ = pos.quantity > 0
        exit_side = costs.SELL if long_ else costs.COVER
        r = float(ranked.at[ticker, "shrunk"]) if ticker in ranked.index else None
        levels = filled_levels.get(ticker)
        reasons: list[str] = []
        quantity = 0
        action = A.HOLD
        forced = True  # stops, targets and the weight limit are rules: they do not wait for an edge
        if (
            levels
            and levels.stop_loss
            and (mkt.price <= float(levels.stop_loss) if long_ else mkt.price >= float(levels.stop_loss))
        ):
            action, quantity = (A.EXIT if long_ else A.COVER), abs(pos.quantity)
            reasons.append(
                f"The price {mkt.price:.2f} went through the stop-loss {float(levels.stop_loss):.2f}."
            )
        elif (
            levels
            and levels.take_profit
            and (mkt.price >= float(levels.take_profit) if long_ else mkt.price <= float(levels.take_profit))
        ):
            action, quantity = (A.EXIT if long_ else A.COVER), abs(pos.quantity)
            reasons.append(
                f"The price {mkt.price:.2f} reached the take-profit {float(levels.take_profit):.2f}."
            )
        elif r is None:
            reasons.append("The model has no prediction for this ticker today; holding.")
        elif (r < 0) == long_ and r != 0:
            action, quantity, forced = (A.EXIT if long_ else A.COVER), abs(pos.quantity), False
            reasons.append(f"The signal turned: the model now expects {r:+.2%} over {horizon} days.")
        elif abs(pos.weight) > portfolio.max_position_weight:
            excess = (abs(pos.weight) - portfolio.max_position_weight) * equity / mkt.price
            action, quantity = A.TRIM, math.ceil(excess)
            reasons.append(
                f"The position weighs {abs(pos.weight):.1%}, "
                f"above the {portfolio.max_position_weight:.0%} limit."
            )
        else:
            reasons.append(
                f"The signal still agrees with the position ({r:+.2%} expected over {horizon} days)."
            )
        if action == A.HOLD:
            propose(ticker, action, "", 0, None, reasons)
            continue
        plan = plan_for(ticker, exit_side, quantity, is_entry=False)
        if forced:
            market = plan.candidates[0]
            plan.order_type, plan.limit_price, plan.fill_probability = pricing.MARKET, None, 1.0
            plan.gross_return, plan.cost_rate = market.gross_return, market.cost_rate
            plan.expected_value = market.expected_value
            plan.reasons = ["Market order: the rule is triggered, and waiting for a better price risks more."]
        elif not plan.worthwhile:
            propose(ticker, A.SKIP, exit_side, quantity, plan, reasons + plan.reasons, crosses_spread=False)
            continue
        propose(
            ticker,
            action,
            exit_side,
            quantity,
            plan,
            reasons + plan.reasons,
        )
        if exit_side == costs.SELL:
            cash += quantity * mkt.price
        else:
            cash -= quantity * mkt.price
        gross -= quantity * mkt.price

    # 2. New positions, best expected return per unit of risk first, within every limit.
    for ticker in entries:
        if ticker not in state:
            continue
        mkt = state[ticker]
        r = float(ranked.at[ticker, "shrunk"])
        side = costs.BUY if r > 0 else costs.SHORT
        stop = pricing.stop_loss_price(mkt.price, side, mkt.sigma, portfolio.stop_loss_sigmas, horizon)
        limits = pricing.SizeLimits(
            equity=equity,
            cash=cash,
            risk_fraction=portfolio.risk_per_trade,
            max_weight=portfolio.max_position_weight,
            max_gross=portfolio.max_gross_exposure,
            current_gross=gross,
            current_position=0.0,
            cash_margin=portfolio.cash_margin,
        )
        size = pricing.size_from_risk(
            limits=limits,
            side=side,
            entry=mkt.price,
            stop=stop,
            cost_per_share=float(costs.half_spread(model, mkt.sigma)) * mkt.price,
        )
        if size.quantity < 1:
            continue
        plan = plan_for(ticker, side, size.quantity, is_entry=True)
        entry, stop, take = entry_levels(batch, ticker, side, plan, expected_return=r)
        protect = pricing.protective_stop(
            position_side=side,
            stop_price=stop,
            price=entry,
            sigma=mkt.sigma,
            overnight_fraction=mkt.overnight,
        )
        reasons = [
            f"The model expects {r:+.2%} over {horizon} days (shrunk by its reliability {reliability:.2f}).",
            size.reason,
            *plan.reasons,
            f"After the fill, protect it with a {protect.order_type.replace('_', '-')} at {stop:.2f}. "
            + protect.reason,
        ]
        if take is None:
            reasons.append("No take-profit: the expected move does not pay the round-trip costs.")
        if not plan.worthwhile:
            propose(ticker, A.SKIP, side, size.quantity, plan, reasons, crosses_spread=False)
            continue
        propose(
            ticker,
            A.ENTER,
            side,
            size.quantity,
            plan,
            reasons,
            stop_loss=stop,
            take_profit=take,
        )
        notional = size.quantity * entry
        cash += -notional if side == costs.BUY else notional
        gross += notional
    logger.info(
        "order proposals created",
        extra={"portfolio": portfolio.pk, "as_of": str(as_of), "count": len(created)},
    )
    return created
