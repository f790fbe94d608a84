"""One replay of one strategy at one rebalance offset: session by session, the clock pinned to each day.

Each session, in this order:

1. corporate actions of the day's bars: splits change share counts (and open orders), dividends are
   credited to the holders of the previous close;
2. open orders meet the day's bar (:mod:`portfolio.replay.simulator`); sells before buys, a buy is cut
   to the cash available; orders past their validity expire;
3. the books are marked at the close (a holding without a bar that day at its last close); at the
   year's last session the PFU is paid;
4. after the close, with ``market.clock.pinned(day)``: the model is retrained when due, and on
   rebalance days the strategy's targets become priced orders (``portfolio.orders.pricing``) valid
   for the profile's sessions; a new set replaces the orders still open (as new proposals do).

Only ``data.until(day)`` is ever given to a decision, so nothing after ``day`` can shape it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from market import calendar, clock
from portfolio import costs
from portfolio.orders import pricing
from portfolio.replay import simulator
from portfolio.replay.advice import AdviceProfile, sigma_today
from portfolio.replay.books import Book
from portfolio.replay.data import MarketData
from portfolio.replay.model import ModelLifecycle
from portfolio.replay.strategies import Decision, strategy

Bar = dict[str, dict[str, float]]  # field → ticker → value of one session (MarketData.bars().on)
RETRAIN_SCHEDULES = {"monthly": 1, "quarterly": 3, "never": 0}


@dataclass(frozen=True)
class ReplayConfig:
    start: dt.date
    end: dt.date
    rebalance_every: int = 5  # sessions: weekly
    offset: int = 0  # first rebalance on the offset-th session of the run
    retrain: str = "monthly"
    initial_cash: float = 100_000.0
    cost_preset: str = "french-online"
    # κ of the default advice (``portfolio.advice.core.COST_AVERSION`` when None): a grid run's override.
    cost_aversion: float | None = None

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("the replay's end must be after its start")
        if self.rebalance_every < 1 or not 0 <= self.offset < self.rebalance_every:
            raise ValueError("the offset must be in [0, rebalance_every)")
        if self.retrain not in RETRAIN_SCHEDULES:
            raise ValueError(f"retrain must be one of {', '.join(RETRAIN_SCHEDULES)}")
        if self.cost_preset not in costs.PRESETS:
            raise ValueError(f"cost preset must be one of {', '.join(costs.PRESETS)}")
        if not self.initial_cash > 0:
            raise ValueError("the initial cash must be positive")
        if self.cost_aversion is not None and not self.cost_aversion >= 1:
            raise ValueError("the cost aversion κ must be at least 1")

    @property
    def cost_model(self) -> costs.CostModel:
        return costs.PRESETS[self.cost_preset]


@dataclass
class Counts:
    placed: int = 0
    filled: int = 0
    expired: int = 0
    cancelled: int = 0  # replaced by a newer set of orders, or nothing left to buy/sell with
    open: int = 0  # still resting when the replay ends


@dataclass
class ReplayResult:
    strategy: str
    offset: int
    equity: pd.DataFrame  # index date; after_tax, before_tax, cash
    book: Book
    counts: Counts
    taxes: dict[int, float]
    models: list[dict[str, Any]] = field(default_factory=list)
    gate_closed_sessions: int = 0
    # 1 − cash / equity at the close of each session whose decision placed a new set of orders, before
    # they fill (the first decision, from cash, left out): how much of the account the strategy held in
    # shares when it rebalanced.
    invested_at_decisions: dict[str, float] = field(default_factory=dict)


def _exchange_validity(day: dt.date, sessions: pd.DatetimeIndex, position: int, n: int) -> dt.date:
    try:
        return calendar.validity_date(calendar.DEFAULT_EXCHANGE, day, n)
    except ValueError:  # outside the exchange calendar's span: count the data's own sessions
        return sessions[min(position + n, len(sessions) - 1)].date()


def _months_between(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def run_replay(
    data: MarketData,
    config: ReplayConfig,
    strategy_name: str,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ReplayResult:
    """Replay ``strategy_name`` over ``config``'s period on ``data``; pure apart from reading settings."""
    spec = strategy(strategy_name)
    all_sessions = data.sessions
    sessions = all_sessions[
        (all_sessions >= pd.Timestamp(config.start)) & (all_sessions <= pd.Timestamp(config.end))
    ]
    if len(sessions) < 2:
        raise ValueError("the period holds fewer than two sessions of data")
    profile = AdviceProfile(cost_model=config.cost_model, cost_aversion=config.cost_aversion)
    book = Book(cash=config.initial_cash, model=config.cost_model)
    lifecycle = ModelLifecycle() if spec.uses_model else None
    months = RETRAIN_SCHEDULES[config.retrain]
    last_retrain: pd.Timestamp | None = None
    counts = Counts()
    pending: list[simulator.SimOrder] = []
    sigma: dict[str, float] = {}
    rows: list[tuple[pd.Timestamp, float, float, float]] = []
    taxes: dict[int, float] = {}
    first_rebalance, last_month = True, None
    gate_closed = 0
    invested: dict[str, float] = {}

    bars = data.bars()
    for position, day in enumerate(sessions):
        bar = bars.on(day)
        _corporate_actions(book, pending, bar, day.date())
        pending = _fills(book, pending, bar, day.date(), sigma, counts)
        close = bar["close"]
        # A holding without a bar today (a gap, or data ending early) keeps its last close: a NaN would
        # make the whole equity NaN from then on.
        prices = {t: float(bar["mark"][t]) for t in book.lots}
        book.accrue_borrow(prices)
        last_of_year = position == len(sessions) - 1 or sessions[position + 1].year != day.year
        if last_of_year:
            taxes[day.year] = book.pay_year_end_tax(day.year).total
        equity = book.cash + book.market_value(prices)
        rows.append((day, equity, equity + book.totals.tax, book.cash))

        if position == len(sessions) - 1:
            break
        rebalance = position >= config.offset and (position - config.offset) % config.rebalance_every == 0
        due = (
            lifecycle is not None
            and months
            and (last_retrain is None or _months_between(last_retrain, day) >= months)
        )
        if not (rebalance or due):
            continue
        with clock.pinned(day.date()):
            seen = data.until(day)
            if due:
                lifecycle.retrain(seen.panels, day, features=seen.model_features())
                last_retrain = day
            if not rebalance:
                continue
            if lifecycle is not None and not lifecycle.gate_open:
                gate_closed += 1
            shares = pd.Series({t: s.quantity for t, s in book.lots.items()}, dtype=float)
            decision = Decision(
                day=day,
                data=seen,
                shares=shares,
                pmp=pd.Series({t: s.average_cost for t, s in book.lots.items()}, dtype=float),
                cash=book.cash,
                tax_state=book.tax_position(day.year),
                equity=equity,
                profile=profile,
                lifecycle=lifecycle,
                first=first_rebalance,
                new_month=last_month is not None and day.month != last_month,
            )
            last_month = day.month
            targets = spec.targets(decision)
            if targets is None:
                continue
            if not first_rebalance and equity > 0:
                invested[day.date().isoformat()] = 1.0 - book.cash / equity
            first_rebalance = False
            counts.cancelled += len(pending)
            sigma = sigma_today(seen, day).dropna().to_dict()
            valid_until = _exchange_validity(day.date(), sessions, position, profile.validity_sessions)
            pending = _orders(targets, shares, close, sigma, day.date(), valid_until, profile)
            counts.placed += len(pending)
        if progress:
            progress(position + 1, len(sessions))
    counts.open = len(pending)
    if progress:
        progress(len(sessions), len(sessions))
    equity_frame = pd.DataFrame(rows, columns=["date", "after_tax", "before_tax", "cash"]).set_index("date")
    return ReplayResult(
        strategy=strategy_name,
        offset=config.offset,
        equity=equity_frame,
        book=book,
        counts=counts,
        taxes=taxes,
        models=lifecycle.versions if lifecycle else [],
        gate_closed_sessions=gate_closed,
        invested_at_decisions=invested,
    )


