"""The language of a request: the pages speak French unless the visitor chose English; the API speaks English.

Django's ``LocaleMiddleware`` picks the language from the ``django_language`` cookie (set by the
switcher, ``/i18n/setlang/``), then ``Accept-Language``, then ``LANGUAGE_CODE`` (French). Programs
calling the JSON API rarely send ``Accept-Language``; their error messages stay in English then, as
the API documentation shows them, and follow the header when one is sent.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from swingtrade import errors

API_PREFIX = "/api/"
API_DEFAULT_LANGUAGE = "en"


class SiteLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(API_PREFIX) and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(API_DEFAULT_LANGUAGE)
            request.LANGUAGE_CODE = API_DEFAULT_LANGUAGE
            return
        super().process_request(request)

    def __call__(self, request: HttpRequest) -> Any:
        # A service's refusal read while answering is in the request's language (swingtrade.errors).
        if getattr(self, "_is_coroutine", None):
            return self._acall_in_request(request)
        token = errors.in_request.set(True)
        try:
            return super().__call__(request)
        finally:
            errors.in_request.reset(token)

    async def _acall_in_request(self, request: HttpRequest) -> HttpResponse:
        token = errors.in_request.set(True)
        try:
            return await super().__acall__(request)
        finally:
            errors.in_request.reset(token)
