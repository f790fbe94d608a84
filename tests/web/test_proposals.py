"""Order proposals on the portfolio page: precise orders, the fill trade-off, decisions and fills."""

from __future__ import annotations

from django.urls import reverse

from portfolio.models import OrderProposal, Trade
from portfolio.services import order_proposals_create
from tests.web.helpers import portfolio_of


def test_generated_proposals_show_precise_orders_and_the_fill_trade_off(
    strong_signals, investor, investor_web
):
    portfolio = portfolio_of(investor)
    response = investor_web.post(reverse("portfolio:proposals_create", args=[portfolio.pk]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    entries = {p.ticker.symbol: p for p in response.context["proposals"] if p.action == "enter"}
    assert set(entries) == {"AAPL", "MSFT"}  # long-only: KO is not shorted
    for order in entries.values():
        assert f"{order.stop_loss:,.2f}" in html and f"{order.take_profit:,.2f}" in html
        assert f"{order.fill_probability * 100:.0f} %" in html
        assert order.valid_until.isoformat() in html
        shown = (
            f"{order.limit_price:,.2f}" if order.limit_price else f"{order.get_side_display()}</span> market"
        )
        assert shown in html
        assert reverse("portfolio:proposal_accept", args=[portfolio.pk, order.pk]) in html
        assert reverse("portfolio:proposal_reject", args=[portfolio.pk, order.pk]) in html
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
    assert f"{proposal.ticker.symbol}: proposal rejected" in response.content.decode()


def test_accepting_an_expired_proposal_says_so(strong_signals, investor, investor_web):
    portfolio = portfolio_of(investor)
    proposal = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    response = investor_web.post(
        reverse("portfolio:proposal_accept", args=[portfolio.pk, proposal.pk]), follow=True
    )
    # The sample ends in April 2021, so its orders' validity has passed: the service refuses (409).
    assert f"This proposal expired on {proposal.valid_until}" in response.content.decode()


def test_proposals_without_a_champion_show_the_reason(market_sample, investor, investor_web):
    portfolio = portfolio_of(investor)
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
    assert f"Filled: Buy {proposal.quantity} {proposal.ticker.symbol}" in response.content.decode()
