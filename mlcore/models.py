"""Model registry records: versions with their artefacts and metrics, the event log, predictions, jobs."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mlcore.evaluation import promotion


class ModelVersion(models.Model):
    """One trained model: what it is, what data it saw, how good it was out of sample, and its artefact.

    ``metrics`` holds the walk-forward evaluation (``oos`` overall, ``folds`` per fold, ``comparison``
    against the champion on the same window when a promotion was attempted); ``calibration`` maps a
    score bucket to an expected return and a confidence; ``feature_reference`` holds per-feature
    quantiles over the training window so drift can be measured without re-reading the training data.
    """

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        CHAMPION = "champion", _("Champion")
        RETIRED = "retired", _("Retired")
        REJECTED = "rejected", _("Rejected")

    class Window(models.TextChoices):
        EXPANDING = "expanding", _("Expanding")
        ROLLING = "rolling", _("Rolling")

    algorithm = models.CharField(max_length=32)
    params = models.JSONField(default=dict, help_text="Hyper-parameters of the estimator.")
    features = models.JSONField(default=list, help_text="Model input columns, in order.")
    target = models.CharField(max_length=16, default="rank", help_text="rank or return label.")
    horizon = models.PositiveSmallIntegerField(help_text="Label horizon in trading days.")
    training_window = models.CharField(max_length=16, choices=Window.choices, default=Window.EXPANDING)
    training_window_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="Trading days of a rolling window; empty when expanding."
    )
    train_start = models.DateField(help_text="First date of the final fit's training window.")
    train_end = models.DateField(help_text="Last date of the final fit's training window.")
    oos_start = models.DateField(null=True, blank=True, help_text="First out-of-sample (walk-forward) date.")
    oos_end = models.DateField(null=True, blank=True)
    data_fingerprint = models.JSONField(default=dict, help_text="Tickers, date range, sha256 of the bars.")
    data_sha256 = models.CharField(max_length=64, db_index=True)
    metrics = models.JSONField(default=dict)
    calibration = models.JSONField(default=dict)
    feature_reference = models.JSONField(default=dict)
    artefact_path = models.CharField(max_length=500, blank=True)
    artefact_sha256 = models.CharField(max_length=64, blank=True)
    training_seconds = models.FloatField(default=0.0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CANDIDATE, db_index=True)
    status_reason = models.TextField(blank=True)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    promoted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="champion"), name="mlcore_single_champion"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.algorithm} h={self.horizon} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("mlcore-model-detail", kwargs={"pk": self.pk})

    @property
    def oos(self) -> dict[str, Any]:
        return self.metrics.get("oos", {}) if isinstance(self.metrics, dict) else {}

    @property
    def rank_ic(self) -> float | None:
        value = self.oos.get("rank_ic_mean")
        return None if value is None or math.isnan(value) else float(value)

    @property
    def edge_status(self) -> str:
        """``"demonstrated edge"`` or ``"no demonstrated edge"`` (:mod:`mlcore.evaluation.promotion`)."""
        return promotion.edge_status(self.rank_ic, self.oos.get("rank_ic_t"))

    @property
    def reliability(self) -> float:
        """How far to trust the expected returns, in [0, 1]; consumers shrink them by this factor.

        Zero unless the model has a demonstrated edge (positive out-of-sample rank IC whose HAC t-stat,
        :mod:`mlcore.evaluation.ic`, exceeds the promotion threshold ``MLCORE_PROMOTION_MIN_T``) and its
        hit rate beats a coin; then it grows linearly with that t-statistic, reaching 1 at t = 3. A
        model with no demonstrated edge (e.g. the first one trained on a short history) may serve, but
        contributes no expected return.
        """
        t_stat, hit = self.oos.get("rank_ic_t"), self.oos.get("hit_rate")
        if not promotion.has_demonstrated_edge(self.rank_ic, t_stat):
            return 0.0
        if hit is None or math.isnan(hit) or hit <= 0.5:
            return 0.0
        return float(min(1.0, t_stat / 3.0))


class RegistryEvent(models.Model):
    """Append-only log of every status change of a model version: who, when, why."""

    class Action(models.TextChoices):
        TRAINED = "trained", _("Trained")
        PROMOTED = "promoted", _("Promoted")
        RETIRED = "retired", _("Retired")
        REJECTED = "rejected", _("Rejected")
        ROLLED_BACK = "rolled_back", _("Rolled back")
        ARTEFACT_INVALID = "artefact_invalid", _("Artefact invalid")

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=24, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.model_version_id} ({self.from_status}→{self.to_status})"


class Prediction(models.Model):
    """One stored recommendation: which model said what about a ticker at the close of ``as_of``."""

    class Side(models.TextChoices):
        BUY = "buy", "Buy"
        SELL = "sell", "Sell / short"
        NEUTRAL = "neutral", "Neutral"

    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="predictions")
    as_of = models.DateField(help_text="Date of the prices the prediction was made from.")
    ticker = models.CharField(max_length=16, help_text="market.Ticker symbol.")
    score = models.FloatField()
    expected_return = models.FloatField(help_text="Calibrated log return over the horizon vs the universe.")
    predicted_volatility = models.FloatField(null=True, blank=True, help_text="Stdev over the horizon.")
    confidence = models.FloatField(null=True, blank=True, help_text="OOS hit rate of the score's bucket.")
    rank = models.PositiveIntegerField(help_text="1 = highest score on that date.")
    side = models.CharField(max_length=8, choices=Side.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["as_of", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "as_of", "ticker"], name="mlcore_prediction_unique"
            )
        ]
        indexes = [models.Index(fields=["as_of", "model_version"], name="mlcore_pred_asof_model")]

    def __str__(self) -> str:
        return f"{self.ticker} {self.as_of} {self.side} #{self.rank}"


class TrainingJob(models.Model):
    """A training requested through the API: queued, run by Celery, linked to the version it made."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    algorithm = models.CharField(max_length=32)
    params = models.JSONField(default=dict, blank=True)
    promote = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    error = models.TextField(blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"training job #{self.pk} {self.algorithm} ({self.status})"


# Monitoring records live in the monitoring package (app_label "mlcore", same tables); Django finds an
# app's models through ``mlcore.models``, so they are imported here by name. Kept last: they reference
# ModelVersion.
from mlcore.monitoring.models import (  # noqa: E402, F401
    Alert,
    GateOverride,
    MonitoringReport,
    MonitoringThresholds,
)
