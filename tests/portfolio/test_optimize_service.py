"""The optimisation service, its API and its command on the market_sample fixture.

Predictions are stood in by a hand-built frame (mlcore's tests cover how they are made), as in the proposal
tests; prices, covariance, costs, rounding, order pricing and the database are real.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from portfolio.models import OptimizationRun, OrderProposal, Position
from portfolio.services.optimization import portfolio_optimize
from swingtrade.errors import DomainError, Unprocessable
from tests.factories import ModelVersionFactory
from tests.portfolio.factories import PortfolioFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1"
VIEWS = {
    "AAPL": 0.030,
    "MSFT": 0.025,
    "AMZN": 0.010,
    "GOOGL": 0.020,
    "KO": -0.010,
    "XOM": 0.015,
    "JPM": 0.012,
    "JNJ": 0.005,
    "CAT": 0.018,
    "NEE": -0.005,
    "AMT": 0.008,
    "DD": 0.000,
}


@pytest.fixture
def predictions(monkeypatch):
    frame = pd.DataFrame(
        {"expected_return": VIEWS, "predicted_volatility": dict.fromkeys(VIEWS, 0.04), "score": VIEWS}
    )
    frame.index.name = "ticker"
    frame["rank"] = frame["expected_return"].rank(ascending=False)
    frame["side"] = ["buy" if v > 0 else "sell" for v in frame["expected_return"]]
    champion = ModelVersionFactory(reliability=0.8)
    monkeypatch.setattr("mlcore.serving.predict.predictions_frame", lambda *, as_of=None: (frame, champion))
    return frame


def test_an_empty_body_optimises_with_the_portfolio_profile(
    investor, investor_client, market_sample, predictions
):
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("100000"), max_position_weight=0.25)
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/optimize/", {}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    weights = body["target_weights"]
    assert weights and all(0 <= w <= 0.25 + 1e-7 for w in weights.values())  # long-only, ≤ 25 %
    assert sum(weights.values()) <= 1 + 1e-7
    assert body["objective"] == "mean_variance" and body["solver_status"] == "optimal"
    assert body["expected_return"] > body["expected_return_before"] == 0.0
    assert len(body["frontier"]) >= 5
    vols = [p["volatility"] for p in body["frontier"]]
    assert vols == sorted(vols)
    orders = body["proposals"]
    assert orders, "a cash-only portfolio with positive views must get buy orders"
    for order in orders:
        assert order["side"] == "buy" and order["quantity"] >= 1
        assert order["order_type"] and order["valid_until"] and 0 < order["fill_probability"] <= 1
        assert order["ticker"] in weights
    spent = sum(o["quantity"] * float(o["reference_price"]) for o in orders)
    assert spent <= 100000  # cash ≥ 0 at the reference prices

    listed = investor_client.get(f"{BASE}/portfolios/{portfolio.pk}/optimizations/").json()["results"]
    assert [r["id"] for r in listed] == [body["id"]]
    run = OptimizationRun.objects.get(pk=body["id"])
    assert run.proposals.count() == len(orders) and len(run.inputs_fingerprint) == 64


def test_another_users_portfolio_is_404(investor_client, market_sample, predictions):
    other = PortfolioFactory()
    assert (
        investor_client.post(f"{BASE}/portfolios/{other.pk}/optimize/", {}, format="json").status_code == 404
    )
    assert investor_client.get(f"{BASE}/portfolios/{other.pk}/optimizations/").status_code == 404
    assert not OptimizationRun.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"overrides": {"leverage": 2}},
        {"overrides": {"max_weight": -1}},
        {"overrides": {"net_min": 0.9, "net_max": 0.5}},
        {"objective": "max_return"},
        {"overrides": "tight"},
    ],
)
def test_bad_overrides_are_a_400(payload, investor, investor_client, market_sample, predictions):
    portfolio = PortfolioFactory(owner=investor)
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/optimize/", payload, format="json")
    assert response.status_code == 400, response.content
    assert not OptimizationRun.objects.exists()


def test_infeasible_constraints_are_a_422_that_names_them_and_change_nothing(
    investor, investor_client, market_sample, predictions
):
    portfolio = PortfolioFactory(owner=investor)
    open_order = OrderProposal.objects.create(
        portfolio=portfolio,
        ticker=_ticker("AAPL"),
        as_of="2021-04-20",
        action=OrderProposal.Action.ENTER,
        side="buy",
        quantity=1,
        reference_price=Decimal("100"),
        expected_gross_return=0.01,
        expected_net_return=0.005,
        reasons="earlier run",
    )
    payload = {"overrides": {"max_weight": 0.05, "net_min": 0.9}}  # 12 tickers × 5 % < 90 %
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/optimize/", payload, format="json")
    assert response.status_code == 422, response.content
    assert "position bounds" in response.content.decode()
    assert not OptimizationRun.objects.exists()
    open_order.refresh_from_db()
    assert open_order.status == OrderProposal.Status.PROPOSED  # the failed run expired nothing


def _ticker(symbol):
    from market.models import Ticker

    return Ticker.objects.get(symbol=symbol)


@pytest.mark.parametrize("objective", ["min_variance", "max_sharpe"])
def test_every_objective_respects_the_profile(objective, investor, market_sample, predictions):
    portfolio = PortfolioFactory(owner=investor, max_position_weight=0.2)
    run = portfolio_optimize(portfolio=portfolio, objective=objective, user=investor)
    assert run.objective == objective and run.solver == "CLARABEL"
    assert all(0 <= w <= 0.2 + 1e-7 for w in run.target_weights.values())
    assert all(0 <= w <= 0.2 + 1e-9 for w in run.final_weights.values())
    assert run.volatility_after > 0
    if objective == "min_variance":  # fully invested (after fees), else "all cash" would be the answer
        assert sum(run.target_weights.values()) == pytest.approx(1.0, abs=1e-6)
        assert run.volatility_after < run.frontier[-1]["volatility"]


def test_a_long_short_profile_can_short_the_negative_views(investor, market_sample, predictions):
    portfolio = PortfolioFactory(
        owner=investor, allow_short=True, max_gross_exposure=1.5, max_position_weight=0.2
    )
    run = portfolio_optimize(portfolio=portfolio, overrides={"risk_aversion": 1.0}, user=investor)
    shorts = {t for t, w in run.target_weights.items() if w < 0}
    assert shorts and shorts <= {"KO", "NEE", "DD", "AMT", "JNJ", "AMZN"}
    assert sum(abs(w) for w in run.target_weights.values()) <= 1.5 + 1e-7
    assert {p.side for p in run.proposals.all()} >= {"short"}


def test_holding_the_proposed_portfolio_produces_no_new_orders(investor, market_sample, predictions):
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("100000"), max_position_weight=0.25)
    first = portfolio_optimize(portfolio=portfolio, user=investor)
    assert first.proposals.exists()
    # Execute every order at its reference price and costs, as the rounding planned them.
    spent = Decimal("0")
    for p in first.proposals.all():
        Position.objects.create(
            portfolio=portfolio,
            ticker=p.ticker,
            quantity=p.quantity,
            average_cost=p.reference_price,
            opened_on=p.as_of,
        )
        spent += p.quantity * p.reference_price
    portfolio.cash = portfolio.cash - spent - Decimal(str(round(first.trade_costs_money, 6)))
    portfolio.save()
    second = portfolio_optimize(portfolio=portfolio, user=investor)
    assert second.proposals.count() == 0
    assert second.current_weights == pytest.approx(second.final_weights)


def test_a_held_ticker_without_history_is_a_clear_422(investor, market_sample, predictions):
    from market.models import Ticker

    portfolio = PortfolioFactory(owner=investor)
    fresh = Ticker.objects.create(symbol="NEWCO", exchange="XNYS")
    Position.objects.create(
        portfolio=portfolio, ticker=fresh, quantity=10, average_cost=Decimal("10"), opened_on="2021-04-01"
    )
    with pytest.raises(Unprocessable, match="NEWCO"):
        portfolio_optimize(portfolio=portfolio, user=investor)


def test_unknown_objective_is_a_domain_error(investor, market_sample, predictions):
    with pytest.raises(DomainError):
        portfolio_optimize(portfolio=PortfolioFactory(owner=investor), objective="max_return", user=investor)


def test_the_returned_run_shows_its_orders_without_a_query_per_order(
    investor, market_sample, predictions, django_assert_num_queries
):
    from portfolio.api.optimize_views import OptimizationRunSerializer

    portfolio = PortfolioFactory(owner=investor, max_position_weight=0.25)
    run = portfolio_optimize(portfolio=portfolio, user=investor)
    with django_assert_num_queries(0):
        body = OptimizationRunSerializer(run).data
    assert len(body["proposals"]) >= 3 and all(p["ticker"] in VIEWS for p in body["proposals"])


def test_the_command_prints_the_orders_table(investor, market_sample, predictions):
    portfolio = PortfolioFactory(owner=investor, max_position_weight=0.25)
    out = StringIO()
    call_command("optimize", str(portfolio.pk), "--objective", "max_sharpe", stdout=out)
    text = out.getvalue()
    assert "Maximum Sharpe" in text and "CLARABEL optimal" in text
    run = OptimizationRun.objects.get()
    for proposal in run.proposals.all():
        assert proposal.ticker.symbol in text
    with pytest.raises(CommandError, match="No portfolio"):
        call_command("optimize", "999999", stdout=StringIO())
    with pytest.raises(CommandError, match="position bounds"):
        call_command(
            "optimize",
            str(portfolio.pk),
            "--overrides",
            '{"max_weight": 0.05, "net_min": 0.9}',
            stdout=StringIO(),
        )


def test_the_exact_covariance_is_the_default_and_factors_an_explicit_option(
    investor, market_sample, predictions, settings
):
    portfolio = PortfolioFactory(owner=investor, max_position_weight=0.2)
    exact = portfolio_optimize(portfolio=portfolio, user=investor)
    assert exact.parameters["covariance"]["max_factors"] is None
    settings.OPTIMIZE_MAX_FACTORS = 2
    approximate = portfolio_optimize(portfolio=portfolio, user=investor)
    assert approximate.parameters["covariance"]["max_factors"] == 2
    assert approximate.target_weights != exact.target_weights  # 2 factors lose correlations: another answer


def test_overrides_cannot_loosen_the_risk_profile(investor, investor_client, market_sample, predictions):
    portfolio = PortfolioFactory(owner=investor)  # long-only, gross ≤ 1, positions ≤ 20 %
    payload = {"overrides": {"long_only": False, "gross_max": 3, "net_min": -1}}
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/optimize/", payload, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]["overrides"]
    assert set(errors) == {"long_only", "gross_max", "net_min"}
    assert "gross exposure limit 1" in errors["gross_max"][0]
    assert not OptimizationRun.objects.exists() and not OrderProposal.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"long_only": "no"}, "long_only"),
        ({"max_weight": "abc"}, "max_weight"),
        ({"max_weight": "0.1"}, "max_weight"),
        ({"gross_max": True}, "gross_max"),
        ({"net_min": -11}, "net_min"),
        ({"turnover_max": -0.1}, "turnover_max"),
        ({"sector_limit": {"Energy": "lots"}}, "sector_limit"),
        ({"leverage": 2}, "leverage"),
    ],
)
def test_overrides_of_the_wrong_type_or_range_are_field_errors(
    overrides, field, investor, investor_client, market_sample, predictions
):
    portfolio = PortfolioFactory(owner=investor)
    response = investor_client.post(
        f"{BASE}/portfolios/{portfolio.pk}/optimize/", {"overrides": overrides}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["overrides"]
    assert "not supported between" not in response.content.decode()
    assert not OptimizationRun.objects.exists()


def test_tighter_overrides_are_applied(investor, investor_client, market_sample, predictions):
    portfolio = PortfolioFactory(
        owner=investor, allow_short=True, max_gross_exposure=1.5, max_position_weight=0.2
    )
    payload = {"overrides": {"long_only": True, "max_weight": 0.1, "risk_aversion": 1.0}}
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/optimize/", payload, format="json")
    assert response.status_code == 201, response.content
    weights = response.json()["target_weights"]
    assert weights and all(0 <= w <= 0.1 + 1e-7 for w in weights.values())


def test_the_command_obeys_the_same_profile_rule(investor, market_sample, predictions):
    portfolio = PortfolioFactory(owner=investor)
    with pytest.raises(CommandError, match=r"only tighten.*long_only"):
        call_command("optimize", str(portfolio.pk), "--overrides", '{"long_only": false}', stdout=StringIO())
    with pytest.raises(CommandError, match="long_only must be true or false"):
        call_command("optimize", str(portfolio.pk), "--overrides", '{"long_only": "no"}', stdout=StringIO())
    assert not OptimizationRun.objects.exists()


def test_risk_reducing_sells_are_priced_to_fill(investor, investor_client, market_sample, predictions):
    """Trims of positions the model still likes cut risk; on their own edge they would rest far away."""
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("10000"), max_position_weight=0.5)
    for symbol, quantity in (("AAPL", 300), ("MSFT", 150)):  # ≈ 90 % of equity in two tech names
        Position.objects.create(
            portfolio=portfolio,
            ticker=_ticker(symbol),
            quantity=quantity,
            average_cost=Decimal("100"),
            opened_on="2021-01-04",
        )
    payload = {"overrides": {"risk_aversion": 50.0}}
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/optimize/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["volatility"] < body["volatility_before"]
    sells = [p for p in body["proposals"] if p["side"] == "sell" and p["ticker"] in ("AAPL", "MSFT")]
    assert sells, "the concentrated positions must be trimmed"
    for sell in sells:
        assert sell["order_type"] == "market" or sell["fill_probability"] >= 0.9, sell
        # Priced on their (negative) edge alone, the best point of the curve fills rarely: the regression.
        on_edge = max(sell["trade_off"], key=lambda c: c["expected_value"])
        assert on_edge["fill_probability"] < 0.5
    probabilities = [p["fill_probability"] for p in body["proposals"]]
    assert body["fill_probability"] == pytest.approx(float(np.prod(probabilities)))
    assert body["min_fill_probability"] == pytest.approx(min(probabilities)) and min(probabilities) >= 0.9


def test_another_users_run_id_on_my_optimise_page_is_404(investor, market_sample, predictions):
    from django.test import Client
    from django.urls import reverse

    theirs = portfolio_optimize(portfolio=PortfolioFactory(cash=Decimal("100000")))
    mine = PortfolioFactory(owner=investor)
    mine_run = portfolio_optimize(portfolio=mine)
    browser = Client()
    browser.force_login(investor)
    page = reverse("portfolio:optimize", args=[mine.pk])
    assert browser.get(f"{page}?run={theirs.pk}").status_code == 404
    assert browser.get(f"{page}?run={theirs.pk + 1000}").status_code == 404
    assert browser.get(f"{page}?run={mine_run.pk}").status_code == 200
    assert OptimizationRun.objects.count() == 2
