"""The role permission classes, exercised through a real DRF view."""

from __future__ import annotations

import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from swingtrade.accounts.permissions import IsAdmin, IsAnalyst, ReadAuthenticatedWriteAdmin

pytestmark = pytest.mark.django_db
factory = APIRequestFactory()


def _view(permission):
    class View(APIView):
        permission_classes = [permission]

        def get(self, request):
            return Response({"ok": True})

        def post(self, request):
            return Response({"ok": True})

    return View.as_view()


def _call(permission, user=None, method="get"):
    request = getattr(factory, method)("/x/")
    if user is not None:
        force_authenticate(request, user=user)
    return _view(permission)(request)


def test_an_anonymous_caller_gets_401():
    assert _call(IsAdmin).status_code == 401


def test_an_investor_is_refused_an_admin_endpoint_with_403(investor):
    response = _call(IsAdmin, investor)
    assert response.status_code == 403
    assert "administrators" in str(response.data["detail"])


def test_an_admin_passes_admin_and_analyst_endpoints(admin_user):
    assert _call(IsAdmin, admin_user).status_code == 200
    assert _call(IsAnalyst, admin_user).status_code == 200


def test_an_analyst_reads_analyst_endpoints_but_not_admin_ones(analyst):
    assert _call(IsAnalyst, analyst).status_code == 200
    assert _call(IsAdmin, analyst).status_code == 403


def test_an_investor_is_refused_analyst_endpoints(investor):
    assert _call(IsAnalyst, investor).status_code == 403


def test_reads_are_open_to_investors_and_writes_only_to_admins(investor, admin_user):
    assert _call(ReadAuthenticatedWriteAdmin, investor).status_code == 200
    assert _call(ReadAuthenticatedWriteAdmin, investor, "post").status_code == 403
    assert _call(ReadAuthenticatedWriteAdmin, admin_user, "post").status_code == 200
