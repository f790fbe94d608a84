"""Monitoring records: the reports, the alerts they raised, gate overrides and the editable thresholds.

Imported by name at the end of ``mlcore/models.py`` so Django registers them under the ``mlcore`` app
(``app_label`` stays ``mlcore`` and so do the table names: moving the module needed no migration).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mlcore import monitoring
from mlcore.monitoring import messages

__all__ = ["Alert", "GateOverride", "MonitoringReport", "MonitoringThresholds"]

STATE_CHOICES = [(s, s) for s in monitoring.STATES]
_fraction = [MinValueValidator(0.0), MaxValueValidator(1.0)]


#: Allowed range of each numeric threshold, inclusive (issue 12): a value outside switches alerting off
#: in effect (critical_t=1e308 never fires, psi_threshold=0 flags every feature, coverage_critical=0 never
#: fires) or makes the monitor meaningless. Checked by ``clean`` (admin and API alike).
THRESHOLD_RANGES: dict[str, tuple[float, float]] = {
    "short_window": (5, 250),
    "long_window": (10, 1000),
    "min_dates": (3, 250),
    "warn_t": (0.5, 10.0),
    "critical_t": (0.5, 10.0),
    "psi_threshold": (0.01, 5.0),
    "drift_share_warn": (0.01, 1.0),
    "stale_warn_sessions": (1, 20),
    "stale_critical_sessions": (1, 60),
    "coverage_warn": (0.05, 1.0),
    "coverage_critical": (0.05, 1.0),
    "training_window_years": (1, 30),
    "alert_max_emails": (1, 100),
    "alert_window_hours": (1, 24 * 30),
    "override_max_hours": (1, 24 * 30),
}


class MonitoringThresholds(models.Model):
    """The single row of monitoring settings (pk=1); defaults come from ``settings.MONITORING_DEFAULTS``."""

    class TrainingWindow(models.TextChoices):
        EXPANDING = "expanding", _("Expanding (all history)")
        ROLLING = "rolling", _("Rolling (last N years)")

    short_window = models.PositiveIntegerField(validators=[MinValueValidator(5)], help_text="Trading days.")
    long_window = models.PositiveIntegerField(
        validators=[MinValueValidator(10)], help_text="Trading days; only this window can raise CRITICAL."
    )
    min_dates = models.PositiveIntegerField(
        validators=[MinValueValidator(3)],
        help_text="Matured prediction dates needed before a window is judged.",
    )
    warn_t = models.FloatField(validators=[MinValueValidator(0.5)], help_text="|t| that raises WARN.")
    critical_t = models.FloatField(validators=[MinValueValidator(0.5)], help_text="|t| that raises CRITICAL.")
    psi_threshold = models.FloatField(
        validators=[MinValueValidator(0.0)], help_text="PSI above which a feature drifts."
    )
    drift_share_warn = models.FloatField(
        validators=_fraction, help_text="Share of drifting features for WARN."
    )
    stale_warn_sessions = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    stale_critical_sessions = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    coverage_warn = models.FloatField(validators=_fraction)
    coverage_critical = models.FloatField(validators=_fraction)
    retrain_on_critical = models.BooleanField(
        help_text="Queue a retraining when the champion turns CRITICAL."
    )
    training_window = models.CharField(max_length=16, choices=TrainingWindow.choices)
    training_window_years = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Length of the rolling window (ignored when expanding)."
    )
    alert_max_emails = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="E-mails per alert window before further changes are muted.",
    )
    alert_window_hours = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    override_max_hours = models.PositiveIntegerField(
        validators=[MinValueValidator(1)], help_text="Longest gate override an administrator may grant."
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "monitoring thresholds"
        verbose_name_plural = "monitoring thresholds"

    def __str__(self) -> str:
        return "Monitoring thresholds"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # a singleton: every save writes the one row
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> MonitoringThresholds:
        row, _ = cls.objects.get_or_create(pk=1, defaults=dict(settings.MONITORING_DEFAULTS))
        return row

    def clean(self) -> None:
        """Ranges (:data:`THRESHOLD_RANGES`), then cross-field rules, each pair once both values are valid."""
        errors: dict[str, str] = {}
        for name, (low, high) in THRESHOLD_RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or (value is not None and not isinstance(value, int | float)):
                errors[name] = "Must be a number."
            elif value is not None and not low <= value <= high:
                errors[name] = f"Must be between {low:g} and {high:g}."
        pairs = [
            ("short_window", "long_window", "The short window cannot be longer than the long window."),
            ("min_dates", "short_window", "Cannot exceed the short window."),
            ("warn_t", "critical_t", "WARN must trigger before CRITICAL (warn_t ≤ critical_t)."),
            ("stale_warn_sessions", "stale_critical_sessions", "Cannot exceed stale_critical_sessions."),
            ("coverage_critical", "coverage_warn", "Cannot exceed coverage_warn."),
        ]
        for low, high, message in pairs:
            a, b = getattr(self, low), getattr(self, high)
            if low in errors or high in errors:
                continue
            if a is not None and b is not None and a > b:
                errors[low] = message
        if errors:
            raise ValidationError(errors)

    def rules(self) -> monitoring.Rules:
        return monitoring.Rules(
            short_window=self.short_window,
            long_window=self.long_window,
            min_dates=self.min_dates,
            warn_t=self.warn_t,
            critical_t=self.critical_t,
            psi_threshold=self.psi_threshold,
            drift_share_warn=self.drift_share_warn,
            stale_warn_sessions=self.stale_warn_sessions,
            stale_critical_sessions=self.stale_critical_sessions,
            coverage_warn=self.coverage_warn,
            coverage_critical=self.coverage_critical,
        )


class MonitoringReport(models.Model):
    """One monitoring run for one model: its metrics, the state they imply, and why."""

    class Role(models.TextChoices):
        CHAMPION = "champion", _("Champion")
        CHALLENGER = "challenger", _("Challenger")
        NONE = "none", _("No model")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    as_of = models.DateField(help_text="The day the run judged (data up to this date).")
    data_date = models.DateField(null=True, blank=True, help_text="Latest bar used.")
    model_version = models.ForeignKey(
        "mlcore.ModelVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitoring_reports",
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    state = models.CharField(max_length=8, choices=STATE_CHOICES, db_index=True)
    summary = models.TextField()
    reasons = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    thresholds = models.JSONField(default=dict)
    retrain_requested = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["role", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.as_of} {self.role} {self.state}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring-report-detail", args=[self.pk])

    @property
    def summary_text(self) -> str:
        """``summary`` in the reader's language; the stored English stays the record (API, e-mails)."""
        return messages.summary_text(self.summary)

    @property
    def reasons_text(self) -> list[dict[str, Any]]:
        """``reasons`` with each ``message`` in the reader's language."""
        return [{**reason, "message": messages.text(reason.get("message", ""))} for reason in self.reasons]


