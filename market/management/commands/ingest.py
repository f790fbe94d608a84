"""``manage.py ingest sample|csv PATH|yahoo --symbols … --start …``: load prices, show progress, summarise.

Exit codes: 0 succeeded, 1 failed (nothing written by the failing run), 2 partially succeeded
(rejected rows or missing Yahoo tickers; everything else is stored).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from market import services
from market.models import IngestionRun
from market.sources import sample
from swingtrade.errors import DomainError


class Command(BaseCommand):
    help = "Ingest daily bars from the embedded sample, a CSV file or Yahoo Finance."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="source", required=True)
        p_sample = sub.add_parser("sample", help="the embedded 50-ticker sample (no network)")
        p_sample.add_argument("--tickers", nargs="+", help="only these tickers")
        p_sample.add_argument("--start", help="first date, YYYY-MM-DD")
        p_sample.add_argument("--end", help="last date, YYYY-MM-DD")

        p_csv = sub.add_parser("csv", help="a long CSV file date,ticker,close[,open,high,low,adj_close,…]")
        p_csv.add_argument("path")
        p_csv.add_argument(
            "--no-create-tickers",
            action="store_true",
            help="reject rows of tickers not already in the database",
        )

        p_yahoo = sub.add_parser("yahoo", help="Yahoo Finance through yfinance (network)")
        p_yahoo.add_argument("--symbols", nargs="+", help="tickers (default: every active ticker)")
        p_yahoo.add_argument("--start", help="first date, YYYY-MM-DD (default: just before the last bars)")
        p_yahoo.add_argument("--end", help="last date, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        bar = tqdm(total=None, unit="rows", desc=f"ingest {options['source']}", disable=None)
        try:
            runs = self._ingest(options, bar)
        except DomainError as exc:
            raise CommandError(self._with_details(exc))
        except Exception as exc:  # the run is already marked failed; the database is as before
            raise CommandError(f"Ingestion failed: {type(exc).__name__}: {exc}")
        finally:
            bar.close()
        self._summarise(runs, time.perf_counter() - started)

    def _ingest(self, options: dict[str, Any], bar: tqdm) -> list[IngestionRun]:
        source = options["source"]
        if source == "sample":
            frame_rows = len(sample.read_sample_frame())
            bar.total = frame_rows if not (options["tickers"] or options["start"] or options["end"]) else None
            return [
                services.sample_load(
                    tickers=options["tickers"],
                    start=options["start"],
                    end=options["end"],
                    progress=bar.update,
                )
            ]
        if source == "csv":
            return [
                services.csv_load(
                    source=options["path"],
                    allow_create_tickers=not options["no_create_tickers"],
                    progress=bar.update,
                )
            ]
        plan = services.yahoo_update_plan(
            symbols=options["symbols"], start=options["start"], end=options["end"]
        )
        if not plan:
            raise CommandError("No tickers to update: give --symbols or load tickers first.")
        runs = []
        for symbols, chunk_start in plan:
            bar.set_postfix_str(f"{symbols[0]}…{symbols[-1]}")
            runs.append(
                services.yahoo_load(
                    symbols=symbols, start=chunk_start, end=options["end"], progress=bar.update
                )
            )
        return runs

    @staticmethod
    def _with_details(exc: DomainError) -> str:
        if not exc.details:
            return exc.message
        return f"{exc.message}\n{exc.details}"

    def _summarise(self, runs: list[IngestionRun], seconds: float) -> None:
        total = {
            key: sum(getattr(r, key) for r in runs)
            for key in ("inserted", "updated", "unchanged", "rejected")
        }
        flagged = sum(r.flagged for r in runs)
        rows = sum(r.rows_total for r in runs)
        failed = sorted({t for r in runs for t in r.failed_tickers})
        self.stdout.write(
            f"runs {', '.join(f'#{r.pk} {r.status}' for r in runs)}\n"
            f"inserted {total['inserted']}  updated {total['updated']}  unchanged {total['unchanged']}  "
            f"rejected {total['rejected']}  flagged {flagged}\n"
            f"{rows} rows in {seconds:.2f} s ({rows / seconds if seconds else 0:,.0f} rows/s)"
        )
        reasons: dict[str, int] = {}
        for run in runs:
            for key, count in run.issue_counts.items():
                reasons[key] = reasons.get(key, 0) + count
        for key, count in sorted(reasons.items()):
            self.stdout.write(f"  {key}: {count}")
        if failed:
            self.stdout.write(self.style.WARNING(f"failed tickers: {' '.join(failed)}"))
        statuses = {r.status for r in runs}
        if statuses == {IngestionRun.Status.FAILED}:
            raise CommandError("Ingestion failed: " + "; ".join(r.error for r in runs if r.error))
        if statuses - {IngestionRun.Status.SUCCEEDED}:
            errors = "; ".join(r.error for r in runs if r.error)
            raise CommandError(f"Ingestion partially succeeded: {errors}", returncode=2)
