"""Every API error body reads the same way: ``detail`` (a sentence), ``code``, and ``errors`` per field."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_field_error_has_a_sentence_a_code_and_the_fields(api_client):
    response = api_client.post("/api/v1/auth/signup/", {"username": "x", "password": "123"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"].startswith("Invalid input — password:")
    assert "password" in body["errors"]
    assert body["password"] == body["errors"]["password"]  # DRF's own shape is kept for old clients


def test_an_anonymous_call_says_why_with_a_code(api_client):
    body = api_client.get("/api/v1/auth/me/").json()
    assert body["code"] == "not_authenticated"
    assert "credentials" in body["detail"]


def test_a_domain_error_keeps_its_code_and_fields(investor_client):
    response = investor_client.get("/api/v1/tickers/?offset=99999999999999999999")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert "offset" in body["errors"]
