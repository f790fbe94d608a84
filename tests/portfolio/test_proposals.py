"""Proposals end to end on the market_sample fixture, with the champion's predictions stood in by a frame.

The predictions are hand-built (mlcore's own tests cover how they are made); prices, volatility, calendar,
costs and the database are real.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from portfolio import services
from portfolio.models import OrderProposal, Position
from swingtrade.errors import Conflict
from tests.portfolio.factories import PortfolioFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2021, 4, 1)  # the next session is Monday 5 April (Good Friday closed)


class _Version:
    pk = None
    reliability = 1.0


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

    def fake(*, as_of=None):
        return _predictions(values), None

    monkeypatch.setattr("mlcore.predict.predictions_frame", fake)
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


def test_accepting_and_filling_a_proposal_creates_the_trade(market_sample, predictions, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: AS_OF)  # decide on the day
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


def test_a_proposal_past_its_validity_cannot_be_accepted(market_sample, predictions):
    predictions.update({"AAPL": 0.04})
    portfolio = PortfolioFactory()
    proposal = next(
        p for p in services.order_proposals_create(portfolio=portfolio, as_of=AS_OF) if p.action == "enter"
    )
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


def test_a_position_through_its_stop_loss_is_exited(market_sample, predictions, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: AS_OF)
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
