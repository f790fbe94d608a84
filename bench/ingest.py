"""Ingestion benchmark against PostgreSQL: first load vs PostgreSQL's own COPY, re-ingest, corrections.

    python bench/ingest.py [--data PATH] [--database-url postgres://…/swingtrade_ingest_bench]

PATH defaults to the embedded 50-ticker sample; the full file is
``../shared/data/sp500_daily_2013_2021.csv.gz`` (504 tickers, 1.02 M bars). The database defaults to
``BENCH_INGEST_DATABASE_URL`` or ``postgres://postgres@127.0.0.1:5432/swingtrade_ingest_bench``; it is
created if missing and its market tables are emptied, so the name must contain "bench" (CI's
``swingtrade`` database is never touched) and a database holding portfolios is refused: emptying the
tickers would delete their positions (``bench/api.py``'s database is another one for that reason).

Figures (one run, same process):
- COPY floor: the decompressed CSV loaded by ``COPY`` into a bare table (no index, no constraint).
  The machine may be shared: floor and first load are measured in alternation ``--repeat`` times
  (tables emptied each time); the figure is the median ratio of each load to the COPY just before it.
- first load: ``market.ingest.ingest_frame`` on the parsed frame into the empty tables — validation,
  ticker creation, staging COPY, upsert with revisions check, issues, ticker dates; one transaction.
- re-ingest: the same frame again; must write 0 rows, in at most 0.8x the last first load's time.
- correction: 1 % of the rows with a changed adj_close and volume; every one must become an update
  with one ``BarRevision``.
- peak memory: the process's peak resident set size (``getrusage``), after each phase.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import resource
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from bench_postgres import ensure_database  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "market" / "data" / "sp500_sample50_daily_2016_2021.csv.gz"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/swingtrade_ingest_bench"


def peak_rss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_INGEST_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--correction-share", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3, help="(COPY, first load) pairs measured")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="print where one more first load spends its time (pyinstrument)",
    )
    args = parser.parse_args()
    load_start = os.getloadavg()

    name = urlparse(args.database_url).path.lstrip("/")
    if not args.database_url.startswith("postgres") or "bench" not in name:
        print(
            f"refusing database {name!r}: use a PostgreSQL database whose name contains 'bench'",
            file=sys.stderr,
        )
        return 2
    ensure_database(args.database_url)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DEBUG", "false")  # no per-query bookkeeping
    # Settings refuse their built-in keys outside DEBUG: this process signs nothing, any random key will do.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))
    os.environ.setdefault("JWT_SIGNING_KEY", secrets.token_urlsafe(64))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from market.ingest import ingest_frame
    from market.models import BarRevision, DailyBar
    from market.signals import ingestion_succeeded
    from market.sources import csv_file

    # Only ingestion is measured: listeners (mlcore's predictions) are switched off for this process.
    ingestion_succeeded.receivers = []
    call_command("migrate", verbosity=0)
    from portfolio.models import Portfolio

    if Portfolio.objects.exists():
        print(
            f"refusing database {name!r}: it holds portfolios, and emptying its tickers would delete their "
            "positions (use the default swingtrade_ingest_bench or another database of its own)",
            file=sys.stderr,
        )
        return 2

    rows: list[tuple[str, str, str]] = []

    def add(figure: str, value: str, target: str = "") -> None:
        rows.append((figure, value, target))
        print(f"  {figure}: {value}", file=sys.stderr)

    raw = args.data.read_bytes()
    text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw

    started = time.perf_counter()
    frame = csv_file.read_csv(raw)
    read_s = time.perf_counter() - started
    n = len(frame)
    add("rows / tickers", f"{n:,} / {frame['ticker'].nunique()}")
    add("parse file to frame", f"{read_s:.2f} s")

    def truncate() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE market_barrevision, market_ingestionissue, market_dailybar, market_ingestionrun, "
                "market_ticker RESTART IDENTITY CASCADE"
            )

    def copy_floor() -> float:
        """PostgreSQL's COPY of the same rows (the decompressed file) into a bare table."""
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy_floor")
            cursor.execute(
                "CREATE TABLE bench_copy_floor (date date, ticker text, open float8, high float8, "
                "low float8, close float8, adj_close float8, volume bigint, dividend float8, "
                "split_factor float8)"
            )
            header = text.split(b"\n", 1)[0].decode()
            started = time.perf_counter()
            cursor.copy_expert(
                f"COPY bench_copy_floor ({header}) FROM STDIN WITH (FORMAT csv, HEADER true)",
                io.BytesIO(text),
            )
            seconds = time.perf_counter() - started
            cursor.execute("SELECT count(*) FROM bench_copy_floor")
            assert cursor.fetchone()[0] == n
            cursor.execute("DROP TABLE bench_copy_floor")
        return seconds

    # The machine is shared: floor and first load are measured in alternation, best of --repeat each.
    copy_times, first_times = [], []
    for _ in range(args.repeat):
        truncate()
        copy_times.append(copy_floor())
        started = time.perf_counter()
        # No copy of the frame: ingest_frame leaves its argument as it was (tests/market/test_ingest.py).
        first = ingest_frame(frame=frame, source="csv", params={"bench": "first"})
        first_times.append(time.perf_counter() - started)
        assert first.inserted == n - first.rejected, first
    copy_s, first_s = min(copy_times), min(first_times)
    pairs = [f / c for f, c in zip(first_times, copy_times, strict=True)]
    each = ", ".join(f"{r:.2f}x" for r in pairs)
    add(
        f"COPY into bare table (floor), best of {args.repeat}",
        f"{copy_s:.2f} s ({n / copy_s:,.0f} rows/s)",
    )
    add(f"first load (ingest_frame), best of {args.repeat}", f"{first_s:.2f} s ({n / first_s:,.0f} rows/s)")
    # Each first load is compared with the COPY measured just before it (same machine load);
    # the median of those pairs is the figure, best-against-best is shown beside it.
    ratio = statistics.median(pairs)
    add(
        "first load / COPY (median of pairs)",
        f"{ratio:.2f}x (pairs: {each}; best/best {first_s / copy_s:.2f}x)",
        "<= 2.5x " + ("met" if ratio <= 2.5 else "NOT met"),
    )
    add("first load incl. file parse", f"{read_s + first_s:.2f} s ({n / (read_s + first_s):,.0f} rows/s)")
    add("rejected / flagged rows", f"{first.rejected} / {first.flagged}")
    add("peak RSS after first load", f"{peak_rss_mb():,.0f} MB")

    started = time.perf_counter()
    again = ingest_frame(frame=frame, source="csv", params={"bench": "re-ingest"})
    again_s = time.perf_counter() - started
    written = again.inserted + again.updated
    # Against the first load measured just before it (closest in machine load), as the pairs above.
    again_ratio = again_s / first_times[-1]
    add(
        "re-ingest unchanged / last first load",
        f"{again_s:.2f} s = {again_ratio:.2f}x, {written} rows written, {again.unchanged:,} unchanged",
        "<= 0.8x, 0 written " + ("met" if again_ratio <= 0.8 and written == 0 else "NOT met"),
    )

    rng = np.random.default_rng(7)
    changed = frame.copy()
    picked = rng.choice(n, size=max(1, round(n * args.correction_share)), replace=False)
    changed.loc[picked, "adj_close"] = (changed.loc[picked, "adj_close"] * 1.001).round(4)
    changed.loc[picked, "volume"] = changed.loc[picked, "volume"] + 1
    started = time.perf_counter()
    corrected = ingest_frame(frame=changed, source="csv", params={"bench": "correction"})
    corr_s = time.perf_counter() - started
    revisions = BarRevision.objects.filter(run=corrected).count()
    ok = corrected.updated == len(picked) == revisions and corrected.inserted == 0
    add(
        f"correction run ({args.correction_share:.0%} changed)",
        f"{corr_s:.2f} s, {corrected.updated:,} updated, {revisions:,} revisions",
        f"{len(picked):,} updates + revisions " + ("met" if ok else "NOT met"),
    )
    add("bars stored", f"{DailyBar.objects.count():,}")
    add("peak RSS (whole run)", f"{peak_rss_mb():,.0f} MB", "stated")

    if args.profile:
        from pyinstrument import Profiler

        truncate()
        profiler = Profiler(interval=0.001)
        profiler.start()
        ingest_frame(frame=frame, source="csv", params={"bench": "profile"})
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False), file=sys.stderr)

    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    load_end = os.getloadavg()
    print(
        f"\ningestion benchmark — {args.data.name}, PostgreSQL {connection.pg_version // 10000}; "
        f"load average at start {load_start[0]:.2f} / {load_start[1]:.2f} / {load_start[2]:.2f}, at end "
        f"{load_end[0]:.2f} / {load_end[1]:.2f} / {load_end[2]:.2f} (1 / 5 / 15 min, 2 cores)\n"
    )
    print(f"| {'figure':<{width}} | {'value':<{vwidth}} | target |")
    print(f"|{'-' * (width + 2)}|{'-' * (vwidth + 2)}|--------|")
    for figure, value, target in rows:
        print(f"| {figure:<{width}} | {value:<{vwidth}} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
