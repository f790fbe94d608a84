"""Covariance estimation for the optimiser: shrinkage on a window of daily adjusted returns.

Pure functions on DataFrames, no ORM. The estimate is returned both as a dense matrix (for reporting and
for small problems) and in *factor form* ``Σ = F'F + diag(d)`` so the optimiser can write the variance as
``||F w||² + Σ d_i w_i²`` — with a 252-day window and 2,000 assets ``F`` is 252×2000 instead of a dense
2000×2000 quadratic form, which is what keeps compile and solve time low.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.linalg
from sklearn.covariance import ledoit_wolf_shrinkage

from swingtrade.errors import DomainError

ESTIMATORS = ("ledoit_wolf", "oas")


@dataclass(frozen=True)
class RiskModel:
    """A covariance over the horizon, ``Σ = F'F + diag(d)``.

    Attributes
    ----------
    tickers : list[str]
        Column order of every array, length N.
    factor : ndarray, shape (K, N)
        ``F``; K is the number of return observations (or N for a Cholesky factor).
    diagonal : ndarray, shape (N,)
        ``d`` ≥ 0, the shrinkage (or idiosyncratic) part.
    excluded : list[str]
        Tickers dropped for too short a history in the window (they cannot be traded by the optimiser).
    shrinkage : float
        Shrinkage intensity chosen by the estimator (0 when not applicable).
    """

    tickers: list[str]
    factor: np.ndarray
    diagonal: np.ndarray
    excluded: list[str] = field(default_factory=list)
    shrinkage: float = 0.0
    horizon_days: int = 1

    @property
    def covariance(self) -> pd.DataFrame:
        """Dense ``Σ`` (N×N), indexed and labelled by ticker."""
        matrix = self.factor.T @ self.factor + np.diag(self.diagonal)
        return pd.DataFrame(matrix, index=self.tickers, columns=self.tickers)

    def reduced(self) -> RiskModel:
        """The same Σ with at most N factor rows: F'F = R'R with R N×N triangular (Cholesky or QR).

        With more return days than assets (K > N) this is exact and makes the solver's problem smaller.
        """
        k, n = self.factor.shape
        if k <= n:
            return self
        try:  # Cholesky of the N×N Gram matrix: a fraction of the cost of a QR of the K×N factor
            triangular = np.linalg.cholesky(self.factor.T @ self.factor).T
        except np.linalg.LinAlgError:  # collinear returns: QR still gives an exact (singular) R
            triangular = np.linalg.qr(self.factor, mode="r")
        return RiskModel(
            tickers=list(self.tickers),
            factor=triangular,
            diagonal=self.diagonal.copy(),
            excluded=list(self.excluded),
            shrinkage=self.shrinkage,
            horizon_days=self.horizon_days,
        )

    def subset(self, tickers: list[str]) -> RiskModel:
        """The same model restricted to ``tickers`` (which must all be modelled)."""
        position = {t: i for i, t in enumerate(self.tickers)}
        idx = [position[t] for t in tickers]
        return RiskModel(
            tickers=list(tickers),
            factor=self.factor[:, idx],
            diagonal=self.diagonal[idx],
            excluded=list(self.excluded),
            shrinkage=self.shrinkage,
            horizon_days=self.horizon_days,
        )

    def compressed(self, max_factors: int) -> RiskModel:
        """Statistical factor approximation: the top ``max_factors`` principal directions of ``F'F``.

        What the dropped directions carried is moved to the diagonal, so every asset keeps its exact
        variance; only correlations outside the kept factors are lost. The optimiser's KKT system then
        costs O(N k²) per iteration instead of O(N K²) — this is what makes 2,000 assets fast.
        """
        if max_factors >= min(self.factor.shape):
            return self
        # Top eigenpairs of the smaller Gram matrix (K×K or N×N) instead of an SVD of F.
        k, n = self.factor.shape
        if k <= n:
            gram = self.factor @ self.factor.T  # F F' = U S² U'
            _, vectors = scipy.linalg.eigh(gram, subset_by_index=[k - max_factors, k - 1])
            kept = vectors.T @ self.factor  # = S_k V_k', rows are the principal directions
        else:
            gram = self.factor.T @ self.factor  # F'F = V S² V'
            values, vectors = scipy.linalg.eigh(gram, subset_by_index=[n - max_factors, n - 1])
            kept = np.sqrt(np.clip(values, 0.0, None))[:, None] * vectors.T
        residual = np.sum(self.factor**2, axis=0) - np.sum(kept**2, axis=0)
        return RiskModel(
            tickers=list(self.tickers),
            factor=kept,
            diagonal=self.diagonal + np.clip(residual, 0.0, None),
            excluded=list(self.excluded),
            shrinkage=self.shrinkage,
            horizon_days=self.horizon_days,
        )

    @classmethod
    def from_covariance(
        cls, covariance: pd.DataFrame | np.ndarray, tickers: list[str] | None = None
    ) -> RiskModel:
        """Factor form of a given dense covariance (Cholesky, with a tiny ridge if only semidefinite)."""
        if isinstance(covariance, pd.DataFrame):
            tickers = [str(c) for c in covariance.columns]
            matrix = covariance.to_numpy(dtype=float)
        else:
            matrix = np.asarray(covariance, dtype=float)
        n = matrix.shape[0]
        if matrix.shape != (n, n) or not np.allclose(matrix, matrix.T, atol=1e-12):
            raise DomainError("The covariance must be a symmetric square matrix.")
        if tickers is None:
            tickers = [str(i) for i in range(n)]
        matrix = (matrix + matrix.T) / 2
        try:
            lower = np.linalg.cholesky(matrix)
            diagonal = np.zeros(n)
        except np.linalg.LinAlgError:
            # Semidefinite: eigen-factor and keep only the non-negative part.
            values, vectors = np.linalg.eigh(matrix)
            if values.min() < -1e-10 * max(1.0, values.max()):
                raise DomainError("The covariance is not positive semidefinite.")
            lower = vectors * np.sqrt(np.clip(values, 0.0, None))
            diagonal = np.zeros(n)
        return cls(tickers=list(tickers), factor=lower.T.copy(), diagonal=diagonal)


def daily_returns(prices: pd.DataFrame) -> pd.DataFrame:
    """Simple daily returns of a wide adjusted-price frame; NaN where either day has no price."""
    prices = prices.sort_index().astype(float)
    return prices / prices.shift(1) - 1.0


def estimate_risk_model(
    prices: pd.DataFrame,
    *,
    window: int = 252,
    horizon_days: int = 5,
    estimator: str = "ledoit_wolf",
    min_coverage: float = 0.8,
) -> RiskModel:
    """Shrinkage covariance of daily adjusted returns over the last ``window`` days, scaled to the horizon.

    Parameters
    ----------
    prices : DataFrame, shape (n_dates, n_tickers)
        Wide adjusted closes, DatetimeIndex, one column per ticker, NaN where no bar.
    window : int
        Number of most recent daily returns used.
    horizon_days : int
        Trading days in the holding horizon; daily covariance is multiplied by it (i.i.d. returns).
    estimator : {"ledoit_wolf", "oas"}
        scikit-learn shrinkage estimator towards a scaled identity.
    min_coverage : float
        Tickers with fewer than ``min_coverage × window`` returns in the window are excluded (listed in
        ``RiskModel.excluded``). For the others, missing days are filled with the ticker's own mean
        return before estimation and its row/column is then rescaled by ``sqrt(window / n_observed)``,
        which restores the variance that zero-filled deviations would understate while keeping Σ PSD.

    Returns
    -------
    RiskModel
        ``Σ_h = h · [(1 − δ) X'X / T + δ μ I]`` as factor ``F = sqrt(h (1 − δ) / T) X`` and diagonal
        ``h δ μ``, where X is the demeaned (T×N) return window and δ the estimated shrinkage.
    """
    if estimator not in ESTIMATORS:
        raise DomainError(f"Unknown covariance estimator {estimator!r}; use one of {', '.join(ESTIMATORS)}.")
    if window < 2 or horizon_days < 1:
        raise DomainError("The covariance window must be ≥ 2 days and the horizon ≥ 1 day.")
    returns = daily_returns(prices).iloc[1:].tail(window)
    returns = returns.replace([np.inf, -np.inf], np.nan)
    counts = returns.notna().sum()
    needed = max(2, int(np.ceil(min_coverage * len(returns))))
    keep = [str(t) for t in returns.columns if counts[t] >= needed]
    excluded = [str(t) for t in returns.columns if counts[t] < needed]
    if len(keep) == 0 or len(returns) < 2:
        raise DomainError("Not enough price history to estimate a covariance.")
    returns = returns[keep]
    observed = counts[keep].to_numpy(dtype=float)
    demeaned = (returns - returns.mean()).fillna(0.0).to_numpy(dtype=float)
    t = demeaned.shape[0]

    empirical = demeaned - demeaned.mean(axis=0)
    delta = _shrinkage(empirical, estimator)
    # sklearn's estimators: Σ = (1 − δ) S + δ tr(S)/N · I with S = X'X / T, X centred.
    mu = float(np.sum(empirical**2) / t / empirical.shape[1])
    scale = np.sqrt(t / observed)  # missing-data correction, 1 for complete columns
    factor = np.sqrt(horizon_days * (1.0 - delta) / t) * empirical * scale
    diagonal = horizon_days * delta * mu * scale**2
    return RiskModel(
        tickers=keep,
        factor=factor,
        diagonal=diagonal,
        excluded=excluded,
        shrinkage=delta,
        horizon_days=horizon_days,
    )


def _shrinkage(x: np.ndarray, estimator: str) -> float:
    """Shrinkage intensity of sklearn's ``LedoitWolf`` / ``OAS`` for centred returns ``x`` (T×N).

    Computed without the N×N matrices: sklearn's ``fit`` also inverts the covariance (an N×N
    eigendecomposition, tens of seconds at 2,000 assets) for a precision matrix nobody here uses.
    """
    t, n = x.shape
    if n == 1:
        return 0.0
    if estimator == "ledoit_wolf":
        return float(ledoit_wolf_shrinkage(x, assume_centered=True))
    # OAS as in sklearn.covariance._oas, with mean(S²) = ||X X'||²_F / (T² N²) from the T×T Gram matrix.
    gram = x @ x.T
    alpha = float(np.sum(gram**2)) / (t * t * n * n)
    mu = float(np.sum(x**2)) / (t * n)
    den = (t + 1) * (alpha - mu**2 / n)
    return 1.0 if den == 0 else min((alpha + mu**2) / den, 1.0)