def _corporate_actions(book: Book, pending: list[simulator.SimOrder], bar: Bar, day: dt.date) -> None:
    book.year = day.year
    for ticker in list(book.lots):
        factor = bar["split_factor"].get(ticker, 1.0)
        if factor and factor != 1.0 and math.isfinite(factor):
            book.split(ticker, factor, price=float(bar["open"].get(ticker, np.nan)))
        per_share = bar["dividend"].get(ticker, 0.0)
        if per_share and math.isfinite(per_share):
            book.dividend(day, ticker, per_share)
    for i, order in enumerate(pending):
        factor = bar["split_factor"].get(order.ticker, 1.0)
        if factor and factor != 1.0 and math.isfinite(factor):
            pending[i] = simulator.SimOrder(
                order.ticker,
                order.side,
                float(math.floor(order.quantity * factor)) or 1.0,
                order.order_type,
                order.placed_on,
                order.valid_until,
                order.limit_price / factor if order.limit_price else None,
                order.stop_price / factor if order.stop_price else None,
            )


def _fills(
    book: Book,
    pending: list[simulator.SimOrder],
    bar: Bar,
    day: dt.date,
    sigma: dict[str, float],
    counts: Counts,
) -> list[simulator.SimOrder]:
    still_open = []
    for order in sorted(pending, key=lambda o: o.buys):  # sells first: they fund the buys
        if simulator.is_expired(order, day):
            counts.expired += 1
            continue
        if order.ticker not in bar["close"]:
            still_open.append(order)
            continue
        t = order.ticker
        price = simulator.fill_price(
            order, open_=bar["open"][t], high=bar["high"][t], low=bar["low"][t], close=bar["close"][t]
        )
        if price is None:
            still_open.append(order)
            continue
        quantity = order.quantity
        if order.buys:
            affordable = math.floor(max(book.cash, 0.0) / (price * 1.01))
            quantity = min(quantity, affordable)
            if quantity <= 0:
                counts.cancelled += 1
                continue
        else:
            quantity = min(quantity, max(book.quantity(order.ticker), 0.0))
            if quantity <= 0:
                counts.cancelled += 1
                continue
        book.fill(
            day=day,
            ticker=order.ticker,
            side=order.side,
            quantity=quantity,
            price=price,
            sigma_daily=sigma.get(order.ticker, 0.0),
            crosses_spread=order.order_type == simulator.MARKET,
        )
        counts.filled += 1
    return still_open


