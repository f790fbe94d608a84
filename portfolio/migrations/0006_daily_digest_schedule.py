"""Beat schedule: every weekday at 16:30 New York time (after the close and the proposal expiry at
16:05), the daily digest goes to the users who opted in. A row, editable in the admin."""

from django.db import migrations

from swingtrade.beat import crontab_task_ensure, periodic_task_remove

TASK_NAME = "portfolio: daily digest"


def create_schedule(apps, schema_editor):
    crontab_task_ensure(
        apps,
        name=TASK_NAME,
        task="portfolio.daily_digest",
        minute="30",
        hour="16",
        day_of_week="1-5",
        description="One e-mail per opted-in user: the day's advice, fills, expiries, stops, paused notice.",
    )


def remove_schedule(apps, schema_editor):
    periodic_task_remove(apps, name=TASK_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0005_tax_ledger_advice_style_digest"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
