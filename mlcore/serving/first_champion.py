"""The first champion of a new installation, and its first ranking (what ``make run`` needs).

It trains (:mod:`mlcore.training.services`), promotes (:mod:`mlcore.registry.versions`) and stores the
latest predictions (:mod:`mlcore.serving.predict`), so it sits in serving, above all three.
"""

from __future__ import annotations

import logging
from typing import Any

from market import selectors
from mlcore.models import ModelVersion
from mlcore.registry import versions as registry
from mlcore.serving import predict
from mlcore.training.services import train_version, training_config

logger = logging.getLogger("swingtrade.mlcore.training")


def first_model_ensure(*, user: Any = None) -> ModelVersion | None:
    """Train and promote the first champion when none can serve; a no-op when one can.

    What ``make run`` calls after loading the sample: the default (linear) model trains in seconds.
    Returns the champion, or None when there are no prices yet.
    """
    current = registry.champion()
    if current is not None and registry.artefact_problem(current) is None:
        return current
    if selectors.latest_bar_date() is None:
        logger.warning("no prices stored; the first model waits for market data")
        return None
    config = training_config()
    version, _ = train_version(config=config, user=user)
    version = registry.promote(
        version,
        user=user,
        reason="First champion, trained at set-up"
        if current is None
        else f"Set-up: champion {current.pk} cannot serve ({registry.artefact_problem(current)})",
    )
    # Store the latest date's ranking now so the first page view does not wait for it.
    predict.predictions_for(version=version)
    return version
