"""The market date is visible: in every page's header and on every API response."""

from __future__ import annotations

from django.test import Client


def test_api_responses_carry_the_pinned_market_date(settings, investor_client, market_sample):
    settings.MARKET_CLOCK_DATE = "2021-04-21"
    response = investor_client.get("/api/v1/tickers/AAPL/")
    assert response.status_code == 200
    assert response["X-Market-Date"] == "2021-04-21"
    assert response["X-Market-Clock"] == "replay"
    assert response.json()["market_date"] == "2021-04-21"


def test_error_bodies_keep_their_shape_but_carry_the_header(settings, investor_client, db):
    settings.MARKET_CLOCK_DATE = "2021-04-21"
    response = investor_client.get("/api/v1/tickers/NOPE/")
    assert response.status_code == 404
    assert "market_date" not in response.json()
    assert response["X-Market-Date"] == "2021-04-21"


def test_the_live_clock_is_not_called_replay(settings, investor_client, db):
    settings.MARKET_CLOCK_DATE = None
    response = investor_client.get("/api/v1/tickers/")
    assert response["X-Market-Clock"] == "live"


def test_every_page_header_shows_the_market_date_and_the_replay_badge(settings, investor):
    settings.MARKET_CLOCK_DATE = "2021-04-21"
    client = Client()
    client.force_login(investor)
    page = client.get("/portfolios/").content.decode()
    assert "Date de marché 21/04/2021" in page  # the site's default language and its one date format
    assert ">rejeu</span>" in page
