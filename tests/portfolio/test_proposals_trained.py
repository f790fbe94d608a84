"""Proposals and an optimisation from a real champion: the sample loaded, mlcore's model trained, promoted.

No prediction is stood in here: the champion's own predictions, reliability and horizon flow through.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from portfolio import services
from portfolio.models import OptimizationRun, OrderProposal
from portfolio.services.optimization import portfolio_optimize
from tests.portfolio.factories import PortfolioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_proposals_from_the_trained_champion(trained_champion):
    portfolio = PortfolioFactory(cash=Decimal("50000"))
    created = services.order_proposals_create(portfolio=portfolio)
    assert created, "the champion ranks twelve tickers: at least one entry or skip is expected"
    assert {p.model_version_id for p in created} == {trained_champion.pk}
    for p in created:
        assert p.reasons
        if p.action == OrderProposal.Action.ENTER:
            assert p.expected_net_return > 0 and p.quantity >= 1 and p.valid_until > p.as_of
            assert f"reliability {trained_champion.reliability:.2f}" in p.reasons
        if p.action == OrderProposal.Action.SKIP:
            assert p.expected_net_return <= 0 and "Not worth trading" in p.reasons
    spent = sum(
        p.quantity * float(p.limit_price or p.reference_price)
        for p in created
        if p.action == OrderProposal.Action.ENTER
    )
    assert spent <= 50000


@pytest.mark.parametrize("objective", ["mean_variance", "min_variance"])
def test_an_optimisation_from_the_trained_champion(trained_champion, objective):
    portfolio = PortfolioFactory(cash=Decimal("100000"), max_position_weight=0.25)
    run = portfolio_optimize(portfolio=portfolio, objective=objective)
    assert run.model_version_id == trained_champion.pk
    assert run.parameters["reliability"] == trained_champion.reliability
    weights = run.target_weights
    assert all(0 <= w <= 0.25 + 1e-7 for w in weights.values()) and sum(weights.values()) <= 1 + 1e-7
    orders = list(run.proposals.all())
    if trained_champion.reliability == 0:
        # No demonstrated edge: no expected return is claimed for any allocation, and mean-variance
        # sees nothing to buy risk with: it stays in cash.
        assert run.expected_return_after == 0.0
        if objective == OptimizationRun.Objective.MEAN_VARIANCE:
            assert not orders and not run.target_weights
    if objective == OptimizationRun.Objective.MIN_VARIANCE:
        reference = run.parameters["risk"]["cost_free_minimum_variance"]
        cost_aware = run.parameters["risk"]["cost_aware_minimum_volatility"]
        assert 0 < reference["volatility"] <= cost_aware + 1e-7
        assert "cash is invested" in run.parameters["risk"]["risk_change_reason"]  # from all cash
    assert all(p.model_version_id == trained_champion.pk for p in orders)
