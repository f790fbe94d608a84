"""Server-rendered pages of the market app: the ticker list and one ticker's prices."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from market import selectors
from market.models import Ticker
from mlcore.models import Prediction
from mlcore.monitoring import gate
from portfolio import selectors as portfolio_selectors
from swingtrade.web import charts, presenting

# Bars shown by the price chart for each period choice (trading days), with the link's words.
PERIODS = {"3m": 63, "6m": 126, "1y": 252, "all": None}
PERIOD_LABELS = {"3m": _("3 months"), "6m": _("6 months"), "1y": _("1 year"), "all": _("all")}
DEFAULT_PERIOD = "6m"
RECENT_BARS = 20
LATEST_PREDICTIONS = 10


@login_required
def ticker_list(request: HttpRequest) -> HttpResponse:
    tickers = Ticker.objects.filter(is_active=True).order_by("symbol")
    return render(request, "market/ticker_list.html", {"tickers": tickers})


@login_required
def ticker_detail(request: HttpRequest, symbol: str) -> HttpResponse:
    ticker = get_object_or_404(Ticker, symbol=symbol.strip().upper())
    period = request.GET.get("period", DEFAULT_PERIOD)
    if period not in PERIODS:
        period = DEFAULT_PERIOD
    bars = selectors.bars_frame(tickers=[ticker.symbol]).sort_values("date").set_index("date")
    # A forecast is advice: while the gate is closed the page shows none, not even past ones.
    forecasts_paused = not gate.gate_state().is_open
    # The user's first portfolio's horizon rides along in the same query (a subquery): forecasts are stated
    # over it, as the advice uses them.
    first_horizon = Subquery(
        portfolio_selectors.portfolios_for(request.user).order_by("name", "id").values("horizon_days")[:1]
    )
    predictions = (
        []
        if forecasts_paused
        else list(
            Prediction.objects.filter(ticker=ticker.symbol)
            .select_related("model_version")
            .annotate(portfolio_horizon=first_horizon)
            .order_by("-as_of", "-model_version_id")[:LATEST_PREDICTIONS]
        )
    )
    signals = [(p.as_of, p.side) for p in predictions]
    # One number: each forecast over the portfolio's horizon (the model's without one), as the advice uses it.
    horizon = (
        (predictions[0].portfolio_horizon or predictions[0].model_version.horizon) if predictions else None
    )
    forecasts = [
        (p, presenting.forecast_figure(p.expected_return, model_version=p.model_version, horizon=horizon))
        for p in predictions
        if horizon is not None
    ]
    order = _order_of_user(request, ticker)
    context = {
        "ticker": ticker,
        "period": period,
        "periods": [(p, PERIOD_LABELS[p]) for p in PERIODS],
        "has_bars": not bars.empty,
        "recent_bars": bars.iloc[::-1].head(RECENT_BARS).reset_index().to_dict("records"),
        "stats": charts.price_summary(bars["adj_close"]) | {"close": float(bars["close"].iloc[-1])}
        if not bars.empty
        else None,
        "price_chart": charts.price_chart(
            bars, currency=ticker.currency, last=PERIODS[period], signals=signals, levels=_order_levels(order)
        )
        if not bars.empty
        else None,
        "signals_shown": bool(signals),
        "order": order,
        "forecasts_paused": forecasts_paused,
        "predictions": forecasts,
        "horizon": horizon,
    }
    return render(request, "market/ticker_detail.html", context)


def _order_of_user(request: HttpRequest, ticker: Ticker) -> Any:
    """``?proposal=<id>``: one of the user's own proposals on this ticker (someone else's is ignored)."""
    wanted = request.GET.get("proposal", "")
    if not wanted.isdigit():
        return None
    for portfolio in portfolio_selectors.portfolios_for(request.user):
        found = portfolio_selectors.proposals_of(portfolio).filter(pk=int(wanted), ticker=ticker).first()
        if found is not None:
            return found
    return None


def _order_levels(order: Any) -> list[tuple[str, Any]]:
    if order is None:
        return []
    return [
        (_("Entry"), order.limit_price or order.stop_price or order.reference_price),
        (_("Stop-loss"), order.stop_loss),
        (_("Take-profit"), order.take_profit),
    ]
