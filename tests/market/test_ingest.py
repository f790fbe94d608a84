"""The ingestion service against the database: idempotency, corrections, atomicity, audit trail."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from django.utils import timezone

from market import jobs, selectors, services
from market.ingest import generic, ingest_frame, writers
from market.models import BarRevision, DailyBar, IngestionRun, Ticker
from market.signals import ingestion_succeeded
from market.sources import MalformedData, sample
from tests.market.postgres import postgresql_only

pytestmark = pytest.mark.django_db

TICKERS = ["AAPL", "MSFT", "XOM"]


def subset(start: str = "2021-03-01", end: str = "2021-04-21", tickers=TICKERS) -> pd.DataFrame:
    frame = sample.read_sample_frame()
    return frame[frame["ticker"].isin(tickers) & frame["date"].between(start, end)].reset_index(drop=True)


def test_a_first_load_inserts_every_row_and_sets_ticker_metadata():
    frame = subset()
    run = ingest_frame(frame=frame, source="sample")
    assert run.status == IngestionRun.Status.SUCCEEDED
    assert (run.inserted, run.updated, run.unchanged, run.rejected) == (len(frame), 0, 0, 0)
    assert DailyBar.objects.count() == len(frame)
    aapl = Ticker.objects.get(symbol="AAPL")
    assert aapl.sector == "Information Technology"
    assert aapl.name.startswith("Apple")
    assert (aapl.first_bar_date, aapl.last_bar_date) == (date(2021, 3, 1), date(2021, 4, 21))
    assert run.finished_at is not None


def test_ingesting_leaves_the_callers_frame_as_it_was():
    """Callers (the tasks, bench/ingest.py) pass their frame without copying it first."""
    frame = subset(tickers=["AAPL", "MSFT"]).assign(ticker=lambda f: f["ticker"].str.lower())
    frame.loc[3, "close"] = -1.0  # rejected: the validation's own columns are not added to the caller's
    before = frame.copy()
    run = ingest_frame(frame=frame, source="csv")
    assert (run.rejected, run.inserted) == (1, len(frame) - 1)
    pd.testing.assert_frame_equal(frame, before)


def test_ingesting_the_same_data_twice_writes_nothing_the_second_time(django_assert_max_num_queries):
    frame = subset()
    ingest_frame(frame=frame, source="sample")
    before = list(DailyBar.objects.order_by("pk").values_list("pk", "close", "last_run_id"))
    # A fixed number of queries, whatever the row count: never a query per row.
    with django_assert_max_num_queries(30):
        second = ingest_frame(frame=frame, source="sample")
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, len(frame))
    assert second.rows_written == 0
    assert list(DailyBar.objects.order_by("pk").values_list("pk", "close", "last_run_id")) == before
    assert not BarRevision.objects.exists()


def test_a_correction_updates_the_bar_and_records_one_revision():
    frame = subset()
    first = ingest_frame(frame=frame, source="sample")
    corrected = frame.copy()
    row = corrected.index[(corrected["ticker"] == "MSFT") & (corrected["date"] == "2021-04-20")][0]
    old_close = corrected.at[row, "close"]
    corrected.at[row, "close"] = old_close + 0.01
    corrected.at[row, "adj_close"] = corrected.at[row, "adj_close"] + 0.01

    second = ingest_frame(frame=corrected, source="csv")

    assert (second.inserted, second.updated, second.unchanged) == (0, 1, len(frame) - 1)
    revision = BarRevision.objects.get()
    assert revision.run == second
    assert revision.bar.ticker.symbol == "MSFT" and revision.bar.date == date(2021, 4, 20)
    assert revision.old_values == {"close": old_close, "adj_close": frame.at[row, "adj_close"]}
    assert revision.new_values == {"close": old_close + 0.01, "adj_close": frame.at[row, "adj_close"] + 0.01}
    assert DailyBar.objects.get(pk=revision.bar_id).close == old_close + 0.01
    changes = selectors.changes_since(first.pk)
    assert changes[["ticker", "date", "run_id", "corrected"]].values.tolist() == [
        ["MSFT", pd.Timestamp("2021-04-20"), second.pk, True]
    ]
    assert list(selectors.revisions_since(first.pk)) == [revision]
    assert selectors.changes_since(second.pk).empty


def test_new_days_are_inserted_and_listed_as_changes_since_the_last_run():
    first = ingest_frame(frame=subset(end="2021-04-19"), source="sample")
    second = ingest_frame(frame=subset(start="2021-04-15"), source="sample")
    assert (second.inserted, second.updated, second.unchanged) == (6, 0, 9)
    changes = selectors.changes_since(first.pk)
    assert len(changes) == 6 and not changes["corrected"].any()
    assert Ticker.objects.get(symbol="XOM").last_bar_date == date(2021, 4, 21)


def test_a_failure_in_the_middle_leaves_no_partial_rows_and_marks_the_run_failed(monkeypatch):
    ingest_frame(frame=subset(end="2021-03-31"), source="sample")
    before = list(DailyBar.objects.order_by("pk").values_list("pk", "close"))
    monkeypatch.setattr(writers, "TICKERS_PER_CHUNK", 1)
    calls = []

    def crash_on_third_chunk(real):
        def write(chunk, **kwargs):
            calls.append(len(chunk))
            if len(calls) == 3:
                raise RuntimeError("disk full")
            return real(chunk, **kwargs)

        return write

    # Each chunk is written (SQLite) or copied (PostgreSQL) by one of these.
    monkeypatch.setattr(writers, "_copy_chunk", crash_on_third_chunk(writers._copy_chunk))
    monkeypatch.setattr(generic, "write_chunk", crash_on_third_chunk(generic.write_chunk))
    corrected = subset()
    corrected["close"] = corrected["close"] * 1.001
    with pytest.raises(RuntimeError, match="disk full"):
        ingest_frame(frame=corrected, source="csv")

    assert len(calls) == 3  # two chunks had been written before the fault
    assert list(DailyBar.objects.order_by("pk").values_list("pk", "close")) == before
    assert not BarRevision.objects.exists()
    failed = IngestionRun.objects.latest("pk")
    assert failed.status == IngestionRun.Status.FAILED
    assert "disk full" in failed.error
    assert failed.finished_at is not None
    assert Ticker.objects.get(symbol="AAPL").last_bar_date == date(2021, 3, 31)


def test_rejected_and_flagged_rows_are_recorded_with_their_reason():
    frame = subset(tickers=["AAPL"], start="2021-04-19")
    frame.loc[1, "close"] = -1.0
    frame.loc[2, "close"] = frame.loc[0, "close"] * 1.8
    frame.loc[2, "high"] = frame.loc[2, "close"]
    run = ingest_frame(frame=frame, source="csv")
    assert (run.inserted, run.rejected, run.flagged) == (2, 1, 1)
    assert run.status == IngestionRun.Status.PARTIAL and run.error == "1 of 3 rows rejected."
    assert run.issue_counts == {"flagged:large_move": 1, "rejected:non_positive_close": 1}
    issues = list(run.issues.values_list("severity", "reason", "ticker", "date"))
    assert issues == [
        ("rejected", "non_positive_close", "AAPL", date(2021, 4, 20)),
        ("flagged", "large_move", "AAPL", date(2021, 4, 21)),
    ]
    assert DailyBar.objects.filter(date=date(2021, 4, 21)).exists()  # flagged, not dropped


def test_unknown_tickers_are_rejected_when_the_source_may_not_create_them():
    ingest_frame(frame=subset(tickers=["AAPL"]), source="sample")
    run = ingest_frame(frame=subset(tickers=["AAPL", "XOM"]), source="csv", allow_create_tickers=False)
    assert run.rejected == len(subset(tickers=["XOM"]))
    assert set(run.issues.values_list("reason", flat=True)) == {"unknown_ticker"}
    assert run.status == IngestionRun.Status.PARTIAL
    only_unknown = ingest_frame(frame=subset(tickers=["XOM"]), source="csv", allow_create_tickers=False)
    assert only_unknown.status == IngestionRun.Status.FAILED and only_unknown.inserted == 0
    assert not Ticker.objects.filter(symbol="XOM").exists()


def test_a_malformed_csv_writes_nothing_and_the_run_is_failed(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,ticker,close,colour\n2021-04-20,AAPL,1,red\n")
    with pytest.raises(MalformedData):
        services.csv_load(source=path)
    assert not DailyBar.objects.exists() and not Ticker.objects.exists()
    run = IngestionRun.objects.get()
    assert run.status == IngestionRun.Status.FAILED
    assert "unknown column(s) colour" in run.error


def issue_example_csv() -> str:
    """The issue's file: 18 rows of which one has ``not-a-date`` and 7 others break a value rule."""
    rows = subset("2021-03-01", "2021-03-31", ["MSFT"]).head(18).reset_index(drop=True)
    lines = [
        f"{d:%Y-%m-%d},{t},{o},{h},{lo},{c},{v}"
        for d, t, o, h, lo, c, v in rows[
            ["date", "ticker", "open", "high", "low", "close", "volume"]
        ].itertuples(index=False)
    ]
    lines[4] = lines[4].replace(lines[4].split(",")[0], "not-a-date")
    for i in (6, 8, 10):
        lines[i] = lines[i].rsplit(",", 2)[0] + ",-1," + lines[i].rsplit(",", 1)[1]  # close -1
    for i in (12, 14):
        d, t, o, h, lo, c, v = lines[i].split(",")
        lines[i] = ",".join([d, t, o, lo, h, c, v])  # high below low
    for i in (16, 17):
        lines[i] = lines[i].rsplit(",", 1)[0] + ",-5"  # negative volume
    return "date,ticker,open,high,low,close,volume\n" + "\n".join(lines) + "\n"