def _orders(
    targets: pd.Series,
    shares: pd.Series,
    close: dict[str, float],
    sigma: dict[str, float],
    day: dt.date,
    valid_until: dt.date,
    profile: AdviceProfile,
) -> list[simulator.SimOrder]:
    """Priced orders from target holdings: the product's order plan for an order that must fill."""
    delta = targets.reindex(targets.index.union(shares.index)).fillna(np.nan)
    orders = []
    for ticker, target in delta.items():
        if not np.isfinite(target):
            continue  # not in today's targets (no price, not modelled): left alone
        change = float(target) - float(shares.get(ticker, 0.0))
        price, vol = float(close.get(ticker, np.nan)), sigma.get(ticker, np.nan)
        if abs(change) < 1 or not (np.isfinite(price) and price > 0 and np.isfinite(vol) and vol > 0):
            continue
        side = costs.BUY if change > 0 else costs.SELL
        quantity = abs(change)
        ctx = pricing.OrderContext(
            ticker=str(ticker),
            side=side,
            price=price,
            sigma=vol,
            expected_return=0.0,
            horizon_days=profile.horizon_days,
            validity_days=profile.validity_sessions,
            notional=quantity * price,
            is_entry=False,
        )
        plan = pricing.must_fill_plan(pricing.plan_order(ctx, profile.cost_model))
        order_type = simulator.MARKET if plan.limit_price is None else simulator.LIMIT
        orders.append(
            simulator.SimOrder(str(ticker), side, quantity, order_type, day, valid_until, plan.limit_price)
        )
    return orders
