"""A one-year history trains (walk-forward sized to it); a first model without an edge serves with none."""

from __future__ import annotations

from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mlcore.evaluation import promotion
from mlcore.models import ModelVersion
from mlcore.serving import first_champion
from mlcore.training.walkforward import (
    MIN_TRAIN_FLOOR,
    TEST_BLOCK_FLOOR,
    InsufficientHistory,
    sized_walk_forward,
)
from tests.conftest import MARKET_SAMPLE_TICKERS


def test_the_configured_walk_forward_is_kept_when_the_history_holds_it():
    splitter, resized = sized_walk_forward(600, horizon=5, test_size=252, min_train_size=252)
    assert not resized and (splitter.min_train_size, splitter.test_size, splitter.purge) == (252, 252, 5)


def test_a_one_year_history_is_split_in_half_with_two_test_blocks_and_the_purge():
    splitter, resized = sized_walk_forward(250, horizon=5, test_size=252, min_train_size=252)
    assert resized and splitter.min_train_size == 126 and splitter.test_size == 60
    dates = pd.bdate_range("2020-01-01", periods=250)
    folds = splitter.split(dates)
    assert len(folds) == 2 and folds[-1].test_end == dates[-1]
    for fold in folds:
        gap = dates.get_loc(fold.test_start) - dates.get_loc(fold.train_end)
        assert gap == 6  # 5 purged dates (the horizon) between training and test


def test_below_the_floor_the_error_names_the_settings_and_what_would_work():
    need = MIN_TRAIN_FLOOR + 5 + TEST_BLOCK_FLOOR
    with pytest.raises(InsufficientHistory) as error:
        sized_walk_forward(need - 1, horizon=5, test_size=252, min_train_size=252)
    message = str(error.value)
    assert f"at least {need}" in message and "load 1 more sessions" in message
    assert "MLCORE_HORIZON_DAYS (now 5)" in message
    assert "MLCORE_MIN_TRAIN_DAYS=252" in message and "MLCORE_TEST_DAYS=252" in message
    assert sized_walk_forward(need, horizon=5, test_size=252, min_train_size=252)[1]


@pytest.fixture
def one_year(db):
    """The sample's 12 tickers over one year only (about 265 sessions)."""
    from market.services import sample_load

    return sample_load(tickers=MARKET_SAMPLE_TICKERS, start="2020-04-01", end="2021-04-21")


def test_train_on_one_year_with_the_default_settings_and_serve_without_an_edge(
    one_year, settings, investor_client, analyst_client
):
    assert (settings.MLCORE_MIN_TRAIN_DAYS, settings.MLCORE_TEST_DAYS) == (252, 252)
    out = StringIO()
    call_command("train", "--promote", stdout=out)
    assert "no demonstrated edge (reliability 0.00)" in out.getvalue()
    version = ModelVersion.objects.get()
    sizing = version.metrics["walk_forward"]
    assert sizing["sized_to_history"] and MIN_TRAIN_FLOOR <= sizing["min_train_days"] < 252
    assert len(version.metrics["folds"]) == 2
    # On one year of 12 names the out-of-sample rank IC is not significant: it may serve, with no edge.
    t_stat = version.oos["rank_ic_t"]
    assert t_stat < promotion.min_t()
    assert version.status == ModelVersion.Status.CHAMPION
    assert version.reliability == 0.0
    assert version.edge_status == "no demonstrated edge"
    first_champion.first_model_ensure()  # stores the latest ranking
    ranking = investor_client.get("/api/v1/rankings/").json()
    assert ranking["model_version"]["reliability"] == 0.0
    assert ranking["model_version"]["edge_status"] == "no demonstrated edge"
    detail = analyst_client.get(f"/api/v1/models/{version.pk}/").json()
    assert detail["edge_status"] == "no demonstrated edge" and detail["reliability"] == 0.0


def test_too_short_a_history_is_refused_with_what_would_work(db):
    from market.services import sample_load

    sample_load(tickers=MARKET_SAMPLE_TICKERS, start="2021-01-01", end="2021-04-21")
    with pytest.raises(CommandError, match="MLCORE_MIN_TRAIN_DAYS=252"):
        call_command("train")
