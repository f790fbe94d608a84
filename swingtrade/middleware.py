"""Request middleware: one structured log line per API call (request id, user id, status, duration), and
the refusal of NUL characters in URLs before any view or database sees them."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from swingtrade.logging import request_id_var, user_id_var

logger = logging.getLogger("swingtrade.request")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        # A caller-supplied id is kept only if it is harmless in logs.
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        id_token = request_id_var.set(request_id)
        user_token = user_id_var.set(None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(id_token)
        duration_ms = round((time.perf_counter() - started) * 1000, 2)
        # DRF authenticates JWT callers inside the view and copies the user onto this request.
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        user_id_var.reset(user_token)
        response["X-Request-ID"] = request_id
        if request.path.startswith("/api/"):
            logger.info(
                "api_call",
                extra={
                    "request_id": request_id,
                    "user_id": user_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
        return response


class NulCharacterGuardMiddleware:
    """A NUL character in the path or query string is a 400: PostgreSQL text cannot hold one, so a
    filter such as ``?ticker=%00`` would otherwise reach the database as a server error."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "\x00" in unquote(query):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "The URL may not contain NUL (%00) characters.", "code": "invalid"}, status=400
                )
            return HttpResponse(loader.render_to_string("400.html"), status=400)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """``Content-Security-Policy`` on every response: the site loads only its own files.

    The templates have no inline script (charts read their data from ``json_script`` blocks, which are
    not executed), so scripts are ``'self'`` only; inline ``style=""`` attributes are allowed, style
    elements are not. ``settings.CONTENT_SECURITY_POLICY`` holds the policy.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY
        return response
