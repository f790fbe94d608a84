"""What the Track record page shows, built from a stored ``ReplayRun`` (no computation of statistics here)."""

from __future__ import annotations

from typing import Any

import numpy as np

from portfolio import costs
from portfolio.replay.models import ReplayRun
from portfolio.replay.report import table_rows
from swingtrade.web import charts

CURVE_COLOURS = {
    "swingtrade": "#1f6feb",
    "equal_weight_monthly": "#9a6700",
    "equal_weight_buy_hold": "#bf3989",
    "min_variance": "#1a7f37",
    "cash": "#57606a",
}


def _growth(values: list[float]) -> list[float]:
    start = values[0] or 1.0
    return [v / start for v in values]


def _drawdown(values: list[float]) -> list[float]:
    curve = np.asarray(values, dtype=float)
    return list(curve / np.maximum.accumulate(curve) - 1.0)


def track_record_context(run: ReplayRun) -> dict[str, Any]:
    strategies = run.results.get("strategies", {})
    first = next(iter(strategies.values()))
    dates = first["equity"]["dates"]
    growth, drawdowns = [], []
    for name, entry in strategies.items():
        after = entry["equity"]["after_tax"]
        style = {"color": CURVE_COLOURS.get(name), "dashed": name == "cash"}
        growth.append(charts.series(entry["label"], _growth(after), **style))
        drawdowns.append(charts.series(entry["label"], _drawdown(after), **style))
    model = costs.PRESETS[run.params.get("cost_preset", "french-online")]
    return {
        "run": run,
        "rows": table_rows(run.results),
        "offsets": run.params.get("offsets", [0]),
        "start": dates[0],
        "end": dates[-1],
        "equity_chart": charts.line_chart(
            dates, growth, y_label="Growth of 1 after costs and tax", y_format="num"
        ),
        "drawdown_chart": charts.line_chart(dates, drawdowns, y_label="Drawdown after tax", y_format="pct"),
        "cost_model": model,
        "by_year": {entry["label"]: entry["by_year"]["after_tax"] for entry in strategies.values()},
        "years": sorted({y for e in strategies.values() for y in e["by_year"]["after_tax"]}),
    }
