"""Each source to the tidy frame, and malformed input refused as a whole (no database)."""

from __future__ import annotations

import gzip
import os

import numpy as np
import pandas as pd
import pytest

from market.sources import TIDY_COLUMNS, MalformedData, csv_file, sample, yahoo
from tests.market.yahoo_frames import yahoo_history, yf_download_frame


def test_the_embedded_sample_is_the_50_ticker_tidy_frame():
    frame = sample.read_sample_frame()
    assert list(frame.columns) == list(TIDY_COLUMNS)
    assert len(frame) == 66_700
    assert frame["ticker"].nunique() == 50
    assert frame["date"].min() == pd.Timestamp("2016-01-04")
    assert frame["date"].dtype == "datetime64[ns]"
    aapl_split = frame[(frame["ticker"] == "AAPL") & (frame["date"] == "2020-08-31")]
    assert aapl_split["split_factor"].item() == 4.0
    assert aapl_split["close"].item() == 129.04


def test_the_constituents_give_a_sector_for_every_sample_ticker():
    constituents = sample.read_constituents()
    assert list(constituents.columns) == ["ticker", "name", "sector"]
    assert constituents["sector"].nunique() == 11
    assert set(sample.read_sample_frame()["ticker"]) <= set(constituents["ticker"])


def test_a_csv_file_becomes_the_tidy_frame_plain_or_gzip(tmp_path):
    text = "date,ticker,close,volume\n2021-04-19,brk-b,240.5,100\n2021-04-20,AAPL,133.1,\n"
    plain = tmp_path / "bars.csv"
    plain.write_text(text)
    zipped = tmp_path / "upload.bin"  # gzip recognised by content, not by name
    zipped.write_bytes(gzip.compress(text.encode()))
    for source in (plain, zipped, text.encode()):
        frame = csv_file.read_csv(source)
        assert frame["ticker"].tolist() == ["BRK.B", "AAPL"]
        assert frame["close"].tolist() == [240.5, 133.1]
        assert np.isnan(frame["volume"].iloc[1])
        assert frame["split_factor"].tolist() == [1.0, 1.0]
        assert frame["dividend"].tolist() == [0.0, 0.0]
        assert frame["line"].tolist() == [2, 3]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"date,ticker,close\n", "no rows"),
        (b"day,symbol,price\n2021-04-20,AAPL,1\n", "missing column(s) date, ticker, close"),
        (b"date,ticker,close,colour\n2021-04-20,AAPL,1,red\n", "unknown column(s) colour"),
        # Every row unreadable: the file is refused (one readable row and it would be stored).
        (b"date,ticker,close\n20/04/2021,AAPL,1\n", "unparsable date"),
        (b"date,ticker,close\n2021-02-30,AAPL,1\n", "unparsable date"),
        (b"date,ticker,close\n0001-01-01,AAPL,1\n", "1 row(s) have a date out of range"),
        (b"date,ticker,close\n2021-04-20,AAPL,abc\n", "non-numeric values in column(s) close"),
        (b"date\x00,ticker,close\n2021-04-20,AAPL,1\n", "binary"),
        (os.urandom(64) + b"\x00" * 8, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"\xff\xfe\xfa garbage \xff", "not UTF-8"),
        (b"\x1f\x8b\x08\x00 truncated gzip", "gzip file is corrupt"),
    ],
)
def test_a_malformed_file_is_refused_with_a_clear_message(content, message):
    with pytest.raises(MalformedData) as excinfo:
        csv_file.read_csv(content)
    assert message in excinfo.value.message


def test_a_file_of_unreadable_rows_is_refused_with_their_lines():
    with pytest.raises(MalformedData) as excinfo:
        csv_file.read_csv(b"date,ticker,close\nyesterday,AAPL,1\n2021-04-20,AAPL,1.2.3\n")
    assert excinfo.value.details["bad_dates"] == [{"line": 2, "value": "yesterday"}]
    assert excinfo.value.details["bad_numbers"] == {"close": [{"line": 3, "value": "1.2.3"}]}


