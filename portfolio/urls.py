"""Server-rendered pages of the portfolio app (the JSON API lives in portfolio/api/)."""

from __future__ import annotations

from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("portfolios/", views.portfolio_list, name="list"),
    path("portfolios/<int:portfolio_id>/", views.portfolio_detail, name="detail"),
    path("portfolios/<int:portfolio_id>/optimize/", views.portfolio_optimize, name="optimize"),
    path("portfolios/<int:portfolio_id>/profile/", views.profile_update, name="profile_update"),
    path("portfolios/<int:portfolio_id>/trades/", views.trade_create, name="trade_create"),
    path("portfolios/<int:portfolio_id>/proposals/", views.proposals_create, name="proposals_create"),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/accept/",
        views.proposal_decide,
        {"decision": "accept"},
        name="proposal_accept",
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/reject/",
        views.proposal_decide,
        {"decision": "reject"},
        name="proposal_reject",
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/fill/",
        views.proposal_fill,
        name="proposal_fill",
    ),
]
