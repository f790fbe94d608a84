"""Long CSV files ``date,ticker,close[,open,high,low,adj_close,volume,dividend,split_factor]``.

Plain or gzip (recognised by its magic bytes, not the file name, so uploads work too). A file whose
*structure* is wrong (empty, binary, not UTF-8, wrong columns) or of which no row can be read raises
:class:`~market.sources.MalformedData` with the reason and the first offending lines. A row's own
problem is that row's: an unparsable date (``invalid_date``), a date outside the bars' range
(``date_out_of_range``), an unparsable number (``invalid_number``) or a NUL byte in a field is
recorded in the :data:`~market.columns.ROW_PROBLEM_COLUMNS` and rejected by validation, with its
line; the other rows are stored.
"""

from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path
from typing import IO

import pandas as pd

from market.sources import NUMERIC_COLUMNS, REQUIRED_COLUMNS, TIDY_COLUMNS, MalformedData, finish_frame
from market.validation import FIRST_BAR_DATE, LAST_BAR_DATE, outside_bar_dates

GZIP_MAGIC = b"\x1f\x8b"
MAX_EXAMPLES = 5
# NUL never appears in a text CSV: in the header or among undecodable bytes it means "binary file".
_BINARY_SNIFF = 8192
# A NUL inside a data row is that row's problem. pandas would silently read it as a space ("AA PL"),
# so it becomes U+FFFD first, which no date, number or symbol rule accepts: the row is rejected.
_NUL_STAND_IN = "\ufffd".encode()

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


def _looks_binary(raw: bytes) -> bool:
    """NUL bytes in the header line, or NULs among bytes that are not UTF-8 text."""
    head = raw[:_BINARY_SNIFF]
    if b"\x00" not in head:
        return False
    header = head.split(b"\n", 1)[0]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the sniff window is still text.
        if exc.start < len(head) - 3:
            return True
    return b"\x00" in header


def _shown(value: object) -> str:
    """A field's text, quoted, a NUL written as ``\\x00`` so an admin sees why the row was refused."""
    return "'" + str(value).replace("\ufffd", "\\x00") + "'"


class _RowProblems:
    """The first parse problem of each row: a reason code and a detail naming the bad value."""

    def __init__(self, index: pd.Index) -> None:
        self.reason = pd.Series(None, index=index, dtype=object)
        self.detail = pd.Series(None, index=index, dtype=object)

    def mark(self, rows: pd.Series, reason: str, prefix: str, values: pd.Series) -> None:
        """``reason`` for ``rows`` without an earlier problem; detail: ``prefix`` and the quoted value."""
        new = rows & self.reason.isna()
        if new.any():  # details are built for the bad rows only (a million good rows cost nothing)
            self.reason[new] = reason
            self.detail[new] = prefix + values[new].map(_shown)


def read_csv(source: CsvInput) -> pd.DataFrame:
    """Parse a long CSV into the tidy frame (see :mod:`market.sources`).

    Parameters
    ----------
    source
        A path, the file's bytes, or a binary file object (e.g. an upload).

    Returns
    -------
    The tidy frame plus ``line`` (1 = header) and the row-problem columns
    (:data:`~market.columns.ROW_PROBLEM_COLUMNS`): ``parse_reason`` is missing for readable rows.

    Raises
    ------
    MalformedData
        Empty file, binary content, not UTF-8, missing or unknown columns, or no readable row.
    """
    raw = _read_bytes(source)
    if not raw or raw.isspace():
        raise MalformedData("The file is empty.")
    if _looks_binary(raw):
        raise MalformedData("The file is not text (binary content); expected a CSV.")
    if b"\x00" in raw:
        raw = raw.replace(b"\x00", _NUL_STAND_IN)

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

    problems = _RowProblems(frame.index)
    date_text = frame["date"].astype("string").str.strip()
    dates = pd.to_datetime(date_text, format="%Y-%m-%d", errors="coerce")
    unreadable = dates.isna()
    problems.mark(unreadable, "invalid_date", "date is missing or not YYYY-MM-DD: ", date_text)
    # 0001-01-01 and 9999-12-31 are dates, but not of any bar (nor representable as datetime64[ns]).
    out_of_range = ~unreadable & outside_bar_dates(dates)
    problems.mark(
        out_of_range,
        "date_out_of_range",
        f"date is outside {FIRST_BAR_DATE.isoformat()} to {LAST_BAR_DATE.isoformat()}: ",
        date_text,
    )
    frame["date"] = dates.mask(out_of_range).astype("datetime64[ns]")

    bad_numbers: dict[str, list[dict[str, object]]] = {}
    for column in NUMERIC_COLUMNS:
        if column not in frame.columns or pd.api.types.is_numeric_dtype(frame[column]):
            continue
        as_text = frame[column].astype("string").str.strip()
        parsed = pd.to_numeric(as_text, errors="coerce")
        bad = (parsed.isna() & as_text.notna() & (as_text != "")).fillna(False).astype(bool)
        if bad.any():
            bad_numbers[column] = _examples(lines[bad][:MAX_EXAMPLES], as_text[bad])
            problems.mark(bad, "invalid_number", f"{column} is not a number: ", as_text)
        frame[column] = parsed

    if problems.reason.notna().all():
        bad_dates = unreadable | out_of_range
        summary = []
        if unreadable.any():
            summary.append(
                f"{int(unreadable.sum())} row(s) have a missing or unparsable date (expected YYYY-MM-DD)"
            )
        if out_of_range.any():
            summary.append(f"{int(out_of_range.sum())} row(s) have a date out of range")
        if bad_numbers:
            summary.append(f"non-numeric values in column(s) {', '.join(bad_numbers)}")
        raise MalformedData(
            f"No row can be read: {'; '.join(summary) or 'every row has an unreadable field'}.",
            details={
                "bad_dates": _examples(lines[bad_dates][:MAX_EXAMPLES], date_text[bad_dates]),
                "bad_numbers": bad_numbers,
            },
        )

    tickers = frame["ticker"].astype("string").str.strip()
    frame["ticker"] = tickers.fillna("")
    tidy = finish_frame(frame)
    tidy["line"] = lines.to_numpy()
    tidy["parse_reason"] = problems.reason.to_numpy()
    tidy["parse_detail"] = problems.detail.to_numpy()
    return tidy
