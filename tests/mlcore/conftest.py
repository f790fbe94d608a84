from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlcore.data.dataset import Panels, panels_from_frame, read_csv_frame

DATA = Path(__file__).resolve().parents[2] / "market" / "data"
SAMPLE_TICKERS = ["AAPL", "AMZN", "BAC", "CVX", "DUK", "JNJ", "KO", "MSFT", "NEM", "XOM", "GE", "T"]


@pytest.fixture(scope="session")
def sample_frame() -> pd.DataFrame:
    frame = read_csv_frame(str(DATA / "sp500_sample50_daily_2016_2021.csv.gz"))
    return frame[frame["ticker"].isin(SAMPLE_TICKERS)].reset_index(drop=True)


@pytest.fixture(scope="session")
def sample_sectors() -> dict[str, str]:
    return pd.read_csv(DATA / "sp500_constituents_2021.csv").set_index("ticker")["sector"].to_dict()


@pytest.fixture(scope="session")
def sample_panels(sample_frame, sample_sectors) -> Panels:
    return panels_from_frame(sample_frame, sample_sectors)


@pytest.fixture
def fast_training(settings):
    """Walk-forward sized for the 12-ticker, 2019-2021 ``market_sample``: a refit every half year."""
    settings.MLCORE_TEST_DAYS = 126
    settings.MLCORE_MIN_TRAIN_DAYS = 252
    return settings


# Monitoring tests (test_monitoring_*.py) on the ``market_sample`` fixture.


@pytest.fixture
def champion(market_sample, fast_training):
    from tests.mlcore.factories import champion_version

    return champion_version()


@pytest.fixture
def closed_gate(champion, admin_user):
    """Monitoring three weeks after the last bar: the data is stale, the gate closes."""
    from django.core import mail

    from mlcore.monitoring import gate
    from mlcore.monitoring import tasks as monitoring_tasks
    from mlcore.monitoring.models import MonitoringReport

    result = monitoring_tasks.monitor.delay(as_of="2021-05-12").get()
    report = MonitoringReport.objects.get(pk=result["reports"][0]["id"])
    assert not gate.gate_state().is_open
    mail.outbox.clear()
    return report
