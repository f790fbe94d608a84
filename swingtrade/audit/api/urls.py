from __future__ import annotations

from django.urls import path

from swingtrade.audit.api import views

urlpatterns = [path("audit/", views.AuditEventListView.as_view(), name="audit-event-list")]
