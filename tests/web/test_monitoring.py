"""The monitoring page: realised quality against validation, drift, the gate and its override."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from mlcore.data.dataset import load_panels
from mlcore.monitoring.models import MonitoringReport
from mlcore.monitoring.services import monitoring_run
from mlcore.registry.versions import promote
from mlcore.training.services import train_version, training_config


def test_monitoring_page_shows_the_realised_ic_against_validation_and_the_drift(
    market_sample, settings, analyst_web
):
    analyst_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # an analyst page, read in English here
    settings.MLCORE_TEST_DAYS, settings.MLCORE_MIN_TRAIN_DAYS = 126, 252
    # Trained on data up to the end of 2020, judged on the matured predictions of 2021.
    version, _ = train_version(config=training_config(), panels=load_panels(end=date(2020, 12, 31)))
    promote(version, user=None, reason="web monitoring test")
    (report,) = [
        r for r in monitoring_run(as_of=date(2021, 4, 21), allow_retrain=False) if r.role == "champion"
    ]
    response = analyst_web.get(reverse("mlcore:monitoring"))
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["report"] == report
    assert f">{report.state}<" in html and "2021-04-21" in html
    for reason in report.reasons:
        assert reason["message"] in html
    realised = report.metrics["realised"]
    assert realised["long"]["n_dates"] >= 10
    assert f"{realised['long']['rank_ic']:.4f}" in html and f"{realised['short']['rank_ic']:.4f}" in html
    assert f"{report.metrics['validation']['rank_ic']:.4f}" in html
    coverage = report.metrics["coverage"]
    assert f"{coverage['predicted']} / {coverage['expected']} tickers" in html
    top = response.context["drift_rows"][0]
    assert top["psi"] == max(v for v in report.metrics["drift"]["psi"].values() if v is not None)
    assert f"{top['psi']:.3f}" in html
    assert len(response.context["daily_chart"]["labels"]) == len(report.metrics["daily"])


def test_admin_opens_a_closed_gate_and_the_dashboard_serves_again(champion, admin_web):
    admin_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # an analyst page, read in English here
    report = MonitoringReport.objects.create(
        as_of=date(2021, 4, 21),
        data_date=date(2021, 4, 21),
        model_version=champion,
        role="champion",
        state="CRITICAL",
        summary="realised rank IC collapsed",
        reasons=[{"code": "rank_ic_long", "level": "CRITICAL", "message": "realised rank IC collapsed"}],
    )
    closed = admin_web.get(reverse("dashboard")).content.decode()
    assert "No ranking today." in closed and "realised rank IC collapsed" in closed
    assert f"{reverse('mlcore:monitoring')}?report={report.pk}" in closed
    page = admin_web.get(reverse("mlcore:monitoring")).content.decode()
    assert "Open the gate" in page
    admin_web.post(
        reverse("mlcore:monitoring_override"), {"reason": "data vendor glitch, checked by hand", "hours": 2}
    )
    assert admin_web.get(reverse("dashboard")).context["ranking"].buys


def test_admin_ends_an_override_from_the_monitoring_page(champion, admin_web):
    admin_web.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # an analyst page, read in English here
    MonitoringReport.objects.create(
        as_of=date(2021, 4, 21), data_date=date(2021, 4, 21), model_version=champion, role="champion",
        state="CRITICAL", summary="collapsed", reasons=[],
    )  # fmt: skip
    admin_web.post(
        reverse("mlcore:monitoring_override"), {"reason": "checked by hand, vendor glitch", "hours": 1}
    )
    assert "End the override" in admin_web.get(reverse("mlcore:monitoring")).content.decode()
    admin_web.post(reverse("mlcore:monitoring_override_revoke"))
    assert "No ranking today." in admin_web.get(reverse("dashboard")).content.decode()
