"""Exchange rates: the one place that loads and reads them (a US share in a euro portfolio goes through here).

Rates are the ECB's daily euro reference rates (``rate`` units of the quote currency for one euro),
set around 14:15 CET, before the US close: the rate of a date converts that date's close. A date
without a fixing (weekend, TARGET holiday) uses the latest earlier rate up to ``MAX_STALENESS_DAYS``
back; beyond that there is no rate and callers must refuse rather than mix currencies.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from django.db import transaction

from market.models import FxRate

ECB_SAMPLE = Path(__file__).resolve().parent / "data" / "eurusd_ecb_2015_2021.csv.gz"
MAX_STALENESS_DAYS = 7


@dataclass(frozen=True)
class FxQuote:
    """``rate`` units of ``quote`` per one ``base``, fixed on ``on`` (the date the page states)."""

    base: str
    quote: str
    rate: float
    on: date
    source: str = "ECB"

    def convert(self, amount: float) -> float:
        """``amount`` in ``base`` → the same value in ``quote``."""
        return float(amount) * self.rate


def fx_rate(base: str, quote: str, on: date) -> FxQuote | None:
    """The rate turning ``base`` into ``quote`` on ``on`` (stored pair or inverse); None when none is recent.

    The same currency is 1 on any date.
    """
    base, quote = base.upper(), quote.upper()
    if base == quote:
        return FxQuote(base, quote, 1.0, on, source="identity")
    window = {"date__lte": on, "date__gte": on - timedelta(days=MAX_STALENESS_DAYS)}
    direct = FxRate.objects.filter(base=base, quote=quote, **window).order_by("-date").first()
    if direct is not None:
        return FxQuote(base, quote, direct.rate, direct.date, direct.source)
    inverse = FxRate.objects.filter(base=quote, quote=base, **window).order_by("-date").first()
    if inverse is not None:
        return FxQuote(base, quote, 1.0 / inverse.rate, inverse.date, inverse.source)
    return None


def read_ecb_eurusd(path: Path = ECB_SAMPLE) -> pd.DataFrame:
    """The shipped EURUSD column: ``date`` (datetime64), ``rate`` (float, dollars per euro), ascending."""
    with gzip.open(path, "rt") as handle:
        frame = pd.read_csv(handle, parse_dates=["date"])
    frame = frame.rename(columns={"eurusd": "rate"}).dropna()
    if frame.empty or (frame["rate"] <= 0).any():
        raise ValueError(f"{path.name}: no usable EURUSD rate")
    return frame.sort_values("date").reset_index(drop=True)


@transaction.atomic
def fx_sample_load(path: Path = ECB_SAMPLE) -> int:
    """Store the shipped ECB EURUSD rates (idempotent: existing dates are updated); the rows written."""
    frame = read_ecb_eurusd(path)
    rows = [
        FxRate(base="EUR", quote="USD", date=d.date(), rate=float(r), source="ECB")
        for d, r in zip(frame["date"], frame["rate"], strict=True)
    ]
    FxRate.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["base", "quote", "date"],
        update_fields=["rate", "source"],
        batch_size=1000,
    )
    return len(rows)
