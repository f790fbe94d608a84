"""bench/halves.py: the by-halves runner on the embedded sample (two strategies, one offset, one quarter)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "market" / "data" / "sp500_sample50_daily_2016_2021.csv.gz"
pytestmark = pytest.mark.slow


@pytest.fixture
def bench_halves(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_halves_script", ROOT / "bench" / "halves.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def _args(out: Path, *extra: str) -> list[str]:
    return [
        "--data",
        str(SAMPLE),
        "--start",
        "2017-01-02",
        "--end",
        "2017-03-31",
        "--offsets",
        "0",
        "--strategies",
        "swingtrade,equal_weight_monthly",
        "--initial-cash",
        "1000000",
        "--out",
        str(out),
        *extra,
    ]


def test_it_saves_each_part_prints_the_table_and_resumes_without_running_saved_parts(
    bench_halves, tmp_path, capsys
):
    assert bench_halves.main(_args(tmp_path)) == 0
    first = capsys.readouterr().out
    assert "2 parts, 0 already saved" in first
    assert "[2/2]" in first and " s CPU)" in first  # a line per finished part with its time
    assert "equal_weight_monthly: 9" in first  # the lowest invested fraction of 1/N, in the 90s at 1M
    assert "swingtrade (offsets 0): volatility vs 1/N" in first and "≤ -20%" in first
    part = json.loads((tmp_path / "swingtrade-k10-o0.json").read_text())
    assert part["params"]["initial_cash"] == 1_000_000.0
    assert part["params"]["cost_aversion"] == 10.0  # the product's COST_AVERSION by default
    assert part["after_tax"][0] == pytest.approx(1_000_000.0)
    assert set(part["traded_by_year"]) == {"2017"} and part["traded_by_year"]["2017"] > 0
    assert all(0.0 < f <= 1.0 for f in part["invested_at_decisions"].values())
    saved = (tmp_path / "swingtrade-k10-o0.json").stat().st_mtime_ns

    assert bench_halves.main(_args(tmp_path)) == 0
    again = capsys.readouterr().out
    assert "2 parts, 2 already saved" in again and "[1/" not in again
    assert (tmp_path / "swingtrade-k10-o0.json").stat().st_mtime_ns == saved

    # Another κ runs the advice again, in its own file, and reuses 1/N's part (κ does not change it).
    assert bench_halves.main(_args(tmp_path, "--cost-aversion", "3")) == 0
    assert "2 parts, 1 already saved" in capsys.readouterr().out
    assert json.loads((tmp_path / "swingtrade-k3-o0.json").read_text())["params"]["cost_aversion"] == 3.0
    assert (
        "cost_aversion" not in json.loads((tmp_path / "equal_weight_monthly-o0.json").read_text())["params"]
    )
    assert (tmp_path / "swingtrade-k10-o0.json").stat().st_mtime_ns == saved


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--cost-aversion", "0.5"), "--cost-aversion must be at least 1"),
        (("--initial-cash", "-5"), "initial_cash must be a positive amount"),
        (("--jobs", "0"), "--jobs must be at least 1"),
        (("--strategies", "moon"), "Unknown strategies: moon"),
    ],
)
def test_bad_arguments_exit_with_a_message(bench_halves, tmp_path, capsys, extra, message):
    with pytest.raises(SystemExit) as exit_:
        bench_halves.main(_args(tmp_path, *extra))
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.json"))


def test_a_run_of_other_strategies_or_offsets_reuses_the_parts_already_saved(bench_halves, tmp_path, capsys):
    assert bench_halves.main(_args(tmp_path)) == 0
    capsys.readouterr()
    args = _args(tmp_path)
    args[args.index("swingtrade,equal_weight_monthly")] = "equal_weight_monthly,cash"
    assert bench_halves.main(args) == 0
    assert "2 parts, 1 already saved" in capsys.readouterr().out  # 1/N's part; only cash runs
