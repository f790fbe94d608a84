"""Cost one order with :mod:`portfolio.costs` and store it as an :class:`~portfolio.models.OrderProposal`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from portfolio import costs
from portfolio.models import OrderProposal
from portfolio.orders import pricing
from portfolio.proposals.batch import ProposalBatch

A = OrderProposal.Action


def decimal_or_none(value: float | None) -> Decimal | None:
    """A price for a ``DecimalField`` (6 decimals), or ``None``."""
    return None if value is None else Decimal(str(round(value, 6)))


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
    valid_until: dt.date | None = None,
    cost_price: float | None = None,
) -> OrderProposal:
    """Cost one order with :mod:`portfolio.costs` and store it as a proposal.

    ``plan`` is ``None`` for a hold. ``crosses_spread`` defaults to whether the plan is a market order
    (a hold is costed as if it crossed); skips pass ``False``. Holds and skips get no order type and
    no validity date; orders are valid until the batch's date unless ``valid_until`` says otherwise.
    ``cost_price`` (default: the last close) is the price the costs are computed at, e.g. a stop's.
    """
    market = batch.markets[ticker]
    price = cost_price or market.price
    position = batch.positions.get(ticker)
    realised = 0.0
    if position and side in (costs.SELL, costs.COVER):
        realised = (price - position.average_cost) * quantity * (1 if side == costs.SELL else -1)
    if crosses_spread is None:
        crosses_spread = plan is None or plan.order_type == pricing.MARKET
    breakdown = costs.order_costs(
        batch.cost_model,
        side=side or costs.BUY,
        quantity=quantity,
        price=price,
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
        valid_until=(valid_until or batch.valid_until(ticker)) if is_order else None,
        stop_loss=decimal_or_none(stop_loss),
        take_profit=decimal_or_none(take_profit),
        fill_probability=plan.fill_probability if plan else None,
        expected_gross_return=plan.gross_return if plan else 0.0,
        expected_costs={**breakdown.as_dict(), "notional": round(quantity * price, 2)},
        expected_cost_return=plan.cost_rate if plan else 0.0,
        expected_net_return=plan.expected_value if plan else 0.0,
        trade_off=[c.as_dict() for c in plan.candidates] if plan else [],
        model_version=batch.model_version,
        reasons="\n".join(reasons),
    )


def unpriced_hold_store(
    batch: ProposalBatch, ticker: str, reference_price: float, reasons: Sequence[str]
) -> OrderProposal:
    """A hold of a position the engine cannot price on the day: no order, no costs, the reason why."""
    return OrderProposal.objects.create(
        portfolio=batch.portfolio,
        ticker=batch.symbols[ticker],
        as_of=batch.as_of,
        action=A.HOLD,
        side="",
        order_type="",
        quantity=0,
        reference_price=decimal_or_none(reference_price),
        expected_gross_return=0.0,
        expected_costs={},
        expected_cost_return=0.0,
        expected_net_return=0.0,
        model_version=batch.model_version,
        reasons="\n".join(reasons),
    )
