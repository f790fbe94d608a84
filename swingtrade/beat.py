"""Beat schedules as database rows (django_celery_beat), created by data migrations.

Migrations call these with their historical ``apps`` registry, so the helpers only use what the
django_celery_beat tables have had since its migration 0019. Rows are created once with
``get_or_create``: an administrator's later edits in the admin are never overwritten.
"""

from __future__ import annotations

from typing import Any

NEW_YORK = "America/New_York"


def crontab_task_ensure(
    apps: Any,
    *,
    name: str,
    task: str,
    minute: str,
    hour: str,
    day_of_week: str = "*",
    timezone: str = NEW_YORK,
    description: str = "",
) -> None:
    """Create the periodic task ``name`` running ``task`` on that crontab, unless it exists."""
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_week=day_of_week,
        day_of_month="*",
        month_of_year="*",
        timezone=timezone,
    )
    PeriodicTask.objects.get_or_create(
        name=name,
        defaults={"task": task, "crontab": schedule, "enabled": True, "description": description},
    )


def periodic_task_remove(apps: Any, *, name: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=name).delete()
