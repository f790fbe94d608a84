"""Chart specifications for the web pages: plain dicts that ``static/js/charts.js`` draws.

Templates embed a spec with ``{{ spec|json_script:"some-id" }}`` next to
``<canvas data-chart="some-id">``; the pure builders below are the only place that knows the spec shape.
NaN and infinities become ``None`` so the JSON stays valid and Chart.js draws a gap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

BUY_COLOUR = "#1a7f37"
SELL_COLOUR = "#cf222e"
NEUTRAL_COLOUR = "#1f6feb"
MUTED_COLOUR = "#8c959f"


def clean(value: Any) -> float | None:
    """A JSON-safe float: None for missing, NaN or infinite values."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _label(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def series(label: str, values: Iterable[Any], **style: Any) -> dict[str, Any]:
    """One dataset for a line or bar chart; ``style`` keys: color, colors, dashed, kind, point_radius."""
    return {"label": label, "data": [clean(v) for v in values], **style}


def points(
    label: str, xy: Iterable[tuple[Any, Any]], *, names: Sequence[str] | None = None, **style: Any
) -> dict[str, Any]:
    """One dataset for a scatter chart; ``names`` label each point in the tooltip."""
    data = []
    for i, (x, y) in enumerate(xy):
        point: dict[str, Any] = {"x": clean(x), "y": clean(y)}
        if names is not None:
            point["label"] = names[i]
        data.append(point)
    return {"label": label, "data": data, **style}


def line_chart(labels: Iterable[Any], datasets: list[dict[str, Any]], **axes: Any) -> dict[str, Any]:
    """``axes`` keys: x_label, y_label, y_format ("pct" | "num" | "money")."""
    return {"type": "line", "labels": [_label(x) for x in labels], "datasets": datasets, **axes}


def bar_chart(labels: Iterable[Any], datasets: list[dict[str, Any]], **axes: Any) -> dict[str, Any]:
    return {"type": "bar", "labels": [_label(x) for x in labels], "datasets": datasets, **axes}


def scatter_chart(datasets: list[dict[str, Any]], **axes: Any) -> dict[str, Any]:
    """``axes`` keys: x_label, y_label, x_format, y_format."""
    return {"type": "scatter", "datasets": datasets, **axes}


def signed_colours(values: Iterable[Any]) -> list[str]:
    """Green for positive, red for negative, grey for zero or missing: the colour of a bar by its sign."""
    colours = []
    for v in values:
        number = clean(v)
        if number is None or number == 0:
            colours.append(MUTED_COLOUR)
        else:
            colours.append(BUY_COLOUR if number > 0 else SELL_COLOUR)
    return colours


def weights_bar_chart(
    weights: Mapping[str, Any],
    *,
    compare: Mapping[str, Any] | None = None,
    label: str = "Weight",
    compare_label: str = "Current",
) -> dict[str, Any]:
    """Bars of portfolio weights by ticker (largest absolute first), optionally beside a second set."""
    tickers = sorted(
        set(weights) | set(compare or {}),
        key=lambda t: -abs(clean(weights.get(t, 0)) or clean((compare or {}).get(t, 0)) or 0),
    )
    values = [weights.get(t, 0) for t in tickers]
    datasets = []
    if compare is not None:
        datasets.append(series(compare_label, [compare.get(t, 0) for t in tickers], color=MUTED_COLOUR))
        datasets.append(series(label, values, color=NEUTRAL_COLOUR))
    else:
        datasets.append(series(label, values, colors=signed_colours(values)))
    return bar_chart(tickers, datasets, y_format="pct")


MOVING_AVERAGE_WINDOWS = (20, 60)


def price_with_moving_averages(prices: pd.Series, *, last: int | None = None) -> dict[str, Any]:
    """Line chart of adjusted close with its 20- and 60-day simple moving averages.

    Parameters
    ----------
    prices : Series
        Adjusted close indexed by date (ascending), one ticker.
    last : int, optional
        Show only the last ``last`` bars; the averages are computed on the whole series first so the
        first shown points already have a full window behind them.
    """
    prices = prices.dropna().sort_index()
    averages = {w: prices.rolling(w, min_periods=w).mean() for w in MOVING_AVERAGE_WINDOWS}
    if last is not None:
        prices = prices.iloc[-last:]
        averages = {w: avg.loc[prices.index] for w, avg in averages.items()}
    datasets = [series("Adjusted close", prices.to_numpy(), color=NEUTRAL_COLOUR)]
    colours = {20: "#9a6700", 60: "#8250df"}
    for window, avg in averages.items():
        datasets.append(series(f"{window}-day average", avg.to_numpy(), color=colours[window], dashed=True))
    labels = [pd.Timestamp(d).date() for d in prices.index]
    return line_chart(labels, datasets, y_format="num")


def price_summary(prices: pd.Series) -> dict[str, Any]:
    """Last adjusted close, its date, and simple returns over 1, 20 and 60 bars (None when too short)."""
    prices = prices.dropna().sort_index()
    last = float(prices.iloc[-1])

    def change(bars: int) -> float | None:
        return clean(last / float(prices.iloc[-1 - bars]) - 1.0) if len(prices) > bars else None

    return {
        "date": pd.Timestamp(prices.index[-1]).date(),
        "last": last,
        "change_1d": change(1),
        "change_20d": change(20),
        "change_60d": change(60),
    }
