"""Celery tasks (eager in tests): the Yahoo fan-out retries a chunk, then reports the failed tickers."""

from __future__ import annotations

import pandas as pd
import pytest
from celery import current_app
from django_celery_beat.models import PeriodicTask

from market import tasks
from market.models import DailyBar, IngestionRun, Ticker
from market.sources import yahoo
from tests.market.yahoo_frames import yahoo_history, yf_download_frame

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def retrying_eagerly():
    """Run retries in-process as a worker would re-queue them (eager propagation would raise Retry)."""
    before = current_app.conf.task_eager_propagates
    current_app.conf.task_eager_propagates = False
    yield
    current_app.conf.task_eager_propagates = before


@pytest.fixture
def fake_yahoo(monkeypatch):
    """yf.download serving the sample for AAPL/MSFT and nothing, ever, for BRK-B."""
    calls: list[list[str]] = []

    def download(tickers, start, end, **kwargs):
        calls.append(sorted(tickers))
        end_inclusive = (pd.Timestamp(end) - pd.Timedelta(days=1)).date().isoformat() if end else "2100-01-01"
        return yf_download_frame(
            {t: (yahoo_history(t, start, end_inclusive) if t != "BRK-B" else None) for t in tickers}
        )

    monkeypatch.setattr(yahoo.yf, "download", download)
    return calls


def test_the_yahoo_task_retries_then_reports_the_failed_tickers(fake_yahoo, settings):
    settings.MARKET_YAHOO_CHUNK_SIZE = 2
    summary = tasks.ingest_yahoo.delay(
        symbols=["AAPL", "BRK.B", "MSFT"], start="2021-04-12", end="2021-04-21"
    ).get()

    # Chunks: [AAPL, BRK.B] fails for BRK.B and is retried 3 times; [MSFT] succeeds at once.
    assert fake_yahoo.count(["AAPL", "BRK-B"]) == 1 + tasks.ingest_yahoo_chunk.max_retries
    assert fake_yahoo.count(["MSFT"]) == 1
    assert summary["failed_tickers"] == ["BRK.B"]
    assert summary["inserted"] == 16  # 8 days of AAPL and MSFT, kept though BRK.B failed
    assert summary["updated"] == 0
    assert set(DailyBar.objects.values_list("ticker__symbol", flat=True)) == {"AAPL", "MSFT"}
    runs = IngestionRun.objects.filter(pk__in=summary["runs"])
    assert runs.count() == 5
    assert set(runs.values_list("status", flat=True)) == {
        IngestionRun.Status.PARTIAL,
        IngestionRun.Status.SUCCEEDED,
    }
    assert runs.filter(status=IngestionRun.Status.PARTIAL).first().failed_tickers == ["BRK.B"]


def test_a_chunk_whose_download_raises_is_retried_then_reported(monkeypatch, settings):
    attempts = []

    def download(*args, **kwargs):
        attempts.append(1)
        raise ConnectionError("yahoo unreachable")

    monkeypatch.setattr(yahoo.yf, "download", download)
    summary = tasks.ingest_yahoo.delay(symbols=["AAPL"], start="2021-04-12").get()
    assert len(attempts) == 1 + tasks.ingest_yahoo_chunk.max_retries
    assert summary["failed_tickers"] == ["AAPL"]
    assert not DailyBar.objects.exists()
    assert set(IngestionRun.objects.values_list("status", flat=True)) == {IngestionRun.Status.FAILED}


def test_the_daily_update_starts_a_few_days_before_the_last_stored_bar(fake_yahoo, market_sample, settings):
    settings.MARKET_YAHOO_CHUNK_SIZE = 50
    Ticker.objects.exclude(symbol__in=["AAPL", "MSFT"]).update(is_active=False)
    summary = tasks.ingest_yahoo_daily.delay().get()
    assert fake_yahoo == [["AAPL", "MSFT"]]
    # Re-reading the last days of the sample changes nothing.
    assert summary["inserted"] == 0 and summary["updated"] == 0 and summary["unchanged"] > 0
    assert summary["failed_tickers"] == []


def test_beat_schedules_the_daily_update_on_weekdays_after_the_close():
    task = PeriodicTask.objects.get(task="market.ingest_yahoo_daily")
    assert task.enabled
    assert task.crontab.day_of_week == "1-5"
    assert (task.crontab.hour, task.crontab.minute) == ("17", "30")
    assert str(task.crontab.timezone) == "America/New_York"


def test_the_sample_task_loads_through_the_service():
    summary = tasks.ingest_sample.delay(tickers=["KO"], start="2021-04-01").get()
    assert summary["status"] == IngestionRun.Status.SUCCEEDED and summary["inserted"] == 14
