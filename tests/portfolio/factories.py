"""Factories of the portfolio tests."""

from __future__ import annotations

from decimal import Decimal

import factory

from market.models import Ticker
from portfolio.models import AdviceStyle, CostProfile, Portfolio
from tests.factories import UserFactory


class TickerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticker
        django_get_or_create = ("symbol",)

    symbol = factory.Sequence(lambda n: f"TK{n}")
    exchange = "XNYS"


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Portfolio {n}")
    cash = Decimal("100000")
    # The ranking's swing entries: what the proposal-engine tests exercise. The default advice
    # (AdviceStyle.LOW_RISK, the model's default) has its own tests in tests/advice.
    advice_style = AdviceStyle.SIGNALS
    cost_profile = factory.LazyFunction(
        lambda: CostProfile.objects.get(owner=None, name="Zero-commission broker")
    )
