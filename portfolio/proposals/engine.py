"""The proposal engine: from the champion's predictions and a portfolio's holdings to precise orders.

Per ticker the decision is enter (buy / short), add, hold, trim, exit or cover; each order is priced by
:mod:`portfolio.orders` and costed by :mod:`portfolio.costs`. Sells come first and free cash for the buys;
nothing exceeds the risk profile or the cash; an order whose expected net return is not above zero after
costs is stored as ``skip`` with the reason, so the user sees why nothing was done.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
from django.db import transaction

from portfolio import costs, selectors
from portfolio.models import OrderProposal, Portfolio
from portfolio.optimize.inputs import horizon_expected_returns
from portfolio.orders import pricing, sizing
from portfolio.proposals.batch import ProposalBatch
from portfolio.proposals.propose import Execution, propose
from portfolio.proposals.replacement import replace_open_proposals
from portfolio.proposals.state import market_state, proposal_day
from portfolio.proposals.store import proposal_store, unpriced_hold_store
from swingtrade.errors import DomainError

if TYPE_CHECKING:
    from mlcore.models import ModelVersion

logger = logging.getLogger("swingtrade.portfolio")

A = OrderProposal.Action
MAX_NEW_PER_SIDE = 10  # entries examined per side, best expected return per unit of risk first


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


def _held_decision(
    pos: selectors.PositionValue,
    price: float,
    r: float | None,
    levels: OrderProposal | None,
    portfolio: Portfolio,
    equity: float,
    to_base: float,
) -> tuple[str, int, bool, list[str]]:
    """Hold, trim, exit or cover one held position: (action, quantity, forced, reasons).

    ``price`` and the levels are in the stock's currency; the weight and ``equity`` in the portfolio's,
    ``to_base`` units of it per unit of the stock's. ``r`` is the shrunk expected arithmetic return over
    the horizon (``None`` without a prediction); ``levels`` the last filled proposal of the ticker.
    ``forced`` orders (stop-loss, take-profit, weight limit) go to the market; an exit on a turned signal
    is priced on the trade-off curve.
    """
    long_ = pos.quantity > 0
    horizon = portfolio.horizon_days
    reasons: list[str] = []
    quantity = 0
    action = A.HOLD
    forced = True  # stops, targets and the weight limit are rules: they do not wait for an edge
    if (
        levels
        and levels.stop_loss
        and (price <= float(levels.stop_loss) if long_ else price >= float(levels.stop_loss))
    ):
        action, quantity = (A.EXIT if long_ else A.COVER), abs(pos.quantity)
        reasons.append(f"The price {price:.2f} went through the stop-loss {float(levels.stop_loss):.2f}.")
    elif (
        levels
        and levels.take_profit
        and (price >= float(levels.take_profit) if long_ else price <= float(levels.take_profit))
    ):
        action, quantity = (A.EXIT if long_ else A.COVER), abs(pos.quantity)
        reasons.append(f"The price {price:.2f} reached the take-profit {float(levels.take_profit):.2f}.")
    elif r is None:
        reasons.append("The model has no prediction for this ticker today; holding.")
    elif (r < 0) == long_ and r != 0:
        action, quantity, forced = (A.EXIT if long_ else A.COVER), abs(pos.quantity), False
        reasons.append(f"The signal turned: the model now expects {r:+.2%} over {horizon} days.")
    elif pos.weight is not None and abs(pos.weight) > portfolio.max_position_weight:
        excess = (abs(pos.weight) - portfolio.max_position_weight) * equity / (price * to_base)
        action, quantity = A.TRIM, math.ceil(excess)
        reasons.append(
            f"The position weighs {abs(pos.weight):.1%}, above the {portfolio.max_position_weight:.0%} limit."
        )
    else:
        reasons.append(f"The signal still agrees with the position ({r:+.2%} expected over {horizon} days).")
    return action, quantity, forced, reasons


def _unpriced_hold(
    batch: ProposalBatch, ticker: str, pos: selectors.PositionValue, notes: list[str]
) -> OrderProposal:
    """A held ticker the engine cannot price on the day: a hold that says why, never a silent gap."""
    from market.selectors import bars_frame

    bars = bars_frame(tickers=[ticker], end=batch.as_of)
    market = batch.markets.get(ticker)
    if bars.empty:
        reason = f"No price for {ticker} on {batch.as_of} (no bar on or before it); holding, no order priced."
        reference = pos.average_cost
    elif market is None and pd.Timestamp(bars["date"].iloc[-1]).date() == batch.as_of:
        reason = (
            f"No volatility estimate for {ticker} on {batch.as_of} (too little history); holding, "
            "no order is priced."
        )
        reference = float(bars["close"].iloc[-1])
    else:
        last = bars.iloc[-1]
        reason = (
            f"No price for {ticker} on {batch.as_of} (last close {float(last['close']):.2f} on "
            f"{pd.Timestamp(last['date']).date()}); holding, no order is priced."
        )
        reference = float(last["close"])
    return unpriced_hold_store(batch, ticker, reference, [*notes, reason])


@dataclass
class Budget:
    """Cash and gross exposure left as the run's orders are decided (sells free room for buys), in the
    portfolio's currency; ``to_base`` holds each ticker's units of it per unit of the stock's currency (the
    stored rate of the day, 1 for the same currency), so an order's notional in dollars is counted in euros.
    """

    cash: float
    gross: float
    to_base: dict[str, float]

    def in_base(self, ticker: str, amount: float) -> float:
        return amount * self.to_base[ticker]

    def after(self, side: str, notional: float, *, closing: bool) -> None:
        self.cash += notional if side in costs.SELLING_SIDES else -notional
        self.gross += -notional if closing else notional


def ranked_views(frame: pd.DataFrame, model_version: ModelVersion, portfolio: Portfolio) -> pd.DataFrame:
    """The predictions with ``shrunk`` (arithmetic return over the portfolio's horizon, shrunk by the
    model's reliability: no demonstrated edge, no expected return) and ``per_risk`` (shrunk / volatility).

    mlcore gives log returns over its own horizon; the order engine works with arithmetic returns over
    the portfolio's horizon.
    """
    shrunk = horizon_expected_returns(
        frame["expected_return"],
        reliability=model_version.reliability,
        model_horizon=model_version.horizon,
        horizon=portfolio.horizon_days,
    )
    ranked = frame.assign(shrunk=shrunk)
    return ranked.assign(
        per_risk=ranked["shrunk"] / ranked["predicted_volatility"].astype(float).clip(lower=1e-6)
    )


def entry_candidates(ranked: pd.DataFrame, portfolio: Portfolio, held: set[str]) -> list[str]:
    """Tickers not held worth examining: per side, the ``MAX_NEW_PER_SIDE`` best per unit of risk."""
    by_risk = ranked.sort_values("per_risk", ascending=False).index
    longs = [t for t in by_risk if ranked.at[t, "shrunk"] > 0 and t not in held]
    shorts = [t for t in reversed(by_risk) if ranked.at[t, "shrunk"] < 0 and t not in held]
    return longs[:MAX_NEW_PER_SIDE] + (shorts[:MAX_NEW_PER_SIDE] if portfolio.allow_short else [])


def _expected(ranked: pd.DataFrame, ticker: str) -> float | None:
    return float(ranked.at[ticker, "shrunk"]) if ticker in ranked.index else None


def held_proposals(
    batch: ProposalBatch,
    ranked: pd.DataFrame,
    valuation: selectors.Valuation,
    budget: Budget,
    day_notes: list[str],
) -> list[OrderProposal]:
    """Step 1: hold, trim, exit or cover each held position (frees cash and gross room for entries)."""
    portfolio, as_of = batch.portfolio, batch.as_of
    equity = valuation.equity or 0.0  # every rate found: ``generate`` refuses a valuation without one
    filled_levels = _last_filled_levels(portfolio)
    created: list[OrderProposal] = []
    for ticker, pos in sorted((p.ticker, p) for p in valuation.positions):
        mkt = batch.markets.get(ticker)
        if mkt is None or mkt.price_date != as_of:
            created.append(_unpriced_hold(batch, ticker, pos, [*day_notes]))
            continue
        exit_side = costs.SELL if pos.quantity > 0 else costs.COVER
        r = _expected(ranked, ticker)
        action, quantity, forced, reasons = _held_decision(
            pos, mkt.price, r, filled_levels.get(ticker), portfolio, equity, budget.to_base[ticker]
        )
        if action == A.HOLD:
            created.append(proposal_store(batch, ticker, action, "", 0, None, [*day_notes, *reasons]))
            continue
        stored = propose(
            batch,
            ticker,
            action,
            exit_side,
            quantity,
            expected_return=r or 0.0,
            reasons=reasons,
            execution=Execution.MARKET if forced else Execution.ON_ITS_EDGE,
            day_notes=day_notes,
        )
        created.extend(stored)
        if stored[0].action != A.SKIP:
            budget.after(exit_side, budget.in_base(ticker, quantity * mkt.price), closing=True)
    return created


def entry_proposals(
    batch: ProposalBatch,
    ranked: pd.DataFrame,
    entries: list[str],
    equity: float,
    budget: Budget,
    day_notes: list[str],
) -> list[OrderProposal]:
    """Step 2: new positions, best expected return per unit of risk first, within every limit.

    Sized in the stock's currency (its price, stop and costs per share): the budget in the portfolio's
    currency is converted into it at the day's rate, and the order's notional back to count it.
    """
    portfolio, horizon = batch.portfolio, batch.horizon
    created: list[OrderProposal] = []
    for ticker in entries:
        mkt = batch.markets.get(ticker)
        if mkt is None or mkt.price_date != batch.as_of:
            continue
        r = float(ranked.at[ticker, "shrunk"])
        side = costs.BUY if r > 0 else costs.SHORT
        stop = pricing.stop_loss_price(mkt.price, side, mkt.sigma, portfolio.stop_loss_sigmas, horizon)
        to_base = budget.to_base[ticker]
        limits = sizing.SizeLimits(
            equity=equity / to_base,
            cash=budget.cash / to_base,
            risk_fraction=portfolio.risk_per_trade,
            max_weight=portfolio.max_position_weight,
            max_gross=portfolio.max_gross_exposure,
            current_gross=budget.gross / to_base,
            current_position=0.0,
            cash_margin=portfolio.cash_margin,
        )
        size = sizing.size_from_risk(
            limits=limits,
            side=side,
            entry=mkt.price,
            stop=stop,
            cost_per_share=float(costs.half_spread(batch.cost_model, mkt.sigma)) * mkt.price,
        )
        if size.quantity < 1:
            continue
        stored = propose(
            batch,
            ticker,
            A.ENTER,
            side,
            size.quantity,
            expected_return=r,
            reasons=[
                f"The model expects {r:+.2%} over {horizon} days (shrunk by its reliability "
                f"{batch.model_version.reliability:.2f}).",
                size.reason,
            ],
            execution=Execution.ON_ITS_EDGE,
            protective_stop=True,
            day_notes=day_notes,
        )
        created.extend(stored)
        if stored[0].action == A.ENTER:
            entry = float(stored[0].limit_price or stored[0].reference_price)
            budget.after(side, budget.in_base(ticker, size.quantity * entry), closing=False)
    return created


@transaction.atomic
def generate(*, portfolio: Portfolio, as_of: dt.date | None = None) -> list[OrderProposal]:
    """Store a new set of proposals for ``as_of`` (default: last bar day); it replaces the open ones.

    A day that is not a session uses the last session before it (said in every proposal's reasons).
    Raises :class:`~swingtrade.errors.DomainError` (and changes nothing) for a day in the future, outside
    the exchange calendar, without prices or with too little history (see
    :func:`~portfolio.proposals.state.proposal_day`), or when the portfolio has no equity; with a 422 when a
    held or candidate stock's currency has no stored rate into the portfolio's (budgets and weights are in
    the portfolio's currency). Which open proposals the new set replaces:
    :mod:`portfolio.proposals.replacement`.
    """
    from mlcore.serving.predict import predictions_frame

    as_of, day_notes = proposal_day(as_of)
    frame, model_version = predictions_frame(as_of=as_of)
    valuation = selectors.portfolio_valuation(portfolio).require_rates()
    if not valuation.equity or valuation.equity <= 0:
        raise DomainError("The portfolio has no equity to trade with.")
    held = {p.ticker: p for p in valuation.positions}
    ranked = ranked_views(frame, model_version, portfolio)
    entries = entry_candidates(ranked, portfolio, set(held))
    batch = ProposalBatch.build(
        portfolio=portfolio,
        as_of=as_of,
        cost_model=portfolio.cost_profile.as_cost_model(),
        markets=market_state(sorted(set(held) | set(entries)), as_of, portfolio.order_validity_sessions),
        positions=held,
        model_version=model_version,
    )
    currencies = {symbol: ticker.currency for symbol, ticker in batch.symbols.items()}
    budget = Budget(
        cash=valuation.cash,
        gross=valuation.gross_exposure or 0.0,
        to_base=selectors.rates_to_base(portfolio.base_currency, currencies, as_of),
    )
    created = held_proposals(batch, ranked, valuation, budget, day_notes)
    created += entry_proposals(batch, ranked, entries, valuation.equity, budget, day_notes)
    replace_open_proposals(portfolio=portfolio, new=created)
    logger.info(
        "order proposals created",
        extra={"portfolio": portfolio.pk, "as_of": str(as_of), "count": len(created)},
    )
    return created
