"""Proposals from a real champion: market_sample loaded, mlcore's default model trained and promoted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from portfolio import services
from portfolio.models import OrderProposal
from tests.portfolio.factories import PortfolioFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_proposals_from_the_trained_champion(market_sample, settings):
    from mlcore.training.services import first_model_ensure

    # The sample's champion has a positive but insignificant OOS rank IC (HAC t ≈ 1.1): under the default
    # threshold (2.0) it has no demonstrated edge, reliability 0 and no trade. A zero threshold gives it one.
    settings.MLCORE_PROMOTION_MIN_T = 0.0
    champion = first_model_ensure()
    assert champion is not None
    portfolio = PortfolioFactory(cash=Decimal("50000"))
    created = services.order_proposals_create(portfolio=portfolio)
    assert created, "the champion ranks twelve tickers: at least one entry or skip is expected"
    assert {p.model_version_id for p in created} == {champion.pk}
    for p in created:
        assert p.reasons
        if p.action == OrderProposal.Action.ENTER:
            assert p.expected_net_return > 0 and p.quantity >= 1 and p.valid_until > p.as_of
        if p.action == OrderProposal.Action.SKIP:
            assert p.expected_net_return <= 0 and "Not worth trading" in p.reasons
    spent = sum(
        p.quantity * float(p.limit_price or p.reference_price)
        for p in created
        if p.action == OrderProposal.Action.ENTER
    )
    assert spent <= 50000
