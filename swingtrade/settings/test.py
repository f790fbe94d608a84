"""Test settings: the embedded default, or PostgreSQL/Redis when their URLs are set."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run in the test process; the broker itself is exercised by tests/integration.
CELERY_TASK_ALWAYS_EAGER = True
MODEL_ARTIFACT_DIR = Path(tempfile.mkdtemp(prefix="swingtrade-models-"))
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="swingtrade-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING["root"]["level"] = "WARNING"
# /healthz details for tests that read them (anonymous callers get only up/down).
HEALTHZ_TOKEN = "test-health-token"
# Live-server tests (tests/e2e) answer each request on a thread of its own: persistent connections would
# outlive those threads and keep the PostgreSQL test database busy when pytest-django drops it.
DATABASES["default"]["CONN_MAX_AGE"] = 0
