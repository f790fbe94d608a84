from __future__ import annotations

import datetime as dt

import pytest

from portfolio.orders.calendar import is_session, sessions_after, validity_date


def test_validity_skips_good_friday():
    assert not is_session(dt.date(2021, 4, 2))
    assert validity_date(dt.date(2021, 4, 1), 1) == dt.date(2021, 4, 5)


def test_validity_skips_christmas_and_the_weekend():
    assert validity_date(dt.date(2020, 12, 24), 1) == dt.date(2020, 12, 28)
    assert validity_date(dt.date(2020, 12, 23), 3) == dt.date(2020, 12, 29)
    assert sessions_after(dt.date(2020, 12, 23), dt.date(2020, 12, 29)) == 3


def test_an_order_prepared_on_a_weekend_counts_from_monday():
    assert validity_date(dt.date(2021, 4, 3), 1) == dt.date(2021, 4, 5)


def test_zero_sessions_is_refused():
    with pytest.raises(ValueError):
        validity_date(dt.date(2021, 4, 1), 0)
