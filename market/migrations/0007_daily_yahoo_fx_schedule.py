"""Beat schedule of the daily Yahoo exchange rates: weekdays 17:00 New York time, an hour after the US
close and before the prices (17:30), so the evening's valuations and fills of a euro portfolio find the
day's EURUSD rate. The task's default pairs (EURUSD) apply; more pairs go in the row's kwargs
(``{"pairs": ["EURUSD", "GBPUSD"]}``). A row, not code, so administrators edit it in the admin."""

from django.db import migrations

from swingtrade.beat import crontab_task_ensure, periodic_task_remove

TASK_NAME = "market: daily Yahoo exchange rates"


def create_schedule(apps, schema_editor):
    crontab_task_ensure(
        apps,
        name=TASK_NAME,
        task="market.ingest_yahoo_fx",
        minute="0",
        hour="17",
        day_of_week="1-5",
        description="Add Yahoo's daily EURUSD rate for the days not stored yet (never replaces an ECB rate).",
    )


def remove_schedule(apps, schema_editor):
    periodic_task_remove(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0006_fxrate"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
