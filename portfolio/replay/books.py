"""The replayed account: cash, positions on average cost (PMP), realised P&L, costs and the French flat tax.

Every amount comes from the product's single places for fees and taxes: commission, half-spread and
transaction tax through ``portfolio.costs.order_costs``, average cost and realised P&L through
``apply_fill``, borrow through ``borrow_cost``, the year's bill and the losses carried forward through
``portfolio.tax.rules.tax_position`` at the rate of the year (``portfolio.tax.rates``).

The PFU (prélèvement forfaitaire unique, ``CostModel.capital_gains_rate`` = 30 %):

- due once a year, at the last session of the calendar year, on the year's net realised capital gain
  after offsetting losses carried forward (oldest first), plus the year's gross dividends;
- a net realised capital loss is carried forward for 10 years (it never offsets dividends);
- dividends are credited gross on their ex-date to the holder of the previous close.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from portfolio import costs, ledger
from portfolio.tax import rules

MONEY_QUANTUM = Decimal("0.000001")  # the money columns' precision (portfolio.models.MONEY)


@dataclass(frozen=True)
class TaxBill:
    year: int
    gains_tax: float
    dividend_tax: float
    carried_forward: dict[int, float]  # year of origin → loss still available (positive amounts)

    @property
    def total(self) -> float:
        return self.gains_tax + self.dividend_tax


def year_end_tax(
    model: costs.CostModel, *, year: int, net_by_year: dict[int, float], dividends: float
) -> TaxBill:
    """The PFU due for ``year`` from every year's net realised result, and the losses left to carry.

    The carry-forward (oldest first, 10 years) is :func:`portfolio.tax.rules.tax_position`; the rate
    is the one in force that year (:func:`portfolio.costs.capital_gains_rate_on`), a tax-free profile
    (rate 0) owes nothing. Dividends pay the same flat rate, never offset by losses.
    """
    rate = costs.capital_gains_rate_on(model, dt.date(year, 12, 31))
    totals = {
        y: rules.YearTotals(gains=max(net, 0.0), losses=max(-net, 0.0)) for y, net in net_by_year.items()
    }
    position = rules.tax_position(totals, year, rate=rate)
    return TaxBill(year, position.tax, rate * max(dividends, 0.0), position.carried_out)


@dataclass
class Totals:
    commission: float = 0.0
    spread: float = 0.0
    transaction_tax: float = 0.0
    borrow: float = 0.0
    tax: float = 0.0
    dividends: float = 0.0
    traded_notional: float = 0.0


@dataclass
class Book:
    """One strategy's account, booked fill by fill, split by split, dividend by dividend."""

    cash: float
    model: costs.CostModel
    lots: dict[str, ledger.LotState] = field(default_factory=dict)
    realised_by_year: dict[int, float] = field(default_factory=dict)
    dividends_by_year: dict[int, float] = field(default_factory=dict)
    carried_losses: dict[int, float] = field(default_factory=dict)
    totals: Totals = field(default_factory=Totals)
    traded_by_year: dict[int, float] = field(default_factory=dict)  # notional bought and sold, per year
    closed_trades: list[float] = field(default_factory=list)  # realised P&L of each reducing fill
    year: int = 0  # calendar year of the session being booked

    def quantity(self, ticker: str) -> float:
        return self.lots.get(ticker, ledger.LotState()).quantity

    def fill(
        self,
        *,
        day: dt.date,
        ticker: str,
        side: str,
        quantity: float,
        price: float,
        sigma_daily: float,
        crosses_spread: bool,
        exchange: str | None = None,
    ) -> costs.OrderCosts:
        """Book one execution with the product's :func:`portfolio.ledger.trade_effects`.

        The spread is the one cost a recorded trade does not carry (a user records the price they got):
        a marketable order here fills at the bar's open, so its half-spread (``costs.half_spread``) is
        paid on top.
        """
        state = self.lots.get(ticker, ledger.LotState())
        effects = ledger.trade_effects(
            cost_model=self.model,
            side=side,
            shares=int(quantity),
            price=Decimal(repr(price)),
            fees=None,
            held=int(state.quantity),
            average_cost=state.average_cost,
            cash=Decimal(repr(self.cash)),
            ytd_realised=self.realised_by_year.get(day.year, 0.0),
            ticker=ticker,
            exchange=exchange,
            money_quantum=MONEY_QUANTUM,
            traded_on=day,  # the FTT in force on the replayed day
        )
        notional = abs(quantity) * price
        spread = float(costs.half_spread(self.model, sigma_daily)) * notional if crosses_spread else 0.0
        fees, ftt = float(effects.fees), float(effects.transaction_tax)
        trading = fees + ftt + spread
        self.cash = float(effects.cash_after) - spread
        if effects.quantity == 0:
            self.lots.pop(ticker, None)
        else:
            self.lots[ticker] = ledger.LotState(effects.quantity, effects.average_cost)
        # Costs are deductible from capital gains in France: the realised result is net of them.
        signed = quantity if side in costs.BUYING_SIDES else -quantity
        reduces = state.quantity != 0 and math.copysign(1, signed) != math.copysign(1, state.quantity)
        realised = effects.realised_pnl
        self.realised_by_year[day.year] = self.realised_by_year.get(day.year, 0.0) + realised - trading
        if reduces:
            self.closed_trades.append(realised)
        self.totals.commission += fees
        self.totals.spread += spread
        self.totals.transaction_tax += ftt
        self.totals.traded_notional += notional
        self.traded_by_year[day.year] = self.traded_by_year.get(day.year, 0.0) + notional
        return costs.OrderCosts(
            commission=fees,
            spread=spread,
            transaction_tax=ftt,
            borrow=0.0,
            capital_gains_tax=effects.capital_gains_tax,
        )

    def split(self, ticker: str, factor: float, *, price: float) -> None:
        """A split of ``factor`` new shares per old one: more shares at a proportionally lower cost.

        A fraction of a share left by an uneven factor (1.589 for a spin-off) is paid in cash at
        ``price``, as brokers settle fractional entitlements.
        """
        state = self.lots.get(ticker)
        if state is None or factor == 1 or not factor > 0:
            return
        exact = state.quantity * factor
        whole = float(math.floor(exact)) if exact > 0 else float(math.ceil(exact))
        average = state.average_cost / factor
        if whole != exact:
            self.cash += (exact - whole) * price
            realised = (exact - whole) * (price - average)
            self.realised_by_year[self.year] = self.realised_by_year.get(self.year, 0.0) + realised
        if whole == 0:
            self.lots.pop(ticker, None)
        else:
            self.lots[ticker] = ledger.LotState(whole, average)

    def dividend(self, day: dt.date, ticker: str, per_share: float) -> float:
        """Credit (long) or charge (short) the dividend of the shares held at the previous close."""
        amount = self.quantity(ticker) * per_share
        if amount:
            self.cash += amount
            self.dividends_by_year[day.year] = self.dividends_by_year.get(day.year, 0.0) + amount
            self.totals.dividends += amount
        return amount

    def accrue_borrow(self, prices: dict[str, float], days: float = 1.0) -> None:
        for ticker, state in self.lots.items():
            if state.quantity < 0:
                fee = costs.borrow_cost(self.model, abs(state.quantity) * prices.get(ticker, 0.0), days)
                self.cash -= fee
                self.totals.borrow += fee

    def pay_year_end_tax(self, year: int) -> TaxBill:
        bill = year_end_tax(
            self.model,
            year=year,
            net_by_year=self.realised_by_year,
            dividends=self.dividends_by_year.get(year, 0.0),
        )
        self.carried_losses = bill.carried_forward
        self.cash -= bill.total
        self.totals.tax += bill.total
        return bill

    def tax_position(self, year: int) -> rules.TaxPosition:
        """Where the account stands for ``year`` (what the default advice weighs a sale against)."""
        totals = {
            y: rules.YearTotals(gains=max(net, 0.0), losses=max(-net, 0.0))
            for y, net in self.realised_by_year.items()
        }
        return rules.tax_position(
            totals, year, rate=costs.capital_gains_rate_on(self.model, dt.date(year, 12, 31))
        )

    def market_value(self, prices: dict[str, float]) -> float:
        return float(sum(state.quantity * prices[t] for t, state in self.lots.items()))
