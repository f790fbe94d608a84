"""Beat schedule of the daily Yahoo update: weekdays 17:30 New York time, after the 16:00 close
(and after Yahoo settles the day's bars). A row, not code, so administrators edit it in the admin."""

from django.db import migrations

TASK_NAME = "market: daily Yahoo update"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute="30",
        hour="17",
        day_of_week="1-5",
        day_of_month="*",
        month_of_year="*",
        timezone="America/New_York",
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "market.ingest_yahoo_daily",
            "crontab": schedule,
            "enabled": True,
            "description": "Fetch the latest daily bars of every active ticker from Yahoo (fanned out per chunk).",
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
