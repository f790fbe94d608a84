"""Every paginated list bounds ``limit`` and ``offset``: absurd numbers never reach the database."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_huge_limit_is_capped_and_answers(investor_client):
    response = investor_client.get("/api/v1/tickers/?limit=99999999999999999999")
    assert response.status_code == 200
    assert "results" in response.json()


def test_a_huge_offset_is_a_400_naming_the_parameter(investor_client):
    response = investor_client.get("/api/v1/tickers/?offset=99999999999999999999")
    assert response.status_code == 400
    assert "offset" in response.json()


def test_a_normal_page_still_works(investor_client, market_sample):
    response = investor_client.get("/api/v1/tickers/?limit=5&offset=2")
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 5
    assert body["count"] == 12
