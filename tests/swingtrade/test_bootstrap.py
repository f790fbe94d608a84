"""`manage.py bootstrap`, the set-up behind `make run`: a champion, demo logins, a demo portfolio — once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from mlcore.registry import versions as registry
from portfolio.demo import DEMO_PORTFOLIO
from portfolio.models import Portfolio, Trade

pytestmark = pytest.mark.django_db


def test_bootstrap_trains_a_champion_and_creates_demo_logins_and_portfolio_once(market_sample):
    out = StringIO()
    call_command("bootstrap", stdout=out)
    assert registry.champion() is not None
    assert set(get_user_model().objects.values_list("username", flat=True)) >= {
        "investor",
        "analyst",
        "admin",
    }
    demo = Portfolio.objects.get(name=DEMO_PORTFOLIO, owner__username="investor")
    # the embedded fixture holds AAPL, MSFT, JPM and XOM of the demo holdings (not PG)
    assert sorted(demo.positions.values_list("ticker__symbol", flat=True)) == ["AAPL", "JPM", "MSFT", "XOM"]
    assert "investor / investor-demo-2026" in out.getvalue()

    trades, champion = Trade.objects.count(), registry.champion()
    again = StringIO()
    call_command("bootstrap", stdout=again)
    assert Trade.objects.count() == trades
    assert registry.champion() == champion
    assert "exists, password unchanged" in again.getvalue()