def test_an_unreadable_field_is_a_problem_of_its_row_only():
    frame = csv_file.read_csv(
        b"date,ticker,close,volume\n"
        b"2021-04-19,AAPL,1,100\n"
        b"yesterday,AAPL,2,100\n"
        b"9999-12-31,AAPL,3,100\n"
        b"2021-04-20,AAPL,4,lots\n"
        b"2021-04-21,AA\x00PL,5,100\n"
        b"2021-04-22,AAPL,6\x007,100\n"
        b"2021-04-23,AAPL,8,100\n"
    )
    problems = frame.set_index("line")["parse_reason"].dropna()
    # Line 6 reads, but a NUL in the ticker makes it an invalid symbol: validation rejects it.
    assert problems.to_dict() == {
        3: "invalid_date",
        4: "date_out_of_range",
        5: "invalid_number",
        7: "invalid_number",
    }
    assert len(frame) == 7
    assert frame["date"].dtype == "datetime64[ns]"
    assert frame.loc[frame["line"] == 5, "parse_detail"].item() == "volume is not a number: 'lots'"
    assert frame.loc[frame["line"] == 7, "parse_detail"].item() == "close is not a number: '6\\x007'"
    assert frame.loc[frame["line"] == 6, "ticker"].item() != "AA PL"  # pandas' silent reading of a NUL


def test_a_yfinance_download_becomes_the_tidy_frame_with_raw_prices():
    raw = yf_download_frame(
        {
            "AAPL": yahoo_history("AAPL", "2020-08-26", "2020-09-02"),  # 4:1 split on 2020-08-31
            "BRK-B": yahoo_history("MSFT", "2020-08-26", "2020-09-02").iloc[2:],  # starts later
            "ZZZZ": None,  # yfinance: a failed ticker comes back as all-NaN columns
        }
    )
    assert raw.columns.names == ["Price", "Ticker"]
    assert raw.index.name == "Date"
    assert raw["Close"]["ZZZZ"].isna().all()

    result = yahoo.frame_from_download(raw, ["AAPL", "BRK.B", "ZZZZ"])

    assert result.failed == ["ZZZZ"]
    frame = result.frame
    assert list(frame.columns) == list(TIDY_COLUMNS)
    assert sorted(frame["ticker"].unique()) == ["AAPL", "BRK.B"]
    assert (frame["ticker"] == "BRK.B").sum() == 4  # no rows for the dates before it started
    expected = sample.read_sample_frame()
    expected = expected[(expected["ticker"] == "AAPL") & expected["date"].between("2020-08-26", "2020-09-02")]
    aapl = frame[frame["ticker"] == "AAPL"].reset_index(drop=True)
    for column in ("open", "high", "low", "close", "adj_close", "volume", "dividend", "split_factor"):
        np.testing.assert_allclose(aapl[column], expected[column].to_numpy(), rtol=1e-12, err_msg=column)
    assert aapl.loc[aapl["date"] == "2020-08-28", "close"].item() == pytest.approx(499.23)


def test_symbols_map_between_our_spelling_and_yahoos():
    assert yahoo.to_yahoo("brk.b") == "BRK-B"
    assert yahoo.from_yahoo("BRK-B") == "BRK.B"


def test_download_calls_yfinance_with_the_agreed_arguments(monkeypatch):
    calls = []

    def fake_download(tickers, **kwargs):
        calls.append((tickers, kwargs))
        return yf_download_frame({"BRK-B": yahoo_history("AAPL", "2021-04-19", "2021-04-21")})

    monkeypatch.setattr(yahoo.yf, "download", fake_download)
    result = yahoo.download(
        ["BRK.B"], start=pd.Timestamp("2021-04-19").date(), end=pd.Timestamp("2021-04-21").date()
    )
    tickers, kwargs = calls[0]
    assert tickers == ["BRK-B"]
    assert kwargs["start"] == "2021-04-19" and kwargs["end"] == "2021-04-22"  # yfinance's end is exclusive
    assert kwargs["auto_adjust"] is False and kwargs["actions"] is True and kwargs["group_by"] == "column"
    assert result.frame["ticker"].unique().tolist() == ["BRK.B"]


def test_an_empty_download_reports_every_ticker_failed():
    result = yahoo.frame_from_download(pd.DataFrame(), ["AAPL"])
    assert result.failed == ["AAPL"] and result.frame.empty
