"""Beat schedule: every weekday at 16:05 New York time (after the close), proposals past their validity
date are marked expired. A row, not code, so administrators edit it in the admin."""

from django.db import migrations

from swingtrade.beat import crontab_task_ensure, periodic_task_remove

TASK_NAME = "portfolio: expire order proposals"


def create_schedule(apps, schema_editor):
    crontab_task_ensure(
        apps,
        name=TASK_NAME,
        task="portfolio.proposals_expire",
        minute="5",
        hour="16",
        day_of_week="1-5",
        description="Mark proposed or accepted orders whose validity date has passed as expired.",
    )

def remove_schedule(apps, schema_editor):
    periodic_task_remove(apps, name=TASK_NAME)

class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0003_optimization_run"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
