"""Reads: a user's portfolios and their valuation from the latest bars (what pages and the API show)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_noop

from market import clock, fx
from portfolio.models import CostProfile, OrderProposal, Portfolio, Position, Trade
from swingtrade.errors import DomainError, NotFound, Unprocessable


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
    return _of_status(portfolio.proposals.select_related("ticker", "model_version"), status)


def owned_proposals(*, user: Any, portfolio_id: int, status: str | None = None) -> QuerySet[OrderProposal]:
    """:func:`proposals_of` for the portfolio ``portfolio_id`` of ``user``, the ownership checked inside
    the same query (no portfolio read first): someone else's portfolio, like a missing one, has none.
    An empty answer does not tell a missing portfolio from one without proposals; the caller that must
    answer 404 checks :func:`portfolio_get` then."""
    qs = OrderProposal.objects.filter(portfolio_id=portfolio_id, portfolio__owner=user)
    return _of_status(qs.select_related("ticker", "model_version"), status)


def _of_status(qs: QuerySet[OrderProposal], status: str | None) -> QuerySet[OrderProposal]:
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


def rates_to_base(base: str, currencies: Mapping[str, str], on: dt.date) -> dict[str, float]:
    """Units of the portfolio's currency ``base`` per unit of each ticker's trading currency on ``on`` (1 when
    they are the same), keyed by ticker, from ``currencies`` (ticker → its currency) and the stored rates
    (``market.fx``, one query for all). A currency without a rate is a 422 that names it: budgets and
    weights in ``base`` are never computed from an unconverted price."""
    wanted = {symbol: (currency or base).upper() for symbol, currency in currencies.items()}
    quotes = fx.fx_rates_on(((currency, on) for currency in set(wanted.values())), base)
    rates = {currency: quote.rate for (currency, _day), quote in quotes.items() if quote is not None}
    missing = sorted(set(wanted.values()) - set(rates))
    if missing:
        raise Unprocessable(
            gettext_noop(
                "No exchange rate from %(currencies)s to %(base)s is stored on or before %(day)s: prices in "
                "those currencies cannot be weighed against the portfolio's %(base)s."
            ),
            params={"currencies": ", ".join(missing), "base": base, "day": on.isoformat()},
            details={"fx_rate": missing},
        )
    return {symbol: rates[currency] for symbol, currency in wanted.items()}


def ticker_rates_to_base(base: str, symbols: Iterable[str], on: dt.date) -> dict[str, float]:
    """:func:`rates_to_base` for ``symbols``, their trading currencies read in one query (a symbol not
    stored counts as ``base``)."""
    from market.models import Ticker

    wanted = set(symbols)
    currencies = dict(Ticker.objects.filter(symbol__in=wanted).values_list("symbol", "currency"))
    return rates_to_base(base, {s: currencies.get(s) or base for s in wanted}, on)


@dataclass
class PositionValue:
    """One holding: its own figures in the stock's ``currency``, and in the portfolio's (``*_base``).

    ``fx_rate`` is units of the portfolio's currency per unit of the stock's (1 when they are the same), the
    stored rate of ``fx_rate_on`` (None without conversion); None, with every ``*_base`` figure and the
    weight, when no rate is stored near the price date: the valuation does not mix currencies.
    """

    ticker: str
    currency: str
    quantity: int
    average_cost: float
    price: float
    price_date: dt.date | None
    market_value: float
    unrealised_pnl: float
    average_cost_base: float | None
    fx_rate: float | None
    fx_rate_on: dt.date | None
    market_value_base: float | None
    unrealised_pnl_base: float | None  # against the PMP in the portfolio's currency (``average_cost_base``)
    weight: float | None = None


@dataclass
class Valuation:
    """A portfolio in its ``base_currency``: cash, equity, exposures and weights, never a sum of currencies.

    ``missing_rates`` names the currencies of positions without a stored rate near their price date; then
    equity, exposures and weights are None (:meth:`require_rates` turns that into a refusal).
    """

    base_currency: str
    cash: float
    equity: float | None
    long_exposure: float | None
    short_exposure: float | None
    gross_exposure: float | None
    net_exposure: float | None
    realised_pnl_ytd: float
    capital_gains_tax_ytd: float
    positions: list[PositionValue] = field(default_factory=list)
    missing_rates: list[str] = field(default_factory=list)
    # The rates converted at, once per currency and fixing day (none when all is in the same currency).
    rates_used: list[fx.FxQuote] = field(default_factory=list)

    @property
    def gross_ratio(self) -> float | None:
        if self.equity is None or self.gross_exposure is None:
            return None
        return self.gross_exposure / self.equity if self.equity > 0 else 0.0

    @property
    def net_ratio(self) -> float | None:
        if self.equity is None or self.net_exposure is None:
            return None
        return self.net_exposure / self.equity if self.equity > 0 else 0.0

    def require_rates(self) -> Valuation:
        """This valuation when every position is in the portfolio's currency; else a 422 naming the
        currencies without a rate (what the advice, the optimiser and the cash rules refuse on)."""
        if self.missing_rates:
            raise Unprocessable(
                gettext_noop(
                    "No exchange rate from %(currencies)s to %(base)s is stored near the last prices: the "
                    "portfolio cannot be valued in %(base)s without mixing currencies."
                ),
                params={"currencies": ", ".join(self.missing_rates), "base": self.base_currency},
                details={"fx_rate": self.missing_rates},
            )
        return self


_PRICED_POSITION_FIELDS = (
    "quantity",
    "average_cost",
    "average_cost_base",
    "symbol",
    "currency",
    "price_date",
    "close",
)


def _priced_positions(portfolio_id: int) -> list[dict[str, Any]]:
    """The portfolio's positions with their ticker's symbol, currency and latest close (None without a bar),
    by symbol, as dicts of :data:`_PRICED_POSITION_FIELDS`.

    Plain SQL: every valuation (the API's, each page's) runs it, and the ORM spent 0.58 ms compiling this
    query against 0.05 ms running it (``bench/api_profile.py``). The latest close is
    :func:`market.selectors.latest_bar_join`, the rule of ``latest_close_of``.
    """
    from market.models import Ticker
    from market.selectors import latest_bar_join

    position, ticker = Position._meta, Ticker._meta
    column = position.get_field
    sql = (
        f"SELECT pos.{column('quantity').column}, pos.{column('average_cost').column}, "
        f"pos.{column('average_cost_base').column}, tic.{ticker.get_field('symbol').column}, "
        f"tic.{ticker.get_field('currency').column}, tic.{ticker.get_field('last_bar_date').column}, "
        f"bar.close FROM {position.db_table} pos "
        f"JOIN {ticker.db_table} tic ON tic.{ticker.pk.column} = pos.{column('ticker').column} "
        f"{latest_bar_join(ticker_alias='tic', bar_alias='bar')} "
        f"WHERE pos.{column('portfolio').column} = %s ORDER BY tic.{ticker.get_field('symbol').column}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [portfolio_id])
        rows = [dict(zip(_PRICED_POSITION_FIELDS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # SQLite hands dates back as ISO text and decimals as numbers
        if isinstance(row["price_date"], str):
            row["price_date"] = dt.date.fromisoformat(row["price_date"])
        for name in ("average_cost", "average_cost_base"):
            if row[name] is not None and not isinstance(row[name], Decimal):
                row[name] = Decimal(str(row[name]))
    return rows


def portfolio_valuation(portfolio: Portfolio, *, today: dt.date | None = None) -> Valuation:
    """Market value, unrealised P&L, exposures and weights from the latest stored closes, in the portfolio's
    currency.

    Each position keeps its price in its own currency and is converted at the stored rate of its price
    date (``market.fx``); a position whose ticker has no bar yet is valued at its average cost (and says so
    with no price date), converted at the rate of ``today``. The unrealised P&L in the portfolio's currency
    is against the PMP of that currency (each purchase at its own day's rate; a position booked before
    that was stored: its cost at today's rate). Two queries — the positions with their latest close
    (:func:`_priced_positions`) and the year's realised P&L — and one more for every rate
    when a position is in another currency.
    """
    base = portfolio.base_currency
    day = today or clock.today()
    positions = _priced_positions(portfolio.pk)
    for p in positions:  # the day a position's price is of: its close's, else (valued at cost) today
        p["currency"] = (p["currency"] or base).upper()
        p["rate_day"] = p["price_date"] if p["close"] is not None and p["price_date"] else day
    rates = fx.fx_rates_on(((p["currency"], p["rate_day"]) for p in positions), base)
    rows: list[PositionValue] = []
    for p in positions:
        currency = p["currency"]
        average_cost = float(p["average_cost"])
        quantity = p["quantity"]
        if p["close"] is None:
            price, price_date = average_cost, None
        else:
            price, price_date = float(p["close"]), p["price_date"]
        value = quantity * price
        quote = rates[(currency, p["rate_day"])]
        row = PositionValue(
            ticker=p["symbol"],
            currency=currency,
            quantity=quantity,
            average_cost=average_cost,
            price=price,
            price_date=price_date,
            market_value=value,
            unrealised_pnl=(price - average_cost) * quantity,
            average_cost_base=None,
            fx_rate=None,
            fx_rate_on=None,
            market_value_base=None,
            unrealised_pnl_base=None,
        )
        if quote is not None:
            converted = currency != base
            cost_base = p["average_cost_base"]
            row.average_cost_base = float(cost_base) if cost_base is not None else quote.convert(average_cost)
            row.fx_rate, row.fx_rate_on = quote.rate, (quote.on if converted else None)
            row.market_value_base = quote.convert(value)
            row.unrealised_pnl_base = row.market_value_base - quantity * row.average_cost_base
        rows.append(row)
    missing = sorted({r.currency for r in rows if r.fx_rate is None})
    cash = float(portfolio.cash)
    realised = float(realised_pnl_in_year(portfolio, day.year))
    valuation = Valuation(
        base_currency=base,
        cash=cash,
        equity=None,
        long_exposure=None,
        short_exposure=None,
        gross_exposure=None,
        net_exposure=None,
        realised_pnl_ytd=realised,
        capital_gains_tax_ytd=portfolio.cost_profile.capital_gains_rate * max(realised, 0.0),
        positions=rows,
        missing_rates=missing,
        rates_used=sorted(
            {q for q in rates.values() if q is not None and q.base != q.quote},
            key=lambda q: (q.base, q.on),
        ),
    )
    if missing:
        return valuation
    long_exposure = sum(r.market_value_base or 0.0 for r in rows if r.quantity > 0)
    short_exposure = -sum(r.market_value_base or 0.0 for r in rows if r.quantity < 0)
    equity = cash + long_exposure - short_exposure
    for r in rows:
        r.weight = (r.market_value_base or 0.0) / equity if equity > 0 else 0.0
    valuation.equity = equity
    valuation.long_exposure, valuation.short_exposure = long_exposure, short_exposure
    valuation.gross_exposure = long_exposure + short_exposure
    valuation.net_exposure = long_exposure - short_exposure
    return valuation
