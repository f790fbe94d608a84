"""The market API: reads for authenticated users, ingestion for administrators."""

from __future__ import annotations

import gzip

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from market.models import DailyBar, IngestionRun, Ticker
from market.sources import yahoo
from tests.market.yahoo_frames import yahoo_history, yf_download_frame

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/ingestion/runs/"
GOOD_CSV = b"date,ticker,close,volume\n2021-04-19,AAPL,134.84,100\n2021-04-20,AAPL,133.11,120\n"


def upload(content: bytes, name: str = "bars.csv", **extra):
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv"), **extra}


def test_anonymous_users_get_401(api_client):
    assert api_client.get("/api/v1/tickers/").status_code == 401
    assert api_client.post(RUNS, upload(GOOD_CSV), format="multipart").status_code == 401


def test_investors_read_tickers_and_bars(investor_client, market_sample):
    listing = investor_client.get("/api/v1/tickers/?sector=Energy")
    assert listing.status_code == 200
    assert [t["symbol"] for t in listing.json()["results"]] == ["XOM"]

    detail = investor_client.get("/api/v1/tickers/aapl/").json()
    assert detail["sector"] == "Information Technology" and detail["last_bar_date"] == "2021-04-21"

    bars = investor_client.get("/api/v1/tickers/AAPL/bars/?start=2021-04-19&end=2021-04-21").json()
    assert bars["count"] == 3
    assert [b["date"] for b in bars["bars"]] == ["2021-04-19", "2021-04-20", "2021-04-21"]
    assert bars["bars"][-1]["close"] == 133.5


