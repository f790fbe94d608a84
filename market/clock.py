"""The market clock: the one place that decides which market day it is.

Every market rule (validity of proposals, staleness and the gate, refusal of future dates, default
dates in forms, the ranking's as-of, whether a schedule is due) asks this module instead of the wall
clock. Two modes:

- **live**: the wall clock, read in the exchange's own time zone;
- **pinned** ("replay"): a fixed market date — from ``settings.MARKET_CLOCK_DATE`` (env
  ``MARKET_CLOCK_DATE``; ``make run`` pins it to the last session of the embedded data) or, for the
  replay, from ``pinned(day)``, which holds for the current thread/task only.

Record-keeping timestamps (``created_at``, ``finished_at`` of a run) are not market rules and keep
using ``django.utils.timezone.now``.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.conf import settings

from market import calendar
from swingtrade.errors import DomainError

_pinned_day: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("market_clock_day", default=None)


def _wall_clock() -> dt.datetime:
    # The only read of the wall clock by market logic.
    return dt.datetime.now(dt.UTC)


def _setting_day() -> dt.date | None:
    value = getattr(settings, "MARKET_CLOCK_DATE", None)
    if not value:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def pinned_day() -> dt.date | None:
    """The pinned market date, or None in live mode (a replay's pin wins over the setting)."""
    return _pinned_day.get() or _setting_day()


def is_pinned() -> bool:
    return pinned_day() is not None


def mode() -> str:
    return "replay" if is_pinned() else "live"


def now(exchange: str = calendar.DEFAULT_EXCHANGE) -> dt.datetime:
    """The market's 'now', timezone-aware (UTC): when pinned, the close of the pinned day's session."""
    day = pinned_day()
    if day is None:
        return _wall_clock()
    session = calendar.session_on_or_before(exchange, day)
    return max(calendar.session_close(exchange, session), dt.datetime.combine(day, dt.time(23, 59), dt.UTC))


def today(exchange: str = calendar.DEFAULT_EXCHANGE) -> dt.date:
    """The market date: the pinned day, or the wall clock's date in the exchange's time zone."""
    day = pinned_day()
    if day is not None:
        return day
    return _wall_clock().astimezone(ZoneInfo(calendar.timezone_name(exchange))).date()


def current_session(exchange: str = calendar.DEFAULT_EXCHANGE) -> dt.date:
    """The session the market is in, or the last one before a weekend or holiday."""
    return calendar.session_on_or_before(exchange, today(exchange))


def last_closed_session(exchange: str = calendar.DEFAULT_EXCHANGE) -> dt.date:
    """The latest session whose close has passed: the newest bar a complete feed can hold."""
    return calendar.last_closed_session(exchange, now(exchange))


def is_future(day: dt.date, exchange: str = calendar.DEFAULT_EXCHANGE) -> bool:
    return day > today(exchange)


@contextmanager
def pinned(day: dt.date) -> Iterator[dt.date]:
    """Pin the clock to ``day`` for the current context (the replay steps through sessions with it)."""
    token = _pinned_day.set(day)
    try:
        yield day
    finally:
        _pinned_day.reset(token)


def refuse_future(day: dt.date, *, market_today: dt.date | None = None) -> None:
    """The as-of rule shared by predictions, rankings and monitoring: no day after the market's today.

    Nothing can be predicted or judged about a day that has not happened yet. ``market_today`` defaults
    to this clock's date (pinned in a demo or a replay, live otherwise), never the wall clock.
    """
    current = market_today or today()
    if day > current:
        raise DomainError(
            f"as_of {day.isoformat()} is in the future (today is {current.isoformat()}).",
            details={"as_of": ["in the future"]},
        )
