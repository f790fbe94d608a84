"""With the clock pinned to the embedded data's last session (what `make run` does), a new user finishes
the whole loop with no override: ranking → proposals → accept → fill → position, and monitoring judges
the model on its merits instead of calling the data stale."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from tests.mlcore.factories import champion_version
from tests.portfolio.factories import PortfolioFactory

BASE = "/api/v1"
LAST_SESSION = "2021-04-21"


def test_the_main_loop_works_at_the_pinned_market_date(settings, investor, investor_client, market_sample):
    settings.MARKET_CLOCK_DATE = LAST_SESSION
    settings.MLCORE_TEST_DAYS = 126
    settings.MLCORE_MIN_TRAIN_DAYS = 252
    champion_version()

    ranking = investor_client.get(f"{BASE}/rankings/")
    assert ranking.status_code == 200, ranking.content
    assert ranking["X-Market-Date"] == LAST_SESSION

    portfolio = PortfolioFactory(owner=investor)
    optimised = investor_client.post(
        f"{BASE}/portfolios/{portfolio.pk}/optimize/", {"objective": "min_variance"}, format="json"
    )
    assert optimised.status_code == 201, optimised.content
    buy = next(p for p in optimised.json()["proposals"] if p["side"] == "buy")
    assert buy["valid_until"] > LAST_SESSION

    url = f"{BASE}/portfolios/{portfolio.pk}/proposals/{buy['id']}/"
    accepted = investor_client.post(f"{url}accept/")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    price = buy["limit_price"] or buy["reference_price"]
    filled = investor_client.post(
        f"{url}fill/", {"price": str(price), "traded_on": LAST_SESSION}, format="json"
    )
    assert filled.status_code == 201, filled.content

    positions = investor_client.get(f"{BASE}/portfolios/{portfolio.pk}/positions/").json()["results"]
    assert {p["ticker"] for p in positions} == {buy["ticker"]}

    out = StringIO()
    call_command("monitor", stdout=out)
    report = out.getvalue()
    assert "stale" not in report.lower(), report
    assert ": OK" in report or ": WARN" in report, report
