from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore.evaluation.metrics import evaluate, long_short_backtest


def _long(wide: pd.DataFrame) -> pd.Series:
    series = wide.stack()
    series.index = series.index.set_names(["date", "ticker"])
    return series


@pytest.fixture
def toy():
    rng = np.random.default_rng(0)
    index = pd.bdate_range("2020-01-01", periods=120, name="date")
    tickers = [f"T{i}" for i in range(20)]
    labels = pd.DataFrame(rng.normal(0, 0.02, (120, 20)), index=index, columns=tickers)
    labels = labels.sub(labels.mean(axis=1), axis=0)
    returns = pd.DataFrame(rng.normal(0, 0.01, (120, 20)), index=index, columns=tickers)
    return labels, returns


def test_a_perfect_score_has_rank_ic_one_and_always_hits(toy):
    labels, returns = toy
    metrics = evaluate(_long(labels), _long(labels), returns, horizon=5)
    assert metrics["rank_ic_mean"] == pytest.approx(1.0)
    assert metrics["hit_rate"] == pytest.approx(1.0)
    assert metrics["top_bottom_quintile"] > 0
    inverted = evaluate(-_long(labels), _long(labels), returns, horizon=5)
    assert inverted["rank_ic_mean"] == pytest.approx(-1.0)
    assert inverted["hit_rate"] == pytest.approx(0.0)


def test_long_short_pays_cost_on_turnover_only_at_rebalances():
    index = pd.bdate_range("2021-01-01", periods=10, name="date")
    scores = pd.DataFrame({"A": 1.0, "B": -1.0}, index=index)
    returns = pd.DataFrame({"A": 0.01, "B": -0.01}, index=index)
    result = long_short_backtest(scores, returns, horizon=5, fraction=0.5, cost_per_turnover=0.001)
    # long A, short B: +1% and +1% each day; only the first rebalance trades (2 units of weight)
    assert result["gross"].iloc[0] == pytest.approx(0.02)
    assert result["turnover"].tolist() == [2.0, 0.0]
    assert result["net"].iloc[0] == pytest.approx(0.02 - 0.002)
    assert result["net"].iloc[5] == pytest.approx(0.02)


def test_long_short_pays_borrow_every_day_a_short_is_held():
    index = pd.bdate_range("2021-01-01", periods=10, name="date")
    scores = pd.DataFrame({"A": 1.0, "B": -1.0}, index=index)
    returns = pd.DataFrame({"A": 0.01, "B": -0.01}, index=index)
    result = long_short_backtest(
        scores, returns, horizon=5, fraction=0.5, cost_per_turnover=0.0, borrow_per_day=0.0001
    )
    # short weight is 1.0 on every held day, so each day loses exactly one day of borrow
    assert (result["gross"] - result["net"]).round(12).tolist() == [0.0001] * len(result["net"])


def test_scores_whose_labels_have_not_matured_evaluate_to_no_number_instead_of_failing(toy):
    labels, returns = toy
    scores = _long(labels)
    unmatured = pd.Series(np.nan, index=scores.index)
    metrics = evaluate(scores, unmatured, returns, horizon=5, all_offsets=False)
    assert metrics == {
        "window": None,
        "no_valid_score": "no valid score: no date has 5 names both scored and realised",
    }


def test_a_candidate_without_any_score_is_reported_with_the_reason_not_with_numbers(toy):
    labels, returns = toy
    missing_input = pd.Series(np.nan, index=_long(labels).index)  # e.g. 12-1 momentum on half a year
    metrics = evaluate(missing_input, _long(labels), returns, horizon=5)
    assert set(metrics) == {"window", "no_valid_score"}
    assert metrics["no_valid_score"].startswith("no valid score: its input is missing on every date")
