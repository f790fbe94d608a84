"""The valuation and the proposals list answer what their serializers describe, built without them
(issue #13), and carry an ETag of their content that a trade or a decision changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson
import pytest
from django.utils import timezone

from market.models import DailyBar
from portfolio import selectors
from portfolio.api import serializers as s
from portfolio.models import OrderProposal, Position
from tests.factories import ModelVersionFactory
from tests.portfolio.factories import PortfolioFactory, TickerFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1"


def _json(data):
    """What the renderer writes, read back: dates and decimals as the client sees them."""
    return orjson.loads(orjson.dumps(data, default=str))


def _bar(ticker, day: dt.date, close: float) -> None:
    DailyBar.objects.create(
        ticker=ticker, date=day, open=close, high=close, low=close, close=close, adj_close=close, volume=1
    )
    ticker.last_bar_date = day
    ticker.first_bar_date = ticker.first_bar_date or day
    ticker.save()


@pytest.fixture
def book(investor):
    """A portfolio holding a long with a bar, a short with a bar and a long whose ticker has none."""
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("1000.5"))
    aaa, bbb, ccc = (TickerFactory(symbol=symbol) for symbol in ("AAA", "BBB", "CCC"))
    _bar(aaa, dt.date(2021, 3, 1), 10.0)
    _bar(aaa, dt.date(2021, 3, 2), 12.5)  # the latest close is the one valued
    _bar(bbb, dt.date(2021, 3, 2), 40.0)
    for ticker, quantity, cost in ((aaa, 10, "11.25"), (bbb, -5, "42"), (ccc, 3, "7.123456")):
        Position.objects.create(
            portfolio=portfolio,
            ticker=ticker,
            quantity=quantity,
            average_cost=Decimal(cost),
            opened_on="2021-03-01",
        )
    return portfolio


def _proposal(portfolio, ticker, **fields) -> OrderProposal:
    values = {
        "as_of": dt.date(2021, 3, 2),
        "action": OrderProposal.Action.ENTER,
        "side": "buy",
        "order_type": OrderProposal.OrderType.LIMIT,
        "quantity": 7,
        "reference_price": Decimal("12.5"),
        "expected_gross_return": 0.02,
        "expected_net_return": 0.01,
        "reasons": "Because.",
        **fields,
    }
    return OrderProposal.objects.create(portfolio=portfolio, ticker=ticker, **values)


def test_the_valuation_is_the_serializers_answer_with_one_query_for_positions_and_prices(book):
    valuation = selectors.portfolio_valuation(book, today=dt.date(2021, 3, 3))
    assert _json(s.valuation_data(valuation)) == _json(s.ValuationSerializer(valuation).data)
    by_ticker = {p.ticker: p for p in valuation.positions}
    assert (by_ticker["AAA"].price, by_ticker["AAA"].price_date) == (12.5, dt.date(2021, 3, 2))
    assert by_ticker["BBB"].market_value == pytest.approx(-200.0)
    # No bar: valued at its average cost, and no price date says so.
    assert (by_ticker["CCC"].price, by_ticker["CCC"].price_date) == (pytest.approx(7.123456), None)
    assert valuation.short_exposure == pytest.approx(200.0)
    assert valuation.equity == pytest.approx(1000.5 + 125.0 + 3 * 7.123456 - 200.0)


def test_the_proposals_list_is_the_serializers_answer_field_for_field(book, investor_client):
    aaa, bbb = TickerFactory(symbol="AAA"), TickerFactory(symbol="BBB")
    version = ModelVersionFactory()
    _proposal(book, aaa, expected_costs={"commission": 1.5, "spread": 0.25, "capital_gains_tax": 3.0})
    _proposal(
        book,
        bbb,
        action=OrderProposal.Action.TRIM,
        side="sell",
        limit_price=Decimal("41.123456"),
        stop_price=Decimal("39.5"),
        stop_loss=Decimal("38"),
        take_profit=Decimal("45.000001"),
        valid_until=dt.date(2021, 3, 5),
        fill_probability=0.6,
        expected_costs={"fees": 2.0, "transaction_tax": 0.5, "volatility_effect": -0.01},
        trade_off=[{"limit": 41.1, "p_fill": 0.6, "value": 3.2}],
        model_version=version,
        status=OrderProposal.Status.ACCEPTED,
        decided_at=timezone.now(),
    )
    _proposal(
        book, aaa, action=OrderProposal.Action.SKIP, side="", order_type="", quantity=0, expected_costs={}
    )

    body = investor_client.get(f"{BASE}/portfolios/{book.pk}/proposals/").json()
    expected = _json(s.ProposalSerializer(selectors.proposals_of(book), many=True).data)
    assert body["count"] == 3
    assert body["results"] == expected
    assert [list(row) for row in body["results"]] == [list(row) for row in expected]  # same key order
    accepted = next(row for row in body["results"] if row["status"] == "accepted")
    assert (accepted["limit_price"], accepted["model_version"]) == ("41.123456", version.pk)
    assert (accepted["fees"], accepted["taxes"], accepted["volatility_effect"]) == (2.0, 0.5, -0.01)


def test_the_proposals_list_keeps_its_status_filter_and_pagination(book, investor_client):
    aaa = TickerFactory(symbol="AAA")
    for _ in range(3):
        _proposal(book, aaa)
    _proposal(book, aaa, status=OrderProposal.Status.REJECTED)
    url = f"{BASE}/portfolios/{book.pk}/proposals/"
    assert investor_client.get(url, {"status": "rejected"}).json()["count"] == 1
    page = investor_client.get(url, {"limit": 2}).json()
    assert (page["count"], len(page["results"])) == (4, 2) and page["next"]
    refused = investor_client.get(url, {"status": "nope"})
    assert refused.status_code == 400 and "Unknown proposal status" in refused.json()["detail"]


def test_a_trade_changes_the_valuations_etag_and_the_old_one_no_longer_answers_304(book, investor_client):
    url = f"{BASE}/portfolios/{book.pk}/valuation/"
    first = investor_client.get(url)
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, no-cache"
    again = investor_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    trade = {"ticker": "AAA", "side": "buy", "quantity": 1, "price": "12", "traded_on": "2021-03-02"}
    assert (
        investor_client.post(f"{BASE}/portfolios/{book.pk}/trades/", trade, format="json").status_code == 201
    )
    after = investor_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    assert {p["ticker"]: p["quantity"] for p in after.json()["positions"]}["AAA"] == 11


def test_a_new_close_changes_the_valuations_etag(book, investor_client):
    url = f"{BASE}/portfolios/{book.pk}/valuation/"
    etag = investor_client.get(url)["ETag"]
    _bar(TickerFactory(symbol="AAA"), dt.date(2021, 3, 3), 13.0)
    after = investor_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert {p["ticker"]: p["price"] for p in after.json()["positions"]}["AAA"] == 13.0


def test_a_decision_changes_the_proposals_etag(book, investor_client):
    proposal = _proposal(book, TickerFactory(symbol="AAA"), valid_until=dt.date(2999, 1, 1))
    url = f"{BASE}/portfolios/{book.pk}/proposals/"
    etag = investor_client.get(url)["ETag"]
    assert investor_client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    decided = investor_client.post(f"{url}{proposal.pk}/reject/")
    assert decided.status_code == 200, decided.content
    after = investor_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after.json()["results"][0]["status"] == "rejected"


def test_the_etag_covers_the_market_date_the_answer_carries(book, investor_client, settings):
    url = f"{BASE}/portfolios/{book.pk}/valuation/"
    settings.MARKET_CLOCK_DATE = "2021-03-02"
    first = investor_client.get(url)
    settings.MARKET_CLOCK_DATE = "2021-03-03"
    second = investor_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second.json()["market_date"] == "2021-03-03"
