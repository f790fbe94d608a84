"""Order prices, types, protective levels and sizes: the decision of one order, pure.

Conventions: ``side`` is one of buy / sell / short / cover; ``direction`` is +1 for orders that profit when
the price rises (buy, cover) and -1 otherwise. The model's ``expected_return`` is the arithmetic return of
the price over ``horizon_days``; its log drift per day is ``ln(1 + r) / horizon_days``. Returns and costs
are fractions of the order's notional.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from portfolio import costs
from portfolio.orders.fill import expected_fill_day, session_touch_probability

# Limit distances the engine weighs, in units of sigma * sqrt(validity days).
LADDER_SIGMA_MULTIPLES = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)

MARKET = "market"
LIMIT = "limit"
STOP = "stop"
STOP_LIMIT = "stop_limit"
ORDER_TYPES = (MARKET, LIMIT, STOP, STOP_LIMIT)


def direction(side: str) -> int:
    if side not in costs.SIDES:
        raise ValueError(f"unknown side {side!r}")
    return 1 if side in costs.BUYING_SIDES else -1


@dataclass(frozen=True)
class OrderContext:
    """What the engine knows when it prices one order.

    ``reversion`` is the share of a dip (for buys; of a rise for sells) the user expects to come back by the
    horizon. 0 (the default) is the random-walk view: a fill at a better price is a price that moved
    against the signal, so the limit only saves the spread; the trade-off then favours close limits.
    """

    ticker: str
    side: str
    price: float
    sigma: float
    expected_return: float
    horizon_days: int
    validity_days: int
    notional: float
    is_entry: bool
    exchange: str | None = None
    overnight_fraction: float = 0.2
    reversion: float = 0.0
    vol_log_mean: float = 0.0  # error of the volatility estimate, see orders.fill.volatility_forecast_error
    vol_log_sd: float = 0.0

    def __post_init__(self) -> None:
        if self.price <= 0 or self.sigma <= 0 or not math.isfinite(self.sigma):
            raise ValueError("price and volatility must be positive")
        if self.horizon_days < 1 or self.validity_days < 1:
            raise ValueError("horizon and validity are at least one day")
        if self.expected_return <= -1:
            raise ValueError("expected return must be above -100 %")

    @property
    def drift(self) -> float:
        """Log drift of the price per day, signed in the price's own direction."""
        return math.log1p(self.expected_return) / self.horizon_days


@dataclass(frozen=True)
class Candidate:
    """One point of the trade-off curve: an order and what it is expected to earn."""

    order_type: str
    limit_price: float | None
    distance_sigma: float
    fill_probability: float
    expected_fill_day: float
    gross_return: float  # if filled, in the order's favour
    cost_rate: float  # if filled, every cost of the round trip that this order decides
    expected_value: float  # P(fill) * (gross - cost)

    def as_dict(self) -> dict[str, float | str | None]:
        return {
            "order_type": self.order_type,
            "limit_price": None if self.limit_price is None else round(self.limit_price, 4),
            "distance_sigma": round(self.distance_sigma, 3),
            "fill_probability": round(self.fill_probability, 4),
            "expected_fill_day": round(self.expected_fill_day, 2),
            "gross_return": round(self.gross_return, 6),
            "cost_rate": round(self.cost_rate, 6),
            "expected_value": round(self.expected_value, 6),
        }


@dataclass
class OrderPlan:
    """The chosen order, its trade-off curve and the reasons, in plain words."""

    side: str
    order_type: str
    limit_price: float | None
    stop_price: float | None
    fill_probability: float
    gross_return: float
    cost_rate: float
    expected_value: float
    candidates: list[Candidate]
    reasons: list[str] = field(default_factory=list)

    @property
    def worthwhile(self) -> bool:
        return self.expected_value > 0


