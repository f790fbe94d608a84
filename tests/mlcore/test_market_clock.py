"""mlcore reads "today" from the market clock and counts sessions with the market calendar."""

from __future__ import annotations

from datetime import date

import pytest

from market import calendar, clock
from mlcore.data.dataset import history_start, load_history
from mlcore.monitoring import services as monitoring_services
from swingtrade.errors import DomainError


def test_a_day_after_the_pinned_market_date_is_refused_as_future():
    with clock.pinned(date(2021, 4, 21)):
        clock.refuse_future(date(2021, 4, 21))  # the market date itself is fine
        with pytest.raises(DomainError, match="in the future \\(today is 2021-04-21\\)"):
            clock.refuse_future(date(2021, 4, 22))


def test_the_scheduled_monitoring_run_judges_the_pinned_market_day(champion):
    with clock.pinned(date(2021, 4, 21)):
        reports = monitoring_services.monitoring_run()
    report = reports[0]
    assert report.as_of == date(2021, 4, 21) and report.data_date == date(2021, 4, 21)
    # The last bar of the sample is the pinned session: nothing is stale, whatever the wall clock says.
    assert report.metrics["freshness"]["sessions_behind"] == 0
    assert report.metrics["freshness"]["calendar"] == "XNYS"


def test_history_windows_count_exchange_sessions_not_calendar_days(market_sample):
    # 2021-04-02 was Good Friday (NYSE closed): 5 sessions back from Tuesday 6 April start on 30 March.
    assert history_start(end=date(2021, 4, 6), trading_days=5) == date(2021, 3, 30)
    assert history_start(end=date(2021, 4, 6), trading_days=5) == calendar.window_start(
        "XNYS", date(2021, 4, 6), 5
    )
    panels = load_history(trading_days=5, end=date(2021, 4, 6))
    assert len(panels.close.index) == 5


def test_a_window_reaching_the_calendar_start_reads_all_history(market_sample):
    first_session, _ = calendar.bounds()
    assert history_start(end=first_session, trading_days=5) is None
