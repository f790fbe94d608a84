"""The one market calendar: exchange sessions for every rule that counts trading days.

Every caller names the exchange (a ticker's ``Ticker.exchange``, ISO 10383 MIC such as ``XNYS`` or
``XPAR``); ``exchange_for`` turns a blank or unknown code into the default, so a Paris listing gets
Paris sessions and nothing guesses how many calendar days hold ``n`` sessions.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import exchange_calendars as xcals
import pandas as pd

DEFAULT_EXCHANGE = "XNYS"


def exchange_for(code: str | None) -> str:
    """A calendar name for a stored exchange code; blank means the default exchange."""
    code = (code or "").strip().upper()
    if not code:
        return DEFAULT_EXCHANGE
    if code not in _known_calendars():
        raise ValueError(f"unknown exchange calendar {code!r}")
    return code


@lru_cache(maxsize=1)
def _known_calendars() -> frozenset[str]:
    return frozenset(xcals.get_calendar_names(include_aliases=True))


@lru_cache(maxsize=16)
def _calendar(exchange: str) -> xcals.ExchangeCalendar:
    return xcals.get_calendar(exchange_for(exchange))


def bounds(exchange: str = DEFAULT_EXCHANGE) -> tuple[dt.date, dt.date]:
    """First and last session the calendar knows (``exchange_calendars`` covers a rolling span)."""
    cal = _calendar(exchange)
    return cal.first_session.date(), cal.last_session.date()


def _inside(exchange: str, day: dt.date) -> pd.Timestamp:
    cal = _calendar(exchange)
    ts = pd.Timestamp(day)
    if not cal.first_session <= ts <= cal.last_session:
        raise ValueError(
            f"{day} is outside the {exchange_for(exchange)} calendar "
            f"({cal.first_session:%Y-%m-%d}..{cal.last_session:%Y-%m-%d})"
        )
    return ts


def is_session(exchange: str, day: dt.date) -> bool:
    return bool(_calendar(exchange).is_session(_inside(exchange, day)))


def session_on_or_before(exchange: str, day: dt.date) -> dt.date:
    """The last session on or before ``day`` (``day`` itself when it is one: Good Friday gives Thursday)."""
    return _calendar(exchange).date_to_session(_inside(exchange, day), direction="previous").date()


def sessions(exchange: str, start: dt.date, end: dt.date) -> list[dt.date]:
    """Sessions from ``start`` to ``end``, both included (clipped to the calendar's span)."""
    cal = _calendar(exchange)
    lo = max(pd.Timestamp(start), cal.first_session)
    hi = min(pd.Timestamp(end), cal.last_session)
    if hi < lo:
        return []
    return [ts.date() for ts in cal.sessions_in_range(lo, hi)]


def sessions_window(exchange: str, end: dt.date, n: int) -> list[dt.date]:
    """The ``n`` sessions ending on the last session on or before ``end`` (fewer at the calendar's start)."""
    if n < 1:
        raise ValueError("a window holds at least one session")
    cal = _calendar(exchange)
    last = cal.date_to_session(_inside(exchange, end), direction="previous")
    position = cal.sessions.get_loc(last)
    return [ts.date() for ts in cal.sessions[max(0, position - n + 1) : position + 1]]


def window_start(exchange: str, end: dt.date, n: int) -> dt.date:
    """First day of the ``n``-session window ending at ``end``: the lower bound of a history query."""
    return sessions_window(exchange, end, n)[0]


def validity_date(exchange: str, as_of: dt.date, n_sessions: int) -> dt.date:
    """Last session an order placed after the close of ``as_of`` stays valid: the ``n``-th after it.

    ``as_of`` itself need not be a session (an order prepared on a Saturday starts counting on Monday).
    """
    if n_sessions < 1:
        raise ValueError("an order is valid for at least one session")
    cal = _calendar(exchange)
    ts = pd.Timestamp(as_of)
    if not cal.first_session <= ts < cal.last_session:
        raise ValueError(f"{as_of} is outside the {exchange_for(exchange)} calendar")
    following = cal.sessions_in_range(ts + pd.Timedelta(days=1), cal.last_session)
    if len(following) < n_sessions:
        raise ValueError(
            f"the {exchange_for(exchange)} calendar ends before {n_sessions} sessions after {as_of}"
        )
    return following[n_sessions - 1].date()


def sessions_after(exchange: str, as_of: dt.date, end: dt.date) -> int:
    """Number of sessions strictly after ``as_of`` up to and including ``end``."""
    if end <= as_of:
        return 0
    return len(sessions(exchange, as_of + dt.timedelta(days=1), end))


def next_session(exchange: str, day: dt.date) -> dt.date:
    """The first session strictly after ``day``."""
    cal = _calendar(exchange)
    return cal.date_to_session(_inside(exchange, day + dt.timedelta(days=1)), direction="next").date()


def session_close(exchange: str, day: dt.date) -> dt.datetime:
    """The session's closing moment, timezone-aware (UTC)."""
    return _calendar(exchange).session_close(pd.Timestamp(day)).to_pydatetime()


def last_closed_session(exchange: str, moment: dt.datetime) -> dt.date:
    """The latest session whose close is at or before ``moment`` (naive means UTC)."""
    cal = _calendar(exchange)
    ts = pd.Timestamp(moment)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    day = min(max(pd.Timestamp(ts.date()), cal.first_session), cal.last_session)
    session = cal.date_to_session(day, direction="previous")
    if cal.session_close(session) > ts:
        session = cal.previous_session(session)
    return session.date()


def timezone_name(exchange: str = DEFAULT_EXCHANGE) -> str:
    return str(_calendar(exchange).tz)
