from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mlcore.models import ModelVersion, Prediction

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_train_promote_predict_and_evaluate_from_the_command_line(market_sample, fast_training):
    trained = _run("train", "--algorithm", "ridge", "--promote")
    version = ModelVersion.objects.get()
    assert f"model version {version.pk} (ridge): champion" in trained

    predicted = _run("predict", "--as-of", "2021-04-16")
    assert "12 predictions" in predicted and "2021-04-16" in predicted
    assert Prediction.objects.filter(as_of="2021-04-16").count() == 12

    table = _run("evaluate")
    header, *lines = table.strip().splitlines()
    columns = header.split(" | ")
    for name in ("rank ICIR", "LS ann. return gross/net", "LS vol gross/net", "LS max DD gross/net"):
        assert name in columns
    assert columns[-2:] == ["train s", "predict s"]
    line = next(x for x in lines if x.startswith(f"#{version.pk} ridge (champion)"))
    row = dict(zip(columns, line.split(" | "), strict=True))
    oos, folds = version.metrics["oos"], version.metrics["folds"]
    assert row["rank ICIR"] == f"{oos['rank_icir']:+.3f}"
    net = oos["long_short"]["net"]
    assert row["LS ann. return gross/net"].endswith(f"/ {net['ann_return']:+.1%}")
    assert row["LS vol gross/net"].endswith(f"/ {net['ann_vol']:.1%}")
    assert row["LS max DD gross/net"].endswith(f"/ {net['max_drawdown']:.1%}")
    assert row["train s"] == f"{sum(f['fit_seconds'] for f in folds):.2f}"
    assert row["predict s"] == f"{sum(f['predict_seconds'] for f in folds):.2f}"
    assert any(x.startswith("baseline momentum_12_1") for x in lines)
    assert any(x.startswith("baseline reversal_5") for x in lines)
    assert all(len(x.split(" | ")) == len(columns) for x in lines)


def test_commands_refuse_bad_input_without_changing_anything(market_sample, fast_training):
    with pytest.raises(CommandError, match="as_of must be a date"):
        _run("predict", "--as-of", "yesterday")
    with pytest.raises(CommandError, match="No champion"):
        _run("predict")
    with pytest.raises(CommandError, match="not valid JSON"):
        _run("train", "--params", "{alpha")
    with pytest.raises(CommandError, match="unknown hyper-parameters"):
        _run("train", "--params", '{"depth": 3}')
    for horizon in ("0", "-5", "61"):  # 0 used to fall back silently to the 5-day default
        with pytest.raises(CommandError, match="horizon must be"):
            _run("train", "--horizon", horizon)
    with pytest.raises(CommandError, match="window_size applies to a rolling window only"):
        _run("train", "--window-size", "120")
    with pytest.raises(CommandError, match="at least 60"):
        _run("train", "--window", "rolling", "--window-size", "0")
    assert not ModelVersion.objects.exists()


def test_a_baseline_without_a_valid_score_prints_a_dash_and_the_reason(db):
    from market.services import sample_load
    from tests.conftest import MARKET_SAMPLE_TICKERS

    # About 160 sessions: enough for a walk-forward sized to the history, not for a year of momentum.
    sample_load(tickers=MARKET_SAMPLE_TICKERS, start="2020-09-01", end="2021-04-21")
    table = _run("evaluate")
    header, *lines = table.strip().splitlines()
    columns = header.split(" | ")
    momentum = dict(zip(columns, next(x for x in lines if "momentum_12_1" in x).split(" | "), strict=True))
    assert momentum["OOS window"].startswith("— (no valid score: its input is missing on every date")
    assert all(momentum[c] == "—" for c in columns[2:])  # no IC, hit rate or return for nothing
    # A baseline whose feature exists is measured as usual.
    reversal = next(x for x in lines if x.startswith("baseline ") and "momentum_12_1" not in x)
    assert "no valid score" not in reversal and "…" in reversal
