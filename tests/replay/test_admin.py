"""The market clock is visible in the admin: the pinned date, marked replay, on every admin page."""

from __future__ import annotations

from django.test import Client


def _admin_page(admin_user, path: str) -> str:
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client = Client()
    client.force_login(admin_user)
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_index_shows_the_pinned_market_date_marked_replay(admin_user, settings):
    settings.MARKET_CLOCK_DATE = "2021-04-21"
    page = _admin_page(admin_user, "/admin/")
    assert "Market date 2021-04-21" in page
    assert ">replay<" in page


def test_the_replay_runs_admin_shows_the_market_date_too(admin_user, settings):
    settings.MARKET_CLOCK_DATE = "2020-03-16"
    assert "Market date 2020-03-16" in _admin_page(admin_user, "/admin/portfolio/replayrun/")
