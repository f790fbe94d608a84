"""The final fit of a trained version: one pure function shared by the training service and the replay.

:func:`fit_bundle` turns a configuration, its labelled dataset and the walk-forward out-of-sample scores
into the :class:`~mlcore.training.scoring.ModelBundle` an artefact holds: the calibration learned from
the out-of-sample scores, and the estimator fitted on the training window the configuration names —
every labelled row (expanding) or the last ``window_size`` labelled dates (rolling). No ORM, no clock:
``mlcore.training.services.train_scored`` registers what it returns, the replay keeps it in memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlcore.training.scoring import ModelBundle, fit_calibration
from mlcore.training.walkforward import Dataset, fit_estimator

if TYPE_CHECKING:
    from mlcore.training.services import TrainingConfig


@dataclass(frozen=True)
class FinalFit:
    """The bundle, the boolean mask of the rows its estimator was fitted on, their first and last dates,
    and the fit's seconds."""

    bundle: ModelBundle
    rows: np.ndarray
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    fit_seconds: float


def training_rows(config: TrainingConfig, dataset: Dataset) -> np.ndarray:
    """Mask of the rows the final model is fitted on: every labelled row with enough history, or for a
    rolling window only those of its last ``window_size`` dates ending at the last labelled date."""
    first = None
    if config.window == "rolling":
        last_labelled = dataset.dates[dataset.trainable()].max()
        unique = dataset.dates.unique().sort_values()
        first = unique[max(0, unique.get_loc(last_labelled) - int(config.window_size or 0) + 1)]
    return dataset.trainable(first)


def fit_bundle(
    config: TrainingConfig,
    dataset: Dataset,
    oos_scores: pd.Series,
    *,
    side_fraction: float,
    meta: dict[str, Any] | None = None,
) -> FinalFit:
    """Calibrate on ``oos_scores`` and fit ``config``'s estimator on its training window of ``dataset``."""
    calibration = fit_calibration(oos_scores, dataset.label)
    rows = training_rows(config, dataset)
    started = time.perf_counter()
    estimator = fit_estimator(config.algorithm, config.params, dataset, rows, n_threads=config.fit_threads)
    seconds = time.perf_counter() - started
    bundle = ModelBundle(
        algorithm=config.algorithm,
        params=config.params,
        estimator=estimator,
        feature_columns=dataset.model_columns,
        horizon=config.horizon,
        calibration=calibration,
        side_fraction=side_fraction,
        meta=dict(meta or {}),
    )
    dates = dataset.dates[rows]
    return FinalFit(bundle, rows, pd.Timestamp(dates.min()), pd.Timestamp(dates.max()), seconds)
