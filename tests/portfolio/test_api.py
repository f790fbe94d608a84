from __future__ import annotations

from decimal import Decimal

import pytest

from portfolio.models import Portfolio
from tests.factories import ModelVersionFactory
from tests.portfolio.factories import PortfolioFactory, TickerFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def test_an_investor_creates_and_lists_their_portfolio(investor_client):
    response = investor_client.post(f"{BASE}/portfolios/", {"name": "Main", "cash": "5000"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["allow_short"] is False and body["max_gross_exposure"] == 1.0
    listed = investor_client.get(f"{BASE}/portfolios/").json()
    assert [p["name"] for p in listed["results"]] == ["Main"]


def test_leverage_without_opt_in_is_a_400_with_the_reason(investor_client):
    response = investor_client.post(
        f"{BASE}/portfolios/", {"name": "Lev", "max_gross_exposure": 2.0}, format="json"
    )
    assert response.status_code == 400
    assert "leverage" in response.json()["detail"]


def test_another_users_portfolio_is_404_everywhere(investor_client):
    other = PortfolioFactory()
    for url in (
        f"{BASE}/portfolios/{other.pk}/",
        f"{BASE}/portfolios/{other.pk}/positions/",
        f"{BASE}/portfolios/{other.pk}/trades/",
        f"{BASE}/portfolios/{other.pk}/proposals/",
    ):
        assert investor_client.get(url).status_code == 404, url
    record = {"ticker": "AAA", "side": "buy", "quantity": 1, "price": "10", "traded_on": "2021-03-01"}
    assert (
        investor_client.post(f"{BASE}/portfolios/{other.pk}/trades/", record, format="json").status_code
        == 404
    )
    assert investor_client.delete(f"{BASE}/portfolios/{other.pk}/").status_code == 404
    assert Portfolio.objects.filter(pk=other.pk).exists()


def test_recording_a_trade_then_reading_positions(investor, investor_client):
    TickerFactory(symbol="AAA")
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("1000"))
    record = {"ticker": "aaa", "side": "buy", "quantity": 3, "price": "100", "traded_on": "2021-03-01"}
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/trades/", record, format="json")
    assert response.status_code == 201, response.content
    positions = investor_client.get(f"{BASE}/portfolios/{portfolio.pk}/positions/").json()["results"]
    assert positions == [
        {
            "id": positions[0]["id"],
            "ticker": "AAA",
            "quantity": 3,
            "average_cost": "100.000000",
            "opened_on": "2021-03-01",
        }
    ]
    valuation = investor_client.get(f"{BASE}/portfolios/{portfolio.pk}/valuation/").json()
    assert valuation["equity"] == pytest.approx(1000.0)
    assert valuation["gross_exposure"] == pytest.approx(300.0)


def test_an_impossible_trade_is_a_400_with_its_reason(investor, investor_client):
    TickerFactory(symbol="AAA")
    portfolio = PortfolioFactory(owner=investor)
    record = {"ticker": "AAA", "side": "sell", "quantity": 3, "price": "100", "traded_on": "2021-03-01"}
    response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/trades/", record, format="json")
    assert response.status_code == 400
    assert "no AAA to sell" in response.json()["detail"]


def test_cost_profiles_list_the_presets(investor_client):
    names = {p["name"] for p in investor_client.get(f"{BASE}/cost-profiles/").json()["results"]}
    assert {"French online broker", "Zero-commission broker"} <= names


def test_anonymous_users_are_refused(api_client):
    assert api_client.get(f"{BASE}/portfolios/").status_code in (401, 403)


def test_renaming_onto_an_existing_name_is_a_409(investor, investor_client):
    PortfolioFactory(owner=investor, name="A")
    second = PortfolioFactory(owner=investor, name="B")
    response = investor_client.patch(f"{BASE}/portfolios/{second.pk}/", {"name": "A"}, format="json")
    assert response.status_code == 409
    second.refresh_from_db()
    assert second.name == "B"


def test_proposals_are_generated_listed_and_rejected_through_the_api(
    investor, investor_client, market_sample, monkeypatch
):
    import pandas as pd

    frame = pd.DataFrame(
        {"expected_return": {"AAPL": 0.04}, "predicted_volatility": {"AAPL": 0.04}, "score": {"AAPL": 1.0}}
    )
    champion = ModelVersionFactory()
    monkeypatch.setattr("mlcore.serving.predict.predictions_frame", lambda *, as_of=None: (frame, champion))
    portfolio = PortfolioFactory(owner=investor)
    url = f"{BASE}/portfolios/{portfolio.pk}/proposals/"
    created = investor_client.post(url, {"as_of": "2021-04-01"}, format="json")
    assert created.status_code == 201, created.content
    proposal = created.json()[0]
    assert proposal["ticker"] == "AAPL" and proposal["valid_until"] == "2021-04-07"
    assert len(proposal["trade_off"]) == 8 and proposal["expected_costs"]["total"] >= 0
    assert investor_client.get(url).json()["count"] == len(created.json())
    rejected = investor_client.post(f"{url}{proposal['id']}/reject/")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    again = investor_client.post(f"{url}{proposal['id']}/accept/")
    assert again.status_code == 409


def test_another_users_proposal_is_404(investor_client, market_sample):
    other = PortfolioFactory()
    assert (
        investor_client.post(f"{BASE}/portfolios/{other.pk}/proposals/", {}, format="json").status_code == 404
    )
    assert investor_client.post(f"{BASE}/portfolios/{other.pk}/proposals/1/accept/").status_code == 404


def test_an_investor_keeps_their_own_cost_profile_and_cannot_edit_presets(investor_client, investor):
    created = investor_client.post(
        f"{BASE}/cost-profiles/",
        {"name": "My broker", "commission_fixed": 2.0, "commission_min": 2.0, "commission_max": 1.0},
        format="json",
    )
    assert created.status_code == 400  # maximum below minimum
    created = investor_client.post(
        f"{BASE}/cost-profiles/", {"name": "My broker", "commission_fixed": 2.0}, format="json"
    )
    assert created.status_code == 201, created.content
    mine = created.json()["id"]
    assert (
        investor_client.patch(f"{BASE}/cost-profiles/{mine}/", {"ftt_rate": 0.002}, format="json").status_code
        == 200
    )
    preset = next(
        p for p in investor_client.get(f"{BASE}/cost-profiles/").json()["results"] if p["is_preset"]
    )
    assert (
        investor_client.patch(
            f"{BASE}/cost-profiles/{preset['id']}/", {"ftt_rate": 0.5}, format="json"
        ).status_code
        == 404
    )
    other = PortfolioFactory().owner
    from portfolio import services

    theirs = services.cost_profile_create(owner=other, name="Theirs")
    assert investor_client.get(f"{BASE}/cost-profiles/{theirs.pk}/").status_code == 404
    portfolio = investor_client.post(
        f"{BASE}/portfolios/", {"name": "P", "cost_profile": theirs.pk}, format="json"
    )
    assert portfolio.status_code == 400


def _state(portfolio):
    from portfolio.models import Position, Trade

    portfolio.refresh_from_db()
    return (
        portfolio.cash,
        list(Position.objects.filter(portfolio=portfolio).values_list("quantity", "average_cost")),
        Trade.objects.filter(portfolio=portfolio).count(),
    )


def _errors(body: dict) -> dict:
    """Field errors: the serializer's answer is the mapping itself, a service's sits under ``errors``."""
    return body.get("errors", body)


def _still_answers(client, portfolio):
    for url in (
        f"{BASE}/portfolios/",
        f"{BASE}/portfolios/{portfolio.pk}/",
        f"{BASE}/portfolios/{portfolio.pk}/valuation/",
        f"{BASE}/portfolios/{portfolio.pk}/trades/",
        f"{BASE}/portfolios/{portfolio.pk}/positions/",
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        # The reviewer's case on a day without a bar (nothing to compare with): the size refuses it.
        ({"side": "sell", "price": "99999999999999.999999", "traded_on": "2021-03-02"}, "too large"),
        ({"side": "sell", "price": "99999999999999.999999"}, "far from AAA's range"),
        ({"price": "1e20"}, "20 digits"),
        ({"price": "100.0000001"}, "decimal places"),
        ({"price": "NaN"}, "valid number"),
        ({"quantity": "1e30"}, "20 digits"),
        ({"quantity": 10**9, "price": "1000000"}, "trade's value"),
        ({"fees": "1e20"}, "20 digits"),
        ({"fees": "-1"}, "negative"),
        ({"price": "1000"}, "far from AAA's range"),
    ],
)
def test_an_absurd_trade_is_a_400_and_leaves_the_portfolio_readable(
    investor, investor_client, change, reason
):
    from market.models import DailyBar

    ticker = TickerFactory(symbol="AAA")
    DailyBar.objects.create(
        ticker=ticker, date="2021-03-01", low=95.0, high=105.0, close=100.0, adj_close=100.0
    )
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("2000"))
    url = f"{BASE}/portfolios/{portfolio.pk}/trades/"
    record = {"ticker": "AAA", "side": "buy", "quantity": 1, "price": "100", "traded_on": "2021-03-01"}
    assert investor_client.post(url, record, format="json").status_code == 201
    before = _state(portfolio)
    response = investor_client.post(url, {**record, **change}, format="json")
    assert response.status_code == 400, response.content
    assert reason in str(response.json())
    assert _state(portfolio) == before
    _still_answers(investor_client, portfolio)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"cash": "-1"}, "cash"),
        ({"cash": "1e20"}, "cash"),
        ({"max_position_weight": 1.5}, "max_position_weight"),
        ({"max_position_weight": 0}, "max_position_weight"),
        ({"max_gross_exposure": 0}, "max_gross_exposure"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"risk_per_trade": 1.5}, "risk_per_trade"),
        ({"risk_per_trade": 0}, "risk_per_trade"),
        ({"stop_loss_sigmas": -1}, "stop_loss_sigmas"),
        ({"cash_margin": 2}, "cash_margin"),
        ({"order_validity_sessions": 0}, "order_validity_sessions"),
    ],
)
def test_absurd_portfolio_settings_are_a_400_naming_the_field(investor, investor_client, values, field):
    created = investor_client.post(f"{BASE}/portfolios/", {"name": "New", **values}, format="json")
    assert created.status_code == 400, created.content
    assert field in _errors(created.json())
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("1000"))
    patched = investor_client.patch(f"{BASE}/portfolios/{portfolio.pk}/", values, format="json")
    assert patched.status_code == 400, patched.content
    assert field in _errors(patched.json())
    stored = Portfolio.objects.get(pk=portfolio.pk)
    assert (stored.cash, stored.max_position_weight, stored.horizon_days) == (Decimal("1000"), 0.2, 5)
    assert list(Portfolio.objects.filter(owner=investor)) == [stored]


