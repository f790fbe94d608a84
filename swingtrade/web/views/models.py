"""Server-rendered pages of mlcore: the model registry and the monitoring of the serving model.

Analysts and administrators read both pages; only administrators see (and may post) the promote,
rollback and gate-override forms. Every write goes through the registry or gate service, whose
refusals come back as a message on the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mlcore.models import ModelVersion, RegistryEvent
from mlcore.monitoring import gate
from mlcore.monitoring import selectors as monitoring_selectors
from mlcore.registry import versions as registry
from swingtrade.accounts import roles
from swingtrade.errors import DomainError
from swingtrade.web import charts
from swingtrade.web.pages import admin_required, analyst_required

RECENT_REPORTS = 30
RECENT_ALERTS = 20
RECENT_EVENTS = 20


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 36}))


class OverrideForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        min_length=10,
        widget=forms.TextInput(attrs={"size": 48}),
        help_text=gettext_lazy("Who asked and why."),
    )
    hours = forms.IntegerField(min_value=1, initial=24)


# --- models ---------------------------------------------------------------------------------------


@analyst_required
def model_list(request: HttpRequest) -> HttpResponse:
    versions = list(ModelVersion.objects.select_related("trained_by", "promoted_by"))
    selected = _selected_version(request, versions)
    context: dict[str, Any] = {
        "versions": versions,
        "selected": selected,
        "can_manage": roles.is_admin(request.user),
        "events": RegistryEvent.objects.select_related("model_version", "actor")[:RECENT_EVENTS],
        "reason_form": ReasonForm(),
    }
    if selected is not None:
        folds = selected.metrics.get("folds", []) if isinstance(selected.metrics, dict) else []
        context["folds"] = folds
        context["fold_chart"] = charts.fold_rank_ic_chart(folds, overall=selected.rank_ic)
    return render(request, "mlcore/model_list.html", context)


def _selected_version(request: HttpRequest, versions: list[ModelVersion]) -> ModelVersion | None:
    """``?version=<id>``, else the champion, else the newest version."""
    wanted = request.GET.get("version")
    if wanted and wanted.isdigit():
        return get_object_or_404(ModelVersion, pk=int(wanted))
    champion = next((v for v in versions if v.status == ModelVersion.Status.CHAMPION), None)
    return champion or (versions[0] if versions else None)


@require_POST
@admin_required
def model_promote(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(ModelVersion, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the promotion."))
    else:
        try:
            registry.promote(version, user=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("Model version %(pk)s is now the champion.") % {"pk": version.pk})
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect(f"{_models_url()}?version={version.pk}")


@require_POST
@admin_required
def model_rollback(request: HttpRequest) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the rollback."))
        return redirect(_models_url())
    try:
        restored = registry.rollback(user=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("Rolled back: model version %(pk)s is the champion again.") % {"pk": restored.pk}
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_models_url())


def _models_url() -> str:
    return reverse("mlcore:models")


# --- monitoring -----------------------------------------------------------------------------------


@analyst_required
def monitoring_page(request: HttpRequest) -> HttpResponse:
    wanted = request.GET.get("report")
    if wanted and wanted.isdigit():
        report = get_object_or_404(monitoring_selectors.reports(), pk=int(wanted))
    else:
        report = monitoring_selectors.latest_report()
    metrics = report.metrics if report is not None and isinstance(report.metrics, dict) else {}
    history = list(monitoring_selectors.reports()[:RECENT_REPORTS])
    drift = charts.drift_rows(metrics.get("drift") or {})
    context: dict[str, Any] = {
        "report": report,
        "metrics": metrics,
        "gate": gate.gate_state(),
        "override": monitoring_selectors.active_override(),
        "history": history,
        "alerts": monitoring_selectors.alerts()[:RECENT_ALERTS],
        "drift_rows": drift,
        "drift_measured": any(row["psi"] is not None for row in drift),
        "daily_chart": charts.realised_ic_chart(metrics.get("daily") or [], metrics.get("validation") or {}),
        "can_manage": roles.is_admin(request.user),
        "override_form": OverrideForm(),
    }
    return render(request, "mlcore/monitoring.html", context)


@require_POST
@admin_required
def monitoring_override(request: HttpRequest) -> HttpResponse:
    form = OverrideForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("mlcore:monitoring")
    try:
        override = gate.gate_override_create(
            user=request.user, reason=form.cleaned_data["reason"], hours=form.cleaned_data["hours"]
        )
        until = formats.date_format(override.expires_at, "SHORT_DATETIME_FORMAT")
        messages.success(request, _("Recommendations are open until %(until)s UTC.") % {"until": until})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("mlcore:monitoring")


@require_POST
@admin_required
def monitoring_override_revoke(request: HttpRequest) -> HttpResponse:
    try:
        gate.gate_override_revoke(user=request.user)
        messages.success(request, _("The override ended; the gate follows the monitoring report again."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("mlcore:monitoring")
