"""Exchange rates: the shipped ECB EURUSD series, read for a date, inverted, and absent when too old."""

from __future__ import annotations

from datetime import date

import pytest

from market import fx
from market.models import FxRate


@pytest.mark.django_db
def test_the_shipped_ecb_series_loads_once_and_answers_both_directions():
    written = fx.fx_sample_load()
    assert written == FxRate.objects.count() > 1500
    assert fx.fx_sample_load() == written and FxRate.objects.count() == written  # idempotent
    eurusd = fx.fx_rate("EUR", "USD", date(2021, 4, 21))  # the ECB reference rate of that day
    assert eurusd is not None and eurusd.on == date(2021, 4, 21) and eurusd.rate == pytest.approx(1.2007)
    usdeur = fx.fx_rate("usd", "eur", date(2021, 4, 21))
    assert usdeur.rate == pytest.approx(1 / 1.2007) and usdeur.convert(1.2007) == pytest.approx(1.0)


@pytest.mark.django_db
def test_a_weekend_uses_the_previous_fixing_and_a_long_gap_has_no_rate():
    FxRate.objects.create(base="EUR", quote="USD", date=date(2021, 4, 16), rate=1.1983)
    saturday = fx.fx_rate("EUR", "USD", date(2021, 4, 17))
    assert saturday.on == date(2021, 4, 16)
    assert fx.fx_rate("EUR", "USD", date(2021, 5, 17)) is None
    assert fx.fx_rate("EUR", "GBP", date(2021, 4, 16)) is None


def test_the_same_currency_needs_no_rate():
    same = fx.fx_rate("EUR", "EUR", date(2021, 4, 16))
    assert same.rate == 1.0 and same.convert(12.5) == 12.5
