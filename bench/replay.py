"""Benchmark: wall time of the replay (all five strategies, weekly rebalancing, monthly retraining), run by
real Celery worker processes, with the in-process run as its peer, measured in the same run.

Run: ``.venv/bin/python bench/replay.py`` (embedded sample, 50 tickers 2016–2021, one offset), and
``.venv/bin/python bench/replay.py --big`` for the 504-ticker file, 2014-01 … 2021-04 (long).

Needs PostgreSQL and Redis (the worker processes share the database and the broker):
``--database-url`` (default ``BENCH_DATABASE_URL`` or ``postgres://swingtrade:swingtrade@127.0.0.1:5432/
swingtrade_bench``, created and migrated when missing) and ``--redis-url`` (default ``BENCH_REDIS_URL`` or
``redis://127.0.0.1:6379/1``; the worker purges that broker's queue when it starts).

For each worker count N of ``--workers`` (default ``1,2``):

1. starts ``celery -A swingtrade worker --concurrency N`` (prefork: N worker processes) and waits until it
   answers a ping;
2. submits a run exactly as ``POST /api/v1/replays/`` does (``portfolio.replay.jobs.replay_request``: a
   ``ReplayRun`` row, then a chord of one ``portfolio.replay_part`` task per (strategy, offset) gathered by
   ``portfolio.replay_finish``), prints its progress (parts done) and waits for it to succeed;
3. stops the worker; the figure is the time from submission to the gathered result (each worker process
   reads the data file once, as in production);
4. the peer: the same parts in a pool of N plain processes calling the same engine function, without
   broker or database (``--no-peer`` skips it), with each part's own seconds.

Then the table (figure, value, target, peer) and the statistics of the Celery run. On a shared machine
the wall times depend on what else runs (the load average is printed); the CPU seconds (user + system) of
the worker's processes and of the peer's pool, from ``getrusage(RUSAGE_CHILDREN)``, do much less. Nothing
is tuned on the period: the settings are the product's defaults.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DATA = ROOT / "market" / "data" / "sp500_sample50_daily_2016_2021.csv.gz"
FULL = ROOT.parent / "shared" / "data" / "sp500_daily_2013_2021.csv.gz"
if not FULL.exists():  # a git worktree sits one level deeper than the main checkout
    FULL = ROOT.parent.parent / "shared" / "data" / "sp500_daily_2013_2021.csv.gz"
STRATEGIES = ("swingtrade", "equal_weight_monthly", "equal_weight_buy_hold", "min_variance", "cash")
DEFAULT_DB = "postgres://swingtrade:swingtrade@127.0.0.1:5432/swingtrade_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/1"
WORKER_READY_SECONDS = 120


def _children_cpu() -> float:
    """CPU seconds (user + system) of every child process waited for so far, their own children included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _environment(database_url: str, redis_url: str, time_limit: int) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "swingtrade.settings.base",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_TIME_LIMIT": str(time_limit),
        "LOG_LEVEL": "WARNING",
    }


def _part(args: tuple[str, str | None, str | None, str, int]) -> tuple[str, float]:
    """One (strategy, offset) in a plain process: the engine function a Celery task calls, no broker."""
    path, start, end, strategy, offset = args
    import django

    django.setup()
    from portfolio.replay import services
    from portfolio.replay.engine import run_replay

    params = services.replay_params(start=start, end=end, data=path, strategies=[strategy])
    data = services.load_data(params)
    started = time.perf_counter()
    run_replay(data, services.resolved_config(params, data, offset), strategy)
    return strategy, time.perf_counter() - started


def in_process(
    path: Path, start: str | None, end: str | None, processes: int
) -> tuple[float, float, dict[str, float]]:
    """(wall seconds, CPU seconds of the pool's processes, each part's own wall seconds)."""
    jobs = [(str(path), start, end, s, 0) for s in STRATEGIES]
    cpu = _children_cpu()
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    with ProcessPoolExecutor(max_workers=processes) as pool:
        for future in as_completed([pool.submit(_part, job) for job in jobs]):
            name, value = future.result()
            seconds[name] = value
            print(f"  [peer, {processes} process(es)] {name} done at {time.perf_counter() - started:.0f} s")
    return time.perf_counter() - started, _children_cpu() - cpu, seconds


def _start_worker(env: dict[str, str], concurrency: int) -> tuple[subprocess.Popen, str]:
    name = f"bench-replay-{concurrency}-{uuid.uuid4().hex[:6]}@%h"
    command = [sys.executable, "-m", "celery", "-A", "swingtrade", "worker", "--pool=prefork"]
    command += [f"--concurrency={concurrency}", "-n", name, "--purge", "--loglevel=WARNING"]
    command += ["--without-gossip", "--without-mingle"]
    worker = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)
    return worker, name.replace("%h", os.uname().nodename)


def _wait_ready(app, name: str, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + WORKER_READY_SECONDS
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker exited with code {worker.returncode}")
        if any(name in reply for reply in app.control.ping(timeout=1.0)):
            return
    raise SystemExit(f"the Celery worker did not answer a ping within {WORKER_READY_SECONDS} s")


def _stop(worker: subprocess.Popen) -> None:
    worker.terminate()  # warm shutdown: the worker's own processes exit with it
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, 9)
        worker.wait()


