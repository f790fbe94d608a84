"""Brute-force protection around django-axes: back-off cool-off, and the 429 answers (JSON or page).

Failures are counted per (username, client IP) in a store every process shares: the Redis cache when
``REDIS_URL`` is set, the database otherwise (settings choose the axes handler). After
``AXES_FAILURE_LIMIT`` failures the pair is locked out for ``LOCKOUT_BASE_SECONDS``; every further failure
while locked doubles the cool-off, up to ``LOCKOUT_MAX_SECONDS``. The right password is refused too while
the lock lasts, so a guessed password is useless to the guesser.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from rest_framework import status
from rest_framework.exceptions import APIException


class LockedOut(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"
    default_detail = "Too many failed logins for this account from your address; try again later."


def cool_off_seconds(failures: int) -> int:
    """Cool-off after ``failures`` failures in a row: the base at the limit, doubled per failure past it."""
    extra = max(0, failures - settings.AXES_FAILURE_LIMIT)
    if extra >= 32:  # 2**32 × base is past any cap; avoid building a huge integer
        return settings.LOCKOUT_MAX_SECONDS
    return min(settings.LOCKOUT_BASE_SECONDS * 2**extra, settings.LOCKOUT_MAX_SECONDS)


def failures_so_far(request: Any) -> int:
    """Failures recorded for the (username, IP) pair of this request, before the current attempt."""
    from axes.helpers import get_client_username

    credentials = getattr(request, "axes_credentials", None)
    if settings.AXES_HANDLER.endswith("AxesDatabaseHandler"):
        # Read the row directly: the handler's own count asks for the cool-off first (it would recurse).
        from axes.models import AccessAttempt

        counts = AccessAttempt.objects.filter(
            username=get_client_username(request, credentials), ip_address=request.axes_ip_address
        ).values_list("failures_since_start", flat=True)
        return max(counts, default=0)
    from axes.handlers.proxy import AxesProxyHandler

    return AxesProxyHandler.get_failures(request, credentials)


def cool_off(request: HttpRequest | None) -> timedelta:
    """``AXES_COOLOFF_TIME``: depends on how many failures the pair of this request already has.

    Records older than the cool-off are forgotten by axes, so a pair that stops guessing starts afresh.
    """
    if request is None or not hasattr(request, "axes_ip_address"):
        return timedelta(seconds=settings.LOCKOUT_BASE_SECONDS)
    # The failure being recorded is not counted yet: +1 makes the lock start exactly at the limit.
    return timedelta(seconds=cool_off_seconds(failures_so_far(request) + 1))


def retry_after_seconds(request: Any) -> int:
    return math.ceil(cool_off(request).total_seconds())


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the project's JSON error body under /api/, a page on the web site."""
    retry_after = retry_after_seconds(request)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": LockedOut.default_detail, "code": LockedOut.default_code, "retry_after": retry_after},
            status=429,
        )
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"retry_after_minutes": max(1, math.ceil(retry_after / 60))},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response
