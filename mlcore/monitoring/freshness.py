"""Data freshness against the exchange's sessions (:mod:`market.calendar`), and prediction coverage."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from market import calendar


@dataclass(frozen=True)
class Freshness:
    calendar: str
    latest_bar: str | None
    expected_session: str
    sessions_behind: int | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def as_of_moment(as_of: date) -> datetime:
    """End of an as-of day in UTC: the day's session (if any) has closed."""
    return datetime.combine(as_of, time(23, 59)) if not isinstance(as_of, datetime) else as_of


def data_freshness(
    latest_bar: date | None, *, now: datetime, exchange: str = calendar.DEFAULT_EXCHANGE
) -> Freshness:
    """How many sessions of ``exchange`` closed after the latest stored bar (0 = up to date).

    ``now`` comes from the market clock (or the end of an as-of day); naive means UTC.
    """
    expected = calendar.last_closed_session(exchange, now)
    name = calendar.exchange_for(exchange)
    if latest_bar is None:
        return Freshness(name, None, expected.isoformat(), None)
    latest = latest_bar.date() if isinstance(latest_bar, datetime) else latest_bar
    behind = calendar.sessions_after(exchange, latest, expected)
    return Freshness(name, latest.isoformat(), expected.isoformat(), behind)


def coverage(predicted: set[str] | list[str], expected: set[str] | list[str]) -> float | None:
    """Share of expected tickers (those with a bar on the data date) that have a prediction."""
    expected_set = set(expected)
    if not expected_set:
        return None
    return len(expected_set & set(predicted)) / len(expected_set)
