"""``manage.py replay``: a file or the stored bars in, a progress bar and the statistics table out."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portfolio.replay.models import ReplayRun
from tests.replay.conftest import sample_frame


@pytest.fixture
def csv_path(tmp_path):
    path = tmp_path / "six.csv.gz"
    sample_frame("2017-01-01", "2018-12-31").to_csv(path, index=False)
    return path


def test_a_replay_of_a_file_prints_the_table_and_stores_the_run(csv_path, db, caplog):
    out, err = StringIO(), StringIO()
    call_command(
        "replay",
        "--data",
        str(csv_path),
        "--start",
        "2018-01-02",
        "--strategies",
        "cash,equal_weight_buy_hold",
        stdout=out,
        stderr=err,
    )
    text = out.getvalue()
    assert "six.csv.gz (6 tickers), 2018-01-02 … 2018-12-31" in text
    for label in ("1/N monthly", "1/N buy & hold", "Cash"):
        assert label in text
    assert "replay: 100%" in err.getvalue()  # the progress bar of the parts
    assert "equal_weight_buy_hold offset 0" in err.getvalue()  # and of the sessions of the running part
    logged = [r for r in caplog.records if r.getMessage() == "replay part progress"]
    assert {r.strategy for r in logged} == {
        "cash",
        "equal_weight_buy_hold",
        "equal_weight_monthly",
    }  # + the baseline
    assert all(r.sessions_done == r.sessions for r in logged[-1:])  # each part logs its end
    run = ReplayRun.objects.get()
    assert run.status == ReplayRun.Status.SUCCEEDED
    assert run.data_fingerprint["n_tickers"] == 6


def test_bad_arguments_exit_with_a_message(csv_path, db):
    with pytest.raises(CommandError, match="start must be an ISO date"):
        call_command("replay", "--data", str(csv_path), "--start", "yesterday")
    with pytest.raises(CommandError, match="No data file"):
        call_command("replay", "--data", "/nope.csv")
    with pytest.raises(CommandError, match="Unknown strategies: moon"):
        call_command("replay", "--data", str(csv_path), "--strategies", "moon")
    assert ReplayRun.objects.count() == 0


def test_the_initial_cash_is_the_accounts_cash_at_the_start_and_must_be_positive(csv_path, db):
    call_command(
        "replay",
        "--data",
        str(csv_path),
        "--start",
        "2018-01-02",
        "--strategies",
        "cash",
        "--initial-cash",
        "2500000",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    run = ReplayRun.objects.get()
    assert run.params["initial_cash"] == 2_500_000.0
    assert run.results["strategies"]["cash"]["equity"]["after_tax"][0] == 2_500_000.0
    with pytest.raises(CommandError, match="initial_cash must be a positive amount"):
        call_command("replay", "--data", str(csv_path), "--initial-cash", "0")
