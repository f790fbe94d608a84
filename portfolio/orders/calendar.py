"""Validity dates on a real exchange calendar (holidays, early closes), never a weekday guess."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

DEFAULT_CALENDAR = "XNYS"


@lru_cache(maxsize=8)
def _calendar(name: str) -> xcals.ExchangeCalendar:
    return xcals.get_calendar(name)


def is_session(day: dt.date, calendar: str = DEFAULT_CALENDAR) -> bool:
    cal = _calendar(calendar)
    ts = pd.Timestamp(day)
    if not cal.first_session <= ts <= cal.last_session:
        raise ValueError(f"{day} is outside the {calendar} calendar ({cal.first_session:%Y-%m-%d}..)")
    return bool(cal.is_session(ts))


def session_on_or_before(day: dt.date, calendar: str = DEFAULT_CALENDAR) -> dt.date:
    """The last session on or before ``day`` (``day`` itself when it is one: Good Friday gives Thursday)."""
    cal = _calendar(calendar)
    ts = pd.Timestamp(day)
    if not cal.first_session <= ts <= cal.last_session:
        raise ValueError(
            f"{day} is outside the {calendar} calendar "
            f"({cal.first_session:%Y-%m-%d}..{cal.last_session:%Y-%m-%d})"
        )
    return cal.date_to_session(ts, direction="previous").date()


def validity_date(as_of: dt.date, sessions: int, calendar: str = DEFAULT_CALENDAR) -> dt.date:
    """Last session an order placed after the close of ``as_of`` stays valid: the ``sessions``-th after it.

    ``as_of`` itself need not be a session (an order prepared on a Saturday starts counting on Monday).
    """
    if sessions < 1:
        raise ValueError("an order is valid for at least one session")
    cal = _calendar(calendar)
    ts = pd.Timestamp(as_of)
    if not cal.first_session <= ts < cal.last_session:
        raise ValueError(f"{as_of} is outside the {calendar} calendar")
    following = cal.sessions_in_range(ts + pd.Timedelta(days=1), cal.last_session)
    if len(following) < sessions:
        raise ValueError(f"the {calendar} calendar ends before {sessions} sessions after {as_of}")
    return following[sessions - 1].date()


def sessions_after(as_of: dt.date, end: dt.date, calendar: str = DEFAULT_CALENDAR) -> int:
    """Number of sessions strictly after ``as_of`` up to and including ``end``."""
    cal = _calendar(calendar)
    if end <= as_of:
        return 0
    return len(cal.sessions_in_range(pd.Timestamp(as_of) + pd.Timedelta(days=1), pd.Timestamp(end)))
