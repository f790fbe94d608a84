"""Trained model versions on the ``market_sample`` fixture (small walk-forward: fast)."""

from __future__ import annotations

from mlcore.models import ModelVersion
from mlcore.registry import versions as registry
from mlcore.training import services


def trained_version(*, algorithm: str = "ridge", params: dict | None = None, user=None) -> ModelVersion:
    config = services.training_config(algorithm=algorithm, params=params)
    version, _ = services.train_version(config=config, user=user)
    return version


def champion_version(**kwargs) -> ModelVersion:
    return registry.promote(trained_version(**kwargs), user=None, reason="test champion")
