"""Admin for the registry: versions with their metrics and promote / rollback actions, predictions, jobs."""

from __future__ import annotations

import json
import math

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.html import format_html

from mlcore.admin_roles import AdminRoleMixin
from mlcore.evaluation import promotion
from mlcore.models import ModelVersion, Prediction, RegistryEvent, TrainingJob
from mlcore.registry import versions as registry
from swingtrade.errors import DomainError


class ReasonForm(forms.Form):
    """Why a champion changes: required, stored in the registry's event log."""

    _selected_action = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), strip=True)


def _format(value, spec: str) -> str:
    finite = isinstance(value, int | float) and math.isfinite(value)
    return format(value, spec) if finite else "—"


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
        "ls_net_sharpe", "reliability_display", "edge_status", "created_at",
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

    @admin.action(description="Promote the selected version to champion…")
    def promote_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to promote.", messages.ERROR)
            return None
        version = queryset.get()
        current = registry.champion()
        decided = (
            version.metrics.get("comparison", {}).get("decision")
            if isinstance(version.metrics, dict)
            else None
        )
        summary = [
            f"Version {version.pk} ({version.algorithm}, h={version.horizon}): "
            f"{promotion.edge_status(version.rank_ic, version.oos.get('rank_ic_t'))} "
            f"(OOS rank IC t {_format(version.oos.get('rank_ic_t'), '+.2f')}, "
            f"threshold {promotion.min_t():.2f}); reliability {version.reliability:.2f}.",
            f"Current champion: {current}." if current else "No champion is serving.",
            f"The promotion policy said: {decided}" if decided else "The promotion policy has not judged it.",
        ]
        return self._with_reason(
            request,
            queryset,
            action="promote_selected",
            title=f"Promote version {version.pk}",
            summary=summary,
            apply=lambda reason: registry.promote(version, user=request.user, reason=reason),
            done=lambda v: f"Version {v.pk} is now the champion.",
        )

    @admin.action(description="Roll back the champion to the previous one…")
    def rollback_champion(self, request, queryset):
        current = registry.champion()
        return self._with_reason(
            request,
            queryset,
            action="rollback_champion",
            title="Roll back the champion",
            summary=[f"Current champion: {current}." if current else "No champion is serving."],
            apply=lambda reason: registry.rollback(user=request.user, reason=reason),
            done=lambda v: f"Rolled back: version {v.pk} is the champion again.",
        )

    def _with_reason(self, request, queryset, *, action, title, summary, apply, done):
        """An intermediate page asking why, as every other face of a champion change does.

        First call: render the form. Its submission (``apply``) runs the change with the reason given;
        a blank reason re-renders the form with the error and changes nothing.
        """
        if "apply" in request.POST:
            form = ReasonForm(request.POST)
            if form.is_valid():
                try:
                    version = apply(form.cleaned_data["reason"])
                except DomainError as exc:
                    self.message_user(request, exc.message, messages.ERROR)
                    return None
                self.message_user(request, done(version), messages.SUCCESS)
                return None
        else:
            form = ReasonForm(initial={"_selected_action": list(queryset.values_list("pk", flat=True))})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "summary": summary,
            "form": form,
            "action": action,
        }
        return TemplateResponse(request, "admin/mlcore/modelversion/action_reason.html", context)


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
