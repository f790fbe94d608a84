"""``fx.fx_rates_on`` answers as ``fx.fx_rate`` would for each (currency, day), in one query for all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market import fx
from market.models import FxRate

pytestmark = pytest.mark.django_db


def test_many_rates_in_one_query_as_fx_rate_answers_each():
    FxRate.objects.create(base="EUR", quote="USD", date=dt.date(2021, 3, 1), rate=1.25)
    FxRate.objects.create(base="EUR", quote="USD", date=dt.date(2021, 3, 4), rate=1.20)
    FxRate.objects.create(base="EUR", quote="GBP", date=dt.date(2021, 3, 3), rate=0.80)  # the inverse pair
    wanted = [
        ("USD", dt.date(2021, 3, 2)),  # Monday's 1.25
        ("USD", dt.date(2021, 3, 6)),  # Thursday's 1.20, the latest on or before
        ("gbp", dt.date(2021, 3, 5)),  # from EURGBP, inverted
        ("USD", dt.date(2021, 3, 12)),  # 8 days after the last fixing: none
        ("CHF", dt.date(2021, 3, 2)),  # never stored: none
        ("EUR", dt.date(2021, 3, 2)),  # the same currency: 1
    ]
    with CaptureQueriesContext(connection) as queries:
        answers = fx.fx_rates_on(wanted, "eur")
    assert len(queries) == 1
    for currency, on in wanted:
        assert answers[(currency.upper(), on)] == fx.fx_rate(currency, "EUR", on)
    assert answers[("USD", dt.date(2021, 3, 6))].rate == pytest.approx(1 / 1.20)
    assert answers[("GBP", dt.date(2021, 3, 5))].rate == pytest.approx(1 / 0.80)
    assert answers[("USD", dt.date(2021, 3, 12))] is None and answers[("CHF", dt.date(2021, 3, 2))] is None


def test_the_same_currency_alone_reads_nothing():
    with CaptureQueriesContext(connection) as queries:
        answers = fx.fx_rates_on([("EUR", dt.date(2021, 3, 2))], "EUR")
    assert queries.captured_queries == [] and answers[("EUR", dt.date(2021, 3, 2))].rate == 1.0
