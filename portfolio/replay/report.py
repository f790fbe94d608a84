"""From the parts of a replay (one per strategy and offset) to the statistics tables users read.

``part_result`` turns an engine result into a JSON-safe dict (what a Celery task returns);
``gather`` computes every statistic from those dicts: per strategy and offset, after tax and before
tax, the Sharpe difference against 1/N monthly at the same offset, the range over offsets and the
calendar years.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

import numpy as np
import pandas as pd

from portfolio.replay import statistics as st
from portfolio.replay.engine import ReplayResult
from portfolio.replay.strategies import BENCHMARK, STRATEGIES

RANGE_METRICS = ("cagr", "volatility", "sharpe", "max_drawdown", "turnover_per_year", "tax_per_year")


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        value = float(value)
        return round(value, 8) if math.isfinite(value) else None
    return value


def part_result(result: ReplayResult) -> dict[str, Any]:
    equity = result.equity
    return _clean(
        {
            "strategy": result.strategy,
            "offset": result.offset,
            "dates": [d.date().isoformat() for d in equity.index],
            "after_tax": equity["after_tax"].tolist(),
            "before_tax": equity["before_tax"].tolist(),
            "totals": asdict(result.book.totals),
            "counts": asdict(result.counts),
            "taxes": result.taxes,
            "hit_rate": st.hit_rate(result.book.closed_trades),
            "closed_trades": len(result.book.closed_trades),
            "models": result.models,
            "gate_closed_rebalances": result.gate_closed_sessions,
            "traded_by_year": result.book.traded_by_year,
            "invested_at_decisions": result.invested_at_decisions,
        }
    )


def _series(part: dict[str, Any], key: str) -> pd.Series:
    return pd.Series(part[key], index=pd.DatetimeIndex(part["dates"]), dtype=float)


def part_statistics(part: dict[str, Any], benchmark: dict[str, Any] | None) -> dict[str, Any]:
    after = st.returns_of(_series(part, "after_tax"))
    before = st.returns_of(_series(part, "before_tax"))
    equity = _series(part, "after_tax")
    years = len(after) / st.PERIODS_PER_YEAR
    totals = part["totals"]
    stats: dict[str, Any] = {
        "after_tax": st.summary(after),
        "before_tax": st.summary(before),
        "terminal_after_tax": float(equity.iloc[-1]),
        "terminal_before_tax": float(_series(part, "before_tax").iloc[-1]),
        "turnover_per_year": totals["traded_notional"] / float(equity.mean()) / years if years else None,
        "fees": totals["commission"],
        "spread": totals["spread"],
        "ftt": totals["transaction_tax"],
        "borrow": totals["borrow"],
        "tax": totals["tax"],
        "tax_per_year": totals["tax"] / years if years else None,
        "dividends": totals["dividends"],
        **{f"orders_{k}": v for k, v in part["counts"].items()},
        "hit_rate": part["hit_rate"],
        "closed_trades": part["closed_trades"],
        "gate_closed_rebalances": part["gate_closed_rebalances"],
    }
    if benchmark is not None:
        stats["sharpe_vs_benchmark"] = st.sharpe_difference(
            after, st.returns_of(_series(benchmark, "after_tax"))
        )
    return stats


def _flat(stats: dict[str, Any], metric: str) -> float | None:
    value = stats["after_tax"].get(metric) if metric in stats["after_tax"] else stats.get(metric)
    return None if value is None or not math.isfinite(value) else float(value)


def gather(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The results stored on the ``ReplayRun`` and shown by the command, the API and the page."""
    by_key = {(p["strategy"], p["offset"]): p for p in parts}
    strategies: dict[str, Any] = {}
    for name in [s for s in STRATEGIES if any(p["strategy"] == s for p in parts)]:
        mine = sorted((p for p in parts if p["strategy"] == name), key=lambda p: p["offset"])
        offsets = {}
        for part in mine:
            benchmark = by_key.get((BENCHMARK, part["offset"]))
            offsets[str(part["offset"])] = part_statistics(part, benchmark)
        first = mine[0]
        ranges = {}
        for metric in RANGE_METRICS:
            values = [v for v in (_flat(s, metric) for s in offsets.values()) if v is not None]
            ranges[metric] = [min(values), max(values)] if values else None
        strategies[name] = {
            "label": STRATEGIES[name].label,
            "offsets": offsets,
            "range": ranges,
            "by_year": {
                "after_tax": st.by_year(st.returns_of(_series(first, "after_tax"))),
                "before_tax": st.by_year(st.returns_of(_series(first, "before_tax"))),
                "tax": first["taxes"],
            },
            "equity": {k: first[k] for k in ("dates", "after_tax", "before_tax")},
            "models": first["models"],
        }
    return _clean({"benchmark": BENCHMARK, "strategies": strategies})


def table_rows(results: dict[str, Any], offset: str = "0") -> list[dict[str, Any]]:
    """One row per strategy of the headline table (after tax, the first offset)."""
    rows = []
    for name, entry in results.get("strategies", {}).items():
        stats = entry["offsets"].get(offset) or next(iter(entry["offsets"].values()))
        versus = stats.get("sharpe_vs_benchmark") or {}
        rows.append(
            {
                "strategy": name,
                "label": entry["label"],
                **stats["after_tax"],
                "sharpe_before_tax": stats["before_tax"]["sharpe"],
                "cagr_before_tax": stats["before_tax"]["cagr"],
                "terminal_after_tax": stats["terminal_after_tax"],
                "turnover_per_year": stats["turnover_per_year"],
                "fees": stats["fees"],
                "spread": stats["spread"],
                "ftt": stats["ftt"],
                "borrow": stats["borrow"],
                "tax": stats["tax"],
                "orders": f"{stats['orders_placed']}/{stats['orders_filled']}/{stats['orders_expired']}",
                "hit_rate": stats["hit_rate"],
                "sharpe_diff": versus.get("difference"),
                "sharpe_diff_low": versus.get("low"),
                "sharpe_diff_high": versus.get("high"),
                "sharpe_diff_p": versus.get("p_value"),
                "range": entry["range"],
            }
        )
    return rows
