"""Finding 4: malformed input is a 4xx with the JSON error body, never a server error nor a partial write."""

from __future__ import annotations

import pytest
from django.test import Client

from market import services as market_services
from market.models import DailyBar, IngestionRun
from tests.mlcore.factories import champion_version
from tests.portfolio.factories import PortfolioFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _assert_error_body(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] and body["code"]
    return body


@pytest.mark.parametrize(
    "path", ["/auth/token/", "/auth/token/refresh/", "/auth/token/verify/", "/auth/signup/"]
)
def test_deeply_nested_json_is_a_400_on_the_anonymous_endpoints(api_client, path):
    response = api_client.post(API + path, data="[" * 100_000, content_type="application/json")
    body = _assert_error_body(response, 400)
    assert "nested deeper" in body["detail"]


def test_valid_json_nested_past_the_limit_is_refused_too(investor_client):
    nested = "[" * 40 + "]" * 40
    response = investor_client.post(f"{API}/portfolios/", data=nested, content_type="application/json")
    _assert_error_body(response, 400)


def test_a_wrong_type_for_a_list_field_is_a_400_and_changes_nothing(investor_client):
    created = investor_client.post(f"{API}/cost-profiles/", {"name": "Mine"}, format="json").json()
    response = investor_client.patch(
        f"{API}/cost-profiles/{created['id']}/", {"ftt_tickers": 1}, format="json"
    )
    body = _assert_error_body(response, 400)
    assert "ftt_tickers" in body["errors"]
    assert investor_client.get(f"{API}/cost-profiles/{created['id']}/").json()["ftt_tickers"] == []


def test_a_nul_character_in_a_json_string_is_a_400_and_nothing_is_created(investor_client, investor):
    response = investor_client.post(f"{API}/portfolios/", {"name": "a\x00b"}, format="json")
    body = _assert_error_body(response, 400)
    assert "NUL" in body["detail"]
    assert not investor.portfolios.exists()


def test_a_nul_character_in_the_query_string_is_a_400(investor_client):
    _assert_error_body(investor_client.get(f"{API}/tickers/?search=%00x"), 400)


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_out_of_range_dates_on_rankings_are_a_4xx(analyst_client, market_sample, settings, as_of):
    settings.MLCORE_TEST_DAYS, settings.MLCORE_MIN_TRAIN_DAYS = 126, 252
    champion_version()
    response = analyst_client.get(f"{API}/rankings/?as_of={as_of}")
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response.json()["code"]


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_out_of_range_dates_on_optimise_are_a_4xx(investor_client, investor, market_sample, settings, as_of):
    from portfolio.models import OptimizationRun

    settings.MLCORE_TEST_DAYS, settings.MLCORE_MIN_TRAIN_DAYS = 126, 252
    champion_version()
    portfolio = PortfolioFactory(owner=investor)
    response = investor_client.post(
        f"{API}/portfolios/{portfolio.pk}/optimize/", {"as_of": as_of}, format="json"
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response.json()["code"]
    assert not OptimizationRun.objects.filter(portfolio=portfolio).exists()


def test_a_body_over_the_upload_limit_is_a_413_json(investor_client, settings):
    big = '{"name": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = investor_client.post(f"{API}/portfolios/", data=big, content_type="application/json")
    _assert_error_body(response, 413)


@pytest.mark.parametrize("path", ["/models/-1/promote/", "/no-such-endpoint/", "/auth/me"])
def test_unknown_api_urls_are_the_json_404(admin_client_api, path):
    _assert_error_body(admin_client_api.post(API + path), 404)


def test_an_unknown_api_version_is_the_json_404(api_client):
    _assert_error_body(api_client.get("/api/v2/anything/"), 404)


def test_an_unknown_web_page_is_the_sites_own_404(investor):
    client = Client()
    client.force_login(investor)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Il n'y a rien à cette adresse" in response.content.decode()  # the site's own page, in French


HEADER = b"date,ticker,open,high,low,close,volume\n"
GOOD = b"2021-04-20,AAPL,1,1,1,1,10\n"


@pytest.mark.parametrize(
    "bad_row",
    [b"0001-01-01,AAPL,1,1,1,1,10\n", b"9999-12-31,AAPL,1,1,1,1,10\n"],
    ids=["year-1", "year-9999"],
)
def test_a_csv_row_with_an_impossible_date_is_rejected_by_row(bad_row):
    run = market_services.csv_load(source=HEADER + GOOD + bad_row, filename="x.csv")
    run.refresh_from_db()
    assert run.status == IngestionRun.Status.PARTIAL
    assert (run.inserted, run.rejected) == (1, 1)
    assert run.issues.get().reason == "date_out_of_range"


def test_a_csv_row_holding_a_nul_byte_is_rejected_by_row():
    padding = GOOD.replace(b"2021-04-20", b"2021-04-19") * 400  # past the binary sniff of the first 8 KB
    data = HEADER + GOOD + padding.replace(b"\n", b"\n", 1) + b"2021-04-16,AA\x00PL,1,1,1,1,10\n"
    run = market_services.csv_load(source=HEADER + GOOD + data[len(HEADER) + len(GOOD) :], filename="x.csv")
    run.refresh_from_db()
    assert run.status != IngestionRun.Status.RUNNING
    assert run.issues.filter(reason="invalid_ticker").count() == 1
    assert DailyBar.objects.filter(ticker__symbol="AAPL").count() == 1


def test_the_ingestion_endpoint_with_its_own_parsers_refuses_deep_json_too(admin_client_api):
    response = admin_client_api.post(
        f"{API}/ingestion/runs/", data="[" * 100_000, content_type="application/json"
    )
    _assert_error_body(response, 400)
    assert not IngestionRun.objects.exists()
