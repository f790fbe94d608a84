"""Data freshness against the exchange calendar (``exchange_calendars``), and prediction coverage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import pandas as pd


@lru_cache(maxsize=4)
def _calendar(name: str):
    import exchange_calendars

    return exchange_calendars.get_calendar(name)


@dataclass(frozen=True)
class Freshness:
    calendar: str
    latest_bar: str | None
    expected_session: str
    sessions_behind: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def calendar_bounds(*, calendar: str = "XNYS") -> tuple[date, date]:
    """First and last session the calendar knows (``exchange_calendars`` covers a rolling span)."""
    cal = _calendar(calendar)
    return cal.first_session.date(), cal.last_session.date()


def expected_session(now: datetime, *, calendar: str = "XNYS") -> pd.Timestamp:
    """The latest session whose close is at or before ``now`` (``now`` naive means UTC)."""
    cal = _calendar(calendar)
    moment = pd.Timestamp(now)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    day = pd.Timestamp(moment.date())
    day = min(max(day, cal.first_session), cal.last_session)
    session = cal.date_to_session(day, direction="previous")
    if cal.session_close(session) > moment:
        session = cal.previous_session(session)
    return session


def as_of_moment(as_of: date) -> datetime:
    """End of an as-of day in UTC: the day's session (if any) has closed."""
    return datetime.combine(as_of, time(23, 59)) if not isinstance(as_of, datetime) else as_of


def data_freshness(latest_bar: date | None, *, now: datetime, calendar: str = "XNYS") -> Freshness:
    """How many exchange sessions closed after the latest stored bar (0 = up to date)."""
    expected = expected_session(now, calendar=calendar)
    if latest_bar is None:
        return Freshness(calendar, None, expected.date().isoformat(), None)
    cal = _calendar(calendar)
    start = pd.Timestamp(latest_bar) + timedelta(days=1)
    behind = 0 if start > expected else len(cal.sessions_in_range(max(start, cal.first_session), expected))
    return Freshness(
        calendar, pd.Timestamp(latest_bar).date().isoformat(), expected.date().isoformat(), behind
    )


def coverage(predicted: set[str] | list[str], expected: set[str] | list[str]) -> float | None:
    """Share of expected tickers (those with a bar on the data date) that have a prediction."""
    expected_set = set(expected)
    if not expected_set:
        return None
    return len(expected_set & set(predicted)) / len(expected_set)
