"""Serializers of the monitoring API (reports, alerts, overrides, thresholds, gate)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from mlcore.monitoring.models import (
    THRESHOLD_RANGES,
    Alert,
    GateOverride,
    MonitoringReport,
    MonitoringThresholds,
)


class MonitoringReportSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="get_absolute_url", read_only=True)
    model_version_label = serializers.SerializerMethodField()

    class Meta:
        model = MonitoringReport
        fields = [
            "id",
            "url",
            "created_at",
            "as_of",
            "data_date",
            "model_version",
            "model_version_label",
            "role",
            "state",
            "summary",
            "reasons",
            "metrics",
            "thresholds",
            "retrain_requested",
        ]
        read_only_fields = fields

    def get_model_version_label(self, obj: MonitoringReport) -> str | None:
        return str(obj.model_version) if obj.model_version_id else None


class GateStateSerializer(serializers.Serializer):
    """The body of ``GET /monitoring/gate/`` (response only, ``mlcore.monitoring.gate.GateState``).

    Who overrode the gate and why are sent to analysts and admins only: not required."""

    is_open = serializers.BooleanField()
    state = serializers.CharField(
        allow_null=True, help_text="The newest serving report's state, null before any."
    )
    reason = serializers.CharField()
    report_id = serializers.IntegerField(allow_null=True)
    report_url = serializers.CharField(allow_null=True)
    report_as_of = serializers.CharField(allow_null=True)
    overridden = serializers.BooleanField()
    override_by = serializers.CharField(
        allow_null=True, required=False, help_text="Analysts and admins only."
    )
    override_reason = serializers.CharField(
        allow_null=True, required=False, help_text="Analysts and admins only."
    )
    override_expires_at = serializers.CharField(allow_null=True)


class MonitoringReportLatestSerializer(MonitoringReportSerializer):
    """The newest report of the serving model with the gate it implies (response only)."""

    gate = GateStateSerializer(read_only=True)

    class Meta(MonitoringReportSerializer.Meta):
        fields = [*MonitoringReportSerializer.Meta.fields, "gate"]
        read_only_fields = fields


class AlertSerializer(serializers.ModelSerializer):
    report_url = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "created_at",
            "kind",
            "report",
            "report_url",
            "previous_state",
            "state",
            "subject",
            "body",
            "recipients",
            "emailed",
            "suppressed_reason",
        ]
        read_only_fields = fields

    def get_report_url(self, obj: Alert) -> str | None:
        return obj.report.get_absolute_url() if obj.report_id else None


class MonitoringRunSerializer(serializers.Serializer):
    as_of = serializers.DateField(required=False, allow_null=True)


class GateOverrideInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    hours = serializers.IntegerField(min_value=1)


class GateOverrideSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)
    revoked_by = serializers.SerializerMethodField()

    class Meta:
        model = GateOverride
        fields = [
            "id",
            "created_at",
            "created_by",
            "reason",
            "expires_at",
            "report",
            "revoked_at",
            "revoked_by",
        ]
        read_only_fields = fields

    def get_revoked_by(self, obj: GateOverride) -> str | None:
        return obj.revoked_by.get_username() if obj.revoked_by_id else None


class MonitoringThresholdsSerializer(serializers.ModelSerializer):
    class Meta:
        model = MonitoringThresholds
        exclude = ["id", "updated_by"]
        read_only_fields = ["updated_at"]
        # The allowed range of each number, shown in the API schema (the model's clean enforces it).
        extra_kwargs = {
            name: {"help_text": f"Allowed range: {low:g} to {high:g}."}
            for name, (low, high) in THRESHOLD_RANGES.items()
        }

    def to_internal_value(self, data: Any) -> Any:
        # DRF's FloatField takes true/false as 1.0/0.0: for a threshold that is a typo, not a number.
        if isinstance(data, dict):
            booleans = {
                name: ["Must be a number, not true/false."]
                for name in THRESHOLD_RANGES
                if isinstance(data.get(name), bool)
            }
            if booleans:
                raise serializers.ValidationError(booleans)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The cross-field rules live on the model (admin form and API share them).
        candidate = MonitoringThresholds(**{**self._current(), **attrs})
        try:
            candidate.full_clean(exclude=["updated_by"])
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict)
        return attrs

    def _current(self) -> dict[str, Any]:
        if self.instance is None:
            return {}
        return {
            f.name: getattr(self.instance, f.name)
            for f in MonitoringThresholds._meta.concrete_fields
            if f.name != "id" and not f.is_relation
        }
