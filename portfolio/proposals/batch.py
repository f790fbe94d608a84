"""One proposal run's shared context and the order engine's plan and levels for one order.

Built once per run by the proposal engine (:mod:`portfolio.proposals.engine`) and the optimiser
(:mod:`portfolio.services.optimization`), so both price their orders the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from market import calendar
from portfolio import costs, selectors
from portfolio.models import Portfolio
from portfolio.orders import pricing
from portfolio.proposals.state import Market

if TYPE_CHECKING:
    from market.models import Ticker
    from mlcore.models import ModelVersion


@dataclass(frozen=True)
class ProposalBatch:
    """What every proposal of one run shares: the portfolio, the day, the cost model and the market.

    Built once per run (:meth:`build`) by the proposal engine and the optimiser, so both price, cost and
    store their orders the same way.
    """

    portfolio: Portfolio
    as_of: dt.date
    cost_model: costs.CostModel
    markets: dict[str, Market]
    symbols: dict[str, Ticker]
    positions: dict[str, selectors.PositionValue]
    ytd_realised: float
    model_version: ModelVersion  # the champion whose predictions the run uses

    @classmethod
    def build(
        cls,
        *,
        portfolio: Portfolio,
        as_of: dt.date,
        cost_model: costs.CostModel,
        markets: dict[str, Market],
        positions: dict[str, selectors.PositionValue],
        model_version: ModelVersion,
    ) -> ProposalBatch:
        from market.models import Ticker

        return cls(
            portfolio=portfolio,
            as_of=as_of,
            cost_model=cost_model,
            markets=markets,
            # Held tickers without market data still get a (hold) proposal: they need their Ticker too.
            symbols={t.symbol: t for t in Ticker.objects.filter(symbol__in=set(markets) | set(positions))},
            positions=positions,
            ytd_realised=float(selectors.realised_pnl_in_year(portfolio, as_of.year)),
            model_version=model_version,
        )

    @property
    def horizon(self) -> int:
        return self.portfolio.horizon_days

    def exchange(self, ticker: str) -> str:
        """The calendar of ``ticker``'s listing (its ``Ticker.exchange``; blank means the default)."""
        return selectors.calendar_of(self.markets[ticker].exchange, symbol=ticker)

    def valid_until(self, ticker: str) -> dt.date:
        """Last session an order on ``ticker`` stays valid, on the calendar of its exchange."""
        return calendar.validity_date(
            self.exchange(ticker), self.as_of, self.portfolio.order_validity_sessions
        )

    def protect_until(self, ticker: str) -> dt.date:
        """Last session of a protective stop: it guards the position over the holding horizon."""
        return calendar.validity_date(self.exchange(ticker), self.as_of, self.horizon)


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


def protective_plan(
    batch: ProposalBatch,
    ticker: str,
    position_side: str,
    quantity: int,
    *,
    entry: float,
    stop: float,
    expected_return: float,
) -> pricing.OrderPlan:
    """The protective stop of an entry at ``entry`` as its own order, valid over the holding horizon."""
    market = batch.markets[ticker]
    ctx = pricing.OrderContext(
        ticker=ticker,
        side=position_side,
        price=entry,
        sigma=market.sigma,
        expected_return=expected_return,
        horizon_days=batch.horizon,
        validity_days=batch.horizon,
        notional=max(quantity, 1) * stop,
        is_entry=False,
        exchange=market.exchange,
        overnight_fraction=market.overnight,
        vol_log_mean=market.vol_log_mean,
        vol_log_sd=market.vol_log_sd,
    )
    return pricing.plan_protective_order(ctx, batch.cost_model, stop_price=stop)


def entry_levels(
    batch: ProposalBatch, ticker: str, side: str, plan: pricing.OrderPlan, *, expected_return: float
) -> tuple[float, float, float | None]:
    """(entry price, stop-loss, take-profit or ``None``) of an entry: the levels sit around its limit."""
    market = batch.markets[ticker]
    entry = plan.limit_price or market.price
    stop = pricing.stop_loss_price(entry, side, market.sigma, batch.portfolio.stop_loss_sigmas, batch.horizon)
    take = pricing.take_profit_price(entry, side, expected_return, plan.cost_rate)
    return entry, stop, take
