from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from swingtrade import health, schema_views
from swingtrade.api import api_not_found
from swingtrade.web.views import home

api_v1 = [
    path("", include("swingtrade.accounts.api.urls")),
    path("", include("market.api.urls")),
    path("", include("mlcore.api.urls")),
    path("", include("portfolio.api.urls")),
    path("", include("swingtrade.audit.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("schema/swagger/", schema_views.SwaggerView.as_view(url_name="api-schema"), name="api-swagger"),
    path("schema/redoc/", schema_views.RedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Last: any other URL under /api/v1/ is the JSON 404, in development too (DEBUG shows HTML otherwise).
    re_path(r"^.*$", api_not_found),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    # The language switcher posts here: a cookie, and the signed-in user's e-mail language.
    path("i18n/setlang/", home.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    re_path(r"^api/", api_not_found),
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

# The site's own error pages, and the JSON error body under /api/ (swingtrade/error_views.py).
handler400 = "swingtrade.error_views.bad_request"
handler403 = "swingtrade.error_views.permission_denied"
handler404 = "swingtrade.error_views.page_not_found"
handler500 = "swingtrade.error_views.server_error"
