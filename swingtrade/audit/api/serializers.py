from __future__ import annotations

from rest_framework import serializers

from swingtrade.audit.models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "user",
            "action",
            "object_type",
            "object_id",
            "request_id",
            "details",
        ]
        read_only_fields = fields