def test_one_unparsable_date_rejects_its_row_and_the_valid_rows_are_stored(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text(issue_example_csv())
    run = services.csv_load(source=path)
    assert (run.rows_total, run.inserted, run.rejected) == (18, 10, 8)
    assert run.status == IngestionRun.Status.PARTIAL
    assert DailyBar.objects.filter(ticker__symbol="MSFT").count() == 10
    invalid_date = run.issues.get(reason="invalid_date")
    assert invalid_date.line == 6 and invalid_date.date is None
    assert invalid_date.detail == "date is missing or not YYYY-MM-DD: 'not-a-date'"
    assert run.issue_counts["rejected:invalid_date"] == 1


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("0001-01-01,MSFT,230.0", "date_out_of_range"),
        ("9999-12-31,MSFT,230.0", "date_out_of_range"),
        ("2021-04-21,MS\x00FT,230.0", "invalid_ticker"),
        ("2021-04-21,MSFT,23\x000.0", "invalid_number"),
        ("2021-04-21\x00,MSFT,230.0", "invalid_date"),
    ],
)
def test_an_extreme_date_or_a_nul_byte_rejects_its_row_and_the_run_finishes(tmp_path, bad_row, reason):
    path = tmp_path / "odd.csv"
    path.write_bytes(f"date,ticker,close\n2021-04-20,MSFT,231.0\n{bad_row}\n".encode())
    run = services.csv_load(source=path)
    assert (run.status, run.inserted, run.rejected) == (IngestionRun.Status.PARTIAL, 1, 1)
    issue = run.issues.get()
    assert (issue.reason, issue.line) == (reason, 3)
    assert not IngestionRun.objects.filter(status=IngestionRun.Status.RUNNING).exists()


