from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from swingtrade.audit.context import request_var


class AuditActorMiddleware:
    """Exposes the request to :func:`swingtrade.audit.context.current_actor` for the request's duration."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = request_var.set(request)
        try:
            return self.get_response(request)
        finally:
            request_var.reset(token)
