from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "swingtrade.audit"
    label = "audit"
    verbose_name = "Audit trail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun

        from swingtrade.audit import signals
        from swingtrade.audit.context import Actor, actor_var

        signals.connect()
        tokens: dict[str, object] = {}

        # Writes made by a task are attributed to it (the scheduled ones included: beat queues tasks by name).
        @task_prerun.connect(weak=False)
        def _task_actor(task_id: str, task: object, **kwargs: object) -> None:
            tokens[task_id] = actor_var.set(Actor(name=f"task:{getattr(task, 'name', '?')}"))

        @task_postrun.connect(weak=False)
        def _task_actor_done(task_id: str, **kwargs: object) -> None:
            token = tokens.pop(task_id, None)
            if token is not None:
                actor_var.reset(token)  # type: ignore[arg-type]
