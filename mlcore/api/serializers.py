from __future__ import annotations

from rest_framework import serializers

from mlcore.models import ModelVersion, RegistryEvent, TrainingJob
from mlcore.training import candidates


class RankingQuerySerializer(serializers.Serializer):
    """Parses types only; the allowed sides and limits are checked by ``mlcore.serving.ranking``
    (one place)."""

    as_of = serializers.DateField(required=False, allow_null=True)
    side = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    limit = serializers.IntegerField(required=False, allow_null=True)


class RankingEntrySerializer(serializers.Serializer):
    ticker = serializers.CharField()
    side = serializers.CharField()
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    expected_return = serializers.FloatField()
    predicted_volatility = serializers.FloatField(allow_null=True)
    confidence = serializers.FloatField(allow_null=True)


class ModelVersionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = ["id", "algorithm", "status", "horizon", "train_end", "reliability", "edge_status"]


class RankingSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    data_date = serializers.DateField()
    horizon_days = serializers.IntegerField()
    model_version = ModelVersionBriefSerializer()
    buys = RankingEntrySerializer(many=True)
    sells = RankingEntrySerializer(many=True)
    in_sample = serializers.BooleanField()
    warning = serializers.CharField(allow_null=True)
    held_out = serializers.SerializerMethodField(
        help_text="Tickers not scored on data_date, with the reason."
    )

    def get_held_out(self, ranking) -> list[dict[str, str]]:
        from market.selectors import held_out_tickers

        return [{"ticker": t, "reason": r} for t, r in sorted(held_out_tickers(ranking.data_date).items())]


class RegistryEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True)

    class Meta:
        model = RegistryEvent
        fields = ["id", "action", "from_status", "to_status", "actor", "reason", "details", "created_at"]


class ModelVersionListSerializer(serializers.ModelSerializer):
    rank_ic = serializers.FloatField(read_only=True)
    trained_by = serializers.CharField(source="trained_by.username", default=None, allow_null=True)
    promoted_by = serializers.CharField(source="promoted_by.username", default=None, allow_null=True)
    url = serializers.HyperlinkedIdentityField(view_name="mlcore-model-detail")

    class Meta:
        model = ModelVersion
        fields = [
            "id", "url", "algorithm", "status", "status_reason", "horizon", "training_window",
            "train_start", "train_end", "oos_start", "oos_end", "rank_ic", "reliability", "edge_status",
            "training_seconds", "trained_by", "promoted_by", "promoted_at", "created_at",
        ]  # fmt: skip


class ModelVersionDetailSerializer(ModelVersionListSerializer):
    events = RegistryEventSerializer(many=True, read_only=True)

    class Meta(ModelVersionListSerializer.Meta):
        fields = [
            *ModelVersionListSerializer.Meta.fields,
            "params", "features", "target", "training_window_size", "data_fingerprint", "metrics",
            "calibration", "artefact_path", "artefact_sha256", "events",
        ]  # fmt: skip


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=3, max_length=2000)


class TrainRequestSerializer(serializers.Serializer):
    algorithm = serializers.ChoiceField(choices=list(candidates.MODELS), required=False)
    params = serializers.DictField(required=False)
    promote = serializers.BooleanField(required=False, default=False)


class TrainingJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="mlcore-training-job")
    model_version_url = serializers.HyperlinkedRelatedField(
        source="model_version", view_name="mlcore-model-detail", read_only=True, allow_null=True
    )

    class Meta:
        model = TrainingJob
        fields = [
            "id", "url", "algorithm", "params", "promote", "status", "error", "model_version",
            "model_version_url", "created_at", "started_at", "finished_at",
        ]  # fmt: skip
