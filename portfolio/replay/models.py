"""``ReplayRun``: one replay request, its parameters, what it ran on and what it found.

Defined here, next to the replay, and imported by ``portfolio.models`` so Django registers it in the
portfolio app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReplayRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(
        default=dict, help_text="start, end, data, strategies, offsets, rebalance, retrain, costs."
    )
    data_fingerprint = models.JSONField(default=dict, blank=True, help_text="Source, tickers, dates, sha256.")
    model_versions = models.JSONField(
        default=list, blank=True, help_text="Fingerprints of the models trained inside the replay."
    )
    code_version = models.CharField(max_length=64, blank=True, help_text="git sha of the code, if known.")
    parts_total = models.PositiveIntegerField(default=0, help_text="(strategy, offset) replays to run.")
    parts_done = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=dict, blank=True, help_text="Statistics, by year, equity curves.")
    error = models.TextField(blank=True)
    seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "portfolio"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"replay #{self.pk} {self.params.get('start')}…{self.params.get('end')} ({self.status})"

    @property
    def progress(self) -> float:
        return self.parts_done / self.parts_total if self.parts_total else 0.0
