from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from swingtrade import health
from swingtrade.web.views import home

api_v1 = [
    path("", include("swingtrade.accounts.api.urls")),
    path("", include("market.api.urls")),
    path("", include("mlcore.api.urls")),
    path("", include("portfolio.api.urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # The language switcher posts here (set_language stores the choice in a cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api-auth/", include("rest_framework.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", home.signup, name="signup"),
    path("", home.dashboard, name="dashboard"),
    path("glossary/", home.glossary, name="glossary"),
    path("", include("swingtrade.web.urls.tickers")),
    path("", include("swingtrade.web.urls.models")),
    path("", include("swingtrade.web.urls.portfolios")),
]
