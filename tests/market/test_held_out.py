"""A price break in unadjusted prices holds its ticker out of scoring until an admin confirms the bar."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from django.urls import reverse

from market import selectors, services
from market.models import IngestionIssue
from market.sources import sample
from mlcore.models import Prediction
from tests.mlcore.factories import champion_version

pytestmark = pytest.mark.django_db

BREAK_DAY = date(2021, 4, 19)


def without_adjusted_closes_and_a_special_dividend_drop(ticker: str = "KO") -> bytes:
    """A ticker's real April 2021 raw bars as a vendor without adjusted closes nor dividend columns would
    send them after a special dividend of 60 % of the price, ex-date 2021-04-19."""
    frame = sample.read_sample_frame()
    ko = frame[(frame["ticker"] == ticker) & frame["date"].between("2021-04-01", "2021-04-21")].copy()
    after = ko["date"] >= pd.Timestamp(BREAK_DAY)
    for column in ("open", "high", "low", "close"):
        ko.loc[after, column] = (ko.loc[after, column] * 0.4).round(2)
    columns = ["date", "ticker", "open", "high", "low", "close", "volume"]
    return ko[columns].to_csv(index=False, date_format="%Y-%m-%d").encode()


@pytest.fixture
def ko_break(market_sample):
    run = services.csv_load(source=without_adjusted_closes_and_a_special_dividend_drop(), filename="ko.csv")
    assert run.flagged == 1
    return run.issues.get(reason="unadjusted_break")


@pytest.fixture
def fast_training(settings):
    """Walk-forward sized for the 12-ticker, 2019-2021 ``market_sample`` (as tests/mlcore's fixture)."""
    settings.MLCORE_TEST_DAYS = 126
    settings.MLCORE_MIN_TRAIN_DAYS = 252
    return settings


def test_a_break_holds_its_ticker_out_from_its_date_on_never_before(ko_break):
    held = selectors.held_out_tickers(date(2021, 4, 21))
    assert list(held) == ["KO"]
    assert "unconfirmed price break on 2021-04-19" in held["KO"] and "-59.8%" in held["KO"]
    assert selectors.held_out_tickers(date(2021, 4, 16)) == {}  # no look-ahead


def test_a_break_stops_holding_out_after_the_configured_sessions(ko_break, settings):
    settings.MARKET_BREAK_HOLD_SESSIONS = 2
    assert "KO" in selectors.held_out_tickers(date(2021, 4, 20))  # one session after the break
    assert selectors.held_out_tickers(date(2021, 4, 21)) == {}  # two sessions after it


def test_an_admin_confirms_the_bar_in_the_admin_and_the_ticker_is_scored_again(ko_break, admin_user, client):
    # A second ingestion of the same file flags the same bar again: one confirmation covers both.
    services.csv_load(source=without_adjusted_closes_and_a_special_dividend_drop(), filename="ko.csv")
    assert IngestionIssue.objects.filter(reason="unadjusted_break").count() == 2
    client.force_login(admin_user)
    changelist = reverse("admin:market_ingestionissue_changelist")

    page = client.get(changelist, {"break": "unconfirmed"})
    assert page.status_code == 200
    assert "Held out of scoring and optimisation: KO" in page.content.decode()

    response = client.post(
        changelist, {"action": "confirm_breaks", "_selected_action": [ko_break.pk]}, follow=True
    )
    assert "2 price break flag(s) confirmed" in response.content.decode()
    assert selectors.held_out_tickers(date(2021, 4, 21)) == {}
    confirmed = IngestionIssue.objects.get(pk=ko_break.pk)
    assert confirmed.confirmed_by == admin_user and confirmed.confirmed_at is not None


def test_the_ranking_leaves_the_held_out_ticker_unscored_and_says_why(
    ko_break, investor_client, fast_training
):
    champion_version()
    body = investor_client.get("/api/v1/rankings/").json()
    assert body["data_date"] == "2021-04-21"
    ranked = {entry["ticker"] for entry in body["buys"] + body["sells"]}
    assert ranked and "KO" not in ranked
    scored = set(Prediction.objects.filter(as_of="2021-04-21").values_list("ticker", flat=True))
    assert len(scored) == 11 and "KO" not in scored  # the other eleven of the sample are scored
    [held] = body["held_out"]
    assert held["ticker"] == "KO" and "unconfirmed price break on 2021-04-19" in held["reason"]


def test_the_optimiser_takes_no_view_on_a_held_out_ticker(market_sample, investor, monkeypatch):
    from decimal import Decimal

    from portfolio.services.optimization import portfolio_optimize
    from tests.factories import ModelVersionFactory
    from tests.portfolio.factories import PortfolioFactory

    # Stand-in predictions (the ranking test above covers how they are made): AAPL has the best view.
    views = dict.fromkeys(
        ["MSFT", "AMZN", "GOOGL", "KO", "XOM", "JPM", "JNJ", "CAT", "NEE", "AMT", "DD"], 0.005
    )
    views["AAPL"] = 0.03
    frame = pd.DataFrame({"expected_return": views, "predicted_volatility": 0.04, "score": views})
    frame.index.name = "ticker"
    frame["rank"] = frame["expected_return"].rank(ascending=False)
    frame["side"] = "buy"
    version = ModelVersionFactory(reliability=0.8)
    monkeypatch.setattr("mlcore.serving.predict.predictions_frame", lambda *, as_of=None: (frame, version))
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("100000"), max_position_weight=0.25)

    before = portfolio_optimize(portfolio=portfolio)
    assert before.target_weights.get("AAPL", 0) > 0.1

    services.csv_load(source=without_adjusted_closes_and_a_special_dividend_drop("AAPL"), filename="aapl.csv")
    assert "AAPL" in selectors.held_out_tickers(date(2021, 4, 21))
    after = portfolio_optimize(portfolio=portfolio)
    assert after.target_weights.get("AAPL", 0) < 1e-6
