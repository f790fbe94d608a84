"""Benchmark: time of one default-advice call (``portfolio.advice.advise``) on the S&P 500 file, and what
that advice does to a 1/N portfolio on that day.

Run: ``.venv/bin/python bench/advice.py [--as-of 2017-12-29] [--runs 3]``.

Setup (nothing tuned): the 504-ticker file, tickers with a full 252-day window on ``as_of``; Ledoit-Wolf
covariance over a year (the advice's risk horizon); the portfolio is 1/N bought at the closes one year
before ``as_of`` (PMP = those closes, so most lines carry a gain), equity 1,000,000, no cash; French online
broker, dated PFU and FTT (US shares: no FTT), no gain or loss realised yet in the year; position cap 5 %,
sector cap 30 %, λ from settings; no model tilt (reliability 0). The 1/N column is that portfolio before
the advice, the other after it, both under the same risk model. Wall and CPU time, best of ``--runs``.

The first call builds and compiles the advice's problem (``portfolio.optimize.tax_aware``, one compiled
problem per shape); the next ones re-fill its parameters and re-solve, as a replay's rebalances or a day of
advice over portfolios on the same universe do. Both are printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingtrade.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from portfolio import costs  # noqa: E402
from portfolio.advice import AdviceProfile, Holdings, advise  # noqa: E402
from portfolio.risk import estimate_risk_model  # noqa: E402
from portfolio.tax import rates, rules  # noqa: E402

FULL = Path("/work/shared/data/sp500_daily_2013_2021.csv.gz")
SECTORS = Path("/work/shared/data/sp500_constituents_2021.csv")
EQUITY = 1_000_000.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--as-of", default="2017-12-29")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    as_of = pd.Timestamp(args.as_of)
    frame = pd.read_csv(FULL, usecols=["date", "ticker", "close", "adj_close"], parse_dates=["date"])
    adjusted = frame.pivot(index="date", columns="ticker", values="adj_close").loc[:as_of]
    close = frame.pivot(index="date", columns="ticker", values="close").loc[:as_of]
    sectors = pd.read_csv(SECTORS).set_index("ticker")["sector"].to_dict()
    risk = estimate_risk_model(
        adjusted.iloc[-260:], window=252, horizon_days=settings.ADVICE_RISK_HORIZON_DAYS
    )
    tickers = list(risk.tickers)
    prices = close.ffill().iloc[-1][tickers]  # VAR stops trading 2021-04-16: its last close
    bought = close.iloc[-253][tickers]
    shares = (EQUITY / len(tickers) / prices).round()
    holdings = Holdings(shares=shares, pmp=bought, cash=EQUITY - float(shares @ prices))
    day = as_of.date()
    tax = rules.tax_position({}, day.year, rate=rates.pfu_for_year(day.year).total)
    profile = AdviceProfile(
        max_weight=0.05,
        max_sector_weight=0.30,
        risk_aversion=settings.ADVICE_RISK_AVERSION,
        sectors=sectors,
    )
    timings = []
    advice = None
    for _ in range(max(args.runs, 2)):
        wall, cpu = time.perf_counter(), time.process_time()
        advice = advise(holdings, prices, risk, tax, costs.FRENCH_ONLINE_BROKER, profile, as_of=day)
        timings.append((time.perf_counter() - wall, time.process_time() - cpu))
    assert advice is not None
    cold_wall, cold_cpu = timings[0]
    best_wall, best_cpu = (min(t[i] for t in timings[1:]) for i in (0, 1))
    traded = sum(o.notional for o in advice.orders)
    print(f"as of {day}, {len(tickers)} tickers, 1/N bought {close.index[-253].date()}")
    before, after = advice.volatility_before, advice.volatility_after
    rows = [
        ("advise() first call (compiles), wall", f"{cold_wall:.2f} s ({cold_cpu:.2f} s CPU)", "≤ 5 s", "–"),
        ("advise() compiled, best of the others", f"{best_wall:.2f} s ({best_cpu:.2f} s CPU)", "≤ 5 s", "–"),
        ("annualised volatility, 1/N → advised", f"{before:.1%} → {after:.1%}", "≥ 20 % lower", "1/N"),
        ("orders / one-way turnover", f"{len(advice.orders)} / {traded / advice.equity / 2:.1%}", "–", "–"),
        ("fees / taxes of the rebalance", f"{advice.fees:,.0f} / {advice.taxes:,.0f}", "–", "–"),
    ]
    gains = sum(o.realised_gain for o in advice.orders if o.realised_gain > 0)
    losses = -sum(o.realised_gain for o in advice.orders if o.realised_gain < 0)
    rows.append(("gains / losses realised", f"{gains:,.0f} / {losses:,.0f}", "–", "–"))
    print("| figure | value | target | peer |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
