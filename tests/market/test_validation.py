"""Row validation on small hand-built frames (no database)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from market.sources import finish_frame
from market.validation import (
    FIRST_BAR_DATE,
    REJECT_REASONS,
    VOLUME_LIMIT,
    one_day_moves,
    outside_bar_dates,
    validate_frame,
)

TODAY = date(2021, 4, 21)


def bars(*rows: dict) -> pd.DataFrame:
    base = {"ticker": "AAPL", "open": 10.0, "high": 11.0, "low": 9.0, "close": 10.0, "volume": 100.0}
    return finish_frame(pd.DataFrame([{**base, **row} for row in rows]))


def reasons(frame: pd.DataFrame, **kwargs) -> list[str]:
    result = validate_frame(frame, today=TODAY, max_move=0.5, **kwargs)
    return result.issues["reason"].tolist()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"close": np.nan}, "missing_close"),
        ({"close": 0.0, "low": np.nan, "high": np.nan}, "non_positive_close"),
        ({"close": -3.0, "low": np.nan, "high": np.nan}, "non_positive_close"),
        ({"open": -1.0}, "non_positive_price"),
        ({"high": 8.0, "low": 9.0, "close": 8.5}, "high_below_low"),
        ({"close": 12.0}, "close_outside_range"),
        ({"close": 8.0}, "close_outside_range"),
        ({"volume": -5.0}, "negative_volume"),
        ({"date": "2021-04-22"}, "future_date"),
        ({"date": "2021-04-17"}, "not_weekday"),
        ({"ticker": ""}, "invalid_ticker"),
        ({"ticker": "NOT A TICKER"}, "invalid_ticker"),
        ({"close": np.inf, "high": np.inf}, "non_finite"),
        ({"open": -np.inf}, "non_finite"),
        ({"volume": np.inf}, "non_finite"),
        ({"dividend": np.inf}, "non_finite"),
        ({"split_factor": -np.inf}, "non_finite"),
        ({"close": 1e308, "high": 1e308}, "out_of_range"),
        ({"adj_close": 2e9}, "out_of_range"),
        ({"volume": 1e30}, "out_of_range"),
        ({"volume": VOLUME_LIMIT}, "out_of_range"),
        ({"dividend": -0.5}, "out_of_range"),
        ({"split_factor": 0.0}, "out_of_range"),
        ({"date": "1800-01-02"}, "date_out_of_range"),
        ({"date": "1961-12-29"}, "date_out_of_range"),
    ],
)
def test_it_rejects_a_bad_row_with_its_reason(row, reason):
    frame = bars({"date": "2021-04-19"}, {"date": "2021-04-20", **row})
    result = validate_frame(frame, today=TODAY, max_move=5.0)
    assert result.issues["reason"].tolist() == [reason]
    assert result.issues["severity"].tolist() == ["rejected"]
    assert result.issues["line"].tolist() == [2]
    assert len(result.accepted) == 1
    assert reason in REJECT_REASONS


def test_it_rejects_unknown_tickers_only_when_the_source_may_not_create_them():
    frame = bars({"date": "2021-04-20"}, {"date": "2021-04-20", "ticker": "NEWCO"})
    assert reasons(frame, known_symbols={"AAPL"}) == ["unknown_ticker"]
    assert reasons(frame) == []


def test_it_rejects_every_copy_of_a_duplicate_ticker_date():
    frame = bars({"date": "2021-04-20"}, {"date": "2021-04-20", "close": 10.5}, {"date": "2021-04-19"})
    result = validate_frame(frame, today=TODAY, max_move=0.5)
    assert result.issues["reason"].tolist() == ["duplicate", "duplicate"]
    assert result.accepted["date"].tolist() == [pd.Timestamp("2021-04-19")]


def test_close_only_rows_are_accepted_and_adj_close_defaults_to_close():
    frame = finish_frame(
        pd.DataFrame({"date": ["2021-04-19", "2021-04-20"], "ticker": ["X", "X"], "close": [5, 6]})
    )
    result = validate_frame(frame, today=TODAY, max_move=0.5)
    assert result.issues.empty
    assert result.accepted["adj_close"].tolist() == [5.0, 6.0]
    assert result.accepted["open"].isna().all()


def test_a_large_move_is_flagged_but_kept():
    frame = bars(
        {"date": "2021-04-19", "close": 10.0, "adj_close": 10.0},
        {"date": "2021-04-20", "close": 4.0, "adj_close": 4.0, "low": 3.9, "high": 10.0},
    )
    result = validate_frame(frame, today=TODAY, max_move=0.5)
    assert len(result.accepted) == 2
    assert result.issues["reason"].tolist() == ["large_move"]
    assert result.issues["severity"].tolist() == ["flagged"]
    assert "-60.0%" in result.issues["detail"].iloc[0]
    assert result.rejected_count == 0 and result.flagged_count == 1


def test_a_large_move_in_prices_without_adjusted_closes_is_a_break_that_holds_the_ticker_out():
    frame = bars(
        {"date": "2021-04-19", "close": 10.0},
        {"date": "2021-04-20", "close": 4.0, "low": 3.9, "high": 10.0},
    )
    result = validate_frame(frame, today=TODAY, max_move=0.5)
    assert result.issues["reason"].tolist() == ["unadjusted_break"]
    assert "-60.0%" in result.issues["detail"].iloc[0]


def test_a_move_explained_by_a_split_is_not_flagged():
    # 4:1 split: close goes from 400 to 101 (+1 % after the split).
    frame = bars(
        {"date": "2021-04-19", "close": 400.0, "high": 410.0, "low": 390.0},
        {"date": "2021-04-20", "close": 101.0, "high": 102.0, "low": 99.0, "split_factor": 4.0},
    )
    assert reasons(frame) == []
    assert one_day_moves(frame).round(4).tolist()[1] == 0.01


def test_the_first_row_of_an_update_is_compared_with_the_stored_close():
    frame = bars({"date": "2021-04-20", "close": 30.0, "high": 31.0, "low": 29.0})
    previous = {"AAPL": (date(2021, 4, 19), 10.0)}
    assert reasons(frame, previous_close=previous) == ["unadjusted_break"]  # no adjusted close sent
    # A stored bar on or after the row's date is not a "previous" close.
    assert reasons(frame, previous_close={"AAPL": (date(2021, 4, 20), 10.0)}) == []


def test_the_detail_names_the_offending_columns_and_values():
    frame = bars(
        {"date": "2021-04-20", "close": np.inf, "high": np.inf}, {"date": "2021-04-21", "volume": 1e30}
    )
    details = validate_frame(frame, today=TODAY, max_move=5.0).issues["detail"].tolist()
    assert details[0].endswith("high=inf close=inf")
    assert details[1].endswith("volume=1e+30")


def test_values_at_the_limits_are_accepted():
    frame = bars(
        {"date": "2021-04-19", "close": 1e9, "high": np.nan, "low": np.nan},
        {"date": "2021-04-20", "volume": VOLUME_LIMIT - 1024},  # the largest float64 an int64 holds
        {"date": FIRST_BAR_DATE.isoformat(), "ticker": "IBM"},
    )
    result = validate_frame(frame, today=TODAY, max_move=1e12)
    assert result.issues.empty and len(result.accepted) == 3


def test_one_date_bound_for_rows_and_query_parameters():
    days = pd.Series(pd.to_datetime(["1800-01-02", "1961-12-29", "1962-01-02", "2021-04-20"]))
    assert outside_bar_dates(days).tolist() == [True, True, False, False]
    assert [outside_bar_dates(d.date()) for d in days] == [True, True, False, False]


def _mixed_frame() -> pd.DataFrame:
    """Three tickers over ten sessions, with a 60 % jump, a bad close and an unadjusted split."""
    days = pd.bdate_range("2021-03-01", periods=10)
    rows = []
    for symbol, start in (("AAA", 10.0), ("BBB", 50.0), ("CCC", 5.0)):
        for i, day in enumerate(days):
            close = start * (1.6 if symbol == "BBB" and i >= 5 else 1.0) + i * 0.01
            rows.append(
                {"date": day, "ticker": symbol, "open": close, "high": close + 1, "low": close - 1,
                 "close": close, "volume": 1000.0}
            )  # fmt: skip
    rows[13]["close"] = -1.0  # BBB, rejected
    return finish_frame(pd.DataFrame(rows))


@pytest.mark.parametrize("previous", [None, {"AAA": (date(2021, 2, 26), 5.0)}])
def test_rows_in_ticker_date_order_and_shuffled_rows_validate_alike(previous):
    """The ordered fast path (no duplicate hash, no sort) answers what the general path answers."""
    from market.validation import in_ticker_date_order

    ordered = _mixed_frame()
    shuffled = ordered.sample(frac=1.0, random_state=7).reset_index(drop=True)
    assert in_ticker_date_order(ordered) and not in_ticker_date_order(shuffled)
    kwargs = {"today": TODAY, "max_move": 0.5, "previous_close": previous}
    fast = validate_frame(ordered, **kwargs)
    slow = validate_frame(shuffled, **kwargs)
    key = ["ticker", "date"]
    pd.testing.assert_frame_equal(
        fast.accepted.sort_values(key).reset_index(drop=True),
        slow.accepted.sort_values(key).reset_index(drop=True),
    )
    columns = ["ticker", "date", "severity", "reason", "detail"]
    assert sorted(fast.issues[columns].astype(str).values.tolist()) == sorted(
        slow.issues[columns].astype(str).values.tolist()
    )
    assert {"non_positive_close", "unadjusted_break"} <= set(fast.issues["reason"])  # no adj_close given
    assert ("AAA" in set(fast.issues["ticker"])) == (previous is not None)  # 5.0 -> 10.0: +100 %


@pytest.mark.parametrize(
    "change",
    [
        lambda f: pd.concat([f, f.iloc[[4]]]).reset_index(drop=True),  # a repeated (ticker, date) at the end
        lambda f: pd.concat([f.iloc[:12], f.iloc[[11]], f.iloc[12:]]).reset_index(
            drop=True
        ),  # repeated in place
        lambda f: pd.concat([f.iloc[10:20], f.iloc[:10], f.iloc[20:], f.iloc[[0]]]).reset_index(drop=True),
        lambda f: f.assign(ticker=f["ticker"].where(f.index != 3, None)),  # a row without a symbol
    ],
    ids=["duplicate-at-end", "duplicate-in-place", "block-revisited", "missing-symbol"],
)
def test_what_breaks_the_order_takes_the_general_path(change):
    from market.validation import in_ticker_date_order

    frame = change(_mixed_frame())
    assert not in_ticker_date_order(frame)
    result = validate_frame(frame, today=TODAY, max_move=0.5)
    assert len(result.accepted) + result.rejected_count == len(frame)
    assert result.accepted.duplicated(["ticker", "date"]).sum() == 0
