"""Server-rendered pages of the market app: the ticker list and one ticker's prices."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from market import selectors
from market.models import Ticker
from mlcore.models import Prediction
from swingtrade.web import charts

# Bars shown by the price chart for each period choice (trading days).
PERIODS = {"6m": 126, "1y": 252, "3y": 756, "all": None}
RECENT_BARS = 20
LATEST_PREDICTIONS = 10


@login_required
def ticker_list(request: HttpRequest) -> HttpResponse:
    tickers = Ticker.objects.filter(is_active=True).order_by("symbol")
    return render(request, "market/ticker_list.html", {"tickers": tickers})


@login_required
def ticker_detail(request: HttpRequest, symbol: str) -> HttpResponse:
    ticker = get_object_or_404(Ticker, symbol=symbol.strip().upper())
    period = request.GET.get("period", "1y")
    if period not in PERIODS:
        period = "1y"
    bars = selectors.bars_frame(tickers=[ticker.symbol]).sort_values("date").set_index("date")
    context = {
        "ticker": ticker,
        "period": period,
        "periods": list(PERIODS),
        "has_bars": not bars.empty,
        "recent_bars": bars.iloc[::-1].head(RECENT_BARS).reset_index().to_dict("records"),
        "stats": charts.price_summary(bars["adj_close"]) if not bars.empty else None,
        "price_chart": charts.price_with_moving_averages(bars["adj_close"], last=PERIODS[period])
        if not bars.empty
        else None,
        "predictions": Prediction.objects.filter(ticker=ticker.symbol)
        .select_related("model_version")
        .order_by("-as_of", "-model_version_id")[:LATEST_PREDICTIONS],
    }
    return render(request, "market/ticker_detail.html", context)
