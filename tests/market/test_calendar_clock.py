"""The one market calendar and the market clock."""

from __future__ import annotations

import datetime as dt

import pytest

from market import calendar, clock


def test_sessions_window_counts_sessions_not_calendar_days():
    window = calendar.sessions_window("XNYS", dt.date(2021, 4, 21), 5)
    assert window == [
        dt.date(2021, 4, 15),
        dt.date(2021, 4, 16),
        dt.date(2021, 4, 19),
        dt.date(2021, 4, 20),
        dt.date(2021, 4, 21),
    ]
    assert calendar.window_start("XNYS", dt.date(2021, 4, 24), 2) == dt.date(2021, 4, 22)


def test_a_paris_listing_gets_paris_sessions():
    # 2021-05-13 (Ascension) is a NYSE session; 2021-07-05 is a Paris session and not a NYSE one.
    assert calendar.is_session("XPAR", dt.date(2021, 7, 5))
    assert not calendar.is_session("XNYS", dt.date(2021, 7, 5))
    assert calendar.validity_date("XPAR", dt.date(2021, 7, 2), 1) == dt.date(2021, 7, 5)
    assert calendar.validity_date("XNYS", dt.date(2021, 7, 2), 1) == dt.date(2021, 7, 6)


def test_blank_exchange_is_the_default_and_an_unknown_one_is_refused():
    assert calendar.exchange_for("") == calendar.DEFAULT_EXCHANGE
    assert calendar.exchange_for(None) == calendar.DEFAULT_EXCHANGE
    with pytest.raises(ValueError, match="unknown exchange"):
        calendar.exchange_for("NOPE")


def test_good_friday_falls_back_to_thursday():
    assert calendar.session_on_or_before("XNYS", dt.date(2021, 4, 2)) == dt.date(2021, 4, 1)
    assert calendar.sessions_after("XNYS", dt.date(2021, 4, 1), dt.date(2021, 4, 6)) == 2


def test_last_closed_session_waits_for_the_close():
    before_close = dt.datetime(2021, 4, 21, 19, 0, tzinfo=dt.UTC)
    after_close = dt.datetime(2021, 4, 21, 20, 30, tzinfo=dt.UTC)
    assert calendar.last_closed_session("XNYS", before_close) == dt.date(2021, 4, 20)
    assert calendar.last_closed_session("XNYS", after_close) == dt.date(2021, 4, 21)


def test_the_clock_pinned_by_settings_is_in_replay_mode(settings):
    settings.MARKET_CLOCK_DATE = dt.date(2021, 4, 21)
    assert clock.mode() == "replay"
    assert clock.today() == dt.date(2021, 4, 21)
    assert clock.last_closed_session() == dt.date(2021, 4, 21)
    assert clock.is_future(dt.date(2021, 4, 22))


def test_a_replay_pin_wins_over_the_setting_and_is_undone(settings):
    settings.MARKET_CLOCK_DATE = dt.date(2021, 4, 21)
    with clock.pinned(dt.date(2018, 3, 2)):
        assert clock.today() == dt.date(2018, 3, 2)
        assert clock.current_session() == dt.date(2018, 3, 2)
    assert clock.today() == dt.date(2021, 4, 21)


def test_the_live_clock_reads_the_wall_clock(settings, monkeypatch):
    settings.MARKET_CLOCK_DATE = None
    monkeypatch.setattr(clock, "_wall_clock", lambda: dt.datetime(2021, 4, 22, 3, 0, tzinfo=dt.UTC))
    assert clock.mode() == "live"
    # 03:00 UTC is still 21 April in New York.
    assert clock.today() == dt.date(2021, 4, 21)
    assert clock.last_closed_session() == dt.date(2021, 4, 21)
