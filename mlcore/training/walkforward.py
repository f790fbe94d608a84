"""Walk-forward training: time-ordered folds with a purge gap, never a shuffled split (pure, no ORM).

A fold trains on dates ``[train_start, test_start - purge)`` and tests on ``[test_start, test_end]``.
The purge equals the label horizon: the label of a training date ``d`` is the return up to ``d + h``,
so any ``d`` within ``h`` dates of the test start would have seen test-period prices.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from mlcore.data.dataset import Panels
from mlcore.features.indicators import compute_features, rank_name
from mlcore.features.labels import DEFAULT_HORIZON, daily_returns, forward_rank_label, forward_relative_return
from mlcore.training import candidates

logger = logging.getLogger("swingtrade.mlcore")

# Rows need this much history to be trained on or scored: without the 60-day return most features are
# warm-up NaN, and a model would see them imputed as the cross-sectional middle (made-up inputs).
REQUIRED_FEATURE = rank_name("ret_60")


def has_history(features: pd.DataFrame) -> np.ndarray:
    """Boolean mask of the rows with enough history to be trained on or scored.

    The one rule shared by training (:meth:`Dataset.trainable`) and serving
    (:func:`mlcore.training.scoring.score_date`): a row the model would never have been fitted on is never
    scored.
    """
    if REQUIRED_FEATURE not in features.columns:
        return np.zeros(len(features), dtype=bool)
    return features[REQUIRED_FEATURE].notna().to_numpy()


@dataclass(frozen=True)
class Fold:
    number: int
    train_start: pd.Timestamp
    train_end: pd.Timestamp
    test_start: pd.Timestamp
    test_end: pd.Timestamp

    def as_json(self) -> dict[str, Any]:
        return {
            k: (v.date().isoformat() if isinstance(v, pd.Timestamp) else v) for k, v in asdict(self).items()
        }


@dataclass(frozen=True)
class WalkForward:
    """Splits sorted unique dates into walk-forward folds.

    Parameters
    ----------
    test_size
        Dates per test block (one refit per block); 252 ≈ yearly refits.
    purge
        Dates dropped between the end of training and the start of the test (= label horizon).
    train_size
        ``None`` for an expanding window, else the number of training dates (rolling window).
    min_train_size
        The first fold starts once this many training dates exist.
    """

    test_size: int = 252
    purge: int = DEFAULT_HORIZON
    train_size: int | None = None
    min_train_size: int = 252

    def split(self, dates: Iterable) -> list[Fold]:
        index = pd.DatetimeIndex(sorted(set(pd.DatetimeIndex(dates))))
        folds: list[Fold] = []
        test_start = self.min_train_size + self.purge
        while test_start < len(index):
            test_end = min(test_start + self.test_size, len(index)) - 1
            train_end = test_start - self.purge - 1
            train_start = 0 if self.train_size is None else max(0, train_end - self.train_size + 1)
            folds.append(
                Fold(
                    number=len(folds),
                    train_start=index[train_start],
                    train_end=index[train_end],
                    test_start=index[test_start],
                    test_end=index[test_end],
                )
            )
            test_start = test_end + 1
        return folds


# Floors of a walk-forward sized to a short history: half a year of training dates before the first
# test date, and test blocks of at least a month (a shorter block holds too few dates for an IC mean).
MIN_TRAIN_FLOOR = 126
TEST_BLOCK_FLOOR = 21


class InsufficientHistory(ValueError):
    """Too few dates for even the floors of a walk-forward; the message says what would work."""


def sized_walk_forward(
    n_dates: int, *, horizon: int, test_size: int, min_train_size: int, train_size: int | None = None
) -> tuple[WalkForward, bool]:
    """The configured walk-forward when the history holds it, else one sized to the history.

    Configured: ``min_train_size`` training dates, a purge of ``horizon``, then test blocks of
    ``test_size`` (needs ``min_train_size + horizon + test_size`` dates). Shorter histories keep half
    their dates (at least :data:`MIN_TRAIN_FLOOR`) for the first training window and split the rest,
    after the purge, into two test blocks (each at least :data:`TEST_BLOCK_FLOOR`). Below
    ``MIN_TRAIN_FLOOR + horizon + TEST_BLOCK_FLOOR`` dates :class:`InsufficientHistory` names the
    settings and the values that would work. Returns the splitter and whether it was resized.
    """
    if n_dates >= min_train_size + horizon + test_size:
        return WalkForward(test_size, horizon, train_size, min_train_size), False
    need = MIN_TRAIN_FLOOR + horizon + TEST_BLOCK_FLOOR
    if n_dates < need:
        raise InsufficientHistory(
            f"{n_dates} dates of history; a walk-forward needs at least {need} (training floor "
            f"{MIN_TRAIN_FLOOR} + purge = horizon {horizon} + one test block of {TEST_BLOCK_FLOOR}): "
            f"load {need - n_dates} more sessions, or lower MLCORE_HORIZON_DAYS (now {horizon}); the "
            f"configured MLCORE_MIN_TRAIN_DAYS={min_train_size} and MLCORE_TEST_DAYS={test_size} need "
            f"{min_train_size + horizon + test_size} dates, and are sized down to the history automatically"
        )
    min_train = max(MIN_TRAIN_FLOOR, n_dates // 2)
    rest = n_dates - min_train - horizon
    if rest < TEST_BLOCK_FLOOR:
        min_train = n_dates - horizon - TEST_BLOCK_FLOOR
        rest = TEST_BLOCK_FLOOR
    test = max(TEST_BLOCK_FLOOR, -(-rest // 2))
    return WalkForward(test, horizon, train_size, min_train), True


@dataclass
class Dataset:
    """Features, targets and returns on one panel: the input of walk-forward runs and final fits.

    ``target`` and ``label`` are aligned to ``features.index`` (NaN where unknown) so rows are selected
    with positional masks: label-based lookups on a million-row MultiIndex cost seconds per fold.
    """

    features: pd.DataFrame  # (date, ticker) × feature columns
    target: pd.Series  # what the model is fitted on (ranked label by default)
    label: pd.Series  # realised forward relative log return: what the evaluation measures
    returns: pd.DataFrame  # wide simple daily returns for the long-short backtest
    horizon: int

    def __post_init__(self) -> None:
        self.target = self.target.reindex(self.features.index)
        self.label = self.label.reindex(self.features.index)
        self._dates = self.features.index.get_level_values("date")
        # Position of each row's date among the panel's dates (for date subsampling).
        self.date_codes = np.asarray(self.features.index.codes[0])
        self._has_history = has_history(self.features)

    @property
    def model_columns(self) -> list[str]:
        return [c for c in self.features.columns if c.endswith("_rank")]

    @property
    def dates(self) -> pd.DatetimeIndex:
        return self._dates

    def _between(self, start: pd.Timestamp | None, end: pd.Timestamp | None) -> np.ndarray:
        keep = self._has_history.copy()
        if start is not None:
            keep &= self._dates >= start
        if end is not None:
            keep &= self._dates <= end
        return keep

    def trainable(self, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> np.ndarray:
        """Mask of rows with a known target and enough history, optionally within ``[start, end]``."""
        return self._between(start, end) & self.target.notna().to_numpy()

    def scorable(self, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> np.ndarray:
        """Mask of rows with enough history to be scored (their label may still be unknown)."""
        return self._between(start, end)


def features_until(features: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The rows of ``compute_features``' output dated ``<= day``, as if computed on bars up to ``day``.

    Every feature at ``t`` uses rows ``<= t`` only (:mod:`mlcore.features.indicators`), so the features of a
    longer panel cut at ``day`` equal those of the panel cut at ``day``; the index is rebuilt the way
    ``stack_wide`` builds it (date level ending at ``day``, every ticker column), so no later date survives
    even in the index's levels. Rows are in date order, so the cut is a prefix (a view, no copy).
    """
    dates = features.index.levels[0]
    n_dates = int(dates.searchsorted(pd.Timestamp(day), side="right"))
    date_codes, ticker_codes = (np.asarray(c) for c in features.index.codes)
    stop = int(np.searchsorted(date_codes, n_dates, side="left"))
    index = pd.MultiIndex(
        levels=[dates[:n_dates], features.index.levels[1]],
        codes=[date_codes[:stop], ticker_codes[:stop]],
        names=features.index.names,
        verify_integrity=False,
    )
    cut = features.iloc[:stop].copy(deep=False)
    cut.index = index
    return cut


