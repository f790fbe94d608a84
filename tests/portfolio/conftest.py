"""Fixtures of the portfolio tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def trained_champion(market_sample, settings):
    """A real champion: mlcore's default model trained on the 12-ticker sample with a small walk-forward
    (a refit per half year) and promoted. The only place these tests reach into mlcore's training."""
    from tests.mlcore.factories import champion_version

    settings.MLCORE_TEST_DAYS = 126
    settings.MLCORE_MIN_TRAIN_DAYS = 252
    # The sample's champion has a positive but insignificant OOS rank IC (HAC t ≈ 1.1): under the default
    # threshold (2.0) it has no demonstrated edge, reliability 0 and no trade. A zero threshold gives it one.
    settings.MLCORE_PROMOTION_MIN_T = 0.0
    return champion_version()
