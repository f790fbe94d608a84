"""Error pages: the JSON error body under /api/, the site's own pages elsewhere (never Django's).

Django calls these (``handler400/403/404/500`` in ``swingtrade/urls.py``) for errors raised outside
DRF views: unknown URLs, an oversized body read by a middleware, a database that is down before any
view runs. A database or broker outage is a 503 ("try again"), not a 500 ("our bug").
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _json(detail: str, code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    from django.core.exceptions import RequestDataTooBig

    if isinstance(exception, RequestDataTooBig):
        if _is_api(request):
            return _json("The request body is too large.", "too_large", 413)
        return HttpResponse(loader.render_to_string("400.html"), status=413)
    if _is_api(request):
        return _json("Bad request.", "bad_request", 400)
    return HttpResponse(loader.render_to_string("400.html"), status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json("You do not have permission to perform this action.", "permission_denied", 403)
    return render(request, "403.html", {"exception": str(exception or "")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _json("Not found.", "not_found", 404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """500, or 503 when the uncaught error is the database being unreachable.

    Rendered without a request context: the context processors read the database, which may be down.
    """
    exc = sys.exc_info()[1]
    unavailable = isinstance(exc, OperationalError | InterfaceError)
    if _is_api(request):
        if unavailable:
            response: HttpResponse = _json(
                "The database is unavailable; try again shortly.", "database_unavailable", 503
            )
            response["Retry-After"] = "30"
            return response
        return _json("Server error: it was logged with its request id.", "server_error", 500)
    status = 503 if unavailable else 500
    return HttpResponse(loader.render_to_string("500.html", {"unavailable": unavailable}), status=status)