def test_the_signal_is_sent_on_commit_only_when_rows_were_written(django_capture_on_commit_callbacks):
    received = []

    def listener(sender, run, **kwargs):
        received.append(run.pk)

    ingestion_succeeded.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = ingest_frame(frame=subset(), source="sample")
        with django_capture_on_commit_callbacks(execute=True):
            ingest_frame(frame=subset(), source="sample")
    finally:
        ingestion_succeeded.disconnect(listener)
    assert received == [first.pk]


def test_sample_load_filters_tickers_and_dates_and_refuses_unknown_tickers():
    run = services.sample_load(tickers=["aapl"], start="2021-04-01", end="2021-04-09")
    assert run.inserted == 6 and run.params == {
        "tickers": ["AAPL"],
        "start": "2021-04-01",
        "end": "2021-04-09",
    }
    with pytest.raises(services.DomainError, match="ZZZZ"):
        services.sample_load(tickers=["ZZZZ"])
    with pytest.raises(services.DomainError, match="after end"):
        services.sample_load(start="2021-04-09", end="2021-04-01")


def test_rerun_repeats_a_run_with_its_parameters():
    first = services.sample_load(tickers=["AAPL"], start="2021-04-01")
    again = services.rerun(run=first)
    assert again.pk != first.pk and again.unchanged == first.inserted and again.params == first.params


