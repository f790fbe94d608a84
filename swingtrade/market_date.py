"""The market clock's faces: the market date in every page's header and in every API response.

- Templates get ``market_date`` (the clock's date) and ``market_clock_mode`` ("live" or "replay") from
  :func:`market_date_context`, shown by ``templates/_market_date.html`` in the header.
- API responses (paths under ``/api/``) carry the header ``X-Market-Date: YYYY-MM-DD`` and
  ``X-Market-Clock: live|replay``; successful JSON *object* bodies also get a ``market_date`` field
  (lists and error bodies are left as they are: a field cannot be added to a JSON array, and error
  bodies keep their documented ``detail``/``code`` shape). A client can therefore tell which market day
  a ranking, a proposal's validity or a valuation refers to, in particular when the clock is pinned.

``clock.today()`` is a settings read or one wall-clock read: cheap enough for every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from market import clock

API_PREFIX = "/api/"


def market_date_context(request: HttpRequest) -> dict[str, Any]:
    return {"market_date": clock.today(), "market_clock_mode": clock.mode()}


class MarketDateMiddleware:
    """Stamps API responses with the market date (header always, JSON object field on success)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            response["X-Market-Date"] = clock.today().isoformat()
            response["X-Market-Clock"] = clock.mode()
        return response

    def process_template_response(self, request: HttpRequest, response: Any) -> Any:
        # DRF's Response is rendered after this hook, so its ``data`` can still be completed here.
        data = getattr(response, "data", None)
        if (
            request.path.startswith(API_PREFIX)
            and isinstance(data, dict)
            and response.status_code < 400
            and "market_date" not in data
        ):
            data["market_date"] = clock.today().isoformat()
        return response
