"""Proposals end to end on the market_sample fixture, with the champion's predictions stood in by a frame.

The predictions are hand-built (mlcore's own tests cover how they are made); prices, volatility, calendar,
costs and the database are real.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pandas as pd
import pytest

from portfolio import services
from portfolio.models import OrderProposal, Position
from swingtrade.audit.models import AuditEvent
from swingtrade.errors import Conflict, DomainError
from tests.factories import ModelVersionFactory
from tests.portfolio.factories import PortfolioFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2021, 4, 1)  # the next session is Monday 5 April (Good Friday closed)


def _predictions(expected: dict[str, float]):
    frame = pd.DataFrame(
        {
            "expected_return": expected,
            "predicted_volatility": dict.fromkeys(expected, 0.04),
            "score": expected,
        }
    )
    frame.index.name = "ticker"
    frame["rank"] = frame["expected_return"].rank(ascending=False)
    frame["side"] = ["buy" if v > 0 else "sell" for v in frame["expected_return"]]
    return frame


@pytest.fixture
def predictions(monkeypatch):
    values: dict[str, float] = {}
    champion = ModelVersionFactory(reliability=1.0)

    def fake(*, as_of=None):
        return _predictions(values), champion

    monkeypatch.setattr("mlcore.serving.predict.predictions_frame", fake)
    return values


def test_strong_signals_become_sized_orders_within_every_limit(market_sample, predictions):
    predictions.update({"AAPL": 0.04, "MSFT": 0.03, "KO": -0.03, "XOM": 0.0001})
    portfolio = PortfolioFactory(cash=Decimal("100000"), max_position_weight=0.10)
    created = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    entries = {p.ticker.symbol: p for p in created if p.action == OrderProposal.Action.ENTER}
    assert set(entries) == {"AAPL", "MSFT"}  # long-only: no short of KO; XOM's edge is below costs
    skipped = [p for p in created if p.action == OrderProposal.Action.SKIP]
    assert [p.ticker.symbol for p in skipped] == ["XOM"] and "Not worth trading" in skipped[0].reasons
    total = 0.0
    for p in entries.values():
        price = float(p.limit_price or p.reference_price)
        assert p.valid_until == dt.date(2021, 4, 7)  # 5, 6, 7 April: Good Friday skipped
        assert p.side == "buy" and p.quantity >= 1
        assert p.quantity * price <= 0.10 * 100000 + price
        assert float(p.stop_loss) < price
        assert 0 < p.fill_probability <= 1 and p.expected_net_return > 0
        assert len(p.trade_off) == 8 and p.reasons
        total += p.quantity * price
    assert total <= 100000


def test_a_long_whose_signal_turned_is_exited_before_new_buys(market_sample, predictions):
    portfolio = PortfolioFactory(cash=Decimal("5000"))
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=100, price="50", traded_on=dt.date(2021, 3, 1)
    )
    predictions.update({"KO": -0.05, "AAPL": 0.05})
    created = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    assert created[0].ticker.symbol == "KO" and created[0].action == OrderProposal.Action.EXIT
    assert created[0].side == "sell" and created[0].quantity == 100
    assert "signal turned" in created[0].reasons
    # The sale freed the cash the AAPL purchase uses (cash was zero after buying KO).
    buy = next(p for p in created if p.ticker.symbol == "AAPL")
    assert buy.action == OrderProposal.Action.ENTER and buy.quantity >= 1


def test_accepting_and_filling_a_proposal_creates_the_trade(market_sample, predictions, settings):
    settings.MARKET_CLOCK_DATE = AS_OF  # decide on the day
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory(cash=Decimal("100000"))
    proposal = next(
        p for p in services.order_proposals_create(portfolio=portfolio, as_of=AS_OF) if p.action == "enter"
    )
    accepted = services.proposal_decide(proposal=proposal, accept=True)
    trade = services.proposal_fill(proposal=accepted, price=proposal.reference_price, traded_on=AS_OF)
    proposal.refresh_from_db()
    assert proposal.status == OrderProposal.Status.FILLED and trade.proposal_id == proposal.pk
    assert Position.objects.get(portfolio=portfolio).quantity == proposal.quantity


def test_a_new_run_expires_the_open_proposals(market_sample, predictions):
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory()
    first = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    assert {p.status for p in OrderProposal.objects.filter(pk__in=[p.pk for p in first])} == {"expired"}


def test_a_proposal_past_its_validity_cannot_be_accepted(market_sample, predictions, settings):
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory()
    proposal = next(
        p for p in services.order_proposals_create(portfolio=portfolio, as_of=AS_OF) if p.action == "enter"
    )
    settings.MARKET_CLOCK_DATE = proposal.valid_until + dt.timedelta(days=1)  # the market day after
    with pytest.raises(Conflict, match="expired"):
        services.proposal_decide(proposal=proposal, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == OrderProposal.Status.EXPIRED


def test_an_overweight_position_is_trimmed_at_market(market_sample, predictions):
    portfolio = PortfolioFactory(cash=Decimal("5000"), max_position_weight=0.2)
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=100, price="50", traded_on=dt.date(2021, 3, 1)
    )
    predictions.update({"KO": 0.01})
    trim = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)[0]
    assert (trim.action, trim.side, trim.order_type) == ("trim", "sell", "market")
    assert 0 < trim.quantity < 100 and "above the 20% limit" in trim.reasons


def test_a_position_through_its_stop_loss_is_exited(market_sample, predictions, settings):
    settings.MARKET_CLOCK_DATE = AS_OF
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory(cash=Decimal("100000"))
    entry = next(
        p for p in services.order_proposals_create(portfolio=portfolio, as_of=AS_OF) if p.action == "enter"
    )
    services.proposal_fill(
        proposal=services.proposal_decide(proposal=entry, accept=True),
        price=entry.reference_price,
        traded_on=AS_OF,
    )
    # The price has since fallen through the stop: stand that in by a stop above the last close.
    OrderProposal.objects.filter(pk=entry.pk).update(stop_loss=entry.reference_price * 2)
    exit_ = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)[0]
    assert (exit_.ticker.symbol, exit_.action, exit_.side, exit_.order_type) == (
        "AAPL",
        "exit",
        "sell",
        "market",
    )
    assert exit_.quantity == entry.quantity and "stop-loss" in exit_.reasons


def _entry_and_stop(created):
    entry = next(p for p in created if p.action == OrderProposal.Action.ENTER)
    stop = next(
        p for p in created if p.ticker_id == entry.ticker_id and p.order_type in ("stop", "stop_limit")
    )
    return entry, stop


def test_an_entry_comes_with_its_protective_stop_as_an_order_of_its_own(market_sample, predictions, settings):
    settings.MARKET_CLOCK_DATE = AS_OF
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory(cash=Decimal("100000"), horizon_days=5)
    entry, stop = _entry_and_stop(services.order_proposals_create(portfolio=portfolio, as_of=AS_OF))
    assert (stop.action, stop.side, stop.quantity) == ("exit", "sell", entry.quantity)
    assert stop.stop_price == entry.stop_loss and stop.stop_price < entry.reference_price
    assert (stop.limit_price is not None) == (stop.order_type == "stop_limit")
    if stop.limit_price is not None:
        assert stop.limit_price < stop.stop_price  # a sell stop-limit accepts a little worse than the stop
    assert stop.valid_until == dt.date(2021, 4, 9)  # the 5-session horizon, Good Friday skipped
    assert 0 < stop.fill_probability < 1
    assert stop.expected_gross_return < 0 and stop.expected_costs["total"] >= 0
    assert f"Protective stop of proposal #{entry.pk}" in stop.reasons
    assert "protective exit" in entry.reasons
    services.proposal_decide(proposal=entry, accept=True)
    stop.refresh_from_db()
    assert stop.status == OrderProposal.Status.PROPOSED  # accepting the entry does not place the stop


def test_a_farther_stop_is_less_likely_to_trigger(market_sample, predictions):
    predictions.update({"AAPL": 0.04})
    chances = []
    for sigmas in (1.0, 2.0, 3.0):
        portfolio = PortfolioFactory(cash=Decimal("100000"), stop_loss_sigmas=sigmas)
        entry, stop = _entry_and_stop(services.order_proposals_create(portfolio=portfolio, as_of=AS_OF))
        assert stop.stop_price == entry.stop_loss
        chances.append((float(entry.reference_price) - float(stop.stop_price), stop.fill_probability))
    distances, probabilities = zip(*chances, strict=True)
    assert list(distances) == sorted(distances)
    assert list(probabilities) == sorted(probabilities, reverse=True) and len(set(probabilities)) == 3


def test_a_short_entry_is_protected_by_a_cover_stop_above(market_sample, predictions):
    predictions.update({"KO": -0.04})
    portfolio = PortfolioFactory(cash=Decimal("100000"), allow_short=True)
    entry, stop = _entry_and_stop(services.order_proposals_create(portfolio=portfolio, as_of=AS_OF))
    assert (entry.side, stop.action, stop.side) == ("short", "cover", "cover")
    assert stop.stop_price == entry.stop_loss > entry.reference_price


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (dt.date(2030, 1, 1), "as_of 2030-01-01 is in the future"),
        (dt.date(2005, 1, 3), "outside the XNYS calendar"),
        (dt.date(2026, 11, 20), "No prices for 2026-11-20: the latest prices are of 2021-04-21"),
        (dt.date(2021, 4, 25), "No prices for 2021-04-23 (the session of 2021-04-25)"),
        (dt.date(2019, 1, 10), "Not enough history on 2019-01-10"),
    ],
)
def test_a_day_without_usable_prices_is_refused_and_changes_nothing(
    market_sample, predictions, as_of, message
):
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory()
    first = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    with pytest.raises(DomainError, match=re.escape(message)):
        services.order_proposals_create(portfolio=portfolio, as_of=as_of)
    assert {p.status for p in OrderProposal.objects.filter(pk__in=[p.pk for p in first])} == {"proposed"}
    assert OrderProposal.objects.count() == len(first)


def test_the_api_answers_400_for_a_day_in_the_future(investor, investor_client, market_sample, predictions):
    portfolio = PortfolioFactory(owner=investor)
    url = f"/api/v1/portfolios/{portfolio.pk}/proposals/"
    response = investor_client.post(url, {"as_of": "2030-01-01"}, format="json")
    assert response.status_code == 400 and "in the future" in response.content.decode()
    assert not OrderProposal.objects.exists()


def test_a_holiday_uses_the_session_before_and_says_so(market_sample, predictions):
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory()
    created = services.order_proposals_create(portfolio=portfolio, as_of=dt.date(2021, 4, 2))  # Good Friday
    assert created and {p.as_of for p in created} == {AS_OF}
    assert all(
        "2021-04-02 is not a session of the XNYS calendar: prices and predictions are of 2021-04-01"
        in p.reasons
        for p in created
    )
    entry = next(p for p in created if p.action == OrderProposal.Action.ENTER)
    assert entry.valid_until == dt.date(2021, 4, 7)


def test_a_held_ticker_without_a_price_that_day_is_held_with_the_reason(market_sample, predictions):
    from market.models import DailyBar

    portfolio = PortfolioFactory(cash=Decimal("50000"))
    services.trade_record(
        portfolio=portfolio, ticker="KO", side="buy", quantity=100, price="50", traded_on=dt.date(2021, 3, 1)
    )
    DailyBar.objects.filter(ticker__symbol="KO", date__gt=dt.date(2021, 3, 19)).delete()
    predictions.update({"KO": -0.05, "AAPL": 0.04})
    created = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    ko = [p for p in created if p.ticker.symbol == "KO"]
    assert [(p.action, p.quantity) for p in ko] == [("hold", 0)]
    assert "No price for KO on 2021-04-01 (last close" in ko[0].reasons and "on 2021-03-19)" in ko[0].reasons
    assert any(p.ticker.symbol == "AAPL" and p.action == "enter" for p in created)


def test_the_entry_and_its_stop_show_in_the_api_and_on_the_page(
    investor, investor_client, market_sample, predictions
):
    from django.test import Client
    from django.urls import reverse

    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory(owner=investor)
    entry, stop = _entry_and_stop(services.order_proposals_create(portfolio=portfolio, as_of=AS_OF))
    listed = investor_client.get(f"/api/v1/portfolios/{portfolio.pk}/proposals/").json()["results"]
    by_id = {p["id"]: p for p in listed}
    assert by_id[entry.pk]["order_type"] in ("market", "limit")
    assert by_id[stop.pk]["order_type"] == stop.order_type
    assert Decimal(by_id[stop.pk]["stop_price"]) == entry.stop_loss
    web = Client()
    web.force_login(investor)
    html = web.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    # The stop reads as a sentence with its price (the site speaks French by default).
    stop_price = f"{stop.stop_price:,.2f}".replace(",", "\u202f").replace(".", ",") + "\xa0$"
    assert f"vendre {stop.quantity} {stop.ticker.symbol} si le cours tombe à {stop_price}" in html
    assert reverse("portfolio:proposal_ticket", args=[portfolio.pk, stop.pk]) in html


def test_validity_is_counted_in_sessions_of_the_tickers_own_exchange(market_sample, predictions):
    from market import calendar
    from market.models import Ticker

    Ticker.objects.filter(symbol="MSFT").update(exchange="XPAR")  # Paris is closed on Easter Monday
    predictions.update({"AAPL": 0.04, "MSFT": 0.04})
    portfolio = PortfolioFactory(cash=Decimal("100000"), order_validity_sessions=1)
    created = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    entries = {p.ticker.symbol: p for p in created if p.action == OrderProposal.Action.ENTER}
    assert entries["AAPL"].valid_until == dt.date(2021, 4, 5)  # New York reopens on Easter Monday
    assert entries["MSFT"].valid_until == dt.date(2021, 4, 6) == calendar.validity_date("XPAR", AS_OF, 1)


def test_the_engine_and_the_optimiser_replace_open_proposals_by_the_same_rule(market_sample, predictions):
    from portfolio.services.optimization import portfolio_optimize

    predictions.update({"AAPL": 0.04, "MSFT": 0.03})
    portfolio = PortfolioFactory(cash=Decimal("100000"))
    first = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    placed = next(p for p in first if p.action == OrderProposal.Action.ENTER)
    OrderProposal.objects.filter(pk=placed.pk).update(status=OrderProposal.Status.ACCEPTED)
    run = portfolio_optimize(portfolio=portfolio, as_of=AS_OF)
    assert run.proposals.exists()
    statuses = dict(OrderProposal.objects.filter(pk__in=[p.pk for p in first]).values_list("pk", "status"))
    assert statuses.pop(placed.pk) == OrderProposal.Status.ACCEPTED  # the user's order stays
    assert set(statuses.values()) == {OrderProposal.Status.EXPIRED}  # the rest of the old advice goes
    assert set(run.proposals.values_list("status", flat=True)) == {OrderProposal.Status.PROPOSED}


def test_a_run_with_nothing_to_propose_leaves_the_open_advice_alone(market_sample, predictions):
    from portfolio.models import Portfolio
    from portfolio.proposals import replace_open_proposals

    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory(cash=Decimal("100000"))
    first = services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    assert replace_open_proposals(portfolio=Portfolio.objects.get(pk=portfolio.pk), new=[]) == 0
    assert set(
        OrderProposal.objects.filter(pk__in=[p.pk for p in first]).values_list("status", flat=True)
    ) == {OrderProposal.Status.PROPOSED}


def test_an_unknown_exchange_code_is_a_clear_refusal_that_changes_nothing(market_sample, predictions):
    from market.models import Ticker

    Ticker.objects.filter(symbol="AAPL").update(exchange="NMS")  # Yahoo's code for Nasdaq, not a MIC
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory(cash=Decimal("100000"))
    with pytest.raises(DomainError, match="AAPL has an unknown exchange code 'NMS'"):
        services.order_proposals_create(portfolio=portfolio, as_of=AS_OF)
    assert not OrderProposal.objects.exists()


def test_a_new_set_records_who_asked_what_it_created_and_what_it_expired(
    investor, investor_client, market_sample, predictions
):
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory(owner=investor)
    url = f"/api/v1/portfolios/{portfolio.pk}/proposals/"
    first = investor_client.post(url, {"as_of": AS_OF.isoformat()}, format="json")
    second = investor_client.post(url, {"as_of": AS_OF.isoformat()}, format="json")
    assert (first.status_code, second.status_code) == (201, 201)
    events = AuditEvent.objects.filter(action="proposal.replaced").order_by("pk")
    assert [(e.user, e.object_type, e.object_id) for e in events] == [
        (investor, "portfolio.portfolio", str(portfolio.pk))
    ] * 2
    first_ids = sorted(p["id"] for p in first.json())
    assert sorted(events[0].details["created_ids"]) == first_ids and events[0].details["expired_ids"] == []
    assert sorted(events[1].details["created_ids"]) == sorted(p["id"] for p in second.json())
    assert sorted(events[1].details["expired_ids"]) == first_ids
    assert events[1].details["as_of"] == AS_OF.isoformat()
