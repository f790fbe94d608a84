"""Mixed ids: my portfolio in the URL with someone else's proposal, trade or cost profile in the request.

Every such request answers as if the other user's object did not exist, and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from market.models import Ticker
from portfolio.models import CostProfile, OrderProposal, Portfolio, Trade
from tests.portfolio.factories import PortfolioFactory, TickerFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def _proposal(portfolio: Portfolio, ticker: Ticker, status: str = "proposed") -> OrderProposal:
    return OrderProposal.objects.create(
        portfolio=portfolio, ticker=ticker, as_of=dt.date(2021, 4, 1), action="enter", side="buy",
        order_type="limit", quantity=3, reference_price=10, valid_until=dt.date(2021, 4, 7),
        expected_gross_return=0.01, expected_net_return=0.001, reasons="theirs", status=status,
    )  # fmt: skip


@pytest.mark.parametrize("verb", ["accept", "reject", "fill"])
def test_another_users_proposal_under_my_portfolio_is_404_and_stays_as_it_was(
    verb, investor, investor_client
):
    mine = PortfolioFactory(owner=investor, cash=Decimal("5000"))
    theirs = _proposal(PortfolioFactory(), TickerFactory(symbol="AAA"), status="accepted")
    body = {"price": "10", "traded_on": "2021-04-06"} if verb == "fill" else {}
    url = f"{BASE}/portfolios/{mine.pk}/proposals/{theirs.pk}/{verb}/"
    response = investor_client.post(url, body, format="json")
    missing = investor_client.post(
        f"{BASE}/portfolios/{mine.pk}/proposals/{theirs.pk + 1000}/{verb}/", body, format="json"
    )
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()  # the same answer as an id that does not exist
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.status == "accepted" and not Trade.objects.exists() and mine.cash == Decimal("5000")


def test_a_trade_on_my_portfolio_cannot_fill_another_users_proposal(investor, investor_client):
    from portfolio import services
    from swingtrade.errors import DomainError

    mine = PortfolioFactory(owner=investor, cash=Decimal("5000"))
    ticker = TickerFactory(symbol="AAA")
    theirs = _proposal(PortfolioFactory(), ticker, status="accepted")
    with pytest.raises(DomainError, match="another portfolio"):
        services.trade_record(
            portfolio=mine, ticker="AAA", side="buy", quantity=3, price="10",
            traded_on=dt.date(2021, 4, 6), proposal=theirs,
        )  # fmt: skip
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.status == "accepted" and not Trade.objects.exists() and mine.cash == Decimal("5000")


def test_another_users_cost_profile_answers_as_if_it_did_not_exist(investor, investor_client):
    other = PortfolioFactory().owner
    their_profile = CostProfile.objects.create(owner=other, name="Their broker", is_preset=False)
    absent = their_profile.pk + 1000
    mine = PortfolioFactory(owner=investor)
    before = mine.cost_profile_id

    def patched(profile_id: int):
        url = f"{BASE}/portfolios/{mine.pk}/"
        return investor_client.patch(url, {"cost_profile": profile_id}, format="json")

    theirs, missing = patched(their_profile.pk), patched(absent)
    assert theirs.status_code == missing.status_code == 400
    assert str(their_profile.pk) in str(theirs.json()) and "does not exist" in str(theirs.json())
    assert str(theirs.json()).replace(str(their_profile.pk), "ID") == str(missing.json()).replace(
        str(absent), "ID"
    )
    created = investor_client.post(
        f"{BASE}/portfolios/", {"name": "New", "cost_profile": their_profile.pk}, format="json"
    )
    assert created.status_code == 400 and "does not exist" in str(created.json())
    assert not Portfolio.objects.filter(owner=investor, name="New").exists()
    mine.refresh_from_db()
    assert mine.cost_profile_id == before
    for method in ("get", "patch", "delete"):
        assert (
            getattr(investor_client, method)(f"{BASE}/cost-profiles/{their_profile.pk}/").status_code == 404
        )
    their_profile.refresh_from_db()
    assert their_profile.name == "Their broker"


def test_the_proposals_of_another_users_portfolio_are_a_404_not_a_list(investor, investor_client):
    theirs = PortfolioFactory()
    _proposal(theirs, TickerFactory(symbol="AAA"))
    mine = PortfolioFactory(owner=investor)
    _proposal(mine, TickerFactory(symbol="BBB"))
    response = investor_client.get(f"{BASE}/portfolios/{theirs.pk}/proposals/")
    assert response.status_code == 404
    assert "theirs" not in response.content.decode()
    assert investor_client.get(f"{BASE}/portfolios/{theirs.pk}/proposals/?status=proposed").status_code == 404
    own = investor_client.get(f"{BASE}/portfolios/{mine.pk}/proposals/").json()
    assert [row["ticker"] for row in own["results"]] == ["BBB"]
    assert own["count"] == 1
    empty = PortfolioFactory(owner=investor)
    assert investor_client.get(f"{BASE}/portfolios/{empty.pk}/proposals/").json()["count"] == 0
