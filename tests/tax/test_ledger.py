"""The ledger kept with the trades: each sale books its result at average cost in its year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from portfolio import services
from portfolio.models import TaxYear
from portfolio.tax_reads import tax_state
from tests.portfolio.factories import PortfolioFactory, TickerFactory

pytestmark = pytest.mark.django_db


def _trade(portfolio, side, quantity, price, day):
    return services.trade_record(
        portfolio=portfolio, ticker="AAA", side=side, quantity=quantity, price=price, traded_on=day
    )


@pytest.fixture
def portfolio():
    TickerFactory(symbol="AAA")
    return PortfolioFactory(cash=Decimal("100000"))  # zero-commission broker: no fee blurs the numbers


def test_a_sale_books_its_gain_at_average_cost_and_owes_the_flat_tax_on_it(portfolio):
    _trade(portfolio, "buy", 10, "100", dt.date(2021, 1, 4))
    _trade(portfolio, "buy", 10, "120", dt.date(2021, 1, 5))  # PMP 110
    sale = _trade(portfolio, "sell", 10, "130", dt.date(2021, 2, 1))
    row = TaxYear.objects.get(portfolio=portfolio, year=2021)
    assert (row.realised_gains, row.realised_losses) == (Decimal("200"), Decimal("0"))
    assert sale.capital_gains_tax == Decimal("60")


def test_a_loss_carried_from_last_year_absorbs_this_years_gain_and_is_shown_by_origin(portfolio):
    _trade(portfolio, "buy", 10, "100", dt.date(2020, 3, 2))
    loss = _trade(portfolio, "sell", 10, "70", dt.date(2020, 3, 20))  # -300 in 2020
    assert loss.capital_gains_tax == Decimal("0")  # nothing to offset in 2020: carried, not refunded
    _trade(portfolio, "buy", 10, "100", dt.date(2021, 1, 4))
    gain = _trade(portfolio, "sell", 10, "150", dt.date(2021, 2, 1))  # +500 in 2021
    assert gain.capital_gains_tax == Decimal("60")  # 30 % of (500 - 300)
    state = tax_state(portfolio, year=2021)
    assert state["realised_gains"] == 500.0 and state["carried_losses_used"] == {"2020": 300.0}
    assert state["tax_due"] == 60.0 and state["carried_forward"] == []
    state_2020 = tax_state(portfolio, year=2020)
    assert state_2020["net"] == -300.0 and state_2020["tax_due"] == 0.0


def test_the_tax_endpoint_answers_the_owner_and_hides_others_portfolios(portfolio, api_client):
    _trade(portfolio, "buy", 10, "100", dt.date(2020, 3, 2))
    _trade(portfolio, "sell", 10, "60", dt.date(2020, 3, 20))
    api_client.force_authenticate(portfolio.owner)
    body = api_client.get(f"/api/v1/portfolios/{portfolio.pk}/tax/?year=2021").json()
    assert body["carried_forward"] == [{"year": 2020, "amount": 400.0, "usable_until": 2030}]
    assert body["rate"]["total"] == pytest.approx(0.30)
    assert api_client.get(f"/api/v1/portfolios/{portfolio.pk}/tax/?year=abc").status_code == 400
    other = PortfolioFactory()
    assert api_client.get(f"/api/v1/portfolios/{other.pk}/tax/").status_code == 404


def test_a_tax_free_profile_books_the_gain_but_owes_nothing(portfolio):
    from portfolio.models import CostProfile

    portfolio.cost_profile = CostProfile.objects.create(
        owner=portfolio.owner, name="PEA", capital_gains_rate=0.0
    )
    portfolio.save()
    _trade(portfolio, "buy", 10, "100", dt.date(2021, 1, 4))
    sale = _trade(portfolio, "sell", 10, "130", dt.date(2021, 2, 1))
    assert sale.capital_gains_tax == Decimal("0")
    state = tax_state(portfolio, year=2021)
    assert state["realised_gains"] == 300.0 and state["tax_due"] == 0.0 and state["rate"]["total"] == 0.0
