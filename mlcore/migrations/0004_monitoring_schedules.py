"""Beat schedules of monitoring, as rows administrators edit in the admin (django_celery_beat).

- Daily monitoring, weekdays 18:30 New York time: after the 16:00 close, the 17:30 market update and
  the predictions it triggers, so the day's labels have matured and today's predictions exist.
- The weekly retraining row (created by 0003) is pointed at ``mlcore.monitoring.retrain``: the same
  Saturday slot, but the training-window policy (rolling/expanding) comes from the monitoring
  thresholds, the challenger must beat the champion on the recent window, and the new champion is
  judged right away so the gate reflects it.
"""

from django.db import migrations

from swingtrade.beat import crontab_task_ensure, periodic_task_remove

MONITORING_TASK = "mlcore: daily monitoring"
RETRAIN_TASK = "mlcore: weekly retraining"


def create_schedules(apps, schema_editor):
    crontab_task_ensure(
        apps,
        name=MONITORING_TASK,
        task="mlcore.monitoring.run",
        minute="30",
        hour="18",
        day_of_week="1-5",
        description="Judge the champion and live challengers on recent data; alert; retrain on CRITICAL.",
    )
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=RETRAIN_TASK, task="mlcore.tasks.retrain_weekly").update(
        task="mlcore.monitoring.retrain",
        description="Train a challenger (window policy from the monitoring thresholds); promote only if it "
        "beats the champion on the recent window.",
    )


def remove_schedules(apps, schema_editor):
    periodic_task_remove(apps, name=MONITORING_TASK)
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=RETRAIN_TASK, task="mlcore.monitoring.retrain").update(
        task="mlcore.tasks.retrain_weekly"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mlcore", "0003_weekly_retrain_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
