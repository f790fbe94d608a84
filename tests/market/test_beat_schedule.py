"""Beat's rows of the market app: the daily exchange rates run before the daily prices, and the data
migration that adds them can be undone and redone without touching an administrator's edits."""

from __future__ import annotations

import importlib

import pytest
from celery import current_app
from django.apps import apps
from django_celery_beat.models import PeriodicTask

pytestmark = pytest.mark.django_db

fx_schedule = importlib.import_module("market.migrations.0007_daily_yahoo_fx_schedule")


def test_beat_schedules_the_exchange_rates_on_weekdays_after_the_close():
    row = PeriodicTask.objects.get(name=fx_schedule.TASK_NAME)
    assert row.task == "market.ingest_yahoo_fx" and row.task in current_app.tasks
    assert row.enabled
    assert row.crontab.day_of_week == "1-5"
    assert (row.crontab.hour, row.crontab.minute) == ("17", "0")
    assert str(row.crontab.timezone) == "America/New_York"
    # No arguments: the task's own default pair, EURUSD.
    assert (row.args, row.kwargs) == ("[]", "{}")


def test_the_rates_come_before_the_prices_of_the_same_evening():
    rates = PeriodicTask.objects.get(task="market.ingest_yahoo_fx").crontab
    prices = PeriodicTask.objects.get(task="market.ingest_yahoo_daily").crontab
    assert rates.timezone == prices.timezone and rates.day_of_week == prices.day_of_week
    assert (int(rates.hour), int(rates.minute)) < (int(prices.hour), int(prices.minute))


def test_the_migration_is_reversible():
    assert all(operation.reversible for operation in fx_schedule.Migration.operations)
    fx_schedule.remove_schedule(apps, None)
    assert not PeriodicTask.objects.filter(task="market.ingest_yahoo_fx").exists()
    assert PeriodicTask.objects.filter(task="market.ingest_yahoo_daily").exists()  # only its own row

    fx_schedule.create_schedule(apps, None)
    assert PeriodicTask.objects.filter(name=fx_schedule.TASK_NAME, task="market.ingest_yahoo_fx").count() == 1


def test_running_it_again_keeps_an_administrators_edits():
    PeriodicTask.objects.filter(name=fx_schedule.TASK_NAME).update(
        enabled=False, kwargs='{"pairs": ["EURUSD", "GBPUSD"]}'
    )
    fx_schedule.create_schedule(apps, None)
    row = PeriodicTask.objects.get(name=fx_schedule.TASK_NAME)
    assert not row.enabled and row.kwargs == '{"pairs": ["EURUSD", "GBPUSD"]}'
