"""JWT calls read the user through the cache, and a changed user takes effect on the next request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from rest_framework_simplejwt.tokens import AccessToken

from swingtrade.accounts import roles

ME = "/api/v1/auth/me/"


@pytest.fixture
def jwt_client(api_client, investor):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(investor)}")
    assert api_client.get(ME).status_code == 200  # the user is now cached
    return api_client


def test_a_repeated_call_reads_neither_the_user_nor_its_roles(jwt_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        body = jwt_client.get(ME).json()
    assert body["roles"] == [roles.INVESTOR]


def test_a_deactivated_user_is_refused_on_the_next_request(jwt_client, investor):
    investor.is_active = False
    investor.save()
    assert jwt_client.get(ME).status_code == 401


def test_a_deleted_user_is_refused_on_the_next_request(jwt_client, investor):
    investor.delete()
    assert jwt_client.get(ME).status_code == 401


def test_a_new_role_is_seen_on_the_next_request(jwt_client, investor):
    investor.groups.add(Group.objects.get(name=roles.ANALYST))
    assert jwt_client.get(ME).json()["roles"] == [roles.ANALYST, roles.INVESTOR]
    Group.objects.get(name=roles.ANALYST).user_set.remove(investor)
    assert jwt_client.get(ME).json()["roles"] == [roles.INVESTOR]
    Group.objects.get(name=roles.INVESTOR).user_set.clear()
    assert jwt_client.get(ME).json()["roles"] == []
