"""Prices and the audit trail of how they got here.

Prices are stored as float64 (``FloatField`` = double precision): the quant code reads them into
NumPy anyway, float64 round-trips exactly through both SQLite and PostgreSQL, so "did the value
change?" is an exact comparison and re-ingesting the same file writes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse


class Ticker(models.Model):
    symbol = models.CharField(
        max_length=16, unique=True, help_text="Normalised: upper case, '.' for classes."
    )
    name = models.CharField(max_length=200, blank=True)
    sector = models.CharField(max_length=64, blank=True)
    exchange = models.CharField(max_length=16, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    is_active = models.BooleanField(default=True)
    first_bar_date = models.DateField(null=True, blank=True)
    last_bar_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["symbol"]

    def __str__(self) -> str:
        return self.symbol


class IngestionRun(models.Model):
    class Source(models.TextChoices):
        SAMPLE = "sample", "Embedded sample"
        CSV = "csv", "CSV file"
        YAHOO = "yahoo", "Yahoo Finance"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Partially succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=16, choices=Source.choices)
    params = models.JSONField(default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    rows_total = models.PositiveIntegerField(default=0)
    inserted = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0, help_text="Accepted rows with a warning (large moves).")
    issue_counts = models.JSONField(
        default=dict, blank=True, help_text="Rejected and flagged rows by reason."
    )
    failed_tickers = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["status", "-started_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.source} {self.status}"

    def get_absolute_url(self) -> str:
        return reverse("market-api:ingestion-run-detail", args=[self.pk])

    @property
    def rows_written(self) -> int:
        return self.inserted + self.updated

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class DailyBar(models.Model):
    """One trading day of one ticker. Prices as traded (unadjusted); ``adj_close`` as the vendor adjusts.

    Close-only sources are accepted: open/high/low/volume are nullable, and a missing ``adj_close``
    is taken to equal ``close`` (no corporate actions known).
    """

    # A database FK (deferred), so raw SQL cannot leave orphan bars; no single-column index: the
    # unique (ticker, date) index serves lookups. PostgreSQL checks the FK with one trigger call per
    # inserted row (11 s of a 1 M-row load), so a bulk first load drops it and re-adds it after the
    # COPY, validated in one scan (market.ingest.writers).
    ticker = models.ForeignKey(Ticker, on_delete=models.CASCADE, related_name="bars", db_index=False)
    date = models.DateField()
    open = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    close = models.FloatField()
    adj_close = models.FloatField()
    volume = models.BigIntegerField(null=True, blank=True)
    dividend = models.FloatField(default=0.0)
    split_factor = models.FloatField(default=1.0)
    # The last run that inserted or changed this bar ("what changed since run N").
    # No FK constraint and no index: it would cost a trigger and an index write per row on bulk loads.
    last_run = models.ForeignKey(
        IngestionRun,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        ordering = ["ticker_id", "date"]
        constraints = [
            # Also the index for "all bars of a ticker in a date range".
            models.UniqueConstraint(fields=["ticker", "date"], name="market_bar_ticker_date_uniq"),
        ]
        indexes = [
            # "All tickers on a date" (cross-sections, latest bar date).
            models.Index(fields=["date", "ticker"], name="market_bar_date_ticker_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.ticker_id}@{self.date}"


class IngestionIssue(models.Model):
    """A rejected row (not stored) or a flagged row (stored, with a warning) of one run."""

    class Severity(models.TextChoices):
        REJECTED = "rejected", "Rejected"
        FLAGGED = "flagged", "Flagged"

    run = models.ForeignKey(IngestionRun, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=8, choices=Severity.choices)
    reason = models.CharField(max_length=32)
    ticker = models.CharField(max_length=32, blank=True)
    date = models.DateField(null=True, blank=True)
    line = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Line in the source file (1 = the header); row number for other sources.",
    )
    detail = models.CharField(max_length=255, blank=True)
    # A break that holds its ticker out of scoring (market.validation.HOLDING_FLAGS) ends when an admin
    # confirms the bar (market.services.confirm_breaks) — who and when are kept for the audit trail.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        indexes = [
            # held_out_tickers: the unconfirmed breaks, a handful among thousands of rejections.
            models.Index(fields=["reason", "ticker", "date"], name="market_issue_reason_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.severity} {self.reason} {self.ticker} {self.date}"


class BarRevision(models.Model):
    """A stored bar changed by a later run (a vendor correction): old and new values of what changed."""

    bar = models.ForeignKey(DailyBar, on_delete=models.CASCADE, related_name="revisions")
    run = models.ForeignKey(IngestionRun, on_delete=models.CASCADE, related_name="revisions")
    changed_at = models.DateTimeField(auto_now_add=True)
    old_values = models.JSONField()
    new_values = models.JSONField()

    class Meta:
        ordering = ["-run_id", "bar_id"]

    def __str__(self) -> str:
        return f"revision of bar {self.bar_id} by run {self.run_id}"


class FxRate(models.Model):
    """A daily reference rate: ``rate`` units of ``quote`` per ``base`` (EURUSD 1.20: 1 € = 1.20 $).

    Loaded from the ECB's euro reference rates (market/data/eurusd_ecb_*.csv.gz, by ``bootstrap``);
    read through ``market.fx.fx_rate`` only, which also answers the inverse pair.
    """

    base = models.CharField(max_length=3)
    quote = models.CharField(max_length=3)
    date = models.DateField()
    rate = models.FloatField()
    source = models.CharField(max_length=32, default="ECB")

    class Meta:
        ordering = ["base", "quote", "date"]
        constraints = [
            models.UniqueConstraint(fields=["base", "quote", "date"], name="market_fxrate_unique"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="market_fxrate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.base}{self.quote} {self.date} {self.rate}"
