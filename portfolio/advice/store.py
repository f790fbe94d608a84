"""The default advice stored as order proposals (what the proposals page, API and digest show)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from market import calendar, clock
from portfolio import costs, selectors
from portfolio.advice.core import Advice, AdviceOrder
from portfolio.advice.service import default_advice
from portfolio.models import OrderProposal, Portfolio
from portfolio.proposals.replacement import replace_open_proposals
from swingtrade.errors import DomainError

A = OrderProposal.Action


def _action(order: AdviceOrder, held: int) -> str:
    if order.side == costs.BUY:
        return A.ADD if held > 0 else A.ENTER
    return A.EXIT if order.quantity >= held else A.TRIM


def expected_costs(order: AdviceOrder) -> dict[str, float]:
    """The proposal's cost breakdown (money): fees, taxes and the order's effect on volatility."""
    return {
        "commission_and_spread": round(order.fees, 6),
        "transaction_tax": round(order.transaction_tax, 6),
        "capital_gains_tax": round(order.capital_gains_tax, 6),
        "realised_gain": round(order.realised_gain, 6),
        "fees": round(order.fees, 6),
        "taxes": round(order.taxes, 6),
        "total": round(order.fees + order.taxes, 6),
        "volatility_effect": round(order.volatility_effect, 6),
    }


@transaction.atomic
def advice_proposals_create(
    *, portfolio: Portfolio, as_of: dt.date | None = None
) -> tuple[Advice, list[OrderProposal]]:
    """Store the default advice's orders as proposals; open ones are replaced by a non-empty set
    (``portfolio.proposals.replacement``: "nothing to do" leaves the earlier advice as it was).

    Orders are market orders valid ``order_validity_sessions`` sessions: they are steps to a lower-risk
    portfolio, not bets on a price, so they should execute rather than wait for a better price.
    """
    from market.models import Ticker

    if as_of is not None and clock.is_future(as_of):
        raise DomainError("Advice cannot be computed for a future date.", details={"as_of": ["future"]})
    advice = default_advice(portfolio=portfolio, as_of=as_of)
    held = dict(portfolio.positions.values_list("ticker__symbol", "quantity"))
    tickers = {t.symbol: t for t in Ticker.objects.filter(symbol__in=[o.ticker for o in advice.orders])}
    created = []
    for order in advice.orders:
        cost = order.fees + order.taxes
        ticker = tickers[order.ticker]
        exchange = selectors.calendar_of(ticker.exchange, symbol=ticker.symbol)
        valid_until = calendar.validity_date(exchange, advice.as_of, portfolio.order_validity_sessions)
        created.append(
            OrderProposal.objects.create(
                portfolio=portfolio,
                ticker=ticker,
                as_of=advice.as_of,
                action=_action(order, int(held.get(order.ticker, 0))),
                side=order.side,
                order_type=OrderProposal.OrderType.MARKET,
                quantity=order.quantity,
                reference_price=Decimal(str(round(order.price, 6))),
                valid_until=valid_until,
                # The advice claims no return: its benefit is the risk removed, stated beside the costs.
                expected_gross_return=0.0,
                expected_costs=expected_costs(order),
                expected_cost_return=cost / order.notional if order.notional else 0.0,
                expected_net_return=-cost / order.notional if order.notional else 0.0,
                reasons="\n".join([order.reason, advice.summary]),
            )
        )
    replace_open_proposals(portfolio=portfolio, new=created)  # the project's one replacement rule
    return advice, created
