"""Order proposals on the portfolio page: precise orders, the fill trade-off, decisions and fills."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from portfolio.models import OrderProposal, Trade
from portfolio.services import order_proposals_create
from swingtrade.formatting import format_money, format_percent
from tests.web.helpers import in_french, portfolio_of


def test_generated_proposals_show_precise_orders_and_the_fill_trade_off(
    strong_signals, investor, investor_web
):
    portfolio = portfolio_of(investor, advice_style="signals")  # the ranking's swing entries
    response = investor_web.post(reverse("portfolio:proposals_create", args=[portfolio.pk]), follow=True)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    entries = {p.ticker.symbol: p for p in response.context["proposals"] if p.action == "enter"}
    assert set(entries) == {"AAPL", "MSFT"}  # long-only: KO is not shorted
    for order in entries.values():
        assert in_french(format_money, order.stop_loss, "USD") in html
        assert in_french(format_money, order.take_profit, "USD") in html
        assert in_french(format_percent, order.fill_probability, 0) in html
        assert order.valid_until.strftime("%d/%m/%Y") in html
        # The row opens with the order in one sentence: what, how many, at which price, until when.
        if order.limit_price:
            where = f"à cours limité {in_french(format_money, order.limit_price, 'USD')}"
        else:
            where = "au prix du marché"
        assert f"Acheter {order.quantity} {order.ticker.symbol} {where} jusqu" in html
        assert "de chances d'exécution ; frais" in html and "pas d'impôt maintenant" in html
        # Costs are in the row, with their rates: not a hover-only tooltip.
        assert "Frais de courtage" in html and "TTF (taxe sur les transactions)" in html
        assert reverse("portfolio:proposal_ticket", args=[portfolio.pk, order.pk]) in html
        assert reverse("portfolio:proposal_reject", args=[portfolio.pk, order.pk]) in html
    assert 'title="commission' not in html
    # The trade-off of the selected order: one point per candidate, P(fill) falling as the limit moves away.
    selected = response.context["selected"]
    chart = response.context["trade_off_chart"]
    assert len(chart["labels"]) == len(selected.trade_off) == 8
    p_fill = chart["datasets"][0]["data"]
    assert p_fill == sorted(p_fill, reverse=True)
    assert (
        html.count("<form") == html.count('name="csrfmiddlewaretoken"') > 2 * len(entries)
    )  # every POST form
    msft = investor_web.get(
        reverse("portfolio:detail", args=[portfolio.pk]), {"proposal": entries["MSFT"].pk}
    )
    assert msft.context["selected"] == entries["MSFT"]


def test_rejecting_a_proposal_marks_it_rejected(strong_signals, investor, investor_web):
    portfolio = portfolio_of(investor)
    proposal = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    response = investor_web.post(
        reverse("portfolio:proposal_reject", args=[portfolio.pk, proposal.pk]), follow=True
    )
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert f"{proposal.ticker.symbol}: proposition écartée" in response.content.decode()


def test_accepting_an_expired_proposal_says_so(strong_signals, investor, investor_web):
    portfolio = portfolio_of(investor)
    proposal = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    response = investor_web.post(
        reverse("portfolio:proposal_accept", args=[portfolio.pk, proposal.pk]), follow=True
    )
    # The sample ends in April 2021, so its orders' validity has passed: the service refuses (409).
    assert f"Cette proposition a expiré le {proposal.valid_until}" in response.content.decode()


def test_proposals_without_a_champion_show_the_reason(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor, advice_style="signals")  # the default advice needs no model
    response = investor_web.post(reverse("portfolio:proposals_create", args=[portfolio.pk]), follow=True)
    assert response.status_code == 200
    assert not OrderProposal.objects.exists()
    assert "No champion model: train one" in response.content.decode()


def test_an_accepted_proposal_is_filled_from_the_page_into_a_trade(
    strong_signals, investor, investor_web, settings
):
    portfolio = portfolio_of(investor)
    proposal = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    settings.MARKET_CLOCK_DATE = proposal.as_of  # decide that day
    investor_web.post(reverse("portfolio:proposal_accept", args=[portfolio.pk, proposal.pk]))
    page = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    assert reverse("portfolio:proposal_fill", args=[portfolio.pk, proposal.pk]) in page
    price = proposal.limit_price or proposal.reference_price
    response = investor_web.post(
        reverse("portfolio:proposal_fill", args=[portfolio.pk, proposal.pk]),
        {"price": str(price), "traded_on": proposal.as_of.isoformat()},
        follow=True,
    )
    proposal.refresh_from_db()
    trade = Trade.objects.get(proposal=proposal)
    assert proposal.status == "filled" and trade.quantity == proposal.quantity
    assert f"Exécuté : Achat de {proposal.quantity} {proposal.ticker.symbol}" in response.content.decode()


def test_the_order_ticket_shows_the_total_and_asks_for_confirmation(strong_signals, investor, investor_web):
    portfolio = portfolio_of(investor)
    proposal = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    response = investor_web.get(reverse("portfolio:proposal_ticket", args=[portfolio.pk, proposal.pk]))
    assert response.status_code == 200
    ticket = response.context["d"]
    priced_at = proposal.limit_price or proposal.reference_price
    assert ticket.price == priced_at.quantize(Decimal("0.01")) and abs(ticket.price - priced_at) <= Decimal(
        "0.005"
    )
    assert ticket.total == pytest.approx(float(ticket.price) * proposal.quantity + ticket.costs_total)
    html = response.content.decode()
    assert in_french(format_money, ticket.total, "USD") in html  # USD portfolio: no conversion
    assert reverse("portfolio:proposal_accept", args=[portfolio.pk, proposal.pk]) in html
    assert "Je passe cet ordre : confirmer" in html
    assert proposal.valid_until.strftime("%d/%m/%Y") in html


def test_rows_that_are_not_orders_do_not_look_like_orders(strong_signals, investor, investor_web):
    portfolio = portfolio_of(investor, allow_short=False)
    proposals = order_proposals_create(portfolio=portfolio)
    html = investor_web.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode()
    for proposal in proposals:
        if proposal.action in ("skip", "hold"):
            assert reverse("portfolio:proposal_ticket", args=[portfolio.pk, proposal.pk]) not in html
            assert f'id="proposal-{proposal.pk}"' not in html


def test_when_no_proposal_is_an_order_the_page_says_there_is_nothing_to_do(
    market_sample, investor, investor_web, monkeypatch
):
    import pandas as pd

    from tests.factories import ModelVersionFactory

    weak = pd.DataFrame(
        {"expected_return": {"AAPL": 1e-5}, "predicted_volatility": {"AAPL": 0.04}, "score": {"AAPL": 1e-5}}
    )
    weak.index.name = "ticker"
    weak["rank"], weak["side"] = 1, "buy"
    version = ModelVersionFactory(reliability=1.0)
    monkeypatch.setattr("mlcore.serving.predict.predictions_frame", lambda *, as_of=None: (weak, version))
    portfolio = portfolio_of(investor)
    order_proposals_create(portfolio=portfolio)
    html = unescape(investor_web.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode())
    assert "Rien à faire aujourd'hui." in html
    assert "ne couvre pas" in html
