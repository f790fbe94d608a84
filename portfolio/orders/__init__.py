"""The only place for order prices, validity dates and fill probability (see docs/team-contracts.md).

- :mod:`portfolio.orders.fill` — first-passage fill probabilities and the volatility estimators they use;
- :mod:`portfolio.orders.calendar` — validity dates on a real exchange calendar;
- :mod:`portfolio.orders.pricing` — limit/market choice on the trade-off curve, stops, take-profit, size.
"""

from __future__ import annotations

from portfolio.orders.calendar import validity_date
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
    SizeLimits,
    plan_order,
    plan_protective_order,
    protective_stop,
    size_from_risk,
    stop_loss_price,
    take_profit_price,
    trade_off_curve,
)

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
    "validity_date",
]
