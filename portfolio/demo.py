"""The demo portfolio that `make run` gives the demo investor: real positions bought at real closes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from portfolio import costs, services
from portfolio.models import Portfolio

DEMO_PORTFOLIO = "Demo portfolio"
DEMO_CASH = Decimal("100000")
# Holdings bought at the real close some sessions before the last stored date, so they show a P&L.
DEMO_HOLDINGS = (("AAPL", 120), ("MSFT", 60), ("JPM", 100), ("XOM", 150), ("PG", 50))
DEMO_ENTRY_OFFSET_SESSIONS = 60


def demo_portfolio_ensure(*, owner: Any) -> Portfolio | None:
    """Create the owner's demo portfolio unless it exists; returns it when created, else None."""
    from market.models import DailyBar

    if Portfolio.objects.filter(owner=owner, name=DEMO_PORTFOLIO).exists():
        return None
    recent = list(
        DailyBar.objects.order_by("-date")
        .values_list("date", flat=True)
        .distinct()[: DEMO_ENTRY_OFFSET_SESSIONS + 1]
    )
    if not recent:
        return None
    entry_date = recent[-1]
    closes = dict(
        DailyBar.objects.filter(
            date=entry_date, ticker__symbol__in=[symbol for symbol, _ in DEMO_HOLDINGS]
        ).values_list("ticker__symbol", "close")
    )
    portfolio = services.portfolio_create(owner=owner, name=DEMO_PORTFOLIO, cash=DEMO_CASH)
    for symbol, quantity in DEMO_HOLDINGS:
        if symbol in closes:
            services.trade_record(
                portfolio=portfolio,
                ticker=symbol,
                side=costs.BUY,
                quantity=quantity,
                price=Decimal(str(closes[symbol])),
                traded_on=entry_date,
            )
    return portfolio
