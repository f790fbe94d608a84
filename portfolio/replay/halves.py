"""A replay's results split into periods (in-sample / out-of-sample halves): pure functions on the parts.

The parts are the JSON-safe dicts of :func:`portfolio.replay.report.part_result`, one per (strategy,
offset), optionally with ``traded_by_year`` (traded notional per calendar year; without it turnover per
period is not available and is reported as ``None``). Each period is measured on its own sessions of the
one run — the books carry over from one period to the next, as an investor's would — and compared with
the benchmark (1/N monthly) at the same offset:

- volatility and maximum drawdown relative to the benchmark's (``−0.2``: 20 % lower);
- after-tax Sharpe and its gap to the benchmark's;
- tax paid per year (the PFU is booked at each year's last session) and two-way turnover per year;
- the after-tax terminal wealth of 1 invested at the period's start, minus the benchmark's, with a paired
  circular block bootstrap 95 % interval (the same blocks for both series, as
  :func:`portfolio.replay.statistics.sharpe_difference`).

Run ``python -m portfolio.replay.halves PART.json …`` to print the table of saved parts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from portfolio.replay import statistics as st

BENCHMARK = "equal_weight_monthly"
# The split: every rule fixed on 2014-2017 (in sample), 2018-2021 reported as it comes.
HALVES = (
    ("2014-2017 (in sample)", dt.date(2014, 1, 1), dt.date(2017, 12, 31)),
    ("2018-2021 (out of sample)", dt.date(2018, 1, 1), dt.date(2021, 12, 31)),
)


@dataclass(frozen=True)
class PeriodStats:
    strategy: str
    offset: int
    period: str
    volatility: float
    max_drawdown: float
    sharpe: float
    tax_per_year: float
    turnover_per_year: float | None
    terminal_wealth: float  # of 1 invested at the period's first session, after tax
    # Against the benchmark at the same offset (None for the benchmark itself or when it is missing).
    volatility_relative: float | None = None
    drawdown_relative: float | None = None
    sharpe_gap: float | None = None
    wealth_difference: float | None = None
    wealth_low: float | None = None
    wealth_high: float | None = None


def _curve(part: dict[str, Any]) -> pd.Series:
    """The after-tax equity of the sessions the books could mark (a held ticker without a bar that day,
    e.g. after its last listed session, leaves the engine's mark empty: those sessions are left out)."""
    curve = pd.Series(part["after_tax"], index=pd.DatetimeIndex(part["dates"]), dtype=float)
    return curve.dropna()


def period_returns(part: dict[str, Any], start: dt.date, end: dt.date) -> pd.Series:
    """Daily after-tax returns of the sessions in [start, end], the first measured from the close before."""
    returns = st.returns_of(_curve(part))
    return returns[(returns.index >= pd.Timestamp(start)) & (returns.index <= pd.Timestamp(end))]


def wealth_difference(
    returns: pd.Series,
    benchmark: pd.Series,
    *,
    block: int = st.BOOTSTRAP_BLOCK,
    samples: int = st.BOOTSTRAP_SAMPLES,
    seed: int = st.BOOTSTRAP_SEED,
) -> tuple[float, float, float]:
    """Terminal wealth of 1 (compounded returns) minus the benchmark's, and its bootstrap 95 % interval.

    Paired circular block bootstrap: both series are resampled with the same blocks of ``block`` sessions.
    """
    joined = pd.concat([returns, benchmark], axis=1, join="inner").dropna()
    a, b = joined.iloc[:, 0].to_numpy(float), joined.iloc[:, 1].to_numpy(float)
    observed = float(np.prod(1 + a) - np.prod(1 + b))
    n = len(a)
    if n < 2 * block:
        return observed, float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n, size=(samples, math.ceil(n / block)))
    index = ((starts[:, :, None] + np.arange(block)[None, None, :]) % n).reshape(samples, -1)[:, :n]
    diffs = np.prod(1 + a[index], axis=1) - np.prod(1 + b[index], axis=1)
    low, high = np.percentile(diffs, [2.5, 97.5])
    return observed, float(low), float(high)


def period_stats(part: dict[str, Any], start: dt.date, end: dt.date, label: str) -> PeriodStats:
    """One part's statistics over the sessions of [start, end] (no benchmark comparison yet)."""
    returns = period_returns(part, start, end)
    if len(returns) < 2:
        raise ValueError(f"{part['strategy']} offset {part['offset']} has no sessions in {label}")
    years = len(returns) / st.PERIODS_PER_YEAR
    in_period = range(start.year, end.year + 1)
    tax = sum(float(v) for y, v in part.get("taxes", {}).items() if int(y) in in_period)
    traded = part.get("traded_by_year")
    turnover = None
    if traded is not None:
        equity = _curve(part)
        mean_equity = float(
            equity[(equity.index >= pd.Timestamp(start)) & (equity.index <= pd.Timestamp(end))].mean()
        )
        notional = sum(float(v) for y, v in traded.items() if int(y) in in_period)
        turnover = notional / mean_equity / years
    return PeriodStats(
        strategy=part["strategy"],
        offset=int(part["offset"]),
        period=label,
        volatility=st.annual_volatility(returns),
        max_drawdown=st.max_drawdown(returns),
        sharpe=st.sharpe(returns),
        tax_per_year=tax / years,
        turnover_per_year=turnover,
        terminal_wealth=float(np.prod(1 + returns.to_numpy())),
    )