def build_dataset(
    panels: Panels,
    *,
    horizon: int = DEFAULT_HORIZON,
    target: str = "rank",
    features: pd.DataFrame | None = None,
) -> Dataset:
    """The labelled dataset of ``panels``.

    ``features``: ``compute_features`` of a longer panel of the same bars (same first date, same tickers),
    cut here at the panels' last date by :func:`features_until` — a replay computes them once instead of at
    every retraining. Labels are always computed from ``panels`` itself, so they end where its bars end.
    """
    if target not in ("rank", "return"):
        raise ValueError("target must be 'rank' or 'return'")
    if features is None:
        features = compute_features(panels.prices, panels.sectors)
    else:
        features = features_until(features, panels.close.index[-1])
    close = panels.close
    label = forward_relative_return(close, horizon)
    fitted_on = forward_rank_label(close, horizon) if target == "rank" else label
    return Dataset(features, fitted_on, label, daily_returns(close), horizon)


# Native threads per fit (OpenMP, BLAS). One by default: on a shared two-core host, OpenMP workers
# spin-wait for cores other processes hold, and a fit with two threads ran 20x slower than with one.
DEFAULT_FIT_THREADS = 1


def fit_estimator(
    algorithm: str,
    params: dict[str, Any],
    dataset: Dataset,
    rows: np.ndarray,
    *,
    n_threads: int | None = DEFAULT_FIT_THREADS,
):
    """A fresh estimator fitted on the rows selected by the boolean mask ``rows``.

    ``n_threads`` caps the native thread pools during the fit (``None``: the libraries' default).
    """
    estimator = candidates.make_estimator(algorithm, params)
    stride = candidates.date_stride(algorithm)
    if stride > 1:
        rows = rows & (dataset.date_codes % stride == 0)
    X = dataset.features.loc[rows, dataset.model_columns]
    y = dataset.target.to_numpy()[rows]
    if n_threads is None:
        return estimator.fit(X, y)
    with threadpool_limits(limits=n_threads):
        return estimator.fit(X, y)


