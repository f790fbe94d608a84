"""Dated tax rates: the row of ``settings.TAX_*_RATES`` in force on a date.

A replay over past dates applies the rate of each date; today's advice the rate of today. Rows are
``(first day, rate…)`` sorted by day; a malformed table is a configuration error raised on first use.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FRANCE = "FR"


@dataclass(frozen=True)
class PfuRate:
    """The flat tax on net realised gains: income tax plus social levies (fractions)."""

    income_tax: float
    social_levies: float

    @property
    def total(self) -> float:
        return self.income_tax + self.social_levies


def _row_on(table: list[tuple[Any, ...]], day: dt.date, name: str) -> tuple[Any, ...]:
    try:
        starts = [dt.date.fromisoformat(str(row[0])) for row in table]
    except (TypeError, ValueError, IndexError) as exc:
        raise ImproperlyConfigured(f"{name}: each row starts with an ISO date ({exc}).") from exc
    if not starts or starts != sorted(starts):
        raise ImproperlyConfigured(f"{name} must list at least one row, in date order.")
    position = bisect.bisect_right(starts, day) - 1
    if position < 0:
        raise ImproperlyConfigured(f"{name} has no rate in force on {day} (first row {starts[0]}).")
    return tuple(table[position][1:])


def ftt_rate(day: dt.date) -> float:
    """France's financial transaction tax rate on purchases made on ``day`` (0.3 % in 2024, 0.4 % from
    2025-04-01), for shares it covers (see :func:`ftt_covers`)."""
    (rate,) = _row_on(settings.TAX_FTT_RATES, day, "TAX_FTT_RATES")
    return float(rate)


def ftt_covers(*, country: str | None, market_cap_eur: float | None) -> bool:
    """Whether the FTT covers a share: a French company above the threshold (EUR 1 bn) of market
    capitalisation. Unknown country or capitalisation: not covered (the yearly official list decides;
    a cost profile names those tickers in ``ftt_tickers``)."""
    if country != FRANCE or market_cap_eur is None:
        return False
    return market_cap_eur > settings.TAX_FTT_MARKET_CAP_THRESHOLD_EUR


def ftt_due(
    *, purchase_notional: float, day: dt.date, country: str | None, market_cap_eur: float | None
) -> float:
    """FTT of one purchase of ``purchase_notional`` on ``day`` (sales never pay it)."""
    if not ftt_covers(country=country, market_cap_eur=market_cap_eur):
        return 0.0
    return ftt_rate(day) * abs(purchase_notional)


def pfu(day: dt.date) -> PfuRate:
    """The flat tax (prélèvement forfaitaire unique) on gains realised on ``day``."""
    income_tax, social_levies = _row_on(settings.TAX_PFU_RATES, day, "TAX_PFU_RATES")
    return PfuRate(float(income_tax), float(social_levies))


def pfu_for_year(year: int) -> PfuRate:
    """The rate of a tax year: the one in force at its end (the year's net gain is taxed once)."""
    return pfu(dt.date(year, 12, 31))


def capital_gains_rate(profile_rate: float, day: dt.date) -> float:
    """The flat tax a cost profile pays on ``day``: the law's PFU of that year, 0 for a tax-free profile
    (``profile_rate`` 0, e.g. a PEA)."""
    return pfu_for_year(day.year).total if profile_rate > 0 else 0.0


def loss_carry_years() -> int:
    return int(settings.TAX_LOSS_CARRY_YEARS)
