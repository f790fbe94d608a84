"""CSV export (in the language's separators) and import of trades with a preview, all or nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from market import fx
from portfolio.models import Trade
from portfolio.services import trade_record
from swingtrade.web import csv_io
from tests.factories import UserFactory
from tests.web.helpers import portfolio_of


def _rows(response, delimiter):
    return list(csv.reader(io.StringIO(response.content.decode()), delimiter=delimiter))


def test_french_exports_use_semicolons_and_decimal_commas(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=10, price="50.25", traded_on=date(2021, 3, 1)
    )
    response = investor_web.get(reverse("portfolio:export", args=[portfolio.pk, "trades"]))
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    header, row = _rows(response, ";")
    assert header[:5] == ["date", "ticker", "side", "quantity", "price"]
    assert row[:5] == ["2021-03-01", "KO", "buy", "10", "50,250000"]
    booked = dict(zip(header, row, strict=True))
    assert (booked["currency"], booked["base_currency"], booked["fx_rate_on"]) == ("USD", "USD", "")


def test_a_converted_trade_exports_the_rate_and_its_date(market_sample, investor, investor_web):
    fx.fx_sample_load()
    portfolio = portfolio_of(investor, base_currency="EUR")
    trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=10, price="50", traded_on=date(2021, 3, 1)
    )
    response = investor_web.get(reverse("portfolio:export", args=[portfolio.pk, "trades"]))
    header, row = _rows(response, ";")
    booked = dict(zip(header, row, strict=True))
    rate = fx.fx_rate("USD", "EUR", date(2021, 3, 1))
    assert (booked["currency"], booked["base_currency"], booked["fx_rate_on"]) == ("USD", "EUR", "2021-03-01")
    assert float(booked["fx_rate"].replace(",", ".")) == pytest.approx(rate.rate, abs=1e-9)


def test_english_exports_use_commas(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=10, price="50", traded_on=date(2021, 3, 1)
    )
    response = investor_web.get(
        reverse("portfolio:export", args=[portfolio.pk, "positions"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    header, row = _rows(response, ",")
    assert header[0] == "ticker" and row[:2] == ["KO", "10"]


def test_proposals_export_carries_the_sentence_of_each_row(strong_signals, investor, investor_web):
    from portfolio.services import order_proposals_create

    portfolio = portfolio_of(investor)
    created = order_proposals_create(portfolio=portfolio)
    response = investor_web.get(reverse("portfolio:export", args=[portfolio.pk, "proposals"]))
    rows = _rows(response, ";")
    assert len(rows) == len(created) + 1
    assert any(r[2].startswith("Acheter ") for r in rows[1:])


def test_someone_elses_export_is_404(market_sample, investor_web):
    other = portfolio_of(UserFactory())
    assert investor_web.get(reverse("portfolio:export", args=[other.pk, "trades"])).status_code == 404


def test_import_previews_first_then_records_every_trade(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    text = "date;ticker;side;quantity;price;fees\n01/03/2021;KO;achat;10;50,5;1\n2021-03-02;AAPL;buy;2;120;\n"
    url = reverse("portfolio:import", args=[portfolio.pk])
    preview = investor_web.post(url, {"file": SimpleUploadedFile("t.csv", text.encode())})
    assert preview.status_code == 200 and preview.context["valid"] and not Trade.objects.exists()
    assert [r.values["ticker"] for r in preview.context["rows"]] == ["KO", "AAPL"]
    done = investor_web.post(url, {"content": preview.context["content"], "confirm": "1"})
    assert done.status_code == 302
    ko = Trade.objects.get(ticker__symbol="KO")
    assert (ko.quantity, ko.price, ko.fees, ko.traded_on) == (
        10,
        Decimal("50.5"),
        Decimal("1"),
        date(2021, 3, 1),
    )
    assert Trade.objects.count() == 2


def test_import_shows_every_bad_line_and_records_nothing(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    text = "date,ticker,side,quantity,price\n2021-13-01,KO,buy,10,50\n2021-03-01,NOPE,hold,1.5,-2\n"
    url = reverse("portfolio:import", args=[portfolio.pk])
    response = investor_web.post(url, {"content": text, "confirm": "1"})
    rows = response.context["rows"]
    assert len(rows[0].errors) == 1 and len(rows[1].errors) == 4  # stock, side, whole shares, price
    assert not response.context["valid"] and not Trade.objects.exists()


def test_a_trade_the_service_refuses_rolls_back_the_whole_import(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
    text = "date;ticker;side;quantity;price\n2021-03-01;KO;buy;10;50\n2021-03-02;AAPL;sell;5;120\n"
    response = investor_web.post(
        reverse("portfolio:import", args=[portfolio.pk]), {"content": text, "confirm": "1"}
    )
    assert response.status_code == 400 and "Ligne 3" in response.content.decode()
    assert not Trade.objects.exists()
    portfolio.refresh_from_db()
    assert portfolio.cash == Decimal("100000")


def test_a_file_without_the_columns_is_refused_with_their_names():
    import pytest

    with pytest.raises(ValueError, match="price"):
        csv_io.parse_trades("date;ticker;side;quantity\n2021-03-01;KO;buy;1\n", known_tickers={"KO"})
