"""Benchmark: compile + solve time of the portfolio optimiser at 50, 500 and 2,000 assets, against skfolio.

Run: ``.venv/bin/python bench/optimize.py`` (about a minute; reads /work/shared/data for 500/2,000 assets).

The problem (long/short mean-variance with costs, the same at every size):
  horizon 5 days, 252-day Ledoit-Wolf covariance, expected returns ~ N(0, 1 %) seeded (a stand-in for the
  model's predictions, shrunk by reliability 0.5), current portfolio a seeded long-only Dirichlet at 90 %
  invested, |w_i| ≤ 5 %, net exposure in [50 %, 100 %], turnover ≤ 100 %, proportional trade cost 0.125 %
  per unit traded (buy and sell), λ = 5.
  Ours adds what skfolio cannot express: gross exposure ≤ 160 % (skfolio: longs ≤ 130 %, shorts ≤ 30 %
  instead), 0.05 % borrow on short weights, limits applied after fees. Both use CLARABEL.

Universes:
  50    embedded sample (market/data), all 50 tickers.
  500   the 504-ticker file, the first 500 tickers (alphabetical) with a full 252-day window.
  2,000 those 504 real tickers plus 1,496 synthetic ones: each copies the daily returns of a seeded random
        real ticker and adds independent Gaussian noise with half that ticker's daily volatility (seed 0),
        so the covariance has the real factor structure plus idiosyncratic risk. Not market data.

Ours is run twice. "exact LW" (the service default) is the exact Ledoit-Wolf Σ in low-rank-plus-diagonal
form, w'Σw = ||F w||² + d'w² with F = sqrt(h (1 − δ) / T) X the scaled demeaned 252×N returns and d = h δ μ:
T·N nonzeros instead of a dense factor's N² (at 50 assets, where 252 > N, an exact 50×50 triangular factor).
"60-factor LW" is the explicit option max_factors=60 (RiskModel.compressed: top 60 principal directions +
exact per-asset variance), which cuts the per-iteration KKT cost from O(N·252²) to O(N·60²); the gap between
the two answers is printed.
skfolio's max_turnover is per asset (|w_i − w0_i| ≤ 1), not the total, so its turnover is not capped.

Timing: "ours" = risk model estimation + cvxpy compile + CLARABEL solve (the whole pure optimiser call);
"skfolio" = MeanRisk.fit on the same returns (its Ledoit-Wolf prior + compile + solve). Best of 3 runs
(1 at 2,000 assets). Wall time and, in brackets, CPU time of the process (all threads): on a shared,
overloaded machine the wall time mostly measures waiting for a core, the CPU time what the code costs.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portfolio.optimize import CostRates, OptimizationProfile, optimize_weights  # noqa: E402
from portfolio.risk import daily_returns, estimate_risk_model  # noqa: E402

SAMPLE = ROOT / "market" / "data" / "sp500_sample50_daily_2016_2021.csv.gz"
FULL = Path("/work/shared/data/sp500_daily_2013_2021.csv.gz")
WINDOW, HORIZON, LAMBDA, COST, BORROW = 252, 5, 5.0, 0.00125, 0.0005
FACTORS = 60  # the approximation's explicit option (settings.OPTIMIZE_MAX_FACTORS); the default is exact
PROFILE = OptimizationProfile(
    max_weight=0.05,
    gross_max=1.6,
    net_min=0.5,
    net_max=1.0,
    long_only=False,
    turnover_max=1.0,
    risk_aversion=LAMBDA,
)


def _prices(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, usecols=["date", "ticker", "adj_close"], parse_dates=["date"])
    return frame.pivot(index="date", columns="ticker", values="adj_close").sort_index()


def universes() -> dict[int, pd.DataFrame]:
    """Wide adjusted-price frames (last WINDOW + 1 days) for each size."""
    sample = _prices(SAMPLE).tail(WINDOW + 1)
    full = _prices(FULL).tail(WINDOW + 1)
    complete = full.loc[:, full.notna().all()]
    real_500 = complete.iloc[:, :500]
    rng = np.random.default_rng(0)
    returns = daily_returns(complete).iloc[1:]
    sources = rng.integers(0, returns.shape[1], 2000 - returns.shape[1])
    noise = rng.normal(size=(len(returns), len(sources))) * returns.std().to_numpy()[sources] * 0.5
    synthetic = pd.DataFrame(
        returns.to_numpy()[:, sources] + noise,
        index=returns.index,
        columns=[f"SYN{i:04d}" for i in range(len(sources))],
    )
    # Back to prices so both optimisers start from the same kind of input.
    both = pd.concat([returns, synthetic], axis=1)
    prices_2000 = pd.concat([pd.DataFrame(1.0, index=[complete.index[0]], columns=both.columns), 1 + both])
    prices_2000 = prices_2000.cumprod()
    return {50: sample, 500: real_500, 2000: prices_2000}


def inputs(prices: pd.DataFrame, seed: int = 1) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    tickers = list(prices.columns)
    mu = pd.Series(rng.normal(0.0, 0.01, len(tickers)) * 0.5, index=tickers)
    w0 = rng.dirichlet(np.ones(len(tickers))) * 0.9
    w0 = np.minimum(w0, PROFILE.max_weight)
    return mu, pd.Series(w0, index=tickers)


def run_ours(prices: pd.DataFrame, mu: pd.Series, w0: pd.Series, max_factors: int | None = None) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    risk = estimate_risk_model(prices, window=WINDOW, horizon_days=HORIZON)
    estimated = time.perf_counter()
    result = optimize_weights(
        mu,
        risk,
        w0,
        PROFILE,
        CostRates(buy=COST, sell=COST, borrow=BORROW),
        objective="mean_variance",
        max_factors=max_factors,
    )
    total = time.perf_counter() - started
    return {
        "total": total,
        "cpu": time.process_time() - cpu,
        "estimate": estimated - started,
        "compile": result.compile_time,
        "solve": result.solve_time,
        "turnover": result.turnover,
        "weights": result.weights,
    }


def run_skfolio(prices: pd.DataFrame, mu: pd.Series, w0: pd.Series) -> dict:
    from skfolio.moments import LedoitWolf
    from skfolio.optimization import MeanRisk, ObjectiveFunction
    from skfolio.prior import EmpiricalPrior

    returns = daily_returns(prices).iloc[1:].tail(WINDOW)
    mu_daily = mu.reindex(returns.columns).to_numpy() / HORIZON  # same optimum: our utility / horizon
    model = MeanRisk(
        objective_function=ObjectiveFunction.MAXIMIZE_UTILITY,
        risk_aversion=LAMBDA,
        prior_estimator=EmpiricalPrior(covariance_estimator=LedoitWolf()),
        overwrite_expected_return=lambda w: mu_daily @ w,
        min_weights=-PROFILE.max_weight,
        max_weights=PROFILE.max_weight,
        budget=None,
        min_budget=PROFILE.net_min,
        max_budget=PROFILE.net_max,
        max_long=1.3,
        max_short=0.3,
        transaction_costs=COST / HORIZON,
        previous_weights=w0.reindex(returns.columns).to_numpy(),
        max_turnover=PROFILE.turnover_max,
        solver="CLARABEL",
    )
    started, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(returns)
    total = time.perf_counter() - started
    weights = pd.Series(model.weights_, index=returns.columns)
    return {
        "total": total,
        "cpu": time.process_time() - cpu,
        "turnover": float((weights - w0.reindex(returns.columns)).abs().sum()),
    }


def main() -> None:
    rows = []
    for size, prices in universes().items():
        mu, w0 = inputs(prices)
        repeats = 3 if size < 2000 else 1
        exact = min((run_ours(prices, mu, w0) for _ in range(repeats)), key=lambda r: r["total"])
        fast = min((run_ours(prices, mu, w0, FACTORS) for _ in range(repeats)), key=lambda r: r["total"])
        peer = min((run_skfolio(prices, mu, w0) for _ in range(repeats)), key=lambda r: r["total"])
        target = "≤ peer" + (", ≤ 1 s" if size == 500 else "")
        rank = min(WINDOW, size)  # rows of the exact factor: the return days, or N when fewer assets
        for label, ours in ((f"exact LW ({rank}×{size} F)", exact), (f"{FACTORS}-factor LW", fast)):
            rows.append(
                (
                    f"{size} assets, {label}: estimate+compile+solve, wall (CPU) s",
                    f"{ours['total']:.3f} ({ours['cpu']:.3f})",
                    target,
                    f"{peer['total']:.3f} ({peer['cpu']:.3f})",
                )
            )
            rows.append(
                (
                    f"{size} assets, {label}: estimate / compile / solve (s)",
                    f"{ours['estimate']:.3f} / {ours['compile']:.3f} / {ours['solve']:.3f}",
                    "",
                    "",
                )
            )
        gap = float((fast["weights"] - exact["weights"]).abs().max())
        rows.append((f"{size} assets: max |w_factor − w_exact|", f"{gap:.4f}", "", ""))
        rows.append(
            (
                f"{size} assets: turnover (ours capped at 1.0)",
                f"{exact['turnover']:.3f}",
                "",
                f"{peer['turnover']:.3f}",
            )
        )
        print(f"done {size}", file=sys.stderr, flush=True)
    widths = [
        max(len(r[i]) for r in [*rows, ("figure", "value", "target", "peer (skfolio)")]) for i in range(4)
    ]
    header = ("figure", "value", "target", "peer (skfolio)")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
