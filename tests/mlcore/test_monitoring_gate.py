"""The gate seen from outside: bad as-of days refused before anything is stored, the portfolio endpoints
blocked with 503, a promoted champion reopening it, and what investors may read about an override."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from market import clock
from mlcore.monitoring import gate
from mlcore.monitoring import tasks as monitoring_tasks
from mlcore.monitoring.models import MonitoringReport
from mlcore.registry import versions as registry
from tests.mlcore.factories import trained_version
from tests.portfolio.factories import PortfolioFactory

BASE = "/api/v1"


def _bad_days() -> list[tuple[str, str]]:
    tomorrow = clock.today() + timedelta(days=1)
    return [
        ("1850-01-01", "outside the exchange calendar"),
        ("2099-01-01", "in the future"),
        (tomorrow.isoformat(), "in the future"),  # inside the calendar: the future rule itself
        ("2018-06-01", "before the first stored bar (2019-01-02)"),  # market_sample starts in 2019
    ]


@pytest.mark.parametrize("day, message", _bad_days())
def test_the_monitor_command_refuses_an_impossible_as_of_and_stores_nothing(
    champion, admin_user, capsys, day, message
):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("monitor", "--as-of", day)
    assert not MonitoringReport.objects.exists()
    assert mail.outbox == []
    assert gate.gate_state().is_open


@pytest.mark.parametrize("day, message", _bad_days())
def test_the_run_endpoint_refuses_an_impossible_as_of_with_a_400(
    champion, admin_user, admin_client_api, day, message
):
    response = admin_client_api.post("/api/v1/monitoring/run/", {"as_of": day}, format="json")
    assert response.status_code == 400, response.content
    assert message in response.json()["detail"]
    assert not MonitoringReport.objects.exists()
    assert mail.outbox == []


def test_the_first_stored_bar_and_today_are_valid_as_of_days(champion):
    first = monitoring_tasks.monitor.delay(as_of="2019-01-02").get()["reports"][0]
    assert MonitoringReport.objects.get(pk=first["id"]).data_date.isoformat() == "2019-01-02"
    today = monitoring_tasks.monitor.delay(as_of=clock.today().isoformat()).get()["reports"][0]
    # Years after the sample's last bar: stale, but judged, as the docs say for the embedded sample.
    assert MonitoringReport.objects.get(pk=today["id"]).reasons[0]["code"] == "stale_data"


def test_a_closed_gate_answers_503_to_proposals_and_optimisation(closed_gate, investor, investor_client):
    portfolio = PortfolioFactory(owner=investor)
    for action in ("proposals", "optimize"):
        response = investor_client.post(f"{BASE}/portfolios/{portfolio.pk}/{action}/", {}, format="json")
        assert response.status_code == 503, (action, response.content)
        body = response.json()
        assert body["code"] == "unavailable"
        assert body["errors"]["report_url"] == closed_gate.get_absolute_url()
        assert body["errors"]["state"] == "CRITICAL"
        assert "behind" in body["errors"]["reason"]  # the stale-data reason of the report
        assert closed_gate.get_absolute_url() in body["detail"]
    assert investor_client.get(f"{BASE}/portfolios/{portfolio.pk}/proposals/").json()["count"] == 0


def test_a_newly_promoted_champion_reopens_the_gate_until_it_is_judged(closed_gate, investor_client):
    assert investor_client.get(f"{BASE}/rankings/").status_code == 503
    successor = registry.promote(trained_version(params={"alpha": 10.0}), user=None, reason="test")
    state = gate.gate_state()
    assert state.is_open and state.report_id == closed_gate.pk
    assert state.reason == "A new champion replaced the model judged CRITICAL."
    assert investor_client.get(f"{BASE}/rankings/").status_code == 200
    # Judged on the same stale data, the new champion closes it again: the gate follows the judgement.
    monitoring_tasks.monitor.delay(as_of="2021-05-12").get()
    state = gate.gate_state()
    assert not state.is_open and MonitoringReport.objects.get(pk=state.report_id).model_version == successor


def test_investors_see_an_override_but_not_who_made_it_or_why(
    closed_gate, admin_user, investor, analyst, client, analyst_client, investor_client
):
    override = gate.gate_override_create(user=admin_user, reason="Vendor outage, checked by hand", hours=2)
    public = investor_client.get("/api/v1/monitoring/gate/").json()
    assert public["is_open"] and public["overridden"] and public["state"] == "CRITICAL"
    assert public["override_expires_at"] == override.expires_at.isoformat()
    assert "override_by" not in public and "override_reason" not in public
    assert "Vendor outage" not in str(public) and admin_user.username not in str(public)
    internal = analyst_client.get("/api/v1/monitoring/gate/").json()
    assert internal["override_by"] == admin_user.username
    assert internal["override_reason"] == "Vendor outage, checked by hand"

    client.force_login(investor)
    page = client.get("/").content.decode()
    assert "un administrateur maintient les conseils" in page  # the site speaks French by default
    assert "Vendor outage" not in page and admin_user.username not in page
    client.force_login(analyst)
    page = client.get("/").content.decode()
    assert "Vendor outage" in page and admin_user.username in page

    client.logout()
    health = client.get("/healthz").json()
    assert "Vendor outage" not in str(health) and admin_user.username not in str(health)
