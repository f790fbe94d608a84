"""Admin pages of the market app, for the admin role."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from market.models import DailyBar, IngestionRun, Ticker

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_admin_pages_list_tickers_bars_and_runs(admin_browser, market_sample):
    for name in ("market_ticker", "market_dailybar", "market_ingestionrun"):
        response = admin_browser.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
    bars = admin_browser.get(reverse("admin:market_dailybar_changelist"), {"q": "AAPL", "date__year": "2021"})
    assert b"AAPL" in bars.content
    run = admin_browser.get(reverse("admin:market_ingestionrun_change", args=[market_sample.pk]))
    assert run.status_code == 200


def test_the_rerun_action_repeats_a_run(admin_browser, market_sample):
    response = admin_browser.post(
        reverse("admin:market_ingestionrun_changelist"),
        {"action": "rerun", "_selected_action": [market_sample.pk]},
        follow=True,
    )
    assert response.status_code == 200
    again = IngestionRun.objects.latest("pk")
    assert (
        again.pk != market_sample.pk and again.unchanged == market_sample.inserted and again.rows_written == 0
    )


def test_the_rerun_of_an_upload_keeps_its_parameters(admin_browser, django_capture_on_commit_callbacks):
    Ticker.objects.create(symbol="AAPL")
    content = b"date,ticker,close\n2021-04-19,AAPL,134.84\n2021-04-19,NEWCO,10\n"
    with django_capture_on_commit_callbacks(execute=True):
        admin_browser.post(
            reverse("admin:market_ingestionrun_upload"), {"file": SimpleUploadedFile("b.csv", content)}
        )
    upload = IngestionRun.objects.get()
    assert upload.params["allow_create_tickers"] is False and upload.rejected == 1
    admin_browser.post(
        reverse("admin:market_ingestionrun_changelist"), {"action": "rerun", "_selected_action": [upload.pk]}
    )
    again = IngestionRun.objects.latest("pk")
    assert again.pk != upload.pk and again.params == upload.params
    assert again.issue_counts == {"rejected:unknown_ticker": 1} and again.unchanged == 1
    assert not Ticker.objects.filter(symbol="NEWCO").exists()


def test_the_upload_form_ingests_a_csv(admin_browser, django_capture_on_commit_callbacks):
    url = reverse("admin:market_ingestionrun_upload")
    assert admin_browser.get(url).status_code == 200
    content = b"date,ticker,close\n2021-04-19,AAPL,134.84\n2021-04-20,AAPL,133.11\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_browser.post(
            url, {"file": SimpleUploadedFile("bars.csv", content), "create_tickers": "on"}
        )
    run = IngestionRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{run.pk}/change/")
    run.refresh_from_db()
    assert run.status == IngestionRun.Status.SUCCEEDED and DailyBar.objects.count() == 2


def test_the_upload_form_shows_why_a_file_is_malformed(admin_browser):
    response = admin_browser.post(
        reverse("admin:market_ingestionrun_upload"), {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")}
    )
    assert response.status_code == 200
    assert b"Wrong columns" in response.content
    assert not DailyBar.objects.exists()


def test_the_upload_form_is_for_administrators_only(investor):
    investor.is_staff = True
    investor.save()
    client = Client()
    client.force_login(investor)
    assert client.get(reverse("admin:market_ingestionrun_upload")).status_code == 403
