"""Beat schedule of the daily Yahoo update: weekdays 17:30 New York time, after the 16:00 close
(and after Yahoo settles the day's bars). A row, not code, so administrators edit it in the admin."""

from django.db import migrations

from swingtrade.beat import crontab_task_ensure, periodic_task_remove

TASK_NAME = "market: daily Yahoo update"


def create_schedule(apps, schema_editor):
    crontab_task_ensure(
        apps,
        name=TASK_NAME,
        task="market.ingest_yahoo_daily",
        minute="30",
        hour="17",
        day_of_week="1-5",
        description="Fetch the latest daily bars of every active ticker from Yahoo (fanned out per chunk).",
    )

def remove_schedule(apps, schema_editor):
    periodic_task_remove(apps, name=TASK_NAME)

class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