def compared(
    stats: PeriodStats, bench: PeriodStats, returns: pd.Series, bench_returns: pd.Series
) -> PeriodStats:
    difference, low, high = wealth_difference(returns, bench_returns)
    return PeriodStats(
        **{
            **stats.__dict__,
            "volatility_relative": stats.volatility / bench.volatility - 1.0,
            "drawdown_relative": abs(stats.max_drawdown) / abs(bench.max_drawdown) - 1.0,
            "sharpe_gap": stats.sharpe - bench.sharpe,
            "wealth_difference": difference,
            "wealth_low": low,
            "wealth_high": high,
        }
    )


def split(
    parts: Iterable[dict[str, Any]], periods: Sequence[tuple[str, dt.date, dt.date]] = HALVES
) -> list[PeriodStats]:
    """Every part's statistics in every period, compared with the benchmark part of the same offset."""
    parts = list(parts)
    bench = {int(p["offset"]): p for p in parts if p["strategy"] == BENCHMARK}
    out = []
    for label, start, end in periods:
        for part in parts:
            stats = period_stats(part, start, end, label)
            other = bench.get(int(part["offset"]))
            if other is not None and part["strategy"] != BENCHMARK:
                stats = compared(
                    stats,
                    period_stats(other, start, end, label),
                    period_returns(part, start, end),
                    period_returns(other, start, end),
                )
            out.append(stats)
    return out


def _span(values: list[float], fmt: str) -> str:
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return "n/a"
    low, high = format(min(values), fmt), format(max(values), fmt)
    return low if low == high else f"{low}…{high}"


