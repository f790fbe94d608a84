"""The per-portfolio tax ledger: booked with each trade, read as a :class:`rules.TaxPosition`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F

from portfolio import costs
from portfolio.models import Portfolio, TaxYear, Trade
from portfolio.tax import rates, rules

# Only closing trades realise a gain or a loss (sales of longs, covers of shorts).
REALISING_SIDES = ("sell", "cover")


def totals_by_year(portfolio: Portfolio) -> dict[int, rules.YearTotals]:
    return {
        row.year: rules.YearTotals(float(row.realised_gains), float(row.realised_losses))
        for row in portfolio.tax_years.all()
    }


def tax_rate_of(portfolio: Portfolio, year: int) -> float:
    """The flat tax of ``year`` for this portfolio: the law's PFU, or 0 for a tax-free cost profile."""
    model = portfolio.cost_profile.as_cost_model()
    return costs.capital_gains_rate_on(model, dt.date(year, 12, 31))


def tax_position_of(portfolio: Portfolio, *, year: int) -> rules.TaxPosition:
    """The portfolio's tax position of ``year``: realised so far, carried losses by origin, the bill."""
    return rules.tax_position(
        totals_by_year(portfolio),
        year,
        rate=tax_rate_of(portfolio, year),
        carry_years=rates.loss_carry_years(),
    )


def taxable_result(trade: Trade) -> Decimal:
    """What a closing trade adds to the year's result: its realised P&L at average cost less its fees.

    The stored average cost excludes purchase fees, so this slightly overstates gains (a cautious
    estimate of the tax); sale fees are deducted as French rules allow.
    """
    if trade.side not in REALISING_SIDES:
        return Decimal("0")
    return trade.realised_pnl - trade.fees


@transaction.atomic
def trade_tax_book(*, trade: Trade) -> Trade:
    """Add a booked trade's realised result to its year and record its tax effect on the trade.

    ``trade.capital_gains_tax`` becomes the change of the year's bill the trade causes, carried-forward
    losses included (negative: a loss that gives back tax on the year's gains). Called once, where
    ``portfolio.services.trade_record`` books the trade, inside its transaction.
    """
    result = taxable_result(trade)
    if result == 0:
        return trade
    year = trade.traded_on.year
    position = tax_position_of(trade.portfolio, year=year)
    effect = rules.sale_tax(position, float(result))
    row, _ = TaxYear.objects.select_for_update().get_or_create(portfolio_id=trade.portfolio_id, year=year)
    if result > 0:
        row.realised_gains = F("realised_gains") + result
    else:
        row.realised_losses = F("realised_losses") - result
    row.save()
    trade.capital_gains_tax = Decimal(str(round(effect, 6)))
    trade.save(update_fields=["capital_gains_tax"])
    return trade


def tax_state(portfolio: Portfolio, *, year: int) -> dict[str, Any]:
    """The tax state a person reads: the year's gains, losses, bill, and carried losses by year."""
    position = tax_position_of(portfolio, year=year)
    pfu = rates.pfu_for_year(year)
    taxed = position.rate > 0  # 0: a tax-free profile (e.g. a PEA)
    carry_years = rates.loss_carry_years()
    unused = {y: v - position.used.get(y, 0.0) for y, v in position.carried_in.items()}
    return {
        "year": position.year,
        "realised_gains": round(position.gains, 2),
        "realised_losses": round(position.losses, 2),
        "net": round(position.net, 2),
        "carried_losses_used": {str(y): round(v, 2) for y, v in sorted(position.used.items())},
        "taxable": round(position.taxable, 2),
        "tax_due": round(position.tax, 2),
        "rate": {
            "income_tax": pfu.income_tax if taxed else 0.0,
            "social_levies": pfu.social_levies if taxed else 0.0,
            "total": position.rate,
        },
        # Losses of earlier years still usable after what this year's gains used, by year of origin.
        "carried_forward": [
            {"year": origin, "amount": round(left, 2), "usable_until": origin + carry_years}
            for origin, left in sorted(unused.items())
            if left > 0.005
        ],
        "expiring_this_year": {str(y): round(v, 2) for y, v in sorted(position.expiring.items())},
    }