def test_a_failure_during_a_first_load_leaves_no_bars(monkeypatch):
    monkeypatch.setattr(writers, "TICKERS_PER_CHUNK", 1)
    real = writers._copy_chunk if writers.connection.vendor == "postgresql" else generic.write_chunk
    calls = []

    def crash_on_second_chunk(chunk, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("connection lost")
        return real(chunk, **kwargs)

    monkeypatch.setattr(writers, "_copy_chunk", crash_on_second_chunk)
    monkeypatch.setattr(generic, "write_chunk", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        ingest_frame(frame=subset(), source="sample")
    assert not DailyBar.objects.exists() and not Ticker.objects.exists()
    assert IngestionRun.objects.get().status == IngestionRun.Status.FAILED


@postgresql_only
def test_a_bulk_first_load_rebuilds_the_indexes_it_dropped(monkeypatch):
    # Whatever the table's size estimate (index builds of earlier, rolled-back tests update it).
    monkeypatch.setattr(writers, "_is_bulk_load", lambda new_rows: True)
    with writers.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'market_dailybar' ORDER BY indexname"
        )
        before = cursor.fetchall()
    run = ingest_frame(frame=subset(), source="sample")
    with writers.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'market_dailybar' ORDER BY indexname"
        )
        assert cursor.fetchall() == before
    again = ingest_frame(frame=subset(), source="sample")
    assert (run.inserted, again.unchanged) == (len(subset()), len(subset()))


def test_a_run_left_running_by_a_killed_process_is_marked_failed_later():
    stale = IngestionRun.objects.create(source="csv")
    IngestionRun.objects.filter(pk=stale.pk).update(started_at=timezone.now() - timedelta(days=1))
    fresh = IngestionRun.objects.create(source="csv")
    services.sample_load(tickers=["KO"], start="2021-04-20")
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == IngestionRun.Status.FAILED and "Interrupted" in stale.error
    assert fresh.status == IngestionRun.Status.RUNNING


def test_a_frame_built_by_hand_is_coerced_to_the_tidy_layout():
    frame = pd.DataFrame(
        {
            "date": ["2021-04-19", "2021-04-20"],
            "ticker": ["brk-b", "brk-b"],
            "close": [240, 241],
            "volume": [5, 6],
        }
    )
    run = ingest_frame(frame=frame, source="csv")
    assert run.inserted == 2
    assert list(DailyBar.objects.values_list("ticker__symbol", "close", "adj_close", "volume")) == [
        ("BRK.B", 240.0, 240.0, 5),
        ("BRK.B", 241.0, 241.0, 6),
    ]
    with pytest.raises(MalformedData):
        ingest_frame(frame=frame.assign(date=["someday", "never"]), source="csv")
    with pytest.raises(MalformedData, match="missing close"):
        ingest_frame(frame=frame.drop(columns="close"), source="csv")


