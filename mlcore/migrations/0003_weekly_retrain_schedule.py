"""The weekly retraining beat entry, created once; editable (or disabled) in the admin afterwards."""

from django.db import migrations

TASK_NAME = "mlcore: weekly retraining"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    # Saturday 06:00 UTC: after Friday's close has been ingested, before Monday's open.
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="6", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "mlcore.tasks.retrain_weekly",
            "crontab": schedule,
            "enabled": True,
            "description": "Train a challenger on all data and promote it if it beats the champion.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mlcore", "0002_monitoring"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
