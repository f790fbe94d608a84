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

import pandas as pd
from django.db import transaction

from portfolio import costs, selectors
from portfolio.models import OrderProposal, Portfolio
from portfolio.optimize.inputs import horizon_expected_returns
from portfolio.orders import pricing
from portfolio.proposals.batch import ProposalBatch, entry_levels, order_plan, protective_plan
from portfolio.proposals.state import market_state, proposal_day
from portfolio.proposals.store import proposal_store, unpriced_hold_store
from swingtrade.errors import DomainError

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
) -> tuple[str, int, bool, list[str]]:
    """Hold, trim, exit or cover one held position: (action, quantity, forced, reasons).

    ``r`` is the shrunk expected arithmetic return over the horizon (``None`` without a prediction);
    ``levels`` the last filled proposal of the ticker. ``forced`` orders (stop-loss, take-profit, weight
    limit) go to the market; an exit on a turned signal is priced on the trade-off curve.
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
    elif abs(pos.weight) > portfolio.max_position_weight:
        excess = (abs(pos.weight) - portfolio.max_position_weight) * equity / price
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


@transaction.atomic
def generate(*, portfolio: Portfolio, as_of: dt.date | None = None) -> list[OrderProposal]:
    """Store a new set of proposals for ``as_of`` (default: last bar day) and expire the open ones.

    A day that is not a session uses the last session before it (said in every proposal's reasons).
    Raises :class:`~swingtrade.errors.DomainError` (and changes nothing) for a day in the future, outside
    the exchange calendar, without prices or with too little history (see
    :func:`~portfolio.proposals.state.proposal_day`), or when the portfolio has no equity. Open
    proposals are expired only when the new set is not empty.
    """
    from mlcore.serving.predict import predictions_frame

    as_of, day_notes = proposal_day(as_of)
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

    # mlcore gives log returns over its own horizon; the order engine works with arithmetic returns
    # over the portfolio's horizon.
    shrunk = horizon_expected_returns(
        frame["expected_return"],
        reliability=reliability,
        model_horizon=getattr(model_version, "horizon", None),
        horizon=horizon,
    )
    ranked = frame.assign(shrunk=shrunk)
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

    cash = valuation.cash
    gross = valuation.gross_exposure
    created: list[OrderProposal] = []

    def propose(ticker, action, side, quantity, plan, reasons, **kwargs) -> OrderProposal:
        notes = [*day_notes, *reasons]
        proposal = proposal_store(batch, ticker, action, side, quantity, plan, notes, **kwargs)
        created.append(proposal)
        return proposal

    def priced(ticker: str) -> bool:
        return ticker in state and state[ticker].price_date == as_of

    def plan_for(ticker, side, quantity, is_entry):
        r = float(ranked.at[ticker, "shrunk"]) if ticker in ranked.index else 0.0
        return order_plan(batch, ticker, side, quantity, expected_return=r, is_entry=is_entry)

    # 1. Held positions first: exits, covers and trims free cash and gross room for the entries.
    for ticker, pos in sorted(held.items()):
        if not priced(ticker):
            created.append(_unpriced_hold(batch, ticker, pos, [*day_notes]))
            continue
        mkt = state[ticker]
        exit_side = costs.SELL if pos.quantity > 0 else costs.COVER
        r = float(ranked.at[ticker, "shrunk"]) if ticker in ranked.index else None
        action, quantity, forced, reasons = _held_decision(
            pos, mkt.price, r, filled_levels.get(ticker), portfolio, equity
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
        if not priced(ticker):
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
        reasons = [
            f"The model expects {r:+.2%} over {horizon} days (shrunk by its reliability {reliability:.2f}).",
            size.reason,
            *plan.reasons,
        ]
        if take is None:
            reasons.append("No take-profit: the expected move does not pay the round-trip costs.")
        if not plan.worthwhile:
            propose(ticker, A.SKIP, side, size.quantity, plan, reasons, crosses_spread=False)
            continue
        protect = protective_plan(
            batch, ticker, side, size.quantity, entry=entry, stop=stop, expected_return=r
        )
        reasons.append(
            f"Its protective exit, a {protect.order_type.replace('_', '-')} at {stop:.2f}, is the next "
            "proposal: place it once this order fills."
        )
        enter = propose(
            ticker,
            A.ENTER,
            side,
            size.quantity,
            plan,
            reasons,
            stop_loss=stop,
            take_profit=take,
        )
        propose(
            ticker,
            A.EXIT if side == costs.BUY else A.COVER,
            protect.side,
            size.quantity,
            protect,
            [
                f"Protective stop of proposal #{enter.pk} ({enter.get_side_display().lower()} "
                f"{size.quantity} {ticker}): place it once that order fills; accepting the entry "
                "does not place it.",
                *protect.reasons,
            ],
            crosses_spread=True,
            valid_until=batch.protect_until,
            cost_price=stop,
        )
        notional = size.quantity * entry
        cash += -notional if side == costs.BUY else notional
        gross += notional
    if created:
        # What is still open from earlier runs is replaced by the new set (never by an empty one).
        portfolio.proposals.filter(status=OrderProposal.Status.PROPOSED).exclude(
            pk__in=[p.pk for p in created]
        ).update(status=OrderProposal.Status.EXPIRED)
    logger.info(
        "order proposals created",
        extra={"portfolio": portfolio.pk, "as_of": str(as_of), "count": len(created)},
    )
    return created
