"""Recording an executed fill: validate the request → compute its effects (pure) → store them.

Every rule is checked before anything changes; a refusal raises a ``swingtrade.errors`` exception with the
reason and writes nothing. The arithmetic of a fill (cash, position, average cost, realised P&L, fees and
taxes) lives in :func:`portfolio.ledger.trade_effects`.

Currencies. The price (and fees typed by the user) are in the ticker's trading currency, as on the fill
confirmation; the books are in the portfolio's currency. A fill is converted at the stored rate of its
date (:func:`market.fx.fx_rate`: the ECB fixing of that day, or the latest one up to a week before) and the
rate and its date are stored on the trade; without a rate the trade is refused, never booked in mixed
currencies. Cash, fees, the transaction tax, the realised P&L and the tax are in the portfolio's currency.
The position keeps two average costs: ``average_cost`` in the trading currency (stops, unrealised P&L
against market prices) and ``average_cost_base`` in the portfolio's currency, each purchase at its own
day's rate — the French PMP of a resident is computed in euros, so a sale's taxable gain includes the
currency's move between purchase and sale.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_noop

from market import clock, fx
from portfolio import costs, ledger, selectors
from portfolio.models import MONEY, OrderProposal, Portfolio, Position, Side, Trade
from portfolio.services.amounts import MAX_SHARES, fit_amount, whole_shares
from portfolio.services.tax_ledger import trade_tax_book
from swingtrade.errors import Conflict, DomainError, Phrase

if TYPE_CHECKING:
    from market.models import Ticker

logger = logging.getLogger("swingtrade.portfolio")

# A fill price outside [PRICE_BAND[0] x low, PRICE_BAND[1] x high] of that day's bar is a typo (a
# misplaced decimal point, a price from before a split), not an execution: refused rather than booked.
PRICE_BAND = (0.5, 2.0)
MONEY_QUANTUM = Decimal(1).scaleb(-MONEY["decimal_places"])
RATE_QUANTUM = Decimal(1).scaleb(-Trade._meta.get_field("fx_rate").decimal_places)


@dataclass(frozen=True)
class Conversion:
    """How a fill in ``currency`` enters books kept in ``base``: ``rate`` base units per unit, of ``on``."""

    currency: str
    base: str
    rate: Decimal
    on: dt.date | None  # None: same currency, nothing converted

    def __call__(self, amount: Decimal) -> Decimal:
        return amount * self.rate


def fill_conversion(*, currency: str, base: str, traded_on: dt.date) -> Conversion:
    """The rate a fill of ``traded_on`` is booked at, or a refusal naming the missing rate.

    The stored rate is rounded to the column's precision first, so the trade row alone says exactly how
    its amounts were obtained.
    """
    if currency.upper() == base.upper():
        return Conversion(currency, base, Decimal(1), None)
    quote = fx.fx_rate(currency, base, traded_on)
    if quote is None:
        raise DomainError(
            gettext_noop(
                "No %(currency)s to %(base)s exchange rate is stored for %(date)s (nor in the %(days)d days "
                "before): the trade cannot be booked in %(base)s. Load the rates, then record it again."
            ),
            params={
                "currency": currency,
                "base": base,
                "date": traded_on.isoformat(),
                "days": fx.MAX_STALENESS_DAYS,
            },
            details={"traded_on": ["no exchange rate"]},
        )
    return Conversion(currency, base, Decimal(str(quote.rate)).quantize(RATE_QUANTUM), quote.on)


@dataclass(frozen=True)
class FillRequest:
    """A validated fill: what the user said happened, before the portfolio is looked at."""

    instrument: Ticker
    side: str
    shares: int
    price: Decimal
    traded_on: dt.date
    fees: Decimal | None  # None: the cost profile's commission


def _check_price_band(instrument: Ticker, price: Decimal, traded_on: dt.date) -> None:
    """Refuse a fill price far outside the day's traded range (bars are as traded, so splits match).

    Without a bar for that date (not ingested yet, or a holiday) there is nothing to compare with and
    the price is taken as given; its magnitude is still bounded by the money columns (``fit_amount``).
    """
    from market.selectors import ticker_bars

    bar = (
        ticker_bars(ticker=instrument, start=traded_on, end=traded_on)
        .values_list("low", "high", "close")
        .first()
    )
    if bar is None:
        return
    low, high, close = bar
    low = close if low is None else low
    high = close if high is None else high
    floor, ceiling = PRICE_BAND[0] * low, PRICE_BAND[1] * high
    if not floor <= float(price) <= ceiling:
        raise DomainError(
            gettext_noop(
                "Price %(price)s is far from %(symbol)s's range on %(date)s (%(low)s-%(high)s): "
                "a fill is accepted within [%(floor)s, %(ceiling)s]. Check the price and the date."
            ),
            params={
                "price": price,
                "symbol": instrument.symbol,
                "date": traded_on,
                "low": f"{low:.2f}",
                "high": f"{high:.2f}",
                "floor": f"{floor:.2f}",
                "ceiling": f"{ceiling:.2f}",
            },
            details={"price": ["outside the day's range"]},
        )


def _validated_request(
    *, ticker: str, side: str, quantity: Any, price: Any, traded_on: dt.date, fees: Any
) -> FillRequest:
    from market.models import Ticker

    if side not in Side.values:
        raise DomainError(
            gettext_noop("Unknown side %(side)r; use one of %(sides)s."),
            params={"side": side, "sides": ", ".join(Side.values)},
        )
    shares = whole_shares(quantity)
    unit_price = fit_amount(price, label=gettext_noop("Price"), field="price", exact=True)
    if unit_price <= 0:
        raise DomainError(gettext_noop("Price must be positive."), details={"price": ["<= 0"]})
    fit_amount(unit_price * shares, label=gettext_noop("The trade's value (quantity x price)"), field="price")
    symbol = str(ticker).strip().upper()
    instrument = Ticker.objects.filter(symbol=symbol).first()
    if instrument is None:
        raise DomainError(
            gettext_noop("Unknown ticker %(symbol)r."),
            params={"symbol": symbol},
            details={"ticker": ["unknown"]},
        )
    if clock.is_future(traded_on, selectors.calendar_of(instrument.exchange, symbol=symbol)):
        raise DomainError(
            gettext_noop("A trade cannot be dated in the future."), details={"traded_on": ["in the future"]}
        )
    _check_price_band(instrument, unit_price, traded_on)
    fee = None
    if fees is not None:
        fee = fit_amount(fees, label=gettext_noop("Fees"), field="fees", exact=True)
        if fee < 0:
            raise DomainError(gettext_noop("Fees cannot be negative."), details={"fees": ["< 0"]})
    return FillRequest(instrument, side, shares, unit_price, traded_on, fee)


def _check_side(side: str, held: int, quantity: int, portfolio: Portfolio, symbol: str) -> None:
    if side == costs.BUY and held < 0:
        raise DomainError(
            gettext_noop("You are short %(held)d %(symbol)s: record a cover, not a buy."),
            params={"held": -held, "symbol": symbol},
        )
    if side == costs.SELL:
        if held <= 0:
            raise DomainError(
                gettext_noop("You hold no %(symbol)s to sell: record a short.")
                if portfolio.allow_short
                else gettext_noop("You hold no %(symbol)s to sell."),
                params={"symbol": symbol},
            )
        if quantity > held:
            raise DomainError(
                gettext_noop(
                    "You hold %(held)d %(symbol)s and cannot sell %(quantity)d. Record the rest as a short."
                )
                if portfolio.allow_short
                else gettext_noop(
                    "You hold %(held)d %(symbol)s and cannot sell %(quantity)d. "
                    "Shorting is off for this portfolio."
                ),
                params={"held": held, "symbol": symbol, "quantity": quantity},
            )
    if side == costs.SHORT:
        if not portfolio.allow_short:
            raise DomainError(gettext_noop("Shorting is off for this portfolio (risk profile)."))
        if held > 0:
            raise DomainError(
                gettext_noop("You hold %(held)d %(symbol)s long: sell them before shorting."),
                params={"held": held, "symbol": symbol},
            )
    if side == costs.COVER:
        if held >= 0:
            raise DomainError(
                gettext_noop("You have no short position in %(symbol)s to cover."), params={"symbol": symbol}
            )
        if quantity > -held:
            raise DomainError(
                gettext_noop("You are short %(held)d %(symbol)s and cannot cover %(quantity)d."),
                params={"held": -held, "symbol": symbol, "quantity": quantity},
            )


def _check_effects(effects: ledger.TradeEffects, portfolio: Portfolio) -> None:
    """The fill's results fit their columns and keep cash above the margin the risk profile allows."""
    if abs(effects.quantity) > MAX_SHARES:
        raise DomainError(
            gettext_noop("The resulting position is too large to record."),
            details={"quantity": ["too large"]},
        )
    fit_amount(effects.fees, label=gettext_noop("Fees"), field="fees")
    fit_amount(effects.transaction_tax, label=gettext_noop("The transaction tax"), field="transaction_tax")
    fit_amount(
        effects.average_cost, label=gettext_noop("The average cost"), field="average_cost", model=Position
    )
    fit_amount(effects.realised_pnl, label=gettext_noop("The realised P&L"), field="realised_pnl")
    fit_amount(
        effects.capital_gains_tax, label=gettext_noop("The capital-gains tax"), field="capital_gains_tax"
    )
    new_cash = fit_amount(
        effects.cash_after, label=gettext_noop("The cash after this trade"), field="cash_after"
    )
    if effects.cash_flow >= 0 or new_cash >= 0:
        return
    floor = Decimal("0")
    if portfolio.cash_margin:
        # Borrowing is a fraction of the equity in the portfolio's currency: refused without every rate.
        equity = selectors.portfolio_valuation(portfolio).require_rates().equity or 0.0
        floor = -Decimal(str(portfolio.cash_margin)) * Decimal(str(max(equity, 0.0)))
    if new_cash < floor:
        raise DomainError(
            gettext_noop(
                "Cash would fall to %(cash)s, below the allowed %(floor)s (cash margin %(margin)s of equity)."
            ),
            params={
                "cash": f"{new_cash:.2f}",
                "floor": f"{floor:.2f}",
                "margin": f"{portfolio.cash_margin:.0%}",
            },
            details={"cash": ["insufficient"]},
        )


