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
    assert f"#{version.pk} ridge (champion)" in table
    assert "baseline momentum_12_1" in table and "baseline reversal_5" in table


def test_commands_refuse_bad_input_without_changing_anything(market_sample, fast_training):
    with pytest.raises(CommandError, match="as_of must be a date"):
        _run("predict", "--as-of", "yesterday")
    with pytest.raises(CommandError, match="No champion"):
        _run("predict")
    with pytest.raises(CommandError, match="not valid JSON"):
        _run("train", "--params", "{alpha")
    with pytest.raises(CommandError, match="unknown hyper-parameters"):
        _run("train", "--params", '{"depth": 3}')
    assert not ModelVersion.objects.exists()
