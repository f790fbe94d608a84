"""The only place for order prices, sizes and fill probability (see docs/team-contracts.md).

Validity dates are sessions of the ticker's exchange: :func:`market.calendar.validity_date`.

- :mod:`portfolio.orders.fill` — first-passage fill probabilities and the volatility estimators they use;
- :mod:`portfolio.orders.calibration` — replays history to check the fill probabilities come true;
- :mod:`portfolio.orders.pricing` — limit/market choice on the trade-off curve, stops, take-profit;
- :mod:`portfolio.orders.sizing` — whole shares from the risk to the stop, within every cap.
"""

from __future__ import annotations

from portfolio.orders.fill import (
    daily_volatility,
    overnight_variance_fraction,
    session_touch_probability,
    touch_probability,
)
from portfolio.orders.pricing import (
    ORDER_TYPES,
    OrderContext,
    OrderPlan,
    plan_order,
    plan_protective_order,
    protective_stop,
    stop_loss_price,
    take_profit_price,
    trade_off_curve,
)
from portfolio.orders.sizing import SizeLimits, size_from_risk

__all__ = [
    "ORDER_TYPES",
    "OrderContext",
    "OrderPlan",
    "SizeLimits",
    "daily_volatility",
    "overnight_variance_fraction",
    "plan_order",
    "plan_protective_order",
    "protective_stop",
    "session_touch_probability",
    "size_from_risk",
    "stop_loss_price",
    "take_profit_price",
    "touch_probability",
    "trade_off_curve",
]
