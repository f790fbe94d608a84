"""Routes of the monitoring API, included by ``mlcore/api/urls.py``."""

from __future__ import annotations

from django.urls import path

from mlcore.monitoring.api import views

urlpatterns = [
    path("monitoring/reports/", views.MonitoringReportListView.as_view(), name="monitoring-report-list"),
    path(
        "monitoring/reports/latest/",
        views.MonitoringReportLatestView.as_view(),
        name="monitoring-report-latest",
    ),
    path(
        "monitoring/reports/<int:pk>/",
        views.MonitoringReportDetailView.as_view(),
        name="monitoring-report-detail",
    ),
    path("monitoring/run/", views.MonitoringRunView.as_view(), name="monitoring-run"),
    path("monitoring/gate/", views.GateView.as_view(), name="monitoring-gate"),
    path("monitoring/override/", views.GateOverrideView.as_view(), name="monitoring-override"),
    path("monitoring/thresholds/", views.MonitoringThresholdsView.as_view(), name="monitoring-thresholds"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
]
