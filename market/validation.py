"""Row validation of a tidy frame: pure, vectorised, no database.

Every row gets at most one rejection reason (the first in :data:`REJECT_REASONS` order). Values a
bar cannot hold (±inf, prices beyond 1e9, volumes beyond 64 bits, dates before 1962) are rejected
here, the one place of these rules: the writers only refuse, never wrap, what slips past. Accepted
rows with a one-day move beyond the limit that no split or dividend explains are kept but *flagged*:
real markets do move 50 % in a day (OXY, March 2020), so a human decides, not the loader. Where the
source gave no adjusted close, ``adj_close`` is computed from its own dividend and split columns
(:mod:`market.adjustment`) and such a flag is an ``unadjusted_break``: maybe a corporate action the
source does not record, so the ticker is held out of scoring until an admin confirms the bar
(:func:`market.selectors.held_out_tickers`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from django.utils.translation import gettext_noop

from market.adjustment import back_adjusted_close, one_day_total_returns
from market.columns import BAR_VALUE_FIELDS, PRICE_COLUMNS, ROW_PROBLEM_COLUMNS
from swingtrade.messages import translated

#: Columns whose ±inf is rejected (NaN is "absent": allowed where the column is optional).
FINITE_COLUMNS: tuple[str, ...] = BAR_VALUE_FIELDS
#: No share trades anywhere near a billion dollars (BRK.A, the dearest US share, is below 1e6):
#: a larger price, dividend or split factor is a unit or parsing error (1e308 fits a float8 but
#: overflows to inf in the first product computed from it).
MAX_VALUE = 1e9
#: ``volume`` is a signed 64-bit column (max 2**63 - 1). 2**63 is the first float64 that does not
#: fit (the largest float64 below it, 2**63 - 1024, does): volumes from it up are rejected.
VOLUME_LIMIT = float(2**63)

#: The oldest daily bar any source can give: Yahoo's daily history of the longest-listed US stocks
#: (IBM, KO, GE) starts on 1962-01-02. Earlier dates are typos or placeholder dates (1800-01-02,
#: 1900-01-01), never data. A later floor such as 1970 (the Unix epoch, not a market date) would
#: reject eight years of genuine history.
FIRST_BAR_DATE = date(1962, 1, 2)
#: The latest date a query may name (a stored row is also refused after today: ``future_date``).
LAST_BAR_DATE = date(2200, 12, 31)

# Reason codes, in the order they are checked; the first that applies is recorded. A reason the
# source found while reading the row (``parse_reason``: ``invalid_date``, ``invalid_number``,
# ``date_out_of_range``) comes before all others. The sentences are stored in English in each issue's
# ``detail`` (the record); pages show them in the reader's language with :func:`issue_text`.
OUT_OF_RANGE = gettext_noop(
    "a value is out of range (prices, dividend and split factor at most %(max)s, "
    "split factor > 0, dividend >= 0, volume below 2**63)"
)
DATE_OUT_OF_RANGE = gettext_noop("date is outside %(first)s to %(last)s")
REJECT_REASONS: dict[str, str] = {
    "invalid_date": gettext_noop("date is missing or not a date as YYYY-MM-DD"),
    "invalid_number": gettext_noop("a price, volume, dividend or split factor is not a number"),
    "invalid_ticker": gettext_noop("ticker symbol is empty or not a valid symbol"),
    "missing_close": gettext_noop("close is missing"),
    "non_finite": gettext_noop("a price, volume, dividend or split factor is infinite"),
    "out_of_range": OUT_OF_RANGE % {"max": f"{MAX_VALUE:g}"},
    "non_positive_close": gettext_noop("close is zero or negative"),
    "non_positive_price": gettext_noop("open, high, low or adj_close is zero or negative"),
    "high_below_low": gettext_noop("high is below low"),
    "close_outside_range": gettext_noop("close is outside [low, high]"),
    "negative_volume": gettext_noop("volume is negative"),
    "date_out_of_range": DATE_OUT_OF_RANGE
    % {"first": FIRST_BAR_DATE.isoformat(), "last": LAST_BAR_DATE.isoformat()},
    "future_date": gettext_noop("date is in the future"),
    "not_weekday": gettext_noop("date is a Saturday or Sunday"),
    "unknown_ticker": gettext_noop("ticker is unknown and this source may not create tickers"),
    "duplicate": gettext_noop("the same (ticker, date) appears more than once in the input"),
}
FLAG_REASONS: dict[str, str] = {
    "large_move": gettext_noop("one-day move beyond the limit, not explained by a split or dividend"),
    "unadjusted_break": gettext_noop(
        "one-day move beyond the limit in prices without adjusted closes, not explained by a split or "
        "dividend of the file (held out of scoring until confirmed)"
    ),
}
# An issue's detail: the reason, then the values that broke it (``column=value``: any language reads them).
FLAG_DETAIL = gettext_noop(
    "%(reason)s: %(move)s (limit ±%(limit)s, split factor %(split)s, dividend %(dividend)s)"
)
DETAIL = gettext_noop("%(reason)s: %(values)s")
ISSUE_TEMPLATES: tuple[str, ...] = (
    FLAG_DETAIL,
    DETAIL,
    OUT_OF_RANGE,
    DATE_OUT_OF_RANGE,
    *(r for r in REJECT_REASONS.values() if "%" not in r),
    *FLAG_REASONS.values(),
)
#: Flags that keep a ticker out of scoring and optimisation (market.selectors.held_out_tickers).
HOLDING_FLAGS: tuple[str, ...] = ("unadjusted_break",)
SYMBOL_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9.^]{0,15}\Z")


ISSUE_COLUMNS = ("line", "ticker", "date", "severity", "reason", "detail")


@dataclass(frozen=True)
class ValidationResult:
    """``accepted``: the tidy rows to store (``adj_close`` filled with ``close`` where absent).

    ``issues``: one row per rejected or flagged input row, columns :data:`ISSUE_COLUMNS`.
    """

    accepted: pd.DataFrame
    issues: pd.DataFrame

    @property
    def rejected_count(self) -> int:
        return int((self.issues["severity"] == "rejected").sum())

    @property
    def flagged_count(self) -> int:
        return int((self.issues["severity"] == "flagged").sum())


def issue_text(detail: str) -> str:
    """An issue's stored English ``detail`` in the reader's language (values as stored); other text as is."""
    return translated(detail, ISSUE_TEMPLATES)


def outside_bar_dates(dates: date | pd.Series) -> bool | pd.Series:
    """Whether a date (or each date of a datetime64 Series) lies outside
    [:data:`FIRST_BAR_DATE`, :data:`LAST_BAR_DATE`]: the one bound of rows and query parameters."""
    if isinstance(dates, date):
        return not FIRST_BAR_DATE <= dates <= LAST_BAR_DATE
    return (dates < pd.Timestamp(FIRST_BAR_DATE)) | (dates > pd.Timestamp(LAST_BAR_DATE))


def non_finite_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Per row and column of :data:`FINITE_COLUMNS`: is the value ±inf."""
    return pd.DataFrame(
        np.isinf(frame[list(FINITE_COLUMNS)].to_numpy(dtype="float64")),
        index=frame.index,
        columns=list(FINITE_COLUMNS),
    )


