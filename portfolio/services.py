"""Writes: portfolios, recorded trades and the life of order proposals. Every rule is checked before
anything changes; a refusal raises a ``swingtrade.errors`` exception with the reason and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from portfolio import costs, selectors
from portfolio.models import CostProfile, OrderProposal, Portfolio, Position, Side, Trade
from swingtrade.errors import Conflict, DomainError

logger = logging.getLogger("swingtrade.portfolio")

PORTFOLIO_FIELDS = (
    "name",
    "base_currency",
    "cash",
    "cost_profile",
    "max_position_weight",
    "max_gross_exposure",
    "allow_short",
    "horizon_days",
    "risk_per_trade",
    "stop_loss_sigmas",
    "cash_margin",
    "order_validity_sessions",
)


# A fill price outside [PRICE_BAND[0] x low, PRICE_BAND[1] x high] of that day's bar is a typo (a
# misplaced decimal point, a price from before a split), not an execution: refused rather than booked.
PRICE_BAND = (0.5, 2.0)
# A Trade/Position column can hold at most this many shares (PositiveBigIntegerField / BigIntegerField).
MAX_SHARES = 2**63 - 1


def _fit(value: Any, *, label: str, field: str, model: type = Trade, exact: bool = False) -> Decimal:
    """``value`` as the Decimal the model's ``field`` stores, or a refusal naming ``label``.

    Every money column is a ``DecimalField(max_digits, decimal_places)``: an amount outside it would
    overflow on PostgreSQL (a 500) and be stored unreadable on SQLite. ``exact`` refuses, instead of
    rounding, a value with more decimals than the column keeps (a user's input, not a computed amount).
    """
    column = model._meta.get_field(field)
    limit = Decimal(10) ** (column.max_digits - column.decimal_places)
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{label} must be a number.", details={field: ["not a number"]})
    if not amount.is_finite():
        raise DomainError(f"{label} must be a finite number.", details={field: ["not finite"]})
    too_large = DomainError(
        f"{label} is too large to record: amounts stay below {limit:,} "
        f"({column.max_digits - column.decimal_places} digits before the decimal point).",
        details={field: ["too large"]},
    )
    if abs(amount) >= limit:
        raise too_large
    stored = amount.quantize(Decimal(1).scaleb(-column.decimal_places), rounding=ROUND_HALF_UP)
    if exact and stored != amount:
        raise DomainError(
            f"{label} has more than {column.decimal_places} decimal places.",
            details={field: ["too many decimals"]},
        )
    if abs(stored) >= limit:
        raise too_large
    return stored


def default_cost_profile() -> CostProfile:
    profile = CostProfile.objects.filter(owner__isnull=True, is_preset=True).order_by("name").first()
    if profile is None:
        raise DomainError("No cost profile preset exists; run the migrations.")
    return profile


# Risk-profile bounds: (low, low included, high) and what the number means, for the refusal's reason.
PROFILE_BOUNDS: dict[str, tuple[float, bool, float, str]] = {
    "max_position_weight": (0.0, False, 1.0, "the largest position as a fraction of equity"),
    "max_gross_exposure": (0.0, False, 10.0, "long plus short exposure as a multiple of equity"),
    "horizon_days": (1, True, 252, "the holding horizon in sessions"),
    "risk_per_trade": (0.0, False, 0.2, "the equity risked to a stop on one trade"),
    "stop_loss_sigmas": (0.1, True, 20.0, "the stop distance in daily volatilities"),
    "cash_margin": (0.0, True, 1.0, "how far cash may go below zero, as a fraction of equity"),
    "order_validity_sessions": (1, True, 60, "how many sessions an order stays valid"),
}


def _check_bounds(values: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    reasons: list[str] = []
    for name, (low, low_included, high, meaning) in PROFILE_BOUNDS.items():
        value = values.get(name)
        if value is None:
            continue
        finite = isinstance(value, int | float | Decimal) and math.isfinite(value)
        above_low = finite and (value >= low if low_included else value > low)
        if not (finite and above_low and value <= high):
            interval = f"{'[' if low_included else '('}{low}, {high}]"
            errors[name] = [f"must lie in {interval}"]
            reasons.append(f"{name} ({meaning}) must lie in {interval}, not {value}")
    if errors:
        raise DomainError("; ".join(reasons) + ".", details=errors)


def _check_profile(
    values: dict[str, Any], *, owner: Any, portfolio: Portfolio | None = None, changed: set[str]
) -> None:
    """Every rule of a portfolio's settings, on the full set of values it would have.

    ``portfolio`` is the stored one (None on creation: no positions yet); ``changed`` names the fields the
    request sets, so an edit of the name is not refused because prices moved since the cash was set.
    """
    profile = values.get("cost_profile")
    if profile is not None and profile.owner_id not in (None, owner.pk):
        raise DomainError(
            "That cost profile belongs to someone else.", details={"cost_profile": ["not yours"]}
        )
    _check_bounds(values)
    if values["max_gross_exposure"] > 1.0 and values["cash_margin"] <= 0 and not values["allow_short"]:
        raise DomainError(
            "Gross exposure above 100 % needs leverage: allow a cash margin or shorting first.",
            details={"max_gross_exposure": ["leverage is opt-in"]},
        )
    if portfolio is not None and not values["allow_short"] and "allow_short" in changed:
        shorts = list(portfolio.positions.filter(quantity__lt=0).values_list("ticker__symbol", flat=True))
        if shorts:
            raise DomainError(
                f"Shorting cannot be turned off while you are short {', '.join(shorts)}: cover first.",
                details={"allow_short": ["short positions held"]},
            )
    if portfolio is None or changed & {"cash", "cash_margin"}:
        # The trade rule, applied to a cash balance set by hand: cash >= -margin x equity.
        cash = _fit(values["cash"], label="Cash", field="cash", model=Portfolio, exact=True)
        positions = 0.0
        if portfolio is not None:
            valuation = selectors.portfolio_valuation(portfolio)
            positions = valuation.long_exposure - valuation.short_exposure
        equity = float(cash) + positions
        floor = -Decimal(str(values["cash_margin"])) * Decimal(str(max(equity, 0.0)))
        if cash < floor:
            raise DomainError(
                f"Cash {cash:.2f} is below the allowed {floor:.2f} (cash margin "
                f"{values['cash_margin']:.0%} of equity).",
                details={"cash": ["below the cash margin"]},
            )


@transaction.atomic
def portfolio_create(*, owner: Any, name: str, **values: Any) -> Portfolio:
    """A new portfolio: long-only and unlevered unless the risk profile says otherwise."""
    unknown = set(values) - set(PORTFOLIO_FIELDS)
    if unknown:
        raise DomainError(f"Unknown portfolio fields: {sorted(unknown)}")
    if Portfolio.objects.filter(owner=owner, name=name).exists():
        raise Conflict(f"You already have a portfolio named {name!r}.")
    values.setdefault("cost_profile", default_cost_profile())
    portfolio = Portfolio(owner=owner, name=name, **values)  # unset fields take the model's defaults
    _check_profile({f: getattr(portfolio, f) for f in PORTFOLIO_FIELDS}, owner=owner, changed=set(values))
    portfolio.full_clean()
    portfolio.save()
    return portfolio


@transaction.atomic
def portfolio_update(*, portfolio: Portfolio, **values: Any) -> Portfolio:
    unknown = set(values) - set(PORTFOLIO_FIELDS)
    if unknown:
        raise DomainError(f"Unknown portfolio fields: {sorted(unknown)}")
    name = values.get("name")
    if name and Portfolio.objects.filter(owner=portfolio.owner, name=name).exclude(pk=portfolio.pk).exists():
        raise Conflict(f"You already have a portfolio named {name!r}.")
    # Locked: a trade recorded meanwhile cannot slip between the checks and the write.
    locked = Portfolio.objects.select_for_update().select_related("cost_profile").get(pk=portfolio.pk)
    current = {f: getattr(locked, f) for f in PORTFOLIO_FIELDS}
    changed = {key for key, value in values.items() if current[key] != value}
    _check_profile({**current, **values}, owner=locked.owner, portfolio=locked, changed=changed)
    for key, value in values.items():
        setattr(locked, key, value)
    locked.full_clean()
    locked.save()
    for key in (*PORTFOLIO_FIELDS, "updated_at"):  # the caller's instance shows what was stored
        setattr(portfolio, key, getattr(locked, key))
    return portfolio


COST_PROFILE_FIELDS = (
    "name",
    "commission_fixed",
    "commission_rate",
    "commission_min",
    "commission_max",
    "half_spread_vol_fraction",
    "half_spread_floor",
    "ftt_rate",
    "ftt_tickers",
    "ftt_exchanges",
    "borrow_rate_annual",
    "capital_gains_rate",
)


def _cost_profile_save(profile: CostProfile, values: dict[str, Any]) -> CostProfile:
    unknown = set(values) - set(COST_PROFILE_FIELDS)
    if unknown:
        raise DomainError(f"Unknown cost profile fields: {sorted(unknown)}")
    for key, value in values.items():
        setattr(profile, key, value)
    clash = CostProfile.objects.filter(owner=profile.owner, name=profile.name).exclude(pk=profile.pk)
    if clash.exists():
        raise Conflict(f"You already have a cost profile named {profile.name!r}.")
    try:
        profile.as_cost_model()  # the cost rules validate themselves (signs, max >= min, rates < 1)
    except ValueError as exc:
        raise DomainError(str(exc))
    profile.full_clean()
    profile.save()
    return profile


@transaction.atomic
def cost_profile_create(*, owner: Any, **values: Any) -> CostProfile:
    """A user's own cost profile (e.g. a preset copied with their broker's numbers)."""
    return _cost_profile_save(CostProfile(owner=owner, is_preset=False), values)


@transaction.atomic
def cost_profile_update(*, profile: CostProfile, **values: Any) -> CostProfile:
    if profile.is_preset or profile.owner_id is None:
        raise DomainError("Presets cannot be changed; create your own profile from one.")
    return _cost_profile_save(profile, values)


@transaction.atomic
def cost_profile_delete(*, profile: CostProfile) -> None:
    if profile.is_preset or profile.owner_id is None:
        raise DomainError("Presets cannot be deleted.")
    if profile.portfolios.exists():
        raise Conflict("A portfolio still uses this cost profile.")
    profile.delete()


# --- Trades ---------------------------------------------------------------------------------------------


def _whole_shares(quantity: Any) -> int:
    try:
        value = Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise DomainError("Quantity must be a number.", details={"quantity": ["not a number"]})
    if not value.is_finite():
        raise DomainError("Quantity must be a finite number.", details={"quantity": ["not finite"]})
    if value <= 0:
        raise DomainError(
            "Quantity must be positive; the side says the direction.", details={"quantity": ["<= 0"]}
        )
    if value > MAX_SHARES:
        raise DomainError("Quantity is too large to record.", details={"quantity": ["too large"]})
    if value != value.to_integral_value():
        raise DomainError(
            "Shares trade in whole units here; fractional quantities are refused.",
            details={"quantity": ["fractional"]},
        )
    return int(value)


def _check_price_band(instrument: Any, price: Decimal, traded_on: dt.date) -> None:
    """Refuse a fill price far outside the day's traded range (bars are as traded, so splits match).

    Without a bar for that date (not ingested yet, or a holiday) there is nothing to compare with and
    the price is taken as given; its magnitude is still bounded by the money columns (``_fit``).
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
            f"Price {price} is far from {instrument.symbol}'s range on {traded_on} ({low:.2f}-{high:.2f}): "
            f"a fill is accepted within [{floor:.2f}, {ceiling:.2f}]. Check the price and the date.",
            details={"price": ["outside the day's range"]},
        )


