"""Server-rendered pages of mlcore (the JSON API lives in mlcore/api/)."""

from __future__ import annotations

from django.urls import path

from mlcore import views

app_name = "mlcore"

urlpatterns = [
    path("models/", views.model_list, name="models"),
    path("models/rollback/", views.model_rollback, name="model_rollback"),
    path("models/<int:pk>/promote/", views.model_promote, name="model_promote"),
    path("monitoring/", views.monitoring_page, name="monitoring"),
    path("monitoring/override/", views.monitoring_override, name="monitoring_override"),
    path("monitoring/override/revoke/", views.monitoring_override_revoke, name="monitoring_override_revoke"),
]