def table(rows: list[PeriodStats]) -> str:
    """Markdown: one line per (period, strategy), every figure as min…max over the offsets present."""
    lines = [
        "| period | strategy | offsets | vol (vs 1/N) | max DD (vs 1/N) "
        "| after-tax Sharpe (median; worst gap) | tax/yr | turnover/yr "
        "| Δ terminal wealth vs 1/N [95 % CI of the median offset] |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    keys = list(dict.fromkeys((r.period, r.strategy) for r in rows))
    for period, strategy in keys:
        mine = sorted(
            (r for r in rows if r.period == period and r.strategy == strategy), key=lambda r: r.offset
        )
        sharpe = float(np.median([r.sharpe for r in mine]))
        gaps = [r.sharpe_gap for r in mine if r.sharpe_gap is not None]
        sharpe_text = f"{sharpe:.2f}" + (f"; {min(gaps):+.2f}" if gaps else "")
        wealth = "—"
        compared_rows = [r for r in mine if r.wealth_difference is not None]
        if compared_rows:
            middle = sorted(compared_rows, key=lambda r: r.wealth_difference or 0.0)[len(compared_rows) // 2]
            wealth = (
                f"{_span([r.wealth_difference for r in compared_rows], '+.3f')} "
                f"[{middle.wealth_low:+.3f}, {middle.wealth_high:+.3f}]"
            )
        lines.append(
            f"| {period} | {strategy} | {','.join(str(r.offset) for r in mine)} "
            f"| {_span([r.volatility for r in mine], '.1%')} "
            f"({_span([r.volatility_relative for r in mine], '+.1%')}) "
            f"| {_span([r.max_drawdown for r in mine], '.1%')} "
            f"({_span([r.drawdown_relative for r in mine], '+.1%')}) | {sharpe_text} "
            f"| {_span([r.tax_per_year for r in mine], ',.0f')} "
            f"| {_span([r.turnover_per_year for r in mine], '.2f')} | {wealth} |"
        )
    return "\n".join(lines)


# Issue #11's targets against 1/N monthly at the same offset.
VOLATILITY_TARGET = -0.20  # at least 20 % lower
DRAWDOWN_TARGET = -0.15  # at least 15 % smaller
SHARPE_WORST_GAP = -0.05  # the median offset at least 1/N's, no offset more than 0.05 below


def periods_of(parts: Sequence[dict[str, Any]]) -> list[tuple[str, dt.date, dt.date]]:
    """The halves clipped to the parts' sessions (a clipped one named by its dates), and the whole run."""
    first = min(pd.Timestamp(p["dates"][0]) for p in parts).date()
    last = max(pd.Timestamp(p["dates"][-1]) for p in parts).date()
    periods = []
    for label, a, b in HALVES:
        if b > first and a < last:
            start, end = max(a, first), min(b, last)
            clipped = (start, end) != (a, b)
            periods.append((f"{start}…{end} ({label.split('(')[1]}" if clipped else label, start, end))
    if all((start, end) != (first, last) for _, start, end in periods):  # not one half again
        periods.append((f"{first}…{last} (whole run)", first, last))
    return periods


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "missed")


def against_targets(rows: Sequence[PeriodStats]) -> list[tuple[str, str, str, str, str]]:
    """(figure, value, target, peer, met) of one period's rows: each strategy against 1/N monthly.

    Values are min…max over the offsets; a target is met when every offset meets it (the Sharpe: the
    median offset's gap at least 0 and the worst at least ``SHARPE_WORST_GAP``). The peer is 1/N monthly
    at the same offsets.
    """
    bench = [r for r in rows if r.strategy == BENCHMARK]
    out: list[tuple[str, str, str, str, str]] = []
    for strategy in dict.fromkeys(r.strategy for r in rows if r.strategy != BENCHMARK):
        mine = [r for r in rows if r.strategy == strategy and r.sharpe_gap is not None]
        if not mine:
            continue
        peer = {r.offset: r for r in bench if r.offset in {m.offset for m in mine}}.values()
        gaps = [r.sharpe_gap for r in mine]
        taxes_ok = all(r.tax_per_year < p.tax_per_year for r, p in _paired(mine, bench))
        turnovers = [
            (r.turnover_per_year, p.turnover_per_year)
            for r, p in _paired(mine, bench)
            if r.turnover_per_year is not None and p.turnover_per_year is not None
        ]
        middle = sorted(mine, key=lambda r: r.wealth_difference or 0.0)[len(mine) // 2]
        name = f"{strategy} (offsets {','.join(str(r.offset) for r in mine)})"
        out += [
            (
                f"{name}: volatility vs 1/N",
                f"{_span([r.volatility_relative for r in mine], '+.1%')} "
                f"({_span([r.volatility for r in mine], '.1%')})",
                f"≤ {VOLATILITY_TARGET:+.0%}",
                _span([p.volatility for p in peer], ".1%"),
                _met(all(r.volatility_relative <= VOLATILITY_TARGET for r in mine)),
            ),
            (
                f"{name}: max drawdown vs 1/N",
                f"{_span([r.drawdown_relative for r in mine], '+.1%')} "
                f"({_span([r.max_drawdown for r in mine], '.1%')})",
                f"≤ {DRAWDOWN_TARGET:+.0%}",
                _span([p.max_drawdown for p in peer], ".1%"),
                _met(all(r.drawdown_relative <= DRAWDOWN_TARGET for r in mine)),
            ),
            (
                f"{name}: after-tax Sharpe gap to 1/N (median; worst)",
                f"{float(np.median(gaps)):+.2f}; {min(gaps):+.2f} "
                f"(Sharpe {_span([r.sharpe for r in mine], '.2f')})",
                f"≥ +0.00; ≥ {SHARPE_WORST_GAP:+.2f}",
                _span([p.sharpe for p in peer], ".2f"),
                _met(float(np.median(gaps)) >= 0 and min(gaps) >= SHARPE_WORST_GAP),
            ),
            (
                f"{name}: tax per year",
                _span([r.tax_per_year for r in mine], ",.0f"),
                "< 1/N's",
                _span([p.tax_per_year for p in peer], ",.0f"),
                _met(taxes_ok),
            ),
            (
                f"{name}: turnover per year",
                _span([r.turnover_per_year for r in mine], ".2f"),
                "< 1/N's",
                _span([p.turnover_per_year for p in peer], ".2f"),
                _met(all(a < b for a, b in turnovers) if turnovers else None),
            ),
            (
                f"{name}: Δ after-tax terminal wealth of 1 vs 1/N [95 % CI, median offset]",
                f"{_span([r.wealth_difference for r in mine], '+.3f')} "
                f"[{middle.wealth_low:+.3f}, {middle.wealth_high:+.3f}]",
                "reported with its CI",
                "—",
                "—",
            ),
        ]
    return out


def _paired(mine: Sequence[PeriodStats], bench: Sequence[PeriodStats]):
    by_offset = {b.offset: b for b in bench}
    return [(r, by_offset[r.offset]) for r in mine if r.offset in by_offset]


def main(paths: list[str]) -> None:
    parts = [json.loads(Path(path).read_text()) for path in paths]
    print(table(split(parts, periods_of(parts))))


if __name__ == "__main__":
    main(sys.argv[1:])
