"""``manage.py ingest``: summary on stdout, exit codes on failure."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from market.models import DailyBar, IngestionRun
from market.sources import yahoo
from tests.market.yahoo_frames import yahoo_history, yf_download_frame

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("ingest", *args, stdout=out)
    return out.getvalue()


def test_ingest_sample_prints_the_summary_and_a_second_run_writes_nothing():
    first = run("sample", "--tickers", "AAPL", "KO", "--start", "2021-04-01")
    assert "inserted 28  updated 0  unchanged 0  rejected 0" in first
    assert "rows/s" in first
    second = run("sample", "--tickers", "AAPL", "KO", "--start", "2021-04-01")
    assert "inserted 0  updated 0  unchanged 28" in second


def test_ingest_csv_reports_rejections_by_reason_and_exits_2(tmp_path):
    path = tmp_path / "bars.csv"
    path.write_text("date,ticker,close\n2021-04-19,AAPL,1\n2021-04-20,AAPL,-1\n2021-04-24,AAPL,1\n")
    out = StringIO()
    with pytest.raises(CommandError, match="2 of 3 rows rejected") as excinfo:
        call_command("ingest", "csv", str(path), stdout=out)
    assert excinfo.value.returncode == 2  # partially succeeded: the good row is stored
    out = out.getvalue()
    assert "inserted 1" in out and "rejected 2" in out
    assert "rejected:non_positive_close: 1" in out and "rejected:not_weekday: 1" in out


def test_a_malformed_file_exits_non_zero_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x00\x01binary")
    with pytest.raises(CommandError, match="not text") as excinfo:
        run("csv", str(path))
    assert excinfo.value.returncode == 1
    assert not DailyBar.objects.exists()
    assert IngestionRun.objects.get().status == IngestionRun.Status.FAILED


def test_a_missing_file_exits_non_zero(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run("csv", str(tmp_path / "nope.csv"))


def test_ingest_yahoo_exits_2_when_some_tickers_failed(monkeypatch):
    monkeypatch.setattr(
        yahoo.yf,
        "download",
        lambda tickers, **kw: yf_download_frame(
            {"AAPL": yahoo_history("AAPL", "2021-04-12", "2021-04-21"), "NOPE": None}
        ),
    )
    out = StringIO()
    with pytest.raises(CommandError, match="partially") as excinfo:
        call_command("ingest", "yahoo", "--symbols", "AAPL", "NOPE", "--start", "2021-04-12", stdout=out)
    assert excinfo.value.returncode == 2
    assert "failed tickers: NOPE" in out.getvalue()
    assert DailyBar.objects.count() == 8


def test_ingest_yahoo_refuses_a_future_start_up_front(monkeypatch):
    monkeypatch.setattr(yahoo.yf, "download", lambda *a, **kw: pytest.fail("no download expected"))
    start = (date.today() + timedelta(days=7)).isoformat()
    with pytest.raises(CommandError, match=f"start {start} is in the future") as excinfo:
        run("yahoo", "--symbols", "AAPL", "--start", start)
    assert excinfo.value.returncode == 1
    assert not IngestionRun.objects.exists()
