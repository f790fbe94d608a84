"""The bar writer of any database but PostgreSQL (SQLite in development and tests).

Reads the stored bars of a chunk into a frame, compares them vectorised, then inserts the new ones in
one ``executemany`` and ``bulk_update`` / ``bulk_create`` the changed ones and their revisions, in
batches. :func:`market.ingest.writers.write_bars` calls it per chunk, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from django.db import connection

from market.columns import BAR_VALUE_FIELDS
from market.models import BarRevision, DailyBar

BATCH_SIZE = 2000


def _same(left: pd.Series, right: pd.Series) -> np.ndarray:
    """Element-wise equality where NaN equals NaN (a missing value stays missing)."""
    a = left.to_numpy(dtype="float64")
    b = right.to_numpy(dtype="float64")
    return (a == b) | (np.isnan(a) & np.isnan(b))


def _python(value: object, field: str) -> object:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if field == "volume":
        return round(float(value))
    return float(value)


def _records(frame: pd.DataFrame) -> Iterator[dict[str, object]]:
    dates = frame["date"].dt.date.to_numpy()
    ticker_ids = frame["ticker_id"].to_numpy()
    values = {f: frame[f].to_numpy(dtype="float64") for f in BAR_VALUE_FIELDS}
    for i in range(len(frame)):
        record: dict[str, object] = {"ticker_id": int(ticker_ids[i]), "date": dates[i]}
        for f in BAR_VALUE_FIELDS:
            record[f] = _python(values[f][i], f)
        yield record


def _insert_new(frame: pd.DataFrame, *, run_id: int) -> int:
    """One ``executemany`` of plain tuples: ~5x faster than ``bulk_create`` of model instances, which
    SQLite's 999-variable limit splits into a statement per ~80 rows."""
    if frame.empty:
        return 0
    columns = ["ticker_id", "date", *BAR_VALUE_FIELDS, "last_run_id"]
    table = connection.ops.quote_name(DailyBar._meta.db_table)
    values: list[list[object]] = [
        frame["ticker_id"].astype(int).tolist(),
        frame["date"].dt.strftime("%Y-%m-%d").tolist(),
    ]
    for field in BAR_VALUE_FIELDS:
        column = frame[field].astype(object).where(frame[field].notna(), None)
        if field == "volume":
            column = column.map(lambda v: None if v is None else round(v))
        values.append(column.tolist())
    values.append([run_id] * len(frame))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})",
            list(zip(*values, strict=True)),
        )
    return len(frame)


def write_chunk(bars: pd.DataFrame, *, run_id: int) -> tuple[int, int]:
    """Upsert one chunk of bars: insert the new ones, update and revise the changed ones."""
    stored = pd.DataFrame.from_records(
        DailyBar.objects.filter(
            ticker_id__in=[int(i) for i in bars["ticker_id"].unique()],
            date__gte=bars["date"].min().date(),
            date__lte=bars["date"].max().date(),
        ).values_list("id", "ticker_id", "date", *BAR_VALUE_FIELDS),
        columns=["id", "ticker_id", "date", *BAR_VALUE_FIELDS],
    )
    stored["date"] = pd.to_datetime(stored["date"])
    for f in BAR_VALUE_FIELDS:
        stored[f] = stored[f].astype("float64")
    merged = bars.merge(stored, on=["ticker_id", "date"], how="left", suffixes=("", "_old"))
    is_new = merged["id"].isna().to_numpy()

    inserted = _insert_new(merged.loc[is_new], run_id=run_id)

    existing = merged.loc[~is_new]
    same = np.column_stack([_same(existing[f], existing[f"{f}_old"]) for f in BAR_VALUE_FIELDS])
    changed_mask = ~same.all(axis=1) if len(existing) else np.zeros(0, dtype=bool)
    changed = existing.loc[changed_mask]
    changed_fields = ~same[changed_mask]

    to_update: list[DailyBar] = []
    revisions: list[BarRevision] = []
    for (_, row), record, diff in zip(changed.iterrows(), _records(changed), changed_fields, strict=True):
        bar = DailyBar(id=int(row["id"]), **record, last_run_id=run_id)
        to_update.append(bar)
        names = [f for f, differs in zip(BAR_VALUE_FIELDS, diff, strict=True) if differs]
        revisions.append(
            BarRevision(
                bar_id=bar.id,
                run_id=run_id,
                old_values={f: _python(row[f"{f}_old"], f) for f in names},
                new_values={f: record[f] for f in names},
            )
        )
    DailyBar.objects.bulk_update(to_update, [*BAR_VALUE_FIELDS, "last_run"], batch_size=BATCH_SIZE // 4)
    BarRevision.objects.bulk_create(revisions, batch_size=BATCH_SIZE)
    return inserted, len(to_update)
