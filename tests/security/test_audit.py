"""Finding 6: every write names who made it (user, task or command), what, on which object — table and log."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from portfolio.models import CostProfile
from swingtrade.audit.models import AuditEvent
from tests.factories import DEFAULT_PASSWORD
from tests.portfolio.factories import PortfolioFactory, TickerFactory
from tests.security.processes import run_python

pytestmark = pytest.mark.django_db


def _jwt_client(user) -> APIClient:
    client = APIClient()
    tokens = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    return client


def test_an_api_trade_records_the_user_the_object_and_the_request_id(investor, caplog):
    TickerFactory(symbol="AAA")
    portfolio = PortfolioFactory(owner=investor, cash=Decimal("1000"))
    client = _jwt_client(investor)
    trade = {"ticker": "AAA", "side": "buy", "quantity": 3, "price": "100", "traded_on": "2021-03-01"}
    with caplog.at_level(logging.INFO, logger="swingtrade.audit"):
        response = client.post(f"/api/v1/portfolios/{portfolio.pk}/trades/", trade, format="json")
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.get(action="trade.created")
    assert (event.actor, event.user) == (investor.username, investor)
    assert event.object_type == "portfolio.trade"
    assert event.object_id == str(response.json()["id"])
    assert event.request_id == response["X-Request-ID"]
    assert event.details["quantity"] == 3
    logged = [r for r in caplog.records if r.getMessage() == "audit" and r.audit_action == "trade.created"]
    assert logged and logged[0].actor == investor.username


def test_a_web_form_write_records_the_signed_in_user(investor):
    browser = Client()
    browser.force_login(investor)
    preset = CostProfile.objects.get(owner=None, name="Zero-commission broker")
    browser.post(
        reverse("portfolio:list"),
        {
            "name": "Swing",
            "cash": "25000",
            "base_currency": "USD",
            "cost_profile": preset.pk,
            "max_position_weight": "0.2",
            "max_gross_exposure": "1.0",
        },
    )
    event = AuditEvent.objects.get(action="portfolio.created")
    assert event.actor == investor.username
    assert event.details == {"name": "Swing"}


def test_a_task_write_is_attributed_to_the_task(tmp_path):
    from market.tasks import ingest_csv

    path = tmp_path / "bars.csv"
    path.write_text("date,ticker,close\n2021-04-20,AAPL,130\n")
    ingest_csv.delay(str(path)).get()
    event = AuditEvent.objects.get(action="ingestion.created")
    assert event.actor == "task:market.ingest_csv"
    assert event.user is None


def test_only_administrators_read_the_audit_trail(admin_client_api, investor_client, investor):
    PortfolioFactory(owner=investor)
    assert investor_client.get("/api/v1/audit/").status_code == 403
    listing = admin_client_api.get("/api/v1/audit/?action=portfolio.created")
    assert listing.status_code == 200
    assert [row["object_type"] for row in listing.json()["results"]] == ["portfolio.portfolio"]


def test_the_admin_page_lists_events_and_allows_no_change(admin_user):
    admin_user.is_superuser = True
    admin_user.save()
    browser = Client()
    browser.force_login(admin_user)
    event = AuditEvent.objects.latest("id")
    assert browser.get("/admin/audit/auditevent/").status_code == 200
    assert browser.get("/admin/audit/auditevent/add/").status_code == 403
    assert browser.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_management_command_write_is_attributed_to_the_command(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "swingtrade.settings.base",
        "SWINGTRADE_VAR_DIR": str(tmp_path),
        "DJANGO_SUPERUSER_PASSWORD": "x-long-password-2026",
        "LOG_LEVEL": "WARNING",
    }
    code = (
        "import subprocess, sys\n"
        "run = lambda *a: subprocess.run([sys.executable, 'manage.py', *a], check=True)\n"
        "run('migrate', '--noinput')\n"
        "run('createsuperuser', '--noinput', '--username', 'ops', '--email', 'o@example.com')\n"
        "import django; django.setup()\n"
        "from swingtrade.audit.models import AuditEvent\n"
        "e = AuditEvent.objects.get(action='user.created')\n"
        "print(e.actor, e.details['username'])\n"
    )
    result = run_python(code, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "command:createsuperuser ops"
