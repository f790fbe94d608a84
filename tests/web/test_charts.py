"""The chart specs the pages embed: valid JSON for Chart.js whatever the numbers."""

from __future__ import annotations

import json
import math
from datetime import date

from django.utils import translation

from swingtrade.web import charts


def test_nan_and_infinity_become_gaps_so_the_json_stays_valid():
    # In French explicitly: a request made earlier in this thread by the test client leaves its language on.
    with translation.override("fr"):
        spec = charts.line_chart(
            [date(2021, 1, 4), date(2021, 1, 5)], [charts.series("Close", [float("nan"), math.inf])]
        )
    assert json.loads(json.dumps(spec, allow_nan=False))["datasets"][0]["data"] == [None, None]
    assert spec["labels"] == ["04/01/2021", "05/01/2021"]  # the French short date of the pages


def test_weights_bars_are_ordered_by_size_and_coloured_by_side():
    spec = charts.weights_bar_chart({"AAPL": 0.10, "MSFT": -0.30, "XOM": 0.0})
    assert spec["labels"] == ["MSFT", "AAPL", "XOM"]
    assert spec["datasets"][0]["colors"] == [charts.SELL_COLOUR, charts.BUY_COLOUR, charts.MUTED_COLOUR]


def test_weights_bars_against_current_show_both_sets_for_every_ticker():
    spec = charts.weights_bar_chart({"AAPL": 0.2}, compare={"MSFT": 0.5}, label="Target")
    assert spec["labels"] == ["MSFT", "AAPL"]
    current, target = spec["datasets"]
    assert current["data"] == [0.5, 0.0] and target["data"] == [0.0, 0.2]


def test_scatter_points_carry_their_names():
    spec = charts.scatter_chart([charts.points("Frontier", [(0.1, 0.02)], names=["λ=1"])])
    assert spec["datasets"][0]["data"] == [{"x": 0.1, "y": 0.02, "label": "λ=1"}]


def test_tiny_returns_show_two_significant_digits_instead_of_zero():
    from django.utils import translation

    from swingtrade.web.templatetags.web import pct, spct

    with translation.override("en"):
        assert pct(0.0123) == "1.23%"
        assert spct(0.00003) == "+0.0030%"
        assert pct(-0.0000312) == "-0.0031%"
        assert pct(0.0) == "0.00%"
        assert pct(float("nan")) == "–"
