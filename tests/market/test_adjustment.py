"""Adjusted closes computed from a file's own dividends and splits (pure, on the shipped real sample)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from market.adjustment import back_adjusted_close
from market.sources import sample
from market.validation import validate_frame

TODAY = date(2021, 4, 21)
EX_DATE = pd.Timestamp("2021-03-15")
#: The special dividend, as a share of the previous close: a drop no 50 % move limit can miss.
SPECIAL_SHARE = 0.6


def ko_with_a_special_dividend(*, with_actions: bool) -> tuple[pd.DataFrame, pd.Series]:
    """Coca-Cola's real raw bars of Q1 2021 as a vendor without adjusted closes would send them, had KO
    paid a special dividend of 60 % of its price on 2021-03-15: every price from the ex-date on is
    lower by that ratio. Returns the tidy frame and KO's true daily returns (from the real closes)."""
    frame = sample.read_sample_frame()
    real = frame[(frame["ticker"] == "KO") & frame["date"].between("2021-01-04", "2021-04-21")]
    real = real.reset_index(drop=True)
    assert (real["dividend"] == 0).loc[real["date"] >= EX_DATE].all()  # no real action in the way
    previous_close = real.loc[real["date"] < EX_DATE, "close"].iloc[-1]
    ratio = 1.0 - SPECIAL_SHARE
    raw = real.copy()
    after = raw["date"] >= EX_DATE
    for column in ("open", "high", "low", "close"):
        raw.loc[after, column] = raw.loc[after, column] * ratio
    raw["adj_close"] = np.nan  # the vendor sends none
    raw["dividend"] = 0.0
    if with_actions:
        raw.loc[raw["date"] == EX_DATE, "dividend"] = SPECIAL_SHARE * previous_close
    true_returns = real.set_index("date")["close"].pct_change()
    return raw, true_returns


def test_a_special_dividend_in_the_file_gives_adjusted_closes_without_the_drop():
    raw, true_returns = ko_with_a_special_dividend(with_actions=True)
    result = validate_frame(raw, today=TODAY, max_move=0.5)

    assert result.issues.empty  # the day's dividend explains the drop: nothing flagged
    adjusted = result.accepted.set_index("date")["adj_close"]
    # The last close is as traded; returns through the ex-date are the stock's true returns.
    assert adjusted.iloc[-1] == raw["close"].iloc[-1]
    np.testing.assert_allclose(adjusted.pct_change().iloc[1:], true_returns.iloc[1:], rtol=0, atol=1e-12)
    assert adjusted.pct_change().loc[EX_DATE] == pytest.approx(true_returns.loc[EX_DATE], abs=1e-12)


def test_the_same_drop_without_dividend_nor_adjusted_close_is_a_flagged_break():
    raw, _ = ko_with_a_special_dividend(with_actions=False)
    result = validate_frame(raw, today=TODAY, max_move=0.5)

    [flag] = result.issues.itertuples(index=False)
    assert (flag.severity, flag.reason, flag.date) == ("flagged", "unadjusted_break", EX_DATE)
    assert "-59.5%" in flag.detail and "held out of scoring" in flag.detail
    # Stored as sent (adj_close = close): the break stays visible, and holds the ticker out.
    assert (result.accepted["adj_close"] == result.accepted["close"]).all()


def test_back_adjustment_applies_splits_and_dividends_to_earlier_rows_only():
    frame = pd.DataFrame(
        {
            "ticker": ["X"] * 4 + ["Y"] * 2,
            "date": pd.to_datetime(
                ["2021-01-04", "2021-01-05", "2021-01-06", "2021-01-07"] * 1 + ["2021-01-04", "2021-01-05"]
            ),
            "close": [100.0, 98.0, 25.0, 25.5, 50.0, 51.0],
            "dividend": [0.0, 2.0, 0.0, 0.0, 0.0, 0.0],
            "split_factor": [1.0, 1.0, 4.0, 1.0, 1.0, 1.0],
        }
    )
    adjusted = back_adjusted_close(frame)
    dividend_factor = 1 - 2.0 / 100.0
    expected = [100.0 * dividend_factor / 4, 98.0 / 4, 25.0, 25.5, 50.0, 51.0]
    np.testing.assert_allclose(adjusted, expected, rtol=1e-15)


def test_back_adjusting_the_real_sample_from_its_actions_tracks_the_vendor_adjusted_close():
    """Alpha Vantage's adj_close of five years, rebuilt from the same file's dividend and split columns:
    the ratio of the two stays within 0.3 % for each ticker (rounding of the vendor's 4 decimals).
    RTX is the exception the columns cannot explain: its 2020 spin-offs of Carrier and Otis."""
    frame = sample.read_sample_frame()
    frame = frame[frame["ticker"] != "RTX"]
    ratio = frame["adj_close"] / back_adjusted_close(frame)
    spread = ratio.groupby(frame["ticker"]).agg(lambda r: r.max() / r.min() - 1)
    assert len(spread) == 49
    assert spread.max() < 0.003