class Alert(models.Model):
    """A state change, a gate override or a retraining outcome announced to the administrators."""

    class Kind(models.TextChoices):
        STATE_CHANGE = "state_change", _("State change")
        OVERRIDE = "override", _("Gate override")
        RETRAIN = "retrain", _("Retraining")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    report = models.ForeignKey(
        MonitoringReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    previous_state = models.CharField(max_length=8, choices=STATE_CHOICES, blank=True)
    state = models.CharField(max_length=8, choices=STATE_CHOICES, blank=True)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    recipients = models.JSONField(default=list)
    emailed = models.BooleanField(default=False)
    suppressed_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject

    @property
    def subject_text(self) -> str:
        """``subject`` in the reader's language (the e-mail went out in English, as stored)."""
        return messages.text(self.subject)

    @property
    def suppressed_reason_text(self) -> str:
        return messages.text(self.suppressed_reason)


class GateOverride(models.Model):
    """An administrator opening the gate despite a CRITICAL report: who, why, until when."""

    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    expires_at = models.DateTimeField()
    report = models.ForeignKey(
        MonitoringReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="overrides"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"override by {self.created_by} until {self.expires_at:%Y-%m-%d %H:%M}"

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.created_at <= now < self.expires_at

    @property
    def duration(self) -> timedelta:
        return self.expires_at - self.created_at
