"""Yahoo's currency pairs (``EURUSD=X``) into FxRate: mapped at the yfinance boundary, gaps of the ECB filled.

The download is faked at ``yf.download`` with frames of the shape yfinance 1.x returns
(tests/market/yahoo_frames.py); Yahoo itself is unreachable here, so nothing claims a live rate.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from market import fx, tasks
from market.models import FxRate
from market.sources import yahoo
from tests.market.yahoo_frames import yahoo_fx_history, yf_download_frame

GOOD_FRIDAY, EASTER_MONDAY = date(2021, 4, 2), date(2021, 4, 5)
HOLIDAYS = {"2021-04-02": 1.1762, "2021-04-05": 1.1779}  # between the ECB fixings around them


def _raw() -> pd.DataFrame:
    return yf_download_frame(
        {
            "EURUSD=X": yahoo_fx_history("2021-03-29", "2021-04-06", holidays=HOLIDAYS),
            "GBPUSD=X": None,  # a pair Yahoo could not serve
        }
    )


def test_pairs_map_to_yahoos_symbols_and_back():
    assert yahoo.fx_symbol("eur", "usd") == "EURUSD=X"
    assert yahoo.fx_pair("eurusd=x") == ("EUR", "USD")
    with pytest.raises(ValueError, match="not a Yahoo currency pair"):
        yahoo.fx_pair("AAPL")
    with pytest.raises(ValueError, match="not a currency pair"):
        yahoo.fx_symbol("EURO", "USD")


def test_a_download_of_pairs_becomes_the_rate_frame_and_names_the_missing_pair():
    result = yahoo.fx_frame_from_download(_raw(), ["EURUSD=X", "GBPUSD=X"])
    assert result.failed == ["GBPUSD=X"]
    frame = result.frame
    assert list(frame.columns) == ["date", "base", "quote", "rate"]
    assert set(zip(frame["base"], frame["quote"], strict=True)) == {("EUR", "USD")}
    assert len(frame) == 7  # five ECB days and the two Easter holidays
    by_day = frame.set_index("date")["rate"]
    assert by_day[pd.Timestamp("2021-03-29")] == pytest.approx(1.1784)
    assert by_day[pd.Timestamp(GOOD_FRIDAY)] == pytest.approx(1.1762)


def test_an_empty_download_reports_every_pair_failed():
    result = yahoo.fx_frame_from_download(pd.DataFrame(), ["EURUSD=X"])
    assert result.failed == ["EURUSD=X"] and result.frame.empty


def test_download_fx_calls_yfinance_with_the_agreed_arguments(monkeypatch):
    calls = []

    def fake_download(symbols, **kwargs):
        calls.append((symbols, kwargs))
        return yf_download_frame({"EURUSD=X": yahoo_fx_history("2021-04-06", "2021-04-08")})

    monkeypatch.setattr(yahoo.yf, "download", fake_download)
    result = yahoo.download_fx([("EUR", "USD")], start=date(2021, 4, 6), end=date(2021, 4, 8))
    symbols, kwargs = calls[0]
    assert symbols == ["EURUSD=X"]
    assert kwargs["start"] == "2021-04-06" and kwargs["end"] == "2021-04-09"  # yfinance's end is exclusive
    assert kwargs["auto_adjust"] is False and kwargs["actions"] is True and kwargs["group_by"] == "column"
    assert len(result.frame) == 3 and result.failed == []


@pytest.mark.django_db
def test_yahoo_fills_the_days_the_ecb_does_not_fix_and_never_changes_an_ecb_rate(monkeypatch):
    fx.fx_sample_load()
    ecb_thursday = FxRate.objects.get(base="EUR", quote="USD", date=date(2021, 4, 1))
    monkeypatch.setattr(yahoo.yf, "download", lambda *a, **k: _raw())
    loaded = fx.yahoo_fx_load(pairs=[("EUR", "USD"), ("GBP", "USD")], start=date(2021, 3, 29))
    assert loaded.written == 2 and loaded.failed == ["GBPUSD=X"]
    added = FxRate.objects.filter(source="Yahoo").order_by("date")
    assert [(r.date, r.rate) for r in added] == [(GOOD_FRIDAY, 1.1762), (EASTER_MONDAY, 1.1779)]
    ecb_thursday.refresh_from_db()
    assert (ecb_thursday.rate, ecb_thursday.source) == (1.1746, "ECB")
    # Good Friday now converts at Yahoo's rate of that day instead of Thursday's fixing.
    quote = fx.fx_rate("USD", "EUR", GOOD_FRIDAY)
    assert quote.on == GOOD_FRIDAY and quote.source == "Yahoo"
    assert fx.yahoo_fx_load(pairs=[("EUR", "USD")], start=date(2021, 3, 29)).written == 0  # idempotent


@pytest.mark.django_db
def test_the_task_starts_a_week_before_the_last_stored_rate(monkeypatch, settings):
    FxRate.objects.create(base="EUR", quote="USD", date=date(2021, 4, 6), rate=1.1812)
    asked = []

    def fake_download(symbols, **kwargs):
        asked.append((symbols, kwargs["start"]))
        return _raw()

    monkeypatch.setattr(yahoo.yf, "download", fake_download)
    summary = tasks.ingest_yahoo_fx.delay(pairs=["EURUSD"]).get()
    lookback = settings.MARKET_YAHOO_LOOKBACK_DAYS
    assert asked == [(["EURUSD=X"], date.fromordinal(date(2021, 4, 6).toordinal() - lookback).isoformat())]
    assert summary["written"] == 6 and summary["failed"] == []  # every day before the stored one


@pytest.mark.django_db
def test_rows_that_are_not_rates_are_skipped_not_stored():
    frame = pd.DataFrame(
        {
            "date": ["2021-04-01", "2021-04-02", "not a date", "2021-04-06"],
            "base": ["EUR", "EUR", "EUR", "EUR"],
            "quote": ["USD", "USD", "USD", "EUR"],
            "rate": [1.17, -1.0, 1.18, 1.0],
        }
    )
    assert fx.fx_rates_store(frame, source="test", replace=False) == 1
    assert list(FxRate.objects.values_list("date", "rate")) == [(date(2021, 4, 1), 1.17)]
