"""Server-rendered pages of mlcore (the JSON API lives in mlcore/api/)."""

from __future__ import annotations

from django.urls import path

from swingtrade.web.views import models

app_name = "mlcore"

urlpatterns = [
    path("models/", models.model_list, name="models"),
    path("models/rollback/", models.model_rollback, name="model_rollback"),
    path("models/<int:pk>/promote/", models.model_promote, name="model_promote"),
    path("monitoring/", models.monitoring_page, name="monitoring"),
    path("monitoring/override/", models.monitoring_override, name="monitoring_override"),
    path("monitoring/override/revoke/", models.monitoring_override_revoke, name="monitoring_override_revoke"),
]