def cost_rate(
    ctx: OrderContext, model: costs.CostModel, *, crosses_spread: bool, holding_days: float
) -> float:
    """Costs of this order (and, for an entry, of closing it later) per unit of notional."""
    fee_rate = float(costs.commission(model, ctx.notional)) / ctx.notional if ctx.notional > 0 else 0.0
    spread = float(costs.half_spread(model, ctx.sigma))
    rate = fee_rate + (spread if crosses_spread else 0.0)
    if ctx.side in costs.BUYING_SIDES and costs.ftt_applies(model, ctx.ticker, ctx.exchange):
        rate += model.ftt_rate
    if ctx.side == costs.SHORT:
        rate += model.borrow_rate_annual * holding_days / costs.TRADING_DAYS_PER_YEAR
    if ctx.is_entry:
        # The position is closed one day with a marketable order: commission and spread again.
        rate += fee_rate + spread
    return rate


def trade_off_curve(ctx: OrderContext, model: costs.CostModel) -> list[Candidate]:
    """The market order and the ladder of limits, each with P(fill), gross edge, costs and expected value."""
    sign = direction(ctx.side)
    edge_per_day = sign * ctx.drift
    nu = ctx.drift - 0.5 * ctx.sigma**2  # drift of the log price, for the touch probability
    market_gross = edge_per_day * ctx.horizon_days
    out = [
        Candidate(
            order_type=MARKET,
            limit_price=None,
            distance_sigma=0.0,
            fill_probability=1.0,
            expected_fill_day=0.0,
            gross_return=market_gross,
            cost_rate=cost_rate(ctx, model, crosses_spread=True, holding_days=ctx.horizon_days),
            expected_value=0.0,
        )
    ]
    out[0] = _with_value(out[0])
    scale = ctx.sigma * math.sqrt(ctx.validity_days)
    for k in LADDER_SIGMA_MULTIPLES:
        distance = k * scale
        log_barrier = -sign * distance  # buys rest below the price, sells above
        p = _touch_within_validity(ctx, log_barrier, nu)
        fill_day = expected_fill_day(log_barrier, ctx.sigma, ctx.validity_days, nu)
        remaining = max(ctx.horizon_days - fill_day, 0.0)
        gross = edge_per_day * remaining + ctx.reversion * distance
        candidate = Candidate(
            order_type=LIMIT,
            limit_price=ctx.price * math.exp(log_barrier),
            distance_sigma=k,
            fill_probability=p,
            expected_fill_day=fill_day,
            gross_return=gross,
            cost_rate=cost_rate(ctx, model, crosses_spread=False, holding_days=remaining),
            expected_value=0.0,
        )
        out.append(_with_value(candidate))
    return out


def _with_value(c: Candidate) -> Candidate:
    value = c.fill_probability * (c.gross_return - c.cost_rate)
    return Candidate(**{**c.__dict__, "expected_value": value})


def plan_order(ctx: OrderContext, model: costs.CostModel) -> OrderPlan:
    """Choose market or the best limit by expected net value, and say why in plain words."""
    curve = trade_off_curve(ctx, model)
    best = max(curve, key=lambda c: c.expected_value)
    market = curve[0]
    reasons: list[str] = []
    if best.order_type == MARKET:
        reasons.append(
            f"Market order: an expected edge of {market.gross_return:.2%} over {ctx.horizon_days} days is "
            f"worth more than the price a limit would save; the best limit would fill with probability "
            f"{max(curve[1:], key=lambda c: c.expected_value).fill_probability:.0%} only."
        )
    else:
        reasons.append(
            f"Limit at {best.limit_price:.2f} ({best.distance_sigma:g} sigma from {ctx.price:.2f}): "
            f"fills with probability {best.fill_probability:.0%} within {ctx.validity_days} sessions, "
            f"expected value {best.expected_value:.3%} of notional against "
            f"{market.expected_value:.3%} at market."
        )
    if best.expected_value <= 0:
        reasons.append(
            f"Not worth trading: expected net return {best.gross_return - best.cost_rate:.3%} "
            f"(gross {best.gross_return:.3%}, costs {best.cost_rate:.3%}) is not above zero."
        )
    return OrderPlan(
        side=ctx.side,
        order_type=best.order_type,
        limit_price=best.limit_price,
        stop_price=None,
        fill_probability=best.fill_probability,
        gross_return=best.gross_return,
        cost_rate=best.cost_rate,
        expected_value=best.expected_value,
        candidates=curve,
        reasons=reasons,
    )


