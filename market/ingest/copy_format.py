"""PostgreSQL's binary ``COPY`` format, encoded vectorised with NumPy (no per-row Python; no database).

Exact for floats (the 8 IEEE bytes are sent as they are) and ~20x faster than text formatting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from market.columns import BAR_VALUE_FIELDS

_PG_EPOCH_DAYS = 10_957  # 2000-01-01 in days since 1970-01-01: PostgreSQL's binary date origin
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
_COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)


def copy_binary(columns: list[tuple[np.ndarray, np.ndarray]]) -> bytes:
    """Encode rows in PostgreSQL's binary ``COPY`` format, vectorised (no per-row Python).

    Parameters
    ----------
    columns
        Per column ``(values, null)``: ``values`` a big-endian fixed-width array of shape (n,)
        (``>i8`` bigint, ``>i4`` date as days since 2000-01-01, ``>f8`` float8), ``null`` a bool mask.

    Exact for floats (the 8 IEEE bytes are sent as they are) and ~20x faster than text formatting.
    """
    if not any(null.any() for _, null in columns):
        return _copy_binary_dense(columns)
    return _copy_binary_sparse(columns)


def _copy_binary_sparse(columns: list[tuple[np.ndarray, np.ndarray]]) -> bytes:
    """Rows with NULLs vary in length: compute each field's offset, scatter bytes with fancy indexing."""
    n = len(columns[0][0])
    widths = [values.dtype.itemsize for values, _ in columns]
    present = [~null for _, null in columns]
    row_len = np.full(n, 2, dtype=np.int64)
    for width, mask in zip(widths, present, strict=True):
        row_len += 4 + width * mask
    starts = np.empty(n, dtype=np.int64)
    starts[0] = len(_COPY_HEADER)
    np.cumsum(row_len[:-1], out=starts[1:])
    starts[1:] += len(_COPY_HEADER)
    total = len(_COPY_HEADER) + int(row_len.sum()) + len(_COPY_TRAILER)
    buffer = np.zeros(total, dtype=np.uint8)
    buffer[: len(_COPY_HEADER)] = np.frombuffer(_COPY_HEADER, dtype=np.uint8)
    buffer[-2:] = np.frombuffer(_COPY_TRAILER, dtype=np.uint8)

    def put(positions: np.ndarray, data: np.ndarray) -> None:
        width = data.dtype.itemsize
        raw = np.ascontiguousarray(data).view(np.uint8).reshape(-1, width)
        buffer[positions[:, None] + np.arange(width)] = raw

    put(starts, np.full(n, len(columns), dtype=">i2"))
    pos = starts + 2
    for (values, _), width, mask in zip(columns, widths, present, strict=True):
        put(pos, np.where(mask, width, -1).astype(">i4"))
        pos += 4
        put(pos[mask], values[mask])
        pos += width * mask
    return buffer.tobytes()


def _copy_binary_dense(columns: list[tuple[np.ndarray, np.ndarray]]) -> bytes:
    """Rows without NULLs have one fixed layout: a (rows × row bytes) array filled column by column."""
    n = len(columns[0][0])
    layout: list[tuple[str, str]] = [("count", ">i2")]
    for j, (values, _) in enumerate(columns):
        layout += [(f"len{j}", ">i4"), (f"val{j}", values.dtype.str)]
    dtype = np.dtype(layout)  # packed: no alignment padding, as COPY expects
    # Field count and lengths are the same in every row: broadcast one template row, then fill values
    # (byte slices of a 2-D uint8 array copy ~3x faster than assigning structured-array fields).
    template = np.zeros(1, dtype=dtype)
    template["count"] = len(columns)
    for j, (values, _) in enumerate(columns):
        template[f"len{j}"] = values.dtype.itemsize
    rows = np.empty((n, dtype.itemsize), dtype=np.uint8)
    rows[:] = np.frombuffer(template.tobytes(), dtype=np.uint8)
    for j, (values, _) in enumerate(columns):
        offset, width = dtype.fields[f"val{j}"][1], values.dtype.itemsize
        rows[:, offset : offset + width] = np.ascontiguousarray(values).view(np.uint8).reshape(n, width)
    return _COPY_HEADER + rows.tobytes() + _COPY_TRAILER


def bars_binary(bars: pd.DataFrame, *, run_id: int | None = None) -> bytes:
    """The bars as binary COPY rows: ticker_id, date, the value fields[, last_run_id]."""
    n = len(bars)
    no_nulls = np.zeros(n, dtype=bool)
    days = bars["date"].to_numpy(dtype="datetime64[D]").astype(np.int64) - _PG_EPOCH_DAYS
    columns = [
        (bars["ticker_id"].to_numpy(dtype=np.int64).astype(">i8"), no_nulls),
        (days.astype(">i4"), no_nulls),
    ]
    for field in BAR_VALUE_FIELDS:
        values = bars[field].to_numpy(dtype=np.float64)
        null = np.isnan(values)
        if field == "volume":
            columns.append((np.where(null, 0, np.round(values)).astype(">i8"), null))
        else:
            columns.append((values.astype(">f8"), null))
    if run_id is not None:
        columns.append((np.full(n, run_id, dtype=">i8"), no_nulls))
    return copy_binary(columns)
