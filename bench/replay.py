"""Benchmark: wall time of the replay (all five strategies, weekly rebalancing, monthly retraining).

Run: ``.venv/bin/python bench/replay.py`` (embedded sample, 50 tickers 2016–2021, one offset), and
``.venv/bin/python bench/replay.py --big`` for the 504-ticker file, 2014-01 … 2021-04 (long: tens of minutes).

Each (strategy, offset) part is independent, the unit the API fans out as one Celery task. The bench runs
the parts in a pool of 1 and then 2 worker *processes* (``--workers``; the same function a Celery task
calls, without the broker), and prints the wall time of each and the parts' own CPU-bound seconds.
Nothing is tuned on the period: the settings are the product's defaults.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.base")

SAMPLE = Path("/work/shared/data/sp500_sample50_daily_2016_2021.csv.gz")
FULL = Path("/work/shared/data/sp500_daily_2013_2021.csv.gz")
STRATEGIES = ("swingtrade", "equal_weight_monthly", "equal_weight_buy_hold", "min_variance", "cash")


def _setup() -> None:
    import django

    django.setup()


def _part(args: tuple[str, str | None, str | None, str, int]) -> tuple[dict, float]:
    path, start, end, strategy, offset = args
    _setup()
    from portfolio.replay import services
    from portfolio.replay.engine import run_replay
    from portfolio.replay.report import part_result

    params = services.replay_params(start=start, end=end, data=path, strategies=[strategy])
    data = services.load_data(params)
    started = time.perf_counter()
    result = run_replay(data, services.resolved_config(params, data, offset), strategy)
    return part_result(result), time.perf_counter() - started


def run(path: Path, start: str | None, end: str | None, workers: int) -> tuple[list[dict], dict, float]:
    jobs = [(str(path), start, end, s, 0) for s in STRATEGIES]
    started = time.perf_counter()
    done = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for future in as_completed([pool.submit(_part, job) for job in jobs]):
            done.append(future.result())
            elapsed = time.perf_counter() - started
            print(f"  [{workers} worker(s)] {done[-1][0]['strategy']} done at {elapsed:.0f} s", flush=True)
    wall = time.perf_counter() - started
    return [p for p, _ in done], {p["strategy"]: s for p, s in done}, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--big", action="store_true", help="the 504-ticker file, 2014-01 … 2021-04")
    parser.add_argument("--workers", default="1,2", help="pool sizes to measure, e.g. 1,2")
    args = parser.parse_args()
    if args.big:
        path, start, end, target = FULL, "2014-01-02", "2021-04-21", 600.0
    else:
        path, start, end, target = SAMPLE, None, None, 60.0
    _setup()
    from portfolio.replay.report import gather, table_rows

    rows = []
    for workers in [int(w) for w in args.workers.split(",")]:
        parts, seconds, wall = run(path, start, end, workers)
        rows.append((f"{path.name}: 5 strategies, 1 offset, {workers} worker process(es)", wall, target))
        for name, value in seconds.items():
            rows.append((f"  part {name}", value, None))
    print(f"{'figure':70s} {'value':>10s} {'target':>10s}")
    for figure, value, goal in rows:
        print(f"{figure:70s} {value:>9.1f}s {f'≤ {goal:.0f}s' if goal else '':>10s}")
    print()
    print(
        f"{'strategy':24s} {'CAGR':>7s} {'pre-tax':>7s} {'vol':>6s} {'Sharpe':>6s} {'maxDD':>7s} "
        f"{'turn/yr':>7s}"
        f" {'tax':>8s} {'ΔSharpe vs 1/N [95% CI]':>26s}"
    )
    for row in table_rows(gather(parts)):
        diff = row["sharpe_diff"]
        ci = (
            ""
            if diff is None
            else f"{diff:+.2f} [{row['sharpe_diff_low']:+.2f}, {row['sharpe_diff_high']:+.2f}]"
        )
        print(
            f"{row['label']:24s} {row['cagr']:>+7.1%} {row['cagr_before_tax']:>+7.1%} "
            f"{row['volatility']:>6.1%} "
            f"{(row['sharpe'] or 0):>6.2f} {row['max_drawdown']:>7.1%} {row['turnover_per_year']:>7.2f} "
            f"{row['tax']:>8.0f} {ci:>26s}"
        )


if __name__ == "__main__":
    main()
