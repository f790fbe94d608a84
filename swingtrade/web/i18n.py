"""The language of a request: the pages speak French unless the visitor chose English; the API speaks English.

Django's ``LocaleMiddleware`` picks the language from the ``django_language`` cookie (set by the
switcher, ``/i18n/setlang/``), then ``Accept-Language``, then ``LANGUAGE_CODE`` (French). Programs
calling the JSON API rarely send ``Accept-Language``; their error messages stay in English then, as
the API documentation shows them, and follow the header when one is sent.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

API_PREFIX = "/api/"
API_DEFAULT_LANGUAGE = "en"


class SiteLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(API_PREFIX) and "HTTP_ACCEPT_LANGUAGE" not in request.META:
            translation.activate(API_DEFAULT_LANGUAGE)
            request.LANGUAGE_CODE = API_DEFAULT_LANGUAGE
            return
        super().process_request(request)
