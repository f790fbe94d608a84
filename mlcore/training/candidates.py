"""The candidate scorers: two learned models and two rule baselines, all scikit-learn estimators.

Rule baselines are estimators too (``fit`` learns nothing and returns ``self``), so the walk-forward
runner and the evaluator treat them exactly like the learned models: same folds, same metrics.
Learned models see only the per-date ranked features (``*_rank``): scale-free across regimes, and the
preprocessing (imputation, scaling) is fitted inside the Pipeline on the training window only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlcore.features.indicators import rank_name


class RuleScorer(RegressorMixin, BaseEstimator):
    """Score = ``sign`` × one feature column; a missing value gives no score (NaN), never a made-up 0.

    A rule without its input has no opinion: scoring it 0 would rank every such name by column order
    and print a rank IC for nothing (12-1 momentum needs a year of history). The evaluation then
    reports "no valid score" with the reason (:func:`mlcore.evaluation.metrics.no_valid_score_reason`).

    Parameters
    ----------
    feature
        Column name in the feature frame passed to ``predict``.
    sign
        +1 to favour high values (momentum), -1 to favour low values (reversal).
    """

    def __init__(self, feature: str = "mom_12_1_rank", sign: float = 1.0) -> None:
        self.feature = feature
        self.sign = sign

    def fit(self, X: pd.DataFrame, y: Any = None) -> RuleScorer:
        if self.feature not in X.columns:
            raise ValueError(f"feature {self.feature!r} is not in the input")
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.sign * X[self.feature].to_numpy(np.float64)


ALGORITHMS: dict[str, dict[str, Any]] = {
    "ridge": {"kind": "model", "params": {"alpha": 100.0}},
    "hgb": {
        "kind": "model",
        # Small and heavily regularised: deeper trees fit noise here (in-sample IC 0.2, OOS ≈ 0).
        "params": {
            "max_iter": 100,
            "learning_rate": 0.05,
            "max_depth": 3,
            "max_leaf_nodes": 8,
            "min_samples_leaf": 2000,
            "l2_regularization": 10.0,
            "max_features": 0.5,
        },
        # Train on every 2nd date: 5-day labels of neighbouring dates overlap by 80 %, so this halves
        # the fit time (the ≤ 60 s walk-forward budget on 504 tickers) while losing little information.
        "date_stride": 2,
    },
    "momentum_12_1": {"kind": "baseline", "params": {"feature": rank_name("mom_12_1"), "sign": 1.0}},
    "reversal_5": {"kind": "baseline", "params": {"feature": rank_name("ret_5"), "sign": -1.0}},
}
MODELS = tuple(k for k, v in ALGORITHMS.items() if v["kind"] == "model")
BASELINES = tuple(k for k, v in ALGORITHMS.items() if v["kind"] == "baseline")


def params_for(algorithm: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    params = dict(ALGORITHMS[algorithm]["params"])
    unknown = set(overrides or {}) - set(params) - ({"random_state"} if algorithm == "hgb" else set())
    if unknown:
        raise ValueError(f"unknown hyper-parameters for {algorithm}: {', '.join(sorted(unknown))}")
    params.update(overrides or {})
    return params


def date_stride(algorithm: str) -> int:
    """Use every n-th training date (1 = all)."""
    return int(ALGORITHMS[algorithm].get("date_stride", 1))


def _middle_imputer() -> SimpleImputer:
    # A missing rank (warm-up) is the cross-sectional middle, 0; also keeps features that are all-NaN
    # in an early training window (12-month momentum in year one) instead of dropping the column.
    return SimpleImputer(strategy="constant", fill_value=0.0, keep_empty_features=True)


def make_estimator(algorithm: str, params: dict[str, Any] | None = None) -> Pipeline | RuleScorer:
    """A fresh, unfitted estimator for ``algorithm`` with its default (or given) hyper-parameters."""
    params = params_for(algorithm, params)
    if algorithm == "ridge":
        return Pipeline(
            [
                ("impute", _middle_imputer()),
                ("scale", StandardScaler()),
                ("model", Ridge(**params)),
            ]
        )
    if algorithm == "hgb":
        params.setdefault("random_state", 0)
        # No early stopping: its validation split is random, i.e. it would peek across time.
        return Pipeline(
            [
                ("impute", _middle_imputer()),
                ("model", HistGradientBoostingRegressor(early_stopping=False, **params)),
            ]
        )
    return RuleScorer(**params)