def out_of_range_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Per row and column: is a (finite) value beyond what the column may hold.

    Prices above :data:`MAX_VALUE` (their lower bound, zero, has its own reasons), volumes from
    :data:`VOLUME_LIMIT` up, dividends outside [0, MAX_VALUE], split factors outside (0, MAX_VALUE].
    """
    dividend, split = frame["dividend"], frame["split_factor"]
    return pd.DataFrame(
        {
            **{column: frame[column] > MAX_VALUE for column in PRICE_COLUMNS},
            "volume": frame["volume"] >= VOLUME_LIMIT,
            "dividend": (dividend < 0) | (dividend > MAX_VALUE),
            "split_factor": (split <= 0) | (split > MAX_VALUE),
        },
        index=frame.index,
    )


def in_ticker_date_order(frame: pd.DataFrame) -> bool:
    """Whether each ticker's rows come as one block, dates strictly increasing (no symbol missing).

    How files and Yahoo's frames arrive. Such rows repeat no (ticker, date) and are already in the order
    :func:`one_day_moves` works in, so the million-row hash of ``duplicated`` and the sort are skipped
    (~0.1 s of a first load of 1 M rows, ``bench/ingest.py --profile``); any other order takes the
    general path, with the same answers (tests compare both).
    """
    if len(frame) < 2:
        return frame["ticker"].notna().all()
    # Codes in order of first appearance: one block per ticker <=> codes never decrease.
    codes, _ = pd.factorize(frame["ticker"].to_numpy(dtype=object))
    if (codes < 0).any() or (np.diff(codes) < 0).any():
        return False
    days = frame["date"].to_numpy(dtype="datetime64[ns]").view("int64")
    same = codes[1:] == codes[:-1]
    return bool((days[1:][same] > days[:-1][same]).all())


def _reject_reasons(
    frame: pd.DataFrame, *, today: date, known_symbols: set[str] | None, ordered: bool = False
) -> pd.Series:
    """Per row: the first reason code that applies, or ``None``; ``ordered``: :func:`in_ticker_date_order`
    holds (no row can be a duplicate)."""
    close, low, high = frame["close"], frame["low"], frame["high"]
    both = low.notna() & high.notna()
    other_prices = frame[["open", "high", "low", "adj_close"]]
    # Symbols repeat ~2,000 times each: check the distinct ones, then map (1 M regex calls → 500).
    symbols = frame["ticker"].astype(object)
    distinct = pd.Series(symbols.dropna().unique(), dtype=object)
    valid = set(distinct[distinct.map(lambda s: isinstance(s, str) and bool(SYMBOL_PATTERN.match(s)))])
    conditions = {
        "invalid_ticker": ~symbols.isin(valid),
        "missing_close": close.isna(),
        "non_finite": non_finite_values(frame).any(axis=1),
        "out_of_range": out_of_range_values(frame).any(axis=1),
        "non_positive_close": close <= 0,
        "non_positive_price": (other_prices <= 0).any(axis=1),
        "high_below_low": both & (high < low),
        "close_outside_range": both & ((close < low) | (close > high)),
        "negative_volume": frame["volume"] < 0,
        "date_out_of_range": outside_bar_dates(frame["date"]),
        "future_date": frame["date"] > pd.Timestamp(today),
        "not_weekday": frame["date"].dt.day_of_week >= 5,
        "unknown_ticker": (
            ~frame["ticker"].isin(known_symbols)
            if known_symbols is not None
            else pd.Series(False, index=frame.index)
        ),
        "duplicate": (
            pd.Series(False, index=frame.index)
            if ordered
            else frame.duplicated(subset=["ticker", "date"], keep=False)
        ),
    }
    # The first condition that holds, as its position (0: none): selecting among a million strings and
    # replacing the empty ones cost ~0.07 s of a 1 M-row first load; only rejected rows get a name.
    codes = np.asarray(list(conditions), dtype=object)
    first = np.select(
        [condition.to_numpy(dtype=bool) for condition in conditions.values()],
        np.arange(1, len(codes) + 1),
        default=0,
    )
    reasons = pd.Series(None, index=frame.index, dtype=object)
    hit = first > 0
    if hit.any():
        reasons[hit] = codes[first[hit] - 1]
    if "parse_reason" in frame.columns:
        read_problem = frame["parse_reason"].notna()
        reasons[read_problem] = frame.loc[read_problem, "parse_reason"]
    return reasons


def _reject_detail(rows: pd.DataFrame) -> pd.Series:
    # Which columns broke a value rule, for the rows rejected for it (small: rejected rows only).
    culprits = {"non_finite": non_finite_values(rows), "out_of_range": out_of_range_values(rows)}

    def one(row: pd.Series) -> str:
        if isinstance(row.get("parse_detail"), str):
            return row["parse_detail"]
        base = REJECT_REASONS[row["reason"]]
        if row["reason"] in culprits:
            bad = culprits[row["reason"]].loc[row.name]
            values = " ".join(f"{column}={row[column]:g}" for column in bad.index[bad])
        elif row["reason"] == "date_out_of_range":
            values = row["date"].date().isoformat()
        elif row["reason"] in {"high_below_low", "close_outside_range"}:
            values = f"low={row['low']:g} high={row['high']:g} close={row['close']:g}"
        elif row["reason"] in {"non_positive_close"}:
            values = f"close={row['close']:g}"
        elif row["reason"] == "negative_volume":
            values = f"volume={row['volume']:g}"
        else:
            return base
        return DETAIL % {"reason": base, "values": values}

    if rows.empty:
        return pd.Series(dtype=object)
    return rows.apply(one, axis=1)


def one_day_moves(
    frame: pd.DataFrame,
    previous_close: dict[str, tuple[date, float]] | None = None,
    *,
    ordered: bool = False,
) -> pd.Series:
    """One-day move of each row, its split and dividend included (see ``one_day_total_returns``).

    Parameters
    ----------
    frame
        Tidy rows (``ticker``, ``date``, ``close``, ``split_factor``), any order, unique (ticker, date).
    previous_close
        Last stored ``(date, close)`` per ticker, used for the first input row of each ticker
        when it is later than the stored date (an incremental update).

    ordered
        The rows are already in :func:`in_ticker_date_order` (no sort needed).

    Returns
    -------
    Series aligned on ``frame.index``; NaN where no previous close is known.
    """
    rows = frame if ordered else frame.sort_values(["ticker", "date"])
    prev = rows.groupby("ticker", sort=False)["close"].shift(1)
    if previous_close:
        first = prev.isna() & ~rows.duplicated("ticker", keep="first").to_numpy()
        known = pd.DataFrame.from_dict(previous_close, orient="index", columns=["prev_date", "prev_close"])
        joined = rows.loc[first, ["ticker", "date"]].join(known, on="ticker")
        usable = joined["prev_date"].notna() & (pd.to_datetime(joined["prev_date"]) < joined["date"])
        prev.loc[joined.index[usable]] = joined.loc[usable, "prev_close"].astype(float)
    return one_day_total_returns(rows, prev).reindex(frame.index)


def validate_frame(
    frame: pd.DataFrame,
    *,
    today: date,
    max_move: float,
    known_symbols: set[str] | None = None,
    previous_close: dict[str, tuple[date, float]] | None = None,
) -> ValidationResult:
    """Split a tidy frame into accepted rows and issues; fill ``adj_close`` where the source has none.

    Parameters
    ----------
    frame
        Tidy frame (see :mod:`market.sources`), optionally with a ``line`` column (source row number).
    today
        Dates after it are rejected as ``future_date``.
    max_move
        Absolute one-day return beyond which an accepted row is flagged ``large_move`` (0.5 = 50 %).
    known_symbols
        When given, rows of other tickers are rejected as ``unknown_ticker``; ``None`` allows any.
    previous_close
        Last stored close per ticker, so the first new row of an update is move-checked too.
    """
    frame = frame.reset_index(drop=True)
    if "line" not in frame.columns:
        frame["line"] = np.arange(1, len(frame) + 1)
    ordered = in_ticker_date_order(frame)
    reasons = _reject_reasons(frame, today=today, known_symbols=known_symbols, ordered=ordered)
    bad = reasons.notna()

    rejected = frame.loc[bad].assign(severity="rejected", reason=reasons[bad])
    rejected = rejected.assign(detail=_reject_detail(rejected))

    # pandas' copy-on-write: a column changed below is copied then; copying all of them here cost ~0.1 s
    # of a first load of 1 M rows (bench/ingest.py --profile), and nothing at all when no row is rejected.
    accepted = frame.loc[~bad] if bad.any() else frame
    # Per ticker: did the source give adjusted closes? If not, compute them from its own actions.
    vendor_adjusted = accepted["adj_close"].notna().groupby(accepted["ticker"]).transform("any")
    if not vendor_adjusted.all():
        unadjusted = accepted.loc[~vendor_adjusted]
        accepted.loc[~vendor_adjusted, "adj_close"] = back_adjusted_close(unadjusted)
    accepted["adj_close"] = accepted["adj_close"].fillna(accepted["close"])
    moves = one_day_moves(accepted, previous_close, ordered=ordered)  # a subset keeps the order
    large = moves.abs() > max_move
    flagged = accepted.loc[large].assign(severity="flagged")
    flagged["reason"] = np.where(vendor_adjusted[large], "large_move", "unadjusted_break")
    flagged["detail"] = [
        FLAG_DETAIL
        % {
            "reason": FLAG_REASONS[reason],
            "move": f"{move:+.1%}",
            "limit": f"{max_move:.0%}",
            "split": f"{split:g}",
            "dividend": f"{dividend:g}",
        }
        for reason, move, split, dividend in zip(
            flagged["reason"], moves[large], flagged["split_factor"], flagged["dividend"], strict=True
        )
    ]

    issues = pd.concat([rejected, flagged])[list(ISSUE_COLUMNS)] if len(rejected) + len(flagged) else None
    if issues is None:
        issues = pd.DataFrame({column: pd.Series(dtype=object) for column in ISSUE_COLUMNS})
    issues = issues.sort_values("line", kind="stable").reset_index(drop=True)
    kept = accepted.drop(columns=[c for c in ROW_PROBLEM_COLUMNS if c in accepted.columns])
    return ValidationResult(accepted=kept.reset_index(drop=True), issues=issues)
