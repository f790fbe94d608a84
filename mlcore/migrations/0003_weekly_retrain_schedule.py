"""The weekly retraining beat entry, created once; editable (or disabled) in the admin afterwards."""

from django.db import migrations

from swingtrade.beat import crontab_task_ensure, periodic_task_remove

TASK_NAME = "mlcore: weekly retraining"


def create_schedule(apps, schema_editor):
    # Saturday 06:00 UTC: after Friday's close has been ingested, before Monday's open.
    crontab_task_ensure(
        apps,
        name=TASK_NAME,
        task="mlcore.tasks.retrain_weekly",
        minute="0",
        hour="6",
        day_of_week="6",
        timezone="UTC",
        description="Train a challenger on all data and promote it if it beats the champion.",
    )

def remove_schedule(apps, schema_editor):
    periodic_task_remove(apps, name=TASK_NAME)

class Migration(migrations.Migration):
    dependencies = [
        ("mlcore", "0002_monitoring"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
