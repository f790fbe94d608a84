"""The advice's problem in factor form, compiled once and re-solved, has the optimum of the plain dense one.

``portfolio.optimize.tax_aware`` writes the variance as ``||F w||² + ||√d ⊙ w||²`` with cvxpy parameters
re-filled at each call. Here the same programme is written the textbook way — ``quad_form(w, Σ)`` with the
dense Ledoit-Wolf Σ, constants instead of parameters, the loss credit as ``w ≤ w0`` — and solved alone.
On a real window of the 504-ticker file (skipped when the shared file is absent) and on the embedded
sample, the weights agree within the solver's tolerance.
"""

from __future__ import annotations

from pathlib import Path

import cvxpy as cp
import numpy as np
import pandas as pd
import pytest

from portfolio.optimize.formulation import solve
from portfolio.optimize.tax_aware import TaxAwareInputs, _solve, tax_aware_weights
from portfolio.risk import estimate_risk_model

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "market" / "data" / "sp500_sample50_daily_2016_2021.csv.gz"
FULL = Path("/work/shared/data/sp500_daily_2013_2021.csv.gz")
SECTORS = ROOT / "market" / "data" / "sp500_constituents_2021.csv"


def _window(path: Path, day: str) -> pd.DataFrame:
    frame = pd.read_csv(path, usecols=["date", "ticker", "adj_close"], parse_dates=["date"])
    wide = frame.pivot(index="date", columns="ticker", values="adj_close").loc[:day]
    return wide.iloc[-253:]


def _inputs(tickers: list[str], seed: int, cost_aversion: float) -> TaxAwareInputs:
    rng = np.random.default_rng(seed)
    n = len(tickers)
    sectors = pd.read_csv(SECTORS).set_index("ticker")["sector"].to_dict()
    return TaxAwareInputs(
        tickers=tickers,
        current=np.minimum(rng.dirichlet(np.ones(n)) * 0.99, 0.05),
        tilt=np.zeros(n),
        buy_rate=np.full(n, 0.0013),
        sell_rate=np.full(n, 0.0011),
        gain_fraction=rng.normal(0.05, 0.2, n),
        tax_rate=0.30,
        tax_base=0.002,
        max_weight=0.05 if n > 100 else 0.10,
        max_sector=0.30,
        sectors=[sectors.get(t) or "Unknown" for t in tickers],
        invested=1.0,
        risk_aversion=2.5,
        cost_aversion=cost_aversion,
    )


def _dense(inputs: TaxAwareInputs, sigma: np.ndarray, credited: np.ndarray) -> np.ndarray:
    n = len(inputs.tickers)
    w0 = inputs.current
    w, bought, sold = (cp.Variable(n, nonneg=True) for _ in range(3))
    paid = inputs.buy_rate @ bought + inputs.sell_rate @ sold
    constraints = [w == w0 + bought - sold, sold <= w0, w <= inputs.max_weight, cp.sum(w) + paid == 1.0]
    for sector in sorted(set(inputs.sectors)):
        member = np.array([s == sector for s in inputs.sectors], dtype=float)
        constraints.append(member @ w <= inputs.max_sector)
    realised = np.clip(inputs.gain_fraction, 0, None) @ sold
    if credited.any():
        constraints.append(w[credited] <= w0[credited])
        realised = realised + inputs.gain_fraction[credited] @ (w0[credited] - w[credited])
    risk = inputs.risk_aversion * cp.quad_form(w, cp.psd_wrap(sigma)) / inputs.cost_aversion
    tax = inputs.tax_rate * cp.pos(inputs.tax_base + realised)
    scale = float(np.mean(np.diag(sigma)))
    problem = cp.Problem(cp.Maximize((-risk - paid - tax) / scale), constraints)
    solve(problem)
    assert problem.status == cp.OPTIMAL
    return np.asarray(w.value).ravel()


def _check(prices: pd.DataFrame, cost_aversion: float) -> None:
    risk = estimate_risk_model(prices, window=252, horizon_days=252)
    inputs = _inputs(list(risk.tickers), seed=7, cost_aversion=cost_aversion)
    model = risk.subset(inputs.tickers).reduced()
    sigma = risk.covariance.to_numpy()
    nothing = np.zeros(len(inputs.tickers), dtype=bool)
    first = _solve(inputs, model, credited=nothing)[0]
    # Both solves of the advice, each against the dense programme with the same credited lines (which
    # lines get a credit depends on the first solve at 1e-9, so it is fixed here, not re-derived).
    credited = (inputs.gain_fraction < 0) & (first <= inputs.current + 1e-9)
    for lines in (nothing, credited):
        factored = _solve(inputs, model, credited=lines)[0]
        dense = _dense(inputs, sigma, lines)
        assert np.abs(factored - dense).max() < 1e-4
        assert float(factored @ sigma @ factored) == pytest.approx(float(dense @ sigma @ dense), rel=1e-4)
    again = tax_aware_weights(inputs, risk)  # the cached, already compiled problem, re-solved
    assert np.abs(again.weights.to_numpy() - _solve(inputs, model, credited=credited)[0]).max() < 1e-7


@pytest.mark.parametrize("cost_aversion", [1.0, 3.0])
def test_factored_and_dense_agree_on_the_embedded_sample(cost_aversion):
    _check(_window(SAMPLE, "2019-06-28"), cost_aversion)


@pytest.mark.skipif(not FULL.exists(), reason="the shared 504-ticker file is not on this machine")
def test_factored_and_dense_agree_on_a_real_504_ticker_window():
    _check(_window(FULL, "2016-06-30"), 1.0)
