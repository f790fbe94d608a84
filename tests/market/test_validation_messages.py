"""Rejection and flag reasons: stored in English with their code, read in French on the admin pages."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from market.models import IngestionIssue, IngestionRun
from market.validation import REJECT_REASONS, issue_text, validate_frame
from tests.market.test_validation import TODAY, bars


def _details() -> dict[str, str]:
    frame = bars(
        {"date": "2021-04-19", "close": 10.0, "adj_close": 10.0},  # the source adjusts: a large move
        {"date": "2021-04-20", "close": 16.0, "high": 17.0},  # +60 % in a day: flagged
        {"date": "2021-04-21", "close": 12.0, "low": 13.0, "high": 14.0},  # below its low: rejected
        {"date": "1900-01-02", "close": 10.0},
        {"date": "2021-04-16", "close": float("inf")},
    )
    issues = validate_frame(frame, today=TODAY, max_move=0.5).issues
    return dict(zip(issues["reason"], issues["detail"], strict=True))


def test_every_reason_and_detail_reads_in_french():
    details = _details()
    assert details["close_outside_range"] == "close is outside [low, high]: low=13 high=14 close=12"
    with translation.override("fr"):
        french = {reason: issue_text(detail) for reason, detail in details.items()}
        for reason in REJECT_REASONS.values():
            assert issue_text(reason) != reason, reason
    assert (
        french["close_outside_range"]
        == "la clôture est hors de [plus bas, plus haut] : low=13 high=14 close=12"
    )
    assert (
        # Dates as the French pages write them; the record keeps ISO dates (English, below).
        french["date_out_of_range"] == "la date est hors de la période 02/01/1962 à 31/12/2200 : 02/01/1900"
    )
    assert french["non_finite"].startswith(
        "un cours, un volume, un dividende ou un facteur de division est infini"
    )
    assert french["large_move"].startswith("variation sur un jour au-delà de la limite")
    assert ": +60,0\u202f% (limite ±50\u202f%, facteur de division 1, dividende 0)" in french["large_move"]
    with translation.override("en"):
        assert {reason: issue_text(detail) for reason, detail in details.items()} == details


@pytest.mark.django_db
def test_the_french_admin_shows_french_issue_details(admin_user):
    run = IngestionRun.objects.create(source="csv", status="partial")
    detail = _details()["close_outside_range"]
    IngestionIssue.objects.create(
        run=run, severity="rejected", reason="close_outside_range", ticker="AAPL", date=date(2021, 4, 21),
        line=4, detail=detail,
    )  # fmt: skip
    client = Client()
    client.force_login(admin_user)
    html = client.get(reverse("admin:market_ingestionissue_changelist")).content.decode()
    assert "la clôture est hors de [plus bas, plus haut] : low=13 high=14 close=12" in html
    assert detail not in html
    assert IngestionIssue.objects.get().detail == detail  # the record is unchanged
