"""Reads: a user's portfolios and their valuation from the latest bars (what pages and the API show)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Sum

from market import clock
from portfolio.models import CostProfile, OrderProposal, Portfolio, Position, Trade
from swingtrade.errors import DomainError, NotFound


def portfolios_for(user: Any) -> QuerySet[Portfolio]:
    return Portfolio.objects.filter(owner=user).select_related("cost_profile")


def portfolio_get(*, user: Any, portfolio_id: int) -> Portfolio:
    """The user's portfolio; someone else's is indistinguishable from a missing one (404)."""
    portfolio = portfolios_for(user).filter(pk=portfolio_id).first()
    if portfolio is None:
        raise NotFound("No such portfolio.")
    return portfolio


def calendar_of(exchange_code: str | None, *, symbol: str = "") -> str:
    """The market calendar of a ticker's stored exchange code (blank: the default exchange).

    A code ``exchange_calendars`` does not know (e.g. Yahoo's "NMS" typed in the admin) is a data problem the
    user can fix, said in a 400 rather than a crash.
    """
    from market.calendar import exchange_for

    try:
        return exchange_for(exchange_code)
    except ValueError:
        raise DomainError(
            f"{symbol or 'This ticker'} has an unknown exchange code {exchange_code!r}: set an ISO 10383 "
            "MIC such as XNYS or XPAR (or leave it blank for the default) in the admin.",
            details={"exchange": ["unknown"]},
        )


def cost_profiles_for(user: Any) -> QuerySet[CostProfile]:
    """Presets and the user's own profiles."""
    from django.db.models import Q

    return CostProfile.objects.filter(Q(owner__isnull=True) | Q(owner=user))


def positions_of(portfolio: Portfolio) -> QuerySet[Position]:
    return portfolio.positions.select_related("ticker")


def trades_of(portfolio: Portfolio) -> QuerySet[Trade]:
    return portfolio.trades.select_related("ticker")


def proposals_of(portfolio: Portfolio, *, status: str | None = None) -> QuerySet[OrderProposal]:
    """The portfolio's proposals, optionally of one status; an unknown status is refused, not empty."""
    qs = portfolio.proposals.select_related("ticker", "model_version")
    if status is None or status == "":
        return qs
    if status not in OrderProposal.Status.values:
        allowed = ", ".join(OrderProposal.Status.values)
        raise DomainError(
            f"Unknown proposal status {status!r}; use one of {allowed}.", details={"status": [allowed]}
        )
    return qs.filter(status=status)


def proposal_get(*, portfolio: Portfolio, proposal_id: int) -> OrderProposal:
    proposal = portfolio.proposals.select_related("ticker").filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound("No such proposal.")
    return proposal


def realised_pnl_in_year(portfolio: Portfolio, year: int) -> Decimal:
    """Net realised P&L (before costs) of the calendar year: what the capital-gains tax is computed on."""
    total = portfolio.trades.filter(traded_on__year=year).aggregate(total=Sum("realised_pnl"))["total"]
    return total or Decimal("0")


@dataclass
class PositionValue:
    ticker: str
    quantity: int
    average_cost: float
    price: float
    price_date: dt.date | None
    market_value: float
    unrealised_pnl: float
    weight: float = 0.0


@dataclass
class Valuation:
    cash: float
    equity: float
    long_exposure: float
    short_exposure: float
    gross_exposure: float
    net_exposure: float
    realised_pnl_ytd: float
    capital_gains_tax_ytd: float
    positions: list[PositionValue] = field(default_factory=list)

    @property
    def gross_ratio(self) -> float:
        return self.gross_exposure / self.equity if self.equity > 0 else 0.0

    @property
    def net_ratio(self) -> float:
        return self.net_exposure / self.equity if self.equity > 0 else 0.0


def portfolio_valuation(portfolio: Portfolio, *, today: dt.date | None = None) -> Valuation:
    """Market value, unrealised P&L, exposures and weights from the latest stored closes.

    A position whose ticker has no bar yet is valued at its average cost (and says so with no price date).
    Two queries: the positions with their latest close (:func:`market.selectors.latest_close_of`), and
    the year's realised P&L.
    """
    from market.selectors import latest_close_of

    positions = portfolio.positions.values("quantity", "average_cost").annotate(
        symbol=F("ticker__symbol"), price_date=F("ticker__last_bar_date"), close=latest_close_of("ticker")
    )
    rows: list[PositionValue] = []
    for p in positions:
        average_cost = float(p["average_cost"])
        quantity = p["quantity"]
        if p["close"] is None:
            price, price_date = average_cost, None
        else:
            price, price_date = float(p["close"]), p["price_date"]
        value = quantity * price
        rows.append(
            PositionValue(
                ticker=p["symbol"],
                quantity=quantity,
                average_cost=average_cost,
                price=price,
                price_date=price_date,
                market_value=value,
                unrealised_pnl=(price - average_cost) * quantity,
            )
        )
    cash = float(portfolio.cash)
    long_exposure = sum(r.market_value for r in rows if r.quantity > 0)
    short_exposure = -sum(r.market_value for r in rows if r.quantity < 0)
    equity = cash + long_exposure - short_exposure
    for r in rows:
        r.weight = r.market_value / equity if equity > 0 else 0.0
    year = (today or clock.today()).year
    realised = float(realised_pnl_in_year(portfolio, year))
    tax = portfolio.cost_profile.capital_gains_rate * max(realised, 0.0)
    return Valuation(
        cash=cash,
        equity=equity,
        long_exposure=long_exposure,
        short_exposure=short_exposure,
        gross_exposure=long_exposure + short_exposure,
        net_exposure=long_exposure - short_exposure,
        realised_pnl_ytd=realised,
        capital_gains_tax_ytd=tax,
        positions=rows,
    )
