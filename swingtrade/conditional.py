"""Conditional GET for API reads whose data changes daily: ``ETag`` / ``Last-Modified`` and 304.

Views compute a validator from what the answer depends on (cheap: no body built) and ask
:func:`not_modified`; on a match they answer 304 with no body, otherwise the full answer carrying
the same validators. ``Cache-Control: private, no-cache`` lets a client keep the body but makes it
ask every time, so a 304 can never hide a change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.http import http_date, parse_etags, parse_http_date_safe

CACHE_CONTROL = "private, no-cache"


def _weak(tag: str) -> str:
    return tag.removeprefix("W/")


def not_modified(request: Any, *, etag: str, last_modified: datetime | None = None) -> bool:
    """Whether the client's copy is current (RFC 9110: ``If-None-Match`` wins over ``If-Modified-Since``)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tags = parse_etags(if_none_match)
        return "*" in tags or _weak(etag) in {_weak(tag) for tag in tags}
    if_modified_since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    return (
        last_modified is not None
        and if_modified_since is not None
        and int(last_modified.timestamp()) <= if_modified_since
    )


def validators(*, etag: str, last_modified: datetime | None = None) -> dict[str, str]:
    """Response headers: the validators and ``Cache-Control``."""
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified.timestamp())
    return headers
