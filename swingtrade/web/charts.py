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
from django.utils import formats
from django.utils.translation import gettext as _

from swingtrade.formatting import format_number

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
    """Axis labels in the page's language: a date in its short format, anything else as text."""
    return formats.date_format(value, "SHORT_DATE_FORMAT") if isinstance(value, date) else str(value)


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
    label: str | None = None,
    compare_label: str | None = None,
) -> dict[str, Any]:
    """Bars of portfolio weights by ticker (largest absolute first), optionally beside a second set."""
    tickers = sorted(
        set(weights) | set(compare or {}),
        key=lambda t: -abs(clean(weights.get(t, 0)) or clean((compare or {}).get(t, 0)) or 0),
    )
    values = [weights.get(t, 0) for t in tickers]
    label = label or _("Weight")
    compare_label = compare_label or _("Current")
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
    datasets = [series(_("Adjusted close"), prices.to_numpy(), color=NEUTRAL_COLOUR)]
    colours = {20: "#9a6700", 60: "#8250df"}
    for window, avg in averages.items():
        datasets.append(
            series(
                _("%(days)d-day average") % {"days": window},
                avg.to_numpy(),
                color=colours[window],
                dashed=True,
            )
        )
    labels = [pd.Timestamp(d).date() for d in prices.index]
    return line_chart(labels, datasets, y_format="num")


def price_chart(
    bars: pd.DataFrame,
    *,
    currency: str,
    last: int | None = None,
    signals: Iterable[tuple[Any, str]] = (),
    levels: Iterable[tuple[str, Any]] = (),
) -> dict[str, Any]:
    """Daily candles with volume when the bars have OHLC, else the adjusted-close line with its averages.

    Parameters
    ----------
    bars : DataFrame
        One ticker's bars indexed by date (ascending): ``open, high, low, close, adj_close, volume``.
        Candles use the traded (raw) prices, the ones a broker shows and orders are priced in.
    currency : str
        Trading currency, printed on the price axis.
    signals : iterable of (date, side)
        The model's past signals (``buy`` / ``sell``), drawn as triangles on that day's close.
    levels : iterable of (label, price)
        Horizontal lines, e.g. an order's entry, stop-loss and take-profit.
    """
    bars = bars.sort_index()
    if last is not None:
        bars = bars.iloc[-last:]
    has_ohlc = not bars.empty and bars[["open", "high", "low", "close"]].notna().all(axis=None)
    if not has_ohlc:
        spec = price_with_moving_averages(bars["adj_close"], last=None)
        spec.update(y_label=_("Price (%(currency)s)") % {"currency": currency}, currency=currency)
        return spec
    days = [pd.Timestamp(d).date().isoformat() for d in bars.index]
    candles = [
        {"x": x, "o": clean(o), "h": clean(h), "l": clean(lo), "c": clean(c)}
        for x, o, h, lo, c in zip(days, bars["open"], bars["high"], bars["low"], bars["close"], strict=True)
    ]
    closes = dict(zip(days, bars["close"], strict=True))
    marks = []
    for when, side in signals:
        x = pd.Timestamp(when).date().isoformat()
        if x in closes and side in ("buy", "sell"):
            marks.append({"x": x, "y": clean(closes[x]), "side": side})
    has_volume = "volume" in bars and bars["volume"].notna().any()
    return {
        "type": "candlestick",
        "currency": currency,
        "y_label": _("Price (%(currency)s)") % {"currency": currency},
        "candles": candles,
        "candle_label": _("Daily candle (open, high, low, close)"),
        "volume": [{"x": x, "y": clean(v)} for x, v in zip(days, bars["volume"], strict=True)]
        if has_volume
        else [],
        "volume_label": _("Volume (shares)"),
        "signals": marks,
        "signal_labels": {"buy": _("Signal: above average"), "sell": _("Signal: below average")},
        "levels": [{"label": label, "value": clean(value)} for label, value in levels if clean(value)],
    }


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


# --- model quality ----------------------------------------------------------------------------------


def fold_rank_ic_chart(folds: list[dict[str, Any]], *, overall: float | None = None) -> dict[str, Any]:
    """Bars of the out-of-sample rank IC of each walk-forward fold, with the overall mean as a line.

    ``folds`` are the registry's ``metrics["folds"]`` entries (``number``, ``test_start``, ``test_end``,
    ``rank_ic_mean``).
    """
    labels = [
        f"{f.get('number', i + 1)}: {f.get('test_start', '')}…{f.get('test_end', '')}"
        for i, f in enumerate(folds)
    ]
    values = [f.get("rank_ic_mean") for f in folds]
    datasets = [series(_("Rank IC of the fold"), values, colors=signed_colours(values))]
    if overall is not None and folds:
        datasets.append(
            series(
                _("Overall out-of-sample mean"),
                [overall] * len(folds),
                kind="line",
                color="#0d1b2a",
                dashed=True,
                point_radius=0,
            )
        )
    return bar_chart(labels, datasets, y_format="num")


