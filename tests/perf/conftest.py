"""A small but complete world for query counting: sample prices, a champion with stored predictions,
an investor with the demo portfolio (positions bought at real closes) and its order proposals."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from portfolio import services as portfolio_services
from portfolio.demo import demo_portfolio_ensure
from tests.mlcore.factories import champion_version


@pytest.fixture
def world(market_sample, investor, settings):
    settings.MLCORE_TEST_DAYS = 126
    settings.MLCORE_MIN_TRAIN_DAYS = 252
    champion = champion_version()
    portfolio = demo_portfolio_ensure(owner=investor)
    proposals = portfolio_services.order_proposals_create(portfolio=portfolio)
    assert portfolio.positions.count() >= 3 and proposals
    return {"champion": champion, "portfolio": portfolio, "investor": investor}


@pytest.fixture
def jwt_api(world) -> APIClient:
    """The investor's API client with a JWT, as the bench and real clients call."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(world['investor'])}")
    return client


@pytest.fixture
def browser(world) -> Client:
    client = Client()
    client.force_login(world["investor"])
    return client


@pytest.fixture
def analyst_web(analyst) -> Client:
    client = Client()
    client.force_login(analyst)
    return client