def _average_cost_in_base(position: Position | None) -> float:
    """The position's PMP in the portfolio's currency (a position booked without a rate: its own cost)."""
    if position is None:
        return 0.0
    cost = position.average_cost if position.average_cost_base is None else position.average_cost_base
    return float(cost)


def _check_proposal(proposal: OrderProposal | None, portfolio: Portfolio, instrument: Ticker) -> None:
    if proposal is None:
        return
    if proposal.portfolio_id != portfolio.pk or proposal.ticker_id != instrument.pk:
        raise DomainError(gettext_noop("That proposal is for another portfolio or ticker."))
    if proposal.status != OrderProposal.Status.ACCEPTED:
        raise Conflict(
            gettext_noop("Only an accepted proposal can be filled; this one is %(status)s."),
            params={"status": Phrase(proposal.status)},
        )


def _persist(
    request: FillRequest,
    effects: ledger.TradeEffects,
    average_cost: float,
    conversion: Conversion,
    portfolio: Portfolio,
    position: Position | None,
    proposal: OrderProposal | None,
) -> Trade:
    """Store the fill; ``effects`` are in the portfolio's currency, ``average_cost`` in the ticker's."""

    def stored(value: Any, field: str, model: type = Trade) -> Decimal:
        return fit_amount(value, label=field, field=field, model=model)

    held = position.quantity if position else 0
    if effects.quantity == 0:
        if position:
            position.delete()
    elif position is None:
        Position.objects.create(
            portfolio=portfolio,
            ticker=request.instrument,
            quantity=int(effects.quantity),
            average_cost=stored(average_cost, "average_cost", Position),
            average_cost_base=stored(effects.average_cost, "average_cost_base", Position),
            opened_on=request.traded_on,
        )
    else:
        crossed = (held > 0) != (effects.quantity > 0)
        position.quantity = int(effects.quantity)
        position.average_cost = stored(average_cost, "average_cost", Position)
        position.average_cost_base = stored(effects.average_cost, "average_cost_base", Position)
        if crossed:
            position.opened_on = request.traded_on
        position.save()
    portfolio.cash = stored(effects.cash_after, "cash_after")
    portfolio.save(update_fields=["cash", "updated_at"])
    trade = Trade.objects.create(
        portfolio=portfolio,
        ticker=request.instrument,
        proposal=proposal,
        traded_on=request.traded_on,
        side=request.side,
        quantity=request.shares,
        price=request.price,
        fx_rate=conversion.rate,
        fx_rate_on=conversion.on,
        fees=effects.fees,
        transaction_tax=effects.transaction_tax,
        capital_gains_tax=stored(effects.capital_gains_tax, "capital_gains_tax"),
        realised_pnl=stored(effects.realised_pnl, "realised_pnl"),
        cash_after=portfolio.cash,
    )
    if proposal is not None:
        proposal.status = OrderProposal.Status.FILLED
        proposal.save(update_fields=["status"])
    return trade


