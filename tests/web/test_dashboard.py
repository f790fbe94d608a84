"""The dashboard: the champion's ranking (or why there is none) and the user's portfolios."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import UserFactory
from tests.web.helpers import portfolio_of


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


def test_dashboard_lists_the_users_own_portfolios_only(market_sample, investor, investor_web):
    mine = portfolio_of(investor, name="Mine")
    portfolio_of(UserFactory(), name="Theirs")
    html = investor_web.get(reverse("dashboard")).content.decode()
    assert reverse("portfolio:detail", args=[mine.pk]) in html and "100,000.00 USD" in html
    assert "Theirs" not in html
