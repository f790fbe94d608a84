"""The optimisation page: frontier, weights and orders, and a clear explanation when infeasible."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from portfolio.models import OptimizationRun, OrderProposal
from swingtrade.formatting import format_percent
from tests.factories import UserFactory
from tests.web.helpers import in_french, portfolio_of


def test_optimise_page_runs_and_shows_frontier_weights_and_orders(strong_signals, investor, investor_web):
    portfolio = portfolio_of(investor)
    url = reverse("portfolio:optimize", args=[portfolio.pk])
    assert "Pas encore d'optimisation" in unescape(investor_web.get(url).content.decode())
    response = investor_web.post(url, {"objective": "mean_variance"}, follow=True)
    assert response.status_code == 200
    run = OptimizationRun.objects.get(portfolio=portfolio)
    assert response.redirect_chain[-1][0] == f"{url}?run={run.pk}"
    html = unescape(response.content.decode())
    assert in_french(format_percent, run.expected_return_after, 2, signed=True) in html
    assert in_french(format_percent, run.volatility_after, 2) in html
    # The result opens with a sentence: how many orders, the expected return before and after, the costs.
    assert "Pour atteindre la cible, passez" in html
    frontier = response.context["frontier_chart"]["datasets"]
    assert len(frontier[0]["data"]) == len(run.frontier) >= 5
    assert frontier[2]["data"][0]["x"] == pytest.approx(run.volatility_after)
    weights = response.context["weights_chart"]
    assert set(weights["labels"]) == set(run.final_weights) | set(run.current_weights)
    orders = list(run.proposals.all())
    assert orders and all(o.side == "buy" for o in orders)
    for order in orders:
        assert reverse("market:ticker", args=[order.ticker.symbol]) in html
        assert f"Acheter {order.quantity} {order.ticker.symbol}" in html
    assert {o.ticker.symbol for o in orders} <= {"AAPL", "MSFT"}  # KO's view is negative: long-only


def test_an_infeasible_optimisation_explains_itself_and_stores_nothing(
    strong_signals, investor, investor_web
):
    portfolio = portfolio_of(investor)
    response = investor_web.post(
        reverse("portfolio:optimize", args=[portfolio.pk]),
        {"objective": "min_variance", "max_weight": "0.05", "net_min": "0.9"},  # 3 tickers × 5 % < 90 %
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Aucun portefeuille ne respecte toutes ces limites." in html
    assert response.context["error"].message in unescape(html)
    assert not OptimizationRun.objects.exists() and not OrderProposal.objects.exists()


def test_another_users_optimise_page_is_404(strong_signals, investor_web):
    other = portfolio_of(UserFactory())
    url = reverse("portfolio:optimize", args=[other.pk])
    assert investor_web.get(url).status_code == 404
    assert investor_web.post(url, {"objective": "mean_variance"}).status_code == 404
    assert not OptimizationRun.objects.exists()
