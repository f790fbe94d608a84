"""One number, one source: the same stock shows the same figures on every page, in the CSV and in the API."""

from __future__ import annotations

import csv
import io
from html import unescape

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.services import order_proposals_create
from swingtrade.formatting import format_money, format_percent
from tests.web.helpers import in_french, portfolio_of


def test_an_order_reads_the_same_on_the_portfolio_the_ticket_the_csv_and_the_api(
    strong_signals, investor, investor_web
):
    portfolio = portfolio_of(investor)
    order = next(p for p in order_proposals_create(portfolio=portfolio) if p.action == "enter")
    api = APIClient()
    api.force_authenticate(investor)
    served = next(
        p
        for p in api.get(f"/api/v1/portfolios/{portfolio.pk}/proposals/").json()["results"]
        if p["id"] == order.pk
    )
    expected = {
        "stop-loss": in_french(format_money, served["stop_loss"], "USD"),
        "take-profit": in_french(format_money, served["take_profit"], "USD"),
        "P(fill)": in_french(format_percent, served["fill_probability"], 0),
        "gross": in_french(format_percent, served["expected_gross_return"], 2, signed=True),
        "net": in_french(format_percent, served["expected_net_return"], 2, signed=True),
        "costs": in_french(format_percent, served["expected_cost_return"], 2),
    }
    detail = unescape(investor_web.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode())
    start = detail.index(f'id="proposal-{order.pk}"')
    row = detail[start : detail.index("</article>", start)]
    for label, text in expected.items():
        assert text in row, label
    ticket = unescape(
        investor_web.get(reverse("portfolio:proposal_ticket", args=[portfolio.pk, order.pk])).content.decode()
    )
    assert expected["P(fill)"] in ticket and expected["costs"] in ticket
    exported = investor_web.get(
        reverse("portfolio:export", args=[portfolio.pk, "proposals"])
    ).content.decode()
    header, *rows = csv.reader(io.StringIO(exported), delimiter=";")
    row = dict(
        zip(header, next(r for r in rows if r[1] == order.ticker.symbol and r[3] == "buy"), strict=True)
    )
    assert row["advice"].startswith(f"Acheter {order.quantity} {order.ticker.symbol}")
    for column, field in [("expected_net", "expected_net_return"), ("fill_probability", "fill_probability")]:
        assert float(row[column].replace(",", ".")) == pytest.approx(served[field], abs=1e-6)


def test_a_stocks_expected_return_is_the_same_on_the_dashboard_its_page_the_proposal_and_the_api(
    champion, investor, investor_web, settings
):
    """Over the portfolio's horizon (10 days, the model's is 5), shrunk by the model's reliability: the
    dashboard, the ticker page and the proposal show the figure a client computes from the API's ranking
    (log return over the model's horizon) and model (reliability) with the advice's own function."""
    import pandas as pd

    from portfolio.optimize.inputs import horizon_expected_returns

    settings.MLCORE_PROMOTION_MIN_T = 0.0  # an edge, so the shrunk figure is not simply zero
    portfolio = portfolio_of(investor, horizon_days=10)
    dashboard = investor_web.get(reverse("dashboard"))
    best, _figure = dashboard.context["buys"][0]
    api = APIClient()
    api.force_authenticate(investor)
    served = api.get("/api/v1/rankings/").json()
    entry = next(e for e in served["buys"] if e["ticker"] == best.ticker)
    model = served["model_version"]
    assert 0 < model["reliability"] < 1 and model["horizon"] == 5
    expected = horizon_expected_returns(
        pd.Series([entry["expected_return"]]),
        reliability=model["reliability"],
        model_horizon=model["horizon"],
        horizon=portfolio.horizon_days,
    ).iloc[0]
    assert expected != pytest.approx(
        entry["expected_return"], rel=0.05
    )  # a different number than the model's
    shown = in_french(format_percent, expected, 2, signed=True)
    assert shown in dashboard.content.decode()
    assert shown in investor_web.get(reverse("market:ticker", args=[best.ticker])).content.decode()
    # The proposal engine states the same figure in the order's reasons (its gross return then starts
    # from the limit price, not from the close).
    looked_at = {p.ticker.symbol: p for p in order_proposals_create(portfolio=portfolio)}
    assert best.ticker in looked_at
    assert f"The model expects {expected:+.2%} over 10 days" in looked_at[best.ticker].reasons


def test_a_rows_costs_are_this_orders_money_and_the_round_trip_rate_the_net_return_deducts(
    strong_signals, investor, investor_web
):
    from swingtrade.web import presenting

    portfolio = portfolio_of(investor)
    for proposal in order_proposals_create(portfolio=portfolio):
        shown = presenting.proposal_display(proposal, portfolio)
        if not shown.is_order:
            continue
        money = proposal.expected_costs
        assert shown.fees_total == pytest.approx(
            money["total"] - money.get("capital_gains_tax", 0.0), abs=0.01
        )
        assert shown.costs_total == pytest.approx(money["total"], abs=0.01)
        assert shown.round_trip_costs == pytest.approx(proposal.expected_cost_return * shown.notional)
    html = unescape(investor_web.get(reverse("portfolio:detail", args=[portfolio.pk])).content.decode())
    assert "Frais de cet ordre" in html and "Aller-retour (entrée et sortie)" in html


def test_a_list_of_orders_in_another_currency_reads_its_rates_once(strong_signals, investor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from market import fx
    from swingtrade.web import presenting

    fx.fx_sample_load()
    portfolio = portfolio_of(investor, base_currency="EUR")
    proposals = order_proposals_create(portfolio=portfolio)
    assert sum(1 for p in proposals if p.quantity) >= 2  # several dollar orders in a euro portfolio
    with CaptureQueriesContext(connection) as queries:
        shown = presenting.proposal_displays(proposals, portfolio)
    assert sum("market_fxrate" in q["sql"] for q in queries.captured_queries) == 1
    # The same conversion as one proposal shown alone.
    for proposal, display in zip(proposals, shown, strict=True):
        alone = presenting.proposal_display(proposal, portfolio)
        assert display.fx == alone.fx and display.total_in_base == alone.total_in_base
        if display.is_order:
            assert display.fx is not None and display.fx.base == "USD" and display.total_in_base
