"""The audited writes, recorded from model signals so the API, the web pages, the admin, commands and
tasks are all covered by one rule, whatever view or service made the change.

``AUDITED``: model label → (action prefix, audit every update too, or only creation, fields to copy).
Rows written with ``QuerySet.update`` / ``bulk_create`` bypass signals; services that do so for an
audited model call :func:`swingtrade.audit.services.record` themselves.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import post_delete, post_save

from swingtrade.audit.services import record

AUDITED: dict[str, tuple[str, bool, tuple[str, ...]]] = {
    "portfolio.trade": (
        "trade",
        False,
        ("portfolio_id", "ticker_id", "side", "quantity", "price", "traded_on"),
    ),
    "portfolio.orderproposal": ("proposal", True, ("portfolio_id", "status", "side", "quantity")),
    "portfolio.optimizationrun": ("optimisation", False, ("portfolio_id", "objective")),
    "portfolio.portfolio": ("portfolio", True, ("name",)),
    "portfolio.costprofile": ("cost_profile", True, ("name",)),
    "mlcore.registryevent": ("registry", False, ("action", "model_version_id", "to_status", "reason")),
    "mlcore.trainingjob": ("training", False, ("algorithm", "promote")),
    "mlcore.gateoverride": ("gate_override", True, ("reason", "expires_at", "revoked_at")),
    "mlcore.monitoringthresholds": ("thresholds", True, ()),
    "market.ingestionrun": ("ingestion", False, ("source", "status")),
    "accounts.user": ("user", False, ("username", "is_staff")),
}


def _fields(instance: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in names if hasattr(instance, name)}


def _on_save(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures being loaded
        return
    prefix, every_update, names = AUDITED[sender._meta.label_lower]
    if not created and not every_update:
        return
    record(f"{prefix}.{'created' if created else 'updated'}", obj=instance, details=_fields(instance, names))


def _on_delete(sender: Any, instance: Any, **kwargs: Any) -> None:
    prefix, _, names = AUDITED[sender._meta.label_lower]
    record(f"{prefix}.deleted", obj=instance, details=_fields(instance, names))


def connect() -> None:
    for label in AUDITED:
        app_label, model_name = label.split(".")
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # an app restructured away: nothing to audit there
            continue
        post_save.connect(_on_save, sender=model, dispatch_uid=f"audit-save-{label}")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"audit-delete-{label}")
