from __future__ import annotations

from django.apps import AppConfig


class MlcoreConfig(AppConfig):
    name = "mlcore"
    verbose_name = "Models and predictions"

    def ready(self) -> None:
        from market.signals import ingestion_succeeded
        from mlcore.health import check_champion
        from mlcore.tasks import on_ingestion_succeeded
        from swingtrade.health import register_check

        # Not required: without a champion the site still serves everything but rankings.
        register_check("champion_model", check_champion, required=False)
        from mlcore.monitoring.gate import check_gate

        register_check("prediction_gate", check_gate, required=False)
        ingestion_succeeded.connect(on_ingestion_succeeded, dispatch_uid="mlcore.predict_after_ingestion")
        from mlcore.serving.cache import connect_invalidation

        # The cached rankings follow every change of champion, predictions, gate and data date.
        connect_invalidation()