def realised_ic_chart(
    daily: list[dict[str, Any]], validation: dict[str, Any], *, smooth: int = 20
) -> dict[str, Any]:
    """Daily realised rank IC of the serving model, its rolling mean, and the validation level.

    ``daily`` rows are ``{"date", "rank_ic", ...}`` (a monitoring report's ``metrics["daily"]``).
    """
    frame = pd.DataFrame(daily, columns=["date", "rank_ic"])
    values = pd.to_numeric(frame["rank_ic"], errors="coerce")
    rolling = values.rolling(smooth, min_periods=max(2, smooth // 2)).mean()
    datasets = [
        series(_("Daily rank IC"), values.to_numpy(), color="#8c959f", point_radius=1),
        series(_("%(days)d-day mean") % {"days": smooth}, rolling.to_numpy(), color=NEUTRAL_COLOUR),
    ]
    level = validation.get("rank_ic")
    if level is not None and len(frame):
        datasets.append(
            series(_("Validation (out-of-sample) mean"), [level] * len(frame), color=BUY_COLOUR, dashed=True)
        )
    return line_chart(frame["date"].astype(str).tolist(), datasets, y_format="num")


def drift_rows(drift: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per feature, largest PSI first: ``{"feature", "psi", "drifting"}``."""
    drifting = set(drift.get("drifting") or [])
    psi = drift.get("psi") or {}
    rows = [
        {"feature": name, "psi": clean(value), "drifting": name in drifting} for name, value in psi.items()
    ]
    return sorted(rows, key=lambda r: -(r["psi"] if r["psi"] is not None else -1.0))


# --- orders -----------------------------------------------------------------------------------------


def fill_trade_off_chart(candidates: list[dict[str, Any]], *, chosen: Any = None) -> dict[str, Any]:
    """The limit-price trade-off of one order: P(fill) and expected net value at each candidate price.

    ``candidates`` are an ``OrderProposal.trade_off`` list (``order_type``, ``limit_price``,
    ``distance_sigma``, ``fill_probability``, ``expected_value``); a closer limit fills more often and
    earns less. The chosen price is drawn as a larger point.
    """
    rows = sorted(candidates, key=lambda c: c.get("distance_sigma") or 0.0)
    chosen_price = clean(chosen)
    labels, radius = [], []
    for c in rows:
        price = clean(c.get("limit_price"))
        labels.append(format_number(price, 2) if price is not None else _("at market"))
        is_chosen = price is not None and chosen_price is not None and abs(price - chosen_price) < 0.005
        radius.append(6 if is_chosen else 2)
    datasets = [
        series(
            _("P(fill)"), [c.get("fill_probability") for c in rows], color=NEUTRAL_COLOUR, point_radius=radius
        ),
        series(
            _("Expected net value (of the amount)"),
            [c.get("expected_value") for c in rows],
            color=BUY_COLOUR,
            axis="y2",
            point_radius=radius,
        ),
    ]
    return line_chart(
        labels,
        datasets,
        x_label=_("Limit price"),
        y_label=_("P(fill)"),
        y_format="pct",
        y2_label=_("Expected value"),
        y2_format="pct",
    )


# --- optimisation -----------------------------------------------------------------------------------


def frontier_chart(
    frontier: list[dict[str, Any]], *, current: tuple[float, float], optimal: tuple[float, float]
) -> dict[str, Any]:
    """Efficient frontier (volatility → expected return over the horizon) with the current and optimal points.

    ``frontier`` rows are ``{"risk_aversion", "expected_return", "volatility"}``; ``current`` and
    ``optimal`` are ``(volatility, expected_return)``.
    """
    rows = sorted(frontier, key=lambda p: p.get("volatility") or 0.0)
    names = [f"λ = {p.get('risk_aversion', 0):g}" for p in rows]
    datasets = [
        points(
            _("Efficient frontier"),
            [(p.get("volatility"), p.get("expected_return")) for p in rows],
            names=names,
            color=NEUTRAL_COLOUR,
            show_line=True,
            point_radius=3,
        ),
        points(_("Current portfolio"), [current], names=[_("current")], color=MUTED_COLOUR, point_radius=8),
        points(
            _("Optimised (whole shares)"), [optimal], names=[_("optimised")], color=BUY_COLOUR, point_radius=8
        ),
    ]
    return scatter_chart(
        datasets,
        x_label=_("Volatility over the horizon"),
        y_label=_("Expected return over the horizon"),
        x_format="pct",
        y_format="pct",
    )
