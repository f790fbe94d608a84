"""Evidence behind the monitoring defaults (docs/monitoring.md), measured on real prices.

    python bench/monitoring.py [--data PATH] [--algorithm ridge] [--windows 1,2,3]

1. Training-window policy: the same walk-forward (yearly refits, purge = horizon) with an expanding
   window and with rolling windows of N years; out-of-sample rank IC (Newey-West SE, mlcore.evaluation.ic),
   hit rate, long-short net Sharpe. The policy with the better out-of-sample record is the default.
2. False alarms: replaying the daily monitoring rule over the expanding model's out-of-sample scores
   (60-day window, validation = the mean rank IC of every earlier out-of-sample date, as at training):
   share of days that would be WARN or CRITICAL on performance, and on drift (PSI of raw features over
   the last 60 dates against the deciles of everything before).

Pure (no database; the monitoring defaults come from the settings). Prints markdown tables.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# No database: settings are read only for the monitoring defaults (settings.MONITORING_DEFAULTS).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.base")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from tqdm import tqdm  # noqa: E402

from mlcore import monitoring  # noqa: E402
from mlcore.data.dataset import panels_from_frame, read_csv_frame  # noqa: E402
from mlcore.evaluation import ic  # noqa: E402
from mlcore.evaluation.metrics import evaluate  # noqa: E402
from mlcore.training import candidates  # noqa: E402
from mlcore.training.walkforward import WalkForward, build_dataset, walk_forward  # noqa: E402

DEFAULT_DATA = ROOT / "market" / "data" / "sp500_sample50_daily_2016_2021.csv.gz"
DEFAULT_CONSTITUENTS = ROOT / "market" / "data" / "sp500_constituents_2021.csv"
YEAR = 252


def _fmt(x: float | None, spec: str = "+.4f") -> str:
    return "n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else format(x, spec)


def policy_table(dataset, algorithm: str, windows: list[int], horizon: int, cost: float) -> pd.Series:
    params = candidates.params_for(algorithm)
    policies = [("expanding", None)] + [(f"rolling {n} y", n * YEAR) for n in windows]
    print("\n| policy | OOS window | rank IC | SE | t | hit rate | net Sharpe (mean over offsets) | fit s |")
    print("|---|---|---|---|---|---|---|---|")
    expanding_scores = None
    for name, size in policies:
        splitter = WalkForward(test_size=YEAR, purge=horizon, train_size=size, min_train_size=YEAR)
        started = time.perf_counter()
        scores, _ = walk_forward(algorithm, params, dataset, splitter)
        seconds = time.perf_counter() - started
        oos = evaluate(scores, dataset.label, dataset.returns, horizon=horizon, cost_per_turnover=cost)
        offsets = oos.get("long_short_offsets", {})
        print(
            f"| {name} | {oos['window']['start']}…{oos['window']['end']} | {_fmt(oos['rank_ic_mean'])} | "
            f"{_fmt(oos['rank_ic_se'], '.4f')} | {_fmt(oos['rank_ic_t'], '+.2f')} | "
            f"{_fmt(oos['hit_rate'], '.3f')} | "
            f"{_fmt(offsets.get('net_sharpe_mean'), '+.2f')} | {seconds:.1f} |"
        )
        if size is None:
            expanding_scores = scores
    return expanding_scores


def alarm_replay(scores: pd.Series, dataset, rules: monitoring.Rules, horizon: int, step: int = 5) -> None:
    daily = ic.daily_ic(scores, dataset.label)
    dates = daily.index
    raw = [c.removesuffix("_rank") for c in dataset.model_columns]
    feature_dates = dataset.features.index.get_level_values("date")
    counts = {"OK": 0, "WARN": 0, "CRITICAL": 0}
    drift_warn = 0
    shares: list[float] = []
    judged = 0
    levels = np.linspace(0.1, 0.9, 9)
    first = rules.long_window + 20
    checkpoints = range(first, len(dates), step)  # every few days keeps the replay fast
    for i in tqdm(checkpoints, desc="replay", unit="day", mininterval=2.0):
        past = daily.iloc[: i - rules.long_window]
        validation = float(past["rank_ic"].mean())
        validation_se = ic.newey_west_se(past["rank_ic"].to_numpy(), lags=horizon - 1)
        window = daily.iloc[: i + 1]
        long = monitoring.window_metrics(
            window,
            window=rules.long_window,
            horizon=horizon,
            validation_rank_ic=validation,
            validation_rank_ic_se=validation_se,
        )
        short = monitoring.window_metrics(
            window,
            window=rules.short_window,
            horizon=horizon,
            validation_rank_ic=validation,
            validation_rank_ic_se=validation_se,
        )
        verdict = monitoring.evaluate(
            short=short, long=long, drift=None, freshness=None, coverage_share=None, rules=rules
        )
        counts[verdict.state] += 1
        # Drift: last 60 dates against everything before them (the model's training data).
        end, start = dates[i], dates[i - rules.long_window]
        recent = dataset.features[(feature_dates > start) & (feature_dates <= end)]
        before = dataset.features[feature_dates <= start]
        psi = pd.Series(
            {
                name: monitoring.psi_from_quantiles(
                    levels, np.nanquantile(before[name].to_numpy(np.float64), levels), recent[name].to_numpy()
                )
                for name in raw
            }
        )
        share = monitoring.drift_share(psi, threshold=rules.psi_threshold) or 0.0
        shares.append(share)
        drift_warn += share >= rules.drift_share_warn
        judged += 1
    print(f"\nReplay of the daily rule on {judged} checkpoints ({dates[first].date()}…{dates[-1].date()}):")
    print("| state from performance | share of days |")
    print("|---|---|")
    for state, n in counts.items():
        print(f"| {state} | {n / judged:.1%} |")
    print(
        f"\nDrift: share of drifting features (PSI > {rules.psi_threshold:g}) "
        f"median {np.median(shares):.0%}, "
        f"90th percentile {np.quantile(shares, 0.9):.0%}; days at or above the WARN share "
        f"{rules.drift_share_warn:.0%}: {drift_warn / judged:.1%}"
    )
    print("| drift WARN share threshold | days that would WARN |")
    print("|---|---|")
    for level in (0.3, 0.4, 0.5, 0.6, 0.7):
        print(f"| {level:.0%} | {np.mean(np.asarray(shares) >= level):.1%} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--constituents", default=str(DEFAULT_CONSTITUENTS))
    parser.add_argument("--algorithm", default="ridge", choices=candidates.MODELS)
    parser.add_argument("--windows", default="1,2,3", help="rolling window lengths in years")
    parser.add_argument("--horizon", type=int, default=5)
    parser.add_argument("--cost", type=float, default=0.001)
    parser.add_argument("--step", type=int, default=5, help="replay every STEP-th day")
    parser.add_argument("--critical-t", type=float, default=monitoring.Rules.from_settings().critical_t)
    args = parser.parse_args()

    frame = read_csv_frame(args.data)
    sectors = pd.read_csv(args.constituents).set_index("ticker")["sector"].to_dict()
    dataset = build_dataset(panels_from_frame(frame, sectors), horizon=args.horizon)
    n_dates = dataset.features.index.get_level_values("date").nunique()
    n_tickers = dataset.features.index.get_level_values("ticker").nunique()
    print(f"data: {args.data} — {n_tickers} tickers × {n_dates} dates; algorithm {args.algorithm}")
    scores = policy_table(
        dataset, args.algorithm, [int(w) for w in args.windows.split(",")], args.horizon, args.cost
    )
    alarm_replay(
        scores,
        dataset,
        replace(monitoring.Rules.from_settings(), critical_t=args.critical_t),
        args.horizon,
        args.step,
    )


if __name__ == "__main__":
    main()
