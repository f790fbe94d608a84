"""Swagger UI and ReDoc pages for the OpenAPI schema, from the bundled sidecar (nothing fetched elsewhere).

Separate from swingtrade/schema.py: DRF imports the schema class while drf_spectacular.views is loading.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script as a separate file: the Content-Security-Policy stays strict."""

    schema = None  # a page about the API, not part of it


class RedocView(SpectacularRedocView):
    """ReDoc from the bundled copy (templates/drf_spectacular/redoc.html: no external fonts).

    ReDoc builds its styles at run time in <style> elements, so this one page allows inline styles.
    """

    schema = None

    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().get(request, *args, **kwargs)
        from django.conf import settings

        response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", "style-src 'self' 'unsafe-inline'"
        )
        return response
