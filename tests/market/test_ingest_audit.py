"""Ingestion run outcomes written by queryset updates or after creation are audited (issue 12, finding 6):
who ended the run, how, on which run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from market.models import IngestionRun
from market.tasks import fail_interrupted_runs
from swingtrade.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

RUNS = "/api/v1/ingestion/runs/"


def _csv(content: bytes, **extra):
    return {"file": SimpleUploadedFile("bars.csv", content, content_type="text/csv"), **extra}


def test_an_uploaded_run_records_its_requester_and_its_outcome(
    admin_user, admin_client_api, django_capture_on_commit_callbacks
):
    content = b"date,ticker,close\n2021-04-19,AAPL,100\n19/04/2021,AAPL,101\n2021-04-20,AAPL,102\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_api.post(RUNS, _csv(content, create_tickers="true"), format="multipart")
    assert response.status_code == 202
    run = IngestionRun.objects.get()
    requested = AuditEvent.objects.get(action="ingestion.created")
    assert (requested.user, requested.object_id) == (admin_user, str(run.pk))
    # The upload is ingested by its task (eager here), which is the actor of the outcome.
    event = AuditEvent.objects.get(action="ingestion.finished")
    assert (event.actor, event.object_type, event.object_id) == (
        "task:market.ingest_csv",
        "market.ingestionrun",
        str(run.pk),
    )
    assert event.details == {
        "started_by": admin_user.username,
        "status": "partial",
        "inserted": 2,
        "updated": 0,
        "rejected": 1,
    }


def test_a_refused_upload_records_the_failure_and_its_reason(admin_user, admin_client_api):
    content = b"date,ticker,close\n04/19/2021,AAPL,1\n19/04/2021,AAPL,2\n"
    response = admin_client_api.post(RUNS, _csv(content), format="multipart")
    assert response.status_code == 400
    run = IngestionRun.objects.get()
    event = AuditEvent.objects.get(action="ingestion.failed")
    assert (event.actor, event.user, event.object_id) == (admin_user.username, admin_user, str(run.pk))
    assert event.details["status"] == "failed" and "unparsable date" in event.details["error"]


def test_the_stale_run_sweep_records_the_schedule_and_every_run_it_failed():
    stale = [IngestionRun.objects.create(source="csv") for _ in range(2)]
    IngestionRun.objects.filter(pk__in=[r.pk for r in stale]).update(
        started_at=timezone.now() - timedelta(days=1)
    )
    fresh = IngestionRun.objects.create(source="csv")
    assert fail_interrupted_runs.delay().get() == 2
    event = AuditEvent.objects.get(action="ingestion.interrupted")
    assert event.actor == "task:market.fail_interrupted_runs" and event.user is None
    assert sorted(event.details["run_ids"]) == sorted(r.pk for r in stale)
    assert fresh.pk not in event.details["run_ids"]


def test_a_sweep_that_finds_nothing_records_nothing():
    IngestionRun.objects.create(source="csv")
    assert fail_interrupted_runs.delay().get() == 0
    assert not AuditEvent.objects.filter(action="ingestion.interrupted").exists()