@transaction.atomic
def trade_record(
    *,
    portfolio: Portfolio,
    ticker: str,
    side: str,
    quantity: Any,
    price: Any,
    traded_on: dt.date,
    fees: Any = None,
    proposal: OrderProposal | None = None,
) -> Trade:
    """Record an executed fill: cash, position, average cost, realised P&L, fees and taxes, all or nothing.

    Fees default to the portfolio's cost profile; the financial transaction tax is charged to cash; the
    capital-gains tax is the change of the year's bill, carried-forward losses included (booked in the
    tax ledger by ``portfolio.services.tax_ledger.trade_tax_book``), recorded, not taken from cash.
    """
    request = _validated_request(
        ticker=ticker, side=side, quantity=quantity, price=price, traded_on=traded_on, fees=fees
    )
    locked = Portfolio.objects.select_for_update().select_related("cost_profile").get(pk=portfolio.pk)
    last = locked.trades.order_by("-traded_on").values_list("traded_on", flat=True).first()
    if last is not None and traded_on < last:
        raise DomainError(
            gettext_noop(
                "Trades are recorded in date order (average cost depends on it); "
                "the last one is dated %(last)s."
            ),
            params={"last": last},
        )
    position = (
        Position.objects.select_for_update().filter(portfolio=locked, ticker=request.instrument).first()
    )
    held = position.quantity if position else 0
    symbol = request.instrument.symbol
    _check_side(side, held, request.shares, locked, symbol)
    conversion = fill_conversion(
        currency=request.instrument.currency, base=locked.base_currency, traded_on=traded_on
    )

    # The books, in the portfolio's currency: the fill converted at its day's rate, against the PMP in
    # that currency (the French rule); the fees of the cost profile apply to the converted notional.
    effects = ledger.trade_effects(
        cost_model=locked.cost_profile.as_cost_model(),
        side=side,
        shares=request.shares,
        price=conversion(request.price),
        fees=None if request.fees is None else conversion(request.fees),
        held=held,
        average_cost=_average_cost_in_base(position),
        cash=locked.cash,
        ytd_realised=float(selectors.realised_pnl_in_year(locked, traded_on.year)),
        ticker=symbol,
        exchange=request.instrument.exchange or None,
        money_quantum=MONEY_QUANTUM,
        traded_on=traded_on,
    )
    # The same fill in the ticker's currency: the average price the market is compared with.
    signed = request.shares if side in costs.BUYING_SIDES else -request.shares
    in_trading_currency, _realised = ledger.apply_fill(
        ledger.LotState(float(held), float(position.average_cost) if position else 0.0),
        ledger.Fill(signed, float(request.price)),
    )
    _check_effects(effects, locked)
    _check_proposal(proposal, locked, request.instrument)
    trade = _persist(
        request, effects, in_trading_currency.average_cost, conversion, locked, position, proposal
    )
    trade_tax_book(trade=trade)  # the year's ledger and the trade's tax effect, carried losses included
    portfolio.cash = locked.cash
    logger.info(
        "trade recorded",
        extra={"portfolio": locked.pk, "ticker": symbol, "side": side, "qty": request.shares},
    )
    return trade
