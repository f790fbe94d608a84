"""JWT: obtain, refresh with rotation, verify, logout that blacklists; sign-up makes investors."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from swingtrade.accounts import roles
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def _obtain(api_client, user):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_it_issues_an_access_and_a_refresh_token_for_good_credentials(api_client, investor):
    tokens = _obtain(api_client, investor)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == investor.username
    assert me.json()["roles"] == [roles.INVESTOR]


def test_it_refuses_a_wrong_password_with_401(api_client, investor):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": investor.username, "password": "nope"}, format="json"
    )
    assert response.status_code == 401


def test_a_garbage_bearer_token_gets_401(api_client, investor):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not.a.token")
    response = api_client.get("/api/v1/auth/me/")
    assert response.status_code == 401


def test_refresh_rotates_and_the_old_refresh_token_stops_working(api_client, investor):
    tokens = _obtain(api_client, investor)
    first = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    assert first.json()["refresh"] != tokens["refresh"]
    replay = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert replay.status_code == 401


def test_verify_accepts_a_valid_token_and_rejects_a_tampered_one(api_client, investor):
    tokens = _obtain(api_client, investor)
    ok = api_client.post("/api/v1/auth/token/verify/", {"token": tokens["access"]}, format="json")
    assert ok.status_code == 200
    tampered = tokens["access"][:-4] + ("AAAA" if not tokens["access"].endswith("AAAA") else "BBBB")
    bad = api_client.post("/api/v1/auth/token/verify/", {"token": tampered}, format="json")
    assert bad.status_code == 401


def test_logout_blacklists_the_refresh_token(api_client, investor):
    tokens = _obtain(api_client, investor)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.post("/api/v1/auth/logout/", {"refresh": tokens["refresh"]}, format="json")
    assert response.status_code == 205
    api_client.credentials()
    refused = api_client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refused.status_code == 401


def test_logout_with_a_malformed_refresh_token_is_a_400(api_client, investor):
    tokens = _obtain(api_client, investor)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = api_client.post("/api/v1/auth/logout/", {"refresh": "garbage"}, format="json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_sign_up_creates_an_investor_and_refuses_a_taken_name(api_client, investor):
    response = api_client.post(
        "/api/v1/auth/signup/",
        {"username": "newcomer", "password": "a-long-unusual-passphrase", "email": "n@example.com"},
        format="json",
    )
    assert response.status_code == 201, response.content
    user = get_user_model().objects.get(username="newcomer")
    assert roles.roles_of(user) == {roles.INVESTOR}
    assert not user.is_staff

    taken = api_client.post(
        "/api/v1/auth/signup/",
        {"username": investor.username, "password": "a-long-unusual-passphrase"},
        format="json",
    )
    assert taken.status_code == 400
    assert "username" in taken.json()


def test_sign_up_refuses_a_weak_password(api_client):
    response = api_client.post(
        "/api/v1/auth/signup/", {"username": "weakling", "password": "12345678"}, format="json"
    )
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="weakling").exists()
