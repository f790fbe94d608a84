"""Training services: data from the database → walk-forward evaluation → final fit → registered version.

The pure pipeline (features, labels, walk-forward, evaluator, calibration) lives in the modules it
names; this module composes them against the database and the registry. Command, task, API job and
``make run`` all call these functions.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from mlcore.data.dataset import Panels, load_panels
from mlcore.evaluation import ic
from mlcore.evaluation.metrics import evaluate
from mlcore.json_values import json_safe
from mlcore.models import ModelVersion
from mlcore.registry import versions as registry
from mlcore.training import backtest_costs as backtest_cost_rates
from mlcore.training import candidates
from mlcore.training.bundle import fit_bundle
from mlcore.training.walkforward import (
    Dataset,
    WalkForward,
    build_dataset,
    score_rows,
    sized_walk_forward,
    walk_forward,
)
from swingtrade.errors import DomainError, Unprocessable

logger = logging.getLogger("swingtrade.mlcore.training")


@dataclass(frozen=True)
class TrainingConfig:
    algorithm: str
    params: dict[str, Any]
    horizon: int
    window: str  # "expanding" | "rolling"
    window_size: int | None  # training dates of a rolling window
    test_days: int
    min_train_days: int
    cost_preset: str
    cost_per_turnover: float | None  # a flat override of the preset's costs
    fit_threads: int

    def splitter(self, n_dates: int) -> tuple[WalkForward, bool]:
        """The walk-forward for ``n_dates`` of history (sized down below the configured lengths)."""
        return sized_walk_forward(
            n_dates,
            horizon=self.horizon,
            test_size=self.test_days,
            min_train_size=self.min_train_days,
            train_size=self.window_size if self.window == "rolling" else None,
        )


def training_config(
    *,
    algorithm: str | None = None,
    params: dict[str, Any] | None = None,
    horizon: int | None = None,
    window: str | None = None,
    window_size: int | None = None,
) -> TrainingConfig:
    """A validated configuration; settings supply every value not given. Bad input raises DomainError.

    Only ``None`` means "not given": a falsy value such as ``horizon=0`` is validated and refused, never
    silently replaced by the default.
    """
    if algorithm is None:
        algorithm = settings.MLCORE_DEFAULT_ALGORITHM
    if algorithm not in candidates.MODELS:
        raise DomainError(
            f"algorithm must be one of {', '.join(candidates.MODELS)} "
            f"(baselines {', '.join(candidates.BASELINES)} are evaluated, not registered); got {algorithm!r}."
        )
    try:
        merged = candidates.params_for(algorithm, params or {})
    except ValueError as exc:
        raise DomainError(str(exc))
    if horizon is None:
        horizon = settings.MLCORE_HORIZON_DAYS
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 60:
        raise DomainError(
            f"horizon must be a whole number of trading days between 1 and 60; got {horizon!r}."
        )
    if window is None:
        window = "expanding"
    if window not in ModelVersion.Window.values:
        raise DomainError(f"window must be 'expanding' or 'rolling'; got {window!r}.")
    if window == "rolling" and (window_size is None or window_size < 60):
        raise DomainError("a rolling window needs window_size of at least 60 trading days.")
    if window != "rolling" and window_size is not None:
        raise DomainError("window_size applies to a rolling window only (window='rolling').")
    return TrainingConfig(
        algorithm=algorithm,
        params=merged,
        horizon=horizon,
        window=window,
        window_size=window_size,
        test_days=settings.MLCORE_TEST_DAYS,
        min_train_days=settings.MLCORE_MIN_TRAIN_DAYS,
        cost_preset=settings.MLCORE_BACKTEST_COST_PRESET,
        cost_per_turnover=settings.MLCORE_COST_PER_TURNOVER,
        fit_threads=settings.MLCORE_FIT_THREADS,
    )


def backtest_costs(config: TrainingConfig, dataset: Dataset) -> tuple[float, float]:
    """Cost per unit of turnover and borrow per day for the evaluator (``portfolio.costs`` via the registry
    of :mod:`mlcore.training.backtest_costs`).

    The spread part depends on each ticker's daily volatility over the dataset: a cost parameter,
    not a signal, so using the whole panel leaks nothing into the scores.
    """
    if config.cost_per_turnover is not None:
        return config.cost_per_turnover, 0.0
    sigma = dataset.returns.std().to_numpy(dtype=float)
    return backtest_cost_rates.rates(
        config.cost_preset, sigma_daily=sigma, trade_notional=settings.MLCORE_BACKTEST_ORDER_NOTIONAL
    )


def evaluate_config(
    algorithm: str,
    params: dict[str, Any],
    dataset: Dataset,
    config: TrainingConfig,
    *,
    progress: bool = False,
    memo: dict[tuple, Any] | None = None,
    fold_metrics: bool = True,
    all_offsets: bool = True,
) -> tuple[pd.Series, dict[str, Any]]:
    """Walk-forward OOS scores of one candidate and its metrics (overall and per fold).

    ``memo`` keeps fold estimators and scores across calls on cuts of the same bars (:func:`walk_forward`);
    ``fold_metrics=False`` leaves the per-fold metrics out and ``all_offsets=False`` computes the
    long-short backtest at offset 0 only — for callers (the replay) that read only the overall rank IC,
    its t-statistic and the hit rate, which neither changes.
    """
    dates = dataset.dates.unique()
    splitter, resized = config.splitter(len(dates))
    n_folds = len(splitter.split(dates))
    with tqdm(total=n_folds, desc=f"walk-forward {algorithm}", unit="fold", disable=not progress) as bar:
        scores, folds = walk_forward(
            algorithm,
            params,
            dataset,
            splitter,
            progress=lambda _: bar.update(),
            n_threads=config.fit_threads,
            memo=memo,
        )
    cost_per_turnover, borrow_per_day = backtest_costs(config, dataset)
    oos = evaluate(
        scores,
        dataset.label,
        dataset.returns,
        horizon=config.horizon,
        cost_per_turnover=cost_per_turnover,
        borrow_per_day=borrow_per_day,
        all_offsets=all_offsets,
    )
    score_dates = scores.index.get_level_values("date")
    for fold in folds if fold_metrics else []:
        in_fold = (score_dates >= pd.Timestamp(fold["test_start"])) & (
            score_dates <= pd.Timestamp(fold["test_end"])
        )
        fold_metrics = evaluate(
            scores[in_fold],
            dataset.label,
            dataset.returns,
            horizon=config.horizon,
            cost_per_turnover=cost_per_turnover,
            borrow_per_day=borrow_per_day,
            all_offsets=False,
        )
        keys = ("ic_mean", "rank_ic_mean", "rank_ic_se", "hit_rate", "top_bottom_quintile")
        fold.update({k: fold_metrics.get(k) for k in keys})
        fold["long_short_net_sharpe"] = fold_metrics.get("long_short", {}).get("net", {}).get("sharpe")
        if "no_valid_score" in fold_metrics:
            fold["no_valid_score"] = fold_metrics["no_valid_score"]
    sizing = {
        "min_train_days": splitter.min_train_size,
        "test_days": splitter.test_size,
        "purge": splitter.purge,
        "sized_to_history": resized,
    }
    return scores, {"oos": oos, "folds": folds, "walk_forward": sizing}


def stored_dataset(
    config: TrainingConfig, *, panels: Panels | None = None, features: pd.DataFrame | None = None
) -> tuple[Panels, Dataset]:
    """Panels (default: every stored price) and the labelled dataset for ``config``'s horizon.

    ``features``: already computed on a longer panel of the same bars (:func:`build_dataset`).
    """
    panels = panels if panels is not None else load_panels()
    if panels.close.empty:
        raise Unprocessable("No stored prices: load market data first.")
    return panels, build_dataset(panels, horizon=config.horizon, features=features)


def baseline_metrics(*, progress: bool = False) -> dict[str, dict[str, Any]]:
    """Walk-forward metrics of each rule baseline on the stored prices, on the folds and costs of training."""
    config = training_config()
    _, dataset = stored_dataset(config)
    return {
        baseline: evaluate_config(
            baseline, candidates.params_for(baseline), dataset, config, progress=progress
        )[1]
        for baseline in candidates.BASELINES
    }


def _feature_reference(dataset: Dataset, rows: np.ndarray) -> dict[str, Any]:
    """Deciles, mean and stdev of each raw feature over the training rows: the drift reference."""
    raw = [c for c in dataset.features.columns if not c.endswith("_rank")]
    frame = dataset.features.loc[rows, raw].astype(np.float64)
    levels = np.linspace(0, 1, 11)
    quantiles = frame.quantile(levels)
    return {
        name: {
            "levels": [round(float(x), 2) for x in levels],
            "quantiles": [None if pd.isna(q) else float(q) for q in quantiles[name]],
            "mean": float(frame[name].mean()),
            "std": float(frame[name].std()),
        }
        for name in raw
    }


@dataclass(frozen=True)
class Trained:
    """A registered candidate with what judging it needs: its dataset and walk-forward OOS scores."""

    version: ModelVersion
    dataset: Dataset
    oos_scores: pd.Series


def train_version(
    *,
    config: TrainingConfig,
    user: Any = None,
    panels: Panels | None = None,
    progress: bool = False,
) -> tuple[ModelVersion, Dataset]:
    """Train, evaluate out of sample, fit on all labelled history, save the artefact, register a candidate."""
    trained = train_scored(config=config, user=user, panels=panels, progress=progress)
    return trained.version, trained.dataset


def train_scored(
    *,
    config: TrainingConfig,
    user: Any = None,
    panels: Panels | None = None,
    progress: bool = False,
) -> Trained:
    """:func:`train_version`, keeping the walk-forward OOS scores a promotion compares day by day."""
    started = time.perf_counter()
    panels, dataset = stored_dataset(config, panels=panels)
    try:
        scores, metrics = evaluate_config(config.algorithm, config.params, dataset, config, progress=progress)
    except ValueError as exc:
        raise Unprocessable(f"Cannot train on the stored prices: {exc}.")
    if "no_valid_score" in metrics["oos"]:
        raise Unprocessable(f"Cannot train on the stored prices: {metrics['oos']['no_valid_score']}.")
    final = fit_bundle(
        config,
        dataset,
        scores,
        side_fraction=settings.MLCORE_SIDE_FRACTION,
        meta={"trained_at": timezone.now().isoformat()},
    )
    bundle, rows, calibration = final.bundle, final.rows, final.bundle.calibration
    in_sample = ic.daily_ic(score_rows(bundle.estimator, dataset, rows), dataset.label)
    metrics["in_sample_rank_ic"] = ic.hac_mean(in_sample["rank_ic"], horizon=config.horizon)["mean"]
    metrics["final_fit_seconds"] = round(final.fit_seconds, 3)
    train_dates = dataset.dates[rows]
    fingerprint = panels.fingerprint()
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    with transaction.atomic():
        version = ModelVersion.objects.create(
            algorithm=config.algorithm,
            params=config.params,
            features=dataset.model_columns,
            target="rank",
            horizon=config.horizon,
            training_window=config.window,
            training_window_size=config.window_size,
            train_start=train_dates.min().date(),
            train_end=train_dates.max().date(),
            oos_start=date.fromisoformat(metrics["oos"]["window"]["start"]),
            oos_end=date.fromisoformat(metrics["oos"]["window"]["end"]),
            data_fingerprint=fingerprint,
            data_sha256=fingerprint["bars_sha256"],
            metrics=json_safe(metrics),
            calibration=json_safe(calibration),
            feature_reference=json_safe(_feature_reference(dataset, rows)),
            trained_by=user if getattr(user, "is_authenticated", False) else None,
        )
        name, sha = registry.artefact_save(bundle, name=f"model-{version.pk}-{config.algorithm}-{stamp}")
        version.artefact_path, version.artefact_sha256 = name, sha
        version.training_seconds = round(time.perf_counter() - started, 3)
        version.save(update_fields=["artefact_path", "artefact_sha256", "training_seconds"])
        registry.record_trained(version, user=user)
    logger.info(
        "model trained",
        extra={
            "model_version": version.pk,
            "algorithm": config.algorithm,
            "rank_ic": metrics["oos"]["rank_ic_mean"],
            "seconds": version.training_seconds,
        },
    )
    return Trained(version, dataset, scores)
