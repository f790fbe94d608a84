"""The web site as a signed-in user sees it: real numbers from the services, roles, ownership."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from django.test import Client
from django.urls import reverse

from market.models import Ticker
from market.selectors import latest_closes, price_panel
from mlcore.dataset import load_panels
from mlcore.monitoring_models import MonitoringReport
from mlcore.monitoring_services import monitoring_run
from mlcore.registry import promote
from mlcore.services import train_version, training_config
from portfolio.models import CostProfile, OptimizationRun, OrderProposal, Portfolio, Trade
from portfolio.services import order_proposals_create, trade_record
from tests.factories import UserFactory
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
    pages = ("dashboard", "market:ticker_list", "portfolio:list", "mlcore:models", "mlcore:monitoring")
    urls = [reverse(name) for name in pages] + [
        reverse("market:ticker", args=["AAPL"]),
        reverse("portfolio:detail", args=[1]),
        reverse("portfolio:optimize", args=[1]),
    ]
    for url in urls:
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


def test_monitoring_page_shows_the_realised_ic_against_validation_and_the_drift(
    market_sample, settings, analyst_web
):
    settings.MLCORE_TEST_DAYS, settings.MLCORE_MIN_TRAIN_DAYS = 126, 252
    # Trained on data up to the end of 2020, judged on the matured predictions of 2021.
    version, _ = train_version(config=training_config(), panels=load_panels(end=date(2020, 12, 31)))
    promote(version, user=None, reason="web monitoring test")
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
    realised = report.metrics["realised"]
    assert realised["long"]["n_dates"] >= 10
    assert f"{realised['long']['rank_ic']:.4f}" in html and f"{realised['short']['rank_ic']:.4f}" in html
    assert f"{report.metrics['validation']['rank_ic']:.4f}" in html
    coverage = report.metrics["coverage"]
    assert f"{coverage['predicted']} / {coverage['expected']} tickers" in html
    top = response.context["drift_rows"][0]
    assert top["psi"] == max(v for v in report.metrics["drift"]["psi"].values() if v is not None)
    assert f"{top['psi']:.3f}" in html
    assert len(response.context["daily_chart"]["labels"]) == len(report.metrics["daily"])


def test_admin_opens_a_closed_gate_and_the_dashboard_serves_again(champion, admin_web):
    report = MonitoringReport.objects.create(
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
    assert f"{reverse('mlcore:monitoring')}?report={report.pk}" in closed
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


# --- portfolios -----------------------------------------------------------------------------


def _portfolio(owner, **values):
    from portfolio.services import portfolio_create

    return portfolio_create(owner=owner, name=values.pop("name", "Main"), cash=Decimal("100000"), **values)


def test_investor_creates_a_portfolio_from_the_list_page(market_sample, investor, investor_web):
    preset = CostProfile.objects.get(owner=None, name="Zero-commission broker")
    response = investor_web.post(
        reverse("portfolio:list"),
        {
            "name": "Swing",
            "cash": "25000",
            "base_currency": "USD",
            "cost_profile": preset.pk,
            "max_position_weight": "0.2",
            "max_gross_exposure": "1.0",
        },
        follow=True,
    )
    portfolio = Portfolio.objects.get(owner=investor, name="Swing")
    assert response.redirect_chain[-1][0] == reverse("portfolio:detail", args=[portfolio.pk])
    assert "25,000.00" in response.content.decode()
    listing = investor_web.get(reverse("portfolio:list")).content.decode()
    assert "Swing" in listing and "long only" in listing


def test_portfolio_creation_refused_by_the_service_shows_why(market_sample, investor, investor_web):
    _portfolio(investor, name="Taken")
    preset = CostProfile.objects.get(owner=None, name="Zero-commission broker")
    response = investor_web.post(
        reverse("portfolio:list"),
        {"name": "Taken", "cash": "1", "base_currency": "USD", "cost_profile": preset.pk,
         "max_position_weight": "0.2", "max_gross_exposure": "1.0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "You already have a portfolio named" in response.content.decode()
    assert Portfolio.objects.filter(owner=investor).count() == 1


def test_portfolio_page_values_positions_from_the_latest_close(market_sample, investor, investor_web):
    portfolio = _portfolio(investor)
    trade_record(
        portfolio=portfolio, ticker="AAPL", side="buy", quantity=100, price="120", traded_on=date(2021, 3, 1)
    )
    response = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk]))
    assert response.status_code == 200
    close = latest_closes(["AAPL"])["AAPL"][1]
    html = response.content.decode()
    assert f"{100 * close:,.2f}" in html  # market value
    assert f"{100 * (close - 120):+,.2f}" in html  # unrealised P&L
    weight = response.context["valuation"].positions[0].weight
    assert f"{weight * 100:.1f} %" in html
    assert response.context["weights_chart"]["labels"] == ["AAPL"]
    assert "2021-03-01" in html  # trade history


def test_another_users_portfolio_is_404(market_sample, investor_web):
    other = _portfolio(UserFactory())
    assert investor_web.get(reverse("portfolio:detail", args=[other.pk])).status_code == 404
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[other.pk]),
        {"ticker": "AAPL", "side": "buy", "quantity": "1", "price": "100", "traded_on": "2021-03-01"},
    )
    assert response.status_code == 404
    assert not Trade.objects.exists()


def test_a_refused_trade_shows_the_service_reason_and_records_nothing(market_sample, investor, investor_web):
    portfolio = _portfolio(investor)
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {"ticker": "AAPL", "side": "sell", "quantity": "10", "price": "130", "traded_on": "2021-04-21"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "You hold no AAPL to sell." in html
    assert response.context["trade_form"].non_field_errors() == ["You hold no AAPL to sell."]
    assert 'value="130"' in html  # the user's input stays in the form
    portfolio.refresh_from_db()
    assert (
        portfolio.cash == Decimal("100000")
        and not Trade.objects.exists()
        and not portfolio.positions.exists()
    )


def test_an_unknown_ticker_is_refused_on_the_ticker_field(market_sample, investor, investor_web):
    portfolio = _portfolio(investor)
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {"ticker": "ZZZZ", "side": "buy", "quantity": "1", "price": "10", "traded_on": "2021-04-21"},
    )
    assert "Unknown ticker" in str(response.context["trade_form"].errors["ticker"])
    assert not Trade.objects.exists()


def test_a_recorded_trade_updates_cash_and_history(market_sample, investor, investor_web):
    portfolio = _portfolio(investor)
    response = investor_web.post(
        reverse("portfolio:trade_create", args=[portfolio.pk]),
        {
            "ticker": "ko",
            "side": "buy",
            "quantity": "10",
            "price": "50",
            "traded_on": "2021-04-21",
            "fees": "1",
        },
        follow=True,
    )
    assert "Recorded: Buy 10 KO at 50" in response.content.decode()
    portfolio.refresh_from_db()
    assert portfolio.cash == Decimal("100000") - Decimal("501")


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
    monkeypatch.setattr("mlcore.predict.predictions_frame", lambda *, as_of=None: (frame, None))
    return expected


def test_generated_proposals_show_precise_orders_and_the_fill_trade_off(
    strong_signals, investor, investor_web
):
    portfolio = _portfolio(investor)
    response = investor_web.post(reverse("portfolio:proposals_create", args=[portfolio.pk]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    entries = {p.ticker.symbol: p for p in response.context["proposals"] if p.action == "enter"}
    assert set(entries) == {"AAPL", "MSFT"}  # long-only: KO is not shorted
    for order in entries.values():
        assert f"{order.stop_loss:,.2f}" in html and f"{order.take_profit:,.2f}" in html
        assert f"{order.fill_probability * 100:.0f} %" in html
        assert order.valid_until.isoformat() in html
        shown = (
            f"{order.limit_price:,.2f}" if order.limit_price else f"{order.get_side_display()}</span> market"
        )
        assert shown in html
        assert reverse("portfolio:proposal_accept", args=[portfolio.pk, order.pk]) in html
        assert reverse("portfolio:proposal_reject", args=[portfolio.pk, order.pk]) in html
    # The trade-off of the selected order: one point per candidate, P(fill) falling as the limit moves away.
    selected = response.context["selected"]
    chart = response.context["trade_off_chart"]
    assert len(chart["labels"]) == len(selected.trade_off) == 8
    p_fill = chart["datasets"][0]["data"]
    assert p_fill == sorted(p_fill, reverse=True)
    assert (
        html.count("<form") == html.count('name="csrfmiddlewaretoken"') > 2 * len(entries)
    )  # every POST form
    msft = investor_web.get(
        reverse("portfolio:detail", args=[portfolio.pk]), {"proposal": entries["MSFT"].pk}
    )
    assert msft.context["selected"] == entries["MSFT"]


def test_rejecting_a_proposal_marks_it_rejected(strong_signals, investor, investor_web):
    portfolio = _portfolio(investor)
    proposal = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    response = investor_web.post(
        reverse("portfolio:proposal_reject", args=[portfolio.pk, proposal.pk]), follow=True
    )
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert f"{proposal.ticker.symbol}: proposal rejected" in response.content.decode()


def test_accepting_an_expired_proposal_says_so(strong_signals, investor, investor_web):
    portfolio = _portfolio(investor)
    proposal = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    response = investor_web.post(
        reverse("portfolio:proposal_accept", args=[portfolio.pk, proposal.pk]), follow=True
    )
    # The sample ends in April 2021, so its orders' validity has passed: the service refuses (409).
    assert f"This proposal expired on {proposal.valid_until}" in response.content.decode()


def test_proposals_without_a_champion_show_the_reason(market_sample, investor, investor_web):
    portfolio = _portfolio(investor)
    response = investor_web.post(reverse("portfolio:proposals_create", args=[portfolio.pk]), follow=True)
    assert response.status_code == 200
    assert not OrderProposal.objects.exists()
    assert "No champion model: train one" in response.content.decode()


# --- optimisation ---------------------------------------------------------------------------


def test_optimise_page_runs_and_shows_frontier_weights_and_orders(strong_signals, investor, investor_web):
    portfolio = _portfolio(investor)
    url = reverse("portfolio:optimize", args=[portfolio.pk])
    assert "No optimisation yet" in investor_web.get(url).content.decode()
    response = investor_web.post(url, {"objective": "mean_variance"}, follow=True)
    assert response.status_code == 200
    run = OptimizationRun.objects.get(portfolio=portfolio)
    assert response.redirect_chain[-1][0] == f"{url}?run={run.pk}"
    html = response.content.decode()
    assert (
        f"{run.expected_return_after * 100:+.2f} %" in html and f"{run.volatility_after * 100:.2f} %" in html
    )
    frontier = response.context["frontier_chart"]["datasets"]
    assert len(frontier[0]["data"]) == len(run.frontier) >= 5
    assert frontier[2]["data"][0]["x"] == pytest.approx(run.volatility_after)
    weights = response.context["weights_chart"]
    assert set(weights["labels"]) == set(run.final_weights) | set(run.current_weights)
    orders = list(run.proposals.all())
    assert orders and all(o.side == "buy" for o in orders)
    for order in orders:
        assert reverse("market:ticker", args=[order.ticker.symbol]) in html
        assert f"<td>{order.quantity}</td>" in html
    assert {o.ticker.symbol for o in orders} <= {"AAPL", "MSFT"}  # KO's view is negative: long-only


def test_an_infeasible_optimisation_explains_itself_and_stores_nothing(
    strong_signals, investor, investor_web
):
    portfolio = _portfolio(investor)
    response = investor_web.post(
        reverse("portfolio:optimize", args=[portfolio.pk]),
        {"objective": "min_variance", "max_weight": "0.05", "net_min": "0.9"},  # 3 tickers × 5 % < 90 %
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "No feasible portfolio." in html and response.context["error"].message in html
    assert not OptimizationRun.objects.exists() and not OrderProposal.objects.exists()


def test_another_users_optimise_page_is_404(strong_signals, investor_web):
    other = _portfolio(UserFactory())
    url = reverse("portfolio:optimize", args=[other.pk])
    assert investor_web.get(url).status_code == 404
    assert investor_web.post(url, {"objective": "mean_variance"}).status_code == 404
    assert not OptimizationRun.objects.exists()


def test_an_accepted_proposal_is_filled_from_the_page_into_a_trade(
    strong_signals, investor, investor_web, monkeypatch
):
    portfolio = _portfolio(investor)
    proposal = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: proposal.as_of)  # decide that day
    investor_web.post(reverse("portfolio:proposal_accept", args=[portfolio.pk, proposal.pk]))
    page = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    assert reverse("portfolio:proposal_fill", args=[portfolio.pk, proposal.pk]) in page
    price = proposal.limit_price or proposal.reference_price
    response = investor_web.post(
        reverse("portfolio:proposal_fill", args=[portfolio.pk, proposal.pk]),
        {"price": str(price), "traded_on": proposal.as_of.isoformat()},
        follow=True,
    )
    proposal.refresh_from_db()
    trade = Trade.objects.get(proposal=proposal)
    assert proposal.status == "filled" and trade.quantity == proposal.quantity
    assert f"Filled: Buy {proposal.quantity} {proposal.ticker.symbol}" in response.content.decode()


def test_dashboard_lists_the_users_own_portfolios_only(market_sample, investor, investor_web):
    mine = _portfolio(investor, name="Mine")
    _portfolio(UserFactory(), name="Theirs")
    html = investor_web.get(reverse("dashboard")).content.decode()
    assert reverse("portfolio:detail", args=[mine.pk]) in html and "100,000.00 USD" in html
    assert "Theirs" not in html


def test_admin_rolls_back_to_the_previous_champion(champion, admin_web):
    successor = promote(trained_version(), user=None, reason="newer")
    response = admin_web.post(
        reverse("mlcore:model_rollback"), {"reason": "newer one misbehaves"}, follow=True
    )
    champion.refresh_from_db()
    successor.refresh_from_db()
    assert (champion.status, successor.status) == ("champion", "retired")
    assert f"model version {champion.pk} is the champion again" in response.content.decode()


def test_admin_ends_an_override_from_the_monitoring_page(champion, admin_web):
    MonitoringReport.objects.create(
        as_of=date(2021, 4, 21), data_date=date(2021, 4, 21), model_version=champion, role="champion",
        state="CRITICAL", summary="collapsed", reasons=[],
    )  # fmt: skip
    admin_web.post(
        reverse("mlcore:monitoring_override"), {"reason": "checked by hand, vendor glitch", "hours": 1}
    )
    assert "End the override" in admin_web.get(reverse("mlcore:monitoring")).content.decode()
    admin_web.post(reverse("mlcore:monitoring_override_revoke"))
    assert "No ranking right now" in admin_web.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
def test_a_ticker_without_bars_says_so(investor_web):
    Ticker.objects.create(symbol="NEWCO", name="New Co")
    response = investor_web.get(reverse("market:ticker", args=["NEWCO"]))
    assert response.status_code == 200
    assert "No price bars are stored for NEWCO yet." in response.content.decode()


def _profile_post(portfolio, **changes):
    values = {
        "cost_profile": portfolio.cost_profile_id, "max_position_weight": "0.2", "max_gross_exposure": "1.0",
        "cash_margin": "0", "risk_per_trade": "0.01", "stop_loss_sigmas": "2", "horizon_days": "5",
        "order_validity_sessions": "3",
    }  # fmt: skip
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_the_owner_opts_into_shorting_from_the_portfolio_page(market_sample, investor, investor_web):
    portfolio = _portfolio(investor)
    url = reverse("portfolio:profile_update", args=[portfolio.pk])
    response = investor_web.post(
        url, _profile_post(portfolio, allow_short="on", max_gross_exposure="1.5"), follow=True
    )
    portfolio.refresh_from_db()
    assert portfolio.allow_short and portfolio.max_gross_exposure == 1.5
    assert "long/short" in response.content.decode() and "Risk profile saved" in response.content.decode()


def test_leverage_without_shorting_or_margin_is_refused_with_the_reason(
    market_sample, investor, investor_web
):
    portfolio = _portfolio(investor)
    response = investor_web.post(
        reverse("portfolio:profile_update", args=[portfolio.pk]),
        _profile_post(portfolio, max_gross_exposure="2"),
    )
    assert response.status_code == 400
    assert "Gross exposure above 100 % needs leverage" in response.content.decode()
    portfolio.refresh_from_db()
    assert portfolio.max_gross_exposure == 1.0 and not portfolio.allow_short
