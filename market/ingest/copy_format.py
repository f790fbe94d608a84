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


def pg_days(dates: pd.Series) -> np.ndarray:
    """Dates as PostgreSQL's binary format counts them: days since 2000-01-01 (int64)."""
    return dates.to_numpy(dtype="datetime64[D]").astype(np.int64) - _PG_EPOCH_DAYS


def stored_volume(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A float volume column as it is stored: ``(whole shares as int64, null mask)`` (NaN is NULL)."""
    null = np.isnan(values)
    return np.where(null, 0, np.round(values)).astype(np.int64), null


def bars_binary(bars: pd.DataFrame, *, run_id: int | None = None, first_id: int | None = None) -> bytes:
    """The bars as binary COPY rows: [id,] ticker_id, date, the value fields[, last_run_id].

    ``first_id`` given: the rows' ids are ``first_id, first_id + 1, …`` in row order.
    """
    n = len(bars)
    no_nulls = np.zeros(n, dtype=bool)
    columns = [] if first_id is None else [(np.arange(first_id, first_id + n, dtype=">i8"), no_nulls)]
    columns += [
        (bars["ticker_id"].to_numpy(dtype=np.int64).astype(">i8"), no_nulls),
        (pg_days(bars["date"]).astype(">i4"), no_nulls),
    ]
    for field in BAR_VALUE_FIELDS:
        values = bars[field].to_numpy(dtype=np.float64)
        if field == "volume":
            volume, null = stored_volume(values)
            columns.append((volume.astype(">i8"), null))
        else:
            columns.append((values.astype(">f8"), np.isnan(values)))
    if run_id is not None:
        columns.append((np.full(n, run_id, dtype=">i8"), no_nulls))
    return copy_binary(columns)


# --- Reading stored bars back (COPY … TO STDOUT, binary) ------------------------------------------

#: One stored bar as :data:`STORED_BARS_SELECT` writes it: every field present (NULLs coalesced away:
#: a missing price as NaN, which no stored price is, a missing volume as 0 with ``volume_null``), so
#: every row has the same width and the whole answer is one NumPy array, decoded without a loop.
STORED_BAR_DTYPE = np.dtype(
    [("fields", ">i2"), ("_l0", ">i4"), ("ticker_id", ">i8"), ("_l1", ">i4"), ("date", ">i4")]
    + [
        item
        for j, field in enumerate(BAR_VALUE_FIELDS, start=2)
        for item in ((f"_l{j}", ">i4"), (field, ">i8" if field == "volume" else ">f8"))
    ]
    + [("_l10", ">i4"), ("volume_null", "?")]
)
_NULLABLE = {"open", "high", "low", "volume"}
STORED_BARS_SELECT = ", ".join(
    ["ticker_id", "date"]
    + [
        (f"COALESCE({f}, 0)" if f == "volume" else f"COALESCE({f}, 'NaN')") if f in _NULLABLE else f
        for f in BAR_VALUE_FIELDS
    ]
    + ["volume IS NULL"]
)


def decode_stored_bars(payload: bytes) -> np.ndarray:
    """The rows of a binary ``COPY (SELECT {STORED_BARS_SELECT} …) TO STDOUT`` as a STORED_BAR_DTYPE array."""
    if not payload.startswith(_COPY_HEADER) or not payload.endswith(_COPY_TRAILER):
        raise ValueError("Not a binary COPY answer without header extension.")
    body = memoryview(payload)[len(_COPY_HEADER) : len(payload) - len(_COPY_TRAILER)]
    if len(body) % STORED_BAR_DTYPE.itemsize:
        raise ValueError("The COPY answer's rows are not the stored-bar layout.")
    rows = np.frombuffer(body, dtype=STORED_BAR_DTYPE)
    if len(rows) and (rows["fields"] != len(BAR_VALUE_FIELDS) + 3).any():
        raise ValueError("The COPY answer's rows are not the stored-bar layout.")
    return rows


def rows_differing(bars: pd.DataFrame, stored: np.ndarray) -> np.ndarray:
    """Which rows of ``bars`` (tidy, with ``ticker_id``) are new or differ from ``stored``: a bool mask.

    The same rule as the SQL merge (``IS DISTINCT FROM`` on every value field, NULL equal to NULL),
    on the values as they would be stored (volume rounded to whole shares), so an unchanged bar is
    never sent to the database again. Exact: floats are compared as stored, not within a tolerance.
    """
    n = len(bars)
    if n == 0:
        return np.zeros(0, dtype=bool)
    shift = np.int64(1 << 21)  # days since 2000 fit in ±2**20: a (ticker, date) key in one int64

    def key(ticker_ids: np.ndarray, days: np.ndarray) -> np.ndarray:
        return ticker_ids.astype(np.int64) * shift + (days.astype(np.int64) + (1 << 20))

    incoming = key(bars["ticker_id"].to_numpy(), pg_days(bars["date"]))
    stored_keys = key(stored["ticker_id"], stored["date"])
    order = np.argsort(stored_keys, kind="stable")
    sorted_keys = stored_keys[order]
    position = np.minimum(np.searchsorted(sorted_keys, incoming), max(len(sorted_keys) - 1, 0))
    found = (sorted_keys[position] == incoming) if len(sorted_keys) else np.zeros(n, dtype=bool)
    match = order[position[found]]
    same = np.ones(int(found.sum()), dtype=bool)
    for field in BAR_VALUE_FIELDS:
        values = bars[field].to_numpy(dtype=np.float64)[found]
        if field == "volume":
            volume, null = stored_volume(values)
            old_null = stored["volume_null"][match]
            same &= (null == old_null) & (null | (volume == stored["volume"][match].astype(np.int64)))
        else:
            old = stored[field][match].astype(np.float64)
            same &= (values == old) | (np.isnan(values) & np.isnan(old))
    differs = ~found
    differs[found] = ~same
    return differs
