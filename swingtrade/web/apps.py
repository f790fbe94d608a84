from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """An app only so that Django finds its template filters and the ``bootstrap`` command."""

    name = "swingtrade.web"
    label = "web"
    verbose_name = "Web pages"
