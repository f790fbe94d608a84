"""Admin view of replay runs (read-only: a run is a record of what was computed)."""

from __future__ import annotations

from django.contrib import admin

from portfolio.replay.models import ReplayRun


@admin.register(ReplayRun)
class ReplayRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "status",
        "created_at",
        "created_by",
        "parts_done",
        "parts_total",
        "seconds",
        "code_version",
    ]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ReplayRun._meta.fields] + ["model_versions", "results"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
