"""Replay history and measure how well predicted fill probabilities match realised fills."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portfolio.orders import calibration as fe

SAMPLE = Path(__file__).resolve().parents[3] / "market" / "data" / "sp500_sample50_daily_2016_2021.csv.gz"

NAIVE_RULE = (
    "naive rule = what trading tools assume: a limit fills if the price traded there; its prediction is 1 "
    "when the limit lies inside the range (lowest low .. highest high) of the last T sessions, else 0."
)


class Command(BaseCommand):
    help = (
        "Place the engine's ladder of limit orders every day of a price file (no look-ahead), and compare "
        "predicted fill probability with realised fills (low <= buy limit / high >= sell limit "
        "within validity)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--data", default=str(SAMPLE), help="tidy CSV(.gz): date,ticker,open,high,low,close,adj_close"
        )
        parser.add_argument(
            "--validity", type=int, nargs="+", default=[1, 5, 10], help="sessions orders rest"
        )
        parser.add_argument("--vol-window", type=int, default=20)
        parser.add_argument("--start", default=None, help="first order date (ISO)")
        parser.add_argument(
            "--monitoring",
            choices=["session", "continuous", "discrete"],
            default="session",
            help="session: gap at the open, then continuous trading (default); continuous; "
            "discrete: closes only",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["data"])
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        started = time.monotonic()
        self.stdout.write(f"reading {path} ...")
        try:
            prices = fe.read_ohlc_csv(path)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"cannot read prices from {path}: {exc}")
        if "high" not in prices or "low" not in prices:
            raise CommandError("the file has no high/low columns: fills cannot be judged")
        self.stdout.write(
            f"{prices['close'].shape[1]} tickers, {prices['close'].shape[0]} days; "
            "drift 0 (martingale price, no model needed); "
            "volatility: Garman-Klass + overnight gap over the last "
            f"{options['vol_window']} sessions, averaged over the error of that estimate measured on "
            f"windows already closed (last 250 dates, all tickers); monitoring: {options['monitoring']}"
        )
        self.stdout.write(NAIVE_RULE)
        for days in options["validity"]:
            result = fe.replay_limit_orders(
                prices,
                validity_days=days,
                vol_window=options["vol_window"],
                monitoring=options["monitoring"],
                start=options["start"],
                progress=True,
            )
            scores = fe.summary(result)
            self.stdout.write(f"\n=== validity {days} session(s): {len(result.predicted):,} orders ===")
            self.stdout.write(_markdown(fe.calibration_table(result.predicted, result.filled)))
            self.stdout.write("naive rule:")
            self.stdout.write(_markdown(fe.calibration_table(result.naive.astype(float), result.filled)))
            self.stdout.write(
                "| predictor | Brier | ECE | mean predicted | realised |\n|---|---|---|---|---|"
            )
            for name, s in scores.items():
                self.stdout.write(
                    f"| {name} | {s['brier']:.4f} | {s['ece']:.4f} | {s['mean_predicted']:.3f} | "
                    f"{s['realised_rate']:.3f} |"
                )
        self.stdout.write(f"\ndone in {time.monotonic() - started:.1f} s")


def _markdown(table) -> str:
    lines = ["| bucket | orders | mean predicted | realised | gap |", "|---|---|---|---|---|"]
    for row in table.itertuples():
        if row.orders:
            lines.append(
                f"| {row.bucket} | {row.orders:,} | {row.mean_predicted:.3f} | {row.realised_rate:.3f} | "
                f"{row.gap:+.3f} |"
            )
    return "\n".join(lines)
