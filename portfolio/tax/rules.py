"""Pure French capital-gains rules for a securities account; no ORM, no settings.

- **PMP** (prix moyen pondéré): each purchase re-averages the cost of the line, fees included; a sale
  realises ``quantity × (net sale price − PMP)`` and leaves the PMP of the shares kept unchanged.
- **The year**: gains and losses realised in a calendar year are netted; a net gain is taxed once at the
  flat tax (PFU) after offsetting losses carried from earlier years, oldest first.
- **Carry-forward**: a year's net loss offsets the net gains of the following ``carry_years`` (10) years,
  then expires; it never offsets the gains of its own year twice nor of an earlier year.

Amounts are money in the account's currency; losses are stored as positive amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

CARRY_YEARS = 10


@dataclass(frozen=True)
class Line:
    """Shares held of one security at their average cost (PMP, purchase fees included)."""

    quantity: float = 0.0
    pmp: float = 0.0


def buy(line: Line, *, quantity: float, price: float, fees: float = 0.0) -> Line:
    """The line after a purchase: the PMP re-averages over all shares, the purchase's fees included."""
    if quantity <= 0 or price <= 0 or fees < 0:
        raise ValueError("a purchase has a positive quantity and price and fees >= 0")
    return Line(
        line.quantity + quantity, pmp_after_purchase(line, quantity=quantity, cost=quantity * price + fees)
    )


def sell(line: Line, *, quantity: float, price: float, fees: float = 0.0) -> tuple[Line, float]:
    """The line after a sale and the gain (negative: loss) it realises at PMP, net of the sale's fees."""
    if quantity <= 0 or price <= 0 or fees < 0:
        raise ValueError("a sale has a positive quantity and price and fees >= 0")
    if quantity > line.quantity + 1e-9:
        raise ValueError(f"cannot sell {quantity} of a line of {line.quantity}")
    gain = gain_at_pmp(line, quantity=quantity, price=price) - fees
    left = line.quantity - quantity
    return (Line(left, line.pmp) if left > 1e-9 else Line()), gain


# The two formulas of the PMP rule, the only place they are written. ``portfolio.ledger.apply_fill`` (the
# books of stored portfolios and of the replay) calls them with the size of a long or short line; the
# ledger's Decimal money is converted to float before it reaches them (``ledger.trade_effects``).


def pmp_after_purchase(line: Line, *, quantity: float, cost: float) -> float:
    """Average cost after adding ``quantity`` shares (> 0) that cost ``cost`` in all to ``line``."""
    return (line.quantity * line.pmp + cost) / (line.quantity + quantity)


def gain_at_pmp(line: Line, *, quantity: float, price: float) -> float:
    """What selling ``quantity`` shares of ``line`` at ``price`` realises before fees (PMP unchanged)."""
    return quantity * (price - line.pmp)


@dataclass(frozen=True)
class YearTotals:
    """Gains and losses realised in one calendar year (both >= 0)."""

    gains: float = 0.0
    losses: float = 0.0

    @property
    def net(self) -> float:
        return self.gains - self.losses

    def plus(self, realised: float) -> YearTotals:
        if realised >= 0:
            return YearTotals(self.gains + realised, self.losses)
        return YearTotals(self.gains, self.losses - realised)


@dataclass(frozen=True)
class TaxPosition:
    """Where a portfolio stands for one tax year.

    ``carried_in``: losses of earlier years still usable this year, by year of origin;
    ``used``: what this year's net gain consumed of them (oldest first); ``taxable`` and ``tax`` the
    year's bill; ``carried_out``: losses usable next year by origin (this year's net loss included,
    those reaching their 10th year dropped); ``expiring``: the unused part of losses whose last usable
    year is this one.
    """

    year: int
    gains: float
    losses: float
    carried_in: dict[int, float] = field(default_factory=dict)
    used: dict[int, float] = field(default_factory=dict)
    taxable: float = 0.0
    tax: float = 0.0
    rate: float = 0.0
    carried_out: dict[int, float] = field(default_factory=dict)
    expiring: dict[int, float] = field(default_factory=dict)

    @property
    def net(self) -> float:
        return self.gains - self.losses

    @property
    def carried_available(self) -> float:
        return sum(self.carried_in.values())


def _offset(net: float, carried: dict[int, float]) -> tuple[float, dict[int, float], dict[int, float]]:
    """A net gain reduced by carried losses, oldest first: (taxable, used, left)."""
    used: dict[int, float] = {}
    left = dict(carried)
    remaining = max(net, 0.0)
    for origin in sorted(left):
        if remaining <= 0:
            break
        take = min(left[origin], remaining)
        if take > 0:
            used[origin] = take
            left[origin] -= take
            remaining -= take
    return remaining, used, {y: v for y, v in left.items() if v > 1e-9}


def tax_position(
    totals_by_year: Mapping[int, YearTotals],
    year: int,
    *,
    rate: float,
    carry_years: int = CARRY_YEARS,
) -> TaxPosition:
    """The tax position of ``year`` from every year's realised totals (years without trades may be absent).

    Earlier years are replayed in order so each carried loss keeps its year of origin; ``rate`` is the
    flat tax of ``year`` (earlier years' own rates do not change what they carry forward).
    """
    carried: dict[int, float] = {}
    first = min([*totals_by_year, year])
    for current in range(first, year):
        totals = totals_by_year.get(current, YearTotals())
        carried = {o: v for o, v in carried.items() if o >= current - carry_years}
        _, _, carried = _offset(totals.net, carried)
        if totals.net < 0:
            carried[current] = -totals.net
    carried_in = {o: v for o, v in carried.items() if o >= year - carry_years}
    totals = totals_by_year.get(year, YearTotals())
    taxable, used, left = _offset(totals.net, carried_in)
    expiring = {o: v for o, v in left.items() if o == year - carry_years}
    carried_out = {o: v for o, v in left.items() if o > year - carry_years}
    if totals.net < 0:
        carried_out[year] = -totals.net
    return TaxPosition(
        year=year,
        gains=totals.gains,
        losses=totals.losses,
        carried_in=carried_in,
        used=used,
        taxable=taxable,
        tax=rate * taxable,
        rate=rate,
        carried_out=carried_out,
        expiring=expiring,
    )


def year_bill(net: float, carried_available: float, rate: float) -> float:
    """The flat tax of a year whose net realised result is ``net``, with that much carried loss usable."""
    return rate * max(net - carried_available, 0.0)


def sale_tax(position: TaxPosition, realised: float) -> float:
    """Change of the year's bill if a sale realising ``realised`` (gain > 0, loss < 0) is added now.

    Positive for a gain that is not absorbed by the year's losses or carried losses; negative for a loss
    that gives back tax on the year's taxable gains (a credit); 0 for a loss when the year has nothing
    taxable left (it is then carried forward and only helps later years).
    """
    before = year_bill(position.net, position.carried_available, position.rate)
    after = year_bill(position.net + realised, position.carried_available, position.rate)
    return after - before
