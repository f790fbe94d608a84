"""Server-rendered pages of the portfolio app (the JSON API lives in portfolio/api/)."""

from __future__ import annotations

from django.urls import path

from swingtrade.web.views import portfolio_csv, portfolios, track_record

app_name = "portfolio"

urlpatterns = [
    path("track-record/", track_record.track_record, name="track_record"),
    path("portfolios/", portfolios.portfolio_list, name="list"),
    path("portfolios/<int:portfolio_id>/", portfolios.portfolio_detail, name="detail"),
    path("portfolios/<int:portfolio_id>/optimize/", portfolios.portfolio_optimize, name="optimize"),
    path("portfolios/<int:portfolio_id>/profile/", portfolios.profile_update, name="profile_update"),
    path("portfolios/<int:portfolio_id>/trades/", portfolios.trade_create, name="trade_create"),
    path("portfolios/<int:portfolio_id>/trades/import/", portfolio_csv.trades_import, name="import"),
    path(
        "portfolios/<int:portfolio_id>/export/<str:what>.csv", portfolio_csv.portfolio_export, name="export"
    ),
    path("portfolios/<int:portfolio_id>/proposals/", portfolios.proposals_create, name="proposals_create"),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/",
        portfolios.proposal_ticket,
        name="proposal_ticket",
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/accept/",
        portfolios.proposal_decide,
        {"decision": "accept"},
        name="proposal_accept",
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/reject/",
        portfolios.proposal_decide,
        {"decision": "reject"},
        name="proposal_reject",
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/fill/",
        portfolios.proposal_fill,
        name="proposal_fill",
    ),
]
