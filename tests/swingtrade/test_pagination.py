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


@pytest.mark.parametrize(
    ("limit", "offset", "shown"),
    [
        (5, 0, 5),  # a full first page
        (5, 10, 2),  # a short last page: the count is read off it
        (20, 0, 12),  # everything in one short page
        (5, 12, 0),  # exactly at the end
        (5, 40, 0),  # past the end: the database still tells the total
        (12, 0, 12),  # a full page that happens to be the last one
    ],
)
def test_the_count_is_the_true_total_whatever_the_page(investor_client, market_sample, limit, offset, shown):
    body = investor_client.get(f"/api/v1/tickers/?limit={limit}&offset={offset}").json()
    assert body["count"] == 12
    assert len(body["results"]) == shown
    assert (body["next"] is not None) == (offset + limit < 12)


def test_a_list_that_fits_in_one_page_makes_no_count_query(investor_client, market_sample):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        body = investor_client.get("/api/v1/tickers/?limit=50").json()
    assert body["count"] == 12
    assert not [q for q in captured if "COUNT(" in q["sql"].upper()]
    with CaptureQueriesContext(connection) as captured:
        investor_client.get("/api/v1/tickers/?limit=5")
    assert [q for q in captured if "COUNT(" in q["sql"].upper()]
