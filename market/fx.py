"""Exchange rates: the one place that loads and reads them (a US share in a euro portfolio goes through here).

Rates are the ECB's daily euro reference rates (``rate`` units of the quote currency for one euro),
set around 14:15 CET, before the US close: the rate of a date converts that date's close. A date
without a fixing (weekend, TARGET holiday) uses the latest earlier rate up to ``MAX_STALENESS_DAYS``
back; beyond that there is no rate and callers must refuse rather than mix currencies.

Two sources write the same table through :func:`fx_rates_store`: the shipped ECB file (the reference,
``fx_sample_load``) and Yahoo's daily pairs (``EURUSD=X``, :func:`yahoo_fx_load`, the Celery task
``market.ingest_yahoo_fx``) for the dates the ECB file does not cover. A stored rate is never replaced by
Yahoo's, so a page that said "ECB rate of that day" keeps saying the same.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Q

from market.models import FxRate

logger = logging.getLogger("swingtrade.market.fx")

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
    return fx_rates_on([(base, on)], quote)[(base.upper(), on)]


def read_ecb_eurusd(path: Path = ECB_SAMPLE) -> pd.DataFrame:
    """The shipped EURUSD column: ``date`` (datetime64), ``rate`` (float, dollars per euro), ascending."""
    with gzip.open(path, "rt") as handle:
        frame = pd.read_csv(handle, parse_dates=["date"])
    frame = frame.rename(columns={"eurusd": "rate"}).dropna()
    if frame.empty or (frame["rate"] <= 0).any():
        raise ValueError(f"{path.name}: no usable EURUSD rate")
    return frame.sort_values("date").reset_index(drop=True)


def _checked_rates(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """``date, base, quote, rate`` rows fit to store: a positive finite rate, ISO currency codes."""
    missing = {"date", "base", "quote", "rate"} - set(frame.columns)
    if missing:
        raise ValueError(f"{source}: rate frame without {', '.join(sorted(missing))}")
    rows = frame.assign(
        date=pd.to_datetime(frame["date"], errors="coerce"),
        base=frame["base"].astype(str).str.upper(),
        quote=frame["quote"].astype(str).str.upper(),
        rate=pd.to_numeric(frame["rate"], errors="coerce"),
    )
    usable = (
        rows["date"].notna()
        & np.isfinite(rows["rate"])
        & (rows["rate"] > 0)
        & rows["base"].str.fullmatch("[A-Z]{3}")
        & rows["quote"].str.fullmatch("[A-Z]{3}")
        & (rows["base"] != rows["quote"])
    )
    if (~usable).any():
        logger.warning("unusable rates skipped", extra={"source": source, "rows": int((~usable).sum())})
    return rows[usable].drop_duplicates(["base", "quote", "date"], keep="last")


@transaction.atomic
def fx_rates_store(frame: pd.DataFrame, *, source: str, replace: bool) -> int:
    """Write ``date, base, quote, rate`` rows; the number of rows written (new or, if ``replace``, updated).

    ``replace=False`` only adds dates that have no rate yet: a second source fills gaps and never
    changes a rate a page may already have quoted.
    """
    rows = _checked_rates(frame, source)
    records = [
        FxRate(base=b, quote=q, date=d.date(), rate=float(r), source=source)
        for d, b, q, r in zip(rows["date"], rows["base"], rows["quote"], rows["rate"], strict=True)
    ]
    if not replace:
        stored = set(
            FxRate.objects.filter(
                base__in={r.base for r in records}, date__in={r.date for r in records}
            ).values_list("base", "quote", "date")
        )
        records = [r for r in records if (r.base, r.quote, r.date) not in stored]
        FxRate.objects.bulk_create(records, batch_size=1000)
        return len(records)
    FxRate.objects.bulk_create(
        records,
        update_conflicts=True,
        unique_fields=["base", "quote", "date"],
        update_fields=["rate", "source"],
        batch_size=1000,
    )
    return len(records)


def fx_sample_load(path: Path = ECB_SAMPLE) -> int:
    """Store the shipped ECB EURUSD rates (idempotent: existing dates are updated); the rows written."""
    frame = read_ecb_eurusd(path).assign(base="EUR", quote="USD")
    return fx_rates_store(frame, source="ECB", replace=True)


@dataclass(frozen=True)
class FxLoad:
    """What a Yahoo rate download stored: rows added, and the pairs Yahoo returned nothing for."""

    written: int
    failed: list[str] = field(default_factory=list)


def fx_update_start(pairs: Iterable[tuple[str, str]]) -> date:
    """Where a rate update starts: a week before the oldest last stored rate of ``pairs`` (a month back
    from the market's today for a pair with none), so late corrections and holidays are re-read."""
    from django.conf import settings

    from market import clock

    lasts = [
        FxRate.objects.filter(base=b.upper(), quote=q.upper())
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
        for b, q in pairs
    ]
    if not lasts or any(last is None for last in lasts):
        return clock.today() - timedelta(days=30)
    return min(d for d in lasts if d is not None) - timedelta(days=settings.MARKET_YAHOO_LOOKBACK_DAYS)


def yahoo_fx_load(*, pairs: Iterable[tuple[str, str]], start: date, end: date | None = None) -> FxLoad:
    """Download the daily rates of ``pairs`` from Yahoo (``EURUSD=X``) and add the dates not stored yet."""
    from market.sources import yahoo  # imported here: yfinance is heavy and only this path needs it

    result = yahoo.download_fx(pairs, start=start, end=end)
    written = fx_rates_store(result.frame, source="Yahoo", replace=False)
    logger.info("yahoo rates stored", extra={"written": written, "failed": result.failed})
    return FxLoad(written=written, failed=result.failed)


def fx_rates_on(wanted: Iterable[tuple[str, date]], quote: str) -> dict[tuple[str, date], FxQuote | None]:
    """The rate of each ``(currency, on)`` into ``quote``, read in one query for all of them (none when every
    currency is ``quote``): a valuation of many positions asks once, not once per position.

    The rule (:func:`fx_rate` is this for one pair): the latest stored pair up to ``MAX_STALENESS_DAYS``
    before ``on``, else the latest inverse pair; None when neither is stored; a currency into itself is 1.
    """
    quote = quote.upper()
    keys = {(currency.upper(), on) for currency, on in wanted}
    answers: dict[tuple[str, date], FxQuote | None] = {
        (currency, on): FxQuote(currency, quote, 1.0, on, source="identity")
        for currency, on in keys
        if currency == quote
    }
    foreign = {(currency, on) for currency, on in keys if currency != quote}
    if not foreign:
        return answers
    currencies = {currency for currency, _ in foreign}
    dates = [on for _, on in foreign]
    rows = list(
        FxRate.objects.filter(
            Q(base__in=currencies, quote=quote) | Q(base=quote, quote__in=currencies),
            date__gte=min(dates) - timedelta(days=MAX_STALENESS_DAYS),
            date__lte=max(dates),
        )
        .order_by("-date")
        .values_list("base", "quote", "date", "rate", "source")
    )
    for currency, on in foreign:
        oldest = on - timedelta(days=MAX_STALENESS_DAYS)
        fixed = [r for r in rows if oldest <= r[2] <= on]  # newest first
        direct = next((r for r in fixed if (r[0], r[1]) == (currency, quote)), None)
        inverse = next((r for r in fixed if (r[0], r[1]) == (quote, currency)), None)
        if direct is not None:
            answers[(currency, on)] = FxQuote(currency, quote, direct[3], direct[2], direct[4])
        elif inverse is not None:
            answers[(currency, on)] = FxQuote(currency, quote, 1.0 / inverse[3], inverse[2], inverse[4])
        else:
            answers[(currency, on)] = None
    return answers
