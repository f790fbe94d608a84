"""Feature drift: population stability index against a reference sample or its stored quantiles."""

from __future__ import annotations

import numpy as np
import pandas as pd


def psi(reference: np.ndarray, current: np.ndarray, *, bins: int = 10, floor: float = 1e-4) -> float:
    """Population stability index of ``current`` against ``reference``.

    Bins are the reference deciles (for ``bins=10``), open at both ends so every current value
    lands in a bin; empty bins are floored at ``floor`` so the log stays finite. Conventional
    reading: < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 significant shift.
    Returns NaN when either side has no finite value or the reference is constant.
    """
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    ref = ref[np.isfinite(ref)]
    cur = cur[np.isfinite(cur)]
    if len(ref) == 0 or len(cur) == 0:
        return float("nan")
    edges = np.unique(np.quantile(ref, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    if len(edges) == 0 or ref.min() == ref.max():
        return float("nan")
    ref_share = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1) / len(ref)
    cur_share = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1) / len(cur)
    ref_share = np.maximum(ref_share, floor)
    cur_share = np.maximum(cur_share, floor)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def psi_from_quantiles(
    levels: list[float] | np.ndarray,
    values: list[float] | np.ndarray,
    current: np.ndarray,
    *,
    floor: float = 1e-4,
) -> float:
    """PSI of ``current`` against a reference summarised by its quantiles.

    ``values[i]`` is the reference's ``levels[i]`` quantile (e.g. levels 0.1 … 0.9, the deciles stored
    with a model version), so the reference share between two consecutive edges is the difference of
    their levels. Tied quantile values (a mass point) merge their bins.
    """
    lv = np.asarray(levels, dtype=float)
    qv = np.asarray(values, dtype=float)
    keep = np.isfinite(lv) & np.isfinite(qv)
    lv, qv = lv[keep], qv[keep]
    cur = np.asarray(current, dtype=float)
    cur = cur[np.isfinite(cur)]
    if len(lv) == 0 or len(cur) == 0:
        return float("nan")
    order = np.argsort(lv)
    lv, qv = lv[order], qv[order]
    edges = np.unique(qv)
    # Level reached at each distinct edge = the highest level whose quantile equals it.
    cum = np.array([lv[qv == e].max() for e in edges])
    ref_share = np.diff(np.concatenate([[0.0], cum, [1.0]]))
    cur_share = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1) / len(cur)
    ref_share = np.maximum(ref_share, floor)
    cur_share = np.maximum(cur_share, floor)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def feature_psi(reference: pd.DataFrame, current: pd.DataFrame, *, bins: int = 10) -> pd.Series:
    """PSI of every feature column present in both frames (rows: (date, ticker) observations)."""
    columns = [c for c in reference.columns if c in current.columns]
    values = {c: psi(reference[c].to_numpy(), current[c].to_numpy(), bins=bins) for c in columns}
    return pd.Series(values, dtype=float, name="psi")


def drift_share(psi_values: pd.Series, *, threshold: float) -> float | None:
    """Share of features (with a defined PSI) whose PSI exceeds ``threshold``."""
    defined = psi_values.dropna()
    if defined.empty:
        return None
    return float((defined > threshold).mean())
