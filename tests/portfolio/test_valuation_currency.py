"""A euro portfolio holding a US share is valued in euros by ``portfolio_valuation`` itself, at the stored
rate of the price date, or says which currency has no rate instead of adding dollars to euros.

The hand-computed case (EURUSD 1.25 on 2021-03-01, the Monday before the close: 1 $ = 0.80 €):
- AAA (USD): 10 shares, average cost 100 $, PMP 90 € (bought when the dollar was dearer); close 120 $ on
  2021-03-02 → 1,200 $ = 960 €; unrealised 200 $ in dollars, 960 − 10 x 90 = 60 € against the euro PMP.
- BBB (EUR): 5 shares, average cost 40 €, close 50 € → 250 €, unrealised 50 €.
- Cash 10,000 €. Equity 10,000 + 960 + 250 = 11,210 €; AAA weighs 960 / 11,210, BBB 250 / 11,210.
A later rate (2021-03-05, 1.50) is after the price date and must not be used.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from market.models import DailyBar, FxRate
from portfolio import selectors
from portfolio.api import serializers as s
from portfolio.models import Position
from swingtrade.errors import Unprocessable
from tests.portfolio.factories import PortfolioFactory, TickerFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1"
PRICE_DAY = dt.date(2021, 3, 2)


def _bar(ticker, day: dt.date, close: float) -> None:
    DailyBar.objects.create(
        ticker=ticker, date=day, open=close, high=close, low=close, close=close, adj_close=close, volume=1
    )
    ticker.last_bar_date = ticker.first_bar_date = day
    ticker.save()


def _hold(portfolio, ticker, quantity: int, cost: str, cost_base: str | None = None) -> None:
    Position.objects.create(
        portfolio=portfolio,
        ticker=ticker,
        quantity=quantity,
        average_cost=Decimal(cost),
        average_cost_base=None if cost_base is None else Decimal(cost_base),
        opened_on="2021-02-01",
    )


@pytest.fixture
def euro_book(investor):
    portfolio = PortfolioFactory(owner=investor, base_currency="EUR", cash=Decimal("10000"))
    aaa = TickerFactory(symbol="AAA", currency="USD")
    bbb = TickerFactory(symbol="BBB", currency="EUR")
    _bar(aaa, PRICE_DAY, 120.0)
    _bar(bbb, PRICE_DAY, 50.0)
    _hold(portfolio, aaa, 10, "100", "90")
    _hold(portfolio, bbb, 5, "40")
    FxRate.objects.create(base="EUR", quote="USD", date=dt.date(2021, 3, 1), rate=1.25)
    FxRate.objects.create(base="EUR", quote="USD", date=dt.date(2021, 3, 5), rate=1.50)
    return portfolio


def test_a_dollar_position_is_valued_in_euros_at_the_rate_of_its_price_date(euro_book):
    valuation = selectors.portfolio_valuation(euro_book, today=dt.date(2021, 3, 8))
    aaa, bbb = sorted(valuation.positions, key=lambda p: p.ticker)
    # Its own figures stay in dollars.
    assert (aaa.currency, aaa.price, aaa.market_value, aaa.unrealised_pnl) == ("USD", 120.0, 1200.0, 200.0)
    # The rate of the last fixing on or before the price date (not the later 1.50), and its day.
    assert aaa.fx_rate == pytest.approx(0.8) and aaa.fx_rate_on == dt.date(2021, 3, 1)
    assert aaa.market_value_base == pytest.approx(960.0)
    assert aaa.unrealised_pnl_base == pytest.approx(60.0)  # against the euro PMP (90 €), not 200 $ x 0.8
    assert aaa.average_cost_base == pytest.approx(90.0)
    # The euro share needs no conversion: rate 1, no fixing date.
    assert (bbb.fx_rate, bbb.fx_rate_on) == (1.0, None)
    assert (bbb.market_value_base, bbb.unrealised_pnl_base) == (250.0, 50.0)
    assert valuation.base_currency == "EUR" and valuation.missing_rates == []
    assert valuation.equity == pytest.approx(11210.0)
    assert valuation.long_exposure == pytest.approx(1210.0) and valuation.short_exposure == 0
    assert aaa.weight == pytest.approx(960 / 11210) and bbb.weight == pytest.approx(250 / 11210)
    assert valuation.gross_ratio == pytest.approx(1210 / 11210)
    assert [(q.base, q.quote, q.on) for q in valuation.rates_used] == [("USD", "EUR", dt.date(2021, 3, 1))]


def test_a_position_booked_before_the_euro_pmp_was_stored_is_costed_at_todays_rate(euro_book):
    Position.objects.filter(ticker__symbol="AAA").update(average_cost_base=None)
    aaa = next(p for p in selectors.portfolio_valuation(euro_book).positions if p.ticker == "AAA")
    assert aaa.average_cost_base == pytest.approx(80.0)  # 100 $ x 0.80
    assert aaa.unrealised_pnl_base == pytest.approx(960.0 - 800.0)


def test_a_dollar_position_without_a_bar_is_at_cost_converted_at_todays_rate(euro_book):
    _hold(euro_book, TickerFactory(symbol="NNN", currency="USD"), 3, "30", "24")
    nnn = next(
        p
        for p in selectors.portfolio_valuation(euro_book, today=dt.date(2021, 3, 8)).positions
        if p.ticker == "NNN"
    )
    assert (nnn.price, nnn.price_date) == (30.0, None)  # at cost, and no price date says so
    assert nnn.fx_rate_on == dt.date(2021, 3, 5)  # today's rate (1 € = 1.50 $), not the price day's
    assert nnn.market_value_base == pytest.approx(90 / 1.5)
    assert nnn.unrealised_pnl_base == pytest.approx(60.0 - 3 * 24)


def test_every_rate_is_read_in_one_query_whatever_the_number_of_positions(euro_book):
    for symbol in ("CCC", "DDD", "EEE"):
        ticker = TickerFactory(symbol=symbol, currency="USD")
        _bar(ticker, PRICE_DAY, 10.0)
        _hold(euro_book, ticker, 1, "10", "8")
    portfolio = selectors.portfolios_for(euro_book.owner).get(pk=euro_book.pk)
    with CaptureQueriesContext(connection) as queries:
        valuation = selectors.portfolio_valuation(portfolio, today=dt.date(2021, 3, 8))
    # The positions with their closes, every rate, the year's realised P&L.
    assert len(queries) == 3 and valuation.equity is not None
    same_currency = PortfolioFactory(owner=euro_book.owner, base_currency="USD")
    _hold(same_currency, TickerFactory(symbol="AAA"), 1, "100")
    portfolio = selectors.portfolios_for(euro_book.owner).get(pk=same_currency.pk)
    with CaptureQueriesContext(connection) as queries:
        selectors.portfolio_valuation(portfolio)
    assert len(queries) == 2  # no rate to read


def test_without_a_rate_the_valuation_names_the_currency_and_adds_nothing(euro_book):
    gbp = TickerFactory(symbol="GGG", currency="GBP")
    _bar(gbp, PRICE_DAY, 7.0)
    _hold(euro_book, gbp, 100, "6")
    valuation = selectors.portfolio_valuation(euro_book, today=dt.date(2021, 3, 8))
    assert valuation.missing_rates == ["GBP"]
    assert valuation.equity is None and valuation.gross_exposure is None and valuation.gross_ratio is None
    assert all(p.weight is None for p in valuation.positions)
    ggg = next(p for p in valuation.positions if p.ticker == "GGG")
    assert (ggg.fx_rate, ggg.market_value_base, ggg.market_value) == (None, None, 700.0)
    with pytest.raises(Unprocessable, match="No exchange rate from GBP to EUR") as refused:
        valuation.require_rates()
    assert refused.value.status_code == 422 and refused.value.details == {"fx_rate": ["GBP"]}


def test_a_rate_older_than_a_week_before_the_price_is_no_rate(euro_book):
    FxRate.objects.all().delete()
    FxRate.objects.create(base="EUR", quote="USD", date=dt.date(2021, 2, 22), rate=1.25)  # 8 days before
    assert selectors.portfolio_valuation(euro_book).missing_rates == ["USD"]


def _json(data):
    return orjson.loads(orjson.dumps(data, default=str))


def test_the_valuation_api_answers_in_euros_with_each_rate_and_the_serializers_fields(
    euro_book, investor_client
):
    body = investor_client.get(f"{BASE}/portfolios/{euro_book.pk}/valuation/").json()
    valuation = selectors.portfolio_valuation(euro_book)
    served = {k: v for k, v in body.items() if k != "market_date"}
    assert served == _json(s.ValuationSerializer(valuation).data) == _json(s.valuation_data(valuation))
    assert (body["base_currency"], body["missing_rates"]) == ("EUR", [])
    assert body["equity"] == pytest.approx(11210.0)
    aaa = next(p for p in body["positions"] if p["ticker"] == "AAA")
    assert (aaa["currency"], aaa["fx_rate_on"], aaa["price"]) == ("USD", "2021-03-01", 120.0)
    assert aaa["market_value_base"] == pytest.approx(960.0)
    assert aaa["unrealised_pnl_base"] == pytest.approx(60.0)


def test_the_valuation_api_says_which_rate_is_missing_and_leaves_the_totals_empty(euro_book, investor_client):
    FxRate.objects.all().delete()
    response = investor_client.get(f"{BASE}/portfolios/{euro_book.pk}/valuation/")
    body = response.json()
    assert response.status_code == 200
    assert body["missing_rates"] == ["USD"] and body["equity"] is None and body["gross_exposure"] is None
    aaa = next(p for p in body["positions"] if p["ticker"] == "AAA")
    assert (aaa["fx_rate"], aaa["market_value_base"], aaa["weight"], aaa["market_value"]) == (
        None,
        None,
        None,
        1200.0,
    )


def test_the_valuation_api_reads_every_rate_in_one_more_query(
    euro_book, investor_client, django_assert_max_num_queries
):
    for symbol in ("CCC", "DDD"):
        ticker = TickerFactory(symbol=symbol, currency="USD")
        _bar(ticker, PRICE_DAY, 10.0)
        _hold(euro_book, ticker, 1, "10", "8")
    url = f"{BASE}/portfolios/{euro_book.pk}/valuation/"
    assert investor_client.get(url).status_code == 200
    # The portfolio, its positions with their closes, every rate, the year's realised P&L.
    with django_assert_max_num_queries(4):
        assert investor_client.get(url).json()["equity"] == pytest.approx(11210.0 + 2 * 8.0)


def test_the_valuations_closes_are_the_orms_latest_closes(market_sample):
    """The valuation's hand-written join (market.selectors.latest_bar_join) and the ORM's annotation
    (latest_close_of) are one rule: the same close, or none, for every position."""
    from django.db.models import F

    from market.models import Ticker
    from market.selectors import latest_close_of
    from portfolio.models import Position
    from portfolio.selectors import _priced_positions
    from tests.portfolio.factories import PortfolioFactory

    portfolio = PortfolioFactory()
    for symbol, quantity in (("AAPL", 3), ("MSFT", -2)):
        Position.objects.create(
            portfolio=portfolio, ticker=Ticker.objects.get(symbol=symbol), quantity=quantity,
            average_cost="101.25", opened_on="2021-01-04",
        )  # fmt: skip
    barless = Ticker.objects.create(symbol="NEWCO")
    Position.objects.create(
        portfolio=portfolio, ticker=barless, quantity=1, average_cost="10", opened_on="2021-01-04"
    )
    orm = list(
        portfolio.positions.order_by("ticker__symbol")
        .values("quantity")
        .annotate(
            symbol=F("ticker__symbol"), price_date=F("ticker__last_bar_date"), close=latest_close_of("ticker")
        )
    )
    rows = _priced_positions(portfolio.pk)
    assert [(r["symbol"], r["quantity"], r["price_date"], r["close"]) for r in rows] == [
        (o["symbol"], o["quantity"], o["price_date"], o["close"]) for o in orm
    ]
    assert [r["symbol"] for r in rows] == ["AAPL", "MSFT", "NEWCO"]
    assert rows[2]["close"] is None and rows[0]["close"] > 0
    assert [r["average_cost"] for r in rows] == [Decimal("101.25"), Decimal("101.25"), Decimal("10")]