# An order that must be executed (a rebalancing step, not a bet on its own edge) fills at least this often.
MUST_FILL_PROBABILITY = 0.9


def must_fill_plan(plan: OrderPlan, *, min_fill_probability: float = MUST_FILL_PROBABILITY) -> OrderPlan:
    """The same order re-chosen on its trade-off curve among the candidates that fill often enough.

    For trades whose purpose is not their own expected edge — e.g. the optimiser's sells that cut risk,
    whose edge alone would push the limit far away and leave the position unchanged. The best expected
    value among candidates with P(fill) ≥ ``min_fill_probability`` wins; the market order always qualifies.
    """
    if not 0.0 <= min_fill_probability <= 1.0:
        raise ValueError("min_fill_probability must be in [0, 1]")
    eligible = [c for c in plan.candidates if c.fill_probability >= min_fill_probability]
    best = max(eligible, key=lambda c: c.expected_value)
    if best.order_type == MARKET:
        what = "market order"
    else:
        what = f"limit at {best.limit_price:.2f} ({best.distance_sigma:g} sigma away)"
    reasons = [
        f"Must fill to reach the target: {what}, fills with probability {best.fill_probability:.0%} "
        f"(at least {min_fill_probability:.0%} required); the order's own expected net return is "
        f"{best.gross_return - best.cost_rate:.3%} (gross {best.gross_return:.3%}, "
        f"costs {best.cost_rate:.3%})."
    ]
    return OrderPlan(
        side=plan.side,
        order_type=best.order_type,
        limit_price=best.limit_price,
        stop_price=plan.stop_price,
        fill_probability=best.fill_probability,
        gross_return=best.gross_return,
        cost_rate=best.cost_rate,
        expected_value=best.expected_value,
        candidates=plan.candidates,
        reasons=reasons,
    )


# --- Protective levels ------------------------------------------------------------------------------


def market_plan(plan: OrderPlan, reason: str) -> OrderPlan:
    """The same order sent to the market: for rules (stop-loss, take-profit, weight limit) that do not
    wait for a better price. ``reason`` says which rule."""
    market = next(c for c in plan.candidates if c.order_type == MARKET)
    return OrderPlan(
        side=plan.side,
        order_type=MARKET,
        limit_price=None,
        stop_price=plan.stop_price,
        fill_probability=1.0,
        gross_return=market.gross_return,
        cost_rate=market.cost_rate,
        expected_value=market.expected_value,
        candidates=plan.candidates,
        reasons=[reason],
    )


def stop_loss_price(entry: float, side: str, sigma: float, k: float, horizon_days: int) -> float:
    """Stop ``k * sigma * sqrt(horizon)`` (log distance) against the position opened by ``side``."""
    distance = k * sigma * math.sqrt(horizon_days)
    return entry * math.exp(-direction(side) * distance)


def take_profit_price(entry: float, side: str, expected_return: float, cost_rate: float) -> float | None:
    """Where the model's expected move ends; none when that move does not pay the costs."""
    gain = direction(side) * expected_return
    if gain <= cost_rate:
        return None
    return entry * (1.0 + expected_return)


@dataclass(frozen=True)
class StopChoice:
    order_type: str
    stop_price: float
    limit_price: float | None
    reason: str


