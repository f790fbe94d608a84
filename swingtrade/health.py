"""``/healthz``: up (200) or down (503); the state of each part only for staff or a health token.

Apps add their own checks in ``AppConfig.ready`` with :func:`register_check` (mlcore adds the
champion model), so this module knows no app's internals.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger("swingtrade.health")


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: dict[str, Any]


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[[], CheckResult]
    required: bool


_checks: dict[str, Check] = {}


def register_check(name: str, run: Callable[[], CheckResult], *, required: bool) -> None:
    _checks[name] = Check(name, run, required)


def check_database() -> CheckResult:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return CheckResult(True, {"vendor": connection.vendor})


def check_broker() -> CheckResult:
    if not settings.REDIS_URL:
        return CheckResult(True, {"mode": "eager", "detail": "no broker configured; tasks run in-process"})
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    client.ping()
    return CheckResult(True, {"mode": "redis"})


register_check("database", check_database, required=True)
register_check("broker", check_broker, required=True)


def run_checks() -> tuple[bool, dict[str, Any]]:
    healthy = True
    parts: dict[str, Any] = {}
    for check in _checks.values():
        started = time.perf_counter()
        try:
            result = check.run()
        except Exception as exc:  # a health check reports failures, it never raises
            logger.warning("health check failed", extra={"check": check.name, "error": str(exc)})
            result = CheckResult(False, {"error": f"{type(exc).__name__}: {exc}"})
        parts[check.name] = {
            "status": "ok" if result.ok else "down",
            "required": check.required,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            **result.detail,
        }
        if check.required and not result.ok:
            healthy = False
    return healthy, parts


def may_see_details(request: HttpRequest) -> bool:
    """Staff, or a monitor sending ``X-Health-Token``: versions, latencies and errors help an attacker."""
    token = settings.HEALTHZ_TOKEN
    if token and hmac.compare_digest(request.headers.get("X-Health-Token", ""), token):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, parts = run_checks()
    body: dict[str, Any] = {"status": "ok" if healthy else "down"}
    if may_see_details(request):
        body["checks"] = parts
    return JsonResponse(body, status=200 if healthy else 503)
