"""Admin for the registry: versions with their metrics and promote / rollback actions, predictions, jobs."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.utils.html import format_html

from mlcore.admin_roles import AdminRoleMixin
from mlcore.models import ModelVersion, Prediction, RegistryEvent, TrainingJob
from mlcore.registry import versions as registry
from swingtrade.errors import DomainError


class RegistryEventInline(admin.TabularInline):
    model = RegistryEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _metric(version: ModelVersion, *path: str) -> float | None:
    value = version.metrics.get("oos", {})
    for key in path:
        value = value.get(key, {}) if isinstance(value, dict) else None
    return value if isinstance(value, int | float) else None


@admin.register(ModelVersion)
class ModelVersionAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = [
        "id", "algorithm", "status", "horizon", "train_end", "oos_rank_ic", "oos_hit_rate",
        "ls_net_sharpe", "reliability_display", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "algorithm", "horizon"]
    inlines = [RegistryEventInline]
    actions = ["promote_selected", "rollback_champion"]
    readonly_fields = [
        "algorithm", "params", "features", "target", "horizon", "training_window", "training_window_size",
        "train_start", "train_end", "oos_start", "oos_end", "data_fingerprint", "data_sha256",
        "metrics_pretty", "calibration", "artefact_path", "artefact_sha256", "training_seconds", "status",
        "status_reason", "trained_by", "promoted_by", "promoted_at", "created_at",
    ]  # fmt: skip
    exclude = ["metrics", "feature_reference"]

    def has_add_permission(self, request) -> bool:
        return False  # versions come from training, never typed in

    @admin.display(description="OOS rank IC")
    def oos_rank_ic(self, obj: ModelVersion) -> str:
        ic, se = _metric(obj, "rank_ic_mean"), _metric(obj, "rank_ic_se")
        return "—" if ic is None else f"{ic:+.4f} ± {se or 0:.4f}"

    @admin.display(description="OOS hit rate")
    def oos_hit_rate(self, obj: ModelVersion) -> str:
        hit = _metric(obj, "hit_rate")
        return "—" if hit is None else f"{hit:.1%}"

    @admin.display(description="LS net Sharpe")
    def ls_net_sharpe(self, obj: ModelVersion) -> str:
        sharpe = _metric(obj, "long_short", "net", "sharpe")
        return "—" if sharpe is None else f"{sharpe:+.2f}"

    @admin.display(description="reliability")
    def reliability_display(self, obj: ModelVersion) -> str:
        return f"{obj.reliability:.2f}"

    @admin.display(description="metrics")
    def metrics_pretty(self, obj: ModelVersion) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.metrics, indent=2))

    @admin.action(description="Promote the selected version to champion")
    def promote_selected(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to promote.", messages.ERROR)
            return
        try:
            version = registry.promote(
                queryset.get(), user=request.user, reason=f"Promoted by hand in the admin by {request.user}"
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"Version {version.pk} is now the champion.", messages.SUCCESS)

    @admin.action(description="Roll back the champion to the previous one")
    def rollback_champion(self, request, queryset) -> None:
        try:
            version = registry.rollback(
                user=request.user, reason=f"Rolled back in the admin by {request.user}"
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(
            request, f"Rolled back: version {version.pk} is the champion again.", messages.SUCCESS
        )


@admin.register(RegistryEvent)
class RegistryEventAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["created_at", "model_version", "action", "from_status", "to_status", "actor", "reason"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in RegistryEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the log is append-only


@admin.register(Prediction)
class PredictionAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = [
        "as_of",
        "ticker",
        "model_version",
        "rank",
        "side",
        "score",
        "expected_return",
        "confidence",
    ]
    list_filter = ["as_of", "model_version", "side"]
    date_hierarchy = "as_of"
    search_fields = ["ticker"]
    list_select_related = ["model_version"]
    readonly_fields = [f.name for f in Prediction._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TrainingJob)
class TrainingJobAdmin(AdminRoleMixin, admin.ModelAdmin):
    list_display = ["id", "algorithm", "promote", "status", "requested_by", "model_version", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in TrainingJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
