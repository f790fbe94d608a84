"""Who may open which page: anonymous visitors log in first, investors never see analyst pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse


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


@pytest.mark.django_db
def test_investors_are_refused_the_analyst_pages(investor_web):
    for url in (reverse("mlcore:models"), reverse("mlcore:monitoring")):
        assert investor_web.get(url).status_code == 403
    assert investor_web.post(reverse("mlcore:model_rollback"), {"reason": "x"}).status_code == 403


def test_nav_shows_analyst_links_only_to_analysts(investor_web, analyst_web):
    assert reverse("mlcore:models") not in investor_web.get(reverse("market:ticker_list")).content.decode()
    assert reverse("mlcore:models") in analyst_web.get(reverse("market:ticker_list")).content.decode()
