"""Admin for monitoring: reports (read-only, state first), alerts, gate overrides, the thresholds row.

Imported by ``mlcore/admin.py`` so Django's admin autodiscovery registers these.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html

from mlcore.admin_roles import AdminRoleMixin
from mlcore.monitoring import gate
from mlcore.monitoring.models import Alert, GateOverride, MonitoringReport, MonitoringThresholds
from swingtrade.accounts import roles
from swingtrade.audit import services as audit

_STATE_COLOURS = {"OK": "#1a7f37", "WARN": "#9a6700", "CRITICAL": "#cf222e"}


def _state_badge(state: str) -> str:
    return format_html('<b style="color:{}">{}</b>', _STATE_COLOURS.get(state, "inherit"), state)


class _RoleAdmin(AdminRoleMixin, admin.ModelAdmin):
    """The admin role (a group, without per-model Django permissions) manages monitoring: it also edits."""

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return roles.is_admin(request.user) or super().has_change_permission(request, obj)


class _ReadOnlyAdmin(_RoleAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(MonitoringReport)
class MonitoringReportAdmin(_ReadOnlyAdmin):
    list_display = [
        "created_at",
        "as_of",
        "role",
        "model_version",
        "state_badge",
        "summary",
        "retrain_requested",
    ]
    list_filter = ["state", "role", "retrain_requested"]
    date_hierarchy = "as_of"
    readonly_fields = [f.name for f in MonitoringReport._meta.fields]

    @admin.display(description="state", ordering="state")
    def state_badge(self, obj: MonitoringReport) -> str:
        return _state_badge(obj.state)

    def changelist_view(self, request: Any, extra_context: dict | None = None):
        # The gate's current state heads the list: the one thing an administrator must see first.
        state = gate.gate_state()
        extra_context = {
            **(extra_context or {}),
            "title": f"Monitoring reports — gate {'open' if state.is_open else 'CLOSED'}: {state.reason}",
        }
        return super().changelist_view(request, extra_context)


@admin.register(Alert)
class AlertAdmin(_ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "previous_state",
        "state",
        "subject",
        "emailed",
        "suppressed_reason",
    ]
    list_filter = ["kind", "state", "emailed"]
    readonly_fields = [f.name for f in Alert._meta.fields]


@admin.register(GateOverride)
class GateOverrideAdmin(_RoleAdmin):
    """Overrides are created through the service (so they are checked, logged and e-mailed)."""

    list_display = ["created_at", "created_by", "reason", "expires_at", "revoked_at", "revoked_by", "active"]
    readonly_fields = [
        "created_at",
        "created_by",
        "reason",
        "expires_at",
        "report",
        "revoked_at",
        "revoked_by",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    @admin.display(boolean=True)
    def active(self, obj: GateOverride) -> bool:
        return obj.is_active()

    @admin.action(description="Revoke the selected active overrides")
    def revoke(self, request: Any, queryset: Any) -> None:
        active = queryset.filter(revoked_at__isnull=True)
        ids = list(active.values_list("pk", flat=True))
        count = active.filter(pk__in=ids).update(revoked_at=timezone.now(), revoked_by=request.user)
        if ids:  # a queryset update sends no signal: one event names every override revoked
            audit.record(
                "gate_override.revoked",
                object_type=GateOverride._meta.label_lower,
                details={"override_ids": ids},
            )
        self.message_user(request, f"{count} override(s) revoked.")


@admin.register(MonitoringThresholds)
class MonitoringThresholdsAdmin(_RoleAdmin):
    """The singleton settings row: edit it, never add or delete another."""

    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request: Any) -> bool:
        return not MonitoringThresholds.objects.exists()

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: Any, extra_context: dict | None = None):
        from django.shortcuts import redirect

        row = MonitoringThresholds.load()
        return redirect(f"admin:{row._meta.app_label}_{row._meta.model_name}_change", row.pk)

    def save_model(self, request: Any, obj: MonitoringThresholds, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