ABSURD_CSV = (
    "date,ticker,close,high,low,volume\n"
    "2021-04-19,AAPL,134.84,135.47,133.34,94264000\n"
    "2021-04-20,AAPL,inf,inf,133.0,100\n"
    "2021-04-21,AAPL,1e308,1e308,133.0,100\n"
    "2021-04-16,AAPL,134.16,134.67,133.28,1e30\n"
    "1800-01-02,AAPL,134.0,135.0,133.0,100\n"
)


def test_values_and_dates_a_bar_cannot_hold_are_rejected_per_row_and_never_stored(tmp_path):
    path = tmp_path / "absurd.csv"
    path.write_text(ABSURD_CSV)
    run = services.csv_load(source=path)
    assert run.status == IngestionRun.Status.PARTIAL and (run.inserted, run.rejected) == (1, 4)
    assert run.issue_counts == {
        "rejected:non_finite": 1,
        "rejected:out_of_range": 2,
        "rejected:date_out_of_range": 1,
    }
    assert list(run.issues.order_by("line").values_list("line", "reason")) == [
        (3, "non_finite"),
        (4, "out_of_range"),
        (5, "out_of_range"),
        (6, "date_out_of_range"),
    ]
    assert list(DailyBar.objects.values_list("date", "close", "volume")) == [
        (date(2021, 4, 19), 134.84, 94264000)
    ]
    aapl = Ticker.objects.get(symbol="AAPL")
    assert aapl.first_bar_date == aapl.last_bar_date == date(2021, 4, 19)


def test_the_writer_refuses_a_volume_it_would_wrap_and_writes_nothing():
    ticker = Ticker.objects.create(symbol="AAPL")
    bars = subset(tickers=["AAPL"], start="2021-04-19").assign(ticker_id=ticker.pk).drop(columns="ticker")
    bars.loc[1, "volume"] = 1e30
    with pytest.raises(ValueError, match="64-bit"):
        writers.write_bars(bars, run_id=1)
    assert not DailyBar.objects.exists()


def test_rerun_of_an_upload_keeps_its_refusal_to_create_tickers(django_capture_on_commit_callbacks):
    ingest_frame(frame=subset(tickers=["AAPL"], start="2021-04-19"), source="sample")
    content = b"date,ticker,close\n2021-04-20,AAPL,133.11\n2021-04-20,NEWCO,10\n"
    with django_capture_on_commit_callbacks(execute=True):
        upload = jobs.csv_upload_start(content=content, filename="bars.csv")
    upload.refresh_from_db()
    again = services.rerun(run=upload)
    assert again.params == upload.params and again.params["allow_create_tickers"] is False
    assert again.issue_counts == {"rejected:unknown_ticker": 1}
    assert not Ticker.objects.filter(symbol="NEWCO").exists()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ((date.today() + timedelta(days=7)).isoformat(), None, "in the future"),
        ("1800-01-02", None, "out of range"),
        ("2021-04-20", "2021-04-01", "after end"),
        (None, None, "required"),
    ],
)
def test_every_yahoo_entry_point_refuses_bad_dates_before_recording_a_run(monkeypatch, start, end, message):
    from market.sources import yahoo

    monkeypatch.setattr(yahoo.yf, "download", lambda *a, **kw: pytest.fail("no download expected"))
    with pytest.raises(services.DomainError, match=message):
        services.yahoo_load(symbols=["AAPL"], start=start, end=end)
    with pytest.raises(services.DomainError, match=message):
        jobs.yahoo_request_start(symbols=["AAPL"], start=start, end=end)
    if start is not None:  # the update plan computes a default start
        with pytest.raises(services.DomainError, match=message):
            services.yahoo_update_plan(symbols=["AAPL"], start=start, end=end)
    assert not IngestionRun.objects.exists()
