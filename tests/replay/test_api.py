"""Replays over the API and on the Track record page: who may start one, what comes back."""

from __future__ import annotations

from django.test import Client

from portfolio.replay.models import ReplayRun

REQUEST = {
    "start": "2020-01-02",
    "end": "2020-06-30",
    "strategies": ["cash", "equal_weight_buy_hold"],
}


def test_investors_may_read_but_not_start_replays(investor_client, db):
    assert investor_client.get("/api/v1/replays/").status_code == 200
    response = investor_client.post("/api/v1/replays/", REQUEST, format="json")
    assert response.status_code == 403
    assert ReplayRun.objects.count() == 0


def test_an_analyst_starts_a_replay_and_reads_its_results(
    analyst_client, market_sample, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the fan-out is queued on commit
        response = analyst_client.post("/api/v1/replays/", REQUEST, format="json")
    assert response.status_code == 202
    url = response.json()["url"]
    assert response["Location"] == url
    detail = analyst_client.get(url).json()  # Celery is eager in tests: the chord has run
    assert detail["status"] == "succeeded"
    assert detail["progress"] == 1.0
    # The benchmark joins every run: the Sharpe difference is measured against it.
    assert set(detail["results"]["strategies"]) == {"cash", "equal_weight_monthly", "equal_weight_buy_hold"}
    equity = detail["results"]["strategies"]["cash"]["equity"]
    assert equity["dates"][0] == "2020-01-02" and equity["dates"][-1] == "2020-06-30"
    assert set(equity["after_tax"]) == {100_000.0}
    assert detail["data_fingerprint"]["n_tickers"] == 12
    assert detail["market_date"]


def test_bad_requests_get_a_400_that_names_the_field(analyst_client, db):
    response = analyst_client.post("/api/v1/replays/", {"strategies": ["moon"]}, format="json")
    assert response.status_code == 400
    assert "strategies" in response.json()["errors"]
    response = analyst_client.post(
        "/api/v1/replays/", {"start": "2020-06-01", "end": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "end must be after start" in response.json()["detail"]
    assert ReplayRun.objects.count() == 0


def test_the_track_record_page_shows_the_latest_replay(
    analyst_client, investor, market_sample, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        analyst_client.post("/api/v1/replays/", REQUEST, format="json")
    browser = Client()
    browser.force_login(investor)
    page = browser.get("/track-record/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1/N buy &amp; hold" in page
    assert "Survivorship bias" in page
    assert 'data-chart="equity-chart"' in page
    assert "/track-record/" in browser.get("/").content.decode()  # the dashboard links to it


def test_the_track_record_page_says_when_nothing_was_computed(investor):
    browser = Client()
    browser.force_login(investor)
    page = browser.get("/track-record/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No replay has been computed yet" in page