def protective_stop(
    *, position_side: str, stop_price: float, price: float, sigma: float, overnight_fraction: float
) -> StopChoice:
    """Stop-market, or stop-limit where overnight gaps are large relative to the stop's distance.

    ``position_side`` opened the position (buy: a long, protected by a sell stop below).
    """
    distance = abs(math.log(stop_price / price))
    gap_sd = sigma * math.sqrt(max(overnight_fraction, 0.0))
    exit_direction = -direction(position_side)
    if gap_sd > 0.5 * distance:
        limit = stop_price * math.exp(exit_direction * gap_sd)
        return StopChoice(
            STOP_LIMIT,
            stop_price,
            limit,
            f"Stop-limit: a typical overnight gap ({gap_sd:.2%}) is large next to the stop distance "
            f"({distance:.2%}); a stop-market could fill far past the stop, the limit at {limit:.2f} caps "
            "the price but may leave the position open after a large gap.",
        )
    return StopChoice(
        STOP,
        stop_price,
        None,
        f"Stop-market at {stop_price:.2f}: gaps are small next to the stop distance ({distance:.2%}), "
        "so a guaranteed exit matters more than the exact price.",
    )


EXIT_SIDE = {costs.BUY: costs.SELL, costs.SHORT: costs.COVER}


def plan_protective_order(ctx: OrderContext, model: costs.CostModel, *, stop_price: float) -> OrderPlan:
    """The protective exit of a position opened at ``ctx.price`` by ``ctx.side``, as an order of its own.

    The type and prices come from :func:`protective_stop`; the probability is that of the stop being
    triggered within ``ctx.validity_days`` sessions, from the same first-passage model as limits
    (:func:`~portfolio.orders.fill.session_touch_probability`, with the model's drift). If triggered the
    position loses ``stop / entry - 1`` in its own direction, and the exit pays commission and spread:
    the expected value ``P(trigger) × (gross − costs)`` is the (negative) share of the position's
    outcome this stop locks in. A stop-limit triggered by a gap beyond its limit does not fill: its
    probability is that of the trigger, an upper bound on the fill.
    """
    if ctx.side not in EXIT_SIDE:
        raise ValueError(f"a protective exit protects a buy or a short, not a {ctx.side!r}")
    exit_side = EXIT_SIDE[ctx.side]
    choice = protective_stop(
        position_side=ctx.side,
        stop_price=stop_price,
        price=ctx.price,
        sigma=ctx.sigma,
        overnight_fraction=ctx.overnight_fraction,
    )
    log_barrier = math.log(stop_price / ctx.price)
    if direction(ctx.side) * log_barrier >= 0:
        raise ValueError("the stop must lie against the position (below a long's entry, above a short's)")
    nu = ctx.drift - 0.5 * ctx.sigma**2
    p = _touch_within_validity(ctx, log_barrier, nu)
    exit_ctx = OrderContext(**{**ctx.__dict__, "side": exit_side, "is_entry": False})
    gross = direction(ctx.side) * (stop_price / ctx.price - 1.0)
    rate = cost_rate(exit_ctx, model, crosses_spread=True, holding_days=0.0)
    reasons = [
        choice.reason,
        f"Triggers with probability {p:.1%} within {ctx.validity_days} sessions (first passage from "
        f"{ctx.price:.2f} to {stop_price:.2f} with the model's drift); if triggered the position loses "
        f"{-gross:.2%} plus {rate:.3%} of exit costs.",
    ]
    if choice.order_type == STOP_LIMIT:
        reasons.append(
            f"After a gap beyond {choice.limit_price:.2f} the stop-limit does not fill: "
            "the probability is that of the trigger."
        )
    return OrderPlan(
        side=exit_side,
        order_type=choice.order_type,
        limit_price=choice.limit_price,
        stop_price=choice.stop_price,
        fill_probability=p,
        gross_return=gross,
        cost_rate=rate,
        expected_value=p * (gross - rate),
        candidates=[],
        reasons=reasons,
    )


def _touch_within_validity(ctx: OrderContext, log_barrier: float, nu: float) -> float:
    """P(the price touches ``log_barrier`` before the order expires): the session model of ``fill.py``."""
    return float(
        session_touch_probability(
            log_barrier,
            ctx.sigma,
            ctx.validity_days,
            nu,
            ctx.overnight_fraction,
            ctx.vol_log_mean,
            ctx.vol_log_sd,
        )
    )
