"""What one fill does to a portfolio's books: a pure function, no database.

:func:`trade_effects` takes the position and cash before a fill and returns everything the fill changes —
the position's quantity and average cost, realised P&L, fees, the transaction tax, the change of the
year's capital-gains bill and the cash after. :func:`portfolio.services.trades.trade_record` validates the
request, calls it, checks the result against the columns and the cash rule, and stores it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from portfolio import costs
from portfolio.tax import rules


@dataclass(frozen=True)
class TradeEffects:
    """The books after one fill; money in the portfolio's currency, ``quantity`` signed (short < 0)."""

    quantity: float
    average_cost: float
    realised_pnl: float
    fees: Decimal
    transaction_tax: Decimal
    capital_gains_tax: float
    cash_flow: Decimal
    cash_after: Decimal


def trade_effects(
    *,
    cost_model: costs.CostModel,
    side: str,
    shares: int,
    price: Decimal,
    fees: Decimal | None,
    held: int,
    average_cost: float,
    cash: Decimal,
    ytd_realised: float,
    ticker: str,
    exchange: str | None,
    money_quantum: Decimal,
    traded_on: dt.date | None = None,
) -> TradeEffects:
    """Effects of buying/selling/shorting/covering ``shares`` at ``price`` on a position of ``held``.

    ``fees`` default to the cost model's commission. The transaction tax (at the rate in force on
    ``traded_on``, see :func:`costs.ftt_rate_on`) is paid from cash now; the
    capital-gains tax is the change of the year's bill (:func:`costs.sale_tax_estimate`) and is not taken
    from cash (it is paid once a year). Money amounts are rounded to ``money_quantum`` (the columns'
    precision) before the cash is computed, so the stored parts add up to the stored cash.
    """
    if side not in costs.SIDES:
        raise ValueError(f"unknown side {side!r}")
    notional = Decimal(shares) * price

    def money(value: float | Decimal) -> Decimal:
        return Decimal(str(value)).quantize(money_quantum, rounding=ROUND_HALF_UP)

    fee = money(float(costs.commission(cost_model, float(notional))) if fees is None else fees)
    ftt = money(
        costs.transaction_tax(
            cost_model, side, float(notional), ticker=ticker, exchange=exchange, on=traded_on
        )
    )
    signed = shares if side in costs.BUYING_SIDES else -shares
    # The Decimal/float boundary: money stays Decimal here; the PMP rule works on floats.
    after, realised = apply_fill(LotState(float(held), average_cost), Fill(signed, float(price)))
    tax = costs.sale_tax_estimate(cost_model, realised_gain=realised, ytd_realised=ytd_realised)
    cash_flow = -Decimal(signed) * price - fee - ftt
    return TradeEffects(
        quantity=after.quantity,
        average_cost=after.average_cost,
        realised_pnl=realised,
        fees=fee,
        transaction_tax=ftt,
        capital_gains_tax=tax,
        cash_flow=cash_flow,
        cash_after=cash + cash_flow,
    )


@dataclass(frozen=True)
class Fill:
    """One execution fed to :func:`apply_fill`: signed quantity (+ buys/covers, - sells/shorts)."""

    quantity: float
    price: float


@dataclass(frozen=True)
class LotState:
    """A position on average-cost basis: signed quantity and the average entry price."""

    quantity: float = 0.0
    average_cost: float = 0.0


def apply_fill(state: LotState, fill: Fill) -> tuple[LotState, float]:
    """New position and realised P&L (before costs) after one fill, average-cost basis.

    Adding in the direction of the position re-averages the cost; trading against it realises
    ``(price - average) * closed`` for longs and ``(average - price) * closed`` for shorts; crossing zero
    closes the old position entirely and opens the rest at the fill price. Both formulas are the PMP rule
    of :mod:`portfolio.tax.rules` applied to the line's size (a short's result has the opposite sign).
    """
    q0, avg0 = state.quantity, state.average_cost
    dq, price = fill.quantity, fill.price
    if dq == 0:
        return state, 0.0
    line = rules.Line(abs(q0), avg0)
    if q0 == 0 or np.sign(q0) == np.sign(dq):
        q1 = q0 + dq
        return LotState(q1, rules.pmp_after_purchase(line, quantity=abs(dq), cost=abs(dq) * price)), 0.0
    closed = min(abs(dq), abs(q0))
    realised = rules.gain_at_pmp(line, quantity=closed, price=price) * np.sign(q0)
    q1 = q0 + dq
    if q1 == 0:
        return LotState(0.0, 0.0), float(realised)
    if np.sign(q1) == np.sign(q0):
        return LotState(q1, avg0), float(realised)
    return LotState(q1, price), float(realised)


def realised_by_year(fills: Iterable[tuple[int, Fill]]) -> dict[int, float]:
    """Net realised P&L per calendar year from a chronological list of ``(year, fill)`` of one ticker."""
    state = LotState()
    totals: dict[int, float] = {}
    for year, fill in fills:
        state, pnl = apply_fill(state, fill)
        totals[year] = totals.get(year, 0.0) + pnl
    return totals
