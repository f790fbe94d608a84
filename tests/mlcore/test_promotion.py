"""The promotion policy (mlcore/evaluation/promotion.py) on hand-built per-date rank IC series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlcore.evaluation import promotion

DATES = pd.bdate_range("2021-01-04", periods=250, name="date")


def _daily(mean: float, noise: float, seed: int, common: pd.Series | None = None) -> pd.Series:
    rng = np.random.default_rng(seed)
    own = pd.Series(mean + rng.normal(0, noise, len(DATES)), index=DATES)
    return own if common is None else own + common


@pytest.fixture
def market():
    """Day-to-day variation every model shares (a momentum crash hurts all of them the same day)."""
    return _daily(0.0, 0.15, seed=0)


def test_a_consistent_small_advantage_on_the_same_dates_promotes(market):
    champion = _daily(0.02, 0.01, seed=1, common=market)
    challenger = champion + _daily(0.006, 0.01, seed=2)
    decision = promotion.decide(challenger, champion, horizon=5, threshold=2.0)
    assert decision.promote
    assert decision.paired["t_stat"] > 2.0 and decision.paired["n"] == len(DATES)
    assert decision.reason.startswith("beats the champion: paired rank IC difference +0.00")


def test_a_large_but_noisy_difference_does_not_promote(market):
    champion = _daily(0.02, 0.01, seed=3, common=market)
    challenger = _daily(0.035, 0.25, seed=4, common=market)  # +0.015 mean, but unstable from day to day
    decision = promotion.decide(challenger, champion, horizon=5, threshold=2.0)
    assert challenger.mean() > champion.mean() + 0.005  # the old fixed margin would have promoted
    assert not decision.promote
    assert "does not beat the champion" in decision.reason


def test_an_identical_challenger_never_replaces_the_champion(market):
    champion = _daily(0.02, 0.01, seed=5, common=market)
    assert not promotion.decide(champion.copy(), champion, horizon=5, threshold=0.0).promote


def test_the_first_champion_is_promoted_and_its_edge_stated():
    weak = _daily(0.001, 0.1, seed=6)
    decision = promotion.decide(weak, None, horizon=5, threshold=2.0)
    assert decision.promote
    assert "first champion" in decision.reason and "no demonstrated edge" in decision.reason
    assert not promotion.decide(pd.Series([np.nan] * 3, index=DATES[:3]), None, horizon=5).promote


def test_a_challenger_is_compared_only_on_dates_the_champion_has(market):
    champion = _daily(0.02, 0.01, seed=7, common=market).iloc[100:]
    challenger = _daily(0.05, 0.01, seed=8, common=market)
    decision = promotion.decide(challenger, champion, horizon=5, threshold=2.0)
    assert decision.paired["n"] == len(DATES) - 100
    assert decision.paired["start"] == DATES[100].date().isoformat()
    assert promotion.decide(challenger, pd.Series(dtype=float), horizon=5).promote  # champion never scored


@pytest.mark.parametrize(
    ("rank_ic", "t_stat", "edge"),
    [
        (0.03, 2.5, True),
        (0.03, 1.2, False),
        (-0.03, 2.5, False),
        (None, None, False),
        (float("nan"), 3, False),
    ],
)
def test_edge_needs_a_positive_rank_ic_with_a_t_stat_above_the_threshold(rank_ic, t_stat, edge):
    assert promotion.has_demonstrated_edge(rank_ic, t_stat, threshold=2.0) is edge
    expected = promotion.DEMONSTRATED_EDGE if edge else promotion.NO_DEMONSTRATED_EDGE
    assert promotion.edge_status(rank_ic, t_stat, threshold=2.0) == expected
