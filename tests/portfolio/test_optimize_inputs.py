"""The optimisation profile: overrides may only tighten the risk profile; bad types are plain 400s."""

from __future__ import annotations

import math

import pytest

from portfolio.optimize import OptimizationProfile
from swingtrade.errors import DomainError

LONG_ONLY = OptimizationProfile(max_weight=0.2, gross_max=1.0, net_min=0.0, net_max=1.0, long_only=True)
LONG_SHORT = OptimizationProfile(max_weight=0.2, gross_max=1.5, net_min=0.0, net_max=1.0, long_only=False)


def _refusal(profile: OptimizationProfile, overrides: dict) -> DomainError:
    with pytest.raises(DomainError) as caught:
        profile.tightened(overrides)
    return caught.value


def test_the_reviewers_overrides_cannot_switch_off_a_long_only_profile():
    error = _refusal(LONG_ONLY, {"long_only": False, "gross_max": 3, "net_min": -1})
    fields = error.details["overrides"]
    assert set(fields) == {"long_only", "gross_max", "net_min"}
    assert "long-only" in fields["long_only"][0]
    assert "1" in fields["gross_max"][0] and "gross exposure" in fields["gross_max"][0]
    assert "only tighten" in error.message and "gross_max" in error.message


@pytest.mark.parametrize(
    ("overrides", "field", "limit"),
    [
        ({"max_weight": 0.3}, "max_weight", "0.2"),
        ({"gross_max": 1.6}, "gross_max", "1.5"),
        ({"net_max": 1.2, "gross_max": 1.5}, "net_max", "1"),
        ({"net_min": -0.5}, "net_min", "0"),
    ],
)
def test_each_looser_bound_is_refused_with_the_profiles_limit(overrides, field, limit):
    fields = _refusal(LONG_SHORT, overrides).details["overrides"]
    assert field in fields and limit in fields[field][0]


def test_tighter_bounds_are_accepted():
    tight = LONG_SHORT.tightened(
        {"max_weight": 0.1, "gross_max": 1.2, "net_min": 0.2, "net_max": 0.8, "long_only": True}
    )
    assert (tight.max_weight, tight.gross_max, tight.net_min, tight.net_max) == (0.1, 1.2, 0.2, 0.8)
    assert tight.long_only
    assert LONG_SHORT.tightened({"long_only": False}) == LONG_SHORT  # shorts where the portfolio allows them
    assert LONG_ONLY.tightened(None) == LONG_ONLY


def test_preferences_are_not_limits():
    assert LONG_ONLY.tightened({"risk_aversion": 0.5, "risk_free_rate": 0.001}).risk_aversion == 0.5


def test_turnover_and_sector_limits_may_be_added_or_lowered_but_not_raised_or_removed():
    limited = OptimizationProfile(turnover_max=0.5, sector_limit={"Energy": 0.3, "Technology": 0.4})
    assert LONG_ONLY.tightened({"turnover_max": 0.2, "sector_limit": 0.3}).sector_limit == 0.3
    assert limited.tightened({"turnover_max": 0.4, "sector_limit": 0.3}).turnover_max == 0.4
    assert limited.tightened({"sector_limit": {"Energy": 0.1, "Technology": 0.4, "Utilities": 0.1}})
    fields = _refusal(limited, {"turnover_max": None, "sector_limit": {"Energy": 0.1}}).details["overrides"]
    assert "0.5" in fields["turnover_max"][0]
    assert "Technology ≤ 0.4" in fields["sector_limit"][0]
    assert "sector_limit" in _refusal(OptimizationProfile(sector_limit=0.3), {"sector_limit": 0.5}).message
    scalar = OptimizationProfile(sector_limit=0.3)  # a mapping would leave the unnamed sectors unlimited
    assert "sector_limit" in _refusal(scalar, {"sector_limit": {"Energy": 0.1}}).details["overrides"]


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"long_only": "no"}, "long_only must be true or false"),
        ({"max_weight": "0.1"}, "max_weight must be a finite number"),
        ({"gross_max": True}, "gross_max must be a finite number"),
        ({"net_max": math.nan}, "net_max must be a finite number"),
        ({"turnover_max": "all"}, "turnover_max must be a finite number or null"),
        ({"sector_limit": {"Energy": "x"}}, "sector_limit must map sector names to finite numbers"),
    ],
)
def test_values_of_the_wrong_type_are_named_in_plain_words(overrides, words):
    error = _refusal(LONG_ONLY, overrides)
    assert words in error.message
    assert "not supported between" not in error.message


def test_unknown_overrides_and_non_objects_are_refused():
    assert _refusal(LONG_ONLY, {"leverage": 2}).details == {"overrides": {"leverage": ["Unknown field."]}}
    assert "object" in _refusal(LONG_ONLY, ["max_weight"]).message  # type: ignore[arg-type]


def test_expected_returns_are_rescaled_from_the_model_horizon_to_the_portfolio_horizon_then_shrunk():
    import numpy as np
    import pandas as pd

    from portfolio.optimize import horizon_expected_returns

    log_mu = pd.Series({"A": 0.01, "B": -0.02, "C": float("nan")})
    ten_days = horizon_expected_returns(log_mu, reliability=0.5, model_horizon=5, horizon=10)
    # 5-day log returns add up to 10 days (×2), then the reliability halves them; no view is no return
    assert ten_days.to_dict() == pytest.approx({"A": np.expm1(0.01), "B": np.expm1(-0.02), "C": 0.0})
    same = horizon_expected_returns(log_mu, reliability=1.0, model_horizon=None, horizon=10)
    assert same["A"] == pytest.approx(np.expm1(0.01))
