"""What the Track record page shows, built from a stored ``ReplayRun`` (no computation of statistics here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


# The replay stores its strategies' English labels; the page shows them in the reader's language.
STRATEGY_LABELS = {
    "swingtrade": gettext_lazy("SwingTrade advice"),
    "equal_weight_monthly": gettext_lazy("1/N monthly"),
    "equal_weight_buy_hold": gettext_lazy("1/N buy & hold"),
    "min_variance": gettext_lazy("Minimum variance (LW)"),
    "cash": gettext_lazy("Cash"),
}
# Completes "the model is retrained …" for each schedule of portfolio.replay.engine.RETRAIN_SCHEDULES.
RETRAIN_WORDS = {
    "monthly": gettext_lazy("every month"),
    "quarterly": gettext_lazy("every quarter"),
    "never": gettext_lazy("only once, at the start"),
}


def _label(name: str, stored: str) -> str:
    return str(STRATEGY_LABELS.get(name, stored))


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
        label = _label(name, entry["label"])
        growth.append(charts.series(label, _growth(after), **style))
        drawdowns.append(charts.series(label, _drawdown(after), **style))
    model = costs.PRESETS[run.params.get("cost_preset", "french-online")]
    return {
        "run": run,
        "rows": [{**row, "label": _label(row["strategy"], row["label"])} for row in table_rows(run.results)],
        "retrain_words": RETRAIN_WORDS.get(run.params.get("retrain"), run.params.get("retrain")),
        "offsets": run.params.get("offsets", [0]),
        "start": dt.date.fromisoformat(dates[0]),  # dates, so the page writes them in the reader's format
        "end": dt.date.fromisoformat(dates[-1]),
        "equity_chart": charts.line_chart(
            dates, growth, y_label=_("Growth of 1 after costs and tax"), y_format="num"
        ),
        "drawdown_chart": charts.line_chart(
            dates, drawdowns, y_label=_("Drawdown after tax"), y_format="pct"
        ),
        "cost_model": model,
        "by_year": {
            _label(name, entry["label"]): entry["by_year"]["after_tax"] for name, entry in strategies.items()
        },
        "years": sorted({y for e in strategies.values() for y in e["by_year"]["after_tax"]}),
    }
