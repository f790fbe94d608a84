"""Server-rendered pages of the market app."""

from __future__ import annotations

from django.urls import path

from market import views

app_name = "market"

urlpatterns = [
    path("tickers/", views.ticker_list, name="ticker_list"),
    path("tickers/<str:symbol>/", views.ticker_detail, name="ticker"),
]
