"""The order simulator: when and at what price a resting order fills against the following sessions' bars.

Pure functions on one order and one bar (as-traded prices). The rule, also stated in docs/replay.md:

- an order placed after the close of day *d* can first trade on the next session;
- **market**: fills at that session's open (at its close where the data has closes only);
- **buy limit L**: on each session up to its last valid one, fills at the open if the open is at or
  below L (the price gapped through the limit: the better price), else at L if the low reaches L;
- **sell limit L**: the mirror image with the open at or above L, or the high reaching L;
- **sell stop S** (buy stop mirrored): at the open if the open is at or below S, else at S if the low
  reaches S;
- a session with no bar for the ticker cannot fill it; after its last valid session an unfilled order
  **expires**, as in the product (``OrderProposal.valid_until``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from portfolio import costs

MARKET = "market"
LIMIT = "limit"
STOP = "stop"


@dataclass(frozen=True)
class SimOrder:
    """One resting order. ``quantity`` is positive; ``side`` says the direction."""

    ticker: str
    side: str
    quantity: float
    order_type: str
    placed_on: dt.date
    valid_until: dt.date
    limit_price: float | None = None
    stop_price: float | None = None

    def __post_init__(self) -> None:
        if self.side not in costs.SIDES:
            raise ValueError(f"unknown side {self.side!r}")
        if self.quantity <= 0:
            raise ValueError("an order's quantity is positive")
        if self.order_type == LIMIT and not (self.limit_price and self.limit_price > 0):
            raise ValueError("a limit order needs a positive limit price")
        if self.order_type == STOP and not (self.stop_price and self.stop_price > 0):
            raise ValueError("a stop order needs a positive stop price")

    @property
    def buys(self) -> bool:
        return self.side in costs.BUYING_SIDES


def _valid(value: float) -> bool:
    return value is not None and math.isfinite(value) and value > 0


def fill_price(order: SimOrder, *, open_: float, high: float, low: float, close: float) -> float | None:
    """The price ``order`` fills at during one session's bar, or None when the bar does not reach it."""
    if not all(_valid(v) for v in (open_, high, low, close)):
        return None  # no bar for the ticker that day
    if order.order_type == MARKET:
        return open_
    if order.order_type == LIMIT:
        limit = float(order.limit_price)  # type: ignore[arg-type]
        if order.buys:
            return open_ if open_ <= limit else (limit if low <= limit else None)
        return open_ if open_ >= limit else (limit if high >= limit else None)
    if order.order_type == STOP:
        stop = float(order.stop_price)  # type: ignore[arg-type]
        if order.buys:
            return open_ if open_ >= stop else (stop if high >= stop else None)
        return open_ if open_ <= stop else (stop if low <= stop else None)
    raise ValueError(f"unknown order type {order.order_type!r}")


def is_expired(order: SimOrder, day: dt.date) -> bool:
    """True once ``day`` is past the order's last valid session."""
    return day > order.valid_until
