from __future__ import annotations

from rest_framework import serializers

from portfolio.replay.models import ReplayRun
from portfolio.replay.strategies import STRATEGIES


class ReplayRequestSerializer(serializers.Serializer):
    """A replay of the stored bars (files are for the command line only)."""

    start = serializers.DateField(required=False, allow_null=True)
    end = serializers.DateField(required=False, allow_null=True)
    strategies = serializers.ListField(
        child=serializers.ChoiceField(choices=list(STRATEGIES)), required=False, allow_empty=False
    )
    offsets = serializers.JSONField(required=False, help_text="'all' or a list of offsets (default [0]).")
    rebalance_every = serializers.IntegerField(required=False, default=5, min_value=1, max_value=63)
    retrain = serializers.ChoiceField(
        choices=["monthly", "quarterly", "never"], required=False, default="monthly"
    )
    cost_preset = serializers.CharField(required=False, default="french-online")


class ReplayRunListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="replay-detail")
    progress = serializers.FloatField(read_only=True)

    class Meta:
        model = ReplayRun
        fields = [
            "id",
            "url",
            "status",
            "progress",
            "parts_done",
            "parts_total",
            "params",
            "code_version",
            "seconds",
            "error",
            "created_at",
            "finished_at",
        ]


class ReplayRunDetailSerializer(ReplayRunListSerializer):
    class Meta(ReplayRunListSerializer.Meta):
        fields = [*ReplayRunListSerializer.Meta.fields, "data_fingerprint", "model_versions", "results"]