def through_celery(params: dict, env: dict[str, str], concurrency: int):
    """Submit the run as the API does, to a worker of ``concurrency`` processes.

    Returns (wall seconds from submission to the gathered result, CPU seconds of the worker and its
    processes from start to shutdown, the run).
    """
    from portfolio.replay import jobs
    from portfolio.replay.models import ReplayRun
    from swingtrade.celery import app

    cpu = _children_cpu()
    worker, name = _start_worker(env, concurrency)
    try:
        _wait_ready(app, name, worker)
        started = time.perf_counter()
        run = jobs.replay_request(user=None, params=params)  # atomic; the chord is sent on commit
        shown, shown_at = -1, 0.0
        while True:
            run.refresh_from_db()
            elapsed = time.perf_counter() - started
            if run.parts_done != shown or elapsed - shown_at >= 30:  # a line per part, or every 30 s
                shown, shown_at = run.parts_done, elapsed
                print(f"  [Celery, {concurrency} proc.] {shown}/{run.parts_total} parts, {elapsed:.0f} s")
            if run.status in (ReplayRun.Status.SUCCEEDED, ReplayRun.Status.FAILED):
                break
            if worker.poll() is not None:
                raise SystemExit(f"the Celery worker exited with code {worker.returncode}")
            time.sleep(0.5)
        seconds = time.perf_counter() - started
    finally:
        _stop(worker)
    if run.status != ReplayRun.Status.SUCCEEDED:
        raise SystemExit(f"replay #{run.pk} failed: {run.error}")
    return seconds, _children_cpu() - cpu, run


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def _statistics(results: dict) -> None:
    from portfolio.replay.report import table_rows

    print(
        f"{'strategy':24s} {'CAGR':>7s} {'pre-tax':>7s} {'vol':>6s} {'Sharpe':>6s} {'maxDD':>7s} "
        f"{'turn/yr':>7s} {'tax':>8s} {'ΔSharpe vs 1/N [95% CI]':>26s}"
    )
    for row in table_rows(results):
        diff = row["sharpe_diff"]
        ci = (
            ""
            if diff is None
            else f"{diff:+.2f} [{row['sharpe_diff_low']:+.2f}, {row['sharpe_diff_high']:+.2f}]"
        )
        print(
            f"{row['label']:24s} {row['cagr']:>+7.1%} {row['cagr_before_tax']:>+7.1%} "
            f"{row['volatility']:>6.1%} {(row['sharpe'] or 0):>6.2f} {row['max_drawdown']:>7.1%} "
            f"{row['turnover_per_year']:>7.2f} {row['tax']:>8.0f} {ci:>26s}"
        )


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)  # progress lines show at once, also into a file
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="the 504-ticker file, 2014-01 … 2021-04")
    parser.add_argument("--workers", default="1,2", help="Celery worker processes to measure, e.g. 1,2")
    parser.add_argument("--no-peer", action="store_true", help="skip the in-process peer runs")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    args = parser.parse_args()
    try:
        counts = [int(w) for w in args.workers.split(",")]
    except ValueError:
        parser.error("--workers takes whole numbers, e.g. 1,2")
    if any(n < 1 for n in counts):
        parser.error("--workers takes numbers of at least 1")
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url must be PostgreSQL: the worker processes write the run concurrently")
    if args.big:
        path, start, end, target = FULL, "2014-01-02", "2021-04-21", 600.0
    else:
        path, start, end, target = DATA, None, None, 60.0
    if not path.exists():
        print(f"no data file at {path}", file=sys.stderr)
        return 2
    load_start = os.getloadavg()
    from bench_postgres import ensure_database  # bench/ is on sys.path

    ensure_database(args.database_url)
    # A part of the big run lasts longer than the production time limit (30 min) on a loaded machine.
    env = _environment(args.database_url, args.redis_url, time_limit=6 * 3600 if args.big else 1800)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from portfolio.replay import services

    call_command("migrate", verbosity=0)
    params = services.replay_params(start=start, end=end, data=str(path), strategies=list(STRATEGIES))
    table = [("figure", "value", "target", "peer (in-process, same run)")]
    parts = f"{len(STRATEGIES)} strategies × 1 offset"
    last = None
    for n in counts:
        print(f"{path.name}: Celery worker with {n} process(es)…", flush=True)
        seconds, cpu, last = through_celery(params, env, n)
        peer, peer_cpu, per_part = (None, None, {}) if args.no_peer else in_process(path, start, end, n)
        table.append(
            (
                f"{path.name}, {parts}, Celery {n} worker process(es)",
                f"{seconds:.1f} s",
                f"≤ {target:.0f} s" if n == 2 else "",
                "—" if peer is None else f"{peer:.1f} s ({n} plain process(es))",
            )
        )
        table.append(
            (
                f"  throughput, Celery {n} worker process(es)",
                f"{len(STRATEGIES) / seconds * 60:.2f} parts/min",
                "",
                "—" if peer is None else f"{len(STRATEGIES) / peer * 60:.2f} parts/min",
            )
        )
        table.append(
            (
                f"  CPU seconds (user + system), Celery {n} worker process(es)",
                f"{cpu:.1f} s",
                "",
                "—" if peer_cpu is None else f"{peer_cpu:.1f} s",
            )
        )
        for name, value in per_part.items():
            table.append((f"  part {name} (peer, own seconds)", f"{value:.1f} s", "", ""))
    print()
    _print_table(table)
    print(f"\nload average at start {load_start[0]:.1f}, at end {os.getloadavg()[0]:.1f} (2 cores, shared)")
    if last is not None:
        print(f"\nReplay #{last.pk} (the last Celery run):")
        _statistics(last.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
