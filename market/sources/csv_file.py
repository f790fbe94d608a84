"""Long CSV files ``date,ticker,close[,open,high,low,adj_close,volume,dividend,split_factor]``.

Plain or gzip (recognised by its magic bytes, not the file name, so uploads work too). A file that
cannot be read as a whole raises :class:`~market.sources.MalformedData` with the reason and the
first offending lines; row-level problems (a missing close, high < low…) are left to validation.
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path
from typing import IO

import pandas as pd

from market.sources import NUMERIC_COLUMNS, REQUIRED_COLUMNS, TIDY_COLUMNS, MalformedData, finish_frame

GZIP_MAGIC = b"\x1f\x8b"
MAX_EXAMPLES = 5
# Bytes that never appear in a text CSV: a quick, reliable "this is binary" test.
_BINARY_SNIFF = 8192

CsvInput = str | Path | bytes | IO[bytes]


def _read_bytes(source: CsvInput) -> bytes:
    if isinstance(source, bytes):
        raw = source
    elif isinstance(source, str | Path):
        try:
            raw = Path(source).read_bytes()
        except OSError as exc:
            raise MalformedData(f"Cannot read {source}: {exc.strerror or exc}.")
    else:
        raw = source.read()
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise MalformedData(f"The gzip file is corrupt: {exc}.")
    return raw


def _examples(lines: pd.Series, values: pd.Series) -> list[dict[str, object]]:
    return [{"line": int(line), "value": str(value)} for line, value in zip(lines, values, strict=False)]


def read_csv(source: CsvInput) -> pd.DataFrame:
    """Parse a long CSV into the tidy frame (see :mod:`market.sources`).

    Parameters
    ----------
    source
        A path, the file's bytes, or a binary file object (e.g. an upload).

    Raises
    ------
    MalformedData
        Empty file, binary content, missing or unknown columns, unparsable dates or numbers.
    """
    raw = _read_bytes(source)
    if not raw or raw.isspace():
        raise MalformedData("The file is empty.")
    if b"\x00" in raw[:_BINARY_SNIFF]:
        raise MalformedData("The file is not text (binary content); expected a CSV.")

    try:
        # pandas decodes the bytes itself (no decoded copy of a 70 MB file in memory). Everything but
        # the numbers is read as text: dates are parsed below with an explicit format.
        frame = pd.read_csv(
            io.BytesIO(raw),
            encoding="utf-8-sig",
            dtype={"date": str, "ticker": str},
            skipinitialspace=True,
            low_memory=False,
        )
    except UnicodeDecodeError as exc:
        raise MalformedData(f"The file is not UTF-8 text (byte {exc.start}); expected a CSV.")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise MalformedData(f"The file is not a readable CSV: {exc}".rstrip(".") + ".")

    frame.columns = [str(column).strip().lower() for column in frame.columns]
    missing = [column for column in REQUIRED_COLUMNS if column not in frame.columns]
    unknown = [column for column in frame.columns if column not in TIDY_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown[:10])}")
        raise MalformedData(
            f"Wrong columns: {'; '.join(parts)}. Expected date,ticker,close"
            f"[,{','.join(c for c in TIDY_COLUMNS if c not in REQUIRED_COLUMNS)}].",
            details={"missing": missing, "unknown": unknown, "expected": list(TIDY_COLUMNS)},
        )
    if frame.empty:
        raise MalformedData("The file has a header but no rows.")
    if frame.columns.duplicated().any():
        raise MalformedData("The header repeats a column.")

    # Line numbers as a user sees them in an editor: header is line 1.
    lines = pd.Series(frame.index + 2, index=frame.index)

    dates = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    bad_dates = dates.isna()
    if bad_dates.any():
        raise MalformedData(
            f"{int(bad_dates.sum())} row(s) have a missing or unparsable date (expected YYYY-MM-DD).",
            details={"bad_dates": _examples(lines[bad_dates][:MAX_EXAMPLES], frame["date"][bad_dates])},
        )
    frame["date"] = dates

    bad_numbers: dict[str, list[dict[str, object]]] = {}
    for column in NUMERIC_COLUMNS:
        if column not in frame.columns or pd.api.types.is_numeric_dtype(frame[column]):
            continue
        as_text = frame[column].astype("string").str.strip()
        parsed = pd.to_numeric(as_text, errors="coerce")
        bad = parsed.isna() & as_text.notna() & (as_text != "")
        if bad.any():
            bad_numbers[column] = _examples(lines[bad][:MAX_EXAMPLES], as_text[bad])
        frame[column] = parsed
    if bad_numbers:
        raise MalformedData(
            f"Non-numeric values in column(s) {', '.join(bad_numbers)}.", details={"bad_numbers": bad_numbers}
        )

    tickers = frame["ticker"].astype("string").str.strip()
    frame["ticker"] = tickers.fillna("")
    tidy = finish_frame(frame)
    tidy["line"] = lines.to_numpy()
    return tidy
