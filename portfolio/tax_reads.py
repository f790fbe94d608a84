"""Reads of the tax ledger: a portfolio's tax position and the tax state a person reads (no writes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portfolio.models import Portfolio
from portfolio.tax import rates, rules


def totals_by_year(portfolio: Portfolio) -> dict[int, rules.YearTotals]:
    return {
        row.year: rules.YearTotals(float(row.realised_gains), float(row.realised_losses))
        for row in portfolio.tax_years.all()
    }


def tax_rate_of(portfolio: Portfolio, year: int) -> float:
    """The flat tax of ``year`` for this portfolio: the law's PFU, or 0 for a tax-free cost profile."""
    return rates.capital_gains_rate(portfolio.cost_profile.capital_gains_rate, dt.date(year, 12, 31))


def tax_position_of(portfolio: Portfolio, *, year: int) -> rules.TaxPosition:
    """The portfolio's tax position of ``year``: realised so far, carried losses by origin, the bill."""
    return rules.tax_position(
        totals_by_year(portfolio),
        year,
        rate=tax_rate_of(portfolio, year),
        carry_years=rates.loss_carry_years(),
    )


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
