"""Beat schedule: every weekday at 16:05 New York time (after the close), proposals past their validity
date are marked expired. A row, not code, so administrators edit it in the admin."""

from django.db import migrations

TASK_NAME = "portfolio: expire order proposals"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="5",
        hour="16",
        day_of_week="1-5",
        day_of_month="*",
        month_of_year="*",
        timezone="America/New_York",
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "portfolio.proposals_expire",
            "crontab": schedule,
            "enabled": True,
            "description": "Mark proposed or accepted orders whose validity date has passed as expired.",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0003_optimization_run"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
