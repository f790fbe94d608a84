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
    html = preview.content.decode()
    assert "<td>50,50\xa0$</td><td>1,00\xa0$</td>" in html  # price and fees with their currency
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


BOOKS = ("traded_on", "side", "quantity", "price", "fx_rate", "fx_rate_on", "fees", "transaction_tax")
BOOKS += ("capital_gains_tax", "realised_pnl", "cash_after")


def _books(portfolio):
    portfolio.refresh_from_db()
    trades = [
        tuple(getattr(t, name) for name in BOOKS)
        for t in Trade.objects.filter(portfolio=portfolio).order_by("traded_on", "id")
    ]
    positions = list(
        portfolio.positions.order_by("ticker__symbol").values_list(
            "ticker__symbol", "quantity", "average_cost", "average_cost_base"
        )
    )
    return trades, positions, portfolio.cash


def _import(client, portfolio, text):
    url = reverse("portfolio:import", args=[portfolio.pk])
    preview = client.post(url, {"file": SimpleUploadedFile("trades.csv", text.encode())})
    return preview, client.post(url, {"content": preview.context["content"], "confirm": "1"})


def test_an_exported_converted_trade_reimports_to_the_same_books(market_sample, investor, investor_web):
    fx.fx_sample_load()
    original = portfolio_of(investor, base_currency="EUR")
    trade_record(
        portfolio=original, ticker="KO", side="buy", quantity=10, price="50", fees="1.5",
        traded_on=date(2021, 3, 1),
    )  # fmt: skip
    trade_record(
        portfolio=original, ticker="KO", side="sell", quantity=4, price="52.3", fees="1",
        traded_on=date(2021, 3, 15),
    )  # fmt: skip
    exported = investor_web.get(reverse("portfolio:export", args=[original.pk, "trades"]))
    # Fees in euros, at each day's rate (what re-reading them as dollars would get wrong).
    booked_fees = [Decimal(r[5].replace(",", ".")) for r in _rows(exported, ";")[1:]]
    rates = [Trade.objects.get(portfolio=original, traded_on=date(2021, 3, d)).fx_rate for d in (1, 15)]
    assert rates[0] != 1 and booked_fees == [
        (Decimal(f) * r).quantize(csv_io.FEE_QUANTUM) for f, r in zip(("1.5", "1"), rates, strict=True)
    ]

    copy = portfolio_of(investor, name="Copy", base_currency="EUR")
    preview, done = _import(investor_web, copy, exported.content.decode())
    assert preview.context["valid"] and done.status_code == 302
    assert _books(copy) == _books(original)


def test_an_english_export_of_a_dollar_portfolio_reimports_into_a_euro_one(
    market_sample, investor, investor_web
):
    fx.fx_sample_load()
    dollars = portfolio_of(investor)
    trade_record(
        portfolio=dollars, ticker="KO", side="buy", quantity=10, price="50", fees="1.5",
        traded_on=date(2021, 3, 1),
    )  # fmt: skip
    exported = investor_web.get(
        reverse("portfolio:export", args=[dollars.pk, "trades"]), HTTP_ACCEPT_LANGUAGE="en"
    )
    euros = portfolio_of(investor, name="Euros", base_currency="EUR")
    _preview, done = _import(investor_web, euros, exported.content.decode())
    assert done.status_code == 302
    # The fees were in dollars (KO's currency): converted like the price, at that day's rate.
    trade = Trade.objects.get(portfolio=euros)
    rate = fx.fx_rate("USD", "EUR", date(2021, 3, 1)).rate
    assert trade.fees == pytest.approx(Decimal("1.5") * Decimal(str(rate)), abs=Decimal("0.000001"))
    assert trade.fx_rate_on == date(2021, 3, 1)


HEADER = "date;ticker;side;quantity;price;fees;currency;base_currency;fx_rate;fx_rate_on\n"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("2021-03-01;KO;buy;10;50;1;EUR;EUR;1;", "price in EUR, but KO trades in USD"),
        ("2021-03-01;KO;buy;10;50;1;USD;GBP;1,2;2021-03-01", "fees in GBP: neither"),
        ("2021-03-01;KO;buy;10;50;1;USD;EUR;0,8;2021-03-01", "exported at 0.8 (rate of 2021-03-01) but"),
        ("2021-03-01;KO;buy;10;50;1;USD;EUR;0,8;", "is stored now"),
        ("2021-03-01;KO;buy;10;50;1;US D;EUR;;", "is not a currency code"),
        ("2021-03-01;KO;buy;10;50;1;USD;EUR;huit;", "fx_rate 'huit' is not a number"),
    ],
)
def test_a_row_whose_currencies_cannot_be_read_is_refused_in_the_preview(
    market_sample, investor, investor_web, line, reason
):
    fx.fx_sample_load()
    portfolio = portfolio_of(investor, base_currency="EUR")
    response = investor_web.post(
        reverse("portfolio:import", args=[portfolio.pk]),
        {"content": HEADER + line + "\n", "confirm": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    [row] = response.context["rows"]
    assert any(reason in error for error in row.errors), row.errors
    assert not response.context["valid"] and not Trade.objects.exists()


def test_a_row_without_a_stored_rate_is_refused_in_the_preview_not_at_recording(
    market_sample, investor, investor_web
):
    portfolio = portfolio_of(investor, base_currency="EUR")  # no rate loaded
    text = "date;ticker;side;quantity;price\n2021-03-01;KO;buy;10;50\n"
    response = investor_web.post(reverse("portfolio:import", args=[portfolio.pk]), {"content": text})
    [row] = response.context["rows"]
    assert row.errors[0].startswith("Aucun taux de change USD → EUR n")
    assert "Aucun taux de change USD → EUR" in response.content.decode()
    assert not response.context["valid"]


@pytest.mark.parametrize("rate", ["0.8201", "0.9999", "1.2345678901", "1.9"])
@pytest.mark.parametrize("fees", ["0", "0.000001", "1.24455", "7.999999", "1000"])
def test_fees_before_conversion_gives_back_the_booked_fees(fees, rate):
    fees, rate = Decimal(fees), Decimal(rate)
    fee = csv_io.fees_before_conversion(fees, rate)
    booked = (fee * rate).quantize(csv_io.FEE_QUANTUM)
    assert abs(booked - fees) <= (csv_io.FEE_QUANTUM if rate > 1 else 0)
    assert fee == fee.quantize(csv_io.FEE_QUANTUM) and fee >= 0
