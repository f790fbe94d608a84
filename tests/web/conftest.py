"""Signed-in browsers for each role, a trained champion, and stand-in predictions with a clear edge."""

from __future__ import annotations

import pandas as pd
import pytest
from django.test import Client

from tests.factories import ModelVersionFactory
from tests.mlcore.factories import champion_version


@pytest.fixture
def investor_web(investor) -> Client:
    client = Client()
    client.force_login(investor)
    return client


@pytest.fixture
def analyst_web(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client


@pytest.fixture
def admin_web(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def champion(market_sample, settings):
    """A ridge champion trained on the 12-ticker sample with a small walk-forward (a refit per half year)."""
    settings.MLCORE_TEST_DAYS = 126
    settings.MLCORE_MIN_TRAIN_DAYS = 252
    return champion_version()


@pytest.fixture
def strong_signals(market_sample, monkeypatch):
    """The champion's predictions stood in by a frame with a clear edge (as tests/portfolio do)."""
    expected = {"AAPL": 0.04, "MSFT": 0.03, "KO": -0.03}
    frame = pd.DataFrame(
        {
            "expected_return": expected,
            "predicted_volatility": dict.fromkeys(expected, 0.04),
            "score": expected,
        }
    )
    frame.index.name = "ticker"
    frame["rank"] = frame["expected_return"].rank(ascending=False)
    frame["side"] = ["buy" if v > 0 else "sell" for v in frame["expected_return"]]
    version = ModelVersionFactory(reliability=1.0)
    monkeypatch.setattr("mlcore.serving.predict.predictions_frame", lambda *, as_of=None: (frame, version))
    return expected