def test_cash_cannot_be_patched_below_the_margin_nor_shorting_turned_off_while_short(
    investor, investor_client
):
    TickerFactory(symbol="AAA")
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("1000"), allow_short=True)
    trades = f"{BASE}/portfolios/{portfolio.pk}/trades/"
    short = {"ticker": "AAA", "side": "short", "quantity": 2, "price": "100", "traded_on": "2021-03-01"}
    assert investor_client.post(trades, short, format="json").status_code == 201
    url = f"{BASE}/portfolios/{portfolio.pk}/"
    response = investor_client.patch(url, {"cash": "-999999"}, format="json")
    assert response.status_code == 400 and "below the allowed" in response.json()["detail"]
    response = investor_client.patch(url, {"allow_short": False}, format="json")
    assert response.status_code == 400 and "cover first" in response.json()["detail"]
    assert _state(portfolio)[0] == Decimal("1200")
    portfolio.refresh_from_db()
    assert portfolio.allow_short is True
    _still_answers(investor_client, portfolio)


def test_an_unknown_proposal_status_is_a_400_naming_the_allowed_ones(investor, investor_client):
    portfolio = PortfolioFactory(owner=investor)
    url = f"{BASE}/portfolios/{portfolio.pk}/proposals/"
    response = investor_client.get(url, {"status": "zzz"})
    assert response.status_code == 400
    assert "proposed, accepted, rejected, expired, filled" in response.json()["detail"]
    assert investor_client.get(url, {"status": "proposed"}).json()["count"] == 0