def score_rows(estimator, dataset: Dataset, rows: np.ndarray) -> pd.Series:
    X = dataset.features.loc[rows, dataset.model_columns]
    return pd.Series(np.asarray(estimator.predict(X), dtype=np.float64), index=X.index, name="score")


def walk_forward(
    algorithm: str,
    params: dict[str, Any],
    dataset: Dataset,
    splitter: WalkForward,
    *,
    progress: Callable[[Fold], None] | None = None,
    n_threads: int | None = DEFAULT_FIT_THREADS,
    memo: dict[tuple, Any] | None = None,
) -> tuple[pd.Series, list[dict[str, Any]]]:
    """Out-of-sample scores for every test date, each from a model that never saw its future.

    ``memo``: fold estimators and scores kept across walk-forwards over cuts of the same bars (a replay
    retraining monthly), keyed by algorithm, parameters, horizon and the fold's dates. A fold's training
    rows end ``purge`` = horizon dates before its test block, so their features and labels are the same in
    every cut that holds the test block: the memo returns the estimator a refit would give. The scores of
    a complete fold (any but the last, whose test block grows with the cut) are the same rows scored by the
    same estimator, so they are kept too.

    Returns
    -------
    (scores, folds)
        ``scores``: Series indexed (date, ticker) over all test blocks; ``folds``: per fold its dates,
        training rows, fit and predict seconds.
    """
    dates = dataset.features.index.get_level_values("date").unique()
    all_scores: list[pd.Series] = []
    folds: list[dict[str, Any]] = []
    split = splitter.split(dates)
    for number, fold in enumerate(split):
        train_rows = dataset.trainable(fold.train_start, fold.train_end)
        test_rows = dataset.scorable(fold.test_start, fold.test_end)
        if not train_rows.any() or not test_rows.any():
            continue
        started = time.perf_counter()
        key = (algorithm, repr(sorted(params.items())), dataset.horizon, fold.train_start, fold.train_end)
        scores_key = ("scores", *key, fold.test_start, fold.test_end)
        estimator = None if memo is None else memo.get(key)
        if estimator is None:
            estimator = fit_estimator(algorithm, params, dataset, train_rows, n_threads=n_threads)
            if memo is not None:
                memo[key] = estimator
        fit_done = time.perf_counter()
        scores = None if memo is None else memo.get(scores_key)
        if scores is None:
            scores = score_rows(estimator, dataset, test_rows)
            if memo is not None and number < len(split) - 1:
                memo[scores_key] = scores
        all_scores.append(scores)
        folds.append(
            {
                **fold.as_json(),
                "train_rows": int(train_rows.sum()),
                "test_rows": int(test_rows.sum()),
                "fit_seconds": round(fit_done - started, 3),
                "predict_seconds": round(time.perf_counter() - fit_done, 3),
            }
        )
        if progress:
            progress(fold)
    if not all_scores:
        raise ValueError("not enough history for a single walk-forward fold")
    return pd.concat(all_scores).sort_index(), folds
