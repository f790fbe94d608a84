from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from portfolio.api import digest_views, optimize_views, tax_views, views

router = SimpleRouter()
router.register("portfolios", views.PortfolioViewSet, basename="portfolio")
router.register("cost-profiles", views.CostProfileViewSet, basename="cost-profile")

urlpatterns = [
    *router.urls,
    path("", include("portfolio.api.replay_urls")),
    path(
        "portfolios/<int:portfolio_id>/positions/",
        views.PositionListView.as_view(),
        name="portfolio-positions",
    ),
    path(
        "portfolios/<int:portfolio_id>/trades/", views.TradeListCreateView.as_view(), name="portfolio-trades"
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/",
        views.ProposalListCreateView.as_view(),
        name="portfolio-proposals",
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/accept/",
        views.ProposalDecisionView.as_view(accept=True),
        name="portfolio-proposal-accept",
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/reject/",
        views.ProposalDecisionView.as_view(accept=False),
        name="portfolio-proposal-reject",
    ),
    path(
        "portfolios/<int:portfolio_id>/proposals/<int:proposal_id>/fill/",
        views.ProposalFillView.as_view(),
        name="portfolio-proposal-fill",
    ),
    path(
        "portfolios/<int:portfolio_id>/optimize/",
        optimize_views.OptimizeView.as_view(),
        name="portfolio-optimize",
    ),
    path("notifications/digest/", digest_views.DigestPreferenceView.as_view(), name="digest-preference"),
    path("portfolios/<int:portfolio_id>/tax/", tax_views.TaxStateView.as_view(), name="portfolio-tax"),
    path(
        "portfolios/<int:portfolio_id>/optimizations/",
        optimize_views.OptimizationListView.as_view(),
        name="portfolio-optimizations",
    ),
]
