"""A real browser (Debian's chromium, driven by Playwright) against pytest-django's live server.

Skipped unless /usr/bin/chromium exists; under CI=true a missing browser is a failure, not a skip.
Screenshots and the axe counts of every page go to var/e2e-screenshots/ (gitignored).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "e2e-screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
MARKET_DATE = date(2021, 4, 21)  # the last session of the embedded sample
# Playwright's sync API runs an event loop in the test thread; the ORM calls made there are still sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(
            f"CI=true but {CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)"
        )
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def site_data(transactional_db, settings, monkeypatch):
    """The 12-ticker sample, the ECB rates and a trained champion, with the market clock on the sample's
    last session (orders proposed from 2021 prices are still valid "today")."""
    from market import fx
    from market.services import sample_load
    from tests.conftest import MARKET_SAMPLE_TICKERS
    from tests.mlcore.factories import champion_version

    settings.MLCORE_TEST_DAYS = 126
    settings.MLCORE_MIN_TRAIN_DAYS = 252
    settings.MARKET_CLOCK_DATE = MARKET_DATE.isoformat()
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: MARKET_DATE)
    sample_load(tickers=MARKET_SAMPLE_TICKERS, start="2019-01-01", end="2021-04-21")
    fx.fx_sample_load()
    return champion_version()


@pytest.fixture
def clear_edge_forecasts(monkeypatch):
    """Call to stand in the champion's forecasts with a clear edge (as tests/portfolio do).

    The model trained on the sample rarely expects more than its costs, so its honest advice is "nothing
    to do"; the journey shows that first, then needs an order to accept, fill and optimise.
    """

    def stand_in() -> None:
        import pandas as pd

        from tests.factories import ModelVersionFactory

        expected = {"AAPL": 0.04, "MSFT": 0.03, "KO": -0.03}
        frame = pd.DataFrame(
            {
                "expected_return": expected,
                "predicted_volatility": dict.fromkeys(expected, 0.04),
                "score": expected,
            }
        )
        frame.index.name = "ticker"
        frame["rank"] = frame["expected_return"].rank(ascending=False)
        frame["side"] = ["buy" if v > 0 else "sell" for v in frame["expected_return"]]
        version = ModelVersionFactory(reliability=1.0, status="candidate")  # the champion is the real one
        monkeypatch.setattr(
            "mlcore.serving.predict.predictions_frame", lambda *, as_of=None: (frame, version)
        )

    return stand_in
