"""Conditional GET for API reads whose data changes daily: ``ETag`` / ``Last-Modified`` and 304.

Views compute a validator from what the answer depends on (cheap: no body built) and ask
:func:`not_modified`; on a match they answer 304 with no body, otherwise the full answer carrying
the same validators. ``Cache-Control: private, no-cache`` lets a client keep the body but makes it
ask every time, so a 304 can never hide a change.

Where no cheap validator exists (a valuation moves with trades, prices, the cost profile and the
year), :func:`conditional_response` takes the answer's own content as its validator: the 304 then
saves the transfer and the client's parsing, not the server's work, and cannot be stale either.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import orjson
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from rest_framework import status
from rest_framework.response import Response

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


def content_etag(data: Any, *, scope: Any = None) -> str:
    """A strong ETag of ``data`` (what the renderer writes) and ``scope`` (anything else the body
    carries that is added later, such as the market date)."""
    content = orjson.dumps([scope, data], option=orjson.OPT_NON_STR_KEYS, default=str)
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def conditional_response(request: Any, data: Any, *, scope: Any = None) -> Response:
    """``data`` with an ETag of its content (:func:`content_etag`), or a 304 when the client holds it."""
    etag = content_etag(data, scope=scope)
    headers = validators(etag=etag)
    if not_modified(request, etag=etag):
        return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(data, headers=headers)
