"""URLs of the ticker pages (namespace `market`, kept so that every `{% url %}` stays valid)."""

from __future__ import annotations

from django.urls import path

from swingtrade.web.views import tickers

app_name = "market"

urlpatterns = [
    path("tickers/", tickers.ticker_list, name="ticker_list"),
    path("tickers/<str:symbol>/", tickers.ticker_detail, name="ticker"),
]