@pytest.mark.parametrize(
    "query",
    [
        "start=yesterday",
        "start=2021-13-01",
        "end=0001-01-01",
        "start=1800-01-02",
        "start=2021-04-21&end=2021-04-01",
    ],
)
def test_bad_or_absurd_dates_get_400(investor_client, market_sample, query):
    response = investor_client.get(f"/api/v1/tickers/AAPL/bars/?{query}")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_bad_values_of_an_upload_are_rejected_per_row_and_the_bars_stay_readable(
    admin_client_api, investor_client, django_capture_on_commit_callbacks
):
    content = (
        b"date,ticker,close,volume\n"
        b"2021-04-19,AAPL,134.84,100\n"
        b"2021-04-20,AAPL,inf,100\n"
        b"2021-04-21,AAPL,1e308,100\n"
        b"2021-04-16,AAPL,134.16,1e30\n"
        b"1800-01-02,AAPL,134.0,100\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(RUNS, upload(content, create_tickers="true"), format="multipart")
    assert response.status_code == 202
    detail = admin_client_api.get(response.json()["url"]).json()
    assert detail["status"] == "partial" and detail["inserted"] == 1
    assert [i["reason"] for i in detail["issues"]] == [
        "non_finite",
        "out_of_range",
        "out_of_range",
        "date_out_of_range",
    ]
    bars = investor_client.get("/api/v1/tickers/AAPL/bars/")
    assert bars.status_code == 200
    assert [(b["date"], b["close"]) for b in bars.json()["bars"]] == [("2021-04-19", 134.84)]
    assert investor_client.get("/api/v1/tickers/AAPL/").json()["first_bar_date"] == "2021-04-19"


def test_a_yahoo_request_for_the_future_gets_400_and_records_nothing(admin_client_api):
    response = admin_client_api.post(RUNS, {"symbols": ["AAPL"], "start": "2199-01-01"}, format="json")
    assert response.status_code == 400 and "in the future" in response.json()["detail"]
    assert not IngestionRun.objects.exists()


def test_an_unknown_ticker_gets_404(investor_client):
    assert investor_client.get("/api/v1/tickers/NOPE/").status_code == 404
    assert investor_client.get("/api/v1/tickers/NOPE/bars/").status_code == 404


def test_an_investor_may_not_upload_or_list_runs(investor_client):
    assert investor_client.post(RUNS, upload(GOOD_CSV), format="multipart").status_code == 403
    assert investor_client.get(RUNS).status_code == 403
    assert not IngestionRun.objects.exists()


def test_an_admin_uploads_a_csv_and_gets_202_with_the_run_url(
    admin_client_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(
            RUNS, upload(gzip.compress(GOOD_CSV), "bars.csv.gz", create_tickers="true"), format="multipart"
        )
    assert response.status_code == 202
    run_url = response.json()["url"]
    assert response["Location"] == run_url
    detail = admin_client_api.get(run_url).json()
    assert detail["status"] == "succeeded"
    assert detail["inserted"] == 2 and detail["source"] == "csv"
    assert DailyBar.objects.filter(ticker__symbol="AAPL").count() == 2


def test_an_upload_of_unknown_tickers_is_rejected_per_row_unless_creation_is_asked(
    admin_client_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(RUNS, upload(GOOD_CSV), format="multipart")
    detail = admin_client_api.get(response.json()["url"]).json()
    assert detail["rejected"] == 2 and detail["inserted"] == 0
    assert {i["reason"] for i in detail["issues"]} == {"unknown_ticker"}
    assert not Ticker.objects.exists()


def test_an_upload_with_one_unreadable_date_stores_the_other_rows_and_lists_the_rejection(
    admin_client_api, django_capture_on_commit_callbacks
):
    content = b"date,ticker,close\n2021-04-19,AAPL,100\n19/04/2021,AAPL,101\n2021-04-20,AAPL,102\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(RUNS, upload(content, create_tickers="true"), format="multipart")
    assert response.status_code == 202
    detail = admin_client_api.get(response.json()["url"]).json()
    assert (detail["status"], detail["inserted"], detail["rejected"]) == ("partial", 2, 1)
    [issue] = detail["issues"]
    assert (issue["reason"], issue["line"]) == ("invalid_date", 3)
    assert "'19/04/2021'" in issue["detail"]


def test_an_upload_without_one_readable_row_gets_400_with_the_reasons_and_writes_nothing(admin_client_api):
    response = admin_client_api.post(
        RUNS, upload(b"date,ticker,close\n04/19/2021,AAPL,1\n19/04/2021,AAPL,2\n"), format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert "2 row(s) have a missing or unparsable date" in body["detail"]
    assert body["errors"]["bad_dates"] == [
        {"line": 2, "value": "04/19/2021"},
        {"line": 3, "value": "19/04/2021"},
    ]
    assert not DailyBar.objects.exists()
    assert IngestionRun.objects.get().status == IngestionRun.Status.FAILED


def test_binary_garbage_gets_400(admin_client_api):
    response = admin_client_api.post(RUNS, upload(b"\x00\x01\x02\xff" * 50, "x.csv"), format="multipart")
    assert response.status_code == 400
    assert "binary" in response.json()["detail"]


def test_an_admin_requests_a_yahoo_download(
    admin_client_api, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(
        yahoo.yf,
        "download",
        lambda tickers, **kw: yf_download_frame({"BRK-B": yahoo_history("AAPL", "2021-04-12", "2021-04-21")}),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(
            RUNS, {"symbols": ["BRK.B"], "start": "2021-04-12", "end": "2021-04-21"}, format="json"
        )
    assert response.status_code == 202
    detail = admin_client_api.get(response.json()["url"]).json()
    assert detail["source"] == "yahoo" and detail["status"] == "succeeded" and detail["inserted"] == 8
    assert Ticker.objects.filter(symbol="BRK.B").exists()


def test_a_bad_yahoo_request_gets_400(admin_client_api):
    assert (
        admin_client_api.post(RUNS, {"symbols": [], "start": "2021-01-01"}, format="json").status_code == 400
    )
    response = admin_client_api.post(RUNS, {"symbols": ["AAPL"], "start": "soon"}, format="json")
    assert response.status_code == 400 and "start" in response.json()["detail"]


def test_admins_list_runs_with_counts_and_see_revisions(admin_client_api, market_sample):
    listing = admin_client_api.get(RUNS).json()
    assert listing["count"] == 1
    assert listing["results"][0]["inserted"] == market_sample.inserted
    detail = admin_client_api.get(f"{RUNS}{market_sample.pk}/").json()
    assert detail["status"] == "succeeded" and detail["issues"] == [] and detail["revisions"] == []
    assert admin_client_api.get(f"{RUNS}999999/").status_code == 404


def test_an_oversized_upload_gets_400(admin_client_api, monkeypatch):
    from market import jobs

    monkeypatch.setattr(jobs, "MAX_UPLOAD_BYTES", 10)
    response = admin_client_api.post(RUNS, upload(GOOD_CSV), format="multipart")
    assert response.status_code == 400 and "at most" in response.json()["detail"]
    assert not IngestionRun.objects.exists()
