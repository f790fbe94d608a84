"""The web site as a signed-in user sees it: real numbers from the services, roles, ownership."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from market.selectors import price_panel
from mlcore.monitoring_models import MonitoringReport
from mlcore.monitoring_services import monitoring_run
from tests.mlcore.factories import champion_version, trained_version


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


# --- tickers --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page():
    for url in (reverse("dashboard"), reverse("market:ticker_list"), reverse("market:ticker", args=["AAPL"])):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_ticker_page_shows_the_last_close_the_chart_and_recent_bars(market_sample, investor_web):
    response = investor_web.get(reverse("market:ticker", args=["aapl"]))
    assert response.status_code == 200
    last_close = price_panel(tickers=["AAPL"])["AAPL"].iloc[-1]
    html = response.content.decode()
    assert "AAPL" in html and "Apple" in html
    assert f"{last_close:,.2f}" in html
    assert "2021-04-21" in html  # the last bar of the fixture, in the recent bars table
    chart = response.context["price_chart"]
    assert [d["label"] for d in chart["datasets"]] == ["Adjusted close", "20-day average", "60-day average"]
    assert len(chart["labels"]) == 252  # default period: one year of bars
    assert chart["datasets"][0]["data"][-1] == pytest.approx(last_close)
    assert 'data-chart="price-chart"' in html and 'id="price-chart"' in html


def test_ticker_page_period_all_shows_every_bar(market_sample, investor_web):
    response = investor_web.get(reverse("market:ticker", args=["KO"]), {"period": "all"})
    assert len(response.context["price_chart"]["labels"]) == price_panel(tickers=["KO"])["KO"].notna().sum()


def test_unknown_ticker_is_404(market_sample, investor_web):
    assert investor_web.get(reverse("market:ticker", args=["NOPE"])).status_code == 404


def test_ticker_list_links_every_ticker(market_sample, investor_web):
    html = investor_web.get(reverse("market:ticker_list")).content.decode()
    assert reverse("market:ticker", args=["XOM"]) in html
    assert "12 in the universe" in html


# --- dashboard ------------------------------------------------------------------------------


@pytest.fixture
def champion(market_sample, settings):
    """A ridge champion trained on the 12-ticker sample with a small walk-forward (a refit per half year)."""
    settings.MLCORE_TEST_DAYS = 126
    settings.MLCORE_MIN_TRAIN_DAYS = 252
    return champion_version()


def test_dashboard_shows_the_champion_and_its_top_buys_and_sells(champion, investor_web):
    response = investor_web.get(reverse("dashboard"))
    assert response.status_code == 200
    ranking = response.context["ranking"]
    assert ranking.model_version == champion and ranking.buys and ranking.sells
    html = response.content.decode()
    assert f"#{champion.pk}" in html and champion.algorithm in html
    assert f"{champion.rank_ic:.3f}" in html
    assert ranking.data_date.isoformat() == "2021-04-21" and "2021-04-21" in html
    best, worst = ranking.buys[0], ranking.sells[0]
    assert reverse("market:ticker", args=[best.ticker]) in html
    assert reverse("market:ticker", args=[worst.ticker]) in html
    assert f"{best.expected_return * 100:+.2f} %" in html


def test_dashboard_without_a_champion_says_so_instead_of_failing(market_sample, investor_web):
    response = investor_web.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "No ranking right now" in response.content.decode()
    assert "ranking" not in response.context


# --- models (analysts and admins) -----------------------------------------------------------


@pytest.mark.django_db
def test_investors_are_refused_the_analyst_pages(investor_web):
    for url in (reverse("mlcore:models"), reverse("mlcore:monitoring")):
        assert investor_web.get(url).status_code == 403
    assert investor_web.post(reverse("mlcore:model_rollback"), {"reason": "x"}).status_code == 403


def test_nav_shows_analyst_links_only_to_analysts(investor_web, analyst_web):
    assert reverse("mlcore:models") not in investor_web.get(reverse("market:ticker_list")).content.decode()
    assert reverse("mlcore:models") in analyst_web.get(reverse("market:ticker_list")).content.decode()


def test_models_page_shows_versions_with_their_oos_metrics_and_folds(champion, analyst_web):
    response = analyst_web.get(reverse("mlcore:models"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f"#{champion.pk} {champion.algorithm}" in html and "Champion" in html
    assert f"{champion.rank_ic:.4f}" in html
    folds = champion.metrics["folds"]
    assert len(folds) >= 2
    chart = response.context["fold_chart"]
    assert chart["datasets"][0]["data"] == [pytest.approx(f["rank_ic_mean"]) for f in folds]
    assert f"{folds[0]['rank_ic_mean']:.4f}" in html
    # analysts read, admins act
    assert reverse("mlcore:model_rollback") not in html and "/promote/" not in html


def test_admin_promotes_a_candidate_from_the_models_page(champion, admin_web):
    candidate = trained_version(algorithm="ridge", params={"alpha": 100.0})
    page = admin_web.get(reverse("mlcore:models")).content.decode()
    assert reverse("mlcore:model_promote", args=[candidate.pk]) in page
    response = admin_web.post(
        reverse("mlcore:model_promote", args=[candidate.pk]), {"reason": "by hand from the site"}, follow=True
    )
    assert response.status_code == 200
    candidate.refresh_from_db()
    champion.refresh_from_db()
    assert (candidate.status, champion.status) == ("champion", "retired")
    assert f"Model version {candidate.pk} is now the champion" in response.content.decode()


def test_promotion_without_a_reason_changes_nothing(champion, admin_web):
    candidate = trained_version()
    response = admin_web.post(
        reverse("mlcore:model_promote", args=[candidate.pk]), {"reason": ""}, follow=True
    )
    candidate.refresh_from_db()
    assert candidate.status == "candidate"
    assert "Give the reason" in response.content.decode()


# --- monitoring (analysts and admins) -------------------------------------------------------


def test_monitoring_page_shows_the_latest_report_and_the_realised_ic(champion, analyst_web):
    (report,) = [
        r for r in monitoring_run(as_of=date(2021, 4, 21), allow_retrain=False) if r.role == "champion"
    ]
    response = analyst_web.get(reverse("mlcore:monitoring"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["report"] == report
    assert f">{report.state}<" in html and "2021-04-21" in html
    for reason in report.reasons:
        assert reason["message"] in html
    coverage = report.metrics["coverage"]
    assert f"{coverage['predicted']} / {coverage['expected']} tickers" in html
    assert len(response.context["drift_rows"]) == len(report.metrics["drift"]["psi"])


def test_admin_opens_a_closed_gate_and_the_dashboard_serves_again(champion, admin_web):
    MonitoringReport.objects.create(
        as_of=date(2021, 4, 21),
        data_date=date(2021, 4, 21),
        model_version=champion,
        role="champion",
        state="CRITICAL",
        summary="realised rank IC collapsed",
        reasons=[{"code": "rank_ic_long", "level": "CRITICAL", "message": "realised rank IC collapsed"}],
    )
    closed = admin_web.get(reverse("dashboard")).content.decode()
    assert "No ranking right now" in closed and "realised rank IC collapsed" in closed
    page = admin_web.get(reverse("mlcore:monitoring")).content.decode()
    assert "Open the gate" in page
    admin_web.post(
        reverse("mlcore:monitoring_override"), {"reason": "data vendor glitch, checked by hand", "hours": 2}
    )
    assert admin_web.get(reverse("dashboard")).context["ranking"].buys


def test_ticker_page_lists_the_stored_predictions_of_the_ticker(champion, investor_web):
    ranking = investor_web.get(reverse("dashboard")).context["ranking"]  # computes and stores predictions
    best = ranking.buys[0]
    response = investor_web.get(reverse("market:ticker", args=[best.ticker]))
    (prediction,) = response.context["predictions"]
    assert (prediction.ticker, prediction.as_of, prediction.rank) == (
        best.ticker,
        ranking.data_date,
        best.rank,
    )
    assert f"{best.expected_return * 100:+.2f} %" in response.content.decode()