def _check_side(side: str, held: int, quantity: int, portfolio: Portfolio, symbol: str) -> None:
    if side == costs.BUY and held < 0:
        raise DomainError(f"You are short {-held} {symbol}: record a cover, not a buy.")
    if side == costs.SELL:
        if held <= 0:
            raise DomainError(
                f"You hold no {symbol} to sell" + (": record a short." if portfolio.allow_short else ".")
            )
        if quantity > held:
            hint = (
                " Record the rest as a short."
                if portfolio.allow_short
                else " Shorting is off for this portfolio."
            )
            raise DomainError(f"You hold {held} {symbol} and cannot sell {quantity}.{hint}")
    if side == costs.SHORT:
        if not portfolio.allow_short:
            raise DomainError("Shorting is off for this portfolio (risk profile).")
        if held > 0:
            raise DomainError(f"You hold {held} {symbol} long: sell them before shorting.")
    if side == costs.COVER:
        if held >= 0:
            raise DomainError(f"You have no short position in {symbol} to cover.")
        if quantity > -held:
            raise DomainError(f"You are short {-held} {symbol} and cannot cover {quantity}.")


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
    capital-gains tax is the change of the year's bill (see ``costs.sale_tax_estimate``) and is recorded,
    not taken from cash (it is paid once a year).
    """
    from market.models import Ticker

    if side not in Side.values:
        raise DomainError(f"Unknown side {side!r}; use one of {', '.join(Side.values)}.")
    shares = _whole_shares(quantity)
    unit_price = _fit(price, label="Price", field="price", exact=True)
    if unit_price <= 0:
        raise DomainError("Price must be positive.", details={"price": ["<= 0"]})
    notional = _fit(unit_price * shares, label="The trade's value (quantity x price)", field="price")
    if traded_on > timezone.localdate():
        raise DomainError("A trade cannot be dated in the future.", details={"traded_on": ["in the future"]})
    symbol = str(ticker).strip().upper()
    instrument = Ticker.objects.filter(symbol=symbol).first()
    if instrument is None:
        raise DomainError(f"Unknown ticker {symbol!r}.", details={"ticker": ["unknown"]})
    _check_price_band(instrument, unit_price, traded_on)

    locked = Portfolio.objects.select_for_update().select_related("cost_profile").get(pk=portfolio.pk)
    last = locked.trades.order_by("-traded_on").values_list("traded_on", flat=True).first()
    if last is not None and traded_on < last:
        raise DomainError(
            f"Trades are recorded in date order (average cost depends on it); the last one is dated {last}."
        )
    position = Position.objects.select_for_update().filter(portfolio=locked, ticker=instrument).first()
    held = position.quantity if position else 0
    _check_side(side, held, shares, locked, symbol)

    model = locked.cost_profile.as_cost_model()
    if fees is None:
        fee = _fit(costs.commission(model, float(notional)), label="Fees", field="fees")
    else:
        fee = _fit(fees, label="Fees", field="fees", exact=True)
    if fee < 0:
        raise DomainError("Fees cannot be negative.", details={"fees": ["< 0"]})
    ftt = _fit(
        costs.transaction_tax(
            model, side, float(notional), ticker=symbol, exchange=instrument.exchange or None
        ),
        label="The transaction tax",
        field="transaction_tax",
    )

    signed = shares if side in costs.BUYING_SIDES else -shares
    before = costs.LotState(float(held), float(position.average_cost) if position else 0.0)
    after, realised = costs.apply_fill(before, costs.Fill(signed, float(unit_price)))
    if abs(after.quantity) > MAX_SHARES:
        raise DomainError(
            "The resulting position is too large to record.", details={"quantity": ["too large"]}
        )
    average_cost = _fit(after.average_cost, label="The average cost", field="average_cost", model=Position)
    realised_pnl = _fit(realised, label="The realised P&L", field="realised_pnl")
    ytd = float(selectors.realised_pnl_in_year(locked, traded_on.year))
    tax = _fit(
        costs.sale_tax_estimate(model, realised_gain=realised, ytd_realised=ytd),
        label="The capital-gains tax",
        field="capital_gains_tax",
    )

    cash_flow = -Decimal(signed) * unit_price - fee - ftt
    new_cash = _fit(locked.cash + cash_flow, label="The cash after this trade", field="cash_after")
    valuation = selectors.portfolio_valuation(locked)
    floor = -Decimal(str(locked.cash_margin)) * Decimal(str(max(valuation.equity, 0.0)))
    if cash_flow < 0 and new_cash < floor:
        raise DomainError(
            f"Cash would fall to {new_cash:.2f}, below the allowed {floor:.2f} (cash margin "
            f"{locked.cash_margin:.0%} of equity).",
            details={"cash": ["insufficient"]},
        )
    if proposal is not None and (proposal.portfolio_id != locked.pk or proposal.ticker_id != instrument.pk):
        raise DomainError("That proposal is for another portfolio or ticker.")
    if proposal is not None and proposal.status != OrderProposal.Status.ACCEPTED:
        raise Conflict(f"Only an accepted proposal can be filled; this one is {proposal.status}.")

    if after.quantity == 0:
        if position:
            position.delete()
    elif position is None:
        Position.objects.create(
            portfolio=locked,
            ticker=instrument,
            quantity=int(after.quantity),
            average_cost=average_cost,
            opened_on=traded_on,
        )
    else:
        crossed = (held > 0) != (after.quantity > 0)
        position.quantity = int(after.quantity)
        position.average_cost = average_cost
        if crossed:
            position.opened_on = traded_on
        position.save()
    locked.cash = new_cash
    locked.save(update_fields=["cash", "updated_at"])
    trade = Trade.objects.create(
        portfolio=locked,
        ticker=instrument,
        proposal=proposal,
        traded_on=traded_on,
        side=side,
        quantity=shares,
        price=unit_price,
        fees=fee,
        transaction_tax=ftt,
        capital_gains_tax=tax,
        realised_pnl=realised_pnl,
        cash_after=new_cash,
    )
    if proposal is not None:
        proposal.status = OrderProposal.Status.FILLED
        proposal.save(update_fields=["status"])
    portfolio.cash = new_cash
    logger.info(
        "trade recorded", extra={"portfolio": locked.pk, "ticker": symbol, "side": side, "qty": shares}
    )
    return trade


# --- Proposals ------------------------------------------------------------------------------------------


def proposal_decide(*, proposal: OrderProposal, accept: bool) -> OrderProposal:
    """Accept or reject a proposed order; accepting one past its validity marks it expired (409)."""
    with transaction.atomic():
        locked = OrderProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != OrderProposal.Status.PROPOSED:
            raise Conflict(f"This proposal is already {locked.status}.")
        if locked.action in (OrderProposal.Action.HOLD, OrderProposal.Action.SKIP) and accept:
            raise DomainError("There is no order to accept in a hold or skip proposal.")
        expired = accept and locked.valid_until is not None and locked.valid_until < timezone.localdate()
        if expired:
            locked.status = OrderProposal.Status.EXPIRED
        else:
            locked.status = OrderProposal.Status.ACCEPTED if accept else OrderProposal.Status.REJECTED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
    if expired:
        raise Conflict(f"This proposal expired on {locked.valid_until}.")
    return locked


def proposal_fill(
    *, proposal: OrderProposal, price: Any, traded_on: dt.date, quantity: Any = None, fees: Any = None
) -> Trade:
    """Record the execution of an accepted proposal as a trade (the proposal becomes ``filled``)."""
    return trade_record(
        portfolio=proposal.portfolio,
        ticker=proposal.ticker.symbol,
        side=proposal.side,
        quantity=proposal.quantity if quantity is None else quantity,
        price=price,
        traded_on=traded_on,
        fees=fees,
        proposal=proposal,
    )


def order_proposals_create(*, portfolio: Portfolio, as_of: dt.date | None = None) -> list[OrderProposal]:
    """Proposals for ``as_of`` from the champion's predictions and the holdings (see portfolio.proposals)."""
    from portfolio import proposals

    return proposals.generate(portfolio=portfolio, as_of=as_of)


def proposals_expire(*, today: dt.date | None = None) -> int:
    """Mark proposed orders whose validity has passed as expired; returns how many."""
    today = today or timezone.localdate()
    return OrderProposal.objects.filter(
        status__in=[OrderProposal.Status.PROPOSED, OrderProposal.Status.ACCEPTED], valid_until__lt=today
    ).update(status=OrderProposal.Status.EXPIRED)
