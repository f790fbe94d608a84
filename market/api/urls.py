from __future__ import annotations

from django.urls import path

from market.api import views

app_name = "market-api"

urlpatterns = [
    path("tickers/", views.TickerListView.as_view(), name="ticker-list"),
    path("tickers/<str:symbol>/", views.TickerDetailView.as_view(), name="ticker-detail"),
    path("tickers/<str:symbol>/bars/", views.TickerBarsView.as_view(), name="ticker-bars"),
    path("ingestion/runs/", views.IngestionRunListCreateView.as_view(), name="ingestion-run-list"),
    path("ingestion/runs/<int:pk>/", views.IngestionRunDetailView.as_view(), name="ingestion-run-detail"),
]
