from __future__ import annotations

from django.urls import path

from portfolio.api import replay_views

urlpatterns = [
    path("replays/", replay_views.ReplayRunListCreateView.as_view(), name="replay-list"),
    path("replays/<int:pk>/", replay_views.ReplayRunDetailView.as_view(), name="replay-detail"),
]
