"""The ticker pages: prices, moving averages, recent bars and stored predictions."""

from __future__ import annotations

import math
from html import unescape

import pytest
from django.urls import reverse

from market.models import Ticker
from market.selectors import price_panel
from swingtrade.formatting import format_money, format_percent
from tests.web.helpers import in_french


def test_ticker_page_shows_the_last_close_the_chart_and_recent_bars(market_sample, investor_web):
    response = investor_web.get(reverse("market:ticker", args=["aapl"]))
    assert response.status_code == 200
    bars = price_panel(field="close", tickers=["AAPL"])["AAPL"]
    html = response.content.decode()
    assert "AAPL" in html and "Apple" in html
    assert in_french(format_money, bars.iloc[-1], "USD") in html  # the last traded close, with its currency
    assert "21/04/2021" in html  # the last bar of the fixture, in the recent bars table
    chart = response.context["price_chart"]
    # The sample has OHLC and volume: daily candles, the volume below, the currency on the axis.
    assert chart["type"] == "candlestick" and chart["y_label"] == "Cours (USD)"
    assert len(chart["candles"]) == len(chart["volume"]) == 126  # default period: six months of bars
    assert chart["candles"][-1]["c"] == pytest.approx(bars.iloc[-1])
    assert 'data-chart="price-chart"' in html and 'id="price-chart"' in html
    assert "/static/vendor/chartjs-chart-financial/chartjs-chart-financial.min.js" in html  # no CDN


def test_ticker_page_period_all_shows_every_bar(market_sample, investor_web):
    response = investor_web.get(reverse("market:ticker", args=["KO"]), {"period": "all"})
    assert len(response.context["price_chart"]["candles"]) == price_panel(tickers=["KO"])["KO"].notna().sum()


def test_unknown_ticker_is_404(market_sample, investor_web):
    assert investor_web.get(reverse("market:ticker", args=["NOPE"])).status_code == 404


def test_ticker_list_links_every_ticker(market_sample, investor_web):
    html = investor_web.get(reverse("market:ticker_list")).content.decode()
    assert reverse("market:ticker", args=["XOM"]) in html
    assert "12 actions dans l'univers" in unescape(html)


@pytest.mark.django_db
def test_a_ticker_without_bars_says_so(investor_web):
    Ticker.objects.create(symbol="NEWCO", name="New Co")
    response = investor_web.get(reverse("market:ticker", args=["NEWCO"]))
    assert response.status_code == 200
    assert "Aucun cours n'est encore enregistré pour NEWCO." in unescape(response.content.decode())


def test_ticker_page_lists_the_stored_predictions_of_the_ticker(champion, investor_web):
    ranking = investor_web.get(reverse("dashboard")).context["ranking"]  # computes and stores predictions
    best = ranking.buys[0]
    response = investor_web.get(reverse("market:ticker", args=[best.ticker]))
    ((prediction, figure),) = response.context["predictions"]
    assert (prediction.ticker, prediction.as_of, prediction.rank) == (
        best.ticker,
        ranking.data_date,
        best.rank,
    )
    # No portfolio: the model's own horizon, its log return as a simple return, then as the advice uses it.
    assert figure.horizon == prediction.model_version.horizon
    assert figure.model == pytest.approx(math.expm1(best.expected_return))
    assert figure.expected == pytest.approx(figure.model * 0)  # no demonstrated edge: reliability 0
    assert in_french(format_percent, figure.model, 2, signed=True) in response.content.decode()
    signals = response.context["price_chart"]["signals"]
    assert signals == [
        {"x": ranking.data_date.isoformat(), "y": pytest.approx(signals[0]["y"]), "side": "buy"}
    ]


def test_a_ticker_without_ohlc_falls_back_to_the_close_line_with_its_currency():
    import pandas as pd

    from swingtrade.web import charts

    days = pd.date_range("2021-01-04", periods=3, freq="B")
    bars = pd.DataFrame(
        {"open": float("nan"), "high": float("nan"), "low": float("nan"), "close": [10.0, 11.0, 12.0],
         "adj_close": [10.0, 11.0, 12.0], "volume": float("nan")},
        index=days,
    )  # fmt: skip
    spec = charts.price_chart(bars, currency="EUR")
    assert spec["type"] == "line" and spec["currency"] == "EUR"
    assert spec["datasets"][0]["data"] == [10.0, 11.0, 12.0]


def test_no_forecast_is_shown_while_advice_is_paused(champion, investor_web, monkeypatch):
    from mlcore.monitoring.gate import GateState

    investor_web.get(reverse("dashboard"))  # stores predictions
    monkeypatch.setattr(
        "mlcore.monitoring.gate.gate_state", lambda **kw: GateState(False, "CRITICAL", "stale data")
    )
    response = investor_web.get(reverse("market:ticker", args=["AAPL"]))
    assert response.context["predictions"] == [] and response.context["price_chart"]["signals"] == []
    assert "Les prévisions sont masquées tant que les conseils sont suspendus." in response.content.decode()


def test_a_users_own_order_is_drawn_on_the_chart_and_someone_elses_is_not(
    strong_signals, investor, investor_web
):
    from portfolio.services import order_proposals_create
    from tests.factories import UserFactory
    from tests.web.helpers import portfolio_of

    mine = next(p for p in order_proposals_create(portfolio=portfolio_of(investor)) if p.action == "enter")
    theirs = next(
        p for p in order_proposals_create(portfolio=portfolio_of(UserFactory())) if p.action == "enter"
    )
    url = reverse("market:ticker", args=[mine.ticker.symbol])
    levels = investor_web.get(url, {"proposal": mine.pk}).context["price_chart"]["levels"]
    assert [level["label"] for level in levels] == ["Entrée", "Stop de protection", "Objectif de gain"]
    assert levels[1]["value"] == pytest.approx(float(mine.stop_loss))
    assert investor_web.get(url, {"proposal": theirs.pk}).context["price_chart"]["levels"] == []
