"""Reads of the market app: the database turned into the frames the model, optimiser and pages use.

Wide frames have a ``DatetimeIndex`` named ``date`` (trading days, no time zone), one float64 column
per ticker symbol, and NaN where a ticker has no bar that day (the panel is ragged: IPOs, delistings).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery

from market.columns import BAR_VALUE_FIELDS, TIDY_COLUMNS
from market.models import BarRevision, DailyBar, IngestionIssue, IngestionRun, Ticker
from market.sources import empty_frame
from market.validation import HOLDING_FLAGS

PANEL_FIELDS = frozenset(BAR_VALUE_FIELDS)


def _read_frame(rows: QuerySet, columns: list[str]) -> pd.DataFrame:
    """A ``values_list`` queryset as a DataFrame.

    On PostgreSQL the rows come through ``COPY (query) TO STDOUT`` and pandas' C parser: about 4x
    faster than building a million Python tuples. Floats are printed shortest-exact by PostgreSQL
    and pandas 3 parses them exactly, so values are bit-identical to what was stored (tested).
    """
    if connection.vendor != "postgresql":
        return pd.DataFrame.from_records(list(rows), columns=columns)
    sql, params = rows.query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        query = cursor.mogrify(sql, params).decode()
        cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)", buffer)
    if not buffer.tell():
        return pd.DataFrame(columns=columns)
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        names=columns,
        header=None,
        dtype={c: str for c in ("ticker", "date") if c in columns},
        keep_default_na=False,
        na_values=[""],
    )


def _in_window(
    qs: QuerySet[DailyBar], start: date | str | None, end: date | str | None
) -> QuerySet[DailyBar]:
    """Bars from ``start`` to ``end`` inclusive; an absent bound leaves that side open."""
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return qs


def _bars(
    tickers: Iterable[str] | None, start: date | str | None, end: date | str | None
) -> QuerySet[DailyBar]:
    qs = DailyBar.objects.all()
    if tickers is not None:
        qs = qs.filter(ticker__symbol__in=[t.upper() for t in tickers])
    return _in_window(qs, start, end)


def bars_frame(
    *, tickers: Iterable[str] | None = None, start: date | str | None = None, end: date | str | None = None
) -> pd.DataFrame:
    """Stored bars as the tidy long frame of :mod:`market.sources`, sorted by ticker then date."""
    rows = (
        _bars(tickers, start, end)
        .order_by("ticker__symbol", "date")
        .values_list("date", "ticker__symbol", *BAR_VALUE_FIELDS)
    )
    frame = _read_frame(rows, list(TIDY_COLUMNS))
    if frame.empty:
        return empty_frame()
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["ticker"] = frame["ticker"].astype(object)
    for column in BAR_VALUE_FIELDS:
        frame[column] = frame[column].astype("float64")
    return frame


def price_panel(
    *,
    field: str = "adj_close",
    tickers: Iterable[str] | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
) -> pd.DataFrame:
    """One field of the stored bars as a wide frame (rows: dates, columns: tickers).

    Parameters
    ----------
    field
        Any bar value field; ``adj_close`` (split- and dividend-adjusted) is what returns use.
    """
    if field not in PANEL_FIELDS:
        raise ValueError(f"field must be one of {sorted(PANEL_FIELDS)}, got {field!r}")
    rows = _bars(tickers, start, end).values_list("date", "ticker__symbol", field)
    long = _read_frame(rows, ["date", "ticker", field])
    return _pivot(long, field)


def _pivot(long: pd.DataFrame, field: str) -> pd.DataFrame:
    if long.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="date"), dtype="float64")
    long["date"] = pd.to_datetime(long["date"])
    wide = long.pivot(index="date", columns="ticker", values=field).astype("float64").sort_index()
    wide.index = pd.DatetimeIndex(wide.index, name="date")
    wide.columns = pd.Index([str(c) for c in wide.columns], name=None)
    return wide.reindex(columns=sorted(wide.columns))


def adjusted_ohlcv(
    *, tickers: Iterable[str] | None = None, start: date | str | None = None, end: date | str | None = None
) -> dict[str, pd.DataFrame]:
    """Split- and dividend-adjusted OHLC plus volume, as wide frames.

    Returns
    -------
    dict with ``close`` (= adj_close) always; ``open, high, low`` (raw × adj_close/close) when the
    stored bars have them; ``volume`` (raw shares) and ``dollar_volume`` (raw close × raw volume, the
    money actually traded) when they have volumes. Every frame has the same index and columns.
    """
    long = bars_frame(tickers=tickers, start=start, end=end)
    if long.empty:
        return {"close": _pivot(long.assign(), "adj_close")}
    factor = long["adj_close"] / long["close"]
    long = long.assign(
        adj_open=long["open"] * factor,
        adj_high=long["high"] * factor,
        adj_low=long["low"] * factor,
        dollar_volume=long["close"] * long["volume"],
    )
    close = _pivot(long[["date", "ticker", "adj_close"]].copy(), "adj_close")
    out = {"close": close}
    for name, column in (("open", "adj_open"), ("high", "adj_high"), ("low", "adj_low")):
        if long[column].notna().any():
            out[name] = _pivot(long[["date", "ticker", column]].copy(), column).reindex_like(close)
    if long["volume"].notna().any():
        out["volume"] = _pivot(long[["date", "ticker", "volume"]].copy(), "volume").reindex_like(close)
        out["dollar_volume"] = _pivot(
            long[["date", "ticker", "dollar_volume"]].copy(), "dollar_volume"
        ).reindex_like(close)
    return out


def latest_bar_date() -> date | None:
    """The most recent date with any stored bar."""
    return DailyBar.objects.aggregate(latest=Max("date"))["latest"]


def ticker_sectors() -> dict[str, str]:
    """GICS sector per ticker symbol, for tickers whose sector is known."""
    return dict(Ticker.objects.exclude(sector="").values_list("symbol", "sector"))


def latest_closes(tickers: Iterable[str]) -> dict[str, tuple[date, float]]:
    """Last stored raw (as traded) close per ticker: ``{symbol: (date, close)}``; unknown tickers absent."""
    symbols = [t.upper() for t in tickers]
    rows = DailyBar.objects.filter(ticker__symbol__in=symbols, date=F("ticker__last_bar_date")).values_list(
        "ticker__symbol", "date", "close"
    )
    return {symbol: (bar_date, float(close)) for symbol, bar_date, close in rows}


def latest_close_of(ticker: str) -> Subquery:
    """The close of :func:`latest_closes` as an annotation of another model's rows: ``ticker`` is the
    path from those rows to their ticker (``"ticker"`` on a position). Its date is the ticker's
    ``last_bar_date``; NULL when the ticker has no bar. The rows and their prices come in one query
    (one index lookup per row) instead of two."""
    bars = DailyBar.objects.filter(ticker=OuterRef(ticker), date=OuterRef(f"{ticker}__last_bar_date"))
    return Subquery(bars.values("close")[:1])


def latest_bar_join(*, ticker_alias: str, bar_alias: str) -> str:
    """:func:`latest_close_of` for a hand-written query: the SQL join of each row's ticker (``ticker_alias``,
    a ``market_ticker`` row) to its bar of ``last_bar_date`` as ``bar_alias`` (NULL columns when the ticker
    has no bar). The same rule, for the hottest reads, where the ORM's compiling cost more than the query
    (``portfolio.selectors.portfolio_valuation``); a test holds both to the same closes."""
    bar, ticker = DailyBar._meta, Ticker._meta
    return (
        f"LEFT JOIN {bar.db_table} {bar_alias} ON {bar_alias}.{bar.get_field('ticker').column} = "
        f"{ticker_alias}.{ticker.pk.column} AND {bar_alias}.{bar.get_field('date').column} = "
        f"{ticker_alias}.{ticker.get_field('last_bar_date').column}"
    )


def tickers_queryset() -> QuerySet[Ticker]:
    return Ticker.objects.all()


def ticker_bars(*, ticker: Ticker, start: date | None = None, end: date | None = None) -> QuerySet[DailyBar]:
    return _in_window(ticker.bars.order_by("date"), start, end)


@dataclass(frozen=True)
class BarsPage:
    bars: list[dict]  # date and BAR_VALUE_FIELDS per bar, oldest first
    has_older: bool  # bars before the first one exist in the window


def ticker_bars_page(
    *, ticker: Ticker, start: date | None = None, end: date | None = None, limit: int
) -> BarsPage:
    """The newest ``limit`` bars of ``ticker`` from ``start`` to ``end`` (the window of
    :func:`ticker_bars`): one index range scan read backwards, rows as plain dicts.

    Plain SQL on purpose: this is the API's busiest read, and the ORM compiling this one query cost more
    CPU than running it and building the rows (0.54 against 0.21 ms a page of 260 bars, measured with
    ``bench/api_profile.py``). The columns are the model's; a test holds the rows equal to the ORM's.
    """
    fields = ("date", *BAR_VALUE_FIELDS)
    meta = DailyBar._meta
    date_column = meta.get_field("date").column
    window, params = "", [ticker.pk]
    if start is not None:
        window, params = f"{window} AND {date_column} >= %s", [*params, start]
    if end is not None:
        window, params = f"{window} AND {date_column} <= %s", [*params, end]
    sql = (
        f"SELECT {', '.join(meta.get_field(name).column for name in fields)} FROM {meta.db_table} "
        f"WHERE {meta.get_field('ticker').column} = %s{window} ORDER BY {date_column} DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit + 1])
        rows = cursor.fetchall()
    bars = [dict(zip(fields, row, strict=True)) for row in rows[:limit][::-1]]
    if bars and isinstance(bars[0]["date"], str):  # SQLite hands dates back as ISO text
        for bar in bars:
            bar["date"] = date.fromisoformat(bar["date"])
    return BarsPage(bars=bars, has_older=len(rows) > limit)


def latest_write() -> IngestionRun | None:
    """The last run that inserted or changed bars (failed runs write nothing: their counts stay 0)."""
    return (
        IngestionRun.objects.filter(Q(inserted__gt=0) | Q(updated__gt=0), finished_at__isnull=False)
        .only("pk", "finished_at")
        .order_by("-pk")
        .first()
    )


def changes_since(run_id: int) -> pd.DataFrame:
    """Bars written (inserted or corrected) by runs after ``run_id``: "what changed since run N".

    Returns
    -------
    DataFrame with columns ``ticker, date, run_id, corrected``, sorted by ticker and date:
    ``run_id`` is the last run that wrote the bar, ``corrected`` is true when a run after N replaced
    stored values (see :class:`BarRevision` for old and new values), false for a bar only inserted.
    """
    rows = (
        DailyBar.objects.filter(last_run_id__gt=run_id)
        .order_by("ticker__symbol", "date")
        .values_list("id", "ticker__symbol", "date", "last_run_id")
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["id", "ticker", "date", "run_id"])
    if frame.empty:
        return pd.DataFrame(
            {
                "ticker": pd.Series(dtype=object),
                "date": pd.Series(dtype="datetime64[ns]"),
                "run_id": pd.Series(dtype="int64"),
                "corrected": pd.Series(dtype=bool),
            }
        )
    corrected = set(BarRevision.objects.filter(run_id__gt=run_id).values_list("bar_id", flat=True))
    frame["corrected"] = frame["id"].isin(corrected)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return frame.drop(columns="id").reset_index(drop=True)


def revisions_since(run_id: int) -> QuerySet[BarRevision]:
    """Corrections made by runs after ``run_id``, with the bar and ticker loaded."""
    return BarRevision.objects.filter(run_id__gt=run_id).select_related("bar__ticker", "run")


def runs_queryset() -> QuerySet[IngestionRun]:
    return IngestionRun.objects.select_related("started_by")


def unconfirmed_breaks() -> QuerySet[IngestionIssue]:
    """Flags that may hold a ticker out (:data:`~market.validation.HOLDING_FLAGS`), not confirmed by an
    admin for their (ticker, date) — a re-ingest of the same file flags the same bar again."""
    confirmed = IngestionIssue.objects.filter(
        reason__in=HOLDING_FLAGS, confirmed_at__isnull=False, ticker=OuterRef("ticker"), date=OuterRef("date")
    )
    return IngestionIssue.objects.filter(reason__in=HOLDING_FLAGS, confirmed_at__isnull=True).exclude(
        Exists(confirmed)
    )


def held_out_tickers(as_of: date) -> dict[str, str]:
    """Tickers kept out of scoring and optimisation on ``as_of``: ``{symbol: reason}``.

    A ticker is held out from an unconfirmed break (an ``unadjusted_break`` flag: a large move in
    prices without adjusted closes, maybe a corporate action the source does not record) dated on or
    before ``as_of`` until ``MARKET_BREAK_HOLD_SESSIONS`` of its bars are stored after it (the break
    then lies beyond every feature window), or an admin confirms the bar. A break after ``as_of`` is
    ignored (no look-ahead).
    """
    hold = settings.MARKET_BREAK_HOLD_SESSIONS
    latest: dict[str, tuple[date, str]] = {}
    breaks = unconfirmed_breaks().filter(date__lte=as_of).order_by("ticker", "-date")
    for symbol, day, detail in breaks.values_list("ticker", "date", "detail"):
        latest.setdefault(symbol, (day, detail))  # each ticker's latest break
    held: dict[str, str] = {}
    for symbol, (day, detail) in latest.items():
        passed = DailyBar.objects.filter(ticker__symbol=symbol, date__gt=day, date__lte=as_of).count()
        if passed < hold:
            move = detail.rsplit(": ", 1)[-1]
            held[symbol] = (
                f"unconfirmed price break on {day.isoformat()}: {move}; held out until an admin "
                f"confirms the bar or {hold} sessions pass ({passed} so far)"
            )
    return held
