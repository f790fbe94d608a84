"""Shared REST API plumbing: the exception handler that turns domain errors into 4xx/5xx JSON, and the
JSON 404 for unknown URLs under /api/ (the JSON parser is swingtrade/parsers.py)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, JsonResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from swingtrade.errors import DomainError

logger = logging.getLogger("swingtrade.api")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": f"The request body is too large ({exc}).", "code": "too_large"},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, OverflowError):
        # Date or number arithmetic on a value past what Python/NumPy can hold (as_of=0001-01-01 minus a
        # window): only client input reaches such values, so it is a 400, not a server error.
        return Response(
            {
                "detail": "A date or number in the request is out of the supported range.",
                "code": "out_of_range",
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable", extra={"error": str(exc)})
        return _unavailable("The database is unavailable; try again shortly.", "database_unavailable")
    if _is_broker_error(exc):
        logger.error("broker unavailable", extra={"error": str(exc)})
        return _unavailable(
            "The task queue is unavailable; nothing was queued. Try again shortly.", "broker_unavailable"
        )
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.details is not None:
            body["errors"] = exc.details
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response({"detail": "Invalid input.", "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("unhandled API error", exc_info=exc)
        return None
    response.data = _uniform_body(exc, response.data)
    return response


def _unavailable(detail: str, code: str) -> Response:
    response = Response({"detail": detail, "code": code}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    response["Retry-After"] = "30"
    return response


def _is_broker_error(exc: Exception) -> bool:
    """Kombu's connection errors and the Redis client's, raised when a task cannot be published."""
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(exc, KombuOperationalError | RedisConnectionError | RedisTimeoutError)


def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any URL under /api/ that no route matches (also ``/models/-1/promote/``): the JSON 404 body."""
    return JsonResponse({"detail": "No such API endpoint.", "code": "not_found"}, status=404)


def _uniform_body(exc: Exception, data: Any) -> Any:
    """Every error body carries ``detail`` (a sentence) and ``code``; field errors also sit under ``errors``.

    DRF's field errors stay at the top level too, so clients written against DRF's shape keep working.
    """
    if isinstance(exc, ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        if "detail" in errors and len(errors) == 1:
            return {"detail": errors["detail"], "code": "invalid"}
        summary = "; ".join(f"{field}: {_first_message(messages)}" for field, messages in errors.items())
        return {**errors, "detail": f"Invalid input — {summary}", "code": "invalid", "errors": errors}
    if isinstance(data, dict) and "detail" in data and "code" not in data:
        code = getattr(exc, "default_code", None) or "error"
        return {**data, "code": code}
    return data


def _first_message(messages: Any) -> str:
    while isinstance(messages, (list, tuple)) and messages:
        messages = messages[0]
    if isinstance(messages, dict):
        return "; ".join(f"{k}: {_first_message(v)}" for k, v in messages.items())
    return str(messages)


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` with bounds: a huge number is a 400, never a database overflow."""

    default_limit = 100
    max_limit = 1000
    max_offset = 10**9

    def paginate_queryset(self, queryset: Any, request: Any, view: Any = None) -> list | None:
        """The page first, then the count only when the page cannot tell it.

        A page shorter than ``limit`` (and not past the end) is the last one, so the total is
        ``offset + len(page)``: most lists (a portfolio's proposals, positions, trades) fit in one page,
        and this spares them DRF's ``COUNT(*)`` — a query of its own on every call.
        """
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.offset = self.get_offset(request)
        page = list(queryset[self.offset : self.offset + self.limit])
        if len(page) < self.limit and (page or self.offset == 0):
            self.count = self.offset + len(page)
        else:  # a full page, or an offset past the end: only the database knows the total
            self.count = self.get_count(queryset)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        return page

    def get_offset(self, request: Any) -> int:
        offset = super().get_offset(request)
        if offset > self.max_offset:
            raise ValidationError({"offset": [f"offset must be at most {self.max_offset}."]})
        return offset
