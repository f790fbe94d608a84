"""Cost one order with :mod:`portfolio.costs` and store it as an :class:`~portfolio.models.OrderProposal`."""

from __future__ import annotations

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
